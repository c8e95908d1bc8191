"""Glance v2: listing, create/upload/download with checksums, state actions, errors."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests

from demo_helpers import sample, token_for

from osdesk.demo.image import generated_stream
from osdesk.demo.seed import IMAGE_DATA

PATCH = "application/openstack-images-v2.1-json-patch"


@pytest.fixture(scope="module")
def h(demo):
    return {"X-Auth-Token": token_for(demo)}


def url(demo, path):
    return demo.base_url + "/image" + path


def by_name(demo, h, name):
    imgs = requests.get(url(demo, "/v2/images?name=" + name), headers=h).json()["images"]
    assert len(imgs) == 1, imgs
    return imgs[0]


def test_list_shape_and_visibility(demo, h):
    r = requests.get(url(demo, "/v2/images"), headers=h)
    assert r.status_code == 200
    body = r.json()
    ref = sample("glance/api-ref/source/v2/samples/images-list-response.json")
    assert set(ref) <= set(body)
    img = body["images"][0]
    assert set(ref["images"][0]) <= set(img)
    names = {i["name"] for i in body["images"]}
    assert {"cirros-0.6.2-x86_64-disk", "ubuntu-24.04-minimal-cloudimg-amd64",
            "debian-12-genericcloud-amd64", "golden-base-2024.06"} <= names
    statuses = {i["name"]: i["status"] for i in body["images"]}
    assert statuses["debian-12-genericcloud-amd64"] == "deactivated"
    created = [i["created_at"] for i in body["images"]]
    assert created == sorted(created, reverse=True)
    ref_show = sample("glance/api-ref/source/v2/samples/image-show-response.json")
    cirros = by_name(demo, h, "cirros-0.6.2-x86_64-disk")
    one = requests.get(url(demo, "/v2/images/" + cirros["id"]), headers=h).json()
    assert set(ref_show) <= set(one)
    assert one["os_hash_algo"] == "sha512" and len(one["os_hash_value"]) == 128
    assert one["min_disk"] == 1 and one["visibility"] == "public"
    assert one["os_distro"] == "cirros"  # custom properties are top-level keys


def test_filters_and_pagination(demo, h):
    r = requests.get(url(demo, "/v2/images?visibility=public"), headers=h).json()
    assert r["images"] and all(i["visibility"] == "public" for i in r["images"])
    r = requests.get(url(demo, "/v2/images?status=deactivated"), headers=h).json()
    assert [i["name"] for i in r["images"]] == ["debian-12-genericcloud-amd64"]
    r = requests.get(url(demo, "/v2/images?tag=golden"), headers=h).json()
    assert [i["name"] for i in r["images"]] == ["golden-base-2024.06"]
    seen = []
    nxt = "/v2/images?limit=2"
    while nxt:
        body = requests.get(url(demo, nxt), headers=h).json()
        seen += [i["id"] for i in body["images"]]
        nxt = body.get("next")
        if nxt:
            assert nxt.startswith("/v2/images?") and "marker=" in nxt
    allids = [i["id"] for i in requests.get(url(demo, "/v2/images"), headers=h).json()["images"]]
    assert seen == allids and len(set(seen)) == len(seen)
    r = requests.get(url(demo, "/v2/images?marker=nope"), headers=h)
    assert r.status_code == 400
    r = requests.get(url(demo, "/v2/images?sort_key=name&sort_dir=asc"), headers=h).json()
    names = [i["name"] for i in r["images"]]
    assert names == sorted(names)


def test_upload_download_5mb_checksum(demo, h):
    ref_req = sample("glance/api-ref/source/v2/samples/image-create-request.json")
    body = dict(ref_req)
    del body["id"]
    body["name"] = "upload-test"
    r = requests.post(url(demo, "/v2/images"), json=body, headers=h)
    assert r.status_code == 201
    img = r.json()
    ref = sample("glance/api-ref/source/v2/samples/image-create-response.json")
    assert set(ref) - {"locations"} <= set(img)
    assert img["status"] == "queued" and img["size"] is None and img["checksum"] is None
    assert img["visibility"] == "shared"
    iid = img["id"]
    r = requests.get(url(demo, "/v2/images/%s/file" % iid), headers=h)
    assert r.status_code == 204  # no data yet
    data = os.urandom(5 * 1024 * 1024 + 123)
    r = requests.put(url(demo, "/v2/images/%s/file" % iid), data=data,
                     headers=dict(h, **{"Content-Type": "application/octet-stream"}))
    assert r.status_code == 204
    got = requests.get(url(demo, "/v2/images/" + iid), headers=h).json()
    assert got["status"] == "active" and got["size"] == len(data)
    assert got["checksum"] == hashlib.md5(data).hexdigest()
    assert got["os_hash_value"] == hashlib.sha512(data).hexdigest()
    r = requests.get(url(demo, "/v2/images/%s/file" % iid), headers=h, stream=True)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert int(r.headers["Content-Length"]) == len(data)
    assert r.headers["Content-MD5"] == got["checksum"]
    md5 = hashlib.md5()
    for chunk in r.iter_content(65536):
        md5.update(chunk)
    assert md5.hexdigest() == got["checksum"]
    # a second upload to an active image is refused like glance does
    r = requests.put(url(demo, "/v2/images/%s/file" % iid), data=b"x",
                     headers=dict(h, **{"Content-Type": "application/octet-stream"}))
    assert r.status_code == 409
    assert requests.delete(url(demo, "/v2/images/" + iid), headers=h).status_code == 204
    assert requests.get(url(demo, "/v2/images/" + iid), headers=h).status_code == 404


def test_chunked_upload(demo, h):
    r = requests.post(url(demo, "/v2/images"), headers=h, json={
        "name": "chunked", "disk_format": "raw", "container_format": "bare"})
    iid = r.json()["id"]
    parts = [os.urandom(70000) for _ in range(20)]
    r = requests.put(url(demo, "/v2/images/%s/file" % iid), data=iter(parts),
                     headers=dict(h, **{"Content-Type": "application/octet-stream"}))
    assert r.status_code == 204
    blob = b"".join(parts)
    got = requests.get(url(demo, "/v2/images/" + iid), headers=h).json()
    assert got["size"] == len(blob) and got["checksum"] == hashlib.md5(blob).hexdigest()
    assert requests.get(url(demo, "/v2/images/%s/file" % iid), headers=h).content == blob


def test_upload_needs_formats(demo, h):
    iid = requests.post(url(demo, "/v2/images"), headers=h, json={"name": "nofmt"}).json()["id"]
    r = requests.put(url(demo, "/v2/images/%s/file" % iid), data=b"abc",
                     headers=dict(h, **{"Content-Type": "application/octet-stream"}))
    assert r.status_code == 400
    assert "disk_format, container_format" in r.text


def test_seeded_downloads_match_declared_hashes(demo, h):
    cirros = by_name(demo, h, "cirros-0.6.2-x86_64-disk")
    r = requests.get(url(demo, "/v2/images/%s/file" % cirros["id"]), headers=h, stream=True)
    md5, sha = hashlib.md5(), hashlib.sha512()
    n = 0
    for chunk in r.iter_content(1 << 20):
        md5.update(chunk)
        sha.update(chunk)
        n += len(chunk)
    assert n == cirros["size"]
    assert md5.hexdigest() == cirros["checksum"]
    assert sha.hexdigest() == cirros["os_hash_value"]
    # every seeded image's generated stream matches its precomputed hashes
    for key, (seed, size, want_md5, want_sha) in IMAGE_DATA.items():
        md5, sha = hashlib.md5(), hashlib.sha512()
        for chunk in generated_stream(seed, size, "qcow2"):
            md5.update(chunk)
            sha.update(chunk)
        assert md5.hexdigest() == want_md5, key
        assert sha.hexdigest() == want_sha, key


def test_deactivate_reactivate(demo, h):
    deb = by_name(demo, h, "debian-12-genericcloud-amd64")
    r = requests.get(url(demo, "/v2/images/%s/file" % deb["id"]), headers=h)
    assert r.status_code == 403
    assert "deactivated" in r.text
    r = requests.post(url(demo, "/v2/images/%s/actions/reactivate" % deb["id"]), headers=h)
    assert r.status_code == 204 and r.content == b""
    assert requests.get(url(demo, "/v2/images/" + deb["id"]), headers=h).json()["status"] == \
        "active"
    r = requests.post(url(demo, "/v2/images/%s/actions/deactivate" % deb["id"]), headers=h)
    assert r.status_code == 204
    assert requests.get(url(demo, "/v2/images/" + deb["id"]), headers=h).json()["status"] == \
        "deactivated"
    queued = by_name(demo, h, "windows-server-2022-upload")
    r = requests.post(url(demo, "/v2/images/%s/actions/deactivate" % queued["id"]), headers=h)
    assert r.status_code == 403
    assert "Not allowed to deactivate image in status 'queued'" in r.text
    cirros = by_name(demo, h, "cirros-0.6.2-x86_64-disk")  # public, owned by admin
    r = requests.post(url(demo, "/v2/images/%s/actions/deactivate" % cirros["id"]), headers=h)
    assert r.status_code == 403


def test_protected_delete_refused_html_and_json(demo, h):
    golden = by_name(demo, h, "golden-base-2024.06")
    r = requests.delete(url(demo, "/v2/images/" + golden["id"]), headers=h)
    assert r.status_code == 403
    assert r.headers["Content-Type"].startswith("text/html")
    assert "<title>403 Forbidden</title>" in r.text
    assert "Image %s is protected and cannot be deleted." % golden["id"] in r.text
    r = requests.delete(url(demo, "/v2/images/" + golden["id"]),
                        headers=dict(h, Accept="application/json"))
    assert r.status_code == 403
    assert r.json()["code"] == "403 Forbidden" and r.json()["title"] == "Forbidden"
    assert "protected" in r.json()["message"]
    r = requests.get(url(demo, "/v2/images/nope"), headers=h)
    assert r.status_code == 404 and "No image found with ID nope" in r.text
    assert int(r.headers["Content-Length"]) == len(r.content)


def test_patch_json_patch(demo, h):
    iid = requests.post(url(demo, "/v2/images"), headers=h, json={
        "name": "patch-me", "disk_format": "qcow2", "container_format": "bare"}).json()["id"]
    ops = sample("glance/api-ref/source/v2/samples/image-update-request.json")
    ops += [{"op": "add", "path": "/hw_disk_bus", "value": "scsi"},
            {"op": "replace", "path": "/protected", "value": True},
            {"op": "replace", "path": "/min_ram", "value": 512},
            {"op": "replace", "path": "/visibility", "value": "private"}]
    r = requests.patch(url(demo, "/v2/images/" + iid), json=ops,
                       headers=dict(h, **{"Content-Type": PATCH}))
    assert r.status_code == 200
    img = r.json()
    ref = sample("glance/api-ref/source/v2/samples/image-update-response.json")
    assert set(ref) <= set(img)
    assert img["name"] == "Fedora 17" and sorted(img["tags"]) == ["beefy", "fedora"]
    assert img["hw_disk_bus"] == "scsi" and img["protected"] is True and img["min_ram"] == 512
    r = requests.patch(url(demo, "/v2/images/" + iid), headers=dict(h, **{"Content-Type": PATCH}),
                       json=[{"op": "remove", "path": "/hw_disk_bus"},
                             {"op": "replace", "path": "/protected", "value": False}])
    assert "hw_disk_bus" not in r.json() and r.json()["protected"] is False
    r = requests.patch(url(demo, "/v2/images/" + iid), headers=dict(h, **{"Content-Type": PATCH}),
                       json=[{"op": "replace", "path": "/status", "value": "active"}])
    assert r.status_code == 403
    r = requests.patch(url(demo, "/v2/images/" + iid), headers=dict(h, **{"Content-Type": PATCH}),
                       json=[{"op": "replace", "path": "/visibility", "value": "public"}])
    assert r.status_code == 403
    r = requests.patch(url(demo, "/v2/images/" + iid), json=[], headers=h)
    assert r.status_code == 415
    r = requests.patch(url(demo, "/v2/images/" + iid), headers=dict(h, **{"Content-Type": PATCH}),
                       json=[{"op": "remove", "path": "/nope"}])
    assert r.status_code == 409
    assert requests.delete(url(demo, "/v2/images/" + iid), headers=h).status_code == 204


def test_create_errors_and_tags(demo, h):
    r = requests.post(url(demo, "/v2/images"), headers=h, json={"name": "x",
                                                                 "disk_format": "floppy"})
    assert r.status_code == 400
    r = requests.post(url(demo, "/v2/images"), headers=h, json={"name": "x", "status": "active"})
    assert r.status_code == 403
    r = requests.post(url(demo, "/v2/images"), headers=h, json={"name": "x",
                                                                 "visibility": "public"})
    assert r.status_code == 403
    iid = requests.post(url(demo, "/v2/images"), headers=h, json={"name": "tagged"}).json()["id"]
    assert requests.put(url(demo, "/v2/images/%s/tags/blue" % iid), headers=h).status_code == 204
    assert requests.get(url(demo, "/v2/images/" + iid), headers=h).json()["tags"] == ["blue"]
    assert requests.delete(url(demo, "/v2/images/%s/tags/blue" % iid),
                           headers=h).status_code == 204
    assert requests.get(url(demo, "/v2/images")).status_code == 401


def test_big_upload_spools_to_disk_then_hash_only(demo, h):
    st = demo.state
    old = st.image_data_cap, st.image_disk_cap
    st.image_data_cap, st.image_disk_cap = 1 << 20, 4 << 20
    try:
        for size, kept in ((3 << 20, True), (6 << 20, False)):
            iid = requests.post(url(demo, "/v2/images"), headers=h, json={
                "name": "big-%d" % size, "disk_format": "raw",
                "container_format": "bare"}).json()["id"]
            data = os.urandom(size)
            r = requests.put(url(demo, "/v2/images/%s/file" % iid), data=data,
                             headers=dict(h, **{"Content-Type": "application/octet-stream"}))
            assert r.status_code == 204
            got = requests.get(url(demo, "/v2/images/" + iid), headers=h).json()
            assert got["size"] == size and got["checksum"] == hashlib.md5(data).hexdigest()
            body = requests.get(url(demo, "/v2/images/%s/file" % iid), headers=h).content
            assert len(body) == size
            assert (body == data) is kept
            if kept:
                assert st.tmpdir and os.listdir(st.tmpdir)
            requests.delete(url(demo, "/v2/images/" + iid), headers=h)
    finally:
        st.image_data_cap, st.image_disk_cap = old
