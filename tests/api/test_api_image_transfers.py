"""Image upload and download: streamed from and to disk, with progress, cancel,
clean-up of half-made images and partial files."""

from __future__ import annotations

import hashlib
import threading

import pytest

from api_fakes import GLANCE, sample
from osdesk.api import image as image_module
from osdesk.api.calllog import CallLog
from osdesk.api.errors import Cancelled, Forbidden, NotFound, OsdeskError, RequestTooLarge

IMAGE = sample(f"{GLANCE}/image-create-response.json")
IMAGE_ID = IMAGE["id"]
BLOCK = 1024
#: not valid UTF-8, several blocks long, not a multiple of the block size
DATA = bytes(range(256)) * 40 + b"\xff\xfe tail"


@pytest.fixture(autouse=True)
def small_blocks(monkeypatch):
    """1 KiB transfer blocks, so a few KiB of test data make several blocks."""
    monkeypatch.setattr(image_module, "CHUNK", BLOCK)


@pytest.fixture
def disk_image(tmp_path):
    path = tmp_path / "disk.img"
    path.write_bytes(DATA)
    return path


class WireSpy:
    """Stands in for the socket: reads a file-like request body block by block,
    as http.client does, and remembers what the transport was handed."""

    def __init__(self, rsps, monkeypatch, on_block=None):
        self.body_type = None
        self.received = b""
        self.progress_seen_during_send: list = []
        self.on_block = on_block
        original = rsps._read_filelike_body

        def read(body):
            if not hasattr(body, "read"):
                return original(body)
            self.body_type = type(body)
            while True:
                block = body.read(8192)
                if not block:
                    break
                self.received += block
                if self.on_block:
                    self.on_block(len(self.received))
            return self.received

        monkeypatch.setattr(rsps, "_read_filelike_body", read)


def test_upload_streams_the_file_with_a_content_length(fake, disk_image, monkeypatch):
    spy = WireSpy(fake.rsps, monkeypatch)
    fake.add("PUT", f"{fake.image}/images/{IMAGE_ID}/file", status=204)

    md5 = fake.cloud().image.upload(IMAGE_ID, disk_image)

    sent = fake.last("PUT", f"{fake.image}/images/{IMAGE_ID}/file")
    assert spy.body_type is not None
    assert not issubclass(spy.body_type, (bytes, bytearray, str))
    assert sent.headers["Content-Length"] == str(len(DATA))
    assert sent.headers["Content-Type"] == "application/octet-stream"
    assert "Transfer-Encoding" not in sent.headers
    assert spy.received == DATA
    assert md5 == hashlib.md5(DATA).hexdigest()


def test_upload_sends_every_byte_to_a_reader_of_the_whole_body(devstack, disk_image):
    # responses reads the body with a single read(), like any consumer that wants it all
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)

    devstack.cloud().image.upload(IMAGE_ID, disk_image)

    assert devstack.last("PUT", f"{devstack.image}/images/{IMAGE_ID}/file").body == DATA


def test_upload_progress_reaches_the_total_while_sending(devstack, disk_image, monkeypatch):
    seen = []
    spy = WireSpy(devstack.rsps, monkeypatch)
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)

    def progress(done, total):
        seen.append((done, total))
        if spy.received == DATA and not spy.progress_seen_during_send:
            spy.progress_seen_during_send = list(seen)

    devstack.cloud().image.upload(IMAGE_ID, disk_image, progress=progress)

    assert seen[0][0] > 0
    assert all(total == len(DATA) for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    # the reader itself reported the last block, before upload() returned
    assert (len(DATA), len(DATA)) in spy.progress_seen_during_send
    assert seen[-1] == (len(DATA), len(DATA))


def test_cancelled_upload_raises_cancelled_and_stops_reading(devstack, disk_image, monkeypatch):
    cancel = threading.Event()
    spy = WireSpy(devstack.rsps, monkeypatch, on_block=lambda n: cancel.set())
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)

    with pytest.raises(Cancelled):
        devstack.cloud().image.upload(IMAGE_ID, disk_image, cancel=cancel)

    assert 0 < len(spy.received) < len(DATA)


def test_upload_cancelled_before_it_starts_sends_nothing(devstack, disk_image, monkeypatch):
    cancel = threading.Event()
    cancel.set()
    spy = WireSpy(devstack.rsps, monkeypatch)
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)

    with pytest.raises(Cancelled):
        devstack.cloud().image.upload(IMAGE_ID, disk_image, cancel=cancel)

    assert spy.received == b""


def test_upload_record_does_not_carry_the_image_bytes(devstack, disk_image):
    log, records = CallLog(), []
    log.subscribe(records.append)
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)

    devstack.cloud(call_log=log).image.upload(IMAGE_ID, disk_image)

    put = next(r for r in records if r.method == "PUT")
    assert put.request_body.startswith("<")
    assert "bytes" in put.request_body or "streamed" in put.request_body
    assert put.request_json is None


# ------------------------------------------------------ create and upload
def _create(fake):
    fake.add("POST", f"{fake.image}/images", sample(f"{GLANCE}/image-create-response.json"),
             status=201)


