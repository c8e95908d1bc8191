"""Every page has a key (Ctrl+1…9, and Ctrl+G then its letter for all), Help lists them,
and every menu has mnemonics, unique within it."""

from __future__ import annotations

from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMenu, QPushButton

from osdesk.views.shortcuts import mnemonic_of, pick_mnemonics, shortcut_rows
from tests.gui.conftest import run, until
from tests.gui.test_live_pages import ready
from tests.gui.test_main_window import open_demo


def press(window, sequence: QKeySequence) -> None:
    """Type ``sequence`` (one or more key combinations) as a user would."""
    for n in range(sequence.count()):
        combo = sequence[n]
        QTest.keyClick(window.focusWidget() or window, combo.key(), combo.keyboardModifiers())


def test_every_page_is_reached_by_each_of_its_keys(window, loop):
    window.activateWindow()
    run(loop, until(lambda: window.isActiveWindow()))
    nav = window.navigator
    assert nav.count() == 14 and len(window.page_actions_by_index) == 14
    chords = set()
    for index, action in enumerate(window.page_actions_by_index):
        keys = action.shortcuts()
        assert keys[-1].toString().startswith("Ctrl+G, ")
        assert (len(keys) == 2) == (index < 9)  # Ctrl+1…9 for the first nine
        chords.add(keys[-1].toString())
        for sequence in keys:
            nav.setCurrentIndex(13 if index != 13 else 0)
            press(window, sequence)
            assert nav.currentIndex() == index, (nav.title(index), sequence.toString())
    assert len(chords) == 14


def test_the_go_letter_is_the_go_menu_mnemonic_and_help_lists_every_page(window):
    rows = dict(shortcut_rows(window))
    listed = {text for text in rows.values()}
    for action in window.page_actions_by_index:
        letter = action.shortcuts()[-1].toString()[-1].lower()
        assert mnemonic_of(action.text()) == letter
        title = action.text().replace("&", "")
        assert f"{title} page" in listed
    assert rows["Ctrl+1 or Ctrl+G, S"] == "Servers page"
    assert rows["Ctrl+G, Q"] == "Quotas page"


def mnemonics_of(menu: QMenu) -> list[str]:
    return [mnemonic_of(a.text()) for a in menu.actions() if not a.isSeparator() and a.text()]


def check_menu(menu: QMenu, where: str) -> None:
    letters = mnemonics_of(menu)
    assert all(letters), (where, [(a.text(), mnemonic_of(a.text())) for a in menu.actions()])
    assert len(set(letters)) == len(letters), (where, [a.text() for a in menu.actions()])
    for action in menu.actions():
        if action.menu() is not None:
            check_menu(action.menu(), f"{where} → {action.text()}")


def test_menus_have_unique_mnemonics(window, loop, demo_cloud):
    bar = window.menuBar()
    tops = mnemonics_of(bar)
    assert all(tops) and len(set(tops)) == len(tops)
    welcome = [mnemonic_of(b.text()) for b in window.welcome.findChildren(QPushButton)]
    assert all(welcome) and not set(welcome) & set(tops)  # Alt+letter is never ambiguous
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    page.table.selectRow(0)
    page.table.selectionModel().select(
        page.proxy.index(1, 0), page.table.selectionModel().SelectionFlag.Select
        | page.table.selectionModel().SelectionFlag.Rows)
    assert len(page.selected_rows()) == 2
    for action in bar.actions():
        action.menu().aboutToShow.emit()  # the Servers menu is filled as it opens
        check_menu(action.menu(), action.text())
    check_menu(page.build_context_menu(page.selected_rows()), "servers' context menu")
    clouds = QMenu()
    clouds.addActions(window.clouds_view.actions())
    check_menu(clouds, "the clouds' context menu")
    flavors = ready(window, loop, "flavors")
    flavors.table.selectRow(0)
    check_menu(flavors.build_context_menu(flavors.selected_rows()), "flavors' context menu")


def test_pick_mnemonics_keeps_free_ones_and_finds_the_rest():
    assert pick_mnemonics(["&Edit", "Export", "E&xit", "Delete", "Details"]) == [
        "&Edit", "Ex&port", "E&xit", "&Delete", "De&tails"]
    assert pick_mnemonics(["Save && quit", "&Save"]) == ["Save && &quit", "&Save"]
    assert pick_mnemonics(["…"]) == ["…"]


def test_dialog_buttons_have_mnemonics(qtbot):
    from osdesk.views.network_dialogs import NetworkDialog
    from osdesk.views.security_group_views import RulesDialog
    for dialog in (NetworkDialog(), RulesDialog(None, {"id": "g"}, on_add=print,
                                                on_delete=print)):
        qtbot.addWidget(dialog)
        letters = [mnemonic_of(b.text()) for b in dialog.findChildren(QPushButton)]
        assert all(letters) and len(set(letters)) == len(letters), letters



def test_the_readme_lists_each_page_s_real_keys(window):
    import re
    from pathlib import Path
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    listed = dict(re.findall(r"\| ([A-Z][\w ]+?) \| ((?:Ctrl\+\d · )?Ctrl\+G, [A-Z]) ", readme))
    real = {action.text().replace("&", ""): " · ".join(s.toString() for s in action.shortcuts())
            for action in window.page_actions_by_index}
    assert listed == real
