"""All clouds: one inventory of every saved cloud, each cloud's health in the sidebar,
search everywhere, opening a row where it lives, and actions on the row's own cloud."""

from __future__ import annotations

import socket
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from osdesk.demo import DemoCloud
from osdesk.models.clouds_model import CloudListModel
from osdesk.models.inventory_model import CLOUD_FIELD, PROJECT_FIELD
from osdesk.profiles.profile import Profile
from osdesk.runtime import inventory as inventory_module
from osdesk.runtime.session import CloudSession
from tests.gui.conftest import run, until


def demo_profile(demo: DemoCloud, pid: str, name: str, **changes) -> Profile:
    fields = {k: v for k, v in demo.profile_fields().items() if k != "password"}
    fields.update(name=name, **changes)
    fields.setdefault("source", "demo")
    return Profile(id=pid, **fields)


@pytest.fixture
def clouds():
    """Two demo clouds with different ids (seeds) and sizes: "Lab" 12 servers, "Prod" 5."""
    demos = [DemoCloud(servers=n, speed=50, seed_value=seed).start()
             for n, seed in ((12, 31), (5, 32))]
    yield demos
    for demo in demos:
        demo.stop()


def add(window, demo, pid, name):
    profile = demo_profile(demo, pid, name)
    window.clouds.add_transient_cloud(profile, demo.PASSWORD)
    return profile


def health(window, pid):
    return window.clouds_model.index(window.clouds_model.row_of(pid), 0).data(
        CloudListModel.HealthRole)


def settle(loop, window, predicate=lambda: True):
    """Run until ``predicate()`` and every cloud's listing has ended, in one run (a
    listing task must not straddle two runs of the test's loop)."""
    run(loop, until(lambda: predicate() and not window.desk.page.inventory.busy()), timeout=60)


def servers_of(window, pid):
    model = window.desk.page.models["servers"]
    return [model.raw(k) for k in model.keys() if k[0] == pid]


def test_all_clouds_lists_every_cloud_with_cloud_project_and_region(window, loop, clouds):
    a, b = clouds
    add(window, a, "cloud-a", "Lab")
    add(window, b, "cloud-b", "Prod")
    window.desk.all_action.trigger()
    assert window.stack.currentWidget() is window.desk.page
    assert window.desk.button.isChecked()

    def owners(kind):
        return {k[0] for k in window.desk.page.models[kind].keys()}
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12
           and len(servers_of(window, "cloud-b")) == 5)
    model = window.desk.page.models["servers"]
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == ["Cloud", "Project", "Region"]
    row = servers_of(window, "cloud-b")[0]
    assert (row[CLOUD_FIELD], row[PROJECT_FIELD]) == ("Prod", "demo")
    # every kind of the inventory has the rows of both clouds
    for kind in ("volumes", "images", "networks", "floating_ips"):
        assert owners(kind) == {"cloud-a", "cloud-b"}, kind
    # the sidebar says how each cloud answered
    assert health(window, "cloud-a")[0] == "connected"
    assert health(window, "cloud-a")[1].endswith(" ms")
    # sorted as the header says, by Cloud at first: each cloud's rows together, in the
    # clouds' order, whichever answered first
    shown = [model.raw(k)[CLOUD_FIELD] for k in model.keys()]
    assert shown == sorted(shown, key=str.casefold)
    assert model.sort_column() == 0 == window.desk.page.table.horizontalHeader().sortIndicatorSection()
    # the tab counts follow within a turn of the loop
    run(loop, until(lambda: window.desk.page.tabs.tabText(0) == "Servers (17)"), timeout=5)
    # the same id in another cloud is another row: keys carry the cloud
    assert len(set(model.keys())) == model.rowCount() == 17


def test_every_project_lists_the_other_projects_too(window, loop, clouds):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    page = window.desk.page
    window.desk.show_inventory()

    def projects():
        return {r[PROJECT_FIELD] for r in servers_of(window, "cloud-a")}
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    assert projects() == {"demo"}
    page.every_project.setChecked(True)
    settle(loop, window, lambda: projects() == {"demo", "staging"})
    page.every_project.setChecked(False)
    settle(loop, window, lambda: projects() == {"demo"})


def vanish(demo: DemoCloud, server_id: str) -> None:
    """A server deleted behind osdesk's back (by another client)."""
    srv = demo.state.server_index.pop(server_id)
    demo.state.compute[srv.project_id].remove(srv)


