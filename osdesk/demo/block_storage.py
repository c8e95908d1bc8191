"""Cinder (block storage v3) of the demo cloud: volumes, snapshots, types, zones, quotas.

Served at ``/volume/v3`` (the project-id-less URLs of microversion 3.67+; the real
cloud in tests/realcloud has the older ``/v3/<project_id>`` form). Volumes move
through Cinder's statuses on the demo clock (creating → available; attaching →
in-use through Nova; extending; deleting), and errors are Cinder's JSON shapes.
"""

from __future__ import annotations

from .http import Response, empty
from .identity import authenticate
from .paging import Pager
from .routes import ID, RouteTable
from .util import HttpError, iso_micro

AZ = "nova"
TYPES = ({"id": "a1c7b1d0-5d6e-4f38-9f3e-0d8b4f1e6c01", "name": "__DEFAULT__",
          "description": "Default Volume Type"},
         {"id": "b7e2f9a4-2c1d-4e8b-8a6f-3f0c9d2e7b12", "name": "fast-ssd",
          "description": "SSD-backed pool"})
DEFAULT_QUOTA = {"volumes": 10, "gigabytes": 1000, "snapshots": 10, "backups": 10}
#: where Cinder lets a volume be deleted (cinder/volume/api.py delete())
DELETABLE = ("available", "error", "error_restoring", "error_extending", "error_managing")
_DELETE_REFUSED = ("Invalid volume: Volume status must be available or error or error_restoring "
                   "or error_extending or error_managing and must not be migrating, attached, "
                   "belong to a group, have snapshots, awaiting a transfer, or be disassociated "
                   "from snapshots after volume transfer.")


def cinder_error(status: int, message: str) -> HttpError:
    kind = {400: "badRequest", 403: "forbidden", 404: "itemNotFound", 413: "overLimit"}.get(
        status, "computeFault")
    body = {kind: {"code": status, "message": message}}
    if status == 413:
        body[kind]["retryAfter"] = "0"
    return HttpError(status, body)


def error_response(status: int, message: str | None = None, req=None) -> Response:
    return Response(status, cinder_error(status, message or "Error %d" % status).body)


_PAGER = Pager(lambda req, msg: cinder_error(400, msg), "%s/volume/v3/", default=1000,
               not_int="Invalid input received: limit = %s is not an integer",
               negative="Invalid input received: limit = %s must be >= 0",
               missing="Invalid input received: marker [%s] not found")


def volumes(state) -> dict:
    return vars(state).setdefault("volumes", {})


def snapshots(state) -> dict:
    return vars(state).setdefault("volume_snapshots", {})


# ----------------------------------------------------------------------------- views
def volume_view(state, v: dict) -> dict:
    out = {k: v[k] for k in ("id", "name", "description", "size", "status", "volume_type",
                             "bootable", "snapshot_id", "source_volid", "metadata",
                             "multiattach", "encrypted", "user_id")}
    out.update({"availability_zone": AZ, "created_at": iso_micro(v["created"]),
                "updated_at": iso_micro(v["updated"]), "consistencygroup_id": None,
                "replication_status": None, "migration_status": None,
                "os-vol-tenant-attr:tenant_id": v["project_id"],
                "attachments": [dict(a) for a in v["attachments"]],
                "links": [{"href": "%s/volume/v3/volumes/%s" % (state.base_url, v["id"]),
                           "rel": "self"}]})
    if v.get("image"):
        out["volume_image_metadata"] = dict(v["image"])
    return out


def snapshot_view(state, s: dict) -> dict:
    out = {k: s[k] for k in ("id", "name", "description", "size", "status", "volume_id",
                             "metadata")}
    out.update({"created_at": iso_micro(s["created"]), "updated_at": iso_micro(s["updated"]),
                "os-extended-snapshot-attributes:project_id": s["project_id"],
                "os-extended-snapshot-attributes:progress": "100%"
                if s["status"] == "available" else "0%"})
    return out


