"""Column specs and helpers, on real sample bodies."""

from __future__ import annotations

import datetime as dt

import pytest

from model_samples import GLANCE, KEYSTONE, NEUTRON, NOVA, load_sample, servers_v296
from osdesk.kinds.columns import (Column)
from osdesk.rules.formats import (MISSING_KEY, LookupContext, fmt_age, fmt_gb, fmt_mb, fmt_size, fmt_time, ip_sort_key, natural_key, parse_time, server_ips, sort_wrap, status_role)
from osdesk.kinds.registry import KIND_BY_KEY, KINDS, columns_for, row_key_for

UTC = dt.timezone.utc


def cells(resource: str, row: dict, ctx: LookupContext | None = None) -> dict[str, str]:
    return {col.key: col.value(row, ctx) for col in columns_for(resource)}


def col(resource: str, key: str) -> Column:
    return next(c for c in columns_for(resource) if c.key == key)


# ------------------------------------------------------------------ helpers
@pytest.mark.parametrize("num, text", [
    (0, "0 B"), (1, "1 B"), (1023, "1023 B"), (1024, "1 KiB"), (1536, "1.5 KiB"),
    (13167616, "12.6 MiB"), (476704768, "454.6 MiB"), (1288490188, "1.2 GiB"),
    (10 * 1024 ** 3, "10 GiB"), (5 * 1024 ** 4, "5 TiB"), (None, ""), ("", ""),
])
def test_fmt_size(num, text):
    assert fmt_size(num) == text


@pytest.mark.parametrize("mb, text", [
    (512, "512 MiB"), (2048, "2 GiB"), (1536, "1.5 GiB"), (0, "0 MiB"), ("", ""), (None, ""),
])
def test_fmt_mb(mb, text):
    assert fmt_mb(mb) == text


def test_fmt_gb():
    assert fmt_gb(20) == "20 GiB"
    assert fmt_gb(0) == "0 GiB"
    assert fmt_gb(2048) == "2 TiB"


@pytest.mark.parametrize("text, expected", [
    ("2013-09-03T04:01:32Z", dt.datetime(2013, 9, 3, 4, 1, 32, tzinfo=UTC)),
    ("2016-03-08T20:19:41", dt.datetime(2016, 3, 8, 20, 19, 41, tzinfo=UTC)),
    ("2013-09-23T13:53:12.774549", dt.datetime(2013, 9, 23, 13, 53, 12, 774549, tzinfo=UTC)),
    ("2013-09-23T13:53:12.774549+00:00",
     dt.datetime(2013, 9, 23, 13, 53, 12, 774549, tzinfo=UTC)),
    ("2013-09-23T13:53:12+0000", dt.datetime(2013, 9, 23, 13, 53, 12, tzinfo=UTC)),
    ("2013-09-23T15:53:12+02:00", dt.datetime(2013, 9, 23, 13, 53, 12, tzinfo=UTC)),
    ("2013-09-23T13:53:12.1234567Z", dt.datetime(2013, 9, 23, 13, 53, 12, 123456, tzinfo=UTC)),
])
def test_parse_time_shapes(text, expected):
    parsed = parse_time(text)
    assert parsed == expected
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("junk", [None, "", "yesterday", "2013-02-30T00:00:00Z", 12, [], {}])
def test_parse_time_never_raises(junk):
    assert parse_time(junk) is None


def test_fmt_time_is_local_time():
    when = parse_time("2013-09-03T04:01:32Z")
    assert fmt_time("2013-09-03T04:01:32Z") == when.astimezone().strftime("%Y-%m-%d %H:%M")
    assert fmt_time(None) == ""
    assert fmt_time("not a time") == "not a time"


