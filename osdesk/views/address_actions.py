"""Floating IPs: allocate from a pool, associate with a server's port, from the floating
IP page or from a server's menu. A failed associate releases what this flow allocated,
so nothing half-done is left behind."""

from __future__ import annotations

from osdesk.api import OsdeskError
from osdesk.runtime.runner import Stale
from osdesk.views import dialogs
from osdesk.views.page_actions import FAILED, PageActions

NEW = "Allocate a new one from {pool}"


def server_ports(cloud, server_id: str) -> list[tuple[str, str, str]]:
    """(port id, fixed IPv4 address, network id) of each address of a server's ports; on
    the worker. Floating IPs map to IPv4 fixed addresses only."""
    out = []
    for port in cloud.network.list_ports(filters={"device_id": server_id}):
        for ip in port.get("fixed_ips") or []:
            address = ip.get("ip_address") or ""
            if address and ":" not in address:
                out.append((port["id"], address, port.get("network_id") or ""))
    return out


def _associate_choices(cloud, server_id: str) -> dict:
    return {"ports": server_ports(cloud, server_id),
            "free": [f for f in cloud.network.list_floating_ips() if not f.get("port_id")],
            "pools": cloud.network.list_external_networks()}


async def associate_with_server(actions: PageActions, server: dict,
                                floating_ip: dict | None = None) -> bool:
    """Pick (or allocate) a floating IP and the server's fixed address, then associate.
    True when it is associated."""
    title = f"Associate floating IP with {server.get('name') or server['id']}"
    session = actions.session
    if session is None:
        return False
    try:
        found = await actions.call(_associate_choices, session.cloud, server["id"])
    except Stale:
        return False
    except OsdeskError as exc:
        await actions.warn(title, exc)
        return False
    if not found["ports"]:
        await dialogs.inform(actions.page, title, "The server has no IPv4 address on a port "
                                                  "yet; a floating IP needs one.")
        return False
    if floating_ip is None:
        names = [f["floating_ip_address"] for f in found["free"]]
        names += [NEW.format(pool=p.get("name") or p["id"]) for p in found["pools"]]
        if not names:
            await dialogs.inform(actions.page, title, "There is no free floating IP and no "
                                                      "external network to allocate one from.")
            return False
        picked = await dialogs.ask_item(actions.page, title, "Floating IP:", names)
        if picked is None:
            return False
        index = names.index(picked)
        chosen = found["free"][index] if index < len(found["free"]) else None
        pool = None if chosen else found["pools"][index - len(found["free"])]
    else:
        chosen, pool = floating_ip, None
    ports = found["ports"]
    if len(ports) > 1:
        labels = [f"{address}  (port {port_id[:8]})" for port_id, address, _net in ports]
        picked = await dialogs.ask_item(actions.page, title, "Fixed address to map it to:",
                                        labels)
        if picked is None:
            return False
        ports = [ports[labels.index(picked)]]
    port_id, address, _net = ports[0]
    return await _associate(actions, title, chosen, pool, port_id, address)


async def _associate(actions, title, chosen, pool, port_id, address) -> bool:
    net = actions.session.cloud.network
    allocated = None
    try:
        if chosen is None:
            allocated = chosen = await actions.call(net.create_floating_ip, pool["id"])
        await actions.call(net.associate_floating_ip, chosen["id"], port_id, address)
    except Stale:
        return False
    except OsdeskError as exc:
        if allocated is not None:  # leave no address allocated by a failed associate
            try:
                await actions.call(net.delete_floating_ip, allocated["id"])
            except (Stale, OsdeskError):
                pass
        await actions.warn(title, exc)
        return False
    actions.window.statusBar().showMessage(
        f"{chosen.get('floating_ip_address')} now maps to {address}", 15000)
    return True


class FloatingIpActions(PageActions):
    """Floating IPs: allocate from a pool; associate with a server."""

    def on_allocate(self):
        self.spawn(self.ask_allocate())

    async def ask_allocate(self):
        pools = await self.attempt("Allocate floating IP",
                                   self.session.cloud.network.list_external_networks)
        if pools is FAILED:
            return
        if not pools:
            await dialogs.inform(self.page, "Allocate floating IP",
                                 "This project sees no external network to allocate from.")
            return
        names = [p.get("name") or p["id"] for p in pools]
        picked = await dialogs.ask_item(self.page, "Allocate floating IP", "From the pool:", names)
        if picked is not None:
            await self.allocate(pools[names.index(picked)])

    async def allocate(self, pool: dict):
        fip = await self.attempt("Allocate floating IP",
                                 self.session.cloud.network.create_floating_ip, pool["id"])
        if fip is FAILED:
            return
        self.window.statusBar().showMessage(
            f"Allocated {fip.get('floating_ip_address')} from {pool.get('name')}", 15000)
        self.changed()

    async def ask_associate(self, rows):
        fip = rows[0]
        server = await self.ask_server(
            "Associate floating IP", f"Map {fip.get('floating_ip_address')} to server:")
        if server is not None and await associate_with_server(self, server, fip):
            self.changed()
