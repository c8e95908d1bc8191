"""Every server action: accepted sample bodies, nova-like transitions and 409s.

The cloud's clock is frozen here, so each intermediate state can be observed, and
``state.advance()`` moves time forward to finish a transition (no sleeps, no timing).
"""

from __future__ import annotations

import copy

import pytest
import requests

from demo_helpers import boot, find_server, make_session, nova, sample

from osdesk.demo import DemoCloud

S = "nova/doc/api_samples/"


@pytest.fixture(scope="module")
def cloud():
    c = DemoCloud(servers=12, speed=1.0).start()
    c.state.freeze_clock()
    c.state.set_quota("demo", instances=1000, cores=10000, ram=10 ** 8)
    yield c
    c.stop()


@pytest.fixture(scope="module")
def api(cloud):
    return nova(make_session(cloud), "2.96")


def srv(api, sid):
    return api.get("/servers/%s" % sid).json()["server"]


def act(api, sid, body, **kw):
    return api.post("/servers/%s/action" % sid, json=body, raise_exc=False, **kw)


def finish(cloud):
    cloud.state.advance(30)


def conflict(r):
    assert r.status_code == 409, r.text
    return r.json()["conflictingRequest"]["message"]


@pytest.fixture
def fresh(cloud, api):
    sid = boot(api, cloud, "act-%d" % cloud.state.next_seq(), wait=False)
    assert srv(api, sid)["status"] == "BUILD"
    finish(cloud)
    assert srv(api, sid)["status"] == "ACTIVE"
    return sid


def test_build_goes_through_nova_task_states(cloud, api):
    sid = boot(api, cloud, "build-steps", wait=False)
    seen = []
    for _ in range(6):
        s = srv(api, sid)
        seen.append((s["status"], s["OS-EXT-STS:task_state"]))
        cloud.state.advance(1.0)
    assert seen[0] == ("BUILD", "scheduling")
    assert ("BUILD", "networking") in seen and ("BUILD", "spawning") in seen
    assert seen[-1] == ("ACTIVE", None)


def test_stop_and_start(cloud, api, fresh):
    r = act(api, fresh, sample(S + "servers/server-action-stop.json"))
    assert r.status_code == 202 and r.content == b""
    s = srv(api, fresh)
    assert s["status"] == "ACTIVE" and s["OS-EXT-STS:task_state"] == "powering-off"
    msg = conflict(act(api, fresh, {"os-stop": None}))
    assert msg == "Cannot 'stop' instance %s while it is in task_state powering-off" % fresh
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "SHUTOFF" and s["OS-EXT-STS:power_state"] == 4
    assert s["OS-EXT-STS:vm_state"] == "stopped"
    msg = conflict(act(api, fresh, {"os-stop": None}))
    assert msg == "Cannot 'stop' instance %s while it is in vm_state stopped" % fresh
    r = act(api, fresh, sample(S + "servers/server-action-start.json"))
    assert r.status_code == 202
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "powering-on"
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    msg = conflict(act(api, fresh, {"os-start": None}))
    assert msg == "Cannot 'start' instance %s while it is in vm_state active" % fresh


def test_reboot_soft_and_hard(cloud, api, fresh):
    r = act(api, fresh, {"reboot": {"type": "SOFT"}})
    assert r.status_code == 202
    assert srv(api, fresh)["status"] == "REBOOT"
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    r = act(api, fresh, sample(S + "servers/server-action-reboot.json"))  # HARD
    assert r.status_code == 202
    assert srv(api, fresh)["status"] == "HARD_REBOOT"
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    r = act(api, fresh, {"reboot": {}})
    assert r.status_code == 400 and "'type' is a required property" in r.text
    r = act(api, fresh, {"reboot": {"type": "GENTLE"}})
    assert r.status_code == 400
    act(api, fresh, {"os-stop": None})
    finish(cloud)
    conflict(act(api, fresh, {"reboot": {"type": "SOFT"}}))
    assert act(api, fresh, {"reboot": {"type": "HARD"}}).status_code == 202
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"