def test_fmt_age():
    now = dt.datetime(2024, 1, 1, 12, 0, tzinfo=UTC)
    assert fmt_age(now - dt.timedelta(seconds=10), now) == "just now"
    assert fmt_age(now - dt.timedelta(minutes=3), now) == "3 min ago"
    assert fmt_age(now - dt.timedelta(hours=2), now) == "2 h ago"
    assert fmt_age(now - dt.timedelta(days=1), now) == "1 day ago"
    assert fmt_age(now - dt.timedelta(days=5), now) == "5 days ago"
    assert fmt_age("2023-12-31T12:00:00Z", now) == "1 day ago"
    assert fmt_age(now + dt.timedelta(minutes=5), now) == "in 5 min"
    assert fmt_age(None, now) == ""


def test_server_ips_of_every_network():
    server = {"addresses": {
        "private": [{"addr": "10.0.0.5", "OS-EXT-IPS:type": "fixed", "version": 4},
                    {"addr": "172.24.4.9", "OS-EXT-IPS:type": "floating", "version": 4}],
        "v6": [{"addr": "2001:db8::5", "version": 6}],
    }}
    assert server_ips(server) == ["10.0.0.5", "172.24.4.9", "2001:db8::5"]
    assert server_ips(servers_v296()[0]) == ["192.168.1.30"]
    assert server_ips({}) == []
    assert server_ips({"addresses": None}) == []


def test_ip_sort_key_is_numeric():
    ips = ["10.0.0.10", "10.0.0.9", "2001:db8::1", "9.255.255.255", "192.168.1.30"]
    assert sorted(ips, key=ip_sort_key) == [
        "9.255.255.255", "10.0.0.9", "10.0.0.10", "192.168.1.30", "2001:db8::1"]
    assert ip_sort_key("10.0.0.0/24") < ip_sort_key("10.0.1.0/24")
    assert ip_sort_key("10.0.0.0/8") < ip_sort_key("10.0.0.0/24")
    assert ip_sort_key("not-an-ip") > ip_sort_key("2001:db8::1")
    assert ip_sort_key(None) is None


def test_sort_wrap_mixed_types_never_raise_and_missing_sorts_last():
    values = [3, "abc", None, dt.datetime(2020, 1, 1), dt.datetime(2019, 1, 1, tzinfo=UTC),
              (4, 1), "", 2.5, True, float("nan"), {"a": 1}]
    keys = sorted(sort_wrap(v) for v in values)  # must not raise
    assert keys[-3:] == [MISSING_KEY] * 3  # None, "" and NaN
    assert sort_wrap(None) == MISSING_KEY


def test_natural_key():
    names = ["vm-10", "vm-9", "VM-1", "vm-100", "alpha"]
    assert sorted(names, key=natural_key) == ["alpha", "VM-1", "vm-9", "vm-10", "vm-100"]
    assert natural_key("x" + "9" * 5000)  # a digit run too long for int() does not raise


@pytest.mark.parametrize("status, task, role", [
    ("ACTIVE", None, "ok"), ("active", None, "ok"), ("available", None, "ok"),
    ("BUILD", None, "busy"), ("REBOOT", None, "busy"), ("RESIZE", None, "busy"),
    ("ACTIVE", "rebooting", "busy"), ("SHUTOFF", "powering-on", "busy"),
    ("ERROR", None, "error"), ("ERROR", "deleting", "error"),
    ("SHUTOFF", None, "warn"), ("PAUSED", None, "warn"), ("SUSPENDED", None, "warn"),
    ("SHELVED", None, "warn"), ("SHELVED_OFFLOADED", None, "warn"),
    ("deactivated", None, "warn"), ("queued", None, "busy"), ("killed", None, "error"),
    ("whatever", None, None), (None, None, None),
])
def test_status_role(status, task, role):
    assert status_role(status, task) == role


def test_column_public_methods_never_raise():
    broken = Column("x", "X", lambda row, ctx: row["missing"]["deeper"])
    assert broken.value({}) == ""
    assert broken.sort_key({}) == MISSING_KEY
    assert broken.filter_text({}) == ""
    assert broken.tooltip({}) is None
    assert broken.color({}) is None


