"""What search everywhere finds a row by, on the services' real sample bodies."""

from __future__ import annotations

import json

from osdesk.rules.search import score, terms
from tests.samples import SAMPLES

NOVA = SAMPLES / "nova" / "doc" / "api_samples" / "servers" / "v2.98" / "servers-details-resp.json"
NEUTRON = SAMPLES / "neutron" / "api-ref" / "source" / "v2" / "samples"


def load(path):
    return json.loads(path.read_text())


def test_a_server_is_found_by_name_uuid_fixed_ip_mac_and_key_pair():
    server = load(NOVA)["servers"][0]
    found = terms(server)
    entry = next(e for nets in server["addresses"].values() for e in nets)
    for query in (server["name"], server["id"], entry["addr"], entry["OS-EXT-IPS-MAC:mac_addr"]):
        assert score(query.lower(), found) > 0, query
    # the list samples have no key pair; a rebuilt server's body names one
    rebuilt = load(NOVA.parent.parent / "v2.63" / "server-action-rebuild-resp.json")["server"]
    assert score(rebuilt["key_name"].lower(), terms(rebuilt)) > 0
    assert found[0] == server["name"].lower()  # the name is the most telling term
    assert score("no-such-thing", found) == 0


def test_an_exact_name_beats_a_prefix_which_beats_a_substring():
    server = load(NOVA)["servers"][0]
    found = terms(server)
    name = server["name"].lower()
    assert score(name, found) > score(name[:-1], found) > score(name[1:-1], found) > 0


def test_a_floating_ip_is_found_by_its_address_and_the_fixed_address_behind_it():
    fip = load(NEUTRON / "floatingips" / "floating-ips-list-response.json")["floatingips"][0]
    found = terms(fip)
    assert score(fip["floating_ip_address"], found) >= 200
    if fip.get("fixed_ip_address"):
        assert score(fip["fixed_ip_address"], found) > 0


def test_a_port_is_found_by_its_mac_and_its_fixed_ips():
    port = load(NEUTRON / "ports" / "ports-list-response.json")["ports"][0]
    found = terms(port)
    assert score(port["mac_address"].lower(), found) > 0
    for fixed in port["fixed_ips"]:
        assert score(fixed["ip_address"], found) > 0