def test_pause_unpause(cloud, api, fresh):
    assert act(api, fresh, sample(S + "os-pause-server/pause-server.json")).status_code == 202
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "pausing"
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "PAUSED" and s["OS-EXT-STS:power_state"] == 3
    conflict(act(api, fresh, {"pause": None}))
    assert act(api, fresh, sample(S + "os-pause-server/unpause-server.json")).status_code == 202
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    conflict(act(api, fresh, {"unpause": None}))


def test_suspend_resume(cloud, api, fresh):
    assert act(api, fresh, sample(S + "os-suspend-server/server-suspend.json")).status_code == 202
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "suspending"
    finish(cloud)
    assert srv(api, fresh)["status"] == "SUSPENDED"
    conflict(act(api, fresh, {"os-stop": None}))
    assert act(api, fresh, sample(S + "os-suspend-server/server-resume.json")).status_code == 202
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    conflict(act(api, fresh, {"resume": None}))


def test_lock_unlock(cloud, api, fresh):
    body = sample(S + "os-lock-server/v2.73/lock-server-with-reason.json")
    assert act(api, fresh, body).status_code == 202
    s = srv(api, fresh)
    assert s["locked"] is True and s["locked_reason"] == "I don't want to work"
    assert locked_list(api, fresh)
    msg = conflict(act(api, fresh, {"os-stop": None}))
    assert msg == "Instance %s is locked" % fresh
    r = api.delete("/servers/%s" % fresh, raise_exc=False)
    assert conflict(r) == "Instance %s is locked" % fresh
    # reading still works while locked, and console output too
    assert act(api, fresh, {"os-getConsoleOutput": {"length": 5}}).status_code == 200
    assert act(api, fresh, sample(S + "os-lock-server/v2.73/unlock-server.json")).status_code == 202
    s = srv(api, fresh)
    assert s["locked"] is False and s["locked_reason"] is None
    assert act(api, fresh, sample(S + "os-lock-server/lock-server.json")).status_code == 202
    assert srv(api, fresh)["locked_reason"] is None
    act(api, fresh, {"unlock": None})


def locked_list(api, sid):
    return [s for s in api.get("/servers/detail?locked=true").json()["servers"] if s["id"] == sid]


def test_shelve_unshelve(cloud, api, fresh):
    img_api = requests.Session()
    assert act(api, fresh, sample(S + "os-shelve/os-shelve.json")).status_code == 202
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "shelving"
    cloud.state.advance(3.5)
    assert srv(api, fresh)["status"] == "SHELVED"
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "SHELVED_OFFLOADED" and s["OS-EXT-STS:power_state"] == 0
    assert s["hostId"] == ""
    shelved = [i for i in cloud.state.images.values() if i["name"] == s["name"] + "-shelved"]
    assert shelved and shelved[0]["status"] == "active"
    assert shelved[0]["props"]["image_type"] == "snapshot"
    conflict(act(api, fresh, {"os-start": None}))
    r = act(api, fresh, sample(S + "os-shelve/v2.77/os-unshelve-az.json"))
    assert r.status_code == 400  # "us-west" is not an AZ of this cloud
    assert act(api, fresh, sample(S + "os-shelve/os-unshelve.json")).status_code == 202
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "unshelving"
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    assert shelved[0]["id"] not in cloud.state.images
    conflict(act(api, fresh, {"unshelve": None}))
    img_api.close()


def test_rescue_unrescue(cloud, api, fresh):
    r = act(api, fresh, sample(S + "os-rescue/server-rescue-req.json"))
    assert r.status_code == 200
    assert r.json() == sample(S + "os-rescue/server-rescue.json")
    finish(cloud)
    assert srv(api, fresh)["status"] == "RESCUE"
    conflict(act(api, fresh, {"rescue": None}))
    assert act(api, fresh, sample(S + "os-rescue/server-unrescue-req.json")).status_code == 202
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    r = act(api, fresh, {"rescue": None})
    assert r.status_code == 200 and len(r.json()["adminPass"]) >= 8
    finish(cloud)
    act(api, fresh, {"unrescue": None})
    finish(cloud)
    r = act(api, fresh, sample(S + "os-rescue/server-rescue-req-with-image-ref.json"))
    assert r.status_code == 400 and "could not be found" in r.text
    conflict(act(api, fresh, {"unrescue": None}))


