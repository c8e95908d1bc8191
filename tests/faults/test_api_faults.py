"""The api layer against the same faults as the window: one typed error per cause, a
sentence naming it, and the same ``Cloud`` (its token, its connection pool) working
again once the fault is gone."""

from __future__ import annotations

import pytest

from osdesk.api import errors
from osdesk.api.calllog import CallLog
from osdesk.api.cloud import Cloud
from osdesk.demo import DemoCloud
from osdesk.profiles.profile import Profile
from tests.faults.conftest import demo_profile
from tests.faults.misbehaving import (closed_port, delayed, make_tls_files, never_answer,
                                      reset_mid_body, respond, truncated_body)
from tests.faults.test_window_faults import CAPTIVE, HTML_502, SERVERS, nova

pytestmark = pytest.mark.faults

#: (fault, action on the servers list, error class, words of str(error))
FAULTS = [
    ("403", lambda: respond(403, nova("forbidden", 403, "Policy doesn't allow x.")),
     errors.Forbidden, ["Policy doesn't allow x.", "HTTP 403", "req-fault-0001"]),
    ("404", lambda: respond(404, nova("itemNotFound", 404, "Not here.")),
     errors.NotFound, ["Not here.", "HTTP 404"]),
    ("409", lambda: respond(409, nova("conflictingRequest", 409, "Cannot 'stop' instance x "
                                      "while it is in vm_state stopped")),
     errors.Conflict, ["Cannot 'stop' instance x while it is in vm_state stopped", "HTTP 409"]),
    ("413", lambda: respond(413, nova("overLimit", 413, "Quota exceeded.")),
     errors.QuotaExceeded, ["Quota exceeded.", "HTTP 413"]),
    ("500", lambda: respond(500, nova("computeFault", 500, "Unexpected API Error.")),
     errors.ServerError, ["Unexpected API Error.", "HTTP 500"]),
    ("503 Retry-After", lambda: respond(503, "busy", content_type="text/plain",
                                        headers={"Retry-After": "120"}),
     errors.ServiceUnavailable, ["busy", "HTTP 503", "retry after 120 s"]),
    ("HTML 502", lambda: respond(502, HTML_502, content_type="text/html"),
     errors.ServerError, ["502 Bad Gateway", "invalid or incomplete response", "HTTP 502"]),
    ("HTML 200", lambda: respond(200, CAPTIVE, content_type="text/html"),
     errors.BadResponse, ["HTML page", "Hotel WiFi"]),
    ("invalid JSON", lambda: respond(200, "{'servers': []}"),
     errors.BadResponse, ["not valid JSON"]),
    ("truncated JSON", lambda: truncated_body(0.5), errors.BadResponse, ["not valid JSON"]),
    ("reset mid-body", lambda: reset_mid_body(0.5),
     errors.ConnectionFailed, ["broke in the middle of an answer", "reset"]),
    ("timeout", lambda: delayed(4.0), errors.RequestTimeout, ["did not answer within 1.5 s"]),
    ("never answers", never_answer, errors.RequestTimeout, ["did not answer within 1.5 s"]),
]


@pytest.fixture
def cloud(demo_cloud, proxies):
    proxy = proxies(demo_cloud.base_url)
    c = Cloud(demo_profile(demo_cloud, "api", "API cloud", base_url=proxy.base_url, timeout=1.5),
              demo_cloud.PASSWORD, call_log=CallLog())
    assert len(c.compute.list_servers()) == 25
    yield c, proxy
    c.close()


@pytest.mark.parametrize("name,make_action,error,words", FAULTS, ids=[f[0] for f in FAULTS])
def test_list_fault_raises_its_typed_error(cloud, recorder, name, make_action, error, words):
    c, proxy = cloud
    with recorder.fault(f"api: {name}"):
        proxy.add(SERVERS, make_action())
        with pytest.raises(error) as info:
            c.compute.list_servers()
        for word in words:
            assert word in str(info.value), str(info.value)
        assert len(c.compute.list_servers()) == 25  # the same Cloud works again


def test_401_mid_session_reauthenticates_once(cloud, recorder):
    c, proxy = cloud
    with recorder.fault("api: 401 mid-session"):
        posts = sum(1 for m, p in proxy.requests if m == "POST" and p.endswith("/auth/tokens"))
        proxy.add(SERVERS, respond(401, {"error": {"code": 401, "title": "Unauthorized",
                                                   "message": "Expired."}}))
        assert len(c.compute.list_servers()) == 25
        assert sum(1 for m, p in proxy.requests
                   if m == "POST" and p.endswith("/auth/tokens")) == posts + 1


