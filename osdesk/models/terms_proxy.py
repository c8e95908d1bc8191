"""The filter-box proxy the resource pages and the console share: every term must occur."""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel

__all__ = ["TermsFilterProxy", "filter_terms", "key_less"]


def filter_terms(text: str) -> tuple[str, ...]:
    """The lower-cased, whitespace-separated terms of a filter string."""
    return tuple(term for term in (text or "").lower().split() if term)


def key_less(a, b) -> bool:
    """``a < b`` for precomputed sort keys; keys of different shapes never crash a sort."""
    try:
        return a < b
    except TypeError:
        return repr(a) < repr(b)


class TermsFilterProxy(QSortFilterProxyModel):
    """Keeps the rows whose lower-cased filter text holds every term of the filter box.

    ``filter_role`` and ``sort_role`` are the source's roles of that text and of the
    native sort value.
    """

    def __init__(self, filter_role: int, sort_role: int, parent=None):
        super().__init__(parent)
        self._terms: tuple[str, ...] = ()
        self.setFilterRole(filter_role)
        self.setSortRole(sort_role)

    def _set_terms(self, text: str) -> None:
        """Filter on the terms of ``text``; the rows are filtered again only when they change."""
        terms = filter_terms(text)
        if terms != self._terms:
            self._refilter("_terms", terms)

    def _refilter(self, attribute: str, value) -> None:
        """Set one of the filter's attributes and filter the rows again."""
        # NOTE: begin/endFilterChange replace invalidateFilter(), deprecated in Qt 6.10
        self.beginFilterChange()
        setattr(self, attribute, value)
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _holds_terms(self, text: str) -> bool:
        """Whether ``text`` (already lower-cased) holds every term."""
        return all(term in text for term in self._terms)
