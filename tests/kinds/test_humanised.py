"""API names and values as people say them, in the detail pane and the columns, on the
services' real sample bodies: "Host ID" not hostId, "Router interface" not
network:router_interface, zones as text, Yes/No, times in local time, no JSON."""

from __future__ import annotations

import json
import re

import pytest

from osdesk.kinds.detail import FIELD_NAMES, field_text, label, text
from osdesk.kinds.registry import KIND_BY_KEY, KINDS
from tests.samples import SAMPLES

NEUTRON = SAMPLES / "neutron" / "api-ref" / "source" / "v2" / "samples"
#: one real list body a kind, as its page gets it
BODIES = {
    "servers": SAMPLES / "nova/doc/api_samples/servers/v2.100/servers-details-resp.json",
    "flavors": SAMPLES / "nova/doc/api_samples/flavors/v2.75/flavors-detail-resp.json",
    "keypairs": SAMPLES / "nova/doc/api_samples/os-keypairs/v2.35/keypairs-list-resp.json",
    "images": SAMPLES / "glance/api-ref/source/v2/samples/images-list-response.json",
    "volumes": SAMPLES / "cinder/api-ref/source/v3/samples/volumes/v3.69/"
                         "volumes-list-detailed-response.json",
    "volume_snapshots": SAMPLES / "cinder/api-ref/source/v3/samples/snapshots/v3.65/"
                                  "snapshots-list-detailed-response.json",
    "networks": NEUTRON / "networks/networks-list-response.json",
    "subnets": NEUTRON / "subnets/subnets-list-response.json",
    "routers": NEUTRON / "routers/routers-list-response.json",
    "ports": NEUTRON / "ports/ports-list-response.json",
    "security_groups": NEUTRON / "security-groups/security-groups-list-response.json",
    "floating_ips": NEUTRON / "floatingips/floating-ips-list-response.json",
    "projects": SAMPLES / "keystone/api-ref/source/v3/samples/admin/projects-list-response.json",
}


def rows_of(key: str) -> list[dict]:
    body = json.loads(BODIES[key].read_text())
    rows = next(v for v in body.values() if isinstance(v, list))
    return [r.get("keypair", r) for r in rows]


def pane(key: str, raw: dict) -> dict[str, str]:
    return {lab: value for _title, rows in KIND_BY_KEY[key].details(raw, None, True)
            for lab, value, _copy in rows}


#: what an API name looks like: snake_case, camelCase, an extension's "prefix:"
API_NAME = re.compile(r"[a-z][A-Z]|\w_\w|^[A-Za-z-]+:\w")
#: the mixed-case words people write so
WORDS = re.compile(r"vCPUs|QoS|IPv4|IPv6|IPs")


def json_like(value) -> bool:
    return str(value).startswith(("[", "{")) or value in ("True", "False", "None")


def test_every_kind_has_a_sample_here():
    assert {k.key for k in KINDS} == set(BODIES)


@pytest.mark.parametrize("key", sorted(BODIES))
def test_no_pane_shows_an_api_name_json_or_python_words(key):
    for raw in rows_of(key):
        for title, rows in KIND_BY_KEY[key].details(raw, None, True):
            for lab, value, _copy in rows:
                if title in ("Metadata", "Custom properties", "Extra specs", "Fixed IPs",
                             "Routes") or lab in ("in", "out"):
                    continue  # the user's own keys, addresses; the rule's direction
                assert not API_NAME.search(WORDS.sub("", lab)), (key, lab)
                assert not json_like(value), (key, lab, value)


@pytest.mark.parametrize("key", sorted(BODIES))
def test_no_column_shows_json_or_python_words(key):
    for raw in rows_of(key):
        for column in KIND_BY_KEY[key].columns:
            value = column.value(raw)
            assert not json_like(value), (key, column.title, value)


def test_a_server_reads_host_id_and_its_zone():
    server = rows_of("servers")[0]
    shown = pane("servers", server)
    assert shown["Host ID"] == server["hostId"]
    assert shown["Availability zone"] == "us-west"
    assert shown["Locked"] == "No"
    assert "hostId" not in shown


def test_a_network_reads_its_zones_as_text_and_booleans_as_yes_no():
    network = rows_of("networks")[0]
    assert network["availability_zones"] == ["nova"]
    shown = pane("networks", network)
    assert shown["Availability zones"] == "nova"
    assert shown["Shared"] == "No" and shown["Admin state up"] == "Yes"


def test_a_router_interface_port_and_a_routers_interfaces():
    port = json.loads((NEUTRON / "ports/port-show-response.json").read_text())["port"]
    assert port["device_owner"] == "network:router_interface"
    assert pane("ports", port)["Attached to"] == "Router interface"

    class Network:
        def list_ports(self, filters):
            return [port, dict(port, device_owner="network:router_gateway")]

    class Cloud:
        network = Network()
    from osdesk.kinds.routers import interfaces
    (_title, rows), = interfaces(Cloud(), {"id": "r1"})
    assert [r[0] for r in rows] == ["Router interface", "Router gateway"]


def test_a_kind_without_its_own_pane_is_humanised_too():
    fip = pane("floating_ips", rows_of("floating_ips")[0])
    assert fip["External network ID"] == "376da547-b977-4cfe-9cba-275c80debf57"
    assert fip["QoS policy ID"]
    assert "Admin state up: Yes" in fip["Port"] and "admin_state_up" not in fip["Port"]
    assert fip["Tags"] == "tag1,tag2"  # the sample's one tag, not ["tag1,tag2"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", fip["Created"])
    assert list(fip).count("Project ID") == 1  # tenant_id and project_id: one row
    project = pane("projects", rows_of("projects")[0])
    assert "Links" not in project and project["Enabled"] == "Yes"
    snapshot = pane("volume_snapshots", rows_of("volume_snapshots")[0])
    assert snapshot["Metadata"] == "key: v3"  # the user's keys stay theirs


@pytest.mark.parametrize("field, said", [
    ("hostId", "Host ID"), ("OS-EXT-STS:vm_state", "VM state"),
    ("OS-EXT-IPS-MAC:mac_addr", "MAC addr"), ("accessIPv4", "Access IPv4"),
    ("router:external", "External"), ("provider:network_type", "Provider network type"),
    ("tenant_id", "Project ID"), ("os_hidden", "Hidden"), ("device_owner", "Attached to"),
    ("floating_ip_address", "Floating IP address"), ("availability_zone_hints",
                                                     "Availability zone hints")])
def test_field_names(field, said):
    assert label(field) == said


def test_the_table_of_names_is_the_one_place():
    assert all(label(k) == v for k, v in FIELD_NAMES.items())


@pytest.mark.parametrize("value, said", [
    (["nova"], "nova"), (["az1", "az2"], "az1, az2"), ([], "—"), ({}, "—"), (True, "Yes"),
    (False, "No"), (None, "—"), ({"a": 1, "b": True}, "a: 1, b: Yes"),
    ([{"start": "10.0.0.2", "end": "10.0.0.9"}], "start: 10.0.0.2, end: 10.0.0.9")])
def test_values(value, said):
    assert text(value) == said


def test_a_nested_record_and_a_time():
    assert field_text("port_details", {"admin_state_up": False}) == "Admin state up: No"
    assert field_text("created_at", None) == "—"
