"""``Cloud``: one authenticated connection to one OpenStack cloud.

A keystoneauth1 ``Session`` built from a profile and its secret, one ``Adapter``
per service, and the service clients on top. Blocking: the GUI runs every call
through the runner on this cloud's own worker thread.
"""

from __future__ import annotations

import datetime as _dt
import threading
from urllib.parse import urlsplit

import requests
from keystoneauth1 import adapter as ks_adapter
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session as ks_session
from keystoneauth1.identity import generic, v3

from osdesk import __version__
from osdesk.api import errors
from osdesk.api.calllog import CallLog, default_log
from osdesk.api.transport import RecordingAdapter

#: Per service: the major API version osdesk speaks (for keystoneauth discovery).
API_VERSIONS = {
    "identity": ("3.0", "3.latest"),
    "compute": ("2.0", "2.latest"),
    "image": ("2.0", "2.latest"),
    "network": ("2.0", "2.latest"),
}
#: The highest compute microversion whose bodies osdesk has been checked against
#: (nova's api-samples up to v2.100). Negotiation picks min(this, the cloud's max).
COMPUTE_MAX_MICROVERSION = (2, 100)
#: Keystone answers 401 to both a wrong password and an unknown project.
_AUTH_HINT = "wrong user name, password or domain"


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
        if p.auth_type == "password":
            return generic.Password(url, password=self._secret or "", **user, **scope)
        if p.auth_type == "token":
            return generic.Token(url, token=self._secret or "", **scope)
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
        self._call(lambda: self.session.get_token(), "POST", self.profile.auth_url, "identity")
        return self.token_info()

    @property
    def access(self):
        """keystoneauth's AccessInfo of the current token (authenticating if needed)."""
        return self._call(lambda: self.session.auth.get_access(self.session), "POST",
                          self.profile.auth_url, "identity")

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
            "expires_at": a.expires, "issued_at": a.issued,
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
            token = self._call(lambda: self.session.get_token(), "POST", self.profile.auth_url,
                               "identity")
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
        return info

    # -------------------------------------------------------------- endpoints
    def has_service(self, service_type: str) -> bool:
        catalog = self.access.service_catalog
        try:
            urls = catalog.get_urls(service_type=service_type, interface=self.profile.interface,
                                    region_name=self.profile.region_name or None)
        except ks_exc.EndpointNotFound:
            return False
        return bool(urls)

    def endpoint(self, service_type: str) -> str:
        """The versioned endpoint URL for a service, or :class:`ServiceNotAvailable`."""
        if not self.has_service(service_type):
            raise errors.ServiceNotAvailable(service_type, self.profile.region_name,
                                             self.profile.interface)
        adapter = self.adapter(service_type)
        url = self._call(lambda: adapter.get_endpoint(), "GET", "", service_type)
        if not url:
            raise errors.ServiceNotAvailable(service_type, self.profile.region_name,
                                             self.profile.interface)
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
            data = self._call(lambda: adapter.get_endpoint_data(), "GET", "", "compute")
            if data is None:
                raise errors.ServiceNotAvailable("compute", self.profile.region_name,
                                                 self.profile.interface)
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
        resp = self._call(lambda: adapter.request(path, method, **kwargs), method, path,
                          service_type)
        if resp.status_code not in ok:
            if stream:
                resp.content  # noqa: B018 - read the error body
            raise errors.ApiError.from_response(resp, method)
        return resp

    def json(self, service_type: str, method: str, path: str, **kwargs):
        """:meth:`request` and parse the body as JSON ({} for an empty body)."""
        resp = self.request(service_type, method, path, **kwargs)
        if not resp.content:
            return {}
        try:
            return resp.json()
        except ValueError:
            snippet = resp.text[:120].strip()
            kind = "an HTML page" if snippet[:1] == "<" else "not valid JSON"
            raise errors.BadResponse(
                f"{service_type} answered HTTP {resp.status_code} to {method} {path}, "
                f"but the body is {kind}: {snippet!r}", method=method, url=resp.url,
                status=resp.status_code,
                request_id=errors.request_id_of(resp.headers)) from None

    # ---------------------------------------------------------------- clients
    @property
    def compute(self):
        return self._client("compute")

    @property
    def image(self):
        return self._client("image")

    @property
    def network(self):
        return self._client("network")

    @property
    def identity(self):
        return self._client("identity")

    def _client(self, name):
        if name not in self._clients:
            from osdesk.api import compute, identity, image, network
            cls = {"compute": compute.ComputeClient, "image": image.ImageClient,
                   "network": network.NetworkClient, "identity": identity.IdentityClient}[name]
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

    def _classify(self, url: str) -> tuple[str, str]:
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
            if url.startswith(prefix):
                return self.profile.name, service
        if url.startswith(self.profile.auth_url.rstrip("/").rsplit("/v3", 1)[0]):
            return self.profile.name, "identity"
        return self.profile.name, ""

    def _call(self, fn, method: str, url: str, service_type: str):
        """Run a keystoneauth call and translate its exceptions into ours."""
        try:
            return fn()
        except errors.OsdeskError:
            raise
        except _NO_ANSWER as exc:
            raise self._no_answer(exc) from None
        except (ks_exc.EndpointNotFound, ks_exc.EmptyCatalog):
            raise errors.ServiceNotAvailable(service_type or "requested",
                                             self.profile.region_name,
                                             self.profile.interface) from None
        except ks_exc.DiscoveryFailure as exc:
            # keystoneauth wraps a failed discovery request (refused, DNS, TLS, timeout)
            # in a DiscoveryFailure; nothing answered, so say that, not "check the URL".
            inner = _chained(exc, _NO_ANSWER)
            if inner is not None:
                raise self._no_answer(inner) from None
            raise errors.ConnectionFailed(
                f"{self.profile.auth_url} does not answer like a Keystone v3 endpoint "
                f"({_root_cause(exc)}). Check the auth URL.") from None
        except ks_exc.http.HttpError as exc:
            # Our own requests use raise_exc=False, so an HttpError here came from
            # keystoneauth itself: the token request or version discovery.
            raise self._auth_error(exc) from None
        except ks_exc.MissingAuthMethods as exc:
            raise self._mfa_required(exc) from None
        except ks_exc.MissingAuthPlugin as exc:
            raise errors.ConfigError(str(exc)) from None
        except ks_exc.UnknownConnectionError as exc:
            # keystoneauth wraps every other requests error in this one, e.g. a
            # connection reset in the middle of a body (ChunkedEncodingError).
            raise self._broken(exc.original) from None
        except ks_exc.ClientException as exc:
            raise errors.OsdeskError(f"{exc.__class__.__name__}: {exc}") from None
        except requests.exceptions.RequestException as exc:
            raise self._broken(exc) from None

    def _broken(self, exc: BaseException) -> errors.OsdeskError:
        """The error for a requests failure after the connection was made."""
        if isinstance(exc, requests.exceptions.ChunkedEncodingError):
            return errors.ConnectionFailed(f"The connection to {self._host()} broke in the "
                                           f"middle of an answer ({_root_cause(exc)}).")
        return errors.ConnectionFailed(f"Could not talk to {self._host()}: {_root_cause(exc)}")

    def _no_answer(self, exc) -> errors.OsdeskError:
        """The error for a request that got no HTTP answer at all."""
        if isinstance(exc, ks_exc.SSLError):
            return errors.TlsError(
                f"TLS check failed for {self._host()}: {_root_cause(exc)}. Set a CA bundle "
                f"in the cloud's settings, or turn off TLS verification only for a test cloud.")
        if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
            return errors.RequestTimeout(
                f"{self._host()} did not answer within {self.profile.timeout:g} s "
                f"({_root_cause(exc)}).")
        cause = _root_cause(exc)
        low = cause.lower()
        if any(s in low for s in ("name or service not known", "nodename nor servname",
                                  "getaddrinfo failed", "name resolution",
                                  "temporary failure in name", "no address associated")):
            return errors.HostNotFound(f"The host name of {self._host()} could not be "
                                       f"resolved ({cause}).")
        if "refused" in low:
            return errors.ConnectionFailed(f"{self._host()} refused the connection: "
                                           f"nothing listens there.")
        return errors.ConnectionFailed(f"Could not talk to {self._host()}: {cause}")

    def _auth_error(self, exc) -> errors.OsdeskError:
        resp = getattr(exc, "response", None)
        status = getattr(exc, "http_status", None) or (resp.status_code if resp is not None else 0)
        request_id = getattr(exc, "request_id", None)
        if status == 401:
            p = self.profile
            if p.auth_type == "password" and p.scope != "unscoped" and self._unscoped_login_works():
                where = (f"project {p.project_name or p.project_id}" if p.scope == "project"
                         else f"domain {p.domain_name or p.domain_id}")
                msg = (f"Keystone accepted the password but refused the scope: {where} does "
                       f"not exist or user {p.username or p.user_id} has no role on it.")
            elif p.auth_type == "v3applicationcredential":
                msg = ("Keystone refused the application credential: the id or secret is "
                       "wrong, or the credential has expired or been deleted.")
            elif p.auth_type == "token":
                msg = "Keystone refused the token: it has expired or been revoked."
            else:
                msg = f"Keystone refused the login: {_AUTH_HINT}, or the project."
            if request_id:
                msg += f" (Request-ID: {request_id})"
            err = errors.AuthenticationFailed(msg)
            err.status, err.request_id = 401, request_id
            return err
        if resp is not None:
            return errors.ApiError.from_response(resp)
        return errors.ApiError(status or 0, str(exc), url=self.profile.auth_url,
                               request_id=request_id)

    def _mfa_required(self, exc) -> errors.OsdeskError:
        """Keystone took the password and answered with an MFA receipt (401 with
        ``Openstack-Auth-Receipt``): more methods are required."""
        rules = [" + ".join(rule) for rule in (exc.required_auth_methods or [])]
        err = errors.AuthenticationFailed(
            f"Keystone accepted the password, but this account needs multi-factor "
            f"authentication ({' or '.join(rules) or 'more methods'}), which osdesk cannot "
            f"answer yet. Create an application credential for this cloud (`openstack "
            f"application credential create`, or the dashboard's Identity → Application "
            f"Credentials) and use it in the cloud's settings instead of the password.")
        err.status = 401
        err.request_id = exc.response.headers.get("x-openstack-request-id")
        return err

    def _unscoped_login_works(self) -> bool:
        """Tell a wrong password from a wrong project: try once without a scope."""
        p = self.profile
        user = {"user_id": p.user_id or None, "username": p.username or None}
        if p.username and not p.user_id:
            user["user_domain_id"] = p.user_domain_id or (None if p.user_domain_name else "default")
            user["user_domain_name"] = p.user_domain_name or None
        probe = generic.Password(p.auth_url.rstrip("/"), password=self._secret or "",
                                 **user)
        try:
            probe.get_access(self.session)
            return True
        except Exception:
            return False

    def _host(self) -> str:
        split = urlsplit(self.profile.auth_url)
        return split.netloc or self.profile.auth_url

    def __repr__(self) -> str:
        return f"<Cloud {self.profile.name!r} {self.profile.auth_url}>"


#: keystoneauth's exceptions for a request that got no HTTP answer
_NO_ANSWER = (ks_exc.SSLError, ks_exc.ConnectTimeout, ks_exc.RequestTimeout, ks_exc.ConnectFailure)


def _chained(exc: BaseException, types) -> BaseException | None:
    """The first exception of ``types`` in the ``__cause__``/``__context__`` chain."""
    seen = set()
    cur = exc.__cause__ or exc.__context__
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        if isinstance(cur, types):
            return cur
        cur = cur.__cause__ or cur.__context__
    return None


def _root_cause(exc: BaseException) -> str:
    """The innermost useful message of a chained requests/urllib3 exception."""
    seen = set()
    best = str(exc)
    cur = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        text = str(cur)
        if text:
            best = text
        args = getattr(cur, "args", ())
        nxt = cur.__cause__ or cur.__context__
        if nxt is None and args and isinstance(args[0], BaseException):
            nxt = args[0]
        reason = getattr(cur, "reason", None)
        if nxt is None and isinstance(reason, BaseException):
            nxt = reason
        cur = nxt
    return best[:300]
