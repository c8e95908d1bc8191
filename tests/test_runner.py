"""The runner: one worker per cloud, transfers beside it, a stuck worker left behind."""

from __future__ import annotations

import asyncio
import threading

from osdesk.runtime.runner import Context, Runner, Stale


def run(coro):
    """Run ``coro``; an error the loop reports meanwhile (a callback that raised, a task
    exception nobody retrieved) fails the test, as in the GUI tests (tests/qt_support.py)."""
    errors = []

    async def guarded():
        asyncio.get_running_loop().set_exception_handler(lambda loop, ctx: errors.append(ctx))
        return await coro
    result = asyncio.run(guarded())
    assert not errors, [c.get("message") for c in errors]
    return result


def test_calls_of_one_cloud_run_in_order_on_one_thread():
    runner = Runner()
    seen = []

    async def main():
        await asyncio.gather(*(runner.run("a", lambda i=i: seen.append(
            (i, threading.current_thread().name))) for i in range(5)))
    run(main())

    assert [i for i, _ in seen] == [0, 1, 2, 3, 4]
    assert len({name for _, name in seen}) == 1
    runner.shutdown()


def test_busy_only_while_a_call_runs():
    runner = Runner()
    release, started = threading.Event(), threading.Event()

    async def main():
        task = asyncio.ensure_future(runner.run("a", lambda: (started.set(), release.wait(5))))
        await asyncio.to_thread(started.wait, 5)
        during = runner.busy("a")
        release.set()
        await task
        return during
    assert run(main()) is True
    assert runner.busy("a") is False and runner.busy("never-used") is False
    runner.shutdown()


def test_abandon_gives_later_calls_a_new_worker_and_keeps_queued_ones():
    runner = Runner()
    release, started = threading.Event(), threading.Event()
    order = []

    async def main():
        stuck = asyncio.ensure_future(runner.run("a", lambda: (started.set(), release.wait(10),
                                                               order.append("stuck"))))
        queued = asyncio.ensure_future(runner.run("a", lambda: order.append("queued")))
        await asyncio.to_thread(started.wait, 5)
        runner.abandon("a")
        assert not runner.busy("a")  # the new worker has nothing running
        await runner.run("a", lambda: order.append("after abandon"))  # does not wait
        assert order == ["after abandon"]
        release.set()
        await asyncio.gather(stuck, queued)
    run(main())

    # the queued call was not dropped: it ran on the old worker, after the stuck one
    assert order == ["after abandon", "stuck", "queued"]
    runner.shutdown()


def test_transfers_run_beside_the_cloud_s_worker_and_are_never_stale():
    runner = Runner()
    ctx = Context("a")
    release, started = threading.Event(), threading.Event()

    async def main():
        upload = asyncio.ensure_future(runner.transfer("a", lambda: (started.set(),
                                                                     release.wait(5), "done")))
        await asyncio.to_thread(started.wait, 5)
        listed = await runner.run_for(ctx, lambda: "list")  # not behind the transfer
        ctx.bump()  # the user switched project meanwhile
        release.set()
        return listed, (await upload)[-1]
    assert run(main()) == ("list", "done")
    runner.shutdown()


def test_a_read_queued_while_the_context_moved_on_is_not_started():
    runner = Runner()
    ctx = Context("a")
    calls = []

    async def main():
        release = threading.Event()
        blocker = asyncio.ensure_future(runner.run("a", lambda: release.wait(5)))
        read = asyncio.ensure_future(runner.read_for(ctx, lambda: calls.append("read")))
        await asyncio.sleep(0.05)
        ctx.bump()
        release.set()
        await blocker
        try:
            await read
        except Stale:
            return "stale"
    assert run(main()) == "stale" and calls == []
    runner.shutdown()


def _stream_ticks(runner, pages, on_page=None, *, limit: float = 30.0) -> tuple[int, list]:
    """Run ``runner.stream`` over ``pages`` beside a coroutine that counts its turns; the
    count at each merge, and the page count."""
    ctx = Context("a")
    ticks = {"n": 0}
    seen = []

    async def ticker():
        while True:
            ticks["n"] += 1
            await asyncio.sleep(0)

    async def main():
        tick = asyncio.ensure_future(ticker())
        await asyncio.to_thread(lambda: None)

        def merged(page):
            if on_page is not None:
                on_page(page, seen)
            seen.append(ticks["n"])
        count = await asyncio.wait_for(runner.stream(ctx, pages, merged), limit)
        tick.cancel()
        return count
    try:
        return run(main()), seen
    finally:
        runner.shutdown()


def _three_queued_pages():
    """Three pages, all queued before the first one is merged."""
    all_queued = threading.Event()

    def pages():
        yield from ([1], [2], [3])
        all_queued.set()

    def on_page(page, seen):
        if not seen:
            all_queued.wait(5)
    return pages, on_page


