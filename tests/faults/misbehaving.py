"""A misbehaving HTTP server for the fault suite: a loopback proxy in front of a
DemoCloud (or alone) that answers chosen requests badly, over HTTP or TLS.

Everything binds to 127.0.0.1; every wait is bounded; ``stop()`` drops every open
connection, so no test can hang on it.
"""

from __future__ import annotations

import datetime as _dt
import http.client
import ipaddress
import json
import re
import socket
import socketserver
import ssl
import struct
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Callable

#: Headers a proxy must not pass on (RFC 9110 §7.6.1), plus the ones we recompute.
_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "trailer",
        "upgrade", "content-length"}
#: Upper bound of every wait inside the server (a test never hangs on it).
MAX_WAIT = 30.0


# ------------------------------------------------------------------ TLS files
@dataclass
class TlsFiles:
    """A private CA and a server certificate it signed, for 127.0.0.1 and localhost."""

    ca_cert: Path
    server_cert: Path
    server_key: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """Generate the CA and the server certificate (with ``cryptography``) into ``directory``."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    directory.mkdir(parents=True, exist_ok=True)
    now = _dt.datetime.now(_dt.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "osdesk fault-suite CA")])
    ca_cert = (x509.CertificateBuilder()
               .subject_name(ca_name).issuer_name(ca_name)
               .public_key(ca_key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - _dt.timedelta(minutes=5))
               .not_valid_after(now + _dt.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
               .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                            crl_sign=True, content_commitment=False,
                                            key_encipherment=False, data_encipherment=False,
                                            key_agreement=False, encipher_only=False,
                                            decipher_only=False), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()),
                              critical=False)
               .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - _dt.timedelta(minutes=5))
            .not_valid_after(now + _dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([
                x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]),
                critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]),
                           critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = TlsFiles(directory / "ca.pem", directory / "server.pem", directory / "server.key")
    files.ca_cert.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    files.server_cert.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files.server_key.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                                   serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()))
    return files


# ---------------------------------------------------------------- the rules
@dataclass
class Exchange:
    """One request as a rule sees it, and the means to answer it."""

    handler: "_Handler"
    method: str
    path: str  # with the query string
    headers: dict
    body: bytes

    def forward(self) -> tuple[int, list[tuple[str, str]], bytes]:
        """Ask the upstream; (status, headers, body)."""
        return self.handler.server.proxy.forward(self)

    def send(self, status: int, body: bytes = b"", headers: list[tuple[str, str]] | None = None,
             *, content_length: int | None = None) -> None:
        """Write a complete answer (``content_length`` may lie, to truncate on purpose)."""
        h = self.handler
        h.send_response_only(status)
        for name, value in headers or []:
            if name.lower() not in _HOP:
                h.send_header(name, value)
        h.send_header("Content-Length", str(len(body) if content_length is None
                                            else content_length))
        h.end_headers()
        if body and self.method != "HEAD":
            h.wfile.write(body)
        h.wfile.flush()

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0)."""
        h = self.handler
        try:
            h.wfile.flush()
        except OSError:
            pass
        sock = h.connection
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        h.close_connection = True
        try:
            sock.close()
        except OSError:
            pass
        h.aborted = True

    def hold(self) -> None:
        """Accept and never answer, until the server stops (bounded)."""
        self.handler.server.proxy.stopping.wait(MAX_WAIT)
        self.handler.close_connection = True
        self.handler.aborted = True


Action = Callable[[Exchange], None]


@dataclass
class Rule:
    pattern: re.Pattern
    action: Action
    method: str | None = None
    times: int | None = 1  # None: forever
    hits: int = 0


# ------------------------------------------------------------------ actions
def respond(status: int, body: bytes | str | dict | list = b"", *,
            content_type: str = "application/json", headers: dict | None = None) -> Action:
    """Answer with this status and body instead of the upstream."""
    if isinstance(body, (dict, list)):
        data = json.dumps(body).encode()
    elif isinstance(body, str):
        data = body.encode()
    else:
        data = bytes(body)

    def action(ex: Exchange) -> None:
        extra = [("Content-Type", content_type)] if content_type else []
        extra += list((headers or {}).items())
        extra.append(("x-openstack-request-id", "req-fault-0001"))
        ex.send(status, data, extra)
    return action


def reset_mid_body(fraction: float = 0.5) -> Action:
    """Forward, announce the whole body, send part of it, then RST."""
    def action(ex: Exchange) -> None:
        status, headers, body = ex.forward()
        cut = max(1, int(len(body) * fraction))
        h = ex.handler
        h.send_response_only(status)
        for name, value in headers:
            if name.lower() not in _HOP:
                h.send_header(name, value)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body[:cut])
        h.wfile.flush()
        ex.reset()
    return action


def truncated_body(fraction: float = 0.5) -> Action:
    """Forward, then send only the first part of the body, with a matching length:
    a well-formed HTTP answer whose JSON stops in the middle."""
    def action(ex: Exchange) -> None:
        status, headers, body = ex.forward()
        ex.send(status, body[:max(1, int(len(body) * fraction))], headers)
    return action


def delayed(seconds: float) -> Action:
    """Forward after ``seconds`` (bounded by the server's stop)."""
    def action(ex: Exchange) -> None:
        ex.handler.server.proxy.stopping.wait(min(seconds, MAX_WAIT))
        status, headers, body = ex.forward()
        ex.send(status, body, headers)
    return action


def never_answer() -> Action:
    return lambda ex: ex.hold()


