"""Calls for the console's tests, built the way the api layer builds them from real
samples: a token request, a server GET, a 404, a refused connection."""

from __future__ import annotations

import json

import pytest
import requests
from requests.structures import CaseInsensitiveDict

from osdesk.api.calllog import build_call
from osdesk.models.api_log import ApiLogModel
from tests.samples import SAMPLES

KEYSTONE = "keystone/api-ref/source/v3/samples/admin"
NOVA = "nova/doc/api_samples"
COMPUTE = "http://cloud.test/compute/v2.1"
IDENTITY = "http://cloud.test/identity/v3"
PASSWORD = "c0nsole-Passw0rd-never-shown"


def sample_bytes(relpath: str) -> bytes:
    return (SAMPLES / relpath).read_bytes()


def transcript_headers(relpath: str) -> dict:
    """The headers of one of keystone's ``.txt`` HTTP transcripts."""
    headers = {}
    for line in (SAMPLES / relpath).read_text(encoding="utf-8").splitlines()[1:]:
        if not line.strip():
            break
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return headers


#: The real token and request id of keystone's transcript sample.
_TRANSCRIPT = transcript_headers(f"{KEYSTONE}/auth-password-user-name-unscoped-response-HTTP.txt")
TOKEN = _TRANSCRIPT["X-Subject-Token"]
TOKEN_REQUEST_ID = _TRANSCRIPT["x-openstack-request-id"]


def record(method: str, url: str, *, status: int | None = 200, json_body=None,
           headers: dict | None = None, content: bytes = b"", resp_headers: dict | None = None,
           error: str = "", elapsed_ms: float = 42.0, service_type: str = "compute"):
    """An ApiCall built the way the api layer builds it: prepared request + response."""
    request = requests.Request(method, url, headers=headers or {}, json=json_body).prepare()
    response = None
    if status is not None:
        response = requests.Response()
        response.status_code = status
        response.headers = CaseInsensitiveDict(resp_headers or {})
        response._content = content
        response.url = url
        response.request = request
    return build_call(request, response, elapsed_ms=elapsed_ms, error=error, cloud="lab",
                      service_type=service_type)


def token_call():
    body = json.loads(sample_bytes(f"{KEYSTONE}/auth-password-unscoped-request.json"))
    body["auth"]["identity"]["password"]["user"]["password"] = PASSWORD
    return record("POST", f"{IDENTITY}/auth/tokens", status=201, json_body=body,
                  content=sample_bytes(f"{KEYSTONE}/auth-password-unscoped-response.json"),
                  resp_headers={"Content-Type": "application/json", "X-Subject-Token": TOKEN,
                                "x-openstack-request-id": TOKEN_REQUEST_ID},
                  service_type="identity")


SERVER_ID = "0e44cc9c-e052-415d-afbf-469b0d384170"


def server_get_call():
    return record("GET", f"{COMPUTE}/servers/{SERVER_ID}",
                  headers={"X-Auth-Token": TOKEN, "Accept": "application/json",
                           "OpenStack-API-Version": "compute 2.96"},
                  content=sample_bytes(f"{NOVA}/servers/v2.96/server-get-resp.json"),
                  resp_headers={"Content-Type": "application/json",
                                "x-compute-request-id": "req-11111111-aaaa-bbbb-cccc-222222222222"})


def not_found_call():
    body = {"itemNotFound": {"code": 404,
                             "message": "Instance deadbeef could not be found."}}
    return record("GET", f"{COMPUTE}/servers/deadbeef", status=404,
                  headers={"X-Auth-Token": TOKEN},
                  content=json.dumps(body).encode(),
                  resp_headers={"Content-Type": "application/json",
                                "x-compute-request-id": "req-33333333-aaaa-bbbb-cccc-444444444444"})


def version_call():
    """Nova's version document: a call no ``openstack`` command stands for."""
    return record("GET", "http://cloud.test/compute/v2.1/",
                  content=sample_bytes(f"{NOVA}/versions/v21-version-get-resp.json"),
                  resp_headers={"Content-Type": "application/json"})


def refused_call():
    return record("GET", f"{COMPUTE}/flavors/detail", status=None,
                  headers={"X-Auth-Token": TOKEN},
                  error="Could not connect to cloud.test: connection refused.")


def fill(model, *calls):
    for call in calls:
        model.append(call)


def visible_calls(dock):
    return [dock.proxy.index(row, 0).data(ApiLogModel.CallRole)
            for row in range(dock.proxy.rowCount())]


def select_call(dock, call):
    for row in range(dock.proxy.rowCount()):
        index = dock.proxy.index(row, 0)
        if index.data(ApiLogModel.IdRole) == call.id:
            dock.table.setCurrentIndex(index)
            return
    raise AssertionError(f"call {call.id} is not shown")


def servers_body(count: int) -> bytes:
    """A ``GET /servers/detail`` answer of ``count`` servers made from nova's sample."""
    server = json.loads(sample_bytes(f"{NOVA}/servers/v2.96/servers-details-resp.json"))[
        "servers"][0]
    servers = [dict(server, id=f"00000000-0000-4000-8000-{i:012d}", name=f"vm-{i:05d}")
               for i in range(count)]
    return json.dumps({"servers": servers, "servers_links": []}).encode()


def server_list_call(count: int, query: str = ""):
    """A server list call whose answer holds ``count`` servers."""
    return record("GET", f"{COMPUTE}/servers/detail{query}", headers={"X-Auth-Token": TOKEN},
                  content=servers_body(count),
                  resp_headers={"Content-Type": "application/json"})


def polling_calls(count: int, url: str = f"{COMPUTE}/servers/{SERVER_ID}", status: int = 200):
    """``count`` identical GETs of one resource, as a busy row's polling makes them."""
    return [record("GET", url, status=status, headers={"X-Auth-Token": TOKEN},
                   content=b'{"server": {"status": "BUILD"}}',
                   resp_headers={"Content-Type": "application/json"}) for _ in range(count)]


#: The console tests' marks: QSettings of the test only (tests/views/conftest.py); Qt
#: warnings fail them, but for what the offscreen platform always says.
CONSOLE_MARKS = [
    pytest.mark.usefixtures("isolated_settings"),
    pytest.mark.qt_log_level_fail("WARNING"),
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]
