"""Answering osdesk's awaited dialogs in tests, as a person would: by clicking.

osdesk never ``exec()``s a dialog inside a coroutine (see ``osdesk/views/dialogs.py``);
it opens it and awaits ``finished``. Tests therefore do not patch ``QMessageBox.question``
and friends: :class:`DialogAnswers` hears each dialog open (``dialogs.opened_hooks``) and,
on the next turn of the event loop, clicks the button a rule names, types into an input
dialog or picks a file. A dialog no rule matches stays open (a test may look at it and
press keys itself) unless ``default`` says how to answer everything else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable

import shiboken6
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QFileDialog, QInputDialog, QLineEdit, QMessageBox

from osdesk.views import dialogs

#: Button roles that say "do it" (the verb button of a confirmation, Yes, Save …).
_GO_ROLES = (QMessageBox.ButtonRole.AcceptRole, QMessageBox.ButtonRole.YesRole,
             QMessageBox.ButtonRole.DestructiveRole, QMessageBox.ButtonRole.ApplyRole)


def text_of(dialog: QDialog) -> str:
    if isinstance(dialog, QMessageBox):
        return dialog.text() + "\n" + dialog.informativeText()
    if isinstance(dialog, QInputDialog):
        return dialog.labelText()
    return ""


def buttons_of(dialog: QDialog) -> list[str]:
    if isinstance(dialog, QMessageBox):
        return [b.text() for b in dialog.buttons()]
    return []


@dataclass
class Seen:
    kind: str          # "message", "input", "file", or the dialog's class name
    title: str
    text: str
    buttons: list[str]
    dialog: QDialog = field(repr=False)
    #: a message box's icon: "warning", "information", "question", "critical" or ""
    icon: str = ""
    #: a confirmation: a box with a destructive verb button
    confirm: bool = False


def icon_of(dialog: QDialog) -> str:
    if not isinstance(dialog, QMessageBox):
        return ""
    Icon = QMessageBox.Icon
    return {Icon.Warning: "warning", Icon.Information: "information", Icon.Question: "question",
            Icon.Critical: "critical"}.get(dialog.icon(), "")


def kind_of(dialog: QDialog) -> str:
    if isinstance(dialog, QMessageBox):
        return "message"
    if isinstance(dialog, QInputDialog):
        return "input"
    if isinstance(dialog, QFileDialog):
        return "file"
    return type(dialog).__name__


def go(dialog: QDialog, value=None) -> None:
    """The affirmative answer: the verb/Yes/OK button, or accept with ``value`` typed in."""
    if isinstance(dialog, QMessageBox):
        for button in dialog.buttons():
            if dialog.buttonRole(button) in _GO_ROLES:
                button.click()
                return
        dialog.buttons()[0].click()
    elif isinstance(dialog, QInputDialog):
        if value is not None:
            dialog.setTextValue(str(value))
        dialog.accept()
    elif isinstance(dialog, QFileDialog):
        if value is None:
            dialog.reject()
            return
        pick_file(dialog, str(value))
    else:
        dialog.accept()


def pick_file(dialog: QFileDialog, path: str) -> None:
    """Type ``path`` into the dialog as a user would, and accept. (``selectFile`` leaves
    the name alone while its line edit has focus, which it has once the dialog shows.)"""
    import os
    dialog.setDirectory(os.path.dirname(path))
    edit = dialog.findChild(QLineEdit, "fileNameEdit")
    if edit is not None:
        edit.setText(os.path.basename(path))
    else:
        dialog.selectFile(path)
    dialog.done(QDialog.DialogCode.Accepted.value)


def cancel(dialog: QDialog) -> None:
    """The safe answer: Cancel/No/Escape."""
    if isinstance(dialog, QMessageBox):
        escape = dialog.escapeButton()
        if escape is not None:
            escape.click()
            return
        for button in dialog.buttons():
            if dialog.buttonRole(button) in (QMessageBox.ButtonRole.RejectRole,
                                             QMessageBox.ButtonRole.NoRole):
                button.click()
                return
    dialog.reject()


def click(label: str) -> Callable[[QDialog], None]:
    """An answer that clicks the button whose text contains ``label``."""
    def answer(dialog: QDialog) -> None:
        for button in dialog.buttons():
            if label.lower() in button.text().lower():
                button.click()
                return
        raise AssertionError(f"no button {label!r} in {[b.text() for b in dialog.buttons()]}")
    return answer


class DialogAnswers:
    """Install with :meth:`install`; ``seen`` lists every dialog osdesk opened."""

    def __init__(self, default=None):
        #: "go", "cancel", a callable taking the dialog, or None (leave unmatched
        #: dialogs open)
        self.default = default
        self.rules: list[tuple[re.Pattern, Callable[[QDialog], None]]] = []
        self.seen: list[Seen] = []

    def on(self, pattern: str, answer="go", value=None) -> "DialogAnswers":
        """Answer dialogs whose title or text matches ``pattern`` (a regex, case-blind).

        ``answer`` is "go", "cancel", or a callable taking the dialog; ``value`` is what
        "go" types into an input dialog or picks in a file dialog. Rules are tried in
        order; the first match wins; a rule stays until removed.
        """
        if answer == "go":
            fn = lambda d, v=value: go(d, v)  # noqa: E731
        elif answer == "cancel":
            fn = cancel
        else:
            fn = answer
        self.rules.append((re.compile(pattern, re.I | re.S), fn))
        return self

    def install(self) -> "DialogAnswers":
        dialogs.opened_hooks.append(self)
        return self

    def remove(self) -> None:
        if self in dialogs.opened_hooks:
            dialogs.opened_hooks.remove(self)

    def __call__(self, dialog: QDialog) -> None:
        title, text = dialog.windowTitle(), text_of(dialog)
        confirm = isinstance(dialog, QMessageBox) and any(
            dialog.buttonRole(b) == QMessageBox.ButtonRole.DestructiveRole
            for b in dialog.buttons())
        self.seen.append(Seen(kind_of(dialog), title, text, buttons_of(dialog), dialog,
                              icon_of(dialog), confirm))
        for pattern, fn in self.rules:
            if pattern.search(title) or pattern.search(text):
                self._later(fn, dialog)
                return
        if self.default == "go":
            self._later(go, dialog)
        elif self.default == "cancel":
            self._later(cancel, dialog)
        elif callable(self.default):
            self._later(self.default, dialog)

    @staticmethod
    def _later(fn, dialog: QDialog) -> None:
        """Answer on the next turn of the event loop, if the dialog is still open then."""
        def answer():
            if shiboken6.isValid(dialog) and dialog.isVisible():
                fn(dialog)
        QTimer.singleShot(0, answer)

    def titles(self) -> list[str]:
        return [s.title for s in self.seen]

    def texts(self, kind: str | None = None) -> list[str]:
        return [s.text for s in self.seen if kind is None or s.kind == kind]

    def warnings(self) -> list[str]:
        """Texts of the warning boxes shown (not confirmations, which warn too)."""
        return [s.text for s in self.seen if s.icon == "warning" and not s.confirm]
