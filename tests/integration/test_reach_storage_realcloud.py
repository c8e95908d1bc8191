"""Past launch, against the real services: Cinder volumes (create → available → attach
to a server → in-use → detach → extend → snapshot → delete), floating IPs (allocate,
associate, disassociate, release), security groups and their rules."""

from __future__ import annotations

import pytest

from osdesk.api import NotFound, OsdeskError
from tests.integration.helpers import unique, wait_for


def _gone(fetch):
    def check():
        try:
            fetch()
            return False
        except NotFound:
            return True
    return check


@pytest.fixture
def server(demo_cloud, realcloud):
    compute = demo_cloud.compute
    body = compute.create_server(unique("vm"), realcloud["RC_IMAGE_ID"],
                                 realcloud["RC_FLAVOR_TINY_ID"],
                                 networks=[realcloud["RC_DEMO_NET_ID"]])
    server_id = body["server"]["id"]
    try:
        got = wait_for(lambda: compute.get_server(server_id),
                       lambda s: s["status"] in ("ACTIVE", "ERROR")
                       and not s["OS-EXT-STS:task_state"])
        assert got["status"] == "ACTIVE", got.get("fault")
        yield got
    finally:
        compute.delete_server(server_id)
        wait_for(_gone(lambda: compute.get_server(server_id)), bool)


def test_a_volume_from_create_to_delete_through_a_server(demo_cloud, server):
    storage, compute = demo_cloud.block_storage, demo_cloud.compute
    volume = storage.create_volume(1, name=unique("vol"))
    vid = volume["id"]
    try:
        def status(want):
            return wait_for(lambda: storage.get_volume(vid),
                            lambda v: v["status"] in (want, "error"))["status"]
        assert status("available") == "available"
        assert vid in {v["id"] for v in storage.list_volumes()}

        compute.attach_volume(server["id"], vid)
        assert status("in-use") == "in-use"
        attached = storage.get_volume(vid)["attachments"]
        assert [a["server_id"] for a in attached] == [server["id"]]
        assert vid in {a["volumeId"] for a in compute.list_volume_attachments(server["id"])}

        # Cinder refuses to delete an attached volume, in its own words
        with pytest.raises(OsdeskError) as refused:
            storage.delete_volume(vid)
        assert "in-use" in str(refused.value) or "attached" in str(refused.value)

        compute.detach_volume(server["id"], vid)
        assert status("available") == "available"

        storage.extend_volume(vid, 2)
        assert wait_for(lambda: storage.get_volume(vid), lambda v: v["size"] == 2)["size"] == 2

        snap = storage.create_snapshot(vid, name=unique("snap"))
        assert wait_for(lambda: storage.get_snapshot(snap["id"]),
                        lambda s: s["status"] in ("available", "error"))["status"] == "available"
        assert snap["id"] in {s["id"] for s in storage.list_snapshots()}
        storage.delete_snapshot(snap["id"])
        wait_for(_gone(lambda: storage.get_snapshot(snap["id"])), bool)
    finally:
        try:
            storage.delete_volume(vid)
        except OsdeskError:
            pass
    wait_for(_gone(lambda: storage.get_volume(vid)), bool)


def test_volume_quota_and_types_are_readable(demo_cloud, realcloud):
    quota = demo_cloud.block_storage.quotas(realcloud["RC_DEMO_PROJECT_ID"])
    assert {"limit", "in_use"} <= set(quota["volumes"]) and "gigabytes" in quota
    assert isinstance(demo_cloud.block_storage.list_volume_types(), list)


def test_a_floating_ip_is_allocated_associated_disassociated_and_released(demo_cloud,
                                                                          server, realcloud):
    net = demo_cloud.network
    pools = net.list_external_networks()
    assert realcloud["RC_PUBLIC_NET_ID"] in {p["id"] for p in pools}
    fip = net.create_floating_ip(realcloud["RC_PUBLIC_NET_ID"])
    try:
        assert fip["port_id"] is None and fip["floating_ip_address"]
        [port] = net.list_ports(filters={"device_id": server["id"]})
        fixed = port["fixed_ips"][0]["ip_address"]
        done = net.associate_floating_ip(fip["id"], port["id"], fixed)
        assert done["port_id"] == port["id"] and done["fixed_ip_address"] == fixed
        listed = {f["id"]: f for f in net.list_floating_ips()}[fip["id"]]
        assert listed["port_details"]["device_id"] == server["id"]
        assert net.disassociate_floating_ip(fip["id"])["port_id"] is None
    finally:
        net.delete_floating_ip(fip["id"])
    assert fip["id"] not in {f["id"] for f in net.list_floating_ips()}


def test_security_group_and_rules_create_and_delete(demo_cloud):
    net = demo_cloud.network
    group = net.create_security_group(unique("sg"), "osdesk test")
    try:
        rule = net.create_security_group_rule(group["id"], protocol="tcp", port_range_min=22,
                                              port_range_max=22,
                                              remote_ip_prefix="203.0.113.0/24")
        assert rule["remote_ip_prefix"] == "203.0.113.0/24"
        # the same rule again: Neutron's own sentence, not a traceback
        with pytest.raises(OsdeskError) as twice:
            net.create_security_group_rule(group["id"], protocol="tcp", port_range_min=22,
                                           port_range_max=22, remote_ip_prefix="203.0.113.0/24")
        assert "exists" in str(twice.value).lower()
        edited = net.update_security_group(group["id"], description="edited")
        assert edited["description"] == "edited"
        net.delete_security_group_rule(rule["id"])
        rules = net.get("security-groups", group["id"])["security_group_rules"]
        assert rule["id"] not in {r["id"] for r in rules}
    finally:
        net.delete_security_group(group["id"])
    assert group["id"] not in {g["id"] for g in net.list_security_groups()}
