"""The generic resource table: raw API dicts in, cells made when asked for, merged by key,
sorted here."""

from __future__ import annotations

import itertools
from collections.abc import Hashable, Iterable, Mapping, Sequence
from typing import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal

from osdesk.models.colors import color_for
from osdesk.kinds.columns import ALIGN_CENTER, ALIGN_RIGHT, Column
from osdesk.models.merging import item_flags
from osdesk.models.row_placing import RowPlacing
from osdesk.models.row_cache import MergeSummary, PreparedPage, Row, RowBuilder, keyed
from osdesk.models.text_warming import FilterTextWarming
from osdesk.rules.formats import EMPTY_CONTEXT, LookupContext, native_of

__all__ = ["MergeSummary", "PreparedPage", "ResourceTableModel"]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_INITIAL_SORT = int(Qt.ItemDataRole.InitialSortOrderRole)
_USER = int(Qt.ItemDataRole.UserRole)

_ALIGNMENTS = {
    ALIGN_RIGHT: Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
    ALIGN_CENTER: Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
}
_ALIGN_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
#: Roles a view asks for each cell it paints (QStyledItemDelegate) that rows have none of
_UNUSED_ROLES = frozenset(int(r) for r in (
    Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.FontRole, Qt.ItemDataRole.BackgroundRole,
    Qt.ItemDataRole.CheckStateRole))


