"""Resource pages are made the first time they are shown or asked for: a start makes only
the page it shows, and a page made later is the page it would have been (its rows, its
actions, its keys and menus, the open cloud, the offline guard)."""

from __future__ import annotations

import pytest

from osdesk.kinds.registry import KINDS
from osdesk.views.lazy_pages import LazyPages
from osdesk.views.resource_page import ResourcePage
from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def made(window) -> list[str]:
    return [page.kind.key for page in window.pages.built()]


def listed(window, loop, key: str) -> set[str]:
    """The ids the open cloud lists for ``key``, read without the page."""
    kind = next(k for k in KINDS if k.key == key)
    rows = run(loop, window.session.call(
        lambda cloud: [row for page in kind.pages(cloud) for row in page], window.session.cloud))
    return {row["id"] for row in rows}


def ids(page) -> set[str]:
    return {page.model.raw_at(i)["id"] for i in range(page.model.rowCount())}


def test_a_new_window_makes_only_the_page_it_shows(window):
    assert made(window) == ["servers"]
    assert [p.kind.key for p in window.findChildren(ResourcePage)] == ["servers"]
    assert window.current_page() is window.pages.peek("servers")
    # every kind is still a key of the window's pages, made or not
    assert list(window.pages) == [kind.key for kind in KINDS]
    assert "volumes" in window.pages and len(window.pages) == len(KINDS)
    assert window.pages.peek("volumes") is None
    assert made(window) == ["servers"]
    # the navigator lists every page, made or not
    assert window.navigator.count() == len(KINDS) + 1


def test_showing_a_page_makes_it_with_the_cloud_s_rows(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    servers = window.pages["servers"]
    run(loop, until(lambda: servers.feed.state == "ready"))
    assert window.pages.peek("images") is None
    window.navigator.setCurrentIndex(window.page_index["images"])
    images = window.pages.peek("images")
    assert images is not None and window.current_page() is images
    assert images.objectName() == "page_images"
    assert window.navigator.indexOf(images) == window.page_index["images"]
    assert images.feed.session is window.session
    run(loop, until(lambda: images.feed.state == "ready" and images.model.rowCount() > 0))
    assert ids(images) == listed(window, loop, "images")
    # the page that is no longer shown is paused, the shown one is not
    assert servers.feed.paused and not images.feed.paused
    # its actions, the offline guard and the detail pane were given as to any page
    assert window.page_actions["images"].page is images
    assert images.menu_provider is not None
    assert images.detail.isVisibleTo(images) == window.details_action.isChecked()


def test_a_page_asked_for_is_made_on_the_open_cloud_but_not_shown(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    run(loop, until(lambda: window.pages["servers"].feed.state == "ready"))
    volumes = window.pages["volumes"]  # asked for, as search "open where it lives" does
    assert volumes.feed.session is window.session and volumes.feed.paused
    assert window.current_page() is window.pages["servers"]
    window.show_page("volumes")
    assert window.current_page() is volumes
    run(loop, until(lambda: volumes.feed.state == "ready"))
    assert ids(volumes) == listed(window, loop, "volumes")


def test_every_page_key_and_go_menu_entry_makes_and_shows_its_page(window):
    for index, action in enumerate(window.page_actions_by_index):
        action.trigger()
        assert window.navigator.currentIndex() == index
        shown = window.navigator.currentWidget()
        if index < len(KINDS):
            assert shown is window.pages.peek(KINDS[index].key)
            assert window.current_page() is shown
        else:
            assert shown is window.quota_page
    assert made(window) == [kind.key for kind in KINDS]


def test_closing_the_cloud_clears_a_page_made_late(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    window.show_page("networks")
    networks = window.pages["networks"]
    run(loop, until(lambda: networks.feed.state == "ready" and networks.model.rowCount()))
    window._close_session()
    assert networks.feed.session is None and networks.model.rowCount() == 0


def test_the_last_page_shown_is_the_one_made_at_start(qtbot, loop, tmp_path, call_log):
    from PySide6.QtCore import QSettings

    from osdesk.profiles import ProfileStore, SecretStore
    from osdesk.runtime.runner import Runner
    from osdesk.views.main_window import MainWindow
    QSettings().setValue("last_page", "keypairs")
    win = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                     runner=Runner(), call_log=call_log)
    qtbot.addWidget(win)
    try:
        assert made(win) == ["keypairs"]
        assert win.current_page() is win.pages.peek("keypairs")
    finally:
        win.shutdown()


def test_lazy_pages_maps_every_kind_and_runs_hooks_for_each_page_made():
    class Kind:
        def __init__(self, key):
            self.key = key
    kinds = [Kind("a"), Kind("b"), Kind("c")]
    calls = []
    pages = LazyPages(kinds, lambda kind: calls.append(kind.key) or f"page {kind.key}")
    seen = []
    pages.each(seen.append)
    assert pages["b"] == "page b" and pages["b"] == "page b" and calls == ["b"]
    pages.each(lambda page: seen.append(("late", page)))  # runs for the pages made already
    assert seen == ["page b", ("late", "page b")]
    assert pages.peek("a") is None and pages.built() == ["page b"]
    assert dict(pages.items()) == {"a": "page a", "b": "page b", "c": "page c"}
    assert seen[-2:] == ["page c", ("late", "page c")]
    with pytest.raises(KeyError):
        pages["nope"]
    assert pages.get("nope") is None
