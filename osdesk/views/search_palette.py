"""Search everywhere (Ctrl+K): one box that finds a name, UUID, fixed or floating IP, MAC
or key-pair name among the rows loaded from every cloud, and jumps to pages and runs
menu actions by name. It answers from what is loaded: no request per keystroke."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QDialog, QLabel, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout

from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.inventory_model import (CLOUD_FIELD, CLOUD_ID_FIELD, PROJECT_FIELD,
                                           PROJECT_ID_FIELD, row_key)
from osdesk.rules.search import score, terms

#: results shown at most
LIMIT = 60
_ROLE = Qt.ItemDataRole.UserRole


def _menu_actions(menu_bar) -> list[QAction]:
    """Every enabled, named action of the menu bar's menus (submenus too)."""
    out, todo = [], [a.menu() for a in menu_bar.actions() if a.menu()]
    while todo:
        menu = todo.pop()
        for action in menu.actions():
            if action.menu():
                todo.append(action.menu())
            elif action.text() and not action.isSeparator():
                out.append(action)
    return out


class SearchPalette(QDialog):
    """A popup over the window: type, arrow to a result, Enter."""

    def __init__(self, window, desk):
        super().__init__(window, Qt.WindowType.Popup | Qt.WindowType.FramelessWindowHint)
        self.setObjectName("search_palette")
        self.setStyleSheet("#search_palette { border: 1px solid palette(mid); "
                           "border-radius: 4px; }")
        self.w, self.desk = window, desk
        #: id(raw) → (raw, terms): rows keep their terms while their dict is the same one
        self._terms: dict[int, tuple] = {}
        self._rows: list[tuple] = []  # (kind, raw with its cloud, terms)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText("Search every cloud: name, ID, IP, MAC, key pair — "
                                     "or a page or action")
        self.edit.setClearButtonEnabled(True)
        self.results = QListWidget()
        self.results.setUniformItemSizes(True)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: palette(placeholder-text);")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.edit)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.hint)
        self.edit.textChanged.connect(self.search)
        self.edit.returnPressed.connect(self.activate_current)
        self.results.itemActivated.connect(lambda item: self.activate(item))
        for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            QShortcut(QKeySequence(key), self.edit,
                      activated=lambda k=key: self._move(k))

    # ------------------------------------------------------------------ open
    def popup(self) -> None:
        self._collect()
        geo = self.w.geometry()
        width = min(720, max(480, geo.width() // 2))
        self.resize(width, min(460, geo.height() - 120))
        self.move(geo.x() + (geo.width() - width) // 2, geo.y() + 80)
        self.edit.clear()
        self.search("")
        self.show()
        self.edit.setFocus()

    def _collect(self) -> None:
        """The rows every loaded model holds: the inventory's (every cloud) and the open
        cloud's pages (every kind), without repeating a row both have."""
        seen, rows, cache = set(), [], {}
        for kind_key, model in self.desk.page.models.items():
            for i in range(model.rowCount()):
                raw = model.raw_at(i)
                seen.add((kind_key,) + row_key(raw))
                rows.append((kind_key, raw))
        session = self.w.session
        if session is not None and session.info:
            where = {CLOUD_FIELD: session.profile.name, CLOUD_ID_FIELD: session.profile.id,
                     PROJECT_FIELD: session.info.get("project_name") or "",
                     PROJECT_ID_FIELD: session.info.get("project_id") or ""}
            for kind_key, page in self.w.pages.built_items():  # a page not made has no rows
                model = page.model
                for i in range(model.rowCount()):
                    own = model.raw_at(i)
                    raw = {**own, **where}
                    if (kind_key,) + row_key(raw) in seen:
                        continue
                    rows.append((kind_key, raw, own))
        self._rows = []
        for entry in rows:
            kind_key, raw = entry[0], entry[1]
            source = entry[2] if len(entry) > 2 else raw
            held = self._terms.get(id(source))
            row_terms = held[1] if held is not None and held[0] is source else terms(source)
            cache[id(source)] = (source, row_terms)
            self._rows.append((kind_key, raw, row_terms))
        self._terms = cache
        self._commands = [(f"Go to {kind.title}", ("page", kind.key))
                          for kind in KIND_BY_KEY.values()]
        self._commands.append(("Go to All clouds", ("inventory", None)))
        self._commands += [(a.text().replace("&", ""), ("action", a))
                           for a in _menu_actions(self.w.menuBar()) if a.isEnabled()]

    # ------------------------------------------------------------------ search
    def search(self, text: str) -> None:
        query = text.strip().lower()
        self.results.clear()
        found = []
        if query:
            for kind_key, raw, row_terms in self._rows:
                s = score(query, row_terms)
                if s:
                    found.append((-s, kind_key, raw, row_terms))
            found.sort(key=lambda f: (f[0], str(f[2].get("name") or "")))
        commands = [(label, data) for label, data in self._commands
                    if query and query in label.lower()] if query else []
        for _s, kind_key, raw, row_terms in found[:LIMIT]:
            kind = KIND_BY_KEY[kind_key]
            name = raw.get("name") or raw.get("floating_ip_address") or raw.get("id")
            noun = kind.title[:-1] if kind.title.endswith("s") else kind.title
            hit = next((t for t in row_terms if query in t), "")
            why = f"   ({hit})" if hit and hit != str(name).lower() else ""
            item = QListWidgetItem(f"{name}   —   {noun} in {raw.get(CLOUD_FIELD)} · "
                                   f"{raw.get(PROJECT_FIELD)}{why}")
            item.setToolTip(raw.get("id") or "")
            item.setData(_ROLE, ("row", (kind_key, raw)))
            self.results.addItem(item)
        for label, data in commands[:LIMIT]:
            item = QListWidgetItem(label.replace("\t", "  "))
            item.setData(_ROLE, data)
            self.results.addItem(item)
        if self.results.count():
            self.results.setCurrentRow(0)
        if not query:
            self.hint.setText(f"{_rows(len(self._rows))} of every loaded cloud · "
                              "Enter opens · Esc closes")
        elif not self.results.count():
            self.hint.setText(f"Nothing loaded matches “{text.strip()}”.")
        else:
            more = len(found) - LIMIT
            self.hint.setText(_rows(len(found)) + (f" ({more} more: type more)" if more > 0
                                                    else "") + " · Enter opens")

    def _move(self, key) -> None:
        step = {Qt.Key.Key_Down: 1, Qt.Key.Key_Up: -1, Qt.Key.Key_PageDown: 10,
                Qt.Key.Key_PageUp: -10}[key]
        count = self.results.count()
        if count:
            self.results.setCurrentRow(max(0, min(count - 1, self.results.currentRow() + step)))

    def activate_current(self) -> None:
        item = self.results.currentItem()
        if item is not None:
            self.activate(item)

    def activate(self, item: QListWidgetItem) -> None:
        what, value = item.data(_ROLE)
        self.hide()
        if what == "row":
            self.desk.reveal(*value)
        elif what == "page":
            if self.w.stack.currentWidget() is self.desk.page:
                self.w.stack.setCurrentWidget(self.w.navigator.stack)
            self.w.show_page(value)
        elif what == "inventory":
            self.desk.show_inventory()
        elif what == "action":
            value.trigger()


def _rows(n: int) -> str:
    """"1 row", "12 rows"."""
    return f"{n:,} row" + ("" if n == 1 else "s")
