"""Launching a server from the window: the launch dialog, its choices loaded on the
cloud's worker, a new key pair from inside it, and the new row followed to ACTIVE."""

from __future__ import annotations

import base64

import shiboken6
from PySide6.QtCore import QObject, Qt

from osdesk.api import OsdeskError
from osdesk.rules.launch import block_device_mapping
from osdesk.runtime.runner import Stale
from osdesk.runtime.session import CloudSession
from osdesk.views import dialogs


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def still_open(dialog) -> bool:
    return shiboken6.isValid(dialog) and dialog.isVisible()


class LaunchFlow(QObject):
    """The Launch instance action of the window."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window

    def on_launch(self) -> None:
        session = self.window.session
        if session is None:
            return
        from osdesk.views.launch_dialog import LaunchDialog
        dialog = LaunchDialog(self.window, networks_optional=session.compute_supports("2.37"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.launchRequested.connect(lambda req: self.window._spawn(self.launch(session, req)))
        dialog.createKeypairRequested.connect(lambda: self.window._spawn(self.new_keypair(dialog)))
        dialogs.fit_title(dialog)
        dialog.open()
        self.window._spawn(self.fill(session, dialog))

    async def fill(self, session: CloudSession, dialog) -> None:
        project_id = session.info.get("project_id") or ""

        def fetch(cloud):
            net = cloud.has_service("network")
            limits = cloud.compute.limits()
            limits.update(volume_limits(cloud, project_id))
            return dict(
                images=cloud.image.list_images(filters={"status": "active"})
                + cloud.image.list_images(filters={"status": "deactivated"}),
                flavors=cloud.compute.list_flavors(),
                networks=cloud.network.list_networks() if net else [],
                keypairs=cloud.compute.list_keypairs(),
                security_groups=cloud.network.list_security_groups() if net else [],
                zones=[z for z in cloud.compute.availability_zones()
                       if (z.get("zoneState") or {}).get("available", True)],
                limits=limits)
        try:
            choices = await session.call(fetch, session.cloud)
        except Stale:
            return
        except OsdeskError as exc:
            if still_open(dialog):
                dialog.set_load_error(str(exc))
            return
        if still_open(dialog):  # not closed (and deleted) while the choices loaded
            dialog.set_choices(**choices)

    async def new_keypair(self, dialog) -> None:
        name = await dialogs.ask_text(dialog, "New key pair", "Key pair name:")
        if not name or self.window.session is None:
            return
        from osdesk.views.keypair_views import save_private_key
        session = self.window.session
        try:
            keypair = await session.call(session.cloud.compute.create_keypair, name)
        except Stale:
            return
        except OsdeskError as exc:
            await dialogs.warn(dialog, "New key pair", str(exc))
            return
        dialog.add_keypair(keypair["name"])
        from osdesk.views.server_flows import remember_key_file
        remember_key_file(self.window, keypair["name"], await save_private_key(dialog, keypair))

    async def launch(self, session: CloudSession, req) -> None:
        compute = session.cloud.compute
        page = self.window.pages["servers"]
        self.window.show_page("servers")
        self.window.statusBar().showMessage(f"Launching {req.name}…")
        try:
            body = await session.call(
                compute.create_server, req.name,
                None if req.boot_volume_gib else req.image["id"], req.flavor["id"],
                networks=req.networks, key_name=req.key_name,
                security_groups=req.security_groups or None,
                availability_zone=req.availability_zone,
                user_data=_b64(req.user_data) if req.user_data else None,
                metadata=req.metadata or None, min_count=req.count, max_count=req.count,
                block_device_mapping_v2=block_device_mapping(req))
        except Stale:
            return
        except OsdeskError as exc:
            self.window.statusBar().showMessage(f"Launch of {req.name} failed: {exc}", 20000)
            await dialogs.warn(self.window, "Launch instance", f"Nova refused the launch: {exc}")
            return
        server = body.get("server") or {}
        self.window.statusBar().showMessage(f"{req.name}: accepted, building…", 15000)
        if req.count > 1:
            page.refresh()
        elif server.get("id"):
            try:  # the row appears at once, in BUILD, then follows the server
                page.model.upsert(await session.call(compute.get_server, server["id"]))
                page.select_key(server["id"])
            except (Stale, OsdeskError):
                pass
            self.window.server_actions.follow(server["id"])
        if server.get("adminPass"):
            await self.window.server_actions.show_once(
                "Administrator password", {"name": req.name, "id": server.get("id")},
                server["adminPass"])


def volume_limits(cloud, project_id: str) -> dict:
    """Cinder's volume and GiB usage under its absolute-limit names, for the quota effect of
    booting from a new volume; {} where there is no Cinder or its quota cannot be read."""
    if not project_id or not cloud.has_service("block-storage"):
        return {}
    try:
        quota = cloud.block_storage.quotas(project_id)
    except OsdeskError:
        return {}
    volumes, gigabytes = quota.get("volumes") or {}, quota.get("gigabytes") or {}
    return {"totalVolumesUsed": volumes.get("in_use", 0),
            "maxTotalVolumes": volumes.get("limit", -1),
            "totalGigabytesUsed": gigabytes.get("in_use", 0),
            "maxTotalVolumeGigabytes": gigabytes.get("limit", -1)}
