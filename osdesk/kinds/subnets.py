"""Subnets (Neutron): CIDR, gateway, DHCP and pools; created from a network's menu."""

from __future__ import annotations

from collections.abc import Mapping

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind, delete_action
from osdesk.kinds.columns import (Column, bool_column, id_column, ip_column, network_name_getter,
                                  project_column, text_column)
from osdesk.kinds.detail import name_of, text
from osdesk.rules.formats import ip_sort_key


def _cli_create(item: dict) -> str:
    from shlex import quote
    return (f" --network {quote(str(item.get('network_id', '')))}"
            f" --subnet-range {quote(str(item.get('cidr', '')))}")


SUBNETS = Collection("network", "/subnets", "subnets", "subnet", "subnet", cli_create=_cli_create)


def _fmt_pools(pools) -> str:
    if not isinstance(pools, list):
        return ""
    return ", ".join(f"{p.get('start', '')}–{p.get('end', '')}" for p in pools
                     if isinstance(p, Mapping))


def _pools_search(pools) -> str:
    if not isinstance(pools, list):
        return ""
    return " ".join(f"{p.get('start', '')} {p.get('end', '')}" for p in pools
                    if isinstance(p, Mapping))


COLUMNS = [
    text_column("name", "Name", width_hint=20),
    ip_column("cidr", "CIDR", width_hint=18),
    Column("ip_version", "IP version", lambda row, ctx: row.get("ip_version"),
           fmt=lambda v: f"IPv{v}" if v else "", width_hint=6),
    ip_column("gateway_ip", "Gateway"),
    bool_column("enable_dhcp", "DHCP"),
    Column("network", "Network", network_name_getter("network_id"), uses_context=True,
           width_hint=20),
    Column("allocation_pools", "Allocation pools", lambda row, ctx: row.get("allocation_pools"),
           fmt=_fmt_pools, search=_pools_search,
           sort=lambda v: ip_sort_key(v[0].get("start")) if v and isinstance(v[0], Mapping)
           else None, width_hint=28),
    project_column(),
    id_column(),
]


def details(raw, lookups, is_admin):
    pools = ", ".join(f"{p.get('start')}–{p.get('end')}" for p in raw.get("allocation_pools") or [])
    return [("Subnet", [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
                        ("CIDR", raw.get("cidr"), True),
                        ("IP version", text(raw.get("ip_version")), False),
                        ("Gateway", text(raw.get("gateway_ip")), True),
                        ("DHCP", text(raw.get("enable_dhcp")), False),
                        ("Allocation pools", pools or "—", False),
                        ("DNS servers", ", ".join(raw.get("dns_nameservers") or []) or "—", True),
                        ("Network", name_of(lookups, "network_names", raw.get("network_id")),
                         True)])]


KIND = ResourceKind("subnets", "Subnets", "network", COLUMNS, collection=SUBNETS,
                    details=details, actions=(delete_action(SUBNETS),), named_elsewhere=True,
                    order=60, section="Network")
