"""One way every form shows what is wrong with it.

A form's problems are sentences for people; a :class:`Problem` also names the field it is
about. :class:`FormProblems` shows them the same way in every dialog: the sentences in the
dialog's message line (a red panel under the form) and the fields concerned outlined in red
— but only once the user has left a field or tried to submit (Enter), never on a form that
opens empty. Until then the action button is simply disabled, its tooltip saying why.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QComboBox, QLabel, QLineEdit,
                               QPlainTextEdit, QTextEdit, QWidget)

from osdesk.views.form_widgets import set_enabled, set_text, set_visible, tinted

#: the outline of a field with a problem (the error tint of form_widgets, opaque)
OUTLINE = "border: 1px solid rgb(220, 53, 69); border-radius: 3px; padding: 2px;"


class Problem(str):
    """A sentence about a form; ``field`` is the widget it is about (outlined in red)."""

    field: QWidget | None = None

    def __new__(cls, text: str, field: QWidget | None = None):
        made = super().__new__(cls, text)
        made.field = field
        return made


def message_line() -> QLabel:
    """A dialog's message line: word-wrapped plain text on the error tint, hidden."""
    label = QLabel()
    label.setObjectName("problems")
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    tinted(label, "error")
    label.hide()
    return label


def outline(widget: QWidget, bad: bool) -> None:
    """Outline ``widget`` (a text field, or the text field inside it) in red, or not."""
    target = getattr(widget, "edit", widget)  # NameOrIdField
    if not isinstance(target, (QLineEdit, QPlainTextEdit, QTextEdit)):
        return
    sheet = f"{type(target).__name__} {{ {OUTLINE} }}" if bad else ""
    if target.property("invalid") != bad:
        target.setProperty("invalid", bad)
    if target.styleSheet() != sheet:
        target.setStyleSheet(sheet)


def outlined(widget: QWidget) -> bool:
    return bool(getattr(widget, "edit", widget).property("invalid"))


class FormProblems(QObject):
    """Shows a form's problems in ``label`` and keeps ``button`` disabled while there are any.

    ``watch(fields)`` notes when the user leaves a field (or picks in a combo box, ticks a
    box): from then on the problems show, and stay current as they are fixed.
    ``reveal()`` (the dialog's Enter) shows them at once.
    """

    def __init__(self, label: QLabel, button: QAbstractButton | None, parent: QObject):
        super().__init__(parent)
        self.label, self.button = label, button
        self.touched: set[QWidget] = set()
        self.revealed = False
        self.problems: list[str] = []
        self.fields: list[QWidget] = []

    # ------------------------------------------------------------- watching
    def watch(self, *fields: QWidget) -> None:
        for field in fields:
            self.fields.append(field)
            target = getattr(field, "edit", field)
            if isinstance(target, (QLineEdit, QAbstractSpinBox)):
                target.editingFinished.connect(lambda f=field: self.touch(f))
            elif isinstance(target, QComboBox):
                target.activated.connect(lambda _i, f=field: self.touch(f))
            elif isinstance(target, QAbstractButton):
                target.clicked.connect(lambda _c=False, f=field: self.touch(f))
            else:  # text areas and the rest: leaving them
                target.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.FocusOut:
            for field in self.fields:
                if getattr(field, "edit", field) is obj:
                    self.touch(field)
        return False

    def touch(self, field: QWidget) -> None:
        if field not in self.touched:
            self.touched.add(field)
            self.show(self.problems)

    def reveal(self) -> None:
        """Show every problem now (the user tried to submit)."""
        self.revealed = True
        self.show(self.problems)

    @property
    def active(self) -> bool:
        return self.revealed or bool(self.touched)

    # -------------------------------------------------------------- showing
    def show(self, problems: Iterable[str], *, quiet: bool = False) -> list[str]:
        """Show ``problems`` (all of them in the text; visible once the form was touched);
        outline their fields the user has left; disable the button while there are any."""
        self.problems = found = list(problems)
        set_text(self.label, "\n".join(found))
        set_visible(self.label, bool(found) and self.active and not quiet)
        bad = {p.field for p in found if isinstance(p, Problem) and p.field is not None}
        for field in {*self.fields, *bad}:
            outline(field, field in bad and (self.revealed or field in self.touched)
                    and not quiet)
        if self.button is not None:
            set_enabled(self.button, not found)
            tip = "\n".join(found)
            if self.button.toolTip() != tip:
                self.button.setToolTip(tip)
        return found


def is_submit_key(event) -> bool:
    return event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
