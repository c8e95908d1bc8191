"""Token handling through Cloud (keystoneauth's behaviour): renewal before expiry,
one re-authentication and retry on a 401, and rescoping to another project."""

from __future__ import annotations

import pytest

from api_fakes import KEYSTONE, NOVA, SAMPLE_TOKEN, future_iso, json_response, sample
from osdesk.api.errors import ConfigError, Unauthorized

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


def _limits(fake):
    fake.add("GET", f"{fake.compute}/limits", sample(f"{NOVA}/limits/limit-get-resp.json"))


def test_login_posts_once_and_reuses_the_token(fake):
    _limits(fake)
    cloud = fake.cloud()

    info = cloud.authenticate()
    cloud.compute.limits()
    cloud.compute.limits()

    assert len(fake.token_posts()) == 1
    assert info["project_name"] == "admin"
    assert info["user_name"] == "admin"
    assert info["services"] == sorted({"compute", "compute_legacy", "identity", "image",
                                       "network", "volume", "volumev2", "object-store",
                                       "messaging", "messaging-websocket", "ec2",
                                       "orchestration", "cloudformation"})
    assert info["is_admin"] is True
    for call in fake.calls("GET", f"{fake.compute}/limits"):
        assert call.request.headers["X-Auth-Token"] == SAMPLE_TOKEN


def test_token_expiring_within_120_s_is_renewed_before_the_next_call(fake):
    _limits(fake)
    cloud = fake.cloud()
    cloud.authenticate()
    assert len(fake.token_posts()) == 1
    # time passes: the token in hand now has a minute left
    cloud.session.auth.auth_ref._data["token"]["expires_at"] = future_iso(60)
    assert cloud.token_expires_in() < 120

    cloud.compute.limits()

    assert len(fake.token_posts()) == 2
    sent = fake.last("GET", f"{fake.compute}/limits")
    assert sent.headers["X-Auth-Token"] == fake.issued[1] != fake.issued[0]
    assert cloud.token_expires_in() > 3000


def test_a_token_issued_with_less_than_120_s_is_never_used(fake):
    fake.token_lifetimes = [60, 3600]
    _limits(fake)
    cloud = fake.cloud()

    cloud.compute.limits()

    assert len(fake.token_posts()) == 2
    for call in fake.rsps.calls:
        assert call.request.headers.get("X-Auth-Token") != fake.issued[0]
    assert fake.last("GET", f"{fake.compute}/limits").headers["X-Auth-Token"] == fake.issued[1]


def test_token_with_more_than_120_s_left_is_kept(devstack):
    devstack.token_lifetimes = [300, 3600]
    _limits(devstack)
    cloud = devstack.cloud()
    cloud.authenticate()

    cloud.compute.limits()

    assert len(devstack.token_posts()) == 1


def test_a_401_from_a_service_triggers_one_reauthentication_and_one_retry(fake):
    answers = [json_response(UNAUTHORIZED, 401),
               json_response(sample(f"{NOVA}/limits/limit-get-resp.json"))]
    fake.rsps.add_callback("GET", f"{fake.compute}/limits", callback=lambda req: answers.pop(0))
    cloud = fake.cloud()
    cloud.authenticate()

    limits = cloud.compute.limits()

    assert limits == sample(f"{NOVA}/limits/limit-get-resp.json")["limits"]["absolute"]
    assert len(fake.token_posts()) == 2
    gets = fake.calls("GET", f"{fake.compute}/limits")
    assert len(gets) == 2
    assert gets[0].request.headers["X-Auth-Token"] == fake.issued[0]
    assert gets[1].request.headers["X-Auth-Token"] == fake.issued[1]


def test_a_second_401_surfaces_as_unauthorized(fake):
    fake.add("GET", f"{fake.compute}/limits", UNAUTHORIZED, status=401,
             headers={"x-openstack-request-id": "req-5f1e2a3b-0000-4c4c-8d8d-123456789abc"})
    cloud = fake.cloud()
    cloud.authenticate()

    with pytest.raises(Unauthorized) as info:
        cloud.compute.limits()

    assert len(fake.calls("GET", f"{fake.compute}/limits")) == 2
    assert len(fake.token_posts()) == 2
    assert info.value.status == 401
    assert "The request you have made requires authentication. (HTTP 401)" in str(info.value)
    assert "req-5f1e2a3b-0000-4c4c-8d8d-123456789abc" in str(info.value)


def test_invalidate_makes_the_next_call_log_in_again(devstack):
    _limits(devstack)
    cloud = devstack.cloud()
    cloud.authenticate()

    cloud.invalidate()
    cloud.compute.limits()

    assert len(devstack.token_posts()) == 2


