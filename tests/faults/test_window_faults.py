"""The window against a misbehaving cloud: each fault gives a sentence naming its cause,
the event loop keeps ticking, and the same window works again once the fault is gone.

Faults are injected by a loopback proxy (tests/faults/misbehaving.py) in front of a
DemoCloud, so everything else about the cloud stays real.
"""

from __future__ import annotations

import json
import time

import pytest

from osdesk.api.calllog import MAX_BODY_CHARS
from osdesk.demo import DemoCloud
from osdesk.rules.launch import LaunchRequest
from osdesk.profiles.profile import Profile
from tests.faults.conftest import demo_profile, run, ticking, until
from tests.faults.misbehaving import (closed_port, delayed, huge_json, make_tls_files,
                                      never_answer, reset_mid_body, respond, rewrite_json,
                                      then_forward, truncated_body)

pytestmark = pytest.mark.faults

#: The loop may be starved this long at most (a behaviour bound, not a benchmark).
MAX_STALL = 1.0
#: ... except for the one ``json.loads`` of a 50 MB body, which holds the GIL throughout.
MAX_STALL_ONE_PARSE = 2.0
SERVERS = r"/compute/v2\.1/servers/detail"


def open_profile(window, profile: Profile, secret: str) -> None:
    window.clouds.add_transient_cloud(profile, secret)
    window.open_profile(profile)


def auth_posts(window) -> int:
    calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
    return sum(1 for c in calls if c.method == "POST" and c.url.endswith("/auth/tokens"))


async def healthy_refresh(window, page_key: str = "servers", rows: int | None = None):
    """A refresh of the page on the same window succeeds: the app kept working."""
    page = window.pages[page_key]
    window.show_page(page_key)
    await page.refresh()
    await until(lambda: page.feed.state == "ready", what=f"{page_key} ready")
    assert not page.banner.isVisible() or page.feed.message == ""
    if rows is not None:
        assert page.model.rowCount() == rows
    else:
        assert page.model.rowCount() > 0


@pytest.fixture
def rig(window, loop, demo_cloud, proxies):
    """The window with the demo cloud opened through a fault proxy, servers loaded."""
    proxy = proxies(demo_cloud.base_url)
    profile = demo_profile(demo_cloud, "faulty", "Faulty cloud", base_url=proxy.base_url,
                           timeout=1.5)
    open_profile(window, profile, demo_cloud.PASSWORD)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() == 25,
                    what="first load"))
    return window, loop, demo_cloud, proxy


def nova(key: str, code: int, message: str) -> dict:
    return {key: {"code": code, "message": message}}


HTML_502 = ("<html><head><title>502 Bad Gateway</title></head><body>\n"
            "<h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n"
            "</body></html>\n")
CAPTIVE = ("<!DOCTYPE html><html><head><title>Hotel WiFi</title><script>var x = 1;</script>"
           "</head><body><h1>Welcome!</h1><p>Please accept the terms to get online.</p>"
           "</body></html>")

#: (fault, action on the servers list, words the page banner must show)
LIST_FAULTS = [
    ("403 forbidden", lambda: respond(403, nova(
        "forbidden", 403, "Policy doesn't allow os_compute_api:servers:detail to be performed.")),
     ["Policy doesn't allow", "HTTP 403"]),
    ("404 not found", lambda: respond(404, nova(
        "itemNotFound", 404, "The resource could not be found.")),
     ["could not be found", "HTTP 404"]),
    ("500 server error", lambda: respond(500, nova(
        "computeFault", 500, "Unexpected API Error. Please report this at "
        "http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.")),
     ["Unexpected API Error", "HTTP 500"]),
    ("503 with Retry-After", lambda: respond(
        503, "<html><body><h1>503 Service Unavailable</h1>No server is available to handle "
             "this request.</body></html>", content_type="text/html",
        headers={"Retry-After": "120"}),
     ["No server is available", "HTTP 503", "retry after 120 s"]),
    ("HTML error page", lambda: respond(502, HTML_502, content_type="text/html"),
     ["502 Bad Gateway", "invalid or incomplete response", "HTTP 502"]),
    ("HTML page with 200", lambda: respond(200, CAPTIVE, content_type="text/html"),
     ["compute", "HTML page", "Hotel WiFi"]),
    ("invalid JSON", lambda: respond(200, "{'servers': []}"),
     ["compute", "not valid JSON"]),
    ("truncated JSON", lambda: truncated_body(0.5),
     ["compute", "not valid JSON"]),
    ("connection reset mid-body", lambda: reset_mid_body(0.5),
     ["Compute (Nova) at 127.0.0.1:", "broke in the middle of an answer"]),
    ("timeout", lambda: delayed(4.0),
     ["Compute (Nova) at 127.0.0.1:", "did not answer within 1.5 s"]),
    ("accepts and never answers", never_answer,
     ["Compute (Nova) at 127.0.0.1:", "did not answer within 1.5 s"]),
]


