"""Nova server actions (``POST /servers/{id}/action``), consoles and the action log."""

from __future__ import annotations

import functools
import hashlib
import operator
import random
import re
from typing import Callable, NamedTuple

from . import image as glance
from .compute_servers import (
    AZ, HOSTS, MAX_LIMIT, _check, _ensure_actions, _flavor_by_ref, _get_server, _image_ref,
    _json_body, _quota_error, _reply_json, _validate_image_for_flavor, _validate_metadata,
    _validate_name, check_image_fits, check_keys, record_action, run_steps, set_attrs,
)
from .compute_views import console_log, flavor_snapshot, nova_error, schema_error, server_dict
from .http import Response, empty
from .network_model import find_sg
from .paging import Pager
from .state import NOSTATE, PAUSED_PS, RUNNING, SHUTDOWN
from .util import host_id, is_uuid_like, iso_micro


# ----------------------------------------------------------------------------- same-shape actions

class Transition(NamedTuple):
    """An action that checks the vm_state, shows a busy task_state, then lands in ``done``."""

    name: str  # nova's action name (409 texts, the instance action log)
    vm_states: tuple
    busy: str  # task_state while it runs
    seconds: float  # unscaled duration
    done: dict  # attributes at the end (task_state goes back to None)
    event: str  # instance action event
    check_arg: Callable | None = None  # validates the action's argument first


_ACTIVE = {"vm_state": "active", "power_state": RUNNING}


def _required(action, arg, key):
    """An action's argument must be an object with ``key`` (nova's JSON schema)."""
    if not isinstance(arg, dict):
        raise schema_error(action, arg, "%r is not of type 'object'" % (arg,))
    if key not in arg:
        raise schema_error(action, arg, "'%s' is a required property" % key)


def _check_password_arg(arg):
    if not isinstance(arg, dict) or "adminPass" not in arg:
        raise schema_error("changePassword", arg, "'adminPass' is a required property")
    if not isinstance(arg["adminPass"], str):
        raise schema_error("adminPass", arg["adminPass"], "is not of type 'string'")


TRANSITIONS = {
    "os-stop": Transition("stop", ("active", "rescued", "error"), "powering-off", 1.0,
                          {"vm_state": "stopped", "power_state": SHUTDOWN},
                          "compute_stop_instance"),
    "os-start": Transition("start", ("stopped",), "powering-on", 1.0, _ACTIVE,
                           "compute_start_instance"),
    "pause": Transition("pause", ("active",), "pausing", 1.0,
                        {"vm_state": "paused", "power_state": PAUSED_PS}, "compute_pause_instance"),
    "unpause": Transition("unpause", ("paused",), "unpausing", 1.0, _ACTIVE,
                          "compute_unpause_instance"),
    "suspend": Transition("suspend", ("active",), "suspending", 1.5,
                          {"vm_state": "suspended", "power_state": SHUTDOWN},
                          "compute_suspend_instance"),
    "resume": Transition("resume", ("suspended",), "resuming", 1.5, _ACTIVE,
                         "compute_resume_instance"),
    "unrescue": Transition("unrescue", ("rescued",), "unrescuing", 1.5, _ACTIVE,
                           "compute_unrescue_instance"),
    "shelveOffload": Transition("shelveOffload", ("shelved",), "shelving_offloading", 1.0,
                                {"vm_state": "shelved_offloaded", "power_state": NOSTATE,
                                 "host": None}, "compute_shelve_offload_instance"),
    "changePassword": Transition("changePassword", ("active",), "updating_password", 1.0, {},
                                 "compute_set_admin_password", _check_password_arg),
}


def run_transition(t: Transition, state, req, srv, arg):
    if t.check_arg is not None:
        t.check_arg(arg)
    _check(srv, t.name, t.vm_states)
    run_steps(state, srv, [(0, {"task_state": t.busy}),
                           (t.seconds, dict(t.done, task_state=None))])
    record_action(state, req, srv, t.name, [(t.event, 0.1, max(t.seconds, 0.2))])
    return empty(202)


