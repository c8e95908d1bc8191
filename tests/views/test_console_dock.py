"""The API console dock: rows from any thread, redacted detail, copy, filter, clear, save."""

from __future__ import annotations

import json
import shlex
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette, QTextDocument

from console_calls import (CONSOLE_MARKS, COMPUTE, IDENTITY, NOVA, PASSWORD, SERVER_ID, TOKEN,
                           fill, not_found_call, refused_call, sample_bytes, select_call,
                           server_get_call, token_call, version_call, visible_calls)
from osdesk.api.calllog import CallLog, fingerprint
from osdesk.models.api_log import ApiLogBridge, ApiLogModel
from osdesk.views.console_dock import ConsoleDock
from osdesk.views.json_highlighter import JsonHighlighter

pytestmark = CONSOLE_MARKS



@pytest.fixture
def model():
    # these tests look at single calls: repeated GETs are not grouped here
    # (tests/views/test_console_polling.py groups them)
    return ApiLogModel(max_rows=500, group_polling=False)


@pytest.fixture
def dock(qtbot, model):
    widget = ConsoleDock(model)
    qtbot.addWidget(widget)
    widget.resize(1000, 320)
    return widget


def test_dock_identity(dock):
    assert dock.windowTitle() == "API console"
    assert dock.objectName() == "console_dock"
    assert dock.filter_edit.placeholderText() == "Filter method, URL, host, status, request id"
    assert [dock.status_combo.itemText(i) for i in range(dock.status_combo.count())] == \
        ["All", "Errors", "2xx", "4xx", "5xx"]
    header = dock.table.horizontalHeader()
    from osdesk.views.console_dock import COLUMN_WIDTHS
    for column, width in COLUMN_WIDTHS.items():
        assert header.sectionSize(column) == width
    # the URL takes what is left
    assert header.sectionResizeMode(ApiLogModel.COL_URL) == header.ResizeMode.Stretch


def test_rows_arrive_from_worker_threads(qtbot, dock, model):
    bridge = ApiLogBridge(model)
    log = CallLog()
    bridge.attach(log)
    calls = [server_get_call(), not_found_call(), token_call()]

    def worker():
        for call in calls:
            log.emit(call)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    qtbot.waitUntil(lambda: model.rowCount() == 6)
    assert dock.proxy.rowCount() == 6
    assert sorted(c.id for c in visible_calls(dock)) == sorted([c.id for c in calls] * 2)
    bridge.detach()


def test_detail_is_redacted(dock, model):
    token, server = token_call(), server_get_call()
    fill(model, token, server)

    select_call(dock, token)
    assert dock.current_call() is token
    request = dock.request_view.toPlainText()
    response = dock.response_view.toPlainText()
    assert request.startswith(f"POST {IDENTITY}/auth/tokens")
    assert response.startswith("HTTP 201 Created")
    assert f"X-Subject-Token: {fingerprint(TOKEN)}" in response
    assert "{SHA256}" in response
    for text in (request, response):
        assert TOKEN not in text
        assert PASSWORD not in text
        assert "devstacker" not in text  # the sample's own password
    assert '"methods"' in request  # the shape of the auth request stays visible

    select_call(dock, server)
    request = dock.request_view.toPlainText()
    response = dock.response_view.toPlainText()
    assert request.splitlines()[0] == f"GET {COMPUTE}/servers/{SERVER_ID}"
    assert f"X-Auth-Token: {fingerprint(TOKEN)}" in request
    assert TOKEN not in request
    assert '"addresses": {' in response  # the pretty body
    assert "x-compute-request-id: req-11111111" in response


def test_no_answer_shows_the_error(dock, model):
    call = refused_call()
    fill(model, call)
    dock.select_last()
    response = dock.response_view.toPlainText()
    assert response.startswith("No answer")
    assert "connection refused" in response
    assert not dock.inspect_action.isEnabled()


def test_copy_as_curl(dock, model):
    server = server_get_call()
    fill(model, token_call(), server)
    select_call(dock, server)
    QGuiApplication.clipboard().clear()
    dock.curl_action.trigger()
    text = QGuiApplication.clipboard().text()
    words = shlex.split(text)
    assert words[0] == "curl"
    assert f"{COMPUTE}/servers/{SERVER_ID}" in words
    assert "X-Auth-Token: $OS_TOKEN" in words
    assert "$OS_TOKEN" in text
    assert TOKEN not in text


def test_copy_as_openstack(dock, model):
    versions, server = version_call(), server_get_call()
    fill(model, versions, server)

    select_call(dock, server)
    assert dock.cli_action.isEnabled()
    dock.cli_action.trigger()
    assert QGuiApplication.clipboard().text() == f"openstack server show {SERVER_ID}"

    select_call(dock, versions)
    assert versions.as_openstack_cli() is None
    assert not dock.cli_action.isEnabled()
    assert "No openstack CLI command" in dock.cli_action.toolTip()
    assert dock.copy_cli() is None


