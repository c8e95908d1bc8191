"""Compute microversion negotiation: min(osdesk's 2.100, the cloud's max), compared
as numbers, sent in both nova headers."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api_fakes import NOVA, microversion_of, sample
from osdesk.api.cloud import COMPUTE_MAX_MICROVERSION, negotiate, parse_version


def _list_servers(fake):
    # a page without servers_links: one request
    fake.add("GET", f"{fake.compute}/servers/detail",
             sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))
    cloud = fake.cloud()
    cloud.compute.list_servers()
    return cloud, fake.last("GET", f"{fake.compute}/servers/detail")


@pytest.mark.parametrize("server_max, expected", [
    ("2.104", "2.100"), ("2.100", "2.100"), ("2.99", "2.99"), ("2.10", "2.10"),
    ("2.9", "2.9"), ("2.2", "2.2"), ("2.1", "2.1"),
])
def test_negotiated_microversion_is_the_lower_of_both_maxima(fake, server_max, expected):
    fake.compute_max = server_max

    cloud, sent = _list_servers(fake)

    assert cloud.compute_microversion == expected
    assert sent.headers["OpenStack-API-Version"] == f"compute {expected}"
    assert sent.headers["X-OpenStack-Nova-API-Version"] == expected


def test_osdesk_maximum_is_2_100():
    assert COMPUTE_MAX_MICROVERSION == (2, 100)


def test_cloud_without_microversions_gets_no_microversion_header(fake):
    fake.compute_max = ""  # nova's v2.0 style: "version": "", "min_version": ""

    cloud, sent = _list_servers(fake)

    assert cloud.compute_microversion is None
    assert "OpenStack-API-Version" not in sent.headers
    assert "X-OpenStack-Nova-API-Version" not in sent.headers
    assert cloud.compute_supports("2.1") is False


def test_cloud_whose_minimum_is_above_ours_gets_no_header(devstack):
    devstack.compute_min, devstack.compute_max = "2.101", "2.110"

    cloud, sent = _list_servers(devstack)

    assert cloud.compute_microversion is None
    assert "OpenStack-API-Version" not in sent.headers


@pytest.mark.parametrize("server_max, asked, supported", [
    ("2.9", "2.10", False), ("2.10", "2.9", True), ("2.10", "2.10", True),
    ("2.100", "2.99", True), ("2.99", "2.100", False), ("2.104", "2.101", False),
])
def test_compute_supports_compares_versions_as_numbers(devstack, server_max, asked, supported):
    devstack.compute_max = server_max

    assert devstack.cloud().compute_supports(asked) is supported


def test_discovery_of_the_compute_version_happens_once(devstack):
    devstack.add("GET", f"{devstack.compute}/servers/detail",
                 sample(f"{NOVA}/servers/v2.73/servers-details-resp.json"))
    devstack.add("GET", f"{devstack.compute}/limits", sample(f"{NOVA}/limits/limit-get-resp.json"))
    cloud = devstack.cloud()

    cloud.compute.list_servers()
    cloud.compute.limits()
    cloud.compute.list_servers()

    version_docs = [c for c in devstack.calls("GET", devstack.compute_root)
                    if c.request.url.rstrip("/") in (devstack.compute_root, devstack.compute)]
    assert len(version_docs) == 1


def test_other_services_get_no_compute_microversion(devstack):
    devstack.add("GET", f"{devstack.network}/networks", {"networks": []})
    devstack.add("GET", f"{devstack.image}/images", {"images": []})
    cloud = devstack.cloud()

    cloud.network.list_networks()
    cloud.image.list_images()

    for call in devstack.calls("GET", devstack.network) + devstack.calls("GET", devstack.image):
        assert "OpenStack-API-Version" not in call.request.headers
        assert "X-OpenStack-Nova-API-Version" not in call.request.headers


def test_explicit_microversion_overrides_the_negotiated_one(devstack):
    devstack.compute_max = "2.104"
    devstack.add("GET", f"{devstack.compute}/servers/x", sample(f"{NOVA}/servers/server-get-resp.json"))

    devstack.cloud().json("compute", "GET", "/servers/x", microversion="2.47")

    assert microversion_of(devstack.last("GET", f"{devstack.compute}/servers/x")) == "2.47"


@settings(database=None)
@given(ours=st.integers(0, 300), theirs=st.integers(0, 300))
def test_negotiate_takes_the_numeric_minimum(ours, theirs):
    assert negotiate((2, ours), "2.0", f"2.{theirs}") == (2, min(ours, theirs))


@settings(database=None)
@given(minor=st.integers(0, 999))
def test_parse_version_reads_the_minor_as_a_number(minor):
    assert parse_version(f"2.{minor}") == (2, minor)
    assert parse_version(f"v2.{minor}") == (2, minor)


@pytest.mark.parametrize("smin, smax", [("", ""), (None, None), ("2.1", "0.0")])
def test_negotiate_without_a_server_maximum_is_none(smin, smax):
    assert negotiate((2, 100), smin, smax) is None
