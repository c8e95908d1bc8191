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


#: Pages whose names other tables show in place of ids (``CloudSession.load_lookups``).
NAMED_KINDS = {"images", "networks", "subnets"}


def _names(rows: list[dict], key: str = "name") -> list[str]:
    return [str(r.get(key) or r.get("id")) for r in rows]


class PageActions(QObject):
    """Shared plumbing: the window's session, running calls, reporting results."""

    def __init__(self, window, page):
        super().__init__(page)
        self.window = window
        self.page = page
        page.menu_provider = self.menu_actions

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

    def spawn(self, coro):
        return self.window._spawn(coro)

    def changed(self) -> None:
        """Something was created, edited or deleted: reload the page, and the names
        other pages show for ids (an image's name in the Servers table, a network's in
        the Subnets table) when this page's resources are among them."""
        self.page.refresh()
        session = self.session
        if session is not None and self.page.feed.kind.key in NAMED_KINDS:
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

    async def each(self, label: str, rows: list[dict], fn, key: str = "id") -> None:
        """Run ``fn(row[key])`` per row; report per-row success or failure."""
        failures = []
        for row in rows:
            try:
                await self.call(fn, row[key])
            except Stale:
                return
            except OsdeskError as exc:
                failures.append((row, str(exc)))
        done = len(rows) - len(failures)
        self.window.statusBar().showMessage(f"{label}: {done} of {len(rows)} done", 15000)
        if failures:
            items = "".join(f"<li><b>{html.escape(str(r.get('name') or r.get(key)))}</b>: "
                            f"{html.escape(msg, quote=False)}</li>" for r, msg in failures)
            self.changed()
            await dialogs.warn(self.page, label, f"<ul>{items}</ul>")
            return
        self.changed()

    async def confirm_delete(self, rows: list[dict], consequence: str = "",
                             key: str = "name") -> bool:
        """"Delete 3 images" / Cancel, Cancel the default; the rows' names listed."""
        kind = self.page.kind
        return await dialogs.confirm(self.page, f"Delete {kind.noun(len(rows))}", "Delete",
                                     f"{len(rows)} {kind.noun(len(rows))}", _names(rows, key),
                                     consequence)

    async def warn(self, title: str, exc) -> None:
        await dialogs.warn(self.page, title, html.escape(str(exc), quote=False))

    def menu_actions(self, page, rows):  # pragma: no cover - overridden
        return []


# ----------------------------------------------------------------------- images
class ImageActions(PageActions):
    def __init__(self, window, page):
        super().__init__(window, page)
        self.create_action = self.action("Create image…", self.on_create, icon_name="add")
        page.add_page_action(self.create_action)

    def menu_actions(self, page, rows):
        one = len(rows) == 1
        image = rows[0]
        status = image.get("status")
        out = []
        if one and status == "deactivated":
            out.append(self.action("Reactivate", lambda: self.spawn(
                self.each("Reactivate", rows, self.session.cloud.image.reactivate))))
        else:
            ok = all(r.get("status") == "active" for r in rows)
            out.append(self.action("Deactivate", lambda: self.spawn(
                self.each("Deactivate", rows, self.session.cloud.image.deactivate)),
                enabled=ok, why="" if ok else f"needs active, image is {status}"))
        out.append(self.action("Edit…", lambda: self.spawn(self.edit(image)), enabled=one,
                               why="" if one else "one image at a time"))
        can_download = one and status == "active"
        out.append(self.action("Download…", lambda: self.spawn(self.download(image)),
                               enabled=can_download,
                               why="" if can_download else f"needs active, image is {status}"))
        out.append(None)
        protected = [r for r in rows if r.get("protected")]
        out.append(self.action("Delete…", lambda: self.spawn(self.delete(rows)),
                               enabled=not protected, icon_name="delete",
                               why=("protected: unprotect it first (Edit…)" if protected else "")))
        return out

    async def delete(self, rows):
        if await self.confirm_delete(rows, "Servers booted from them keep running; "
                                           "the image data is gone for good."):
            await self.each("Delete image", rows, self.session.cloud.image.delete_image)

    async def edit(self, image):
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

    async def download(self, image):
        import os
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
    def __init__(self, window, page):
        super().__init__(window, page)
        page.add_page_action(self.action("Create key pair…", self.on_create, icon_name="add"))
        page.add_page_action(self.action("Import public key…", self.on_import,
                                         icon_name="import"))

    def menu_actions(self, page, rows):
        return [self.action("Delete…", lambda: self.spawn(self.delete(rows)), icon_name="delete")]

    async def delete(self, rows):
        if await self.confirm_delete(rows, "Servers that use them keep their keys; new "
                                           "servers cannot."):
            await self.each("Delete key pair", rows, self.session.cloud.compute.delete_keypair,
                            key="name")

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
    def __init__(self, window, page):
        super().__init__(window, page)
        page.add_page_action(self.action("Create network…", self.on_create, icon_name="add"))

    def menu_actions(self, page, rows):
        one = len(rows) == 1
        return [self.action("Create subnet…", lambda: self.on_create_subnet(rows[0]),
                            enabled=one, why="" if one else "one network at a time"),
                None,
                self.action("Delete…", lambda: self.spawn(self.delete(rows)), icon_name="delete")]

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

    def on_create_subnet(self, network: dict):
        self.spawn(self.ask_create_subnet(network))

    async def ask_create_subnet(self, network: dict):
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

    async def delete(self, rows):
        if await self.confirm_delete(rows, "Their subnets are deleted with them."):
            await self.each("Delete network", rows, self.session.cloud.network.delete_network)


class SubnetActions(PageActions):
    def menu_actions(self, page, rows):
        return [self.action("Delete…", lambda: self.spawn(self.delete(rows)), icon_name="delete")]

    async def delete(self, rows):
        if await self.confirm_delete(rows):
            await self.each("Delete subnet", rows, self.session.cloud.network.delete_subnet)
