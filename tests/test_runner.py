"""The runner: one worker per cloud, transfers beside it, a stuck worker left behind."""

from __future__ import annotations

import asyncio
import threading
import time

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


def stream_queued(budget: float, monkeypatch, every: float = 0.0) -> tuple[list, list]:
    """Stream three pages that are all queued before the first is merged; the ticks of
    other work seen at each merge, and when each merge ran."""
    from osdesk.runtime import runner as runner_module
    monkeypatch.setattr(runner_module, "MERGE_BUDGET_S", budget)
    monkeypatch.setattr(runner_module, "MERGE_EVERY_S", every)
    runner = Runner()
    ctx = Context("a")
    ticks = {"n": 0}
    seen, at = [], []
    all_queued = threading.Event()

    def pages():
        yield from ([1], [2], [3])
        all_queued.set()

    async def ticker():
        while True:
            ticks["n"] += 1
            await asyncio.sleep(0)

    async def main():
        tick = asyncio.ensure_future(ticker())
        await asyncio.to_thread(lambda: None)

        def on_page(page):
            if not seen:
                all_queued.wait(5)  # the later pages are queued before this one is merged
            seen.append(ticks["n"])
            at.append(time.monotonic())
        count = await runner.stream(ctx, pages, on_page)
        tick.cancel()
        return count
    assert run(main()) == 3
    runner.shutdown()
    return seen, at


def test_stream_lets_other_work_run_once_a_merge_has_used_its_budget(monkeypatch):
    seen, _at = stream_queued(0.0, monkeypatch)
    # something else ran between every two merges, though no page had to be waited for
    assert seen[0] < seen[1] < seen[2]


def test_stream_merges_pages_already_queued_together_within_the_budget(monkeypatch):
    seen, _at = stream_queued(60.0, monkeypatch)
    # one turn of the loop (one repaint of a table) for the three pages
    assert seen[0] == seen[1] == seen[2]


def test_stream_merges_at_most_every_merge_every_s(monkeypatch):
    _seen, at = stream_queued(0.0, monkeypatch, every=0.05)
    assert at[1] - at[0] >= 0.05 and at[2] - at[1] >= 0.05
