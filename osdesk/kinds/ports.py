"""Ports (Neutron): the network interfaces of servers, routers and DHCP agents."""

from __future__ import annotations

from collections.abc import Mapping

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import (Column, bool_column, id_column, join_texts,
                                  network_name_getter, project_column, status_column,
                                  text_column)
from osdesk.kinds.detail import name_of, none_row, owner_text, text
from osdesk.rules.formats import ip_sort_key

def attached_to(owner: str | None) -> str:
    """"compute:nova" -> "Server"; "network:dhcp" -> "DHCP"; "" when unattached."""
    return owner_text(owner)


def _ips(row, ctx):
    return [ip.get("ip_address") for ip in row.get("fixed_ips") or []
            if isinstance(ip, Mapping) and ip.get("ip_address")]


def _name(row, ctx):
    """Most ports have no name; Horizon's habit: the id's first block in parentheses."""
    if row.get("name"):
        return row["name"]
    return f"({str(row.get('id', ''))[:8]})" if row.get("id") else None


COLUMNS = [
    Column("name", "Name", _name, width_hint=14),
    Column("fixed_ips", "Fixed IPs", _ips, fmt=join_texts,
           sort=lambda v: ip_sort_key(v[0]) if v else None, width_hint=24, addresses=True),
    text_column("mac_address", "MAC address", width_hint=17),
    Column("network", "Network", network_name_getter("network_id"), uses_context=True,
           width_hint=18),
    Column("attached_to", "Attached to", lambda row, ctx: attached_to(row.get("device_owner")),
           width_hint=14),
    text_column("device_id", "Device", width_hint=36, visible_by_default=False),
    status_column("status", "Status"),
    Column("security_groups", "Security groups",
           lambda row, ctx: len(row.get("security_groups") or []) or None,
           visible_by_default=False, width_hint=6),
    bool_column("admin_state_up", "Admin state", yes="UP", no="DOWN"),
    project_column(),
    id_column(),
]


def details(raw, lookups, is_admin):
    fixed = [(name_of(lookups, "subnet_names", ip.get("subnet_id")), ip.get("ip_address"), True)
             for ip in raw.get("fixed_ips") or []]
    rows = [("ID", raw.get("id"), True), ("Name", text(raw.get("name")), True),
            ("Status", text(raw.get("status")), False),
            ("Network", name_of(lookups, "network_names", raw.get("network_id")), True),
            ("MAC address", text(raw.get("mac_address")), True),
            ("Attached to", attached_to(raw.get("device_owner")) or "—", False),
            ("Device ID", text(raw.get("device_id")), True),
            ("Security groups", ", ".join(raw.get("security_groups") or []) or "—", True),
            ("Port security", text(raw.get("port_security_enabled")), False),
            ("Admin state up", text(raw.get("admin_state_up")), False)]
    return [("Port", rows), ("Fixed IPs", fixed or none_row("no fixed IPs"))]


KIND = ResourceKind(
    "ports", "Ports", "network", COLUMNS,
    collection=Collection("network", "/ports", "ports", "port", "port"),
    details=details, order=75, section="Network")
