"""Lists follow next links page by page (nova servers_links, glance next, neutron
*_links, keystone links.next), send the page size as ``limit`` and stop on a repeated
marker or link."""

from __future__ import annotations

import pytest

from api_fakes import GLANCE, KEYSTONE, NEUTRON, NOVA, Pages, json_response, query_of, sample
from osdesk.api.errors import PaginationLoop
from osdesk.api.pagination import list_all, marker_of, next_link




def _nova_pages():
    first = sample(f"{NOVA}/servers/v2.100/servers-details-resp.json")
    second = sample(f"{NOVA}/servers/v2.73/servers-details-resp.json")
    second_id = second["servers"][-1]["id"]
    # a middle page: nova puts the last id of the page in the next link
    second["servers_links"] = [{"href": f"http://openstack.example.com/v2.1/servers/detail?"
                                        f"limit=1&marker={second_id}", "rel": "next"}]
    third = sample(f"{NOVA}/servers/v2.69/servers-details-resp.json")
    first_marker = marker_of(first["servers_links"][0]["href"])
    return {None: first, first_marker: second, second_id: third}, [first_marker, second_id]


def test_nova_servers_follow_servers_links_in_order(fake):
    bodies, markers = _nova_pages()
    pages = Pages(bodies)
    fake.rsps.add_callback("GET", f"{fake.compute}/servers/detail", callback=pages)

    servers = fake.cloud().compute.list_servers(page_size=1)

    assert servers == (bodies[None]["servers"] + bodies[markers[0]]["servers"]
                       + bodies[markers[1]]["servers"])
    assert pages.seen == [{"limit": "1"}, {"limit": "1", "marker": markers[0]},
                          {"limit": "1", "marker": markers[1]}]


def test_server_pages_are_yielded_before_the_next_is_fetched(devstack):
    bodies, markers = _nova_pages()
    pages = Pages(bodies)
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)

    it = devstack.cloud().compute.iter_server_pages(page_size=1)
    first = next(it)

    assert first == bodies[None]["servers"]
    assert len(pages.seen) == 1
    assert next(it) == bodies[markers[0]]["servers"]
    assert len(pages.seen) == 2


def test_repeated_nova_marker_raises_pagination_loop(fake):
    first = sample(f"{NOVA}/servers/v2.100/servers-details-resp.json")
    marker = marker_of(first["servers_links"][0]["href"])
    # nova's v2.96 sample names the very same marker again
    again = sample(f"{NOVA}/servers/v2.96/servers-details-resp.json")
    assert marker_of(again["servers_links"][0]["href"]) == marker
    pages = Pages({None: first, marker: again})
    fake.rsps.add_callback("GET", f"{fake.compute}/servers/detail", callback=pages)

    with pytest.raises(PaginationLoop, match=marker):
        fake.cloud().compute.list_servers()
    assert len(pages.seen) == 2


@pytest.mark.parametrize("page_size, expected", [(None, {}), (25, {"limit": "25"}),
                                                 (500, {"limit": "500"})])
def test_page_size_is_sent_as_limit(devstack, page_size, expected):
    devstack.add("GET", f"{devstack.compute}/servers/detail",
                 sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))

    devstack.cloud().compute.list_servers(page_size=page_size)

    assert query_of(devstack.last("GET", f"{devstack.compute}/servers/detail")) == expected


def test_default_page_size_is_sent_as_limit(devstack):
    devstack.add("GET", f"{devstack.compute}/servers/detail",
                 sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))

    devstack.cloud().compute.list_servers()

    assert query_of(devstack.last("GET", f"{devstack.compute}/servers/detail")) == {"limit": "500"}


def test_filters_are_kept_on_every_page(devstack):
    bodies, markers = _nova_pages()
    pages = Pages(bodies)
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)

    devstack.cloud().compute.list_servers(filters={"status": "ACTIVE"}, page_size=1)

    assert all(q["status"] == "ACTIVE" for q in pages.seen)
    assert len(pages.seen) == 3


