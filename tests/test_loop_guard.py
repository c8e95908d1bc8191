"""The event-loop guard every GUI test runs under (tests/qt_support.py) fails a test on the
error a modal ``exec()`` inside a coroutine causes: "Cannot enter into task …"."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog

from tests.qt_support import qasync_loop


def test_a_nested_event_loop_under_a_task_fails_the_test(qapp):
    guard = qasync_loop(qapp)
    loop = next(guard)
    woke = []

    async def other():
        await asyncio.sleep(0.05)  # wakes while the dialog below runs its own loop
        woke.append(True)

    async def modal():
        dialog = QDialog()
        QTimer.singleShot(400, dialog.reject)
        dialog.exec()  # what osdesk must never do inside a coroutine

    async def both():
        sleeper = asyncio.ensure_future(other())
        await modal()
        await asyncio.sleep(0.2)
        return sleeper

    sleeper = loop.run_until_complete(both())
    assert not woke and not sleeper.done()  # the other task died and never ended
    with pytest.raises(AssertionError, match="Cannot enter into task"):
        next(guard, None)
    sleeper.get_coro().close()  # the dead task: nothing more to report about it
    sleeper._log_destroy_pending = False
