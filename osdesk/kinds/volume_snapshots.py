"""Volume snapshots (Cinder v3): point-in-time copies of a volume; create and delete."""

from __future__ import annotations

from osdesk.api.block_storage import SNAPSHOTS
from osdesk.kinds.base import KindAction, ResourceKind, delete_action
from osdesk.kinds.columns import (Column, id_column, project_column, size_column, status_column,
                                  text_column, time_column)
from osdesk.kinds.volumes import unnamed

TRANSITIONAL = frozenset({"creating", "deleting", "restoring", "unmanaging", "backing-up"})


def _volume(row, ctx):
    vid = row.get("volume_id")
    if not vid:
        return None
    return ctx.volume_names.get(vid) or vid


def _deletable(rows) -> str:
    bad = [r for r in rows if r.get("status") not in ("available", "error")]
    return f"needs available or error, snapshot is {bad[0].get('status')}" if bad else ""


COLUMNS = [
    Column("name", "Name", lambda row, ctx: unnamed(row), width_hint=20),
    status_column("status", "Status"),
    size_column("size", "Size", unit="GiB"),
    Column("volume", "Volume", _volume, uses_context=True, width_hint=20),
    text_column("description", "Description", width_hint=24),
    time_column("created", "Created", "created_at"),
    project_column("os-extended-snapshot-attributes:project_id"),
    id_column(),
]

ACTIONS = (
    KindAction("create", "Create snapshot…", page=True, icon="add"),
    delete_action(run=lambda cloud, row: cloud.block_storage.delete_snapshot(row["id"]),
                  gate=_deletable, consequence="Volumes made from them keep their data."),
)

KIND = ResourceKind(
    "volume_snapshots", "Volume snapshots", "block-storage", COLUMNS,
    collection=SNAPSHOTS,
    busy=lambda row: row.get("status") in TRANSITIONAL, actions=ACTIONS, order=46,
    section="Storage")