def test_resize_confirm_and_revert(cloud, api, fresh):
    body = sample(S + "servers/server-action-resize.json")
    body["resize"]["flavorRef"] = "3"
    assert act(api, fresh, body).status_code == 202
    assert srv(api, fresh)["status"] == "RESIZE"
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "VERIFY_RESIZE" and s["flavor"]["original_name"] == "m1.medium"
    conflict(act(api, fresh, {"os-stop": None}))
    r = act(api, fresh, sample(S + "servers/server-action-confirm-resize.json"))
    assert r.status_code == 204
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    msg = conflict(act(api, fresh, {"confirmResize": None}))
    assert msg == "Cannot 'confirmResize' instance %s while it is in vm_state active" % fresh
    body["resize"]["flavorRef"] = "4"
    assert act(api, fresh, body).status_code == 202
    finish(cloud)
    assert srv(api, fresh)["flavor"]["original_name"] == "m1.large"
    assert act(api, fresh, sample(S + "servers/server-action-revert-resize.json")).status_code \
        == 202
    assert srv(api, fresh)["status"] == "REVERT_RESIZE"
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "ACTIVE" and s["flavor"]["original_name"] == "m1.medium"
    r = act(api, fresh, {"resize": {"flavorRef": "3"}})
    assert r.status_code == 400
    assert r.json()["badRequest"]["message"] == "When resizing, instances must change flavor!"
    r = act(api, fresh, {"resize": {"flavorRef": "nope"}})
    assert r.status_code == 400
    conflict(act(api, fresh, {"revertResize": None}))


def test_rebuild(cloud, api, fresh):
    ubuntu = next(i for i in cloud.state.images.values() if i["name"].startswith("ubuntu"))
    body = copy.deepcopy(sample(S + "servers/v2.96/server-action-rebuild.json"))
    body["rebuild"]["imageRef"] = ubuntu["id"]
    act(api, fresh, {"resize": {"flavorRef": "2"}})
    finish(cloud)
    act(api, fresh, {"confirmResize": None})
    finish(cloud)
    r = act(api, fresh, body)
    assert r.status_code == 202
    s = r.json()["server"]
    ref = sample(S + "servers/v2.96/server-action-rebuild-resp.json")["server"]
    assert not set(ref) - set(s) - {"user_data"}
    assert s["adminPass"] == "seekr3t" and s["name"] == "foobar"
    assert s["status"] == "REBUILD"
    assert s["image"]["id"] == ubuntu["id"]
    assert s["OS-EXT-SRV-ATTR:hostname"] == "updated-hostname.example.com"
    finish(cloud)
    s = srv(api, fresh)
    assert s["status"] == "ACTIVE" and s["metadata"] == {"meta_var": "meta_val"}
    body["rebuild"]["imageRef"] = "70a599e0-31e7-49b7-b260-868f441e862b"
    r = act(api, fresh, body)
    assert r.status_code == 400


def test_create_image(cloud, api, fresh):
    r = act(api, fresh, sample(S + "servers/server-action-create-image.json"))
    assert r.status_code == 202
    image_id = r.json()["image_id"]
    assert set(r.json()) == set(sample(S + "servers/v2.45/server-action-create-image-resp.json"))
    img = cloud.state.images[image_id]
    assert img["name"] == "foo-image" and img["status"] == "queued"
    assert img["props"]["meta_var"] == "meta_val"
    assert img["props"]["instance_uuid"] == fresh
    assert srv(api, fresh)["OS-EXT-STS:task_state"] == "image_snapshot"
    conflict(act(api, fresh, {"createImage": {"name": "again"}}))
    finish(cloud)
    assert srv(api, fresh)["OS-EXT-STS:task_state"] is None
    assert img["status"] == "active" and img["checksum"] and img["size"] > 0
    old = nova(make_session(cloud), "2.1")
    r = old.post("/servers/%s/action" % fresh, json={"createImage": {"name": "legacy"}})
    assert r.status_code == 202 and r.content == b""
    assert "/images/" in r.headers["Location"]
    finish(cloud)
    r = act(api, fresh, {"createImage": {}})
    assert r.status_code == 400


