"""Every saved cloud at once: one login and one set of lists per cloud (and, if asked,
per project), each cloud on its own worker, so one cloud failing or hanging never
delays the others. QtCore only: the rows go to item models, the health to the sidebar.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Callable

from PySide6.QtCore import QObject, Signal

from osdesk.api import OsdeskError, ServiceNotAvailable
from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.inventory_model import (CLOUD_FIELD, CLOUD_ID_FIELD, PROJECT_FIELD,
                                           PROJECT_ID_FIELD, REGION_FIELD, row_key)
from osdesk.runtime.runner import Runner, Stale
from osdesk.runtime.inventory_snapshots import age_text
from osdesk.runtime.server_ops import follow
from osdesk.runtime.session import CloudSession, lookups_from_lists, sliced

log = logging.getLogger(__name__)

#: the kinds the inventory lists, in its tab order
INVENTORY_KINDS = ("servers", "volumes", "floating_ips", "images", "networks")
#: the order a cloud's lists are fetched in: the names its servers' columns use first
LISTING_ORDER = ("images", "networks", "servers", "volumes", "floating_ips")
#: rows built and merged at a time: several clouds build rows at once, and a worker
#: gives way to the GUI thread between two slices (see ``pacing``)
INVENTORY_SLICE = 100
#: the logins start at most this long after the snapshot's rows began to be read
SNAPSHOT_HEAD_START_S = 0.5
#: a cloud whose last good answer is older than this is "stale"
STALE_AFTER_S = 600.0


@dataclass
class Health:
    """How a cloud answered the inventory: state is "connecting", "connected",
    "needs-password", "unreachable" or "stale"; detail the sentence for people."""
    state: str
    detail: str = ""
    latency_ms: float | None = None
    at: float = 0.0
    #: the rows shown are a snapshot taken then (epoch seconds), not live
    as_of: float | None = None

    @property
    def short(self) -> str:
        if self.state == "connected":
            return f"{self.latency_ms:.0f} ms" if self.latency_ms is not None else "connected"
        if self.as_of is not None and self.state in ("connecting", "unreachable"):
            age = age_text(self.as_of)
            return age if self.state == "connecting" else f"offline, {age}"
        return {"connecting": "connecting…", "needs-password": "needs password",
                "unreachable": "unreachable", "stale": "stale"}.get(self.state, self.state)


class Reach:
    """One (cloud, project) the inventory logged in to: what the server actions need
    (``cloud``, ``call``), so an action on an inventory row goes to the row's own cloud
    and project, whatever cloud the window has open."""

    def __init__(self, session: CloudSession, project_id: str, project_name: str, cloud=None):
        self.session = session
        self.profile = session.profile
        self.project_id = project_id
        self.project_name = project_name
        self.cloud = cloud or session.cloud
        self.runner = session.runner
        self.ctx = session.ctx

    async def call(self, fn, *args, **kwargs):
        return await self.runner.run_for(self.ctx, fn, *args, **kwargs)


def _annotate(rows: list[dict], reach: Reach) -> list[dict]:
    region = reach.profile.region_name or ""
    extra = {CLOUD_FIELD: reach.profile.name, CLOUD_ID_FIELD: reach.profile.id,
             PROJECT_FIELD: reach.project_name, PROJECT_ID_FIELD: reach.project_id,
             REGION_FIELD: region}
    return [{**row, **extra} for row in rows]


class _Annotated:
    """A model as :func:`server_ops.follow` sees it: rows of one reach go in with their
    cloud and project, so the followed row is the inventory's row."""

    def __init__(self, model, reach: Reach):
        self.model, self.reach = model, reach

    def upsert(self, row: dict):
        return self.model.upsert(_annotate([row], self.reach)[0])

    def remove_key(self, server_id: str) -> bool:
        return self.model.remove_key((self.reach.profile.id, self.reach.project_id, server_id))


def _rescoped(cloud, project_id: str):
    twin = cloud.sibling()
    twin.rescope(project_id)
    return twin


