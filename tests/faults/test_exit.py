"""Quitting while a request hangs: the launcher's process ends soon after the window,
not when the stuck request finally times out."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.faults

#: the hung cloud's request timeout; the process must be gone long before it
TIMEOUT = 90

LAUNCH = textwrap.dedent("""
    import sys, time
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    import osdesk.__main__ as launcher
    app = QApplication([])

    def close_once_logging_in():  # the user closes the window while the login hangs
        for w in app.topLevelWidgets():
            session = getattr(w, "session", None)
            if session is not None and w.runner.busy(session.ctx.key):
                app.quit()
                return
        QTimer.singleShot(50, close_once_logging_in)
    QTimer.singleShot(50, close_once_logging_in)
    sys.argv = ["osdesk", "--cloud", "hung"]
    start = time.monotonic()
    code = launcher.main()
    print("main returned", flush=True)   # only reached when nothing was stuck
    sys.exit(code)
""")


def test_the_process_ends_soon_after_quitting_while_a_request_hangs(tmp_path):
    # a cloud that accepts the connection and never answers (the kernel completes the
    # handshake from the backlog; nobody reads)
    with socket.socket() as dead:
        dead.bind(("127.0.0.1", 0))
        dead.listen(16)
        port = dead.getsockname()[1]
        home = tmp_path / "home"
        (home / ".config").mkdir(parents=True)
        clouds = tmp_path / "clouds.yaml"
        clouds.write_text(textwrap.dedent(f"""
            clouds:
              hung:
                auth:
                  auth_url: http://127.0.0.1:{port}/identity/v3
                  username: demo
                  password: not-a-secret
                  project_name: demo
                  user_domain_name: Default
                  project_domain_name: Default
                api_timeout: {TIMEOUT}
        """))
        env = dict(os.environ, HOME=str(home), XDG_CONFIG_HOME=str(home / ".config"),
                   OS_CLIENT_CONFIG_FILE=str(clouds), QT_QPA_PLATFORM="offscreen",
                   PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        started = time.monotonic()
        proc = subprocess.run([sys.executable, "-c", LAUNCH], env=env, capture_output=True,
                              text=True, timeout=TIMEOUT * 2)
        took = time.monotonic() - started

    assert proc.returncode == 0, proc.stderr[-2000:]
    # the login request was still hanging when the window closed: main() never
    # returned normally, the launcher left without waiting for it
    assert "main returned" not in proc.stdout
    assert took < TIMEOUT / 2, f"the process lived {took:.0f} s after a 1.5 s session"


def test_the_launcher_returns_normally_when_nothing_is_stuck():
    import threading
    from osdesk.__main__ import leave_without_hung_workers
    done = threading.Event()
    worker = threading.Thread(target=lambda: done.wait(0.2))
    worker.start()

    leave_without_hung_workers(0, grace=5)  # returns: the worker ended within the grace

    assert not worker.is_alive()
