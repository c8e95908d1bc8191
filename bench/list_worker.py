"""One large-list measurement in a fresh process (so its peak RSS is its own).

    python bench/list_worker.py CONTESTANT INFO_JSON EXPECTED

CONTESTANT: ``osdesk`` (MainWindow → CloudSession → runner → ResourceFeed →
ResourceTableModel, on the qasync loop, offscreen), ``floor`` (one requests GET per
page + json.loads), ``sdk`` (``list(conn.compute.servers(details=True))``).
Log-in, discovery and imports happen before the clock starts; the clock covers the
list from its first request to the last row being available. Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import _common as C  # noqa: E402


def control(info, what):
    import requests
    return requests.get(info["base_url"] + "/__bench__/" + what, timeout=30).json()


def run_floor(info, expected):
    import requests
    http = requests.Session()
    token = C.get_token(info, http)
    http.get(info["base_url"] + "/compute/v2.1/", headers={"X-Auth-Token": token}, timeout=30)
    control(info, "reset")
    rss0 = C.rss_bytes()
    t0 = time.perf_counter()
    rows = C.floor_list(info, http, token)
    dt = time.perf_counter() - t0
    return {"seconds": dt, "rows": len(rows), "rss_before": rss0, "rss_after": C.rss_bytes()}


def run_sdk(info, expected):
    import openstack
    p = info["profile"]
    conn = openstack.connect(auth_url=info["auth_url"], username=p["username"],
                             password=info["password"], project_name=p["project_name"],
                             user_domain_name=p["user_domain_name"],
                             project_domain_name=p["project_domain_name"],
                             region_name=p["region_name"], interface=p["interface"])
    conn.authorize()
    list(conn.compute.flavors())  # discovery and microversion negotiation, off the clock
    control(info, "reset")
    rss0 = C.rss_bytes()
    t0 = time.perf_counter()
    rows = list(conn.compute.servers(details=True))
    dt = time.perf_counter() - t0
    return {"seconds": dt, "rows": len(rows), "rss_before": rss0, "rss_after": C.rss_bytes()}


def run_osdesk(info, expected):
    import _gui as G
    app, loop = G.setup_app()
    window = G.open_window(loop, info)
    page = window.pages["servers"]
    spy = G.ModelSpy(page.model, page.proxy)
    control(info, "reset")
    rss0 = C.rss_bytes()
    dt = G.load_servers(loop, window, expected, timeout=600)
    out = {"seconds": dt, "rows": page.model.rowCount(), "rss_before": rss0,
           "rss_after": C.rss_bytes(), "gui": spy.report(),
           "api_log_rows": window.api_log_model.rowCount()}
    window.shutdown()
    return out


def main():
    contestant, info_json, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
    info = json.loads(info_json)
    fn = {"floor": run_floor, "sdk": run_sdk, "osdesk": run_osdesk}[contestant]
    out = fn(info, expected)
    out["peak_rss"] = C.peak_rss_bytes()
    stats = control(info, "stats")
    out["requests"] = stats["requests"]
    out["bytes"] = stats["bytes"]
    out["by_path"] = stats["by_path"]
    out["contestant"] = sys.argv[1]
    if out["rows"] != expected:
        out["error"] = f"expected {expected} rows, got {out['rows']}"
    print(json.dumps(out), flush=True)
    os._exit(0)  # no teardown of Qt/threads: nothing left to measure


if __name__ == "__main__":
    main()
