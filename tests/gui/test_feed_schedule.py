"""A page follows its busy rows fast (FAST_REFRESH_MS) while they move, and falls back to
SLOW_REFRESH_MS for a row stuck in the same state for minutes."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.resource_model import ResourceTableModel
from osdesk.runtime import session as session_module
from osdesk.runtime.session import (FAST_REFRESH_MS, SLOW_REFRESH_MS, STUCK_AFTER_S,
                                    ResourceFeed)
from tests.samples import SAMPLES


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    # session.py's own clock only (its ``time`` name), not the process's
    monkeypatch.setattr(session_module, "time", SimpleNamespace(monotonic=clock))
    return clock


def server(status: str, progress: int = 0, **extra) -> dict:
    path = SAMPLES / "nova/doc/api_samples/servers/v2.96/server-get-resp.json"
    raw = json.loads(path.read_text(encoding="utf-8"))["server"]
    return dict(raw, status=status, progress=progress, **extra)


@pytest.fixture
def feed(qapp):
    kind = KIND_BY_KEY["servers"]
    feed = ResourceFeed(kind, ResourceTableModel(kind.columns, key="id"))
    feed.session = SimpleNamespace()  # a cloud is open: the feed schedules refreshes
    yield feed
    feed._timer.stop()


def test_a_stuck_row_stops_the_fast_refresh(feed, clock):
    feed.model.reset([server("ACTIVE", id="a"), server("BUILD", id="b")])
    feed._schedule()
    assert feed._timer.interval() == FAST_REFRESH_MS

    clock.now += STUCK_AFTER_S / 2  # the same answer for a while: still worth following
    feed.model.reset([server("ACTIVE", id="a"), server("BUILD", id="b")])
    feed._schedule()
    assert feed._timer.interval() == FAST_REFRESH_MS

    clock.now += STUCK_AFTER_S / 2 + 1  # unchanged for minutes: stuck
    feed.model.reset([server("ACTIVE", id="a"), server("BUILD", id="b")])
    feed._schedule()
    assert feed._timer.interval() == SLOW_REFRESH_MS
    assert feed.any_busy()  # still busy, only not followed fast

    feed.model.reset([server("ACTIVE", id="a"), server("BUILD", 40, id="b")])  # it moves
    feed._schedule()
    assert feed._timer.interval() == FAST_REFRESH_MS


def test_a_new_busy_row_is_followed_fast_beside_a_stuck_one(feed, clock):
    feed.model.reset([server("BUILD", id="b")])
    feed._schedule()
    clock.now += STUCK_AFTER_S + 1
    feed._schedule()
    assert feed._timer.interval() == SLOW_REFRESH_MS
    feed.model.reset([server("BUILD", id="b"), server("ACTIVE", id="c",
                                                      **{"OS-EXT-STS:task_state": "rebooting"})])
    feed._schedule()
    assert feed._timer.interval() == FAST_REFRESH_MS
    feed.model.reset([server("ACTIVE", id="c")])  # nothing busy: slow
    feed._schedule()
    assert feed._timer.interval() == SLOW_REFRESH_MS
