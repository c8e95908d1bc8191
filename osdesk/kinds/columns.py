"""Column specs: how one field of a raw API dict becomes a cell, a sort key and filter text
(the value formats they use are in ``osdesk/rules/formats.py``)."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from osdesk.rules.formats import (EMPTY_CONTEXT, MISSING_KEY, LookupContext, fmt_age, fmt_bool,
                                  fmt_gb, fmt_mb, fmt_size, fmt_time, ip_sort_key, parse_time,
                                  sort_wrap, status_role, to_number)

__all__ = [
    "ALIGN_CENTER", "ALIGN_LEFT", "ALIGN_RIGHT", "Column", "bool_column", "dig", "field_getter",
    "id_column", "network_name_getter", "project_column",
    "ip_column", "join_texts", "number_column", "size_column", "status_column", "text_column",
    "time_column",
]

ALIGN_LEFT, ALIGN_RIGHT, ALIGN_CENTER = "left", "right", "center"


Getter = Callable[[Mapping, LookupContext], Any]


def _default_format(value) -> str:
    if value.__class__ is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return fmt_bool(value)
    if isinstance(value, _dt.datetime):
        return fmt_time(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(_default_format(v) for v in value)
    return str(value)


@dataclass(frozen=True, eq=False)
class Column:
    """How one column reads a raw API dict.

    ``get(row, ctx)`` returns the native value (int, datetime, bool, str, list …);
    ``fmt`` turns it into the display string, ``sort`` into the comparable native
    sort value (default: the native value itself), and ``search`` into extra filter
    text. Every public method takes the row dict and, optionally, a
    :class:`LookupContext`; none of them raises on odd data.
    """

    key: str  #: stable id, used for saved header state and ``column_index()``
    title: str
    get: Getter
    fmt: Callable[[Any], str] = _default_format
    sort: Callable[[Any], Any] | None = None
    search: Callable[[Any], str] | None = None
    tip: Callable[[Mapping, LookupContext], str | None] | None = None
    colour: Callable[[Mapping, LookupContext], str | None] | None = None
    align: str = ALIGN_LEFT
    visible_by_default: bool = True
    width_hint: int = 12  #: characters
    #: True when the cell depends on the :class:`LookupContext` (recomputed on set_context)
    uses_context: bool = False
    #: the first click on the header sorts descending (newest first, biggest first)
    descending_first: bool = False
    #: holds IP addresses (the filter hint says addresses can be searched)
    addresses: bool = False
    description: str = ""

    # -- the public face of a column -------------------------------------------
    def cell(self, row: Mapping, ctx: LookupContext,
             with_key: bool = True) -> tuple[str, tuple | None, str]:
        """``(display, sort key, filter text)`` of a cell in one pass.

        Same results as ``value``/``sort_key``/``filter_text``, which the model calls
        one at a time when a part is first asked for (``models/row_cache.py``); the
        tests hold those to this. ``with_key=False`` skips the sort key (returns None
        for it).
        """
        try:
            native = self.get(row, ctx)
        except Exception:
            native = None
        try:
            text = self.fmt(native)
        except Exception:
            text = "" if native is None else str(native)
        if text.__class__ is not str:
            text = str(text)
        sort = self.sort
        if not with_key:
            key = None
        elif sort is None:
            key = sort_wrap(text if isinstance(native, (list, dict)) else native)
        else:
            try:
                key = sort_wrap(sort(native))
            except Exception:
                key = MISSING_KEY
        if self.search is None:
            return text, key, text
        return text, key, self.filter_text_of(native, text)

    def native(self, row: Mapping, ctx: LookupContext | None = None):
        try:
            return self.get(row, ctx or EMPTY_CONTEXT)
        except Exception:  # odd data must never break a refresh
            return None

    def value(self, row: Mapping, ctx: LookupContext | None = None) -> str:
        """The display string."""
        return self.display_of(self.native(row, ctx))

    def display_of(self, native) -> str:
        try:
            text = self.fmt(native)
        except Exception:
            text = "" if native is None else str(native)
        return text if isinstance(text, str) else str(text)

    def sort_value(self, row: Mapping, ctx: LookupContext | None = None):
        """The native sort value (int, datetime, IP tuple, str) or None."""
        return self.sort_value_of(self.native(row, ctx))

    def sort_value_of(self, native):
        if self.sort is None:
            if isinstance(native, (list, dict)):
                return self.display_of(native)
            return native
        try:
            return self.sort(native)
        except Exception:
            return None

    def sort_key(self, row: Mapping, ctx: LookupContext | None = None) -> tuple:
        """A key that compares with every other key of this column; missing sorts last."""
        return sort_wrap(self.sort_value(row, ctx))

    def filter_text(self, row: Mapping, ctx: LookupContext | None = None) -> str:
        """What the filter box matches (display text plus any hidden extras)."""
        native = self.native(row, ctx)
        return self.filter_text_of(native, self.display_of(native))

    def filter_text_of(self, native, display: str) -> str:
        if self.search is None:
            return display
        try:
            extra = self.search(native)
        except Exception:
            extra = ""
        return f"{display} {extra}" if extra else display

    def tooltip(self, row: Mapping, ctx: LookupContext | None = None) -> str | None:
        if self.tip is None:
            return None
        try:
            return self.tip(row, ctx or EMPTY_CONTEXT) or None
        except Exception:
            return None

    def color(self, row: Mapping, ctx: LookupContext | None = None) -> str | None:
        """A colour role name ("ok", "warn", "error", "busy") or None."""
        if self.colour is None:
            return None
        try:
            return self.colour(row, ctx or EMPTY_CONTEXT)
        except Exception:
            return None


# ------------------------------------------------------------------ column factories
def dig(row: Mapping, *path):
    """``row[a][b]…`` or None when any step is missing or of the wrong type."""
    cur: Any = row
    for step in path:
        if isinstance(cur, Mapping):
            cur = cur.get(step)
        elif isinstance(cur, list) and isinstance(step, int) and -len(cur) <= step < len(cur):
            cur = cur[step]
        else:
            return None
    return cur


def field_getter(*path) -> Getter:
    if len(path) == 1:
        name = path[0]
        return lambda row, ctx: row.get(name)
    return lambda row, ctx: dig(row, *path)


def text_column(key: str, title: str, *path, **kw) -> Column:
    """A plain text field (``path`` defaults to ``key``)."""
    return Column(key, title, field_getter(*(path or (key,))), **kw)


def number_column(key: str, title: str, *path, **kw) -> Column:
    kw.setdefault("align", ALIGN_RIGHT)
    kw.setdefault("width_hint", 6)
    kw.setdefault("sort", to_number)
    getter = field_getter(*(path or (key,)))
    return Column(key, title, getter, **kw)


def bool_column(key: str, title: str, *path, yes: str = "Yes", no: str = "No", **kw) -> Column:
    kw.setdefault("align", ALIGN_CENTER)
    kw.setdefault("width_hint", 6)
    getter = field_getter(*(path or (key,)))
    return Column(key, title, getter, fmt=lambda v: fmt_bool(v, yes, no), sort=_bool_sort, **kw)


def _bool_sort(value):
    """True/False (False first); strings like "true" read as booleans; None stays missing."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return fmt_bool(value) == "Yes"
    return bool(value)


