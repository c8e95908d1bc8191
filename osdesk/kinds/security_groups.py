"""Security groups (Neutron): the firewall rules of servers; create, edit, rules, delete."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (ALIGN_RIGHT, Column, bool_column, id_column, project_column,
                                  text_column)
from osdesk.kinds.detail import none_row, text
from osdesk.rules.security_rules import ports_text, protocol_text, remote_text

SECURITY_GROUPS = Collection("network", "/security-groups", "security_groups", "security_group",
                             "security group")


def _rule_count(row, ctx):
    rules = row.get("security_group_rules")
    return len(rules) if isinstance(rules, list) else None


COLUMNS = [
    text_column("name", "Name", width_hint=20),
    text_column("description", "Description", width_hint=30),
    Column("rules", "Rules", _rule_count, align=ALIGN_RIGHT, width_hint=6),
    bool_column("stateful", "Stateful", visible_by_default=False),
    project_column(),
    id_column(),
]


def rule_line(rule: dict) -> str:
    """"TCP 22 from 203.0.113.0/24 (IPv4)"."""
    way = "from" if rule.get("direction") == "ingress" else "to"
    return (f"{protocol_text(rule)} {ports_text(rule)} {way} {remote_text(rule)}"
            f" ({rule.get('ethertype') or 'IPv4'})")


def details(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", text(raw.get("name")), True),
            ("Description", text(raw.get("description")), False),
            ("Stateful", text(raw.get("stateful")), False)]
    rules = raw.get("security_group_rules") or []
    inbound = [("in", rule_line(r), True) for r in rules if r.get("direction") == "ingress"]
    outbound = [("out", rule_line(r), True) for r in rules if r.get("direction") != "ingress"]
    return [("Security group", rows), ("Inbound rules", inbound or none_row("none: closed")),
            ("Outbound rules", outbound or none_row("none"))]


def _not_default(rows) -> str:
    return "every project keeps its default group" if any(
        r.get("name") == "default" for r in rows) else ""


ACTIONS = (
    KindAction("create", "Create security group…", page=True, icon="add"),
    KindAction("rules", "Edit rules…", single=True),
    KindAction("edit", "Rename or describe…", single=True),
    delete_action(SECURITY_GROUPS, gate=_not_default,
                  consequence="Servers in them lose the rules these groups gave them."),
)

KIND = ResourceKind(
    "security_groups", "Security groups", "network", COLUMNS, collection=SECURITY_GROUPS,
    details=details, actions=ACTIONS, aliases=("securitygroups",), order=90, section="Network")
