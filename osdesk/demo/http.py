"""Request/response objects and the threaded HTTP/1.1 server of the demo cloud."""

from __future__ import annotations

import contextlib
import json
import socket
import sys
import threading
import time
import traceback
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote, urlsplit

from .util import HttpError

CHUNK = 64 * 1024


class Request:
    """What a service handler sees of one HTTP request."""

    def __init__(self, handler: "_Handler", method: str, raw_path: str):
        self.handler = handler
        self.is_head = method == "HEAD"
        self.method = "GET" if method == "HEAD" else method  # HEAD is a GET without body
        parts = urlsplit(raw_path)
        self.path = unquote(parts.path)
        self.raw_query = parts.query
        self.query = parse_qsl(parts.query, keep_blank_values=True)
        self.headers = handler.headers
        self.request_id = "req-" + str(uuid.uuid4())
        host = self.headers.get("Host") or handler.server.demo_state.base_url.split("//", 1)[1]
        self.base = "http://" + host
        self._body: bytes | None = None
        self._consumed = False
        self.ctx = None  # auth context, filled by services
        self.mv = None  # nova microversion (major, minor)

    # query helpers
    def param(self, name: str, default=None):
        """The last value given for ``name``."""
        return next((v for k, v in reversed(self.query) if k == name), default)

    def params(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def header(self, name: str, default=None):
        return self.headers.get(name, default)

    # body helpers
    @property
    def content_length(self) -> int | None:
        try:
            return max(0, int(self.headers.get("Content-Length")))
        except (TypeError, ValueError):  # absent, or not a number
            return None

    @property
    def chunked(self) -> bool:
        return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()

    def iter_body(self, chunk: int = CHUNK):
        """Yield the body in chunks straight from the socket (Content-Length or chunked)."""
        if self._consumed:
            if self._body:
                yield self._body
            return
        self._consumed = True
        rfile = self.handler.rfile
        if not self.chunked:
            yield from _read(rfile, self.content_length or 0, chunk)
            return
        while True:
            line = rfile.readline(65537)
            if not line:
                raise ConnectionError("client went away")
            size = int(line.split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                while rfile.readline(65537) not in (b"\r\n", b"\n", b""):  # trailers
                    pass
                return
            yield from _read(rfile, size, chunk)
            rfile.readline(3)  # CRLF after the chunk

    def body(self) -> bytes:
        if self._body is None:
            self._body = b"".join(self.iter_body())
        return self._body

    def json(self, *default):
        """Parsed JSON body; when it is not JSON, ``default`` if given, else ValueError."""
        raw = self.body()
        try:
            if not raw.strip():
                raise ValueError("empty body")
            return json.loads(raw.decode("utf-8"))
        except ValueError:
            if default:
                return default[0]
            raise

    def unread_bytes(self) -> int | None:
        if self._consumed:
            return 0
        if self.chunked:
            return None
        return self.content_length or 0


def _read(rfile, remaining: int, chunk: int):
    while remaining:
        data = rfile.read(min(chunk, remaining))
        if not data:
            raise ConnectionError("client went away")
        remaining -= len(data)
        yield data


class Response:
    __slots__ = ("status", "body", "headers", "content_type", "stream", "length")

    def __init__(self, status: int = 200, body=None, headers: dict | None = None,
                 content_type: str | None = "application/json", stream=None, length: int = 0):
        self.status = status
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
        self.body = body
        self.headers = dict(headers or {})
        self.content_type = content_type
        self.stream = stream
        self.length = length


def empty(status: int = 204) -> Response:
    """An answer without a body (202 Accepted, 204 No Content)."""
    return Response(status, None, content_type=None)


class Server(ThreadingHTTPServer):
    """The demo cloud's threaded HTTP/1.1 server: ``router`` answers, ``state`` misbehaves."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, host: str, port: int, router, state):
        self.router = router
        self.demo_state = state
        self.open_conns: set = set()
        self.conns_lock = threading.Lock()
        super().__init__((host, port), _Handler)

    def handle_error(self, request, client_address):  # noqa: D401 - keep stderr quiet
        if getattr(self.demo_state, "debug", False):
            traceback.print_exc()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes; with Nagle's algorithm on, each answer
    # then waited ~40 ms for the client's delayed ACK (found by tests/faults).
    disable_nagle_algorithm = True
    server_version = "Apache/2.4.58 (Ubuntu)"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def setup(self):
        super().setup()
        with self.server.conns_lock:
            self.server.open_conns.add(self.connection)

    def finish(self):
        try:
            super().finish()
        finally:
            with self.server.conns_lock:
                self.server.open_conns.discard(self.connection)

    def log_message(self, format, *args):  # noqa: A002 - silence per-request logging
        return

    log_error = log_message

    def _dispatch(self):
        state = self.server.demo_state
        req = Request(self, self.command, self.path)
        state.request_count += 1
        if not state.wait_if_hung(req.path):
            self.close_connection = True
            return
        if state.latency:
            time.sleep(state.latency)
        if state.stopped:
            self.close_connection = True
            return
        try:
            fail, router = state.take_failure(req.method, req.path), self.server.router
            resp = router.route(req) if fail is None else router.injected(req, fail)
        except HttpError as e:
            resp = Response(e.status, e.body, e.headers, e.content_type)
        except ConnectionError:
            self.close_connection = True
            return
        except Exception:  # pragma: no cover - a bug in the demo cloud itself
            if getattr(state, "debug", False):
                traceback.print_exc(file=sys.stderr)
            state.last_error = traceback.format_exc()
            resp = self.server.router.error(req, 500)
        self._send(req, resp)

    def _send(self, req: Request, resp: Response):
        # Keep the connection usable: drain what the handler did not read.
        left = req.unread_bytes()
        if left is None or left > 4 * 1024 * 1024:
            self.close_connection = True
        elif left:
            try:
                for _ in req.iter_body():
                    pass
            except ConnectionError:
                self.close_connection = True
                return
        body = resp.body if resp.stream is None else None
        length = resp.length if resp.stream is not None else len(body or b"")
        if resp.status in (204, 304) or (100 <= resp.status < 200):
            body, length = None, 0
        self.send_response(resp.status)
        if resp.content_type and resp.status != 204:
            self.send_header("Content-Type", resp.content_type)
        self.send_header("Content-Length", str(length))
        headers = resp.headers
        if not any(k.lower() == "x-openstack-request-id" for k in headers):
            self.send_header("x-openstack-request-id", req.request_id)
        for k, v in headers.items():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            if resp.stream is not None:
                for chunk in resp.stream:
                    self.wfile.write(chunk)
            elif body:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _dispatch


def close_all(server: Server):
    with server.conns_lock:
        conns = list(server.open_conns)
    for c in conns:
        with contextlib.suppress(OSError):
            c.shutdown(socket.SHUT_RDWR)
