"""The dialog-backed actions of the image, key pair and network pages (their dialogs:
image_dialogs.py, keypair_views.py, network_dialogs.py); the rest is declared by the kinds."""

from __future__ import annotations

import time

from osdesk.api import OsdeskError
from osdesk.api.errors import Cancelled
from osdesk.api.image import patch_ops
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.keypair_views import ImportKeyDialog
from osdesk.views.network_dialogs import NetworkDialog
from osdesk.views.page_actions import FAILED, PageActions
from osdesk.views.server_flows import remember_key_file


# ----------------------------------------------------------------------- images
class ImageActions(PageActions):
    """Images: the create, edit and download dialogs (the rest: kinds/images.py)."""

    async def ask_edit(self, rows):
        image = rows[0]
        from osdesk.views.image_dialogs import EditImageDialog
        changes = await dialogs.accepted(EditImageDialog(image, self.page),
                                         EditImageDialog.changes)
        if not changes:
            return
        old = {k: image.get(k) for k in changes}
        if await self.attempt("Edit image", self.session.cloud.image.update, image["id"],
                              patch_ops(old, changes)) is not FAILED:
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
        values = await dialogs.accepted(CreateImageDialog(self.page))
        if values is not None:
            await self.create(values)

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
        started = time.monotonic()
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
            self.window.notifier.operation_finished("Image", name, "upload failed", started)
            await self.warn("Create image", exc)
        else:
            self.window.notifier.operation_finished(
                "Image", name, f"uploaded: {image.get('status')}", started)
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
        keypair = await self.attempt("Create key pair", self.session.cloud.compute.create_keypair,
                                     name)
        if keypair is FAILED:
            return
        self.changed()  # the new key pair shows while the user picks where to save its key
        path = await save_private_key(self.page, keypair)
        remember_key_file(self.window, keypair["name"], path)
        if path:
            self.window.statusBar().showMessage(f"Private key saved to {path} (mode 0600)", 15000)

    def on_import(self):
        self.spawn(self.ask_import())

    async def ask_import(self):
        picked = await dialogs.accepted(
            ImportKeyDialog(self.page), lambda d: (d.name_edit.text().strip(), d.public_key()))
        if picked is not None:
            await self.do_import(*picked)

    async def do_import(self, name: str, public_key: str):
        if await self.attempt("Import key pair", self.session.cloud.compute.import_keypair,
                              name, public_key) is not FAILED:
            self.changed()


# --------------------------------------------------------------------- networks
class NetworkActions(PageActions):
    """Networks: the create-network and create-subnet dialogs."""

    def on_create(self):
        self.spawn(self.ask_create())

    async def ask_create(self):
        picked = await dialogs.accepted(NetworkDialog(self.page), lambda d: (
            d.name_edit.text().strip(), d.subnet_args() if d.wants_subnet() else None))
        if picked is not None:
            await self.create(*picked)

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
            self._refresh_subnets()
            await self.warn("Create network", exc)
            return
        self.changed()
        self._refresh_subnets()

    def _refresh_subnets(self) -> None:
        subnets = self.window.pages.peek("subnets")  # not made: it loads when first shown
        if subnets is not None:
            subnets.refresh()

    async def ask_create_subnet(self, rows: list[dict]):
        network = rows[0]
        subnet = await dialogs.accepted(
            NetworkDialog(self.page, network_name=network.get("name") or network["id"]),
            NetworkDialog.subnet_args)
        if subnet is not None:
            await self.create_subnet(network, subnet)

    async def create_subnet(self, network: dict, subnet: dict):
        if await self.attempt("Create subnet", self.session.cloud.network.create_subnet,
                              network["id"], **subnet) is FAILED:
            return
        self.changed()
        self._refresh_subnets()
