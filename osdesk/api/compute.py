"""Nova (compute) client: raw dicts exactly as the API returned them."""

from __future__ import annotations

from typing import Iterator

from osdesk.api.errors import OsdeskError
from osdesk.api.pagination import DEFAULT_PAGE_SIZE, iter_pages
from osdesk.api.service import ServiceClient, given

#: Server actions with no arguments: the request body is ``{name: null}``
#: (nova api-samples: server-action-start.json, pause-server.json, os-shelve.json …).
SIMPLE_ACTIONS = ("os-start", "os-stop", "pause", "unpause", "suspend", "resume", "unlock",
                  "shelve", "shelveOffload", "unshelve", "unrescue", "confirmResize",
                  "revertResize", "forceDelete", "restore")
#: Remote console protocol → (type, legacy action) for microversions before 2.6.
#: (nova samples os-remote-consoles/v2.6 rdp → rdp-html5, v2.8 mks → webmks; mks has
#: no legacy action.)
CONSOLE_TYPES = {"vnc": ("novnc", "os-getVNCConsole"), "spice": ("spice-html5", "os-getSPICEConsole"),
                 "serial": ("serial", "os-getSerialConsole"), "rdp": ("rdp-html5", "os-getRDPConsole"),
                 "mks": ("webmks", None)}


def _simple_action(name: str, doc: str):
    """A client method that runs the server action ``name`` without arguments."""
    def method(self, server_id):
        return self.action(server_id, name)

    method.__doc__ = doc
    return method


