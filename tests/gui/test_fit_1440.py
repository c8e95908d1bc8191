"""At 1440×900, with the sidebar and the details pane at their default sizes, the Servers
page shows its default columns without scrolling sideways; no title is cut."""

from __future__ import annotations

from PySide6.QtCore import QPoint, QSize, Qt
from PySide6.QtTest import QTest

from tests.gui.conftest import run, until
from tests.gui.test_live_pages import ready
from tests.gui.test_main_window import open_demo


def test_the_servers_default_columns_fit_at_1440x900(window, loop, demo_cloud):
    window.resize(QSize(1440, 900))
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    # a first start: the sidebar opens at its default width, the details pane shows
    run(loop, until(lambda: window.width() == 1440 and window.clouds_dock.width() >= 250))
    page.table.selectRow(0)
    run(loop, until(lambda: page.detail.isVisible() and page.detail.width() > 250))
    header = page.table.horizontalHeader()
    shown = [c for c in range(header.count()) if not header.isSectionHidden(c)]
    titles = [page.model.headerData(c, header.orientation()) for c in shown]
    assert titles == ["Name", "Status", "Task", "IP addresses", "Flavor", "Image", "Created"]
    assert header.length() <= page.table.viewport().width()
    assert not page.table.horizontalScrollBar().isVisible()
    metrics = header.fontMetrics()
    for c, title in zip(shown, titles):
        assert header.sectionSize(c) >= metrics.horizontalAdvance(title) + 20, title
    # the sidebar cuts no page's title
    tree = window.navigator.tree
    widest = max(tree.fontMetrics().horizontalAdvance(window.navigator.title(i))
                 for i in range(window.navigator.count()))
    assert tree.viewport().width() > widest + tree.indentation()


def test_the_user_s_widths_stand_once_they_drag_a_column(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    assert page.fitter.auto
    header = page.table.horizontalHeader()
    before = header.sectionSize(0)
    edge, y = header.sectionViewportPosition(0) + before - 1, header.height() // 2
    QTest.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge, y))
    QTest.mouseMove(header.viewport(), QPoint(edge + 60, y))
    QTest.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge + 60, y))
    width = header.sectionSize(0)
    assert width > before and not page.fitter.auto
    window.resize(window.width() - 200, window.height())
    run(loop, until(lambda: page.table.viewport().width() < header.length()))
    assert header.sectionSize(0) == width  # not fitted again: the user's width stands
