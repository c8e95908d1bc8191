"""Nova servers: shared helpers, list/show, create, update and delete."""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
import json
import operator
import random
import re
from bisect import bisect_left

from . import image as glance
from . import network_model as neutron
from .compute_volumes import boot_volume, make_boot_volume, release_volumes
from .compute_views import (
    BASE_B, flavor_snapshot, links, nova_error, not_found_server, schema_error, server_dict,
    server_json,
)
from .http import Response, empty
from .paging import Pager, equal_filters, keep, tag_filters
from .state import NOSTATE, RUNNING, Server
from .util import HttpError, is_uuid_like, parse_iso, sanitize_hostname

HOSTS = ("compute-01", "compute-02", "compute-03", "compute-04")
AZ = "nova"
MAX_LIMIT = 1000
GIB = 1024 ** 3

#: marker/limit of the server and flavor lists (keypairs and instance actions differ).
PAGER = Pager(lambda req, msg: nova_error(400, msg), "%s/compute/v2.1/", default=MAX_LIMIT,
              cap=MAX_LIMIT)


def _json_body(req):
    try:
        return req.json()
    except ValueError:
        raise nova_error(400, "Malformed request body")


def _pc(state, req):
    return state.compute[req.ctx["project_id"]]


def _get_server(state, req, sid) -> Server:
    srv = _pc(state, req).servers.get(sid)
    if srv is None:
        raise not_found_server(sid)
    return srv


def on_server(fn):
    """A route below ``/servers/{id}``: ``fn`` gets the project's server instead of the id."""
    return lambda state, req, sid, *args: fn(state, req, _get_server(state, req, sid), *args)


def _reply_json(status, obj, base):
    return Response(status, json.dumps(obj).encode().replace(BASE_B, base.encode()))


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
    t, failed = srv.created, srv.vm_state == "error"
    acts = [_action_rec(srv, "create", rid(), t, [("compute__do_build_and_run_instance",
                                                   t + 0.4, t + 4.2)],
                        message="Error" if failed else None, failed=failed)]
    kind, t2 = srv.seed_kind, srv.updated  # the action that left a seeded server as it is
    if kind is not None:
        events = [] if kind == "lock" else [("compute_%s_instance" % kind, t2 + 0.2, t2 + 1.1)]
        if kind == "shelve":
            events.append(("compute_shelve_offload_instance", t2 + 1.2, t2 + 2.0))
        acts.append(_action_rec(srv, kind, rid(), t2, events))
    srv.actions = acts
    return acts


def _action_rec(srv, action, request_id, start, events, message=None, failed=False):
    return {"action": action, "instance_uuid": srv.id, "message": message,
            "project_id": srv.project_id, "request_id": request_id, "start_time": start,
            "user_id": srv.user_id,
            "events": [{"event": e, "start_time": s, "finish_time": f,
                        "result": "Error" if failed else "Success"} for e, s, f in events]}


def record_action(state, req, srv, action, events=()):
    """Log an instance action; events = [(name, start_offset, end_offset)] unscaled seconds."""
    now, sp = state.now(), state.speed
    _ensure_actions(state, srv).append(_action_rec(
        srv, action, req.request_id, now, [(e, now + a / sp, now + b / sp) for e, a, b in events]))


def _flavor_by_ref(state, ref):
    return None if ref is None else state.flavors.get(_image_ref(str(ref)))


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
    check_image_fits(img, flavor)
    return img


def check_image_fits(img, flavor, size=True):
    """The flavor has the image's minimum RAM and disk, and (``size``) room for the image.
    A flavor disk of 0 is the image's size."""
    if flavor["ram"] < (img["min_ram"] or 0):
        raise nova_error(400, "Flavor's memory is too small for requested image.")
    if flavor["disk"] > 0 and size and (img["size"] or 0) > flavor["disk"] * GIB:
        raise nova_error(400, "Flavor's disk is too small for requested image. Flavor disk is %d "
                              "bytes, image is %d bytes." % (flavor["disk"] * GIB, img["size"]))
    if flavor["disk"] > 0 and (img["min_disk"] or 0) > flavor["disk"]:
        raise nova_error(400, "Flavor's disk is smaller than the minimum size specified in image "
                              "metadata. Flavor disk is %d bytes, minimum size is %d bytes."
                         % (flavor["disk"] * GIB, img["min_disk"] * GIB))


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


