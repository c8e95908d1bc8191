"""The API layer against real Keystone, Glance, Neutron and Nova (tests/realcloud)."""

from __future__ import annotations

import hashlib
import json
import os

import pytest
import requests

from osdesk.api import (AuthenticationFailed, Cloud, NotFound, ServiceNotAvailable)
from osdesk.api.errors import Conflict, Forbidden
from osdesk.api.pagination import iter_pages
from tests.integration.helpers import demo_profile, unique, wait_for

pytestmark = pytest.mark.realcloud


@pytest.fixture(scope="module")
def admin_cloud(realcloud):
    from osdesk.profiles.profile import Profile
    profile = Profile(name="rc-admin", auth_url=realcloud["OS_AUTH_URL"], username="admin",
                      user_domain_name="Default", project_name="admin",
                      project_domain_name="Default", region_name="RegionOne", timeout=60)
    cloud = Cloud(profile, realcloud["OS_PASSWORD"])
    yield cloud
    cloud.close()


@pytest.fixture(scope="module")
def second_project(realcloud, admin_cloud):
    """A second project for the demo user (and a domain role), made by admin."""
    name = unique("proj")
    body = admin_cloud.json("identity", "POST", "/projects",
                            json={"project": {"name": name, "domain_id": "default"}})
    project = body["project"]
    roles = {r["name"]: r["id"] for r in admin_cloud.json("identity", "GET", "/roles")["roles"]}
    user = realcloud["RC_DEMO_USER_ID"]
    admin_cloud.request("identity", "PUT",
                        f"/projects/{project['id']}/users/{user}/roles/{roles['member']}")
    admin_cloud.request("identity", "PUT",
                        f"/domains/default/users/{user}/roles/{roles['reader']}")
    yield project
    admin_cloud.request("identity", "DELETE", f"/projects/{project['id']}")


def test_password_login_reports_user_project_roles_and_catalog(demo_cloud, realcloud):
    info = demo_cloud.authenticate()
    assert info["user_name"] == "demo"
    assert info["project_name"] == "demo"
    assert info["project_id"] == realcloud["RC_DEMO_PROJECT_ID"]
    assert "member" in info["roles"] and not info["is_admin"]
    assert {"compute", "identity", "image", "network"} <= set(info["services"])
    assert demo_cloud.token_expires_in() > 600


def test_application_credential_login_lists_servers(realcloud, call_log):
    profile = demo_profile(realcloud, auth_type="v3applicationcredential", username="",
                           project_name="", application_credential_id=realcloud["RC_APP_CRED_ID"])
    cloud = Cloud(profile, realcloud["RC_APP_CRED_SECRET"], call_log=call_log)
    info = cloud.authenticate()
    assert info["project_id"] == realcloud["RC_DEMO_PROJECT_ID"]
    assert "application_credential" in info["methods"]
    assert isinstance(cloud.compute.list_servers(), list)
    secret = realcloud["RC_APP_CRED_SECRET"]
    assert not any(secret in json.dumps(r.to_dict()) for r in call_log.records)


def test_domain_scoped_login(realcloud, second_project):
    profile = demo_profile(realcloud, project_name="", project_domain_name="",
                           domain_name="Default")
    cloud = Cloud(profile, realcloud["RC_DEMO_PASSWORD"])
    info = cloud.authenticate()
    assert info["domain_name"] == "Default"
    assert info["project_id"] is None
    assert "reader" in info["roles"]


def test_rescope_to_another_project_keeps_working(demo_cloud, second_project):
    projects = {p["id"] for p in demo_cloud.identity.my_projects()}
    assert second_project["id"] in projects
    info = demo_cloud.rescope(second_project["id"])
    assert info["project_id"] == second_project["id"]
    # The new token works for a service call in the new project.
    assert demo_cloud.compute.list_servers() == []
    quota = demo_cloud.network.quotas(second_project["id"])
    assert quota["network"]["used"] == 0