# ------------------------------------------------------------------ servers
def test_server_columns_v296_embedded_flavor():
    server = servers_v296()[0]
    c = cells("servers", server)
    assert c["name"] == "new-server-test"
    assert c["status"] == "ACTIVE"
    assert c["task_state"] == ""
    assert c["power_state"] == "Running"
    assert c["addresses"] == "192.168.1.30"
    assert c["flavor"] == "m1.tiny"  # flavor.original_name, 2.47+
    assert c["image"] == "70a599e0-31e7-49b7-b260-868f441e862b"  # no name known yet
    assert c["key_name"] == ""
    assert c["availability_zone"] == "us-west"
    assert c["locked"] == "No"
    assert c["created"] == fmt_time("2013-09-03T04:01:32Z")
    assert c["id"] == "f5dc173b-6804-445a-a6d8-c705dad5b5eb"
    assert col("servers", "status").color(server) == "ok"
    assert col("servers", "power_state").color(server) == "ok"
    assert col("servers", "created").sort_value(server) == dt.datetime(2013, 9, 3, 4, 1, 32,
                                                                        tzinfo=UTC)
    assert "m1.tiny: 1 vCPU, 512 MiB RAM, 1 GiB disk" == col("servers", "flavor").tooltip(server)
    assert "private: 192.168.1.30 (fixed)" == col("servers", "addresses").tooltip(server)


def test_server_columns_use_lookups_before_2_47():
    server = load_sample(f"{NOVA}/servers/servers-details-resp.json")["servers"][0]
    assert server["flavor"] == {"id": "1", "links": server["flavor"]["links"]}
    ctx = LookupContext(flavor_names={"1": "m1.tiny"},
                        image_names={"70a599e0-31e7-49b7-b260-868f441e862b": "cirros"})
    assert cells("servers", server)["flavor"] == "1"  # id until the names are known
    c = cells("servers", server, ctx)
    assert c["flavor"] == "m1.tiny"
    assert c["image"] == "cirros"


def test_server_2_47_sample_and_boot_from_volume():
    server = load_sample(f"{NOVA}/servers/v2.47/servers-details-resp.json")["servers"][0]
    assert cells("servers", server)["flavor"] == "m1.tiny.specs"
    bfv = dict(server, image="")
    assert cells("servers", bfv)["image"] == "boot from volume"


def test_server_task_state_and_power_names():
    server = dict(servers_v296()[0], status="REBOOT")
    server["OS-EXT-STS:task_state"] = "rebooting"
    server["OS-EXT-STS:power_state"] = 4
    c = cells("servers", server)
    assert c["task_state"] == "rebooting"
    assert c["power_state"] == "Shutdown"
    assert col("servers", "status").color(server) == "busy"
    assert col("servers", "task_state").color(server) == "busy"
    for state, name in [(0, "NOSTATE"), (3, "Paused"), (6, "Crashed"), (7, "Suspended")]:
        server["OS-EXT-STS:power_state"] = state
        assert cells("servers", server)["power_state"] == name


def test_server_ip_filter_text_holds_every_address_and_network():
    server = dict(servers_v296()[0])
    server["addresses"] = {"net-a": [{"addr": "10.1.2.3"}], "net-b": [{"addr": "172.24.4.7"}]}
    text = col("servers", "addresses").filter_text(server)
    for piece in ("10.1.2.3", "172.24.4.7", "net-a", "net-b"):
        assert piece in text


def test_every_server_sample_renders_without_error():
    import csv
    with open(load_sample.__globals__["SAMPLES"] / "INDEX.tsv", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t")
                if r["service"] == "nova" and r["resource"] == "servers"
                and r["operation"].startswith("list-detail")]
    assert rows
    for entry in rows:
        for server in load_sample(entry["path"])["servers"]:
            c = cells("servers", server)
            assert c["status"] and c["id"], entry["path"]
            if "flavor" in server:
                assert c["flavor"], entry["path"]