def test_password_login_posts_user_and_project_scope(fake):
    fake.cloud().authenticate()

    (body,) = fake.auth_bodies
    identity = body["auth"]["identity"]
    assert identity["methods"] == ["password"]
    assert identity["password"]["user"]["name"] == "admin"
    assert identity["password"]["user"]["domain"] == {"name": "Default"}
    assert body["auth"]["scope"] == {"project": {"name": "admin", "domain": {"name": "Default"}}}


# ----------------------------------------------------------------- rescope
def test_rescope_posts_a_token_request_scoped_to_the_project(fake):
    target = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")["projects"][1]
    cloud = fake.cloud()
    cloud.authenticate()

    info = cloud.rescope(target["id"])

    assert len(fake.auth_bodies) == 2
    rescoped = fake.auth_bodies[1]["auth"]
    assert rescoped["scope"] == {"project": {"id": target["id"]}}
    assert rescoped["identity"]["methods"] == ["password"]
    assert info["project_id"] == target["id"]
    assert info["project_name"] == target["name"]
    assert cloud.token_info()["project_id"] == target["id"]


def test_rescope_uses_the_new_token_for_service_calls(devstack):
    target = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")["projects"][0]
    _limits(devstack)
    cloud = devstack.cloud()
    cloud.compute.limits()

    cloud.rescope(target["id"])
    cloud.compute.limits()

    gets = devstack.calls("GET", f"{devstack.compute}/limits")
    assert gets[-1].request.headers["X-Auth-Token"] == devstack.issued[-1] != devstack.issued[0]


def test_failed_rescope_keeps_the_old_scope(devstack):
    devstack.refuse_auth = lambda body: body["auth"].get("scope", {}).get("project", {}).get("id") == "nope"
    cloud = devstack.cloud()
    before = cloud.authenticate()

    with pytest.raises(Exception):
        cloud.rescope("nope")

    assert cloud.token_info()["project_id"] == before["project_id"]


def test_rescope_with_a_token_profile_exchanges_the_current_token(devstack):
    target = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")["projects"][1]
    profile = devstack.profile(auth_type="token", username="", user_domain_name="")
    cloud = devstack.cloud(profile, secret=SAMPLE_TOKEN)
    cloud.authenticate()

    cloud.rescope(target["id"])

    rescoped = devstack.auth_bodies[-1]["auth"]
    assert rescoped["identity"]["methods"] == ["token"]
    assert rescoped["scope"] == {"project": {"id": target["id"]}}


def test_rescope_of_an_application_credential_is_refused(devstack):
    profile = devstack.profile(auth_type="v3applicationcredential", username="",
                               project_name="", project_domain_name="",
                               application_credential_id="423f19a4ac1e4f48bbb4180756e6eb6c")
    cloud = devstack.cloud(profile, secret="rEaqvJka48mpv")

    with pytest.raises(ConfigError, match="bound to one project"):
        cloud.rescope("263fd9")


# ----------------------------------------------------------------- sibling
def test_a_sibling_uses_the_same_token_without_logging_in_again(devstack):
    _limits(devstack)
    cloud = devstack.cloud()
    cloud.compute.limits()
    logins = len(devstack.token_posts())

    twin = cloud.sibling()
    twin.compute.limits()

    assert len(devstack.token_posts()) == logins
    gets = devstack.calls("GET", f"{devstack.compute}/limits")
    assert gets[-1].request.headers["X-Auth-Token"] == gets[0].request.headers["X-Auth-Token"]
    assert twin.session.session is not cloud.session.session  # its own HTTP session


def test_a_sibling_keeps_its_project_when_the_original_switches(devstack):
    target = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")["projects"][0]
    _limits(devstack)
    cloud = devstack.cloud()
    before = cloud.authenticate()
    twin = cloud.sibling()

    cloud.rescope(target["id"])
    twin.compute.limits()

    assert twin.token_info()["project_id"] == before["project_id"] != target["id"]
    assert cloud.token_info()["project_id"] == target["id"]
    assert devstack.calls("GET", f"{devstack.compute}/limits")[-1].request.headers[
        "X-Auth-Token"] == devstack.issued[0]


def test_an_auth_url_naming_v3_logs_in_with_one_request(devstack):
    """No version discovery when the URL says the version: one POST, no GET of the
    identity version document first (a round trip less to a far cloud)."""
    cloud = devstack.cloud(devstack.profile(auth_url=devstack.identity))
    info = cloud.authenticate()
    identity = [c.request for c in devstack.rsps.calls
                if c.request.url.startswith(devstack.identity_root)]
    assert [(r.method, r.url) for r in identity] == [("POST", devstack.identity + "/auth/tokens")]
    assert info["project_name"] == "admin"


def test_an_auth_url_without_a_version_is_discovered_first(devstack):
    cloud = devstack.cloud()
    cloud.authenticate()
    methods = [c.request.method for c in devstack.rsps.calls
               if c.request.url.startswith(devstack.identity_root)]
    assert methods[0] == "GET" and methods.count("POST") == 1
