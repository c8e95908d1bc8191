"""The open cloud as the GUI sees it: connection, project switching, and the feeds
that keep each resource table current. QtCore only: no widgets, no HTTP here
(HTTP runs in the API layer, on the cloud's worker thread, through the runner).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from osdesk.api import ConfigError, OsdeskError, ServiceNotAvailable
from osdesk.api.calllog import CallLog
from osdesk.rules.formats import LookupContext
from osdesk.kinds.registry import KIND_BY_KEY, KINDS, ResourceKind
from osdesk.runtime.runner import Context, Runner, Stale, ahead

if TYPE_CHECKING:
    from osdesk.api.cloud import Cloud

log = logging.getLogger(__name__)

#: Auto-refresh intervals (ms): fast while any row is moving, slow otherwise.
FAST_REFRESH_MS = 2000
SLOW_REFRESH_MS = 30000
#: A busy row unchanged this long is stuck, not moving: it no longer keeps its page
#: refreshing fast (which floods the API console with the same GET every 2 s).
STUCK_AFTER_S = 300.0
#: A refresh that made no progress (no page, no state change) for this long beyond the
#: cloud's own timeout is taken for dead and replaced by a new one: a task can die
#: without ending (a step lost to an event-loop error), and a page must never stop
#: updating for good because of it.
DEAD_REFRESH_GRACE_S = 30.0
#: Most rows merged on the GUI thread in one go (~500 server rows take 3-10 ms; see
#: DESIGN.md, no single piece of GUI-thread work over ~50 ms), even when a cloud
#: ignores ``limit`` and sends tens of thousands of rows in one page.
MERGE_SLICE = 500


def sliced(pages, size: int = MERGE_SLICE):
    """The pages of ``pages``, each list cut into pieces of at most ``size`` rows."""
    for page in pages:
        if isinstance(page, list) and len(page) > size:
            for start in range(0, len(page), size):
                yield page[start:start + size]
        else:
            yield page


def _connect_work(cloud, project_id: str | None = None) -> dict:
    """Log in (or re-scope) and settle everything the GUI thread later reads
    without HTTP."""
    info = cloud.rescope(project_id) if project_id else cloud.authenticate()
    info["compute_microversion"] = None
    if "compute" in info["services"]:
        try:
            info["compute_microversion"] = cloud.compute_microversion
        except OsdeskError:
            pass  # the servers page will show the error itself
    return info


class CloudSession(QObject):
    """One open cloud.

    Signals:
        connected(dict): token info after a (re)login or project switch.
        failed(str): the connection failed; the sentence says why.
        lookupsChanged(): flavor/image/network names were (re)loaded.
        projectChanged(): the project switched; every page must reload.
    """

    connected = Signal(dict)
    failed = Signal(str)
    lookupsChanged = Signal()
    projectChanged = Signal()

    def __init__(self, profile, secret: str | None, runner: Runner, call_log: CallLog,
                 parent: QObject | None = None, key: str | None = None):
        super().__init__(parent)
        self.profile = profile
        self.runner = runner
        #: the worker's key: the profile id, or another for a second user of the cloud
        #: (the inventory) that must not queue behind the window's pages
        self.ctx = Context(key or profile.id)
        problems = profile.problems()
        if problems:  # as Cloud would say: at once, before anything shows the cloud
            raise ConfigError(" ".join(problems))
        self._secret, self._call_log = secret, call_log
        self._cloud: Cloud | None = None
        self._cloud_lock = threading.Lock()
        self.info: dict = {}
        self.lookups = LookupContext()
        self.closed = False

    @property
    def cloud(self) -> Cloud:
        """The cloud's API client, made on first use: the login makes it on the worker,
        so the HTTP stack (requests, keystoneauth1: ~0.1 s of imports) loads there, after
        the window and a returning user's last rows are shown, not before."""
        cloud = self._cloud
        if cloud is not None:
            return cloud
        from osdesk.api.cloud import Cloud
        with self._cloud_lock:
            if self._cloud is None:
                self._cloud = Cloud(self.profile, self._secret, call_log=self._call_log)
            return self._cloud

    @cloud.setter
    def cloud(self, cloud: Cloud) -> None:
        with self._cloud_lock:
            self._cloud = cloud

    async def connect(self, lookups: bool = True) -> dict:
        try:
            self.info = await self.runner.read_for(
                self.ctx, lambda: _connect_work(self.cloud))
        except Stale:
            raise
        except OsdeskError as exc:
            self.failed.emit(str(exc))
            raise
        self.connected.emit(self.info)
        if lookups:
            asyncio.ensure_future(self.load_lookups())
        return self.info

    async def switch_project(self, project_id: str) -> dict:
        self.ctx.bump()  # anything in flight for the old project is now stale
        self.info = await self.runner.run_for(self.ctx, _connect_work, self.cloud, project_id)
        self.lookups = LookupContext()
        self.connected.emit(self.info)
        self.projectChanged.emit()
        asyncio.ensure_future(self.load_lookups())
        return self.info

    async def load_lookups(self) -> None:
        """Names for ids shown in tables (flavor, image, network, subnet CIDRs): one list
        of each kind that declares ``named_elsewhere``."""
        def fetch(cloud):
            out = {}
            for kind in KINDS:
                if not kind.named_elsewhere:
                    continue
                try:
                    out[kind.key] = [row for page in kind.name_pages(cloud) for row in page]
                except OsdeskError:  # no such service, or not allowed: ids stay ids
                    out[kind.key] = []
            return out
        try:
            data = await self.runner.read_for(self.ctx, fetch, self.cloud)
        except (Stale, OsdeskError):
            return
        self.lookups = lookups_from_lists(**data)
        self.lookupsChanged.emit()

    async def call(self, fn, *args, **kwargs):
        """Run ``fn(*args)`` on this cloud's worker; Stale if the user moved on."""
        return await self.runner.run_for(self.ctx, fn, *args, **kwargs)

    def unstick(self) -> bool:
        """The user gave up waiting: if a call is stuck on this cloud's worker, later calls
        get a new worker and a new connection (same token) instead of queueing behind it
        until its timeout. Returns whether there was one."""
        old = self._cloud
        if old is None or not self.runner.busy(self.ctx.key):
            return False  # no client yet: the login is still making it (not the network)
        log.info("leaving a stuck call on %s to its timeout", self.profile.name)
        # closed on the old worker once the stuck call (and any queued behind it) ended
        self.runner.executor(self.ctx.key).submit(old.close)
        self.runner.abandon(self.ctx.key)
        self.cloud = old.sibling()
        return True

    async def transfer(self, work: Callable[[Cloud], Any]) -> Any:
        """Run ``work(cloud)``, a long upload or download, on a sibling connection beside
        this cloud's worker (see :meth:`Runner.transfer`). The sibling has the current
        token and project; it is closed when the transfer ends."""
        twin = self.cloud.sibling()
        try:
            return await self.runner.transfer(self.ctx.key, work, twin)
        finally:
            twin.close()

    def has_service(self, service_type: str) -> bool:
        """From the token's catalog as last read: no HTTP, safe on the GUI thread."""
        return service_type in self.info.get("services", ())

    def compute_supports(self, version: str) -> bool:
        from osdesk.api.cloud import parse_version
        current = parse_version(self.info.get("compute_microversion"))
        return current is not None and current >= parse_version(version)

    def token_expires_in(self) -> float | None:
        cloud = self._cloud
        return cloud.token_expires_in() if cloud is not None else None

    def close(self) -> None:
        self.closed = True
        self.ctx.close()  # a call started after this (lookups of a late login) is stale too
        with self._cloud_lock:
            cloud = self._cloud
        if cloud is None:
            return  # never used: nothing to close
        # Close on the worker so an in-flight request is not torn down under it.
        self.runner.executor(self.ctx.key).submit(cloud.close)


