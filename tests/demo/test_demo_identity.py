"""Keystone: version documents, every auth method and scope, failures, expiry."""

from __future__ import annotations

import requests
from keystoneauth1 import exceptions as ks_exc
from keystoneauth1 import session
from keystoneauth1.identity import v3

from demo_helpers import make_session, nova, sample, token_for

UNAUTH = {"error": {"code": 401, "title": "Unauthorized",
                    "message": "The request you have made requires authentication."}}


def _pw_body(user, password, scope=None):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": dict(
        user, password=password)}}}}
    if scope is not None:
        body["auth"]["scope"] = scope
    return body


def test_version_documents(demo):
    r = requests.get(demo.base_url + "/identity")
    assert r.status_code == 300
    assert r.headers["Content-Type"] == "application/json"
    values = r.json()["versions"]["values"]
    ref = sample("keystone/api-ref/source/v3/samples/admin/identity-versions-response.json")
    assert set(values[0]) == set(ref["versions"]["values"][0])
    assert values[0]["links"][0]["href"] == demo.base_url + "/identity/v3/"
    r = requests.get(demo.auth_url)
    ref = sample("keystone/api-ref/source/v3/samples/admin/identity-version-response.json")
    assert r.status_code == 200
    assert set(r.json()["version"]) == set(ref["version"])
    assert r.json()["version"]["status"] == "stable"


def test_password_project_scoped_token_shape(demo):
    scope = {"project": {"name": "demo", "domain": {"name": "Default"}}}
    r = requests.post(demo.auth_url + "/auth/tokens", json=_pw_body(
        {"name": "demo", "domain": {"name": "Default"}}, demo.PASSWORD, scope))
    assert r.status_code == 201
    assert r.headers["X-Subject-Token"]
    assert r.headers["x-openstack-request-id"].startswith("req-")
    assert int(r.headers["Content-Length"]) == len(r.content)
    tok = r.json()["token"]
    ref = sample("keystone/api-ref/source/v3/samples/admin/"
                 "auth-password-project-scoped-response.json")["token"]
    assert set(ref) <= set(tok)
    assert set(ref["user"]) <= set(tok["user"])
    assert set(ref["project"]) <= set(tok["project"])
    assert tok["methods"] == ["password"]
    assert tok["expires_at"].endswith(".000000Z")
    assert tok["issued_at"].endswith("Z")
    assert {r["name"] for r in tok["roles"]} == {"member", "reader"}
    types = {s["type"]: s for s in tok["catalog"]}
    assert set(types) == {"identity", "compute", "image", "network", "block-storage"}
    ep = {e["interface"]: e["url"] for e in types["compute"]["endpoints"]}
    assert set(ep) == {"public", "internal", "admin"}
    assert ep["public"] == demo.base_url + "/compute/v2.1"
    assert {e["region_id"] for e in types["image"]["endpoints"]} == {"RegionOne"}


def test_password_by_user_id_and_project_id(demo):
    scope = {"project": {"id": demo.PROJECT_ID}}
    r = requests.post(demo.auth_url + "/auth/tokens",
                      json=_pw_body({"id": demo.USER_ID}, demo.PASSWORD, scope))
    assert r.status_code == 201
    assert r.json()["token"]["project"]["name"] == "demo"


def test_unscoped_and_domain_scoped(demo):
    r = requests.post(demo.auth_url + "/auth/tokens", json=_pw_body(
        {"name": "demo", "domain": {"name": "Default"}}, demo.PASSWORD))
    assert r.status_code == 201
    tok = r.json()["token"]
    ref = sample("keystone/api-ref/source/v3/samples/auth/responses/unscoped-password.json")
    assert set(tok) == set(ref["token"])
    assert "catalog" not in tok and "project" not in tok
    r = requests.post(demo.auth_url + "/auth/tokens", json=_pw_body(
        {"name": "demo", "domain": {"name": "Default"}}, demo.PASSWORD,
        {"domain": {"id": "default"}}))
    assert r.status_code == 201
    tok = r.json()["token"]
    ref = sample("keystone/api-ref/source/v3/samples/auth/responses/domain-scoped-password.json")
    assert set(ref["token"]) <= set(tok)
    assert tok["domain"] == {"id": "default", "name": "Default"}


