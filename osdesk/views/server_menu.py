"""The server page's actions: a context menu enabled by state, and their dialogs."""

from __future__ import annotations

import asyncio
import html
import time

from PySide6.QtCore import QObject, QUrl
from PySide6.QtGui import QAction, QDesktopServices, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from osdesk.api import NotFound, OsdeskError
from osdesk.runtime.runner import Stale
from osdesk.rules.server_actions import (ACTION_BY_KEY, availability, availability_for_many,
                                   confirm_verb, needs_confirmation)
from osdesk.runtime.server_ops import follow, run_on_servers, summarize
from osdesk.views import dialogs
from osdesk.views.notifier import server_outcome
from osdesk.views.server_dialogs import (ConsoleLogViewer, MetadataDialog, ResizeDialog,
                                        ResultsDialog)


#: the submenus of the server menu, by the first part of an action's group
SUBMENUS = {"power": "Power", "lifecycle": "Lifecycle", "network": "Network",
            "storage": "Storage", "console": "Console"}


def short_reason(why: str, limit: int = 40) -> str:
    """The first reason an action is refused, cut at a word within ``limit`` characters
    ("…" says there is more: the action's tooltip has all of it)."""
    reasons = why.split("; ")
    first = reasons[0]
    if len(first) > limit:
        first = first[:limit].rsplit(" ", 1)[0].rstrip(",;:")
        return first + " …"
    return first + (" …" if len(reasons) > 1 else "")


def reasons_tip(why: str) -> str:
    """Every reason, one a line, as a tooltip that wraps (rich text); one short reason
    as it is."""
    reasons = why.split("; ")
    if len(reasons) == 1 and len(why) <= 80:
        return why
    return "<p style='white-space: normal'>" + "<br>".join(
        html.escape(r) for r in reasons) + "</p>"


def menu_order(actions) -> list:
    """The declared actions' keys in order, None (a separator) between groups."""
    out, group = [], None
    for spec in actions:
        if out and spec.group != group:
            out.append(None)
        out.append(spec.key)
        group = spec.group
    return out


