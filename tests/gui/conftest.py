"""Fixtures for main-window flows: an isolated window on a qasync loop, demo clouds."""

from __future__ import annotations

import asyncio

import pytest

from osdesk.api.calllog import CallLog
from osdesk.demo import DemoCloud
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.runtime.runner import Runner
from tests.qt_support import isolate, qasync_loop


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    yield from isolate(tmp_path, monkeypatch)


@pytest.fixture
def loop(qapp):
    yield from qasync_loop(qapp)


@pytest.fixture
def call_log():
    return CallLog()


@pytest.fixture
def window(qtbot, loop, tmp_path, call_log):
    from osdesk.views.main_window import MainWindow
    runner = Runner()
    win = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                     runner=runner, call_log=call_log)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.shutdown()


@pytest.fixture
def demo_cloud():
    cloud = DemoCloud(servers=25, speed=50).start()
    yield cloud
    cloud.stop()


def run(loop, coro, timeout=30):
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(predicate, timeout=None, interval=0.02):
    """Let the event loop run until ``predicate()`` is true (a behaviour bound, not a benchmark).

    Without ``timeout`` the ``run()`` around it is the bound: ``run(loop, until(p),
    timeout=60)`` waits 60 s (a 20 s default here once cut such waits short on a busy
    machine).
    """
    loop = asyncio.get_running_loop()
    deadline = None if timeout is None else loop.time() + timeout
    while deadline is None or loop.time() < deadline:
        if predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError("condition not reached within %.0f s" % timeout)
