"""Nova v2.1 (served under ``/compute``), microversions 2.1 – 2.96."""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import ipaddress
import json
import random
import re
from bisect import bisect_left
from urllib.parse import urlencode

from . import image as glance
from . import network as neutron
from .compute_views import (
    BASE_B, MAX_MV, MIN_MV, console_log, error_body, flavor_snapshot, flavor_view,
    not_found_server, nova_error, schema_error, server_dict, server_json, addresses,
)
from .http import Response
from .identity import authenticate
from .keygen import fingerprint_of, generate_rsa_keypair, x509_fingerprint
from .state import NOSTATE, PAUSED_PS, RUNNING, SHUTDOWN, Server
from .util import HttpError, host_id, is_uuid_like, iso_micro, parse_iso, sanitize_hostname

HOSTS = ("compute-01", "compute-02", "compute-03", "compute-04")
AZ = "nova"
MAX_LIMIT = 1000

# ----------------------------------------------------------------------------- microversions

_MV_RX = re.compile(r"^([1-9]\d*)\.([1-9]\d*|0)$")


def parse_microversion(req) -> tuple[int, int]:
    val = None
    hdr = req.header("OpenStack-API-Version")
    if hdr:
        for part in hdr.split(","):
            bits = part.strip().split()
            if len(bits) == 2 and bits[0].lower() == "compute":
                val = bits[1]
    if val is None:
        val = req.header("X-OpenStack-Nova-API-Version")
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
                              "maximum is %d.%d." % (val, MIN_MV[0], MIN_MV[1], MAX_MV[0],
                                                     MAX_MV[1]))
    return v


def _mv_headers(mv):
    return {"OpenStack-API-Version": "compute %d.%d" % mv,
            "X-OpenStack-Nova-API-Version": "%d.%d" % mv,
            "Vary": "OpenStack-API-Version, X-OpenStack-Nova-API-Version"}


# ----------------------------------------------------------------------------- helpers

def _json_body(req):
    try:
        data = req.json()
    except ValueError:
        raise nova_error(400, "Malformed request body")
    return data


def _pc(state, req):
    return state.compute[req.ctx["project_id"]]


def _get_server(state, req, sid) -> Server:
    srv = _pc(state, req).servers.get(sid)
    if srv is None:
        raise not_found_server(sid)
    return srv


def _reply_json(status, obj, base, headers=None):
    body = json.dumps(obj).encode().replace(BASE_B, base.encode())
    return Response(status, body, headers=headers)


def _apply(state, srv, gen, change):
    if srv.gen != gen or state.server_index.get(srv.id) is not srv:
        return
    if callable(change):
        change(srv)
    else:
        for k, v in change.items():
            setattr(srv, k, v)
    srv.touch(state.now())


def run_steps(state, srv: Server, steps):
    """Apply ``steps`` = [(delay, change), ...]; delays are cumulative, unscaled seconds."""
    srv.gen += 1
    gen = srv.gen
    t = 0.0
    for delay, change in steps:
        t += delay
        if t <= 0:
            _apply(state, srv, gen, change)
        else:
            state.schedule(t, functools.partial(_apply, state, srv, gen, change))


def _check(srv, action, vm_states=None, task_states=(None,), lock=True):
    if lock and srv.locked:
        raise nova_error(409, "Instance %s is locked" % srv.id)
    if vm_states is not None and srv.vm_state not in vm_states:
        raise nova_error(409, "Cannot '%s' instance %s while it is in vm_state %s"
                         % (action, srv.id, srv.vm_state))
    if task_states is not None and srv.task_state not in task_states:
        raise nova_error(409, "Cannot '%s' instance %s while it is in task_state %s"
                         % (action, srv.id, srv.task_state))


def _ensure_actions(state, srv):
    if srv.actions is not None:
        return srv.actions
    rnd = random.Random("actions:" + srv.id)

    def rid():
        return "req-%08x-%04x-4%03x-a%03x-%012x" % (rnd.getrandbits(32), rnd.getrandbits(16),
                                                   rnd.getrandbits(12), rnd.getrandbits(12),
                                                   rnd.getrandbits(48))
    acts = []
    t = srv.created
    acts.append(_action_rec(srv, "create", rid(), t, [("compute__do_build_and_run_instance",
                                                       t + 0.4, t + 4.2)],
                            message="Error" if srv.vm_state == "error" else None,
                            failed=srv.vm_state == "error"))
    kinds = {"stop": ("stop", "compute_stop_instance"), "pause": ("pause", "compute_pause_instance"),
             "suspend": ("suspend", "compute_suspend_instance"),
             "shelve": ("shelve", "compute_shelve_instance"), "lock": ("lock", None)}
    if srv.seed_kind in kinds:
        name, ev = kinds[srv.seed_kind]
        t2 = srv.updated
        acts.append(_action_rec(srv, name, rid(), t2, [(ev, t2 + 0.2, t2 + 1.1)] if ev else []))
        if srv.seed_kind == "shelve":
            acts[-1]["events"].append({"event": "compute_shelve_offload_instance",
                                       "start_time": t2 + 1.2, "finish_time": t2 + 2.0,
                                       "result": "Success"})
    srv.actions = acts
    return acts


def _action_rec(srv, action, request_id, start, events, message=None, failed=False):
    return {"action": action, "instance_uuid": srv.id, "message": message,
            "project_id": srv.project_id, "request_id": request_id, "start_time": start,
            "user_id": srv.user_id,
            "events": [{"event": e, "start_time": s, "finish_time": f,
                        "result": "Error" if failed else "Success"} for e, s, f in events]}


def record_action(state, req, srv, action, events=(), total=0.0):
    """Log an instance action; events = [(name, start_offset, end_offset)] unscaled seconds."""
    acts = _ensure_actions(state, srv)
    now = state.now()
    sp = state.speed
    acts.append(_action_rec(srv, action, req.request_id, now,
                            [(e, now + a / sp, now + b / sp) for e, a, b in events]))


def _flavor_by_ref(state, ref):
    if ref is None:
        return None
    ref = str(ref)
    if "/" in ref:
        ref = ref.rstrip("/").rsplit("/", 1)[-1]
    return state.flavors.get(ref)


def _image_ref(ref):
    if isinstance(ref, str) and "/" in ref:
        ref = ref.rstrip("/").rsplit("/", 1)[-1]
    return ref


def _validate_image_for_flavor(state, req, image_id, flavor, *, field="imageRef"):
    img = state.images.get(image_id)
    if img is None or not glance.visible(img, req.ctx):
        raise nova_error(400, "Image %s could not be found." % image_id)
    if img["status"] != "active":
        raise nova_error(400, "Image %s is not active." % image_id)
    if flavor["ram"] < (img["min_ram"] or 0):
        raise nova_error(400, "Flavor's memory is too small for requested image.")
    gib = 1024 ** 3
    if flavor["disk"] > 0:
        if (img["size"] or 0) > flavor["disk"] * gib:
            raise nova_error(400, "Flavor's disk is too small for requested image. Flavor disk "
                                  "is %d bytes, image is %d bytes."
                             % (flavor["disk"] * gib, img["size"]))
        if (img["min_disk"] or 0) > flavor["disk"]:
            raise nova_error(400, "Flavor's disk is smaller than the minimum size specified in "
                                  "image metadata. Flavor disk is %d bytes, minimum size is %d "
                                  "bytes." % (flavor["disk"] * gib, img["min_disk"] * gib))
    return img


def _quota_error(resource, req_amount, used, limit):
    return nova_error(403, "Quota exceeded for %s: Requested %s, but already used %s of %s %s"
                      % (resource, req_amount, used, limit, resource))


# ----------------------------------------------------------------------------- servers: list

_SORT_KEYS = {
    "created_at": lambda s: s.created, "updated_at": lambda s: s.updated,
    "display_name": lambda s: s.name, "hostname": lambda s: s.hostname,
    "uuid": lambda s: s.id, "launched_at": lambda s: s.launched_at or 0,
    "vm_state": lambda s: s.vm_state, "task_state": lambda s: s.task_state or "",
    "power_state": lambda s: s.power_state, "key_name": lambda s: s.key_name or "",
    "availability_zone": lambda s: s.az, "image_ref": lambda s: s.image_id or "",
    "instance_type_id": lambda s: s.flavor["id"], "project_id": lambda s: s.project_id,
    "user_id": lambda s: s.user_id, "progress": lambda s: s.progress,
    "display_description": lambda s: s.description or "", "locked": lambda s: s.locked,
    "access_ip_v4": lambda s: s.access_ipv4, "access_ip_v6": lambda s: s.access_ipv6,
    "config_drive": lambda s: s.config_drive, "terminated_at": lambda s: 0,
}


