"""Glance, Neutron and Keystone samples through their clients: bodies come back
exactly as the API sent them; request bodies equal the request samples."""

from __future__ import annotations

import pytest

from api_fakes import GLANCE, KEYSTONE, NEUTRON, body_of, query_of, sample
from osdesk.api.image import JSON_PATCH

IMAGE_ID = "1bea47ed-f6a9-463b-b423-14b9cca9ad27"


# ------------------------------------------------------------------ glance
def test_image_list_returns_the_sample_images_unchanged(fake):
    fake.add("GET", f"{fake.image}/images", sample(f"{GLANCE}/images-list-response.json"))

    images = fake.cloud().image.list_images(page_size=20)

    assert images == sample(f"{GLANCE}/images-list-response.json")["images"]
    assert query_of(fake.last("GET", f"{fake.image}/images")) == {"limit": "20"}


def test_get_image_returns_the_sample_body_unchanged(fake):
    body = sample(f"{GLANCE}/image-show-response.json")
    fake.add("GET", f"{fake.image}/images/{body['id']}", body)

    assert fake.cloud().image.get_image(body["id"]) == sample(f"{GLANCE}/image-show-response.json")


def test_create_image_posts_the_sample_request_and_returns_the_answer(fake):
    req = sample(f"{GLANCE}/image-create-request.json")
    fake.add("POST", f"{fake.image}/images", sample(f"{GLANCE}/image-create-response.json"),
             status=201)

    image = fake.cloud().image.create_image(req["name"], disk_format=req["disk_format"],
                                            container_format=req["container_format"],
                                            id=req["id"])

    assert body_of(fake.last("POST", f"{fake.image}/images")) == req
    assert image == sample(f"{GLANCE}/image-create-response.json")


def test_update_image_sends_a_json_patch_with_its_content_type(fake):
    patch = sample(f"{GLANCE}/image-update-request.json")
    answer = sample(f"{GLANCE}/image-update-response.json")
    fake.add("PATCH", f"{fake.image}/images/{answer['id']}", answer)

    image = fake.cloud().image.update(answer["id"], patch)

    sent = fake.last("PATCH", f"{fake.image}/images/{answer['id']}")
    assert sent.headers["Content-Type"] == JSON_PATCH == "application/openstack-images-v2.1-json-patch"
    assert body_of(sent) == sample(f"{GLANCE}/image-update-request.json")
    assert image == sample(f"{GLANCE}/image-update-response.json")


@pytest.mark.parametrize("action", ["deactivate", "reactivate"])
def test_deactivate_and_reactivate_post_without_a_body(fake, action):
    url = f"{fake.image}/images/{IMAGE_ID}/actions/{action}"
    fake.add("POST", url, status=204)

    assert getattr(fake.cloud().image, action)(IMAGE_ID) is None

    sent = fake.last("POST", url)
    assert not sent.body


def test_image_after_deactivate_is_read_unchanged(fake):
    body = sample(f"{GLANCE}/image-details-deactivate-response.json")
    fake.add("GET", f"{fake.image}/images/{body['id']}", body)

    image = fake.cloud().image.get_image(body["id"])

    assert image == sample(f"{GLANCE}/image-details-deactivate-response.json")
    assert image["status"] == "deactivated"


def test_delete_image_sends_delete(fake):
    fake.add("DELETE", f"{fake.image}/images/{IMAGE_ID}", status=204)

    fake.cloud().image.delete_image(IMAGE_ID)

    assert len(fake.calls("DELETE", f"{fake.image}/images/{IMAGE_ID}")) == 1


# ----------------------------------------------------------------- neutron
#: (URL resource, list sample, show sample)
NEUTRON_RESOURCES = [
    ("networks", "networks/networks-list-response.json", "networks/network-show-response.json"),
    ("subnets", "subnets/subnets-list-response.json", "subnets/subnet-show-response.json"),
    ("routers", "routers/routers-list-response.json", "routers/router-show-response.json"),
    ("ports", "ports/ports-list-response.json", "ports/port-show-response.json"),
    ("security-groups", "security-groups/security-groups-list-response.json",
     "security-groups/security-group-show-response.json"),
    ("floatingips", "floatingips/floating-ips-list-response.json",
     "floatingips/floatingip-show-response.json"),
]


@pytest.mark.parametrize("resource, list_sample, _show", NEUTRON_RESOURCES,
                         ids=[r[0] for r in NEUTRON_RESOURCES])
