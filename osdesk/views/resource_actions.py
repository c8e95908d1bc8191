"""Context-menu and toolbar actions of the image, key pair, network and subnet pages
(their dialogs: image_dialogs.py, keypair_views.py, network_dialogs.py)."""

from __future__ import annotations

import html

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog

from osdesk.api import OsdeskError
from osdesk.api.errors import Cancelled
from osdesk.api.image import patch_ops
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.icons import icon
from osdesk.views.keypair_views import ImportKeyDialog
from osdesk.views.network_dialogs import NetworkDialog


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


# ----------------------------------------------------------------------- images
class ImageActions(PageActions):
    """Images: the create, edit and download dialogs (the rest: kinds/images.py)."""

    async def ask_edit(self, rows):
        image = rows[0]
        from osdesk.views.image_dialogs import EditImageDialog
        dialog = EditImageDialog(image, self.page)
        if await dialogs.shown(dialog) != QDialog.DialogCode.Accepted.value:
            return
        changes = dialog.changes()
        if not changes:
            return
        old = {k: image.get(k) for k in changes}
        try:
            await self.call(self.session.cloud.image.update, image["id"], patch_ops(old, changes))
        except Stale:
            return
        except OsdeskError as exc:
            await self.warn("Edit image", exc)
            return
        self.changed()

    async def ask_download(self, rows):
        import os
        image = rows[0]
        path = await dialogs.ask_path(
            self.page, "Save image data", save=True,
            start=os.path.join(os.path.expanduser("~"), f"{image.get('name') or image['id']}."
                               f"{image.get('disk_format') or 'img'}"))
        if not path:
            return
        dialog = self.window.transfers.open(
            f"Downloading {image.get('name') or image['id']}", self.page)
        try:
            await self.transfer(lambda cloud: cloud.image.download(
                image["id"], path, progress=dialog.progress, cancel=dialog.cancel_event))
        except Stale:
            pass
        except Cancelled:
            self.window.statusBar().showMessage("Download cancelled; nothing was kept.", 10000)
        except OsdeskError as exc:
            dialog.done(0)
            await self.warn("Download image", exc)
        else:
            self.window.statusBar().showMessage(f"Saved {path}", 10000)
        finally:
            dialog.done(0)

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        from osdesk.views.image_dialogs import CreateImageDialog
        dialog = CreateImageDialog(self.page)
        if await dialogs.shown(dialog) == QDialog.DialogCode.Accepted.value:
            await self.create(dialog.values())

    async def create(self, values: dict):
        values = dict(values)
        path = values.pop("path")
        name = values.pop("name")
        session = self.session
        if session is None:
            return
        # named in the result: the user may have moved to another project meanwhile
        where = f"{session.profile.name} / {session.info.get('project_name') or '?'}"
        dialog = self.window.transfers.open(f"Uploading {name}", self.page)
        try:
            image = await self.transfer(lambda cloud: cloud.image.create_and_upload(
                name, path, progress=dialog.progress, cancel=dialog.cancel_event, **values))
        except Stale:
            return
        except Cancelled:
            self.window.statusBar().showMessage(
                f"Upload of {name} cancelled; the half-made image was deleted.", 15000)
        except OsdeskError as exc:
            dialog.done(0)
            self.changed()
            await self.warn("Create image", exc)
        else:
            self.window.statusBar().showMessage(
                f"Image {name} in {where} is {image.get('status')} "
                f"(checksum {image.get('checksum')})", 15000)
        finally:
            dialog.done(0)
            self.changed()


# -------------------------------------------------------------------- key pairs
class KeypairActions(PageActions):
    """Key pairs: create (and save the private key) and import dialogs."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        name = await dialogs.ask_text(self.page, "Create key pair", "Key pair name:")
        if name:
            await self.create(name)

    async def create(self, name: str):
        from osdesk.views.keypair_views import save_private_key
        try:
            keypair = await self.call(self.session.cloud.compute.create_keypair, name)
        except Stale:
            return
        except OsdeskError as exc:
            await self.warn("Create key pair", exc)
            return
        self.changed()  # the new key pair shows while the user picks where to save its key
        path = await save_private_key(self.page, keypair)
        if path:
            self.window.statusBar().showMessage(f"Private key saved to {path} (mode 0600)", 15000)

    def on_import(self):
        self.spawn(self.ask_import())

    async def ask_import(self):
        dialog = ImportKeyDialog(self.page)
        if await dialogs.shown(dialog) == QDialog.DialogCode.Accepted.value:
            await self.do_import(dialog.name_edit.text().strip(), dialog.public_key())

    async def do_import(self, name: str, public_key: str):
        try:
            await self.call(self.session.cloud.compute.import_keypair, name, public_key)
        except Stale:
            return
        except OsdeskError as exc:
            await self.warn("Import key pair", exc)
            return
        self.changed()


# --------------------------------------------------------------------- networks
class NetworkActions(PageActions):
    """Networks: the create-network and create-subnet dialogs."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        dialog = NetworkDialog(self.page)
        if await dialogs.shown(dialog) == QDialog.DialogCode.Accepted.value:
            await self.create(dialog.name_edit.text().strip(),
                              dialog.subnet_args() if dialog.wants_subnet() else None)

    async def create(self, name: str, subnet: dict | None):
        net_client = self.session.cloud.network
        try:
            network = await self.call(net_client.create_network, name)
            if subnet:
                await self.call(net_client.create_subnet, network["id"], **subnet)
        except Stale:
            return
        except OsdeskError as exc:
            self.changed()
            self.window.pages["subnets"].refresh()
            await self.warn("Create network", exc)
            return
        self.changed()
        self.window.pages["subnets"].refresh()

    async def ask_create_subnet(self, rows: list[dict]):
        network = rows[0]
        dialog = NetworkDialog(self.page, network_name=network.get("name") or network["id"])
        if await dialogs.shown(dialog) == QDialog.DialogCode.Accepted.value:
            await self.create_subnet(network, dialog.subnet_args())

    async def create_subnet(self, network: dict, subnet: dict):
        try:
            await self.call(self.session.cloud.network.create_subnet, network["id"], **subnet)
        except Stale:
            return
        except OsdeskError as exc:
            await self.warn("Create subnet", exc)
            return
        self.changed()
        self.window.pages["subnets"].refresh()


#: the pages whose declared actions include dialogs, and the class that has them;
#: a kind whose actions all ``run`` on their own gets a plain :class:`PageActions`
DIALOGS = {"images": ImageActions, "keypairs": KeypairActions, "networks": NetworkActions}


def actions_for(window, page) -> PageActions:
    return DIALOGS.get(page.kind.key, PageActions)(window, page)
