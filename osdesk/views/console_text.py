"""The API console's texts of one call: the request, the response, a window title."""

from __future__ import annotations

import http
from urllib.parse import urlsplit

from osdesk.api.calllog import ApiCall

__all__ = ["call_title", "request_text", "response_text"]


def _message_text(first: str, headers: dict, *blocks: str | None) -> str:
    """A first line, the headers under it, then each non-empty block after a blank line."""
    lines = [first] + [f"{name}: {value}" for name, value in (headers or {}).items()]
    return "\n\n".join(["\n".join(lines), *(block for block in blocks if block)])


def request_text(call: ApiCall) -> str:
    """``METHOD URL``, the (redacted) request headers and the pretty body."""
    return _message_text(f"{call.method} {call.url}", call.request_headers, call.request_body)


def response_text(call: ApiCall) -> str:
    """The status line, the (redacted) response headers and the pretty body, or the error."""
    elapsed = f"{call.elapsed_ms:.0f} ms" if isinstance(call.elapsed_ms, (int, float)) else ""
    if call.status is None:
        text = f"No answer{f' after {elapsed}' if elapsed else ''}"
        if call.error:
            text += "\n\n" + call.error
        return text
    try:
        phrase = http.HTTPStatus(call.status).phrase
    except ValueError:
        phrase = ""
    first = f"HTTP {call.status} {phrase}".rstrip()
    if elapsed:
        first += f"  ({elapsed})"
    return _message_text(first, call.response_headers, call.response_body, call.error)


def call_title(call: ApiCall, which: str = "response") -> str:
    """A window title for the JSON of a call: ``GET /v2.1/servers/… → 200 (response)``."""
    split = urlsplit(call.url or "")
    path = split.path or "/"
    status = str(call.status) if call.status is not None else "no answer"
    cloud = f"[{call.cloud}] " if call.cloud else ""
    return f"{cloud}{call.method} {path} → {status} ({which})"
