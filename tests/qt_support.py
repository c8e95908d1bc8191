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
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "home" / ".cache"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      str(tmp_path / "qsettings"))
    QCoreApplication.setOrganizationName("osdesk-test")
    QCoreApplication.setApplicationName("osdesk-test")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    yield
    keyring.set_keyring(previous)


def describe(context: dict) -> str:
    """One line for an event-loop error context (message and exception)."""
    exc = context.get("exception")
    where = context.get("handle") or context.get("task") or context.get("future") or ""
    return f"{context.get('message', '')}: {exc!r} in {str(where)[:200]}"


def qasync_loop(qapp):
    """A qasync loop on the test's QApplication, closed and unset afterwards.

    Any error the loop reports while the test runs ("Exception in callback …", a task
    exception never retrieved, "Cannot enter into task …") fails the test: such an error
    once killed a page's refresh silently (the loop only logs it).
    """
    event_loop = qasync.QEventLoop(qapp)
    errors: list[dict] = []

    def on_error(loop, context):
        errors.append(context)
        loop.default_exception_handler(context)

    event_loop.set_exception_handler(on_error)
    asyncio.set_event_loop(event_loop)
    # a test's last window closing (a dialog with no parent, the main window after
    # "Quit") must not stop the loop the test is still running
    quits = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)
    try:
        yield event_loop
    finally:
        qapp.setQuitOnLastWindowClosed(quits)
        pending = [t for t in asyncio.all_tasks(event_loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            # bounded: a task whose step an event-loop error lost never ends, not even
            # when cancelled (it is reported below)
            event_loop.run_until_complete(asyncio.wait(pending, timeout=5))
        event_loop.close()
        asyncio.set_event_loop(None)
    if errors:
        raise AssertionError("the event loop reported errors during the test:\n"
                             + "\n".join(describe(c) for c in errors))