def test_change_password(cloud, api, fresh):
    r = act(api, fresh, sample(S + "os-admin-password/admin-password-change-password.json"))
    assert r.status_code == 202
    assert srv(api, fresh)["status"] == "PASSWORD"
    finish(cloud)
    assert srv(api, fresh)["status"] == "ACTIVE"
    assert act(api, fresh, {"changePassword": {}}).status_code == 400


def test_console_output(cloud, api, fresh):
    r = act(api, fresh, sample(S + "os-console-output/console-output-post-req.json"))
    assert r.status_code == 200
    lines = r.json()["output"].splitlines()
    assert len(lines) == 50
    full = act(api, fresh, {"os-getConsoleOutput": {}}).json()["output"].splitlines()
    assert len(full) > 60
    assert any("Linux version" in line for line in full)
    assert full[-1].endswith("login: ")
    assert act(api, fresh, {"os-getConsoleOutput": {"length": "3"}}).json()["output"].count(
        "\n") == 3
    assert act(api, fresh, {"os-getConsoleOutput": {"length": "x"}}).status_code == 400


def test_legacy_consoles_and_remote_consoles(cloud, api, fresh):
    old = nova(make_session(cloud), "2.1")
    for name in ("get-vnc-console-post", "get-spice-console-post", "get-serial-console-post"):
        body = sample(S + "os-remote-consoles/%s-req.json" % name)
        r = old.post("/servers/%s/action" % fresh, json=body)
        assert r.status_code == 200
        ref = sample(S + "os-remote-consoles/%s-resp.json" % name)
        assert set(r.json()["console"]) == set(ref["console"])
        assert r.json()["console"]["type"] == ref["console"]["type"]
    r = act(api, fresh, {"os-getVNCConsole": {"type": "novnc"}})
    assert r.status_code == 404
    body = sample(S + "os-remote-consoles/v2.6/create-vnc-console-req.json")
    r = api.post("/servers/%s/remote-consoles" % fresh, json=body)
    assert r.status_code == 200
    ref = sample(S + "os-remote-consoles/v2.6/create-vnc-console-resp.json")
    assert set(r.json()["remote_console"]) == set(ref["remote_console"])
    url = r.json()["remote_console"]["url"]
    assert "token" in url
    page = requests.get(url)
    assert page.status_code == 200 and "console" in page.text
    r = api.post("/servers/%s/remote-consoles" % fresh, raise_exc=False,
                 json=sample(S + "os-remote-consoles/v2.6/create-rdp-console-req.json"))
    assert r.status_code == 400
    r = old.post("/servers/%s/remote-consoles" % fresh, json=body, raise_exc=False)
    assert r.status_code == 404
    act(api, fresh, {"os-stop": None})
    finish(cloud)
    r = api.post("/servers/%s/remote-consoles" % fresh, json=body, raise_exc=False)
    assert r.status_code == 409


def test_instance_actions_record_everything(cloud, api, fresh):
    ids = []
    for body in ({"os-stop": None}, {"os-start": None}, {"lock": None}, {"unlock": None},
                 {"reboot": {"type": "SOFT"}}):
        r = act(api, fresh, body)
        assert r.status_code == 202
        ids.append(r.headers["x-openstack-request-id"])
        finish(cloud)
    acts = api.get("/servers/%s/os-instance-actions" % fresh).json()["instanceActions"]
    assert [a["action"] for a in acts] == ["reboot", "unlock", "lock", "start", "stop",
                                           "create"]
    assert [a["request_id"] for a in acts[:5]] == ids[::-1]
    ref = sample(S + "os-instance-actions/v2.84/instance-actions-list-resp.json")
    assert set(acts[0]) == set(ref["instanceActions"][0])
    one = api.get("/servers/%s/os-instance-actions/%s" % (fresh, ids[0])).json()
    ref = sample(S + "os-instance-actions/v2.84/instance-action-get-non-admin-resp.json")
    assert set(one["instanceAction"]) == set(ref["instanceAction"])
    assert set(one["instanceAction"]["events"][0]) == set(ref["instanceAction"]["events"][0])
    assert one["instanceAction"]["events"][0]["result"] == "Success"
    assert api.get("/servers/%s/os-instance-actions/req-nope" % fresh,
                   raise_exc=False).status_code == 404
    page = api.get("/servers/%s/os-instance-actions?limit=2" % fresh).json()["instanceActions"]
    assert len(page) == 2