def test_listing_a_cloud_again_removes_its_vanished_rows_and_no_other(window, loop, clouds):
    a, b = clouds
    add(window, a, "cloud-a", "Lab")
    add(window, b, "cloud-b", "Prod")
    window.desk.show_inventory()
    settle(loop, window, lambda: len(servers_of(window, "cloud-b")) == 5
           and len(servers_of(window, "cloud-a")) == 12)
    gone = servers_of(window, "cloud-a")[3]["id"]
    vanish(a, gone)
    window.desk.page.refresh()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 11)
    assert gone not in {r["id"] for r in servers_of(window, "cloud-a")}
    assert len(servers_of(window, "cloud-b")) == 5
    # a cloud dropped from the inventory takes its rows, and only its rows, along
    window.desk.page.inventory.forget("cloud-a")
    assert servers_of(window, "cloud-a") == [] and len(servers_of(window, "cloud-b")) == 5


def test_a_failing_or_hanging_cloud_never_delays_the_others(window, loop, clouds):
    a, _b = clouds
    hang = socket.socket()
    hang.bind(("127.0.0.1", 0))
    hang.listen(8)  # accepts connections, never answers
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    inventory = window.desk.page.inventory
    try:
        add(window, a, "cloud-a", "Lab")
        hung = demo_profile(a, "cloud-hung", "Hung",
                            auth_url=f"http://127.0.0.1:{hang.getsockname()[1]}/identity/v3")
        window.clouds.add_transient_cloud(hung, "x")
        gone = demo_profile(a, "cloud-gone", "Gone",
                            auth_url=f"http://127.0.0.1:{dead_port}/identity/v3")
        window.clouds.add_transient_cloud(gone, "x")
        window.desk.show_inventory()
        run(loop, until(lambda: not inventory.busy("cloud-a") and not inventory.busy("cloud-gone")),
            timeout=60)
        assert len(servers_of(window, "cloud-a")) == 12
        assert inventory.busy("cloud-hung")
        assert health(window, "cloud-hung")[0] == "connecting"
        state, short, detail = health(window, "cloud-gone")
        assert (state, short) == ("unreachable", "unreachable") and "127.0.0.1" in detail
        run(loop, until(lambda: "Gone: unreachable" in window.desk.page.summary.text()),
            timeout=5)
        inventory.forget("cloud-hung")
        settle(loop, window)
    finally:
        hang.close()


def test_a_saved_cloud_without_its_password_says_so(window, loop, clouds):
    a, _b = clouds
    profile = demo_profile(a, "saved-a", "Saved", source="saved")
    window.clouds.profiles = [profile]
    window.clouds.refresh_list()
    window.desk.show_inventory()
    assert health(window, "saved-a")[:2] == ("needs-password", "needs password")
    settle(loop, window)  # no login started: only the (empty) snapshot was read
    assert window.desk.page.inventory._sessions == {}


def test_search_finds_a_server_by_ip_in_another_cloud_and_opens_it_there(window, loop, clouds):
    a, b = clouds
    pa = add(window, a, "cloud-a", "Lab")
    add(window, b, "cloud-b", "Prod")
    window.open_profile(pa)
    window.desk.start()
    page = window.pages["servers"]
    settle(loop, window, lambda: len(servers_of(window, "cloud-b")) == 5
           and page.feed.state == "ready")
    target = servers_of(window, "cloud-b")[2]
    ip = next(e["addr"] for nets in target["addresses"].values() for e in nets)
    window.activateWindow()
    QTest.keyClick(window.pages["servers"].table, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)
    palette = window.desk.palette
    assert palette is not None and palette.isVisible()
    QTest.keyClicks(palette.edit, ip)
    texts = [palette.results.item(i).text() for i in range(palette.results.count())]
    # the address may be used in both clouds: each is listed, with its cloud
    wanted = [i for i, t in enumerate(texts) if target["name"] in t and "in Prod" in t]
    assert len(wanted) == 1, texts
    n = len(texts)
    assert palette.hint.text().startswith(f"{n} row{'' if n == 1 else 's'} · "), palette.hint.text()
    for _ in range(wanted[0]):
        QTest.keyClick(palette.edit, Qt.Key.Key_Down)
    QTest.keyClick(palette.edit, Qt.Key.Key_Return)
    assert not palette.isVisible()
    settle(loop, window, lambda: window.session is not None
           and window.session.profile.id == "cloud-b" and page.current_row() is not None
           and page.current_row().get("id") == target["id"])
    assert window.navigator.currentWidget() is page
    assert window.stack.currentWidget() is window.navigator.stack


