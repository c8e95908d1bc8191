"""ApiLogModel, its bridge from worker threads, and its filter proxy."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from PySide6.QtCore import QThread, Qt

from osdesk.api.calllog import ApiCall, CallLog
from osdesk.models.api_log import (DEFAULT_MAX_ROWS, NO_ANSWER, ApiLogBridge,
                                   ApiLogFilterProxy, ApiLogModel, status_class)
from osdesk.models.colors import ROLE_COLORS

D = Qt.ItemDataRole
T0 = dt.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=dt.timezone.utc)


def make_call(status=200, method="GET", path="/compute/v2.1/servers/detail?limit=1000",
              request_id="req-1", error="", ms=42.4, cloud="lab", **kw) -> ApiCall:
    return ApiCall(method=method, url=f"https://cloud.example.com:8774{path}", status=status,
                   elapsed_ms=ms, request_id=request_id, error=error, cloud=cloud,
                   time=kw.pop("time", T0), **kw)


def cells(model, row) -> list[str]:
    return [model.index(row, c).data() for c in range(model.columnCount())]


def test_columns_roles_and_colours(check_model):
    model = ApiLogModel(group_polling=False)
    check_model(model)
    model.append(make_call())
    model.append(make_call(status=None, error="Connection refused", request_id=None,
                           method="POST", path="/identity/v3/auth/tokens", ms=3.0))
    model.append(make_call(status=404, request_id="req-2"))
    model.append(make_call(status=503, request_id="req-3"))
    model.append(make_call(status=304, request_id="req-4"))
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(8)] == [
        "Time", "Cloud", "Service · host", "Method", "Path", "Status", "ms", "Request ID"]
    assert cells(model, 0) == ["07:08:09.123", "lab", "cloud.example.com:8774", "GET",
                               "/compute/v2.1/servers/detail?limit=1000", "200", "42", "req-1"]
    assert cells(model, 1)[3:] == ["POST", "/identity/v3/auth/tokens", NO_ANSWER, "3", ""]
    url = model.index(0, ApiLogModel.COL_URL)
    assert url.data(D.ToolTipRole) == \
        "https://cloud.example.com:8774/compute/v2.1/servers/detail?limit=1000"
    status = lambda row: model.index(row, ApiLogModel.COL_STATUS)  # noqa: E731
    assert status(1).data(D.ToolTipRole) == "Connection refused"
    assert status(0).data(D.ForegroundRole) == ROLE_COLORS["ok"]
    assert status(1).data(D.ForegroundRole) == ROLE_COLORS["error"]
    assert status(2).data(D.ForegroundRole) == ROLE_COLORS["warn"]
    assert status(3).data(D.ForegroundRole) == ROLE_COLORS["error"]
    assert status(4).data(D.ForegroundRole) is None  # 3xx neutral
    assert model.index(0, 0).data(D.ForegroundRole) is None  # 2xx rows stay plain
    assert model.index(3, 0).data(D.ForegroundRole) == ROLE_COLORS["error"]
    assert model.index(0, ApiLogModel.COL_MS).data(ApiLogModel.SortRole) == 42.4
    assert model.index(0, 0).data(ApiLogModel.CallRole) is model.call_at(0)
    assert model.index(0, 0).data(ApiLogModel.IdRole) == model.call_at(0).id
    assert model.row_of_id(model.call_at(3).id) == 3
    assert int(status(0).data(D.TextAlignmentRole)) & int(Qt.AlignmentFlag.AlignRight)


def test_ring_buffer_bound(check_model, recorder):
    model = ApiLogModel(max_rows=5, group_polling=False)
    check_model(model)
    rec = recorder(model)
    calls = [make_call(request_id=f"req-{i}") for i in range(12)]
    for call in calls:
        model.append(call)
    assert model.rowCount() == 5
    assert model.calls() == calls[-5:]
    assert rec.of("rowsRemoved") == [(0, 0)] * 7
    assert len(rec.of("rowsInserted")) == 12
    model.set_max_rows(2)
    assert model.calls() == calls[-2:]
    assert rec.of("rowsRemoved")[-1] == (0, 2)
    assert model.max_rows == 2
    model.set_max_rows(2000)
    model.clear()
    assert model.rowCount() == 0
    assert ApiLogModel().max_rows == DEFAULT_MAX_ROWS


def test_to_json_is_the_redacted_dicts(check_model):
    model = ApiLogModel(group_polling=False)
    check_model(model)
    call = make_call(request_headers={"X-Auth-Token": "{SHA256}abc"})
    model.append(call)
    out = model.to_json()
    assert out == [call.to_dict()]
    json.dumps(out)  # serialisable as is


def test_bridge_hands_records_from_worker_threads_to_the_gui_thread(qtbot, check_model):
    model = ApiLogModel(group_polling=False)
    check_model(model)
    bridge = ApiLogBridge(model)
    log = CallLog()
    bridge.attach(log)
    appended_on = []
    model.rowsInserted.connect(lambda *a: appended_on.append(QThread.currentThread()))

    def worker(n):
        for i in range(5):
            log.emit(make_call(request_id=f"req-{n}-{i}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qtbot.waitUntil(lambda: model.rowCount() == 20, timeout=5000)
    assert set(appended_on) == {model.thread()}
    assert sorted(c.request_id for c in model.calls()) == sorted(
        f"req-{n}-{i}" for n in range(4) for i in range(5))
    bridge.detach()
    log.emit(make_call())
    qtbot.wait(20)
    assert model.rowCount() == 20


def test_filter_proxy_by_text_and_status_class(check_model):
    model = ApiLogModel(group_polling=False)
    proxy = ApiLogFilterProxy()
    proxy.setSourceModel(model)
    check_model(model)
    check_model(proxy)
    model.append(make_call(200, "GET", "/compute/v2.1/servers/detail", "req-aaa"))
    model.append(make_call(404, "GET", "/image/v2/images/xyz", "req-bbb"))
    model.append(make_call(500, "POST", "/compute/v2.1/servers", "req-ccc"))
    model.append(make_call(None, "GET", "/networking/v2.0/networks", None, error="timed out"))
    model.append(make_call(201, "POST", "/networking/v2.0/ports", "req-ddd"))

    def rows():
        return [proxy.index(r, ApiLogModel.COL_URL).data() for r in range(proxy.rowCount())]

    proxy.set_status_filter("errors")
    assert rows() == ["/image/v2/images/xyz", "/compute/v2.1/servers",
                      "/networking/v2.0/networks"]
    proxy.set_status_filter("2xx")
    assert rows() == ["/compute/v2.1/servers/detail", "/networking/v2.0/ports"]
    proxy.set_status_filter("4xx")
    assert rows() == ["/image/v2/images/xyz"]
    proxy.set_status_filter("5xx")
    assert rows() == ["/compute/v2.1/servers"]
    proxy.set_status_filter("all")
    proxy.set_filter_text("post")
    assert rows() == ["/compute/v2.1/servers", "/networking/v2.0/ports"]
    proxy.set_filter_text("REQ-BBB")
    assert rows() == ["/image/v2/images/xyz"]
    proxy.set_filter_text("404")
    assert rows() == ["/image/v2/images/xyz"]
    proxy.set_filter_text("networking post")
    assert rows() == ["/networking/v2.0/ports"]
    proxy.set_filter_text("")
    proxy.set_status_filter("errors")
    model.append(make_call(403, "DELETE", "/compute/v2.1/servers/1", "req-eee"))
    assert rows()[-1] == "/compute/v2.1/servers/1"
    with pytest.raises(ValueError):
        proxy.set_status_filter("teapot")
    proxy.set_status_filter("all")
    proxy.sort(ApiLogModel.COL_STATUS, Qt.SortOrder.AscendingOrder)  # None sorts last
    assert [proxy.index(r, ApiLogModel.COL_STATUS).data() for r in range(6)] == [
        "200", "201", "403", "404", "500", NO_ANSWER]


def test_status_class():
    assert [status_class(s) for s in (None, 204, 301, 404, 503)] == [
        "none", "2xx", "3xx", "4xx", "5xx"]
