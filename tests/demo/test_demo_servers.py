"""Nova servers: shapes, listing, pagination, create/validation, delete, scale."""

from __future__ import annotations

import pytest
import requests

from demo_helpers import (boot, find_server, make_session, nova, sample, server_status,
                          token_for, wait_for, wait_status)

from osdesk.demo import DemoCloud

V296_GET = "nova/doc/api_samples/servers/v2.96/server-get-resp.json"


def test_server_keys_superset_of_v296_sample(demo, compute):
    ref = sample(V296_GET)["server"]
    web = find_server(compute, "web-0001")
    show = compute.get("/servers/%s" % web["id"]).json()["server"]
    missing = set(ref) - set(show)
    assert not missing, missing
    for key in ("flavor", "image"):
        assert set(ref[key]) <= set(show[key])
    addr = next(iter(show["addresses"].values()))[0]
    assert set(next(iter(ref["addresses"].values()))[0]) <= set(addr)
    assert show["OS-EXT-STS:vm_state"] == "active"
    assert show["OS-EXT-STS:power_state"] == 1
    assert show["links"][0]["href"] == demo.base_url + "/compute/v2.1/servers/" + web["id"]
    # list/detail has every key of the detail sample
    ref_d = sample("nova/doc/api_samples/servers/v2.96/servers-details-resp.json")["servers"][0]
    assert not set(ref_d) - set(web)
    # brief list matches the list sample
    ref_l = sample("nova/doc/api_samples/servers/v2.96/servers-list-resp.json")
    brief = compute.get("/servers").json()["servers"][0]
    assert set(brief) == set(ref_l["servers"][0])


def test_server_shape_follows_microversion(demo, sess):
    old = nova(sess, "2.1")
    s = find_server(old, "web-0001")
    ref = sample("nova/doc/api_samples/servers/servers-details-resp.json")["servers"][0]
    assert set(s["flavor"]) == {"id", "links"}
    for k in ("locked", "description", "tags", "pinned_availability_zone", "locked_reason"):
        assert k not in s
    assert {k for k in ref if not k.startswith("OS-EXT-SRV-ATTR")} - {"host_status"} <= set(s)
    s47 = find_server(nova(sess, "2.47"), "web-0001")
    assert "original_name" in s47["flavor"] and "locked" in s47 and "locked_reason" not in s47


def test_seeded_states_and_fault(demo, compute):
    servers = compute.get("/servers/detail").json()["servers"]
    by_status = {}
    for s in servers:
        by_status.setdefault(s["status"], []).append(s)
    for st in ("ACTIVE", "SHUTOFF", "PAUSED", "ERROR", "SUSPENDED"):
        assert st in by_status, st
    err = by_status["ERROR"][0]
    assert err["fault"]["code"] == 500
    assert "No valid host" in err["fault"]["message"]
    assert err["addresses"] == {}
    assert by_status["SHUTOFF"][0]["OS-EXT-STS:power_state"] == 4
    assert any(s["locked"] and s["locked_reason"] for s in servers)
    created = [s["created"] for s in servers]
    assert created == sorted(created, reverse=True)
    # the one seeded BUILD server settles by itself
    newest = servers[0]["id"]
    wait_status(compute, newest, "ACTIVE")


def test_get_unknown_server_404(demo, compute):
    r = compute.get("/servers/does-not-exist", raise_exc=False)
    assert r.status_code == 404
    assert r.json() == {"itemNotFound": {"code": 404, "message":
                                         "Instance does-not-exist could not be found."}}


def test_filters(demo, compute):
    r = compute.get("/servers/detail?name=^web-").json()["servers"]
    assert r and all(s["name"].startswith("web-") for s in r)
    r = compute.get("/servers?status=SHUTOFF").json()["servers"]
    assert r and all(server_status(compute, s["id"]) == "SHUTOFF" for s in r)
    r = compute.get("/servers?status=shutoff").json()["servers"]
    assert r
    assert compute.get("/servers?name=zzz-nothing").json() == {"servers": []}
    flav = compute.get("/servers/detail?flavor=4").json()["servers"]
    assert flav and all(s["flavor"]["original_name"] == "m1.large" for s in flav)
    tagged = compute.get("/servers/detail?tags=prod").json()["servers"]
    assert tagged and all("prod" in s["tags"] for s in tagged)
    ip = compute.get("/servers/detail?ip=10.0.0.1").json()["servers"]
    assert ip


def test_bad_marker_and_limit(demo, compute):
    r = compute.get("/servers?marker=nope", raise_exc=False)
    assert r.status_code == 400
    assert r.json() == {"badRequest": {"code": 400, "message": "marker [nope] not found"}}
    assert compute.get("/servers?limit=abc", raise_exc=False).status_code == 400
    assert compute.get("/servers?limit=-1", raise_exc=False).status_code == 400


