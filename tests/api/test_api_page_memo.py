"""A list page that comes back byte for byte as last time is not parsed again: its rows
are last time's objects (a model sees them unchanged by identity); a changed page, a
new page, another filter or another project is parsed as usual."""

from __future__ import annotations

import copy
import json

import pytest

from api_fakes import NOVA, Pages, sample
from osdesk.api import page_memo
from osdesk.api.pagination import iter_pages, marker_of




def _two_pages():
    first = sample(f"{NOVA}/servers/v2.100/servers-details-resp.json")
    second = sample(f"{NOVA}/servers/v2.73/servers-details-resp.json")
    second.pop("servers_links", None)  # the last page
    return {None: first, marker_of(first["servers_links"][0]["href"]): second}


@pytest.fixture
def parses(monkeypatch):
    """How many list bodies the cloud parsed (``requests.Response.json`` calls; the
    log-in's and the version discovery's are not counted)."""
    import requests
    count = {"n": 0}
    real = requests.Response.json

    def counted(self, *args, **kwargs):
        if "/servers/" in self.url or "/flavors/" in self.url:
            count["n"] += 1
        return real(self, *args, **kwargs)
    monkeypatch.setattr(requests.Response, "json", counted)
    return count


def _list(cloud, **filters):
    return list(cloud.compute.iter_server_pages(page_size=1, filters=filters or None))


def test_an_unchanged_list_comes_back_as_last_times_objects_unparsed(devstack, parses):
    pages = Pages(_two_pages())
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)
    cloud = devstack.cloud()

    first = _list(cloud)
    assert parses["n"] == 2
    again = _list(cloud)

    assert parses["n"] == 2  # both pages' bytes were the same: nothing parsed
    assert [p is q for p, q in zip(first, again)] == [True, True]
    assert again[0][0] is first[0][0]
    assert len(pages.seen) == 4  # every page was still asked for


def test_only_the_page_that_changed_is_parsed_and_new(devstack, parses):
    bodies = _two_pages()
    pages = Pages(bodies)
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)
    cloud = devstack.cloud()
    first = _list(cloud)
    changed = copy.deepcopy(bodies)
    last = list(changed)[-1]
    changed[last]["servers"][0]["status"] = "SHUTOFF"
    pages.by_marker = changed

    again = _list(cloud)

    assert parses["n"] == 3
    assert again[0] is first[0]
    assert again[1] is not first[1]
    assert again[1][0]["status"] == "SHUTOFF"
    assert first[1][0]["status"] != "SHUTOFF"  # last time's rows were not touched
    # and that change is what is kept: the same bytes again are not parsed again
    assert _list(cloud)[1] is again[1] and parses["n"] == 3


def test_other_filters_and_another_project_are_other_lists(devstack, parses):
    pages = Pages(_two_pages())
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)
    cloud = devstack.cloud()
    _list(cloud)
    _list(cloud, status="ACTIVE")
    assert parses["n"] == 4  # the same bytes, but another request: parsed

    cloud.page_memo.clear()  # what a rescope does (another project's lists)
    _list(cloud)
    assert parses["n"] == 6


def test_a_listing_stopped_early_keeps_the_pages_it_had(devstack, parses):
    pages = Pages(_two_pages())
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)
    cloud = devstack.cloud()
    full = _list(cloud)
    it = cloud.compute.iter_server_pages(page_size=1)
    head = next(it)
    it.close()  # a page switch: the rest is not fetched
    assert head is full[0] and parses["n"] == 2

    assert [p is q for p, q in zip(_list(cloud), full)] == [True, True]
    assert parses["n"] == 2


def test_a_complete_listing_forgets_pages_the_list_no_longer_has(devstack, parses):
    bodies = _two_pages()
    pages = Pages(bodies)
    devstack.rsps.add_callback("GET", f"{devstack.compute}/servers/detail", callback=pages)
    cloud = devstack.cloud()
    _list(cloud)
    assert len(cloud.page_memo) == 2
    only = copy.deepcopy(bodies[None])
    only.pop("servers_links")
    pages.by_marker = {None: only}  # the list shrank to one page

    _list(cloud)

    assert len(cloud.page_memo) == 1


def test_the_memo_keeps_the_most_recently_listed_lists_only():
    memo = page_memo.PageMemo(max_lists=2)
    for name in ("servers", "images", "ports"):
        listing = memo.listing(name)
        slot = listing.page(("/" + name, ()))
        assert slot.known(name.encode()) is None
        slot.keep({"rows": name})
        listing.finish(complete=True)
    assert len(memo) == 2
    assert memo.listing("servers").page(("/servers", ())).known(b"servers") is None
    kept = memo.listing("ports").page(("/ports", ()))
    assert kept.known(b"ports") == {"rows": "ports"}
    assert kept.known(b"ports!") is None  # other bytes: parse them


def test_the_same_bytes_in_a_list_from_a_raw_iter_pages_are_one_parse(devstack, parses):
    body = sample(f"{NOVA}/servers/v2.73/servers-details-resp.json")
    body.pop("servers_links", None)
    devstack.rsps.add("GET", f"{devstack.compute}/flavors/detail",
                      body=json.dumps(body).replace("servers", "flavors"),
                      content_type="application/json")
    cloud = devstack.cloud()

    one = list(iter_pages(cloud, "compute", "/flavors/detail", "flavors"))
    two = list(iter_pages(cloud, "compute", "/flavors/detail", "flavors"))

    assert one[0] is two[0] and parses["n"] == 1
