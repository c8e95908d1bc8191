"""Nova v2.1 (served under ``/compute``), microversions 2.1 – 2.96: routing and the small
resources (server metadata/ips/tags/interfaces, flavors, keypairs, limits, quotas).

Servers live in ``compute_servers``, server actions in ``compute_actions``.
"""

from __future__ import annotations

import functools
import operator
import re

from . import compute_volumes as volume_attachments
from .compute_actions import (
    list_instance_actions, remote_console, server_action, show_instance_action,
)
from .compute_servers import (
    AZ, PAGER, _available_networks, _check, _get_server, _json_body, _pc, _resolve_networks,
    _resolve_sgs, _validate_metadata, allocate_ports, check_keys, check_tags, create_server,
    delete_server, list_servers, on_server, record_action, release_port, show_server, update_server,
)
from .compute_views import (
    MAX_MV, MIN_MV, addresses, error_body, flavor_view, nova_error, schema_error,
)
from .http import Response, empty
from .identity import authenticate
from .keygen import fingerprint_of, generate_rsa_keypair, x509_fingerprint
from .paging import Pager
from .routes import ID, RouteTable
from .util import HttpError, iso_micro


# ----------------------------------------------------------------------------- microversions

_MV_RX = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def parse_microversion(req) -> tuple[int, int]:
    parts = [p.split() for p in (req.header("OpenStack-API-Version") or "").split(",")]
    val = next((p[1] for p in reversed(parts) if len(p) == 2 and p[0].lower() == "compute"),
               req.header("X-OpenStack-Nova-API-Version"))
    if val is None:
        return MIN_MV
    val = val.strip()
    if val.lower() == "latest":
        return MAX_MV
    m = _MV_RX.match(val)
    if not m:
        raise nova_error(400, "API Version String %s is of invalid format. Must be of format "
                              "MajorNum.MinorNum." % val)
    v = (int(m.group(1)), int(m.group(2)))
    if v < MIN_MV or v > MAX_MV:
        raise nova_error(406, "Version %s is not supported by the API. Minimum is %d.%d and "
                              "maximum is %d.%d." % ((val,) + MIN_MV + MAX_MV))
    return v


# ----------------------------------------------------------------------------- metadata

def _meta_write_check(srv, action):
    _check(srv, action, ("active", "paused", "suspended", "stopped"), (None,))


def metadata_show(state, req, srv):
    return Response(200, {"metadata": dict(srv.metadata)})


def metadata_write(state, req, srv, merge=False):
    """PUT replaces all metadata, POST merges into it."""
    data = _json_body(req)
    if not isinstance(data, dict) or "metadata" not in data:
        raise schema_error("metadata", data, "'metadata' is a required property")
    _validate_metadata("metadata", data["metadata"])
    _meta_write_check(srv, "update metadata")
    new = dict(srv.metadata) if merge else {}
    new.update(data["metadata"])
    if len(new) > 128:
        raise nova_error(403, "Quota exceeded for metadata_items: Requested %d, but already "
                              "used %d of 128 metadata_items" % (len(data["metadata"]),
                                                                 len(srv.metadata)))
    srv.metadata = new
    srv.touch(state.now())
    return Response(200, {"metadata": dict(new)})


def _meta_item(srv, key):
    if key not in srv.metadata:
        raise nova_error(404, "Metadata item was not found")
    return srv.metadata[key]


def meta_show(state, req, srv, key):
    return Response(200, {"meta": {key: _meta_item(srv, key)}})


def meta_set(state, req, srv, key):
    data = _json_body(req)
    meta = data.get("meta") if isinstance(data, dict) else None
    if not isinstance(meta, dict):
        raise schema_error("meta", data, "'meta' is a required property")
    if len(meta) > 1:
        raise nova_error(400, "Request body contains too many items")
    if key not in meta:
        raise nova_error(400, "Request body and URI mismatch")
    _validate_metadata("meta", meta)
    _meta_write_check(srv, "update metadata")
    srv.metadata[key] = meta[key]
    srv.touch(state.now())
    return Response(200, {"meta": {key: meta[key]}})


