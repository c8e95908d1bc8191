"""The columns of every resource page, read from the raw Nova, Glance, Neutron, Keystone lists."""

from __future__ import annotations

from collections.abc import Mapping

from osdesk.models.columns import (ALIGN_RIGHT, Column, bool_column, dig, ip_column, join_texts,
                                   number_column, size_column, status_column, text_column,
                                   time_column)
from osdesk.rules.formats import (LookupContext, fmt_gb, fmt_mb, ip_sort_key, server_addresses,
                                  status_role)

__all__ = ["COLUMNS", "POWER_STATES", "ROW_KEY", "columns_for", "row_key_for"]

#: nova ``OS-EXT-STS:power_state`` values, spelled as ``openstack server list`` does.
POWER_STATES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown", 6: "Crashed",
                7: "Suspended"}
_POWER_ROLE = {1: "ok", 3: "warn", 4: "warn", 6: "error", 7: "warn"}

#: What an empty ``image`` of a nova server means.
BOOT_FROM_VOLUME = "boot from volume"


def _id_column(**kw) -> Column:
    kw.setdefault("visible_by_default", False)
    kw.setdefault("width_hint", 36)
    return text_column("id", "ID", **kw)


def _project_column(path="project_id", **kw) -> Column:
    def get(row, ctx):
        pid = row.get(path) or row.get("tenant_id")
        if not pid:
            return None
        return ctx.project_names.get(pid) or pid
    kw.setdefault("visible_by_default", False)
    return Column("project", "Project", get, uses_context=True, width_hint=20, **kw)


# ------------------------------------------------------------------ servers
def _server_task(row, ctx):
    return row.get("OS-EXT-STS:task_state") or None


def _server_power(row, ctx):
    value = row.get("OS-EXT-STS:power_state")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _fmt_power(value) -> str:
    if value is None:
        return ""
    return POWER_STATES.get(value, str(value))


def _server_flavor(row, ctx: LookupContext):
    """Microversion 2.47+ embeds the flavor (``original_name``); older ones give an id."""
    flavor = row.get("flavor")
    if not isinstance(flavor, Mapping):
        return None
    if flavor.get("original_name"):
        return str(flavor["original_name"])
    fid = flavor.get("id")
    if fid in (None, ""):
        return None
    return ctx.flavor_names.get(str(fid)) or str(fid)


def _server_flavor_tip(row, ctx):
    flavor = row.get("flavor")
    if not isinstance(flavor, Mapping):
        return None
    name = _server_flavor(row, ctx)
    if "vcpus" in flavor:
        parts = [f"{flavor.get('vcpus')} vCPU", f"{fmt_mb(flavor.get('ram'))} RAM",
                 f"{fmt_gb(flavor.get('disk'))} disk"]
        if flavor.get("ephemeral"):
            parts.append(f"{fmt_gb(flavor['ephemeral'])} ephemeral")
        if flavor.get("swap"):
            parts.append(f"{fmt_mb(flavor['swap'])} swap")
        return f"{name}: " + ", ".join(parts)
    return f"{name} (flavor id {flavor.get('id')})"


def _server_image(row, ctx: LookupContext):
    if "image" not in row:  # 2.69 "down cell" records carry only id, status, created…
        return None
    image = row["image"]
    # nova sends "" (and some clouds null or {}) for a server booted from a volume
    if image in ("", None) or (isinstance(image, Mapping) and not image.get("id")):
        return BOOT_FROM_VOLUME
    if isinstance(image, Mapping):
        iid = str(image["id"])
        return ctx.image_names.get(iid) or iid
    return str(image)


def _server_image_tip(row, ctx):
    image = row.get("image")
    if isinstance(image, Mapping) and image.get("id"):
        return f"image {image['id']}"
    return None


def _fmt_addresses(entries) -> str:
    seen = []
    for _net, addr, _kind in entries or ():
        if addr not in seen:
            seen.append(addr)
    return ", ".join(seen)


def _addresses_search(entries) -> str:
    return " ".join(sorted({net for net, _addr, _kind in entries or ()}))


def _addresses_sort(entries):
    return ip_sort_key(entries[0][1]) if entries else None


def _addresses_tip(row, ctx):
    lines = [f"{net}: {addr}" + (f" ({kind})" if kind else "")
             for net, addr, kind in server_addresses(row)]
    return "\n".join(lines) or None


SERVER_COLUMNS = [
    text_column("name", "Name", width_hint=24),
    status_column("status", "Status", task_path=("OS-EXT-STS:task_state",)),
    Column("task_state", "Task", _server_task, width_hint=12,
           colour=lambda row, ctx: "busy" if row.get("OS-EXT-STS:task_state") else None),
    Column("power_state", "Power", _server_power, fmt=_fmt_power, width_hint=9,
           search=_fmt_power,
           colour=lambda row, ctx: _POWER_ROLE.get(_server_power(row, ctx))),
    Column("addresses", "IP addresses", lambda row, ctx: server_addresses(row),
           fmt=_fmt_addresses, sort=_addresses_sort, search=_addresses_search,
           tip=_addresses_tip, width_hint=28),
    Column("flavor", "Flavor", _server_flavor, tip=_server_flavor_tip, uses_context=True,
           width_hint=14),
    Column("image", "Image", _server_image, tip=_server_image_tip, uses_context=True,
           width_hint=20),
    text_column("key_name", "Key pair", width_hint=14),
    text_column("availability_zone", "Availability zone", "OS-EXT-AZ:availability_zone",
                width_hint=12),
    bool_column("locked", "Locked"),
    time_column("created", "Created"),
    time_column("updated", "Updated", visible_by_default=False),
    text_column("host", "Host", "OS-EXT-SRV-ATTR:host", visible_by_default=False),
    _project_column("tenant_id"),
    _id_column(),
]


