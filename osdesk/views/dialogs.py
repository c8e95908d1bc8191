"""Dialogs awaited from coroutines: opened window-modal, never ``exec()``-ed.

A modal ``exec()`` (and ``QMessageBox.question``, ``QInputDialog.getText``,
``QFileDialog.getSaveFileName`` …) runs a nested event loop. Inside a coroutine that
loop runs under a task that is still executing, and qasync then fails every other
task that wakes meanwhile ("Cannot enter into task … while another task … is being
executed"): a page's refresh died silently and its feed stayed dead. So every dialog
a coroutine shows goes through :func:`shown`, which opens it and awaits ``finished``.

Destructive actions ask through :func:`confirm`: the button names the verb and the
count ("Delete 4 servers"), Cancel is the default (Enter cancels) and the box lists
what will be affected.
"""

from __future__ import annotations

import asyncio
import html
from typing import Callable, Iterable, Sequence, TypeVar

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (QApplication, QBoxLayout, QDialog, QFileDialog, QGridLayout,
                               QInputDialog, QLineEdit, QMessageBox, QSizePolicy, QSpacerItem,
                               QWidget)

#: Called with every dialog right after it opened (the tests answer dialogs through it,
#: as a person would, by clicking its buttons).
opened_hooks: list[Callable[[QDialog], None]] = []

#: How many names a confirmation lists before "and N more".
LIST_AT_MOST = 10

Icon = QMessageBox.Icon


#: what a title bar holds beside the title: the icon, three buttons, the margins
TITLE_BAR_CHROME = 150


def title_width(title: str, widget: QWidget | None = None) -> int:
    """How wide a window must be for its title bar to show ``title`` whole (title bars
    set it bold and a little larger than the text, in most window managers)."""
    font = QFont(QApplication.font())
    font.setBold(True)
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * 1.1)
    need = QFontMetrics(font).horizontalAdvance(title) + TITLE_BAR_CHROME
    screen = (widget.screen() if widget is not None else None) or QApplication.primaryScreen()
    return min(need, int(screen.availableGeometry().width() * 0.9)) if screen else need