_SERVER_ID = operator.attrgetter("id")
_ATTR_FILTERS = (("key_name", "key_name"), ("availability_zone", "az"), ("vm_state", "vm_state"),
                 ("task_state", "task_state"), ("user_id", "user_id"),
                 ("power_state", "power_state"))


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
    for key, of in (("image", lambda s: s.image_id), ("flavor", lambda s: s.flavor["id"])):
        if req.param(key):
            flt.append(lambda s, of=of, ref=_image_ref(req.param(key)): of(s) == ref)
    for key, ver in (("ip", 4), ("ip6", 6)):
        val = req.param(key)
        if val and (key == "ip" or minor >= 5):
            try:
                rx = re.compile(val)
            except re.error:
                rx = re.compile(re.escape(val))

            def ipf(s, rx=rx, ver=ver):
                ports = filter(None, map(state.ports.get, s.port_ids))
                return any((":" in ip) == (ver == 6) and rx.match(ip)
                           for p in ports for _sid, ip in p.fixed_ips)
            flt.append(ipf)
    for key, cmp in (("changes-since", operator.ge), ("changes-before", operator.le)):
        val = req.param(key)
        if val is not None:
            ts = parse_iso(val)
            if ts is None:
                raise nova_error(400, "Invalid input for query parameters %s. Value: %s. '%s' is "
                                      "not a 'date-time'" % (key, val, val))
            flt.append(lambda s, ts=ts, cmp=cmp: cmp(s.updated, ts))
    if minor >= 26:
        flt += tag_filters(req, lambda s: s.tags)
    locked = req.param("locked")
    if locked is not None and minor >= 73:
        if locked.lower() not in ("true", "false", "1", "0", "yes", "no"):
            raise nova_error(400, "Invalid input for query parameters locked. Value: %s. '%s' is "
                                  "not one of ['true', 'True', 'TRUE', 'false', 'False', "
                                  "'FALSE']" % (locked, locked))
        want = locked.lower() in ("true", "1", "yes")
        flt.append(lambda s, w=want: s.locked == w)
    if minor >= 83:
        flt += equal_filters(req, _ATTR_FILTERS, lambda s, a: str(getattr(s, a)))
    return flt


def _check_sort(sort_keys, sort_dirs):
    for k in sort_keys:
        if k not in _SORT_KEYS:
            raise nova_error(400, "Invalid input for query parameters sort_key. Value: %s. '%s' "
                                  "is not one of %s" % (k, k, sorted(_SORT_KEYS)))
    for d in sort_dirs:
        if d not in ("asc", "desc"):
            raise nova_error(400, "Invalid input for query parameters sort_dir. Value: %s. '%s' "
                                  "is not one of ['asc', 'desc']" % (d, d))


def _newest_first(req, pc, flt, limit):
    """The default order (created_at desc) walks the creation index from the marker down."""
    seqs, page = pc.seqs, []
    marker = req.param("marker")
    if marker:
        msrv = pc.servers.get(marker)
        mseq = msrv.seq if msrv is not None else pc.tombstones.get(marker)
        if mseq is None:
            raise PAGER.missing_marker(req, marker)
        j = bisect_left(seqs, mseq) - 1
    else:
        j = len(seqs) - 1
    while j >= 0 and len(page) < limit:
        s = pc.by_seq[seqs[j]]
        j -= 1
        if all(f(s) for f in flt):
            page.append(s)
    return page