def test_glance_follows_next_in_order(fake):
    first = sample(f"{GLANCE}/images-list-response.json")
    last_id = first["images"][-1]["id"]
    first["next"] = f"/v2/images?marker={last_id}&limit=2"  # glance's shape for more pages
    second = sample(f"{GLANCE}/images-list-response.json")
    second["images"] = [sample(f"{GLANCE}/image-show-response.json")]
    pages = Pages({None: first, last_id: second})
    fake.rsps.add_callback("GET", f"{fake.image}/images", callback=pages)

    images = fake.cloud().image.list_images(page_size=2)

    assert images == first["images"] + second["images"]
    assert pages.seen == [{"limit": "2"}, {"limit": "2", "marker": last_id}]


def test_glance_repeated_next_marker_raises_pagination_loop(devstack):
    first = sample(f"{GLANCE}/images-list-response.json")
    last_id = first["images"][-1]["id"]
    first["next"] = f"/v2/images?marker={last_id}&limit=2"
    pages = Pages({None: first, last_id: first})
    devstack.rsps.add_callback("GET", f"{devstack.image}/images", callback=pages)

    with pytest.raises(PaginationLoop):
        devstack.cloud().image.list_images(page_size=2)


def test_neutron_follows_resource_links_in_order(fake):
    first = sample(f"{NEUTRON}/networks/networks-list-response.json")
    last_id = first["networks"][-1]["id"]
    first["networks_links"] = [{"href": f"{fake.network}/networks?limit=2&marker={last_id}",
                                "rel": "next"}]
    second = sample(f"{NEUTRON}/networks/networks-provider-list-response.json")
    second["networks_links"] = [{"href": f"{fake.network}/networks?limit=2&marker={last_id}&"
                                         f"page_reverse=True", "rel": "previous"}]
    pages = Pages({None: first, last_id: second})
    fake.rsps.add_callback("GET", f"{fake.network}/networks", callback=pages)

    networks = fake.cloud().network.list_networks(page_size=2)

    assert networks == first["networks"] + second["networks"]
    assert pages.seen == [{"limit": "2"}, {"limit": "2", "marker": last_id}]


def test_neutron_security_groups_use_the_underscore_links_key(devstack):
    first = sample(f"{NEUTRON}/security-groups/security-groups-list-response.json")
    last_id = first["security_groups"][-1]["id"]
    first["security_groups_links"] = [
        {"href": f"{devstack.network}/security-groups?marker={last_id}", "rel": "next"}]
    pages = Pages({None: first, last_id: {"security_groups": []}})
    devstack.rsps.add_callback("GET", f"{devstack.network}/security-groups", callback=pages)

    groups = devstack.cloud().network.list_security_groups()

    assert groups == first["security_groups"]
    assert [q.get("marker") for q in pages.seen] == [None, last_id]


def _keystone_pages(count: int) -> dict:
    """``count`` pages of keystone's projects sample, each with a marker-less next link
    (``?page=N``, as a paginating proxy in front of keystone sends), keyed by page."""
    pages = {}
    for number in range(1, count + 1):
        body = sample(f"{KEYSTONE}/admin/projects-list-response.json")
        body["projects"] = [dict(p, id=f"{p['id'][:-2]}{number:02d}") for p in body["projects"]]
        body["links"]["next"] = (f"http://example.com/identity/v3/projects?page={number + 1}"
                                 if number < count else None)
        pages[None if number == 1 else str(number)] = body
    return pages


@pytest.mark.parametrize("count", [2, 3])
def test_keystone_links_without_marker_are_followed_to_the_end(fake, count):
    pages = _keystone_pages(count)
    seen = []

    def answer(request):
        query = query_of(request)
        seen.append(query)
        return json_response(pages[query.get("page")])

    fake.rsps.add_callback("GET", f"{fake.identity}/projects", callback=answer)
    cloud = fake.cloud()

    projects = list_all(cloud, "identity", "/projects", "projects")

    assert projects == [p for body in pages.values() for p in body["projects"]]
    assert [q.get("page") for q in seen] == [None] + [str(n) for n in range(2, count + 1)]
    # the link's host (example.com) is not ours: its path is followed on the endpoint
    assert all(c.request.url.startswith(fake.identity + "/projects") for c in fake.rsps.calls
               if "projects" in c.request.url)


