"""The small create/import dialogs' frame: a form, its problems (the shared style of
``validation.py``), Cancel and one action."""

from __future__ import annotations

from PySide6.QtWidgets import (QAbstractButton, QComboBox, QDialog, QDialogButtonBox,
                               QFormLayout, QLayout, QVBoxLayout, QWidget)

from osdesk.views.shortcuts import give_button_mnemonics
from osdesk.views.validation import FormProblems, is_submit_key, message_line


def form_rows(*rows: tuple[str, QWidget | QLayout], parent: QWidget | None = None) -> QFormLayout:
    """A form of (label, field) rows; "" labels a check box's row."""
    form = QFormLayout(parent) if parent is not None else QFormLayout()
    for label, field in rows:
        form.addRow(label, field)
    return form


class CheckedFormDialog(QDialog):
    """A form whose problems, shown under it, keep the action button disabled.

    A subclass builds its fields and its form layout, then calls :meth:`_finish`;
    its ``problems()`` says what is wrong (nothing: the action is enabled).
    """

    def __init__(self, title: str, action: str, min_width: int,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(min_width)
        self.problem = message_line()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton(action, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.checker = FormProblems(self.problem, self.ok, self)

    def problems(self) -> list[str]:
        return []

    def validate(self) -> list[str]:
        """Show the problems (once a field was left) and enable the action only without any."""
        return self.checker.show(self.problems())

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if is_submit_key(event) and not self.ok.isEnabled():
            self.checker.reveal()  # Enter on a form with problems: say what they are
            return
        super().keyPressEvent(event)

    def _finish(self, form: QLayout, *inputs: QWidget) -> None:
        """Lay out ``form``, the problems and the buttons; check again when an input changes."""
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for widget in inputs:
            _changed_signal(widget).connect(self.validate)
        self.checker.watch(*inputs)
        give_button_mnemonics(self)
        self.validate()


def _changed_signal(widget: QWidget):
    if isinstance(widget, QComboBox):
        return widget.currentIndexChanged
    if isinstance(widget, QAbstractButton):
        return widget.toggled
    return widget.textChanged
