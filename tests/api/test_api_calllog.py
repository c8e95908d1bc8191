"""The call log: one redacted ApiCall per HTTP exchange, with no secret in any
rendering, and curl / openstack CLI equivalents."""

from __future__ import annotations

import json
import shlex
import subprocess

import pytest
import requests

from api_fakes import (GLANCE, KEYSTONE, NOVA, PASSWORD, SAMPLE_TOKEN, json_response, sample,
                       set_compute_max)
from osdesk.api.calllog import MAX_BODY_CHARS, ApiCall, CallLog, JsonText, fingerprint
from osdesk.api.errors import ConnectionFailed

SERVER_ID = "9168b536-cd40-4630-b43f-b259807c6e87"
IMAGE_ID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"
APP_CRED_SECRET = sample(f"{KEYSTONE}/admin/application-credential-create-response.json")[
    "application_credential"]["secret"]
PRIVATE_KEY = sample(f"{NOVA}/os-keypairs/keypairs-post-resp.json")["keypair"]["private_key"]
ADMIN_PASS = sample(f"{NOVA}/servers/server-create-resp.json")["server"]["adminPass"]
RESCUE_PASS = sample(f"{NOVA}/os-rescue/server-rescue.json")["adminPass"]


def _text(body) -> str:
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body or ""


class Recorder:
    def __init__(self):
        self.calls: list[ApiCall] = []

    def __call__(self, call):
        self.calls.append(call)


def everything(call: ApiCall) -> str:
    """Every rendering of a record, as one text to search."""
    return "\n".join([json.dumps(call.to_dict()), call.as_curl(), str(call.as_openstack_cli()),
                      json.dumps(call.request_json), json.dumps(call.response_json),
                      json.dumps(call.request_headers), json.dumps(call.response_headers),
                      call.request_body, call.response_body, call.error, repr(call)])


def secret_needles() -> list[str]:
    needles = [PASSWORD, SAMPLE_TOKEN, APP_CRED_SECRET, ADMIN_PASS, RESCUE_PASS]
    # each line of the PEM body (json.dumps would escape the newlines of the whole key)
    needles += [line for line in PRIVATE_KEY.splitlines() if len(line) > 20]
    return needles


def assert_no_secret(calls):
    for call in calls:
        text = everything(call)
        for needle in secret_needles():
            assert needle not in text, f"secret leaked in record {call.method} {call.url}"


@pytest.fixture
def logged(fake):
    """A cloud on ``fake`` whose calls go to a fresh CallLog and a recorder."""
    log = CallLog()
    recorder = Recorder()
    log.subscribe(recorder)
    return fake, fake.cloud(call_log=log), recorder


def _run_session(fake, cloud):
    set_compute_max(fake, "2.100")
    fake.add("GET", f"{fake.compute}/servers/detail",
             sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))
    fake.add("POST", f"{fake.compute}/os-keypairs", sample(f"{NOVA}/os-keypairs/keypairs-post-resp.json"))
    fake.add("POST", f"{fake.compute}/servers", sample(f"{NOVA}/servers/server-create-resp.json"),
             status=202)
    fake.add("POST", f"{fake.compute}/servers/{SERVER_ID}/action",
             sample(f"{NOVA}/os-rescue/server-rescue.json"))
    fake.add("POST", f"{fake.image}/images/{IMAGE_ID}/actions/deactivate", status=204)
    fake.add("GET", f"{fake.network}/networks",
             sample("neutron/api-ref/source/v2/samples/networks/networks-list-response.json"))
    cloud.authenticate()
    cloud.compute.list_servers()
    cloud.compute.create_keypair("keypair-50ca852e-273f-4cdc-8949-45feba200837")
    cloud.compute.create_server("new-server-test", "70a599e0-31e7-49b7-b260-868f441e862b", "1")
    cloud.compute.rescue(SERVER_ID)
    cloud.image.deactivate(IMAGE_ID)
    cloud.network.list_networks()