@pytest.mark.parametrize("name,make_action,words", LIST_FAULTS, ids=[f[0] for f in LIST_FAULTS])
def test_list_fault_is_named_and_the_window_recovers(rig, recorder, name, make_action, words):
    window, loop, demo, proxy = rig
    page = window.pages["servers"]
    with recorder.fault(name):
        async def scenario():
            proxy.add(SERVERS, make_action())
            with ticking(loop) as ticker:
                page.refresh()
                await until(lambda: page.feed.state == "error", timeout=20, what="error state")
                text = page.banner.text()
                assert page.banner.isVisible()
                for word in words:
                    assert word in text, f"{word!r} not in {text!r}"
                # the rows of the last good load stay; the window still answers
                assert page.model.rowCount() == 25
                assert window.status_cloud.text().startswith("Faulty cloud")
                proxy.clear()
                await healthy_refresh(window, rows=25)
            recorder.stalls[name] = ticker.max_gap()
            assert ticker.max_gap() < MAX_STALL, f"loop starved {ticker.max_gap():.2f} s"
        run(loop, scenario())


def test_401_mid_session_reauthenticates_once_quietly(rig, recorder):
    window, loop, demo, proxy = rig
    page = window.pages["servers"]
    with recorder.fault("401 mid-session"):
        async def scenario():
            before = auth_posts(window)
            proxy.add(SERVERS, respond(401, {"error": {
                "code": 401, "title": "Unauthorized",
                "message": "The request you have made requires authentication."}},
                headers={"WWW-Authenticate": 'Keystone uri="%s"' % proxy.base_url}))
            with ticking(loop) as ticker:
                await page.refresh()
                await until(lambda: page.feed.state == "ready", what="ready")
            assert page.feed.message == "" and not page.banner.isVisible()
            assert page.model.rowCount() == 25
            assert auth_posts(window) == before + 1  # one quiet re-authentication
            recorder.stalls["401 mid-session"] = ticker.max_gap()
            assert ticker.max_gap() < MAX_STALL
        run(loop, scenario())


def test_token_expiring_during_a_long_list(window, loop, proxies, recorder):
    demo = DemoCloud(servers=1200, speed=50, seed_value=7).start()
    try:
        proxy = proxies(demo.base_url)
        open_profile(window, demo_profile(demo, "long", "Long cloud", base_url=proxy.base_url),
                     demo.PASSWORD)
        page = window.pages["servers"]
        run(loop, until(lambda: window.session is not None and window.session.info,
                        what="login"))
        with recorder.fault("token expires during a long list"):
            async def scenario():
                await until(lambda: page.feed.state == "ready", timeout=60, what="first load")
                before = auth_posts(window)
                # the second page is asked with a token the cloud no longer accepts
                proxy.add(SERVERS + r"\?.*marker=", then_forward(demo.state.expire_tokens))
                with ticking(loop) as ticker:
                    await page.refresh()
                    await until(lambda: page.feed.state == "ready", timeout=60, what="ready")
                assert page.feed.message == "" and not page.banner.isVisible()
                assert page.model.rowCount() == 1200
                assert auth_posts(window) == before + 1
                recorder.stalls["token expires during a long list"] = ticker.max_gap()
                assert ticker.max_gap() < MAX_STALL
            run(loop, scenario(), timeout=120)
    finally:
        demo.stop()