class ComputeClient(ServiceClient):
    """Servers, flavors, key pairs, limits and consoles."""

    service_type = "compute"

    # ---------------------------------------------------------------- servers
    def iter_server_pages(self, *, detail: bool = True, filters: dict | None = None,
                          page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[list[dict]]:
        path = "/servers/detail" if detail else "/servers"
        return iter_pages(self.cloud, "compute", path, "servers", params=filters,
                          page_size=page_size)

    def list_servers(self, *, detail: bool = True, filters: dict | None = None,
                     page_size: int | None = DEFAULT_PAGE_SIZE) -> list[dict]:
        out = []
        for page in self.iter_server_pages(detail=detail, filters=filters, page_size=page_size):
            out.extend(page)
        return out

    def get_server(self, server_id: str) -> dict:
        return self._json("GET", f"/servers/{server_id}")["server"]

    def create_server(self, name: str, image_id: str | None, flavor_id: str, *,
                      networks=None, key_name: str | None = None,
                      security_groups: list[str] | None = None,
                      availability_zone: str | None = None, user_data: str | None = None,
                      metadata: dict | None = None, min_count: int = 1, max_count: int = 1,
                      block_device_mapping_v2: list | None = None) -> dict:
        """POST /servers. ``networks`` is a list of network ids, or "auto"/"none".

        Returns the whole response body (``{"server": {... "adminPass" ...}}``, or
        ``{"reservation_id": ...}`` for multi-create with return_reservation_id).
        """
        server: dict = {"name": name, "flavorRef": flavor_id}
        if image_id:
            server["imageRef"] = image_id
        if isinstance(networks, str):
            if networks not in ("auto", "none"):
                raise OsdeskError(f"networks must be a list of ids, 'auto' or 'none', not {networks!r}")
            if not self.cloud.compute_supports("2.37"):
                raise OsdeskError("This cloud's compute API is older than 2.37 and does not "
                                  f"accept networks={networks!r}; pick a network.")
            server["networks"] = networks
        elif networks:
            server["networks"] = [n if isinstance(n, dict) else {"uuid": n} for n in networks]
        elif self.cloud.compute_supports("2.37"):
            # 2.37+ requires the key; "auto" is what the CLI sends by default.
            server["networks"] = "auto"
        server.update(given(key_name=key_name, availability_zone=availability_zone,
                            user_data=user_data, metadata=metadata,
                            security_groups=[{"name": g} for g in security_groups or ()]))
        if min_count != 1 or max_count != 1:
            server["min_count"], server["max_count"] = min_count, max_count
        if block_device_mapping_v2:
            server["block_device_mapping_v2"] = block_device_mapping_v2
        return self._json("POST", "/servers", json={"server": server}, ok=(202,))

    def delete_server(self, server_id: str) -> None:
        self.cloud.request("compute", "DELETE", f"/servers/{server_id}", ok=(204,))

    def rename_server(self, server_id: str, name: str) -> dict:
        return self._json("PUT", f"/servers/{server_id}", json={"server": {"name": name}})["server"]

    # ---------------------------------------------------------------- actions
    def action(self, server_id: str, name: str, args=None, *, ok=(200, 202)) -> dict:
        """POST /servers/{id}/action with ``{name: args}``; the parsed answer or {}."""
        return self._json("POST", f"/servers/{server_id}/action", json={name: args}, ok=ok)

    # the actions without arguments
    start = _simple_action("os-start", "Start a stopped server.")
    stop = _simple_action("os-stop", "Stop (power off) a server.")
    pause = _simple_action("pause", "Pause a server (its memory stays in the hypervisor).")
    unpause = _simple_action("unpause", "Unpause a paused server.")
    suspend = _simple_action("suspend", "Suspend a server (its memory goes to disk).")
    resume = _simple_action("resume", "Resume a suspended server.")
    unlock = _simple_action("unlock", "Unlock a locked server.")
    shelve = _simple_action("shelve", "Shelve a server (snapshot it and free its host).")
    unrescue = _simple_action("unrescue", "Leave rescue mode.")
    revert_resize = _simple_action("revertResize", "Revert a resize waiting for confirmation.")

    def reboot(self, server_id, hard: bool = False):
        return self.action(server_id, "reboot", {"type": "HARD" if hard else "SOFT"})

    def lock(self, server_id, reason: str | None = None):
        if reason and self.cloud.compute_supports("2.73"):
            return self.action(server_id, "lock", {"locked_reason": reason})
        return self.action(server_id, "lock")

    def unshelve(self, server_id, availability_zone: str | None = None):
        if availability_zone and self.cloud.compute_supports("2.77"):
            return self.action(server_id, "unshelve", {"availability_zone": availability_zone})
        return self.action(server_id, "unshelve")

    def rescue(self, server_id, image_id: str | None = None) -> dict:
        """Returns ``{"adminPass": ...}`` (shown once; never stored)."""
        args = {"rescue_image_ref": image_id} if image_id else None
        return self.action(server_id, "rescue", args)

    def resize(self, server_id, flavor_id: str):
        return self.action(server_id, "resize", {"flavorRef": flavor_id})

    def confirm_resize(self, server_id):
        return self.action(server_id, "confirmResize", ok=(202, 204))

    def rebuild(self, server_id, image_id: str, name: str | None = None) -> dict:
        args = {"imageRef": image_id}
        if name:
            args["name"] = name
        return self.action(server_id, "rebuild", args)

    def create_image(self, server_id, name: str, metadata: dict | None = None) -> dict:
        """Snapshot. 2.45+ answers ``{"image_id": ...}``; older ones a Location header."""
        args = {"name": name}
        if metadata:
            args["metadata"] = metadata
        resp = self.cloud.request("compute", "POST", f"/servers/{server_id}/action",
                                  json={"createImage": args}, ok=(202,))
        if resp.content:
            try:
                return resp.json()
            except ValueError:
                pass
        location = resp.headers.get("Location", "")
        return {"image_id": location.rstrip("/").rsplit("/", 1)[-1]} if location else {}

    def console_output(self, server_id, length: int | None = None) -> str:
        args = {"length": length} if length else {}
        return self.action(server_id, "os-getConsoleOutput", args, ok=(200,)).get("output", "")

    def remote_console(self, server_id, protocol: str = "vnc", console_type: str | None = None) -> dict:
        """A console URL: remote-consoles (2.6+) or the older per-protocol action."""
        default_type, legacy = CONSOLE_TYPES.get(protocol, ("novnc", "os-getVNCConsole"))
        ctype = console_type or default_type
        if protocol == "mks" and not self.cloud.compute_supports("2.8"):
            raise OsdeskError("MKS consoles need compute API 2.8 or later; this cloud is older.")
        if self.cloud.compute_supports("2.6"):
            body = self._json("POST", f"/servers/{server_id}/remote-consoles",
                              json={"remote_console": {"protocol": protocol, "type": ctype}},
                              ok=(200,))
            return body.get("remote_console", body)
        body = self.action(server_id, legacy, {"type": ctype}, ok=(200,))
        return body.get("console", body)

    def instance_actions(self, server_id) -> list[dict]:
        return self._json("GET", f"/servers/{server_id}/os-instance-actions")["instanceActions"]

    def get_metadata(self, server_id) -> dict:
        return self._json("GET", f"/servers/{server_id}/metadata")["metadata"]

    def replace_metadata(self, server_id, metadata: dict) -> dict:
        return self._json("PUT", f"/servers/{server_id}/metadata",
                          json={"metadata": metadata})["metadata"]

    def update_metadata(self, server_id, metadata: dict) -> dict:
        return self._json("POST", f"/servers/{server_id}/metadata",
                          json={"metadata": metadata})["metadata"]

    # ---------------------------------------------------------------- flavors
    def list_flavors(self, *, detail: bool = True, page_size: int | None = None) -> list[dict]:
        out = []
        for page in iter_pages(self.cloud, "compute", "/flavors/detail" if detail else "/flavors",
                               "flavors", page_size=page_size):
            out.extend(page)
        return out

    def get_flavor(self, flavor_id: str) -> dict:
        return self._json("GET", f"/flavors/{flavor_id}")["flavor"]

    def flavor_extra_specs(self, flavor_id: str) -> dict:
        return self._json("GET", f"/flavors/{flavor_id}/os-extra_specs")["extra_specs"]

    # -------------------------------------------------------------- key pairs
    def list_keypairs(self) -> list[dict]:
        """Unwrapped: nova answers ``{"keypairs": [{"keypair": {...}}]}``."""
        out = []
        for page in iter_pages(self.cloud, "compute", "/os-keypairs", "keypairs", page_size=None):
            out.extend(item.get("keypair", item) for item in page)
        return out

    def get_keypair(self, name: str) -> dict:
        return self._json("GET", f"/os-keypairs/{name}")["keypair"]

    def create_keypair(self, name: str, key_type: str = "ssh") -> dict:
        """Let nova generate the key; the answer holds ``private_key`` (shown once).

        Nova generates keys only up to microversion 2.91, so this call pins it.
        """
        mv = self.cloud.compute_microversion
        body = {"keypair": {"name": name}}
        if mv and self.cloud.compute_supports("2.2"):
            body["keypair"]["type"] = key_type
        if mv and self.cloud.compute_supports("2.92"):
            mv = "2.91"
        return self._json("POST", "/os-keypairs", json=body, microversion=mv,
                          ok=(200, 201))["keypair"]

    def import_keypair(self, name: str, public_key: str, key_type: str | None = None) -> dict:
        body = {"keypair": {"name": name, "public_key": public_key.strip()}}
        if key_type and self.cloud.compute_supports("2.2"):
            body["keypair"]["type"] = key_type
        return self._json("POST", "/os-keypairs", json=body, ok=(200, 201))["keypair"]

    def delete_keypair(self, name: str) -> None:
        self.cloud.request("compute", "DELETE", f"/os-keypairs/{name}", ok=(202, 204))

    # ----------------------------------------------------------------- limits
    def limits(self) -> dict:
        """The ``absolute`` limits (maxTotalInstances, totalInstancesUsed, …)."""
        return self._json("GET", "/limits")["limits"]["absolute"]

    def availability_zones(self) -> list[dict]:
        return self._json("GET", "/os-availability-zone").get("availabilityZoneInfo", [])

    # ------------------------------------------------- volumes and interfaces
    def list_volume_attachments(self, server_id: str) -> list[dict]:
        return self._json("GET", f"/servers/{server_id}/os-volume_attachments")[
            "volumeAttachments"]

    def attach_volume(self, server_id: str, volume_id: str, device: str | None = None) -> dict:
        """Attach a Cinder volume; Nova picks the device unless ``device`` is given."""
        attachment = given(volumeId=volume_id, device=device)
        return self._json("POST", f"/servers/{server_id}/os-volume_attachments",
                          json={"volumeAttachment": attachment})["volumeAttachment"]

    def detach_volume(self, server_id: str, volume_id: str) -> None:
        self.cloud.request("compute", "DELETE",
                           f"/servers/{server_id}/os-volume_attachments/{volume_id}", ok=(202,))

    def list_interfaces(self, server_id: str) -> list[dict]:
        return self._json("GET", f"/servers/{server_id}/os-interface")["interfaceAttachments"]

    def attach_interface(self, server_id: str, *, network_id: str | None = None,
                         port_id: str | None = None) -> dict:
        """A new port on ``network_id``, or the existing ``port_id``."""
        attachment = {"port_id": port_id} if port_id else {"net_id": network_id}
        return self._json("POST", f"/servers/{server_id}/os-interface",
                          json={"interfaceAttachment": attachment})["interfaceAttachment"]

    def detach_interface(self, server_id: str, port_id: str) -> None:
        self.cloud.request("compute", "DELETE", f"/servers/{server_id}/os-interface/{port_id}",
                           ok=(202,))

    def add_security_group(self, server_id: str, name: str) -> None:
        self.action(server_id, "addSecurityGroup", {"name": name}, ok=(202,))

    def remove_security_group(self, server_id: str, name: str) -> None:
        self.action(server_id, "removeSecurityGroup", {"name": name}, ok=(202,))