def meta_delete(state, req, srv, key):
    _meta_item(srv, key)
    _meta_write_check(srv, "delete metadata")
    del srv.metadata[key]
    srv.touch(state.now())
    return empty()


# ----------------------------------------------------------------------------- ips, tags

def ips(state, req, srv, label=None):
    addrs = addresses(state, srv, detailed=False)
    if label is None:
        return Response(200, {"addresses": addrs})
    if label not in addrs:
        raise nova_error(404, "Instance is not a member of specified network")
    return Response(200, {label: addrs[label]})


def _tag_route(fn):
    """A route below ``/servers/{id}/tags`` (2.26+): ``fn`` gets the server."""
    def handler(state, req, sid, *args):
        if req.mv[1] < 26:
            raise nova_error(404, "The resource could not be found.")
        return fn(state, req, _get_server(state, req, sid), *args)
    return handler


def tags_list(state, req, srv):
    return Response(200, {"tags": list(srv.tags)})


def tags_replace(state, req, srv):
    data = _json_body(req)
    new = check_tags(data.get("tags") if isinstance(data, dict) else None)
    srv.tags = list(dict.fromkeys(new))
    srv.touch(state.now())
    return Response(200, {"tags": list(srv.tags)})


def tags_clear(state, req, srv):
    srv.tags = []
    srv.touch(state.now())
    return empty()


def tag_check(state, req, srv, tag, remove=False):
    """GET: 204 if the server has ``tag``, else 404; DELETE (``remove``) takes it off."""
    if tag not in srv.tags:
        raise nova_error(404, "Tag '%s' could not be found." % tag)
    if remove:
        srv.tags.remove(tag)
        srv.touch(state.now())
    return empty()


def tag_add(state, req, srv, tag):
    if tag in srv.tags:
        return empty()
    if len(srv.tags) >= 50:
        raise nova_error(400, "The number of tags exceeded the per-server limit 50")
    if "/" in tag or "," in tag or not 1 <= len(tag) <= 60:
        raise schema_error("tag", tag, "%r is not valid" % tag)
    srv.tags.append(tag)
    srv.touch(state.now())
    return Response(201, None, content_type=None, headers={
        "Location": "%s/compute/v2.1/servers/%s/tags/%s" % (req.base, srv.id, tag)})


# ----------------------------------------------------------------------------- interfaces

def _iface_view(state, port, minor):
    out = {"fixed_ips": [{"ip_address": ip, "subnet_id": sid} for sid, ip in port.fixed_ips],
           "mac_addr": port.mac, "net_id": port.network_id, "port_id": port.id,
           "port_state": port.current_status()}
    if minor >= 70:
        out["tag"] = None
    return out


def iface_list(state, req, srv):
    return Response(200, {"interfaceAttachments": [
        _iface_view(state, state.ports[p], req.mv[1]) for p in srv.port_ids if p in state.ports]})


def iface_show(state, req, srv, port_id):
    if port_id not in srv.port_ids or port_id not in state.ports:
        raise nova_error(404, "Port %s is not attached" % port_id)
    return Response(200, {"interfaceAttachment": _iface_view(state, state.ports[port_id],
                                                              req.mv[1])})


