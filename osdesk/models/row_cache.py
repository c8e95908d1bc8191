"""The rows of the resource table: keys and the sort column's keys made when a row
arrives; display text, colours and filter text made when first asked for.

Qt-free: :class:`RowBuilder` also runs on a worker thread (``ResourceTableModel.prepare``),
so it reads only the columns and the lookups it is given.
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Callable, NamedTuple

from osdesk.kinds.columns import Column
from osdesk.rules.formats import MISSING_KEY, LookupContext

__all__ = ["MergeSummary", "PreparedPage", "Row", "RowBuilder", "keyed"]

log = logging.getLogger(__name__)


class MergeSummary(NamedTuple):
    """What a merge did, in rows."""

    added: int = 0
    changed: int = 0
    removed: int = 0

    def __bool__(self) -> bool:  # "did anything happen?"
        return bool(self.added or self.changed or self.removed)


class Row:
    """One row: its key, its raw dict, its sort keys, and its cells once asked for.

    The text attributes are None until :class:`RowBuilder` makes them (on the GUI
    thread, when a view asks or on idle turns), and None again when the lookups they
    used change.
    """

    __slots__ = ("key", "raw", "sort", "seq", "cells", "colors", "filter")

    def __init__(self, key, raw, sort, seq):
        self.key = key
        self.raw = raw
        self.sort = sort    # list of wrapped keys (columns.sort_wrap); None = not yet
        self.seq = seq      # arrival order, the "unsorted" order
        self.cells = None   # list of display texts, None per cell not made yet
        self.colors = None  # list of colour role names (None: no colour), made together
        self.filter = None  # the lower-cased text of every column for the filter box


class PreparedPage:
    """A page of rows built off the GUI thread (:meth:`ResourceTableModel.prepare`),
    for :meth:`ResourceTableModel.merge_page`.

    ``entries`` holds ``(key, raw, built, held)`` per row: ``built`` is the row made
    with ``context`` and ``sort_column``, or None when ``held`` (the model's row the
    worker found with an equal dict) made building it pointless. Both are only used
    when they still hold on the GUI thread: the same sort column (and lookups, when it
    uses them), the same row object at that key; otherwise the merge builds the row
    itself.
    """

    __slots__ = ("entries", "context", "sort_column", "columns")

    def __init__(self, entries, context, sort_column, columns):
        self.entries = entries
        self.context = context
        self.sort_column = sort_column
        self.columns = columns

    def __len__(self) -> int:
        return len(self.entries)


def keyed(rows: Iterable[Mapping], key_of: Callable[[Mapping], Hashable]) -> dict:
    """``{key: row}`` in input order; rows without a usable key are skipped (last wins)."""
    fresh: dict = {}
    for raw in rows:
        try:
            key = key_of(raw)
            if key is None:
                raise TypeError("no key")
            fresh[key] = raw
        except (TypeError, AttributeError):
            log.debug("skipping a row without a usable key: %.200r", raw)
    return fresh


class RowBuilder:
    """Makes, remakes and sorts :class:`Row` objects for one tuple of columns.

    A row is built with the sort key of the sort column only (what placing it needs);
    the other sort keys, the display texts, the colours and the filter text are made
    the first time they are needed (a view paints the row, a sort on that column, the
    filter box) and kept until the row changes. Building every cell of every arriving
    row cost ~23 µs a server row on the worker, for cells a view shows a screenful of;
    the filter text is made on the GUI thread's idle turns after a refresh
    (``ResourceTableModel.warm_filter_texts``) or when the filter asks for it.
    """

    def __init__(self, columns: Sequence[Column]):
        self.columns: tuple[Column, ...] = tuple(columns)
        self._coloured = tuple(i for i, c in enumerate(self.columns) if c.colour is not None)

    def build(self, key, raw: Mapping, seq: int, ctx: LookupContext, sc: int) -> Row:
        """A row of ``raw`` with the sort key of column ``sc`` (-1: none) made."""
        sort = [None] * len(self.columns)
        if sc >= 0:
            sort[sc] = self.columns[sc].sort_key(raw, ctx)
        return Row(key, raw, sort, seq)

    def prepare(self, fresh: dict, held_rows: Mapping, ctx: LookupContext,
                sc: int) -> PreparedPage:
        """The rows of ``fresh`` (``{key: raw}``) built for a later merge.

        A key whose row in ``held_rows`` (``{key: Row}``, the model's) holds an equal
        dict is not built: the merge will see it unchanged.
        """
        entries = []
        append = entries.append
        get = held_rows.get
        Row_, n = Row, len(self.columns)
        sort_key = self.columns[sc].sort_key if sc >= 0 else None
        for key, raw in fresh.items():
            held = get(key)
            if held is not None:
                if held.raw is raw or held.raw == raw:
                    append((key, raw, None, held))
                    continue
            # build() inlined: this runs for every row of a list
            sort = [None] * n
            if sort_key is not None:
                sort[sc] = sort_key(raw, ctx)
            append((key, raw, Row_(key, raw, sort, -1), None))
        return PreparedPage(entries, ctx, sc, self.columns)

    # ------------------------------------------------------------ cells, when asked
    def display(self, row: Row, column: int, ctx: LookupContext) -> str:
        """The display text of a cell (made now if it was not made yet)."""
        cells = row.cells
        if cells is None:
            cells = row.cells = [None] * len(self.columns)
        text = cells[column]
        if text is None:
            text = cells[column] = self.columns[column].value(row.raw, ctx)
        return text

    def color(self, row: Row, column: int, ctx: LookupContext) -> str | None:
        """The colour role name of a cell ("ok", "busy" …; None when it has none)."""
        if not self._coloured:
            return None
        colors = row.colors
        if colors is None:
            colors = [None] * len(self.columns)
            for c in self._coloured:
                colors[c] = self.columns[c].color(row.raw, ctx)
            row.colors = colors
        return colors[column]

    def filter_text(self, row: Row, ctx: LookupContext) -> str:
        """What the filter box matches: the text of every column, hidden ones included,
        one column a line, lower-cased (made now if it was not made yet)."""
        text = row.filter
        if text is None:
            raw = row.raw
            text = row.filter = "\n".join([col.filter_text(raw, ctx)
                                            for col in self.columns]).lower()
        return text

    def relooked(self, row: Row, cols: Sequence[int], old: LookupContext,
                 new: LookupContext, sc: int) -> bool:
        """Whether the cells of ``cols`` (columns that use the lookups) read otherwise
        with the lookups ``new`` than with ``old``; if so, the row's texts made with
        the old ones are dropped and its sort keys of ``cols`` made again (``sc``'s now,
        the others when needed)."""
        raw = row.raw
        for c in cols:
            col = self.columns[c]
            if col.native(raw, old) != col.native(raw, new) or (
                    col.colour is not None and col.color(raw, old) != col.color(raw, new)):
                break
        else:
            return False
        row.filter = None
        if row.cells is not None or row.colors is not None:
            for c in cols:
                if row.cells is not None:
                    row.cells[c] = None
                if row.colors is not None:
                    row.colors[c] = self.columns[c].color(raw, new)
        for c in cols:
            row.sort[c] = self.columns[c].sort_key(raw, new) if c == sc else None
        return True

    def sort_key(self, row: Row, column: int, ctx: LookupContext) -> tuple:
        """The wrapped sort key of a cell, made now if it was not made yet."""
        key = row.sort[column]
        if key is None:
            key = row.sort[column] = self.columns[column].sort_key(row.raw, ctx)
        return key

    def order(self, rows: Sequence[Row], column: int, descending: bool,
              ctx: LookupContext) -> list[int]:
        """The permutation that sorts ``rows`` on ``column`` (-1: arrival order), missing
        values last: ``[rows[i] for i in order]``. The keys are read once into a list
        and sorted through its C ``__getitem__`` (no Python call per comparison or row)."""
        if column < 0:
            keys = [row.seq for row in rows]
        else:
            keys = [row.sort[column] for row in rows]
            if None in keys:  # keys not made yet (see the class docstring)
                keys = [self.sort_key(row, column, ctx) for row in rows]
        # list.sort is stable, and stays stable with reverse=True: equal keys keep
        # their current order, so rows do not jump around on every refresh.
        order = sorted(range(len(keys)), key=keys.__getitem__,
                       reverse=descending and column >= 0)
        if descending and column >= 0:
            # missing values last in both directions, like a spreadsheet: MISSING_KEY
            # sorts after every present key, so reversed they lead
            missing = keys.count(MISSING_KEY)
            if missing:
                order = order[missing:] + order[:missing]
        return order

    def sorted(self, rows: Sequence[Row], column: int, descending: bool,
               ctx: LookupContext) -> list[Row]:
        """``rows`` sorted on ``column`` (-1: arrival order); missing values last."""
        return list(map(rows.__getitem__, self.order(rows, column, descending, ctx)))
