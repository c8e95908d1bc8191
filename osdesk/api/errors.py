"""One hierarchy of errors for everything that can go wrong talking to a cloud.

Every error has ``str(err)`` as a sentence a person understands; API errors also
carry the HTTP details (status, method, URL, request id) for the console.
"""

from __future__ import annotations

import html
import json
import re

#: Headers a request id may come back in (nova uses both; glance/neutron the first).
REQUEST_ID_HEADERS = ("x-openstack-request-id", "x-compute-request-id", "x-request-id")

_TAG_RE = re.compile(r"<[^>]+>")
_SPACE_RE = re.compile(r"\s+")
_STATUS_LINE_RE = re.compile(r"^\d{3} [A-Za-z][A-Za-z '-]*$")


class OsdeskError(Exception):
    """Base of every error osdesk raises on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class ConfigError(OsdeskError):
    """A profile cannot be turned into a session (missing field, bad auth type)."""


class ConnectionFailed(OsdeskError):
    """Nothing answered: connection refused or reset."""


class HostNotFound(ConnectionFailed):
    """The host name in the URL does not resolve."""


class TlsError(ConnectionFailed):
    """The TLS handshake or certificate check failed."""


class RequestTimeout(OsdeskError):
    """The cloud did not answer within the profile's timeout."""


class ServiceNotAvailable(OsdeskError):
    """The token's catalog has no endpoint for a service type."""

    def __init__(self, service_type: str, region: str = "", interface: str = ""):
        where = []
        if region:
            where.append(f"region {region}")
        if interface:
            where.append(f"interface {interface}")
        suffix = f" ({', '.join(where)})" if where else ""
        super().__init__(f"This cloud has no {service_type} service in its catalog{suffix}.")
        self.service_type = service_type
        self.region = region
        self.interface = interface


class NoSupportedVersion(ServiceNotAvailable):
    """The catalog has the service, but none of the API versions it offers is one
    osdesk speaks (a v1-only Glance, a v2.0-only Keystone)."""

    def __init__(self, message: str, service_type: str, region: str = "",
                 interface: str = "", offered: tuple[str, ...] = ()):
        super().__init__(service_type, region, interface)
        self.message = message
        self.args = (message,)
        self.offered = offered


class AuthenticationFailed(OsdeskError):
    """Keystone refused the credentials or the scope."""


class PaginationLoop(OsdeskError):
    """A list kept returning a marker it had already returned."""


class Cancelled(OsdeskError):
    """The user cancelled a long transfer."""


class BadResponse(OsdeskError):
    """The cloud answered 2xx with something that is not the JSON we expected."""

    def __init__(self, message: str, *, method: str = "", url: str = "",
                 status: int | None = None, request_id: str | None = None):
        super().__init__(message)
        self.method, self.url, self.status, self.request_id = method, url, status, request_id


class ApiError(OsdeskError):
    """An HTTP error answer (4xx/5xx) from an OpenStack API."""

    #: HTTP reason phrases for the statuses OpenStack uses.
    REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
               413: "Request Entity Too Large", 415: "Unsupported Media Type",
               429: "Too Many Requests",
               500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
               503: "Service Unavailable", 504: "Gateway Timeout"}

    def __init__(self, status: int, detail: str, *, method: str = "", url: str = "",
                 request_id: str | None = None, body: str = "", retry_after: str | None = None):
        self.status = status
        self.detail = detail
        self.method = method
        self.url = url
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after
        reason = self.REASONS.get(status, "HTTP error")
        text = f"{detail} (HTTP {status})" if detail and detail != reason else f"{reason} (HTTP {status})"
        if retry_after:
            text += f" (retry after {retry_after} s)"
        if request_id:
            text += f" (Request-ID: {request_id})"
        super().__init__(text)

    @classmethod
    def from_response(cls, resp, method: str = "") -> "ApiError":
        """Build the right subclass from a ``requests.Response``."""
        status = resp.status_code
        request_id = request_id_of(resp.headers)
        text = resp.text if resp.content is not None else ""
        detail = message_from_body(text, resp.headers.get("content-type", ""))
        subclass = _BY_STATUS.get(status) or (ServerError if status >= 500 else ApiError)
        if status in (403, 413) and _is_quota(text, detail):
            subclass = QuotaExceeded
        return subclass(status, detail, method=method or resp.request.method,
                        url=resp.url, request_id=request_id, body=text,
                        retry_after=resp.headers.get("retry-after"))


class BadRequest(ApiError):
    pass


class Unauthorized(ApiError):
    pass


class Forbidden(ApiError):
    pass


class NotFound(ApiError):
    pass


