"""The main window against the embedded demo cloud: pages, refresh, cloud switching."""

from __future__ import annotations

import asyncio
import json

import requests
from PySide6.QtCore import QItemSelectionModel

from osdesk.demo import DemoCloud
from osdesk.profiles.profile import Profile
from osdesk.kinds.registry import KINDS
from tests.gui.conftest import run, until


def demo_profile(demo: DemoCloud, pid: str, name: str) -> Profile:
    fields = {k: v for k, v in demo.profile_fields().items() if k != "password"}
    fields["name"] = name
    return Profile(id=pid, source="demo", **fields)


def open_demo(window, demo, pid="demo-a", name="Demo A"):
    profile = demo_profile(demo, pid, name)
    window.clouds.add_transient_cloud(profile, demo.PASSWORD)
    window.open_profile(profile)
    return profile


def server_ids(demo: DemoCloud) -> set[str]:
    """The demo's servers as a plain client sees them (not through osdesk)."""
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": demo.USERNAME, "domain": {"name": "Default"}, "password": demo.PASSWORD}}},
        "scope": {"project": {"name": "demo", "domain": {"name": "Default"}}}}}
    r = requests.post(demo.auth_url + "/auth/tokens", json=body, timeout=10)
    token = r.headers["X-Subject-Token"]
    r = requests.get(demo.base_url + "/compute/v2.1/servers?limit=1000", timeout=10,
                     headers={"X-Auth-Token": token})
    return {s["id"] for s in r.json()["servers"]}


def test_welcome_page_offers_add_import_and_demo(window):
    assert window.stack.currentWidget() is window.welcome
    texts = {b.text().replace("&", "") for b in (
        window.welcome.add_button, window.welcome.import_button, window.welcome.demo_button)}
    assert texts == {"Add a cloud…", "Import clouds.yaml…", "Open the demo cloud"}
    assert "No cloud is configured" in window.welcome.text.text()


def test_every_page_shows_real_rows_from_the_demo_cloud(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    for kind in KINDS:
        page = window.pages[kind.key]
        window.show_page(kind.key)
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
        assert page.table.isVisible()
    servers = window.pages["servers"].model
    assert set(servers.keys()) == server_ids(demo_cloud)
    assert "Demo A" in window.status_cloud.text() and "demo" in window.status_cloud.text()
    assert window.status_user.text().startswith("User: demo")
    assert window.status_token.text().startswith("Token")
    # the console saw every call, the token request included, and shows no secret
    calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
    assert any(c.url.endswith("/auth/tokens") and c.status == 201 for c in calls)
    dump = json.dumps([c.to_dict() for c in calls], default=str)
    assert demo_cloud.PASSWORD not in dump


def test_refresh_merges_in_place_and_keeps_the_selection(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 5))
    page.table.selectRow(3)
    selected = page.selected_rows()[0]["id"]
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))
    run(loop, page.refresh())
    assert page.feed.state == "ready"
    assert resets == []
    assert [r["id"] for r in page.selected_rows()] == [selected]


def test_a_deleted_server_disappears_on_refresh_without_a_reset(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 5))
    victim = page.model.keys()[0]
    run(loop, window.session.call(window.session.cloud.compute.delete_server, victim))
    resets = []
    page.model.modelReset.connect(lambda: resets.append(1))

    async def refresh_until_gone():
        while page.model.row_for_key(victim) >= 0:
            await page.refresh()
            await asyncio.sleep(0.05)
    run(loop, refresh_until_gone())
    assert resets == []


