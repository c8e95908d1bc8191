"""Desktop notifications reach a freedesktop notification server with the spec's
signature, and where there is none (no bus, no server, no tray) nothing is printed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FAKE = Path(__file__).with_name("fake_notifyd.py")

#: a child osdesk that notifies once and waits for the worker thread to end
CHILD = """
import threading
from PySide6.QtWidgets import QApplication
app = QApplication([])
from osdesk.desktop.notify import dbus_notify, notify
print("sent:", dbus_notify("Server web-1 is ACTIVE", "after 42 s · Lab"), flush=True)
notify("Volume data is in-use", "after 12 s · Lab")
while any(t.name == "osdesk-notify" for t in threading.enumerate()):
    app.processEvents()
app.processEvents()
"""


def child_env(**changes) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    env.update(PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen", **changes)
    return env


def run_child(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD], env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def session_bus(tmp_path):
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        pytest.fail("dbus-daemon is not installed: apt-get install dbus-daemon")
    config = tmp_path / "bus.conf"
    config.write_text(f"""<busconfig><type>session</type>
<listen>unix:path={tmp_path / 'bus'}</listen><auth>EXTERNAL</auth>
<policy context="default"><allow send_destination="*" eavesdrop="true"/>
<allow eavesdrop="true"/><allow own="*"/></policy></busconfig>""")
    proc = subprocess.Popen([daemon, f"--config-file={config}", "--nofork", "--print-address"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        yield proc.stdout.readline().strip()
    finally:
        proc.kill()
        proc.wait(timeout=10)


def test_a_notification_server_gets_notify_with_the_spec_signature(session_bus):
    env = child_env(DBUS_SESSION_BUS_ADDRESS=session_bus)
    server = subprocess.Popen([sys.executable, str(FAKE)], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert server.stdout.readline().strip() == "ready"
        result = run_child(env)
        assert result.returncode == 0, result.stderr
        assert "sent: True" in result.stdout
        first, second = server.stdout.readline(), server.stdout.readline()
    finally:
        server.kill()
        server.wait(timeout=10)
    assert first.startswith("Notify susssasa{sv}i ('osdesk', 0, 'io.github.osdesk.osdesk', "
                            "'Server web-1 is ACTIVE', 'after 42 s · Lab', [], "
                            "{'desktop-entry': ('s', 'io.github.osdesk.osdesk')}, -1)"), first
    assert "'Volume data is in-use', 'after 12 s · Lab'" in second, second
    assert result.stderr == ""


def test_a_bus_without_a_notification_server_is_no_error(session_bus):
    result = run_child(child_env(DBUS_SESSION_BUS_ADDRESS=session_bus))
    assert result.returncode == 0 and "sent: False" in result.stdout
    assert result.stderr == ""


def test_no_bus_and_no_tray_is_no_error_and_no_noise():
    result = run_child(child_env())
    assert result.returncode == 0 and "sent: False" in result.stdout
    assert result.stderr == ""
