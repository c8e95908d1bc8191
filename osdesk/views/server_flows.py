"""The server menu's flows past launch: floating IPs, interfaces, security groups,
volumes, and Connect (SSH). What each needs (state, one server) is declared in
``rules/server_actions.py``; the Connect rules (address, login user, key, terminal,
why not) are in ``rules/ssh.py``.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QProcess, QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QLabel, QMessageBox, QVBoxLayout

from osdesk.api import OsdeskError
from osdesk.rules import ssh
from osdesk.rules.security_rules import cidr_problem, quick_fields
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.address_actions import associate_with_server


def key_setting(profile_id: str, keypair: str) -> str:
    """Where osdesk remembers the file it saved a key pair's private key to."""
    return f"ssh/keys/{profile_id}/{keypair}"


def remember_key_file(window, keypair: str, path: str | None) -> None:
    session = window.session
    if path and session is not None:
        QSettings().setValue(key_setting(session.profile.id, keypair), path)


def _name(server: dict) -> str:
    return server.get("name") or server["id"]


class ServerFlows:
    """Runs one server's flow; looks like a page's actions to the shared flows
    (``associate_with_server``): ``page``, ``window``, ``session``, ``call``, ``warn``."""

    def __init__(self, actions):
        self.actions = actions
        self.page = actions.page
        self.window = actions.window

    @property
    def session(self):
        return self.window.session

    async def call(self, fn, *args, **kwargs):
        session = self.session
        if session is None:
            raise Stale()
        return await session.call(fn, *args, **kwargs)

    async def warn(self, title: str, exc) -> None:
        await dialogs.warn(self.page, title, html.escape(str(exc), quote=False))

    async def run(self, key: str, server: dict) -> None:
        if self.session is None:
            return
        await getattr(self, key)(server)

    async def done(self, server: dict, *pages: str) -> None:
        """Show the server's new addresses, volumes or groups, and the pages that list them."""
        await self.actions.refresh_row(server["id"])
        for key in pages:
            page = self.window.pages.peek(key)  # a page not made loads when first shown
            if page is not None:
                page.refresh()

    async def _fetch(self, title: str, fn, *args):
        """``fn(*args)`` on the worker; None (after saying why) when it failed."""
        try:
            return await self.call(fn, *args)
        except Stale:
            return None
        except OsdeskError as exc:
            await self.warn(title, exc)
            return None

    async def _do(self, title: str, server: dict, pages: tuple, fn, *args, **kwargs) -> bool:
        try:
            await self.call(fn, *args, **kwargs)
        except Stale:
            return False
        except OsdeskError as exc:
            await self.warn(title, exc)
            return False
        await self.done(server, *pages)
        return True

    # ------------------------------------------------------------ floating IPs
    async def associate_fip(self, server: dict) -> None:
        if await associate_with_server(self, server):
            await self.done(server, "floating_ips")

    async def disassociate_fip(self, server: dict) -> None:
        title = f"Disassociate floating IP from {_name(server)}"
        net = self.session.cloud.network
        fips = await self._fetch(title, _floating_ips_of, net, server["id"])
        if fips is None:
            return
        if not fips:
            await dialogs.inform(self.page, title, "No floating IP maps to this server.")
            return
        addresses = [f["floating_ip_address"] for f in fips]
        if not await dialogs.confirm(self.page, title, "Disassociate", f"{len(fips)} floating IP"
                                     + ("s" if len(fips) > 1 else ""), addresses,
                                     "Connections through these addresses stop; the addresses "
                                     "stay allocated to the project."):
            return
        for fip in fips:
            if not await self._do(title, server, ("floating_ips",),
                                  net.disassociate_floating_ip, fip["id"]):
                return

    # -------------------------------------------------------------- interfaces
    async def attach_interface(self, server: dict) -> None:
        title = f"Attach interface to {_name(server)}"
        net = self.session.cloud.network
        found = await self._fetch(title, lambda: (
            [n for n in net.list_networks() if not n.get("router:external")],
            [p for p in net.list_ports() if not p.get("device_id")]))
        if found is None:
            return
        networks, ports = found
        items = [f"New port on network {n.get('name') or n['id']}" for n in networks]
        items += [f"Existing port {p.get('name') or p['id'][:8]} "
                  f"({', '.join(i['ip_address'] for i in p.get('fixed_ips') or [])})"
                  for p in ports]
        if not items:
            await dialogs.inform(self.page, title, "There is no network or free port to attach.")
            return
        picked = await dialogs.ask_item(self.page, title, "Attach:", items)
        if picked is None:
            return
        index = items.index(picked)
        args = ({"network_id": networks[index]["id"]} if index < len(networks)
                else {"port_id": ports[index - len(networks)]["id"]})
        await self._do(title, server, ("ports",), self.session.cloud.compute.attach_interface,
                       server["id"], **args)

    async def detach_interface(self, server: dict) -> None:
        title = f"Detach interface from {_name(server)}"
        compute = self.session.cloud.compute
        interfaces = await self._fetch(title, compute.list_interfaces, server["id"])
        if not interfaces:
            if interfaces is not None:
                await dialogs.inform(self.page, title, "The server has no interface.")
            return
        items = [f"{', '.join(i['ip_address'] for i in a.get('fixed_ips') or []) or '—'}  "
                 f"(port {a['port_id'][:8]}, MAC {a.get('mac_addr', '')})" for a in interfaces]
        picked = await dialogs.ask_item(self.page, title, "Detach:", items)
        if picked is None:
            return
        chosen = interfaces[items.index(picked)]
        if not await dialogs.confirm(self.page, title, "Detach", "1 interface", [picked],
                                     "The server loses this address at once."):
            return
        await self._do(title, server, ("ports",), compute.detach_interface, server["id"],
                       chosen["port_id"])

    # --------------------------------------------------------- security groups
    async def security_groups(self, server: dict) -> None:
        title = f"Security groups of {_name(server)}"
        groups = await self._fetch(title, self.session.cloud.network.list_security_groups)
        if groups is None:
            return
        current = {g.get("name") for g in server.get("security_groups") or []}
        wanted = await dialogs.accepted(GroupsDialog(self.page, title, groups, current),
                                        GroupsDialog.chosen)
        if wanted is None:
            return
        compute = self.session.cloud.compute
        for name in sorted(wanted - current):
            if not await self._do(title, server, (), compute.add_security_group, server["id"],
                                  name):
                return
        for name in sorted(current - wanted):
            if not await self._do(title, server, (), compute.remove_security_group,
                                  server["id"], name):
                return

    # ------------------------------------------------------------------ volumes
    async def attach_volume(self, server: dict) -> None:
        title = f"Attach volume to {_name(server)}"
        volumes = await self._fetch(title, self.session.cloud.block_storage.list_volumes)
        if volumes is None:
            return
        free = [v for v in volumes if v.get("status") == "available"]
        if not free:
            await dialogs.inform(self.page, title, "There is no available volume. Create one "
                                                   "on the Volumes page.")
            return
        items = [f"{v.get('name') or v['id'][:8]}  ({v.get('size')} GiB)" for v in free]
        picked = await dialogs.ask_item(self.page, title, "Volume:", items)
        if picked is not None:
            await self._do(title, server, ("volumes",), self.session.cloud.compute.attach_volume,
                           server["id"], free[items.index(picked)]["id"])

    async def detach_volume(self, server: dict) -> None:
        title = f"Detach volume from {_name(server)}"
        ids = [v["id"] for v in server.get("os-extended-volumes:volumes_attached") or []]
        names = getattr(self.session.lookups, "volume_names", {})
        items = [names.get(vid) or vid for vid in ids]
        picked = await dialogs.ask_item(self.page, title, "Volume:", items)
        if picked is None:
            return
        if not await dialogs.confirm(self.page, title, "Detach", "1 volume", [picked],
                                     "Unmount it in the server first; the server loses the "
                                     "disk at once."):
            return
        await self._do(title, server, ("volumes",), self.session.cloud.compute.detach_volume,
                       server["id"], ids[items.index(picked)])

    # -------------------------------------------------------------- Connect (SSH)
    async def connect_ssh(self, server: dict) -> None:
        argv = await self.ssh_command(server)
        if argv is None:
            return
        terminal = ssh.terminal_argv(argv)
        if terminal is None or not QProcess.startDetached(terminal[0], terminal[1:])[0]:
            QGuiApplication.clipboard().setText(ssh.command_text(argv))
            await dialogs.inform(
                self.page, "Connect (SSH)",
                "No terminal program was found (set $TERMINAL to yours). The command is on "
                f"the clipboard:<br><br><tt>{html.escape(ssh.command_text(argv))}</tt>")
            return
        self.window.statusBar().showMessage(f"Opened a terminal: {ssh.command_text(argv)}",
                                            15000)

    async def copy_ssh(self, server: dict) -> None:
        argv = await self.ssh_command(server)
        if argv is not None:
            QGuiApplication.clipboard().setText(ssh.command_text(argv))
            self.window.statusBar().showMessage(f"Copied: {ssh.command_text(argv)}", 15000)

    async def ssh_command(self, server: dict) -> list[str] | None:
        """The ``ssh`` argv for a server, after saying what stands in the way and offering
        the fix; None when the user stopped."""
        title = f"Connect to {_name(server)}"
        found = await self._fetch(title, _ssh_facts, self.session.cloud, server)
        if found is None:
            return None
        groups, image = found
        reach = ssh.reach(server, groups)
        if reach.address is None:
            await dialogs.inform(self.page, title, "The server has no IP address yet.")
            return None
        if reach.problems and not await self._past_problems(server, reach, groups, title):
            return None
        user = await self._login_user(server, image, reach.address, title)
        if user is None:
            return None
        session = self.session
        keypair = server.get("key_name")
        remembered = QSettings().value(key_setting(session.profile.id, keypair)) \
            if keypair else None
        key = ssh.key_file_for(keypair, str(remembered) if remembered else None)
        return ssh.ssh_argv(user, reach.address.ip, key)

    async def _past_problems(self, server, reach, groups, title) -> bool:
        """Say what is wrong; offer each fix and "Connect anyway". True to go on."""
        Role = QMessageBox.ButtonRole
        labels = {"associate_fip": "Associate floating IP…", "add_ssh": "Add SSH rule…"}
        fixes = [fix for _text, fix in reach.problems if fix in labels]
        buttons = [(labels[f], Role.ActionRole) for f in fixes]
        buttons += [("Connect anyway", Role.AcceptRole), ("Cancel", Role.RejectRole)]
        text = "<ul>" + "".join(f"<li>{html.escape(t)}</li>" for t, _f in reach.problems) + "</ul>"
        picked = await dialogs.choose(self.page, title, text, buttons,
                                      default=len(buttons) - 1, escape=len(buttons) - 1)
        if 0 <= picked < len(fixes):
            if fixes[picked] == "associate_fip":
                await self.associate_fip(server)
            else:
                await self.add_ssh_rule(server, groups)
            self.window.statusBar().showMessage("Choose Connect (SSH) again when ready.", 15000)
            return False
        return picked == len(fixes)

    async def add_ssh_rule(self, server: dict, groups: list[dict]) -> None:
        if not groups:
            await dialogs.inform(self.page, "Add SSH rule", "The server is in no security "
                                                            "group that osdesk can see.")
            return
        group = groups[0]
        source = await dialogs.ask_text(
            self.page, "Add SSH rule",
            f"Allow SSH (TCP 22) into group {group.get('name')} from this address range "
            f"(0.0.0.0/0 is the whole internet; your own range is safer):", "0.0.0.0/0")
        if source is None:
            return
        problem = cidr_problem(source)
        if problem:
            await dialogs.warn(self.page, "Add SSH rule", html.escape(problem))
            return
        await self._do("Add SSH rule", server, ("security_groups",),
                       self.session.cloud.network.create_security_group_rule, group["id"],
                       **quick_fields("ssh", source))

    async def _login_user(self, server, image, address, title) -> str | None:
        settings_key = f"ssh/user/{server['id']}"
        image_name = (image or {}).get("name", "")
        user = str(QSettings().value(settings_key) or ssh.login_user(image, image_name))
        how = "" if user else " (the image does not say; try its distribution's user)"
        user = await dialogs.ask_text(self.page, title,
                                      f"Log in at {address.ip} as{how}:", user)
        if user:
            QSettings().setValue(settings_key, user)
        return user


