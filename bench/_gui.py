"""osdesk's real GUI path in a benchmark process: QApplication + the GUI-thread GC guard +
the qasync loop, exactly as ``osdesk.app.run_gui`` sets them up, then a ``MainWindow``
opening the (separate-process) demo cloud as a transient cloud.

Instrumentation only observes: a 5 ms stall probe (a QTimer on the GUI thread), timers
around the model's merge calls (instance attributes wrapping the real methods), and
signal counters.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def setup_app():
    """(app, loop) as in ``osdesk.app.run_gui`` (minus the demo/CLI handling)."""
    from osdesk import __version__
    from osdesk.app import gui_event_loop
    QCoreApplication.setOrganizationName("osdesk")
    QCoreApplication.setApplicationName("osdesk")
    QCoreApplication.setApplicationVersion(__version__)
    app = QApplication.instance() or QApplication(["osdesk-bench"])
    loop = gui_event_loop(app)
    return app, loop


def profile_for(info: dict):
    from osdesk.profiles.profile import Profile
    known = {f.name for f in dataclasses.fields(Profile)} - {"id", "source"}
    fields = {k: v for k, v in info["profile"].items() if k in known and k != "password"}
    return Profile(id="bench-demo", source="demo", **fields)


async def until(predicate, timeout: float, interval: float = 0.01, what: str = "condition"):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return
        await asyncio.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f} s")


async def pause(seconds: float):
    await asyncio.sleep(seconds)


def open_window(loop, info: dict, first_page: str = "flavors", timeout: float = 120.0):
    """A MainWindow with the demo cloud open and settled on ``first_page`` (so the
    servers page has not loaded yet): connected, lookups and projects loaded."""
    from osdesk.views.main_window import MainWindow
    window = MainWindow()
    window.show()
    window.show_page(first_page)
    profile = profile_for(info)
    window.clouds.add_transient_cloud(profile, info["password"])
    window.open_profile(profile)
    loaded = {"lookups": False}
    window.session.lookupsChanged.connect(lambda: loaded.__setitem__("lookups", True))
    page = window.pages[first_page]
    loop.run_until_complete(until(
        lambda: window.session is not None and window.session.info
        and page.feed.state == "ready" and loaded["lookups"]
        and window.project_combo.count() > 0, timeout, what="connected and settled"))
    loop.run_until_complete(pause(0.3))
    return window


class StallProbe(QObject):
    """A 5 ms PreciseTimer on the GUI thread; the longest gap between two of its
    timeouts is the longest time the GUI thread could not run an event."""

    def __init__(self, interval_ms: int = 5):
        super().__init__()
        self.interval_ms = interval_ms
        self.timer = QTimer(self)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last = None

    def _tick(self):
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append(now - self._last)
            self.ends.append(now)
            if now - self._last > 0.050:  # when the long ones ended, from start()
                self.long_at.append(round(now - self._started, 3))
        self._last = now

    def start(self):
        self.gaps = []
        self.ends: list[float] = []  # perf_counter() at the end of each gap
        self.long_at: list[float] = []
        self._last = self._started = time.perf_counter()
        self.timer.start()

    def max_after(self, t: float) -> float | None:
        """The longest gap (ms) that began after ``t`` (a perf_counter() time)."""
        after = [g for g, end in zip(self.gaps, self.ends) if end - g >= t]
        return round(max(after) * 1000, 1) if after else None

    def stop(self) -> dict:
        self.timer.stop()
        self._tick()  # the gap up to now counts too
        gaps = sorted(self.gaps)
        if not gaps:
            return {"max_ms": None, "p99_ms": None, "ticks": 0, "over_50ms": 0}
        return {"max_ms": round(gaps[-1] * 1000, 1),
                "p99_ms": round(gaps[min(len(gaps) - 1, int(len(gaps) * 0.99))] * 1000, 1),
                "ticks": len(gaps), "over_50ms": sum(1 for g in gaps if g > 0.050),
                "over_50ms_ended_at_s": self.long_at[:20],
                "worst5_ms": [round(g * 1000, 1) for g in gaps[-5:][::-1]]}


class ModelSpy:
    """Times the model's merge calls on the GUI thread and counts its structural signals.

    The wrappers are instance attributes calling the real bound methods, so the feed's
    code path is unchanged; signal handlers connected directly (proxy, view, page) run
    inside the timed call, which is the GUI-thread cost we want.
    """

    def __init__(self, model, proxy=None):
        self.model = model
        self.calls: list[tuple[str, float, int, float]] = []
        self.counts = {"resets": 0, "proxy_resets": 0, "layout_changes": 0, "data_changed": 0,
                       "rows_inserted": 0, "rows_removed": 0}
        for name in ("merge_page", "finish_refresh", "merge", "sort", "set_context"):
            self._wrap(name)
        model.modelAboutToBeReset.connect(lambda: self._count("resets"))
        model.layoutChanged.connect(lambda *a: self._count("layout_changes"))
        model.dataChanged.connect(lambda *a: self._count("data_changed"))
        model.rowsInserted.connect(lambda *a: self._count("rows_inserted"))
        model.rowsRemoved.connect(lambda *a: self._count("rows_removed"))
        if proxy is not None:
            proxy.modelAboutToBeReset.connect(lambda: self._count("proxy_resets"))

    def _count(self, key):
        self.counts[key] += 1

    def _wrap(self, name):
        real = getattr(self.model, name)
        calls = self.calls

        def timed(*args, **kwargs):
            t = time.perf_counter()
            cpu = time.thread_time()
            try:
                return real(*args, **kwargs)
            finally:
                rows = len(args[0]) if args and hasattr(args[0], "__len__") else 0
                calls.append((name, time.perf_counter() - t, rows, time.thread_time() - cpu))
        setattr(self.model, name, timed)

    def reset(self):
        self.calls.clear()
        for k in self.counts:
            self.counts[k] = 0

    def report(self) -> dict:
        per = {}
        for name, dt, rows, _cpu in self.calls:
            slot = per.setdefault(name, {"calls": 0, "total_ms": 0.0, "max_ms": 0.0, "rows": 0})
            slot["calls"] += 1
            slot["total_ms"] += dt * 1000
            slot["max_ms"] = max(slot["max_ms"], dt * 1000)
            slot["rows"] += rows
        for slot in per.values():
            slot["total_ms"] = round(slot["total_ms"], 1)
            slot["max_ms"] = round(slot["max_ms"], 1)
        return {"gui_ms": round(sum(c[1] for c in self.calls) * 1000, 1),
                "gui_cpu_ms": round(sum(c[3] for c in self.calls) * 1000, 1),
                "max_call_ms": round(max((c[1] for c in self.calls), default=0) * 1000, 1),
                "by_call": per, "signals": dict(self.counts)}


def load_servers(loop, window, expected: int, timeout: float) -> float:
    """Switch to the Servers tab (which starts its first load, as a click would) and wait
    until every row is in the model and the feed says ready. Returns seconds."""
    page = window.pages["servers"]
    done = {}
    page.feed.refreshed.connect(lambda n: done.setdefault("t", time.perf_counter()))
    t0 = time.perf_counter()
    window.show_page("servers")
    loop.run_until_complete(until(lambda: "t" in done, timeout, interval=0.002,
                                  what="servers loaded"))
    if page.model.rowCount() != expected:
        raise RuntimeError(f"expected {expected} rows, the model has {page.model.rowCount()}")
    return done["t"] - t0


def refresh_servers(loop, window, timeout: float) -> float:
    """One refresh of the loaded servers page (the Refresh button); seconds."""
    page = window.pages["servers"]
    t0 = time.perf_counter()
    task = page.refresh()
    loop.run_until_complete(asyncio.wait_for(asyncio.shield(task), timeout))
    if page.feed.state != "ready":
        raise RuntimeError(f"refresh ended in state {page.feed.state}: {page.feed.message}")
    return time.perf_counter() - t0
