"""The real OpenStack services (tests/realcloud), started once per test session.

The session fixture installs them (a no-op when installed), starts them on
127.0.0.1, yields cloud.env as a dict, and stops every process by PID at the end.
RC_KEEP=1 leaves them running; RC_REUSE=1 uses an already running cloud.
"""

from __future__ import annotations

import os
import pathlib
import subprocess

import pytest

from osdesk.api import Cloud, CallLog
from tests.integration.helpers import demo_profile

RC_DIR = pathlib.Path(__file__).resolve().parent.parent / "realcloud"


def _read_env(path: pathlib.Path) -> dict:
    env = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export "):].split("=", 1)
            env[key] = value
    return env


def _cloud_answers(env: dict) -> bool:
    import requests
    try:
        return requests.get(env["OS_AUTH_URL"], timeout=3).status_code == 200
    except requests.RequestException:
        return False


@pytest.fixture(scope="session")
def realcloud():
    env = dict(os.environ)
    rc_home = pathlib.Path(env.setdefault("RC_HOME", os.path.join(env.get("TMPDIR", "/tmp"),
                                                                  "realcloud")))
    cloud_env = rc_home / "cloud.env"
    if env.get("RC_REUSE") == "1" and cloud_env.exists() and _cloud_answers(_read_env(cloud_env)):
        yield _read_env(cloud_env)
        return
    subprocess.run([str(RC_DIR / "install.sh")], check=True, env=env)
    try:
        subprocess.run([str(RC_DIR / "start.sh")], check=True, env=env, timeout=900)
        yield _read_env(cloud_env)
    finally:
        if env.get("RC_KEEP") != "1":
            subprocess.run([str(RC_DIR / "stop.sh"), "--purge"], env=env)


@pytest.fixture
def call_log():
    log = CallLog()
    log.records = []
    log.subscribe(log.records.append)
    return log


@pytest.fixture
def demo_cloud(realcloud, call_log):
    cloud = Cloud(demo_profile(realcloud), realcloud["RC_DEMO_PASSWORD"], call_log=call_log)
    yield cloud
    cloud.close()
