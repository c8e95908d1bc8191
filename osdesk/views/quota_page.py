"""The quota overview: how much of each compute, network and block storage quota the
project uses."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QGridLayout, QGroupBox, QHBoxLayout, QLabel, QProgressBar,
                               QPushButton, QScrollArea, QVBoxLayout, QWidget)

from osdesk.api import OsdeskError
from osdesk.rules.quotas import gather
from osdesk.runtime.runner import Stale
from osdesk.views.icons import icon

#: Bar colours by how full the quota is; tinted so they read on light and dark palettes.
_FULL, _HIGH, _OK = "#d9534f", "#e0a800", "#3c9d5d"


class QuotaPage(QWidget):
    """Bars for instances, cores, RAM, key pairs, networks, subnets, routers, ports, …"""

    def __init__(self, window, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        self.loaded_once = False
        self._task: asyncio.Task | None = None
        self.title = QLabel("<b>Quotas</b>")
        self.state = QLabel()
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        top.addWidget(self.state)
        top.addWidget(self.refresh_button)
        self.compute_box = QGroupBox("Compute")
        self.network_box = QGroupBox("Network")
        self.storage_box = QGroupBox("Block storage")
        for box in (self.compute_box, self.network_box, self.storage_box):
            box.setLayout(QGridLayout())
        self.problems = QLabel()
        self.problems.setWordWrap(True)
        self.problems.hide()
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(self.compute_box)
        body_layout.addWidget(self.network_box)
        body_layout.addWidget(self.storage_box)
        body_layout.addWidget(self.problems)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(body)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(scroll, 1)
        self.refresh_button.clicked.connect(self.refresh)
        self.bars: dict[str, QProgressBar] = {}

    def reset(self) -> None:
        self.loaded_once = False
        for box in (self.compute_box, self.network_box, self.storage_box):
            _clear(box.layout())
        self.bars.clear()
        self.state.setText("")

    def refresh(self):
        session = self.window.session
        if session is None or not session.info:
            return None
        if self._task is not None and not self._task.done():
            return self._task
        self._task = asyncio.ensure_future(self._load(session))
        return self._task

    async def _load(self, session) -> None:
        self.state.setText("Loading…")
        page = self.window.pages.peek("keypairs")  # not made: not loaded either
        keypairs = page.model.rowCount() if page is not None and page.feed.loaded_once \
            else None
        try:
            rows, problems = await session.call(gather, session.cloud,
                                                session.info.get("project_id"), keypairs)
        except Stale:
            return
        except OsdeskError as exc:
            rows, problems = [], [str(exc)]
        if session is not self.window.session:
            return
        self.reset()
        self.loaded_once = True
        for usage in rows:
            box = {"compute": self.compute_box, "network": self.network_box}.get(
                usage.service, self.storage_box)
            grid = box.layout()
            r = grid.rowCount()
            bar = QProgressBar()
            bar.setRange(0, 1000)
            bar.setValue(int(usage.fraction * 1000))
            bar.setFormat(usage.text)
            bar.setTextVisible(True)
            bar.setAlignment(Qt.AlignmentFlag.AlignCenter)
            colour = _FULL if usage.fraction >= 1 else _HIGH if usage.fraction >= 0.8 else _OK
            # Through the palette, not a style sheet: a sheet switches the bar to
            # sheet drawing, which drops the style's frame and the centred text.
            palette = bar.palette()
            palette.setColor(QPalette.ColorRole.Highlight, QColor(colour))
            palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
            bar.setPalette(palette)
            label = QLabel(usage.label)
            label.setMinimumWidth(150)
            grid.addWidget(label, r, 0)
            grid.addWidget(bar, r, 1)
            self.bars[usage.label] = bar
        self.storage_box.setVisible(any(u.service == "block-storage" for u in rows))
        self.problems.setText("<br>".join(problems))
        self.problems.setVisible(bool(problems))
        self.state.setText("")


def _clear(layout) -> None:
    while layout.count():
        item = layout.takeAt(0)
        if item.widget() is not None:
            item.widget().deleteLater()
