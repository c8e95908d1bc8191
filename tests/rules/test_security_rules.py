"""Security-group rules as people read and write them, on neutron's real rules: the table's
words, port parsing and its sentences, address ranges, and the fields a new rule sends."""

from __future__ import annotations

import json

import pytest

from osdesk.rules.security_rules import (QUICK_RULES, cidr_problem, parse_ports, ports_text,
                                         protocol_text, quick_fields, remote_text, rule_fields)
from tests.samples import SAMPLES

GROUPS = SAMPLES / "neutron" / "api-ref" / "source" / "v2" / "samples" / "security-groups"
#: neutron's rules of its default group: egress IPv6/IPv4 anywhere, ingress IPv6/IPv4 from
#: the members of the group
RULES = json.loads((GROUPS / "security-group-rules-list-response.json").read_text())[
    "security_group_rules"]
#: tcp 80, from the members of group 85cc3048…, and an address group
CREATED = json.loads((GROUPS / "security-group-rule-create-response.json").read_text())[
    "security_group_rule"]
DEFAULT_ID = "85cc3048-abc3-43cc-89b3-377341426ac5"


# ------------------------------------------------------------- table words
def test_neutrons_default_rules_read_as_any_protocol_any_port():
    assert [protocol_text(r) for r in RULES] == ["Any"] * 4
    assert [ports_text(r) for r in RULES] == ["Any"] * 4


def test_neutrons_default_rules_name_their_remotes():
    names = {DEFAULT_ID: "default"}
    assert [remote_text(r, names) for r in RULES] == [
        "::/0 (anywhere)", "0.0.0.0/0 (anywhere)", "group default", "group default"]
    # a group the lookups do not know stays its id
    assert remote_text(RULES[2]) == f"group {DEFAULT_ID}"


def test_the_created_sample_rule_reads_as_tcp_80_from_its_group():
    assert (protocol_text(CREATED), ports_text(CREATED)) == ("TCP", "80")
    assert remote_text(CREATED) == f"group {DEFAULT_ID}"
    assert remote_text(dict(CREATED, remote_group_id=None)) == \
        "address group a9baa1eb-0614-4d68-870e-fec6d8f8c221"
    assert remote_text(dict(CREATED, remote_group_id=None, remote_address_group_id=None,
                            remote_ip_prefix="203.0.113.0/24")) == "203.0.113.0/24"
    # the whole internet says so, spelled out or not
    assert remote_text(dict(CREATED, remote_group_id=None, remote_address_group_id=None,
                            remote_ip_prefix="0.0.0.0/0")) == "0.0.0.0/0 (anywhere)"


@pytest.mark.parametrize("change, said", [
    ({"port_range_min": 8000, "port_range_max": 8080}, "8000–8080"),
    ({"port_range_min": 53, "port_range_max": None}, "53"),
    ({"protocol": "icmp", "port_range_min": 8, "port_range_max": 0}, "type 8 code 0"),
    ({"protocol": "ipv6-icmp", "port_range_min": 128, "port_range_max": None}, "type 128"),
    ({"protocol": "icmp", "port_range_min": None, "port_range_max": None}, "Any"),
])
def test_ports_text(change, said):
    assert ports_text(dict(CREATED, **change)) == said


def test_protocol_numbers_and_names_are_shown_upper_case():
    assert protocol_text(dict(CREATED, protocol="udp")) == "UDP"
    assert protocol_text(dict(CREATED, protocol="any")) == "Any"
    assert protocol_text(dict(CREATED, protocol="6")) == "6"


# ----------------------------------------------------------------- ports
@pytest.mark.parametrize("text, ports", [
    ("22", (22, 22)), (" 8000-8080 ", (8000, 8080)), ("8000–8080", (8000, 8080)),
    ("8000 - 8080", (8000, 8080)), ("", (None, None)), ("Any", (None, None)),
    ("all", (None, None)), ("1-65535", (1, 65535))])
def test_parse_ports(text, ports):
    assert parse_ports(text) == ports


