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
import math
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator

from osdesk.runtime.pacing import pacer

log = logging.getLogger(__name__)

#: how much less of the CPU a worker thread asks for than the GUI thread (nice values:
#: the GUI thread keeps the process's, every worker's is this much higher)
WORKER_NICENESS = 5


def background_thread() -> None:
    """Make the calling (worker) thread yield the CPU to the GUI thread: on Linux each
    thread has its own nice value. Nothing where that is not so."""
    try:
        nice = os.getpriority(os.PRIO_PROCESS, os.getpid())  # the main (GUI) thread's
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(),
                       min(19, nice + WORKER_NICENESS))
    except (AttributeError, OSError):
        pass


#: Suffix of a cloud's transfer executor key.
TRANSFERS = "#transfers"
#: A stream hands the pages that arrived meanwhile to the GUI thread at most this often
#: (bench: 10,000 servers, ~6 paints of the table instead of ~20, 1.25x the floor
#: instead of 1.36x with 50 ms).
STREAM_PACE_S = 0.100
#: GUI-thread time a stream spends on pages handed over together before it lets Qt
#: paint and handle input (DESIGN.md: no piece of GUI-thread work over ~50 ms).
STREAM_BATCH_S = 0.020


def next_hand_over(last: float) -> float:
    """When a stream that last handed pages over at ``last`` (``time.perf_counter()``)
    hands the next ones over: STREAM_PACE_S later, on a grid of STREAM_PACE_S that every
    stream shares (a few ms early rather than a step late), so several streams' pages
    (All clouds lists every cloud at once) are merged in one turn of the loop and
    painted once, not once per stream (bench: 3 clouds of 10,000 servers, the longest
    GUI gap ~43 -> ~36 ms)."""
    return math.ceil((last + STREAM_PACE_S) / STREAM_PACE_S - 0.05) * STREAM_PACE_S


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
                                        thread_name_prefix=f"cloud-{key[:12]}{suffix}",
                                        initializer=background_thread)
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
        handed_at = None  # perf_counter() of the last hand-over to ``on_page``
        getter: asyncio.Future | None = None  # a queue.get() left waiting by the pacing
        pacer.start(loop)
        try:
            while True:
                if getter is None:
                    getter = asyncio.ensure_future(queue.get())
                kind, value = await getter
                getter = None
                batch = []
                # Pages are handed over together every STREAM_PACE_S: a view
                # paints once per hand-over, and a paint of a big table costs as much
                # GUI-thread time as merging a page or more (5-15 ms, ~24 Python calls
                # for each cell shown), time the threads fetching the next pages need
                # the GIL for. The first page, the end and an error go at once; the
                # others at the next slot of a grid all streams share.
                while kind == "page":
                    if ctx.generation != generation:
                        raise Stale()
                    batch.append(value)
                    if not queue.empty():
                        kind, value = queue.get_nowait()
                        continue
                    wait = 0.0 if handed_at is None else (
                        next_hand_over(handed_at) - time.perf_counter())
                    kind = None
                    if wait > 0:
                        getter = asyncio.ensure_future(queue.get())
                        await asyncio.wait([getter], timeout=wait)
                        if getter.done():
                            kind, value = getter.result()
                            getter = None
                if ctx.generation != generation:
                    raise Stale()
                pages += await self._hand_over(ctx, generation, batch, on_page)
                handed_at = time.perf_counter()
                if kind == "error":
                    raise value
                if kind == "end":
                    return pages
        finally:
            pacer.stop()
            stop.set()
            if getter is not None:
                getter.cancel()
            # the worker finishes by itself; nothing waits on it here
            future.add_done_callback(lambda f: f.exception() if not f.cancelled() else None)

    @staticmethod
    async def _hand_over(ctx: Context, generation: int, batch: list, on_page: Callable) -> int:
        """``on_page`` each page of ``batch``, letting Qt paint and handle input whenever
        that took longer than :data:`STREAM_BATCH_S`; returns the pages handed over."""
        since = time.perf_counter()
        for n, page in enumerate(batch):
            if n and time.perf_counter() - since > STREAM_BATCH_S:
                await asyncio.sleep(0)
                since = time.perf_counter()
                if ctx.generation != generation:
                    raise Stale()
            on_page(page)
        return len(batch)

    def shutdown(self, key: str | None = None) -> None:
        """Stop accepting work; running calls finish on their own (never joined)."""
        with self._lock:
            keys = [key, key + TRANSFERS] if key else list(self._executors)
            for k in keys:
                ex = self._executors.pop(k, None)
                if ex is not None:
                    ex.shutdown(wait=False, cancel_futures=True)


def ahead(items: Iterable, name: str = "") -> Iterator:
    """``items`` iterated on a thread of its own, an item or two ahead of the caller.

    A list's pages come so: the next page's request is in flight (its time passes in
    the server) while the caller builds the rows of this one. Whatever ``items`` uses
    (the cloud's connection) must have no other user meanwhile: the cloud's worker,
    which runs the caller, is busy with it. When the caller stops early, the thread
    ends after the item it is on, and the caller waits for that, so the connection is
    free again when the caller's work is done.
    """
    handoff: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def put(entry) -> bool:
        while not stop.is_set():
            try:
                handoff.put(entry, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def produce():
        background_thread()
        try:
            for item in items:
                if not put(("item", item)):
                    return
            put(("end", None))
        except BaseException as exc:  # handed to the caller, raised there
            put(("error", exc))

    # not named cloud-…: it is a part of the calling worker's job, not a worker of its own
    thread = threading.Thread(target=produce, daemon=True,
                              name=name or f"ahead-{threading.current_thread().name}")
    thread.start()
    try:
        while True:
            kind, value = handoff.get()
            if kind == "item":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        thread.join()


#: The app's runner.
runner = Runner()
