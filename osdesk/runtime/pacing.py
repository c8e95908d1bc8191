"""Workers that give the GUI thread its turn.

Python runs one thread at a time (the GIL). The GUI thread needs it for every call
Qt makes into Python: a table repaint alone asks ``data()`` a few thousand times, and
each time it has to win the GIL back from the workers building rows. With three
clouds listed at once, each such wait is a switch interval, and a repaint took half a
second (bench ``inventory_3x10k_stall``: 450 ms). A faster switch interval shortens
every wait but makes every thread pay for it.

So the GUI thread beats a heart (a timer every BEAT_S on its event loop) while any
worker streams rows, and a worker checks the beat between two pieces of work: if the
GUI thread has not been able to run its timer for STARVED_S, the worker sleeps (the
GIL is free while it sleeps) until the heart beats again, for at most MAX_WAIT_S.
A GUI thread that keeps up is never waited for: the workers run at full speed.
"""

from __future__ import annotations

import asyncio
import time

__all__ = ["Pacer", "pacer"]

#: the heartbeat's period on the GUI thread's loop
BEAT_S = 0.004
#: a heartbeat this late means the GUI thread is waiting (for the GIL, most likely;
#: 12 ms let the longest GUI gap of All clouds' 3 x 10,000 servers be ~5 ms longer)
STARVED_S = 0.008
#: a worker sleeps in steps of this, and at most MAX_WAIT_S in all at one check
STEP_S = 0.002
MAX_WAIT_S = 0.100
#: background work (writing a snapshot) waits at most this long in all for the streams
#: to end, then goes on (a stream stuck on a hung cloud, or a window refreshing all the
#: time, only delays it that much)
BACKGROUND_WAIT_S = 1.0
#: how often background work looks whether the streams have ended
BACKGROUND_STEP_S = 0.02


class Pacer:
    """The GUI thread's heartbeat and the workers' check of it.

    :meth:`start` and :meth:`stop` (on the GUI thread, around a stream of pages) count
    the users; the heart beats only while there are some. :meth:`give_way` is called
    on a worker, between two pieces of work.
    """

    def __init__(self, clock=time.monotonic, sleep=time.sleep):
        self._clock, self._sleep = clock, sleep
        self._users = 0
        #: the users that are streams (the rest: background work)
        self._streams = 0
        self._beat = clock()
        self._handle: asyncio.TimerHandle | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        #: seconds workers slept for the GUI thread (a measure, for the bench)
        self.waited_s = 0.0

    def start(self, loop: asyncio.AbstractEventLoop, stream: bool = True) -> None:
        self._users += 1
        self._streams += stream
        if self._handle is None:
            self._loop = loop
            self._tick()

    def stop(self, stream: bool = True) -> None:
        self._users = max(0, self._users - 1)
        self._streams = max(0, self._streams - stream)
        if not self._users and self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _tick(self) -> None:
        self._beat = self._clock()
        try:
            self._handle = self._loop.call_later(BEAT_S, self._tick)
        except RuntimeError:  # the loop is closed: no more beats, nobody waits
            self._handle = None
            self._users = self._streams = 0

    def starved(self) -> bool:
        """Whether the GUI thread has missed its beat (only while the heart beats)."""
        return self._handle is not None and self._clock() - self._beat > STARVED_S

    def give_way(self) -> float:
        """On a worker: sleep while the GUI thread is starved, at most MAX_WAIT_S.
        Returns the seconds slept."""
        if not self.starved():
            return 0.0
        start = self._clock()
        while self.starved() and self._clock() - start < MAX_WAIT_S:
            self._sleep(STEP_S)
        waited = self._clock() - start
        self.waited_s += waited
        return waited

    def wait_for_streams(self, limit: float = BACKGROUND_WAIT_S) -> float:
        """On a worker doing background work, between two pieces of it: sleep while a
        stream runs (a list someone waits for: it gets the GIL, not this), at most
        ``limit``, then give way as a stream would. Returns the seconds slept."""
        start = self._clock()
        while self._streams > 0 and self._clock() - start < limit:
            self._sleep(BACKGROUND_STEP_S)
        return self._clock() - start + self.give_way()

    def _background_turns(self):
        """``between`` for one piece of background work: it waits for the streams
        BACKGROUND_WAIT_S in all, not at each piece (what it holds, a list's rows, is
        not kept for long by a window that refreshes all the time)."""
        left = BACKGROUND_WAIT_S

        def between() -> float:
            nonlocal left
            waited = self.wait_for_streams(left)
            left = max(0.0, left - waited)
            return waited
        return between

    def submit(self, executor, fn, *args):
        """On the GUI thread: background work, ``fn(*args, between=...)`` on ``executor``,
        ``between`` (:meth:`wait_for_streams`, BACKGROUND_WAIT_S in all) called by ``fn``
        between two pieces of its work; the heart beats until it ends. The future, or
        None once the executor is shut down."""
        loop = asyncio.get_event_loop()
        self.start(loop, stream=False)  # before the work can begin
        try:
            future = executor.submit(fn, *args, between=self._background_turns())
        except RuntimeError:  # shut down: the window is closing
            self.stop(stream=False)
            return None

        def ended(_future) -> None:
            try:
                loop.call_soon_threadsafe(self.stop, False)
            except RuntimeError:  # the loop is closed
                pass
        future.add_done_callback(ended)
        return future


#: the app's pacer (one GUI thread, one heartbeat)
pacer = Pacer()
