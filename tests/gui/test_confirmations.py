"""Destructive actions ask first: the button names the verb and the count, Cancel is the
default (Enter and Esc leave everything as it was), and "Cancel" sends nothing."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def deletes(window):
    calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
    return [c for c in calls if c.method == "DELETE"]


def actions_sent(window):
    calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
    return [c for c in calls if c.method == "POST" and c.url.endswith("/action")]


def loaded(window, loop, key):
    page = window.pages[key]
    window.show_page(key)
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    return page


def rows_of(page, pred=lambda r: True):
    return [r for r in (page.model.raw(k) for k in page.model.keys()) if pred(r)]


def test_declining_every_delete_confirmation_sends_no_delete(window, loop, demo_cloud, answers):
    answers.on("Delete", "cancel")
    open_demo(window, demo_cloud)
    rows = {key: rows_of(loaded(window, loop, key))[:1]
            for key in ("servers", "images", "keypairs", "networks", "subnets")}
    servers = rows_of(window.pages["servers"], lambda r: not r["locked"])[:2]
    run(loop, window.server_actions.perform("delete", servers))
    image_actions, key_actions, net_actions, subnet_actions = (
        window.page_actions[k] for k in ("images", "keypairs", "networks", "subnets"))
    unprotected = rows_of(window.pages["images"], lambda r: not r.get("protected"))[:1]
    run(loop, image_actions.delete(unprotected))
    run(loop, key_actions.delete(rows["keypairs"]))
    run(loop, net_actions.delete(rows["networks"]))
    run(loop, subnet_actions.delete(rows["subnets"]))
    asked = [s for s in answers.seen if s.kind == "message"]
    assert len(asked) == 5
    # each confirmation names what would be deleted, on a verb button with the count
    assert servers[0]["name"] in asked[0].text and servers[1]["name"] in asked[0].text
    assert "Delete 2 servers" in asked[0].buttons
    assert "Delete 1 image" in asked[1].buttons
    assert rows["keypairs"][0]["name"] in asked[2].text and "Delete 1 key pair" in asked[2].buttons
    assert "Delete 1 network" in asked[3].buttons and "Delete 1 subnet" in asked[4].buttons
    assert deletes(window) == []


def open_box():
    box = QApplication.activeModalWidget()
    return box if isinstance(box, QMessageBox) else None


def test_enter_on_a_delete_confirmation_cancels(window, loop, demo_cloud):
    """The Delete key on four selected servers, then Enter: nothing is deleted (before,
    the box's default was Yes and Enter deleted all four)."""
    from PySide6.QtCore import QItemSelectionModel
    open_demo(window, demo_cloud)
    page = loaded(window, loop, "servers")
    four = rows_of(page, lambda r: not r["locked"])[:4]
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    for server in four:
        index = page.proxy.mapFromSource(page.model.index(page.model.row_for_key(server["id"]), 0))
        page.table.selectionModel().select(index, flags)
    window.activateWindow()
    page.table.setFocus()
    run(loop, until(lambda: page.table.hasFocus()))
    QTest.keyClick(page.table, Qt.Key.Key_Delete)
    run(loop, until(lambda: open_box() is not None))
    box = open_box()
    assert [b.text() for b in box.buttons() if b is box.defaultButton()] == ["Cancel"]
    assert any(b.text() == "Delete 4 servers" for b in box.buttons())
    assert all(s["name"] in box.text() for s in four)
    assert "cannot be undone" in box.text()
    QTest.keyClick(box, Qt.Key.Key_Return)
    run(loop, until(lambda: open_box() is None))
    run(loop, page.refresh())
    assert deletes(window) == []
    assert {s["id"] for s in four} <= set(page.model.keys())


def test_the_verb_button_deletes_and_the_box_lists_only_what_is_affected(window, loop,
                                                                         demo_cloud, answers):
    answers.on("Delete", lambda box: next(b for b in box.buttons()
                                          if b.text().startswith("Delete")).click())
    open_demo(window, demo_cloud)
    page = loaded(window, loop, "servers")
    two = rows_of(page, lambda r: not r["locked"])[:2]
    run(loop, window.server_actions.perform("delete", two))
    assert len(deletes(window)) == 2
    assert {c.url.rsplit("/", 1)[1] for c in deletes(window)} == {s["id"] for s in two}


def test_bulk_stop_asks_first_and_a_single_stop_does_not(window, loop, demo_cloud, answers):
    answers.on("Stop", "cancel")
    open_demo(window, demo_cloud)
    page = loaded(window, loop, "servers")
    active = rows_of(page, lambda r: r["status"] == "ACTIVE" and not r["locked"]
                     and not r.get("OS-EXT-STS:task_state"))[:4]
    assert len(active) == 4
    run(loop, window.server_actions.perform("stop", active))
    (asked,) = [s for s in answers.seen if s.kind == "message"]
    assert "Stop 4 servers" in asked.buttons
    assert actions_sent(window) == []
    run(loop, window.server_actions.perform("stop", active[:1]))
    assert len([s for s in answers.seen if s.kind == "message"]) == 1  # no question for one
    assert len(actions_sent(window)) == 1


def test_a_bulk_action_leaves_its_results_in_a_window_until_closed(window, loop, demo_cloud,
                                                                   answers):
    answers.on("Pause", "go")
    open_demo(window, demo_cloud)
    page = loaded(window, loop, "servers")
    active = rows_of(page, lambda r: r["status"] == "ACTIVE" and not r["locked"]
                     and not r.get("OS-EXT-STS:task_state"))[:2]
    stopped = rows_of(page, lambda r: r["status"] == "SHUTOFF" and not r["locked"])[:1]
    run(loop, window.server_actions.perform("pause", active + stopped))
    results = window.server_actions.last_results
    assert results.isVisible() and results.windowTitle() == "Pause: 3 servers"
    by_name = dict(results.results())
    assert all(by_name[s["name"]] == "accepted" for s in active)
    assert by_name[stopped[0]["name"]].startswith("skipped: needs ACTIVE")
    run(loop, until(lambda: results.isVisible()))  # still there on the next turns
    results.close()