def test_stream_merges_pages_queued_together_in_one_go(monkeypatch):
    # one paint for all of them: a view repaints once per turn of the loop
    monkeypatch.setattr("osdesk.runtime.runner.STREAM_BATCH_S", 3600.0)
    monkeypatch.setattr("osdesk.runtime.runner.STREAM_PACE_S", 3600.0)  # a slow machine
    pages, on_page = _three_queued_pages()
    count, seen = _stream_ticks(Runner(), pages, on_page)
    assert count == 3
    # the first page goes at once, with whatever was queued by then; the rest together
    assert len(set(seen)) <= 2


def test_stream_lets_other_work_run_when_merging_queued_pages_takes_long(monkeypatch):
    monkeypatch.setattr("osdesk.runtime.runner.STREAM_BATCH_S", 0.0)  # every merge is long
    pages, on_page = _three_queued_pages()
    count, seen = _stream_ticks(Runner(), pages, on_page)
    assert count == 3
    # something else ran between every two merges, though no page had to be waited for
    assert seen[0] < seen[1] < seen[2]


def test_stream_hands_over_the_first_page_at_once_and_the_last_with_the_end(monkeypatch):
    # pages that come one at a time are handed over at most every STREAM_PACE_S (here
    # never), but the first one is shown at once, and the end does not wait for the pace
    monkeypatch.setattr("osdesk.runtime.runner.STREAM_PACE_S", 3600.0)
    first_merged, merged = threading.Event(), []

    def pages():
        yield [1]
        assert first_merged.wait(5)  # page 1 was merged before page 2 existed
        yield [2]
        yield [3]

    def on_page(page, seen):
        merged.append(page)
        first_merged.set()
    count, seen = _stream_ticks(Runner(), pages, on_page)
    assert count == 3 and merged == [[1], [2], [3]]
    assert seen[1] == seen[2]  # 2 and 3 went together


# ------------------------------------------------------------------ ahead
def test_ahead_gives_the_items_in_order_made_on_another_thread():
    from osdesk.runtime.runner import ahead
    made_on = set()

    def items():
        for i in range(5):
            made_on.add(threading.current_thread())
            yield i
    assert list(ahead(items())) == [0, 1, 2, 3, 4]
    assert made_on and threading.current_thread() not in made_on


def test_ahead_raises_the_error_of_the_items_after_the_items_before_it():
    from osdesk.runtime.runner import ahead

    def items():
        yield 1
        yield 2
        raise ValueError("page 3 failed")
    got = []
    try:
        for item in ahead(items()):
            got.append(item)
    except ValueError as exc:
        assert str(exc) == "page 3 failed"
    else:
        raise AssertionError("no error")
    assert got == [1, 2]


def test_ahead_stopped_early_ends_its_thread_before_the_caller_goes_on():
    # the items use the cloud's connection: once the caller stops, nothing may use it
    from osdesk.runtime.runner import ahead
    made, busy = [], threading.Lock()

    def items():
        for i in range(1000):
            with busy:  # "a request": the caller must never run beside one after close
                made.append(i)
            yield i
    it = ahead(items(), name="ahead-test")
    assert next(it) == 0
    it.close()
    assert not busy.locked()
    assert not any(t.name == "ahead-test" for t in threading.enumerate())
    assert len(made) <= 3  # one handed over, one waiting in the hand-off, one in flight


def test_workers_yield_the_cpu_to_the_gui_thread():
    """A worker thread (and the thread fetching a list's pages ahead) asks the kernel for
    less of the CPU than the GUI thread: each Linux thread has its own nice value."""
    import os

    from osdesk.runtime import runner as runner_module

    def niceness():
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())
    r = Runner()
    try:
        mine = niceness()
        worker = r.executor("nice-test").submit(niceness).result(5)
        ahead = list(runner_module.ahead((niceness() for _ in range(1)), name="t"))
    finally:
        r.shutdown()
    assert niceness() == mine  # the GUI thread keeps its own
    assert worker == ahead[0] == min(19, mine + runner_module.WORKER_NICENESS)


def test_streams_hand_over_on_one_grid():
    """Every stream hands its pages over at the slots of one shared grid (STREAM_PACE_S
    apart): streams that handed over at different times meet at the same next slot, so
    their rows are merged, and painted, in one turn."""
    from osdesk.runtime.runner import STREAM_PACE_S as pace, next_hand_over
    base = 1000 * pace
    slots = {round(next_hand_over(base + pace * f) / pace, 6) for f in (0.1, 0.3, 0.5, 0.94)}
    assert slots == {1002.0}  # four streams' last hand-overs, one next slot
    for f in (0.0, 0.3, 0.94, 0.96):
        last = base + pace * f
        nxt = next_hand_over(last)
        assert abs(nxt / pace - round(nxt / pace)) < 1e-6  # on the grid
        assert last + 0.9 * pace < nxt <= last + 2 * pace  # about a pace on, never sooner
