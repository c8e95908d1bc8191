"""The server page's own dialogs: metadata rows, the console log viewer, resize, and the
results of a bulk action."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
                               QPlainTextEdit, QPushButton, QSpinBox, QVBoxLayout, QWidget)

from osdesk.api import OsdeskError
from osdesk.runtime.runner import Stale
from osdesk.views.validation import FormProblems, message_line


def closing_layout(dialog: QDialog, top, body: QWidget) -> None:
    """``top`` (a widget or layout) over ``body`` (which takes the height) over Close."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    if isinstance(top, QWidget):
        layout.addWidget(top)
    else:
        layout.addLayout(top)
    layout.addWidget(body, 1)
    layout.addWidget(buttons)


class MetadataDialog(QDialog):
    """Key/value rows of a server's metadata; saved as a whole (PUT …/metadata)."""

    def __init__(self, server: dict, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem
        self.setWindowTitle(f"Metadata — {server.get('name', server['id'])}")
        self.resize(520, 360)
        self.table = QTableWidget(0, 2)
        self.table.setHorizontalHeaderLabels(["Key", "Value"])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        for key, value in sorted((server.get("metadata") or {}).items()):
            row = self.table.rowCount()
            self.table.insertRow(row)
            self.table.setItem(row, 0, QTableWidgetItem(str(key)))
            self.table.setItem(row, 1, QTableWidgetItem(str(value)))
        add, remove = QPushButton("Add"), QPushButton("Remove")
        add.clicked.connect(lambda: self.table.insertRow(self.table.rowCount()))
        remove.clicked.connect(lambda: self.table.removeRow(self.table.currentRow()))
        self.problem = message_line()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel)
        # a cell's edit is committed when the user leaves it: its problem shows at once
        self.checker = FormProblems(
            self.problem, self.buttons.button(QDialogButtonBox.StandardButton.Save), self)
        self.checker.revealed = True
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(remove)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(row)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.table.itemChanged.connect(lambda *a: self.validate())
        self.validate()

    def metadata(self) -> dict:
        out = {}
        for row in range(self.table.rowCount()):
            key, value = self.table.item(row, 0), self.table.item(row, 1)
            if key is not None and key.text().strip():
                out[key.text().strip()] = value.text() if value is not None else ""
        return out

    def validate(self) -> str:
        why = ""
        for key, value in self.metadata().items():
            if len(key) > 255 or len(value) > 255:
                why = f"Keys and values are at most 255 characters ({key[:20]}…)."
        self.checker.show([why] if why else [])
        return why


