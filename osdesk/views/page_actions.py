"""A page's actions, built from its kind's declaration: menus, toolbar, confirmations,
per-row runs and their report. Pages with dialogs subclass :class:`PageActions`."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction

from osdesk.api import OsdeskError
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.icons import icon


#: what :meth:`PageActions.attempt` returns when the call did not happen or failed
FAILED = object()


def _names(rows: list[dict], key: str = "name") -> list[str]:
    return [str(r.get(key) or r.get("id")) for r in rows]


class PageActions(QObject):
    """A page's menu and toolbar, built from its kind's declared actions.

    An action with a ``run`` goes row by row through :meth:`each`; one without is a
    dialog, which a subclass provides as ``ask_<key>(rows)`` (a row action) or
    ``on_<key>()`` (a page action such as Create…).
    """

    def __init__(self, window, page):
        super().__init__(page)
        self.window = window
        self.page = page
        self.kind = page.kind
        page.menu_provider = self.menu_actions
        for spec in self.kind.actions:
            if spec.page:
                page.add_page_action(self.action(spec.label, getattr(self, f"on_{spec.key}"),
                                                 icon_name=spec.icon))

    @property
    def session(self):
        return self.window.session

    def action(self, text: str, slot, *, enabled=True, why: str = "", icon_name=None) -> QAction:
        a = QAction(icon(icon_name) if icon_name else QAction().icon(), text, self.page)
        a.setEnabled(enabled)
        if why:
            a.setToolTip(why)
            a.setStatusTip(why)
            if not enabled:
                a.setText(f"{text}  ({why})")
        a.triggered.connect(lambda _=False: slot())
        return a

    def menu_actions(self, page, rows):
        """The declared row actions that apply to ``rows``, disabled with the reason."""
        out = []
        for spec in self.kind.actions:
            if spec.page or not spec.when(rows):
                continue
            if spec.separator_before and out:
                out.append(None)
            why = spec.why_not(rows, self.kind.noun(1))
            out.append(self.action(spec.label, lambda k=spec.key, r=list(rows):
                                   self.spawn(self.perform(k, r)),
                                   enabled=not why, why=why, icon_name=spec.icon))
        return out

    async def perform(self, key: str, rows: list[dict]) -> None:
        """Run the declared action ``key`` on ``rows``: confirm first where it says so."""
        spec = next(a for a in self.kind.actions if a.key == key)
        if spec.run is None:
            await getattr(self, f"ask_{key}")(rows)
            return
        verb = spec.label.rstrip("…")
        asks = spec.confirm == "always" or (spec.confirm == "several" and len(rows) > 1)
        if asks and not await self.confirm(verb, rows, spec.consequence):
            return
        label = f"{verb} {self.kind.noun(1)}" if spec.confirm else verb
        await self.each(label, rows, spec.run)

    async def delete(self, rows: list[dict]) -> None:
        await self.perform("delete", rows)

    def spawn(self, coro):
        return self.window._spawn(coro)

    def changed(self) -> None:
        """Something was created, edited or deleted: reload the page, and the names
        other pages show for ids (an image's name in the Servers table, a network's in
        the Subnets table) when this page's resources are among them."""
        self.page.refresh()
        session = self.session
        if session is not None and self.kind.named_elsewhere:
            self.spawn(session.load_lookups())

    async def call(self, fn, *args, **kwargs):
        """Run on the cloud's worker; an OsdeskError is shown and re-raised."""
        session = self.session
        if session is None:
            raise Stale()
        return await session.call(fn, *args, **kwargs)

    async def attempt(self, title: str, fn, *args, **kwargs):
        """``fn(*args)`` on the worker; when it fails, a box titled ``title`` says why and
        the result is :data:`FAILED` (also when the user moved to another cloud)."""
        try:
            return await self.call(fn, *args, **kwargs)
        except Stale:
            return FAILED
        except OsdeskError as exc:
            await self.warn(title, exc)
            return FAILED

    async def ask_server(self, title: str, label: str, statuses=None,
                         none: str = "There is no server.") -> dict | None:
        """One of the project's servers (in one of ``statuses``, when given), picked by name
        and status; None when there is none (``none`` says so) or the user cancelled."""
        servers = await self.attempt(title, self.session.cloud.compute.list_servers)
        if servers is FAILED:
            return None
        servers = [s for s in servers if statuses is None or s.get("status") in statuses]
        if not servers:
            await dialogs.inform(self.page, title, none)
            return None
        labels = [f"{s.get('name') or s['id']}  ({s.get('status')})" for s in servers]
        picked = await dialogs.ask_item(self.page, title, label, labels)
        return None if picked is None else servers[labels.index(picked)]

    async def transfer(self, work):
        """Run ``work(cloud)`` beside the cloud's worker (an upload or download), so the
        pages of the same cloud keep loading meanwhile."""
        session = self.session
        if session is None:
            raise Stale()
        return await session.transfer(work)

    async def each(self, label: str, rows: list[dict], run) -> None:
        """Run ``run(cloud, row)`` per row on the worker; report per-row success or failure."""
        failures = []
        for row in rows:
            session = self.session
            if session is None:
                return
            try:
                await self.call(run, session.cloud, row)
            except Stale:
                return
            except OsdeskError as exc:
                failures.append((row, str(exc)))
        done = len(rows) - len(failures)
        self.window.statusBar().showMessage(f"{label}: {done} of {len(rows)} done", 15000)
        if failures:
            key = self.kind.row_key
            items = "".join(f"<li><b>{html.escape(str(r.get('name') or r.get(key)))}</b>: "
                            f"{html.escape(msg, quote=False)}</li>" for r, msg in failures)
            self.changed()
            await dialogs.warn(self.page, label, f"<ul>{items}</ul>")
            return
        self.changed()

    async def confirm(self, verb: str, rows: list[dict], consequence: str = "") -> bool:
        """"Delete 3 images" / Cancel, Cancel the default; the rows' names listed."""
        noun = self.kind.noun(len(rows))
        return await dialogs.confirm(self.page, f"{verb} {noun}", verb, f"{len(rows)} {noun}",
                                     _names(rows), consequence)

    async def warn(self, title: str, exc) -> None:
        await dialogs.warn(self.page, title, html.escape(str(exc), quote=False))
