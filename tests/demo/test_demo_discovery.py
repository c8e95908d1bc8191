"""Version discovery through keystoneauth, microversions, common headers, missing services."""

from __future__ import annotations

import pytest
import requests
from keystoneauth1 import adapter, discover
from keystoneauth1 import exceptions as ks_exc

from demo_helpers import make_session, nova, sample, token_for

from osdesk.demo import DemoCloud


@pytest.mark.parametrize("service_type,major,path", [
    ("compute", (2, 1), "/compute/v2.1"),
    ("image", (2, 0), "/image/v2"),
    ("network", (2, 0), "/networking/v2.0"),
    ("identity", (3, 0), "/identity/v3"),
])
def test_keystoneauth_discovery(demo, sess, service_type, major, path):
    url = sess.get_endpoint(service_type=service_type, interface="public",
                            region_name="RegionOne", min_version=major, max_version=(major[0],
                                                                                     "latest"))
    assert url.rstrip("/") == demo.base_url + path
    ad = adapter.Adapter(sess, service_type=service_type, interface="public",
                         region_name="RegionOne")
    got = ad.get_api_major_version()
    assert got[0] == major[0]
    data = ad.get_endpoint_data()
    assert data.url.rstrip("/") == demo.base_url + path


def test_compute_microversion_range_and_negotiation(demo, sess):
    ad = adapter.Adapter(sess, service_type="compute", interface="public",
                         region_name="RegionOne")
    data = ad.get_endpoint_data()
    assert data.min_microversion == (2, 1)
    assert data.max_microversion == (2, 96)
    # keystoneauth negotiates a microversion against the discovered range
    nego = adapter.Adapter(sess, service_type="compute", default_microversion="latest")
    r = nego.get("/servers")
    assert r.headers["OpenStack-API-Version"] == "compute 2.96"
    assert discover.version_between((2, 1), (2, 96), (2, 60))


def test_microversion_headers(demo):
    tok = token_for(demo)
    url = demo.base_url + "/compute/v2.1/servers"
    r = requests.get(url, headers={"X-Auth-Token": tok})
    assert r.headers["OpenStack-API-Version"] == "compute 2.1"
    assert r.headers["X-OpenStack-Nova-API-Version"] == "2.1"
    assert "OpenStack-API-Version" in r.headers["Vary"]
    r = requests.get(url, headers={"X-Auth-Token": tok, "X-OpenStack-Nova-API-Version": "2.42"})
    assert r.headers["OpenStack-API-Version"] == "compute 2.42"
    r = requests.get(url, headers={"X-Auth-Token": tok,
                                   "OpenStack-API-Version": "compute latest"})
    assert r.headers["X-OpenStack-Nova-API-Version"] == "2.96"
    r = requests.get(url, headers={"X-Auth-Token": tok, "OpenStack-API-Version": "compute 2.97"})
    assert r.status_code == 406
    assert "maximum is 2.96" in r.json()["computeFault"]["message"]
    r = requests.get(url, headers={"X-Auth-Token": tok, "OpenStack-API-Version": "compute 2.x"})
    assert r.status_code == 400
    assert "invalid format" in r.json()["badRequest"]["message"]
    # unrelated service names in the header are ignored
    r = requests.get(url, headers={"X-Auth-Token": tok,
                                   "OpenStack-API-Version": "volume 3.60, compute 2.60"})
    assert r.headers["OpenStack-API-Version"] == "compute 2.60"


def test_version_documents_shapes(demo):
    r = requests.get(demo.base_url + "/compute/")
    ref = sample("nova/doc/api_samples/versions/versions-get-resp.json")
    assert r.status_code == 200
    assert [set(v) for v in r.json()["versions"]] == [set(v) for v in ref["versions"]]
    v21 = [v for v in r.json()["versions"] if v["id"] == "v2.1"][0]
    assert v21["version"] == "2.96" and v21["min_version"] == "2.1"
    assert v21["links"][0]["href"] == demo.base_url + "/compute/v2.1/"
    r = requests.get(demo.base_url + "/compute/v2.1")
    ref = sample("nova/doc/api_samples/versions/v21-version-get-resp.json")
    assert set(r.json()["version"]) == set(ref["version"])
    r = requests.get(demo.base_url + "/image")
    ref = sample("glance/api-ref/source/versions/samples/image-versions-response.json")
    assert r.status_code in (200, 300)
    assert set(r.json()["versions"][0]) == set(ref["versions"][0])
    assert r.json()["versions"][0]["links"][0]["href"] == demo.base_url + "/image/v2/"
    r = requests.get(demo.base_url + "/networking/")
    ref = sample("neutron/api-ref/source/v2/samples/networks/versions-list-response.json")
    assert set(r.json()["versions"][0]) == set(ref["versions"][0])
    r = requests.get(demo.base_url + "/networking/v2.0/")
    ref = sample("neutron/api-ref/source/v2/samples/networks/version-show-response.json")
    assert set(r.json()["resources"][0]) == set(ref["resources"][0])


def test_every_response_has_request_id_and_length(demo):
    tok = token_for(demo)
    h = {"X-Auth-Token": tok}
    for path in ("/identity/v3", "/compute/v2.1/servers", "/compute/v2.1/servers/nope",
                 "/image/v2/images", "/image/v2/images/nope", "/networking/v2.0/networks",
                 "/networking/v2.0/networks/nope", "/compute/v2.1/flavors"):
        r = requests.get(demo.base_url + path, headers=h)
        assert r.headers["x-openstack-request-id"].startswith("req-"), path
        assert int(r.headers["Content-Length"]) == len(r.content), path
        if path.startswith("/compute/v2.1"):
            assert r.headers["x-compute-request-id"] == r.headers["x-openstack-request-id"]
        if r.status_code < 400 or not path.startswith("/image"):
            assert r.headers["Content-Type"] == "application/json", path


def test_keep_alive_many_requests_one_connection(demo):
    tok = token_for(demo)
    with requests.Session() as s:
        s.headers["X-Auth-Token"] = tok
        for _ in range(30):
            assert s.get(demo.base_url + "/compute/v2.1/flavors").status_code == 200
            r = s.post(demo.base_url + "/compute/v2.1/servers/nope/action", json={"pause": None})
            assert r.status_code == 404


def test_missing_network_service():
    cloud = DemoCloud(servers=2, services=("identity", "compute", "image")).start()
    try:
        sess = make_session(cloud)
        access = sess.auth.get_access(sess)
        assert "network" not in {s["type"] for s in access.service_catalog.catalog}
        with pytest.raises(ks_exc.EndpointNotFound):
            sess.get_endpoint(service_type="network", interface="public")
        r = requests.get(cloud.base_url + "/networking/v2.0/networks",
                         headers={"X-Auth-Token": token_for(cloud)})
        assert r.status_code == 404
        # compute still works, and servers without neutron keep their data
        assert nova(sess).get("/servers").status_code == 200
    finally:
        cloud.stop()
