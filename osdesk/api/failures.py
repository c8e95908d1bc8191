"""keystoneauth's and requests' exceptions, turned into osdesk errors that say which
service at which host failed.

``Cloud._call`` hands every keystoneauth call to :func:`call`. Nothing here holds
state: what it needs of the connection (profile, catalog, call labels, session) it
reads from the ``Cloud`` it is given, so this module imports nothing of cloud.py.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import requests
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1.identity import generic

from osdesk.api import errors

#: Keystone answers 401 to both a wrong password and an unknown project.
_AUTH_HINT = "wrong user name, password or domain"

#: How errors name a service type; an unknown type is named by itself.
SERVICE_NAMES = {
    "identity": "Identity (Keystone)", "compute": "Compute (Nova)", "image": "Image (Glance)",
    "network": "Network (Neutron)", "block-storage": "Block Storage (Cinder)",
    "volumev3": "Block Storage (Cinder)", "volumev2": "Block Storage (Cinder)",
    "volume": "Block Storage (Cinder)", "placement": "Placement",
    "object-store": "Object Storage (Swift)", "orchestration": "Orchestration (Heat)",
    "load-balancer": "Load Balancer (Octavia)",
}

#: keystoneauth's exceptions for a request that got no HTTP answer
_NO_ANSWER = (ks_exc.SSLError, ks_exc.ConnectTimeout, ks_exc.RequestTimeout, ks_exc.ConnectFailure)


def service_label(service_type: str) -> str:
    return SERVICE_NAMES.get(service_type, service_type or "The cloud")


def host_of(url: str) -> str:
    """``host:port`` of a URL as written in it (no user info), or the URL itself."""
    netloc = urlsplit(url or "").netloc.rpartition("@")[2]
    return netloc or url


def call(cloud, fn, service_type: str):
    """Run a keystoneauth call and translate its exceptions into ours."""
    try:
        return fn()
    except errors.OsdeskError:
        raise
    except _NO_ANSWER as exc:
        raise no_answer(cloud, exc, service_type) from None
    except (ks_exc.EndpointNotFound, ks_exc.EmptyCatalog):
        raise cloud._missing(service_type or "requested") from None
    except ks_exc.DiscoveryFailure as exc:
        # keystoneauth wraps a failed discovery request (refused, DNS, TLS, timeout)
        # in a DiscoveryFailure; nothing answered, so say that, not "check the URL".
        inner = _chained(exc, _NO_ANSWER)
        if inner is not None:
            raise no_answer(cloud, inner, service_type) from None
        if service_type and service_type != "identity":
            raise cloud._missing(service_type) from None
        unsupported = keystone_without_v3(cloud)
        if unsupported is not None:
            raise unsupported from None
        raise errors.ConnectionFailed(
            f"{cloud.profile.auth_url} does not answer like a Keystone v3 endpoint "
            f"({_root_cause(exc)}). Check the auth URL.") from None
    except ks_exc.http.HttpError as exc:
        # Our own requests use raise_exc=False, so an HttpError here came from
        # keystoneauth itself: the token request or version discovery.
        raise auth_error(cloud, exc) from None
    except ks_exc.MissingAuthMethods as exc:
        raise mfa_required(exc) from None
    except ks_exc.MissingAuthPlugin as exc:
        raise errors.ConfigError(str(exc)) from None
    except ks_exc.UnknownConnectionError as exc:
        # keystoneauth wraps every other requests error in this one, e.g. a
        # connection reset in the middle of a body (ChunkedEncodingError).
        raise broken(cloud, exc.original, service_type) from None
    except ks_exc.ClientException as exc:
        raise errors.OsdeskError(f"{exc.__class__.__name__}: {exc}") from None
    except requests.exceptions.RequestException as exc:
        raise broken(cloud, exc, service_type) from None


def where(cloud, exc: BaseException, service_type: str) -> str:
    """"Compute (Nova) at host:port" for the request that failed.

    The URL is the failing request's own (requests puts it on its exceptions); without
    it, the service's endpoint in the token's catalog. The service is the one whose
    catalog endpoint holds that URL: a token renewal inside a Nova call that fails is
    Keystone's failure, not Nova's.
    """
    url = _failed_url(exc) or cloud._catalog_url(service_type or "identity")
    if not url and service_type in ("", "identity"):
        url = cloud.profile.auth_url  # an unscoped token has no catalog
    service = (cloud._classify(url)[1] if url else "") or service_type or "identity"
    return f"{service_label(service)} at {host_of(url)}" if url else service_label(service)


def broken(cloud, exc: BaseException, service_type: str) -> errors.OsdeskError:
    """The error for a requests failure after the connection was made."""
    at = where(cloud, exc, service_type)
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return errors.ConnectionFailed(f"The connection to {at} broke in the middle of an "
                                       f"answer ({_root_cause(exc)}).")
    return errors.ConnectionFailed(f"Could not talk to {at}: {_root_cause(exc)}")


def no_answer(cloud, exc, service_type: str) -> errors.OsdeskError:
    """The error for a request that got no HTTP answer at all."""
    at = where(cloud, exc, service_type)
    if isinstance(exc, ks_exc.SSLError):
        return errors.TlsError(
            f"TLS check failed for {at}: {_root_cause(exc)}. Set a CA bundle in the "
            f"cloud's settings, or turn off TLS verification only for a test cloud.")
    if isinstance(exc, (ks_exc.ConnectTimeout, ks_exc.RequestTimeout)):
        return errors.RequestTimeout(f"{at} did not answer within {cloud.profile.timeout:g} s "
                                     f"({_root_cause(exc)}).")
    cause = _root_cause(exc)
    low = cause.lower()
    if any(s in low for s in ("name or service not known", "nodename nor servname",
                              "getaddrinfo failed", "name resolution",
                              "temporary failure in name", "no address associated")):
        return errors.HostNotFound(f"The host name of {at} could not be resolved ({cause}).")
    if "refused" in low:
        return errors.ConnectionFailed(f"{at} refused the connection: nothing listens there.")
    return errors.ConnectionFailed(f"Could not talk to {at}: {cause}")


def no_supported_version(cloud, service_type: str, ours: str) -> errors.NoSupportedVersion:
    """The catalog has the service, but discovery found no version in osdesk's range."""
    url = cloud._catalog_url(service_type)
    at = service_label(service_type) + (f" at {host_of(url)}" if url else "")
    offered: list[str] = []
    try:
        # the version documents keystoneauth has just read (its discovery cache)
        found = cloud.adapter(service_type).get_all_version_data()
    except Exception:  # only for the message: discovery itself already failed
        found = {}
    region = cloud.profile.region_name
    for name, interfaces in (found or {}).items():
        if region and name != region:
            continue
        for data in (interfaces or {}).get(cloud.profile.interface, {}).get(service_type, []):
            if data.get("version") and data["version"] not in offered:
                offered.append(data["version"])
    return _unsupported(cloud, service_type, at, offered, ours)