def test_invalid_state_transitions_on_seeded_servers(cloud, api):
    err = find_server(api, "api-0008")
    assert err["status"] == "ERROR"
    msg = conflict(act(api, err["id"], {"os-start": None}))
    assert msg == "Cannot 'start' instance %s while it is in vm_state error" % err["id"]
    conflict(act(api, err["id"], {"pause": None}))
    conflict(act(api, err["id"], {"os-getConsoleOutput": {"length": 5}}))
    paused = find_server(api, "worker-0005")
    conflict(act(api, paused["id"], {"suspend": None}))
    locked = find_server(api, "worker-0011")
    assert conflict(act(api, locked["id"], {"pause": None})) == "Instance %s is locked" % \
        locked["id"]
    r = act(api, err["id"], {"nonsense": None})
    assert r.status_code == 400
    assert r.json()["badRequest"]["message"] == "There is no such action: nonsense"
    r = act(api, err["id"], {"os-stop": None, "os-start": None})
    assert r.status_code == 400
    r = act(api, err["id"], {"os-resetState": {"state": "active"}})
    assert r.status_code == 403
    r = act(api, "nope", {"os-stop": None})
    assert r.status_code == 404


def test_metadata_ips_tags_interfaces(cloud, api, fresh):
    base = "/servers/%s" % fresh
    r = api.put(base + "/metadata", json=sample(S + "server-metadata/server-metadata-all-req.json"))
    assert r.json() == sample(S + "server-metadata/server-metadata-all-resp.json")
    r = api.post(base + "/metadata", json={"metadata": {"a": "1"}})
    assert r.json()["metadata"] == {"foo": "Foo Value", "a": "1"}
    r = api.put(base + "/metadata/foo", json=sample(S + "server-metadata/server-metadata-req.json"))
    assert r.json() == {"meta": {"foo": "Bar Value"}}
    assert api.get(base + "/metadata/foo").json() == {"meta": {"foo": "Bar Value"}}
    r = api.put(base + "/metadata/other", json={"meta": {"foo": "x"}}, raise_exc=False)
    assert r.status_code == 400
    assert api.delete(base + "/metadata/a").status_code == 204
    assert api.get(base + "/metadata/a", raise_exc=False).status_code == 404
    assert srv(api, fresh)["metadata"] == {"foo": "Bar Value"}
    ips = api.get(base + "/ips").json()
    ref = sample(S + "server-ips/server-ips-resp.json")
    assert set(ips) == set(ref)
    assert set(ips["addresses"]["private"][0]) == set(ref["addresses"]["private"][0])
    assert list(api.get(base + "/ips/private").json()) == ["private"]
    assert api.get(base + "/ips/nope", raise_exc=False).status_code == 404
    assert api.put(base + "/tags", json={"tags": ["a", "b"]}).json() == {"tags": ["a", "b"]}
    assert api.put(base + "/tags/c").status_code == 201
    assert api.get(base + "/tags/c").status_code == 204
    assert api.delete(base + "/tags/a").status_code == 204
    assert api.get(base + "/tags").json() == {"tags": ["b", "c"]}
    ifaces = api.get(base + "/os-interface").json()["interfaceAttachments"]
    ref = sample(S + "os-attach-interfaces/v2.70/attach-interfaces-list-resp.json")
    assert set(ifaces[0]) == set(ref["interfaceAttachments"][0])


def test_delete_during_build_and_delete_transition(cloud, api):
    sid = boot(api, cloud, "short-lived", wait=False)
    conflict(act(api, sid, {"os-stop": None}))
    assert api.delete("/servers/%s" % sid).status_code == 204
    assert srv(api, sid)["OS-EXT-STS:task_state"] == "deleting"
    finish(cloud)
    assert api.get("/servers/%s" % sid, raise_exc=False).status_code == 404
