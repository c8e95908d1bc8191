"""Shared test plumbing: an in-memory keyring, per-test isolation, a qasync loop."""

from __future__ import annotations

import asyncio

import keyring
import qasync
from keyring.backend import KeyringBackend
from PySide6.QtCore import QCoreApplication, QSettings


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps secrets in a dict, for tests."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.store.get((service, username))

    def set_password(self, service, username, password):
        self.store[(service, username)] = password

    def delete_password(self, service, username):
        self.store.pop((service, username), None)


def isolate(tmp_path, monkeypatch):
    """QSettings, profiles, HOME and the keyring of this test only (a fixture body)."""
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


def qasync_loop(qapp):
    """A qasync loop on the test's QApplication, closed and unset afterwards."""
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
