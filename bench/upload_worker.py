"""A large image upload, measured in a fresh process.

    python bench/upload_worker.py MODE INFO_JSON PATH [SERVERS]

MODE ``osdesk``: the real window on the (separate-process) demo cloud; the Images page's
  own create flow (``ImageActions.create``: a sibling connection on the cloud's transfer
  executor, the TransferDialog fed by a queued signal) uploads PATH. Measured on the GUI
  thread: the longest gap of a 5 ms QTimer, every progress update the dialog shows
  (time, bytes, bar value, and how long it took from the worker's report to the dialog), the peak RSS during the upload over the RSS before it, and
  how long a refresh of the Servers page takes while the upload runs.
MODE ``floor``: the same two requests with plain ``requests`` (POST /v2/images, then a
  PUT of the open file object) and nothing else: the fastest a Python client can be.

Prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import _common as C  # noqa: E402


def reset_peak_rss() -> bool:
    """Start VmHWM over from the current RSS (Linux: clear_refs 5)."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def hwm_bytes() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def osdesk(info: dict, path: str, servers_expected: int) -> dict:
    import _gui as G
    from osdesk.views.image_dialogs import TransferDialog

    size = os.path.getsize(path)
    updates: list[tuple[float, int, int]] = []
    emitted: dict[int, float] = {}
    real = TransferDialog._on_progress

    real_emit = TransferDialog.progress

    def progress(self, done, total):  # on the worker: when the report left
        emitted[done] = time.perf_counter()
        real_emit(self, done, total)

    def on_progress(self, done, total):  # observes only: the dialog's own slot runs as is
        real(self, done, total)
        updates.append((time.perf_counter(), done, self.bar.value()))
    TransferDialog._on_progress = on_progress
    TransferDialog.progress = progress

    app, loop = G.setup_app()
    window = G.open_window(loop, info, first_page="images")
    servers = window.pages["servers"]
    G.load_servers(loop, window, servers_expected, timeout=120)
    servers.feed.set_paused(True)  # only the refresh below, not the auto-refresh timer
    image_actions = window.page_actions["images"]
    # settle as a window used for a while would be: the collector's first full pass
    # over what the start-up and the servers list left behind is behind it
    app._osdesk_gc_guard.full_pass()
    probe = G.StallProbe(5)
    out = {"bytes": size}
    for phase, browsing in (("alone", False), ("browsing", True)):
        updates.clear()
        out[phase] = upload_once(loop, window, image_actions, probe, updates, path,
                                 f"bench-upload-{phase}", browsing)
        # how long each report took from the worker to the screen (the GUI's share)
        delays = [t - emitted[d] for t, d, _ in updates if d in emitted]
        out[phase]["delivery_max_ms"] = round(max(delays) * 1000, 1) if delays else None
        out[phase]["delivery_median_ms"] = round(C.median(delays) * 1000, 1) if delays else None
        emitted.clear()
    # the same browsing without an upload: which stalls are the upload's
    n = max(1, out["browsing"]["refreshes_during"])

    async def browse():
        for _ in range(n):
            await servers.refresh()
            await asyncio.sleep(0.5)
    probe.start()
    loop.run_until_complete(browse())
    out["browsing_without_upload"] = {"refreshes": n, "stall": probe.stop()}
    window.shutdown()
    return out


def upload_once(loop, window, image_actions, probe, updates, path, name, browsing) -> dict:
    """One upload through the page's flow; with ``browsing``, the Servers page is
    refreshed every 0.5 s meanwhile (the user keeps working in the same cloud)."""
    import _gui as G
    size = os.path.getsize(path)
    servers = window.pages["servers"]
    values = {"name": name, "path": path, "disk_format": "raw", "container_format": "bare",
              "visibility": "private", "min_disk": 0, "min_ram": 0, "protected": False,
              "tags": []}
    refreshes: list[float] = []

    async def upload():
        task = asyncio.ensure_future(image_actions.create(values))
        await G.until(lambda: updates or task.done(), 60, what="first progress")
        while browsing and not task.done():
            t = time.perf_counter()
            await servers.refresh()
            refreshes.append(time.perf_counter() - t)
            await asyncio.sleep(0.5)
        await task
        await asyncio.sleep(0.1)  # the images page's refresh that follows the upload

    rss_before = C.rss_bytes()
    hwm_ok = reset_peak_rss()
    cpu0 = time.process_time()
    probe.start()
    t0 = time.perf_counter()
    loop.run_until_complete(upload())
    seconds = time.perf_counter() - t0
    stall = probe.stop()
    # the dialog opening (the click's own work) apart from the upload that follows
    stall["max_after_first_progress_ms"] = probe.max_after(updates[0][0]) if updates else None
    cpu = time.process_time() - cpu0
    peak = hwm_bytes() if hwm_ok else C.peak_rss_bytes()
    message = window.statusBar().currentMessage()
    times = [u[0] for u in updates]
    gaps = [b - a for a, b in zip(times, times[1:])]  # between updates the user sees
    bars = [u[2] for u in updates]
    return {"seconds": round(seconds, 3), "mb_per_s": round(size / seconds / 1e6, 1),
            "cpu_s": round(cpu, 2), "stall": stall, "progress_updates": len(updates),
            "progress_max_gap_ms": round(max(gaps) * 1000, 1) if gaps else None,
            "progress_median_gap_ms": round(C.median(gaps) * 1000, 1) if gaps else None,
            "first_progress_ms": round((times[0] - t0) * 1000, 1) if times else None,
            "bar_monotonic": bars == sorted(bars), "bar_last": bars[-1] if bars else None,
            "bytes_last": updates[-1][1] if updates else None,
            "refreshes_during": len(refreshes),
            "refresh_during_max_s": round(max(refreshes), 3) if refreshes else None,
            "refresh_during_median_s": round(C.median(refreshes), 3) if refreshes else None,
            "rss_before": rss_before, "peak_rss_during": peak,
            "peak_growth": peak - rss_before, "peak_exact": hwm_ok,
            "status_message": message, "active": " is active " in message}


def floor(info: dict, path: str, _servers: int) -> dict:
    import requests
    size = os.path.getsize(path)
    http = requests.Session()
    token = C.get_token(info, http)
    headers = {"X-Auth-Token": token}
    glance = info["base_url"] + "/image/v2"
    rss_before = C.rss_bytes()
    hwm_ok = reset_peak_rss()
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    r = http.post(glance + "/images", json={"name": "bench-floor", "disk_format": "raw",
                                            "container_format": "bare"},
                  headers=headers, timeout=60)
    r.raise_for_status()
    image_id = r.json()["id"]
    with open(path, "rb") as f:
        r = http.put(f"{glance}/images/{image_id}/file", data=f, timeout=600,
                     headers=dict(headers, **{"Content-Type": "application/octet-stream"}))
    r.raise_for_status()
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - cpu0
    peak = hwm_bytes() if hwm_ok else C.peak_rss_bytes()
    status = http.get(f"{glance}/images/{image_id}", headers=headers, timeout=60).json()["status"]
    return {"bytes": size, "seconds": round(seconds, 3),
            "mb_per_s": round(size / seconds / 1e6, 1), "cpu_s": round(cpu, 2),
            "rss_before": rss_before, "peak_rss_during": peak, "peak_growth": peak - rss_before,
            "peak_exact": hwm_ok, "active": status == "active"}


def main():
    mode, info, path = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
    servers = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    out = {"osdesk": osdesk, "floor": floor}[mode](info, path, servers)
    out["mode"] = mode
    print(json.dumps(out), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