def iface_attach(state, req, srv):
    minor = req.mv[1]
    _check(srv, "attach_interface", ("active", "paused", "stopped"), (None,))
    data = _json_body(req)
    ia = data.get("interfaceAttachment", {}) if isinstance(data, dict) else {}
    req_item = {}
    if ia.get("port_id"):
        req_item["port"] = ia["port_id"]
    elif ia.get("net_id"):
        req_item["uuid"] = ia["net_id"]
        if ia.get("fixed_ips"):
            req_item["fixed_ip"] = ia["fixed_ips"][0].get("ip_address")
    else:
        avail = _available_networks(state, req.ctx["project_id"])
        if len(avail) != 1:
            raise nova_error(409, "Multiple possible networks found, use a Network ID to be "
                                  "more specific.")
        req_item["uuid"] = avail[0]["id"]
    requested = _resolve_networks(state, req, [req_item], minor)
    old = list(srv.port_ids)
    made, err = allocate_ports(state, srv, requested,
                               _resolve_sgs(state, req.ctx["project_id"], None))
    if made is None:
        srv.port_ids = old
        raise nova_error(500, err)
    srv.port_ids = old + [p.id for p in made]
    srv.touch(state.now())
    record_action(state, req, srv, "attach_interface", [("compute_attach_interface", 0.1,
                                                         0.6)])
    return Response(200, {"interfaceAttachment": _iface_view(state, made[0], minor)})


def iface_detach(state, req, srv, port_id):
    if port_id not in srv.port_ids:
        raise nova_error(404, "Port %s is not attached" % port_id)
    _check(srv, "detach_interface", ("active", "paused", "stopped"), (None,))
    if port_id in state.ports:
        release_port(state, state.ports[port_id])
    if port_id in srv.port_ids:
        srv.port_ids.remove(port_id)
    srv.touch(state.now())
    record_action(state, req, srv, "detach_interface", [("compute_detach_interface", 0.1,
                                                         0.6)])
    return empty(202)


# ----------------------------------------------------------------------------- flavors

def _flavor_sorted(state, req):
    fl = list(state.flavors.values())
    try:
        for param, key in (("minDisk", "disk"), ("minRam", "ram")):
            if req.param(param) is not None:
                fl = [f for f in fl if f[key] >= int(req.param(param))]
    except ValueError:
        raise nova_error(400, "Invalid min_ram or min_disk filter")
    key = req.param("sort_key", "flavorid")
    direction = req.param("sort_dir", "asc")
    keys = {"flavorid": "id", "id": "id", "name": "name", "memory_mb": "ram", "vcpus": "vcpus",
            "root_gb": "disk", "ephemeral_gb": "ephemeral", "swap": "swap",
            "created_at": "id", "description": "name", "disabled": "id", "is_public": "id",
            "rxtx_factor": "id"}
    if key not in keys:
        raise nova_error(400, "Invalid input for query parameters sort_key. Value: %s." % key)
    if direction not in ("asc", "desc"):
        raise nova_error(400, "Invalid input for query parameters sort_dir. Value: %s." % direction)
    fl.sort(key=lambda f: (f[keys[key]], f["id"]), reverse=(direction == "desc"))
    return fl


def list_flavors(state, req, detail):
    fl = _flavor_sorted(state, req)
    path = "flavors/detail" if detail else "flavors"
    page, links = PAGER.page(req, fl, path, "flavors")
    return Response(200, {"flavors": [flavor_view(f, req.mv[1], req.base, detail)
                                      for f in page], **links})


def _get_flavor(state, fid):
    f = state.flavors.get(fid)
    if f is None:
        raise nova_error(404, "Flavor %s could not be found." % fid)
    return f


def show_flavor(state, req, fid):
    return Response(200, {"flavor": flavor_view(_get_flavor(state, fid), req.mv[1], req.base)})


def flavor_extra_specs(state, req, fid, key=None):
    f = _get_flavor(state, fid)
    if req.method != "GET":
        action = {"POST": "create", "PUT": "update", "DELETE": "delete"}.get(req.method, "update")
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-flavor-extra-specs:%s to "
                              "be performed." % action)
    if key is None:
        return Response(200, {"extra_specs": dict(f["extra_specs"])})
    if key not in f["extra_specs"]:
        raise nova_error(404, "Flavor %s has no extra specs with key %s." % (fid, key))
    return Response(200, {key: f["extra_specs"][key]})


