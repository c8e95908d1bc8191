"""The call log labels a call with the service whose catalog endpoint holds its URL,
matched on whole path segments, and derives an ``openstack`` command only from that."""

from __future__ import annotations

import pytest

from api_fakes import GLANCE, sample
from osdesk.api.calllog import ApiCall, CallLog


class Recorder:
    def __init__(self):
        self.calls: list[ApiCall] = []

    def __call__(self, call: ApiCall) -> None:
        self.calls.append(call)


@pytest.fixture
def logged(devstack):
    log, recorder = CallLog(), Recorder()
    log.subscribe(recorder)
    cloud = devstack.cloud(call_log=log)
    cloud.authenticate()
    return devstack, cloud, recorder


def _get(cloud, recorder, url: str) -> ApiCall:
    cloud.session.request(url, "GET", raise_exc=False)
    return recorder.calls[-1]


def test_a_path_that_only_starts_like_an_endpoint_is_not_that_service(logged):
    fake, cloud, recorder = logged
    # devstack's image endpoint is http://cloud.test/image; this is another service
    url = "http://cloud.test/imagebuilder/v1/images"
    fake.add("GET", url, {"images": []})

    call = _get(cloud, recorder, url)

    assert call.service_type == ""
    assert call.as_openstack_cli() is None


def test_a_path_that_only_starts_like_the_auth_url_is_not_identity(logged):
    fake, cloud, recorder = logged
    url = "http://cloud.test/identityproxy/v3/projects"
    fake.add("GET", url, {"projects": []})

    call = _get(cloud, recorder, url)

    assert call.service_type == ""
    assert call.as_openstack_cli() is None


def test_the_endpoint_itself_and_paths_below_it_are_the_service(logged):
    fake, cloud, recorder = logged
    fake.add("GET", f"{fake.image}/images", sample(f"{GLANCE}/images-list-response.json"))

    cloud.image.list_images()
    call = recorder.calls[-1]

    assert call.service_type == "image"
    assert call.as_openstack_cli() == "openstack image list --long"
    versions = [c for c in recorder.calls if c.url.rstrip("/") == fake.image_root]
    assert versions and {c.service_type for c in versions} == {"image"}


def test_no_cli_noun_for_a_url_outside_the_catalog():
    # "/v2/images" on a host and port no catalog endpoint names is not Glance
    call = ApiCall("GET", "http://cloud.test:9999/v2/images", 200, 1.0)
    assert call.as_openstack_cli() is None


def test_no_cli_noun_of_another_service():
    # a compute path under the image endpoint is not a server command
    call = ApiCall("GET", "http://cloud.test/image/v2/servers/detail", 200, 1.0,
                   service_type="image")
    assert call.as_openstack_cli() is None


def test_the_cli_path_is_taken_relative_to_the_catalog_endpoint():
    # a catalog endpoint under an arbitrary path prefix (not a devstack name)
    call = ApiCall("GET", "https://api.example.com/os/glance/v2/images/abc", 200, 1.0,
                   service_type="image", endpoint="https://api.example.com/os/glance")
    assert call.as_openstack_cli() == "openstack image show abc"
