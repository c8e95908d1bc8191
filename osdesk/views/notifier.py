"""The one place that decides whether an operation's end is worth a desktop notification:
it took long (LONG_OPERATION_S or more) and nobody is looking at osdesk (none of its
windows is active, or the main window is minimised)."""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from osdesk.desktop.notify import notify

#: operations that ended sooner than this are seen ending; no notification
LONG_OPERATION_S = 10.0


def took(seconds: float) -> str:
    seconds = int(max(0.0, seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def server_outcome(server: dict | None) -> str:
    """How a followed server ended, for "Server web-1 …"."""
    if server is None:
        return "was deleted"
    status = server.get("status") or "?"
    if status == "ERROR":
        fault = (server.get("fault") or {}).get("message")
        return "went to ERROR" + (f": {fault}" if fault else "")
    return f"is {status}"


def volume_outcome(volume: dict | None) -> str:
    if volume is None:
        return "was deleted"
    status = volume.get("status") or "?"
    return f"went to {status}" if status.startswith("error") else f"is {status}"


class Notifier(QObject):
    """``operation_finished(kind, name, outcome, started_at)``: called where operations
    end (server follows, image uploads, volume follows)."""

    def __init__(self, window, send: Callable[[str, str], None] = notify):
        super().__init__(window)
        self.window = window
        self.send = send
        self.threshold = LONG_OPERATION_S

    def focused(self) -> bool:
        return QApplication.activeWindow() is not None and not self.window.isMinimized()

    def operation_finished(self, kind: str, name: str, outcome: str,
                           started_at: float) -> bool:
        """``kind`` "Server", ``name`` "web-1", ``outcome`` "is ACTIVE", ``started_at`` a
        ``time.monotonic()``. Returns whether a notification went out."""
        elapsed = time.monotonic() - started_at
        if elapsed < self.threshold or self.focused():
            return False
        session = self.window.session
        where = f" · {session.profile.name}" if session is not None else ""
        self.send(f"{kind} {name} {outcome}", f"after {took(elapsed)}{where}")
        return True