def test_search_finds_by_uuid_and_answers_pages_and_actions_by_name(window, loop, clouds):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.start()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    target = servers_of(window, "cloud-a")[4]
    window.desk.open_search()
    palette = window.desk.palette
    QTest.keyClicks(palette.edit, target["id"][:13])
    assert palette.results.count() == 1
    assert palette.results.item(0).text().startswith(target["name"])
    assert palette.hint.text() == "1 row · Enter opens"
    palette.edit.clear()
    QTest.keyClicks(palette.edit, "go to volumes")
    assert palette.results.item(0).text() == "Go to Volumes"
    palette.edit.clear()
    QTest.keyClicks(palette.edit, "keyboard shortcuts")
    labels = [palette.results.item(i).text() for i in range(palette.results.count())]
    assert any("Keyboard shortcuts" in t for t in labels), labels
    palette.edit.clear()
    QTest.keyClicks(palette.edit, "no-such-thing-anywhere")
    assert palette.results.count() == 0
    assert "Nothing loaded matches" in palette.hint.text()


def test_an_action_from_all_clouds_goes_to_the_rows_own_cloud(window, loop, clouds):
    a, b = clouds
    pa = add(window, a, "cloud-a", "Lab")
    add(window, b, "cloud-b", "Prod")
    window.open_profile(pa)  # the window shows Lab; the action is on a Prod server
    window.desk.show_inventory()
    settle(loop, window, lambda: any(r.get("status") == "ACTIVE"
                                     for r in servers_of(window, "cloud-b")))
    target = next(r for r in servers_of(window, "cloud-b") if r.get("status") == "ACTIVE")
    assert [r for r in servers_of(window, "cloud-a") if r["id"] == target["id"]] == []
    menu = window.desk.page.build_menu([target])
    labels = {act.text(): act for act in menu.actions()}
    assert "&Open in Prod" in labels
    assert not labels["Start"].isEnabled() and "SHUTOFF" in labels["Start"].toolTip()
    run(loop, window.desk.page.run_action("stop", [target]), timeout=30)
    settle(loop, window, lambda: any(r["id"] == target["id"] and r.get("status") == "SHUTOFF"
                                     for r in servers_of(window, "cloud-b")))
    assert b.state.get_server(target["id"]).status == "SHUTOFF"  # in Prod's own cloud
    assert a.state.get_server(target["id"]) is None


def test_delete_from_all_clouds_asks_with_the_cloud_named(window, loop, clouds, monkeypatch):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.show_inventory()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    target = servers_of(window, "cloud-a")[0]
    asked = []

    async def no(parent, title, verb, what, names, consequence=""):
        asked.append((verb, what, list(names), consequence))
        return False
    monkeypatch.setattr("osdesk.views.dialogs.confirm", no)
    run(loop, window.desk.page.run_action("delete", [target]), timeout=30)
    assert asked and asked[0][0] == "Delete" and "(Lab)" in asked[0][2][0]
    assert "Lab" in asked[0][3]
    settle(loop, window)
    assert len(servers_of(window, "cloud-a")) == 12


def test_the_next_start_shows_every_cloud_from_its_snapshot_before_any_answer(
        qtbot, loop, tmp_path, clouds, monkeypatch):
    """List both clouds once; close; open a new window with both clouds hung: every row
    is there at once, each cloud marked with the age of its rows; live rows replace them
    once the cloud answers again."""
    from osdesk.api.calllog import CallLog
    from osdesk.profiles import ProfileStore, SecretStore
    from osdesk.runtime.runner import Runner
    from osdesk.views.main_window import MainWindow
    a, b = clouds

    def new_window():
        win = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                         runner=Runner(), call_log=CallLog())
        qtbot.addWidget(win)
        add(win, a, "cloud-a", "Lab")
        add(win, b, "cloud-b", "Prod")
        return win
    first = new_window()
    first.desk.start()
    settle(loop, first, lambda: len(servers_of(first, "cloud-b")) == 5)
    before = sorted(first.desk.page.models["servers"].keys())
    store = first.snapshots.store
    run(loop, until(lambda: all(store.load(pid, "*inventory*", "servers") is not None
                                for pid in ("cloud-a", "cloud-b"))), timeout=30)
    first.shutdown()

    gone = servers_of(first, "cloud-a")[0]["id"]
    vanish(a, gone)  # in the snapshot, no longer in the cloud
    second = new_window()
    for demo in (a, b):
        demo.hang(".")  # no answer at all until unhung
    store = second.snapshots.store
    reading = threading.Event()
    real_open = store.open

    def open_(*args):
        reading.set()
        return real_open(*args)
    store.open = open_
    logins = []
    real_connect = CloudSession.connect

    async def connect(self, *args, **kwargs):
        logins.append(page.models["servers"].rowCount())
        return await real_connect(self, *args, **kwargs)
    monkeypatch.setattr(CloudSession, "connect", connect)
    # the logins' wait for the kept rows is bounded (0.5 s); on a busy test machine the
    # bound, not the rows, could end it
    monkeypatch.setattr(inventory_module, "SNAPSHOT_HEAD_START_S", 60.0)
    import osdesk.profiles
    real_discover = osdesk.profiles.discover_clouds

    def discover(*args, **kwargs):  # on the config worker: reads the model's count only
        logins.append(("clouds.yaml", page.models["servers"].rowCount()))
        return real_discover(*args, **kwargs)
    monkeypatch.setattr(osdesk.profiles, "discover_clouds", discover)
    try:
        second.desk.start()
        page = second.desk.page
        # the first file is read from now on, not after the window's next turn (its
        # first paint): this thread waits while the loop does not run
        assert reading.wait(10), "the snapshot is read only once the loop runs again"
        run(loop, until(lambda: len(page.models["servers"].keys()) == len(before)), timeout=30)
        # and the logins (each importing the HTTP stack, competing for the GIL) began
        # once the kept rows were in
        run(loop, until(lambda: len(logins) == 3), timeout=30)
        # and clouds.yaml's reading (openstacksdk's import) too
        assert sorted(logins, key=str) == sorted([len(before)] * 2 + [("clouds.yaml", len(before))], key=str)
        assert sorted(page.models["servers"].keys()) == before
        for pid in ("cloud-a", "cloud-b"):
            state, short, _detail = health(second, pid)
            assert state == "connecting" and short.startswith("as of "), short
        run(loop, until(lambda: "as of" in page.summary.text()), timeout=5)
    finally:
        for demo in (a, b):
            demo.unhang()
    settle(loop, second, lambda: all(health(second, p)[0] == "connected"
                                     for p in ("cloud-a", "cloud-b")))
    assert health(second, "cloud-a")[1].endswith(" ms")
    assert sorted(second.desk.page.models["servers"].keys()) == [k for k in before if k[2] != gone]
    second.shutdown()


