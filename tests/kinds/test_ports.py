"""The Ports page's columns and detail pane, on Neutron's real ``GET /v2.0/ports`` sample."""

from __future__ import annotations

import json

import pytest

from osdesk.kinds.ports import KIND, attached_to
from osdesk.rules.formats import LookupContext
from tests.samples import SAMPLES

PORTS = json.loads((SAMPLES / "neutron" / "api-ref" / "source" / "v2" / "samples" / "ports"
                    / "ports-list-response.json").read_text())["ports"]
CTX = LookupContext(network_names={"f27aa545-cbdd-4907-b0c6-c9e8b039dcc2": "private"},
                    subnet_names={"288bf4a1-51ba-43b6-9d0a-520e9005db17": "private-subnet"})


def cells(row) -> dict[str, str]:
    return {c.key: c.value(row, CTX) for c in KIND.columns}


def test_a_router_interface_port_reads_as_people_say_it():
    gateway, interface = PORTS
    c = cells(interface)
    assert c["fixed_ips"] == "10.0.0.1"
    assert c["mac_address"] == "fa:16:3e:bb:3c:e4"
    assert c["network"] == "private"  # the lookup's name, not the UUID
    assert c["attached_to"] == "Router interface"
    assert c["status"] == "ACTIVE"
    assert c["name"] == f"({interface['id'][:8]})"  # unnamed, as most ports are
    # a network the lookups do not know stays its id
    assert cells(gateway)["network"] == "70c1db1f-b701-45bd-96e0-a313ee3430b3"
    assert cells(gateway)["attached_to"] == "Router gateway"


@pytest.mark.parametrize("owner, said", [
    ("compute:nova", "Server"), ("compute:az-2", "Server"), ("network:dhcp", "DHCP"),
    ("network:local_ip", "Local IP"), ("", ""), (None, "")])
def test_device_owners_are_humanised(owner, said):
    assert attached_to(owner) == said


def test_fixed_ips_sort_as_addresses():
    column = next(c for c in KIND.columns if c.key == "fixed_ips")
    low = dict(PORTS[1], fixed_ips=[{"ip_address": "10.0.0.9"}])
    high = dict(PORTS[1], fixed_ips=[{"ip_address": "10.0.0.10"}])
    assert column.sort_key(low, CTX) < column.sort_key(high, CTX)


def test_the_detail_pane_names_the_subnet_of_each_fixed_ip():
    sections = dict(KIND.sections(PORTS[1], CTX))
    assert ("private-subnet", "10.0.0.1", True) in sections["Fixed IPs"]
    port = {label: value for label, value, _copy in sections["Port"]}
    assert port["Attached to"] == "Router interface" and port["Network"] == "private"