def _filters(state, req, minor):
    flt = []
    name = req.param("name")
    if name:
        try:
            rx = re.compile(name, re.IGNORECASE)
            flt.append(lambda s, rx=rx: rx.search(s.name) is not None)
        except re.error:
            flt.append(lambda s, n=name.lower(): n in s.name.lower())
    statuses = [v.upper() for v in req.params("status") if v]
    if statuses:
        flt.append(lambda s, st=set(statuses): s.status in st)
    image = req.param("image")
    if image:
        image = _image_ref(image)
        flt.append(lambda s, i=image: s.image_id == i)
    flavor = req.param("flavor")
    if flavor:
        flavor = _image_ref(flavor)
        flt.append(lambda s, f=flavor: s.flavor["id"] == f)
    for key, ver in (("ip", 4), ("ip6", 6)):
        val = req.param(key)
        if val and (key == "ip" or minor >= 5):
            try:
                rx = re.compile(val)
            except re.error:
                rx = re.compile(re.escape(val))

            def ipf(s, rx=rx, ver=ver):
                for pid in s.port_ids:
                    p = state.ports.get(pid)
                    if p is None:
                        continue
                    for _sid, ip in p.fixed_ips:
                        if (":" in ip) == (ver == 6) and rx.match(ip):
                            return True
                return False
            flt.append(ipf)
    for key, cmp in (("changes-since", 1), ("changes-before", -1)):
        val = req.param(key)
        if val is not None:
            ts = parse_iso(val)
            if ts is None:
                raise nova_error(400, "Invalid input for query parameters %s. Value: %s. '%s' is "
                                      "not a 'date-time'" % (key, val, val))
            if cmp > 0:
                flt.append(lambda s, ts=ts: s.updated >= ts)
            else:
                flt.append(lambda s, ts=ts: s.updated <= ts)
    if minor >= 26:
        for key in ("tags", "tags-any", "not-tags", "not-tags-any"):
            vals = [t for v in req.params(key) for t in v.split(",") if t]
            if not vals:
                continue
            if key == "tags":
                flt.append(lambda s, v=vals: all(t in s.tags for t in v))
            elif key == "tags-any":
                flt.append(lambda s, v=vals: any(t in s.tags for t in v))
            elif key == "not-tags":
                flt.append(lambda s, v=vals: not all(t in s.tags for t in v))
            else:
                flt.append(lambda s, v=vals: not any(t in s.tags for t in v))
    locked = req.param("locked")
    if locked is not None and minor >= 73:
        if locked.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise nova_error(400, "Invalid input for query parameters locked. Value: %s. '%s' is "
                                  "not one of ['true', 'True', 'TRUE', 'false', 'False', "
                                  "'FALSE']" % (locked, locked))
        want = locked.lower() in ("true", "1", "yes")
        flt.append(lambda s, w=want: s.locked == w)
    if minor >= 83:
        for key, attr in (("key_name", "key_name"), ("availability_zone", "az"),
                          ("vm_state", "vm_state"), ("task_state", "task_state"),
                          ("user_id", "user_id")):
            val = req.param(key)
            if val is not None:
                flt.append(lambda s, a=attr, v=val: str(getattr(s, a)) == v)
        ps = req.param("power_state")
        if ps is not None:
            flt.append(lambda s, v=ps: str(s.power_state) == v)
    return flt


def _parse_limit(req):
    raw = req.param("limit")
    if raw is None:
        return MAX_LIMIT
    try:
        lim = int(raw)
    except ValueError:
        raise nova_error(400, "limit param must be an integer")
    if lim < 0:
        raise nova_error(400, "limit param must be positive")
    return min(lim, MAX_LIMIT)


def _next_link(req, path, marker):
    params = [(k, v) for k, v in req.query if k != "marker"] + [("marker", marker)]
    return [{"href": "%s/compute/v2.1/%s?%s" % (req.base, path, urlencode(params)),
             "rel": "next"}]


def list_servers(state, req, detail: bool):
    minor = req.mv[1]
    at = req.param("all_tenants")
    if at is not None and at.lower() not in ("0", "false", "off", "no"):
        raise nova_error(403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants "
                              "to be performed.")
    pc = _pc(state, req)
    limit = _parse_limit(req)
    marker = req.param("marker")
    flt = _filters(state, req, minor)
    sort_keys = req.params("sort_key")
    sort_dirs = req.params("sort_dir")
    for k in sort_keys:
        if k not in _SORT_KEYS:
            raise nova_error(400, "Invalid input for query parameters sort_key. Value: %s. '%s' "
                                  "is not one of %s" % (k, k, sorted(_SORT_KEYS)))
    for d in sort_dirs:
        if d not in ("asc", "desc"):
            raise nova_error(400, "Invalid input for query parameters sort_dir. Value: %s. '%s' "
                                  "is not one of ['asc', 'desc']" % (d, d))
    page: list[Server] = []
    default_order = (not sort_keys or sort_keys == ["created_at"]) and \
        (not sort_dirs or sort_dirs == ["desc"])
    if default_order:
        seqs = pc.seqs
        if marker:
            mseq = pc.tombstones.get(marker)
            msrv = pc.servers.get(marker)
            if msrv is not None:
                mseq = msrv.seq
            if mseq is None:
                raise nova_error(400, "marker [%s] not found" % marker)
            i = bisect_left(seqs, mseq)
        else:
            i = len(seqs)
        by_seq = pc.by_seq
        j = i - 1
        while j >= 0 and len(page) < limit:
            s = by_seq[seqs[j]]
            j -= 1
            if all(f(s) for f in flt):
                page.append(s)
    else:
        items = [s for s in pc.servers.values() if all(f(s) for f in flt)]
        dirs = sort_dirs or ["desc"] * len(sort_keys)
        if len(dirs) < len(sort_keys):
            dirs = dirs + [dirs[-1]] * (len(sort_keys) - len(dirs))
        for k, d in reversed(list(zip(sort_keys, dirs))):
            items.sort(key=_SORT_KEYS[k], reverse=(d == "desc"))
        if marker:
            ids = [s.id for s in items]
            if marker not in ids:
                raise nova_error(400, "marker [%s] not found" % marker)
            items = items[ids.index(marker) + 1:]
        page = items[:limit]
    kind = "detail" if detail else "brief"
    frags = [server_json(state, s, minor, kind) for s in page]
    body = b'{"servers": [' + b", ".join(frags) + b"]"
    if page and len(page) == limit:
        links = _next_link(req, "servers/detail" if detail else "servers", page[-1].id)
        body += b', "servers_links": ' + json.dumps(links).encode()
    body += b"}"
    return Response(200, body.replace(BASE_B, req.base.encode()))


def show_server(state, req, sid):
    srv = _get_server(state, req, sid)
    frag = server_json(state, srv, req.mv[1], "show")
    return Response(200, (b'{"server": ' + frag + b"}").replace(BASE_B, req.base.encode()))


# ----------------------------------------------------------------------------- servers: create

_CREATE_KEYS = {"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks",
                "OS-DCF:diskConfig", "accessIPv4", "accessIPv6", "availability_zone",
                "block_device_mapping", "block_device_mapping_v2", "config_drive", "key_name",
                "min_count", "max_count", "return_reservation_id", "security_groups",
                "user_data"}


def _create_keys(minor):
    keys = set(_CREATE_KEYS)
    if minor < 57:
        keys.add("personality")
    if minor >= 19:
        keys.add("description")
    if minor >= 52:
        keys.add("tags")
    if minor >= 63:
        keys.add("trusted_image_certificates")
    if minor >= 74:
        keys |= {"host", "hypervisor_hostname"}
    if minor >= 90:
        keys.add("hostname")
    return keys


def _validate_metadata(path, md):
    if not isinstance(md, dict):
        raise schema_error(path, md, "%r is not of type 'object'" % (md,))
    for k, v in md.items():
        if not isinstance(k, str) or not 1 <= len(k) <= 255:
            raise schema_error(path, md, "Additional properties are not allowed (%r was "
                                         "unexpected)" % (k,))
        if not isinstance(v, str):
            raise schema_error(path, md, "%r is not of type 'string'" % (v,))
        if len(v) > 255:
            raise schema_error(path, md, "%r is too long" % (v,))
    if len(md) > 128:
        raise nova_error(403, "Quota exceeded for metadata_items: Requested %d, but already "
                              "used 0 of 128 metadata_items" % len(md))


def _validate_name(path, name, value_for_error):
    if not isinstance(name, str):
        raise schema_error(path, value_for_error, "%r is not of type 'string'" % (name,))
    if not name or len(name) > 255:
        raise schema_error(path, value_for_error, "%r is too %s" % (name, "short" if not name
                                                                    else "long"))
    if name != name.strip():
        raise schema_error(path, value_for_error, "%r does not match '^(?! )[^\\x00-\\x1F"
                                                  "\\x7F]*(?<! )$'" % (name,))


def _available_networks(state, pid):
    return [n for n in state.networks.values()
            if not n["router:external"] and (n["project_id"] == pid or n["shared"])]


def _resolve_networks(state, req, nets, minor):
    """→ list of dicts {"net": network|None, "port": Port|None, "fixed_ip": str|None}."""
    pid = req.ctx["project_id"]
    if nets is None or nets == "auto":
        avail = _available_networks(state, pid)
        if len(avail) > 1:
            raise nova_error(409, "Multiple possible networks found, use a Network ID to be more "
                                  "specific.")
        if not avail:
            raise nova_error(400, "Unable to automatically allocate a network for project %s"
                             % pid)
        return [{"net": avail[0], "port": None, "fixed_ip": None}]
    if nets == "none":
        return []
    out = []
    for item in nets:
        if not isinstance(item, dict):
            raise schema_error("networks", nets, "%r is not of type 'object'" % (item,))
        port_id = item.get("port")
        if port_id:
            port = state.ports.get(port_id)
            if port is None or port.project_id != pid:
                raise nova_error(400, "Port %s could not be found." % port_id)
            if port.device_id:
                raise nova_error(409, "Port %s is still in use." % port_id)
            out.append({"net": state.networks[port.network_id], "port": port, "fixed_ip": None})
            continue
        uuid_ = item.get("uuid")
        if uuid_ is None:
            raise nova_error(400, "Bad network format: missing 'uuid'")
        if not is_uuid_like(uuid_):
            raise nova_error(400, "Bad networks format: network uuid is not in proper format "
                                  "(%s)" % uuid_)
        net = state.networks.get(uuid_)
        if net is None or not neutron.net_visible(net, pid):
            raise nova_error(400, "Network %s could not be found." % uuid_)
        if not net["subnets"]:
            raise nova_error(400, "Network %s requires a subnet in order to boot instances on."
                             % uuid_)
        if net["router:external"] and not net["shared"] and net["project_id"] != pid:
            raise nova_error(403, "It is not allowed to create an interface on external network "
                                  "%s" % uuid_)
        fixed = item.get("fixed_ip")
        if fixed is not None:
            try:
                ipaddress.ip_address(fixed)
            except ValueError:
                raise schema_error("fixed_ip", fixed, "'%s' is not a 'ip-address'" % fixed)
        out.append({"net": net, "port": None, "fixed_ip": fixed})
    return out


