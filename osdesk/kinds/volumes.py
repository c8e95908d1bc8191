"""Volumes (Cinder v3): size, type, what they are attached to; create, extend, attach,
detach, snapshot and delete, each refused with the reason in a state that forbids it."""

from __future__ import annotations

from osdesk.api.block_storage import VOLUMES
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (Column, bool_column, id_column, project_column, size_column,
                                  status_column, text_column, time_column)
from osdesk.kinds.detail import label, name_of, none_row, text
from osdesk.rules.formats import fmt_time

#: Cinder statuses in which a volume is still changing
TRANSITIONAL = frozenset({"creating", "attaching", "detaching", "deleting", "extending",
                          "downloading", "uploading", "reserved", "backing-up",
                          "restoring-backup", "retyping", "maintenance", "awaiting-transfer"})
#: where Cinder lets a volume be deleted (cinder/volume/api.py delete())
DELETABLE = frozenset({"available", "error", "error_restoring", "error_extending",
                       "error_managing"})


def unnamed(row) -> str:
    """A volume or snapshot without a name, as Horizon shows it: its id's first block."""
    return row.get("name") or f"({str(row.get('id', ''))[:8]})"


def attached_servers(row, ctx) -> list[str]:
    """"web-1 on /dev/vdb" for each attachment; the server's id when unnamed here."""
    out = []
    for att in row.get("attachments") or []:
        server = att.get("server_id")
        if not server:
            continue
        name = (ctx.server_names.get(server) if ctx else None) or server
        out.append(f"{name} on {att['device']}" if att.get("device") else name)
    return out


COLUMNS = [
    Column("name", "Name", lambda row, ctx: unnamed(row), width_hint=20),
    status_column("status", "Status"),
    size_column("size", "Size", unit="GiB"),
    Column("attached_to", "Attached to", attached_servers, uses_context=True,
           fmt=lambda v: ", ".join(v or ()), width_hint=24),
    text_column("volume_type", "Type", width_hint=12),
    Column("bootable", "Bootable", lambda row, ctx: str(row.get("bootable")).lower() == "true",
           fmt=lambda v: "Yes" if v else "No", align="center", width_hint=6),
    text_column("availability_zone", "Availability zone", width_hint=12),
    bool_column("multiattach", "Multi-attach", visible_by_default=False),
    bool_column("encrypted", "Encrypted", visible_by_default=False),
    time_column("created", "Created", "created_at"),
    project_column("os-vol-tenant-attr:tenant_id"),
    id_column(),
]


def details(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", text(raw.get("name")), True),
            ("Status", text(raw.get("status")), False),
            ("Size", f"{raw.get('size')} GiB", False),
            ("Type", text(raw.get("volume_type")), False),
            ("Availability zone", text(raw.get("availability_zone")), False),
            ("Bootable", "Yes" if str(raw.get("bootable")).lower() == "true" else "No", False),
            ("Encrypted", text(raw.get("encrypted")), False),
            ("Multi-attach", text(raw.get("multiattach")), False),
            ("Description", text(raw.get("description")), True),
            ("Created", fmt_time(raw.get("created_at")) or "—", False)]
    source = [(label(k), text(raw.get(k)), True) for k in ("snapshot_id", "source_volid")
              if raw.get(k)]
    image = raw.get("volume_image_metadata") or {}
    if image.get("image_id"):
        source.append(("Image", name_of(lookups, "image_names", image["image_id"]), True))
    attachments = [(name_of(lookups, "server_names", a.get("server_id")),
                    text(a.get("device")), True) for a in raw.get("attachments") or []]
    metadata = [(k, text(v), True) for k, v in sorted((raw.get("metadata") or {}).items())]
    return [("Volume", rows + source),
            ("Attachments", attachments or none_row("not attached")),
            ("Metadata", metadata or none_row("no metadata"))]


# ------------------------------------------------------------------ actions
def _status_in(allowed: frozenset, what: str):
    def gate(rows) -> str:
        bad = [r for r in rows if r.get("status") not in allowed]
        if not bad:
            return ""
        return f"needs {what}, volume is {bad[0].get('status')}"
    return gate


def _deletable(rows) -> str:
    if any(r.get("attachments") or r.get("status") == "in-use" for r in rows):
        return "attached to a server: detach it first"
    return _status_in(DELETABLE, "available or error")(rows)


def detach_all(cloud, row) -> None:
    """Detach the volume from every server it is attached to (through Nova)."""
    for att in row.get("attachments") or []:
        if att.get("server_id"):
            cloud.compute.detach_volume(att["server_id"], row["id"])


ACTIONS = (
    KindAction("create", "Create volume…", page=True, icon="add"),
    KindAction("attach", "Attach to server…", single=True,
               gate=_status_in(frozenset({"available"}), "available")),
    KindAction("detach", "Detach", gate=_status_in(frozenset({"in-use"}), "in-use"),
               run=detach_all, confirm="always",
               consequence="A server using them loses the disk at once; unmount it first."),
    KindAction("extend", "Extend…", single=True,
               gate=_status_in(frozenset({"available", "in-use"}), "available or in-use")),
    KindAction("snapshot", "Create snapshot…", single=True,
               gate=_status_in(frozenset({"available", "in-use"}), "available or in-use")),
    delete_action(run=lambda cloud, row: cloud.block_storage.delete_volume(row["id"]),
                  gate=_deletable, consequence="Their data is gone for good."),
)

KIND = ResourceKind(
    "volumes", "Volumes", "block-storage", COLUMNS,
    collection=VOLUMES,
    details=details, busy=lambda row: row.get("status") in TRANSITIONAL, actions=ACTIONS,
    named_elsewhere=True, order=45, section="Storage")