def then_forward(hook: Callable[[], None]) -> Action:
    """Run ``hook()`` first (e.g. expire the tokens), then forward."""
    def action(ex: Exchange) -> None:
        hook()
        status, headers, body = ex.forward()
        ex.send(status, body, headers)
    return action


def rewrite_json(change: Callable[[object], object]) -> Action:
    """Forward, then answer with ``change(parsed body)``: a well-formed answer whose
    content is wrong (types, values) in a way the test chooses."""
    def action(ex: Exchange) -> None:
        status, headers, body = ex.forward()
        ex.send(status, json.dumps(change(json.loads(body))).encode(), headers)
    return action


def huge_json(key: str, make_item: Callable[[int], dict], size: int) -> bytes:
    """A JSON list body ``{key: [...]}`` of at least ``size`` bytes."""
    first = json.dumps(make_item(0)).encode()
    count = max(1, size // (len(first) + 2) + 1)
    items = b",".join(json.dumps(make_item(i)).encode() for i in range(count))
    return b'{"' + key.encode() + b'": [' + items + b"]}"


# ------------------------------------------------------------------- server
class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy"
    sys_version = ""
    timeout = MAX_WAIT  # an idle keep-alive connection ends by itself
    disable_nagle_algorithm = True  # headers and body are written apart

    def setup(self):
        super().setup()
        self.aborted = False
        with self.server.conns_lock:
            self.server.open_conns.add(self.connection)

    def finish(self):
        try:
            if not self.aborted:
                super().finish()
        except OSError:
            pass
        finally:
            with self.server.conns_lock:
                self.server.open_conns.discard(self.connection)

    def log_message(self, format, *args):  # noqa: A002 - keep the test output clean
        return

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        ex = Exchange(self, self.command, self.path, dict(self.headers.items()), body)
        proxy: FaultProxy = self.server.proxy
        proxy.requests.append((self.command, self.path))
        rule = proxy.take_rule(self.command, self.path)
        try:
            if rule is not None:
                rule.action(ex)
            elif proxy.upstream is None:
                respond(404, {"error": {"message": "nothing here"}})(ex)
            else:
                status, headers, data = ex.forward()
                ex.send(status, data, headers)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
        if self.aborted:
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _dispatch


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64

    def __init__(self, proxy: "FaultProxy", context: ssl.SSLContext | None):
        self.proxy = proxy
        self.context = context
        self.open_conns: set = set()
        self.conns_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def get_request(self):
        sock, addr = super().get_request()
        if self.context is not None:
            # the handshake happens on the handler's thread, at its first read
            sock = self.context.wrap_socket(sock, server_side=True,
                                            do_handshake_on_connect=False)
        return sock, addr

    def handle_error(self, request, client_address):  # a client that went away: fine
        self.proxy.errors += 1


class FaultProxy:
    """The misbehaving server. ``upstream`` is a DemoCloud's base URL, or None to answer
    alone; ``tls`` makes it speak HTTPS with the given certificate."""

    def __init__(self, upstream: str | None = None, *, tls: TlsFiles | None = None):
        self.upstream = upstream.rstrip("/") if upstream else None
        self.tls = tls
        self._rules: list[Rule] = []
        self._lock = threading.Lock()
        self.stopping = threading.Event()
        self.requests: list[tuple[str, str]] = []
        self.errors = 0
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> "FaultProxy":
        context = None
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(self.tls.server_cert, self.tls.server_key)
        self._server = _Server(self, context)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="fault-proxy", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.server_close()
        with server.conns_lock:
            conns = list(server.open_conns)
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._server is not None
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    # rules
    def add(self, path_regex: str, action: Action, *, method: str | None = None,
            times: int | None = 1) -> Rule:
        rule = Rule(re.compile(path_regex), action, method, times)
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take_rule(self, method: str, path: str) -> Rule | None:
        with self._lock:
            for rule in self._rules:
                if rule.method and rule.method != method:
                    continue
                if not rule.pattern.search(path):
                    continue
                rule.hits += 1
                if rule.times is not None:
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                return rule
        return None

    # forwarding
    def forward(self, ex: Exchange) -> tuple[int, list[tuple[str, str]], bytes]:
        assert self.upstream is not None, "this server has no upstream"
        host = self.upstream.split("//", 1)[1]
        conn = http.client.HTTPConnection(host, timeout=MAX_WAIT)
        try:
            headers = {k: v for k, v in ex.headers.items() if k.lower() not in _HOP}
            # keep the client's Host: the demo builds catalog and link URLs from it,
            # so they point back at this proxy
            conn.request(ex.method, ex.path, body=ex.body or None, headers=headers)
            resp = conn.getresponse()
            body = resp.read()
            out_headers = [(k, v) for k, v in resp.getheaders() if k.lower() not in _HOP]
            status = resp.status
        finally:
            conn.close()
        # Catalog and link URLs must lead back here, not around the proxy (the demo
        # builds some from its own address, some from the Host header, always http).
        mine = self.base_url
        for theirs in (self.upstream, f"http://127.0.0.1:{self.port}"):
            if theirs != mine:
                body = body.replace(theirs.encode(), mine.encode())
                out_headers = [(k, v.replace(theirs, mine)) for k, v in out_headers]
        return status, out_headers, body

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Ticker:
    """Measures how long the event loop went without running a 20 ms ticker."""

    interval: float = 0.02
    ticks: list[float] = field(default_factory=list)

    async def run(self, loop) -> None:
        import asyncio
        while True:
            self.ticks.append(loop.time())
            await asyncio.sleep(self.interval)

    def max_gap(self) -> float:
        if len(self.ticks) < 2:
            return 0.0
        return max(b - a for a, b in zip(self.ticks, self.ticks[1:]))
