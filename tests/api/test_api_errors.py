"""Every failure becomes an osdesk error with a sentence a person understands.

The samples folder holds only success bodies, so the error bodies here are the
shapes nova, neutron, keystone, glance (webob) and API-WG services send.
"""

from __future__ import annotations

import json
import re
import socket
import ssl

import pytest
import requests
from urllib3.connection import HTTPConnection
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError
from urllib3.exceptions import SSLError as Urllib3SSLError

from api_fakes import KEYSTONE, SAMPLE_REQUEST_ID, sample
from osdesk.api import errors
from osdesk.api.calllog import CallLog
from osdesk.api.cloud import Cloud
from osdesk.api.errors import (ApiError, AuthenticationFailed, BadRequest, BadResponse,
                               Conflict, ConnectionFailed, Forbidden, HostNotFound, NotFound,
                               RequestTimeout, RequestTooLarge, ServerError, ServiceNotAvailable,
                               ServiceUnavailable, TlsError)
from osdesk.profiles.profile import Profile

SERVER_ID = "9168b536-cd40-4630-b43f-b259807c6e87"
REQ_ID = "req-3a1c26b9-9a52-4b0e-b8a7-2f1a0c6e5d11"

#: (case id, service, status, content type, body, error class, message in str(err))
ERROR_BODIES = [
    ("nova-itemNotFound", "compute", 404, "application/json",
     {"itemNotFound": {"code": 404, "message": f"Instance {SERVER_ID} could not be found."}},
     NotFound, f"Instance {SERVER_ID} could not be found."),
    ("nova-conflictingRequest", "compute", 409, "application/json",
     {"conflictingRequest": {"code": 409, "message": f"Cannot 'os-start' instance {SERVER_ID} "
                                                     f"while it is in vm_state active"}},
     Conflict, f"Cannot 'os-start' instance {SERVER_ID} while it is in vm_state active"),
    ("nova-badRequest", "compute", 400, "application/json",
     {"badRequest": {"code": 400, "message": "Invalid input for field/attribute flavorRef. "
                                             "Value: None. None is not of type 'string'"}},
     BadRequest, "Invalid input for field/attribute flavorRef."),
    ("nova-forbidden", "compute", 403, "application/json",
     {"forbidden": {"code": 403, "message": "Policy doesn't allow os_compute_api:os-hypervisors:"
                                            "list to be performed."}},
     Forbidden, "Policy doesn't allow os_compute_api:os-hypervisors:list to be performed."),
    ("nova-overLimit-413", "compute", 413, "application/json",
     {"overLimit": {"code": 413, "message": "Quota exceeded for instances: Requested 1, but "
                                            "already used 10 of 10 instances", "retryAfter": "0"}},
     errors.QuotaExceeded, "Quota exceeded for instances"),
    ("nova-computeFault-500", "compute", 500, "application/json",
     {"computeFault": {"code": 500, "message": "Unexpected API Error. Please report this at "
                                               "http://bugs.launchpad.net/nova/ and attach the Nova "
                                               "API log if possible.\n<class 'KeyError'>"}},
     ServerError, "Unexpected API Error."),
    ("neutron-NeutronError", "network", 404, "application/json",
     {"NeutronError": {"type": "NetworkNotFound",
                       "message": "Network 9168b536-cd40-4630-b43f-b259807c6e87 could not be found.",
                       "detail": ""}},
     NotFound, "Network 9168b536-cd40-4630-b43f-b259807c6e87 could not be found."),
    ("neutron-conflict", "network", 409, "application/json",
     {"NeutronError": {"type": "InUse", "message": "Unable to complete operation on network x. "
                                                   "There are one or more ports still in use on "
                                                   "the network.", "detail": ""}},
     Conflict, "There are one or more ports still in use on the network."),
    ("keystone-error", "identity", 404, "application/json",
     {"error": {"code": 404, "title": "Not Found", "message": "Could not find project: x."}},
     NotFound, "Could not find project: x."),
    ("api-wg-errors", "compute", 400, "application/json",
     {"errors": [{"status": 400, "title": "Bad Request", "request_id": REQ_ID,
                  "detail": "The server could not comply with the request since it is either "
                            "malformed or otherwise incorrect."}]},
     BadRequest, "The server could not comply with the request"),
    ("glance-plain-text", "image", 404, "text/plain; charset=UTF-8",
     "404 Not Found\n\nNo image found with ID x\n\n   ",
     NotFound, "No image found with ID x"),
    ("glance-html", "image", 404, "text/html; charset=UTF-8",
     "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1>"
     "No image found with ID x<br /><br /></body></html>",
     NotFound, "404 Not Found No image found with ID x"),
    ("glance-413-plain", "image", 413, "text/plain; charset=UTF-8",
     "413 Request Entity Too Large\n\nImage storage media is full: There is not enough disk "
     "space on the image storage media.\n\n   ",
     RequestTooLarge, "Image storage media is full"),
    ("haproxy-503-html", "compute", 503, "text/html",
     "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this "
     "request.\n</body></html>\n",
     ServiceUnavailable, "No server is available to handle this request."),
]

