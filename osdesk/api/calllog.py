"""The API call log: one redacted record per HTTP exchange, handed to subscribers.

Redaction happens here, before any subscriber (console, log file, export) sees a
record, so no consumer can forget it.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import itertools
import json
import logging
import shlex
import threading
from dataclasses import dataclass, field
from typing import Iterable
from urllib.parse import parse_qsl, urlsplit

from osdesk.api.collection import Collection
from osdesk.api.errors import request_id_of
from osdesk.api.redaction import (REDACTED, SECRET_HEADERS, SECRET_KEYS, JsonText,
                                  big_json_text, fingerprint, redact_headers, redact_json,
                                  redact_pattern)

# the redaction primitives are part of this module's interface too
__all__ = ["BIG_BODY_HEAD", "MAX_BODY_CHARS", "PARSE_LIMIT", "REDACTED", "SECRET_HEADERS",
           "SECRET_KEYS", "ApiCall", "CallLog", "JsonText", "build_call", "default_log",
           "fingerprint", "openstack_command", "redact_body", "redact_headers", "redact_json",
           "url_under"]

log = logging.getLogger(__name__)

#: Bodies larger than this are shown truncated in the record (the app never needs more
#: to display, and a 50 MB body must not be copied into the console's memory).
MAX_BODY_CHARS = 256 * 1024
#: Bodies above this are not parsed again for the console (the client already parsed
#: them once; a second json.loads + deep copy + pretty print cost ~50 ms per 500-server
#: page in bench/): their first MAX_BODY_CHARS are kept as text, secrets removed by
#: pattern. Secret-bearing answers (tokens, adminPass, private keys) are small.
PARSE_LIMIT = 64 * 1024
#: How much of such a big body the record shows as text (the detail pane stays fast).
BIG_BODY_HEAD = 32 * 1024
#: What a record costs beyond its bodies (the object, its header dicts' overhead).
RECORD_OVERHEAD = 1024
_ids = itertools.count(1)


def redact_body(body, content_type: str = "") -> tuple[str, object | None]:
    """Return (text, parsed_json_or_None) for a body, secrets removed.

    A body that does not parse as JSON but looks like a form or text is kept as
    text, truncated; binary bodies are described, not shown. A big JSON body gives a
    :class:`JsonText` of all of it in place of the parsed value.
    """
    if body is None:
        return "", None
    if isinstance(body, (bytes, bytearray)):
        if len(body) > MAX_BODY_CHARS * 4 and "json" not in content_type:
            return f"<{len(body)} bytes>", None
        try:
            text = bytes(body).decode("utf-8")
        except UnicodeDecodeError:
            return f"<{len(body)} bytes of binary data>", None
    elif isinstance(body, str):
        text = body
    else:
        return "<streamed body>", None
    stripped = text.strip()
    if len(text) > PARSE_LIMIT:
        head = redact_pattern(text[:BIG_BODY_HEAD + 4096])[:BIG_BODY_HEAD]
        return (head + f"\n... ({len(text) - len(head)} more characters not shown)",
                big_json_text(text))
    if stripped[:1] in ("{", "["):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        if parsed is not None:
            clean = redact_json(parsed)
            pretty, complete = _pretty_prefix(clean, MAX_BODY_CHARS)
            if not complete:
                # (the parsed value stays for the inspector: its text is under PARSE_LIMIT)
                pretty += (f"\n... (more characters not shown; the body has {len(text)} "
                           f"characters)")
            return pretty, clean
    if len(text) > MAX_BODY_CHARS:
        text = text[:MAX_BODY_CHARS] + f"\n... ({len(text) - MAX_BODY_CHARS} more characters)"
    return text, None


def _pretty_prefix(data, limit: int) -> tuple[str, bool]:
    """``json.dumps(data, indent=2)`` up to ``limit`` characters, and whether that is all.

    The encoding stops at the limit: a 50 MB list is not turned into 60 MB of
    indented text (seconds of pure-Python work) to keep its first 256 KB.
    """
    parts: list[str] = []
    size = 0
    for chunk in json.JSONEncoder(indent=2, ensure_ascii=False).iterencode(data):
        parts.append(chunk)
        size += len(chunk)
        if size > limit:
            return "".join(parts)[:limit], False
    return "".join(parts), True


@dataclass
class ApiCall:
    """One HTTP exchange as the console shows it. Already redacted."""

    method: str
    url: str
    status: int | None  # None when no answer came (refused, timeout, TLS)
    elapsed_ms: float
    request_headers: dict = field(default_factory=dict)
    request_body: str = ""
    response_headers: dict = field(default_factory=dict)
    response_body: str = ""
    request_id: str | None = None
    error: str = ""  # the failure sentence when there was no HTTP answer
    cloud: str = ""  # the profile name, so the console can tell clouds apart
    service_type: str = ""
    time: _dt.datetime = field(default_factory=lambda: _dt.datetime.now().astimezone())
    id: int = field(default_factory=lambda: next(_ids))
    #: parsed (redacted) bodies for the JSON views; None when not JSON; a
    #: :class:`JsonText` (parse it on a worker) for a big JSON body
    request_json: object | None = None
    response_json: object | None = None
    #: the catalog endpoint URL the call was labelled by ("" when none matched)
    endpoint: str = ""

    @property
    def ok(self) -> bool:
        return self.status is not None and self.status < 400

    @property
    def host(self) -> str:
        """``compute · 10.0.0.5:8774``: the service and the host:port the call went to."""
        netloc = urlsplit(self.url or "").netloc.rpartition("@")[2]
        return " · ".join(part for part in (self.service_type, netloc) if part)

    def stored_bytes(self) -> int:
        """About how much memory the record holds: its texts, headers and parsed bodies
        (a parsed body at three times its pretty text, as tracemalloc measured for nova's
        server lists), plus :data:`RECORD_OVERHEAD`."""
        size = RECORD_OVERHEAD + len(self.url or "") + len(self.error or "")
        size += len(self.request_body) + len(self.response_body)
        for headers in (self.request_headers, self.response_headers):
            size += sum(len(str(k)) + len(str(v)) for k, v in headers.items())
        for body, text in ((self.request_json, self.request_body),
                           (self.response_json, self.response_body)):
            if isinstance(body, JsonText):
                size += len(body)
            elif body is not None:
                size += 3 * len(text)
        return size

    def without_big_bodies(self) -> "ApiCall":
        """The record without the whole texts of big bodies (their heads stay shown)."""
        def small(body):
            return None if isinstance(body, JsonText) else body
        return dataclasses.replace(self, request_json=small(self.request_json),
                                   response_json=small(self.response_json))

    def to_dict(self) -> dict:
        """A JSON-able dict for "save console as JSON" (still redacted)."""
        return {"id": self.id, "time": self.time.isoformat(), "cloud": self.cloud,
                "service_type": self.service_type, "method": self.method, "url": self.url,
                "status": self.status, "elapsed_ms": round(self.elapsed_ms, 1),
                "request_id": self.request_id, "error": self.error,
                "request_headers": self.request_headers, "request_body": self.request_body,
                "response_headers": self.response_headers,
                "response_body": self.response_body}

    # ------------------------------------------------------------ rendering
    def as_curl(self) -> str:
        """The exchange as a runnable curl command, the token as ``$OS_TOKEN``."""
        parts = ["curl", "-g", "-i", "-X", self.method, shlex.quote(self.url)]
        for name, value in self.request_headers.items():
            low = name.lower()
            if low in ("content-length", "connection", "accept-encoding", "user-agent", "host"):
                continue
            if low == "x-auth-token":
                parts += ["-H", '"X-Auth-Token: $OS_TOKEN"']
            elif low in SECRET_HEADERS:
                continue
            else:
                parts += ["-H", shlex.quote(f"{name}: {value}")]
        if self.request_body and not self.request_body.startswith("<"):
            body = self.request_body
            if isinstance(self.request_json, JsonText):
                body = self.request_json.text
            elif self.request_json is not None:
                body = json.dumps(self.request_json, separators=(",", ":"))
            parts += ["-d", shlex.quote(body)]
        return " ".join(parts)

    def as_openstack_cli(self, collections: Iterable[Collection] = ()) -> str | None:
        """The equivalent ``openstack`` CLI command, where one exists; ``collections``
        (the resource kinds' declarations) give the list/show/create/delete nouns."""
        return openstack_command(self.method, self.url, self.service_type,
                                 self.request_json if isinstance(self.request_json, dict) else None,
                                 endpoint=self.endpoint, collections=collections)


def build_call(request, response=None, *, elapsed_ms: float, error: str = "",
               cloud: str = "", service_type: str = "", read_body: bool = True,
               endpoint: str = "") -> ApiCall:
    """Make a redacted record from a ``requests.PreparedRequest`` and its response."""
    req_headers = redact_headers(request.headers)
    req_ctype = request.headers.get("Content-Type", "") or ""
    if _is_auth_request(request):
        # keystoneauth posts credentials with log=False; we show only the shape
        # (methods, user, scope) after redaction, never the credentials.
        req_text, req_json = _auth_body_summary(request.body)
    else:
        req_text, req_json = redact_body(request.body, req_ctype)
    status = None
    resp_headers, resp_text, resp_json, request_id = {}, "", None, None
    if response is not None:
        status = response.status_code
        resp_headers = redact_headers(response.headers)
        request_id = request_id_of(response.headers)
        ctype = response.headers.get("Content-Type", "") or ""
        if read_body:
            resp_text, resp_json = redact_body(response.content, ctype)
        else:
            length = response.headers.get("Content-Length")
            resp_text = f"<streamed{' ' + length + ' bytes' if length else ''}>"
    return ApiCall(method=request.method, url=request.url, status=status,
                   elapsed_ms=elapsed_ms, request_headers=req_headers,
                   request_body=req_text, response_headers=resp_headers,
                   response_body=resp_text, request_id=request_id, error=error,
                   cloud=cloud, service_type=service_type,
                   request_json=req_json, response_json=resp_json, endpoint=endpoint)


def _is_auth_request(request) -> bool:
    path = urlsplit(request.url or "").path.rstrip("/")
    return request.method == "POST" and path.endswith("/auth/tokens")


def _auth_body_summary(body) -> tuple[str, object | None]:
    """Show the shape of an auth request (methods, scope) with every credential gone."""
    if isinstance(body, (bytes, bytearray)):
        body = bytes(body).decode("utf-8", "replace")
    try:
        parsed = json.loads(body) if isinstance(body, str) else None
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        return "<credentials hidden>", None
    auth = parsed.get("auth", {}) if isinstance(parsed.get("auth"), dict) else {}
    identity = auth.get("identity", {}) if isinstance(auth.get("identity"), dict) else {}
    methods = identity.get("methods", [])
    summary = {"auth": {"identity": {"methods": redact_json(methods)}}}
    for method in methods if isinstance(methods, list) else []:
        if isinstance(method, str) and isinstance(identity.get(method), dict):
            # redact inside the method: the "password" method's dict is itself under a
            # secret key, which would hide the user name too
            summary["auth"]["identity"][method] = redact_json(identity[method], method)
    if "scope" in auth:
        summary["auth"]["scope"] = redact_json(auth["scope"])
    return json.dumps(summary, indent=2), summary


class CallLog:
    """Fan-out of :class:`ApiCall` records to subscribers.

    Subscribers are called on the thread that made the HTTP call; GUI
    subscribers must hand the record over to their own thread (a queued signal).
    """

    def __init__(self):
        self._subscribers: list = []
        self._lock = threading.Lock()

    def subscribe(self, callback) -> None:
        with self._lock:
            if callback not in self._subscribers:
                self._subscribers.append(callback)

    def unsubscribe(self, callback) -> None:
        with self._lock:
            if callback in self._subscribers:
                self._subscribers.remove(callback)

    def emit(self, call: ApiCall) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for callback in subscribers:
            try:
                callback(call)
            except Exception:  # a broken subscriber must not break the API call
                log.exception("call log subscriber %r failed", callback)


#: The process-wide log every Cloud reports to unless given another.
default_log = CallLog()


def url_under(url: str, prefix: str) -> bool:
    """Whether ``url`` is ``prefix`` or below it, on whole path segments:
    http://h/imagebuilder/v1 is not below http://h/image."""
    prefix = prefix.rstrip("/")
    if not prefix or not url.startswith(prefix):
        return False
    return len(url) == len(prefix) or url[len(prefix)] in "/?#"


# ---------------------------------------------------------------- CLI mapping
#: The path heads each service's commands below start with.
#: the calls below have commands of their own; the rest come from the collections
_HEADS = {"compute": {"servers", "flavors", "os-keypairs", "limits"},
          "image": {"images"},
          "network": {"quotas"},
          "identity": {"auth", "users", "projects"}}


def _path_parts(url: str, endpoint: str = "") -> tuple[list[str], dict]:
    split = urlsplit(url)
    if endpoint and url_under(url, endpoint):
        # the path below the service's catalog endpoint, whatever prefix that has
        parts = [p for p in split.path[len(urlsplit(endpoint).path.rstrip("/")):].split("/") if p]
    else:
        # a record made without its endpoint: drop devstack-style prefixes (/compute/v2.1,
        # /image/v2, /networking/v2.0); the service label still decides the command
        parts = [p for p in split.path.split("/") if p]
        while parts and parts[0] in ("compute", "image", "networking", "network", "identity",
                                     "volume", "placement"):
            parts.pop(0)
    while parts and parts[0][:1] == "v" and parts[0][1:2].isdigit():  # /v2.1, /v2.0
        parts.pop(0)
    # nova's legacy /v2.1/{project_id}/servers: skip a 32-hex project id
    if parts and len(parts[0]) == 32 and all(c in "0123456789abcdef" for c in parts[0]):
        parts.pop(0)
    return parts, dict(parse_qsl(split.query))


_ACTION_CLI = {
    "os-start": "server start", "os-stop": "server stop", "pause": "server pause",
    "unpause": "server unpause", "suspend": "server suspend", "resume": "server resume",
    "lock": "server lock", "unlock": "server unlock", "shelve": "server shelve",
    "unshelve": "server unshelve", "rescue": "server rescue", "unrescue": "server unrescue",
    "confirmResize": "server resize confirm", "revertResize": "server resize revert",
}


def openstack_command(method: str, url: str, service_type: str = "",
                      body: dict | None = None, endpoint: str = "",
                      collections: Iterable[Collection] = ()) -> str | None:
    """The ``openstack`` command of a call on ``service_type`` (the service whose catalog
    ``endpoint`` holds the URL); None for a call on no known service."""
    parts, query = _path_parts(url, endpoint)
    if not parts:
        return None
    if parts[0] not in _HEADS.get(service_type, ()):
        coll = next((c for c in collections if c.cli_noun and c.service_type == service_type
                     and c.head == parts[0]), None)
        return _collection_command(coll, method, parts, body) if coll else None
    q = shlex.quote
    head = parts[0]
    n = len(parts)
    if head == "servers":
        if method == "GET" and n == 2 and parts[1] == "detail":
            opts = "".join(f" --{k} {q(v)}" for k, v in query.items() if k in ("name", "status"))
            return "openstack server list --long" + opts
        if method == "GET" and n == 1:
            return "openstack server list"
        if method == "GET" and n == 2:
            return f"openstack server show {q(parts[1])}"
        if method == "DELETE" and n == 2:
            return f"openstack server delete {q(parts[1])}"
        if method == "POST" and n == 1 and body and isinstance(body.get("server"), dict):
            s = body["server"]
            cmd = "openstack server create"
            if s.get("imageRef"):
                cmd += f" --image {q(str(s['imageRef']))}"
            if s.get("flavorRef"):
                cmd += f" --flavor {q(str(s['flavorRef']))}"
            nets = s.get("networks")
            if isinstance(nets, list):
                for net in nets:
                    if isinstance(net, dict) and net.get("uuid"):
                        cmd += f" --network {q(net['uuid'])}"
            elif isinstance(nets, str):
                cmd += f" --nic {q(nets)}"
            if s.get("key_name"):
                cmd += f" --key-name {q(s['key_name'])}"
            return cmd + f" {q(str(s.get('name', '')))}"
        if method == "POST" and n == 3 and parts[2] == "action" and body:
            action = next(iter(body), "")
            sid = q(parts[1])
            if action in _ACTION_CLI:
                return f"openstack {_ACTION_CLI[action]} {sid}"
            if action == "reboot":
                kind = (body.get("reboot") or {}).get("type", "SOFT")
                return f"openstack server reboot {'--hard' if kind == 'HARD' else '--soft'} {sid}"
            if action == "resize":
                return f"openstack server resize --flavor {q(str(body['resize'].get('flavorRef')))} {sid}"
            if action == "rebuild":
                return f"openstack server rebuild --image {q(str(body['rebuild'].get('imageRef')))} {sid}"
            if action == "createImage":
                return f"openstack server image create --name {q(str(body['createImage'].get('name')))} {sid}"
            if action == "os-getConsoleOutput":
                length = (body.get(action) or {}).get("length")
                return f"openstack console log show{f' --lines {length}' if length else ''} {sid}"
        if method == "POST" and n == 3 and parts[2] == "remote-consoles":
            return f"openstack console url show {q(parts[1])}"
        if method == "GET" and n == 3 and parts[2] == "os-instance-actions":
            return f"openstack server event list {q(parts[1])}"
    if head == "flavors" and method == "GET":
        if n >= 2 and parts[1] != "detail":
            return f"openstack flavor show {q(parts[1])}"
        return "openstack flavor list --long"
    if head == "os-keypairs":
        if method == "GET":
            return f"openstack keypair show {q(parts[1])}" if n == 2 else "openstack keypair list"
        if method == "DELETE" and n == 2:
            return f"openstack keypair delete {q(parts[1])}"
        if method == "POST" and body:
            kp = body.get("keypair", {})
            extra = " --public-key FILE" if kp.get("public_key") else ""
            return f"openstack keypair create{extra} {q(str(kp.get('name', '')))}"
    if head == "limits" and method == "GET":
        return "openstack limits show --absolute"
    if head == "images":
        if method == "GET" and n == 1:
            return "openstack image list --long"
        if method == "GET" and n == 2:
            return f"openstack image show {q(parts[1])}"
        if method == "DELETE" and n == 2:
            return f"openstack image delete {q(parts[1])}"
        if method == "POST" and n == 4 and parts[2] == "actions":
            verb = "--deactivate" if parts[3] == "deactivate" else "--activate"
            return f"openstack image set {verb} {q(parts[1])}"
        if method == "GET" and n == 3 and parts[2] == "file":
            return f"openstack image save --file FILE {q(parts[1])}"
        if method == "POST" and n == 1 and body:
            return f"openstack image create {q(str(body.get('name', '')))}"
    if head == "quotas" and method == "GET":
        return "openstack quota show"
    if head == "auth" and n >= 2 and parts[1] == "projects" and method == "GET":
        return "openstack project list --my-projects"
    if head == "auth" and n >= 2 and parts[1] == "tokens" and method == "POST":
        return "openstack token issue"
    if head == "users" and n == 3 and parts[2] == "projects":
        return f"openstack project list --user {q(parts[1])}"
    if head == "projects" and method == "GET":
        return "openstack project list" if n == 1 else f"openstack project show {q(parts[1])}"
    return None


def _collection_command(coll: Collection, method: str, parts: list[str],
                        body: dict | None) -> str | None:
    """list/show/delete/create of a plain collection: ``openstack floating ip show ID``."""
    q = shlex.quote
    noun, n = coll.cli_noun, len(parts)
    if method == "GET" and n == 1:
        return f"openstack {noun} list"
    if method == "GET" and n == 2:
        return f"openstack {noun} show {q(parts[1])}"
    if method == "DELETE" and n == 2:
        return f"openstack {noun} delete {q(parts[1])}"
    if method == "POST" and n == 1 and body:
        item = body.get(coll.item) or {}
        options = coll.cli_create(item) if coll.cli_create else ""
        return f"openstack {noun} create{options} {q(str(item.get('name', '')))}"
    return None