def test_an_absolute_next_link_on_the_endpoint_keeps_its_query(devstack):
    first = sample(f"{KEYSTONE}/admin/projects-list-response.json")
    first["links"]["next"] = f"{devstack.identity}/projects?domain_id=default&page=2"
    second = sample(f"{KEYSTONE}/admin/projects-list-response.json")
    second["projects"] = second["projects"][:1]
    seen = []

    def answer(request):
        seen.append(query_of(request))
        return json_response(second if query_of(request).get("page") == "2" else first)

    devstack.rsps.add_callback("GET", f"{devstack.identity}/projects", callback=answer)

    projects = list_all(devstack.cloud(), "identity", "/projects", "projects",
                        params={"domain_id": "default"}, page_size=None)

    assert projects == first["projects"] + second["projects"]
    assert seen == [{"domain_id": "default"}, {"domain_id": "default", "page": "2"}]


def test_a_repeated_next_link_without_marker_raises_pagination_loop(devstack):
    body = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")
    body["links"]["next"] = "https://example.com/identity/v3/auth/projects?page=2"
    calls = []

    def answer(request):
        calls.append(request.url)
        return json_response(body)

    devstack.rsps.add_callback("GET", f"{devstack.identity}/auth/projects", callback=answer)

    with pytest.raises(PaginationLoop, match="page=2"):
        list_all(devstack.cloud(), "identity", "/auth/projects", "projects")
    assert len(calls) == 2


def test_empty_page_ends_the_list_even_with_a_next_link(devstack):
    body = sample(f"{NOVA}/servers/v2.100/servers-details-resp.json")
    body["servers"] = []
    calls = []

    def answer(request):
        calls.append(request.url)
        return json_response(body)

    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=answer)

    assert devstack.cloud().compute.list_servers() == []
    assert len(calls) == 1


@pytest.mark.parametrize("body, key, expected", [
    ({"servers_links": [{"rel": "next", "href": "h1"}]}, "servers", "h1"),
    ({"servers_links": [{"rel": "self", "href": "h0"}, {"rel": "next", "href": "h1"}]}, "servers", "h1"),
    ({"next": "/v2/images?marker=a"}, "images", "/v2/images?marker=a"),
    ({"links": {"next": "k", "self": "s"}}, "projects", "k"),
    ({"links": {"next": None}}, "projects", None),
    ({"networks_links": [{"rel": "previous", "href": "p"}]}, "networks", None),
    ({}, "servers", None),
])
def test_next_link_reads_every_openstack_shape(body, key, expected):
    assert next_link(body, key) == expected


def test_a_huge_body_is_parsed_member_by_member_to_the_same_value(devstack, monkeypatch):
    """A body far over a page's (a cloud ignoring ``limit``) is parsed a server a call,
    the GIL let go between them: the same list, and a broken one still says so."""
    import json as stdlib_json

    from osdesk.api import cloud as cloud_module
    from osdesk.api.errors import BadResponse
    real = sample(f"{NOVA}/servers/v2.100/servers-details-resp.json")
    server = real["servers"][0]
    body = {"servers": [dict(server, id=f"id-{i}", name=f"vm-{i}") for i in range(300)]}
    text = stdlib_json.dumps(body)
    monkeypatch.setattr(cloud_module, "STEPWISE_JSON_BYTES", len(text) // 2)
    whole_calls = []
    real_loads = stdlib_json.loads

    def counted_loads(s, *a, **kw):
        whole_calls.append(len(s))
        return real_loads(s, *a, **kw)
    monkeypatch.setattr(stdlib_json, "loads", counted_loads)
    devstack.rsps.add("GET", f"{devstack.compute}/servers/detail", body=text,
                      content_type="application/json")
    servers = devstack.cloud().compute.list_servers()
    assert servers == body["servers"]
    assert not [n for n in whole_calls if n >= len(text) // 2]  # never one call for it all
    devstack.rsps.replace("GET", f"{devstack.compute}/servers/detail", body=text[:-40],
                          content_type="application/json")
    with pytest.raises(BadResponse, match="not valid JSON"):
        devstack.cloud().compute.list_servers()