# ----------------------------------------------------------------------------- keypairs

#: keypairs page by name (2.35+); no default page, no cap, no check for a negative limit
_KP_PAGER = Pager(lambda req, msg: nova_error(400, msg), "%s/compute/v2.1/", negative=None)
_KP_NAME = operator.itemgetter("name")
_KP_NAME_OLD = re.compile(r"^(?! )[a-zA-Z0-9. _-]+(?<! )$")
_KP_NAME_NEW = re.compile(r"^[a-zA-Z0-9 @._-]+$")


def _kp_view(kp, minor, full=False):
    out = {"name": kp["name"], "public_key": kp["public_key"], "fingerprint": kp["fingerprint"]}
    if minor >= 2:
        out["type"] = kp["type"]
    if full:
        out.update({"user_id": kp["user_id"], "deleted": False,
                    "created_at": iso_micro(kp["created_at"]), "updated_at": None,
                    "deleted_at": None, "id": kp["id"]})
    return out


def list_keypairs(state, req):
    minor = req.mv[1]
    uid = req.ctx["user_id"]
    if req.param("user_id") not in (None, uid):
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-keypairs:index to be "
                              "performed.")
    kps = sorted(state.keypairs.get(uid, {}).values(), key=lambda k: k["id"])
    links = {}
    if minor >= 35:
        kps, links = _KP_PAGER.page(req, kps, "os-keypairs", "keypairs", ident=_KP_NAME)
    return Response(200, {"keypairs": [{"keypair": _kp_view(k, minor)} for k in kps], **links})


def _my_keypair(state, req, name):
    uid = req.ctx["user_id"]
    if name not in state.keypairs.get(uid, {}):
        raise nova_error(404, "Keypair %s not found for user %s" % (name, uid))
    return state.keypairs[uid][name]


def show_keypair(state, req, name):
    return Response(200, {"keypair": _kp_view(_my_keypair(state, req, name), req.mv[1], True)})


_SSH_KEY_TYPES = ("ssh-rsa ", "ssh-ed25519 ", "ecdsa-", "ssh-dss ", "sk-ssh-ed25519@", "sk-ecdsa-")


def _fingerprint(ktype, public_key):
    try:
        if ktype == "x509" and "BEGIN CERTIFICATE" in public_key:
            return x509_fingerprint(public_key)
        if ktype == "ssh" and public_key.strip().startswith(_SSH_KEY_TYPES):
            return fingerprint_of(public_key)
    except ValueError:
        pass
    raise nova_error(400, "Keypair data is invalid: failed to generate fingerprint")