def _floating_ips_of(net, server_id: str) -> list[dict]:
    """The floating IPs mapped to a server's ports (two list calls, on the worker)."""
    ports = {p["id"] for p in net.list_ports(filters={"device_id": server_id})}
    return [f for f in net.list_floating_ips() if f.get("port_id") in ports]


def _ssh_facts(cloud, server: dict):
    """The server's security groups with their rules, and its image (for the login user);
    on the worker. Groups are None when they cannot be read."""
    names = {g.get("name") for g in server.get("security_groups") or []}
    try:
        groups = [g for g in cloud.network.list_security_groups() if g.get("name") in names]
    except OsdeskError:
        groups = None
    image = None
    image_ref = server.get("image")
    if isinstance(image_ref, dict) and image_ref.get("id"):
        try:
            image = cloud.image.get_image(image_ref["id"])
        except OsdeskError:
            image = None
    return groups, image


class GroupsDialog(QDialog):
    """Tick the security groups a server should be in."""

    def __init__(self, parent, title: str, groups: list[dict], current: set[str]):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(420)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("The server is in the ticked groups:"))
        self.boxes: dict[str, QCheckBox] = {}
        for group in sorted(groups, key=lambda g: g.get("name") or ""):
            name = group.get("name") or group["id"]
            box = QCheckBox(f"{name} — {group.get('description') or 'no description'}")
            box.setChecked(name in current)
            self.boxes[name] = box
            layout.addWidget(box)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        buttons.addButton("Apply", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def chosen(self) -> set[str]:
        return {name for name, box in self.boxes.items() if box.isChecked()}
