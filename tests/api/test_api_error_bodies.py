"""Error bodies whose message used to get lost: quota answers, heat's and ironic's
shapes, and 429 with Retry-After.

The samples folder holds only success bodies; these are the shapes nova's, heat's
and ironic's (wsme) fault middlewares send.
"""

from __future__ import annotations

import json

import pytest

from osdesk.api import errors
from osdesk.api.errors import BadRequest, Forbidden, NotFound, RequestTooLarge

SERVER_ID = "9168b536-cd40-4630-b43f-b259807c6e87"
REQ_ID = "req-5b1c26b9-9a52-4b0e-b8a7-2f1a0c6e5d22"
QUOTA = "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances"


def _fail(fake, status, body, *, ctype="application/json", headers=None):
    """Make POST /servers answer ``status`` with ``body``; return the error raised."""
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    fake.rsps.add("POST", f"{fake.compute}/servers", status=status, content_type=ctype,
                  headers={"x-openstack-request-id": REQ_ID, **(headers or {})}, **kwargs)
    with pytest.raises(errors.ApiError) as info:
        fake.cloud().compute.create_server("vm", "70a599e0-31e7-49b7-b260-868f441e862b", "1")
    return info.value


# ------------------------------------------------------------------ quota
def test_nova_over_limit_413_is_a_quota_error_that_leads_with_the_quota_sentence(fake):
    err = _fail(fake, 413, {"overLimit": {"code": 413, "message": QUOTA, "retryAfter": "0"}})

    assert type(err) is errors.QuotaExceeded
    assert str(err).startswith(QUOTA)
    assert "Too Large" not in str(err) and "RequestTooLarge" not in str(err)
    assert "retry after" not in str(err)  # retryAfter "0" is nova's filler, not advice
    assert err.status == 413 and err.request_id == REQ_ID


def test_nova_quota_403_is_a_quota_error(devstack):
    message = "Quota exceeded for cores: Requested 4, but already used 20 of 20 cores"
    err = _fail(devstack, 403, {"forbidden": {"code": 403, "message": message}})

    assert type(err) is errors.QuotaExceeded
    assert str(err).startswith(message)


def test_a_403_that_is_not_about_quota_stays_forbidden(devstack):
    err = _fail(devstack, 403, {"forbidden": {"code": 403, "message": "Policy doesn't allow "
                                              "os_compute_api:servers:create to be performed."}})
    assert type(err) is Forbidden


def test_a_413_that_is_not_about_quota_stays_request_too_large(devstack):
    err = _fail(devstack, 413, "413 Request Entity Too Large\n\nImage storage media is full: "
                               "There is not enough disk space on the image storage media.",
                ctype="text/plain; charset=UTF-8")

    assert type(err) is RequestTooLarge
    assert str(err).startswith("Image storage media is full")  # not webob's status line


def test_glance_quota_413_in_plain_text_is_a_quota_error(devstack):
    message = ("Denying attempt to upload image because it exceeds the quota: The size of the "
               "data 41943040 will exceed the limit. 1048576 bytes remaining.")
    err = _fail(devstack, 413, f"413 Request Entity Too Large\n\n{message}\n\n   ",
                ctype="text/plain; charset=UTF-8")

    assert type(err) is errors.QuotaExceeded
    assert str(err).startswith(message)


# ------------------------------------------------------------ body shapes
HEAT = {"code": 400, "title": "Bad Request",
        "explanation": "The server could not comply with the request since it is either "
                       "malformed or otherwise incorrect.",
        "error": {"message": "Property error: resources.server.properties.flavor: Error "
                             "validating value 'm1.huge': No Flavor matching {'name': 'm1.huge'}.",
                  "traceback": "Traceback (most recent call last):\n  File ...",
                  "type": "StackValidationFailed"}}


def test_heat_body_gives_the_error_message_not_the_title(devstack):
    err = _fail(devstack, 400, HEAT)

    assert type(err) is BadRequest
    assert str(err).startswith("Property error: resources.server.properties.flavor")
    assert "Traceback" not in str(err)


def test_heat_body_without_an_error_message_gives_the_explanation():
    body = dict(HEAT, error={"message": "", "traceback": None, "type": "HTTPBadRequest"})

    assert errors.message_from_body(json.dumps(body)) == HEAT["explanation"]


def test_ironic_error_message_is_json_inside_a_string(devstack):
    fault = {"faultstring": f"Node {SERVER_ID} could not be found.", "debuginfo": None,
             "faultcode": "Client"}
    err = _fail(devstack, 404, {"error_message": json.dumps(fault)})

    assert type(err) is NotFound
    assert str(err) == (f"Node {SERVER_ID} could not be found. (HTTP 404) "
                        f"(Request-ID: {REQ_ID})")


def test_429_keeps_its_message_and_says_when_to_retry(devstack):
    err = _fail(devstack, 429, {"overLimit": {"code": 429, "message": "This request was "
                                              "rate-limited.", "retryAfter": "17"}},
                headers={"Retry-After": "17"})

    assert type(err) is errors.TooManyRequests
    assert str(err).startswith("This request was rate-limited. (HTTP 429)")
    assert "retry after 17 s" in str(err)
    assert err.retry_after == "17"


def test_429_without_a_body_is_too_many_requests(devstack):
    err = _fail(devstack, 429, "", ctype="text/plain", headers={"Retry-After": "5"})

    assert str(err) == (f"Too Many Requests (HTTP 429) (retry after 5 s) "
                        f"(Request-ID: {REQ_ID})")
