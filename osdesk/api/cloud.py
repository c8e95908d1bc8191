"""``Cloud``: one authenticated connection to one OpenStack cloud.

A keystoneauth1 ``Session`` built from a profile and its secret, one ``Adapter``
per service, and the service clients on top. Blocking: the GUI runs every call
through the runner on this cloud's own worker thread.
"""

from __future__ import annotations

import datetime as _dt
import threading
import time
from urllib.parse import urlsplit

import requests
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

from osdesk import __version__
from osdesk.api import errors, failures
from osdesk.api.calllog import CallLog, default_log, url_under
from osdesk.api.page_memo import PageMemo, PageSlot
from osdesk.api.redaction import parse_in_steps
from osdesk.api.transport import RecordingAdapter

#: Per service: the major API version osdesk speaks (for keystoneauth discovery).
API_VERSIONS = {
    "identity": ("3.0", "3.latest"),
    "compute": ("2.0", "2.latest"),
    "image": ("2.0", "2.latest"),
    "network": ("2.0", "2.latest"),
    "block-storage": ("3.0", "3.latest"),
}
#: The highest compute microversion whose bodies osdesk has been checked against
#: (nova's api-samples up to v2.100). Negotiation picks min(this, the cloud's max).
COMPUTE_MAX_MICROVERSION = (2, 100)
#: A catalog miss logs in again for a fresh catalog when the token is older than this,
#: at most this often: a service added to the cloud after the login is found.
CATALOG_RETRY_S = 30.0
#: The clock of token ages (tests replace it).
_clock = time.monotonic


def parse_version(text) -> tuple[int, int] | None:
    """``"2.10"`` → ``(2, 10)``; versions are compared as numbers, never strings."""
    if text is None or text == "":
        return None
    if isinstance(text, tuple):
        return (int(text[0]), int(text[1]) if len(text) > 1 else 0)
    major, _, minor = str(text).strip().lstrip("v").partition(".")
    return int(major), int(minor or 0)


def format_version(version: tuple[int, int] | None) -> str | None:
    return None if version is None else f"{version[0]}.{version[1]}"


def negotiate(ours: tuple[int, int], server_min, server_max) -> tuple[int, int] | None:
    """The highest microversion both sides understand, or None (base API only)."""
    smax = parse_version(server_max)
    smin = parse_version(server_min)
    if smax is None or smax == (0, 0):
        return None
    best = min(ours, smax)
    if smin is not None and best < smin:
        return None
    return best


#: a body longer than this is parsed a member at a time (see ``Cloud.json``); a page of
#: 500 servers is ~1 MB
STEPWISE_JSON_BYTES = 8 * 2**20


class _TokenOnly(requests.auth.AuthBase):
    """A requests auth that adds nothing: keystoneauth sends the token itself."""

    def __call__(self, request):
        return request


_TOKEN_ONLY = _TokenOnly()


