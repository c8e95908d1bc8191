"""A proxy that shows some rows of a flat source, in the source's order, mapped through a
Python list: a filter change tests every row in one Python loop and tells views of one
layout change, and only what a view reads costs a call.

WORKAROUND: ``QSortFilterProxyModel`` over 10,000 rows called Python once or more per
row on every filter change (a Python ``filterAcceptsRow``, or Qt's own through the
source's ``index()``/``data()``: ~40 ms a keystroke measured), again on every sort of
the source (it maps every row anew after a layout change), and three times per role a
painted cell reads (``rowCount``/``columnCount`` of ``hasIndex``, then ``data``).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from PySide6.QtCore import (QAbstractItemModel, QAbstractProxyModel, QModelIndex, QObject,
                            QPersistentModelIndex, Qt)

from osdesk.models.merging import LAYOUT_SIG, item_flags, runs

__all__ = ["RowFilterProxy"]

_VSORT = QAbstractItemModel.LayoutChangeHint.VerticalSortHint


class RowFilterProxy(QAbstractProxyModel):
    """Shows the source rows a subclass accepts, in source order; columns as the source.

    A subclass gives ``_matching(candidates)`` (the accepted source rows among
    ``candidates``, or among every row for None, ascending; None when every row is
    shown) and ``_accepts(source_row)``; it calls ``_refilter(candidates)`` when what it
    accepts changed. ``_rows`` is None while every source row is shown (no list to keep
    up to date, and a source sort costs no call per row), else the shown source rows.
    """

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[int] | None = None
        self._count = 0      # source rows while ``_rows`` is None
        self._columns = 0
        self._removing: tuple[int, int] | None = None
        self._inserting = False
        self._saved: tuple[list, list] | None = None
        self._data_at = None

    # ------------------------------------------------------------------ what a subclass gives
    def _matching(self, candidates: list[int] | None) -> list[int] | None:
        return None

    def _accepts(self, source_row: int) -> bool:
        return True

    # ------------------------------------------------------------------ the source
    def setSourceModel(self, source) -> None:  # noqa: N802 - Qt API
        old = self.sourceModel()
        if source is old:
            return
        self.beginResetModel()
        if old is not None:
            for signal, slot in self._wiring(old):
                signal.disconnect(slot)
        super().setSourceModel(source)
        if source is not None:
            for signal, slot in self._wiring(source):
                signal.connect(slot)
        self._data_at = getattr(source, "data_at", None)
        self._remap()
        self.endResetModel()

    def _wiring(self, source):
        return [(source.rowsAboutToBeInserted, self._on_rows_about_to_be_inserted),
                (source.rowsInserted, self._on_rows_inserted),
                (source.rowsAboutToBeRemoved, self._on_rows_about_to_be_removed),
                (source.rowsRemoved, self._on_rows_removed),
                (source.rowsAboutToBeMoved, self._on_layout_about_to_change),
                (source.rowsMoved, self._on_layout_changed),
                (source.layoutAboutToBeChanged, self._on_layout_about_to_change),
                (source.layoutChanged, self._on_layout_changed),
                (source.dataChanged, self._on_data_changed),
                (source.headerDataChanged, self.headerDataChanged),
                (source.modelAboutToBeReset, self.beginResetModel),
                (source.modelReset, self._on_reset),
                (source.columnsAboutToBeInserted, self.beginResetModel),
                (source.columnsInserted, self._on_reset),
                (source.columnsAboutToBeRemoved, self.beginResetModel),
                (source.columnsRemoved, self._on_reset),
                (source.columnsAboutToBeMoved, self.beginResetModel),
                (source.columnsMoved, self._on_reset),
                (source.destroyed, self._on_source_destroyed)]

    def _remap(self) -> None:
        """Every row's place anew (no signal: the caller tells the views)."""
        source = self.sourceModel()
        self._count = source.rowCount() if source is not None else 0
        self._columns = source.columnCount() if source is not None else 0
        self._rows = self._matching(None) if source is not None else None

    def _on_reset(self, *_args) -> None:
        self._remap()
        self.endResetModel()

    def _on_source_destroyed(self, *_args) -> None:
        """No rows left to show (nothing of the source may be read any more)."""
        self.beginResetModel()
        self._data_at = None
        self._rows, self._count, self._columns = None, 0, 0
        self.endResetModel()

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        if parent.isValid():
            return 0
        return self._count if self._rows is None else len(self._rows)

    def columnCount(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return 0 if parent.isValid() else self._columns

    def index(self, row, column, parent=QModelIndex()):
        if parent.isValid() or not (0 <= row < self.rowCount() and 0 <= column < self._columns):
            return QModelIndex()
        return self.createIndex(row, column)

    def parent(self, index=None):
        if index is None:  # QObject.parent()
            return QObject.parent(self)
        return QModelIndex()

    def sibling(self, row, column, index):
        return self.index(row, column)

    def hasChildren(self, parent=QModelIndex()):  # noqa: N802 - Qt API
        return not parent.isValid() and self.rowCount() > 0

    def flags(self, index):
        return item_flags(index)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = index.row()
        if self._rows is not None:
            row = self._rows[row]
        if self._data_at is not None:
            return self._data_at(row, index.column(), role)
        return self.sourceModel().index(row, index.column()).data(role)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):  # noqa: N802
        source = self.sourceModel()
        if source is None:
            return None
        if orientation == Qt.Orientation.Vertical and self._rows is not None:
            if not 0 <= section < len(self._rows):
                return None
            section = self._rows[section]
        return source.headerData(section, orientation, role)

    def mapToSource(self, index):  # noqa: N802 - Qt API
        source = self.sourceModel()
        if source is None or not index.isValid():
            return QModelIndex()
        row = index.row() if self._rows is None else self._rows[index.row()]
        return source.index(row, index.column())

    def mapFromSource(self, index):  # noqa: N802 - Qt API
        if not index.isValid():
            return QModelIndex()
        return self.index(self._proxy_row(index.row()), index.column())

    def _proxy_row(self, source_row: int) -> int:
        """The proxy row showing ``source_row``; -1 when it is not shown."""
        rows = self._rows
        if rows is None:
            return source_row if 0 <= source_row < self._count else -1
        at = bisect_left(rows, source_row)
        return at if at < len(rows) and rows[at] == source_row else -1

    # ------------------------------------------------------------------ filter changes
    def _refilter(self, candidates: list[int] | None = None) -> None:
        """Show what ``_matching(candidates)`` accepts now, in one layout change; nothing
        is told when the same rows stay (a narrowing keystroke that hid none)."""
        if self.sourceModel() is None:
            return
        new = self._matching(candidates)
        old = self._rows
        if (new is None or len(new) == self._count) and old is None:
            self._rows = new
            return
        if new == old or (new is None and len(old) == self._count):
            self._rows = new
            return
        self.layoutAboutToBeChanged[LAYOUT_SIG].emit([], _VSORT)
        persistent = self.persistentIndexList()
        shown = [(self._source_row(p.row()), p.column()) for p in persistent]
        self._rows = new
        if persistent:
            moved = [self.index(self._proxy_row(row), column) for row, column in shown]
            self.changePersistentIndexList(persistent, moved)
        self.layoutChanged[LAYOUT_SIG].emit([], _VSORT)

    def _source_row(self, proxy_row: int) -> int:
        return proxy_row if self._rows is None else self._rows[proxy_row]

    # ------------------------------------------------------------------ source changes
    def _on_rows_about_to_be_inserted(self, parent, first: int, last: int) -> None:
        # every row shown: told as the source tells it (a view reading the rows in
        # between sees them as they were); else told once the new rows can be tested
        self._inserting = self._rows is None and not parent.isValid()
        if self._inserting:
            self.beginInsertRows(QModelIndex(), first, last)

    def _on_rows_inserted(self, parent, first: int, last: int) -> None:
        if parent.isValid():
            return
        count = last - first + 1
        self._count += count
        if self._inserting:
            self._inserting = False
            self.endInsertRows()
            return
        rows = self._rows
        if rows is None:  # (a source that did not say it was about to insert)
            self._count -= count
            self.beginInsertRows(QModelIndex(), first, last)
            self._count += count
            self.endInsertRows()
            return
        at = bisect_left(rows, first)
        rows[at:] = [row + count for row in rows[at:]]  # the rows after move down
        new = [row for row in range(first, last + 1) if self._accepts(row)]
        if new:
            self.beginInsertRows(QModelIndex(), at, at + len(new) - 1)
            rows[at:at] = new
            self.endInsertRows()

    def _on_rows_about_to_be_removed(self, parent, first: int, last: int) -> None:
        if parent.isValid():
            return
        if self._rows is None:
            at, end = first, last + 1
        else:
            at, end = bisect_left(self._rows, first), bisect_right(self._rows, last)
        self._removing = (at, end)
        if at < end:
            self.beginRemoveRows(QModelIndex(), at, end - 1)

    def _on_rows_removed(self, parent, first: int, last: int) -> None:
        if parent.isValid() or self._removing is None:
            return
        (at, end), self._removing = self._removing, None
        count = last - first + 1
        self._count -= count
        if self._rows is not None:
            del self._rows[at:end]
            self._rows[at:] = [row - count for row in self._rows[at:]]
        if at < end:
            self.endRemoveRows()

    def _on_layout_about_to_change(self, *_args) -> None:
        self.layoutAboutToBeChanged[LAYOUT_SIG].emit([], _VSORT)
        persistent = self.persistentIndexList()
        self._saved = (persistent, [QPersistentModelIndex(self.mapToSource(p))
                                    for p in persistent])

    def _on_layout_changed(self, *_args) -> None:
        persistent, sources = self._saved or ([], [])
        self._saved = None
        self._remap()
        if persistent:
            self.changePersistentIndexList(persistent, [
                self.index(self._proxy_row(s.row()), s.column()) if s.isValid() else QModelIndex()
                for s in sources])
        self.layoutChanged[LAYOUT_SIG].emit([], _VSORT)

    def _on_data_changed(self, top_left, bottom_right, roles=()) -> None:
        if not top_left.isValid() or top_left.parent().isValid():
            return
        first, last = top_left.row(), bottom_right.row()
        left, right = top_left.column(), bottom_right.column()
        rows = self._rows
        if rows is not None:
            at, end = bisect_left(rows, first), bisect_right(rows, last)
            shown = {row: at + offset for offset, row in enumerate(rows[at:end])}
            gone, come = [], []
            for row in range(first, last + 1):
                accepted = self._accepts(row)
                if accepted and row not in shown:
                    come.append(row)
                elif not accepted and row in shown:
                    gone.append(shown[row])
            for start, stop in reversed(runs(gone)):
                self.beginRemoveRows(QModelIndex(), start, stop)
                del rows[start:stop + 1]
                self.endRemoveRows()
            for row in come:
                place = bisect_left(rows, row)
                self.beginInsertRows(QModelIndex(), place, place)
                rows.insert(place, row)
                self.endInsertRows()
            at, end = bisect_left(rows, first), bisect_right(rows, last)
            if at >= end:
                return
            first, last = at, end - 1
        self.dataChanged.emit(self.index(first, left), self.index(last, right), roles)
