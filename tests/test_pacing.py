"""Workers give the GUI thread its turn: they sleep while its heart misses beats."""

from __future__ import annotations

import asyncio

import pytest

from osdesk.runtime import pacing
from osdesk.runtime.pacing import Pacer


class FakeTime:
    """A clock that moves only when told, or when the pacer sleeps."""

    def __init__(self):
        self.now = 100.0
        self.slept = []
        self.on_sleep = None

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        if self.on_sleep is not None:
            self.on_sleep()


@pytest.fixture
def paced():
    """A pacer on a fake clock, started (one stream uses it) on a loop that never runs."""
    t = FakeTime()
    pacer = Pacer(t.clock, t.sleep)
    loop = asyncio.new_event_loop()
    pacer.start(loop)
    yield t, pacer
    pacer.stop()
    loop.close()


def test_a_gui_thread_that_keeps_up_is_never_waited_for(paced):
    t, pacer = paced
    t.now += pacing.STARVED_S / 2
    assert not pacer.starved()
    assert pacer.give_way() == 0.0 and t.slept == []


def test_a_starved_gui_thread_gets_the_workers_sleep_until_its_next_beat(paced):
    t, pacer = paced
    t.now += pacing.STARVED_S * 2  # the GUI thread has not run its timer since
    assert pacer.starved()
    beats_after = 3

    def beat_on_third_sleep():
        if len(t.slept) == beats_after:
            pacer._tick()  # what the GUI thread's loop runs when it gets its turn
    t.on_sleep = beat_on_third_sleep
    waited = pacer.give_way()
    assert len(t.slept) == beats_after
    assert waited == pytest.approx(sum(t.slept)) and pacer.waited_s == waited
    assert not pacer.starved()


def test_a_worker_waits_at_most_max_wait_for_a_gui_thread_that_never_beats(paced):
    t, pacer = paced
    t.now += 10.0  # a long merge or a busy repaint, say: the heart stays silent
    waited = pacer.give_way()
    assert pacing.MAX_WAIT_S <= waited < pacing.MAX_WAIT_S + 2 * pacing.STEP_S


def test_no_stream_no_heartbeat_and_no_waiting():
    """The heart beats only while a stream uses it: an idle window wakes up for nothing."""
    t = FakeTime()
    pacer = Pacer(t.clock, t.sleep)
    loop = asyncio.new_event_loop()
    try:
        pacer.start(loop)
        pacer.start(loop)
        pacer.stop()
        t.now += 10.0
        assert pacer.starved()  # one user is left
        pacer.stop()
        assert not pacer.starved() and pacer.give_way() == 0.0
        assert not loop._scheduled or all(h.cancelled() for h in loop._scheduled)
    finally:
        loop.close()


def test_the_heart_beats_on_the_loop_it_was_started_on():
    pacer = Pacer()

    async def main():
        pacer.start(asyncio.get_running_loop())
        try:
            before = pacer._beat
            await asyncio.sleep(pacing.BEAT_S * 3)
            return pacer._beat > before and not pacer.starved()
        finally:
            pacer.stop()
    assert asyncio.run(main())


def test_submitted_work_gets_the_heartbeat_and_gives_way_through_it():
    """Work that is not a stream (writing a snapshot) is paced too: the heart beats while
    it runs, the work is handed the pacer's wait_for_streams, and the beat stops after."""
    from concurrent.futures import ThreadPoolExecutor
    pacer = Pacer()
    seen = {}

    def work(n, between):
        seen["beating"] = pacer._handle is not None
        seen["between"] = between.__qualname__
        return n * 2

    async def main():
        with ThreadPoolExecutor(1) as executor:
            future = pacer.submit(executor, work, 21)
            assert await asyncio.wrap_future(future) == 42
            await asyncio.sleep(0)  # the stop is handed to the loop by the worker
            await asyncio.sleep(0)
            return pacer._handle is None and pacer._users == 0
    assert asyncio.run(main())
    assert seen == {"beating": True, "between": "Pacer._background_turns.<locals>.between"}


def test_submitting_to_a_shut_down_executor_leaves_no_heartbeat():
    from concurrent.futures import ThreadPoolExecutor
    pacer = Pacer()
    executor = ThreadPoolExecutor(1)
    executor.shutdown()

    async def main():
        return pacer.submit(executor, lambda between: None)
    assert asyncio.run(main()) is None
    assert pacer._handle is None and pacer._users == 0


def test_background_work_waits_for_the_streams_then_goes_on(paced):
    """Between two pieces, background work sleeps while a stream (a list being loaded)
    runs, until it ends, or BACKGROUND_WAIT_S at most at a time."""
    t, pacer = paced  # one stream running
    pacer._tick()
    ends_after = 5

    def stream_ends_on_fifth_sleep():
        pacer._tick()  # the GUI thread keeps up meanwhile
        if len(t.slept) == ends_after:
            pacer.stop()
    t.on_sleep = stream_ends_on_fifth_sleep
    waited = pacer.wait_for_streams()
    assert t.slept == [pacing.BACKGROUND_STEP_S] * ends_after
    assert waited == pytest.approx(ends_after * pacing.BACKGROUND_STEP_S)
    t.slept.clear()
    t.on_sleep = None
    pacer._tick()
    assert pacer.wait_for_streams() == 0.0 and t.slept == []  # no stream: no wait
    pacer.start(pacer._loop)  # a stream stuck on a hung cloud
    pacer._tick()
    t.on_sleep = pacer._tick
    assert pacing.BACKGROUND_WAIT_S <= pacer.wait_for_streams() < pacing.BACKGROUND_WAIT_S + 0.1


def test_background_work_waits_for_the_streams_so_long_in_all(paced):
    """A window that refreshes all the time has a stream running nearly always: a piece
    of background work (and the rows it holds) waits BACKGROUND_WAIT_S in all, not at
    each of its pieces."""
    t, pacer = paced  # a stream that never ends
    t.on_sleep = pacer._tick  # the GUI thread keeps up
    between = pacer._background_turns()
    first = between()
    assert pacing.BACKGROUND_WAIT_S <= first < pacing.BACKGROUND_WAIT_S + 0.1
    t.slept.clear()
    assert between() == 0.0 and between() == 0.0 and t.slept == []
