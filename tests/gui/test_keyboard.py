"""The keyboard on a page: Esc clears the filter, Tab lands on the table with a row
selected, Shift+F10 opens the selection's menu, Delete on a read-only page says why."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QTextBrowser

from tests.gui.conftest import run, until
from tests.gui.test_live_pages import ready
from tests.gui.test_main_window import open_demo


def test_filter_tab_menu_and_delete_by_keyboard(window, loop, demo_cloud, monkeypatch):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "flavors")
    window.activateWindow()
    page.focus_filter()
    run(loop, until(lambda: page.filter_edit.hasFocus()))
    QTest.keyClicks(page.filter_edit, "m1.nano")
    assert page.proxy.rowCount() == 1
    QTest.keyClick(page.filter_edit, Qt.Key.Key_Escape)
    assert page.filter_edit.text() == "" and page.proxy.rowCount() > 1

    QTest.keyClick(page.filter_edit, Qt.Key.Key_Tab)
    run(loop, until(lambda: page.table.hasFocus()))
    assert len(page.selected_rows()) == 1

    shown = []

    class Menu:  # the page's real menu is built; only its exec() (modal) is not run
        def __init__(self, rows):
            self.menu = build(rows)

        def exec(self, *where):
            shown.append([a.text().replace("&", "") for a in self.menu.actions()])
    build = page.build_context_menu
    monkeypatch.setattr(page, "build_context_menu", Menu)
    QTest.keyClick(page.table, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    # QTest sends no Shift release of its own: Qt would go on thinking Shift is held (and
    # every later selectRow() in this process would extend from a stale anchor)
    QTest.keyRelease(page.table, Qt.Key.Key_Shift)
    assert shown and "Inspect JSON" in shown[0]

    window.on_delete_selected()
    assert window.statusBar().currentMessage() == (
        "Flavors are listed here, not deleted: osdesk has no delete for them.")


def test_the_launch_dialog_starts_in_the_name_field(window, loop):
    from osdesk.views.launch_dialog import LaunchDialog
    dialog = LaunchDialog(window)
    dialog.show()
    dialog.activateWindow()
    run(loop, until(lambda: QApplication.focusWidget() is dialog.name_edit))
    dialog.close()


def test_help_lists_the_shortcuts_the_window_really_has(window):
    from osdesk.views.shortcuts import shortcut_rows
    rows = dict(shortcut_rows(window))
    assert rows["Ctrl+F"] == "Filter" and rows["F5"].startswith("Refresh")
    assert rows["Ctrl+1 or Ctrl+G, S"] == "Servers page"
    assert rows["Ctrl+G, Q"] == "Quotas page"
    assert rows["Esc"] == "clear the page's filter"
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Help")
    assert [a.text() for a in help_menu.actions()] == ["&Keyboard shortcuts", "&Documentation",
                                                       "&About osdesk"]
    help_menu.actions()[1].trigger()  # the README, offline
    assert "Keyboard" in window.readme_window.findChild(QTextBrowser).toPlainText()
    window.readme_window.close()


def test_view_theme_switches_and_is_remembered(window, qapp):
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QPalette
    before = qapp.palette().color(QPalette.ColorRole.Window)
    try:
        window.theme_actions["dark"].trigger()
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 100
        assert QSettings().value("theme") == "dark"
        window.theme_actions["light"].trigger()
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 150
        assert qapp.style().name().lower() == "fusion"
    finally:
        window.theme_actions["system"].trigger()
    assert qapp.palette().color(QPalette.ColorRole.Window) == before
    assert window.theme_actions["system"].isChecked()


def test_the_details_pane_and_the_sidebar_can_be_hidden(window, loop, demo_cloud):
    from PySide6.QtCore import QSettings
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    wide = page.table.width()
    window.details_action.setChecked(False)
    run(loop, until(lambda: page.table.width() > wide))  # the table takes the width
    assert not page.detail.isVisible() and QSettings().value("details_pane") in (False, "false")
    sidebar = window.clouds_dock.toggleViewAction()
    assert sidebar.text() == "&Sidebar"
    sidebar.trigger()
    assert not window.clouds_dock.isVisible()
    sidebar.trigger()
    window.details_action.setChecked(True)
    assert page.detail.isVisible()
