"""Small widget helpers of the forms: tinted notes, change-only setters, a name-or-ID field."""

from __future__ import annotations

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

#: Tinted panels, readable on light and dark palettes (same tints as resource_page).
TINTS = {
    "error": "background: rgba(220, 53, 69, 0.14); border: 1px solid rgba(220, 53, 69, 0.5);",
    "ok": "background: rgba(25, 135, 84, 0.13); border: 1px solid rgba(25, 135, 84, 0.5);",
    "info": "background: rgba(13, 110, 253, 0.10); border: 1px solid rgba(13, 110, 253, 0.4);",
    "warning": "background: rgba(255, 193, 7, 0.18); border: 1px solid rgba(255, 160, 0, 0.6);",
}


def tinted(label: QLabel, tint: str) -> None:
    """Give ``label`` the panel look of ``tint`` ("error", "ok", "info", "warning")."""
    sheet = f"QLabel {{ {TINTS[tint]} border-radius: 4px; padding: 6px; }}"
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)


# A form re-checked on every keystroke calls its setters only when a value really
# changes. WORKAROUND: PySide6 6.12.0 on CPython 3.11 drops one reference to None on
# every call of a void method from Python (and to True on every Signal.emit()); None is
# not immortal before 3.12, so a few thousand redundant setText/setVisible/setEnabled
# calls abort the process with "none_dealloc: deallocating None". It also saves
# needless relayouts.
def set_text(widget, text: str) -> None:
    if widget.text() != text:
        widget.setText(text)


def set_visible(widget: QWidget, visible: bool) -> None:
    if widget.isHidden() == visible:
        widget.setVisible(visible)


def set_enabled(widget: QWidget, enabled: bool) -> None:
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)


def hbox(*widgets: QWidget, stretch_first: bool = True, stretch_last: bool = False,
         parent: QWidget | None = None) -> QWidget:
    """A widget laying ``widgets`` out in a row without margins.

    The first one takes the spare width (``stretch_first``), or a stretch at the end
    does (``stretch_last``).
    """
    row = parent if parent is not None else QWidget()
    layout = QHBoxLayout(row)
    layout.setContentsMargins(0, 0, 0, 0)
    for n, widget in enumerate(widgets):
        layout.addWidget(widget, 1 if stretch_first and n == 0 else 0)
    if stretch_last:
        layout.addStretch(1)
    return row


class NameOrIdField(QWidget):
    """A line edit plus a "name / ID" switch, for Keystone's name-or-id pairs."""

    NAME, ID = 0, 1

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.kind = QComboBox()
        self.kind.addItems(["name", "ID"])
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        hbox(self.edit, self.kind, parent=self)

    def is_id(self) -> bool:
        return self.kind.currentIndex() == self.ID

    def values(self) -> tuple[str, str]:
        """(name, id): one of them set, from the text, stripped."""
        text = self.edit.text().strip()
        return ("", text) if self.is_id() else (text, "")

    def load(self, name: str, id_: str) -> None:
        with QSignalBlocker(self.edit), QSignalBlocker(self.kind):
            self.kind.setCurrentIndex(self.ID if id_ and not name else self.NAME)
            self.edit.setText(id_ if id_ and not name else name)

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.kind.setEnabled(not read_only)
