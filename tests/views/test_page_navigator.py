"""The sidebar's page list: sections as headings, a click shows the page, the window's
index API (Ctrl+1…9, the Go menu) moves the selection too."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from osdesk.views.page_navigator import PageNavigator


def test_pages_stand_under_their_headings_and_follow_the_selection(qtbot):
    nav = PageNavigator()
    qtbot.addWidget(nav.tree)
    qtbot.addWidget(nav.stack)
    pages = [QLabel(t) for t in ("servers", "volumes", "networks", "ports")]
    for page, (title, section) in zip(pages, [("Servers", "Compute"), ("Volumes", "Storage"),
                                              ("Networks", "Network"), ("Ports", "Network")]):
        nav.addPage(page, title, section)
    headings = [nav.tree.topLevelItem(i) for i in range(nav.tree.topLevelItemCount())]
    assert [h.text(0) for h in headings] == ["Compute", "Storage", "Network"]
    assert [headings[2].child(i).text(0) for i in range(2)] == ["Networks", "Ports"]
    assert not headings[0].flags() & Qt.ItemFlag.ItemIsSelectable
    assert nav.currentWidget() is pages[0] and nav.tree.currentItem().text(0) == "Servers"

    seen = []
    nav.currentChanged.connect(seen.append)
    nav.tree.setCurrentItem(headings[2].child(1))  # a click on "Ports"
    assert nav.currentWidget() is pages[3] and seen == [3]
    nav.setCurrentWidget(pages[1])                  # the Go menu / Ctrl+2
    assert nav.tree.currentItem().text(0) == "Volumes" and seen == [3, 1]
    nav.tree.setCurrentItem(headings[0])            # a heading shows no page of its own
    assert nav.currentWidget() is pages[1] and seen == [3, 1]
    assert (nav.count(), nav.indexOf(pages[2]), nav.title(2)) == (4, 2, "Networks")
