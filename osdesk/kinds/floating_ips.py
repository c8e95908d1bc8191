"""Floating IPs (Neutron): public addresses and the fixed address each one maps to."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import (Column, id_column, ip_column, network_name_getter,
                                  project_column, text_column)
from osdesk.rules.formats import status_role


def _status_colour(row, ctx):
    # DOWN is the normal state of an unassociated floating IP, not a fault
    if str(row.get("status", "")).upper() == "DOWN" and not row.get("port_id"):
        return None
    return status_role(row.get("status"))


COLUMNS = [
    ip_column("floating_ip_address", "Floating IP"),
    ip_column("fixed_ip_address", "Fixed IP"),
    Column("status", "Status", lambda row, ctx: row.get("status"), colour=_status_colour,
           width_hint=8),
    text_column("port_id", "Port", width_hint=36),
    Column("floating_network", "Network", network_name_getter("floating_network_id"),
           uses_context=True, width_hint=20),
    text_column("dns_name", "DNS name", visible_by_default=False),
    text_column("description", "Description", visible_by_default=False),
    project_column(),
    id_column(),
]

KIND = ResourceKind(
    "floating_ips", "Floating IPs", "network", COLUMNS,
    collection=Collection("network", "/floatingips", "floatingips", "floatingip", "floating ip"),
    aliases=("floating-ips",), order=100)
