"""The window against the real OpenStack services: every page, the Nova scenario."""

from __future__ import annotations

import json

import pytest

from osdesk.rules.launch import LaunchRequest
from tests.gui.conftest import (call_log, isolated_settings, loop, run, until,  # noqa: F401
                                window)
from tests.integration.helpers import demo_profile, unique

pytestmark = pytest.mark.realcloud


def open_realcloud(window, rc):
    profile = demo_profile(rc, id="realcloud-demo", source="demo")
    window.clouds.add_transient_cloud(profile, rc["RC_DEMO_PASSWORD"])
    window.open_profile(profile)
    return profile


def test_every_page_lists_the_real_clouds_resources(window, loop, realcloud):
    session_keypair = unique("kp")
    open_realcloud(window, realcloud)
    run(loop, until(lambda: window.session is not None and window.session.info), timeout=60)
    session = window.session
    run(loop, session.call(session.cloud.compute.create_keypair, session_keypair), timeout=60)
    try:
        expect = {"images": "cirros-like", "flavors": "m1.tiny", "networks": "demo-net",
                  "subnets": "demo-subnet", "routers": "demo-router", "projects": "demo",
                  "keypairs": session_keypair, "security_groups": "default",
                  "floating_ips": None, "servers": None, "ports": None, "volumes": None,
                  "volume_snapshots": None}
        for key, name in expect.items():
            page = window.pages[key]
            window.show_page(key)
            run(loop, until(lambda: page.feed.state in ("ready", "error")), timeout=90)
            assert page.feed.state == "ready", page.feed.message
            if name:
                names = {(page.model.raw(k) or {}).get("name") for k in page.model.keys()}
                assert name in names, (key, names)
        assert "realcloud-demo" in window.status_cloud.text()
    finally:
        run(loop, session.call(session.cloud.compute.delete_keypair, session_keypair))


