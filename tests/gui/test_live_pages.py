"""The window always tells the truth: pages stay live while a dialog is open, a page whose
refresh died recovers and says how old its rows are, and a cloud that fails to open shows
nothing of the cloud before it."""

from __future__ import annotations

import asyncio
import time

import pytest
import shiboken6

from osdesk.profiles.profile import Profile
from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def is_open(dialog) -> bool:
    return shiboken6.isValid(dialog) and dialog.isVisible()


def list_calls(window, fragment: str) -> int:
    """GETs of ``fragment`` the console saw (a row of repeated polling counts each call)."""
    model = window.api_log_model
    return sum(model.count_at(r) for r in range(model.rowCount())
               if model.call_at(r).method == "GET" and fragment in model.call_at(r).url)


def rows_of(page, pred=lambda r: True):
    return [r for r in (page.model.raw(k) for k in page.model.keys()) if pred(r)]


def ready(window, loop, key):
    page = window.pages[key]
    window.show_page(key)
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    return page


def settled(r):
    return (r["status"] == "ACTIVE" and not r["locked"]
            and not r.get("OS-EXT-STS:task_state"))


def start_private_key(window, loop, tmp_path):
    return window.page_actions["keypairs"].create("fresh-key")


def start_rename(window, loop, tmp_path):
    server = rows_of(window.pages["servers"], settled)[0]
    return window.server_actions.perform("rename", [server])


def start_bulk_delete(window, loop, tmp_path):
    two = rows_of(window.pages["servers"], lambda r: not r["locked"])[:2]
    return window.server_actions.perform("delete", two)


def start_open_console(window, loop, tmp_path):
    server = rows_of(window.pages["servers"], settled)[0]
    return window.server_actions.perform("console_url", [server])


def start_import_result(window, loop, tmp_path):
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  lab:\n    auth:\n      auth_url: https://keystone.lab.test/v3\n"
                    "      username: alice\n      password: pw\n      project_name: web\n"
                    "      user_domain_name: Default\n      project_domain_name: Default\n")
    return window.clouds.import_clouds_yaml(str(path))


#: (what starts it, the page refreshed meanwhile and its list URL, the dialog's title)
DIALOGS = {
    "private key after creating a key pair": (start_private_key, "keypairs",
                                              "/os-keypairs", "Private key of fresh-key"),
    "rename": (start_rename, "servers", "/servers/detail", "Rename server"),
    "bulk delete confirmation": (start_bulk_delete, "servers", "/servers/detail",
                                 "Delete servers"),
    "open console": (start_open_console, "servers", "/servers/detail", "Open console"),
    "clouds.yaml import result": (start_import_result, "servers", "/servers/detail",
                                  "Import clouds.yaml"),
}


@pytest.mark.parametrize("case", list(DIALOGS))
def test_a_page_refreshes_while_a_dialog_is_open(window, loop, demo_cloud, answers, tmp_path,
                                                 case):
    """Before, the dialog's nested event loop killed the page's refresh task ("Cannot enter
    into task …") and the page never updated again; the loop guard fails on that too."""
    start, key, fragment, title = DIALOGS[case]
    open_demo(window, demo_cloud)
    ready(window, loop, "servers")
    page = ready(window, loop, key)
    task = window._spawn(start(window, loop, tmp_path))
    run(loop, until(lambda: any(s.title == title and is_open(s.dialog) for s in answers.seen)))
    # a refresh the action itself started (a new key pair reloads its page) ends first, so
    # the one below is a new one and sends a request of its own
    run(loop, until(lambda: page.feed.state == "ready"))
    before = list_calls(window, fragment)
    page.feed._on_timer()  # the scheduled refresh fires while the dialog is open
    run(loop, until(lambda: page.feed.state == "ready" and list_calls(window, fragment) > before))
    if key == "keypairs":  # the new key pair shows while the user decides about its key
        assert page.model.row_for_key("fresh-key") is not None
    # and the page keeps living after the dialog: F5 sends a request again
    answers.on("Private key not saved", lambda box: next(
        b for b in box.buttons() if b.text().startswith("Discard")).click())
    answers.on(".", "cancel")
    for seen in list(answers.seen):
        if is_open(seen.dialog):
            answers(seen.dialog)
    run(loop, until(task.done))
    before = list_calls(window, fragment)
    window.on_refresh()
    run(loop, until(lambda: list_calls(window, fragment) > before and page.feed.state == "ready"))