# ------------------------------------------------------------------ images
def _image_owner(row, ctx):
    owner = row.get("owner")
    if not owner:
        return None
    return ctx.project_names.get(owner) or owner


IMAGE_COLUMNS = [
    text_column("name", "Name", width_hint=28),
    status_column("status", "Status"),
    size_column("size", "Size"),
    text_column("disk_format", "Disk format", width_hint=8),
    text_column("container_format", "Container format", width_hint=8),
    text_column("visibility", "Visibility", width_hint=9),
    bool_column("protected", "Protected"),
    size_column("min_disk", "Min disk", unit="GiB"),
    size_column("min_ram", "Min RAM", unit="MiB"),
    time_column("created", "Created", "created_at"),
    Column("owner", "Owner", _image_owner, uses_context=True, visible_by_default=False,
           width_hint=20),
    _id_column(),
]


# ------------------------------------------------------------------ flavors
def _swap_mb(row, ctx):
    swap = row.get("swap")
    if swap == "":  # nova sends "" for no swap
        return 0
    return swap if isinstance(swap, (int, float)) and not isinstance(swap, bool) else None


FLAVOR_COLUMNS = [
    text_column("name", "Name", width_hint=16),
    number_column("vcpus", "vCPUs"),
    size_column("ram", "RAM", unit="MiB"),
    size_column("disk", "Disk", unit="GiB"),
    size_column("ephemeral", "Ephemeral", "OS-FLV-EXT-DATA:ephemeral", unit="GiB"),
    Column("swap", "Swap", _swap_mb, fmt=fmt_mb, align=ALIGN_RIGHT, width_hint=9,
           descending_first=True),
    bool_column("is_public", "Public", "os-flavor-access:is_public"),
    bool_column("disabled", "Disabled", "OS-FLV-DISABLED:disabled", visible_by_default=False),
    text_column("id", "ID", width_hint=12),
]


# ------------------------------------------------------------------ keypairs
KEYPAIR_COLUMNS = [
    text_column("name", "Name", width_hint=24),
    text_column("type", "Type", width_hint=6),
    text_column("fingerprint", "Fingerprint", width_hint=48),
    # Nova's list (GET /os-keypairs) has no created_at; only a key pair's own GET does,
    # so the column is empty unless a cloud adds it, and hidden until asked for
    time_column("created", "Created", "created_at", visible_by_default=False),
    text_column("user_id", "User", visible_by_default=False),
]


# ------------------------------------------------------------------ networks
def _network_subnets(row, ctx):
    ids = [s for s in (row.get("subnets") or []) if s]
    cidrs = list(ctx.subnet_cidrs_by_network.get(row.get("id"), ()) or ())
    return (ids, cidrs)


def _fmt_network_subnets(value) -> str:
    ids, cidrs = value or ((), ())
    if cidrs:
        return ", ".join(cidrs)
    # subnets of other projects (a shared or external network) are not listed to us
    return f"{len(ids)} subnet{'s' if len(ids) != 1 else ''}" if ids else ""


NETWORK_COLUMNS = [
    text_column("name", "Name", width_hint=20),
    status_column("status", "Status"),
    Column("subnets", "Subnets", _network_subnets, fmt=_fmt_network_subnets,
           sort=lambda v: len(v[0]) if v and v[0] else None,
           search=lambda v: " ".join(list(v[0]) + list(v[1])) if v else "",
           uses_context=True, width_hint=20),
    bool_column("shared", "Shared"),
    bool_column("external", "External", "router:external"),
    number_column("mtu", "MTU"),
    bool_column("admin_state_up", "Admin state", yes="UP", no="DOWN"),
    _project_column(),
    _id_column(),
]


# ------------------------------------------------------------------ subnets
def _network_name_getter(path):
    def get(row, ctx):
        nid = dig(row, *path)
        if not nid:
            return None
        return ctx.network_names.get(nid) or nid
    return get


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


SUBNET_COLUMNS = [
    text_column("name", "Name", width_hint=20),
    ip_column("cidr", "CIDR", width_hint=18),
    Column("ip_version", "IP version", lambda row, ctx: row.get("ip_version"),
           fmt=lambda v: f"IPv{v}" if v else "", width_hint=6),
    ip_column("gateway_ip", "Gateway"),
    bool_column("enable_dhcp", "DHCP"),
    Column("network", "Network", _network_name_getter(("network_id",)), uses_context=True,
           width_hint=20),
    Column("allocation_pools", "Allocation pools", lambda row, ctx: row.get("allocation_pools"),
           fmt=_fmt_pools, search=_pools_search,
           sort=lambda v: ip_sort_key(v[0].get("start")) if v and isinstance(v[0], Mapping)
           else None, width_hint=28),
    _project_column(),
    _id_column(),
]


