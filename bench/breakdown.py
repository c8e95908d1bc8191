"""Where the time goes: the pieces of osdesk's list path, timed one by one on real
500-server pages (the demo cloud's bytes), in this process.

    python bench/breakdown.py [ROWS]

Not a contest; it explains the contest's numbers. Prints one JSON line.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import _common as C  # noqa: E402


def best_of(fn, n=5):
    best = None
    for _ in range(n):
        t = time.perf_counter()
        fn()
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    return best * 1000.0


def main():
    total = int(sys.argv[1]) if len(sys.argv) > 1 else 10000
    import requests
    from osdesk.demo import DemoCloud
    demo = DemoCloud(servers=C.PAGE_SIZE).start()
    try:
        info = {"base_url": demo.base_url, "auth_url": demo.auth_url, "password": demo.PASSWORD,
                "profile": demo.profile_fields()}
        http = requests.Session()
        token = C.get_token(info, http)
        resp = http.get(f"{demo.base_url}/compute/v2.1/servers/detail?limit={C.PAGE_SIZE}",
                        headers={"X-Auth-Token": token, "Accept": "application/json",
                                 "OpenStack-API-Version": f"compute {C.MICROVERSION}"},
                        timeout=60)
        body = resp.content
    finally:
        demo.stop()
    page = json.loads(body)["servers"]
    out = {"page_rows": len(page), "page_bytes": len(body)}

    # ---------------------------------------------------------------- worker thread
    from osdesk.api import calllog
    out["json_loads_ms"] = best_of(lambda: json.loads(body))
    out["call_record_ms"] = best_of(lambda: calllog.build_call(resp.request, resp, elapsed_ms=1.0))
    out["redact_body_ms"] = best_of(lambda: calllog.redact_body(body, "application/json"))
    record = calllog.build_call(resp.request, resp, elapsed_ms=1.0)
    out["call_record_body_chars"] = len(record.response_body)

    # ---------------------------------------------------------------- GUI thread
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication, QTableView
    from osdesk.models.filter_proxy import ResourceFilterProxy
    from osdesk.kinds.registry import columns_for, row_key_for
    from osdesk.models.resource_model import ResourceTableModel
    app = QApplication.instance() or QApplication(["bench"])
    gc.disable()  # as osdesk.runtime.gcguard: collections are timed separately below

    rows = []
    for k in range(max(1, total // len(page))):
        for raw in page:
            r = json.loads(json.dumps(raw))
            r["id"] = f"{k:04d}{raw['id'][4:]}"
            r["name"] = f"{raw['name']}-{k}"
            rows.append(r)
    pages = [rows[i:i + C.PAGE_SIZE] for i in range(0, len(rows), C.PAGE_SIZE)]

    def model_with(view: bool, sort_col: int = 0):
        m = ResourceTableModel(columns_for("servers"), key=row_key_for("servers"))
        p = ResourceFilterProxy()
        p.setSourceModel(m)
        v = None
        if view:
            v = QTableView()
            v.setModel(p)
            v.setSortingEnabled(True)
            v.resize(1000, 700)
            v.show()
            v.sortByColumn(sort_col, Qt.SortOrder.AscendingOrder)
        elif sort_col >= 0:
            m.sort(sort_col)
        return m, p, v

    def fill(m, p):
        # as the app does: rows built by prepare() (on the worker there), placed here
        prepared = [m.prepare(chunk) for chunk in pages]
        times = []
        for chunk in prepared:
            t = time.perf_counter()
            m.merge_page(chunk)
            app.processEvents()
            times.append((time.perf_counter() - t) * 1000)
        m.finish_refresh()
        return times

    # building the rows (ResourceTableModel.prepare: on the worker thread in the app)
    m0 = ResourceTableModel(columns_for("servers"), key=row_key_for("servers"))
    t = time.perf_counter()
    for chunk in pages:
        m0.prepare(chunk)
    out["prepare_ms"] = (time.perf_counter() - t) * 1000
    out["build_us_per_row"] = out["prepare_ms"] * 1000 / len(rows)
    del m0

    m, p, v = model_with(view=True, sort_col=0)
    times = fill(m, p)
    out["window_like_fill_ms"] = sum(times)
    out["window_like_page_ms"] = {"max": max(times), "first": times[0], "last": times[-1]}
    # the filter texts, which the app makes on the GUI thread's idle turns after a
    # refresh (models/text_warming.py), all at once here
    t = time.perf_counter()
    for row in range(m.rowCount()):
        m.filter_text_at(row)
    out["filter_texts_ms"] = (time.perf_counter() - t) * 1000

    # the same, unsorted (new rows appended: the floor of the placing)
    mu, pu, vu = model_with(view=True, sort_col=-1)
    tu = fill(mu, pu)
    out["window_like_fill_unsorted_ms"] = sum(tu)
    out["window_like_unsorted_page_ms"] = {"max": max(tu), "last": tu[-1]}
    vu.close()
    del mu, pu, vu

    # unchanged refresh: same rows, new equal dicts
    fresh_pages = [[json.loads(json.dumps(r)) for r in chunk] for chunk in pages]
    t = time.perf_counter()
    m.begin_refresh()
    for chunk in fresh_pages:
        m.merge_page(chunk)
    m.finish_refresh()
    out["unchanged_refresh_ms"] = (time.perf_counter() - t) * 1000
    out["unchanged_compare_us_per_row"] = out["unchanged_refresh_ms"] * 1000 / len(rows)

    # sorting: the whole header click vs the Python sort on the cached keys alone
    def header_click(col, order):
        v.sortByColumn(col, order)
        app.processEvents()
    out["sort_name_desc_ms"] = best_of(lambda: (header_click(0, Qt.SortOrder.DescendingOrder),
                                                header_click(0, Qt.SortOrder.AscendingOrder)),
                                       3) / 2
    keyed = [r.sort[0] for r in m._rows]
    out["sort_keys_only_ms"] = best_of(lambda: sorted(keyed, reverse=True), 3)
    id_col = m.column_index("id")
    t = time.perf_counter()
    header_click(id_col, Qt.SortOrder.AscendingOrder)
    out["sort_first_time_on_id_ms"] = (time.perf_counter() - t) * 1000
    header_click(0, Qt.SortOrder.AscendingOrder)

    # filtering: the proxy's C++ pattern match on FilterRole vs the same test as a list scan
    def type_filter(text):
        p.set_filter_text(text)
        app.processEvents()
    out["filter_narrow_ms"] = best_of(lambda: (type_filter("web-01"), type_filter("")), 3)
    t = time.perf_counter()
    type_filter("w")
    out["filter_first_char_ms"] = (time.perf_counter() - t) * 1000
    t = time.perf_counter()
    type_filter("")
    out["filter_clear_ms"] = (time.perf_counter() - t) * 1000
    texts = [m.filter_text_at(row) for row in range(m.rowCount())]
    out["filter_scan_only_ms"] = best_of(lambda: [i for i, s in enumerate(texts) if "w" in s], 3)

    # the cyclic GC with the rows held (osdesk.runtime.gcguard runs it on the GUI thread)
    gc.collect()
    t = time.perf_counter()
    gc.collect(2)
    out["gc_full_ms"] = (time.perf_counter() - t) * 1000
    out["gc_tracked_objects"] = len(gc.get_objects())
    # as the app's guard does (osdesk.runtime.gcguard): survivors of a full pass frozen,
    # the next full pass skips them
    gc.freeze()
    t = time.perf_counter()
    gc.collect(2)
    out["gc_full_after_freeze_ms"] = (time.perf_counter() - t) * 1000
    gc.unfreeze()
    gc.enable()

    # what the console keeps: records of 500-server pages, up to ApiLogModel's 2000 rows
    from osdesk.models.api_log import ApiLogModel
    out["console_max_rows"] = ApiLogModel().max_rows
    out["console_bound_mib"] = out["console_max_rows"] * out["call_record_body_chars"] / 2**20
    out["rows"] = len(rows)
    out = {k: (round(v, 2) if isinstance(v, float) else
               {kk: round(vv, 2) for kk, vv in v.items()} if isinstance(v, dict) else v)
           for k, v in out.items()}
    print(json.dumps(out), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