def create_keypair(state, req):
    minor = req.mv[1]
    data = _json_body(req)
    if not isinstance(data, dict) or not isinstance(data.get("keypair"), dict):
        raise nova_error(400, "'keypair' is a required property")
    kp = data["keypair"]
    check_keys("keypair", kp, minor, ("name", "public_key"), (("type", 2, 999),
                                                               ("user_id", 10, 999)))
    if "name" not in kp:
        raise schema_error("keypair", kp, "'name' is a required property")
    if minor >= 92 and "public_key" not in kp:
        raise schema_error("keypair", kp, "'public_key' is a required property")
    name = kp["name"]
    rx = _KP_NAME_NEW if minor >= 92 else _KP_NAME_OLD
    if not isinstance(name, str) or not 1 <= len(name) <= 255 or not rx.match(name):
        raise schema_error("name", name, "%r does not match %r" % (name, rx.pattern))
    ktype = kp.get("type", "ssh")
    if ktype not in ("ssh", "x509"):
        raise schema_error("type", ktype, "%r is not one of ['ssh', 'x509']" % ktype)
    uid = kp.get("user_id") or req.ctx["user_id"]
    if uid != req.ctx["user_id"]:
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-keypairs:create to be "
                              "performed.")
    mine = state.keypairs.setdefault(uid, {})
    if len(mine) >= state.compute[req.ctx["project_id"]].quota["key_pairs"]:
        raise nova_error(403, "Quota exceeded, too many key pairs.")
    if name in mine:
        raise nova_error(409, "Key pair '%s' already exists." % name)
    private = None
    if "public_key" in kp:
        pub = kp["public_key"]
        if not isinstance(pub, str):
            raise schema_error("public_key", pub, "%r is not of type 'string'" % (pub,))
        fp = _fingerprint(ktype, pub)
    elif ktype == "x509":
        raise nova_error(400, "Keypair data is invalid: x509 key pairs can only be imported in "
                              "this demo cloud")
    else:
        state.lock.release()  # generating takes a moment: not under the big lock
        try:
            private, pub, fp = generate_rsa_keypair()
        finally:
            state.lock.acquire()
        if name in mine:
            raise nova_error(409, "Key pair '%s' already exists." % name)
    mine[name] = {"name": name, "public_key": pub, "fingerprint": fp, "type": ktype,
                  "user_id": uid, "created_at": state.now(), "id": next(state.keypair_seq)}
    out = dict(_kp_view(mine[name], minor), user_id=uid)
    if private is not None:
        out["private_key"] = private
    return Response(201 if minor >= 2 else 200, {"keypair": out})


def delete_keypair(state, req, name):
    del state.keypairs[req.ctx["user_id"]][_my_keypair(state, req, name)["name"]]
    return empty(204 if req.mv[1] >= 2 else 202)


# ----------------------------------------------------------------------------- limits etc.

def limits(state, req):
    minor = req.mv[1]
    pc = _pc(state, req)
    n, cores, ram = pc.usage()
    q = pc.quota
    absolute = {"maxServerMeta": q["metadata_items"], "maxTotalCores": q["cores"],
                "maxTotalInstances": q["instances"], "maxTotalKeypairs": q["key_pairs"],
                "maxTotalRAMSize": q["ram"], "maxServerGroups": q["server_groups"],
                "maxServerGroupMembers": q["server_group_members"], "totalCoresUsed": cores,
                "totalInstancesUsed": n, "totalRAMUsed": ram, "totalServerGroupsUsed": 0}
    if minor < 57:
        absolute.update({"maxImageMeta": 128, "maxPersonality": 5,
                         "maxPersonalitySize": 10240})
    if minor < 36:
        pid = req.ctx["project_id"]
        sgs = sum(1 for g in state.security_groups.values() if g["project_id"] == pid)
        fips = sum(1 for f in state.floatingips.values() if f["project_id"] == pid)
        absolute.update({"maxSecurityGroupRules": -1, "maxSecurityGroups": -1,
                         "maxTotalFloatingIps": -1, "totalSecurityGroupsUsed": sgs,
                         "totalFloatingIpsUsed": fips})
    return Response(200, {"limits": {"absolute": absolute, "rate": []}})


#: quotas only older microversions show: (last minor + 1, key, limit)
_QUOTA_EXTRA = ((57, "injected_file_content_bytes", 10240), (57, "injected_file_path_bytes", 255),
                (57, "injected_files", 5), (36, "fixed_ips", -1), (36, "floating_ips", -1),
                (36, "security_group_rules", -1), (36, "security_groups", -1))


def quota_sets(state, req, project_id, suffix):
    minor = req.mv[1]
    if project_id != req.ctx["project_id"]:
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-quota-sets:show to be "
                              "performed.")
    pc = state.compute[project_id]
    n, cores, ram = pc.usage()
    used = {"cores": cores, "instances": n, "ram": ram,
            "key_pairs": len(state.keypairs.get(req.ctx["user_id"], {}))}
    out = {"id": project_id}
    limits = dict(pc.quota, **{k: v for until, k, v in _QUOTA_EXTRA if minor < until})
    for k, limit in limits.items():
        if suffix == "/defaults":
            limit = {"instances": 10, "cores": 20, "ram": 51200}.get(k, limit)
        out[k] = {"in_use": used.get(k, 0), "limit": limit, "reserved": 0} \
            if suffix == "/detail" else limit
    return Response(200, {"quota_set": out})