def test_409_from_nova_is_shown_with_novas_message(rig, recorder, dialogs):
    window, loop, demo, proxy = rig
    page = window.pages["servers"]
    with recorder.fault("409 with Nova's message"):
        async def scenario():
            stale = next(page.model.raw(k) for k in page.model.keys()
                         if page.model.raw(k)["status"] == "SHUTOFF")
            # someone else starts it meanwhile; the row still says SHUTOFF
            await window.session.call(window.session.cloud.compute.start, stale["id"])
            demo.state.settle()
            with ticking(loop) as ticker:
                await window.server_actions.perform("start", [stale])
                (kind, title, text), = dialogs
                assert (kind, title) == ("warning", "Start")
                assert (f"Cannot 'start' instance {stale['id']} while it is in vm_state "
                        f"active") in text
                assert "HTTP 409" in text
                await healthy_refresh(window, rows=25)
                assert page.model.raw(stale["id"])["status"] == "ACTIVE"
            recorder.stalls["409 with Nova's message"] = ticker.max_gap()
            assert ticker.max_gap() < MAX_STALL
        run(loop, scenario())


def test_413_on_launch_is_shown(rig, recorder, dialogs, monkeypatch):
    window, loop, demo, proxy = rig
    shown = []

    async def show_once(*args):
        shown.append(args)
    monkeypatch.setattr(window.server_actions, "show_once", show_once)
    with recorder.fault("413 request too large"):
        async def scenario():
            session = window.session
            images = await session.call(session.cloud.image.list_images)
            flavors = await session.call(session.cloud.compute.list_flavors)
            networks = await session.call(session.cloud.network.list_networks)
            image = next(i for i in images if i["name"].startswith("cirros"))
            flavor = next(f for f in flavors if f["name"] == "m1.tiny")
            private = next(n for n in networks if not n.get("router:external")
                           and n["name"] != "backend")
            req = LaunchRequest(name="too-big", image=image, flavor=flavor,
                                networks=[private["id"]],
                                metadata={f"k{i}": "v" for i in range(200)})
            proxy.add(r"/compute/v2\.1/servers$", respond(413, nova(
                "overLimit", 413, "Maximum number of metadata items exceeds 128")),
                method="POST")
            with ticking(loop) as ticker:
                await window.launcher.launch(session, req)
                (kind, title, text), = dialogs
                assert (kind, title) == ("warning", "Launch instance")
                assert "Nova refused the launch" in text
                assert "Maximum number of metadata items exceeds 128" in text
                assert "HTTP 413" in text
                # and the same launch, smaller, goes through
                dialogs.clear()
                await window.launcher.launch(session, LaunchRequest(
                    name="fits", image=image, flavor=flavor, networks=[private["id"]]))
                assert dialogs == [] and shown  # the admin password is shown once
                page = window.pages["servers"]
                await until(lambda: any(page.model.raw(k)["name"] == "fits"
                                        for k in page.model.keys()), what="new row")
            recorder.stalls["413 request too large"] = ticker.max_gap()
            assert ticker.max_gap() < MAX_STALL
        run(loop, scenario())


