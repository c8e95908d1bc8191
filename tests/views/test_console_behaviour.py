"""The API console keeps still under the user, says what it copied, shows each call's
host, groups polling, and holds at most its memory cap (and lets go of what it drops)."""

from __future__ import annotations

import datetime as dt
import gc
import weakref

import pytest
from PySide6.QtCore import QPoint, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QAbstractSlider

from console_calls import (CONSOLE_MARKS, COMPUTE, SERVER_ID, fill, not_found_call,
                           polling_calls, record, select_call, server_get_call,
                           server_list_call, token_call, visible_calls)
from osdesk.api.calllog import JsonText
from osdesk.models.api_log import POLL_WINDOW_S, ApiLogModel
from osdesk.views import console_dock
from osdesk.views.console_dock import ConsoleDock

pytestmark = CONSOLE_MARKS
MIB = 1024 * 1024


@pytest.fixture
def model():
    return ApiLogModel()


def make_dock(qtbot, model) -> ConsoleDock:
    dock = ConsoleDock(model)
    qtbot.addWidget(dock)
    dock.resize(1200, 320)
    dock.show()
    qtbot.waitExposed(dock)
    return dock


@pytest.fixture
def dock(qtbot, model):
    return make_dock(qtbot, model)


def distinct_calls(count: int, start: int = 0):
    """GETs of ``count`` different servers (nothing to group)."""
    return [record("GET", f"{COMPUTE}/servers/{i:08d}", content=b'{"server": {}}',
                   resp_headers={"Content-Type": "application/json"})
            for i in range(start, start + count)]


def top_call_id(dock) -> int:
    return dock.table.indexAt(QPoint(4, 4)).data(ApiLogModel.IdRole)


# ---------------------------------------------------------------- 1. no scrolling under the user
def test_new_calls_do_not_move_a_selected_row(qtbot, dock, model):
    bar = dock.table.verticalScrollBar()
    fill(model, *distinct_calls(60))
    assert bar.value() == bar.maximum() > 0  # following the newest
    # the user clicks a row near the bottom of what is shown
    target = dock.table.indexAt(QPoint(4, dock.table.viewport().height() - 8))
    rect = dock.table.visualRect(target)
    qtbot.mouseClick(dock.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    chosen = dock.current_call()
    top = top_call_id(dock)
    assert not dock.following()

    fill(model, *distinct_calls(50, start=100))

    assert dock.current_call() is chosen
    assert top_call_id(dock) == top
    assert bar.value() < bar.maximum()

    # Esc clears the selection: the list follows the newest again
    dock.table.setFocus()
    qtbot.keyClick(dock.table, Qt.Key.Key_Escape)
    assert dock.current_call() is None and dock.following()
    fill(model, *distinct_calls(3, start=200))
    assert bar.value() == bar.maximum()


def test_scrolling_back_to_the_bottom_follows_again(dock, model):
    bar = dock.table.verticalScrollBar()
    fill(model, *distinct_calls(60))
    select_call(dock, model.call_at(10))
    fill(model, *distinct_calls(5, start=100))
    assert not dock.following()
    bar.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)  # the user scrolls down
    assert dock.following()
    fill(model, *distinct_calls(5, start=200))
    assert bar.value() == bar.maximum()


# ---------------------------------------------------------------- 4. copying says so
def test_every_copy_says_what_it_copied(qtbot, monkeypatch, model):
    monkeypatch.setattr(console_dock, "NOTICE_MS", 50)
    dock = make_dock(qtbot, model)
    assert dock.notice() == ""
    fill(model, server_get_call())
    dock.select_last()
    clipboard = QGuiApplication.clipboard()
    for action, said in ((dock.curl_action, "Copied as curl"),
                         (dock.cli_action, "Copied the openstack command"),
                         (dock.copy_url_action, "Copied the URL"),
                         (dock.copy_request_id_action, "Copied the request id")):
        clipboard.clear()
        action.trigger()
        assert clipboard.text()
        assert dock.notice() == said
    qtbot.waitUntil(lambda: dock.notice() == "")  # the notice goes by itself


# ---------------------------------------------------------------- 5. the host of each call
def test_each_row_shows_service_and_host(dock, model):
    fill(model, server_get_call(), token_call(),
         record("GET", "https://10.0.0.5:8774/v2.1/flavors", content=b"{}"))
    column = ApiLogModel.COL_HOST
    hosts = [dock.proxy.index(row, column).data() for row in range(3)]
    assert hosts == ["compute · cloud.test", "identity · cloud.test", "compute · 10.0.0.5:8774"]
    assert dock.table.horizontalHeader().sectionSize(column) > 100
    dock.filter_edit.setText("10.0.0.5")
    assert dock.proxy.rowCount() == 1


# ---------------------------------------------------------------- 3. polling grouped, or hidden
def test_repeated_polling_is_one_row_with_a_count(dock, model):
    calls = polling_calls(37)
    fill(model, token_call(), *calls[:20], not_found_call(), *calls[20:])
    assert model.rowCount() == 3
    row = model.row_of_id(calls[-1].id)
    assert model.count_at(row) == 37
    assert model.call_at(row) is calls[-1]  # the newest of them is the one shown
    time_cell = model.index(row, ApiLogModel.COL_TIME)
    assert time_cell.data() == f"×37, last {calls[-1].time:%H:%M:%S}"
    assert "37 identical calls" in time_cell.data(Qt.ItemDataRole.ToolTipRole)
    assert model.stored_bytes == sum(model.call_at(r).stored_bytes() for r in range(3))


