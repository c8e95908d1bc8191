"""Routers (Neutron): external gateway, SNAT, interfaces (from the router's ports)."""

from __future__ import annotations

from collections.abc import Mapping

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import (Column, bool_column, id_column, join_texts,
                                  network_name_getter, project_column, status_column,
                                  text_column)
from osdesk.kinds.detail import name_of, none_row, owner_text, text
from osdesk.rules.formats import ip_sort_key


def _gateway(row) -> Mapping:
    info = row.get("external_gateway_info")
    return info if isinstance(info, Mapping) else {}


def _gateway_ips(row, ctx):
    return [ip.get("ip_address") for ip in _gateway(row).get("external_fixed_ips") or []
            if isinstance(ip, Mapping) and ip.get("ip_address")]


def _snat(row, ctx):
    gateway = _gateway(row)
    return gateway.get("enable_snat") if gateway else None


COLUMNS = [
    text_column("name", "Name", width_hint=20),
    status_column("status", "Status"),
    Column("external_network", "External network",
           network_name_getter("external_gateway_info", "network_id"), uses_context=True,
           width_hint=20),
    Column("external_ips", "External IPs", _gateway_ips, fmt=join_texts,
           sort=lambda v: ip_sort_key(v[0]) if v else None, width_hint=24, addresses=True),
    Column("enable_snat", "SNAT", _snat, fmt=lambda v: {True: "Yes", False: "No"}.get(v, ""),
           sort=lambda v: None if v is None else bool(v), align="center", width_hint=6),
    bool_column("ha", "HA", visible_by_default=False),
    bool_column("distributed", "Distributed", visible_by_default=False),
    bool_column("admin_state_up", "Admin state", yes="UP", no="DOWN"),
    project_column(),
    id_column(),
]


def details(raw, lookups, is_admin):
    gw = raw.get("external_gateway_info") or {}
    ips = ", ".join(ip.get("ip_address", "") for ip in gw.get("external_fixed_ips") or [])
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("Status", text(raw.get("status")), False),
            ("External network", name_of(lookups, "network_names", gw.get("network_id"))
             if gw else "—", False),
            ("Gateway IPs", ips or "—", True), ("SNAT", text(gw.get("enable_snat")), False)]
    for key in ("ha", "distributed"):
        if key in raw:
            rows.append((key.upper() if key == "ha" else "Distributed", text(raw[key]), False))
    routes = [(r.get("destination", ""), f"via {r.get('nexthop', '')}", True)
              for r in raw.get("routes") or []]
    return [("Router", rows), ("Routes", routes or none_row("no static routes"))]


def interfaces(cloud, raw):
    ports = cloud.network.list_ports(filters={"device_id": raw["id"]})
    rows = [(owner_text(p.get("device_owner")) or "Unattached",
             ", ".join(ip.get("ip_address", "") for ip in p.get("fixed_ips") or [])
             + f" ({p.get('status')})", True) for p in ports]
    return [("Interfaces", rows or none_row("no interfaces"))]


KIND = ResourceKind(
    "routers", "Routers", "network", COLUMNS,
    collection=Collection("network", "/routers", "routers", "router", "router"),
    details=details, extra=interfaces, order=70, section="Network")