def test_create_and_upload_returns_the_image_after_upload(fake, disk_image):
    _create(fake)
    fake.add("PUT", f"{fake.image}/images/{IMAGE_ID}/file", status=204)
    # the sample image, as Glance would show it after storing exactly these bytes
    shown = dict(sample(f"{GLANCE}/image-show-response.json"),
                 checksum=hashlib.md5(DATA).hexdigest())
    fake.add("GET", f"{fake.image}/images/{IMAGE_ID}", shown)

    result = fake.cloud().image.create_and_upload("Ubuntu", disk_image, disk_format="raw")

    assert result == shown
    assert [c.request.method for c in fake.calls(url_prefix=f"{fake.image}/images")] \
        == ["POST", "PUT", "GET"]


def test_a_checksum_that_differs_from_the_file_is_an_error_and_the_image_goes(devstack,
                                                                            disk_image):
    _create(devstack)
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)
    shown = sample(f"{GLANCE}/image-show-response.json")  # another file's checksum
    assert shown["checksum"] != hashlib.md5(DATA).hexdigest()
    devstack.add("GET", f"{devstack.image}/images/{IMAGE_ID}", shown)
    devstack.add("DELETE", f"{devstack.image}/images/{IMAGE_ID}", status=204)

    with pytest.raises(OsdeskError) as err:
        devstack.cloud().image.create_and_upload("Ubuntu", disk_image)

    assert shown["checksum"] in str(err.value) and hashlib.md5(DATA).hexdigest() in str(err.value)
    assert "deleted" in str(err.value)
    assert len(devstack.calls("DELETE", f"{devstack.image}/images/{IMAGE_ID}")) == 1


def test_create_and_upload_deletes_the_image_when_the_upload_fails(fake, disk_image):
    _create(fake)
    fake.rsps.add("PUT", f"{fake.image}/images/{IMAGE_ID}/file", status=413,
                  body="413 Request Entity Too Large\n\nImage storage media is full: There is "
                       "not enough disk space on the image storage media.\n\n   ",
                  content_type="text/plain")
    fake.add("DELETE", f"{fake.image}/images/{IMAGE_ID}", status=204)

    with pytest.raises(RequestTooLarge, match="Image storage media is full"):
        fake.cloud().image.create_and_upload("Ubuntu", disk_image)

    assert len(fake.calls("DELETE", f"{fake.image}/images/{IMAGE_ID}")) == 1


def test_create_and_upload_deletes_the_image_when_cancelled(devstack, disk_image, monkeypatch):
    cancel = threading.Event()
    WireSpy(devstack.rsps, monkeypatch, on_block=lambda n: cancel.set())
    _create(devstack)
    devstack.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=204)
    devstack.add("DELETE", f"{devstack.image}/images/{IMAGE_ID}", status=204)

    with pytest.raises(Cancelled):
        devstack.cloud().image.create_and_upload("Ubuntu", disk_image, cancel=cancel)

    assert len(devstack.calls("DELETE", f"{devstack.image}/images/{IMAGE_ID}")) == 1


def test_failed_cleanup_names_the_image_left_behind(devstack, disk_image):
    _create(devstack)
    devstack.rsps.add("PUT", f"{devstack.image}/images/{IMAGE_ID}/file", status=503,
                      body="", headers={"Retry-After": "5"})
    devstack.rsps.add("DELETE", f"{devstack.image}/images/{IMAGE_ID}", status=503, body="")

    with pytest.raises(OsdeskError) as info:
        devstack.cloud().image.create_and_upload("Ubuntu", disk_image)

    assert f"The half-made image {IMAGE_ID} could not be deleted" in str(info.value)
    assert "delete it by hand" in str(info.value)


# ----------------------------------------------------------------- download
def _file(fake, data=DATA, **headers):
    fake.rsps.add("GET", f"{fake.image}/images/{IMAGE_ID}/file", body=data, status=200,
                  content_type="application/octet-stream",
                  headers=dict({"Content-Length": str(len(data))}, **headers))


def test_download_writes_the_file_and_returns_its_md5(fake, tmp_path):
    _file(fake, **{"Content-MD5": hashlib.md5(DATA).hexdigest()})
    target = tmp_path / "out.img"
    seen = []

    md5 = fake.cloud().image.download(IMAGE_ID, target, progress=lambda d, t: seen.append((d, t)))

    assert target.read_bytes() == DATA
    assert md5 == hashlib.md5(DATA).hexdigest()
    assert seen[-1] == (len(DATA), len(DATA))
    assert list(tmp_path.iterdir()) == [target]


def test_download_with_a_wrong_checksum_leaves_no_file(devstack, tmp_path):
    _file(devstack, **{"Content-MD5": "0" * 32})
    target = tmp_path / "out.img"

    with pytest.raises(OsdeskError, match="does not match its checksum"):
        devstack.cloud().image.download(IMAGE_ID, target)

    assert list(tmp_path.iterdir()) == []