def test_what_is_not_polling_is_not_grouped(model):
    first, again = polling_calls(2)
    later = polling_calls(1)[0]
    later.time = again.time + dt.timedelta(seconds=POLL_WINDOW_S + 1)
    failing = polling_calls(1, status=503)[0]
    posts = [record("POST", f"{COMPUTE}/servers/{SERVER_ID}/action", json_body={"os-stop": None},
                    status=202) for _ in range(2)]
    fill(model, first, again, later, failing, *posts)
    assert [model.count_at(r) for r in range(model.rowCount())] == [2, 1, 1, 1, 1]


def test_hide_polling_is_a_remembered_toggle(qtbot, dock, model):
    fill(model, *polling_calls(3), token_call(), not_found_call())
    assert dock.proxy.rowCount() == 3
    dock.hide_polling_action.trigger()
    assert [c.status for c in visible_calls(dock)] == [201, 404]  # each happened once
    fill(model, not_found_call())  # the 404 repeats: now it is polling too
    assert [c.status for c in visible_calls(dock)] == [201]

    again = make_dock(qtbot, ApiLogModel())
    assert again.hide_polling_action.isChecked() and again.proxy.hide_polling()
    again.hide_polling_action.trigger()
    assert QSettings().value(console_dock.HIDE_POLLING_KEY) in (False, "false")


# ---------------------------------------------------------------- 7. a memory cap in bytes
def test_the_log_holds_at_most_its_byte_cap(model):
    model.set_max_bytes(2 * MIB)
    calls = [server_list_call(150, f"?page={i}") for i in range(40)]  # ~350 KB answers each
    assert isinstance(calls[0].response_json, JsonText)
    assert sum(c.stored_bytes() for c in calls) > 5 * model.max_bytes
    for call in calls:
        model.append(call)
        assert model.stored_bytes <= model.max_bytes
        assert model.call_at(model.rowCount() - 1) is call  # the newest is always kept
    kept = model.calls()
    assert calls[0] not in kept and kept == calls[-len(kept):]  # the oldest went first
    assert model.stored_bytes == sum(c.stored_bytes() for c in kept)

    model.set_max_bytes(MIB // 2)  # a smaller cap drops the oldest now
    assert model.stored_bytes <= MIB // 2 and model.calls()[-1] is calls[-1]


def test_a_call_bigger_than_the_cap_keeps_only_its_head(model):
    model.set_max_bytes(MIB)
    big = server_list_call(1500)  # ~3.5 MB
    model.append(big)
    assert model.rowCount() == 1 and model.stored_bytes <= MIB
    kept = model.call_at(0)
    assert kept.id == big.id and kept.response_json is None
    assert kept.response_body == big.response_body  # the head still shows


def alive(refs) -> list:
    gc.collect()
    return [r() for r in refs if r() is not None]


def test_calls_dropped_beyond_the_cap_are_freed(qtbot, dock, model):
    """Nothing else in the console (proxy, view, selection, polling rows) keeps a call
    the cap dropped: memory stays flat once the cap is full."""
    model.set_max_bytes(2 * MIB)
    refs = []
    for i in range(40):  # ~350 KB answers: the cap holds a handful
        call = server_list_call(150, f"?page={i}")
        refs.append(weakref.ref(call))
        model.append(call)
        dock.table.selectRow(dock.proxy.rowCount() - 1)  # the user looks at the newest
        qtbot.wait(0)
        del call
    assert 0 < model.rowCount() < 40
    assert alive(refs) == model.calls()  # only what the console still shows


def test_a_polling_row_keeps_only_its_newest_call(dock, model):
    calls = polling_calls(30)
    refs = [weakref.ref(c) for c in calls]
    fill(model, *calls)
    newest = calls[-1]
    del calls
    assert model.rowCount() == 1
    assert alive(refs) == [newest]


def test_the_cap_is_a_remembered_setting_of_the_console(qtbot, dock, model):
    assert model.max_bytes == 32 * MIB and dock.max_mib_spin.value() == 32
    fill(model, *[server_list_call(150, f"?page={i}") for i in range(10)])
    dock.max_mib_spin.setValue(1)
    assert model.max_bytes == MIB and model.stored_bytes <= MIB
    other = ApiLogModel()
    make_dock(qtbot, other)
    assert other.max_bytes == MIB


def test_a_full_log_dropping_its_oldest_does_not_move_the_rows_shown(qtbot, dock, model):
    model.set_max_rows(100)  # as a full byte cap does: each new call drops the oldest
    fill(model, *distinct_calls(100))
    select_call(dock, model.call_at(70))
    top = top_call_id(dock)
    fill(model, *distinct_calls(20, start=200))
    assert model.rowCount() == 100
    assert top_call_id(dock) == top
    assert dock.current_call().id == model.call_at(50).id
