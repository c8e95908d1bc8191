"""The public knobs: fault injection, latency, hanging requests, CLI, profile fields."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
import requests

from demo_helpers import make_session, nova, token_for

from osdesk.demo import DemoCloud

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_profile_fields_and_constants(demo):
    f = demo.profile_fields()
    assert set(f) == {"name", "auth_url", "auth_type", "username", "user_domain_name",
                      "project_name", "project_domain_name", "region_name", "interface"}
    assert f["name"] == "Demo cloud"
    assert f["auth_url"] == demo.auth_url == demo.base_url + "/identity/v3"
    assert f["auth_type"] == "password"
    assert (f["username"], f["user_domain_name"], f["project_name"],
            f["project_domain_name"], f["region_name"], f["interface"]) == (
        "demo", "Default", "demo", "Default", "RegionOne", "public")
    assert (demo.USERNAME, demo.PASSWORD, demo.PROJECT_NAME, demo.USER_DOMAIN) == (
        "demo", "osdesk-demo", "demo", "Default")
    assert demo.base_url.startswith("http://127.0.0.1:") and demo.port > 0
    assert demo.APP_CRED_ID and demo.APP_CRED_SECRET


def test_fail_next_service_shaped_and_custom(demo, compute):
    demo.state.fail_next(r"/compute/v2\.1/servers/detail$", 503)
    r = compute.get("/servers/detail", raise_exc=False)
    assert r.status_code == 503
    assert r.json()["serviceUnavailable"]["code"] == 503
    assert r.headers["x-compute-request-id"].startswith("req-")
    assert compute.get("/servers/detail").status_code == 200  # only once
    demo.state.fail_next(r"/networking/v2\.0/networks", 500, {"custom": True}, times=2)
    tok = token_for(demo)
    for _ in range(2):
        r = requests.get(demo.base_url + "/networking/v2.0/networks",
                         headers={"X-Auth-Token": tok})
        assert r.status_code == 500 and r.json() == {"custom": True}
    assert requests.get(demo.base_url + "/networking/v2.0/networks",
                        headers={"X-Auth-Token": tok}).status_code == 200
    demo.state.fail_next(r"/image/v2/images$", 500, "boom", method="GET")
    r = requests.get(demo.base_url + "/image/v2/images", headers={"X-Auth-Token": tok})
    assert r.status_code == 500 and r.text == "boom"
    demo.state.fail_next(r"/image/v2/images$", 413)
    r = requests.get(demo.base_url + "/image/v2/images", headers={"X-Auth-Token": tok})
    assert r.status_code == 413 and "413" in r.text
    demo.state.fail_next(r"/auth/tokens", 401)
    r = requests.post(demo.auth_url + "/auth/tokens", json={})
    assert r.status_code == 401 and r.json()["error"]["code"] == 401
    demo.state.clear_failures()


def test_latency(demo, compute):
    demo.set_latency(0.3)
    try:
        t = time.monotonic()
        compute.get("/flavors")
        elapsed = time.monotonic() - t
    finally:
        demo.set_latency(0)
    assert elapsed >= 0.3  # the delay is added (a lower bound, not a timing assertion)


def test_hang_unhang_and_stop_releases():
    cloud = DemoCloud(servers=2).start()
    try:
        tok = token_for(cloud)
        cloud.hang(r"/compute/v2\.1/servers")
        results = {}

        def call(key):
            try:
                results[key] = requests.get(cloud.base_url + "/compute/v2.1/servers",
                                            headers={"X-Auth-Token": tok}, timeout=30).status_code
            except requests.RequestException as e:
                results[key] = type(e).__name__
        t = threading.Thread(target=call, args=("first",))
        t.start()
        t.join(0.5)
        assert t.is_alive() and "first" not in results  # still hanging
        # other paths are not affected
        assert requests.get(cloud.base_url + "/compute/v2.1/flavors",
                            headers={"X-Auth-Token": tok}, timeout=30).status_code == 200
        cloud.unhang()
        t.join(30)
        assert results["first"] == 200
        cloud.hang(r"/servers")
        t2 = threading.Thread(target=call, args=("second",))
        t2.start()
        t2.join(0.3)
        assert t2.is_alive()
    finally:
        cloud.stop()
    t2.join(30)
    assert not t2.is_alive()
    assert results["second"] != 200  # the connection was dropped by stop()


def test_concurrent_clients(demo):
    sess = make_session(demo)
    api = nova(sess)
    errors = []

    def worker():
        try:
            for _ in range(10):
                assert api.get("/servers/detail").status_code == 200
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
    threads = [threading.Thread(target=worker) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors


def test_unknown_paths_and_methods(demo):
    tok = token_for(demo)
    h = {"X-Auth-Token": tok}
    r = requests.get(demo.base_url + "/nothing-here")
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")
    r = requests.get(demo.base_url + "/compute/v2.1/nothing", headers=h)
    assert r.status_code == 404 and r.json()["itemNotFound"]["code"] == 404
    r = requests.delete(demo.base_url + "/compute/v2.1/flavors", headers=h)
    assert r.status_code == 405
    r = requests.head(demo.base_url + "/compute/v2.1/servers", headers=h)
    assert r.status_code == 200 and r.content == b""
    r = requests.get(demo.base_url + "/compute/v2.1/%s/servers" % demo.PROJECT_ID, headers=h)
    assert r.status_code == 200  # legacy project-id-in-URL form


def test_services_argument_validation():
    with pytest.raises(ValueError):
        DemoCloud(servers=0, services=("compute",))
    with pytest.raises(ValueError):
        DemoCloud(servers=0, services=("identity", "volume"))
    cloud = DemoCloud(servers=0).start()
    try:
        api = nova(make_session(cloud))
        assert api.get("/servers").json() == {"servers": []}
    finally:
        cloud.stop()
    cloud.stop()  # idempotent


def test_python_m_osdesk_demo_prints_auth_url():
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.Popen([sys.executable, "-m", "osdesk.demo", "--servers", "3"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=ROOT)
    try:
        auth_url = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("auth URL:"):
                auth_url = line.split(":", 1)[1].strip()
                break
        assert auth_url and auth_url.startswith("http://127.0.0.1:")
        assert auth_url.endswith("/identity/v3")
        r = requests.get(auth_url, timeout=30)
        assert r.json()["version"]["id"] == "v3.14"
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:  # pragma: no cover
            proc.kill()
            proc.wait(30)
    assert proc.returncode == 0
