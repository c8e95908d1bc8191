"""What the detail pane shows for each kind of resource: sections of label/value rows.

No Qt: plain data built from the raw dict, the name lookups, and (for some kinds)
extra calls made on the cloud's worker (``extra_for``).
"""

from __future__ import annotations

import json

from osdesk.api.errors import OsdeskError
from osdesk.rules.formats import fmt_size, fmt_time, server_addresses

#: Image keys shown in the main section; every other key is a custom property.
_IMAGE_CORE = ("id", "name", "status", "size", "virtual_size", "disk_format", "container_format",
               "visibility", "protected", "min_disk", "min_ram", "checksum", "os_hash_algo",
               "os_hash_value", "owner", "tags", "created_at", "updated_at")
_IMAGE_SKIP = {"self", "file", "schema", "locations", "direct_url", "stores"}
_POWER = {0: "NOSTATE", 1: "RUNNING", 3: "PAUSED", 4: "SHUTDOWN", 6: "CRASHED", 7: "SUSPENDED"}

Row = tuple  # (label, value text, copyable: bool)


def _v(value) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) if value else "—"
    return str(value)


def sections_for(kind: str, raw: dict, lookups=None, *, is_admin: bool = False) -> list:
    """[(section title, [(label, value, copyable), …]), …] for the detail pane."""
    fn = _BUILDERS.get(kind, _generic)
    return fn(raw, lookups, is_admin)


_ACRONYMS = {"id": "ID", "os": "OS", "ram": "RAM", "ip": "IP", "mtu": "MTU", "cidr": "CIDR",
             "dns": "DNS", "dhcp": "DHCP", "ha": "HA", "url": "URL", "uuid": "UUID"}


def label(field: str) -> str:
    """A field name as the pane shows it: "os_hash_value" -> "OS hash value"."""
    words = [_ACRONYMS.get(w, w) for w in field.replace(":", " ").replace("_", " ").split()]
    if words and words[0] == words[0].lower():
        words[0] = words[0].capitalize()
    return " ".join(words)


def _generic(raw, lookups, is_admin):
    return [("Properties", [(label(k), _v(v), k in ("id", "name"))
                            for k, v in sorted(raw.items())])]


def _server(raw, lookups, is_admin):
    flavor = raw.get("flavor") or {}
    flavor_name = flavor.get("original_name") or getattr(lookups, "flavor_names", {}).get(
        flavor.get("id"), flavor.get("id"))
    image = raw.get("image") or {}
    image_name = ("boot from volume" if not image else
                  getattr(lookups, "image_names", {}).get(image.get("id"), image.get("id")))
    overview = [
        ("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
        ("Status", _v(raw.get("status")), False),
        ("Task", _v(raw.get("OS-EXT-STS:task_state")), False),
        ("Power", _POWER.get(raw.get("OS-EXT-STS:power_state"), _v(raw.get("OS-EXT-STS:power_state"))), False),
        ("Flavor", _v(flavor_name) + (f" ({flavor.get('vcpus')} vCPU, {flavor.get('ram')} MB, "
                                      f"{flavor.get('disk')} GB)" if "vcpus" in flavor else ""), False),
        ("Image", _v(image_name), False),
        ("Key pair", _v(raw.get("key_name")), False),
        ("Security groups", ", ".join(g.get("name", "") for g in raw.get("security_groups") or [])
         or "—", False),
        ("Availability zone", _v(raw.get("OS-EXT-AZ:availability_zone")), False),
        ("Locked", _v(raw.get("locked")) + (f" — {raw['locked_reason']}"
                                            if raw.get("locked_reason") else ""), False),
        ("Created", fmt_time(raw.get("created")) or "—", False),
        ("Updated", fmt_time(raw.get("updated")) or "—", False),
    ]
    if raw.get("fault"):
        overview.insert(3, ("Fault", f"{raw['fault'].get('code', '')} "
                                     f"{raw['fault'].get('message', '')}".strip(), True))
    for key in ("OS-EXT-SRV-ATTR:host", "OS-EXT-SRV-ATTR:hypervisor_hostname",
                "OS-EXT-SRV-ATTR:instance_name", "hostId", "host_status"):
        if raw.get(key):
            overview.append((key.split(":")[-1], _v(raw[key]), True))
    addresses = [(f"{net} ({kind or 'fixed'})", addr, True)
                 for net, addr, kind in server_addresses(raw)]
    metadata = [(k, _v(v), True) for k, v in sorted((raw.get("metadata") or {}).items())]
    out = [("Overview", overview), ("Addresses", addresses or [("—", "no addresses", False)])]
    out.append(("Metadata", metadata or [("—", "no metadata", False)]))
    return out


def _image(raw, lookups, is_admin):
    core = []
    for key in _IMAGE_CORE:
        value = raw.get(key)
        if key in ("size", "virtual_size") and value:
            text = f"{fmt_size(value)} ({value:,} bytes)"
        elif key in ("created_at", "updated_at"):
            text = fmt_time(value) or "—"
        else:
            text = _v(value)
        core.append((label(key), text, key in ("id", "checksum", "os_hash_value")))
    custom = [(k, _v(v), True) for k, v in sorted(raw.items())
              if k not in _IMAGE_CORE and k not in _IMAGE_SKIP]
    return [("Image", core), ("Custom properties", custom or [("—", "none", False)])]


def _flavor(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("vCPUs", _v(raw.get("vcpus")), False), ("RAM", f"{raw.get('ram')} MB", False),
            ("Disk", f"{raw.get('disk')} GB", False),
            ("Ephemeral", f"{raw.get('OS-FLV-EXT-DATA:ephemeral', 0)} GB", False),
            ("Swap", f"{raw.get('swap') or 0} MB", False),
            ("Public", _v(raw.get("os-flavor-access:is_public")), False),
            ("Description", _v(raw.get("description")), False)]
    specs = [(k, _v(v), True) for k, v in sorted((raw.get("extra_specs") or {}).items())]
    return [("Flavor", rows), ("Extra specs", specs or [("—", "none visible", False)])]


def _keypair(raw, lookups, is_admin):
    rows = [("Name", raw.get("name"), True), ("Type", _v(raw.get("type")), False),
            ("Fingerprint", _v(raw.get("fingerprint")), True)]
    if raw.get("created_at"):  # Nova's list leaves it out; extra_for fetches the key pair
        rows.append(("Created", fmt_time(raw["created_at"]), False))
    rows.append(("Public key", _v(raw.get("public_key")), True))
    return [("Key pair", rows)]


def _network(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("Status", _v(raw.get("status")), False), ("Shared", _v(raw.get("shared")), False),
            ("External", _v(raw.get("router:external")), False), ("MTU", _v(raw.get("mtu")), False),
            ("Admin state up", _v(raw.get("admin_state_up")), False),
            ("Port security", _v(raw.get("port_security_enabled")), False),
            ("Availability zones", _v(raw.get("availability_zones")), False)]
    if is_admin:
        for key in ("provider:network_type", "provider:physical_network",
                    "provider:segmentation_id"):
            rows.append((label(key.split(":")[-1]), _v(raw.get(key)), False))
    return [("Network", rows)]


def _subnet(raw, lookups, is_admin):
    pools = ", ".join(f"{p.get('start')}–{p.get('end')}" for p in raw.get("allocation_pools") or [])
    return [("Subnet", [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
                        ("CIDR", raw.get("cidr"), True), ("IP version", _v(raw.get("ip_version")), False),
                        ("Gateway", _v(raw.get("gateway_ip")), True),
                        ("DHCP", _v(raw.get("enable_dhcp")), False),
                        ("Allocation pools", pools or "—", False),
                        ("DNS servers", ", ".join(raw.get("dns_nameservers") or []) or "—", True),
                        ("Network", getattr(lookups, "network_names", {}).get(
                            raw.get("network_id"), raw.get("network_id")), True)])]


def _router(raw, lookups, is_admin):
    gw = raw.get("external_gateway_info") or {}
    ips = ", ".join(ip.get("ip_address", "") for ip in gw.get("external_fixed_ips") or [])
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("Status", _v(raw.get("status")), False),
            ("External network", getattr(lookups, "network_names", {}).get(
                gw.get("network_id"), gw.get("network_id")) if gw else "—", False),
            ("Gateway IPs", ips or "—", True), ("SNAT", _v(gw.get("enable_snat")), False)]
    for key in ("ha", "distributed"):
        if key in raw:
            rows.append((key.upper() if key == "ha" else "Distributed", _v(raw[key]), False))
    routes = [(r.get("destination", ""), f"via {r.get('nexthop', '')}", True)
              for r in raw.get("routes") or []]
    return [("Router", rows), ("Routes", routes or [("—", "no static routes", False)])]


