"""The detail pane's plain data: sections of (label, value text, copyable) rows.

No Qt. Each kind declares its own sections (``ResourceKind.details``); the helpers
they share, and the sections of a kind that declares none, are here.
"""

from __future__ import annotations

import re

from osdesk.rules.formats import fmt_time

Row = tuple  # (label, value text, copyable: bool)
Sections = list  # [(section title, [Row, …]), …]

_ACRONYMS = {"id": "ID", "os": "OS", "ram": "RAM", "ip": "IP", "mtu": "MTU", "cidr": "CIDR",
             "dns": "DNS", "dhcp": "DHCP", "ha": "HA", "url": "URL", "uuid": "UUID",
             "ipv4": "IPv4", "ipv6": "IPv6", "az": "AZ", "snat": "SNAT", "vnic": "VNIC",
             "mac": "MAC", "ips": "IPs", "vcpus": "vCPUs", "api": "API", "qos": "QoS"}

#: API field names whose words alone would not say it (the rest: :func:`label`'s rule)
FIELD_NAMES = {
    "hostId": "Host ID", "host_status": "Host status", "os_hidden": "Hidden",
    "OS-EXT-SRV-ATTR:host": "Host", "OS-EXT-SRV-ATTR:hypervisor_hostname": "Hypervisor",
    "OS-EXT-SRV-ATTR:instance_name": "Instance name",
    "OS-EXT-AZ:availability_zone": "Availability zone", "OS-EXT-STS:vm_state": "VM state",
    "OS-EXT-STS:power_state": "Power state", "OS-EXT-STS:task_state": "Task",
    "OS-DCF:diskConfig": "Disk config", "OS-SRV-USG:launched_at": "Launched",
    "OS-SRV-USG:terminated_at": "Terminated", "key_name": "Key pair",
    "os-extended-volumes:volumes_attached": "Volumes attached",
    "os-flavor-access:is_public": "Public", "OS-FLV-EXT-DATA:ephemeral": "Ephemeral disk",
    "OS-FLV-DISABLED:disabled": "Disabled", "os-vol-host-attr:host": "Host",
    "os-vol-tenant-attr:tenant_id": "Project ID", "os-vol-mig-status-attr:migstat":
    "Migration status", "os-vol-mig-status-attr:name_id": "Migration name ID",
    "os-extended-snapshot-attributes:progress": "Progress",
    "os-extended-snapshot-attributes:project_id": "Project ID",
    "tenant_id": "Project ID", "project_id": "Project ID", "router:external": "External",
    "binding:host_id": "Binding host", "binding:vnic_type": "VNIC type",
    "binding:vif_type": "VIF type", "binding:profile": "Binding profile",
    "binding:vif_details": "VIF details", "device_owner": "Attached to",
    "created_at": "Created", "updated_at": "Updated", "revision_number": "Revision",
    "enable_dhcp": "DHCP", "gateway_ip": "Gateway IP", "dns_nameservers": "DNS servers",
    "accessIPv4": "Access IPv4", "accessIPv6": "Access IPv6", "port_details": "Port",
    "floating_network_id": "External network ID", "bootable": "Bootable",
    "multiattach": "Multi-attach", "consistencygroup_id": "Consistency group ID",
    "is_domain": "Is domain",
}

#: ``device_owner`` values as people say them; "compute:<zone>" is a server's
OWNER_NAMES = {"network:router_interface": "Router interface",
               "network:router_gateway": "Router gateway", "network:dhcp": "DHCP",
               "network:floatingip": "Floating IP",
               "network:router_ha_interface": "Router HA interface",
               "network:router_interface_distributed": "Router interface (distributed)",
               "network:router_centralized_snat": "Router SNAT"}

#: mappings whose keys are the user's own words, shown as they are
USER_KEYED = {"metadata", "properties", "extra_specs", "volume_image_metadata"}

#: fields no pane shows: links between API documents
HIDDEN_FIELDS = {"links", "self", "schema"}


def text(value) -> str:
    """A value as the pane shows it: "—" for nothing, Yes/No, lists as "a, b", mappings
    as "key: value" (never JSON)."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        sep = "; " if any(isinstance(v, (list, dict)) for v in value) else ", "
        return sep.join(text(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {text(v)}" for k, v in value.items())
    return str(value)


def label(field: str) -> str:
    """A field name as the pane shows it: "os_hash_value" -> "OS hash value",
    "hostId" -> "Host ID", "OS-EXT-STS:vm_state" -> "VM state" (:data:`FIELD_NAMES`)."""
    if field in FIELD_NAMES:
        return FIELD_NAMES[field]
    if ":" in field and field.split(":")[0].upper() == field.split(":")[0]:
        field = field.split(":", 1)[1]  # an extension's prefix ("OS-EXT-IPS:type")
    field = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", field)  # camelCase
    words = [_ACRONYMS.get(w.lower(), w) for w in field.replace(":", " ").replace("_", " ")
             .replace("-", " ").split()]
    if words and words[0] == words[0].lower():
        words[0] = words[0].capitalize()
    return " ".join(w if n == 0 or w in _ACRONYMS.values() else w.lower()
                    for n, w in enumerate(words))


def owner_text(owner: str | None) -> str:
    """A port's ``device_owner`` as people say it: "compute:nova" -> "Server",
    "network:router_interface" -> "Router interface"; "" when unattached."""
    if not owner:
        return ""
    if owner.startswith("compute:"):
        return "Server"
    return OWNER_NAMES.get(owner, label(owner.split(":")[-1]))


def none_row(what: str) -> list[Row]:
    """The one row of an empty section: "—  no interfaces"."""
    return [("—", what, False)]


def name_of(lookups, table: str, item_id):
    """The name ``lookups.<table>`` knows for ``item_id``, else the id itself."""
    return getattr(lookups, table, {}).get(item_id, item_id)


def generic_sections(raw, lookups=None, is_admin=False) -> Sections:
    """Every field, sorted: the pane of a kind that declares no sections of its own."""
    rows, seen = [], set()
    for key, value in sorted(raw.items(), key=lambda kv: label(kv[0]).lower()):
        row = (label(key), field_text(key, value), key in ("id", "name"))
        if key not in HIDDEN_FIELDS and row[:2] not in seen:  # tenant_id and project_id
            seen.add(row[:2])
            rows.append(row)
    return [("Properties", rows)]


def field_text(key: str, value) -> str:
    """An API field's value for people: times in local time, a nested record's keys as
    labels ("Admin state up: Yes"); else :func:`text`."""
    if key.endswith("_at") or key in ("created", "updated"):
        return fmt_time(value) or "—"
    if isinstance(value, dict) and key not in USER_KEYED:
        return ", ".join(f"{label(k)}: {field_text(k, v)}" for k, v in value.items()) or "—"
    return text(value)
