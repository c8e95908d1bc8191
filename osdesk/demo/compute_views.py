"""Nova view builders (microversion aware) and JSON pre-serialisation."""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from .block_storage import volumes_attached
from .state import RUNNING, Server
from .util import HttpError, host_id, iso_micro, iso_z

MIN_MV = (2, 1)
MAX_MV = (2, 96)

#: Placeholder for "http://host:port" inside cached JSON; replaced per response.
BASE = "@@OSDESK-BASE@@"
BASE_B = BASE.encode()

_FAULT_NAMES = {400: "badRequest", 401: "unauthorized", 403: "forbidden", 404: "itemNotFound",
                405: "badMethod", 409: "conflictingRequest", 413: "overLimit",
                415: "badMediaType", 429: "overLimit", 501: "notImplemented",
                503: "serviceUnavailable"}


def nova_error(status: int, message: str, headers=None) -> HttpError:
    return HttpError(status, error_body(status, message), headers=headers)


def error_body(status: int, message: str) -> dict:
    return {_FAULT_NAMES.get(status, "computeFault"): {"code": status, "message": message}}


def not_found_server(sid: str) -> HttpError:
    return nova_error(404, "Instance %s could not be found." % sid)


def schema_error(path: str, value, message: str) -> HttpError:
    return nova_error(400, "Invalid input for field/attribute %s. Value: %s. %s"
                      % (path, value if isinstance(value, str) else repr(value), message))


# ----------------------------------------------------------------------------- servers

#: Microversions at which the server view changes; the bucket is the count passed.
_SERVER_STEPS = (3, 9, 16, 19, 26, 47, 63, 71, 73, 90, 96)


_PROGRESS_STATUSES = ("ACTIVE", "BUILD", "REBUILD", "RESIZE", "VERIFY_RESIZE", "MIGRATING")


def links(collection: str, ident: str, base: str = BASE):
    """nova's self and bookmark links of a server or flavor."""
    return [{"href": "%s/compute/v2.1/%s/%s" % (base, collection, ident), "rel": "self"},
            {"href": "%s/compute/%s/%s" % (base, collection, ident), "rel": "bookmark"}]


def addresses(state, srv: Server, detailed: bool = True) -> dict:
    out: dict = {}
    if not srv.net_ready:
        return out
    fips: dict = {}  # port id -> its floating IPs
    for f in state.floatingips.values():
        if f["port_id"]:
            fips.setdefault(f["port_id"], []).append(f)
    for port in filter(None, map(state.ports.get, srv.port_ids)):
        net = state.networks.get(port.network_id)
        lst = out.setdefault(net["name"] if net else port.network_id, [])
        for _sid, ip in port.fixed_ips:  # each fixed address, then its floating ones
            for addr, kind, version in [(ip, "fixed", 6 if ":" in ip else 4)] + [
                    (f["floating_ip_address"], "floating", 4) for f in fips.get(port.id, ())
                    if f["fixed_ip_address"] == ip]:
                lst.append({"addr": addr, "OS-EXT-IPS-MAC:mac_addr": port.mac,
                            "OS-EXT-IPS:type": kind, "version": version} if detailed
                           else {"addr": addr, "version": version})
    return out


def flavor_embed(srv: Server, minor: int, base: str = BASE):
    f = srv.flavor
    if minor >= 47:
        return {"disk": f["disk"], "ephemeral": f["ephemeral"],
                "extra_specs": dict(f["extra_specs"]), "original_name": f["name"],
                "ram": f["ram"], "swap": f["swap"], "vcpus": f["vcpus"]}
    return {"id": f["id"], "links": [{"href": "%s/compute/flavors/%s" % (base, f["id"]),
                                      "rel": "bookmark"}]}


def server_dict(state, srv: Server, minor: int, kind: str = "detail", base: str = BASE) -> dict:
    """The server as nova shows it to a project member at microversion 2.<minor>."""
    if kind == "brief":
        return {"id": srv.id, "links": links("servers", srv.id, base), "name": srv.name}
    status = srv.status
    d = {"id": srv.id, "name": srv.name, "status": status, "tenant_id": srv.project_id,
         "user_id": srv.user_id, "metadata": dict(srv.metadata),
         "hostId": host_id(srv.project_id, srv.host),
         "image": {"id": srv.image_id, "links": [
             {"href": "%s/compute/images/%s" % (base, srv.image_id), "rel": "bookmark"}]}
         if srv.image_id else "",
         "flavor": flavor_embed(srv, minor, base), "created": iso_z(srv.created),
         "updated": iso_z(srv.updated), "addresses": addresses(state, srv),
         "accessIPv4": srv.access_ipv4, "accessIPv6": srv.access_ipv6,
         "links": links("servers", srv.id, base), "OS-DCF:diskConfig": srv.disk_config,
         "OS-EXT-AZ:availability_zone": srv.az if (srv.host or srv.launched_at) else "",
         "config_drive": srv.config_drive, "key_name": srv.key_name,
         "OS-SRV-USG:launched_at": iso_micro(srv.launched_at), "OS-SRV-USG:terminated_at": None,
         "OS-EXT-STS:task_state": srv.task_state, "OS-EXT-STS:vm_state": srv.vm_state,
         "OS-EXT-STS:power_state": srv.power_state,
         "os-extended-volumes:volumes_attached": volumes_attached(state, srv.id)}
    if status in _PROGRESS_STATUSES:
        d["progress"] = srv.progress
    sg_names = dict.fromkeys(state.security_groups.get(gid, {"name": gid})["name"]  # lost: its id
                             for port in filter(None, map(state.ports.get, srv.port_ids))
                             for gid in port.security_groups)
    if sg_names:
        d["security_groups"] = [{"name": n} for n in sg_names]
    if srv.fault and srv.vm_state in ("error", "deleted") or (srv.fault and status == "ERROR"):
        fault = {"code": srv.fault["code"], "created": iso_z(srv.fault["created"]),
                 "message": srv.fault["message"]}
        if srv.fault["code"] != 500 and srv.fault.get("details"):
            fault["details"] = srv.fault["details"]
        d["fault"] = fault
    for first, key, value in _SERVER_MV_KEYS:  # server_groups: only one server's own view
        if minor >= first and (key != "server_groups" or kind == "show"):
            d[key] = value(srv)
    return d


