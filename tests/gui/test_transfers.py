"""Long calls in the window: an upload's progress reaches the dialog, the cloud's other
pages keep loading while an upload is under way or after the user gave up on a hung
request, quitting during an upload asks first and cancels it."""

from __future__ import annotations

import hashlib
import time

import pytest
from tests.dialog_answers import click

from osdesk.views.image_dialogs import TransferDialog
from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo

STUCK_UPLOAD = r"/images/[^/]+/file$"


def image_values(name: str, path) -> dict:
    return {"name": name, "path": str(path), "disk_format": "raw", "container_format": "bare",
            "visibility": "private", "min_disk": 0, "min_ram": 0, "protected": False,
            "tags": ["osdesk"]}


def demo_images(demo, name: str) -> list[dict]:
    return [img for img in list(demo.state.images.values()) if img.get("name") == name]


@pytest.fixture
def progress_seen(monkeypatch):
    """Every progress report as the dialog shows it, on the GUI thread."""
    seen = []
    real = TransferDialog._on_progress

    def on_progress(self, done, total):
        real(self, done, total)
        seen.append((done, total, self.bar.value(), self.label.text()))
    monkeypatch.setattr(TransferDialog, "_on_progress", on_progress)
    return seen


@pytest.fixture
def opened(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    servers = window.pages["servers"]
    window.show_page("servers")
    run(loop, until(lambda: servers.feed.state == "ready" and servers.model.rowCount() > 0))
    return window


def test_an_upload_reports_progress_and_the_image_arrives_active(opened, loop, demo_cloud,
                                                                tmp_path, progress_seen):
    window = opened
    data = bytes(range(256)) * (6 * 4096) + b"tail"  # ~6 MB
    src = tmp_path / "disk.raw"
    src.write_bytes(data)
    image_actions = window.page_actions["images"]

    run(loop, image_actions.create(image_values("uploaded", src)), timeout=60)

    [image] = demo_images(demo_cloud, "uploaded")
    assert image["status"] == "active" and image["checksum"] == hashlib.md5(data).hexdigest()
    assert progress_seen and progress_seen[-1][:3] == (len(data), len(data), 1000)
    assert "6.0 MB of 6.0 MB" in progress_seen[-1][3] or "MiB" in progress_seen[-1][3]
    message = window.statusBar().currentMessage()
    assert "uploaded" in message and "Demo A / demo" in message and image["checksum"] in message
    assert window.transfers.titles() == []  # the dialog went away


def test_pages_of_the_same_cloud_keep_loading_while_an_upload_is_under_way(
        opened, loop, demo_cloud, tmp_path, progress_seen):
    window = opened
    src = tmp_path / "big.raw"
    src.write_bytes(b"\x01" * (3 * 1024 * 1024))
    demo_cloud.hang(STUCK_UPLOAD)  # Glance takes the upload and does not answer yet
    task = window._spawn(window.page_actions["images"].create(image_values("slow", src)))
    try:
        run(loop, until(lambda: progress_seen, timeout=30), timeout=40)  # bytes are going out
        assert window.transfers.titles() == ["Uploading slow"]

        # other calls to the same cloud are not queued behind the upload
        for key in ("servers", "images", "flavors"):
            page = window.pages[key]
            window.show_page(key)
            run(loop, page.refresh(), timeout=20)
            assert page.feed.state == "ready", (key, page.feed.message)
        assert not task.done()
    finally:
        demo_cloud.unhang()
    run(loop, until(task.done, timeout=60), timeout=70)
    [image] = demo_images(demo_cloud, "slow")
    assert image["status"] == "active" and image["size"] == 3 * 1024 * 1024


def test_quitting_during_an_upload_asks_and_cancels_it(opened, loop, demo_cloud, tmp_path,
                                                       answers, progress_seen):
    window = opened
    clicks = [click("Keep running"), click("Cancel it and quit")]
    answers.on("Quit osdesk", lambda box: clicks.pop(0)(box))
    asked = answers.seen
    src = tmp_path / "huge.raw"
    with src.open("wb") as f:  # larger than the socket buffers: the sender is mid-file
        f.truncate(64 * 1024 * 1024)
    demo_cloud.hang(STUCK_UPLOAD)
    window._spawn(window.page_actions["images"].create(image_values("unwanted", src)))
    try:
        run(loop, until(lambda: progress_seen, timeout=30), timeout=40)

        window.close()  # "Keep running": the window stays, the upload goes on
        run(loop, until(lambda: len(asked) == 1 and not asked[0].dialog.isVisible()))
        assert window.isVisible() and window.transfers.titles() == ["Uploading unwanted"]
        assert "Uploading unwanted" in asked[0].text

        window.close()  # "Cancel it and quit"
        run(loop, until(lambda: not window.isVisible()))
        assert len(asked) == 2
        window.shutdown()  # what the app does once its last window closed
    finally:
        demo_cloud.unhang()
    # the upload stops at its next block and the half-made image is deleted
    deadline = time.monotonic() + 60
    while demo_images(demo_cloud, "unwanted") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert demo_images(demo_cloud, "unwanted") == []


def test_cancel_on_a_hung_list_lets_the_cloud_s_other_pages_load(opened, loop, demo_cloud):
    window = opened
    servers, images = window.pages["servers"], window.pages["images"]
    demo_cloud.hang(r"/servers/detail")
    try:
        task = servers.refresh()
        run(loop, until(lambda: window.runner.busy(window.session.ctx.key)))
        servers.cancel_button.click()  # the user gives up on the hung list
        run(loop, until(lambda: servers.feed.state == "ready"))
        # the next call of the same cloud does not queue behind the stuck request
        window.show_page("images")
        run(loop, images.refresh(), timeout=15)
        assert images.feed.state == "ready" and images.model.rowCount() > 0
    finally:
        demo_cloud.unhang()
    window.show_page("servers")
    run(loop, servers.refresh(), timeout=15)
    assert servers.feed.state == "ready" and servers.model.rowCount() > 0