# ----------------------------------------------------------------------------- other actions

_REBOOT_TYPES = ["HARD", "Hard", "hard", "SOFT", "Soft", "soft"]


def act_reboot(state, req, srv, arg):
    _required("reboot", arg, "type")
    rtype = arg["type"]
    if rtype not in _REBOOT_TYPES:
        raise schema_error("type", rtype, "%r is not one of %s" % (rtype, _REBOOT_TYPES))
    if rtype.upper() == "SOFT":
        _check(srv, "reboot", ("active",))
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
    return empty(202)


def act_lock(state, req, srv, arg, lock=True):
    """lock (with a reason from 2.73 on) and, ``lock=False``, unlock."""
    reason = None
    if lock and req.mv[1] >= 73 and arg is not None:
        if not isinstance(arg, dict) or set(arg) - {"locked_reason"}:
            raise schema_error("lock", arg, "Additional properties are not allowed")
        reason = arg.get("locked_reason")
        if reason is not None and (not isinstance(reason, str) or len(reason) > 255):
            raise schema_error("locked_reason", reason, "%r is not valid" % (reason,))
    srv.locked, srv.locked_reason = lock, reason
    srv.touch(state.now())
    record_action(state, req, srv, "lock" if lock else "unlock")
    return empty(202)


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
    _required("createImage", arg, "name")
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
             (1.0, shelved), (0.5, {"task_state": "shelving_offloading"}),
             (1.0, {"vm_state": "shelved_offloaded", "power_state": NOSTATE, "task_state": None,
                    "host": None})]
    run_steps(state, srv, steps)
    record_action(state, req, srv, "shelve", [("compute_shelve_instance", 0.1, 3.0),
                                              ("compute_shelve_offload_instance", 3.1, 4.5)])
    return empty(202)


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
    return empty(202)


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


def act_resize(state, req, srv, arg):
    _required("resize", arg, "flavorRef")
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
        check_image_fits(state.images[srv.image_id], new, size=False)
    pc = state.compute[srv.project_id]
    _n, cores, ram = pc.usage()
    for res, more, used in (("cores", new["vcpus"] - srv.flavor["vcpus"], cores),
                            ("ram", new["ram"] - srv.flavor["ram"], ram)):
        if more > 0 and pc.quota[res] >= 0 and used + more > pc.quota[res]:
            raise _quota_error(res, more, used, pc.quota[res])
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
    return empty(202)


def act_end_resize(state, req, srv, arg, revert=False):
    """confirmResize keeps the new flavor; revertResize (``revert``) goes back to the old one."""
    name = "revertResize" if revert else "confirmResize"
    _check(srv, name, ("resized",))
    prev = srv.prev_vm_state or "active"

    def done(s):
        if revert:
            s.flavor, s.task_state = s.old_flavor or s.flavor, None
        s.vm_state, s.power_state = prev, RUNNING if prev == "active" else SHUTDOWN
        s.old_flavor = s.prev_vm_state = None
    if not revert:
        run_steps(state, srv, [(0.5, done)])
        record_action(state, req, srv, name, [("compute_confirm_resize", 0.1, 0.5)])
        return empty()
    run_steps(state, srv, [(0, {"task_state": "resize_reverting"}), (1.5, done)])
    record_action(state, req, srv, name, [("compute_revert_resize", 0.1, 0.8),
                                          ("compute_finish_revert_resize", 0.8, 1.5)])
    return empty(202)


_REBUILD_KEYS = ("imageRef", "name", "adminPass", "metadata", "accessIPv4", "accessIPv6",
                 "OS-DCF:diskConfig", "preserve_ephemeral")
_REBUILD_MV_KEYS = (("personality", 1, 56), ("description", 19, 999), ("key_name", 54, 999),
                    ("user_data", 57, 999), ("trusted_image_certificates", 63, 999),
                    ("hostname", 90, 999))