def test_down_cell_server_2_69():
    server = load_sample(f"{NOVA}/servers/v2.69/servers-details-resp.json")["servers"][0]
    c = cells("servers", server)
    assert c["status"] == "UNKNOWN"
    assert c["name"] == c["flavor"] == c["image"] == c["addresses"] == ""
    assert col("servers", "status").color(server) == "warn"


# ------------------------------------------------------------------ images, flavors, keypairs
def test_image_columns():
    images = load_sample(f"{GLANCE}/images-list-response.json")["images"]
    c = cells("images", images[0])
    assert c["name"] == "cirros-0.3.2-x86_64-disk"
    assert c["size"] == "12.6 MiB"
    assert c["disk_format"] == "qcow2"
    assert c["container_format"] == "bare"
    assert c["visibility"] == "public"
    assert c["protected"] == "No"
    assert c["min_disk"] == "0 GiB"
    assert c["min_ram"] == "0 MiB"
    assert c["created"] == fmt_time("2014-11-07T17:07:06Z")
    assert col("images", "size").sort_value(images[0]) == 13167616
    assert col("images", "status").color(images[0]) == "ok"
    assert not col("images", "owner").visible_by_default
    assert not col("images", "id").visible_by_default
    ctx = LookupContext(project_names={"5ef70662f8b34079a6eddb8da9d75fe8": "demo"})
    assert cells("images", images[0], ctx)["owner"] == "demo"


def test_flavor_columns():
    flavors = load_sample(f"{NOVA}/flavors/flavors-detail-resp.json")["flavors"]
    c = cells("flavors", flavors[0])
    assert c == {"name": "m1.tiny", "vcpus": "1", "ram": "512 MiB", "disk": "1 GiB",
                 "ephemeral": "0 GiB", "swap": "0 MiB", "is_public": "Yes", "disabled": "No",
                 "id": "1"}
    assert col("flavors", "swap").sort_value(flavors[0]) == 0  # "" means none
    assert col("flavors", "ram").sort_value(flavors[1]) == 2048
    assert cells("flavors", flavors[1])["ram"] == "2 GiB"


def test_keypair_columns():
    wrapped = load_sample(f"{NOVA}/os-keypairs/v2.35/keypairs-list-resp.json")["keypairs"]
    keypair = wrapped[0]["keypair"]  # the api layer unwraps {"keypair": {...}}
    c = cells("keypairs", keypair)
    assert c["name"] == "keypair-5d935425-31d5-48a7-a0f1-e76e9813f2c3"
    assert c["type"] == "ssh"
    assert c["fingerprint"] == "7e:eb:ab:24:ba:d1:e1:88:ae:9a:fb:66:53:df:d3:bd"
    assert c["created"] == ""
    assert row_key_for("keypairs") == "name"
    assert row_key_for("servers") == "id"


# ------------------------------------------------------------------ neutron, keystone
def test_network_columns_with_subnet_lookups():
    networks = load_sample(f"{NEUTRON}/networks/networks-list-response.json")["networks"]
    net = networks[0]
    c = cells("networks", net)
    assert c["name"] == "net1"
    assert c["subnets"] == "1 subnet"
    assert c["shared"] == "No"
    assert c["external"] == "No"
    assert c["mtu"] == "1500"
    assert c["admin_state_up"] == "UP"
    ctx = LookupContext(subnet_cidrs_by_network={net["id"]: ["192.0.0.0/8"]})
    assert cells("networks", net, ctx)["subnets"] == "192.0.0.0/8"
    assert "54d6f61d-db07-451c-9ab3-b9609b6b6f0b" in col("networks", "subnets").filter_text(net)