#: where each service's failing request goes
PATHS = {"compute": ("GET", "/servers/" + SERVER_ID), "network": ("GET", "/networks/" + SERVER_ID),
         "identity": ("GET", "/projects/x"), "image": ("GET", "/images/x")}


def _base(fake, service):
    return {"compute": fake.compute, "network": fake.network, "identity": fake.identity,
            "image": fake.image}[service]


def _register(fake, service, status, ctype, body, headers=None):
    method, path = PATHS[service]
    kwargs = {"json": body} if isinstance(body, dict) else {"body": body}
    fake.rsps.add(method, _base(fake, service) + path, status=status, content_type=ctype,
                  headers=headers or {}, **kwargs)
    return method, path


@pytest.mark.parametrize("case, service, status, ctype, body, cls, message", ERROR_BODIES,
                         ids=[e[0] for e in ERROR_BODIES])
def test_error_body_maps_to_its_class_and_message(fake, case, service, status, ctype, body, cls,
                                                  message):
    method, path = _register(fake, service, status, ctype, body,
                             {"x-openstack-request-id": REQ_ID})
    cloud = fake.cloud()

    with pytest.raises(cls) as info:
        cloud.json(service, method, path)

    err = info.value
    assert type(err) is cls
    assert isinstance(err, ApiError)
    assert message in str(err)
    assert f"(HTTP {status})" in str(err)
    assert f"(Request-ID: {REQ_ID})" in str(err)
    assert "<body" not in str(err) and "<h1>" not in str(err) and '{"' not in str(err)
    assert err.status == status and err.method == method
    assert err.url == _base(fake, service) + path
    assert err.request_id == REQ_ID


def test_compute_request_id_header_is_used_when_the_openstack_one_is_missing(devstack):
    body = {"itemNotFound": {"code": 404, "message": f"Instance {SERVER_ID} could not be found."}}
    _register(devstack, "compute", 404, "application/json", body,
              {"x-compute-request-id": REQ_ID})

    with pytest.raises(NotFound) as info:
        devstack.cloud().compute.get_server(SERVER_ID)

    assert str(info.value) == (f"Instance {SERVER_ID} could not be found. (HTTP 404) "
                               f"(Request-ID: {REQ_ID})")


def test_503_with_retry_after_says_when_to_retry(devstack):
    _register(devstack, "compute", 503, "text/html",
              "<html><body><h1>503 Service Unavailable</h1>No server is available to handle "
              "this request.</body></html>", {"Retry-After": "30"})

    with pytest.raises(ServiceUnavailable) as info:
        devstack.cloud().compute.get_server(SERVER_ID)

    assert "(retry after 30 s)" in str(info.value)
    assert info.value.retry_after == "30"


@pytest.mark.parametrize("status, cls, reason", [
    (404, NotFound, "Not Found"), (409, Conflict, "Conflict"), (500, ServerError,
                                                                "Internal Server Error"),
    (502, ServerError, "Bad Gateway"), (503, ServiceUnavailable, "Service Unavailable"),
])
def test_empty_error_body_gives_the_reason_phrase(devstack, status, cls, reason):
    _register(devstack, "compute", status, "text/plain", "", {"x-openstack-request-id": REQ_ID})

    with pytest.raises(cls) as info:
        devstack.cloud().compute.get_server(SERVER_ID)

    assert str(info.value) == f"{reason} (HTTP {status}) (Request-ID: {REQ_ID})"


def test_unparsed_json_error_body_is_shown_as_text(devstack):
    _register(devstack, "compute", 400, "application/json", {"weird": [1, 2]})

    with pytest.raises(BadRequest) as info:
        devstack.cloud().compute.get_server(SERVER_ID)

    assert '"weird"' in str(info.value)


def test_invalid_json_on_200_is_a_bad_response_naming_service_and_path(fake):
    fake.rsps.add("GET", f"{fake.compute}/servers/{SERVER_ID}", body='{"server": {"id": ',
                  content_type="application/json", headers={"x-openstack-request-id": REQ_ID})

    with pytest.raises(BadResponse) as info:
        fake.cloud().compute.get_server(SERVER_ID)

    text = str(info.value)
    assert f"compute answered HTTP 200 to GET /servers/{SERVER_ID}" in text
    assert "not valid JSON" in text
    assert info.value.status == 200 and info.value.request_id == REQ_ID


