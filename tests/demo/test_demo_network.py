"""Neutron v2.0: seeded topology, list/get/filter/paginate, create/delete, errors, quotas."""

from __future__ import annotations

from demo_helpers import boot, find_server, sample, wait_for

N = "neutron/api-ref/source/v2/samples/"


def test_seed_topology_shapes(demo, network_api):
    nets = network_api.get("/v2.0/networks").json()["networks"]
    by = {n["name"]: n for n in nets}
    assert {"public", "private", "backend"} <= set(by)
    assert "staging-net" not in by
    assert by["public"]["router:external"] is True
    ref = sample(N + "networks/network-show-response.json")["network"]
    one = network_api.get("/v2.0/networks/%s" % by["private"]["id"]).json()["network"]
    assert set(ref) <= set(one)
    assert len(one["subnets"]) == 2
    subnets = network_api.get("/v2.0/subnets").json()["subnets"]
    ref = sample(N + "subnets/subnet-show-response.json")["subnet"]
    assert set(ref) <= set(subnets[0])
    cidrs = {s["cidr"] for s in subnets}
    assert "10.0.0.0/16" in cidrs and "172.24.4.0/24" not in cidrs  # public subnets are admin's
    routers = network_api.get("/v2.0/routers").json()["routers"]
    assert len(routers) == 1
    ref = sample(N + "routers/router-show-response.json")["router"]
    router = network_api.get("/v2.0/routers/%s" % routers[0]["id"]).json()["router"]
    assert set(ref) <= set(router)
    gw = router["external_gateway_info"]
    assert gw["network_id"] == by["public"]["id"]
    assert gw["enable_snat"] is True
    assert gw["external_fixed_ips"][0]["ip_address"].startswith("172.24.4.")
    sgs = network_api.get("/v2.0/security-groups").json()["security_groups"]
    ref = sample(N + "security-groups/security-group-show-response.json")["security_group"]
    default = [g for g in sgs if g["name"] == "default"][0]
    assert set(ref) <= set(default)
    assert set(ref["security_group_rules"][0]) <= set(default["security_group_rules"][0])
    assert len(default["security_group_rules"]) == 4
    fips = network_api.get("/v2.0/floatingips").json()["floatingips"]
    ref = sample(N + "floatingips/floatingip-show-response.json")["floatingip"]
    assert len(fips) == 2
    bound = [f for f in fips if f["port_id"]][0]
    assert set(ref) <= set(bound)
    assert bound["port_details"]["device_owner"] == "compute:nova"


def test_server_ports_and_floating_address(demo, compute, network_api):
    web = find_server(compute, "web-0001")
    ports = network_api.get("/v2.0/ports?device_id=%s" % web["id"]).json()["ports"]
    ref = sample(N + "ports/port-show-response.json")["port"]
    assert len(ports) == 1 and set(ref) <= set(ports[0])
    assert ports[0]["device_owner"] == "compute:nova"
    floating = [a for a in web["addresses"]["private"] if a["OS-EXT-IPS:type"] == "floating"]
    assert floating and floating[0]["addr"].startswith("172.24.4.")
    db = find_server(compute, "db-0009")
    assert set(db["addresses"]) == {"private", "backend"}
    owners = {p["device_owner"] for p in network_api.get("/v2.0/ports").json()["ports"]}
    assert {"compute:nova", "network:dhcp", "network:router_interface"} <= owners


def test_filters_fields_and_pagination(demo, network_api):
    nets = network_api.get("/v2.0/networks?name=private").json()["networks"]
    assert [n["name"] for n in nets] == ["private"]
    net_id = nets[0]["id"]
    subs = network_api.get("/v2.0/subnets?network_id=%s" % net_id).json()["subnets"]
    assert len(subs) == 2 and all(s["network_id"] == net_id for s in subs)
    assert network_api.get("/v2.0/networks?id=%s" % net_id).json()["networks"][0]["id"] == net_id
    ext = network_api.get("/v2.0/networks?router:external=true").json()["networks"]
    assert [n["name"] for n in ext] == ["public"]
    only = network_api.get("/v2.0/networks?fields=id&fields=name").json()["networks"]
    assert all(set(n) == {"id", "name"} for n in only)
    v4 = network_api.get("/v2.0/ports?fixed_ips=ip_address%3D10.0.0.1").json()["ports"]
    assert [p["device_owner"] for p in v4] == ["network:router_interface"]
    all_ports = [p["id"] for p in network_api.get("/v2.0/ports").json()["ports"]]
    seen, url = [], "/v2.0/ports?limit=4"
    while url:
        body = network_api.get(url).json()
        seen += [p["id"] for p in body["ports"]]
        nxt = [l for l in body.get("ports_links", []) if l["rel"] == "next"]
        url = nxt[0]["href"].split("/networking", 1)[1] if nxt else None
    assert sorted(seen) == sorted(all_ports) and len(seen) == len(set(seen))
    r = network_api.get("/v2.0/networks/nope", raise_exc=False)
    assert r.status_code == 404
    assert r.json() == {"NeutronError": {"type": "NetworkNotFound",
                                         "message": "Network nope could not be found.",
                                         "detail": ""}}


