"""Security groups (Neutron): list with their rule count."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import (ALIGN_RIGHT, Column, bool_column, id_column, project_column,
                                  text_column)


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

KIND = ResourceKind(
    "security_groups", "Security groups", "network", COLUMNS,
    collection=Collection("network", "/security-groups", "security_groups", "security_group",
                          "security group"),
    aliases=("securitygroups",), order=90)