class ConsoleLogViewer(QDialog):
    """The last N lines of a server's console, with refresh and follow."""

    def __init__(self, window, server: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.window = window
        self.server = server
        self.setWindowTitle(f"Console log — {server.get('name', server['id'])}")
        self.resize(820, 560)
        self.lines = QSpinBox()
        self.lines.setRange(10, 100000)
        self.lines.setValue(200)
        self.lines.setSuffix(" lines")
        self.follow_box = QCheckBox("Follow (every 3 s)")
        self.refresh_button = QPushButton("Refresh")
        self.status = QLabel()
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        font = self.text.font()
        font.setFamily("monospace")
        self.text.setFont(font)
        top = QHBoxLayout()
        top.addWidget(QLabel("Last"))
        top.addWidget(self.lines)
        top.addWidget(self.follow_box)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(self.refresh_button)
        closing_layout(self, top, self.text)
        self.refresh_button.clicked.connect(self.reload)
        self._task = None
        self._follow_task = None
        self.follow_box.toggled.connect(self._on_follow_toggled)

    def reload(self) -> None:
        if self._task is None or self._task.done():
            self._task = self.window._spawn(self._load())

    async def _load(self) -> None:
        session = self.window.session
        if session is None:
            return
        self.status.setText("Loading…")
        try:
            text = await session.call(session.cloud.compute.console_output, self.server["id"],
                                      self.lines.value())
        except Stale:
            return
        except OsdeskError as exc:
            self.status.setText("")
            self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
            self.text.setPlainText(f"Could not read the console log: {exc}")
            return
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        at_end = self.text.verticalScrollBar().value() >= self.text.verticalScrollBar().maximum() - 2
        self.text.setPlainText(text)
        if at_end:
            self.text.verticalScrollBar().setValue(self.text.verticalScrollBar().maximum())
        self.status.setText(f"{len(text.splitlines())} lines")

    def _on_follow_toggled(self, on: bool) -> None:
        if self._follow_task is not None:
            self._follow_task.cancel()
            self._follow_task = None
        if on:
            async def loop():
                while True:
                    await self._load()
                    await asyncio.sleep(3)
            self._follow_task = self.window._spawn(loop())

    def closeEvent(self, event) -> None:
        if self._follow_task is not None:
            self._follow_task.cancel()
        super().closeEvent(event)


class ResizeDialog(QDialog):
    """Flavors with vCPU, RAM and disk; the current one marked, the ones too small for
    the server's image refused with the reason."""

    def __init__(self, server: dict, flavors: list[dict], image: dict | None,
                 parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QListWidget, QListWidgetItem

        from osdesk.rules.formats import fmt_gb, fmt_mb
        from osdesk.rules.launch import flavor_problem
        self.setWindowTitle(f"Resize server {server.get('name') or server['id']}")
        self.resize(560, 420)
        current = server.get("flavor") or {}
        current_name = current.get("original_name")
        self.list = QListWidget()
        on_volume = not server.get("image")  # booted from a volume: the disk is not the flavor's
        for flavor in sorted(flavors, key=lambda f: (f.get("vcpus") or 0, f.get("ram") or 0)):
            text = (f"{flavor.get('name')} — {flavor.get('vcpus')} vCPU, "
                    f"{fmt_mb(flavor.get('ram'))} RAM, {fmt_gb(flavor.get('disk'))} disk")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, flavor["id"])
            is_current = flavor["id"] == current.get("id") or flavor.get("name") == current_name
            why = "the server's flavor now" if is_current else flavor_problem(
                flavor, image, on_volume=on_volume)
            if why:
                item.setText(f"{text}  ({why if is_current else 'too small for the image'})")
                item.setToolTip(why)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled)
            self.list.addItem(item)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Resize", QDialogButtonBox.ButtonRole.AcceptRole)
        self.ok.setEnabled(False)
        self.list.currentItemChanged.connect(
            lambda item, _old: self.ok.setEnabled(
                item is not None and bool(item.flags() & Qt.ItemFlag.ItemIsEnabled)))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        note = QLabel("The server restarts on the new flavor; confirm or revert the resize "
                      "afterwards from its menu.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("New flavor:"))
        layout.addWidget(self.list, 1)
        layout.addWidget(note)
        layout.addWidget(self.buttons)

    def flavor_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item is not None else None


class ResultsDialog(QDialog):
    """What a bulk action did to each server — accepted, failed (the cloud's words) or
    skipped (why) — in a window that stays until it is closed, not a status line."""

    def __init__(self, title: str, outcomes, parent: QWidget | None = None):
        super().__init__(parent)
        from PySide6.QtWidgets import QHeaderView, QTableWidget, QTableWidgetItem
        self.setWindowTitle(title)
        self.resize(640, 360)
        self.table = QTableWidget(len(outcomes), 2)
        self.table.setHorizontalHeaderLabels(["Server", "Result"])
        self.table.verticalHeader().hide()
        self.table.setWordWrap(True)
        self.table.horizontalHeader().setSectionResizeMode(
            0, QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        for row, outcome in enumerate(outcomes):
            result = ("accepted" if outcome.ok else
                      f"skipped: {outcome.error}" if outcome.skipped else
                      f"failed: {outcome.error}")
            for col, text in enumerate((outcome.name, result)):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.resizeRowsToContents()
        done = sum(1 for o in outcomes if o.ok)
        closing_layout(self, QLabel(f"{done} of {len(outcomes)} accepted."), self.table)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def results(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text())
                for r in range(self.table.rowCount())]
