"""Server flows in the window: launch, actions with live status, partial failures."""

from __future__ import annotations

from osdesk.demo import DemoCloud
from osdesk.rules.launch import LaunchRequest
from osdesk.views.launch_dialog import LaunchDialog
from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def statuses_of(page, key):
    """Record every status the row of ``key`` shows from now on."""
    seen = []

    def record(*_):
        raw = page.model.raw(key)
        if raw is not None and (not seen or seen[-1] != raw["status"]):
            seen.append(raw["status"])
    page.model.rowsMerged.connect(record)
    return seen


def launch_choices(window, loop):
    session = window.session
    c = session.cloud
    images = run(loop, session.call(c.image.list_images))
    flavors = run(loop, session.call(c.compute.list_flavors))
    networks = run(loop, session.call(c.network.list_networks))
    return images, flavors, networks


def test_launch_shows_the_row_at_once_and_follows_it_to_active(window, loop, monkeypatch):
    demo = DemoCloud(servers=3, speed=3).start()
    try:
        open_demo(window, demo)
        page = window.pages["servers"]
        run(loop, until(lambda: page.feed.state == "ready"))
        images, flavors, networks = launch_choices(window, loop)
        image = next(i for i in images if i["status"] == "active" and i["name"].startswith("cirros"))
        flavor = next(f for f in flavors if f["disk"] >= (image.get("min_disk") or 0)
                      and f["ram"] >= (image.get("min_ram") or 0))
        net = next(n for n in networks if not n.get("router:external"))
        shown = []

        async def show_once(title, server, secret):
            shown.append(secret)
        monkeypatch.setattr(window.server_actions, "show_once", show_once)
        req = LaunchRequest(name="launched-by-test", image=image, flavor=flavor,
                            networks=[net["id"]])
        before = set(page.model.keys())
        run(loop, window.launcher.launch(window.session, req))
        new = set(page.model.keys()) - before
        assert len(new) == 1, "the new row must appear right after the launch"
        key = new.pop()
        seen = statuses_of(page, key)
        seen.append(page.model.raw(key)["status"])
        run(loop, until(lambda: page.model.raw(key)["status"] == "ACTIVE"
                        and not page.model.raw(key).get("OS-EXT-STS:task_state")), timeout=60)
        assert seen[0] == "BUILD" and seen[-1] == "ACTIVE"
        assert len(shown) == 1 and shown[0]  # adminPass shown once
        assert all(shown[0] not in str(page.model.raw(k)) for k in page.model.keys())
    finally:
        demo.stop()


def test_stop_then_start_follow_the_row(window, loop):
    demo = DemoCloud(servers=0, speed=4).start()
    try:
        open_demo(window, demo)
        page = window.pages["servers"]
        session = window.session
        images, flavors, networks = launch_choices(window, loop)
        image = next(i for i in images if i["status"] == "active" and i["name"].startswith("cirros"))
        net = next(n for n in networks if not n.get("router:external"))
        body = run(loop, session.call(session.cloud.compute.create_server, "vm-a", image["id"],
                                      flavors[-1]["id"], networks=[net["id"]]))
        sid = body["server"]["id"]
        run(loop, page.refresh())
        run(loop, until(lambda: page.model.raw(sid) is not None))
        window.server_actions.follow(sid)
        run(loop, until(lambda: page.model.raw(sid)["status"] == "ACTIVE", timeout=60), timeout=70)
        row = page.model.raw(sid)
        seen = statuses_of(page, sid)
        run(loop, window.server_actions.perform("stop", [row]))
        run(loop, until(lambda: page.model.raw(sid)["status"] == "SHUTOFF"
                        and not page.model.raw(sid)["OS-EXT-STS:task_state"], timeout=60), timeout=70)
        assert seen[-1] == "SHUTOFF"
        # the menu now offers Start and says why Stop is not there
        menu = {a.text().split("  (")[0]: a for a in page.menu_provider(page, [page.model.raw(sid)])
                if a is not None}
        assert menu["Start"].isEnabled()
        assert not menu["Stop"].isEnabled()
        assert menu["Stop"].toolTip() == "needs ACTIVE or ERROR or RESCUE, server is SHUTOFF"
        run(loop, window.server_actions.perform("start", [page.model.raw(sid)]))
        run(loop, until(lambda: page.model.raw(sid)["status"] == "ACTIVE"
                        and not page.model.raw(sid)["OS-EXT-STS:task_state"], timeout=60), timeout=70)
        # every action's exchange is in the console, the 202 included
        calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
        actions = [c for c in calls if c.url.endswith(f"/servers/{sid}/action")]
        assert [c.status for c in actions] == [202, 202]
        assert '"os-stop": null' in actions[0].request_body
    finally:
        demo.stop()