def _time_tip(path):
    def tip(row, ctx):
        when = parse_time(dig(row, *path))
        if when is None:
            return None
        return f"{when.astimezone(_dt.timezone.utc).strftime('%Y-%m-%d %H:%M:%S')} UTC ({fmt_age(when)})"
    return tip


def time_column(key: str, title: str, *path, **kw) -> Column:
    """An ISO timestamp: shown in local time, sorted as a datetime, age in the tooltip."""
    path = path or (key,)
    raw = field_getter(*path)
    kw.setdefault("width_hint", 16)
    kw.setdefault("descending_first", True)
    kw.setdefault("tip", _time_tip(path))
    return Column(key, title, lambda row, ctx: parse_time(raw(row, ctx)), fmt=fmt_time, **kw)


def size_column(key: str, title: str, *path, unit: str = "B", **kw) -> Column:
    """A size in bytes/MiB/GiB (``unit``), shown human-readable, sorted as a number."""
    formatter = {"B": fmt_size, "MiB": fmt_mb, "GiB": fmt_gb}[unit]
    kw.setdefault("align", ALIGN_RIGHT)
    kw.setdefault("width_hint", 9)
    kw.setdefault("descending_first", True)
    getter = field_getter(*(path or (key,)))
    return Column(key, title, lambda row, ctx: to_number(getter(row, ctx)),
                  fmt=formatter, **kw)


def ip_column(key: str, title: str, *path, **kw) -> Column:
    """One address or CIDR, sorted numerically."""
    kw.setdefault("width_hint", 15)
    kw.setdefault("addresses", True)
    return Column(key, title, field_getter(*(path or (key,))), sort=ip_sort_key, **kw)


def status_column(key: str = "status", title: str = "Status", *path,
                  task_path: Sequence[str] | None = None, **kw) -> Column:
    """A status, coloured by :func:`status_role` (a pending task makes it busy)."""
    path = path or (key,)
    getter = field_getter(*path)
    if task_path:
        colour = lambda row, ctx: status_role(dig(row, *path), dig(row, *task_path))  # noqa: E731
    else:
        colour = lambda row, ctx: status_role(dig(row, *path))  # noqa: E731
    kw.setdefault("width_hint", 10)
    return Column(key, title, getter, colour=colour, **kw)


def join_texts(values: Iterable) -> str:
    return ", ".join(str(v) for v in values if v not in (None, ""))


def id_column(**kw) -> Column:
    """The row's UUID, hidden until asked for."""
    kw.setdefault("visible_by_default", False)
    kw.setdefault("width_hint", 36)
    return text_column("id", "ID", **kw)


def project_column(path: str = "project_id", **kw) -> Column:
    """The owning project's name (its id when the lookups do not know it), hidden by default."""
    def get(row, ctx):
        pid = row.get(path) or row.get("tenant_id")
        if not pid:
            return None
        return ctx.project_names.get(pid) or pid
    kw.setdefault("visible_by_default", False)
    return Column("project", "Project", get, uses_context=True, width_hint=20, **kw)


def network_name_getter(*path) -> Getter:
    """The name of the network whose id is at ``path`` (its id when unknown)."""
    def get(row, ctx):
        nid = dig(row, *path)
        if not nid:
            return None
        return ctx.network_names.get(nid) or nid
    return get
