"""Default column widths that fit the table: each column's hinted width, narrowed in
proportion (down to its title's width; the text elides, the tooltip has it all) when the
visible columns would not fit, so that a page opens without scrolling sideways. Once the
user drags a column's edge, their widths stand."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTableView


def default_widths(table: QTableView, columns,
                   name_column: int = 0) -> tuple[dict[int, int], dict[int, int]]:
    """(hinted, least) widths in pixels of ``columns`` (``Column`` specs) in ``table``:
    the hinted number of characters, and how far fitting may narrow each (short values,
    a status or a time, are kept whole; ``name_column``, which says which row it is,
    the least narrowed)."""
    metrics = table.fontMetrics()
    header_metrics = table.horizontalHeader().fontMetrics()
    char = metrics.horizontalAdvance("x0") / 2
    hinted, least = {}, {}
    for col, spec in enumerate(columns):
        # room for the title and the sort arrow, or the hinted number of characters
        least[col] = header_metrics.horizontalAdvance(spec.title) + 34
        hinted[col] = max(least[col], int(char * min(spec.width_hint or 12, 48)) + 16)
        if (spec.width_hint or 12) <= 16:
            least[col] = hinted[col]
        elif col == name_column:
            least[col] = max(least[col], int(hinted[col] * 0.6))
    return hinted, least


class ColumnFitter(QObject):
    def __init__(self, table: QTableView):
        super().__init__(table)
        self.table = table
        self.hinted: dict[int, int] = {}
        self.least: dict[int, int] = {}
        self.auto = False
        self._fitting = False
        table.viewport().installEventFilter(self)
        table.horizontalHeader().sectionResized.connect(self._on_section_resized)

    def start(self, hinted: dict[int, int], least: dict[int, int]) -> None:
        """Fit from these widths (column → pixels) and keep fitting as the table resizes."""
        self.hinted, self.least, self.auto = hinted, least, True
        self.fit()

    def fit(self) -> None:
        if not self.auto:
            return
        header = self.table.horizontalHeader()
        visible = [c for c in self.hinted if not header.isSectionHidden(c)]
        room = self.table.viewport().width()
        total = sum(self.hinted[c] for c in visible)
        slack = sum(self.hinted[c] - self.least[c] for c in visible)
        cut = min(1.0, (total - room) / slack) if total > room and slack > 0 else 0.0
        self._fitting = True
        try:
            for c in self.hinted:
                width = int(self.hinted[c] - (self.hinted[c] - self.least[c]) * cut)  # floor
                if header.sectionSize(c) != width and not header.isSectionHidden(c):
                    self.table.setColumnWidth(c, width)
        finally:
            self._fitting = False

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.Resize and self.auto:
            self.fit()
        return False

    def _on_section_resized(self, *_args) -> None:
        # a drag on a column's edge: the user's widths stand from now on
        if not self._fitting and QGuiApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            self.auto = False