class Cloud:
    """An authenticated connection to one cloud.

    Not thread-safe by design: the runner gives each Cloud one worker thread.
    """

    def __init__(self, profile, secret: str | None = None, *, call_log: CallLog | None = None,
                 http: requests.Session | None = None, discovery_cache: dict | None = None):
        problems = profile.problems()
        if problems:
            raise errors.ConfigError(" ".join(problems))
        self.profile = profile
        self._secret = secret
        self.call_log = call_log or default_log
        self._http = http or requests.Session()
        # Keystone tokens are the only credentials sent: no Basic auth from ~/.netrc
        # (which requests would look for, two file checks, before every request)
        self._http.auth = _TOKEN_ONLY
        self._prefixes: list[tuple[str, str]] = []  # (url prefix, service type)
        self._prefix_lock = threading.Lock()
        self._catalog_ref = None
        #: keystoneauth's version discovery results, shared with siblings
        self._discovery_cache = {} if discovery_cache is None else discovery_cache
        recorder = RecordingAdapter(self.call_log.emit, self._classify,
                                    pool_connections=4, pool_maxsize=4)
        self._http.mount("http://", recorder)
        self._http.mount("https://", recorder)
        verify: bool | str = bool(profile.verify)
        if profile.verify and profile.cacert:
            verify = profile.cacert
        self.session = ks_session.Session(
            auth=self._make_auth(), session=self._http, verify=verify,
            timeout=float(profile.timeout), app_name="osdesk", app_version=__version__,
            discovery_cache=self._discovery_cache)
        self._adapters: dict[str, ks_adapter.Adapter] = {}
        self._compute_version: tuple[int, int] | None | bool = False  # False: not yet negotiated
        self._clients: dict[str, object] = {}
        # when the token in hand was first seen; issued_at is the server's clock, and
        # some tokens have none
        self._token_ref = None
        self._token_at = 0.0
        self._catalog_retry_at = float("-inf")
        #: list pages of the last listings, not parsed again when the same (page_memo)
        self.page_memo = PageMemo()

    # ------------------------------------------------------------ auth plugin
    def _make_auth(self, project_id: str | None = None, project_name: str | None = None):
        p = self.profile
        url = p.auth_url.strip().rstrip("/")
        scope = {}
        if project_id or project_name:
            scope = {"project_id": project_id, "project_name": project_name}
            if project_name and not project_id:
                scope["project_domain_id"] = p.project_domain_id or (None if p.project_domain_name else "default")
                scope["project_domain_name"] = p.project_domain_name or None
        elif p.project_id or p.project_name:
            scope = {"project_id": p.project_id or None, "project_name": p.project_name or None}
            if p.project_name and not p.project_id:
                scope["project_domain_id"] = p.project_domain_id or (None if p.project_domain_name else "default")
                scope["project_domain_name"] = p.project_domain_name or None
        elif p.domain_id or p.domain_name:
            scope = {"domain_id": p.domain_id or None, "domain_name": p.domain_name or None}
        user = {}
        if p.user_id:
            user["user_id"] = p.user_id
        if p.username:
            user["username"] = p.username
            if not p.user_id:
                user["user_domain_id"] = p.user_domain_id or (None if p.user_domain_name else "default")
                user["user_domain_name"] = p.user_domain_name or None
        # an auth URL that names v3 needs no discovery: the login is one request, not two
        # (the GET of the URL's version document first, a round trip to a far cloud)
        plugins = v3 if urlsplit(url).path.rstrip("/").endswith("/v3") else generic
        if p.auth_type == "password":
            return plugins.Password(url, password=self._secret or "", **user, **scope)
        if p.auth_type == "token":
            return plugins.Token(url, token=self._secret or "", **scope)
        if p.auth_type == "v3applicationcredential":
            if not urlsplit(url).path.rstrip("/").endswith("/v3"):
                url += "/v3"
            kwargs = {"application_credential_secret": self._secret or ""}
            if p.application_credential_id:
                kwargs["application_credential_id"] = p.application_credential_id
            else:
                kwargs["application_credential_name"] = p.application_credential_name
                kwargs.update(user)
            return v3.ApplicationCredential(url, **kwargs)
        raise errors.ConfigError(f"Unknown auth type {p.auth_type!r}.")

    # ----------------------------------------------------------------- tokens
    def authenticate(self) -> dict:
        """Log in now (or reuse a valid token) and return :meth:`token_info`."""
        self._call(lambda: self.session.get_token(), "identity")
        return self.token_info()

    @property
    def access(self):
        """keystoneauth's AccessInfo of the current token (authenticating if needed)."""
        ref = self._call(lambda: self.session.auth.get_access(self.session), "identity")
        if ref is not self._token_ref:
            self._token_ref, self._token_at = ref, _clock()
        return ref

    def token_info(self) -> dict:
        """User, project/domain, roles, expiry and the catalog of the current token."""
        a = self.access
        raw = getattr(a, "_data", {}) or {}
        token = raw.get("token", {}) if isinstance(raw, dict) else {}
        return {
            "user_id": a.user_id, "user_name": a.username,
            "user_domain_name": a.user_domain_name,
            "project_id": a.project_id, "project_name": a.project_name,
            "project_domain_name": a.project_domain_name,
            "domain_id": a.domain_id, "domain_name": a.domain_name,
            "roles": list(a.role_names or []),
            "expires_at": a.expires, "issued_at": _issued(a),
            "methods": list(token.get("methods", []) or []),
            "catalog": list(token.get("catalog", []) or []),
            "services": sorted({s.get("type") for s in token.get("catalog", []) or [] if s.get("type")}),
            "is_admin": "admin" in {r.lower() for r in (a.role_names or [])},
        }

    def token_expires_in(self) -> float | None:
        """Seconds until the current token expires, without any HTTP call."""
        ref = getattr(self.session.auth, "auth_ref", None)
        if ref is None or ref.expires is None:
            return None
        return (ref.expires - _dt.datetime.now(_dt.timezone.utc)).total_seconds()

    def invalidate(self) -> None:
        """Forget the token; the next call logs in again."""
        self.session.auth.invalidate()

    def rescope(self, project_id: str) -> dict:
        """Switch this connection to another project of the same user.

        Uses the stored credentials (no new prompt); with a token or application
        credential profile, the current token is exchanged instead.
        """
        if self.profile.auth_type == "password":
            auth = self._make_auth(project_id=project_id)
        elif self.profile.auth_type == "v3applicationcredential":
            raise errors.ConfigError("An application credential is bound to one project; "
                                     "it cannot be switched to another.")
        else:
            token = self._call(lambda: self.session.get_token(), "identity")
            # v3 explicitly: a bare project id is also valid in v2, and keystoneauth's
            # generic plugin would pick v2.0 from a discovery document that lists it.
            url = self.profile.auth_url.strip().rstrip("/")
            if not urlsplit(url).path.rstrip("/").endswith("/v3"):
                url += "/v3"
            auth = v3.Token(url, token=token, project_id=project_id)
        old = self.session.auth
        self.session.auth = auth
        try:
            info = self.authenticate()
        except Exception:
            self.session.auth = old
            raise
        self._adapters.clear()
        self._clients.clear()
        self._compute_version = False
        self.page_memo.clear()
        return info

    # -------------------------------------------------------------- endpoints
    def has_service(self, service_type: str) -> bool:
        """Whether the token's catalog has the service.

        The catalog is the token's, kept until it expires: on a miss with a token older
        than CATALOG_RETRY_S, log in again once (at most that often) and look again.
        """
        if self._catalog_url(service_type, self.access):
            return True
        now = _clock()
        if now - self._token_at < CATALOG_RETRY_S or \
                now - self._catalog_retry_at < CATALOG_RETRY_S:
            return False
        self._catalog_retry_at = now
        self.session.auth.invalidate()
        return bool(self._catalog_url(service_type, self.access))

    def endpoint(self, service_type: str) -> str:
        """The versioned endpoint URL for a service, or :class:`ServiceNotAvailable`."""
        if not self.has_service(service_type):
            raise errors.ServiceNotAvailable(service_type, self.profile.region_name,
                                             self.profile.interface)
        adapter = self.adapter(service_type)
        url = self._call(lambda: adapter.get_endpoint(), service_type)
        if not url:
            raise self._missing(service_type)
        self._remember_prefix(url, service_type)
        return url

    def adapter(self, service_type: str) -> ks_adapter.Adapter:
        if service_type not in self._adapters:
            min_v, max_v = API_VERSIONS.get(service_type, (None, None))
            self._adapters[service_type] = ks_adapter.Adapter(
                self.session, service_type=service_type, interface=self.profile.interface,
                region_name=self.profile.region_name or None, min_version=min_v,
                max_version=max_v)
        return self._adapters[service_type]

    @property
    def compute_microversion(self) -> str | None:
        """The negotiated compute microversion ("2.96"), discovering it once."""
        if self._compute_version is False:
            adapter = self.adapter("compute")
            data = self._call(lambda: adapter.get_endpoint_data(), "compute")
            if data is None:
                raise self._missing("compute")
            self._remember_prefix(data.url, "compute")
            self._compute_version = negotiate(COMPUTE_MAX_MICROVERSION,
                                              data.min_microversion, data.max_microversion)
        return format_version(self._compute_version or None)

    def compute_supports(self, version: str) -> bool:
        """True when the negotiated compute microversion is at least ``version``."""
        current = parse_version(self.compute_microversion)
        return current is not None and current >= parse_version(version)

    # --------------------------------------------------------------- requests
    def request(self, service_type: str, method: str, path: str, *, json=None, params=None,
                data=None, headers=None, microversion: str | None = None, stream: bool = False,
                ok=(200, 201, 202, 204), timeout: float | None = None,
                allow_reauth: bool = True) -> requests.Response:
        """One API call; raises an :mod:`osdesk.api.errors` error for anything but ``ok``.

        ``path`` is relative to the service's versioned endpoint. ``allow_reauth=False``
        turns off keystoneauth's log-in-again-and-resend on a 401, for a body that can
        be read only once (the caller starts over itself).
        """
        if not self.has_service(service_type):
            raise errors.ServiceNotAvailable(service_type, self.profile.region_name,
                                             self.profile.interface)
        adapter = self.adapter(service_type)
        kwargs = {"raise_exc": False, "stream": stream, "allow_reauth": allow_reauth}
        if json is not None:
            kwargs["json"] = json
        if params:
            kwargs["params"] = params
        if data is not None:
            kwargs["data"] = data
        if headers:
            kwargs["headers"] = dict(headers)
        if timeout is not None:
            kwargs["timeout"] = timeout
        if service_type == "compute":
            mv = microversion or self.compute_microversion
            if mv:
                kwargs["microversion"] = mv
        elif microversion:
            kwargs["microversion"] = microversion
        resp = self._call(lambda: adapter.request(path, method, **kwargs), service_type)
        if resp.status_code not in ok:
            if stream:
                resp.content  # noqa: B018 - read the error body
            raise errors.ApiError.from_response(resp, method)
        return resp

    def json(self, service_type: str, method: str, path: str, *,
             reuse: PageSlot | None = None, **kwargs):
        """:meth:`request` and parse the body as JSON ({} for an empty body).

        With ``reuse`` (a list page's slot in :attr:`page_memo`), a body that is byte
        for byte the one parsed last time for that page is not parsed again: last
        time's objects come back.
        """
        resp = self.request(service_type, method, path, **kwargs)
        if not resp.content:
            return {}
        if reuse is not None:
            known = reuse.known(resp.content)
            if known is not None:
                return known
        try:
            if len(resp.content) > STEPWISE_JSON_BYTES:
                # one json.loads of 50 MB holds the GIL, and the GUI thread, ~0.4 s;
                # member by member it lets go between servers (~70 % more parse time,
                # so only for bodies far over a page's)
                body = parse_in_steps(resp.text)
            else:
                body = resp.json()
        except ValueError:
            snippet = resp.text[:120].strip()
            kind = "an HTML page" if snippet[:1] == "<" else "not valid JSON"
            raise errors.BadResponse(
                f"{service_type} answered HTTP {resp.status_code} to {method} {path}, "
                f"but the body is {kind}: {snippet!r}", method=method, url=resp.url,
                status=resp.status_code,
                request_id=errors.request_id_of(resp.headers)) from None
        if reuse is not None:
            reuse.keep(body)
        return body

    # ---------------------------------------------------------------- clients
    compute = property(lambda self: self._client("compute"), doc="The Nova client.")
    image = property(lambda self: self._client("image"), doc="The Glance client.")
    network = property(lambda self: self._client("network"), doc="The Neutron client.")
    identity = property(lambda self: self._client("identity"), doc="The Keystone client.")
    block_storage = property(lambda self: self._client("block-storage"),
                             doc="The Cinder client.")

    def _client(self, name):
        if name not in self._clients:
            from osdesk.api import block_storage, compute, identity, image, network
            cls = {"compute": compute.ComputeClient, "image": image.ImageClient,
                   "network": network.NetworkClient, "identity": identity.IdentityClient,
                   "block-storage": block_storage.BlockStorageClient}[name]
            self._clients[name] = cls(self)
        return self._clients[name]

    def sibling(self) -> "Cloud":
        """A second connection to the same cloud with the same token, for one long
        transfer on another thread.

        It shares the auth plugin (keystoneauth guards it with a lock, so a renewal
        happens once for both) and the discovery cache, so it neither logs in nor
        discovers again; it has its own HTTP session, so no ``requests.Session`` is used
        by two threads. A later :meth:`rescope` of this connection replaces its plugin
        and leaves the sibling's alone: a transfer finishes in the project it began in.
        """
        twin = Cloud(self.profile, self._secret, call_log=self.call_log,
                     discovery_cache=self._discovery_cache)
        twin.session.auth = self.session.auth
        twin._compute_version = self._compute_version  # negotiated once per cloud
        with self._prefix_lock:
            twin._prefixes = list(self._prefixes)
        return twin

    def close(self) -> None:
        self._http.close()

    # --------------------------------------------------------------- internals
    def _remember_prefix(self, url: str, service_type: str) -> None:
        url = url.rstrip("/")
        with self._prefix_lock:
            if (url, service_type) not in self._prefixes:
                self._prefixes.append((url, service_type))
                self._prefixes.sort(key=lambda item: -len(item[0]))

    def _classify(self, url: str) -> tuple[str, str, str]:
        """(cloud name, service type, its endpoint URL) of a request URL, from the
        catalog's endpoint URLs (matched on whole path segments) and the auth URL."""
        ref = getattr(self.session.auth, "auth_ref", None)
        if ref is not None and ref is not self._catalog_ref:
            # Label calls by the catalog of the current token (discovery URLs too).
            self._catalog_ref = ref
            for service in ref.service_catalog.catalog or []:
                for endpoint in service.get("endpoints", []):
                    if endpoint.get("url") and service.get("type"):
                        self._remember_prefix(endpoint["url"], service["type"])
        with self._prefix_lock:
            prefixes = list(self._prefixes)
        for prefix, service in prefixes:
            if url_under(url, prefix):
                return self.profile.name, service, prefix
        # before the first token there is no catalog: discovery and the token request
        # go to the auth URL
        root = self.profile.auth_url.strip().rstrip("/")
        root = root[:-3] if root.endswith("/v3") else root
        if url_under(url, root):
            return self.profile.name, "identity", root
        return self.profile.name, "", ""

    def _catalog_url(self, service_type: str, ref=None) -> str | None:
        """The service's URL in the token's catalog (``ref``, else the token in hand,
        without logging in); for identity before any token, the auth URL."""
        if ref is None:
            ref = getattr(self.session.auth, "auth_ref", None)
        if ref is None:
            return self.profile.auth_url if service_type == "identity" else None
        try:
            return ref.service_catalog.url_for(service_type=service_type,
                                               interface=self.profile.interface,
                                               region_name=self.profile.region_name or None)
        except ks_exc.EndpointNotFound:
            return None

    def _missing(self, service_type: str) -> errors.ServiceNotAvailable:
        """The error for a service keystoneauth found no endpoint of: not in the catalog,
        or in it with no API version osdesk speaks."""
        ours = API_VERSIONS.get(service_type)
        if ours and self._catalog_url(service_type):
            return failures.no_supported_version(self, service_type, ours[0].split(".")[0] + ".x")
        return errors.ServiceNotAvailable(service_type, self.profile.region_name,
                                          self.profile.interface)

    def _call(self, fn, service_type: str):
        """Run a keystoneauth call for ``service_type`` and translate its exceptions
        into ours (failures.py)."""
        return failures.call(self, fn, service_type)

    def __repr__(self) -> str:
        return f"<Cloud {self.profile.name!r} {self.profile.auth_url}>"


def _issued(access):
    """The token's issued_at, or None: keystoneauth reads the key without a default,
    and not every token has one."""
    try:
        return access.issued
    except KeyError:
        return None