@pytest.mark.parametrize("text, message", [
    ("ssh", "“ssh” is not a port or a range like 8000-8080."),
    ("22,80", "“22,80” is not a port or a range like 8000-8080."),
    ("1-2-3", "“1-2-3” is not a port or a range like 8000-8080."),
    ("-22", "“-22” is not a port or a range like 8000-8080."),
    ("0", "Ports are numbers from 1 to 65535."),
    ("80-70000", "Ports are numbers from 1 to 65535."),
    ("8080-8000", "The range 8080-8000 ends before it starts."),
])
def test_parse_ports_says_what_is_wrong(text, message):
    with pytest.raises(ValueError) as err:
        parse_ports(text)
    assert str(err.value) == message


# --------------------------------------------------------------- ranges
@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "203.0.113.0/24", " 203.0.113.7 ", "::/0",
                                  "2001:db8::/32", "203.0.113.7/24"])
def test_address_ranges_are_accepted(cidr):
    assert cidr_problem(cidr) == ""


def test_an_empty_range_asks_for_one_and_a_bad_one_is_named():
    assert cidr_problem("  ") == "Say which addresses may connect (a range like 203.0.113.0/24)."
    assert cidr_problem("203.0.113.300/24") == \
        "“203.0.113.300/24” is not an address range like 203.0.113.0/24 or 2001:db8::/32."


# ---------------------------------------------------------- rule fields
def test_rule_fields_are_the_create_calls_arguments():
    assert rule_fields("TCP", "8000-8080", "203.0.113.7/24", description="web") == {
        "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
        "port_range_min": 8000, "port_range_max": 8080,
        "remote_ip_prefix": "203.0.113.0/24",  # the host bits dropped, as neutron wants
        "description": "web"}


def test_an_ipv6_range_makes_an_ipv6_rule():
    fields = rule_fields("udp", "53", "2001:db8::1/64", direction="egress")
    assert (fields["ethertype"], fields["direction"], fields["remote_ip_prefix"]) == \
        ("IPv6", "egress", "2001:db8::/64")
    assert (fields["port_range_min"], fields["port_range_max"]) == (53, 53)


@pytest.mark.parametrize("protocol", ["icmp", "any"])
def test_icmp_and_any_ignore_the_ports_text(protocol):
    fields = rule_fields(protocol, "not ports", "0.0.0.0/0")
    assert (fields["port_range_min"], fields["port_range_max"]) == (None, None)
    assert fields["protocol"] == (None if protocol == "any" else "icmp")


@pytest.mark.parametrize("args, message", [
    (("sctp", "22", "0.0.0.0/0"), "Unknown protocol “sctp”."),
    (("tcp", "22", ""), "Say which addresses may connect (a range like 203.0.113.0/24)."),
    (("tcp", "22", "anywhere"),
     "“anywhere” is not an address range like 203.0.113.0/24 or 2001:db8::/32."),
    (("tcp", "0", "0.0.0.0/0"), "Ports are numbers from 1 to 65535."),
])
def test_rule_fields_refuse_with_a_sentence(args, message):
    with pytest.raises(ValueError) as err:
        rule_fields(*args)
    assert str(err.value) == message


def test_quick_rules_send_their_protocol_ports_and_label():
    assert quick_fields("ssh", "0.0.0.0/0") == {
        "direction": "ingress", "ethertype": "IPv4", "protocol": "tcp",
        "port_range_min": 22, "port_range_max": 22, "remote_ip_prefix": "0.0.0.0/0",
        "description": "SSH (TCP 22)"}
    assert quick_fields("icmp", "::/0") == {
        "direction": "ingress", "ethertype": "IPv6", "protocol": "icmp",
        "port_range_min": None, "port_range_max": None, "remote_ip_prefix": "::/0",
        "description": "ICMP (ping)"}


def test_every_quick_rule_reads_back_as_its_label():
    # what a quick rule creates shows in the table with the words of its label
    for quick in QUICK_RULES:
        rule = dict(CREATED, remote_group_id=None, remote_address_group_id=None,
                    **quick_fields(quick.key, "198.51.100.0/24"))
        assert protocol_text(rule) in quick.label
        assert quick.ports is None or ports_text(rule) in quick.label
        assert remote_text(rule) == "198.51.100.0/24"


def test_an_unknown_quick_rule_is_a_key_error():
    with pytest.raises(KeyError):
        quick_fields("telnet", "0.0.0.0/0")