def test_keystoneauth_domain_scope(demo):
    auth = v3.Password(auth_url=demo.auth_url, username="demo", password=demo.PASSWORD,
                       user_domain_name="Default", domain_name="Default")
    sess = session.Session(auth=auth)
    assert sess.get_token()
    assert auth.get_access(sess).domain_id == "default"


def test_auth_failures(demo):
    url = demo.auth_url + "/auth/tokens"
    user = {"name": "demo", "domain": {"name": "Default"}}
    for body in (_pw_body(user, "wrong"),
                 _pw_body({"name": "nobody", "domain": {"name": "Default"}}, "x"),
                 _pw_body(user, demo.PASSWORD, {"project": {"name": "nope",
                                                            "domain": {"name": "Default"}}}),
                 _pw_body(user, demo.PASSWORD, {"project": {"name": "admin",
                                                            "domain": {"name": "Default"}}}),
                 _pw_body(user, demo.PASSWORD, {"system": {"all": True}})):
        r = requests.post(url, json=body)
        assert r.status_code == 401, body
        assert r.json() == UNAUTH
        assert "X-Subject-Token" not in r.headers
    r = requests.post(url, data=b"not json", headers={"Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == 400


def test_keystoneauth_wrong_password_raises_unauthorized(demo):
    auth = v3.Password(auth_url=demo.auth_url, username="demo", password="nope",
                       user_domain_name="Default", project_name="demo",
                       project_domain_name="Default")
    sess = session.Session(auth=auth)
    try:
        sess.get_token()
    except ks_exc.Unauthorized as e:
        assert e.http_status == 401
    else:
        raise AssertionError("expected Unauthorized")


def test_application_credential_by_id_and_by_name(demo):
    auth = v3.ApplicationCredential(auth_url=demo.auth_url,
                                    application_credential_id=demo.APP_CRED_ID,
                                    application_credential_secret=demo.APP_CRED_SECRET)
    sess = session.Session(auth=auth)
    access = auth.get_access(sess)
    assert access.project_name == "demo"
    assert access._data["token"]["methods"] == ["application_credential"]
    r = nova(sess).get("/servers")
    assert r.status_code == 200
    body = {"auth": {"identity": {"methods": ["application_credential"],
                                  "application_credential": {
                                      "name": demo.APP_CRED_NAME,
                                      "secret": demo.APP_CRED_SECRET,
                                      "user": {"id": demo.USER_ID}}}}}
    r = requests.post(demo.auth_url + "/auth/tokens", json=body)
    assert r.status_code == 201
    tok = r.json()["token"]
    ref = sample("keystone/api-ref/source/v3/samples/admin/"
                 "auth-application-credential-response.json")["token"]
    assert set(ref) <= set(tok)
    assert tok["application_credential"]["id"] == demo.APP_CRED_ID
    body["auth"]["identity"]["application_credential"]["secret"] = "wrong"
    r = requests.post(demo.auth_url + "/auth/tokens", json=body)
    assert r.status_code == 401


def test_token_method_rescopes(demo):
    r = requests.post(demo.auth_url + "/auth/tokens", json=_pw_body(
        {"name": "demo", "domain": {"name": "Default"}}, demo.PASSWORD))
    unscoped = r.headers["X-Subject-Token"]
    body = {"auth": {"identity": {"methods": ["token"], "token": {"id": unscoped}},
                     "scope": {"project": {"name": "staging", "domain": {"id": "default"}}}}}
    r = requests.post(demo.auth_url + "/auth/tokens", json=body)
    assert r.status_code == 201
    tok = r.json()["token"]
    assert tok["methods"] == ["token", "password"]
    assert tok["project"]["name"] == "staging"
    body["auth"]["identity"]["token"]["id"] = "gAAAAAbogus"
    assert requests.post(demo.auth_url + "/auth/tokens", json=body).status_code == 401


def test_validate_and_revoke(demo):
    admin_tok = token_for(demo)
    subject = token_for(demo, "staging")
    h = {"X-Auth-Token": admin_tok, "X-Subject-Token": subject}
    r = requests.get(demo.auth_url + "/auth/tokens", headers=h)
    assert r.status_code == 200
    assert r.headers["X-Subject-Token"] == subject
    assert r.json()["token"]["project"]["name"] == "staging"
    assert requests.head(demo.auth_url + "/auth/tokens", headers=h).status_code == 200
    assert requests.delete(demo.auth_url + "/auth/tokens", headers=h).status_code == 204
    r = requests.get(demo.auth_url + "/auth/tokens", headers=h)
    assert r.status_code == 404
    assert r.json()["error"]["title"] == "Not Found"
    r = requests.get(demo.base_url + "/compute/v2.1/servers", headers={"X-Auth-Token": subject})
    assert r.status_code == 401


def test_projects_catalog_and_user(demo):
    tok = token_for(demo)
    h = {"X-Auth-Token": tok}
    r = requests.get(demo.auth_url + "/auth/projects", headers=h)
    ref = sample("keystone/api-ref/source/v3/samples/admin/"
                 "get-available-project-scopes-response.json")
    assert set(r.json()) == set(ref)
    assert {p["name"] for p in r.json()["projects"]} == {"demo", "staging"}
    assert set(ref["projects"][0]) <= set(r.json()["projects"][0])
    r = requests.get(demo.auth_url + "/auth/catalog", headers=h)
    assert {s["type"] for s in r.json()["catalog"]} == {"identity", "compute", "image",
                                                        "network", "block-storage"}
    r = requests.get(demo.auth_url + "/users/%s/projects" % demo.USER_ID, headers=h)
    assert r.status_code == 200
    assert {p["name"] for p in r.json()["projects"]} == {"demo", "staging"}
    r = requests.get(demo.auth_url + "/projects", headers=h)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == 403
    r = requests.get(demo.auth_url + "/projects/%s" % demo.PROJECT_ID, headers=h)
    assert r.status_code == 200
    ref = sample("keystone/api-ref/source/v3/samples/admin/project-show-response.json")
    assert set(ref["project"]) <= set(r.json()["project"])
    r = requests.get(demo.auth_url + "/projects/%s" % demo.STAGING_PROJECT_ID, headers=h)
    assert r.status_code == 403
    r = requests.get(demo.auth_url + "/users/%s" % demo.USER_ID, headers=h)
    assert r.json()["user"]["name"] == "demo"
    assert requests.get(demo.auth_url + "/auth/projects").status_code == 401


def test_project_switching_sees_other_servers(demo):
    demo_names = {s["name"] for s in nova(make_session(demo)).get("/servers").json()["servers"]}
    stg_names = {s["name"] for s in nova(make_session(demo, "staging")).get(
        "/servers").json()["servers"]}
    assert "web-0001" in demo_names
    assert stg_names and all(n.startswith("stg-app-") for n in stg_names)
    assert not demo_names & stg_names


def test_token_expiry_gives_401_then_keystoneauth_reauthenticates(demo):
    sess = make_session(demo)
    api = nova(sess)
    assert api.get("/servers").status_code == 200
    first = sess.get_token()
    demo.state.expire_tokens()  # server side: the token is now expired
    r = requests.get(demo.base_url + "/compute/v2.1/servers", headers={"X-Auth-Token": first})
    assert r.status_code == 401
    assert r.json() == UNAUTH
    assert r.headers["WWW-Authenticate"].startswith("Keystone uri=")
    # keystoneauth sees the 401, invalidates, authenticates again and retries
    r = api.get("/servers")
    assert r.status_code == 200
    assert sess.get_token() != first


def test_token_ttl_short():
    from osdesk.demo import DemoCloud
    cloud = DemoCloud(servers=1, token_ttl=5).start()
    try:
        tok = token_for(cloud)
        h = {"X-Auth-Token": tok}
        assert requests.get(cloud.base_url + "/compute/v2.1/flavors", headers=h).status_code == 200
        cloud.state.advance(6)
        r = requests.get(cloud.base_url + "/compute/v2.1/flavors", headers=h)
        assert r.status_code == 401
        r = requests.get(cloud.base_url + "/image/v2/images", headers=h)
        assert r.status_code == 401
        r = requests.get(cloud.base_url + "/networking/v2.0/networks", headers=h)
        assert r.status_code == 401
        assert requests.get(cloud.base_url + "/compute/v2.1/flavors").status_code == 401
    finally:
        cloud.stop()