# ------------------------------------------------------------------ routers
def _gateway(row) -> Mapping:
    info = row.get("external_gateway_info")
    return info if isinstance(info, Mapping) else {}


def _router_gateway_ips(row, ctx):
    return [ip.get("ip_address") for ip in _gateway(row).get("external_fixed_ips") or []
            if isinstance(ip, Mapping) and ip.get("ip_address")]


def _router_snat(row, ctx):
    gateway = _gateway(row)
    return gateway.get("enable_snat") if gateway else None


ROUTER_COLUMNS = [
    text_column("name", "Name", width_hint=20),
    status_column("status", "Status"),
    Column("external_network", "External network",
           _network_name_getter(("external_gateway_info", "network_id")), uses_context=True,
           width_hint=20),
    Column("external_ips", "External IPs", _router_gateway_ips, fmt=join_texts,
           sort=lambda v: ip_sort_key(v[0]) if v else None, width_hint=24),
    Column("enable_snat", "SNAT", _router_snat, fmt=lambda v: {True: "Yes", False: "No"}.get(v, ""),
           sort=lambda v: None if v is None else bool(v), align="center", width_hint=6),
    bool_column("ha", "HA", visible_by_default=False),
    bool_column("distributed", "Distributed", visible_by_default=False),
    bool_column("admin_state_up", "Admin state", yes="UP", no="DOWN"),
    _project_column(),
    _id_column(),
]


# ------------------------------------------------------------------ projects
PROJECT_COLUMNS = [
    text_column("name", "Name", width_hint=20),
    Column("domain", "Domain",
           lambda row, ctx: (ctx.domain_names.get(row.get("domain_id"))
                             or row.get("domain_id")) or None,
           uses_context=True, width_hint=14),
    bool_column("enabled", "Enabled"),
    text_column("description", "Description", width_hint=30),
    text_column("id", "ID", width_hint=32),
]


# ------------------------------------------------------------------ security groups
def _rule_count(row, ctx):
    rules = row.get("security_group_rules")
    return len(rules) if isinstance(rules, list) else None


SECURITY_GROUP_COLUMNS = [
    text_column("name", "Name", width_hint=20),
    text_column("description", "Description", width_hint=30),
    Column("rules", "Rules", _rule_count, align=ALIGN_RIGHT, width_hint=6),
    bool_column("stateful", "Stateful", visible_by_default=False),
    _project_column(),
    _id_column(),
]


# ------------------------------------------------------------------ floating IPs
def _fip_status_colour(row, ctx):
    # DOWN is the normal state of an unassociated floating IP, not a fault
    if str(row.get("status", "")).upper() == "DOWN" and not row.get("port_id"):
        return None
    return status_role(row.get("status"))


FLOATING_IP_COLUMNS = [
    ip_column("floating_ip_address", "Floating IP"),
    ip_column("fixed_ip_address", "Fixed IP"),
    Column("status", "Status", lambda row, ctx: row.get("status"), colour=_fip_status_colour,
           width_hint=8),
    text_column("port_id", "Port", width_hint=36),
    Column("floating_network", "Network", _network_name_getter(("floating_network_id",)),
           uses_context=True, width_hint=20),
    text_column("dns_name", "DNS name", visible_by_default=False),
    text_column("description", "Description", visible_by_default=False),
    _project_column(),
    _id_column(),
]


# ------------------------------------------------------------------ registry
#: Column lists by resource name.
COLUMNS: dict[str, list[Column]] = {
    "servers": SERVER_COLUMNS,
    "images": IMAGE_COLUMNS,
    "flavors": FLAVOR_COLUMNS,
    "keypairs": KEYPAIR_COLUMNS,
    "networks": NETWORK_COLUMNS,
    "subnets": SUBNET_COLUMNS,
    "routers": ROUTER_COLUMNS,
    "projects": PROJECT_COLUMNS,
    "security_groups": SECURITY_GROUP_COLUMNS,
    "floating_ips": FLOATING_IP_COLUMNS,
}

#: The field that identifies a row; "id" unless listed. Nova keypairs have no id.
ROW_KEY: dict[str, str] = {name: "id" for name in COLUMNS}
ROW_KEY["keypairs"] = "name"

_ALIASES = {"security-groups": "security_groups", "securitygroups": "security_groups",
            "floatingips": "floating_ips", "floating-ips": "floating_ips",
            "os-keypairs": "keypairs"}


def _canonical(resource: str) -> str:
    return _ALIASES.get(resource, resource.replace("-", "_"))


def columns_for(resource: str) -> list[Column]:
    """The column list of a resource; accepts the API spellings too ("floatingips")."""
    return COLUMNS[_canonical(resource)]


def row_key_for(resource: str) -> str:
    return ROW_KEY.get(_canonical(resource), "id")
