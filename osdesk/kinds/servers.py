"""Servers (Nova): the kind the rest of osdesk is built around.

Columns read the raw ``GET /servers/detail`` rows; the detail pane adds the action
log (``os-instance-actions``); the actions and their state gating are
:data:`osdesk.rules.server_actions.ACTIONS`.
"""

from __future__ import annotations

from collections.abc import Mapping

from osdesk.api.collection import Collection
from osdesk.api.pagination import DEFAULT_PAGE_SIZE
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import (Column, bool_column, id_column, project_column, status_column,
                                  text_column, time_column)
from osdesk.kinds.detail import label, name_of, none_row, text
from osdesk.rules.formats import (LookupContext, fmt_gb, fmt_mb, fmt_time, ip_sort_key,
                                  server_addresses)
from osdesk.rules.server_actions import ACTIONS

#: Nova statuses in which a server is still moving; rows in them refresh fast.
TRANSITIONAL_SERVER_STATUSES = frozenset({
    "BUILD", "REBOOT", "HARD_REBOOT", "RESIZE", "REVERT_RESIZE", "MIGRATING", "REBUILD",
    "PASSWORD", "RESCUE_PENDING", "DELETING", "SHELVING", "UNSHELVING"})

#: nova ``OS-EXT-STS:power_state`` values, spelled as ``openstack server list`` does.
POWER_STATES = {0: "NOSTATE", 1: "Running", 3: "Paused", 4: "Shutdown", 6: "Crashed",
                7: "Suspended"}
_POWER_ROLE = {1: "ok", 3: "warn", 4: "warn", 6: "error", 7: "warn"}

#: What an empty ``image`` of a nova server means.
BOOT_FROM_VOLUME = "boot from volume"


# ------------------------------------------------------------------ columns
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
           colour=lambda row, ctx: _POWER_ROLE.get(_server_power(row, ctx)),
           visible_by_default=False),  # the status says it but for the odd case
    Column("addresses", "IP addresses", lambda row, ctx: server_addresses(row),
           fmt=_fmt_addresses, sort=_addresses_sort, search=_addresses_search,
           tip=_addresses_tip, width_hint=28, addresses=True),
    Column("flavor", "Flavor", _server_flavor, tip=_server_flavor_tip, uses_context=True,
           width_hint=14),
    Column("image", "Image", _server_image, tip=_server_image_tip, uses_context=True,
           width_hint=20),
    # shown on asking (Columns), so that the default ones fit 1440×900 with the panes
    text_column("key_name", "Key pair", width_hint=14, visible_by_default=False),
    text_column("availability_zone", "Availability zone", "OS-EXT-AZ:availability_zone",
                width_hint=12, visible_by_default=False),
    bool_column("locked", "Locked", visible_by_default=False),
    time_column("created", "Created"),
    time_column("updated", "Updated", visible_by_default=False),
    text_column("host", "Host", "OS-EXT-SRV-ATTR:host", visible_by_default=False),
    project_column("tenant_id"),
    id_column(),
]



# ------------------------------------------------------------------ detail pane
def _power_text(raw) -> str:
    value = raw.get("OS-EXT-STS:power_state")
    return POWER_STATES[value].upper() if value in POWER_STATES else text(value)


def _flavor_text(raw, lookups) -> str:
    flavor = raw.get("flavor") or {}
    name = flavor.get("original_name") or name_of(lookups, "flavor_names", flavor.get("id"))
    if "vcpus" not in flavor:
        return text(name)
    return text(name) + (f" ({flavor.get('vcpus')} vCPU, {fmt_mb(flavor.get('ram'))}, "
                         f"{fmt_gb(flavor.get('disk'))})")


def details(raw, lookups, is_admin):
    image = raw.get("image") or {}
    image_name = (BOOT_FROM_VOLUME if not image else
                  name_of(lookups, "image_names", image.get("id")))
    groups = ", ".join(g.get("name", "") for g in raw.get("security_groups") or [])
    locked = text(raw.get("locked")) + (f" — {raw['locked_reason']}"
                                        if raw.get("locked_reason") else "")
    overview = [
        ("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
        ("Status", text(raw.get("status")), False),
        ("Task", text(raw.get("OS-EXT-STS:task_state")), False),
        ("Power", _power_text(raw), False),
        ("Flavor", _flavor_text(raw, lookups), False),
        ("Image", text(image_name), False),
        ("Key pair", text(raw.get("key_name")), False),
        ("Security groups", groups or "—", False),
        ("Availability zone", text(raw.get("OS-EXT-AZ:availability_zone")), False),
        ("Locked", locked, False),
        ("Created", fmt_time(raw.get("created")) or "—", False),
        ("Updated", fmt_time(raw.get("updated")) or "—", False),
    ]
    if raw.get("fault"):
        overview.insert(3, ("Fault", f"{raw['fault'].get('code', '')} "
                                     f"{raw['fault'].get('message', '')}".strip(), True))
    for key in ("OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
                "OS-EXT-SRV-ATTR:instance_name", "hostId", "host_status"):
        if raw.get(key):
            overview.append((label(key), text(raw[key]), True))
    addresses = [(f"{net} ({kind or 'fixed'})", addr, True)
                 for net, addr, kind in server_addresses(raw)]
    metadata = [(k, text(v), True) for k, v in sorted((raw.get("metadata") or {}).items())]
    return [("Overview", overview), ("Addresses", addresses or none_row("no addresses")),
            ("Metadata", metadata or none_row("no metadata"))]


def action_log(cloud, raw):
    actions = cloud.compute.instance_actions(raw["id"])
    return [("Action log", [(fmt_time(a.get("start_time")) or "",
                             f"{a.get('action')}  {a.get('message') or ''}  "
                             f"({a.get('request_id')})", False) for a in actions]
             or none_row("no actions"))]


def _busy(row: dict) -> bool:
    return (row.get("status") in TRANSITIONAL_SERVER_STATUSES
            or bool(row.get("OS-EXT-STS:task_state")))


KIND = ResourceKind(
    "servers", "Servers", "compute", SERVER_COLUMNS,
    collection=Collection("compute", "/servers/detail", "servers", "server", "server"),
    list_pages=lambda cloud: cloud.compute.iter_server_pages(page_size=DEFAULT_PAGE_SIZE),
    details=details, extra=action_log, busy=_busy, actions=tuple(ACTIONS), order=10,
    # other pages (floating IPs, volumes, ports) name servers: GET /servers has id and name
    named_elsewhere=True,
    names=lambda cloud: cloud.compute.iter_server_pages(detail=False, page_size=1000))
