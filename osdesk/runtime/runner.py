"""The bridge between the GUI's asyncio loop (qasync) and the blocking API layer.

Each cloud gets one single-thread executor: calls to one cloud run in order, and
its ``requests.Session`` is never shared across threads. Long transfers (image
uploads and downloads) run beside it on the cloud's transfer executor, each on its
own connection (``Cloud.sibling``), so a 20-minute upload does not hold every list
and action of that cloud back; a worker stuck in a request the user gave up on is
left to it (:meth:`Runner.abandon`). Results come back to the GUI thread as awaited
futures; a result that belongs to a cloud or project the user has left (the
context's generation changed) is dropped as :class:`Stale`.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

from osdesk.runtime.pacing import pacer

log = logging.getLogger(__name__)

#: Suffix of a cloud's transfer executor key.
TRANSFERS = "#transfers"


class Stale(Exception):
    """The user switched cloud or project while the call was in flight."""


class Context:
    """Which cloud and project a call belongs to.

    ``generation`` changes whenever the user switches cloud or project; results
    from an older generation must never reach the screen.
    """

    def __init__(self, key: str):
        self.key = key
        self.generation = 0
        #: set by :meth:`close`: every call for this context is stale from then on,
        #: also one that only starts later (its generation would look current)
        self.closed = False

    def bump(self) -> int:
        self.generation += 1
        return self.generation

    def close(self) -> None:
        self.closed = True
        self.bump()


#: GUI-thread time spent merging pages already queued before Qt gets a turn, and the
#: least time between two merges of a stream (a repaint of its table each)
MERGE_BUDGET_S = 0.008
MERGE_EVERY_S = 0.050

#: Transfers of one cloud that run at the same time; more wait for a free slot.
MAX_TRANSFERS = 2


class Runner:
    """Runs blocking callables on a per-cloud worker thread."""

    def __init__(self):
        self._executors: dict[str, ThreadPoolExecutor] = {}
        self._lock = threading.Lock()
        #: per executor: calls started on it and not yet ended
        self._running: dict[ThreadPoolExecutor, int] = {}

    def executor(self, key: str, workers: int = 1) -> ThreadPoolExecutor:
        with self._lock:
            ex = self._executors.get(key)
            if ex is None:
                suffix = "-transfer" if key.endswith(TRANSFERS) else ""
                ex = ThreadPoolExecutor(max_workers=workers,
                                        thread_name_prefix=f"cloud-{key[:12]}{suffix}")
                self._executors[key] = ex
            return ex

    def transfer_executor(self, key: str) -> ThreadPoolExecutor:
        return self.executor(key + TRANSFERS, workers=MAX_TRANSFERS)

    async def transfer(self, key: str, fn: Callable, *args, **kwargs) -> Any:
        """Run a long transfer beside the cloud's worker. Never :class:`Stale`: an upload
        the user started finishes (or is cancelled) whatever page or project is shown."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.transfer_executor(key),
                                          functools.partial(fn, *args, **kwargs))

    async def run(self, key: str, fn: Callable, *args, **kwargs) -> Any:
        loop = asyncio.get_running_loop()
        return await self._submit(loop, key, functools.partial(fn, *args, **kwargs))

    def _submit(self, loop, key: str, fn: Callable) -> asyncio.Future:
        """``fn`` on ``key``'s worker, counted while it runs (see :meth:`busy`)."""
        ex = self.executor(key)

        def counted():
            with self._lock:
                self._running[ex] = self._running.get(ex, 0) + 1
            try:
                return fn()
            finally:
                with self._lock:
                    self._running[ex] -= 1
                    if not self._running[ex]:
                        del self._running[ex]
        return loop.run_in_executor(ex, counted)

    def busy(self, key: str) -> bool:
        """True while a call runs on ``key``'s worker (queued ones do not count)."""
        with self._lock:
            ex = self._executors.get(key)
            return ex is not None and self._running.get(ex, 0) > 0

    def abandon(self, key: str) -> None:
        """Leave ``key``'s worker to the call it is stuck in; later calls get a new one.

        Calls already queued behind it still run there, in order, once it ends (an
        action the user asked for is never dropped); then the old thread exits.
        """
        with self._lock:
            ex = self._executors.pop(key, None)
        if ex is not None:
            ex.shutdown(wait=False)

    async def run_for(self, ctx: Context, fn: Callable, *args, **kwargs) -> Any:
        """Like :meth:`run`, but raise :class:`Stale` if ``ctx`` moved on meanwhile."""
        if ctx.closed:
            raise Stale()
        generation = ctx.generation
        result = await self.run(ctx.key, fn, *args, **kwargs)
        if ctx.generation != generation:
            raise Stale()
        return result

    async def read_for(self, ctx: Context, fn: Callable, *args, **kwargs) -> Any:
        """:meth:`run_for` for reads only: not even started when ``ctx`` moved on while
        the call waited for the worker, so a burst of switches does not queue every
        left cloud's login and lists in front of the one the user stayed on."""
        if ctx.closed:
            raise Stale()
        generation = ctx.generation

        def unless_stale():
            if ctx.generation != generation:
                raise Stale()
            return fn(*args, **kwargs)
        result = await self.run(ctx.key, unless_stale)
        if ctx.generation != generation:
            raise Stale()
        return result

    async def stream(self, ctx: Context, make_pages: Callable[[], Iterable], on_page: Callable) -> int:
        """Iterate ``make_pages()`` on the worker; call ``on_page(page)`` on the GUI thread.

        Pages arrive while the next one is fetched. Returns the page count; raises
        :class:`Stale` (and stops fetching) once the context moves on. Between two
        pages the worker gives way to a starved GUI thread (see ``pacing``).
        """
        if ctx.closed:
            raise Stale()
        loop = asyncio.get_running_loop()
        generation = ctx.generation
        queue: asyncio.Queue = asyncio.Queue()
        stop = threading.Event()
        done = object()

        def work():
            try:
                if ctx.generation != generation:
                    raise Stale()  # moved on while this waited for the worker: a read, skip it
                for page in make_pages():
                    if stop.is_set():
                        return
                    if ctx.generation != generation:
                        raise Stale()  # do not fetch the pages nobody will see
                    loop.call_soon_threadsafe(queue.put_nowait, ("page", page))
                    pacer.give_way()
                loop.call_soon_threadsafe(queue.put_nowait, ("end", done))
            except BaseException as exc:  # handed to the GUI thread, raised there
                loop.call_soon_threadsafe(queue.put_nowait, ("error", exc))

        future = self._submit(loop, ctx.key, work)
        pages = 0
        pacer.start(loop)
        try:
            merged_at = -MERGE_EVERY_S
            while True:
                kind, value = await queue.get()
                # Pages are merged at most every MERGE_EVERY_S, those queued meanwhile
                # together for up to MERGE_BUDGET_S, then Qt paints and handles input:
                # a merge each turn meant a repaint of the table each (~10-20 ms of
                # data() calls) for a few ms of merging, and merging every queued page
                # at once ran for ~160 ms (bench: 5 pages) without one event between.
                wait = merged_at + MERGE_EVERY_S - time.perf_counter()
                if kind == "page" and wait > 0:
                    await asyncio.sleep(wait)
                merged_at = time.perf_counter()
                budget = merged_at + MERGE_BUDGET_S
                while True:
                    if ctx.generation != generation:
                        raise Stale()
                    if kind == "error":
                        raise value
                    if kind != "page":
                        return pages
                    pages += 1
                    on_page(value)
                    if queue.empty() or time.perf_counter() > budget:
                        break
                    kind, value = queue.get_nowait()
                await asyncio.sleep(0)
        finally:
            pacer.stop()
            stop.set()
            # the worker finishes by itself; nothing waits on it here
            future.add_done_callback(lambda f: f.exception() if not f.cancelled() else None)

    def shutdown(self, key: str | None = None) -> None:
        """Stop accepting work; running calls finish on their own (never joined)."""
        with self._lock:
            keys = [key, key + TRANSFERS] if key else list(self._executors)
            for k in keys:
                ex = self._executors.pop(k, None)
                if ex is not None:
                    ex.shutdown(wait=False, cancel_futures=True)


#: The app's runner.
runner = Runner()
