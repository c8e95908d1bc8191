"""Networks (Neutron): list with their subnets' CIDRs; create (with a first subnet), delete."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (Column, bool_column, id_column, number_column,
                                  project_column, status_column, text_column)
from osdesk.kinds.detail import label, none_row, text

NETWORKS = Collection("network", "/networks", "networks", "network", "network")


def _subnets(row, ctx):
    ids = [s for s in (row.get("subnets") or []) if s]
    cidrs = list(ctx.subnet_cidrs_by_network.get(row.get("id"), ()) or ())
    return (ids, cidrs)


def _fmt_subnets(value) -> str:
    ids, cidrs = value or ((), ())
    if cidrs:
        return ", ".join(cidrs)
    # subnets of other projects (a shared or external network) are not listed to us
    return f"{len(ids)} subnet{'s' if len(ids) != 1 else ''}" if ids else ""


COLUMNS = [
    text_column("name", "Name", width_hint=20),
    status_column("status", "Status"),
    Column("subnets", "Subnets", _subnets, fmt=_fmt_subnets,
           sort=lambda v: len(v[0]) if v and v[0] else None,
           search=lambda v: " ".join(list(v[0]) + list(v[1])) if v else "",
           uses_context=True, width_hint=20),
    bool_column("shared", "Shared"),
    bool_column("external", "External", "router:external"),
    number_column("mtu", "MTU"),
    bool_column("admin_state_up", "Admin state", yes="UP", no="DOWN"),
    project_column(),
    id_column(),
]


def details(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("Status", text(raw.get("status")), False), ("Shared", text(raw.get("shared")), False),
            ("External", text(raw.get("router:external")), False),
            ("MTU", text(raw.get("mtu")), False),
            ("Admin state up", text(raw.get("admin_state_up")), False),
            ("Port security", text(raw.get("port_security_enabled")), False),
            ("Availability zones", text(raw.get("availability_zones")), False)]
    if is_admin:
        for key in ("provider:network_type", "provider:physical_network",
                    "provider:segmentation_id"):
            rows.append((label(key.split(":")[-1]), text(raw.get(key)), False))
    return [("Network", rows)]


def subnets_and_ports(cloud, raw):
    subnets = cloud.network.list_subnets(filters={"network_id": raw["id"]})
    ports = cloud.network.list_ports(filters={"network_id": raw["id"]})
    rows = [(s.get("name") or s["id"], f"{s.get('cidr')} · gateway {s.get('gateway_ip') or '—'}"
             f" · DHCP {'on' if s.get('enable_dhcp') else 'off'}"
             f" · DNS {', '.join(s.get('dns_nameservers') or []) or '—'}", False)
            for s in subnets]
    return [("Subnets", rows or none_row("no subnets")),
            ("Ports", [("Ports on this network", str(len(ports)), False)])]


ACTIONS = (
    KindAction("create", "Create network…", page=True, icon="add"),
    KindAction("create_subnet", "Create subnet…", single=True),
    delete_action(NETWORKS, consequence="Their subnets are deleted with them."),
)

KIND = ResourceKind("networks", "Networks", "network", COLUMNS, collection=NETWORKS,
                    details=details, extra=subnets_and_ports, actions=ACTIONS,
                    named_elsewhere=True, order=50, section="Network")
