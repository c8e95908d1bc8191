"""The HTTP transport under keystoneauth: records every exchange for the call log.

Mounted on the ``requests.Session`` that keystoneauth uses, so the token request,
version discovery and every service call pass through it, including the ones
that never get an answer (refused, timed out, TLS failure).
"""

from __future__ import annotations

import time

from requests.adapters import HTTPAdapter
from requests.exceptions import RequestException

from osdesk.api.calllog import build_call


class RecordingAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` that reports each exchange to ``on_call``.

    ``on_call(record)`` receives an already redacted :class:`ApiCall`.
    ``classify(url) -> (cloud_name, service_type, endpoint)`` labels the record.
    """

    def __init__(self, on_call, classify, **kwargs):
        super().__init__(**kwargs)
        self._on_call = on_call
        self._classify = classify

    def send(self, request, stream=False, timeout=None, verify=True, cert=None, proxies=None):
        start = time.perf_counter()
        try:
            response = super().send(request, stream=stream, timeout=timeout, verify=verify,
                                    cert=cert, proxies=proxies)
        except Exception as exc:
            self._report(request, None, start, error=_describe(exc), read_body=False)
            _tag(exc, request)
            raise
        read_body = not stream
        if read_body:
            try:
                read_body_now(response)  # read now so elapsed covers the body
            except Exception as exc:  # reset in the middle of the body
                self._report(request, response, start, error=_describe(exc), read_body=False)
                _tag(exc, request)
                raise
        self._report(request, response, start, read_body=read_body)
        return response

    def _report(self, request, response, start, *, error="", read_body=True):
        elapsed = (time.perf_counter() - start) * 1000.0
        cloud, service, endpoint = self._classify(request.url or "")
        record = build_call(request, response, elapsed_ms=elapsed, error=error,
                            cloud=cloud, service_type=service, read_body=read_body,
                            endpoint=endpoint)
        self._on_call(record)


#: a body is read in pieces of up to this many bytes (requests' own reads take 10 KiB)
BODY_PIECE_BYTES = 1 << 20


def read_body_now(response) -> bytes:
    """``response.content``, read in pieces of up to BODY_PIECE_BYTES instead of the
    10 KiB requests reads at a time: each piece read lets go of the GIL and has to win
    it back, which takes up to a switch interval while another thread builds rows, so a
    900 KB page read 10 KiB at a time waited for the GIL ~90 times (bench/: the worker
    fetching the next page was the slowest part of a list). The same errors as
    requests' own read (``iter_content`` turns urllib3's into requests')."""
    if response._content is False and response.raw is not None and response.status_code:
        response._content = b"".join(response.iter_content(BODY_PIECE_BYTES)) or b""
    return response.content


def _describe(exc: Exception) -> str:
    text = str(exc) or exc.__class__.__name__
    return f"{exc.__class__.__name__}: {text}"[:500]


def _tag(exc: Exception, request) -> None:
    """Give a requests error the request it failed on where requests did not (a body
    cut off while read here), so the error message can name that request's host."""
    if isinstance(exc, RequestException) and getattr(exc, "request", None) is None:
        exc.request = request