def _names(rows) -> dict[str, str]:
    return {r["id"]: r.get("name") or r["id"] for r in rows if r.get("id")}


def lookups_from_lists(flavors=(), images=(), networks=(), subnets=(), projects=(),
                       servers=(), volumes=()) -> LookupContext:
    """Build the id → name caches the tables use from plain list results."""
    cidrs: dict[str, list[str]] = {}
    for subnet in subnets:
        cidrs.setdefault(subnet.get("network_id"), []).append(subnet.get("cidr", ""))
    return LookupContext(
        flavor_names={f["id"]: f.get("name") or f["id"] for f in flavors if f.get("id")},
        image_names={i["id"]: i.get("name") or i["id"] for i in images if i.get("id")},
        network_names={n["id"]: n.get("name") or n["id"] for n in networks if n.get("id")},
        subnet_cidrs_by_network=cidrs,
        subnet_names={s["id"]: s.get("name") or s.get("cidr", s["id"]) for s in subnets
                      if s.get("id")},
        project_names=_names(projects), server_names=_names(servers),
        volume_names=_names(volumes))


class ResourceFeed(QObject):
    """Keeps one resource model current: first load, refresh, auto-refresh.

    Signals:
        stateChanged(str, str): state ("loading", "refreshing", "ready", "error",
            "no-service", "idle") and a message for the page.
        refreshed(int): rows after a successful refresh.
        sessionChanged(): :meth:`set_session` ran (another cloud or project, or none).
        snapshotChanged(): the rows came from a snapshot, or no longer do, or the cloud
            turned out unreachable while they show (``snapshot_at``, ``unreachable``).
    """

    stateChanged = Signal(str, str)
    refreshed = Signal(int)
    sessionChanged = Signal()
    snapshotChanged = Signal()

    def __init__(self, kind: ResourceKind | str, model, parent: QObject | None = None):
        super().__init__(parent)
        self.kind = KIND_BY_KEY[kind] if isinstance(kind, str) else kind
        self.model = model
        self.session: CloudSession | None = None
        self.state = "idle"
        self.message = ""
        self.loaded_once = False
        self.last_refresh = 0.0
        #: when the running refresh last showed a sign of life (started, merged a page)
        self._progress_at = 0.0
        self.paused = False
        #: epoch seconds of the snapshot whose rows the model shows until a refresh
        #: replaces them (runtime/instant_start.py); None when the rows are live
        self.snapshot_at: float | None = None
        #: why the cloud could not be reached (login or refresh failed); "" otherwise
        self.unreachable = ""
        self._watched: CloudSession | None = None
        self._task: asyncio.Task | None = None
        #: per busy row: (its raw dict when last seen changed, since when it is so)
        self._busy_rows: dict = {}
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer)

    # ------------------------------------------------------------ lifecycle
    def set_session(self, session: CloudSession | None) -> None:
        """A new cloud (or project): the only place the model is reset."""
        self.cancel()
        self.session = session
        self.loaded_once = False
        self.snapshot_at, self.unreachable = None, ""
        self.model.reset([])
        if session is not None:
            self.model.set_context(session.lookups)
            if session is not self._watched:
                session.failed.connect(self._on_session_failed)
                self._watched = session
        self._set_state("idle", "")
        self.sessionChanged.emit()

    def _on_session_failed(self, message: str) -> None:
        if self.sender() is self.session:
            self._mark_unreachable(message)

    def _mark_unreachable(self, message: str) -> None:
        self.unreachable = message or "the cloud could not be reached"
        if self.snapshot_at is not None:
            self.snapshotChanged.emit()

    def show_snapshot(self, taken_at: float | None) -> None:
        """The rows now come from the snapshot taken at ``taken_at`` (None: live again)."""
        self.snapshot_at = taken_at
        self.snapshotChanged.emit()

    def set_lookups(self, lookups) -> None:
        self.model.set_context(lookups)

    def refresh(self) -> asyncio.Task | None:
        """Start a refresh unless one is running; returns its task.

        A running one that has shown no sign of life for longer than any request may
        take is dropped and replaced, so the page recovers from a task that died.
        """
        if self.session is None:
            return None
        if self._task is not None and not self._task.done():
            if not self._looks_dead():
                return self._task
            log.warning("refresh of %s made no progress for %.0f s; starting a new one",
                        self.kind.key, time.monotonic() - self._progress_at)
            self._task.cancel()
        self._progress_at = time.monotonic()
        self._task = asyncio.ensure_future(self._refresh(self.session))
        return self._task

    def _looks_dead(self) -> bool:
        timeout = float(getattr(self.session.profile, "timeout", 30) or 30)
        return time.monotonic() - self._progress_at > timeout + DEAD_REFRESH_GRACE_S

    def _merge_page(self, page) -> None:
        self._progress_at = time.monotonic()
        self.model.merge_page(page)

    def cancel(self) -> None:
        self._timer.stop()
        if self._task is not None and not self._task.done():
            self._task.cancel()
            if self.session is not None:
                self.session.ctx.bump()  # drop the pages still coming
            self._set_state("ready" if self.loaded_once else "idle",
                            "Cancelled; the table shows what had arrived.")
        self._task = None

    def give_up(self) -> None:
        """The page's Cancel button: stop waiting, and do not let a stuck request hold
        this cloud's other pages back (see :meth:`CloudSession.unstick`)."""
        busy = self._task is not None and not self._task.done()
        self.cancel()
        if busy and self.session is not None:
            self.session.unstick()

    def set_paused(self, paused: bool) -> None:
        was = self.paused
        self.paused = paused
        if paused:
            self._timer.stop()
        elif was and self.loaded_once and (self.age() or 0) * 1000 > SLOW_REFRESH_MS:
            self.refresh()  # back on screen with old rows: bring them up to date now
        else:
            self._schedule()

    # -------------------------------------------------------------- refresh
    async def _refresh(self, session: CloudSession) -> None:
        first = not self.loaded_once
        self._set_state("loading" if first else "refreshing",
                        f"Loading {self.kind.title.lower()}…" if first else "Refreshing…")
        self.model.begin_refresh()

        try:
            # the rows are built on the worker while the next page's request is in
            # flight (``ahead``; GIL handed back every 1 ms), so the GUI thread only
            # places them
            prepare = self.model.prepare
            await session.runner.stream(
                session.ctx,
                lambda: (prepare(page)
                         for page in ahead(sliced(self.kind.pages(session.cloud)))),
                self._merge_page)
        except Stale:
            return
        except asyncio.CancelledError:
            return
        except ServiceNotAvailable as exc:
            self.model.reset([])
            if self.snapshot_at is not None:
                self.show_snapshot(None)
            self._set_state("no-service", f"This cloud has no {self.kind.service_type} "
                                          f"service, so it has no {self.kind.title.lower()}. "
                                          f"({exc})")
            self._schedule()  # a service the cloud adds later shows up by itself
            return
        except OsdeskError as exc:
            self._mark_unreachable(str(exc))
            self._set_state("error", str(exc))
            self._schedule()
            return
        except Exception as exc:  # a bug must not kill the page; show it and log it
            log.exception("refresh of %s failed", self.kind.key)
            self._set_state("error", f"Unexpected error: {exc.__class__.__name__}: {exc}")
            self._schedule()
            return
        if session is not self.session:
            return
        self.model.finish_refresh()
        self.loaded_once = True
        self.last_refresh = time.monotonic()
        self.unreachable = ""
        if self.snapshot_at is not None:
            self.show_snapshot(None)
        self._set_state("ready", "")
        self.refreshed.emit(self.model.rowCount())
        # on a turn of its own: looking for busy rows reads every row (~10-20 ms of the
        # GUI thread at 10,000 servers), after finish_refresh's removals in this one
        QTimer.singleShot(0, self, self._schedule)

    def any_busy(self) -> bool:
        return any(self.kind.busy(self.model.raw(k)) for k in self.model.keys())

    def any_moving(self) -> bool:
        """Whether a busy row changed within :data:`STUCK_AFTER_S` (worth following fast)."""
        now = time.monotonic()
        seen, moving = {}, False
        for key, raw in self.model.raws_where(self.kind.busy).items():
            before = self._busy_rows.get(key)
            since = before[1] if before is not None and before[0] == raw else now
            seen[key] = (raw, since)
            moving = moving or now - since < STUCK_AFTER_S
        self._busy_rows = seen
        return moving

    def _schedule(self) -> None:
        if self.paused or self.session is None:
            return
        self._timer.start(FAST_REFRESH_MS if self.any_moving() else SLOW_REFRESH_MS)

    def age(self) -> float | None:
        """Seconds since the rows were last brought up to date, or None before that."""
        return time.monotonic() - self.last_refresh if self.loaded_once else None

    def is_stale(self) -> bool:
        """True when the rows are older than two refresh periods: the page says so."""
        age = self.age()
        return age is not None and age * 1000 > 2 * SLOW_REFRESH_MS + 5000

    def _on_timer(self) -> None:
        if not self.paused:
            self.refresh()

    def _set_state(self, state: str, message: str) -> None:
        self.state, self.message = state, message
        self.stateChanged.emit(state, message)