def _sorted(pc, flt, sort_keys, sort_dirs):
    items = keep(pc.servers.values(), flt)
    dirs = sort_dirs or ["desc"] * len(sort_keys)
    if len(dirs) < len(sort_keys):
        dirs = dirs + [dirs[-1]] * (len(sort_keys) - len(dirs))
    for k, d in reversed(list(zip(sort_keys, dirs))):
        items.sort(key=_SORT_KEYS[k], reverse=(d == "desc"))
    return items


def list_servers(state, req, detail: bool):
    minor = req.mv[1]
    at = req.param("all_tenants")
    if at is not None and at.lower() not in ("0", "false", "off", "no"):
        raise nova_error(403, "Policy doesn't allow os_compute_api:servers:index:get_all_tenants "
                              "to be performed.")
    pc = _pc(state, req)
    limit = PAGER.limit(req)
    flt = _filters(state, req, minor)
    sort_keys, sort_dirs = req.params("sort_key"), req.params("sort_dir")
    _check_sort(sort_keys, sort_dirs)
    path = "servers/detail" if detail else "servers"
    if (not sort_keys or sort_keys == ["created_at"]) and (not sort_dirs or sort_dirs == ["desc"]):
        page = _newest_first(req, pc, flt, limit)
        links = PAGER.links(req, page, limit, path, "servers", _SERVER_ID)
    else:
        items = _sorted(pc, flt, sort_keys, sort_dirs)
        page, links = PAGER.page(req, items, path, "servers", _SERVER_ID, limit)
    kind = "detail" if detail else "brief"
    frags = [server_json(state, s, minor, kind) for s in page]
    body = b'{"servers": [' + b", ".join(frags) + b"]"
    if links:
        body += b', "servers_links": ' + json.dumps(links["servers_links"]).encode()
    body += b"}"
    return Response(200, body.replace(BASE_B, req.base.encode()))


def show_server(state, req, srv):
    frag = server_json(state, srv, req.mv[1], "show")
    return Response(200, (b'{"server": ' + frag + b"}").replace(BASE_B, req.base.encode()))


# ----------------------------------------------------------------------------- servers: create

_CREATE_KEYS = {"name", "imageRef", "flavorRef", "adminPass", "metadata", "networks",
                "OS-DCF:diskConfig", "accessIPv4", "accessIPv6", "availability_zone",
                "block_device_mapping", "block_device_mapping_v2", "config_drive", "key_name",
                "min_count", "max_count", "return_reservation_id", "security_groups",
                "user_data"}


#: (key, first minor, last minor) for keys that come and go with the microversion
_CREATE_MV_KEYS = (("personality", 1, 56), ("description", 19, 999), ("tags", 52, 999),
                   ("trusted_image_certificates", 63, 999), ("host", 74, 999),
                   ("hypervisor_hostname", 74, 999), ("hostname", 90, 999))


def check_keys(where, body, minor, keys, by_mv=()):
    """nova's ``additionalProperties: false``: ``keys``, plus ``by_mv`` rows in range."""
    allowed = set(keys) | {k for k, first, last in by_mv if first <= minor <= last}
    for k in body:
        if k not in allowed:
            raise schema_error(where, body, "Additional properties are not allowed (%r was "
                                            "unexpected)" % k)


#: body keys an update or a rebuild copies to the server as they are
_SERVER_ATTRS = (("accessIPv4", "access_ipv4"), ("accessIPv6", "access_ipv6"),
                 ("OS-DCF:diskConfig", "disk_config"), ("description", "description"),
                 ("hostname", "hostname"), ("user_data", "user_data"))


def set_attrs(srv, body):
    for key, attr in _SERVER_ATTRS:
        if key in body:
            setattr(srv, attr, body[key])


def check_tags(tags):
    if not isinstance(tags, list) or len(tags) > 50 or \
            any(not isinstance(t, str) or "/" in t or "," in t or not 1 <= len(t) <= 60
                for t in tags):
        raise schema_error("tags", tags, "%r is not valid" % (tags,))
    return tags


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
        g = neutron.find_sg(state, pid, name)
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


