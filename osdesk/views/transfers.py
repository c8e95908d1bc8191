"""The window's running uploads and downloads. Their progress dialog's module (and the
image dialogs beside it) loads with the first transfer, not with the window."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QWidget

from osdesk.views import dialogs

if TYPE_CHECKING:
    from osdesk.views.image_dialogs import TransferDialog


class Transfers(QObject):
    """The window's running uploads and downloads: each has its progress dialog; the
    window asks before quitting while any runs, and cancels them when it goes."""

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self._dialogs: list[TransferDialog] = []

    def open(self, title: str, parent: QWidget) -> TransferDialog:
        from osdesk.views.image_dialogs import TransferDialog
        dialog = TransferDialog(title, parent)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _=0, d=dialog: self._forget(d))
        dialogs.fit_title(dialog)
        dialog.show()
        return dialog

    def _forget(self, dialog: TransferDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    def titles(self) -> list[str]:
        return [d.windowTitle() for d in self._dialogs]

    def cancel_all(self) -> None:
        for dialog in list(self._dialogs):
            dialog.cancel()