def test_subnet_columns():
    subnets = load_sample(f"{NEUTRON}/subnets/subnets-list-response.json")["subnets"]
    ctx = LookupContext(network_names={"db193ab3-96e3-4cb3-8fc5-05f4296d0324": "net2"})
    c = cells("subnets", subnets[0], ctx)
    assert c["name"] == "private-subnet"
    assert c["cidr"] == "10.0.0.0/24"
    assert c["ip_version"] == "IPv4"
    assert c["gateway_ip"] == "10.0.0.1"
    assert c["enable_dhcp"] == "Yes"
    assert c["network"] == "net2"
    assert c["allocation_pools"] == "10.0.0.2–10.0.0.254"
    cidr = col("subnets", "cidr")
    assert cidr.sort_key(subnets[0]) < cidr.sort_key(subnets[1])  # 10.0.0.0/24 < 192.0.0.0/8
    assert cidr.sort_key({"cidr": "9.0.0.0/8"}) < cidr.sort_key({"cidr": "10.0.0.0/8"})


def test_router_columns():
    routers = load_sample(f"{NEUTRON}/routers/routers-list-response.json")["routers"]
    ctx = LookupContext(network_names={"ae34051f-aa6c-4c75-abf5-50dc9ac99ef3": "public"})
    c = cells("routers", routers[0], ctx)
    assert c["name"] == "router2"
    assert c["status"] == "ACTIVE"
    assert c["external_network"] == "public"
    assert c["external_ips"] == "172.24.4.3, 2001:db8::c"
    assert c["enable_snat"] == "Yes"
    assert c["ha"] == "No"
    assert c["distributed"] == "No"
    assert c["admin_state_up"] == "UP"
    no_gateway = {"id": "r", "name": "internal", "status": "ACTIVE",
                  "external_gateway_info": None, "admin_state_up": True}
    c = cells("routers", no_gateway)
    assert (c["external_network"], c["external_ips"], c["enable_snat"], c["ha"]) == ("", "", "", "")


def test_project_columns():
    projects = load_sample(f"{KEYSTONE}/projects-list-response.json")["projects"]
    c = cells("projects", projects[0])
    assert c == {"name": "admin", "domain": "default", "enabled": "Yes", "description": "",
                 "id": "0c4e939acacf4376bdcd1129f1a054ad"}
    assert cells("projects", projects[0], LookupContext(domain_names={"default": "Default"}))[
        "domain"] == "Default"


def test_security_group_columns():
    groups = load_sample(f"{NEUTRON}/security-groups/security-groups-list-response.json")[
        "security_groups"]
    c = cells("security_groups", groups[0])
    assert c["name"] == "default"
    assert c["rules"] == str(len(groups[0]["security_group_rules"]))


def test_floating_ip_columns():
    fips = load_sample(f"{NEUTRON}/floatingips/floating-ips-list-response.json")["floatingips"]
    ctx = LookupContext(network_names={"376da547-b977-4cfe-9cba-275c80debf57": "public"})
    c = cells("floating_ips", fips[0], ctx)
    assert c["floating_ip_address"] == "172.24.4.228"
    assert c["fixed_ip_address"] == "10.0.0.3"
    assert c["status"] == "ACTIVE"
    assert c["port_id"] == "ce705c24-c1ef-408a-bda3-7bbd946164ab"
    assert c["floating_network"] == "public"
    assert cells("floating_ips", fips[1])["fixed_ip_address"] == ""
    assert col("floating_ips", "status").color(fips[1]) is None  # DOWN and unassociated
    assert columns_for("floatingips") is KIND_BY_KEY["floating_ips"].columns
    assert columns_for("security-groups") is KIND_BY_KEY["security_groups"].columns


def test_column_keys_are_unique_and_every_resource_has_a_row_key():
    for kind in KINDS:
        resource, columns = kind.key, kind.columns
        keys = [c.key for c in columns]
        assert len(keys) == len(set(keys)), resource
        assert kind.row_key in ("id", "name")
        assert all(c.width_hint > 0 and c.title for c in columns)
