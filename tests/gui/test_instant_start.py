"""Instant start: a cloud's pages show their last rows from the snapshot before the cloud
answers, with their age; an unreachable cloud stays browsable, its actions refused."""

from __future__ import annotations

from pathlib import Path

from osdesk.profiles import ProfileStore, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.profiles.snapshots import SnapshotStore, default_snapshot_dir
from osdesk.runtime.runner import Runner
from tests.gui.conftest import run, until


def demo_profile(demo, pid="snap-demo", **changes) -> Profile:
    fields = {k: v for k, v in demo.profile_fields().items() if k != "password"}
    fields.update(name="Snap demo", **changes)
    return Profile(id=pid, source="demo", **fields)


def reopen(qtbot, tmp_path, demo, page_key: str):
    """A new window (a new start of osdesk) on ``page_key``, opening the demo again."""
    from osdesk.views.main_window import MainWindow
    win = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                     runner=Runner())
    qtbot.addWidget(win)
    win.show()
    win.show_page(page_key)
    profile = demo_profile(demo)
    win.clouds.add_transient_cloud(profile, demo.PASSWORD)
    win.open_profile(profile)
    return win, profile


def server_names(page) -> set[str]:
    return {page.model.raw(k).get("name") for k in page.model.keys()}


def snapshot_files() -> list[Path]:
    while True:
        try:
            return sorted(default_snapshot_dir().rglob("*.json.gz"))
        except FileNotFoundError:  # a folder deleted (on the worker) while it was walked
            continue


def load_and_keep(window, loop, demo, pid="snap-demo"):
    """Open the demo, let the servers page load and its snapshot be written."""
    profile = demo_profile(demo, pid)
    window.clouds.add_transient_cloud(profile, demo.PASSWORD)
    window.open_profile(profile)
    window.show_page("servers")
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    run(loop, until(lambda: any(p.name.endswith("--servers.json.gz")
                                for p in snapshot_files())))
    return profile, server_names(page)


def test_reopening_shows_the_last_rows_before_the_cloud_answers(window, loop, demo_cloud,
                                                                 qtbot, tmp_path):
    _profile, names = load_and_keep(window, loop, demo_cloud)
    window.close()
    demo_cloud.hang(".*")  # from now on the cloud answers nothing
    try:
        again, _ = reopen(qtbot, tmp_path, demo_cloud, "servers")
        try:
            page = again.pages["servers"]
            badge = next(b for b in again.snapshot_badges if b.page is page)
            run(loop, until(lambda: page.model.rowCount() == len(names)))
            assert server_names(page) == names
            assert again.session.info == {}, "no login answered yet"
            assert badge.isVisible() and badge.text() == "As of just now — refreshing…"
            assert page.table.isVisible() and not page.empty_label.isVisible()
            assert page.feed.state != "ready"
        finally:
            again.shutdown()
    finally:
        demo_cloud.unhang()


def test_pages_open_on_the_login_project_not_the_last_one_switched_to(window, loop, demo_cloud,
                                                                       qtbot, tmp_path):
    _profile, names = load_and_keep(window, loop, demo_cloud)
    page = window.pages["servers"]
    staging = demo_cloud.STAGING_PROJECT_ID
    run(loop, window.session.switch_project(staging))
    run(loop, until(lambda: page.feed.state == "ready"))
    staging_names = server_names(page)
    assert staging_names != names
    run(loop, until(lambda: any(p.name.startswith(staging) for p in snapshot_files())))
    window.close()
    demo_cloud.set_latency(0.5)  # slow enough to see the guess corrected before any refresh
    again, profile = reopen(qtbot, tmp_path, demo_cloud, "flavors")
    try:
        servers = again.pages["servers"]
        run(loop, until(lambda: servers.model.rowCount() and again.session.info))
        assert server_names(servers) == names  # the login's project, remembered
        # a wrong guess (the project the profile logs in to changed) is put right at login
        again.snapshots.store.remember_project(profile.id, staging)
        again.open_profile(profile)
        run(loop, until(lambda: server_names(servers) == staging_names))
        run(loop, until(lambda: again.session.info))
        run(loop, until(lambda: server_names(servers) == names))
        assert servers.feed.snapshot_at is not None and servers.feed.state == "idle"
    finally:
        again.shutdown()


def test_live_rows_replace_the_snapshot_and_keep_the_selection(window, loop, demo_cloud):
    _profile, names = load_and_keep(window, loop, demo_cloud)
    page = window.pages["servers"]
    # the same cloud again: snapshot first, then the live rows merged over them
    demo_cloud.set_latency(0.3)
    window.open_profile(window.clouds.transient("snap-demo"))
    run(loop, until(lambda: page.feed.snapshot_at is not None and page.model.rowCount()))
    key = page.model.keys()[0]
    page.select_key(key)
    run(loop, until(lambda: page.feed.state == "ready"))
    assert page.feed.snapshot_at is None
    badge = next(b for b in window.snapshot_badges if b.page is page)
    assert not badge.isVisible()
    assert [r["id"] for r in page.selected_rows()] == [key]


