"""Desktop notifications for long operations that end while nobody looks at osdesk: one,
naming the server (or volume) and how it ended; none for a short one or a focused window."""

from __future__ import annotations

import pytest

from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


@pytest.fixture
def sent(window):
    out = []
    window.notifier.send = lambda title, body: out.append((title, body))
    return out


def look_away(window, loop):
    """Nobody looks at osdesk: its window is hidden (as behind another app's), none active."""
    window.hide()
    run(loop, until(lambda: not window.notifier.focused()))


def reboot_one(window, loop, demo):
    """Soft-reboot an ACTIVE server of the demo and wait until its follower ends."""
    open_demo(window, demo)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount()))
    row = next(page.model.raw(k) for k in page.model.keys()
               if page.model.raw(k)["status"] == "ACTIVE" and not page.model.raw(k).get("locked"))
    run(loop, window.server_actions.perform("reboot_soft", [row]))
    follower = window.server_actions._follows[row["id"]]
    run(loop, until(follower.done), timeout=60)
    return row


def test_a_long_operation_ending_unnoticed_notifies_once(window, loop, demo_cloud, sent):
    window.notifier.threshold = 0.0  # every operation counts as long here
    look_away(window, loop)
    row = reboot_one(window, loop, demo_cloud)
    assert len(sent) == 1
    title, body = sent[0]
    assert title == f"Server {row['name']} is ACTIVE"
    assert body.startswith("after ") and body.endswith(" · Demo A")


def test_a_short_operation_does_not_notify(window, loop, demo_cloud, sent):
    look_away(window, loop)
    reboot_one(window, loop, demo_cloud)  # the demo reboots in well under 10 s
    assert sent == []


def test_a_focused_window_is_not_notified(window, loop, demo_cloud, sent):
    window.notifier.threshold = 0.0
    window.activateWindow()
    run(loop, until(window.isActiveWindow))
    reboot_one(window, loop, demo_cloud)
    assert sent == []


def test_a_volume_becoming_available_notifies(window, loop, demo_cloud, sent):
    window.notifier.threshold = 0.0
    look_away(window, loop)
    open_demo(window, demo_cloud)
    run(loop, until(lambda: window.session is not None and window.session.info))
    run(loop, window.page_actions["volumes"].create({"size": 1, "name": "data-1"}))
    run(loop, until(lambda: sent), timeout=60)
    assert sent[0][0] == "Volume data-1 is available"