def test_every_exchange_yields_exactly_one_record_in_order(logged):
    fake, cloud, recorder = logged

    _run_session(fake, cloud)

    sent = [(c.request.method, c.request.url) for c in fake.rsps.calls]
    recorded = [(c.method, c.url) for c in recorder.calls]
    assert recorded == sent
    # discovery and the token request are in it too
    assert ("POST", f"{fake.identity}/auth/tokens") in recorded
    assert ("GET", fake.identity_root) in recorded or ("GET", fake.identity_root + "/") in recorded
    assert [c.status for c in recorder.calls] == [c.response.status_code for c in fake.rsps.calls]
    assert len({c.id for c in recorder.calls}) == len(recorder.calls)


def test_records_name_their_cloud_and_service(logged):
    fake, cloud, recorder = logged

    _run_session(fake, cloud)

    by_url = {c.url: c for c in recorder.calls}
    assert by_url[f"{fake.compute}/servers/detail?limit=500"].service_type == "compute"
    assert by_url[f"{fake.image}/images/{IMAGE_ID}/actions/deactivate"].service_type == "image"
    assert by_url[f"{fake.network}/networks?limit=500"].service_type == "network"
    assert by_url[f"{fake.identity}/auth/tokens"].service_type == "identity"
    assert {c.cloud for c in recorder.calls} == {"testcloud"}


def test_no_record_contains_a_password_token_private_key_or_admin_pass(logged):
    fake, cloud, recorder = logged

    _run_session(fake, cloud)

    assert recorder.calls
    assert_no_secret(recorder.calls)
    # the secrets were really on the wire, so the check above means something
    auth = next(c for c in fake.rsps.calls if c.request.url.endswith("/auth/tokens"))
    assert PASSWORD in _text(auth.request.body)
    assert auth.response.headers["X-Subject-Token"] == SAMPLE_TOKEN
    assert any(ADMIN_PASS in c.response.text for c in fake.rsps.calls)
    assert any("PRIVATE KEY" in c.response.text for c in fake.rsps.calls)


def test_auth_tokens_are_shown_as_sha256_fingerprints(logged):
    fake, cloud, recorder = logged

    _run_session(fake, cloud)

    token_call = next(c for c in recorder.calls if c.url.endswith("/auth/tokens"))
    assert token_call.response_headers["X-Subject-Token"] == fingerprint(SAMPLE_TOKEN)
    service_calls = [c for c in recorder.calls if "X-Auth-Token" in c.request_headers]
    assert service_calls
    for call in service_calls:
        assert call.request_headers["X-Auth-Token"].startswith("{SHA256}")
        assert call.request_headers["X-Auth-Token"] == fingerprint(SAMPLE_TOKEN)


def test_token_request_record_shows_the_shape_without_credentials(logged):
    fake, cloud, recorder = logged
    cloud.authenticate()

    token_call = next(c for c in recorder.calls if c.url.endswith("/auth/tokens"))

    assert token_call.request_json["auth"]["identity"]["methods"] == ["password"]
    user = token_call.request_json["auth"]["identity"]["password"]["user"]
    assert user == {"name": "admin", "domain": {"name": "Default"}, "password": "***"}
    assert token_call.request_json["auth"]["scope"]["project"]["name"] == "admin"
    assert token_call.as_openstack_cli() == "openstack token issue"


def test_secrets_in_bodies_are_replaced_by_stars(logged):
    fake, cloud, recorder = logged
    _run_session(fake, cloud)

    keypair = next(c for c in recorder.calls if c.url.endswith("/os-keypairs"))
    create = next(c for c in recorder.calls if c.url.endswith("/servers") and c.method == "POST")
    rescue = next(c for c in recorder.calls if c.url.endswith("/action"))

    assert keypair.response_json["keypair"]["private_key"] == "***"
    assert keypair.response_json["keypair"]["public_key"].startswith("ssh-rsa ")
    assert create.response_json["server"]["adminPass"] == "***"
    assert rescue.response_json == {"adminPass": "***"}