def release_port(state, port):
    """A server lets go of a port: one nova made goes, one made in neutron stays, unbound."""
    if port.nova_created:
        neutron.delete_port_obj(state, port.id)
    else:
        state.set_port_device(port, "", "")
        port.server = None


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
            release_port(state, p)
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
    check_keys("server", s, minor, _CREATE_KEYS, _CREATE_MV_KEYS)
    for k in ["name", "flavorRef"] + (["networks"] if minor >= 37 else []):
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
    flavor = _flavor_by_ref(state, s["flavorRef"])
    if flavor is None:
        raise nova_error(400, "Invalid flavorRef provided.")
    boot = boot_volume(state, req, bdm if isinstance(bdm, list) else [], flavor)
    if boot is not None:
        image_id = None
    elif image_id in (None, ""):
        raise nova_error(400, "Block Device Mapping is Invalid: Boot sequence for the instance "
                              "and image/block device mapping combination is not valid.")
    else:
        image_id = _image_ref(image_id)
        if not is_uuid_like(image_id):
            raise schema_error("imageRef", s["imageRef"], "%r is not a 'uuid'" % s["imageRef"])
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
    tags = check_tags(s.get("tags", []))
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
    q, allowed_n = pc.quota, max_count
    needs = list(zip(("instances", "cores", "ram"), pc.usage(),
                     (1, flavor["vcpus"], flavor["ram"])))
    for res, used, per in needs:
        if q[res] >= 0 and per > 0:
            allowed_n = min(allowed_n, max(0, (q[res] - used) // per))
    for res, used, per in needs if allowed_n < min_count else ():
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
            if boot is not None:
                make_boot_volume(state, srv, boot)
            run_steps(state, srv, _build_steps(state, srv, HOSTS[seq % len(HOSTS)]))
        created.append(srv)
    first = created[0]
    if s.get("return_reservation_id"):
        return Response(202, {"reservation_id": "r-%08x" % state.ids.randbits(32)})
    own = links("servers", first.id, req.base)
    out = {"id": first.id, "links": own, "OS-DCF:diskConfig": disk_config,
           "adminPass": admin_pass}
    if sg_ids:
        out["security_groups"] = [{"name": state.security_groups[g]["name"]} for g in sg_ids]
    return Response(202, {"server": out}, headers={"Location": own[0]["href"]})


def update_server(state, req, srv):
    minor = req.mv[1]
    data = _json_body(req)
    if not isinstance(data, dict) or not isinstance(data.get("server"), dict):
        raise nova_error(400, "'server' is a required property")
    s = data["server"]
    check_keys("server", s, minor, ("name", "accessIPv4", "accessIPv6", "OS-DCF:diskConfig"),
               (("description", 19, 999), ("hostname", 90, 999)))
    if "name" in s:
        _validate_name("name", s["name"], s["name"])
        srv.name = s["name"]
    set_attrs(srv, s)
    srv.touch(state.now())
    return _reply_json(200, {"server": server_dict(state, srv, minor, "show")}, req.base)


# ----------------------------------------------------------------------------- delete

def _finish_delete(state, srv):
    if state.server_index.get(srv.id) is not srv:
        return
    pc = state.compute[srv.project_id]
    for port in list(filter(None, map(state.ports.get, srv.port_ids))):
        release_port(state, port)
    if srv.shelved_image_id:
        glance.remove_image(state, srv.shelved_image_id)
    release_volumes(state, srv)
    pc.remove(srv)
    pc.tombstones[srv.id] = srv.seq
    if len(pc.tombstones) > 20000:
        for k in list(pc.tombstones)[:5000]:
            del pc.tombstones[k]
    del state.server_index[srv.id]


def delete_server(state, req, srv):
    _check(srv, "delete", task_states=None)  # only the lock
    if srv.task_state == "deleting":
        return empty()
    run_steps(state, srv, [(0, {"task_state": "deleting"}),
                           (1.0, lambda s: _finish_delete(state, s))])
    return empty()