def test_html_on_200_is_a_bad_response_that_says_html(devstack):
    devstack.rsps.add("GET", f"{devstack.network}/networks",
                      body="<!DOCTYPE html><html><head><title>Login</title></head>"
                           "<body>Please sign in</body></html>", content_type="text/html")

    with pytest.raises(BadResponse, match="HTML page"):
        devstack.cloud().network.list_networks()


# --------------------------------------------------------------- no answer
_CONN = HTTPConnection("cloud.test", 80)


def _refused():
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason=NewConnectionError(
        _CONN, "Failed to establish a new connection: [Errno 111] Connection refused")))


def _dns():
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason=NameResolutionError(
        "cloud.test", _CONN, socket.gaierror(-2, "Name or service not known"))))


def _tls():
    return requests.exceptions.SSLError(MaxRetryError(None, "/", reason=Urllib3SSLError(
        ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                                        "failed: self-signed certificate (_ssl.c:1006)"))))


def _connect_timeout():
    return requests.exceptions.ConnectTimeout(
        "HTTPConnectionPool(host='cloud.test', port=80): Max retries exceeded with url: / "
        "(Caused by ConnectTimeoutError(<HTTPConnection>, 'Connection to cloud.test timed out. "
        "(connect timeout=7)'))")


def _read_timeout():
    return requests.exceptions.ReadTimeout(
        "HTTPConnectionPool(host='cloud.test', port=80): Read timed out. (read timeout=7)")


#: (id, exception factory, osdesk class, words the sentence must contain)
NO_ANSWER = [
    ("refused", _refused, ConnectionFailed, ["refused the connection", "nothing listens"]),
    ("dns", _dns, HostNotFound, ["could not be resolved", "Name or service not known"]),
    ("tls", _tls, TlsError, ["TLS check failed", "CERTIFICATE_VERIFY_FAILED", "CA bundle"]),
    ("connect-timeout", _connect_timeout, RequestTimeout, ["did not answer within 7 s"]),
    ("read-timeout", _read_timeout, RequestTimeout, ["did not answer within 7 s"]),
]


@pytest.mark.parametrize("case, make, cls, words", NO_ANSWER, ids=[n[0] for n in NO_ANSWER])
def test_no_answer_on_a_service_call_is_a_sentence(fake, case, make, cls, words):
    fake.rsps.add("GET", f"{fake.network}/networks", body=make())
    cloud = fake.cloud()
    cloud.authenticate()

    with pytest.raises(cls) as info:
        cloud.network.list_networks()

    assert type(info.value) is cls
    for word in words:
        assert word in str(info.value)
    assert "Network (Neutron) at cloud.test" in str(info.value)


def _bare_cloud(auth_url):
    """A Cloud on a host where nothing of the fake cloud is registered."""
    return Cloud(Profile(name="t", auth_url=auth_url, username="admin",
                         user_domain_name="Default", project_name="admin",
                         project_domain_name="Default", timeout=7), "pw", call_log=CallLog())


@pytest.mark.parametrize("suffix", ["", "/v3"])
@pytest.mark.parametrize("case, make, cls, words", NO_ANSWER, ids=[n[0] for n in NO_ANSWER])
def test_no_answer_at_login_is_the_same_sentence(rsps, case, make, cls, words, suffix):
    """The first exchange is Keystone discovery; keystoneauth wraps its failure in a
    DiscoveryFailure, which must not hide that nothing answered."""
    rsps.add("GET", re.compile(r"http://cloud\.test/.*"), body=make())
    rsps.add("POST", re.compile(r"http://cloud\.test/.*"), body=make())
    cloud = _bare_cloud("http://cloud.test/identity" + suffix)

    with pytest.raises(cls) as info:
        cloud.authenticate()

    assert type(info.value) is cls
    for word in words:
        assert word in str(info.value)


def test_answer_that_is_not_keystone_is_a_check_your_auth_url_sentence(rsps):
    rsps.add("GET", "http://cloud.test/identity", body="<html><body>It works!</body></html>",
             content_type="text/html")

    with pytest.raises(ConnectionFailed, match="Check the auth URL"):
        _bare_cloud("http://cloud.test/identity").authenticate()


# ------------------------------------------------------------ the catalog
def test_missing_service_in_the_catalog_is_service_not_available(fake):
    # keystone's project-scoped password sample has an identity-only catalog
    fake.token_sample = f"{KEYSTONE}/auth/responses/project-scoped-password.json"
    cloud = fake.cloud()

    assert cloud.has_service("network") is False
    with pytest.raises(ServiceNotAvailable) as info:
        cloud.network.list_networks()

    assert info.value.service_type == "network"
    assert str(info.value) == "This cloud has no network service in its catalog (interface public)."
    assert fake.calls("GET", fake.network) == []