def availability_zones(state, req, detail=False):
    if detail:
        raise nova_error(403, "Policy doesn't allow os_compute_api:os-availability-zone:detail "
                              "to be performed.")
    return Response(200, {"availabilityZoneInfo": [{"zoneName": AZ, "zoneState": {
        "available": True}, "hosts": None}]})


def server_groups(state, req):
    if req.method == "GET":
        return Response(200, {"server_groups": []})
    raise nova_error(403, "Quota exceeded, too many server groups.")


# ----------------------------------------------------------------------------- versions

#: id -> (path, status, version, min_version, updated, media-type version)
_VERSIONS = {"v2.0": ("/compute/v2/", "DEPRECATED", "", "", "2025-07-04T12:00:00Z", "2"),
             "v2.1": ("/compute/v2.1/", "CURRENT", "%d.%d" % MAX_MV, "%d.%d" % MIN_MV,
                      "2013-07-23T11:33:21Z", "2.1")}


def _version(base, vid, full=True):
    path, status, version, min_version, updated, media = _VERSIONS[vid]
    v = {"id": vid, "links": [{"href": base + path, "rel": "self"}], "status": status,
         "version": version, "min_version": min_version, "updated": updated}
    if full:
        v["links"].append({"href": "http://docs.openstack.org/", "rel": "describedby",
                           "type": "text/html"})
        v["media-types"] = [{"base": "application/json",
                             "type": "application/vnd.openstack.compute+json;version=" + media}]
    return v


# ----------------------------------------------------------------------------- routing

def _not_allowed(req, methods):
    return nova_error(405, "The method specified is not allowed for this resource.",
                      headers={"Allow": ", ".join(methods)})


_SRV = "/servers/" + ID
#: below /servers/{id}: the handler gets the server (tags and consoles check the version first)
_SERVER_ROUTES = [
    ("GET", "", show_server),
    ("PUT", "", update_server),
    ("DELETE", "", delete_server),
    ("POST", "/action", server_action),
    ("GET", "/os-instance-actions", list_instance_actions),
    ("GET", "/os-instance-actions/" + ID, show_instance_action),
    ("GET", "/metadata", metadata_show),
    ("PUT", "/metadata", metadata_write),
    ("POST", "/metadata", functools.partial(metadata_write, merge=True)),
    ("GET", "/metadata/" + ID, meta_show),
    ("PUT", "/metadata/" + ID, meta_set),
    ("DELETE", "/metadata/" + ID, meta_delete),
    ("GET", "/ips", ips),
    ("GET", "/ips/" + ID, ips),
    ("GET", "/os-volume_attachments", volume_attachments.list_attachments),
    ("POST", "/os-volume_attachments", volume_attachments.attach_volume),
    ("DELETE", "/os-volume_attachments/" + ID, volume_attachments.detach_volume),
    ("GET", "/os-interface", iface_list),
    ("POST", "/os-interface", iface_attach),
    ("GET", "/os-interface/" + ID, iface_show),
    ("DELETE", "/os-interface/" + ID, iface_detach),
]
ROUTES = RouteTable([
    ("GET", "/servers", functools.partial(list_servers, detail=False)),
    ("POST", "/servers", create_server),
    ("GET", "/servers/detail", functools.partial(list_servers, detail=True)),
    *[(method, _SRV + path, on_server(fn)) for method, path, fn in _SERVER_ROUTES],
    ("POST", _SRV + "/remote-consoles", remote_console),
    *[(method, _SRV + "/tags" + path, _tag_route(fn)) for method, path, fn in (
        ("GET", "", tags_list), ("PUT", "", tags_replace), ("DELETE", "", tags_clear),
        ("GET", "/" + ID, tag_check), ("PUT", "/" + ID, tag_add),
        ("DELETE", "/" + ID, functools.partial(tag_check, remove=True)))],
    ("GET", "/flavors", functools.partial(list_flavors, detail=False)),
    ("GET", "/flavors/detail", functools.partial(list_flavors, detail=True)),
    ("GET", "/flavors/" + ID, show_flavor),
    ("GET POST", "/flavors/%s/os-extra_specs" % ID, flavor_extra_specs),
    ("GET PUT DELETE", "/flavors/%s/os-extra_specs/%s" % (ID, ID), flavor_extra_specs),
    ("GET", "/os-keypairs", list_keypairs),
    ("POST", "/os-keypairs", create_keypair),
    ("GET", "/os-keypairs/" + ID, show_keypair),
    ("DELETE", "/os-keypairs/" + ID, delete_keypair),
    ("GET", "/limits", limits),
    ("GET", "/os-quota-sets/%s(|/detail|/defaults)" % ID, quota_sets),
    ("GET", "/os-availability-zone", availability_zones),
    ("GET", "/os-availability-zone/detail", functools.partial(availability_zones, detail=True)),
    ("GET POST", "/os-server-groups", server_groups),
], not_allowed=_not_allowed)

