"""Floating IPs (Neutron): public addresses and the fixed address each one maps to."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (Column, id_column, ip_column, network_name_getter,
                                  project_column, text_column)
from osdesk.rules.formats import status_role

FLOATING_IPS = Collection("network", "/floatingips", "floatingips", "floatingip", "floating ip")


def _status_colour(row, ctx):
    # DOWN is the normal state of an unassociated floating IP, not a fault
    if str(row.get("status", "")).upper() == "DOWN" and not row.get("port_id"):
        return None
    return status_role(row.get("status"))


def server_of(row, ctx) -> str | None:
    """The server a floating IP is associated with, by name where the lookups know it
    (Neutron's ``port_details`` names the port's device)."""
    details = row.get("port_details") or {}
    device = details.get("device_id")
    if not row.get("port_id") or not device:
        return None
    if not str(details.get("device_owner") or "").startswith("compute:"):
        return None
    return (ctx.server_names.get(device) if ctx else None) or device


COLUMNS = [
    ip_column("floating_ip_address", "Floating IP"),
    Column("server", "Server", server_of, uses_context=True, width_hint=20),
    ip_column("fixed_ip_address", "Fixed IP"),
    Column("status", "Status", lambda row, ctx: row.get("status"), colour=_status_colour,
           width_hint=8),
    text_column("port_id", "Port", width_hint=36, visible_by_default=False),
    Column("floating_network", "Network", network_name_getter("floating_network_id"),
           uses_context=True, width_hint=20),
    text_column("dns_name", "DNS name", visible_by_default=False),
    text_column("description", "Description", visible_by_default=False),
    project_column(),
    id_column(),
]

def _free(rows) -> str:
    taken = [r for r in rows if r.get("port_id")]
    return (f"{taken[0].get('floating_ip_address')} is associated: disassociate it first"
            if taken else "")


def _taken(rows) -> str:
    free = [r for r in rows if not r.get("port_id")]
    return f"{free[0].get('floating_ip_address')} is not associated" if free else ""


ACTIONS = (
    KindAction("allocate", "Allocate floating IP…", page=True, icon="add"),
    KindAction("associate", "Associate with server…", single=True, gate=_free),
    KindAction("disassociate", "Disassociate", gate=_taken,
               run=lambda cloud, row: cloud.network.disassociate_floating_ip(row["id"]),
               confirm="several",
               consequence="Connections through these addresses stop."),
    delete_action(FLOATING_IPS, label="Release…",
                  consequence="The addresses go back to the pool; you may not get the same "
                              "ones again."),
)

KIND = ResourceKind(
    "floating_ips", "Floating IPs", "network", COLUMNS, collection=FLOATING_IPS,
    actions=ACTIONS, aliases=("floating-ips",), order=100, section="Network")
