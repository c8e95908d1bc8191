"""The inventory's instant start: each cloud's last lists (every project the inventory
listed, each row naming its own) kept after a listing and shown at once on the next
start, marked with their age, until the live listing replaces them. Read, scrubbed,
written and built on the snapshot keeper's worker; merged on the GUI thread a slice
at a time. QtCore only."""

from __future__ import annotations

import datetime as _dt
import logging
import time

from osdesk.models.inventory_model import row_key
from osdesk.profiles.snapshots import SnapshotStore
from osdesk.rules.formats import fmt_age
from osdesk.runtime.instant_start import WORKER
from osdesk.runtime.pacing import pacer
from osdesk.runtime.runner import Context, Runner, Stale

log = logging.getLogger(__name__)

#: the "project" the inventory's snapshot is kept under: its rows carry their own
ALL_PROJECTS = "*inventory*"
#: a cloud's lists are kept at most this often (seconds)
SAVE_EVERY_S = 30.0


def age_text(taken_at: float) -> str:
    """"as of 12 min ago"."""
    return "as of " + fmt_age(_dt.datetime.fromtimestamp(taken_at, _dt.timezone.utc))


class InventorySnapshots:
    """Keeps and restores the lists of :class:`~osdesk.runtime.inventory.Inventory`."""

    def __init__(self, inventory, runner: Runner, store: SnapshotStore):
        self.inventory = inventory
        self.runner = runner
        self.store = store
        self.ctx = Context(WORKER)
        self._saved_at: dict[str, float] = {}

    async def restore(self, profiles) -> int:
        """Show every cloud's kept lists whose live ones have not come yet; the rows shown."""
        inventory = self.inventory
        models = inventory.models
        wanted = [p.id for p in profiles]

        def pages():  # on the worker: read a chunk, build its rows, hand them over
            return _snapshot_pages(self.store, models, wanted)
        shown = 0

        def merge(page) -> None:
            nonlocal shown
            pid, kind, taken_at, keys, prepared = page
            if (pid, kind) in inventory.live or pid not in inventory.wanted:
                return  # the live rows are here (or the cloud is gone): they win
            models[kind].merge_page(prepared)
            inventory.restored(pid, kind, keys)
            shown += len(keys)
            inventory.show_as_of(pid, taken_at)
        try:
            await self.runner.stream(self.ctx, pages, merge)
        except (Stale, RuntimeError):  # the window is closing
            pass
        return shown

    def save(self, profile_id: str, lists: dict, force: bool = False) -> None:
        """Keep one cloud's ``lists`` (kind → {key: row}, as its listing left them, not
        changed after) at most every SAVE_EVERY_S; copied and written on the worker."""
        now = time.monotonic()
        if not force and now - self._saved_at.get(profile_id, -SAVE_EVERY_S) < SAVE_EVERY_S:
            return
        self._saved_at[profile_id] = now
        taken_at = time.time()
        for kind, listed in lists.items():
            try:
                future = pacer.submit(self.runner.executor(WORKER), _save, self.store,
                                      profile_id, kind, listed, taken_at)
            except RuntimeError:  # shut down: the window is closing
                return
            if future is None:
                return
            future.add_done_callback(_log_failure)


def _snapshot_pages(store: SnapshotStore, models: dict, wanted: list[str]):
    """(cloud, kind, taken at, keys, prepared rows) of each chunk of each kept list, read
    and built a chunk at a time (on the worker); a chunk that cannot be read ends its
    list there, with a log line."""
    for pid in wanted:
        for kind, model in models.items():
            opened = store.open(pid, ALL_PROJECTS, kind)
            if opened is None:
                continue
            taken_at, chunks = opened
            try:
                for chunk in chunks:
                    yield (pid, kind, taken_at, [row_key(row) for row in chunk],
                           model.prepare(chunk))
            except ValueError as exc:
                log.warning("the snapshot of %s of %s stops short: %s", kind, pid, exc)


def _save(store: SnapshotStore, profile_id: str, kind: str, listed: dict,
          taken_at: float, between=None) -> None:
    store.save(profile_id, ALL_PROJECTS, kind, list(listed.values()), taken_at, between)


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("could not keep the inventory's snapshot: %s", future.exception())
