"""The filter texts of :class:`ResourceTableModel` rows, made ahead of the filter box on
the GUI thread's idle turns, once rows stop arriving.

Rows arrive with their keys only (see ``row_cache.RowBuilder``); the filter box matches
every column's text of every row, so the first key typed would otherwise make 10,000
rows' texts at once (~100 ms).
"""

from __future__ import annotations

import time

from PySide6.QtCore import QCoreApplication, QTimer

__all__ = ["FilterTextWarming", "WARM_TEXTS_AFTER_MS", "WARM_TEXTS_SLICE_S"]

#: Quiet time after the last merge before the texts are made: pages of a list arrive
#: closer together than this, and the threads fetching and building them need the GIL
#: meanwhile. While a paged refresh has not ended (``finish_refresh``), ten times that.
WARM_TEXTS_AFTER_MS = 100
#: GUI-thread time per idle slice of making filter texts
WARM_TEXTS_SLICE_S = 0.008


class FilterTextWarming:
    """The filter text warming half of :class:`ResourceTableModel` (a QObject): it uses
    ``_rows``, ``_builder``, ``_context`` and ``_seen`` of the model."""

    _texts_timer: QTimer | None = None
    #: rows whose filter text may not be made yet; None: to be collected again
    _cold_texts: list | None = None

    def warm_filter_texts(self) -> None:
        """Make the filter texts not made yet, in slices on idle turns, starting
        :data:`WARM_TEXTS_AFTER_MS` after the last call (every merge calls it)."""
        if QCoreApplication.instance() is None:
            return  # no event loop to do it on (a model used without an application)
        timer = self._texts_timer
        if timer is None:
            timer = self._texts_timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(self._warm_texts_slice)
        self._cold_texts = None
        timer.start(WARM_TEXTS_AFTER_MS * (1 if self._seen is None else 10))

    def _warm_texts_slice(self) -> None:
        cold = self._cold_texts
        if cold is None:
            cold = self._cold_texts = [row for row in self._rows if row.filter is None]
        filter_text, ctx = self._builder.filter_text, self._context
        deadline = time.perf_counter() + WARM_TEXTS_SLICE_S
        while cold and time.perf_counter() < deadline:
            for row in cold[-50:]:
                filter_text(row, ctx)
            del cold[-50:]
        if cold:
            self._texts_timer.start(0)