def act_rebuild(state, req, srv, arg):
    minor = req.mv[1]
    _required("rebuild", arg, "imageRef")
    check_keys("rebuild", arg, minor, _REBUILD_KEYS, _REBUILD_MV_KEYS)
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
    set_attrs(srv, arg)
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


_CONSOLE_URLS = {"novnc": "%(base)s/vnc_lite.html?path=%%3Ftoken%%3D%(token)s",
                 "xvpvnc": "%(base)s/console?token=%(token)s",
                 "spice-html5": "%(base)s/spice_auto.html?token=%(token)s",
                 "serial": "ws://%(host)s/serial/?token=%(token)s"}


def _console_url(state, req, srv, ctype):
    if srv.host is None or srv.power_state not in (RUNNING, PAUSED_PS):
        raise nova_error(409, "Instance %s is not ready" % srv.id)
    token = state.ids.uuid()  # drawn even for a type that is then refused
    if ctype not in _CONSOLE_URLS:
        raise nova_error(400, "Unavailable console type %s." % ctype)
    return _CONSOLE_URLS[ctype] % {"base": req.base, "host": req.base.split("//", 1)[1],
                                   "token": token}


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
    g = find_sg(state, pid, name)
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
    return empty(202)


def _admin_only(policy):
    def handler(state, req, srv, arg):
        raise nova_error(403, "Policy doesn't allow os_compute_api:%s to be performed."
                         % policy)
    return handler


ACTIONS = {
    **{name: functools.partial(run_transition, t) for name, t in TRANSITIONS.items()},
    "reboot": act_reboot, "lock": act_lock, "unlock": functools.partial(act_lock, lock=False),
    "shelve": act_shelve, "unshelve": act_unshelve, "rescue": act_rescue, "resize": act_resize,
    "confirmResize": act_end_resize,
    "revertResize": functools.partial(act_end_resize, revert=True),
    "rebuild": act_rebuild, "createImage": act_create_image,
    "os-getConsoleOutput": act_console_output,
    "os-getVNCConsole": _legacy_console("os-getVNCConsole", ["novnc", "xvpvnc"]),
    "os-getSPICEConsole": _legacy_console("os-getSPICEConsole", ["spice-html5"]),
    "os-getSerialConsole": _legacy_console("os-getSerialConsole", ["serial"]),
    "os-getRDPConsole": _legacy_console("os-getRDPConsole", ["rdp-html5"]),
    "addSecurityGroup": act_add_sg,
    "removeSecurityGroup": functools.partial(act_add_sg, remove=True),
    **{name: _admin_only(policy) for name, policy in (
        ("os-resetState", "os-admin-actions:reset_state"),
        ("os-resetNetwork", "os-admin-actions:reset_network"),
        ("migrate", "os-migrate-server:migrate"),
        ("os-migrateLive", "os-migrate-server:migrate_live"),
        ("evacuate", "os-evacuate"), ("forceDelete", "os-deferred-delete:force"))},
}


def server_action(state, req, srv):
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
        out["events"] = evs = []
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
    return out


#: the action log pages by request id, without links and with its own texts
_ACTION_PAGER = Pager(lambda req, msg: nova_error(400, msg), cap=MAX_LIMIT, negative=None,
                      not_int="Invalid input for query parameters limit. Value: %s.",
                      missing="Marker %s could not be found.", links=False)


def list_instance_actions(state, req, srv):
    minor = req.mv[1]
    acts = sorted(_ensure_actions(state, srv), key=lambda a: a["start_time"], reverse=True)
    if minor >= 58:
        acts, _links = _ACTION_PAGER.page(req, acts, ident=operator.itemgetter("request_id"))
    return Response(200, {"instanceActions": [_action_view(state, a, minor, False) for a in acts]})


def show_instance_action(state, req, srv, request_id):
    for a in _ensure_actions(state, srv):
        if a["request_id"] == request_id:
            return Response(200, {"instanceAction": _action_view(state, a, req.mv[1], True)})
    raise nova_error(404, "Action for request_id %s on instance %s not found"
                     % (request_id, srv.id))