# ----------------------------------------------------------------------------- the model
def used(state, pid: str) -> dict:
    vols = [v for v in volumes(state).values() if v["project_id"] == pid]
    snaps = [s for s in snapshots(state).values() if s["project_id"] == pid]
    return {"volumes": len(vols), "snapshots": len(snaps), "backups": 0,
            "gigabytes": sum(v["size"] for v in vols) + sum(s["size"] for s in snaps)}


def quota(state, pid: str) -> dict:
    return vars(state).setdefault("volume_quota", {}).setdefault(pid, dict(DEFAULT_QUOTA))


def check_quota(state, pid: str, volumes_more: int = 0, gigabytes_more: int = 0,
                snapshots_more: int = 0) -> None:
    limits, now = quota(state, pid), used(state, pid)
    for key, more in (("volumes", volumes_more), ("snapshots", snapshots_more)):
        if more and 0 <= limits[key] < now[key] + more:
            raise cinder_error(413, "VolumeLimitExceeded: Maximum number of %s allowed (%d) "
                                    "exceeded for quota '%s'." % (key, limits[key], key))
    if gigabytes_more and 0 <= limits["gigabytes"] < now["gigabytes"] + gigabytes_more:
        raise cinder_error(413, "VolumeSizeExceedsAvailableQuota: Requested volume or snapshot "
                                "exceeds allowed gigabytes quota. Requested %sG, quota is %sG "
                                "and %sG has been consumed."
                           % (gigabytes_more, limits["gigabytes"], now["gigabytes"]))


def new_volume(state, pid: str, uid: str, size: int, *, name="", description=None,
               volume_type="__DEFAULT__", image=None, snapshot_id=None, source_volid=None,
               status="creating") -> dict:
    now = state.now()
    vol = {"id": state.ids.uuid(), "name": name, "description": description, "size": size,
           "status": status, "volume_type": volume_type, "project_id": pid, "user_id": uid,
           "bootable": "true" if image else "false", "snapshot_id": snapshot_id,
           "source_volid": source_volid, "metadata": {}, "multiattach": False,
           "encrypted": False, "attachments": [], "created": now, "updated": now,
           "image": image}
    volumes(state)[vol["id"]] = vol
    return vol


def set_status(state, vol: dict, status: str) -> None:
    vol["status"] = status
    vol["updated"] = state.now()


def later(state, seconds: float, vol: dict, status: str, then=None, table=volumes) -> None:
    """``vol`` (or a snapshot, with ``table=snapshots``) goes to ``status`` after
    ``seconds`` on the demo clock (if it still exists)."""
    def go():
        if vol["id"] in table(state):
            set_status(state, vol, status)
            if then is not None:
                then()
    state.schedule(seconds, go)


def attach(state, vol: dict, server_id: str, device: str, *, at_once: bool = False) -> dict:
    """Nova's side of an attachment: the volume is in-use by ``server_id`` at ``device``."""
    att = {"id": vol["id"], "attachment_id": state.ids.uuid(), "volume_id": vol["id"],
           "server_id": server_id, "host_name": None, "device": device,
           "attached_at": iso_micro(state.now())}
    vol["attachments"].append(att)
    _move(state, vol, "attaching", "in-use", at_once)
    return att


def detach(state, vol: dict, server_id: str, *, at_once: bool = False) -> None:
    vol["attachments"] = [a for a in vol["attachments"] if a["server_id"] != server_id]
    _move(state, vol, "detaching", "available", at_once)


def _move(state, vol: dict, busy: str, done: str, at_once: bool) -> None:
    """``vol`` is ``done`` now (``at_once``), else ``busy`` for 1.5 s of demo clock."""
    set_status(state, vol, done if at_once else busy)
    if not at_once:
        later(state, 1.5, vol, done)


def attached_to(state, server_id: str) -> list[dict]:
    return [v for v in volumes(state).values()
            if any(a["server_id"] == server_id for a in v["attachments"])]


def volumes_attached(state, server_id: str) -> list[dict]:
    """A nova server's ``os-extended-volumes:volumes_attached``."""
    if "block-storage" not in state.services:
        return []
    return [{"id": v["id"], "delete_on_termination": bool(v.get("delete_on_termination"))}
            for v in attached_to(state, server_id)]