def _resolve_sgs(state, pid, sgs):
    if not sgs:
        g = neutron.default_sg(state, pid)
        return [g["id"]] if g else []
    out = []
    for item in sgs:
        name = item.get("name") if isinstance(item, dict) else None
        if not name:
            raise schema_error("security_groups", sgs, "'name' is a required property")
        g = state.security_groups.get(name)
        if g is None or g["project_id"] != pid:
            g = next((x for x in state.security_groups.values()
                      if x["project_id"] == pid and x["name"] == name), None)
        if g is None:
            raise nova_error(400, "Security group %s not found." % name)
        if g["id"] not in out:
            out.append(g["id"])
    return out


def _build_steps(state, srv, host):
    def networked(s):
        s.net_ready = True
        s.task_state = "block_device_mapping"

    def active(s):
        s.vm_state, s.power_state, s.task_state = "active", RUNNING, None
        s.launched_at = state.now()
        s.progress = 0
    return [(0, {"vm_state": "building", "task_state": "scheduling", "power_state": NOSTATE,
                 "net_ready": False}),
            (1.0, {"host": host, "task_state": "networking"}),
            (1.0, networked),
            (1.0, {"task_state": "spawning"}),
            (2.0, active)]


def allocate_ports(state, srv, requested, sg_ids):
    made = []
    try:
        for r in requested:
            if r["port"] is not None:
                port = r["port"]
                state.set_port_device(port, srv.id, "compute:nova")
                port.server = srv
                port.nova_created = False
                made.append(port)
                continue
            fixed = [{"ip_address": r["fixed_ip"]}] if r["fixed_ip"] else None
            port = neutron.make_port(state, network=r["net"], project_id=srv.project_id,
                                     device_id=srv.id, device_owner="compute:nova",
                                     security_groups=sg_ids, fixed_ips=fixed, server=srv)
            made.append(port)
    except HttpError as e:
        for p in made:
            if p.nova_created:
                state.remove_port(p.id)
            else:
                state.set_port_device(p, "", "")
                p.server = None
        msg = "Failed to allocate the network(s), not rescheduling."
        if isinstance(e.body, dict) and "NeutronError" in e.body:
            msg = e.body["NeutronError"]["message"]
        return None, "Build of instance %s aborted: %s" % (srv.id, msg)
    srv.port_ids = [p.id for p in made]
    return made, None