def keystone_without_v3(cloud) -> errors.NoSupportedVersion | None:
    """NoSupportedVersion when the auth URL's version document lists no Keystone v3."""
    url = cloud.profile.auth_url.strip().rstrip("/")
    disc = cloud._discovery_cache.get(url) or cloud._discovery_cache.get(url + "/")
    try:
        versions = [d["version"] for d in disc.version_data()] if disc is not None else []
    except Exception:  # a document keystoneauth could not read: say nothing about it
        return None
    if not versions or any(v[0] == 3 for v in versions):
        return None
    offered = [".".join(str(n) for n in v) for v in versions]
    return _unsupported(cloud, "identity", f"Identity (Keystone) at {host_of(url)}", offered,
                        "3.x", " Keystone v3 is missing, and osdesk cannot log in with an "
                               "older Keystone API.")


def _unsupported(cloud, service_type, at, offered, ours, extra="") -> errors.NoSupportedVersion:
    offered = sorted(offered, key=lambda v: tuple(int(n) if n.isdigit() else 0
                                                  for n in v.split(".")))
    if offered:
        text = (f"The cloud's {at} offers API versions {', '.join(offered)}, "
                f"but osdesk speaks {ours}.")
    else:
        text = f"The cloud's {at} offers no API version osdesk speaks ({ours})."
    return errors.NoSupportedVersion(text + extra, service_type, cloud.profile.region_name,
                                     cloud.profile.interface, tuple(offered))


def auth_error(cloud, exc) -> errors.OsdeskError:
    resp = getattr(exc, "response", None)
    status = getattr(exc, "http_status", None) or (resp.status_code if resp is not None else 0)
    request_id = getattr(exc, "request_id", None)
    if status == 401:
        p = cloud.profile
        if p.auth_type == "password" and p.scope != "unscoped" and unscoped_login_works(cloud):
            scope = (f"project {p.project_name or p.project_id}" if p.scope == "project"
                     else f"domain {p.domain_name or p.domain_id}")
            msg = (f"Keystone accepted the password but refused the scope: {scope} does "
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
    return errors.ApiError(status or 0, str(exc), url=cloud.profile.auth_url,
                           request_id=request_id)


def mfa_required(exc) -> errors.OsdeskError:
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


def unscoped_login_works(cloud) -> bool:
    """Tell a wrong password from a wrong project: try once without a scope."""
    p = cloud.profile
    user = {"user_id": p.user_id or None, "username": p.username or None}
    if p.username and not p.user_id:
        user["user_domain_id"] = p.user_domain_id or (None if p.user_domain_name else "default")
        user["user_domain_name"] = p.user_domain_name or None
    probe = generic.Password(p.auth_url.rstrip("/"), password=cloud._secret or "", **user)
    try:
        probe.get_access(cloud.session)
        return True
    except Exception:
        return False


def _failed_url(exc: BaseException) -> str:
    """The URL of the request behind ``exc``: requests sets ``exc.request`` (the
    transport sets it where requests does not); keystoneauth chains or wraps that."""
    seen = set()
    cur = exc
    while cur is not None and id(cur) not in seen:
        seen.add(id(cur))
        request = getattr(cur, "request", None)
        if getattr(request, "url", None):
            return request.url
        cur = getattr(cur, "original", None) or cur.__cause__ or cur.__context__
    return ""


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
