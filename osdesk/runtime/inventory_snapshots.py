"""The inventory's instant start: each cloud's last lists (every project the inventory
listed, each row naming its own) kept after a listing and shown at once on the next
start, marked with their age, until the live listing replaces them. Read, scrubbed,
written and built on the snapshot keeper's worker; merged on the GUI thread a slice
at a time. QtCore only."""

from __future__ import annotations

import datetime as _dt
import functools
import logging
import threading
import time
from concurrent.futures import Future
from typing import Awaitable

from osdesk.models.inventory_model import row_key
from osdesk.profiles.snapshots import SnapshotStore
from osdesk.rules.formats import fmt_age
from osdesk.runtime.instant_start import WORKER
from osdesk.runtime.pacing import pacer
from osdesk.runtime.runner import Context, Runner, Stale, background_thread

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

    def restore(self, profiles) -> Awaitable[int]:
        """Show every cloud's kept lists whose live ones have not come yet; the awaitable
        gives the rows shown. The files are read from now on, on a thread beside the
        worker (decompressing lets go of the GIL), one file ahead of the worker building
        the rows: the first read begins before the window's next paint, not after it."""
        inventory = self.inventory
        models = inventory.models
        files = [(pid, kind) for pid in (p.id for p in profiles) for kind in models]
        read = functools.partial(_in_a_thread, self.store.open)
        try:
            first = read(files[0][0], ALL_PROJECTS, files[0][1]) if files else None
        except RuntimeError:  # no new thread: the interpreter is shutting down
            files, first = [], None
        return self._restore(files, read, first)

    async def _restore(self, files: list[tuple[str, str]], read, first) -> int:
        inventory = self.inventory
        models = inventory.models

        def pages():  # on the worker: a chunk of a file read, its rows built, handed over
            return _snapshot_pages(files, read, first, models)
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
            future = pacer.submit(self.runner.executor(WORKER), _save, self.store,
                                  profile_id, kind, listed, taken_at)
            if future is None:  # shut down: the window is closing
                return
            future.add_done_callback(_log_failure)


def _in_a_thread(fn, *args) -> Future:
    """``fn(*args)`` on a thread of its own, which ends with it (a file read beside the
    worker, as part of its job: not a worker of its own)."""
    future: Future = Future()

    def run() -> None:
        background_thread()
        if future.set_running_or_notify_cancel():
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # handed to the worker, raised there
                future.set_exception(exc)
    threading.Thread(target=run, name="snapshot-read", daemon=True).start()
    return future


def _snapshot_pages(files: list[tuple[str, str]], read, future, models: dict):
    """(cloud, kind, taken at, keys, prepared rows) of each chunk of each kept list of
    ``files`` (cloud, kind), built a chunk at a time (on the worker) while the reader
    reads the next file (``read(cloud, project, kind)``: a future of
    ``SnapshotStore.open``; ``future``: the first file's); a chunk that cannot be read
    ends its list there, with a log line."""
    for i, (pid, kind) in enumerate(files):
        try:
            found = future.result()
            if i + 1 < len(files):  # one file ahead: two at most in memory at once
                future = read(files[i + 1][0], ALL_PROJECTS, files[i + 1][1])
        except (OSError, RuntimeError) as exc:  # what open() does not log and ignore; no
            log.warning("the snapshots were not read: %s", exc)  # thread (shutting down)
            return
        if found is None:
            continue
        taken_at, chunks = found
        model = models[kind]
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
