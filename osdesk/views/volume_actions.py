"""The volume and volume-snapshot pages' dialog actions: create, attach, extend, snapshot.

What each action needs (status, one row at a time) is declared in ``kinds/volumes.py``;
here are the dialogs and the calls after them. Every call names the cloud's message
when it fails; a create that fails leaves nothing behind (Cinder makes nothing then).
"""

from __future__ import annotations

import asyncio
import time

from osdesk.api import NotFound, OsdeskError
from osdesk.kinds.volumes import TRANSITIONAL
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.notifier import volume_outcome
from osdesk.views.page_actions import FAILED, PageActions
from osdesk.views.volume_dialogs import CreateVolumeDialog, SnapshotDialog


#: how often a changing volume is read again (s), and for how long at most
FOLLOW_EVERY_S = 2.0
FOLLOW_FOR_S = 1800.0


def _choices(cloud) -> dict:
    """What the create dialog offers, fetched on the worker; a list the user may not
    read (policy) is just empty."""
    out = {}
    for key, fetch in (("images", lambda: cloud.image.list_images()),
                       ("snapshots", lambda: cloud.block_storage.list_snapshots()),
                       ("types", lambda: cloud.block_storage.list_volume_types()),
                       ("zones", lambda: [z.get("zoneName") for z in
                                          cloud.block_storage.availability_zones()
                                          if (z.get("zoneState") or {}).get("available", True)])):
        try:
            out[key] = fetch()
        except OsdeskError:
            out[key] = []
    return out


def volume_quota_text(quota: dict) -> str:
    """"Volumes: 3 of 10 used · Gigabytes: 40 of 1000 used" from Cinder's quota set."""
    parts = []
    for key, title in (("volumes", "Volumes"), ("gigabytes", "Gigabytes")):
        entry = quota.get(key)
        if isinstance(entry, dict):
            limit = entry.get("limit")
            shown = ("no limit" if limit in (-1, None)
                     else f"{entry.get('in_use', 0)} of {limit} used")
            parts.append(f"{title}: {shown}")
    return " · ".join(parts)


class VolumeActions(PageActions):
    """Volumes: create, attach to a server, extend, snapshot."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        session = self.session
        if session is None:
            return
        project = session.info.get("project_id") or ""
        try:
            choices = await self.call(_choices, session.cloud)
            quota = await self.call(session.cloud.block_storage.quotas, project)
        except Stale:
            return
        except OsdeskError:  # no quota to show: the dialog says nothing about it
            quota = {}
        values = await dialogs.accepted(
            CreateVolumeDialog(self.page, quota_text=volume_quota_text(quota), **choices))
        if values is not None:
            await self.create(values)

    async def create(self, values: dict):
        started = time.monotonic()
        volume = await self.attempt("Create volume",
                                    self.session.cloud.block_storage.create_volume, **values)
        if volume is not FAILED:
            self.changed()
            self.follow(volume, started)

    def follow(self, volume: dict, started: float) -> None:
        """Read the volume until it settles (available, in-use, an error); the end of a
        long change may be worth a desktop notification."""
        self.spawn(self._follow(self.session, volume["id"],
                                volume.get("name") or volume["id"], started))

    async def _follow(self, session, volume_id: str, name: str, started: float) -> None:
        deadline = time.monotonic() + FOLLOW_FOR_S
        while time.monotonic() < deadline:
            await asyncio.sleep(FOLLOW_EVERY_S)
            try:
                volume = await session.call(session.cloud.block_storage.get_volume, volume_id)
            except NotFound:
                volume = None
            except (Stale, asyncio.CancelledError):
                return
            except OsdeskError:
                continue  # a passing error; keep following until the deadline
            if volume is None or volume.get("status") not in TRANSITIONAL:
                self.window.notifier.operation_finished("Volume", name,
                                                        volume_outcome(volume), started)
                return

    async def ask_attach(self, rows):
        volume = rows[0]
        server = await self.ask_server(
            "Attach volume", f"Attach {volume.get('name') or volume['id']} to:",
            ("ACTIVE", "SHUTOFF", "PAUSED", "VERIFY_RESIZE", "SHELVED", "SHELVED_OFFLOADED"),
            "No server can take a volume now (it needs ACTIVE, SHUTOFF, PAUSED, "
            "VERIFY_RESIZE or SHELVED).")
        if server is not None:
            await self.attach(volume, server)

    async def attach(self, volume: dict, server: dict):
        started = time.monotonic()
        if await self.attempt("Attach volume", self.session.cloud.compute.attach_volume,
                              server["id"], volume["id"]) is not FAILED:
            self.changed()
            self.follow(volume, started)

    async def ask_extend(self, rows):
        volume = rows[0]
        size = int(volume.get("size") or 1)
        new = await dialogs.ask_int(self.page, "Extend volume",
                                    f"New size of {volume.get('name') or volume['id']} in GiB "
                                    f"(now {size} GiB; volumes only grow):",
                                    size + 1, minimum=size + 1)
        if new is not None:
            await self.extend(volume, new)

    async def extend(self, volume: dict, new_size: int):
        started = time.monotonic()
        if await self.attempt("Extend volume", self.session.cloud.block_storage.extend_volume,
                              volume["id"], new_size) is not FAILED:
            self.changed()
            self.follow(volume, started)

    async def ask_snapshot(self, rows):
        await ask_and_snapshot(self, rows)


async def ask_and_snapshot(actions: PageActions, volumes: list[dict]) -> None:
    picked = await dialogs.accepted(SnapshotDialog(actions.page, volumes),
                                    lambda d: (d.volume(), d.values()))
    if picked is None:
        return
    volume, values = picked
    storage = actions.session.cloud.block_storage
    if await actions.attempt("Create snapshot", storage.create_snapshot, volume["id"],
                             **values) is FAILED:
        return
    actions.changed()
    snapshots = actions.window.pages.peek("volume_snapshots")  # not made: loads when shown
    if snapshots is not None and snapshots is not actions.page:
        snapshots.refresh()


class SnapshotActions(PageActions):
    """Volume snapshots: create one of a volume picked here."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        volumes = await self.attempt("Create snapshot",
                                     self.session.cloud.block_storage.list_volumes)
        if volumes is FAILED:
            return
        volumes = [v for v in volumes if v.get("status") in ("available", "in-use")]
        if not volumes:
            await dialogs.inform(self.page, "Create snapshot",
                                 "There is no available or in-use volume to snapshot.")
            return
        await ask_and_snapshot(self, volumes)