def fit_title(dialog: QWidget) -> None:
    """Make ``dialog`` at least as wide as its title needs: through its layout (message
    and input boxes size themselves from it), else its minimum width."""
    need = title_width(dialog.windowTitle(), dialog)
    if dialog.minimumWidth() < need:
        dialog.setMinimumWidth(need)
    layout = dialog.layout()
    if layout is None or dialog.property("title_fitted") == need:
        return
    dialog.setProperty("title_fitted", need)
    margins = layout.contentsMargins()
    strut = QSpacerItem(need - margins.left() - margins.right(), 0,
                        QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
    if isinstance(layout, QGridLayout):
        layout.addItem(strut, layout.rowCount(), 0, 1, layout.columnCount())
    elif isinstance(layout, QBoxLayout) and layout.direction() in (
            QBoxLayout.Direction.TopToBottom, QBoxLayout.Direction.BottomToTop):
        layout.addSpacerItem(strut)


async def shown(dialog: QDialog) -> int:
    """Open ``dialog`` window-modal and wait for it to finish; returns its result code.

    Cancelling the awaiting task closes the dialog; a dialog destroyed without
    finishing (its parent closed) counts as rejected.
    """
    # the loop the task runs on (qasync steps tasks from Qt events, in tests also while
    # it is not "running")
    done: asyncio.Future = asyncio.get_event_loop().create_future()

    def finish(code: int) -> None:
        if not done.done():
            done.set_result(code)

    dialog.finished.connect(finish)
    dialog.destroyed.connect(lambda *_: finish(QDialog.DialogCode.Rejected.value))
    fit_title(dialog)
    dialog.open()
    fit_title(dialog)  # again: an input dialog makes its layout only as it opens
    for hook in list(opened_hooks):
        hook(dialog)
    try:
        code = await done
    except asyncio.CancelledError:
        if shiboken6.isValid(dialog):
            dialog.reject()
        raise
    # gone meanwhile (its parent closed): nothing can be read from it, so it was cancelled
    return code if shiboken6.isValid(dialog) else QDialog.DialogCode.Rejected.value


def dispose(dialog: QDialog) -> None:
    """``deleteLater`` unless Qt deleted it already (with its parent)."""
    if shiboken6.isValid(dialog):
        dialog.deleteLater()


def names_html(names: Iterable[str], at_most: int = LIST_AT_MOST) -> str:
    """A bulleted list of ``names`` (escaped), cut after ``at_most`` with "and N more"."""
    names = [str(n) for n in names]
    items = "".join(f"<li>{html.escape(n)}</li>" for n in names[:at_most])
    more = f"<li>… and {len(names) - at_most} more</li>" if len(names) > at_most else ""
    return f"<ul style='margin-left: -20px'>{items}{more}</ul>"


async def confirm(parent: QWidget | None, title: str, verb: str, what: str,
                  names: Sequence[str], consequence: str = "") -> bool:
    """Ask before a destructive action; True only when the verb button was clicked.

    ``verb`` and ``what`` make the button ("Delete" + "4 servers"); ``names`` are
    listed; ``consequence`` says what cannot be undone. Cancel is the default button
    and the escape button, so Enter and Esc both leave everything as it was.
    """
    box = QMessageBox(parent)
    box.setIcon(Icon.Warning)
    box.setWindowTitle(title)
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(f"<b>{html.escape(verb)} {html.escape(what)}?</b>{names_html(names)}"
                + (f"<p>{html.escape(consequence)}</p>" if consequence else ""))
    act = box.addButton(f"{verb} {what}", QMessageBox.ButtonRole.DestructiveRole)
    act.setAutoDefault(False)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.setObjectName("confirm_box")
    try:
        await shown(box)
        return shiboken6.isValid(box) and box.clickedButton() is act
    finally:
        dispose(box)


async def message(parent: QWidget | None, title: str, text: str, *, icon=Icon.Warning,
                  details: str = "") -> None:
    """Tell the user something and wait until the box is closed."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    if details:
        box.setDetailedText(details)
    try:
        await shown(box)
    finally:
        dispose(box)


async def warn(parent: QWidget | None, title: str, text: str, details: str = "") -> None:
    await message(parent, title, text, icon=Icon.Warning, details=details)


async def inform(parent: QWidget | None, title: str, text: str) -> None:
    await message(parent, title, text, icon=Icon.Information)


async def choose(parent: QWidget | None, title: str, text: str,
                 buttons: Sequence[tuple[str, QMessageBox.ButtonRole]], *, default: int = -1,
                 escape: int = -1, icon=Icon.Question, details: str = "") -> int:
    """A box with the given (text, role) buttons; the index of the one clicked, or -1
    when the box was closed another way. ``default`` is the index Enter presses;
    ``escape`` the one Esc presses (else the last with RejectRole)."""
    box = QMessageBox(parent)
    box.setIcon(icon)
    box.setWindowTitle(title)
    box.setText(text)
    if details:
        box.setDetailedText(details)
    made = [box.addButton(label, role) for label, role in buttons]
    for button in made:
        button.setAutoDefault(False)
    if 0 <= default < len(made):
        box.setDefaultButton(made[default])
    for (_, role), button in zip(buttons, made):
        if role == QMessageBox.ButtonRole.RejectRole:
            box.setEscapeButton(button)
    if 0 <= escape < len(made):
        box.setEscapeButton(made[escape])
    try:
        await shown(box)
        if not shiboken6.isValid(box):
            return -1
        clicked = box.clickedButton()
        return made.index(clicked) if clicked in made else -1
    finally:
        dispose(box)


async def ask_yes_no(parent: QWidget | None, title: str, text: str, *, yes: str = "Yes",
                     no: str = "No", default_yes: bool = False) -> bool:
    """A question whose safe answer is ``no`` unless ``default_yes``."""
    Role = QMessageBox.ButtonRole
    picked = await choose(parent, title, text, [(yes, Role.AcceptRole), (no, Role.RejectRole)],
                          default=0 if default_yes else 1)
    return picked == 0


T = TypeVar("T")


async def accepted(dialog: QDialog, read: Callable[[QDialog], T] = lambda d: d.values()
                   ) -> T | None:
    """``read(dialog)`` when the user accepted it (OK, Create, Save …), else None; the
    dialog is disposed of either way."""
    try:
        if await shown(dialog) != QDialog.DialogCode.Accepted.value:
            return None
        return read(dialog)
    finally:
        dispose(dialog)


def _input(parent: QWidget | None, title: str, label: str) -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setMinimumWidth(380)
    return dialog


async def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> str | None:
    """One line of text, stripped; None when cancelled or left empty."""
    dialog = _input(parent, title, label)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    dialog.setTextValue(text)
    return await accepted(dialog, lambda d: d.textValue().strip() or None)


async def ask_int(parent: QWidget | None, title: str, label: str, value: int, *,
                  minimum: int, maximum: int = 2 ** 31 - 1) -> int | None:
    """A whole number in [minimum, maximum]; None when cancelled."""
    dialog = _input(parent, title, label)
    dialog.setInputMode(QInputDialog.InputMode.IntInput)
    dialog.setIntRange(minimum, maximum)
    dialog.setIntValue(max(minimum, min(value, maximum)))
    return await accepted(dialog, QInputDialog.intValue)


async def ask_item(parent: QWidget | None, title: str, label: str, items: Sequence[str],
                   current: int = 0) -> str | None:
    """One of ``items``; None when cancelled."""
    dialog = _input(parent, title, label)
    dialog.setComboBoxItems(list(items))
    dialog.setComboBoxEditable(False)
    if 0 <= current < len(items):
        dialog.setTextValue(items[current])
    return await accepted(dialog, QInputDialog.textValue)


async def ask_path(parent: QWidget | None, caption: str, *, save: bool = False,
                   start: str = "", filters: str = "") -> str | None:
    """A file to open (or, with ``save``, to write); None when cancelled."""
    dialog = QFileDialog(parent, caption, start, filters)
    if save:
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    else:
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    files = await accepted(dialog, QFileDialog.selectedFiles)
    return files[0] if files and files[0] else None
