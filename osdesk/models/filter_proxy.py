"""The filter box of a resource page: filters on precomputed text, sorts in the source."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QRegularExpression, Qt

from osdesk.models.resource_model import ResourceTableModel
from osdesk.models.terms_proxy import TermsFilterProxy, filter_terms, key_less
from osdesk.rules.formats import sort_wrap

__all__ = ["ResourceFilterProxy", "filter_terms", "terms_pattern"]

_OPTIONS = (QRegularExpression.PatternOption.CaseInsensitiveOption
            | QRegularExpression.PatternOption.DotMatchesEverythingOption)


def terms_pattern(terms: tuple[str, ...]) -> QRegularExpression:
    """A pattern that matches a text holding every one of ``terms`` (case-insensitive
    substrings, in any order); an empty pattern (every row) for no terms."""
    if not terms:
        return QRegularExpression()
    if len(terms) == 1:
        return QRegularExpression(QRegularExpression.escape(terms[0]), _OPTIONS)
    # anchored, so a text that fails is scanned once per term, not once per start offset
    ahead = "".join(f"(?=.*?{QRegularExpression.escape(t)})" for t in terms)
    return QRegularExpression(r"\A" + ahead, _OPTIONS)


class ResourceFilterProxy(TermsFilterProxy):
    """Filters a :class:`ResourceTableModel`; sorting is forwarded to the source.

    Every whitespace-separated term of the filter text must occur (case-insensitive
    substring) in the row's FilterRole text, which covers every column, hidden ones
    included (a server is found by any of its IP addresses).

    WORKAROUND: ``QSortFilterProxyModel.sort`` over 10,000 rows calls Python
    ``data()``/``lessThan`` per comparison (3.1 s measured); the source sorts the same
    rows on precomputed keys in ~20 ms and keeps the order through merges. So
    ``sort()`` here forwards to the source, and the proxy's own sort column stays -1
    (the proxy keeps the source order). Dynamic filtering stays on so a row whose
    data changes is re-filtered; with the proxy's sort column at -1 it never sorts.
    """

    def __init__(self, parent=None):
        super().__init__(ResourceTableModel.FilterRole, ResourceTableModel.SortRole, parent)
        self._text = ""

    # ------------------------------------------------------------------ filter
    def filter_text(self) -> str:
        return self._text

    def set_filter_text(self, text: str) -> None:
        """Show only rows containing every term of ``text``; "" shows everything."""
        self._text = text or ""
        terms = filter_terms(text)
        if terms != self._terms:
            self._terms = terms
            self.setFilterRegularExpression(terms_pattern(terms))

    # NOTE: no Python ``filterAcceptsRow``: Qt's own one matches the pattern against
    # FilterRole in C++, and with no terms accepts a row without calling Python at all.
    # A Python override was called for every row whenever the source's layout changed
    # (a sort, a page moved into place): 2.6 M calls over a 50,000-server load.

    # ------------------------------------------------------------------ sort
    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort the source (fast, on precomputed keys); the proxy follows its order."""
        source = self.sourceModel()
        if source is not None:  # the proxy filters no columns: column numbers are shared
            source.sort(column, order)

    def sort_column(self) -> int:
        """The column the source is sorted by (the proxy's own ``sortColumn()`` is -1)."""
        source = self.sourceModel()
        return source.sort_column() if hasattr(source, "sort_column") else -1

    def sort_order(self) -> Qt.SortOrder:
        source = self.sourceModel()
        return source.sort_order() if hasattr(source, "sort_order") else Qt.SortOrder.AscendingOrder

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        """Only used if someone sorts the proxy itself: compare the precomputed keys."""
        source = self.sourceModel()
        if hasattr(source, "sort_key_at") and left.column() == right.column():
            a = source.sort_key_at(left.row(), left.column())
            b = source.sort_key_at(right.row(), right.column())
        else:
            a = sort_wrap(left.data(self.sortRole()))
            b = sort_wrap(right.data(self.sortRole()))
        return key_less(a, b)

    # ------------------------------------------------------------------ helpers
    def source_key(self, proxy_row: int):
        """The row key (server id, keypair name) of a proxy row."""
        return self.index(proxy_row, 0).data(ResourceTableModel.IdRole)

    def proxy_row_for_key(self, key) -> int:
        """The proxy row showing ``key``; -1 when filtered out or absent."""
        source = self.sourceModel()
        index = source.index_for_key(key) if source is not None else QModelIndex()
        return self.mapFromSource(index).row() if index.isValid() else -1