class Inventory(QObject):
    """Lists of every cloud it is given, merged by (cloud, project, id) into one model
    per kind (``models[kind]``, made by the view).

    Signals:
        healthChanged(str): a cloud's :class:`Health` changed (its profile id).
        loaded(str): a cloud finished one pass of its lists (its profile id).
    """

    healthChanged = Signal(str)
    loaded = Signal(str)

    def __init__(self, runner: Runner, call_log, models: dict, contexts: dict | None = None,
                 parent: QObject | None = None):
        super().__init__(parent)
        self.runner = runner
        self.call_log = call_log
        self.models = models
        #: cloud id → its LookupContext (image and network names), read by the models'
        #: columns (``inventory_model``) on the worker as rows are built
        self.contexts = {} if contexts is None else contexts
        self.health: dict[str, Health] = {}
        self.reaches: dict[tuple[str, str], Reach] = {}
        self.every_project = False
        self._sessions: dict[str, CloudSession] = {}
        self._tasks: dict[str, asyncio.Task] = {}
        #: every listing task until it has ended (a cancelled one too)
        self._running: set[asyncio.Task] = set()
        self._good_at: dict[str, float] = {}
        #: the clouds asked for, the (cloud, kind) lists listed live since, the age of
        #: a cloud's rows shown from its snapshot
        self.wanted: set[str] = set()
        self.live: set[tuple[str, str]] = set()
        self.as_of: dict[str, float] = {}
        #: keeps and restores the lists (set by the view; None: no snapshots)
        self.snapshots = None
        #: (cloud id, kind) → the keys of that cloud's rows in the kind's model, and
        #: {key: row} of its last live listing (gathered on the worker): what a cloud's
        #: next listing removes, its names and its snapshot are made from, so nothing
        #: on the GUI thread walks the rows of every cloud
        self.shown: dict[tuple[str, str], set] = {}
        self.listed: dict[tuple[str, str], dict] = {}
        #: the snapshot's restore under way (the logins wait for it, a while)
        self.restoring: asyncio.Task | None = None

    # ------------------------------------------------------------------ public
    def load(self, clouds: list[tuple], *, secret_of: Callable) -> None:
        """Start (again) on every cloud of ``clouds`` (profiles); ``secret_of(profile)``
        gives (known, secret). Clouds no longer given are dropped with their rows."""
        wanted = self.wanted = {p.id for p in clouds}
        for gone in (set(self._sessions) | set(self.health)) - wanted:
            self.forget(gone)
        self.restoring = None
        if self.snapshots is not None:
            self.restoring = self._track(asyncio.ensure_future(self.snapshots.restore(clouds)))
        for profile in clouds:
            known, secret = secret_of(profile)
            if not known:
                self._set_health(profile.id, Health("needs-password",
                                                    "Open it once to enter its password."))
                continue
            self.start(profile, secret)

    def start(self, profile, secret) -> asyncio.Task:
        old = self._tasks.pop(profile.id, None)
        if old is not None and not old.done():
            old.cancel()
        self._close(profile.id)
        session = CloudSession(profile, secret, self.runner, self.call_log, self,
                               key=f"inventory:{profile.id}")
        self._sessions[profile.id] = session
        task = asyncio.ensure_future(self._load_cloud(session))
        self._tasks[profile.id] = task
        return self._track(task)

    def _track(self, task: asyncio.Task) -> asyncio.Task:
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return task

    def show_as_of(self, profile_id: str, taken_at: float) -> None:
        """Rows of the cloud's snapshot are shown: its health says how old they are."""
        self.as_of[profile_id] = min(taken_at, self.as_of.get(profile_id, taken_at))
        health = self.health.get(profile_id)
        if health is None or health.state != "connected":
            self._set_health(profile_id, Health(health.state if health else "connecting",
                                                health.detail if health else ""))

    def forget(self, profile_id: str) -> None:
        task = self._tasks.pop(profile_id, None)
        if task is not None and not task.done():
            task.cancel()
        self._close(profile_id)
        self.health.pop(profile_id, None)
        self.as_of.pop(profile_id, None)
        self.live = {k for k in self.live if k[0] != profile_id}
        for kind, model in self.models.items():
            self.listed.pop((profile_id, kind), None)
            model.remove_keys(self.shown.pop((profile_id, kind), ()))
        self.healthChanged.emit(profile_id)

    def busy(self, profile_id: str | None = None) -> bool:
        """Whether any cloud (or that one) is still being listed."""
        if profile_id is None:
            return bool(self._running)
        task = self._tasks.get(profile_id)
        return task is not None and not task.done()

    def reach_of(self, row: dict) -> Reach | None:
        return self.reaches.get((row.get(CLOUD_ID_FIELD), row.get(PROJECT_ID_FIELD)))

    async def follow(self, reach: Reach, server_ids: list[str]) -> None:
        """Keep the rows of servers an action was run on current until they settle."""
        model = _Annotated(self.models["servers"], reach)
        await asyncio.gather(*(follow(reach, model, sid) for sid in server_ids),
                             return_exceptions=True)

    def check_stale(self) -> None:
        """Mark clouds whose last good answer is older than STALE_AFTER_S."""
        now = time.monotonic()
        for pid, health in list(self.health.items()):
            good = self._good_at.get(pid)
            if health.state == "connected" and good is not None and now - good > STALE_AFTER_S:
                minutes = int((now - good) // 60)
                self._set_health(pid, Health("stale", f"No answer for {minutes} min; "
                                                      "the rows are as of then."))

    def close(self) -> None:
        for pid in list(self._tasks):
            task = self._tasks.pop(pid)
            if not task.done():
                task.cancel()
        for pid in list(self._sessions):
            self._close(pid)

    # ------------------------------------------------------------------ work
    def _close(self, profile_id: str) -> None:
        session = self._sessions.pop(profile_id, None)
        for key in [k for k in self.reaches if k[0] == profile_id]:
            del self.reaches[key]
        if session is not None:
            session.close()
            session.deleteLater()

    def _set_health(self, profile_id: str, health: Health) -> None:
        health.at = time.time()
        if health.state != "connected":
            health.as_of = self.as_of.get(profile_id)
        self.health[profile_id] = health
        self.healthChanged.emit(profile_id)

    async def _load_cloud(self, session: CloudSession) -> None:
        pid = session.profile.id
        if pid not in self.health or self.health[pid].state != "connected":
            self._set_health(pid, Health("connecting"))
        try:
            restoring = self.restoring
            if restoring is not None and not restoring.done():
                # the kept rows first: a login (its HTTP stack imported, its token
                # parsed) competes with them for the GIL, and no cloud answers faster
                # than they are read
                await asyncio.wait([restoring], timeout=SNAPSHOT_HEAD_START_S)
            started = time.monotonic()
            info = await session.connect(lookups=False)
            latency = (time.monotonic() - started) * 1000
            reaches = [Reach(session, info.get("project_id") or "",
                             info.get("project_name") or "")]
            if self.every_project:
                reaches += await self._other_projects(session, info)
        except (Stale, asyncio.CancelledError):
            return
        except OsdeskError as exc:
            self._set_health(pid, Health("unreachable", str(exc)))
            return
        self._good_at[pid] = time.monotonic()
        self._set_health(pid, Health("connected", "", latency))
        for reach in reaches:
            self.reaches[(pid, reach.project_id)] = reach
        for kind_key in LISTING_ORDER:
            if kind_key == "servers":  # its image and network columns name ids
                self._set_names(pid)
            listed: dict = {}
            for reach in reaches:
                try:
                    listed.update(await self._load_kind(reach, kind_key))
                except (Stale, asyncio.CancelledError):
                    return
                except ServiceNotAvailable:
                    continue
                except OsdeskError as exc:
                    log.info("inventory: %s of %s: %s", kind_key, session.profile.name, exc)
                    listed.update(self._kept(pid, kind_key, reach.project_id))
            self._listed_live(pid, kind_key, listed)
        self.as_of.pop(pid, None)
        if self.snapshots is not None:
            self.snapshots.save(pid, {kind: self.listed.get((pid, kind), {})
                                      for kind in self.models})
        self.loaded.emit(pid)

    def _listed_live(self, pid: str, kind: str, listed: dict) -> None:
        """One kind of a cloud listed: its rows no longer listed go."""
        key = (pid, kind)
        gone = self.shown.get(key, set()) - listed.keys()
        self.models[kind].remove_keys(gone)
        self.shown[key] = set(listed)
        self.listed[key] = listed
        self.live.add(key)

    def _kept(self, pid: str, kind: str, project_id: str) -> dict:
        """The rows shown of one project of a cloud whose listing failed: kept."""
        model = self.models[kind]
        rows = {k: model.raw(k) for k in self.shown.get((pid, kind), ()) if k[1] == project_id}
        return {k: row for k, row in rows.items() if row is not None}

    def restored(self, pid: str, kind: str, keys) -> None:
        """Rows of a snapshot were merged (see ``InventorySnapshots``)."""
        self.shown.setdefault((pid, kind), set()).update(keys)

    def _set_names(self, pid: str) -> None:
        """The cloud's image and network names, from the lists just made."""
        self.contexts[pid] = lookups_from_lists(
            **{kind: self.listed.get((pid, kind), {}).values() for kind in ("images", "networks")})

    async def _other_projects(self, session: CloudSession, info: dict) -> list[Reach]:
        if session.profile.auth_type == "v3applicationcredential":
            return []
        try:
            projects = await session.call(session.cloud.identity.my_projects)
        except OsdeskError:
            return []
        out = []
        for project in projects:
            if project.get("id") in (None, info.get("project_id")):
                continue
            try:
                twin = await session.call(_rescoped, session.cloud, project["id"])
            except OsdeskError as exc:
                log.info("inventory: project %s of %s: %s", project.get("name"),
                         session.profile.name, exc)
                continue
            out.append(Reach(session, project["id"], project.get("name") or project["id"], twin))
        return out

    async def _load_kind(self, reach: Reach, kind_key: str) -> dict:
        """List one kind of one project; ``{key: row}`` of every row listed."""
        kind = KIND_BY_KEY[kind_key]
        model = self.models[kind_key]
        listed: dict = {}

        def pages():  # on the worker: rows annotated and their cells built there
            for page in sliced(kind.pages(reach.cloud), INVENTORY_SLICE):
                rows = _annotate(page, reach)
                listed.update((row_key(row), row) for row in rows)
                yield model.prepare(rows)

        await self.runner.stream(reach.ctx, pages, model.merge_page)
        return listed