def test_pagination_2500_each_exactly_once():
    cloud = DemoCloud(servers=2500, speed=100.0).start()
    try:
        api = nova(make_session(cloud))
        seen = []
        url = "/servers/detail?limit=300"
        pages = 0
        while url:
            body = api.get(url).json()
            seen += [s["id"] for s in body["servers"]]
            pages += 1
            links = [l for l in body.get("servers_links", []) if l["rel"] == "next"]
            if links:
                href = links[0]["href"]
                assert href.startswith(cloud.base_url + "/compute/v2.1/servers/detail?")
                url = href[len(cloud.base_url + "/compute/v2.1"):]
            else:
                url = None
        assert len(seen) == 2500 == len(set(seen))
        assert pages == 9
        assert set(seen) == set(cloud.state.compute[cloud.PROJECT_ID].servers)
        # default page without limit is nova's max_limit (1000) with a next link
        body = api.get("/servers").json()
        assert len(body["servers"]) == 1000 and body["servers_links"][0]["rel"] == "next"
        # marker with a filter keeps working
        page = api.get("/servers?name=web&limit=5").json()
        nxt = api.get("/servers?name=web&limit=5&marker=%s" % page["servers"][-1]["id"]).json()
        assert not {s["id"] for s in page["servers"]} & {s["id"] for s in nxt["servers"]}
        # sort by name ascending
        names = [s["name"] for s in api.get("/servers?sort_key=display_name&sort_dir=asc"
                                            "&limit=50").json()["servers"]]
        assert names == sorted(names)
    finally:
        cloud.stop()


def test_create_server_build_to_active(demo, compute, network_api):
    st = demo.state
    ubuntu = next(i for i in st.images.values() if i["name"].startswith("ubuntu"))
    net = next(n for n in st.networks.values() if n["name"] == "private" and
               n["project_id"] == demo.PROJECT_ID)
    body = {"server": {"name": "new-server-test", "imageRef": ubuntu["id"], "flavorRef": "2",
                       "networks": [{"uuid": net["id"]}], "key_name": "demo-key",
                       "security_groups": [{"name": "web"}], "metadata": {"k": "v"},
                       "user_data": "IyEvYmluL2Jhc2gKZWNobyBoaQo=", "availability_zone": "nova",
                       "description": "made by a test", "tags": ["t1"]}}
    r = compute.post("/servers", json=body)
    assert r.status_code == 202
    created = r.json()["server"]
    ref = sample("nova/doc/api_samples/servers/server-create-resp.json")["server"]
    assert set(created) == set(ref)
    assert created["security_groups"] == [{"name": "web"}]
    assert r.headers["Location"].endswith("/servers/" + created["id"])
    sid = created["id"]
    s = compute.get("/servers/%s" % sid).json()["server"]
    assert s["status"] == "BUILD"
    assert s["OS-EXT-STS:vm_state"] == "building"
    seen_tasks = set()

    def active():
        srv = compute.get("/servers/%s" % sid).json()["server"]
        seen_tasks.add(srv["OS-EXT-STS:task_state"])
        return srv["status"] == "ACTIVE" and srv
    s = wait_for(active)
    assert s["OS-EXT-STS:power_state"] == 1 and s["OS-EXT-STS:task_state"] is None
    assert s["OS-SRV-USG:launched_at"]
    assert s["hostId"]
    assert s["pinned_availability_zone"] == "nova"
    assert s["key_name"] == "demo-key" and s["metadata"] == {"k": "v"}
    assert s["description"] == "made by a test" and s["tags"] == ["t1"]
    v4 = [a for a in s["addresses"]["private"] if a["version"] == 4]
    assert v4 and v4[0]["OS-EXT-IPS:type"] == "fixed"
    assert v4[0]["OS-EXT-IPS-MAC:mac_addr"].startswith("fa:16:3e:")
    ports = network_api.get("/v2.0/ports?device_id=%s" % sid).json()["ports"]
    assert len(ports) == 1
    assert ports[0]["device_owner"] == "compute:nova"
    assert ports[0]["status"] == "ACTIVE"
    assert {f["ip_address"] for f in ports[0]["fixed_ips"]} >= {v4[0]["addr"]}
    acts = compute.get("/servers/%s/os-instance-actions" % sid).json()["instanceActions"]
    assert [a["action"] for a in acts] == ["create"]
    assert acts[0]["request_id"] == r.headers["x-openstack-request-id"]


