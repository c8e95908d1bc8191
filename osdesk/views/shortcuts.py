"""Keys: mnemonics unique within each menu and dialog, a shortcut for every page, and
the Help → Keyboard shortcuts table, read from the window's actions.

Every page has two: Ctrl+1…9 for the first nine, and Ctrl+G followed by the page's
letter for all of them — the same letter as its mnemonic in the Go menu (Alt+G, then the
letter), so one letter per page is all there is to learn.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QMenu, QPushButton, QWidget

#: the chord's first key: Ctrl+G, then the page's letter
GO_PREFIX = "Ctrl+G"


def mnemonic_of(text: str) -> str:
    """The letter after a single "&" in ``text`` (lower case), or ""."""
    i = 0
    while i < len(text) - 1:
        if text[i] == "&":
            if text[i + 1] != "&":
                return text[i + 1].lower()
            i += 1
        i += 1
    return ""


def pick_mnemonics(texts: list[str], taken: set[str] | None = None) -> list[str]:
    """``texts`` each with a mnemonic unique among them (and not in ``taken``): a text
    keeps its own when free; else the first free initial of a word, else any free letter
    or digit. A text with no free letter stays as it is."""
    taken = set(taken or ())
    keep = []
    for text in texts:
        letter = mnemonic_of(text)
        if letter and letter not in taken:
            taken.add(letter)
            keep.append(True)
        else:
            keep.append(False)
    out = []
    for text, kept in zip(texts, keep):
        if kept or not text:
            out.append(text)
            continue
        plain = text.replace("&&", "\0").replace("&", "").replace("\0", "&&")
        label = plain.split("  (")[0]  # not in the reason an action is refused
        starts = [i for i, ch in enumerate(label) if ch.isalnum()
                  and (i == 0 or not label[i - 1].isalnum())]
        rest = [i for i, ch in enumerate(label) if ch.isalnum() and i not in starts]
        pick = next((i for i in starts + rest if plain[i].lower() not in taken
                     and not _in_double_amp(plain, i)), None)
        if pick is None:
            out.append(plain)
            continue
        taken.add(plain[pick].lower())
        out.append(plain[:pick] + "&" + plain[pick:])
    return out


def _in_double_amp(text: str, i: int) -> bool:
    return i > 0 and text[i - 1] == "&"


def give_mnemonics(menu: QMenu) -> None:
    """Mnemonics for ``menu``'s actions and, each on its own, its submenus'."""
    actions = [a for a in menu.actions() if not a.isSeparator() and a.text()]
    for action, text in zip(actions, pick_mnemonics([a.text() for a in actions])):
        if action.text() != text:
            action.setText(text)
        if action.menu() is not None:
            give_mnemonics(action.menu())


def tooltips_shown(menu: QMenu) -> None:
    """Show the tooltips of ``menu``'s entries (and its submenus')."""
    menu.setToolTipsVisible(True)
    for action in menu.actions():
        if action.menu() is not None:
            tooltips_shown(action.menu())


def give_button_mnemonics(parent: QWidget) -> None:
    """Mnemonics for the push buttons of a dialog, unique among them."""
    buttons = [b for b in parent.findChildren(QPushButton) if b.text()]
    for button, text in zip(buttons, pick_mnemonics([b.text() for b in buttons])):
        if button.text() != text:
            button.setText(text)


def plain(text: str) -> str:
    """``text`` without its mnemonic marker."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


_ALL = frozenset("abcdefghijklmnopqrstuvwxyz0123456789")


def with_mnemonic(text: str, letter: str) -> str:
    """``text`` with its mnemonic on (the first) ``letter``; unmarked without one."""
    return pick_mnemonics([text], set(_ALL - {letter}))[0] if letter else plain(text)


def button_text(button: QAbstractButton, text: str) -> None:
    """Set ``text`` on ``button``, keeping the mnemonic letter it has."""
    text = with_mnemonic(text, mnemonic_of(button.text()))
    if button.text() != text:
        button.setText(text)


# ----------------------------------------------------------------------- pages
def page_letters(titles: list[str], taken: set[str]) -> list[str]:
    """One letter a page (its Go-menu mnemonic and its Ctrl+G chord)."""
    return [mnemonic_of(t) for t in pick_mnemonics(titles, taken)]


def build_go_menu(w, go: QMenu) -> None:
    """The Go menu: Switch cloud, then every page (the Quotas page too) with its keys."""
    w.switch_cloud_action.setText("Switch &cloud")
    go.addAction(w.switch_cloud_action)
    go.addSeparator()
    nav = w.navigator
    titles = [nav.title(i) for i in range(nav.count())]
    w.page_actions_by_index = []
    for i, (title, letter) in enumerate(zip(titles, page_letters(titles, {"c"}))):
        action = go.addAction(with_mnemonic(title, letter))
        keys = [QKeySequence(f"Ctrl+{i + 1}")] if i < 9 else []
        if letter:
            keys.append(QKeySequence(f"{GO_PREFIX}, {letter.upper()}"))
        action.setShortcuts(keys)
        action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        action.setProperty("page_index", i)
        action.triggered.connect(lambda _=False, i=i: w.navigator.setCurrentIndex(i))
        w.addAction(action)  # the keys work with the menu closed, on every page
        w.page_actions_by_index.append(action)


# ------------------------------------------------------------------------ help
#: keys that are not menu actions: (keys, what they do)
PAGE_KEYS = (("Esc", "clear the page's filter"), ("Tab", "from the filter to the table"),
             ("Shift+F10 / Menu", "the selection's context menu"),
             ("Double-click", "the row's raw JSON"), ("Alt+letter", "the underlined menu "
                                                                    "or button"))


def _keys(seq: QKeySequence) -> str:
    return seq.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows(w) -> list[tuple[str, str]]:
    """(keys, what) for every action of the window that has a shortcut, then every page's
    keys, then the keys of a page: read from the actions, so never out of date."""
    rows, seen = [], set()
    pages = getattr(w, "page_actions_by_index", [])
    for action in w.findChildren(QAction):
        if action in pages:
            continue
        keys = " or ".join(_keys(s) for s in action.shortcuts())
        text = plain(action.text()).rstrip(".…")
        if keys and text and (keys, text) not in seen:
            seen.add((keys, text))
            rows.append((keys, text))
    page_rows = [(" or ".join(_keys(s) for s in a.shortcuts()), f"{plain(a.text())} page")
                 for a in pages]
    return sorted(rows) + page_rows + list(PAGE_KEYS)


async def show_shortcuts(w) -> None:
    from osdesk.views import dialogs
    table = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td>"
                    f"<td>{html.escape(t)}</td></tr>" for k, t in shortcut_rows(w))
    await dialogs.message(w, "Keyboard shortcuts", f"<table>{table}</table>",
                          icon=dialogs.Icon.NoIcon)
