"""Instant start: each page shows the rows it had last time at once, from a snapshot on
disk, until the live refresh replaces them; every successful full refresh is kept.

The files are read, scrubbed, serialised and written on the keeper's own worker thread
(never the cloud's, which may be stuck logging in, never the GUI thread); the rows are
built on it too (``ResourceTableModel.prepare``) and merged on the GUI thread a slice
at a time, as a refresh's pages are. QtCore only.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
import weakref
from typing import Callable

from PySide6.QtCore import QObject, Signal

from osdesk.profiles.snapshots import SnapshotStore
from osdesk.rules.formats import LookupContext
from osdesk.runtime.pacing import pacer
from osdesk.runtime.runner import Runner
from osdesk.runtime.session import ResourceFeed, sliced

log = logging.getLogger(__name__)

#: A kind's rows are kept at most this often per cloud and project (seconds).
SAVE_EVERY_S = 30.0
#: The runner's key of the keeper's worker (stopped with the runner's other workers).
WORKER = "#snapshots"
#: The kind under which a cloud's names for ids (flavors, images, servers…) are kept, so
#: that the tables of a cloud that cannot be reached still show names.
LOOKUPS = "_lookups"


def project_of(session) -> str:
    """The project the session is scoped to, as far as known before login."""
    return session.info.get("project_id") or getattr(session.profile, "project_id", "") or ""


class SnapshotKeeper(QObject):
    """Saves each feed's rows after a refresh and shows them again on the next open.

    Signals:
        restoreSettled(object): the feed's snapshot rows show, or none will (none kept,
            the live rows came first, or it could not be read).
    """

    restoreSettled = Signal(object)

    def __init__(self, runner: Runner, store: SnapshotStore | None = None,
                 spawn: Callable | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.store = store if store is not None else SnapshotStore()
        #: runs a coroutine as a task its owner cancels when it closes
        self.spawn = spawn or _spawn
        self._saved_at: dict[tuple[str, str, str], float] = {}
        self.feeds: list[ResourceFeed] = []
        #: the project each feed's snapshot rows belong to, by kind
        self._shown: dict[str, str] = {}
        #: session -> the project of its first login (None until then)
        self._logins: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
        #: the feeds whose snapshot is being looked for, not shown yet
        self._restoring: weakref.WeakSet = weakref.WeakSet()

    def _submit(self, fn, *args):
        try:
            future = self.runner.executor(WORKER).submit(fn, *args)
        except RuntimeError:  # shut down: the window is closing
            return
        future.add_done_callback(_log_failure)

    @property
    def enabled(self) -> bool:
        return self.store.enabled

    def set_enabled(self, on: bool) -> None:
        """Turned off, nothing is kept and what was kept is deleted (on the worker)."""
        self._saved_at.clear()
        self._submit(setattr, self.store, "enabled", bool(on))

    def delete_cloud(self, cloud_id: str) -> None:
        self._saved_at = {k: v for k, v in self._saved_at.items() if k[0] != cloud_id}
        self._submit(self.store.delete_cloud, cloud_id)

    def attach(self, feed: ResourceFeed) -> None:
        self.feeds.append(feed)
        feed.sessionChanged.connect(lambda: self._opened(feed))
        feed.refreshed.connect(lambda _rows: self.save(feed))

    def _opened(self, feed: ResourceFeed) -> None:
        session = feed.session
        if session is None:
            return
        if session not in self._logins:
            self._logins[session] = None
            session.connected.connect(self._on_connected)
            session.lookupsChanged.connect(self._on_lookups)
            self.spawn(self.restore_lookups(session))
        self._restoring.add(feed)
        self.spawn(self.restore(feed))

    async def restored(self, feed: ResourceFeed, timeout: float) -> None:
        """Return once the feed's snapshot rows show or none will, or after ``timeout``."""
        if feed not in self._restoring:
            return
        settled = asyncio.get_running_loop().create_future()

        def on_settled(which) -> None:
            if which is feed and not settled.done():
                settled.set_result(None)
        self.restoreSettled.connect(on_settled)
        try:
            await asyncio.wait_for(settled, timeout)
        except asyncio.TimeoutError:
            pass
        finally:
            self.restoreSettled.disconnect(on_settled)

    def _settled(self, feed: ResourceFeed) -> None:
        if feed in self._restoring:
            self._restoring.discard(feed)
            self.restoreSettled.emit(feed)

    def _on_connected(self, info: dict) -> None:
        """The first login of a session: remember its project for the next start, and
        replace rows shown from another project's snapshot (the profile names its
        project by name, and the guess was wrong)."""
        session = self.sender()
        if session is None or self._logins.get(session) is not None:
            return  # a project switch: set_session reloads every page
        project = self._logins[session] = info.get("project_id") or ""
        self._submit(self.store.remember_project, session.profile.id, project)
        for feed in self.feeds:
            if (feed.session is session and feed.snapshot_at is not None
                    and self._shown.get(feed.kind.key) != project
                    and feed.state not in ("loading", "refreshing")):
                feed.model.reset([])
                feed.show_snapshot(None)
                self.spawn(self.restore(feed))

    # ------------------------------------------------------------------ saving
    def save(self, feed: ResourceFeed, force: bool = False) -> None:
        """Keep the feed's rows as they are now (at most once per SAVE_EVERY_S a kind)."""
        model = feed.model
        self._keep(feed.session, feed.kind.key, force,
                   lambda: [model.raw_at(i) for i in range(model.rowCount())])

    def _on_lookups(self) -> None:
        session = self.sender()
        if session is not None:
            lookups = session.lookups
            self._keep(session, LOOKUPS, True, lambda: [
                {f.name: dict(getattr(lookups, f.name)) for f in dataclasses.fields(lookups)}])

    def _keep(self, session, kind: str, force: bool, rows) -> None:
        if session is None or not session.info:
            return  # not logged in: nothing live to keep
        key = (session.profile.id, project_of(session), kind)
        now = time.monotonic()
        if not force and now - self._saved_at.get(key, -SAVE_EVERY_S) < SAVE_EVERY_S:
            return
        self._saved_at[key] = now
        # the held dicts, never mutated (merges replace them), serialised on the worker,
        # which gives the GUI thread its turns between chunks
        future = pacer.submit(self.runner.executor(WORKER), self.store.save, *key,
                              rows(), time.time())
        if future is not None:  # (None: shut down, the window is closing)
            future.add_done_callback(_log_failure)

    # --------------------------------------------------------------- restoring
    async def restore(self, feed: ResourceFeed) -> None:
        """Show the snapshot of the feed's cloud, project and kind, unless the live rows
        are there first."""
        try:
            await self._restore(feed)
        finally:
            self._settled(feed)

    async def _restore(self, feed: ResourceFeed) -> None:
        session = feed.session
        if session is None:
            return
        generation = session.ctx.generation
        cloud_id, kind, project = session.profile.id, feed.kind.key, project_of(session)
        prepare = feed.model.prepare

        def work():
            found, snap = self._load(cloud_id, project, kind)
            if snap is None or not snap.rows:
                return found, None, []
            try:
                return found, snap, [prepare(piece) for piece in sliced([snap.rows])]
            except Exception:  # noqa: BLE001 - rows no table can show: as if none were kept
                log.exception("the snapshot of %s / %s / %s has rows osdesk cannot show",
                              cloud_id, found, kind)
                return found, None, []
        try:
            found, snap, pages = await self.runner.run(WORKER, work)
        except RuntimeError:  # the worker was shut down: the window is closing
            return
        self._shown[kind] = found
        for page in pages:
            if (feed.session is not session or session.ctx.generation != generation
                    or feed.loaded_once or feed.state in ("loading", "refreshing")):
                return  # the live rows are coming or here: they win
            if feed.snapshot_at is None:
                feed.show_snapshot(snap.taken_at)
            feed.model.merge_page(page)
            self._settled(feed)  # its first rows show
            await asyncio.sleep(0)  # let Qt paint between slices



    def _load(self, cloud_id: str, project: str, kind: str):
        """(project, snapshot or None): the login's project, else the one remembered.
        A snapshot that cannot be used is none (logged): it never stops a page."""
        found = project or self.store.last_project(cloud_id) or ""
        try:
            return found, self.store.load(cloud_id, found, kind)
        except Exception:  # noqa: BLE001 - whatever is wrong with it, the page goes on
            log.exception("the snapshot of %s / %s / %s cannot be used", cloud_id, found, kind)
            return found, None

    async def restore_lookups(self, session) -> None:
        """The names for ids kept last time, until the session loads its own."""
        try:
            _found, snap = await self.runner.run(WORKER, self._load, session.profile.id,
                                                 project_of(session), LOOKUPS)
        except RuntimeError:
            return
        if snap is None or not snap.rows or session.closed or session.info:
            return  # nothing kept, or logged in already: its own names are coming
        names = {f.name for f in dataclasses.fields(LookupContext)}
        saved = {k: v for k, v in snap.rows[0].items() if k in names and isinstance(v, dict)}
        session.lookups = LookupContext(**saved)
        session.lookupsChanged.emit()


def _spawn(coro) -> None:
    try:
        asyncio.ensure_future(coro)
    except RuntimeError:  # no event loop (plain widget tests)
        coro.close()


def _log_failure(future) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("could not keep a snapshot: %s", future.exception())