def test_missing_service_names_the_region(devstack):
    devstack.token_sample = f"{KEYSTONE}/auth/responses/project-scoped-password.json"
    cloud = devstack.cloud(devstack.profile(region_name="RegionOne"))

    with pytest.raises(ServiceNotAvailable, match="region RegionOne, interface public"):
        cloud.endpoint("compute")


# ------------------------------------------------------------------ login
def test_wrong_password_is_authentication_failed(fake):
    fake.refuse_auth = lambda body: True
    cloud = fake.cloud()

    with pytest.raises(AuthenticationFailed) as info:
        cloud.authenticate()

    text = str(info.value)
    assert "Keystone refused the login" in text
    assert "password" in text
    assert f"(Request-ID: {SAMPLE_REQUEST_ID})" in text
    assert info.value.status == 401


def test_wrong_project_says_the_scope_is_the_problem(fake):
    # the password is right (an unscoped login works) but the project scope is refused
    fake.refuse_auth = lambda body: "scope" in body["auth"]
    cloud = fake.cloud(fake.profile(project_name="nosuchproject"))

    with pytest.raises(AuthenticationFailed) as info:
        cloud.authenticate()

    text = str(info.value)
    assert "accepted the password but refused the scope" in text
    assert "project nosuchproject" in text
    assert "user admin" in text
    # the probe was unscoped
    assert [("scope" in b["auth"]) for b in fake.auth_bodies] == [True, False]


def test_wrong_domain_scope_says_the_domain(devstack):
    devstack.refuse_auth = lambda body: "scope" in body["auth"]
    profile = devstack.profile(project_name="", project_domain_name="", domain_name="nodomain")

    with pytest.raises(AuthenticationFailed, match="domain nodomain"):
        devstack.cloud(profile).authenticate()


def test_refused_application_credential_says_so(devstack):
    devstack.refuse_auth = lambda body: True
    profile = devstack.profile(auth_type="v3applicationcredential", username="", project_name="",
                               project_domain_name="", user_domain_name="",
                               application_credential_id="423f19a4ac1e4f48bbb4180756e6eb6c")

    with pytest.raises(AuthenticationFailed, match="refused the application credential"):
        devstack.cloud(profile, secret="rEaqvJka48mpv").authenticate()


def test_refused_token_says_it_expired_or_was_revoked(devstack):
    devstack.refuse_auth = lambda body: True
    profile = devstack.profile(auth_type="token", username="")

    with pytest.raises(AuthenticationFailed, match="expired or been revoked"):
        devstack.cloud(profile, secret="ffe47524401e4d61adc7310f7e5b6191").authenticate()


def test_an_mfa_receipt_says_what_keystone_asks_for_and_what_to_do(devstack):
    # Keystone's own 401 for a user with an MFA rule: the password passed, TOTP is missing
    receipt = sample(f"{KEYSTONE}/auth/responses/auth-receipt-password.json")
    devstack.answer_auth = lambda body: (
        401, {"Content-Type": "application/json", "Openstack-Auth-Receipt": "gAAAAABbPh2e",
              "x-openstack-request-id": SAMPLE_REQUEST_ID}, json.dumps(receipt))

    with pytest.raises(AuthenticationFailed) as info:
        devstack.cloud().authenticate()

    text = str(info.value)
    assert "multi-factor authentication (totp + password)" in text
    assert "application credential" in text
    assert info.value.status == 401 and info.value.request_id == SAMPLE_REQUEST_ID
    assert len(devstack.auth_bodies) == 1  # no unscoped probe: the password was right


# ------------------------------------------------------------ pure parser
@pytest.mark.parametrize("text, ctype, expected", [
    ("", "", ""),
    ("   ", "text/plain", ""),
    ('{"message": "plain message"}', "application/json", "plain message"),
    ('{"error_message": "webob message"}', "application/json", "webob message"),
    ('{"error_message": {"message": "nested", "type": "X"}}', "application/json", "nested"),
    ('{"errors": [{"title": "T1"}, {"detail": "D2"}]}', "application/json", "T1; D2"),
    ("Service Unavailable", "text/plain", "Service Unavailable"),
])
def test_message_from_body_reads_each_shape(text, ctype, expected):
    assert errors.message_from_body(text, ctype) == expected


def test_str_of_an_api_error_without_detail_is_the_reason():
    assert str(ApiError(418, "")) == "HTTP error (HTTP 418)"
    assert str(ApiError(404, "Not Found", request_id="req-1")) == "Not Found (HTTP 404) (Request-ID: req-1)"

