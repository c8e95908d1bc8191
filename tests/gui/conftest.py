"""Fixtures for main-window flows: an isolated window on a qasync loop, demo clouds."""

from __future__ import annotations

import asyncio

import keyring
import pytest
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtCore import QCoreApplication, QSettings

from osdesk.api.calllog import CallLog
from osdesk.demo import DemoCloud
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.runner import Runner


class MemoryKeyring(KeyringBackend):
    priority = 1

    def __init__(self):
        super().__init__()
        self.store = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """QSettings, profiles and the keyring of this test only."""
    monkeypatch.setenv("OSDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("OS_CLIENT_CONFIG_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "home" / ".config"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("osdesk-test")
    QCoreApplication.setApplicationName("osdesk-test")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def loop(qapp):
    event_loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(event_loop)
    try:
        yield event_loop
    finally:
        pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            event_loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        event_loop.close()
        asyncio.set_event_loop(None)


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


async def until(predicate, timeout=20.0, interval=0.02):
    """Let the event loop run until ``predicate()`` is true (a behaviour bound, not a benchmark)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError("condition not reached within %.0f s" % timeout)
