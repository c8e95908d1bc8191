"""The token's catalog and the services' version documents: a token without
``issued_at``, a service added after login, and a cloud whose API versions osdesk
does not speak (a v1-only Glance, a v2.0-only Keystone)."""

from __future__ import annotations

import pytest

from api_fakes import GLANCE, KEYSTONE, FakeCloud, rewrite, sample
from osdesk.api import cloud as cloud_module
from osdesk.api import errors


def _glance_v1_only(fake):
    """Answer Glance's version document with its v1 entries only, as an old Glance did."""
    versions = sample("glance/api-ref/source/versions/samples/image-versions-response.json")
    template = versions["versions"][0]
    href = [{"href": "http://glance.openstack.example.org/v1/", "rel": "self"}]
    versions["versions"] = [dict(template, id="v1.1", status="SUPPORTED", links=href),
                            dict(template, id="v1.0", status="SUPPORTED", links=href)]
    versions = rewrite(versions, {"http://glance.openstack.example.org": fake.image_root})
    for url in (fake.image_root, fake.image_root + "/"):
        fake.rsps.replace("GET", url, json=versions, status=300)


# --------------------------------------------------------------- issued_at
def test_a_token_without_issued_at_gives_token_info(fake):
    plain = fake.token_body

    def without_issued_at(requested):
        body = plain(requested)
        del body["token"]["issued_at"]
        return body

    fake.token_body = without_issued_at
    cloud = fake.cloud()

    info = cloud.authenticate()

    assert info["issued_at"] is None
    assert info["expires_at"] is not None
    assert info["project_name"] == "admin"


# ---------------------------------------------------- no supported version
def test_a_glance_with_only_v1_says_osdesk_speaks_v2(rsps):
    fake = FakeCloud(rsps, "ports")
    _glance_v1_only(fake)
    cloud = fake.cloud()

    assert cloud.has_service("image") is True
    with pytest.raises(errors.NoSupportedVersion) as info:
        cloud.image.list_images()

    assert isinstance(info.value, errors.ServiceNotAvailable)
    assert info.value.service_type == "image"
    assert str(info.value) == ("The cloud's Image (Glance) at cloud.test:9292 offers API "
                               "versions 1.0, 1.1, but osdesk speaks 2.x.")
    assert fake.calls("GET", fake.image + "/images") == []


def test_endpoint_of_a_glance_with_only_v1_is_no_supported_version(devstack):
    _glance_v1_only(devstack)

    with pytest.raises(errors.NoSupportedVersion, match=r"^The cloud's Image \(Glance\) at "
                                                        r"cloud.test offers API versions 1.0, "
                                                        r"1.1, but osdesk speaks 2.x.$"):
        devstack.cloud().endpoint("image")


def test_a_service_missing_from_the_catalog_is_still_said_so(devstack):
    devstack.token_sample = f"{KEYSTONE}/auth/responses/project-scoped-password.json"

    with pytest.raises(errors.ServiceNotAvailable) as info:
        devstack.cloud().image.list_images()

    assert type(info.value) is errors.ServiceNotAvailable
    assert "no image service in its catalog" in str(info.value)


def test_a_keystone_with_only_v2_says_keystone_v3_is_missing(rsps):
    fake = FakeCloud(rsps, "ports")
    versions = rewrite(sample(f"{KEYSTONE}/admin/identity-versions-response.json"),
                       {"http://example.com/identity": fake.identity_root})
    versions["versions"]["values"] = [v for v in versions["versions"]["values"]
                                      if v["id"] == "v2.0"]
    for url in (fake.identity_root, fake.identity_root + "/"):
        rsps.replace("GET", url, json=versions, status=300)

    with pytest.raises(errors.NoSupportedVersion) as info:
        fake.cloud().authenticate()

    assert str(info.value).startswith("The cloud's Identity (Keystone) at cloud.test:5000 "
                                      "offers API versions 2.0, but osdesk speaks 3.x")
    assert "Keystone v3" in str(info.value)
    assert fake.token_posts() == []


# ------------------------------------------------ a catalog that grows
class Clock:
    def __init__(self, now: float = 1000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock()
    monkeypatch.setattr(cloud_module, "_clock", c, raising=False)
    return c


def _image_added_after_first_token(fake):
    plain = fake.token_body
    issued = []

    def body(requested):
        out = plain(requested)
        issued.append(out)
        if len(issued) == 1:
            out["token"]["catalog"] = [s for s in out["token"]["catalog"]
                                       if s["type"] != "image"]
        return out

    fake.token_body = body


def test_a_service_added_after_login_is_found_by_logging_in_again(fake, clock):
    _image_added_after_first_token(fake)
    fake.add("GET", f"{fake.image}/images", sample(f"{GLANCE}/images-list-response.json"))
    cloud = fake.cloud()
    assert "image" not in cloud.authenticate()["services"]

    clock.now += 10  # a fresh token is not fetched again for a miss
    assert cloud.has_service("image") is False
    assert len(fake.token_posts()) == 1

    clock.now += 25
    assert cloud.has_service("image") is True
    assert len(fake.token_posts()) == 2
    assert "image" in cloud.token_info()["services"]
    images = cloud.image.list_images()
    assert images == sample(f"{GLANCE}/images-list-response.json")["images"]


def test_logging_in_again_for_a_missing_service_is_rate_limited(devstack, clock):
    cloud = devstack.cloud()
    cloud.authenticate()

    clock.now += 31
    assert cloud.has_service("placement") is False
    assert len(devstack.token_posts()) == 2  # one more login, then look again
    clock.now += 20
    assert cloud.has_service("placement") is False
    assert cloud.has_service("placement") is False
    assert len(devstack.token_posts()) == 2
    clock.now += 11
    assert cloud.has_service("placement") is False
    assert len(devstack.token_posts()) == 3