def test_network_subnet_create_delete_and_errors(demo, network_api):
    r = network_api.post("/v2.0/networks", json={"network": {"name": "test-net"}})
    assert r.status_code == 201
    net = r.json()["network"]
    assert net["status"] == "ACTIVE" and net["subnets"] == [] and net["shared"] is False
    nid = net["id"]

    def subnet(cidr, **kw):
        body = {"subnet": {"network_id": nid, "ip_version": 4, "cidr": cidr, **kw}}
        return network_api.post("/v2.0/subnets", json=body, raise_exc=False)
    for bad in ("10.9.0.0/33", "banana", "10.9.0.0"):
        r = subnet(bad)
        assert r.status_code == 400, bad
        err = r.json()["NeutronError"]
        assert err["type"] == "InvalidInput" and err["detail"] == ""
        assert "Invalid input for cidr" in err["message"]
    r = subnet("10.9.0.5/24")
    assert r.status_code == 400 and "'10.9.0.0/24' is recommended" in r.text
    r = subnet("2001:db8:1::/64")
    assert r.status_code == 400
    r = subnet("10.9.0.0/24", name="test-subnet")
    assert r.status_code == 201
    sub = r.json()["subnet"]
    assert sub["gateway_ip"] == "10.9.0.1"
    assert sub["allocation_pools"] == [{"start": "10.9.0.2", "end": "10.9.0.254"}]
    r = subnet("10.9.0.128/25")
    assert r.status_code == 400 and "overlaps with another subnet" in r.text
    r = network_api.post("/v2.0/subnets", json={"subnet": {"network_id": nid, "ip_version": 4}},
                         raise_exc=False)
    assert r.status_code == 400
    r = network_api.post("/v2.0/subnets", raise_exc=False, json={"subnet": {
        "network_id": "3f1c6f2e-0000-4000-8000-000000000000", "ip_version": 4,
        "cidr": "10.8.0.0/24"}})
    assert r.status_code == 404
    # a port in use blocks deleting the network (and the subnet)
    r = network_api.post("/v2.0/ports", json={"port": {"network_id": nid, "name": "p1"}})
    assert r.status_code == 201
    port = r.json()["port"]
    assert port["fixed_ips"][0]["subnet_id"] == sub["id"]
    r = network_api.delete("/v2.0/networks/%s" % nid, raise_exc=False)
    assert r.status_code == 409
    assert r.json() == {"NeutronError": {
        "type": "NetworkInUse",
        "message": "Unable to complete operation on network %s. There are one or more ports "
                   "still in use on the network." % nid, "detail": ""}}
    r = network_api.delete("/v2.0/subnets/%s" % sub["id"], raise_exc=False)
    assert r.status_code == 409 and r.json()["NeutronError"]["type"] == "SubnetInUse"
    assert network_api.delete("/v2.0/ports/%s" % port["id"]).status_code == 204
    # the DHCP port does not block the delete
    assert network_api.delete("/v2.0/subnets/%s" % sub["id"]).status_code == 204
    assert network_api.delete("/v2.0/networks/%s" % nid).status_code == 204
    assert network_api.get("/v2.0/networks/%s" % nid, raise_exc=False).status_code == 404
    r = network_api.post("/v2.0/networks", json={"network": {"name": "x", "shared": True}},
                         raise_exc=False)
    assert r.status_code == 403


def test_server_port_blocks_network_delete(demo, compute, network_api):
    net = network_api.post("/v2.0/networks", json={"network": {"name": "srv-net"}}).json()[
        "network"]
    network_api.post("/v2.0/subnets", json={"subnet": {"network_id": net["id"], "ip_version": 4,
                                                       "cidr": "192.168.77.0/24"}})
    sid = boot(compute, demo, "on-srv-net", network="srv-net")
    r = network_api.delete("/v2.0/networks/%s" % net["id"], raise_exc=False)
    assert r.status_code == 409
    compute.delete("/servers/%s" % sid)
    wait_for(lambda: compute.get("/servers/%s" % sid, raise_exc=False).status_code == 404)
    assert network_api.delete("/v2.0/networks/%s" % net["id"]).status_code == 204


