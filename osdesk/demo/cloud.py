"""``DemoCloud``: keystone + nova + glance + neutron + cinder on one local port."""

from __future__ import annotations

import json
import shutil
import threading

from . import block_storage, compute, identity, image, network
from .http import Response, Server, close_all
from .seed import PASSWORD, USER_DOMAIN, USERNAME, Variant, seed
from .state import CloudState

ALL_SERVICES = ("identity", "compute", "image", "network", "block-storage")

_APACHE_404 = ('<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n'
               "<title>404 Not Found</title>\n</head><body>\n<h1>Not Found</h1>\n"
               "<p>The requested URL was not found on this server.</p>\n<hr>\n"
               "<address>Apache/2.4.58 (Ubuntu) Server</address>\n</body></html>\n")

_CONSOLE_PAGE = ("<!DOCTYPE html>\n<html><head><title>osdesk demo console</title></head>\n"
                 "<body style=\"background:#000;color:#ccc;font-family:monospace\">\n"
                 "<p>This is the console proxy of the osdesk demo cloud.</p>\n"
                 "<p>A real cloud would show the server's screen here.</p>\n</body></html>\n")

# prefix, catalog service type, module
_PREFIXES = (("/identity", "identity", identity), ("/compute", "compute", compute),
             ("/image", "image", image), ("/networking", "network", network),
             ("/volume", "block-storage", block_storage))


class Router:
    def __init__(self, state: CloudState):
        self.state = state

    def _service_of(self, path):
        return next(((prefix, stype, mod) for prefix, stype, mod in _PREFIXES
                     if path == prefix or path.startswith(prefix + "/")), (None, None, None))

    def route(self, req) -> Response:
        prefix, stype, mod = self._service_of(req.path)
        if mod is not None and stype in self.state.services:
            return mod.handle(self.state, req, req.path[len(prefix):])
        if req.path in ("/vnc_lite.html", "/vnc_auto.html", "/spice_auto.html", "/console"):
            return Response(200, _CONSOLE_PAGE, content_type="text/html; charset=UTF-8")
        return Response(404, _APACHE_404, content_type="text/html; charset=iso-8859-1")

    def error(self, req, status) -> Response:
        """The service's own error answer (an Apache page outside the services)."""
        prefix, stype, mod = self._service_of(req.path)
        if mod is None or stype not in self.state.services:
            return Response(status, _APACHE_404 if status == 404 else
                            "<html><body><h1>%d</h1></body></html>" % status,
                            content_type="text/html; charset=iso-8859-1")
        resp = mod.error_response(status, None, req)  # req: glance answers JSON if asked
        if mod is compute:
            resp.headers["x-compute-request-id"] = req.request_id
        return resp

    def injected(self, req, fail) -> Response:
        body = fail.body
        if body is None:
            resp = self.error(req, fail.status)
        elif isinstance(body, (dict, list)):
            resp = Response(fail.status, json.dumps(body).encode())
        elif isinstance(body, str):
            resp = Response(fail.status, body.encode(), content_type="text/plain; charset=UTF-8")
        else:
            resp = Response(fail.status, bytes(body), content_type="application/octet-stream")
        if fail.status == 204:
            resp.body, resp.content_type = None, None
        resp.headers.update(fail.headers)
        if req.path.startswith("/compute"):
            resp.headers.setdefault("x-compute-request-id", req.request_id)
        return resp


class DemoCloud:
    """A small but faithful OpenStack cloud in a background thread.

    ``variant`` (``seed.Variant``) gives it its own project name, region, server names and
    addresses, so that several can run side by side (``osdesk --demo`` starts three).

    >>> demo = DemoCloud(servers=12).start()
    >>> demo.auth_url   # 'http://127.0.0.1:PORT/identity/v3'
    >>> demo.stop()
    """

    USERNAME = USERNAME
    PASSWORD = PASSWORD
    USER_DOMAIN = USER_DOMAIN
    PROJECT_DOMAIN = "Default"

    def __init__(self, servers: int = 12, host: str = "127.0.0.1", port: int = 0,
                 speed: float = 1.0, token_ttl: int = 3600, services=ALL_SERVICES,
                 seed_value: int = 2024, variant: Variant = Variant()):
        unknown = set(services) - set(ALL_SERVICES)
        if unknown:
            raise ValueError("unknown services: %s" % ", ".join(sorted(unknown)))
        if "identity" not in services:
            raise ValueError("the identity service cannot be left out")
        self.host = host
        self._port = port
        self.state = CloudState(speed=speed, token_ttl=token_ttl, services=tuple(services),
                                seed=seed_value)
        self.state.base_url = "http://%s:%d" % (host, port)
        seed(self.state, max(0, int(servers)), variant)
        self.PROJECT_NAME, self.REGION = variant.project, variant.region
        self.APP_CRED_ID = self.state.app_cred_id
        self.APP_CRED_SECRET = self.state.app_creds[self.APP_CRED_ID]["secret"]
        self.APP_CRED_NAME = self.state.app_creds[self.APP_CRED_ID]["name"]
        self.USER_ID = self.state.demo_user_id
        self.PROJECT_ID = self.state.projects_by_name[variant.project]
        self.STAGING_PROJECT_ID = self.state.projects_by_name["staging"]
        self._httpd = None
        self._thread = None

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> "DemoCloud":
        if self._httpd is not None:
            return self
        self._httpd = Server(self.host, self._port, Router(self.state), self.state)
        self._port = self._httpd.server_address[1]
        self.state.base_url = "http://%s:%d" % (self.host, self._port)
        self._warm_cache()
        self.state.stopped = False
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05},
                                        name="osdesk-demo-cloud", daemon=True)
        self._thread.start()
        return self

    def _warm_cache(self, count: int = 1000):
        """Pre-serialise the newest servers (the first page a client asks for)."""
        from .compute_views import MAX_MV, server_json
        with self.state.lock:
            pc = self.state.compute.get(self.PROJECT_ID)
            if pc is None:
                return
            for seq in pc.seqs[-count:]:
                server_json(self.state, pc.by_seq[seq], MAX_MV[1], "detail")

    def stop(self):
        httpd = self._httpd
        if httpd is None:
            return
        self._httpd = None
        self.state.release_all()
        httpd.shutdown()
        httpd.server_close()
        close_all(httpd)
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.state.tmpdir:  # created on demand by big image uploads
            shutil.rmtree(self.state.tmpdir, ignore_errors=True)
            self.state.tmpdir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # ------------------------------------------------------------------ addresses
    @property
    def port(self) -> int:
        return self._port

    @property
    def base_url(self) -> str:
        return "http://%s:%d" % (self.host, self._port)

    @property
    def auth_url(self) -> str:
        return self.base_url + "/identity/v3"

    def profile_fields(self, name: str = "Demo cloud") -> dict:
        return {"name": name, "auth_url": self.auth_url, "auth_type": "password",
                "username": self.USERNAME,
                "user_domain_name": self.USER_DOMAIN, "project_name": self.PROJECT_NAME,
                "project_domain_name": self.PROJECT_DOMAIN, "region_name": self.REGION,
                "interface": "public"}

    # ------------------------------------------------------------------ misbehaviour
    def set_latency(self, seconds: float):
        self.state.set_latency(seconds)

    def hang(self, path_regex: str):
        self.state.hang(path_regex)

    def unhang(self, path_regex: str | None = None):
        self.state.unhang(path_regex)

    def fail_next(self, path_regex: str, status: int = 500, body=None, **kw):
        self.state.fail_next(path_regex, status, body, **kw)
