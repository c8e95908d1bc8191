"""Glance v2 (served under ``/image``)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import random
import tempfile

from .http import CHUNK, Response, empty
from .identity import authenticate
from .paging import GlancePager, equal_filters
from .routes import ID, RouteTable
from .util import HTTP_TITLES as _TITLES, HttpError, is_uuid_like, iso_z

DISK_FORMATS = ("ami", "ari", "aki", "vhd", "vhdx", "vmdk", "raw", "qcow2", "vdi", "iso", "ploop")
CONTAINER_FORMATS = ("ami", "ari", "aki", "bare", "ovf", "ova", "docker", "compressed")
VISIBILITIES = ("public", "private", "shared", "community")
READ_ONLY = ("id", "status", "checksum", "os_hash_algo", "os_hash_value", "size", "virtual_size",
             "created_at", "updated_at", "owner", "file", "self", "schema", "direct_url",
             "locations", "stores")
BASE_KEYS = ("name", "visibility", "protected", "os_hidden", "container_format", "disk_format",
             "min_disk", "min_ram", "tags")
IMPORT_METHODS = "glance-direct,web-download,copy-image"

# ----------------------------------------------------------------------------- data streams

BLOCK = 1 << 20
_MAGIC = {"qcow2": b"QFI\xfb\x00\x00\x00\x03", "raw": b"\xebc\x90", "iso": b"\x00" * 8}


def generated_stream(seed: str, size: int, disk_format: str | None):
    """Deterministic bytes for seeded images (their hashes are precomputed in seed.py)."""
    block = random.Random("osdesk-demo-image:" + seed).randbytes(BLOCK)
    magic = _MAGIC.get(disk_format or "", b"")
    first = magic + block[len(magic):]
    pos = 0
    while pos < size:
        b = first if pos == 0 else block
        n = min(BLOCK, size - pos)
        yield b if n == BLOCK else b[:n]
        pos += n


# ----------------------------------------------------------------------------- errors (webob)

def _wants_json(req) -> bool:
    accept = (req.header("Accept") or "*/*").lower() if req is not None else "*/*"
    best_html = best_json = -1.0
    for part in accept.split(","):
        bits = [b.strip() for b in part.split(";")]
        mt, q = bits[0], 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        if mt in ("text/html", "text/*", "*/*"):
            best_html = max(best_html, q if mt == "text/html" else q - 0.001)
        if mt in ("application/json", "application/*", "*/*"):
            best_json = max(best_json, q if mt == "application/json" else q - 0.002)
    return best_json > best_html and best_json > 0


def glance_error(status: int, explanation: str, req=None) -> HttpError:
    """A webob HTTPException the way glance sends it (HTML, or JSON when asked)."""
    title = _TITLES.get(status, "Error")
    status_line = "%d %s" % (status, title)
    if req is not None and _wants_json(req):
        body = {"message": explanation + "<br /><br />\n\n\n", "code": status_line, "title": title}
        return HttpError(status, body)
    html = ("<html>\n <head>\n  <title>%s</title>\n </head>\n <body>\n  <h1>%s</h1>\n"
            "  %s<br /><br />\n\n\n\n </body>\n</html>" % (status_line, status_line, explanation))
    return HttpError(status, html, content_type="text/html; charset=UTF-8")


def error_response(status: int, message: str | None = None, req=None):
    err = glance_error(status, message or _TITLES.get(status, "Error"), req)
    return Response(err.status, err.body, err.headers, err.content_type)


# ----------------------------------------------------------------------------- views

#: glance's key order; the ones not copied from the record are filled in below
_VIEW_KEYS = ("status name tags container_format created_at disk_format updated_at visibility "
              "self min_disk protected id file checksum os_hash_algo os_hash_value os_hidden "
              "owner size min_ram schema virtual_size").split()


def image_view(img: dict) -> dict:
    out = {k: img.get(k) for k in _VIEW_KEYS}
    out.update({"tags": list(img["tags"]), "created_at": iso_z(img["created_at"]),
                "updated_at": iso_z(img["updated_at"]), "self": "/v2/images/" + img["id"],
                "file": "/v2/images/%s/file" % img["id"], "schema": "/v2/schemas/image"})
    if img["status"] == "active":
        out["stores"] = "file"
    out.update(img["props"])
    return out


def new_image(state, *, name, owner, visibility="shared", disk_format=None,
              container_format=None, min_disk=0, min_ram=0, protected=False, tags=(),
              props=None, image_id=None, status="queued", created=None):
    now = state.now() if created is None else created
    img = {
        "id": image_id or state.ids.uuid(), "name": name, "status": status,
        "visibility": visibility, "protected": protected, "os_hidden": False, "owner": owner,
        "container_format": container_format, "disk_format": disk_format,
        "min_disk": min_disk, "min_ram": min_ram, "size": None, "virtual_size": None,
        "checksum": None, "os_hash_algo": None, "os_hash_value": None,
        "created_at": now, "updated_at": now, "tags": list(tags), "props": dict(props or {}),
    }
    state.images[img["id"]] = img
    return img


def set_generated_data(state, img, seed, size, md5, sha512):
    img.update(size=size, checksum=md5, os_hash_algo="sha512", os_hash_value=sha512)
    state.image_data[img["id"]] = ("gen", seed, size, img["disk_format"])


def visible(img, ctx) -> bool:
    if img["status"] == "deleted":
        return False
    if img["owner"] == ctx["project_id"]:
        return True
    return img["visibility"] in ("public", "community")


def _get(state, req, image_id) -> dict:
    img = state.images.get(image_id)
    if img is None or not visible(img, req.ctx):
        raise glance_error(404, "No image found with ID %s" % image_id, req)
    return img


def _owner_or_403(req, img, action):
    if img["owner"] != req.ctx["project_id"] and "admin" not in req.ctx["roles"]:
        raise glance_error(403, "You are not authorized to complete %s action." % action, req)


# ----------------------------------------------------------------------------- handlers

_PAGER = GlancePager(lambda req, msg: glance_error(400, msg, req), "/v2/", default=25, cap=1000,
                     missing="marker %s not found")


def list_images(state, req):
    ctx = req.ctx
    limit = _PAGER.limit(req)
    vis = req.param("visibility")
    if vis and vis not in VISIBILITIES + ("all",):
        raise glance_error(400, "Invalid visibility value: %s" % vis, req)
    tags = req.params("tag")
    hidden = (req.param("os_hidden") or "false").lower() == "true"
    protected = req.param("protected")
    equal = equal_filters(req, [(k, k) for k in ("name", "status", "owner", "disk_format",
                                                  "container_format")], lambda i, k: i[k])
    sort_key, sort_dir = req.param("sort_key", "created_at"), req.param("sort_dir", "desc")
    if req.param("sort"):
        sort_key, _, d = req.param("sort").split(",")[0].partition(":")
        sort_dir = d or "desc"
    if sort_dir not in ("asc", "desc"):
        raise glance_error(400, "Invalid sort direction: %s" % sort_dir, req)
    if sort_key not in ("name", "status", "container_format", "disk_format", "size", "id",
                        "created_at", "updated_at", "min_disk", "min_ram", "visibility", "owner"):
        raise glance_error(400, "Invalid sort key: %s. It should be one of the following: "
                           "name, status, container_format, disk_format, size, id, created_at, "
                           "updated_at." % sort_key, req)
    def listed(img):
        own = img["owner"] == ctx["project_id"]
        if vis in (None, "all"):
            seen = own or img["visibility"] == "public" or (
                vis == "all" and img["visibility"] == "community")
        else:
            seen = img["visibility"] == vis and (own or vis not in ("private", "shared"))
        return seen and img["status"] != "deleted" and (hidden or not img["os_hidden"]) and \
            all(f(img) for f in equal) and all(t in img["tags"] for t in tags) and \
            (protected is None or str(img["protected"]).lower() == protected.lower())
    out = [img for img in state.images.values() if listed(img)]

    def key(i):
        v = i.get(sort_key)
        return (v is None, v if v is not None else 0, i["id"])
    out.sort(key=key, reverse=(sort_dir == "desc"))
    page, links = _PAGER.page(req, out, "images", limit=limit)
    body = {"images": [image_view(i) for i in page], "schema": "/v2/schemas/images", **links}
    return Response(200, body)


def show_image(state, req, image_id):
    return Response(200, image_view(_get(state, req, image_id)))


def _check_value(req, key, value):
    if key == "visibility":
        if value not in VISIBILITIES:
            raise glance_error(400, "Invalid visibility value: %s" % value, req)
        if value == "public" and "admin" not in req.ctx["roles"]:
            raise glance_error(403, "You are not authorized to complete publicize_image action.",
                               req)
    elif key in ("protected", "os_hidden"):
        if not isinstance(value, bool):
            raise glance_error(400, "Invalid value for %s: %r" % (key, value), req)
    elif key in ("min_disk", "min_ram"):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise glance_error(400, "Invalid value for %s: %r (must be a non-negative integer)"
                               % (key, value), req)
    elif key == "disk_format":
        if value is not None and value not in DISK_FORMATS:
            raise glance_error(400, "Invalid disk format '%s' for image." % value, req)
    elif key == "container_format":
        if value is not None and value not in CONTAINER_FORMATS:
            raise glance_error(400, "Invalid container format '%s' for image." % value, req)
    elif key == "tags":
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            raise glance_error(400, "Invalid tags: must be a list of strings", req)
    elif key == "name":
        if value is not None and (not isinstance(value, str) or len(value) > 255):
            raise glance_error(400, "Invalid value for name", req)
    else:
        if not isinstance(value, str):
            raise glance_error(400, "Provided object does not match schema 'image': %r is not "
                               "of type 'string'" % (value,), req)


def _json_of(req, kind):
    data = req.json(None)
    if not isinstance(data, kind):
        raise glance_error(400, "Malformed JSON in request body.", req)
    return data


def create_image(state, req):
    data = _json_of(req, dict)
    for k in data:
        if k in READ_ONLY and k != "id":
            raise glance_error(403, "Attribute '%s' is read-only." % k, req)
    image_id = data.get("id")
    if image_id is not None:
        if not is_uuid_like(image_id):
            raise glance_error(400, "Provided object does not match schema 'image': '%s' does "
                               "not match '^([0-9a-fA-F]){8}-([0-9a-fA-F]){4}-([0-9a-fA-F]){4}-"
                               "([0-9a-fA-F]){4}-([0-9a-fA-F]){12}$'" % image_id, req)
        if image_id in state.images:
            raise glance_error(409, "Image with identifier %s already exists!" % image_id, req)
    for k, v in data.items():
        if k != "id":
            _check_value(req, k, v)
    props = {k: v for k, v in data.items() if k not in BASE_KEYS and k != "id"}
    img = new_image(
        state, name=data.get("name"), owner=req.ctx["project_id"],
        visibility=data.get("visibility", "shared"), disk_format=data.get("disk_format"),
        container_format=data.get("container_format"), min_disk=data.get("min_disk", 0),
        min_ram=data.get("min_ram", 0), protected=data.get("protected", False),
        tags=data.get("tags", []), props=props, image_id=image_id)
    img["os_hidden"] = data.get("os_hidden", False)
    return Response(201, image_view(img), headers={
        "Location": "%s/image/v2/images/%s" % (req.base, img["id"]),
        "OpenStack-image-import-methods": IMPORT_METHODS})


def update_image(state, req, image_id):
    img = _get(state, req, image_id)
    ctype = (req.header("Content-Type") or "").split(";")[0].strip()
    if ctype not in ("application/openstack-images-v2.1-json-patch",
                     "application/openstack-images-v2.0-json-patch"):
        err = glance_error(415, "Unsupported Content-Type", req)
        err.headers["Accept-Patch"] = ("application/openstack-images-v2.0-json-patch, "
                                       "application/openstack-images-v2.1-json-patch")
        raise err
    _owner_or_403(req, img, "modify_image")
    ops = _json_of(req, list)
    work = {k: (list(v) if isinstance(v, list) else v) for k, v in img.items() if k != "props"}
    props = dict(img["props"])
    for op in ops:
        if not isinstance(op, dict) or "op" not in op or "path" not in op:
            raise glance_error(400, "Unable to find `op` in JSON Schema change. It must be one "
                               "of the following: [add, remove, replace].", req)
        kind = op["op"]
        if kind not in ("add", "remove", "replace"):
            raise glance_error(400, "Invalid operation: `%s`. It must be one of the following: "
                               "[add, remove, replace]." % kind, req)
        if not op["path"].startswith("/"):
            raise glance_error(400, "Pointer `%s` does not start with \"/\"." % op["path"], req)
        parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"][1:].split("/")]
        key = parts[0]
        if key in READ_ONLY:
            raise glance_error(403, "Attribute '%s' is read-only." % key, req)
        if kind in ("add", "replace") and "value" not in op:
            raise glance_error(400, "Operation objects must contain exactly one member named "
                               "\"value\".", req)
        if key == "tags" and len(parts) == 2:
            tags = work["tags"]
            if kind == "add":
                if op["value"] not in tags:
                    tags.append(op["value"])
            elif kind == "remove":
                try:
                    tags.pop(int(parts[1]))
                except (ValueError, IndexError):
                    raise glance_error(409, "Tag %s not found." % parts[1], req)
            continue
        if len(parts) != 1:
            raise glance_error(400, "Nested paths are not allowed", req)
        if key in BASE_KEYS:
            if kind == "remove":
                raise glance_error(403, "Properties %s must be set prior to saving data."
                                   % key if key in ("disk_format", "container_format")
                                   else "Attribute '%s' is reserved." % key, req)
            if key in ("disk_format", "container_format") and img["status"] != "queued":
                raise glance_error(403, "Attribute %s can be only replaced for a queued image."
                                   % key, req)
            _check_value(req, key, op["value"])
            work[key] = op["value"]
        elif kind != "add" and key not in props:
            raise glance_error(409, "Property %s does not exist." % key, req)
        elif kind == "remove":
            del props[key]
        else:
            _check_value(req, key, op["value"])
            props[key] = op["value"]
    for k in BASE_KEYS:
        img[k] = work[k]
    img["props"] = props
    img["updated_at"] = state.now()
    return Response(200, image_view(img))


def delete_image(state, req, image_id):
    img = _get(state, req, image_id)
    _owner_or_403(req, img, "delete_image")
    if img["protected"]:
        raise glance_error(403, "Image %s is protected and cannot be deleted." % image_id, req)
    remove_image(state, image_id)
    return empty()


def remove_image(state, image_id):
    state.images.pop(image_id, None)
    data = state.image_data.pop(image_id, None)
    if data and data[0] == "file":
        with contextlib.suppress(OSError):
            os.unlink(data[1])


def _set_active(state, req, image_id, action, active: bool):
    """deactivate / reactivate: only between active and deactivated; idempotent."""
    img = _get(state, req, image_id)
    _owner_or_403(req, img, action)
    if img["status"] not in ("active", "deactivated"):
        raise glance_error(403, "Not allowed to %s image in status '%s'" % (action, img["status"]),
                           req)
    want = "active" if active else "deactivated"
    if img["status"] != want:
        img["status"] = want
        img["updated_at"] = state.now()
    return empty()


def set_tag(state, req, image_id, tag):
    """PUT adds a tag (already there: nothing happens), DELETE removes it (missing: 404)."""
    img = _get(state, req, image_id)
    _owner_or_403(req, img, "modify_image")
    add = req.method == "PUT"
    if not add and tag not in img["tags"]:
        raise glance_error(404, "Tag %s not found." % tag, req)
    if add != (tag in img["tags"]):
        (img["tags"].append if add else img["tags"].remove)(tag)
        img["updated_at"] = state.now()
    return empty()


def upload(state, req, image_id):
    """PUT .../file: stream the body, hash it, keep it (memory / temp file / hashes only)."""
    with state.lock:
        state.tick()
        img = _get(state, req, image_id)
        _owner_or_403(req, img, "upload_image")
        if img["status"] != "queued":
            raise glance_error(409, "Image status transition from %s to saving is not allowed"
                               % img["status"], req)
        if not img["disk_format"] or not img["container_format"]:
            raise glance_error(400, "Properties disk_format, container_format must be set prior "
                               "to saving data.", req)
        img["status"] = "saving"
        img["updated_at"] = state.now()
    md5, sha = hashlib.md5(), hashlib.sha512()
    size = 0
    mem: list[bytes] | None = []
    fobj = None
    path = None
    try:
        for chunk in req.iter_body(CHUNK):
            md5.update(chunk)
            sha.update(chunk)
            size += len(chunk)
            if mem is not None:
                mem.append(chunk)
                if size > state.image_data_cap:
                    if size <= state.image_disk_cap:
                        with state.lock:
                            if not state.tmpdir:
                                state.tmpdir = tempfile.mkdtemp(prefix="osdesk-demo-")
                        fd, path = tempfile.mkstemp(prefix="img-", dir=state.tmpdir)
                        fobj = os.fdopen(fd, "wb")
                        fobj.writelines(mem)
                    mem = None
            elif fobj is not None:
                if size > state.image_disk_cap:
                    fobj.close()
                    os.unlink(path)
                    fobj, path = None, None
                else:
                    fobj.write(chunk)
    except Exception:
        if fobj is not None:
            fobj.close()
            os.unlink(path)
        with state.lock:
            if img.get("status") == "saving":
                img["status"] = "queued"
        raise
    if fobj is not None:
        fobj.close()
    with state.lock:
        if image_id not in state.images:  # deleted meanwhile
            if path:
                os.unlink(path)
            return empty()
        state.image_data[image_id] = (("mem", b"".join(mem)) if mem is not None else
                                      ("file", path) if path is not None else ("hash-only", size))
        img.update(status="active", size=size, checksum=md5.hexdigest(), os_hash_algo="sha512",
                   os_hash_value=sha.hexdigest(), virtual_size=None, updated_at=state.now())
    return empty()


def _file_stream(path):
    with open(path, "rb") as f:
        yield from iter(lambda: f.read(CHUNK * 4), b"")


def _zeros(n: int):
    """A hash-only upload (too big to keep) is served as zeros of its size (hash differs)."""
    while n > 0:
        yield b"\0" * min(n, BLOCK)
        n -= BLOCK


def download(state, req, image_id):
    with state.lock:
        state.tick()
        img = _get(state, req, image_id)
        if img["status"] == "deactivated":
            raise glance_error(403, "The requested image has been deactivated. Image data "
                               "download is forbidden.", req)
        data = state.image_data.get(image_id)
        if img["status"] != "active" or data is None:
            return empty()
        size, checksum = img["size"], img["checksum"]
    headers, ctype = {"Content-MD5": checksum}, "application/octet-stream"
    if data[0] == "mem":
        return Response(200, data[1], headers=headers, content_type=ctype)
    stream = (_file_stream(data[1]) if data[0] == "file" else
              generated_stream(data[1], data[2], data[3]) if data[0] == "gen" else _zeros(size))
    return Response(200, None, headers=headers, content_type=ctype, stream=stream, length=size)


# ----------------------------------------------------------------------------- routing

def _versions(base):
    cur = "v2.17"
    ids = ["v2.%d" % i for i in range(17, -1, -1)]
    return {"versions": [{"id": v, "links": [{"href": base + "/image/v2/", "rel": "self"}],
                          "status": "CURRENT" if v == cur else "SUPPORTED"} for v in ids]}


def _image_action(action, active):
    return lambda state, req, image_id: _set_active(state, req, image_id, action, active)


def _not_allowed(req, methods):
    err = glance_error(405, "The method specified is not allowed for this resource.", req)
    err.headers["Allow"] = ", ".join(sorted(methods))
    return err


_IMG = "/v2/images/" + ID
_ROUTES = RouteTable([
    ("GET", "/v2/images", list_images),
    ("POST", "/v2/images", create_image),
    ("GET", _IMG, show_image),
    ("PATCH", _IMG, update_image),
    ("DELETE", _IMG, delete_image),
    ("PUT", _IMG + "/file", upload),
    ("GET", _IMG + "/file", download),
    ("POST", _IMG + "/actions/deactivate", _image_action("deactivate", False)),
    ("POST", _IMG + "/actions/reactivate", _image_action("reactivate", True)),
    ("PUT DELETE", _IMG + "/tags/" + ID, set_tag),
], not_allowed=_not_allowed)
_NOLOCK = {upload, download}  # they stream: the lock is taken only around the state changes


def handle(state, req, sub: str) -> Response:
    if sub in ("", "/", "/versions", "/versions/", "/v2", "/v2/"):
        return Response(200 if sub.startswith("/versions") else 300, _versions(req.base))
    found = _ROUTES.find(req, sub)
    if found is None:
        raise glance_error(404, "The resource could not be found.", req)
    fn, args = found
    with state.lock:
        authenticate(state, req, lambda: glance_error(
            403, "You are not authorized to complete this action.", req))
    if fn in _NOLOCK:
        return fn(state, req, *args)
    with state.lock:
        return fn(state, req, *args)