def test_catalog_lookup_and_missing_service(demo_cloud):
    assert demo_cloud.endpoint("compute").rstrip("/").endswith("/v2.1")
    assert demo_cloud.endpoint("image").rstrip("/").endswith("/v2")
    assert demo_cloud.has_service("network")
    assert demo_cloud.has_service("block-storage")  # Cinder runs in tests/realcloud
    assert not demo_cloud.has_service("orchestration")
    with pytest.raises(ServiceNotAvailable) as exc:
        demo_cloud.json("orchestration", "GET", "/stacks")
    assert "orchestration" in str(exc.value).lower()


def test_microversion_is_negotiated_and_sent(demo_cloud, call_log):
    version = demo_cloud.compute_microversion
    major, minor = map(int, version.split("."))
    assert (major, minor) >= (2, 96)   # nova 34 goes beyond 2.96; osdesk speaks up to 2.100
    demo_cloud.compute.list_flavors()
    sent = [r for r in call_log.records if r.url.endswith("/flavors/detail")]
    assert sent and sent[-1].request_headers.get("OpenStack-API-Version") == f"compute {version}"
    assert sent[-1].response_headers.get("OpenStack-API-Version") == f"compute {version}"


def test_wrong_password_and_unknown_project_name_the_cause(realcloud):
    with pytest.raises(AuthenticationFailed) as wrong:
        Cloud(demo_profile(realcloud), "not-the-password").authenticate()
    assert "refused the login" in str(wrong.value)
    with pytest.raises(AuthenticationFailed) as project:
        Cloud(demo_profile(realcloud, project_name="no-such-project"),
              realcloud["RC_DEMO_PASSWORD"]).authenticate()
    assert "no-such-project" in str(project.value)
    assert "accepted the password" in str(project.value)


def test_unknown_image_is_not_found_with_request_id(demo_cloud):
    with pytest.raises(NotFound) as exc:
        demo_cloud.image.get_image("00000000-0000-0000-0000-000000000000")
    assert exc.value.status == 404
    assert exc.value.request_id and exc.value.request_id.startswith("req-")
    assert "Request-ID: req-" in str(exc.value)


def test_member_cannot_list_all_projects_but_sees_its_own(demo_cloud):
    with pytest.raises(Forbidden):
        demo_cloud.json("identity", "GET", "/projects")
    names = {p["name"] for p in demo_cloud.identity.list_projects()}
    assert "demo" in names


