"""Context-menu and toolbar actions of the image, key pair, network and subnet pages."""

from __future__ import annotations

import html
import ipaddress

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout,
                               QLabel, QLineEdit, QPlainTextEdit, QComboBox, QVBoxLayout,
                               QWidget)

from osdesk.api import OsdeskError
from osdesk.api.errors import Cancelled
from osdesk.api.image import patch_ops
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.icons import icon


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


#: OpenSSH public key types nova accepts.
KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "ssh-dss")


def public_key_problem(text: str) -> str:
    """Why ``text`` is not an OpenSSH public key line, or ""."""
    import base64
    import binascii
    parts = text.strip().split()
    if not parts:
        return "Paste a public key or load it from a file."
    if "PRIVATE KEY" in text:
        return "This is a private key: never send it anywhere. Use the .pub file."
    if parts[0] not in KEY_TYPES or len(parts) < 2:
        return f"Not an OpenSSH public key: it must start with one of {', '.join(KEY_TYPES[:3])}…"
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return "The key data is not valid base64."
    if len(blob) < 4 or blob[4:4 + int.from_bytes(blob[:4], "big")].decode("ascii", "replace") != parts[0]:
        return "The key data does not match its type."
    return ""


class ImportKeyDialog(QDialog):
    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Import public key")
        self.setMinimumWidth(560)
        self.name_edit = QLineEdit()
        self.key_edit = QPlainTextEdit()
        self.key_edit.setPlaceholderText("ssh-ed25519 AAAA… you@host")
        load = QDialogButtonBox()
        self.load_button = load.addButton("Load .pub file…", QDialogButtonBox.ButtonRole.ActionRole)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d9534f;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Import", QDialogButtonBox.ButtonRole.AcceptRole)
        form = QFormLayout(self)
        form.addRow("Name", self.name_edit)
        form.addRow("Public key", self.key_edit)
        form.addRow("", load)
        form.addRow(self.problem)
        form.addRow(self.buttons)
        self.load_button.clicked.connect(self.on_load_clicked)
        self.name_edit.textChanged.connect(self.validate)
        self.key_edit.textChanged.connect(self.validate)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.validate()

    def public_key(self) -> str:
        return self.key_edit.toPlainText().strip()

    def validate(self) -> str:
        why = "" if self.name_edit.text().strip() else "The key pair needs a name."
        why = why or public_key_problem(self.public_key())
        self.problem.setText(why)
        self.ok.setEnabled(not why)
        return why

    def on_load_clicked(self) -> None:
        import os
        path, _ = QFileDialog.getOpenFileName(self, "Public key", os.path.expanduser("~/.ssh"),
                                              "Public keys (*.pub);;All files (*)")
        if not path:
            return
        try:
            with open(path, "rb") as f:
                text = f.read(64 * 1024).decode("utf-8", "replace")
        except OSError as exc:
            self.problem.setText(f"Could not read {path}: {exc}")
            return
        self.key_edit.setPlainText(text.strip())
        if not self.name_edit.text():
            self.name_edit.setText(os.path.basename(path).removesuffix(".pub"))


# --------------------------------------------------------------------- networks
def cidr_problem(cidr: str, ip_version: int) -> str:
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=True)
    except ValueError as exc:
        return f"{cidr!r} is not a network in CIDR form ({exc})."
    if net.version != ip_version:
        return f"{cidr} is an IPv{net.version} range, but IPv{ip_version} is selected."
    return ""


class NetworkDialog(QDialog):
    """A network and, optionally, its first subnet."""

    def __init__(self, parent: QWidget | None = None, *, network_name: str | None = None):
        super().__init__(parent)
        self.subnet_only = network_name is not None
        self.setWindowTitle(f"Create subnet on {network_name}" if self.subnet_only
                            else "Create network")
        self.setMinimumWidth(520)
        self.name_edit = QLineEdit()
        self.with_subnet = QCheckBox("Create a first subnet")
        self.with_subnet.setChecked(True)
        self.subnet_name = QLineEdit()
        self.cidr_edit = QLineEdit()
        self.cidr_edit.setPlaceholderText("10.10.0.0/24 or fd00:10::/64")
        self.version_combo = QComboBox()
        self.version_combo.addItems(["IPv4", "IPv6"])
        self.gateway_edit = QLineEdit()
        self.gateway_edit.setPlaceholderText("default (first address); 'none' for no gateway")
        self.dhcp_box = QCheckBox("DHCP")
        self.dhcp_box.setChecked(True)
        self.dns_edit = QLineEdit()
        self.dns_edit.setPlaceholderText("comma-separated, e.g. 1.1.1.1, 9.9.9.9")
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d9534f;")
        form = QFormLayout()
        if not self.subnet_only:
            form.addRow("Network name", self.name_edit)
            form.addRow("", self.with_subnet)
        form.addRow("Subnet name", self.subnet_name)
        form.addRow("CIDR", self.cidr_edit)
        form.addRow("IP version", self.version_combo)
        form.addRow("Gateway", self.gateway_edit)
        form.addRow("", self.dhcp_box)
        form.addRow("DNS servers", self.dns_edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.addButton("Create", QDialogButtonBox.ButtonRole.AcceptRole)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        for w in (self.name_edit, self.cidr_edit, self.gateway_edit, self.dns_edit,
                  self.subnet_name):
            w.textChanged.connect(self.validate)
        self.version_combo.currentIndexChanged.connect(self.validate)
        self.with_subnet.toggled.connect(self.validate)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.validate()

    def wants_subnet(self) -> bool:
        return self.subnet_only or self.with_subnet.isChecked()

    def problems(self) -> list[str]:
        out = []
        if not self.subnet_only and not self.name_edit.text().strip():
            out.append("The network needs a name.")
        if len(self.name_edit.text()) > 255 or len(self.subnet_name.text()) > 255:
            out.append("Names are at most 255 characters.")
        if self.wants_subnet():
            version = 4 if self.version_combo.currentIndex() == 0 else 6
            why = cidr_problem(self.cidr_edit.text(), version)
            if why:
                out.append(why)
            else:
                net = ipaddress.ip_network(self.cidr_edit.text().strip())
                gw = self.gateway_edit.text().strip()
                if gw and gw.lower() != "none":
                    try:
                        if ipaddress.ip_address(gw) not in net:
                            out.append(f"Gateway {gw} is not inside {net}.")
                    except ValueError:
                        out.append(f"Gateway {gw!r} is not an IP address.")
            for server in self.dns_servers():
                try:
                    ipaddress.ip_address(server)
                except ValueError:
                    out.append(f"DNS server {server!r} is not an IP address.")
        return out

    def dns_servers(self) -> list[str]:
        return [s.strip() for s in self.dns_edit.text().replace(";", ",").split(",") if s.strip()]

    def validate(self) -> None:
        for w in (self.subnet_name, self.cidr_edit, self.version_combo, self.gateway_edit,
                  self.dhcp_box, self.dns_edit):
            w.setEnabled(self.wants_subnet())
        found = self.problems()
        self.problem.setText(" ".join(found))
        self.ok.setEnabled(not found)

    def subnet_args(self) -> dict:
        gw = self.gateway_edit.text().strip()
        return {"cidr": self.cidr_edit.text().strip(), "name": self.subnet_name.text().strip(),
                "ip_version": 4 if self.version_combo.currentIndex() == 0 else 6,
                "gateway_ip": None if gw.lower() == "none" else (gw or True),
                "enable_dhcp": self.dhcp_box.isChecked(),
                "dns_nameservers": self.dns_servers() or None}


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
