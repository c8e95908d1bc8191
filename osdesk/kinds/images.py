"""Images (Glance v2): list, detail with custom properties, upload, edit, download, delete."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (Column, bool_column, id_column, size_column, status_column,
                                  text_column, time_column)
from osdesk.kinds.detail import label, none_row, text
from osdesk.rules.formats import fmt_size, fmt_time

TRANSITIONAL_IMAGE_STATUSES = frozenset({"queued", "saving", "importing", "uploading",
                                         "pending_delete"})

#: Image keys shown in the main section; every other key is a custom property.
_CORE = ("id", "name", "status", "size", "virtual_size", "disk_format", "container_format",
         "visibility", "protected", "min_disk", "min_ram", "checksum", "os_hash_algo",
         "os_hash_value", "os_hidden", "owner", "tags", "created_at", "updated_at")
_SKIP = {"self", "file", "schema", "locations", "direct_url", "stores"}


def _owner(row, ctx):
    owner = row.get("owner")
    if not owner:
        return None
    return ctx.project_names.get(owner) or owner


COLUMNS = [
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
    Column("owner", "Owner", _owner, uses_context=True, visible_by_default=False,
           width_hint=20),
    id_column(),
]


def details(raw, lookups, is_admin):
    core = []
    for key in _CORE:
        value = raw.get(key)
        if key in ("size", "virtual_size") and value:
            shown = f"{fmt_size(value)} ({value:,} bytes)"
        elif key in ("created_at", "updated_at"):
            shown = fmt_time(value) or "—"
        else:
            shown = text(value)
        core.append((label(key), shown, key in ("id", "checksum", "os_hash_value")))
    custom = [(k, text(v), True) for k, v in sorted(raw.items())
              if k not in _CORE and k not in _SKIP]
    return [("Image", core), ("Custom properties", custom or none_row("none"))]


# ------------------------------------------------------------------ actions
def _deactivated(rows) -> bool:
    return len(rows) == 1 and rows[0].get("status") == "deactivated"


def _needs_active(rows) -> str:
    if all(r.get("status") == "active" for r in rows):
        return ""
    return f"needs active, image is {rows[0].get('status')}"


def _not_protected(rows) -> str:
    return "protected: unprotect it first (Edit…)" if any(r.get("protected") for r in rows) else ""


ACTIONS = (
    KindAction("create", "Create image…", page=True, icon="add"),
    KindAction("reactivate", "Reactivate", when=_deactivated,
               run=lambda cloud, row: cloud.image.reactivate(row["id"])),
    KindAction("deactivate", "Deactivate", when=lambda rows: not _deactivated(rows),
               gate=_needs_active, run=lambda cloud, row: cloud.image.deactivate(row["id"])),
    KindAction("edit", "Edit…", single=True),
    KindAction("download", "Download…", single=True, gate=_needs_active),
    delete_action(run=lambda cloud, row: cloud.image.delete_image(row["id"]),
                  gate=_not_protected,
                  consequence="Servers booted from them keep running; the image data is gone "
                              "for good."),
)

KIND = ResourceKind(
    "images", "Images", "image", COLUMNS,
    collection=Collection("image", "/images", "images", "", "image"),
    list_pages=lambda cloud: cloud.image.iter_image_pages(),
    details=details, busy=lambda row: row.get("status") in TRANSITIONAL_IMAGE_STATUSES,
    actions=ACTIONS, named_elsewhere=True, order=20)
