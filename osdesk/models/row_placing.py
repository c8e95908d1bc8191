"""How :class:`ResourceTableModel` places, moves and removes rows: new rows go where
they belong in the current sort order (bisection on the precomputed keys, see
``placement``), views told of each inserted run, or of one layout change when a page
is scattered over many places; a full sort only on a header click or a changed key.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractItemModel, QCoreApplication, QModelIndex, Qt, QTimer

from osdesk.models.merging import LAYOUT_SIG, runs
from osdesk.models.placement import insertion_points, placed_groups, shifted, spliced
from osdesk.models.row_cache import Row

__all__ = ["MAX_INSERT_RUNS", "RowPlacing"]

_VSORT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint
#: Most runs of new rows told to views one ``rowsInserted`` each; a page scattered over
#: more places than this is appended and then moved into place in one layout change
#: (every run costs a proxy and a view O(rows) work of their own).
MAX_INSERT_RUNS = 16
#: GUI-thread time per idle slice of making sort keys ahead of a header click, the rows
#: made between two looks at the clock, and the quiet after the last merge before it starts
WARM_SLICE_S = 0.006
WARM_ROWS = 16
WARM_AFTER_MS = 300


class RowPlacing:
    """The row placing half of :class:`ResourceTableModel` (a QAbstractItemModel): it
    uses ``_rows``, ``_by_key``, ``_index``/``_index_dirty``, ``_builder``, ``_context``,
    ``_sort_column`` and ``_sort_order`` of the model."""

    def _add(self, added: list[Row], resort: bool) -> None:
        """Insert new rows where they belong; with ``resort`` (a changed row's sort key
        changed) append them and sort everything once."""
        for row in added:
            self._by_key[row.key] = row
        if resort:
            self._insert_runs([(len(self._rows), added)])
            self._resort()
            return
        if not added:
            return
        sc = self._sort_column
        if sc >= 0 and self._rows:
            desc = self._descending()
            added = self._builder.sorted(added, sc, desc, self._context)  # makes the keys
            points = insertion_points(self._rows, added, sc, desc)
        else:
            if sc >= 0:
                added = self._builder.sorted(added, sc, self._descending(), self._context)
            points = [len(self._rows)] * len(added)
        groups = placed_groups(points, added)
        if len(groups) <= MAX_INSERT_RUNS:
            self._insert_runs(groups)
        else:
            self._insert_then_move(added, points)

    def _descending(self) -> bool:
        return self._sort_order == Qt.SortOrder.DescendingOrder

    def _insert_runs(self, groups: list[tuple[int, list[Row]]]) -> None:
        """Insert each ``(first row, rows)`` run, in order, one rowsInserted each."""
        for first, group in groups:
            if not group:
                continue
            rows = self._rows
            appended = first == len(rows)
            self.beginInsertRows(QModelIndex(), first, first + len(group) - 1)
            rows[first:first] = group
            if appended and not self._index_dirty:
                index = self._index
                for offset, row in enumerate(group):
                    index[row.key] = first + offset
            else:
                self._index_dirty = True
            self.endInsertRows()

    def _insert_then_move(self, added: list[Row], points: list[int]) -> None:
        """Append ``added`` in one insert, then move each row before the row at its point
        in one layout change (persistent indexes follow, in O(log) each)."""
        n = len(self._rows)
        self._insert_runs([(n, added)])
        self.layoutAboutToBeChanged[LAYOUT_SIG].emit([], _VSORT)
        old_persistent = self.persistentIndexList()
        new_persistent = []
        for p in old_persistent:
            r = p.row()
            new_row = shifted(points, r) if r < n else points[r - n] + (r - n)
            new_persistent.append(self.index(new_row, p.column()))
        self._rows = spliced(self._rows[:n], points, added)
        self._index_dirty = True
        if old_persistent:
            self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged[LAYOUT_SIG].emit([], _VSORT)

    def _emit_changed(self, positions: list[int]) -> None:
        """One dataChanged per run of adjacent changed rows."""
        if not positions:
            return
        positions.sort()
        last = len(self._columns) - 1
        for first_row, last_row in runs(positions):
            self.dataChanged.emit(self.index(first_row, 0), self.index(last_row, last))

    def _remove_positions(self, positions: list[int]) -> int:
        if not positions:
            return 0
        for first, last in reversed(runs(sorted(positions))):
            self.beginRemoveRows(QModelIndex(), first, last)
            for row in self._rows[first:last + 1]:
                del self._by_key[row.key]
            del self._rows[first:last + 1]
            self._index_dirty = True
            self.endRemoveRows()
        return len(positions)

    def _sorted_rows(self) -> list[Row]:
        return self._builder.sorted(self._rows, self._sort_column, self._descending(),
                                    self._context)

    def _resort(self) -> None:
        """Sort every row through a permutation, in one layout change; persistent
        indexes (selection, current index) follow their rows."""
        rows = self._rows
        if len(rows) < 2:
            return
        order = self._builder.order(rows, self._sort_column, self._descending(),
                                    self._context)
        if order == list(range(len(rows))):
            return
        self.layoutAboutToBeChanged[LAYOUT_SIG].emit([], _VSORT)
        old_persistent = self.persistentIndexList()
        if old_persistent:
            where = [0] * len(rows)
            for new_pos, old_pos in enumerate(order):
                where[old_pos] = new_pos
            new_persistent = [self.index(where[p.row()], p.column()) for p in old_persistent]
        self._rows = list(map(rows.__getitem__, order))
        self._index_dirty = True
        if old_persistent:
            self.changePersistentIndexList(old_persistent, new_persistent)
        self.layoutChanged[LAYOUT_SIG].emit([], _VSORT)

    # ------------------------------------------------------------------ sort keys
    def warm_sort_keys(self) -> None:
        """Make the sort keys not made yet (every column but the sort column's, see
        :class:`RowBuilder`) in slices of a few ms on the GUI thread's idle turns, so the
        first click on another header sorts on ready keys instead of making 10,000 of
        them at once (~100-250 ms). Warming starts WARM_AFTER_MS after the last merge:
        while pages still arrive it would only compete with them."""
        if QCoreApplication.instance() is None:
            return  # no event loop to do it on (a model used without an application)
        timer = getattr(self, "_warm_timer", None)
        if timer is None:
            timer = self._warm_timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(self._warm_slice)
        self._cold_from = 0  # the rows are looked at a slice at a time, from the first
        timer.setInterval(WARM_AFTER_MS)
        timer.start()

    def hold_warming(self) -> None:
        """A merge happened: warming waits WARM_AFTER_MS more, if it is under way."""
        timer = getattr(self, "_warm_timer", None)
        if timer is not None and timer.isActive():
            timer.setInterval(WARM_AFTER_MS)
            timer.start()

    def _warm_slice(self) -> None:
        rows, builder, ctx = self._rows, self._builder, self._context
        columns = range(len(self._columns))
        deadline = time.perf_counter() + WARM_SLICE_S
        at = self._cold_from
        # rows placed or removed between slices shift the others: a row skipped so is
        # made when a sort needs it, as without warming
        while at < len(rows) and time.perf_counter() < deadline:
            for row in rows[at:at + WARM_ROWS]:
                sort = row.sort
                if None in sort:
                    for c in columns:
                        if sort[c] is None:
                            builder.sort_key(row, c, ctx)
            at += WARM_ROWS
        self._cold_from = at
        if at < len(rows):
            self._warm_timer.setInterval(0)
            self._warm_timer.start()