class ServerActions(QObject):
    """Builds the servers' context menu and runs what the user picks."""

    def __init__(self, window, page):
        super().__init__(page)
        self.window = window
        self.page = page
        self._follows: dict[str, asyncio.Task] = {}
        page.menu_provider = self.menu_actions
        #: server id -> (title, password) Nova gave once; memory only (show_once)
        self.passwords: dict[str, tuple[str, str]] = {}
        page.detail_extras = self.password_sections
        self._flows = None

    @property
    def flows(self):
        """The dialog flows (connect, volumes, groups…), made when first run: their module
        loads after the first rows, not before."""
        if self._flows is None:
            from osdesk.views.server_flows import ServerFlows
            self._flows = ServerFlows(self)
        return self._flows

    @property
    def session(self):
        return self.window.session

    def is_admin(self) -> bool:
        return bool(self.session and self.session.info.get("is_admin"))

    # ------------------------------------------------------------------ menu
    def menu_actions(self, page, rows: list[dict]) -> list:
        out = []
        for key in menu_order(page.kind.actions):
            if key is None:
                out.append(None)
                continue
            spec = ACTION_BY_KEY[key]
            action = QAction(spec.label, page)
            many_ok = len(rows) == 1 or not spec.single
            enabled, why = availability_for_many(rows, spec, is_admin=self.is_admin())
            if not many_ok:
                enabled, why = False, "works on one server at a time"
            action.setEnabled(enabled)
            if why:
                action.setToolTip(reasons_tip(why))
                action.setStatusTip(f"{spec.label.rstrip('…')}: {why}")
                if not enabled:
                    action.setText(f"{spec.label}  ({short_reason(why)})")
            action.triggered.connect(lambda _=False, k=key, r=list(rows): self.trigger(k, r))
            submenu = SUBMENUS.get(spec.group.split(":")[0])
            if submenu:
                action.setProperty("submenu", submenu)
            out.append(action)
        return out

    def trigger(self, key: str, rows: list[dict]) -> None:
        self.window._spawn(self.perform(key, rows))

    # --------------------------------------------------------------- perform
    async def perform(self, key: str, rows: list[dict]) -> None:
        session = self.session
        if session is None:
            return
        spec = ACTION_BY_KEY[key]
        if spec.flow:
            await self.flows.run(key, rows[0])
            return
        args = await self.ask_inputs(key, rows)
        if args is None:
            return
        if not await self.confirmed(key, rows):
            return
        if key == "console_log":
            self.show_console_log(rows[0])
            return
        status = self.window.statusBar()
        status.showMessage(f"{spec.label.rstrip('…')}: sending to {len(rows)} server(s)…")
        try:
            outcomes = await run_on_servers(session, key, rows, is_admin=self.is_admin(), **args)
        except Stale:
            return
        text, failed = summarize(spec.label, outcomes)
        status.showMessage(text, 20000)
        for o in outcomes:
            if not o.ok:
                continue
            if key not in ("console_url", "console_log"):
                await self.refresh_row(o.server["id"])
            self.follow(o.server["id"])
        if len(outcomes) > 1:  # per server, in a window that stays until closed
            results = ResultsDialog(f"{spec.label.rstrip('…')}: {len(outcomes)} servers",
                                    outcomes, self.page)
            dialogs.fit_title(results)
            results.show()
            self.last_results = results
        elif failed:
            await dialogs.warn(self.page, spec.label.rstrip("…"), html.escape(outcomes[0].error, quote=False))
        for o in outcomes:
            if not o.ok:
                continue
            if key == "console_url":
                await self.show_console_url(o.server, o.result or {})
            elif key == "rescue" and isinstance(o.result, dict) and o.result.get("adminPass"):
                await self.show_once("Rescue password", o.server, o.result["adminPass"])

    async def confirmed(self, key: str, rows: list[dict]) -> bool:
        """Destructive actions ask first, naming the verb, the count and the servers."""
        spec = ACTION_BY_KEY[key]
        affected = [r for r in rows if availability(r, spec, is_admin=self.is_admin())[0]]
        if not affected or not needs_confirmation(spec, len(rows)):
            return True
        noun = "server" if len(affected) == 1 else "servers"
        verb = confirm_verb(spec)
        return await dialogs.confirm(self.page, f"{verb} {noun}", verb,
                                     f"{len(affected)} {noun}",
                                     [r.get("name") or r["id"] for r in affected],
                                     spec.consequence)

    async def refresh_row(self, server_id: str) -> None:
        """Show the server's new state (task, status) right after the action."""
        session = self.session
        if session is None:
            return
        try:
            self.page.model.upsert(await session.call(session.cloud.compute.get_server,
                                                      server_id))
        except NotFound:
            self.page.model.remove_key(server_id)
        except (Stale, OsdeskError):
            pass  # the follower below keeps trying

    def follow(self, server_id: str) -> None:
        """Poll the row quickly until the server settles (one follower per server)."""
        old = self._follows.get(server_id)
        if old is not None and not old.done():
            old.cancel()
        session = self.session
        started = time.monotonic()
        name = (self.page.model.raw(server_id) or {}).get("name") or server_id

        async def run():
            try:
                server = await follow(session, self.page.model, server_id)
            except (Stale, asyncio.CancelledError):
                return
            self.window.notifier.operation_finished(
                "Server", (server or {}).get("name") or name, server_outcome(server), started)
            if server is not None and server.get("status") == "ERROR":
                fault = server.get("fault") or {}
                self.window.statusBar().showMessage(
                    f"{server.get('name')} went to ERROR: "
                    f"{fault.get('message') or 'nova gave no reason'}", 30000)
        self._follows[server_id] = self.window._spawn(run())

    # ---------------------------------------------------------------- inputs
    async def ask_inputs(self, key: str, rows: list[dict]) -> dict | None:
        """What the action needs besides the servers; None when the user cancelled."""
        if key == "rename":
            name = await dialogs.ask_text(self.page, "Rename server", "New name:",
                                          rows[0].get("name", ""))
            return {"name": name} if name else None
        if key == "console_url":
            protocol = await dialogs.ask_item(self.page, "Open console", "Console type:",
                                              ["vnc", "spice", "serial"])
            return {"protocol": protocol} if protocol else None
        if key == "edit_metadata":
            metadata = await dialogs.accepted(MetadataDialog(rows[0], self.page),
                                              MetadataDialog.metadata)
            return None if metadata is None else {"metadata": metadata}
        if key == "create_image":
            name = await dialogs.ask_text(self.page, "Create snapshot", "Image name:",
                                          f"{rows[0].get('name', 'server')}-snapshot")
            return {"name": name} if name else None
        if key == "resize":
            return await self.ask_flavor(rows[0])
        if key == "rebuild":
            return await self._pick("Rebuild server", "Rebuild from image:", "images", rows[0],
                                    arg="image_id")
        return {}

    async def ask_flavor(self, server: dict) -> dict | None:
        """The resize dialog: every flavor with its size, the current one marked, those
        too small for the server's image refused."""
        session = self.session

        def fetch(cloud):
            image_ref = server.get("image")
            image = None
            if isinstance(image_ref, dict) and image_ref.get("id"):
                try:
                    image = cloud.image.get_image(image_ref["id"])
                except OsdeskError:
                    image = None
            return cloud.compute.list_flavors(), image
        try:
            flavors, image = await session.call(fetch, session.cloud)
        except Stale:
            return None
        except OsdeskError as exc:
            await dialogs.warn(self.page, "Resize server", html.escape(str(exc), quote=False))
            return None
        flavor_id = await dialogs.accepted(ResizeDialog(server, flavors, image, self.page),
                                           ResizeDialog.flavor_id)
        return {"flavor_id": flavor_id} if flavor_id else None

    async def _pick(self, title, label, what, server, exclude=None, arg="id") -> dict | None:
        lookups = self.session.lookups if self.session else None
        names = dict(getattr(lookups, "flavor_names" if what == "flavors" else "image_names", {}))
        items = sorted(((n, i) for i, n in names.items() if i != exclude), key=lambda x: x[0])
        if not items:
            await dialogs.inform(self.page, title, f"No {what} are known yet; refresh first.")
            return None
        text = await dialogs.ask_item(self.page, title, label, [n for n, _ in items])
        if text is None:
            return None
        return {arg: dict(items)[text]}

    # --------------------------------------------------------------- outputs
    async def show_once(self, title: str, server: dict, secret: str) -> None:
        """A password Nova gives once (launch, rescue): in the server's detail pane with a
        copy link, kept in memory only while osdesk runs — no box to click away after
        every launch. Without the server's id (a multi-launch) it is shown in a box."""
        if not server.get("id"):
            await dialogs.message(
                self.page, title,
                f"The password for <b>{html.escape(server.get('name', ''))}</b> is shown this "
                f"once and is not stored:<br><br><tt>{html.escape(secret)}</tt>",
                icon=dialogs.Icon.Information)
            return
        self.passwords[server["id"]] = (title, secret)
        self.window.statusBar().showMessage(
            f"{title} of {server.get('name') or server['id']}: in its details — copy it now; "
            f"osdesk keeps it only until it quits.", 30000)
        self.page.select_key(server["id"])
        self.page.refresh_detail()

    def password_sections(self, raw: dict) -> list:
        found = self.passwords.get(raw.get("id"))
        if not found:
            return []
        title, secret = found
        return [(title, [("Password", secret, True),
                         ("—", "kept in memory until osdesk quits; never saved", False)])]

    async def show_console_url(self, server: dict, console: dict) -> None:
        url = console.get("url", "")
        Role = QMessageBox.ButtonRole
        picked = await dialogs.choose(
            self.page, "Console",
            f"Console of <b>{html.escape(server.get('name', ''))}</b> "
            f"({html.escape(console.get('protocol', ''))} / "
            f"{html.escape(console.get('type', ''))}):<br><tt>{html.escape(url)}</tt>",
            [("Open in browser", Role.AcceptRole), ("Copy URL", Role.ActionRole),
             ("Close", Role.RejectRole)], default=0, icon=dialogs.Icon.Information)
        if picked == 0:
            QDesktopServices.openUrl(QUrl(url))
        elif picked == 1:
            QGuiApplication.clipboard().setText(url)
            self.window.statusBar().showMessage("Console URL copied.", 5000)

    def show_console_log(self, server: dict) -> None:
        viewer = ConsoleLogViewer(self.window, server, self.page)
        dialogs.fit_title(viewer)
        viewer.show()
        viewer.reload()