def test_create_multiple_and_reservation(demo, compute):
    st = demo.state
    cirros = next(i for i in st.images.values() if i["name"].startswith("cirros"))
    net = next(n for n in st.networks.values() if n["name"] == "private" and
               n["project_id"] == demo.PROJECT_ID)
    body = {"server": {"name": "multi", "imageRef": cirros["id"], "flavorRef": "42",
                       "networks": [{"uuid": net["id"]}], "min_count": 2, "max_count": 2}}
    r = compute.post("/servers", json=body)
    assert r.status_code == 202
    names = {s["name"] for s in compute.get("/servers?name=^multi-").json()["servers"]}
    assert names == {"multi-1", "multi-2"}
    body["server"].update(name="resv", min_count=1, max_count=1, return_reservation_id=True)
    r = compute.post("/servers", json=body)
    assert r.json()["reservation_id"].startswith("r-")


def _err(r):
    return r.status_code, next(iter(r.json().values()))["message"]


def test_create_validation_errors(demo, compute):
    st = demo.state
    img = {i["name"]: i for i in st.images.values()}
    ubuntu = img["ubuntu-24.04-minimal-cloudimg-amd64"]["id"]
    debian = img["debian-12-genericcloud-amd64"]["id"]
    net = next(n for n in st.networks.values() if n["name"] == "private" and
               n["project_id"] == demo.PROJECT_ID)
    nets = [{"uuid": net["id"]}]

    def post(**kw):
        body = {"server": {"name": "x", "imageRef": ubuntu, "flavorRef": "2", "networks": nets}}
        body["server"].update(kw)
        for k in [k for k, v in kw.items() if v is None]:
            del body["server"][k]
        return compute.post("/servers", json=body, raise_exc=False)

    code, msg = _err(post(imageRef="70a599e0-31e7-49b7-b260-868f441e862b"))
    assert code == 400 and msg == "Image 70a599e0-31e7-49b7-b260-868f441e862b could not be found."
    code, msg = _err(post(flavorRef="999"))
    assert code == 400 and msg == "Invalid flavorRef provided."
    code, msg = _err(post(flavorRef="1"))
    assert code == 400 and msg == "Flavor's memory is too small for requested image."
    r = post(flavorRef="42", imageRef=img["cirros-0.6.2-x86_64-disk"]["id"])
    assert r.status_code == 202  # cirros fits m1.nano
    r = post(imageRef=img["golden-base-2024.06"]["id"], flavorRef="3")
    assert r.status_code == 202
    code, msg = _err(post(imageRef=img["golden-base-2024.06"]["id"], flavorRef="84"))
    assert code == 400 and "memory is too small" in msg
    code, msg = _err(post(imageRef=img["web-0001-snapshot"]["id"], flavorRef="1"))
    assert code == 400 and msg == (
        "Flavor's disk is smaller than the minimum size specified in image metadata. Flavor "
        "disk is 1073741824 bytes, minimum size is 21474836480 bytes.")
    code, msg = _err(post(imageRef=debian))
    assert code == 400 and msg == "Image %s is not active." % debian
    code, msg = _err(post(name=None))
    assert code == 400 and "'name' is a required property" in msg
    code, msg = _err(post(networks=None))
    assert code == 400 and "'networks' is a required property" in msg
    code, msg = _err(post(networks="auto"))
    assert code == 409 and "Multiple possible networks" in msg
    code, msg = _err(post(networks=[{"uuid": "not-a-uuid"}]))
    assert code == 400 and "Bad networks format" in msg
    code, msg = _err(post(key_name="nope"))
    assert code == 400 and msg == "Invalid key_name provided."
    code, msg = _err(post(security_groups=[{"name": "nope"}]))
    assert code == 400 and "nope" in msg
    code, msg = _err(post(bogus=1))
    assert code == 400 and "Additional properties are not allowed" in msg
    code, msg = _err(post(user_data="%%%not-base64"))
    assert code == 400
    code, msg = _err(post(min_count=1000, max_count=1000))
    assert code == 403 and msg.startswith("Quota exceeded for instances: Requested 1000")
    assert compute.post("/servers", data=b"{nope", raise_exc=False,
                        headers={"Content-Type": "application/json"}).status_code == 400


def test_networks_auto_and_none_in_staging(demo):
    api = nova(make_session(demo, "staging"))
    st = demo.state
    cirros = next(i for i in st.images.values() if i["name"].startswith("cirros"))
    r = api.post("/servers", json={"server": {"name": "auto-net", "imageRef": cirros["id"],
                                              "flavorRef": "1", "networks": "auto"}})
    sid = r.json()["server"]["id"]
    s = wait_for(lambda: (lambda x: x["status"] == "ACTIVE" and x)(
        api.get("/servers/%s" % sid).json()["server"]))
    assert list(s["addresses"]) == ["staging-net"]
    r = api.post("/servers", json={"server": {"name": "no-net", "imageRef": cirros["id"],
                                              "flavorRef": "1", "networks": "none"}})
    sid = r.json()["server"]["id"]
    s = wait_for(lambda: (lambda x: x["status"] == "ACTIVE" and x)(
        api.get("/servers/%s" % sid).json()["server"]))
    assert s["addresses"] == {}