def test_application_credential_secret_never_shows(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    devstack.token_sample = f"{KEYSTONE}/admin/auth-application-credential-response.json"
    profile = devstack.profile(auth_type="v3applicationcredential", username="", project_name="",
                               project_domain_name="", user_domain_name="",
                               application_credential_id="423f19a4ac1e4f48bbb4180756e6eb6c")
    user = "fd786d56402c4d1691372e7dee0d00b5"
    devstack.add("POST", f"{devstack.identity}/users/{user}/application_credentials",
                 sample(f"{KEYSTONE}/admin/application-credential-create-response.json"),
                 status=201)
    cloud = devstack.cloud(profile, secret=APP_CRED_SECRET, call_log=log)

    cloud.authenticate()
    created = cloud.json("identity", "POST", f"/users/{user}/application_credentials",
                         json=sample(f"{KEYSTONE}/admin/application-credential-create-request.json"),
                         ok=(201,))

    assert created["application_credential"]["secret"] == APP_CRED_SECRET  # the caller gets it
    assert any(APP_CRED_SECRET in _text(c.request.body) for c in devstack.rsps.calls)
    assert_no_secret(recorder.calls)
    auth = next(c for c in recorder.calls if c.url.endswith("/auth/tokens"))
    assert auth.request_json["auth"]["identity"]["application_credential"]["secret"] == "***"


def test_token_profile_token_never_shows(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    devstack.tokens = ["c67580"]  # keystone's token-validate sample value for the new token
    profile = devstack.profile(auth_type="token", username="", user_domain_name="")
    cloud = devstack.cloud(profile, secret=SAMPLE_TOKEN, call_log=log)

    cloud.authenticate()

    auth = next(c for c in recorder.calls if c.url.endswith("/auth/tokens"))
    assert auth.request_json["auth"]["identity"]["token"]["id"] == "***"
    assert_no_secret(recorder.calls)


# ------------------------------------------------------------------ curl
def test_curl_uses_os_token_and_is_valid_shell(logged):
    fake, cloud, recorder = logged
    _run_session(fake, cloud)

    for call in recorder.calls:
        curl = call.as_curl()
        words = shlex.split(curl)
        assert words[:6] == ["curl", "-g", "-i", "-X", call.method, call.url]
        syntax = subprocess.run(["bash", "-n", "-c", curl], capture_output=True, text=True)
        assert syntax.returncode == 0, syntax.stderr
        if "X-Auth-Token" in call.request_headers:
            assert "X-Auth-Token: $OS_TOKEN" in words
            assert "{SHA256}" not in curl


def test_curl_carries_the_json_body_and_microversion(logged):
    fake, cloud, recorder = logged
    _run_session(fake, cloud)

    create = next(c for c in recorder.calls if c.url.endswith("/servers") and c.method == "POST")
    words = shlex.split(create.as_curl())

    body = json.loads(words[words.index("-d") + 1])
    assert body["server"]["name"] == "new-server-test"
    assert "OpenStack-API-Version: compute 2.100" in words


def test_curl_quotes_a_body_with_a_single_quote(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    set_compute_max(devstack, "2.73")
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", status=202)
    cloud = devstack.cloud(call_log=log)

    cloud.compute.lock(SERVER_ID, reason="I don't want to work")

    curl = recorder.calls[-1].as_curl()
    words = shlex.split(curl)
    assert json.loads(words[words.index("-d") + 1]) == sample(
        f"{NOVA}/os-lock-server/v2.73/lock-server-with-reason.json")
    assert subprocess.run(["bash", "-n", "-c", curl]).returncode == 0


# ------------------------------------------------------------ openstack CLI
def test_openstack_cli_equivalents(logged):
    fake, cloud, recorder = logged
    fake.add("POST", f"{fake.compute}/servers/{SERVER_ID}/action", status=202)
    fake.add("GET", f"{fake.compute}/servers/detail",
             sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))
    fake.add("POST", f"{fake.image}/images/{IMAGE_ID}/actions/deactivate", status=204)
    fake.add("POST", f"{fake.image}/images/{IMAGE_ID}/actions/reactivate", status=204)
    fake.add("GET", f"{fake.image}/images", sample(f"{GLANCE}/images-list-response.json"))
    fake.add("GET", f"{fake.compute}/flavors/detail", sample(f"{NOVA}/flavors/flavors-detail-resp.json"))

    cloud.compute.list_servers()
    cloud.compute.stop(SERVER_ID)
    cloud.compute.reboot(SERVER_ID, hard=True)
    cloud.compute.resize(SERVER_ID, "2")
    cloud.image.deactivate(IMAGE_ID)
    cloud.image.reactivate(IMAGE_ID)
    cloud.image.list_images()
    cloud.compute.list_flavors()

    cli = [c.as_openstack_cli() for c in recorder.calls
           if c.service_type in ("compute", "image") and c.as_openstack_cli()]
    assert cli == [
        "openstack server list --long",
        f"openstack server stop {SERVER_ID}",
        f"openstack server reboot --hard {SERVER_ID}",
        f"openstack server resize --flavor 2 {SERVER_ID}",
        f"openstack image set --deactivate {IMAGE_ID}",
        f"openstack image set --activate {IMAGE_ID}",
        "openstack image list --long",
        "openstack flavor list --long",
    ]


def test_openstack_cli_skips_a_legacy_project_id_in_the_compute_url():
    call = ApiCall("POST", "http://cloud.test:8774/v2.1/a6944d763bf64ee6a275f1263fae0352/servers/"
                           f"{SERVER_ID}/action", 202, 1.0, request_json={"os-start": None},
                   service_type="compute")
    assert call.as_openstack_cli() == f"openstack server start {SERVER_ID}"


# ---------------------------------------------------------- failed exchange
def test_a_failed_connection_yields_a_record_with_no_status(logged):
    fake, cloud, recorder = logged
    cloud.authenticate()
    fake.rsps.add("GET", f"{fake.network}/networks", body=requests.exceptions.ConnectionError(
        "Failed to establish a new connection: [Errno 111] Connection refused"))

    with pytest.raises(ConnectionFailed):
        cloud.network.list_networks()

    failed = recorder.calls[-1]
    assert failed.url.startswith(f"{fake.network}/networks")
    assert failed.status is None
    assert failed.ok is False
    assert "Connection refused" in failed.error
    assert failed.to_dict()["status"] is None


def test_a_broken_subscriber_does_not_break_the_call(devstack):
    log, recorder = CallLog(), Recorder()

    def broken(call):
        raise RuntimeError("subscriber bug")

    log.subscribe(broken)
    log.subscribe(recorder)
    devstack.add("GET", f"{devstack.network}/networks", {"networks": []})

    assert devstack.cloud(call_log=log).network.list_networks() == []
    assert recorder.calls


def test_unsubscribed_callbacks_get_nothing(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    log.unsubscribe(recorder)

    devstack.cloud(call_log=log).authenticate()

    assert recorder.calls == []


def test_a_huge_body_is_truncated_in_the_record(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    server = sample(f"{NOVA}/servers/v2.73/servers-details-resp.json")["servers"][0]
    body = {"servers": [dict(server, id=f"{i:08d}") for i in range(200)]}
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail",
                               callback=lambda req: json_response(body))

    servers = devstack.cloud(call_log=log).compute.list_servers()

    assert len(servers) == 200  # the caller gets everything
    record = recorder.calls[-1]
    assert len(record.response_body) < MAX_BODY_CHARS + 100
    assert "more characters" in record.response_body
    # the whole body stays for the inspector, as text to parse on a worker
    assert isinstance(record.response_json, JsonText)
    assert record.response_json.parse() == body