#: (first minor, key, value of the server): what later microversions add, in nova's order
_SERVER_MV_KEYS = (
    (9, "locked", lambda s: s.locked), (19, "description", lambda s: s.description),
    (26, "tags", lambda s: list(s.tags)), (63, "trusted_image_certificates", lambda s: None),
    (71, "server_groups", lambda s: list(s.server_groups)),
    (73, "locked_reason", lambda s: s.locked_reason),
    (90, "OS-EXT-SRV-ATTR:hostname", lambda s: s.hostname),
    (96, "pinned_availability_zone", lambda s: s.pinned_az))


def server_json(state, srv: Server, minor: int, kind: str) -> bytes:
    """Cached JSON of ``server_dict`` (with the BASE placeholder)."""
    key = (sum(1 for s in _SERVER_STEPS if minor >= s), kind)
    cached = srv.cache.get(key)
    if cached is None:
        cached = json.dumps(server_dict(state, srv, minor, kind)).encode()
        srv.cache[key] = cached
    return cached


# ----------------------------------------------------------------------------- flavors

def flavor_view(f: dict, minor: int, base: str, detail: bool = True) -> dict:
    out = {"OS-FLV-DISABLED:disabled": False, "disk": f["disk"],
           "OS-FLV-EXT-DATA:ephemeral": f["ephemeral"],
           "os-flavor-access:is_public": f["is_public"], "id": f["id"],
           "links": links("flavors", f["id"], base), "name": f["name"], "ram": f["ram"],
           "swap": f["swap"] if (minor >= 75 or f["swap"]) else "", "vcpus": f["vcpus"],
           "rxtx_factor": f["rxtx_factor"]} if detail else {
        "id": f["id"], "links": links("flavors", f["id"], base), "name": f["name"]}
    if minor >= 55:
        out["description"] = f["description"]
    if minor >= 61 and detail:
        out["extra_specs"] = dict(f["extra_specs"])
    return out


def flavor_snapshot(f: dict) -> dict:
    return {"id": f["id"], "name": f["name"], "vcpus": f["vcpus"], "ram": f["ram"],
            "disk": f["disk"], "ephemeral": f["ephemeral"], "swap": f["swap"],
            "extra_specs": dict(f["extra_specs"])}


# ----------------------------------------------------------------------------- console log

def _console_templates():
    """(kernel lines, cloud-init lines) of ``console_log.txt``."""
    text = Path(__file__).with_name("console_log.txt").read_text(encoding="utf-8")
    body = text.replace("\\\n", "").split("[kernel]\n", 1)[1]
    kernel, cloud = body.split("\n[cloud-init]\n")
    return kernel.split("\n"), cloud.rstrip("\n").split("\n")


_KERNEL, _CLOUDINIT = _console_templates()


def console_log(state, srv: Server) -> list[str]:
    rnd = random.Random(srv.id)
    ip, mac, gw = "-", "-", "-"
    for pid in srv.port_ids:
        port = state.ports.get(pid)
        if port and port.fixed_ips:
            v4 = [x for _s, x in port.fixed_ips if ":" not in x]
            if v4:
                ip, mac = v4[0], port.mac
                sub = state.subnets.get(port.fixed_ips[0][0])
                gw = (sub or {}).get("gateway_ip") or "-"
                break
    ts = iso_z(srv.launched_at or srv.created).replace("T", " ").replace("Z", "+00:00")

    def fp():
        return hashlib.sha256(rnd.randbytes(16)).hexdigest()[:43]
    vals = {"vcpus": srv.flavor["vcpus"], "ramk": srv.flavor["ram"] * 1000,
            "ramk2": srv.flavor["ram"] * 1024, "sectors": srv.flavor["disk"] * 2097152,
            "gb": int(srv.flavor["disk"] * 1.073741824), "gib": srv.flavor["disk"],
            "hostname": srv.hostname, "ip": ip, "mac": mac, "gw": gw, "ts": ts,
            "date": iso_z(srv.launched_at or srv.created), "fp1": fp(), "fp2": fp(),
            "fp3": fp(), "k2": fp() + fp(), "k3": fp()[:40]}
    lines = []
    t = 0.0
    for tpl in _KERNEL:
        t += rnd.random() * 0.08
        lines.append("[%12.6f] %s" % (t, tpl % vals))
    for tpl in _CLOUDINIT:
        lines.append(tpl % vals)
    if srv.power_state != RUNNING and srv.launched_at:
        lines += ["[  OK  ] Stopped target cloud-init.target - Cloud-init target.",
                  "[  OK  ] Reached target shutdown.target - System Shutdown.",
                  "[%12.6f] reboot: Power down" % (t + 3600 + rnd.random())]
    return lines