# ----------------------------------------------------------------------------- handlers
def _body(req, member: str) -> dict:
    try:
        data = req.json()
    except ValueError:
        raise cinder_error(400, "Malformed request body")
    if not isinstance(data, dict) or not isinstance(data.get(member), dict):
        raise cinder_error(400, "Missing required element '%s' in request body." % member)
    return data[member]


def _own(state, req, table: dict, ident: str, what: str) -> dict:
    row = table.get(ident)
    if row is None or row["project_id"] != req.ctx["project_id"]:
        raise cinder_error(404, "%s %s could not be found." % (what, ident))
    return row


def _listing(table, view, key):
    def handler(state, req, detail=True):
        rows = sorted((r for r in table(state).values()
                       if r["project_id"] == req.ctx["project_id"]),
                      key=lambda r: (-r["created"], r["id"]))
        for field in ("status", "name"):
            if req.param(field):
                rows = [r for r in rows if r.get(field) == req.param(field)]
        page, links = _PAGER.page(req, rows, key + ("/detail" if detail else ""), key)
        items = [view(state, r) if detail else
                 {"id": r["id"], "name": r["name"], "links": []} for r in page]
        return Response(200, dict({key: items}, **links))
    return handler


def _size(value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)) or not str(value).isdigit():
        raise cinder_error(400, "Invalid input received: Size must be an integer and greater "
                                "than 0 (size: %r)" % (value,))
    size = int(value)
    if size < 1:
        raise cinder_error(400, "Invalid input received: Size must be an integer and greater "
                                "than 0 (size: %s)" % size)
    return size


def create_volume(state, req):
    attrs = _body(req, "volume")
    pid, uid = req.ctx["project_id"], req.ctx["user_id"]
    image = snapshot = None
    if attrs.get("snapshot_id"):
        snapshot = _own(state, req, snapshots(state), attrs["snapshot_id"], "Snapshot")
    size = _size(attrs.get("size", snapshot["size"] if snapshot else None))
    if snapshot is not None and size < snapshot["size"]:
        raise cinder_error(400, "Invalid input received: Volume size '%s'GB cannot be smaller "
                                "than the snapshot size %sGB. They must be >= original snapshot "
                                "size." % (size, snapshot["size"]))
    if attrs.get("imageRef"):
        image = image_for_volume(state, req, attrs["imageRef"], size)
    vtype = attrs.get("volume_type") or "__DEFAULT__"
    if vtype not in {t["name"] for t in TYPES} | {t["id"] for t in TYPES}:
        raise cinder_error(404, "Volume type with name %s could not be found." % vtype)
    if attrs.get("availability_zone") not in (None, "", AZ):
        raise cinder_error(400, "Invalid input received: Availability zone '%s' is invalid."
                           % attrs["availability_zone"])
    check_quota(state, pid, volumes_more=1, gigabytes_more=size)
    vol = new_volume(state, pid, uid, size, name=attrs.get("name") or "",
                     description=attrs.get("description"), volume_type=vtype, image=image,
                     snapshot_id=snapshot["id"] if snapshot else None)
    later(state, 4.0 if image else 2.0, vol, "available")
    return Response(202, {"volume": volume_view(state, vol)})