def create_server(state, req):
    minor = req.mv[1]
    data = _json_body(req)
    if not isinstance(data, dict) or "server" not in data:
        raise nova_error(400, "'server' is a required property")
    s = data["server"]
    if not isinstance(s, dict):
        raise schema_error("server", s, "%r is not of type 'object'" % (s,))
    allowed = _create_keys(minor)
    for k in s:
        if k not in allowed:
            raise schema_error("server", s, "Additional properties are not allowed (%r was "
                                            "unexpected)" % k)
    required = ["name", "flavorRef"] + (["networks"] if minor >= 37 else [])
    for k in required:
        if k not in s:
            raise schema_error("server", s, "'%s' is a required property" % k)
    _validate_name("name", s["name"], s["name"])
    pid = req.ctx["project_id"]
    pc = state.compute[pid]
    # networks format
    nets = s.get("networks")
    if minor >= 37:
        if isinstance(nets, str):
            if nets not in ("auto", "none"):
                raise schema_error("networks", nets, "%r is not one of ['none', 'auto']" % nets)
        elif not isinstance(nets, list) or not nets:
            raise schema_error("networks", nets, "%r is not valid under any of the given "
                                                 "schemas" % (nets,))
    elif nets is not None and not isinstance(nets, list):
        raise schema_error("networks", nets, "%r is not of type 'array'" % (nets,))
    # image
    image_id = s.get("imageRef")
    bdm = s.get("block_device_mapping_v2") or []
    boot_from_volume = any(isinstance(b, dict) and str(b.get("boot_index")) == "0" and
                           b.get("destination_type") == "volume" for b in bdm)
    if boot_from_volume:
        raise nova_error(400, "Block Device Mapping is Invalid: failed to get volume: this demo "
                              "cloud has no block storage service.")
    if image_id in (None, ""):
        raise nova_error(400, "Block Device Mapping is Invalid: Boot sequence for the instance "
                              "and image/block device mapping combination is not valid.")
    image_id = _image_ref(image_id)
    if not is_uuid_like(image_id):
        raise schema_error("imageRef", s["imageRef"], "%r is not a 'uuid'" % s["imageRef"])
    flavor = _flavor_by_ref(state, s["flavorRef"])
    if flavor is None:
        raise nova_error(400, "Invalid flavorRef provided.")
    _validate_image_for_flavor(state, req, image_id, flavor)
    # misc fields
    key_name = s.get("key_name")
    if key_name is not None and key_name not in state.keypairs.get(req.ctx["user_id"], {}):
        raise nova_error(400, "Invalid key_name provided.")
    az = s.get("availability_zone")
    if az not in (None, "", AZ):
        raise nova_error(400, "The requested availability zone is not available")
    if "metadata" in s:
        _validate_metadata("metadata", s["metadata"])
    user_data = s.get("user_data")
    if user_data is not None:
        try:
            base64.b64decode(user_data, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise schema_error("user_data", user_data, "%r is not a 'base64'" % (user_data,))
        if len(user_data) > 65535:
            raise schema_error("user_data", user_data, "%r is too long" % (user_data[:20],))
    disk_config = s.get("OS-DCF:diskConfig", "MANUAL")
    if disk_config not in ("AUTO", "MANUAL"):
        raise schema_error("OS-DCF:diskConfig", disk_config, "%r is not one of ['AUTO', "
                                                             "'MANUAL']" % disk_config)
    if "description" in s and s["description"] is not None and \
            (not isinstance(s["description"], str) or len(s["description"]) > 255):
        raise schema_error("description", s["description"], "%r is too long" % s["description"])
    tags = s.get("tags", [])
    if not isinstance(tags, list) or len(tags) > 50 or \
            any(not isinstance(t, str) or "/" in t or "," in t or not 1 <= len(t) <= 60
                for t in tags):
        raise schema_error("tags", tags, "%r is not valid" % (tags,))
    try:
        min_count = int(s.get("min_count", 1))
        max_count = int(s.get("max_count", min_count))
    except (TypeError, ValueError):
        raise schema_error("min_count", s.get("min_count"), "is not of type 'integer'")
    if min_count < 1 or max_count < 1:
        raise schema_error("min_count", min_count, "%d is less than the minimum of 1"
                           % min(min_count, max_count))
    if min_count > max_count:
        raise nova_error(400, "min_count must be <= max_count")
    hostname = s.get("hostname") if minor >= 90 else None
    if hostname is not None and max_count > 1:
        raise nova_error(400, "Cannot specify a hostname when creating multiple instances")
    requested = _resolve_networks(state, req, nets, minor)
    if any(r["port"] is not None for r in requested) and max_count > 1:
        raise nova_error(409, "Unable to launch multiple instances with a single configured "
                              "port ID. Please launch your instance one by one with different "
                              "ports.")
    sg_ids = _resolve_sgs(state, pid, s.get("security_groups"))
    # quota
    count_used, cores_used, ram_used = pc.usage()
    q = pc.quota
    allowed_n = max_count
    for res, used, per in (("instances", count_used, 1), ("cores", cores_used, flavor["vcpus"]),
                           ("ram", ram_used, flavor["ram"])):
        lim = q[res]
        if lim >= 0 and per > 0:
            allowed_n = min(allowed_n, max(0, (lim - used) // per))
    if allowed_n < min_count:
        for res, used, per in (("instances", count_used, 1),
                               ("cores", cores_used, flavor["vcpus"]),
                               ("ram", ram_used, flavor["ram"])):
            if q[res] >= 0 and used + per * min_count > q[res]:
                raise _quota_error(res, per * min_count, used, q[res])
    count = allowed_n
    now = state.now()
    admin_pass = s.get("adminPass") or state.ids.password()
    created = []
    for n in range(count):
        name = s["name"] if count == 1 else "%s-%d" % (s["name"], n + 1)
        seq = state.next_seq()
        srv = Server(
            id=state.ids.uuid(), name=name, project_id=pid, user_id=req.ctx["user_id"],
            seq=seq, created=now, updated=now, flavor=flavor_snapshot(flavor),
            image_id=image_id, key_name=key_name, metadata=dict(s.get("metadata") or {}),
            tags=list(tags), description=s.get("description"), vm_state="building",
            task_state="scheduling", power_state=NOSTATE, az=AZ,
            pinned_az=az or None, host=None, config_drive="True" if s.get("config_drive") else "",
            access_ipv4=s.get("accessIPv4", ""), access_ipv6=s.get("accessIPv6", ""),
            disk_config=disk_config, user_data=user_data,
            hostname=hostname or sanitize_hostname(name), progress=0, net_ready=False,
            admin_pass=admin_pass)
        srv.actions = []
        state.server_index[srv.id] = srv
        pc.add(srv)
        made, err = allocate_ports(state, srv, requested, sg_ids)
        record_action(state, req, srv, "create", [("compute__do_build_and_run_instance", 1, 5)])
        if made is None:
            srv.vm_state, srv.task_state = "error", None
            srv.fault = {"code": 500, "created": now, "message": err}
            srv.actions[-1]["message"] = "Error"
            for ev in srv.actions[-1]["events"]:
                ev["result"] = "Error"
            srv.touch(now)
        else:
            run_steps(state, srv, _build_steps(state, srv, HOSTS[seq % len(HOSTS)]))
        created.append(srv)
    first = created[0]
    if s.get("return_reservation_id"):
        return Response(202, {"reservation_id": "r-%08x" % state.ids.randbits(32)})
    out = {"id": first.id, "links": [
        {"href": "%s/compute/v2.1/servers/%s" % (req.base, first.id), "rel": "self"},
        {"href": "%s/compute/servers/%s" % (req.base, first.id), "rel": "bookmark"}],
        "OS-DCF:diskConfig": disk_config, "adminPass": admin_pass}
    sgn = [{"name": state.security_groups[g]["name"]} for g in sg_ids]
    if sgn:
        out["security_groups"] = sgn
    return Response(202, {"server": out}, headers={
        "Location": "%s/compute/v2.1/servers/%s" % (req.base, first.id)})


def update_server(state, req, sid):
    minor = req.mv[1]
    srv = _get_server(state, req, sid)
    data = _json_body(req)
    if not isinstance(data, dict) or not isinstance(data.get("server"), dict):
        raise nova_error(400, "'server' is a required property")
    s = data["server"]
    allowed = {"name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"}
    if minor >= 19:
        allowed.add("description")
    if minor >= 90:
        allowed.add("hostname")
    for k in s:
        if k not in allowed:
            raise schema_error("server", s, "Additional properties are not allowed (%r was "
                                            "unexpected)" % k)
    if "name" in s:
        _validate_name("name", s["name"], s["name"])
        srv.name = s["name"]
    for k, attr in (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6"),
                    ("OS-DCF:diskConfig", "disk_config"), ("description", "description"),
                    ("hostname", "hostname")):
        if k in s:
            setattr(srv, attr, s[k])
    srv.touch(state.now())
    return _reply_json(200, {"server": server_dict(state, srv, minor, "show")}, req.base)


# ----------------------------------------------------------------------------- delete

def _finish_delete(state, srv):
    if state.server_index.get(srv.id) is not srv:
        return
    pc = state.compute[srv.project_id]
    for pid in list(srv.port_ids):
        port = state.ports.get(pid)
        if port is None:
            continue
        if port.nova_created:
            neutron.delete_port_obj(state, pid)
        else:
            state.set_port_device(port, "", "")
            port.server = None
    if srv.shelved_image_id:
        glance.remove_image(state, srv.shelved_image_id)
    pc.remove(srv)
    pc.tombstones[srv.id] = srv.seq
    if len(pc.tombstones) > 20000:
        for k in list(pc.tombstones)[:5000]:
            del pc.tombstones[k]
    del state.server_index[srv.id]


def delete_server(state, req, sid):
    srv = _get_server(state, req, sid)
    if srv.locked:
        raise nova_error(409, "Instance %s is locked" % srv.id)
    if srv.task_state == "deleting":
        return Response(204, None, content_type=None)
    run_steps(state, srv, [(0, {"task_state": "deleting"}),
                           (1.0, lambda s: _finish_delete(state, s))])
    return Response(204, None, content_type=None)


# ----------------------------------------------------------------------------- actions

def _simple(state, req, srv, action, vm_states, steps, event, *, status=202, lock=True,
            task_states=(None,), record=None):
    _check(srv, action, vm_states, task_states, lock)
    run_steps(state, srv, steps)
    total = sum(d for d, _ in steps)
    record_action(state, req, srv, record or action,
                  [(event, 0.1, max(total, 0.2))] if event else [])
    return Response(status, None, content_type=None)


def act_stop(state, req, srv, arg):
    return _simple(state, req, srv, "stop", ("active", "rescued", "error"),
                   [(0, {"task_state": "powering-off"}),
                    (1.0, {"vm_state": "stopped", "power_state": SHUTDOWN, "task_state": None})],
                   "compute_stop_instance")


def act_start(state, req, srv, arg):
    return _simple(state, req, srv, "start", ("stopped",),
                   [(0, {"task_state": "powering-on"}),
                    (1.0, {"vm_state": "active", "power_state": RUNNING, "task_state": None})],
                   "compute_start_instance")


_REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]


def act_reboot(state, req, srv, arg):
    if not isinstance(arg, dict):
        raise schema_error("reboot", arg, "%r is not of type 'object'" % (arg,))
    if "type" not in arg:
        raise schema_error("reboot", arg, "'type' is a required property")
    rtype = arg["type"]
    if rtype not in _REBOOT_TYPES:
        raise schema_error("type", rtype, "%r is not one of %s" % (rtype, _REBOOT_TYPES))
    if rtype.upper() == "SOFT":
        if srv.locked:
            raise nova_error(409, "Instance %s is locked" % srv.id)
        if srv.vm_state != "active":
            raise nova_error(409, "Cannot 'reboot' instance %s while it is in vm_state %s"
                             % (srv.id, srv.vm_state))
        _check(srv, "reboot", None, (None,), lock=False)
        pre, mid = "reboot_pending", "reboot_started"
    else:
        _check(srv, "reboot", ("active", "stopped", "paused", "suspended", "error"),
               (None, "rebooting", "reboot_pending", "reboot_started", "rebooting_hard",
                "resuming", "unpausing", "pausing", "suspending"))
        pre, mid = "reboot_pending_hard", "reboot_started_hard"
    steps = [(0, {"task_state": pre}), (0.5, {"task_state": mid}),
             (1.0, {"vm_state": "active", "power_state": RUNNING, "task_state": None})]
    run_steps(state, srv, steps)
    record_action(state, req, srv, "reboot", [("compute_reboot_instance", 0.1, 1.5)])
    return Response(202, None, content_type=None)


def act_pause(state, req, srv, arg):
    return _simple(state, req, srv, "pause", ("active",),
                   [(0, {"task_state": "pausing"}),
                    (1.0, {"vm_state": "paused", "power_state": PAUSED_PS, "task_state": None})],
                   "compute_pause_instance")


def act_unpause(state, req, srv, arg):
    return _simple(state, req, srv, "unpause", ("paused",),
                   [(0, {"task_state": "unpausing"}),
                    (1.0, {"vm_state": "active", "power_state": RUNNING, "task_state": None})],
                   "compute_unpause_instance")


def act_suspend(state, req, srv, arg):
    return _simple(state, req, srv, "suspend", ("active",),
                   [(0, {"task_state": "suspending"}),
                    (1.5, {"vm_state": "suspended", "power_state": SHUTDOWN,
                           "task_state": None})],
                   "compute_suspend_instance")


def act_resume(state, req, srv, arg):
    return _simple(state, req, srv, "resume", ("suspended",),
                   [(0, {"task_state": "resuming"}),
                    (1.5, {"vm_state": "active", "power_state": RUNNING, "task_state": None})],
                   "compute_resume_instance")


def act_lock(state, req, srv, arg):
    reason = None
    if req.mv[1] >= 73 and arg is not None:
        if not isinstance(arg, dict) or set(arg) - {"locked_reason"}:
            raise schema_error("lock", arg, "Additional properties are not allowed")
        reason = arg.get("locked_reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            raise schema_error("locked_reason", reason, "%r is not valid" % (reason,))
    srv.locked = True
    srv.locked_reason = reason
    srv.touch(state.now())
    record_action(state, req, srv, "lock")
    return Response(202, None, content_type=None)


def act_unlock(state, req, srv, arg):
    srv.locked = False
    srv.locked_reason = None
    srv.touch(state.now())
    record_action(state, req, srv, "unlock")
    return Response(202, None, content_type=None)


def _snapshot_image(state, srv, name, *, props=None, status="queued", owner=None):
    base = state.images.get(srv.image_id)
    image_props = {"image_type": "snapshot", "instance_uuid": srv.id,
                   "base_image_ref": srv.image_id or "", "user_id": srv.user_id,
                   "owner_user_name": state.users[srv.user_id]["name"],
                   "owner_project_name": state.projects[srv.project_id]["name"],
                   "image_location": "snapshot", "boot_roles": "member,reader"}
    if base is not None:
        for k, v in base["props"].items():
            if k.startswith(("hw_", "os_")):
                image_props.setdefault(k, v)
    image_props.update(props or {})
    return glance.new_image(state, name=name, owner=owner or srv.project_id,
                            visibility="private", disk_format="qcow2", container_format="bare",
                            min_disk=srv.flavor["disk"],
                            min_ram=(base or {}).get("min_ram", 0) or 0, props=image_props,
                            status=status)


def _finish_image(state, image_id, seed):
    img = state.images.get(image_id)
    if img is None:
        return
    size = (12 + random.Random(seed).randrange(24)) * 1024 * 1024 + 196608
    md5, sha = hashlib.md5(), hashlib.sha512()
    for chunk in glance.generated_stream(seed, size, "qcow2"):
        md5.update(chunk)
        sha.update(chunk)
    glance.set_generated_data(state, img, seed, size, md5.hexdigest(), sha.hexdigest())
    img["status"] = "active"
    img["updated_at"] = state.now()


def act_create_image(state, req, srv, arg):
    if not isinstance(arg, dict):
        raise schema_error("createImage", arg, "%r is not of type 'object'" % (arg,))
    if "name" not in arg:
        raise schema_error("createImage", arg, "'name' is a required property")
    name = arg["name"]
    if not isinstance(name, str) or not name.strip() or len(name) > 255:
        raise schema_error("name", name, "%r is not valid" % (name,))
    md = arg.get("metadata", {})
    _validate_metadata("metadata", md)
    _check(srv, "createImage", ("active", "stopped", "paused", "suspended"), (None,), lock=False)
    img = _snapshot_image(state, srv, name, props=md)
    iid = img["id"]

    def uploading(s):
        s.task_state = "image_uploading"
        i = state.images.get(iid)
        if i is not None:
            i["status"] = "saving"

    def done(s):
        s.task_state = None
        _finish_image(state, iid, "snapshot:" + iid)
    run_steps(state, srv, [(0, {"task_state": "image_snapshot"}),
                           (1.0, {"task_state": "image_pending_upload"}),
                           (1.0, uploading), (1.5, done)])
    record_action(state, req, srv, "createImage", [("compute_snapshot_instance", 0.1, 3.5)])
    if req.mv[1] >= 45:
        return Response(202, {"image_id": iid})
    return Response(202, None, content_type=None,
                    headers={"Location": "%s/image/images/%s" % (req.base, iid)})


def _offload_steps(state):
    return [(0.5, {"task_state": "shelving_offloading"}),
            (1.0, {"vm_state": "shelved_offloaded", "power_state": NOSTATE, "task_state": None,
                   "host": None})]


def act_shelve(state, req, srv, arg):
    _check(srv, "shelve", ("active", "stopped", "paused", "suspended"))
    img = _snapshot_image(state, srv, srv.name + "-shelved", props={"shelved": "True"})
    iid = img["id"]
    srv.shelved_image_id = iid

    def shelved(s):
        _finish_image(state, iid, "snapshot:" + iid)
        s.vm_state, s.power_state, s.task_state = "shelved", SHUTDOWN, None
    steps = [(0, {"task_state": "shelving"}),
             (1.0, {"task_state": "shelving_image_pending_upload"}),
             (1.0, {"task_state": "shelving_image_uploading"}),
             (1.0, shelved)] + _offload_steps(state)
    run_steps(state, srv, steps)
    record_action(state, req, srv, "shelve", [("compute_shelve_instance", 0.1, 3.0),
                                              ("compute_shelve_offload_instance", 3.1, 4.5)])
    return Response(202, None, content_type=None)


def act_shelve_offload(state, req, srv, arg):
    return _simple(state, req, srv, "shelveOffload", ("shelved",),
                   [(0, {"task_state": "shelving_offloading"}),
                    (1.0, {"vm_state": "shelved_offloaded", "power_state": NOSTATE,
                           "task_state": None, "host": None})],
                   "compute_shelve_offload_instance")


def act_unshelve(state, req, srv, arg):
    minor = req.mv[1]
    if arg is not None:
        if minor < 77 or not isinstance(arg, dict):
            raise schema_error("unshelve", arg, "%r is not of type 'null'" % (arg,))
        az = arg.get("availability_zone")
        if az not in (None, AZ):
            raise nova_error(400, "The requested availability zone is not available")
    _check(srv, "unshelve", ("shelved", "shelved_offloaded"))
    host = HOSTS[srv.seq % len(HOSTS)]

    def spawned(s):
        s.vm_state, s.power_state, s.task_state = "active", RUNNING, None
        s.launched_at = state.now()
        if s.shelved_image_id:
            glance.remove_image(state, s.shelved_image_id)
            s.shelved_image_id = None
    run_steps(state, srv, [(0, {"task_state": "unshelving"}),
                           (1.0, {"task_state": "spawning", "host": host}),
                           (1.5, spawned)])
    record_action(state, req, srv, "unshelve", [("compute_unshelve_instance", 0.1, 2.5)])
    return Response(202, None, content_type=None)


def act_rescue(state, req, srv, arg):
    if arg is not None and not isinstance(arg, dict):
        raise schema_error("rescue", arg, "%r is not of type 'object'" % (arg,))
    arg = arg or {}
    ref = arg.get("rescue_image_ref")
    if ref is not None:
        ref = _image_ref(ref)
        img = state.images.get(ref)
        if img is None or not glance.visible(img, req.ctx):
            raise nova_error(400, "Image %s could not be found." % ref)
    _check(srv, "rescue", ("active", "stopped", "error"))
    password = arg.get("adminPass") or state.ids.password()
    run_steps(state, srv, [(0, {"task_state": "rescuing"}),
                           (1.5, {"vm_state": "rescued", "power_state": RUNNING,
                                  "task_state": None})])
    record_action(state, req, srv, "rescue", [("compute_rescue_instance", 0.1, 1.5)])
    return Response(200, {"adminPass": password})


def act_unrescue(state, req, srv, arg):
    return _simple(state, req, srv, "unrescue", ("rescued",),
                   [(0, {"task_state": "unrescuing"}),
                    (1.5, {"vm_state": "active", "power_state": RUNNING, "task_state": None})],
                   "compute_unrescue_instance")


def act_resize(state, req, srv, arg):
    if not isinstance(arg, dict):
        raise schema_error("resize", arg, "%r is not of type 'object'" % (arg,))
    if "flavorRef" not in arg:
        raise schema_error("resize", arg, "'flavorRef' is a required property")
    dc = arg.get("OS-DCF:diskConfig")
    if dc is not None and dc not in ("AUTO", "MANUAL"):
        raise schema_error("OS-DCF:diskConfig", dc, "%r is not one of ['AUTO', 'MANUAL']" % dc)
    _check(srv, "resize", ("active", "stopped"))
    new = _flavor_by_ref(state, arg["flavorRef"])
    if new is None:
        raise nova_error(400, "Unable to locate requested flavor.")
    if new["id"] == srv.flavor["id"]:
        raise nova_error(400, "When resizing, instances must change flavor!")
    if new["disk"] < srv.flavor["disk"]:
        raise nova_error(400, "Resize error: Unable to resize disk down.")
    if srv.image_id in state.images:
        img = state.images[srv.image_id]
        if new["ram"] < (img["min_ram"] or 0):
            raise nova_error(400, "Flavor's memory is too small for requested image.")
        if (img["min_disk"] or 0) > new["disk"]:
            gib = 1024 ** 3
            raise nova_error(400, "Flavor's disk is smaller than the minimum size specified in "
                                  "image metadata. Flavor disk is %d bytes, minimum size is %d "
                                  "bytes." % (new["disk"] * gib, img["min_disk"] * gib))
    pc = state.compute[srv.project_id]
    _n, cores, ram = pc.usage()
    dc_ = new["vcpus"] - srv.flavor["vcpus"]
    dr = new["ram"] - srv.flavor["ram"]
    if dc_ > 0 and pc.quota["cores"] >= 0 and cores + dc_ > pc.quota["cores"]:
        raise _quota_error("cores", dc_, cores, pc.quota["cores"])
    if dr > 0 and pc.quota["ram"] >= 0 and ram + dr > pc.quota["ram"]:
        raise _quota_error("ram", dr, ram, pc.quota["ram"])
    snap = flavor_snapshot(new)
    was = srv.vm_state

    def start(s):
        s.task_state = "resize_prep"
        s.old_flavor = dict(s.flavor)
        s.prev_vm_state = was

    def finish(s):
        s.flavor = snap
        s.task_state = "resize_finish"

    def resized(s):
        s.vm_state, s.task_state = "resized", None
        s.power_state = RUNNING if was == "active" else SHUTDOWN
    run_steps(state, srv, [(0, start), (1.0, {"task_state": "resize_migrating"}),
                           (1.0, {"task_state": "resize_migrated"}), (1.0, finish),
                           (1.0, resized)])
    record_action(state, req, srv, "resize", [("compute_prep_resize", 0.1, 1.0),
                                              ("compute_resize_instance", 1.0, 2.0),
                                              ("compute_finish_resize", 3.0, 4.0)])
    return Response(202, None, content_type=None)


def act_confirm_resize(state, req, srv, arg):
    _check(srv, "confirmResize", ("resized",))
    prev = srv.prev_vm_state or "active"

    def done(s):
        s.vm_state = prev
        s.power_state = RUNNING if prev == "active" else SHUTDOWN
        s.old_flavor = None
        s.prev_vm_state = None
    run_steps(state, srv, [(0.5, done)])
    record_action(state, req, srv, "confirmResize", [("compute_confirm_resize", 0.1, 0.5)])
    return Response(204, None, content_type=None)


def act_revert_resize(state, req, srv, arg):
    _check(srv, "revertResize", ("resized",))
    prev = srv.prev_vm_state or "active"

    def done(s):
        if s.old_flavor:
            s.flavor = s.old_flavor
        s.old_flavor = None
        s.vm_state, s.task_state = prev, None
        s.power_state = RUNNING if prev == "active" else SHUTDOWN
        s.prev_vm_state = None
    run_steps(state, srv, [(0, {"task_state": "resize_reverting"}), (1.5, done)])
    record_action(state, req, srv, "revertResize", [("compute_revert_resize", 0.1, 0.8),
                                                    ("compute_finish_revert_resize", 0.8, 1.5)])
    return Response(202, None, content_type=None)


def act_rebuild(state, req, srv, arg):
    minor = req.mv[1]
    if not isinstance(arg, dict):
        raise schema_error("rebuild", arg, "%r is not of type 'object'" % (arg,))
    if "imageRef" not in arg:
        raise schema_error("rebuild", arg, "'imageRef' is a required property")
    allowed = {"imageRef", "name", "adminPass", "metadata", "accessIPv4", "accessIPv6",
               "OS-DCF:diskConfig", "preserve_ephemeral"}
    if minor < 57:
        allowed.add("personality")
    if minor >= 19:
        allowed.add("description")
    if minor >= 54:
        allowed.add("key_name")
    if minor >= 57:
        allowed.add("user_data")
    if minor >= 63:
        allowed.add("trusted_image_certificates")
    if minor >= 90:
        allowed.add("hostname")
    for k in arg:
        if k not in allowed:
            raise schema_error("rebuild", arg, "Additional properties are not allowed (%r was "
                                               "unexpected)" % k)
    image_id = _image_ref(arg["imageRef"])
    if not is_uuid_like(image_id):
        raise schema_error("imageRef", arg["imageRef"], "%r is not a 'uuid'" % arg["imageRef"])
    _check(srv, "rebuild", ("active", "stopped", "error"))
    _validate_image_for_flavor(state, req, image_id, srv.flavor)
    if "name" in arg:
        _validate_name("name", arg["name"], arg["name"])
    if "metadata" in arg:
        _validate_metadata("metadata", arg["metadata"])
    key_name = arg.get("key_name", srv.key_name)
    if "key_name" in arg and key_name is not None and \
            key_name not in state.keypairs.get(req.ctx["user_id"], {}):
        raise nova_error(400, "Invalid key_name provided.")
    password = arg.get("adminPass") or state.ids.password()
    was = srv.vm_state
    srv.image_id = image_id
    if "name" in arg:
        srv.name = arg["name"]
    if "metadata" in arg:
        srv.metadata = dict(arg["metadata"])
    for k, attr in (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6"),
                    ("OS-DCF:diskConfig", "disk_config"), ("description", "description"),
                    ("hostname", "hostname"), ("user_data", "user_data")):
        if k in arg:
            setattr(srv, attr, arg[k])
    srv.key_name = key_name

    def done(s):
        s.vm_state = "stopped" if was == "stopped" else "active"
        s.power_state = SHUTDOWN if was == "stopped" else RUNNING
        s.task_state = None
        s.launched_at = state.now()
    run_steps(state, srv, [(0, {"task_state": "rebuilding"}),
                           (1.0, {"task_state": "rebuild_block_device_mapping"}),
                           (1.0, {"task_state": "rebuild_spawning"}), (1.5, done)])
    record_action(state, req, srv, "rebuild", [("compute_rebuild_instance", 0.1, 3.5)])
    view = server_dict(state, srv, minor, "show")
    view["adminPass"] = password
    if minor >= 57 and minor < 90:
        view.pop("OS-EXT-SRV-ATTR:hostname", None)
    return _reply_json(202, {"server": view}, req.base)


def act_change_password(state, req, srv, arg):
    if not isinstance(arg, dict) or "adminPass" not in arg:
        raise schema_error("changePassword", arg, "'adminPass' is a required property")
    if not isinstance(arg["adminPass"], str):
        raise schema_error("adminPass", arg["adminPass"], "is not of type 'string'")
    return _simple(state, req, srv, "changePassword", ("active",),
                   [(0, {"task_state": "updating_password"}), (1.0, {"task_state": None})],
                   "compute_set_admin_password")


def act_console_output(state, req, srv, arg):
    length = None
    if isinstance(arg, dict):
        length = arg.get("length")
    elif arg is not None:
        raise schema_error("os-getConsoleOutput", arg, "%r is not of type 'object'" % (arg,))
    if length is not None:
        if isinstance(length, bool) or not isinstance(length, (int, str)) or \
                (isinstance(length, str) and not re.match(r"^-?[0-9]+$", length)):
            raise schema_error("length", length, "%r is not valid under any of the given schemas"
                               % (length,))
        length = int(length)
        if length < -1:
            raise schema_error("length", length, "%d is less than the minimum of -1" % length)
    if srv.host is None:
        raise nova_error(409, "Instance %s is not ready" % srv.id)
    lines = console_log(state, srv)
    if length is not None and length >= 0:
        lines = lines[-length:] if length else []
    return Response(200, {"output": "\n".join(lines) + ("\n" if lines else "")})


_CONSOLE_TYPES = {"novnc": "vnc", "xvpvnc": "vnc", "spice-html5": "spice", "serial": "serial",
                  "rdp-html5": "rdp", "webmks": "mks"}


def _console_url(state, req, srv, ctype):
    if srv.host is None or srv.power_state not in (RUNNING, PAUSED_PS):
        raise nova_error(409, "Instance %s is not ready" % srv.id)
    token = state.ids.uuid()
    host = req.base.split("//", 1)[1]
    if ctype == "novnc":
        return "%s/vnc_lite.html?path=%%3Ftoken%%3D%s" % (req.base, token)
    if ctype == "xvpvnc":
        return "%s/console?token=%s" % (req.base, token)
    if ctype == "spice-html5":
        return "%s/spice_auto.html?token=%s" % (req.base, token)
    if ctype == "serial":
        return "ws://%s/serial/?token=%s" % (host, token)
    raise nova_error(400, "Unavailable console type %s." % ctype)


def _legacy_console(action, types):
    def handler(state, req, srv, arg):
        if req.mv[1] > 5:
            raise nova_error(404, "The resource could not be found.")
        if not isinstance(arg, dict) or "type" not in arg:
            raise schema_error(action, arg, "'type' is a required property")
        ctype = arg["type"]
        if ctype not in types:
            raise schema_error("type", ctype, "%r is not one of %s" % (ctype, list(types)))
        url = _console_url(state, req, srv, ctype)
        return Response(200, {"console": {"type": ctype, "url": url}})
    return handler


def act_add_sg(state, req, srv, arg, remove=False):
    name = arg.get("name") if isinstance(arg, dict) else None
    if not name:
        raise schema_error("addSecurityGroup", arg, "'name' is a required property")
    pid = req.ctx["project_id"]
    g = next((x for x in state.security_groups.values()
              if x["project_id"] == pid and (x["name"] == name or x["id"] == name)), None)
    if g is None:
        raise nova_error(404, "Security group %s not found for project %s." % (name, pid))
    ports = [state.ports[p] for p in srv.port_ids if p in state.ports]
    if not ports:
        raise nova_error(400, "Unable to add security group to instance: no ports.")
    for p in ports:
        if remove:
            if g["id"] not in p.security_groups:
                raise nova_error(400, "Security group %s not associated with the instance %s"
                                 % (name, srv.id))
            p.security_groups.remove(g["id"])
        elif g["id"] not in p.security_groups:
            p.security_groups.append(g["id"])
        p.updated = state.now()
    srv.touch(state.now())
    return Response(202, None, content_type=None)


def _admin_only(policy):
    def handler(state, req, srv, arg):
        raise nova_error(403, "Policy doesn't allow %s to be performed." % policy)
    return handler


ACTIONS = {
    "os-stop": act_stop,
    "os-start": act_start,
    "reboot": act_reboot,
    "pause": act_pause,
    "unpause": act_unpause,
    "suspend": act_suspend,
    "resume": act_resume,
    "lock": act_lock,
    "unlock": act_unlock,
    "shelve": act_shelve,
    "shelveOffload": act_shelve_offload,
    "unshelve": act_unshelve,
    "rescue": act_rescue,
    "unrescue": act_unrescue,
    "resize": act_resize,
    "confirmResize": act_confirm_resize,
    "revertResize": act_revert_resize,
    "rebuild": act_rebuild,
    "createImage": act_create_image,
    "changePassword": act_change_password,
    "os-getConsoleOutput": act_console_output,
    "os-getVNCConsole": _legacy_console("os-getVNCConsole", ["novnc", "xvpvnc"]),
    "os-getSPICEConsole": _legacy_console("os-getSPICEConsole", ["spice-html5"]),
    "os-getSerialConsole": _legacy_console("os-getSerialConsole", ["serial"]),
    "os-getRDPConsole": _legacy_console("os-getRDPConsole", ["rdp-html5"]),
    "addSecurityGroup": act_add_sg,
    "removeSecurityGroup": functools.partial(act_add_sg, remove=True),
    "os-resetState": _admin_only("os_compute_api:os-admin-actions:reset_state"),
    "os-resetNetwork": _admin_only("os_compute_api:os-admin-actions:reset_network"),
    "migrate": _admin_only("os_compute_api:os-migrate-server:migrate"),
    "os-migrateLive": _admin_only("os_compute_api:os-migrate-server:migrate_live"),
    "evacuate": _admin_only("os_compute_api:os-evacuate"),
    "forceDelete": _admin_only("os_compute_api:os-deferred-delete:force"),
}


def server_action(state, req, sid):
    srv = _get_server(state, req, sid)
    data = _json_body(req)
    if not isinstance(data, dict) or len(data) != 1:
        raise nova_error(400, "Malformed request body")
    (name, arg), = data.items()
    fn = ACTIONS.get(name)
    if fn is None:
        raise nova_error(400, "There is no such action: %s" % name)
    return fn(state, req, srv, arg)


# ----------------------------------------------------------------------------- sub-resources

def remote_console(state, req, sid):
    minor = req.mv[1]
    if minor < 6:
        raise nova_error(404, "The resource could not be found.")
    srv = _get_server(state, req, sid)
    data = _json_body(req)
    rc = data.get("remote_console") if isinstance(data, dict) else None
    if not isinstance(rc, dict):
        raise nova_error(400, "'remote_console' is a required property")
    protocols = ["vnc", "spice", "rdp", "serial"] + (["mks"] if minor >= 8 else [])
    types = ["novnc", "xvpvnc", "rdp-html5", "spice-html5", "serial"] + \
        (["webmks"] if minor >= 8 else [])
    for k in ("protocol", "type"):
        if k not in rc:
            raise schema_error("remote_console", rc, "'%s' is a required property" % k)
    if rc["protocol"] not in protocols:
        raise schema_error("protocol", rc["protocol"], "%r is not one of %s"
                           % (rc["protocol"], protocols))
    if rc["type"] not in types:
        raise schema_error("type", rc["type"], "%r is not one of %s" % (rc["type"], types))
    if _CONSOLE_TYPES[rc["type"]] != rc["protocol"]:
        raise nova_error(400, "Invalid console type %s" % rc["type"])
    if rc["protocol"] in ("rdp", "mks"):
        raise nova_error(400, "Unavailable console type %s." % rc["type"])
    url = _console_url(state, req, srv, rc["type"])
    return Response(200, {"remote_console": {"protocol": rc["protocol"], "type": rc["type"],
                                             "url": url}})


def _action_view(state, a, minor, with_events):
    now = state.now()
    finish = max([e["finish_time"] for e in a["events"]] or [a["start_time"]])
    out = {"action": a["action"], "instance_uuid": a["instance_uuid"], "message": a["message"],
           "project_id": a["project_id"], "request_id": a["request_id"],
           "start_time": iso_micro(a["start_time"]), "user_id": a["user_id"]}
    if minor >= 58:
        out["updated_at"] = iso_micro(min(finish, now) if finish > a["start_time"]
                                      else a["start_time"])
    if with_events:
        evs = []
        for e in a["events"]:
            done = e["finish_time"] <= now
            ev = {"event": e["event"], "start_time": iso_micro(e["start_time"]),
                  "finish_time": iso_micro(e["finish_time"]) if done else None,
                  "result": e["result"] if done else None}
            if minor >= 62:
                srv = state.server_index.get(a["instance_uuid"])
                ev["hostId"] = host_id(srv.project_id, srv.host or HOSTS[srv.seq % len(HOSTS)]) \
                    if srv is not None else ""
            evs.append(ev)
        out["events"] = evs
    return out


def list_instance_actions(state, req, sid):
    srv = _get_server(state, req, sid)
    minor = req.mv[1]
    acts = sorted(_ensure_actions(state, srv), key=lambda a: a["start_time"], reverse=True)
    if minor >= 58:
        marker = req.param("marker")
        if marker:
            ids = [a["request_id"] for a in acts]
            if marker not in ids:
                raise nova_error(400, "Marker %s could not be found." % marker)
            acts = acts[ids.index(marker) + 1:]
        lim = req.param("limit")
        if lim is not None:
            try:
                n = int(lim)
            except ValueError:
                raise nova_error(400, "Invalid input for query parameters limit. Value: %s." % lim)
            acts = acts[:min(n, MAX_LIMIT)]
    return Response(200, {"instanceActions": [_action_view(state, a, minor, False) for a in acts]})


def show_instance_action(state, req, sid, request_id):
    srv = _get_server(state, req, sid)
    for a in _ensure_actions(state, srv):
        if a["request_id"] == request_id:
            return Response(200, {"instanceAction": _action_view(state, a, req.mv[1], True)})
    raise nova_error(404, "Action for request_id %s on instance %s not found"
                     % (request_id, sid))


def _meta_write_check(srv, action):
    _check(srv, action, ("active", "paused", "suspended", "stopped"), (None,))


def metadata(state, req, sid, key=None):
    srv = _get_server(state, req, sid)
    m = req.method
    if key is None:
        if m == "GET":
            return Response(200, {"metadata": dict(srv.metadata)})
        data = _json_body(req)
        if not isinstance(data, dict) or "metadata" not in data:
            raise schema_error("metadata", data, "'metadata' is a required property")
        _validate_metadata("metadata", data["metadata"])
        _meta_write_check(srv, "update metadata")
        if m == "PUT":
            new = dict(data["metadata"])
        else:
            new = dict(srv.metadata)
            new.update(data["metadata"])
        if len(new) > 128:
            raise nova_error(403, "Quota exceeded for metadata_items: Requested %d, but already "
                                  "used %d of 128 metadata_items" % (len(data["metadata"]),
                                                                     len(srv.metadata)))
        srv.metadata = new
        srv.touch(state.now())
        return Response(200, {"metadata": dict(new)})
    if m == "GET":
        if key not in srv.metadata:
            raise nova_error(404, "Metadata item was not found")
        return Response(200, {"meta": {key: srv.metadata[key]}})
    if m == "PUT":
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
    if m == "DELETE":
        if key not in srv.metadata:
            raise nova_error(404, "Metadata item was not found")
        _meta_write_check(srv, "delete metadata")
        del srv.metadata[key]
        srv.touch(state.now())
        return Response(204, None, content_type=None)
    raise nova_error(405, "The method specified is not allowed for this resource.")


def ips(state, req, sid, label=None):
    srv = _get_server(state, req, sid)
    addrs = addresses(state, srv, detailed=False)
    if label is None:
        return Response(200, {"addresses": addrs})
    if label not in addrs:
        raise nova_error(404, "Instance is not a member of specified network")
    return Response(200, {label: addrs[label]})


def tags(state, req, sid, tag=None):
    if req.mv[1] < 26:
        raise nova_error(404, "The resource could not be found.")
    srv = _get_server(state, req, sid)
    m = req.method
    if tag is None:
        if m == "GET":
            return Response(200, {"tags": list(srv.tags)})
        if m == "PUT":
            data = _json_body(req)
            new = data.get("tags") if isinstance(data, dict) else None
            if not isinstance(new, list) or len(new) > 50 or \
                    any(not isinstance(t, str) or "/" in t or "," in t or not 1 <= len(t) <= 60
                        for t in new):
                raise schema_error("tags", new, "%r is not valid" % (new,))
            srv.tags = list(dict.fromkeys(new))
            srv.touch(state.now())
            return Response(200, {"tags": list(srv.tags)})
        if m == "DELETE":
            srv.tags = []
            srv.touch(state.now())
            return Response(204, None, content_type=None)
    else:
        if m == "GET":
            if tag not in srv.tags:
                raise nova_error(404, "Tag '%s' could not be found." % tag)
            return Response(204, None, content_type=None)
        if m == "PUT":
            if tag in srv.tags:
                return Response(204, None, content_type=None)
            if len(srv.tags) >= 50:
                raise nova_error(400, "The number of tags exceeded the per-server limit 50")
            if "/" in tag or "," in tag or not 1 <= len(tag) <= 60:
                raise schema_error("tag", tag, "%r is not valid" % tag)
            srv.tags.append(tag)
            srv.touch(state.now())
            return Response(201, None, content_type=None, headers={
                "Location": "%s/compute/v2.1/servers/%s/tags/%s" % (req.base, sid, tag)})
        if m == "DELETE":
            if tag not in srv.tags:
                raise nova_error(404, "Tag '%s' could not be found." % tag)
            srv.tags.remove(tag)
            srv.touch(state.now())
            return Response(204, None, content_type=None)
    raise nova_error(405, "The method specified is not allowed for this resource.")


def _iface_view(state, port, minor):
    out = {"fixed_ips": [{"ip_address": ip, "subnet_id": sid} for sid, ip in port.fixed_ips],
           "mac_addr": port.mac, "net_id": port.network_id, "port_id": port.id,
           "port_state": port.current_status()}
    if minor >= 70:
        out["tag"] = None
    return out


def interfaces(state, req, sid, port_id=None):
    srv = _get_server(state, req, sid)
    minor = req.mv[1]
    if req.method == "GET":
        if port_id is None:
            return Response(200, {"interfaceAttachments": [
                _iface_view(state, state.ports[p], minor) for p in srv.port_ids
                if p in state.ports]})
        if port_id not in srv.port_ids or port_id not in state.ports:
            raise nova_error(404, "Port %s is not attached" % port_id)
        return Response(200, {"interfaceAttachment": _iface_view(state, state.ports[port_id],
                                                                  minor)})
    if req.method == "POST" and port_id is None:
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
    if req.method == "DELETE" and port_id is not None:
        if port_id not in srv.port_ids:
            raise nova_error(404, "Port %s is not attached" % port_id)
        _check(srv, "detach_interface", ("active", "paused", "stopped"), (None,))
        port = state.ports.get(port_id)
        if port is not None and port.nova_created:
            neutron.delete_port_obj(state, port_id)
        elif port is not None:
            state.set_port_device(port, "", "")
            port.server = None
            srv.port_ids.remove(port_id)
        srv.touch(state.now())
        record_action(state, req, srv, "detach_interface", [("compute_detach_interface", 0.1,
                                                             0.6)])
        return Response(202, None, content_type=None)
    raise nova_error(405, "The method specified is not allowed for this resource.")


# ----------------------------------------------------------------------------- flavors

def _flavor_sorted(state, req):
    fl = list(state.flavors.values())
    min_disk = req.param("minDisk")
    min_ram = req.param("minRam")
    try:
        if min_disk is not None:
            fl = [f for f in fl if f["disk"] >= int(min_disk)]
        if min_ram is not None:
            fl = [f for f in fl if f["ram"] >= int(min_ram)]
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
    minor = req.mv[1]
    fl = _flavor_sorted(state, req)
    marker = req.param("marker")
    if marker:
        ids = [f["id"] for f in fl]
        if marker not in ids:
            raise nova_error(400, "marker [%s] not found" % marker)
        fl = fl[ids.index(marker) + 1:]
    limit = _parse_limit(req)
    page = fl[:limit]
    body = {"flavors": [flavor_view(f, minor, req.base, detail) for f in page]}
    if page and len(page) == limit:
        body["flavors_links"] = _next_link(req, "flavors/detail" if detail else "flavors",
                                           page[-1]["id"])
    return Response(200, body)


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
    body = {}
    if minor >= 35:
        marker = req.param("marker")
        if marker:
            names = [k["name"] for k in kps]
            if marker not in names:
                raise nova_error(400, "marker [%s] not found" % marker)
            kps = kps[names.index(marker) + 1:]
        lim = req.param("limit")
        if lim is not None:
            try:
                n = int(lim)
            except ValueError:
                raise nova_error(400, "limit param must be an integer")
            kps = kps[:n]
            if kps and len(kps) == n:
                body["keypairs_links"] = _next_link(req, "os-keypairs", kps[-1]["name"])
    body = {"keypairs": [{"keypair": _kp_view(k, minor)} for k in kps], **body}
    return Response(200, body)


def show_keypair(state, req, name):
    uid = req.ctx["user_id"]
    kp = state.keypairs.get(uid, {}).get(name)
    if kp is None:
        raise nova_error(404, "Keypair %s not found for user %s" % (name, uid))
    return Response(200, {"keypair": _kp_view(kp, req.mv[1], full=True)})


def create_keypair(state, req):
    minor = req.mv[1]
    data = _json_body(req)
    if not isinstance(data, dict) or not isinstance(data.get("keypair"), dict):
        raise nova_error(400, "'keypair' is a required property")
    kp = data["keypair"]
    allowed = {"name", "public_key"} | ({"type"} if minor >= 2 else set()) | \
        ({"user_id"} if minor >= 10 else set())
    for k in kp:
        if k not in allowed:
            raise schema_error("keypair", kp, "Additional properties are not allowed (%r was "
                                              "unexpected)" % k)
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
        if ktype == "x509":
            if "BEGIN CERTIFICATE" not in pub:
                raise nova_error(400, "Keypair data is invalid: failed to generate fingerprint")
            fp = x509_fingerprint(pub)
        else:
            if not pub.strip().startswith(("ssh-rsa ", "ssh-ed25519 ", "ecdsa-", "ssh-dss ",
                                           "sk-ssh-ed25519@", "sk-ecdsa-")):
                raise nova_error(400, "Keypair data is invalid: failed to generate fingerprint")
            try:
                fp = fingerprint_of(pub)
            except ValueError:
                raise nova_error(400, "Keypair data is invalid: failed to generate fingerprint")
    else:
        if ktype == "x509":
            raise nova_error(400, "Keypair data is invalid: x509 key pairs can only be "
                                  "imported in this demo cloud")
        # generating takes a moment: do it without holding the big lock
        state.lock.release()
        try:
            private, pub, fp = generate_rsa_keypair()
        finally:
            state.lock.acquire()
        if name in mine:
            raise nova_error(409, "Key pair '%s' already exists." % name)
    rec = {"name": name, "public_key": pub, "fingerprint": fp, "type": ktype, "user_id": uid,
           "created_at": state.now(), "id": next(state.keypair_seq)}
    mine[name] = rec
    out = {"name": name, "public_key": pub, "fingerprint": fp, "user_id": uid}
    if minor >= 2:
        out["type"] = ktype
    if private is not None:
        out["private_key"] = private
    return Response(201 if minor >= 2 else 200, {"keypair": out})


def delete_keypair(state, req, name):
    uid = req.ctx["user_id"]
    mine = state.keypairs.get(uid, {})
    if name not in mine:
        raise nova_error(404, "Keypair %s not found for user %s" % (name, uid))
    del mine[name]
    return Response(204 if req.mv[1] >= 2 else 202, None, content_type=None)


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


def _quota_keys(minor):
    keys = ["cores", "instances", "key_pairs", "metadata_items", "ram", "server_groups",
            "server_group_members"]
    if minor < 57:
        keys += ["injected_file_content_bytes", "injected_file_path_bytes", "injected_files"]
    if minor < 36:
        keys += ["fixed_ips", "floating_ips", "security_group_rules", "security_groups"]
    return keys


_QUOTA_EXTRA = {"injected_file_content_bytes": 10240, "injected_file_path_bytes": 255,
                "injected_files": 5, "fixed_ips": -1, "floating_ips": -1,
                "security_group_rules": -1, "security_groups": -1}


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
    for k in _quota_keys(minor):
        limit = pc.quota.get(k, _QUOTA_EXTRA.get(k, -1))
        if suffix == "/defaults":
            limit = {"instances": 10, "cores": 20, "ram": 51200}.get(k, limit)
        if suffix == "/detail":
            out[k] = {"in_use": used.get(k, 0), "limit": limit, "reserved": 0}
        else:
            out[k] = limit
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

def _version_v21(base, full=True):
    v = {"id": "v2.1", "links": [{"href": base + "/compute/v2.1/", "rel": "self"}],
         "status": "CURRENT", "version": "%d.%d" % MAX_MV, "min_version": "%d.%d" % MIN_MV,
         "updated": "2013-07-23T11:33:21Z"}
    if full:
        v["links"].append({"href": "http://docs.openstack.org/", "rel": "describedby",
                           "type": "text/html"})
        v["media-types"] = [{"base": "application/json",
                             "type": "application/vnd.openstack.compute+json;version=2.1"}]
    return v


def _version_v2(base, full=True):
    v = {"id": "v2.0", "links": [{"href": base + "/compute/v2/", "rel": "self"}],
         "status": "DEPRECATED", "version": "", "min_version": "",
         "updated": "2025-07-04T12:00:00Z"}
    if full:
        v["links"].append({"href": "http://docs.openstack.org/", "rel": "describedby",
                           "type": "text/html"})
        v["media-types"] = [{"base": "application/json",
                             "type": "application/vnd.openstack.compute+json;version=2"}]
    return v


# ----------------------------------------------------------------------------- routing

_S = r"([^/]+)"
ROUTES = [
    (r"/servers", {"GET": lambda st, rq: list_servers(st, rq, False), "POST": create_server}),
    (r"/servers/detail", {"GET": lambda st, rq: list_servers(st, rq, True)}),
    (r"/servers/%s" % _S, {"GET": show_server, "PUT": update_server, "DELETE": delete_server}),
    (r"/servers/%s/action" % _S, {"POST": server_action}),
    (r"/servers/%s/remote-consoles" % _S, {"POST": remote_console}),
    (r"/servers/%s/os-instance-actions" % _S, {"GET": list_instance_actions}),
    (r"/servers/%s/os-instance-actions/%s" % (_S, _S), {"GET": show_instance_action}),
    (r"/servers/%s/metadata" % _S, {"GET": metadata, "PUT": metadata, "POST": metadata}),
    (r"/servers/%s/metadata/%s" % (_S, _S), {"GET": metadata, "PUT": metadata,
                                            "DELETE": metadata}),
    (r"/servers/%s/ips" % _S, {"GET": ips}),
    (r"/servers/%s/ips/%s" % (_S, _S), {"GET": ips}),
    (r"/servers/%s/tags" % _S, {"GET": tags, "PUT": tags, "DELETE": tags}),
    (r"/servers/%s/tags/%s" % (_S, _S), {"GET": tags, "PUT": tags, "DELETE": tags}),
    (r"/servers/%s/os-interface" % _S, {"GET": interfaces, "POST": interfaces}),
    (r"/servers/%s/os-interface/%s" % (_S, _S), {"GET": interfaces, "DELETE": interfaces}),
    (r"/flavors", {"GET": lambda st, rq: list_flavors(st, rq, False)}),
    (r"/flavors/detail", {"GET": lambda st, rq: list_flavors(st, rq, True)}),
    (r"/flavors/%s" % _S, {"GET": show_flavor}),
    (r"/flavors/%s/os-extra_specs" % _S, {"GET": flavor_extra_specs, "POST": flavor_extra_specs}),
    (r"/flavors/%s/os-extra_specs/%s" % (_S, _S), {"GET": flavor_extra_specs,
                                                  "PUT": flavor_extra_specs,
                                                  "DELETE": flavor_extra_specs}),
    (r"/os-keypairs", {"GET": list_keypairs, "POST": create_keypair}),
    (r"/os-keypairs/%s" % _S, {"GET": show_keypair, "DELETE": delete_keypair}),
    (r"/limits", {"GET": limits}),
    (r"/os-quota-sets/%s(|/detail|/defaults)" % _S, {"GET": quota_sets}),
    (r"/os-availability-zone", {"GET": availability_zones}),
    (r"/os-availability-zone/detail", {"GET": lambda st, rq: availability_zones(st, rq, True)}),
    (r"/os-server-groups", {"GET": server_groups, "POST": server_groups}),
]
ROUTES = [(re.compile("^" + p + "/?$"), m) for p, m in ROUTES]

_PROJECT_SEG = re.compile(r"^/([0-9a-f]{32}|[0-9a-f-]{36})(/.*)?$")


def error_response(status: int, message: str | None = None):
    msg = message or {500: "Unexpected API Error. Please report this at "
                           "http://bugs.launchpad.net/nova/ and attach the Nova API log if "
                           "possible.\n<class 'Exception'>"}.get(status, "Error %d" % status)
    return Response(status, error_body(status, msg))


def handle(state, req, sub: str) -> Response:
    headers = {"x-compute-request-id": req.request_id}
    try:
        resp = _handle(state, req, sub)
    except HttpError as e:
        e.headers.update(headers)
        if req.mv is not None:
            for k, v in _mv_headers(req.mv).items():
                e.headers.setdefault(k, v)
        raise
    resp.headers.update(headers)
    if req.mv is not None:
        for k, v in _mv_headers(req.mv).items():
            resp.headers.setdefault(k, v)
    return resp


def _handle(state, req, sub):
    if sub in ("", "/"):
        return Response(200, {"versions": [_version_v2(req.base, False),
                                           _version_v21(req.base, False)]})
    if sub in ("/v2", "/v2/"):
        return Response(200, {"version": _version_v2(req.base)})
    if not sub.startswith("/v2.1"):
        raise nova_error(404, "The resource could not be found.")
    rest = sub[len("/v2.1"):]
    if rest in ("", "/"):
        req.mv = parse_microversion(req)
        return Response(200, {"version": _version_v21(req.base)})
    req.mv = parse_microversion(req)
    with state.lock:
        state.tick()
        authenticate(state, req)
        if req.ctx["project_id"] is None:
            raise nova_error(403, "Policy doesn't allow os_compute_api:servers:index to be "
                                  "performed.")
        m = _PROJECT_SEG.match(rest)
        if m and (m.group(1).replace("-", "") == req.ctx["project_id"] or
                  m.group(1) in state.projects):
            if m.group(1).replace("-", "") != req.ctx["project_id"]:
                raise nova_error(400, "Malformed request URL: URL's project_id '%s' doesn't "
                                      "match Context's project_id '%s'"
                                 % (m.group(1), req.ctx["project_id"]))
            rest = m.group(2) or "/"
        for rx, methods in ROUTES:
            mm = rx.match(rest)
            if mm:
                fn = methods.get(req.method)
                if fn is None:
                    raise nova_error(405, "The method specified is not allowed for this "
                                          "resource.", headers={"Allow": ", ".join(methods)})
                args = [g for g in mm.groups() if g is not None] if fn is not quota_sets \
                    else list(mm.groups())
                return fn(state, req, *args)
    raise nova_error(404, "The resource could not be found.")