def test_multi_select_reports_each_server_and_continues_after_a_failure(window, loop,
                                                                        answers):
    demo = DemoCloud(servers=12, speed=50).start()
    try:
        open_demo(window, demo)
        page = window.pages["servers"]
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 3))
        active = [page.model.raw(k) for k in page.model.keys()
                  if page.model.raw(k)["status"] == "ACTIVE"
                  and not page.model.raw(k)["locked"]][:3]
        assert len(active) == 3
        failing = active[1]
        demo.fail_next(rf"/servers/{failing['id']}/action", 409, {"conflictingRequest": {
            "code": 409, "message": f"Cannot 'pause' instance {failing['id']} while it is "
                                    f"in task_state powering-off"}})
        answers.on("Pause")
        run(loop, window.server_actions.perform("pause", active))
        # each server's outcome, in the results window that stays until closed
        results = dict(window.server_actions.last_results.results())
        assert "powering-off" in results[failing["name"]]
        assert results[failing["name"]].startswith("failed:")
        assert [results[s["name"]] for s in active if s is not failing] == ["accepted"] * 2
        others = [s["id"] for s in active if s is not failing]
        run(loop, until(lambda: all(page.model.raw(k)["status"] == "PAUSED" for k in others)),
            timeout=60)
        assert page.model.raw(failing["id"])["status"] == "ACTIVE"
        assert "failed" in window.statusBar().currentMessage()
    finally:
        demo.stop()


def test_launch_dialog_refuses_with_reasons(qtbot):
    dialog = LaunchDialog(networks_optional=False)
    qtbot.addWidget(dialog)
    big = {"id": "img", "name": "big", "status": "active", "min_disk": 40, "min_ram": 2048,
           "size": 10 * 2**30}
    gone = {"id": "old", "name": "old", "status": "deactivated", "min_disk": 0, "min_ram": 0}
    tiny = {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}
    large = {"id": "2", "name": "m1.large", "vcpus": 4, "ram": 8192, "disk": 80}
    limits = {"maxTotalInstances": 10, "totalInstancesUsed": 9, "maxTotalCores": 20,
              "totalCoresUsed": 2, "maxTotalRAMSize": 51200, "totalRAMUsed": 0}
    dialog.set_choices(images=[big, gone], flavors=[tiny, large],
                       networks=[{"id": "n1", "name": "private", "subnets": ["s"]}],
                       keypairs=[], security_groups=[{"id": "sg", "name": "default"}],
                       limits=limits)
    assert "The server needs a name." in dialog.problems()
    assert not dialog.launch_button.isEnabled()
    dialog.name_edit.setText("web-1")
    # the small flavor is marked and refused with the reason
    dialog.flavor_combo.setCurrentIndex(dialog.flavor_combo.findData("1"))
    assert "too small" in dialog.flavor_combo.currentText()
    assert any("needs at least 40 GiB" in p for p in dialog.problems())
    dialog.flavor_combo.setCurrentIndex(dialog.flavor_combo.findData("2"))
    assert dialog.problems() == []
    assert dialog.launch_button.isEnabled()
    # two more instances would exceed the instance quota
    dialog.count_spin.setValue(2)
    assert any("Quota: instances would go from 9 to 11, over the limit of 10." == p
               for p in dialog.problems())
    assert "9 → <b>11</b>" in dialog.quota_label.text()
    dialog.count_spin.setValue(1)
    # a deactivated image is refused
    dialog.image_combo.setCurrentIndex(dialog.image_combo.findData("old"))
    assert any("deactivated" in p for p in dialog.problems())
    # networks are required below microversion 2.37
    dialog.image_combo.setCurrentIndex(dialog.image_combo.findData("img"))
    dialog.network_list.item(0).setCheckState(dialog.network_list.item(0).checkState().Unchecked)
    assert "Pick at least one network." in dialog.problems()
    assert not dialog.net_auto.isEnabled()