class Conflict(ApiError):
    pass


class RequestTooLarge(ApiError):
    pass


class QuotaExceeded(ApiError):
    """A request the project's quota does not allow: nova's ``overLimit`` 413, or a 403
    or 413 whose message is about quota. ``str()`` leads with the cloud's own sentence."""


class TooManyRequests(ApiError):
    """429: the cloud rate-limits; ``retry_after`` is its Retry-After header."""


class ServerError(ApiError):
    pass


class ServiceUnavailable(ServerError):
    pass


_BY_STATUS = {400: BadRequest, 401: Unauthorized, 403: Forbidden, 404: NotFound,
              409: Conflict, 413: RequestTooLarge, 429: TooManyRequests,
              503: ServiceUnavailable}

_QUOTA_RE = re.compile(r"\bquota", re.I)


def _is_quota(text: str, detail: str) -> bool:
    """Nova's ``{"overLimit": ...}`` body, or a message that talks about quota."""
    if _QUOTA_RE.search(detail or ""):
        return True
    try:
        data = json.loads(text) if text and text.lstrip()[:1] == "{" else None
    except ValueError:
        return False
    return isinstance(data, dict) and isinstance(data.get("overLimit"), dict)


def request_id_of(headers) -> str | None:
    for name in REQUEST_ID_HEADERS:
        value = headers.get(name)
        if value:
            return value
    return None


def message_from_body(text: str, content_type: str = "") -> str:
    """The human message inside any OpenStack error body, or "" if none.

    Shapes handled: nova ``{"itemNotFound": {"message": ...}}``, neutron
    ``{"NeutronError": {"message": ...}}``, keystone ``{"error": {"message": ...}}``,
    ``{"errors": [{"title", "detail"}]}`` (API-WG), ``{"message": ...}``,
    ``{"error_message": ...}`` (nova/neutron under webob; ironic puts a JSON document
    with ``faultstring`` in that string), heat ``{"error": {"message"}, "explanation",
    "title"}``, glance's plain text and HTML pages.
    """
    text = (text or "").strip()
    if not text:
        return ""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if data is not None:
        found = _message_from_json(data)
        if found:
            return _clean(found)
        return _clean(text)[:300]
    if "<" in text and ">" in text:
        return _message_from_html(text)
    # webob's plain text: "413 Request Entity Too Large\n\n<the cloud's sentence>"
    head, sep, rest = text.partition("\n\n")
    if sep and rest.strip() and _STATUS_LINE_RE.match(head.strip()):
        text = rest
    return _clean(text)[:500]


def _message_from_json(data) -> str:
    if isinstance(data, str):
        return data
    if isinstance(data, list):
        parts = [_message_from_json(item) for item in data]
        return "; ".join(p for p in parts if p)
    if not isinstance(data, dict):
        return ""
    if isinstance(data.get("errors"), list):
        parts = []
        for item in data["errors"]:
            if isinstance(item, dict):
                parts.append(item.get("detail") or item.get("title") or item.get("message") or "")
            else:
                parts.append(str(item))
        return "; ".join(p for p in parts if p)
    for key in ("message", "error_message", "detail", "faultstring"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return _json_in_string(value) or value
        if isinstance(value, dict):
            inner = _message_from_json(value)
            if inner:
                return inner
    # nova {"itemNotFound": {...}}, neutron {"NeutronError": {...}}, keystone and heat
    # {"error": {...}}: the nested message is more specific than a top-level title
    for value in data.values():
        if isinstance(value, dict):
            inner = _message_from_json(value)
            if inner:
                return inner
    for key in ("explanation", "title"):
        value = data.get(key)
        if isinstance(value, str) and value:
            return value
    return ""


def _json_in_string(value: str) -> str:
    """The message of a JSON document inside a string (ironic's ``error_message``)."""
    if value.lstrip()[:1] != "{":
        return ""
    try:
        inner = json.loads(value)
    except ValueError:
        return ""
    return _message_from_json(inner) if isinstance(inner, dict) else ""


def _message_from_html(text: str) -> str:
    body = re.split(r"<body[^>]*>", text, maxsplit=1, flags=re.I)
    chunk = body[1] if len(body) == 2 else text
    chunk = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", chunk, flags=re.I | re.S)
    plain = _clean(html.unescape(_TAG_RE.sub(" ", chunk)))
    if not plain:
        title = re.search(r"<title>(.*?)</title>", text, re.I | re.S)
        plain = _clean(html.unescape(title.group(1))) if title else ""
    return plain[:500]


def _clean(text: str) -> str:
    return _SPACE_RE.sub(" ", text).strip()
