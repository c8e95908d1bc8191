"""The rows of the resource table: every cell built once, rebuilt or sorted on demand.

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
    """One row with every cell precomputed, so ``data()`` only indexes."""

    __slots__ = ("key", "raw", "display", "sort", "parts", "filter", "colors", "seq")

    def __init__(self, key, raw, display, sort, parts, colors, seq):
        self.key = key
        self.raw = raw
        self.display = display  # tuple[str]
        self.sort = sort        # list of wrapped keys (columns.sort_wrap); None = not yet
        self.parts = parts      # tuple[str], filter text per column
        self.filter = "\n".join(parts).lower()
        self.colors = colors    # tuple[str | None] or None when no column is coloured
        self.seq = seq          # arrival order, the "unsorted" order


class PreparedPage:
    """A page of rows with their cells already built, off the GUI thread
    (:meth:`ResourceTableModel.prepare`), for :meth:`ResourceTableModel.merge_page`.

    ``entries`` holds ``(key, raw, built, held)`` per row: ``built`` is the row made
    with ``context`` and ``sort_column``, or None when ``held`` (the model's row the
    worker found with an equal dict) made building it pointless. Both are only used
    when they still hold on the GUI thread: the same lookups and sort column, the same
    row object at that key; otherwise the merge builds the row itself.
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

    Sort keys are made at build time only for the sort column; the others are made
    the first time they are needed (a sort on that column, a SortRole read) and then
    kept until the row changes. Building the natural/IP/date keys of every column
    took about a third of the time of an insert, for keys most rows never use.
    Display and filter text are always made at build time.
    """

    def __init__(self, columns: Sequence[Column]):
        self.columns: tuple[Column, ...] = tuple(columns)
        self._coloured = tuple(i for i, c in enumerate(self.columns) if c.colour is not None)

    def build(self, key, raw: Mapping, seq: int, ctx: LookupContext, sc: int) -> Row:
        """Every cell of a row, with the lookups ``ctx`` and the sort column ``sc``."""
        cells = [col.cell(raw, ctx, c == sc) for c, col in enumerate(self.columns)]
        if cells:
            display, sort, parts = zip(*cells)
            sort = list(sort)
        else:
            display, sort, parts = (), [], ()
        colors = None
        if self._coloured:
            colors = [None] * len(self.columns)
            for c in self._coloured:
                colors[c] = self.columns[c].color(raw, ctx)
            colors = tuple(colors)
        return Row(key, raw, display, sort, parts, colors, seq)

    def prepare(self, fresh: dict, held_rows: Mapping, ctx: LookupContext,
                sc: int) -> PreparedPage:
        """The rows of ``fresh`` (``{key: raw}``) built for a later merge.

        A key whose row in ``held_rows`` (``{key: Row}``, the model's) holds an equal
        dict is not built: the merge will see it unchanged.
        """
        entries = []
        for key, raw in fresh.items():
            held = held_rows.get(key)
            if held is not None and not (held.raw is raw or held.raw == raw):
                held = None
            built = None if held is not None else self.build(key, raw, -1, ctx, sc)
            entries.append((key, raw, built, held))
        return PreparedPage(entries, ctx, sc, self.columns)

    def rebuilt(self, row: Row, cols: Sequence[int], ctx: LookupContext, sc: int) -> Row | None:
        """``row`` with the cells of ``cols`` made with new lookups, or None when they read
        the same (its sort keys made with the old lookups are dropped then)."""
        display, sort, parts = list(row.display), list(row.sort), list(row.parts)
        colors = list(row.colors) if row.colors is not None else None
        for c in cols:
            col = self.columns[c]
            display[c], sort[c], parts[c] = col.cell(row.raw, ctx, c == sc)
            if colors is not None and col.colour is not None:
                colors[c] = col.color(row.raw, ctx)
        new = Row(row.key, row.raw, tuple(display), sort, tuple(parts),
                  tuple(colors) if colors is not None else None, row.seq)
        if (new.display, new.parts, new.colors) != (row.display, row.parts, row.colors) \
                or (sc in cols and new.sort[sc] != row.sort[sc]):
            return new
        row.sort = sort
        return None

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
