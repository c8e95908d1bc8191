"""GUI-thread measurements on osdesk's real window, in a fresh process.

    python bench/gui_worker.py MODE INFO_JSON EXPECTED [REFRESHES]

MODE ``responsiveness``: the longest gap of a 5 ms QTimer on the GUI thread during the
  first load of the servers (the refresh that brings every row), a refresh of the loaded
  list, typing in the filter box, sorting by several columns, and while the list
  request hangs (DemoCloud.hang) until Cancel.
MODE ``churn``: GUI-thread time of merging an unchanged list, and one with 100 changed
  rows (renamed on the demo cloud), through the feed; resets / layout changes seen.
MODE ``memory``: RSS before the cloud opens, after the servers are in, and over
  REFRESHES refreshes (sampled every few), with what the console log holds.

Prints one JSON line. The demo cloud runs in its own process (bench/demo_server.py).
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import _common as C  # noqa: E402
import _gui as G  # noqa: E402


def control(info, what, **params):
    import requests
    return requests.get(info["base_url"] + "/__bench__/" + what, params=params, timeout=30).json()


class GcWatch:
    """Durations of the cyclic collections (they run on the GUI thread: osdesk.runtime.gcguard)."""

    def __init__(self):
        self.events = []
        self._start = None
        gc.callbacks.append(self._cb)

    def _cb(self, phase, info):
        if phase == "start":
            self._start = (time.perf_counter(), info.get("generation"))
        elif self._start is not None:
            t, gen = self._start
            self.events.append((gen, time.perf_counter() - t))
            self._start = None

    def take(self) -> dict:
        ev, self.events = self.events, []
        out = {"collections": len(ev)}
        for gen in (0, 1, 2):
            d = [dt for g, dt in ev if g == gen]
            if d:
                out[f"gen{gen}"] = {"n": len(d), "max_ms": round(max(d) * 1000, 1)}
        out["max_ms"] = round(max((dt for _, dt in ev), default=0) * 1000, 1)
        return out


def measured(loop, probe, gcw, coro_fn):
    """Run ``coro_fn()`` on the loop with the stall probe on; stall + GC report."""
    import stall_sampler
    sampler = stall_sampler.Sampler().start() if stall_sampler.ENABLED else None
    gcw.take()
    probe.start()
    t0 = time.perf_counter()
    extra = loop.run_until_complete(coro_fn())
    seconds = time.perf_counter() - t0
    out = probe.stop()
    if sampler is not None:
        sampler.stop()
        print(f"=== {getattr(coro_fn, '__name__', 'case')}", file=sys.stderr)
        sampler.report(probe.gaps, probe.ends)
    out["seconds"] = round(seconds, 3)
    out["gc"] = gcw.take()
    if isinstance(extra, dict):
        out.update(extra)
    return out


# ---------------------------------------------------------------------- responsiveness
def responsiveness(info, expected, _refreshes):
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    app, loop = G.setup_app()
    window = G.open_window(loop, info)
    page = window.pages["servers"]
    spy = G.ModelSpy(page.model, page.proxy)
    probe = G.StallProbe(5)
    gcw = GcWatch()
    results = {}

    async def first_load():
        done = {}
        page.feed.refreshed.connect(lambda n: done.setdefault("t", 1))
        window.show_page("servers")
        await G.until(lambda: "t" in done, 600, interval=0.002, what="servers loaded")
        await asyncio.sleep(0.2)  # what the view does right after the last page
        return {"rows": page.model.rowCount()}
    spy.reset()
    results["first_load"] = measured(loop, probe, gcw, first_load)
    results["first_load"]["gui"] = spy.report()
    page.feed.set_paused(True)  # no auto-refresh in the middle of the next cases
    control(info, "settle")

    async def refresh():
        await page.refresh()
        await asyncio.sleep(0.2)
        return {"state": page.feed.state}
    loop.run_until_complete(refresh())  # untimed: settles the rows that moved while loading
    spy.reset()
    results["refresh_loaded"] = measured(loop, probe, gcw, refresh)
    results["refresh_loaded"]["gui"] = spy.report()

    edit = page.filter_edit
    edit.setFocus()

    async def typing():
        per_key = []
        keys = list("web-01") + ["Backspace"] * 6 + list("active") + ["Backspace"] * 6
        for key in keys:
            t = time.perf_counter()
            if key == "Backspace":
                QTest.keyClick(edit, Qt.Key.Key_Backspace)
            else:
                QTest.keyClick(edit, key)
            per_key.append(((time.perf_counter() - t) * 1000, key, page.proxy.rowCount()))
            await asyncio.sleep(0.12)  # a fast typist: ~8 keys per second
        worst = max(per_key)
        return {"keys": len(keys), "worst_key_ms": round(worst[0], 1),
                "worst_key": worst[1], "rows_shown_after_worst": worst[2],
                "per_key_ms": [round(p[0], 1) for p in per_key]}
    results["typing"] = measured(loop, probe, gcw, typing)

    table = page.table
    model = page.model
    sort_cols = [model.column_index(k) for k in ("name", "status", "addresses", "created", "id")]
    sort_cols = [c for c in sort_cols if c >= 0]

    async def sorting():
        per = []
        for col in sort_cols:
            for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
                t = time.perf_counter()
                table.sortByColumn(col, order)  # what a click on the header ends in
                per.append(((time.perf_counter() - t) * 1000, model.columns[col].key,
                            order.name))
                await asyncio.sleep(0.15)
        table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        await asyncio.sleep(0.15)
        worst = max(per)
        return {"sorts": len(per), "worst_sort_ms": round(worst[0], 1),
                "worst_sort": f"{worst[1]} {worst[2]}",
                "per_sort_ms": {f"{k} {o}": round(ms, 1) for ms, k, o in per}}
    results["sort"] = measured(loop, probe, gcw, sorting)

    async def hang():
        control(info, "hang", re=r"/servers/detail")
        try:
            task = page.refresh()  # the Refresh button; its list request never answers
            await asyncio.sleep(2.5)
            state_during = page.feed.state
            page.cancel_button.click()  # the user gives up
            await asyncio.sleep(0.3)
            done = task.done()
        finally:
            control(info, "unhang")
        return {"state_during": state_during, "cancelled": done,
                "rows_kept": page.model.rowCount()}
    results["hang"] = measured(loop, probe, gcw, hang)
    results["rss_end"] = C.rss_bytes()
    window.shutdown()
    return results


# ---------------------------------------------------------------------- churn
def churn(info, expected, reps):
    app, loop = G.setup_app()
    window = G.open_window(loop, info)
    page = window.pages["servers"]
    G.load_servers(loop, window, expected, timeout=600)
    page.feed.set_paused(True)
    control(info, "settle")
    G.refresh_servers(loop, window, 600)  # settles the rows that moved while loading
    spy = G.ModelSpy(page.model, page.proxy)
    probe = G.StallProbe(5)
    gcw = GcWatch()
    out = {"unchanged": [], "changed_100": [], "merge_unchanged": []}

    async def refresh():
        await page.refresh()
        return {"state": page.feed.state}

    for rep in range(max(1, reps)):
        spy.reset()
        r = measured(loop, probe, gcw, refresh)
        r["gui"] = spy.report()
        out["unchanged"].append(r)

        control(info, "rename", n=100, tag=f"r{rep}")
        spy.reset()
        r = measured(loop, probe, gcw, refresh)
        r["gui"] = spy.report()
        out["changed_100"].append(r)

        # the same 10,000 rows through the one-shot merge() (new, equal dicts)
        rows = [dict(page.model.raw_at(i)) for i in range(page.model.rowCount())]
        spy.reset()

        async def merge_all():
            page.model.merge(rows)
            await asyncio.sleep(0.05)
        r = measured(loop, probe, gcw, merge_all)
        r["gui"] = spy.report()
        out["merge_unchanged"].append(r)
    out["rows"] = page.model.rowCount()
    window.shutdown()
    return out


# ---------------------------------------------------------------------- memory
def memory(info, expected, refreshes):
    """RSS over REFRESHES refreshes once the console's API log is full.

    The console keeps calls up to its byte cap ("Keep N MiB"); until that cap is full
    RSS grows by design, so the growth is measured from a baseline taken after it.
    With ``BENCH_CONSOLE_ROWS=1`` (the target's run) every call gets a row of its own
    (no polling rows: the worst case, as when a changing list makes new page URLs), and
    the harness refreshes until the cap is full before the baseline. Without it the
    console is as shipped: refreshes of an unchanged list count on the same rows, so
    the log stays small and the cap is never reached.
    """
    app, loop = G.setup_app()
    gc.collect()
    rss_start = C.rss_bytes()
    window = G.open_window(loop, info)
    rss_open = C.rss_bytes()
    page = window.pages["servers"]
    log = window.api_log_model
    every_call = bool(os.environ.get("BENCH_CONSOLE_ROWS"))
    if os.environ.get("BENCH_CONSOLE_MIB"):
        log.set_max_bytes(int(os.environ["BENCH_CONSOLE_MIB"]) * 2**20)
    if every_call:
        log.group_polling = False
    G.load_servers(loop, window, expected, timeout=600)
    page.feed.set_paused(True)
    control(info, "settle")
    loop.run_until_complete(G.pause(1.0))  # let the GUI-thread GC timer run
    rss_loaded = C.rss_bytes()
    fill = 0
    # one refresh at least (the first one after a load differs); then, for the target's
    # run, until the console holds its cap, and two more so the allocator has seen
    # old records go as new ones come
    while fill < 1 or (every_call and log.stored_bytes < 0.95 * log.max_bytes and fill < 100):
        G.refresh_servers(loop, window, 600)
        fill += 1
    for _ in range(2 if every_call else 0):
        G.refresh_servers(loop, window, 600)
        fill += 1
    loop.run_until_complete(G.pause(1.0))
    rss_base = C.rss_bytes()
    console_base = log.rowCount()
    samples = [(0, rss_base)]
    t0 = time.perf_counter()
    durations = []
    for i in range(1, refreshes + 1):
        durations.append(G.refresh_servers(loop, window, 600))
        loop.run_until_complete(G.pause(0.2))  # the GC guard's timer gets its turn
        samples.append((i, C.rss_bytes()))
    elapsed = time.perf_counter() - t0
    rss_end = samples[-1][1]
    # a sample can land on a refresh's transient peak (its pages in flight): the growth
    # is the median of the last five samples over the median of the first five
    first = C.median([r for _, r in samples[:5]])
    last = C.median([r for _, r in samples[-5:]])
    gc.collect()
    rss_end_collected = C.rss_bytes()
    held = [log.call_at(r) for r in range(log.rowCount())]
    body_chars = sum(len(c.response_body or "") + len(c.request_body or "") for c in held)
    body_bytes = sum(sys.getsizeof(c.response_body or "") + sys.getsizeof(c.request_body or "")
                     for c in held)
    out = {"rss_start": rss_start, "rss_open": rss_open, "rss_loaded": rss_loaded,
           "rss_base": rss_base, "rss_end": rss_end, "rss_end_collected": rss_end_collected,
           "growth": last - first, "growth_last_sample": rss_end - rss_base,
           "rss_max": max(r for _, r in samples),
           "refreshes": refreshes, "fill_refreshes": fill,
           "every_call_a_row": every_call,
           "samples": [[i, r] for i, r in samples], "seconds": round(elapsed, 1),
           "refresh_median_s": round(C.median(durations), 3),
           "refresh_s": [round(d, 2) for d in durations],
           "console_rows": log.rowCount(), "console_body_chars": body_chars,
           "console_body_bytes": body_bytes, "console_stored_bytes": log.stored_bytes,
           "console_max_bytes": log.max_bytes,
           "console_max_rows": log.max_rows, "console_rows_base": console_base,
           "rows": page.model.rowCount(), "peak_rss": C.peak_rss_bytes()}
    window.shutdown()
    return out


def main():
    mode, info_json, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    extra = int(sys.argv[4]) if len(sys.argv) > 4 else 1
    info = json.loads(info_json)
    if os.environ.get("BENCH_DETACH_CONSOLE"):
        # diagnosis only: the window without the console's API log subscriber
        from osdesk.views import main_window as mw
        real_init = mw.MainWindow.__init__

        def init(self, *a, **kw):
            real_init(self, *a, **kw)
            self.api_log_bridge.detach()
        mw.MainWindow.__init__ = init
    if os.environ.get("BENCH_SWITCH_INTERVAL"):
        # diagnosis only: a shorter GIL switch interval (CPython's default is 5 ms)
        sys.setswitchinterval(float(os.environ["BENCH_SWITCH_INTERVAL"]))
    fn = {"responsiveness": responsiveness, "churn": churn, "memory": memory}[mode]
    out = fn(info, expected, extra)
    out["mode"] = mode
    print(json.dumps(out), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