def image_for_volume(state, req, image_ref: str, size: int) -> dict:
    """Glance's image as Cinder checks it: active, and no bigger than the volume."""
    img = getattr(state, "images", {}).get(image_ref)
    if img is None:
        raise cinder_error(400, "Invalid image identifier or unable to access requested image.")
    if img.get("status") != "active":
        raise cinder_error(400, "Invalid input received: Image %s is not active." % image_ref)
    need = max(int(img.get("min_disk") or 0), -(-int(img.get("size") or 0) // 2 ** 30))
    if size < need:
        raise cinder_error(400, "Invalid input received: Image minDisk size %s is larger than "
                                "the volume size %s." % (need, size))
    return {"image_id": image_ref, "image_name": img.get("name") or ""}


def update_volume(state, req, ident):
    vol = _own(state, req, volumes(state), ident, "Volume")
    attrs = _body(req, "volume")
    for key in ("name", "description"):
        if key in attrs:
            vol[key] = attrs[key]
    vol["updated"] = state.now()
    return Response(200, {"volume": volume_view(state, vol)})


def delete_volume(state, req, ident):
    vol = _own(state, req, volumes(state), ident, "Volume")
    has_snapshots = any(s["volume_id"] == ident for s in snapshots(state).values())
    if vol["status"] not in DELETABLE or vol["attachments"] or has_snapshots:
        raise cinder_error(400, _DELETE_REFUSED)
    set_status(state, vol, "deleting")
    state.schedule(1.5, lambda: volumes(state).pop(ident, None))
    return empty(202)


def volume_action(state, req, ident):
    vol = _own(state, req, volumes(state), ident, "Volume")
    data = req.json(None)
    if not isinstance(data, dict) or "os-extend" not in data:
        raise cinder_error(400, "There is no such action: %s" % (
            next(iter(data), "") if isinstance(data, dict) else ""))
    new = _size((data["os-extend"] or {}).get("new_size"))
    if vol["status"] not in ("available", "in-use"):
        raise cinder_error(400, "Invalid volume: Volume %s status must be available or in-use, "
                                "but current status is: %s." % (ident, vol["status"]))
    if new <= vol["size"]:
        raise cinder_error(400, "Invalid input received: New size for extend must be greater "
                                "than current size. (current: %s, extended: %s)."
                           % (vol["size"], new))
    check_quota(state, vol["project_id"], gigabytes_more=new - vol["size"])
    back = vol["status"]
    set_status(state, vol, "extending")

    def grown():
        vol["size"] = new
    later(state, 1.5, vol, back, then=grown)
    return empty(202)


def create_snapshot(state, req):
    attrs = _body(req, "snapshot")
    vol = _own(state, req, volumes(state), str(attrs.get("volume_id")), "Volume")
    force = str(attrs.get("force", False)).lower() == "true"
    if vol["status"] != "available" and not (force and vol["status"] == "in-use"):
        raise cinder_error(400, "Invalid volume: Volume %s status must be available, but current "
                                "status is: %s." % (vol["id"], vol["status"]))
    check_quota(state, vol["project_id"], snapshots_more=1, gigabytes_more=vol["size"])
    snap = new_snapshot(state, vol, attrs.get("name") or "", attrs.get("description"),
                        "creating", state.now())
    later(state, 2.0, snap, "available", table=snapshots)
    return Response(202, {"snapshot": snapshot_view(state, snap)})


def new_snapshot(state, vol: dict, name: str, description, status: str, now: float) -> dict:
    snap = {"id": state.ids.uuid(), "name": name, "description": description,
            "size": vol["size"], "status": status, "volume_id": vol["id"],
            "project_id": vol["project_id"], "metadata": {}, "created": now, "updated": now}
    snapshots(state)[snap["id"]] = snap
    return snap


def _show(table, view, member, what):
    def handler(state, req, ident):
        return Response(200, {member: view(state, _own(state, req, table(state), ident, what))})
    return handler


def delete_snapshot(state, req, ident):
    snap = _own(state, req, snapshots(state), ident, "Snapshot")
    if snap["status"] not in ("available", "error"):
        raise cinder_error(400, "Invalid snapshot: Volume Snapshot status must be available or "
                                "error.")
    snap["status"] = "deleting"
    state.schedule(1.0, lambda: snapshots(state).pop(ident, None))
    return empty(202)


def list_types(state, req):
    return Response(200, {"volume_types": [dict(t, is_public=True, extra_specs={})
                                           for t in TYPES]})


def availability_zones(state, req):
    return Response(200, {"availabilityZoneInfo": [{"zoneName": AZ,
                                                    "zoneState": {"available": True}}]})


def quota_set(state, req, project_id):
    if project_id != req.ctx["project_id"] and "admin" not in req.ctx["roles"]:
        raise cinder_error(403, "Policy doesn't allow volume_extension:quotas:show to be "
                                "performed.")
    limits, now = quota(state, project_id), used(state, project_id)
    usage = (req.param("usage") or "").lower() == "true"
    body = {key: ({"limit": limit, "in_use": now[key], "reserved": 0} if usage else limit)
            for key, limit in limits.items()}
    body["id"] = project_id
    return Response(200, {"quota_set": body})


_VOL, _SNAP = "/volumes/" + ID, "/snapshots/" + ID
_list_volumes = _listing(volumes, volume_view, "volumes")
_list_snapshots = _listing(snapshots, snapshot_view, "snapshots")
_ROUTES = RouteTable([
    ("GET", "/volumes", lambda st, rq: _list_volumes(st, rq, False)),
    ("GET", "/volumes/detail", _list_volumes),
    ("POST", "/volumes", create_volume),
    ("GET", _VOL, _show(volumes, volume_view, "volume", "Volume")),
    ("PUT", _VOL, update_volume),
    ("DELETE", _VOL, delete_volume),
    ("POST", _VOL + "/action", volume_action),
    ("GET", "/snapshots", lambda st, rq: _list_snapshots(st, rq, False)),
    ("GET", "/snapshots/detail", _list_snapshots),
    ("POST", "/snapshots", create_snapshot),
    ("GET", _SNAP, _show(snapshots, snapshot_view, "snapshot", "Snapshot")),
    ("DELETE", _SNAP, delete_snapshot),
    ("GET", "/types", list_types),
    ("GET", "/os-availability-zone", availability_zones),
    ("GET", "/os-quota-sets/" + ID, quota_set),
])


def _versions(base: str) -> dict:
    return {"versions": [{"id": "v3.0", "status": "CURRENT", "version": "3.70",
                          "min_version": "3.0", "updated": "2023-08-31T00:00:00Z",
                          "links": [{"href": base + "/volume/v3/", "rel": "self"}],
                          "media-types": [{"base": "application/json",
                                           "type": "application/vnd.openstack.volume+json;"
                                                   "version=3"}]}]}


def handle(state, req, sub: str) -> Response:
    if sub in ("", "/"):
        return Response(300, _versions(req.base))
    if sub in ("/v3", "/v3/"):
        return Response(200, {"version": _versions(req.base)["versions"][0]})
    if not sub.startswith("/v3/"):
        raise cinder_error(404, "The resource could not be found.")
    with state.lock:
        authenticate(state, req, lambda: cinder_error(
            403, "Policy doesn't allow volume:get_all to be performed."))
        found = _ROUTES.find(req, sub[len("/v3"):])
        if found is None:
            raise cinder_error(404, "The resource could not be found.")
        fn, args = found
        resp = fn(state, req, *args)
    resp.headers["OpenStack-API-Version"] = "volume 3.0"
    return resp


# ----------------------------------------------------------------------------- seed
def seed_volumes(state, pid: str, uid: str, servers: list, image: dict | None, now: float):
    """A project's volumes: one attached to a database server, free ones, a bootable one
    made from an image, one in error, and a nightly snapshot."""
    db = next((s for s in servers if s.name.startswith("db-")), servers[0] if servers else None)
    rows = [("db-data", 100, "fast-ssd", "Data of the primary database"),
            ("logs", 20, "__DEFAULT__", None), ("backup-2026", 50, "__DEFAULT__", None),
            ("scratch", 10, "__DEFAULT__", "failed on the backend")]
    made = {}
    for i, (name, size, vtype, description) in enumerate(rows):
        vol = new_volume(state, pid, uid, size, name=name, description=description,
                         volume_type=vtype, status="error" if name == "scratch" else "available")
        vol["created"] = vol["updated"] = now - (40 - i * 7) * 86400.0
        made[name] = vol
    if image is not None:
        vol = new_volume(state, pid, uid, 10, name="ubuntu-root",
                         image={"image_id": image["id"], "image_name": image.get("name", "")},
                         status="available")
        vol["created"] = vol["updated"] = now - 3 * 86400.0
    if db is not None:
        attach(state, made["db-data"], db.id, "/dev/vdb", at_once=True)
        db.touch()
    new_snapshot(state, made["db-data"], "db-data-nightly", "nightly", "available",
                 now - 86400.0)
