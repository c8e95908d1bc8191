"""Start-up's background work waits for the window's first rows.

Python runs one thread at a time, so reading clouds.yaml (openstacksdk's loader is
slow to import) or listing every cloud for the inventory while the opened cloud logs
in and lists its first page makes that first page come later. ``FirstRows`` holds such
work until the window has what it opened with: a page of the open cloud has its rows
(or failed to get them), the login failed, All clouds has shown the rows kept from the
last time, or nothing is opening. ``WAIT_S`` bounds
the hold, so a slow or hung cloud delays the rest by that much at most.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

#: the longest the background work waits for the open cloud's first rows
WAIT_S = 3.0
_DONE_STATES = frozenset({"ready", "error", "no-service"})


class FirstRows(QObject):
    """Built with the window. ``call_after(fn)`` runs ``fn`` on the event loop once the
    first rows are shown (at once, on the next turn of the loop, when they are);
    ``wait()`` is the same for a coroutine."""

    def __init__(self, window):
        super().__init__(window)
        self._w = window
        self._done = False
        self._waiting: list[Callable[[], object]] = []
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self.settle)
        window.pages.each(lambda page: page.feed.stateChanged.connect(self._on_state))
        # the first turn of the loop: by then the window has opened what it opens
        QTimer.singleShot(0, self._first_turn)

    @property
    def done(self) -> bool:
        return self._done

    def call_after(self, fn: Callable[[], object]) -> None:
        if self._done:
            QTimer.singleShot(0, self, fn)  # not after the window is gone
        else:
            self._waiting.append(fn)

    async def wait(self) -> None:
        if self._done:
            return
        future = asyncio.get_running_loop().create_future()
        self.call_after(lambda: future.done() or future.set_result(None))
        await future

    def settle(self) -> None:
        """The first rows are shown (or will not come): run what waited, on the loop."""
        if self._done:
            return
        self._done = True
        self._deadline.stop()
        waiting, self._waiting = self._waiting, []
        for fn in waiting:
            QTimer.singleShot(0, self, fn)  # not after the window is gone

    def _first_turn(self) -> None:
        if self._done:
            return
        if self._w.session is None:
            # All clouds shown at start: its rows kept from the last time are the first
            restoring = self._w.desk.page.inventory.restoring
            if restoring is None or restoring.done():
                self.settle()  # nothing opening: nothing to wait for
                return
            restoring.add_done_callback(lambda _task: self.settle())
        self._deadline.start(int(WAIT_S * 1000))

    def _on_state(self, state: str, _message: str) -> None:
        if state in _DONE_STATES and self._w.session is not None:
            self.settle()
