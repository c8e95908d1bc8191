"""All clouds on osdesk's real window, in a fresh process.

    python bench/inventory_worker.py MODE INFOS_JSON SERVERS

INFOS_JSON is a list of demo clouds (bench/demo_server.py infos), each SERVERS servers.

MODE ``load``: the longest gap of a 5 ms QTimer on the GUI thread while the inventory
  logs in to every cloud at once and lists them (servers, volumes, floating IPs, images,
  networks), until every server row is in; also the time that took. The listing writes
  the inventory's snapshot (in this process's cache folder) as the app does.
MODE ``snapshot``: with every cloud hung (no answer at all), the time from the window
  shown to every server row of the snapshot a ``load`` run left in the same cache folder
  in the inventory's model, and the longest GUI stall meanwhile.

Prints one JSON line. The demo clouds run in their own processes.
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import _gui as G  # noqa: E402


def window_with(infos):
    from osdesk.views.main_window import MainWindow
    window = MainWindow()
    for i, info in enumerate(infos):
        profile = G.profile_for(info)
        profile = type(profile)(**{**profile.__dict__, "id": f"bench-{i}", "name": f"Cloud {i}"})
        window.clouds.add_transient_cloud(profile, info["password"])
    return window


def main() -> int:
    mode, infos, n = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])
    app, loop = G.setup_app()
    probe = G.StallProbe()
    import stall_sampler
    sampler = stall_sampler.Sampler().start() if stall_sampler.ENABLED else None
    window = window_with(infos)
    page = window.desk.page
    servers = page.models["servers"]
    total = n * len(infos)
    out = {"mode": mode, "clouds": len(infos), "servers_per_cloud": n}
    # one coroutine a mode: a listing must not straddle two runs of the loop
    if mode == "load":
        async def scenario():
            window.show()
            await G.pause(0.3)
            probe.start()
            t0 = time.perf_counter()
            window.desk.show_inventory()
            await G.until(lambda: servers.rowCount() >= total, 600, what="every cloud's servers")
            out["rows_s"] = round(time.perf_counter() - t0, 3)
            await G.until(lambda: not page.inventory.busy(), 600, what="every list")
            out["all_lists_s"] = round(time.perf_counter() - t0, 3)
            out["stall"] = probe.stop()
            store = window.snapshots.store  # the snapshot the next mode starts from
            # written atomically: there is all of it once the file is (a stat, not a
            # read of 10,000 rows on the GUI thread on every poll)
            await G.until(lambda: all(any(store.root.glob(f"bench-{i}/*--servers.json.gz"))
                                      for i in range(len(infos))), 120,
                          what="the snapshot written")
    elif mode == "snapshot":
        import requests
        for info in infos:
            requests.get(info["base_url"] + "/__bench__/hang", params={"re": "."}, timeout=30)

        async def scenario():
            window.show()
            t0 = time.perf_counter()
            probe.start()
            window.desk.show_inventory()
            await G.until(lambda: servers.rowCount() >= total, 120, what="the snapshot's rows")
            out["rows_s"] = round(time.perf_counter() - t0, 3)
            out["stall"] = probe.stop()
            out["rows"] = servers.rowCount()
            out["health"] = {pid: h.short for pid, h in page.inventory.health.items()}
    try:
        loop.run_until_complete(scenario())
    finally:
        if mode == "snapshot":
            for info in infos:
                requests.get(info["base_url"] + "/__bench__/unhang", timeout=30)
    if sampler is not None:
        sampler.stop()
        sampler.report(probe.gaps, probe.ends)
    window.shutdown()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