def test_filter_text_and_status_class(qtbot, dock, model):
    fill(model, server_get_call(), not_found_call(), token_call(), refused_call())
    assert dock.proxy.rowCount() == 4

    qtbot.keyClicks(dock.filter_edit, "404")
    assert [c.status for c in visible_calls(dock)] == [404]
    dock.filter_edit.clear()
    assert dock.proxy.rowCount() == 4

    dock.status_combo.setCurrentIndex(dock.status_combo.findText("Errors"))
    statuses = [c.status for c in visible_calls(dock)]
    assert statuses == [404, None]
    dock.status_combo.setCurrentIndex(dock.status_combo.findText("2xx"))
    assert [c.status for c in visible_calls(dock)] == [200, 201]
    dock.status_combo.setCurrentIndex(dock.status_combo.findText("All"))
    assert dock.proxy.rowCount() == 4


def test_clear_empties(dock, model):
    fill(model, server_get_call(), not_found_call())
    dock.select_last()
    assert dock.response_view.toPlainText()
    dock.clear_action.trigger()
    assert model.rowCount() == 0
    assert dock.proxy.rowCount() == 0
    assert dock.current_call() is None
    assert dock.request_view.toPlainText() == ""
    assert dock.response_view.toPlainText() == ""
    assert not dock.curl_action.isEnabled()


def test_save_json(dock, model, tmp_path):
    fill(model, token_call(), server_get_call(), not_found_call(), refused_call())
    target = tmp_path / "calls.json"
    assert dock.save_json(target) == 4
    raw = target.read_text(encoding="utf-8")
    data = json.loads(raw)
    assert isinstance(data, list) and len(data) == 4
    assert [d["status"] for d in data] == [201, 200, 404, None]
    assert TOKEN not in raw
    assert PASSWORD not in raw
    assert fingerprint(TOKEN) in raw
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left behind


def test_save_action_uses_file_dialog(dock, model, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    fill(model, server_get_call())
    target = tmp_path / "picked.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *a, **k: (str(target), "JSON files (*.json)"))
    dock.save_action.trigger()
    assert len(json.loads(target.read_text(encoding="utf-8"))) == 1


def test_max_rows_bounds_the_ring_buffer(dock, model):
    model.set_max_rows(10)
    calls = [server_get_call() for _ in range(15)]
    fill(model, *calls)
    assert model.rowCount() == 10
    assert [c.id for c in model.calls()] == [c.id for c in calls[-10:]]
    assert dock.proxy.rowCount() == 10


def test_inspect_json(qtbot, dock, model):
    server = server_get_call()
    fill(model, token_call(), server)
    dock.show()
    qtbot.waitExposed(dock)
    select_call(dock, server)
    with qtbot.waitSignal(dock.inspectRequested) as blocker:
        dock.inspect_button.click()
    value, title = blocker.args
    assert value == json.loads(sample_bytes(f"{NOVA}/servers/v2.96/server-get-resp.json"))
    assert "GET" in title and SERVER_ID in title

    rect = dock.table.visualRect(dock.table.currentIndex())
    # a real double click: press and release, then the double-click event
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(dock.inspectRequested) as blocker:
        qtbot.mouseDClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0] is server.response_json


def test_follows_newest_unless_scrolled_up(qtbot, dock, model):
    dock.show()
    qtbot.waitExposed(dock)
    bar = dock.table.verticalScrollBar()
    fill(model, *[server_get_call() for _ in range(60)])
    assert bar.maximum() > 0
    assert bar.value() == bar.maximum()

    bar.setValue(0)  # the user scrolls up to read
    fill(model, *[not_found_call() for _ in range(5)])
    assert bar.value() == 0

    dock.select_last()
    assert bar.value() == bar.maximum()
    assert dock.current_call().status == 404
    fill(model, server_get_call())
    assert bar.value() == bar.maximum()


def test_context_menu_actions(dock, model):
    fill(model, server_get_call())
    dock.select_last()
    texts = [a.text() for a in dock.context_menu().actions() if not a.isSeparator()]
    assert "Copy as curl" in texts and "Inspect JSON" in texts


def _formats_of_line(document, line: int):
    block = document.findBlockByNumber(line)
    return {(f.start, f.length): f.format.foreground().color().name()
            for f in block.layout().formats()}


@pytest.mark.parametrize("window", ["#ffffff", "#202020"])
def test_highlighter_colours_follow_the_palette(qapp, window):
    palette = QPalette()
    palette.setColor(QPalette.ColorRole.Window, QColor(window))
    document = QTextDocument()
    document.setPlainText('GET http://x/\nAccept: application/json\n\n{\n  "id": "abc",\n'
                          '  "n": 12,\n  "ok": true\n}')
    highlighter = JsonHighlighter(document, palette, http_head=True)
    key = highlighter.colour_of("key")
    dark = QColor(window).lightness() < 128
    # a light key colour on a dark window, a dark one on a light window
    assert (key.lightness() > 128) == dark
    assert _formats_of_line(document, 4)[(2, 4)] == key.name()  # "id"
    assert _formats_of_line(document, 4)[(8, 5)] == highlighter.colour_of("string").name()
    assert _formats_of_line(document, 5)[(7, 2)] == highlighter.colour_of("number").name()
    assert _formats_of_line(document, 6)[(8, 4)] == highlighter.colour_of("literal").name()
    # the HTTP head is not read as JSON: no number colour for the header line
    assert _formats_of_line(document, 1) == {(0, 6): highlighter.colour_of("header").name()}
