"""The registry of resource kinds: what the window is built from, read from each kind's
declaration; and the ``openstack`` commands the console derives from their collections."""

from __future__ import annotations

import json

import pytest

from osdesk.api.calllog import openstack_command
from osdesk.kinds.registry import COLLECTIONS, KIND_BY_KEY, KINDS, kind_for
from tests.samples import SAMPLES

NEUTRON = SAMPLES / "neutron" / "api-ref" / "source" / "v2" / "samples"
ENDPOINT = "http://127.0.0.1:9696/networking"


def test_every_kind_module_is_found_in_the_sidebar_order():
    core = ["servers", "images", "flavors", "keypairs", "networks", "subnets", "routers",
            "security_groups", "floating_ips", "projects"]
    keys = [k.key for k in KINDS]
    assert [k for k in keys if k in core] == core
    assert len(keys) == len(set(keys))
    # the sidebar lists them under their headings, each heading once
    sections = [k.section for k in KINDS]
    assert [s for i, s in enumerate(sections) if i == 0 or sections[i - 1] != s] == [
        "Compute", "Storage", "Network", "Project"]


def test_every_spelling_finds_one_kind():
    seen: dict[str, str] = {}
    for kind in KINDS:
        for name in kind.spellings():
            assert seen.setdefault(name, kind.key) == kind.key, name
            assert kind_for(name) is kind
    assert kind_for("floating-ips") is KIND_BY_KEY["floating_ips"]
    assert kind_for("os-keypairs") is KIND_BY_KEY["keypairs"]
    with pytest.raises(KeyError):
        kind_for("volumes-that-are-not-here")


def test_a_kind_s_collection_is_on_its_own_service():
    for kind in KINDS:
        assert kind.collection is not None, kind.key
        assert kind.collection.service_type == kind.service_type, kind.key


def test_action_keys_are_unique_per_kind_and_read_only_kinds_have_none():
    for kind in KINDS:
        keys = [a.key for a in kind.actions]
        assert len(keys) == len(set(keys))
    # the sidebar lists them under their headings, each heading once
    sections = [k.section for k in KINDS]
    assert [s for i, s in enumerate(sections) if i == 0 or sections[i - 1] != s] == [
        "Compute", "Storage", "Network", "Project"], kind.key
    assert {k.key for k in KINDS if k.read_only} == {"flavors", "routers", "ports", "projects"}


@pytest.mark.parametrize("method, path, body, command", [
    ("GET", "/v2.0/floatingips", None, "openstack floating ip list"),
    ("GET", "/v2.0/security-groups/85cc3048", None, "openstack security group show 85cc3048"),
    ("DELETE", "/v2.0/routers/r1", None, "openstack router delete r1"),
    ("POST", "/v2.0/subnets", "subnets/subnet-create-request.json",
     "openstack subnet create --network d32019d3-bc6e-4319-9c1d-6722fc136a22"
     " --subnet-range 192.168.199.0/24 ''"),
    ("POST", "/v2.0/security-groups", "security-groups/security-group-create-request.json",
     "openstack security group create new-webservers"),
])
def test_neutron_commands_come_from_the_kinds_collections(method, path, body, command):
    payload = json.loads((NEUTRON / body).read_text()) if body else None
    url = ENDPOINT + path
    assert openstack_command(method, url, "network", payload, ENDPOINT,
                             collections=COLLECTIONS) == command
    # the call log alone (no kinds given) knows no Neutron nouns
    assert openstack_command(method, url, "network", payload, ENDPOINT) is None


def test_a_collection_is_matched_on_its_service_too():
    # /servers on the network service is no server command
    assert openstack_command("GET", ENDPOINT + "/v2.0/servers", "network",
                             collections=COLLECTIONS) is None