class ResourceTableModel(RowPlacing, FilterTextWarming, QAbstractTableModel):
    """Rows of one resource type (servers, images, …), described by :class:`Column` specs.

    Refreshes merge by key (``merge``, or ``merge_page`` + ``finish_refresh`` for a
    paged list) so selection, current index and scroll position survive; only
    ``reset`` resets. Sorting happens here, on precomputed keys (``sort``), and the
    current sort order is kept through every merge; a proxy on top only filters.

    Signals:
        rowsMerged(added, changed, removed): after every merge, upsert or removal,
            even when nothing changed (a view may stamp "updated at" on it).
    """

    #: the native sort value (int, datetime, IP tuple, str; None when missing)
    SortRole = Qt.ItemDataRole.UserRole
    #: the row key (``id``; ``name`` for keypairs)
    IdRole = Qt.ItemDataRole.UserRole + 1
    #: the raw API dict of the row
    RawRole = Qt.ItemDataRole.UserRole + 2
    #: lower-cased text of every column (hidden ones too), for the filter box
    FilterRole = Qt.ItemDataRole.UserRole + 3
    #: the colour role name of the cell: "ok", "busy", "warn", "error" or None
    StatusRole = Qt.ItemDataRole.UserRole + 4

    rowsMerged = Signal(int, int, int)

    def __init__(self, columns: Sequence[Column], key: str | Callable[[Mapping], Hashable] = "id",
                 context: LookupContext | None = None, parent=None):
        super().__init__(parent)
        self._columns: tuple[Column, ...] = tuple(columns)
        if isinstance(key, str):
            field = key
            self._key_of: Callable[[Mapping], Hashable] = lambda row: row.get(field)
        else:
            self._key_of = key
        self._context = context or EMPTY_CONTEXT
        self._rows: list[Row] = []
        self._index: dict[Hashable, int] = {}
        #: every row by key, kept current through every change (``_index``, the
        #: positions, is rebuilt lazily after rows moved)
        self._by_key: dict[Hashable, Row] = {}
        self._index_dirty = False
        self._seq = itertools.count()
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._seen: set | None = None
        self._builder = RowBuilder(self._columns)
        self._align = tuple(_ALIGNMENTS.get(c.align, _ALIGN_LEFT) for c in self._columns)

    @classmethod
    def for_resource(cls, resource: str, context: LookupContext | None = None, parent=None):
        """A model with the stock columns and row key of ``resource`` ("servers", …)."""
        from osdesk.kinds.registry import columns_for, row_key_for
        return cls(columns_for(resource), key=row_key_for(resource), context=context,
                   parent=parent)

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._columns)

    def flags(self, index):
        return item_flags(index)

    def data(self, index, role=_DISPLAY):
        if role in _UNUSED_ROLES:  # asked for every painted cell: answered first
            return None
        if not index.isValid():
            return None
        return self.data_at(index.row(), index.column(), role)

    def data_at(self, row: int, column: int, role: int = _DISPLAY):
        """``data()`` of a cell by its row and column (a filter proxy reads it so, without
        making a source index per cell)."""
        row = self._rows[row]
        if role == _DISPLAY:
            cells = row.cells  # made when first asked for (see RowBuilder)
            if cells is not None:
                text = cells[column]
                if text is not None:
                    return text
            return self._builder.display(row, column, self._context)
        if role == _FOREGROUND:
            return color_for(self._builder.color(row, column, self._context))
        if role == _ALIGN:
            return self._align[column]
        if role == _USER:
            return native_of(self._key(row, column))
        if role == _USER + 1:
            return row.key
        if role == _USER + 2:
            return row.raw
        if role == _USER + 3:
            text = row.filter
            return text if text is not None else self._builder.filter_text(row, self._context)
        if role == _USER + 4:
            return self._builder.color(row, column, self._context)
        if role == _TOOLTIP:
            # NOTE: computed on hover (one cell at a time), not cached: tooltips carry
            # ages ("3 min ago") that must be current when shown.
            col = self._columns[column]
            tip = col.tooltip(row.raw, self._context)
            if tip is None:
                text = self._builder.display(row, column, self._context)
                return text if len(text) > col.width_hint else None
            return tip
        return None

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self._columns):
            return super().headerData(section, orientation, role)
        col = self._columns[section]
        if role == _DISPLAY:
            return col.title
        if role == _TOOLTIP:
            return col.description or col.title
        if role == _ALIGN:
            return self._align[section]
        if role == _INITIAL_SORT:
            return (Qt.SortOrder.DescendingOrder if col.descending_first
                    else Qt.SortOrder.AscendingOrder)
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder):
        """Sort in place on the precomputed keys; -1 restores arrival order.

        Persistent indexes (the selection, the current index) follow their rows.
        """
        column = column if 0 <= column < len(self._columns) else -1
        order = Qt.SortOrder(order)
        if (column, order) == (self._sort_column, self._sort_order):
            return  # sorted so already: every merge keeps the order (a view asks twice)
        self._sort_column, self._sort_order = column, order
        self._resort()

    # ------------------------------------------------------------------ accessors
    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    @property
    def context(self) -> LookupContext:
        return self._context

    def column_index(self, key: str) -> int:
        """The position of the column with ``Column.key == key``; -1 if none."""
        for i, col in enumerate(self._columns):
            if col.key == key:
                return i
        return -1

    def sort_column(self) -> int:
        return self._sort_column

    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def keys(self) -> list:
        """Row keys in row order."""
        return [row.key for row in self._rows]

    def raws_where(self, predicate: Callable[[Mapping], bool]) -> dict:
        """``{key: raw dict}`` of the rows whose dict ``predicate`` accepts (one pass
        over the rows, no method call per row besides ``predicate``)."""
        return {row.key: row.raw for row in self._rows if predicate(row.raw)}

    def row_for_key(self, key) -> int:
        """The row of ``key``, or -1."""
        return self._key_index().get(key, -1)

    def index_for_key(self, key, column: int = 0) -> QModelIndex:
        row = self.row_for_key(key)
        return self.index(row, column) if row >= 0 else QModelIndex()

    def raw(self, key) -> dict | None:
        """The raw API dict of ``key`` (do not mutate it: merges compare against it)."""
        row = self._by_key.get(key)
        return row.raw if row is not None else None

    def key_at(self, row: int):
        return self._rows[row].key

    def raw_at(self, row: int) -> dict:
        return self._rows[row].raw

    def filter_text_at(self, row: int) -> str:
        """The FilterRole text of a source row, read without going through ``data()``."""
        return self._builder.filter_text(self._rows[row], self._context)

    def filter_texts(self) -> list[str]:
        """The FilterRole text of every row, in row order (a filter tests them in one loop);
        texts not made yet (see ``text_warming``) are made now."""
        builder, ctx = self._builder, self._context
        return [row.filter if row.filter is not None else builder.filter_text(row, ctx)
                for row in self._rows]

    def sort_key_at(self, row: int, column: int) -> tuple:
        """The wrapped, always-comparable sort key of a cell (see ``columns.sort_wrap``)."""
        return self._key(self._rows[row], column)

    def display_at(self, row: int, column: int) -> str:
        return self._builder.display(self._rows[row], column, self._context)

    # ------------------------------------------------------------------ merging
    def merge(self, rows: Iterable[Mapping]) -> MergeSummary:
        """Make the model hold exactly ``rows``: update, remove and append in place.

        A row is changed when its dict differs (``==``) from the one held: pass new
        dicts, as the API layer does; a held dict mutated in place compares equal to
        itself and is not seen as a change. New rows are appended in one insert
        and then moved to their sorted place (one layout change) if the model is
        sorted.
        """
        fresh = self._keyed(rows)
        gone = [i for i, row in enumerate(self._rows) if row.key not in fresh]
        removed = self._remove_positions(gone)
        added, changed = self._upsert_keyed(fresh)
        return self._merged(MergeSummary(added, changed, removed))

    def begin_refresh(self) -> None:
        """Start collecting the keys of ``merge_page`` calls for ``finish_refresh()``.

        Optional: the first ``merge_page`` after a ``finish_refresh`` starts a new
        collection too. Call it when a refresh may bring no page at all.
        """
        self._seen = set()

    def prepare(self, rows: Iterable[Mapping]) -> PreparedPage:
        """Build a page's rows now (keys, the sort column's keys, unchanged rows found),
        on the calling (worker) thread, so that :meth:`merge_page` on the GUI thread
        only has to place them.

        Safe to call from another thread: it reads the model (lookups, sort column, the
        rows held) without changing it, and whatever it read that has changed by the
        time of the merge is noticed there and done again.
        """
        return self._builder.prepare(self._keyed(rows), self._by_key, self._context,
                                     self._sort_column)

    def merge_page(self, rows: Iterable[Mapping] | PreparedPage) -> MergeSummary:
        """Add or update the rows of one page; remove nothing (see ``finish_refresh``)."""
        if isinstance(rows, PreparedPage):
            return self._merge_prepared(rows)
        fresh = self._keyed(rows)
        if self._seen is None:
            self._seen = set()
        self._seen.update(fresh)
        added, changed = self._upsert_keyed(fresh)
        return self._merged(MergeSummary(added, changed, 0))

    def _merge_prepared(self, page: PreparedPage) -> MergeSummary:
        """:meth:`merge_page` of rows built by :meth:`prepare`: the same result as
        merging the raw rows, with the building done already where it still holds."""
        sc = self._sort_column
        usable = (page.sort_column == sc and page.columns is self._columns
                  and (page.context is self._context or sc < 0
                       or not self._columns[sc].uses_context))
        if self._seen is None:
            self._seen = set()
        by_key = self._by_key
        replaced: list[tuple[Row, Row]] = []
        added: list[Row] = []
        for key, raw, built, held in page.entries:
            self._seen.add(key)
            old = by_key.get(key)
            if old is None:
                row = built if usable and built is not None else self._build(key, raw, -1)
                row.seq = next(self._seq)
                added.append(row)
                continue
            if old is held or old.raw is raw or old.raw == raw:
                # unchanged (``held``: compared on the worker, still the same row); the
                # newest dict is kept, the one the API layer's page memo holds too: one
                # copy of the rows, not the snapshot's or an older page's beside it
                old.raw = raw
                continue
            new = built if usable and built is not None else self._build(key, raw, old.seq)
            new.seq = old.seq
            replaced.append((old, new))
        resort = self._replace(replaced)
        self._add(added, resort)
        return self._merged(MergeSummary(len(added), len(replaced), 0))

    def finish_refresh(self, seen_keys: Iterable | None = None) -> MergeSummary:
        """Remove every row whose key was not seen during the refresh.

        ``seen_keys`` defaults to the keys of the ``merge_page`` calls since
        ``begin_refresh()`` (or since the last ``finish_refresh``); with none, every
        row goes (the list came back empty).
        """
        if seen_keys is None:
            seen = self._seen if self._seen is not None else set()
        else:
            seen = seen_keys if isinstance(seen_keys, (set, frozenset, dict)) else set(seen_keys)
        self._seen = None
        gone = [i for i, row in enumerate(self._rows) if row.key not in seen]
        removed = self._remove_positions(gone)
        self.warm_sort_keys()
        return self._merged(MergeSummary(0, 0, removed))

    def remove_keys(self, keys: Iterable) -> MergeSummary:
        """Remove the rows of ``keys``; keys not held are ignored.

        What a refresh of part of the rows uses instead of :meth:`finish_refresh` (the
        inventory lists one cloud at a time): its cost grows with ``keys``, not with
        every row the model holds.
        """
        by_key = self._by_key
        held = [key for key in keys if key in by_key]
        removed = 0
        if held:
            index = self._key_index()
            removed = self._remove_positions([index[key] for key in held])
        self.warm_sort_keys()
        return self._merged(MergeSummary(0, 0, removed))

    def upsert(self, row: Mapping) -> MergeSummary:
        """Add or update one row (a server being followed) without touching the others."""
        fresh = self._keyed([row])
        added, changed = self._upsert_keyed(fresh)
        return self._merged(MergeSummary(added, changed, 0))

    def remove_key(self, key) -> bool:
        """Remove the row of ``key``; False when there is none."""
        row = self.row_for_key(key)
        if row < 0:
            return False
        self._remove_positions([row])
        self._merged(MergeSummary(0, 0, 1))
        return True

    def reset(self, rows: Iterable[Mapping]) -> None:
        """Replace everything (the cloud or project changed). The only model reset."""
        fresh = self._keyed(rows)
        self.beginResetModel()
        self._seen = None
        self._rows = [self._build(key, raw, next(self._seq)) for key, raw in fresh.items()]
        if self._sort_column >= 0:
            self._rows = self._sorted_rows()
        self._by_key = {row.key: row for row in self._rows}
        self._rebuild_index()
        self.endResetModel()
        if self._rows:
            self.warm_filter_texts()

    def clear(self) -> None:
        self.reset([])

    # ------------------------------------------------------------------ context
    def set_context(self, context: LookupContext | None) -> None:
        """Use new lookups (flavor/image/network names) and refresh the cells that use them."""
        context = context or EMPTY_CONTEXT
        if context is self._context:
            return
        old, self._context = self._context, context
        cols = [i for i, c in enumerate(self._columns) if c.uses_context]
        if not cols or not self._rows:
            return
        first = last = -1
        relooked, sc = self._builder.relooked, self._sort_column
        for r, row in enumerate(self._rows):
            if relooked(row, cols, old, context, sc):
                if first < 0:
                    first = r
                last = r
        if first < 0:
            return
        self.dataChanged.emit(self.index(first, min(cols)), self.index(last, max(cols)))
        if self._sort_column in cols:
            self._resort()
        self.warm_filter_texts()

    def update_context(self, **lookups) -> None:
        """``set_context`` with some lookups replaced, e.g. ``update_context(flavor_names=…)``."""
        self.set_context(self._context.replace(**lookups))

    # ------------------------------------------------------------------ internals
    def _keyed(self, rows: Iterable[Mapping]) -> dict:
        """``{key: row}`` in input order; rows without a usable key are skipped (last wins)."""
        return keyed(rows, self._key_of)

    def _build(self, key, raw: Mapping, seq: int) -> Row:
        """A row with the sort column's key made (see :class:`RowBuilder`)."""
        return self._builder.build(key, raw, seq, self._context, self._sort_column)

    def _key(self, row: Row, column: int) -> tuple:
        return self._builder.sort_key(row, column, self._context)

    def _key_index(self) -> dict:
        if self._index_dirty:
            self._rebuild_index()
        return self._index

    def _rebuild_index(self) -> None:
        self._index = {row.key: i for i, row in enumerate(self._rows)}
        self._index_dirty = False

    def _update_existing(self, fresh: dict) -> tuple[int, bool]:
        """Replace rows whose dict changed; pop every known key from ``fresh``.

        Returns (changed rows, whether the current sort order may be broken).
        """
        by_key = self._by_key
        replaced: list[tuple[Row, Row]] = []
        for key in [k for k in fresh if k in by_key]:
            raw = fresh.pop(key)
            old = by_key[key]
            if raw is old.raw or raw == old.raw:
                old.raw = raw  # the same content: the newest dict (see _merge_prepared)
                continue
            replaced.append((old, self._build(key, raw, old.seq)))
        return len(replaced), self._replace(replaced)

    def _replace(self, replaced: list[tuple[Row, Row]]) -> bool:
        """Put each ``(old, new)`` row in the place of the old one, one dataChanged per
        run; returns whether a sort key changed (the order may be broken)."""
        if not replaced:
            return False
        index = self._key_index()
        rows, by_key, sc = self._rows, self._by_key, self._sort_column
        changed: list[int] = []
        resort = False
        for old, new in replaced:
            pos = index[old.key]
            rows[pos] = by_key[new.key] = new
            changed.append(pos)
            if sc >= 0 and self._key(new, sc) != self._key(old, sc):
                resort = True
        self._emit_changed(changed)
        return resort

    def _upsert_keyed(self, fresh: dict) -> tuple[int, int]:
        """Update the known keys of ``fresh``, add the others, keep the sort order.

        Returns (added rows, changed rows).
        """
        changed, resort = self._update_existing(fresh)
        added = [self._build(key, raw, next(self._seq)) for key, raw in fresh.items()]
        self._add(added, resort)
        return len(added), changed

    def _merged(self, summary: MergeSummary) -> MergeSummary:
        self.hold_warming()
        self.warm_filter_texts()
        self.rowsMerged.emit(summary.added, summary.changed, summary.removed)
        return summary