def test_switching_clouds_mid_request_never_shows_the_old_clouds_rows(window, loop):
    slow = DemoCloud(servers=30, speed=50, seed_value=1).start()
    fast = DemoCloud(servers=4, speed=50, seed_value=2).start()
    try:
        fast_ids = server_ids(fast)
        slow.set_latency(1.0)
        open_demo(window, slow, "slow", "Slow cloud")
        page = window.pages["servers"]
        run(loop, until(lambda: page.feed.state in ("loading", "refreshing")))
        open_demo(window, fast, "fast", "Fast cloud")
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() == 4))
        seen = []
        page.model.rowsInserted.connect(
            lambda *a: seen.append(set(page.model.keys())))
        run(loop, asyncio.sleep(2.5))  # the slow cloud's answers arrive meanwhile
        assert set(page.model.keys()) == fast_ids
        assert all(keys <= fast_ids for keys in seen)
        assert "Fast cloud" in window.status_cloud.text()
    finally:
        slow.stop()
        fast.stop()


def test_a_hanging_cloud_leaves_the_window_responsive_and_cancellable(window, loop, demo_cloud):
    demo_cloud.hang(r"/compute/v2\.1/servers/detail")
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "loading"))
    ticks = []

    async def tick():
        for _ in range(20):
            ticks.append(loop.time())
            await asyncio.sleep(0.02)
    run(loop, tick(), timeout=10)
    # a blocked GUI thread would have stalled the loop for the whole hang
    assert len(ticks) == 20 and ticks[-1] - ticks[0] < 5
    assert page.cancel_button.isVisible()
    page.cancel_button.click()
    assert page.feed.state != "loading"
    demo_cloud.unhang()
    # other pages of the same cloud still work after the cancel
    images = window.pages["images"]
    window.show_page("images")
    run(loop, until(lambda: images.feed.state == "ready" and images.model.rowCount() > 0),
        timeout=60)


def test_project_switch_reloads_pages_for_the_new_project(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    run(loop, until(lambda: window.project_combo.count() == 2))
    demo_keys = set(page.model.keys())
    index = window.project_combo.findText("staging")
    assert index >= 0
    run(loop, window.on_project_combo_activated(index))
    run(loop, until(lambda: page.feed.state == "ready"
                    and window.session.info["project_name"] == "staging"))
    assert not (set(page.model.keys()) & demo_keys)
    assert "staging" in window.status_cloud.text()


def test_unreachable_cloud_shows_the_cause_in_a_banner(window, loop):
    profile = Profile(id="dead", name="Dead cloud", auth_url="http://127.0.0.1:9/v3",
                      username="u", project_name="p", source="demo", timeout=5)
    window.clouds.add_transient_cloud(profile, "x")
    window.open_profile(profile)
    run(loop, until(lambda: window.connect_banner.isVisible()))
    assert "refused the connection" in window.connect_banner.text()


def test_missing_service_page_says_so(window, loop):
    demo = DemoCloud(servers=2, speed=50, services=("identity", "compute", "image")).start()
    try:
        open_demo(window, demo)
        page = window.pages["networks"]
        window.show_page("networks")
        run(loop, until(lambda: page.feed.state == "no-service"))
        assert "no network service" in page.banner.text()
        assert page.empty_label.isVisible()
    finally:
        demo.stop()


def test_filter_box_matches_an_ip_address(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 5))
    server = next(page.model.raw(k) for k in page.model.keys()
                  if page.model.raw(k).get("addresses"))
    ip = next(iter(server["addresses"].values()))[0]["addr"]
    page.filter_edit.setText(ip)
    assert page.proxy.rowCount() >= 1
    shown = {page.proxy.index(r, 0).data(page.model.IdRole) for r in range(page.proxy.rowCount())}
    assert server["id"] in shown


def test_the_welcome_text_is_shown_whole_at_1280x720(window, loop):
    window.resize(1216, 662)  # the window osdesk opens on a 1280×720 screen
    run(loop, until(lambda: window.welcome.text.isVisible()))
    for has_clouds in (False, True):
        window.welcome.set_has_clouds(has_clouds)
        run(loop, asyncio.sleep(0))  # one turn: the layout settles
        text = window.welcome.text
        assert text.height() >= text.heightForWidth(text.width()), has_clouds
        assert text.width() >= 500