@pytest.mark.parametrize("case", ["refused", "unknown host"])
def test_no_answer_at_all(case, recorder):
    url = {"refused": f"http://127.0.0.1:{closed_port()}/v3",
           "unknown host": "http://keystone.osdesk-fault.invalid:5000/v3"}[case]
    error = {"refused": errors.ConnectionFailed, "unknown host": errors.HostNotFound}[case]
    words = {"refused": "refused the connection", "unknown host": "could not be resolved"}[case]
    with recorder.fault(f"api: {case}"):
        c = Cloud(Profile(name="x", auth_url=url, username="u", project_name="p", timeout=5),
                  "pw", call_log=CallLog())
        with pytest.raises(error, match=words):
            c.authenticate()
        c.close()


def test_tls_without_then_with_the_ca_bundle(demo_cloud, proxies, tmp_path, recorder):
    tls = make_tls_files(tmp_path / "tls")
    proxy = proxies(demo_cloud.base_url, tls=tls)
    with recorder.fault("api: TLS"):
        plain = Cloud(demo_profile(demo_cloud, "t", "t", base_url=proxy.base_url),
                      demo_cloud.PASSWORD, call_log=CallLog())
        with pytest.raises(errors.TlsError, match="CERTIFICATE_VERIFY_FAILED"):
            plain.authenticate()
        trusted = Cloud(demo_profile(demo_cloud, "t", "t", base_url=proxy.base_url,
                                     cacert=str(tls.ca_cert)), demo_cloud.PASSWORD,
                        call_log=CallLog())
        assert len(trusted.compute.list_servers()) == 25
        plain.close()
        trusted.close()


def test_catalog_without_network(recorder):
    demo = DemoCloud(servers=2, speed=50, services=("identity", "compute", "image")).start()
    try:
        with recorder.fault("api: no network service"):
            c = Cloud(demo_profile(demo, "n", "n"), demo.PASSWORD, call_log=CallLog())
            with pytest.raises(errors.ServiceNotAvailable, match="no network service"):
                c.network.list_networks()
            assert len(c.compute.list_servers()) == 2
            c.close()
    finally:
        demo.stop()


def test_401_in_the_middle_of_an_upload_sends_the_whole_file_again(cloud, recorder, tmp_path):
    import hashlib
    c, proxy = cloud
    data = bytes(range(256)) * 12_000 + b"end"  # ~3 MB, several transfer blocks
    src = tmp_path / "disk.raw"
    src.write_bytes(data)
    with recorder.fault("api: 401 during an upload"):
        logins = sum(1 for m, p in proxy.requests if m == "POST" and p.endswith("/auth/tokens"))
        proxy.add(r"/images/[^/]+/file$", respond(401, {"error": {
            "code": 401, "title": "Unauthorized", "message": "Token expired."}}), method="PUT")

        image = c.image.create_and_upload("after-401", src, disk_format="raw")

        assert image["status"] == "active" and image["size"] == len(data)
        assert image["checksum"] == hashlib.md5(data).hexdigest()
        puts = [p for m, p in proxy.requests if m == "PUT" and p.endswith("/file")]
        assert len(puts) == 2
        assert sum(1 for m, p in proxy.requests
                   if m == "POST" and p.endswith("/auth/tokens")) == logins + 1


def test_an_mfa_receipt_at_login_names_the_methods_and_the_way_out(demo_cloud, proxies,
                                                                    recorder):
    import json
    from tests.samples import SAMPLES
    receipt = json.loads((SAMPLES / "keystone/api-ref/source/v3/samples/auth/responses/"
                                    "auth-receipt-password.json").read_text())
    proxy = proxies(demo_cloud.base_url)
    with recorder.fault("api: MFA receipt at login"):
        proxy.add(r"/auth/tokens$", respond(401, receipt, headers={
            "Openstack-Auth-Receipt": "gAAAAABbPh2e"}), method="POST")
        c = Cloud(demo_profile(demo_cloud, "mfa", "MFA cloud", base_url=proxy.base_url,
                               timeout=5), demo_cloud.PASSWORD, call_log=CallLog())
        with pytest.raises(errors.AuthenticationFailed) as info:
            c.authenticate()
        assert "multi-factor authentication (totp + password)" in str(info.value)
        assert "application credential" in str(info.value)
        assert len(c.compute.list_servers()) == 25  # the rule was one-shot: the login works now
        c.close()