def test_neutron_list_returns_the_sample_items_unchanged(fake, resource, list_sample, _show):
    body = sample(f"{NEUTRON}/{list_sample}")
    (key,) = body
    fake.add("GET", f"{fake.network}/{resource}", body)

    items = fake.cloud().network.list(resource)

    assert items == sample(f"{NEUTRON}/{list_sample}")[key]
    assert query_of(fake.last("GET", f"{fake.network}/{resource}")) == {"limit": "500"}


@pytest.mark.parametrize("resource, _list, show_sample", NEUTRON_RESOURCES,
                         ids=[r[0] for r in NEUTRON_RESOURCES])
def test_neutron_get_returns_the_sample_item_unchanged(fake, resource, _list, show_sample):
    body = sample(f"{NEUTRON}/{show_sample}")
    (key,) = body
    fake.add("GET", f"{fake.network}/{resource}/{body[key]['id']}", body)

    assert fake.cloud().network.get(resource, body[key]["id"]) \
        == sample(f"{NEUTRON}/{show_sample}")[key]


@pytest.mark.parametrize("method, resource", [
    ("list_networks", "networks"), ("list_subnets", "subnets"), ("list_routers", "routers"),
    ("list_ports", "ports"), ("list_security_groups", "security-groups"),
    ("list_floating_ips", "floatingips")])
def test_named_neutron_lists_ask_for_their_resource(devstack, method, resource):
    list_sample = dict((r[0], r[1]) for r in NEUTRON_RESOURCES)[resource]
    body = sample(f"{NEUTRON}/{list_sample}")
    (key,) = body
    devstack.add("GET", f"{devstack.network}/{resource}", body)

    assert getattr(devstack.cloud().network, method)() == body[key]


def test_get_network_and_router_use_their_singular_keys(devstack):
    net = sample(f"{NEUTRON}/networks/network-show-response.json")
    router = sample(f"{NEUTRON}/routers/router-show-response.json")
    devstack.add("GET", f"{devstack.network}/networks/{net['network']['id']}", net)
    devstack.add("GET", f"{devstack.network}/routers/{router['router']['id']}", router)
    network = devstack.cloud().network

    assert network.get_network(net["network"]["id"]) == net["network"]
    assert network.get_router(router["router"]["id"]) == router["router"]


def test_quota_details_return_the_sample_unchanged(fake):
    body = sample(f"{NEUTRON}/quota_details/quota-details-show-for-project-response.json")
    fake.add("GET", f"{fake.network}/quotas/a6944d763bf64ee6a275f1263fae0352/details", body)

    quota = fake.cloud().network.quotas("a6944d763bf64ee6a275f1263fae0352")

    assert quota == sample(f"{NEUTRON}/quota_details/quota-details-show-for-project-response.json")["quota"]
    assert set(quota["port"]) == {"limit", "used", "reserved"}


def test_plain_quotas_return_the_sample_unchanged(devstack):
    body = sample(f"{NEUTRON}/quotas/quotas-list-for-project-response.json")
    devstack.add("GET", f"{devstack.network}/quotas/a6944d763bf64ee6a275f1263fae0352", body)

    assert devstack.cloud().network.quotas("a6944d763bf64ee6a275f1263fae0352", details=False) \
        == body["quota"]


# ---------------------------------------------------------------- keystone
def test_my_projects_returns_the_sample_projects_unchanged(fake):
    body = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")
    fake.add("GET", f"{fake.identity}/auth/projects", body)

    assert fake.cloud().identity.my_projects() == body["projects"]


def test_user_projects_asks_for_the_token_user_by_default(fake):
    body = sample(f"{KEYSTONE}/admin/user-projects-list-response.json")
    user_id = sample(fake.token_sample)["token"]["user"]["id"]
    fake.add("GET", f"{fake.identity}/users/{user_id}/projects", body)

    assert fake.cloud().identity.user_projects() == body["projects"]


def test_user_projects_for_a_named_user(devstack):
    body = sample(f"{KEYSTONE}/admin/user-projects-list-response.json")
    devstack.add("GET", f"{devstack.identity}/users/313233/projects", body)

    assert devstack.cloud().identity.user_projects("313233") == body["projects"]


def test_list_projects_falls_back_to_my_projects_when_forbidden(devstack):
    mine = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")
    devstack.add("GET", f"{devstack.identity}/projects", {
        "error": {"code": 403, "title": "Forbidden",
                  "message": "You are not authorized to perform the requested action: "
                             "identity:list_projects."}}, status=403)
    devstack.add("GET", f"{devstack.identity}/auth/projects", mine)

    assert devstack.cloud().identity.list_projects() == mine["projects"]