def test_nova_scenario_in_the_window(window, loop, realcloud, monkeypatch, answers):
    open_realcloud(window, realcloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready"), timeout=90)
    session = window.session
    cloud = session.cloud
    image = run(loop, session.call(cloud.image.get_image, realcloud["RC_IMAGE_ID"]))
    flavor = run(loop, session.call(cloud.compute.get_flavor, realcloud["RC_FLAVOR_TINY_ID"]))
    answers.default = "go"  # confirm what is asked, close every message
    warnings = answers.warnings
    shown = []

    async def show_once(title, server, secret):
        shown.append(secret)
    monkeypatch.setattr(window.server_actions, "show_once", show_once)
    name = unique("gui-vm")
    req = LaunchRequest(name=name, image=image, flavor=flavor,
                        networks=[realcloud["RC_DEMO_NET_ID"]])
    run(loop, window.launcher.launch(session, req), timeout=90)
    sid = next(k for k in page.model.keys() if page.model.raw(k)["name"] == name)
    assert page.model.raw(sid)["status"] == "BUILD"

    def settled(status):
        return lambda: (page.model.raw(sid) or {}).get("status") == status and \
            not page.model.raw(sid).get("OS-EXT-STS:task_state")

    try:
        run(loop, until(settled("ACTIVE"), timeout=120), timeout=130)
        assert shown and shown[0]
        for action, status in (("stop", "SHUTOFF"), ("start", "ACTIVE"),
                               ("reboot_soft", "ACTIVE"), ("pause", "PAUSED"),
                               ("unpause", "ACTIVE"), ("suspend", "SUSPENDED"),
                               ("resume", "ACTIVE")):
            run(loop, window.server_actions.perform(action, [page.model.raw(sid)]), timeout=60)
            assert not warnings(), (action, warnings())
            run(loop, until(settled(status), timeout=120), timeout=130)
        run(loop, window.server_actions.perform("lock", [page.model.raw(sid)]), timeout=60)
        run(loop, until(lambda: page.model.raw(sid)["locked"] is True, timeout=60), timeout=70)
        menu = {a.text().split("  (")[0]: a
                for a in page.menu_provider(page, [page.model.raw(sid)]) if a is not None}
        assert not menu["Stop"].isEnabled() and "locked" in menu["Stop"].toolTip()
        run(loop, window.server_actions.perform("unlock", [page.model.raw(sid)]), timeout=60)
        run(loop, until(lambda: page.model.raw(sid)["locked"] is False, timeout=60), timeout=70)
        log = run(loop, session.call(cloud.compute.console_output, sid, 20))
        assert "FAKE CONSOLE OUTPUT" in log
        # the console dock holds every action's raw exchange
        calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
        action_calls = [c for c in calls if c.url.endswith(f"/servers/{sid}/action")]
        by_action = {next(iter(json.loads(c.request_body))):
                     c.status for c in action_calls}
        assert by_action == {"os-stop": 202, "os-start": 202, "reboot": 202, "pause": 202,
                             "unpause": 202, "suspend": 202, "resume": 202, "lock": 202,
                             "unlock": 202, "os-getConsoleOutput": 200}
    finally:
        run(loop, window.server_actions.perform("delete", [page.model.raw(sid)]), timeout=60)
    run(loop, until(lambda: page.model.raw(sid) is None, timeout=120), timeout=130)


def test_images_networks_and_keypairs_through_the_window(window, loop, realcloud, answers,
                                                         tmp_path):
    import hashlib
    import os
    answers.default = "go"  # confirm what is asked, close every message
    open_realcloud(window, realcloud)
    run(loop, until(lambda: window.session is not None and window.session.info), timeout=60)
    images_page, nets_page = window.pages["images"], window.pages["networks"]
    image_actions, key_actions, net_actions = (
        window.page_actions[k] for k in ("images", "keypairs", "networks"))
    # upload a few MB through the page's own flow, with its progress dialog
    data = os.urandom(2 * 1024 * 1024 + 5)
    src = tmp_path / "upload.raw"
    src.write_bytes(data)
    name = unique("gui-img")
    run(loop, image_actions.create({"name": name, "path": str(src), "disk_format": "raw",
                                    "container_format": "bare", "visibility": "private",
                                    "min_disk": 0, "min_ram": 0, "protected": False,
                                    "tags": ["osdesk"]}), timeout=120)
    assert not answers.warnings(), answers.warnings()
    run(loop, until(lambda: any((images_page.model.raw(k) or {}).get("name") == name
                                for k in images_page.model.keys())), timeout=60)
    image = next(images_page.model.raw(k) for k in images_page.model.keys()
                 if images_page.model.raw(k)["name"] == name)
    assert image["checksum"] == hashlib.md5(data).hexdigest()
    assert image["status"] == "active"
    run(loop, image_actions.perform("deactivate", [image]), timeout=60)
    run(loop, until(lambda: images_page.model.raw(image["id"])["status"] == "deactivated"),
        timeout=60)
    menu = [a for a in images_page.menu_provider(images_page, [images_page.model.raw(image["id"])])
            if a is not None]
    assert any(a.text() == "Reactivate" for a in menu)
    run(loop, image_actions.delete([images_page.model.raw(image["id"])]), timeout=60)
    run(loop, until(lambda: images_page.model.raw(image["id"]) is None), timeout=60)

    # a network with its first subnet, then Neutron's "in use" message on delete
    net_name = unique("gui-net")
    run(loop, net_actions.create(net_name, {"cidr": "192.168.91.0/24", "name": net_name + "-sub",
                                            "ip_version": 4, "gateway_ip": True,
                                            "enable_dhcp": True, "dns_nameservers": None}),
        timeout=60)
    assert not answers.warnings(), answers.warnings()
    run(loop, until(lambda: any((nets_page.model.raw(k) or {}).get("name") == net_name
                                for k in nets_page.model.keys())), timeout=60)
    net = next(nets_page.model.raw(k) for k in nets_page.model.keys()
               if nets_page.model.raw(k)["name"] == net_name)
    session = window.session
    port = run(loop, session.call(session.cloud.network.create, "ports", {"network_id": net["id"]}))
    run(loop, net_actions.delete([net]), timeout=60)
    assert len(answers.warnings()) == 1 and "in use" in answers.warnings()[0], answers.warnings()
    run(loop, session.call(session.cloud.network.delete, "ports", port["id"]))
    answers.seen.clear()
    run(loop, net_actions.delete([net]), timeout=60)
    assert not answers.warnings(), answers.warnings()
    run(loop, until(lambda: nets_page.model.raw(net["id"]) is None), timeout=60)

    # key pair import through the page, then delete
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    from osdesk.views.keypair_views import public_key_problem
    public = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    assert public_key_problem(public) == ""
    kp_name = unique("gui-kp")
    keys_page = window.pages["keypairs"]
    run(loop, key_actions.do_import(kp_name, public), timeout=60)
    run(loop, until(lambda: keys_page.model.raw(kp_name) is not None), timeout=60)
    run(loop, key_actions.delete([keys_page.model.raw(kp_name)]), timeout=60)
    run(loop, until(lambda: keys_page.model.raw(kp_name) is None), timeout=60)
    assert not answers.warnings(), answers.warnings()