def test_floating_ip_associate(demo, compute, network_api):
    public = network_api.get("/v2.0/networks?name=public").json()["networks"][0]
    sid = boot(compute, demo, "fip-target")
    port = network_api.get("/v2.0/ports?device_id=%s" % sid).json()["ports"][0]
    r = network_api.post("/v2.0/floatingips", json={"floatingip": {
        "floating_network_id": public["id"], "port_id": port["id"]}})
    assert r.status_code == 201
    fip = r.json()["floatingip"]
    assert fip["port_id"] == port["id"] and fip["router_id"]
    addrs = compute.get("/servers/%s" % sid).json()["server"]["addresses"]["private"]
    assert fip["floating_ip_address"] in [a["addr"] for a in addrs
                                          if a["OS-EXT-IPS:type"] == "floating"]
    r = network_api.put("/v2.0/floatingips/%s" % fip["id"],
                        json={"floatingip": {"port_id": None}})
    assert r.json()["floatingip"]["port_id"] is None
    addrs = compute.get("/servers/%s" % sid).json()["server"]["addresses"]["private"]
    assert all(a["OS-EXT-IPS:type"] == "fixed" for a in addrs)
    assert network_api.delete("/v2.0/floatingips/%s" % fip["id"]).status_code == 204


def test_security_group_crud(demo, network_api):
    g = network_api.post("/v2.0/security-groups", json={"security_group": {
        "name": "test-sg", "description": "d"}}).json()["security_group"]
    assert len(g["security_group_rules"]) == 2  # egress v4/v6
    body = sample(N + "security-groups/security-group-rule-create-request.json")
    body["security_group_rule"].update(security_group_id=g["id"], remote_group_id=None,
                                       remote_address_group_id=None)
    r = network_api.post("/v2.0/security-group-rules", json=body)
    assert r.status_code == 201
    rule = r.json()["security_group_rule"]
    assert rule["port_range_min"] == 80 and rule["protocol"] == "tcp"
    r = network_api.post("/v2.0/security-group-rules", json=body, raise_exc=False)
    assert r.status_code == 409
    assert network_api.delete("/v2.0/security-group-rules/%s" % rule["id"]).status_code == 204
    assert network_api.delete("/v2.0/security-groups/%s" % g["id"]).status_code == 204


def test_quotas_and_extensions(demo, network_api):
    q = network_api.get("/v2.0/quotas/%s" % demo.PROJECT_ID).json()
    ref = sample(N + "quotas/quotas-list-for-project-response.json")
    assert set(q["quota"]) == set(ref["quota"])
    d = network_api.get("/v2.0/quotas/%s/details" % demo.PROJECT_ID).json()
    ref = sample(N + "quota_details/quota-details-show-for-project-response.json")
    assert set(ref["quota"]) <= set(d["quota"])
    assert set(d["quota"]["network"]) == {"used", "limit", "reserved"}
    assert d["quota"]["network"]["used"] >= 2
    r = network_api.get("/v2.0/quotas/%s" % demo.STAGING_PROJECT_ID, raise_exc=False)
    assert r.status_code == 403
    aliases = {e["alias"] for e in network_api.get("/v2.0/extensions").json()["extensions"]}
    assert {"security-group", "router", "external-net", "quotas", "quota_details"} <= aliases


def test_boot_on_existing_port_and_attach_detach_interface(demo, compute, network_api):
    private = network_api.get("/v2.0/networks?name=private").json()["networks"][0]
    backend = network_api.get("/v2.0/networks?name=backend").json()["networks"][0]
    port = network_api.post("/v2.0/ports", json={"port": {
        "network_id": private["id"], "name": "pre-made",
        "fixed_ips": [{"ip_address": "10.0.200.200"}]}}).json()["port"]
    cirros = next(i for i in demo.state.images.values() if i["name"].startswith("cirros"))
    sid = compute.post("/servers", json={"server": {
        "name": "on-port", "imageRef": cirros["id"], "flavorRef": "1",
        "networks": [{"port": port["id"]}]}}).json()["server"]["id"]
    s = wait_for(lambda: (lambda x: x["status"] == "ACTIVE" and x)(
        compute.get("/servers/%s" % sid).json()["server"]))
    assert "10.0.200.200" in [a["addr"] for a in s["addresses"]["private"]]
    assert network_api.get("/v2.0/ports/%s" % port["id"]).json()["port"]["device_id"] == sid
    r = compute.post("/servers/%s/os-interface" % sid,
                     json={"interfaceAttachment": {"net_id": backend["id"]}})
    assert r.status_code == 200
    new_port = r.json()["interfaceAttachment"]["port_id"]
    s = compute.get("/servers/%s" % sid).json()["server"]
    assert set(s["addresses"]) == {"private", "backend"}
    assert compute.delete("/servers/%s/os-interface/%s" % (sid, new_port)).status_code == 202
    assert network_api.get("/v2.0/ports/%s" % new_port, raise_exc=False).status_code == 404
    compute.delete("/servers/%s" % sid)
    wait_for(lambda: compute.get("/servers/%s" % sid, raise_exc=False).status_code == 404)
    # a port passed in by the user survives the server, unbound
    p = network_api.get("/v2.0/ports/%s" % port["id"]).json()["port"]
    assert p["device_id"] == "" and p["device_owner"] == ""
    assert network_api.delete("/v2.0/ports/%s" % port["id"]).status_code == 204