def test_a_refresh_that_died_is_replaced_and_the_page_says_how_old_its_rows_are(
        window, loop, demo_cloud, monkeypatch):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "flavors")
    feed = page.feed
    # a refresh task that will never end (as one whose step was lost to a loop error)
    dead = asyncio.get_event_loop().create_future()
    feed._task = dead
    feed._progress_at = time.monotonic() - 10
    assert feed.refresh() is dead  # still young: not replaced
    feed._progress_at = time.monotonic() - 3600
    before = list_calls(window, "/flavors")
    fresh = feed.refresh()
    assert fresh is not dead and dead.cancelled()
    run(loop, until(fresh.done))
    assert feed.state == "ready" and list_calls(window, "/flavors") == before + 1
    assert "as of" not in page.state_label.text()
    # rows that have not been brought up to date for a while say so
    feed.last_refresh -= 600
    page._show_age()
    assert page.state_label.text().startswith("⚠ as of") and "10 min ago" in page.state_label.text()
    # a failed refresh keeps the rows and says from when they are
    demo_cloud.fail_next(r"/flavors", 503, {"message": "compute is having a bad day"})
    run(loop, page.refresh())
    assert feed.state == "error" and page.model.rowCount() > 0
    assert "bad day" in page.banner.text() and "rows as of" in page.banner.text()
    # and the next scheduled refresh runs (polling goes on after an error)
    assert feed._timer.isActive()


def _show_something_of_the_good_cloud(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "flavors")
    run(loop, until(lambda: window.status_user.text().startswith("User:")))
    page.table.selectRow(0)
    name = page.selected_rows()[0]["name"]
    run(loop, until(lambda: name in page.detail.toPlainText()))
    return page, name


def broken_profiles(demo_cloud):
    closed = Profile(id="dead", source="saved", name="Dead cloud",
                     auth_url="http://127.0.0.1:9/v3", username="u", project_name="p",
                     timeout=5)
    unusable = Profile(id="bad", source="saved", name="Bad cloud", auth_url="",
                       username="u", project_name="p")
    return {"refused": closed, "invalid": unusable}


@pytest.mark.parametrize("how", ["refused", "invalid"])
def test_a_failed_open_after_a_good_one_shows_nothing_of_the_good_one(window, loop, demo_cloud,
                                                                      how):
    page, name = _show_something_of_the_good_cloud(window, loop, demo_cloud)
    bad = broken_profiles(demo_cloud)[how]
    window.clouds.add_transient_cloud(bad, "secret")
    window.open_profile(bad)
    run(loop, until(lambda: window.connect_banner.isVisible()), timeout=30)
    assert "Could not open Bad cloud" in window.connect_banner.text() or \
        "Could not open Dead cloud" in window.connect_banner.text()
    for p in window.pages.values():
        assert p.model.rowCount() == 0, p.kind.key
    assert name not in page.detail.toPlainText()
    assert window.status_user.text() == "" and window.status_token.text() == ""
    assert window.status_cloud.text() == f"{bad.name} · not connected"
    assert "Demo A" not in window.windowTitle()
    assert window.project_combo.count() == 0 and not window.launch_action.isEnabled()
    assert not window.demo_banner.isVisible()
    assert window.pages["servers"].model.context.flavor_names == {}


def test_a_cloud_that_fails_to_open_offers_edit_and_retry(window, loop, demo_cloud):
    from osdesk.views.profile_dialog import ProfileDialog
    profile = Profile(id="dead", name="Dead cloud", username="u", project_name="p",
                      auth_url=f"http://127.0.0.1:{_free_port()}/v3", timeout=5)
    window.clouds.add_transient_cloud(profile, "secret")
    window.open_profile(profile)
    run(loop, until(lambda: window.connect_banner.isVisible()), timeout=30)
    text = window.connect_banner.text()
    assert "href='edit'" in text and "href='retry'" in text
    window.connect_banner.linkActivated.emit("edit")
    dialog = next(d for d in window.findChildren(ProfileDialog) if d.isVisible())
    assert dialog.name_edit.text() == "Dead cloud"
    dialog.reject()
    window.connect_banner.linkActivated.emit("retry")
    assert window.status_cloud.text() == "Dead cloud · connecting…"
    run(loop, until(lambda: window.status_cloud.text() == "Dead cloud · not connected"),
        timeout=30)


def _free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