_PROJECT_SEG = re.compile(r"^/([0-9a-f]{32}|[0-9a-f-]{36})(/.*)?$")


def error_response(status: int, message: str | None = None, req=None):
    msg = message or {500: "Unexpected API Error. Please report this at "
                           "http://bugs.launchpad.net/nova/ and attach the Nova API log if "
                           "possible.\n<class 'Exception'>"}.get(status, "Error %d" % status)
    return Response(status, error_body(status, msg))


def handle(state, req, sub: str) -> Response:
    try:
        resp = _handle(state, req, sub)
    except HttpError as e:
        _stamp(req, e.headers)
        raise
    _stamp(req, resp.headers)
    return resp


def _stamp(req, headers):
    """Nova's request id and (once parsed) the microversion on every answer, errors too."""
    headers["x-compute-request-id"] = req.request_id
    if req.mv is not None:
        for k, v in (("OpenStack-API-Version", "compute %d.%d" % req.mv),
                     ("X-OpenStack-Nova-API-Version", "%d.%d" % req.mv),
                     ("Vary", "OpenStack-API-Version, X-OpenStack-Nova-API-Version")):
            headers.setdefault(k, v)


def _handle(state, req, sub):
    if sub in ("", "/"):
        return Response(200, {"versions": [_version(req.base, "v2.0", False),
                                           _version(req.base, "v2.1", False)]})
    if sub in ("/v2", "/v2/"):
        return Response(200, {"version": _version(req.base, "v2.0")})
    if not sub.startswith("/v2.1"):
        raise nova_error(404, "The resource could not be found.")
    rest = sub[len("/v2.1"):]
    req.mv = parse_microversion(req)
    if rest in ("", "/"):
        return Response(200, {"version": _version(req.base, "v2.1")})
    with state.lock:
        authenticate(state, req, lambda: nova_error(
            403, "Policy doesn't allow os_compute_api:servers:index to be performed."))
        m = _PROJECT_SEG.match(rest)
        if m and (m.group(1).replace("-", "") == req.ctx["project_id"] or
                  m.group(1) in state.projects):
            if m.group(1).replace("-", "") != req.ctx["project_id"]:
                raise nova_error(400, "Malformed request URL: URL's project_id '%s' doesn't "
                                      "match Context's project_id '%s'"
                                 % (m.group(1), req.ctx["project_id"]))
            rest = m.group(2) or "/"
        found = ROUTES.find(req, rest)
        if found is not None:
            fn, args = found
            return fn(state, req, *args)
    raise nova_error(404, "The resource could not be found.")