def test_cancelled_download_leaves_no_partial_file(devstack, tmp_path):
    _file(devstack)
    target = tmp_path / "out.img"
    cancel = threading.Event()

    def progress(done, total):
        cancel.set()  # cancel after the first block arrived

    with pytest.raises(Cancelled):
        devstack.cloud().image.download(IMAGE_ID, target, progress=progress, cancel=cancel)

    assert list(tmp_path.iterdir()) == []


def test_download_of_a_missing_image_is_not_found_and_writes_nothing(devstack, tmp_path):
    devstack.rsps.add("GET", f"{devstack.image}/images/{IMAGE_ID}/file", status=404,
                      body="<html><head><title>404 Not Found</title></head><body><h1>404 Not "
                           f"Found</h1>No image found with ID {IMAGE_ID}<br /><br /></body></html>",
                      content_type="text/html")

    with pytest.raises(NotFound, match=f"No image found with ID {IMAGE_ID}"):
        devstack.cloud().image.download(IMAGE_ID, tmp_path / "out.img")

    assert list(tmp_path.iterdir()) == []


def test_download_record_does_not_carry_the_image_bytes(devstack, tmp_path):
    log, records = CallLog(), []
    log.subscribe(records.append)
    _file(devstack)

    devstack.cloud(call_log=log).image.download(IMAGE_ID, tmp_path / "out.img")

    get = next(r for r in records if r.url.endswith("/file"))
    assert get.response_body == f"<streamed {len(DATA)} bytes>"


# ------------------------------------------------------------ protected
def test_deleting_a_protected_image_says_it_is_protected(fake):
    fake.rsps.add("DELETE", f"{fake.image}/images/{IMAGE_ID}", status=403,
                  body="<html>\n <head>\n  <title>403 Forbidden</title>\n </head>\n <body>\n  "
                       "<h1>403 Forbidden</h1>\n  Image " + IMAGE_ID + " is protected and cannot "
                       "be deleted.<br /><br />\n\n\n\n </body>\n</html>",
                  content_type="text/html; charset=UTF-8",
                  headers={"x-openstack-request-id": "req-1d2c3b4a-aaaa-bbbb-cccc-0123456789ab"})

    with pytest.raises(Forbidden) as info:
        fake.cloud().image.delete_image(IMAGE_ID)

    assert str(info.value) == (f"Image {IMAGE_ID} is protected and cannot be deleted; unprotect "
                               f"it first. (HTTP 403) (Request-ID: "
                               f"req-1d2c3b4a-aaaa-bbbb-cccc-0123456789ab)")


def test_a_forbidden_delete_for_another_reason_keeps_its_message(devstack):
    devstack.rsps.add("DELETE", f"{devstack.image}/images/{IMAGE_ID}", status=403,
                      body="403 Forbidden\n\nYou are not permitted to delete this image.\n\n   ",
                      content_type="text/plain")

    with pytest.raises(Forbidden) as info:
        devstack.cloud().image.delete_image(IMAGE_ID)

    assert "not permitted to delete this image" in str(info.value)
    assert "protected" not in str(info.value)


def test_a_401_during_upload_logs_in_again_and_sends_the_whole_file_again(devstack, disk_image,
                                                                          monkeypatch):
    # keystoneauth's own retry would re-send the reader it had already used up: an empty
    # body under a full Content-Length, which Glance waits for until the timeout
    bodies = []
    original = devstack.rsps._read_filelike_body

    def read(body):
        if not hasattr(body, "read"):
            return original(body)
        data = b""
        while block := body.read(8192):
            data += block
        bodies.append(data)
        return data
    monkeypatch.setattr(devstack.rsps, "_read_filelike_body", read)
    url = f"{devstack.image}/images/{IMAGE_ID}/file"
    devstack.add("PUT", url, {"error": {"code": 401, "title": "Unauthorized",
                                        "message": "The request you have made requires "
                                                   "authentication."}}, status=401)
    devstack.add("PUT", url, status=204)
    cloud = devstack.cloud()
    cloud.authenticate()
    seen = []

    md5 = cloud.image.upload(IMAGE_ID, disk_image, progress=lambda d, t: seen.append(d))

    assert bodies == [DATA, DATA]
    puts = devstack.calls("PUT", url)
    assert len(puts) == 2 and len(devstack.token_posts()) == 2  # one new login between
    assert puts[1].request.headers["X-Auth-Token"] == devstack.issued[-1] != devstack.issued[0]
    assert md5 == hashlib.md5(DATA).hexdigest() and seen[-1] == len(DATA)


def test_a_second_401_during_upload_is_reported_not_retried_forever(devstack, disk_image):
    url = f"{devstack.image}/images/{IMAGE_ID}/file"
    devstack.add("PUT", url, {"error": {"code": 401, "title": "Unauthorized",
                                        "message": "Token revoked."}}, status=401)

    with pytest.raises(OsdeskError) as err:
        devstack.cloud().image.upload(IMAGE_ID, disk_image)

    assert getattr(err.value, "status", None) == 401
    assert len(devstack.calls("PUT", url)) == 2