def test_50_mb_body_neither_freezes_the_window_nor_fills_the_console(rig, recorder,
                                                                     monkeypatch):
    """A cloud that ignores ``limit`` and answers one list call with 50 MB (35,000 servers).

    CPython's ``json.loads`` holds the GIL for the whole document (~0.9 s here for 50 MB,
    from a worker thread too; DESIGN.md measured 0.8 s for 26 MB), so one stall of that
    length cannot be avoided without refusing the body. What is checked: the GUI thread
    never works on the rows for long (merges are sliced), the loop keeps ticking through
    the seconds the body takes, and the console keeps 256 KB of it, not 50 MB.
    """
    window, loop, demo, proxy = rig
    page = window.pages["servers"]
    template = page.model.raw(page.model.keys()[0])

    def server(i):
        s = dict(template)
        s["id"] = f"00000000-0000-4000-8000-{i:012d}"
        s["name"] = f"flood-{i:06d}"
        return s
    body = huge_json("servers", server, 50 * 1024 * 1024)
    count = body.count(b'"flood-')
    merges: list[float] = []
    merge_page = page.model.merge_page

    def timed_merge(rows):
        # CPU time of the GUI thread: the wall time would also count the waits for the
        # GIL while a worker parses the body (the ticker below measures those)
        start = time.thread_time()
        try:
            return merge_page(rows)
        finally:
            merges.append(time.thread_time() - start)
    monkeypatch.setattr(page.model, "merge_page", timed_merge)
    with recorder.fault("50 MB body"):
        async def scenario():
            proxy.add(SERVERS, respond(200, body))
            with ticking(loop) as ticker:
                started = loop.time()
                await page.refresh()
                await until(lambda: page.feed.state in ("ready", "error"), timeout=120,
                            what="end of the refresh")
                elapsed = loop.time() - started
            recorder.stalls["50 MB body"] = ticker.max_gap()
            if page.feed.state == "ready":
                assert page.model.rowCount() == count  # the flood replaced the 25
            else:  # refusing it is fine too, with a reason
                assert "MB" in page.banner.text()
            model = window.api_log_model
            big = [model.call_at(r) for r in range(model.rowCount())
                   if model.call_at(r).url.split("?")[0].endswith("/servers/detail")][-1]
            assert len(big.response_body) <= MAX_BODY_CHARS + 100
            assert big.response_json is None
            assert max(merges, default=0) < 0.25, f"one merge took {max(merges):.2f} s"
            gap = ticker.max_gap()
            assert gap < MAX_STALL_ONE_PARSE, f"loop starved {gap:.2f} s"
            assert gap < elapsed / 2, f"loop starved {gap:.2f} s of {elapsed:.2f} s"
            proxy.clear()
            await healthy_refresh(window, rows=25)
        run(loop, scenario(), timeout=240)


@pytest.mark.qt_no_exception_capture  # the ValueError is the bug; let it reach the excepthook
def test_wrongly_typed_values_in_an_answer_do_not_break_the_launch_dialog(rig):
    window, loop, demo, proxy = rig
    from osdesk.views.launch_dialog import LaunchDialog

    def text_min_disk(body):
        for image in body.get("images", []):
            image["min_disk"] = "10GB"
        return body
    proxy.add(r"/image/v2/images", rewrite_json(text_min_disk), times=None)
    window.launcher.on_launch()
    dialog = window.findChildren(LaunchDialog)[-1]
    run(loop, until(lambda: (dialog.image_combo.count() and dialog.flavor_combo.count())
                    or (not dialog.loading_label.isHidden()
                        and dialog.loading_label.text().startswith("Could not load")),
                    timeout=5, what="the choices or an error"))


# ------------------------------------------------------------- connect faults
def test_connection_refused(window, loop, demo_cloud, recorder):
    with recorder.fault("connection refused"):
        port = closed_port()
        profile = Profile(id="dead", name="Dead cloud", auth_url=f"http://127.0.0.1:{port}/v3",
                          username="u", project_name="p", source="demo", timeout=5)
        with ticking(loop) as ticker:
            open_profile(window, profile, "x")
            run(loop, until(lambda: window.connect_banner.isVisible(), what="banner"))
            text = window.connect_banner.text()
            assert "Dead cloud" in text
            assert f"Identity (Keystone) at 127.0.0.1:{port} refused the connection" in text
            open_profile(window, demo_profile(demo_cloud, "good", "Good cloud"),
                         demo_cloud.PASSWORD)
            run(loop, healthy_refresh(window, rows=25))
        assert not window.connect_banner.isVisible()
        recorder.stalls["connection refused"] = ticker.max_gap()
        assert ticker.max_gap() < MAX_STALL