_BUILDERS = {"servers": _server, "images": _image, "flavors": _flavor, "keypairs": _keypair,
             "networks": _network, "subnets": _subnet, "routers": _router}


def extra_for(kind: str, cloud, raw: dict) -> list:
    """Sections that need more calls; runs on the cloud's worker thread."""
    if kind == "servers":
        actions = cloud.compute.instance_actions(raw["id"])
        return [("Action log", [(fmt_time(a.get("start_time")) or "",
                                 f"{a.get('action')}  {a.get('message') or ''}  "
                                 f"({a.get('request_id')})", False) for a in actions]
                 or [("—", "no actions", False)])]
    if kind == "networks":
        subnets = cloud.network.list_subnets(filters={"network_id": raw["id"]})
        ports = cloud.network.list_ports(filters={"network_id": raw["id"]})
        rows = [(s.get("name") or s["id"], f"{s.get('cidr')} · gateway {s.get('gateway_ip') or '—'}"
                 f" · DHCP {'on' if s.get('enable_dhcp') else 'off'}"
                 f" · DNS {', '.join(s.get('dns_nameservers') or []) or '—'}", False)
                for s in subnets]
        return [("Subnets", rows or [("—", "no subnets", False)]),
                ("Ports", [("Ports on this network", str(len(ports)), False)])]
    if kind == "routers":
        ports = cloud.network.list_ports(filters={"device_id": raw["id"]})
        rows = [(p.get("device_owner", "").split(":")[-1],
                 ", ".join(ip.get("ip_address", "") for ip in p.get("fixed_ips") or [])
                 + f" ({p.get('status')})", True) for p in ports]
        return [("Interfaces", rows or [("—", "no interfaces", False)])]
    if kind == "keypairs" and "created_at" not in raw:
        full = cloud.compute.get_keypair(raw["name"])
        return [("Details", [("Created", fmt_time(full.get("created_at")) or "—", False),
                             ("User", _v(full.get("user_id")), True),
                             ("ID", _v(full.get("id")), True)])]
    if kind == "flavors" and "extra_specs" not in raw:
        try:
            specs = cloud.compute.flavor_extra_specs(raw["id"])
        except OsdeskError:  # policy may hide them from members
            return [("Extra specs", [("—", "not visible to this user", False)])]
        return [("Extra specs", [(k, _v(v), True) for k, v in sorted(specs.items())]
                 or [("—", "none", False)])]
    return []