def test_quota_exceeded_and_limits(demo, compute):
    demo.state.set_quota("demo", instances=len(demo.state.compute[demo.PROJECT_ID].servers))
    try:
        st = demo.state
        cirros = next(i for i in st.images.values() if i["name"].startswith("cirros"))
        net = next(n for n in st.networks.values() if n["name"] == "private" and
                   n["project_id"] == demo.PROJECT_ID)
        r = compute.post("/servers", json={"server": {
            "name": "over", "imageRef": cirros["id"], "flavorRef": "1",
            "networks": [{"uuid": net["id"]}]}}, raise_exc=False)
        assert r.status_code == 403
        assert r.json()["forbidden"]["message"].startswith("Quota exceeded for instances:")
        lim = compute.get("/limits").json()["limits"]["absolute"]
        ref = sample("nova/doc/api_samples/limits/v2.57/limit-get-resp.json")
        assert set(lim) == set(ref["limits"]["absolute"])
        assert lim["totalInstancesUsed"] == lim["maxTotalInstances"]
        old = nova(make_session(demo), "2.1").get("/limits").json()["limits"]["absolute"]
        assert set(old) == set(sample("nova/doc/api_samples/limits/limit-get-resp.json")[
            "limits"]["absolute"])
    finally:
        demo.state.set_quota("demo", instances=1000)


def test_update_server(demo, compute):
    sid = find_server(compute, "web-0007")["id"]
    r = compute.put("/servers/%s" % sid, json={"server": {"name": "web-0007-renamed",
                                                          "description": "renamed"}})
    assert r.status_code == 200
    s = r.json()["server"]
    assert s["name"] == "web-0007-renamed" and s["description"] == "renamed"
    assert set(sample("nova/doc/api_samples/servers/v2.96/server-update-resp.json")["server"]) \
        <= set(s)
    compute.put("/servers/%s" % sid, json={"server": {"name": "web-0007"}})


def test_delete_server(demo, compute, network_api):
    sid = boot(compute, demo, "to-delete")
    port_ids = [p["id"] for p in network_api.get("/v2.0/ports?device_id=%s" % sid).json()["ports"]]
    assert port_ids
    r = compute.delete("/servers/%s" % sid)
    assert r.status_code == 204
    s = compute.get("/servers/%s" % sid, raise_exc=False)
    if s.status_code == 200:
        assert s.json()["server"]["OS-EXT-STS:task_state"] == "deleting"
    wait_for(lambda: compute.get("/servers/%s" % sid, raise_exc=False).status_code == 404)
    assert network_api.get("/v2.0/ports?device_id=%s" % sid).json()["ports"] == []
    r = compute.delete("/servers/%s" % sid, raise_exc=False)
    assert r.status_code == 404


def test_50000_servers_one_page():
    cloud = DemoCloud(servers=50000, speed=100.0).start()
    try:
        tok = token_for(cloud)
        r = requests.get(cloud.base_url + "/compute/v2.1/servers/detail?limit=1000",
                         headers={"X-Auth-Token": tok, "OpenStack-API-Version": "compute 2.96"})
        assert r.status_code == 200
        body = r.json()
        assert len(body["servers"]) == 1000
        assert body["servers_links"][0]["rel"] == "next"
        nxt = body["servers_links"][0]["href"]
        r2 = requests.get(nxt, headers={"X-Auth-Token": tok,
                                        "OpenStack-API-Version": "compute 2.96"})
        assert len(r2.json()["servers"]) == 1000
        assert not {s["id"] for s in body["servers"]} & {s["id"] for s in r2.json()["servers"]}
        names = {s["name"] for s in body["servers"]}
        assert "api-50000" in names
        r = requests.get(cloud.base_url + "/compute/v2.1/servers?name=web-00001$",
                         headers={"X-Auth-Token": tok})
        assert [s["name"] for s in r.json()["servers"]] == ["web-00001"]
    finally:
        cloud.stop()


@pytest.mark.parametrize("mv", ["2.1", "2.26", "2.47", "2.73", "2.90", "2.96"])
def test_detail_list_every_microversion_is_json(demo, sess, mv):
    r = nova(sess, mv).get("/servers/detail")
    assert r.status_code == 200 and r.json()["servers"]