def test_unknown_host(window, loop, demo_cloud, recorder):
    with recorder.fault("unknown host"):
        profile = Profile(id="nowhere", name="Nowhere cloud",
                          auth_url="http://keystone.osdesk-fault.invalid:5000/v3",
                          username="u", project_name="p", source="demo", timeout=5)
        with ticking(loop) as ticker:
            open_profile(window, profile, "x")
            run(loop, until(lambda: window.connect_banner.isVisible(), what="banner"))
            text = window.connect_banner.text()
            assert "Identity (Keystone) at keystone.osdesk-fault.invalid:5000" in text
            assert "could not be resolved" in text
            open_profile(window, demo_profile(demo_cloud, "good", "Good cloud"),
                         demo_cloud.PASSWORD)
            run(loop, healthy_refresh(window, rows=25))
        recorder.stalls["unknown host"] = ticker.max_gap()
        assert ticker.max_gap() < MAX_STALL


def test_tls_self_signed_fails_then_works_with_the_ca_bundle(window, loop, demo_cloud, proxies,
                                                              tmp_path, recorder):
    tls = make_tls_files(tmp_path / "tls")
    proxy = proxies(demo_cloud.base_url, tls=tls)
    assert proxy.base_url.startswith("https://")
    with recorder.fault("TLS failure, then the CA bundle"):
        with ticking(loop) as ticker:
            open_profile(window, demo_profile(demo_cloud, "tls", "TLS cloud",
                                              base_url=proxy.base_url), demo_cloud.PASSWORD)
            run(loop, until(lambda: window.connect_banner.isVisible(), what="banner"))
            text = window.connect_banner.text()
            assert "TLS check failed" in text and "CERTIFICATE_VERIFY_FAILED" in text
            assert "CA bundle" in text  # says what to do about it
            open_profile(window, demo_profile(demo_cloud, "tls-ca", "TLS cloud with CA",
                                              base_url=proxy.base_url, cacert=str(tls.ca_cert)),
                         demo_cloud.PASSWORD)
            run(loop, healthy_refresh(window, rows=25))
        assert not window.connect_banner.isVisible()
        urls = [window.api_log_model.call_at(r).url
                for r in range(window.api_log_model.rowCount())]
        assert any(u.startswith(proxy.base_url + "/compute/") for u in urls)
        recorder.stalls["TLS failure, then the CA bundle"] = ticker.max_gap()
        assert ticker.max_gap() < MAX_STALL


def test_catalog_without_the_network_service(window, loop, recorder):
    demo = DemoCloud(servers=3, speed=50, services=("identity", "compute", "image")).start()
    try:
        with recorder.fault("catalog without network"):
            open_profile(window, demo_profile(demo, "nonet", "No-network cloud"), demo.PASSWORD)
            for key in ("networks", "subnets", "floating_ips"):
                page = window.pages[key]
                window.show_page(key)
                run(loop, until(lambda: page.feed.state == "no-service", what=key))
                assert "no network service" in page.banner.text()
            run(loop, healthy_refresh(window, "servers", rows=3))
            run(loop, healthy_refresh(window, "images"))
            assert not window.connect_banner.isVisible()
    finally:
        demo.stop()


def test_console_record_of_a_fault_keeps_its_cause(rig, recorder):
    """The console shows the failed exchange (no answer: an error sentence)."""
    window, loop, demo, proxy = rig
    page = window.pages["servers"]
    proxy.add(SERVERS, reset_mid_body(0.3))

    async def scenario():
        await page.refresh()
        await until(lambda: page.feed.state == "error", what="error")
    run(loop, scenario())
    model = window.api_log_model
    failed = [model.call_at(r) for r in range(model.rowCount()) if model.call_at(r).error]
    assert failed and "servers/detail" in failed[-1].url
    assert json.dumps(failed[-1].to_dict(), default=str)