def test_rows_of_a_cloud_not_connected_are_read_only_with_the_reason(window, loop, clouds):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.show_inventory()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    row = next(r for r in servers_of(window, "cloud-a") if r.get("status") == "ACTIVE")
    window.desk.page.inventory._close("cloud-a")  # as after a failed login: no connection
    labels = {act.text(): act for act in window.desk.page.build_menu([row]).actions()}
    assert not labels["Stop"].isEnabled()
    assert "Lab is not connected" in labels["Stop"].toolTip()
    assert "read-only" in labels["Stop"].toolTip()


def test_typing_in_search_sends_no_request(window, loop, clouds, call_log):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.start()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    seen = []
    call_log.subscribe(seen.append)
    window.desk.open_search()
    QTest.keyClicks(window.desk.palette.edit, "web-00")
    assert window.desk.palette.results.count() > 0
    assert seen == []


def test_all_clouds_comes_back_at_the_next_start_if_it_was_shown_last(window, loop, clouds):
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.show_inventory()
    settle(loop, window)
    window.desk.start_up()  # what the next start does
    assert window.stack.currentWidget() is window.desk.page
    settle(loop, window)


def test_back_from_all_clouds_to_the_open_cloud_without_a_new_login(window, loop, clouds):
    a, _b = clouds
    pa = add(window, a, "cloud-a", "Lab")
    window.open_profile(pa)
    settle(loop, window, lambda: window.session is not None and bool(window.session.info))
    session = window.session
    window.desk.show_inventory()
    assert not window.clouds_view.currentIndex().isValid()  # no cloud looks chosen
    window.on_clouds_view_activated(window.clouds_model.index(window.clouds_model.row_of("cloud-a")))
    assert window.stack.currentWidget() is window.navigator.stack
    assert window.session is session  # the same connection, pages as they were
    assert window.windowTitle() == "Lab — osdesk"
    settle(loop, window)


def test_short_values_are_shown_whole_as_on_a_clouds_pages(window, loop, clouds):
    """The inventory sizes its columns as a cloud's pages do: a status or a time is
    never cut ("SUSPEND…"), and the columns are fitted to the table."""
    a, _b = clouds
    add(window, a, "cloud-a", "Lab")
    window.desk.show_inventory()
    settle(loop, window, lambda: len(servers_of(window, "cloud-a")) == 12)
    page = window.desk.page
    model = page.models["servers"]
    col = {model.headerData(c, Qt.Orientation.Horizontal): c for c in range(model.columnCount())}
    metrics = page.table.fontMetrics()
    for title, longest in (("Status", "SUSPENDED"), ("Created", "2026-12-06 21:55")):
        assert page.table.columnWidth(col[title]) > metrics.horizontalAdvance(longest), title
    assert page.fitter.auto and page.fitter.hinted