def test_image_upload_download_checksum_and_state_changes(demo_cloud, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "disk.raw"
    src.write_bytes(data)
    progress = []
    image = demo_cloud.image.create_and_upload(unique("img"), src, disk_format="raw",
                                               container_format="bare",
                                               progress=lambda d, t: progress.append((d, t)))
    try:
        assert image["status"] == "active"
        assert image["size"] == len(data)
        assert image["checksum"] == hashlib.md5(data).hexdigest()
        assert progress[-1] == (len(data), len(data))
        dest = tmp_path / "back.raw"
        assert demo_cloud.image.download(image["id"], dest) == hashlib.md5(data).hexdigest()
        assert dest.read_bytes() == data

        demo_cloud.image.deactivate(image["id"])
        assert demo_cloud.image.get_image(image["id"])["status"] == "deactivated"
        demo_cloud.image.reactivate(image["id"])
        assert demo_cloud.image.get_image(image["id"])["status"] == "active"

        updated = demo_cloud.image.update(image["id"], [
            {"op": "replace", "path": "/protected", "value": True},
            {"op": "replace", "path": "/tags", "value": ["osdesk"]}])
        assert updated["protected"] is True and "osdesk" in updated["tags"]
        with pytest.raises(Forbidden) as refused:
            demo_cloud.image.delete_image(image["id"])
        assert "protected" in str(refused.value)
        demo_cloud.image.update(image["id"], [{"op": "replace", "path": "/protected",
                                               "value": False}])
    finally:
        demo_cloud.image.delete_image(image["id"])
    with pytest.raises(NotFound):
        demo_cloud.image.get_image(image["id"])


def test_network_and_subnet_create_delete_and_in_use_message(demo_cloud):
    net = demo_cloud.network.create_network(unique("net"))
    try:
        subnet = demo_cloud.network.create_subnet(net["id"], "192.168.77.0/24",
                                                  name=unique("subnet"),
                                                  dns_nameservers=["192.168.77.2"])
        assert subnet["cidr"] == "192.168.77.0/24"
        assert subnet["id"] in demo_cloud.network.get_network(net["id"])["subnets"]
        port = demo_cloud.network.create("ports", {"network_id": net["id"]})
        with pytest.raises(Conflict) as in_use:
            demo_cloud.network.delete_network(net["id"])
        assert "ports still in use" in str(in_use.value) or "in use" in str(in_use.value)
        assert in_use.value.request_id
        demo_cloud.network.delete("ports", port["id"])
        demo_cloud.network.delete_subnet(subnet["id"])
    finally:
        demo_cloud.network.delete_network(net["id"])
    with pytest.raises(NotFound):
        demo_cloud.network.get_network(net["id"])


def test_unchanged_pages_of_real_services_are_not_parsed_again(demo_cloud):
    """Nova, Glance and Neutron answer an unchanged list with the same bytes, so the
    second listing hands back the first one's objects; a change makes that page anew."""
    lists = {"flavors": lambda: list(iter_pages(demo_cloud, "compute", "/flavors/detail",
                                                "flavors", page_size=2)),
             "images": lambda: list(demo_cloud.image.iter_image_pages(page_size=2)),
             "networks": lambda: list(demo_cloud.network.iter_pages("networks", page_size=2))}
    kept = {}
    for name, listing in lists.items():
        first, kept[name] = listing(), listing()
        assert first and first[0], name  # (a last page may be empty)
        assert [p is q for p, q in zip(first, kept[name])] == [True] * len(first), name
    net = demo_cloud.network.create_network(unique("memo"))
    try:
        after = lists["networks"]()
        assert net["id"] in {n["id"] for page in after for n in page}
        assert after[-1] is not kept["networks"][-1]
    finally:
        demo_cloud.network.delete_network(net["id"])


def test_routers_list_and_detail(demo_cloud, realcloud):
    routers = demo_cloud.network.list_routers()
    router = next(r for r in routers if r["name"] == "demo-router")
    detail = demo_cloud.network.get_router(router["id"])
    assert detail["external_gateway_info"]["network_id"] == realcloud["RC_PUBLIC_NET_ID"]
    ports = demo_cloud.network.list_ports(filters={"device_id": router["id"]})
    assert any(p["device_owner"].startswith("network:router_interface") for p in ports)


def test_keypairs_create_import_delete(demo_cloud):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519
    public = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
    imported_name, created_name = unique("imp"), unique("gen")
    imported = demo_cloud.compute.import_keypair(imported_name, public + " test@osdesk")
    created = demo_cloud.compute.create_keypair(created_name)
    try:
        assert imported["public_key"].startswith("ssh-ed25519")
        assert "PRIVATE KEY" in created["private_key"]
        names = {k["name"] for k in demo_cloud.compute.list_keypairs()}
        assert {imported_name, created_name} <= names
        assert demo_cloud.compute.get_keypair(created_name)["fingerprint"] == created["fingerprint"]
    finally:
        demo_cloud.compute.delete_keypair(imported_name)
        demo_cloud.compute.delete_keypair(created_name)
    assert imported_name not in {k["name"] for k in demo_cloud.compute.list_keypairs()}


def test_limits_and_quotas(demo_cloud, realcloud):
    limits = demo_cloud.compute.limits()
    assert limits["maxTotalInstances"] > 0 and "totalInstancesUsed" in limits
    quota = demo_cloud.network.quotas(realcloud["RC_DEMO_PROJECT_ID"])
    assert quota["network"]["used"] >= 1


def test_server_lifecycle_through_every_common_action(demo_cloud, realcloud):
    compute = demo_cloud.compute
    body = compute.create_server(unique("vm"), realcloud["RC_IMAGE_ID"],
                                 realcloud["RC_FLAVOR_TINY_ID"],
                                 networks=[realcloud["RC_DEMO_NET_ID"]])
    server_id = body["server"]["id"]
    assert body["server"].get("adminPass")

    def settled(status):
        return lambda s: s["status"] == status and not s["OS-EXT-STS:task_state"] \
            or s["status"] == "ERROR"

    def get():
        return compute.get_server(server_id)

    try:
        server = wait_for(get, settled("ACTIVE"))
        assert server["status"] == "ACTIVE", server.get("fault")
        assert any(a["addr"].startswith("10.0.0.") for a in server["addresses"]["demo-net"])
        listed = {s["id"] for s in compute.list_servers(filters={"name": server["name"]})}
        assert server_id in listed

        for action, status in (("stop", "SHUTOFF"), ("start", "ACTIVE"),
                               ("pause", "PAUSED"), ("unpause", "ACTIVE"),
                               ("suspend", "SUSPENDED"), ("resume", "ACTIVE")):
            getattr(compute, action)(server_id)
            assert wait_for(get, settled(status))["status"] == status, action
        compute.reboot(server_id)
        assert wait_for(get, settled("ACTIVE"))["status"] == "ACTIVE"

        compute.lock(server_id)
        assert wait_for(get, lambda s: s["locked"])["locked"] is True
        compute.unlock(server_id)
        assert wait_for(get, lambda s: not s["locked"])["locked"] is False

        with pytest.raises(Conflict) as conflict:
            compute.start(server_id)  # already ACTIVE: nova refuses with its message
        assert "vm_state active" in str(conflict.value)

        assert "FAKE CONSOLE OUTPUT" in compute.console_output(server_id, length=50)
        console = compute.remote_console(server_id, "vnc")
        assert console["url"].startswith("http")
        actions = compute.instance_actions(server_id)
        assert {"create", "stop", "start"} <= {a["action"] for a in actions}
        assert all(a["request_id"].startswith("req-") for a in actions)
    finally:
        compute.delete_server(server_id)

    def gone():
        try:
            compute.get_server(server_id)
            return False
        except NotFound:
            return True
    wait_for(gone, bool)


def test_expired_token_is_renewed_quietly_on_401(demo_cloud, realcloud, call_log):
    token = demo_cloud.session.get_token()
    # Revoke the token behind the cloud's back: the next call meets a 401.
    r = requests.delete(realcloud["OS_AUTH_URL"] + "/auth/tokens", timeout=30,
                        headers={"X-Auth-Token": token, "X-Subject-Token": token})
    assert r.status_code == 204
    before = len(call_log.records)
    flavors = demo_cloud.compute.list_flavors()
    assert {f["name"] for f in flavors} >= {"m1.tiny", "m1.small"}
    seen = [(c.method, c.url.rsplit("/", 2)[-2:], c.status) for c in call_log.records[before:]]
    statuses = [c.status for c in call_log.records[before:]]
    assert 401 in statuses, seen
    assert any(c.method == "POST" and c.url.endswith("/auth/tokens") and c.status == 201
               for c in call_log.records[before:]), seen
    assert statuses[-1] == 200
    assert demo_cloud.session.get_token() != token


def test_call_log_never_shows_password_or_token(demo_cloud, realcloud, call_log):
    demo_cloud.authenticate()
    demo_cloud.compute.list_servers()
    demo_cloud.image.list_images()
    token = demo_cloud.session.get_token()
    text = "\n".join(json.dumps(r.to_dict(), default=str) + r.as_curl()
                     for r in call_log.records)
    assert realcloud["RC_DEMO_PASSWORD"] not in text
    assert token not in text
    assert "{SHA256}" in text
    auth = [r for r in call_log.records if r.url.endswith("/auth/tokens")]
    assert auth and auth[0].response_headers.get("X-Subject-Token", "").startswith("{SHA256}")