def test_an_unreachable_cloud_stays_browsable_read_only(window, loop, demo_cloud):
    profile, names = load_and_keep(window, loop, demo_cloud)
    run(loop, until(lambda: window.session.lookups.image_names and any(
        p.name.endswith("--_lookups.json.gz") for p in snapshot_files())))
    image_names = dict(window.session.lookups.image_names)
    # the same cloud at an address where nothing listens
    dead = demo_profile(demo_cloud, auth_url="http://127.0.0.1:9/identity/v3", timeout=5)
    window.clouds.add_transient_cloud(dead, demo_cloud.PASSWORD)
    window.open_profile(dead)
    page = window.pages["servers"]
    badge = next(b for b in window.snapshot_badges if b.page is page)
    run(loop, until(lambda: badge.text().startswith("Offline — as of")), timeout=60)
    assert server_names(page) == names
    assert window.connect_banner.isVisible()
    # the tables still name images, flavors, networks… as they did
    assert dict(window.session.lookups.image_names) == image_names
    image_column = page.model.column_index("image")
    shown = {page.model.display_at(r, image_column) for r in range(page.model.rowCount())}
    assert shown & set(image_names.values())
    page.select_key(page.model.keys()[0])
    actions = [a for a in page.menu_provider(page, page.selected_rows()) if a is not None]
    assert actions and not any(a.isEnabled() for a in actions)
    assert all(a.toolTip().startswith("Offline — as of") for a in actions)
    said = []
    page.said.connect(said.append)
    assert page.delete_selected() is False
    assert said and said[0].startswith("Not deleted: Offline — as of")


def test_turning_snapshots_off_keeps_nothing_and_shows_nothing(window, loop, demo_cloud):
    load_and_keep(window, loop, demo_cloud)
    assert window.snapshot_action.isChecked()
    window.snapshot_action.setChecked(False)
    run(loop, until(lambda: not snapshot_files()))
    assert not SnapshotStore().enabled
    page = window.pages["servers"]
    page.refresh()
    run(loop, until(lambda: page.feed.state == "ready"))
    window.open_profile(window.clouds.transient("snap-demo"))
    assert page.feed.snapshot_at is None
    run(loop, until(lambda: page.feed.state == "ready"))
    assert page.feed.snapshot_at is None and not snapshot_files()


def test_deleting_a_cloud_deletes_its_snapshot(window, loop, demo_cloud, answers):
    fields = {k: v for k, v in demo_cloud.profile_fields().items() if k != "password"}
    saved = Profile(id="saved-snap", source="saved", **fields)
    window.clouds.on_profile_saved(saved, demo_cloud.PASSWORD, True)
    (saved,) = window.clouds.profiles
    window.open_profile(saved)
    window.show_page("servers")
    run(loop, until(lambda: window.pages["servers"].feed.state == "ready"))
    folder = default_snapshot_dir() / saved.id
    run(loop, until(lambda: list(folder.glob("*--servers.json.gz"))))
    answers.on("Delete cloud", "go")
    run(loop, window.clouds.delete_cloud(saved))
    run(loop, until(lambda: not folder.exists()))


def test_a_corrupt_snapshot_is_ignored_with_a_log_line(window, loop, demo_cloud, caplog):
    _profile, names = load_and_keep(window, loop, demo_cloud)
    (servers_file,) = [p for p in snapshot_files() if p.name.endswith("--servers.json.gz")]
    servers_file.write_bytes(b"\x1f\x8b\x08 half a file")
    page = window.pages["servers"]
    shown = []
    page.feed.snapshotChanged.connect(lambda: shown.append(page.feed.snapshot_at))
    window.open_profile(window.clouds.transient("snap-demo"))
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount()))
    assert server_names(page) == names  # the live rows, as if there were no snapshot
    assert [s for s in shown if s is not None] == []
    assert "ignoring the unreadable snapshot" in caplog.text


def test_the_last_rows_show_before_the_login_starts_then_the_live_rows_come(
        window, loop, demo_cloud, qtbot, tmp_path, call_log):
    _profile, names = load_and_keep(window, loop, demo_cloud)
    window.close()
    from osdesk.views.main_window import MainWindow
    again = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                       runner=Runner(), call_log=call_log)
    qtbot.addWidget(again)
    try:
        again.show()
        page = again.pages["servers"]
        seen, calls_at_rows = [], []  # API calls made; how many when rows came
        call_log.subscribe(seen.append)
        page.model.rowsInserted.connect(lambda *a: calls_at_rows.append(len(seen)))
        profile = demo_profile(demo_cloud)
        again.clouds.add_transient_cloud(profile, demo_cloud.PASSWORD)
        again.open_profile(profile)
        run(loop, until(lambda: page.feed.state == "ready"))
        assert calls_at_rows and calls_at_rows[0] == 0, "the last rows came before any call"
        assert server_names(page) == names
        assert again.session.info and seen  # then the login and the live list
    finally:
        again.shutdown()


def test_without_a_snapshot_the_login_does_not_wait(window, loop, demo_cloud):
    window.snapshots.set_enabled(False)
    profile = demo_profile(demo_cloud, "no-snap")
    window.clouds.add_transient_cloud(profile, demo_cloud.PASSWORD)
    window.open_profile(profile)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    assert page.feed.snapshot_at is None and window.session.info
