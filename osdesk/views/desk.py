"""Every cloud in one desk: the "All clouds" entry, the inventory page, each cloud's
health in the sidebar, search everywhere (Ctrl+K), and opening a row where it lives."""

from __future__ import annotations

import asyncio
import logging
import time

from PySide6.QtCore import QModelIndex, QObject, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QPushButton

from osdesk.api import OsdeskError
from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.inventory_model import CLOUD_ID_FIELD, PROJECT_ID_FIELD
from osdesk.runtime.inventory_snapshots import InventorySnapshots
from osdesk.runtime.runner import Stale
from osdesk.views.icons import icon
from osdesk.views.inventory_page import InventoryPage

log = logging.getLogger(__name__)

#: "all-clouds" when All clouds was the last thing shown (the next start shows it again)
LAST_VIEW_SETTING = "last_view"
#: how long "open where it lives" waits for the cloud, the project and the row
REVEAL_TIMEOUT_S = 60.0


async def _until(predicate, timeout: float = REVEAL_TIMEOUT_S, step: float = 0.05) -> bool:
    """Wait (yielding to the loop) until ``predicate()``; False after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(step)
    return True


class Desk(QObject):
    """Built by the window chrome; holds the inventory page and the search palette."""

    def __init__(self, window):
        super().__init__(window)
        self.w = window
        self.page = InventoryPage(window.runner, window.call_log, window)
        keeper = getattr(window, "snapshots", None)
        if keeper is not None:  # the lists of last time at once, until the live ones come
            self.page.inventory.snapshots = InventorySnapshots(
                self.page.inventory, window.runner, keeper.store)
        window.stack.addWidget(self.page)
        self.button = QPushButton(icon("cloud"), "All clouds")
        self.button.setObjectName("all_clouds_button")
        self.button.setCheckable(True)
        self.button.setFlat(True)
        self.button.setToolTip("Every saved cloud's servers, volumes, floating IPs, images and "
                               "networks in one list (Ctrl+Shift+A)")
        self.button.setStyleSheet("QPushButton { text-align: left; padding: 6px 8px; "
                                  "font-weight: bold; }")
        self.button.clicked.connect(self.show_inventory)
        layout = window.clouds_dock.widget().layout()
        layout.insertWidget(1, self.button)
        self.all_action = QAction(icon("cloud"), "&All clouds", window)
        self.all_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.all_action.triggered.connect(self.show_inventory)
        self.search_action = QAction(icon("inspect"), "Searc&h everywhere…", window)
        self.search_action.setShortcut(QKeySequence("Ctrl+K"))
        self.search_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.search_action.triggered.connect(self.open_search)
        window.addAction(self.all_action)
        window.addAction(self.search_action)
        go = next((a.menu() for a in window.menuBar().actions()
                   if a.menu() and a.text().replace("&", "") == "Go"), None)
        if go is not None:
            first = go.actions()[0] if go.actions() else None
            go.insertAction(first, self.search_action)
            go.insertAction(first, self.all_action)
        self.palette = None
        self._tasks: set[asyncio.Task] = set()
        self.page.inventory.healthChanged.connect(self._on_health)
        self.page.openRequested.connect(lambda kind, raw: self.reveal(kind, raw))
        self.page.said.connect(lambda text: window.statusBar().showMessage(text, 15000))
        window.stack.currentChanged.connect(self._on_stack_changed)

    # ------------------------------------------------------------------ inventory
    def start(self) -> None:
        """List every cloud in the background (start-up): the sidebar shows each one's
        health and search finds rows of every cloud before any is opened."""
        self.page.load(self.w.clouds_model.profiles(), self.w.clouds.known_secret)

    def start_up(self) -> None:
        """At start: every cloud listed in the background; All clouds shown if it was
        the last view (its rows at once, from the snapshot), else what the window
        opened stays, and the listing waits for its first rows (``FirstRows``)."""
        if QSettings().value(LAST_VIEW_SETTING, "") == "all-clouds" and self.w.session is None:
            self.show_inventory()
        else:
            self.w.first_rows.call_after(self.start)

    def show_inventory(self) -> None:
        QSettings().setValue(LAST_VIEW_SETTING, "all-clouds")
        self.w.clouds_view.setCurrentIndex(QModelIndex())  # no cloud looks chosen
        self.w.stack.setCurrentWidget(self.page)
        self.w.setWindowTitle("All clouds — osdesk")
        listed = {p.id for p in self.page._clouds}
        if listed != {p.id for p in self.w.clouds_model.profiles()} or not listed:
            self.start()
        self.page.table.setFocus()

    def back_to_cloud(self) -> None:
        """From All clouds back to the open cloud's pages, as they were."""
        w = self.w
        w.stack.setCurrentWidget(w.navigator.stack)
        if w.session is not None:
            w.setWindowTitle(f"{w.session.profile.name} — osdesk")
            row = w.clouds_model.row_of(w.session.profile.id)
            w.clouds_view.setCurrentIndex(w.clouds_model.index(row, 0))

    def _on_stack_changed(self, _index: int) -> None:
        shown = self.w.stack.currentWidget() is self.page
        self.button.setChecked(shown)
        if not shown and self.w.session is not None:
            QSettings().setValue(LAST_VIEW_SETTING, "cloud")

    def _on_health(self, profile_id: str) -> None:
        health = self.page.inventory.health.get(profile_id)
        if health is None:
            self.w.clouds_model.set_health(profile_id, None)
        else:
            self.w.clouds_model.set_health(profile_id, (health.state, health.short, health.detail))

    def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        self.page.inventory.close()

    # ------------------------------------------------------------------ search
    def open_search(self) -> None:
        from osdesk.views.search_palette import SearchPalette
        if self.palette is None:
            self.palette = SearchPalette(self.w, self)
        self.palette.popup()

    # ------------------------------------------------------------------ reveal
    def reveal(self, kind_key: str, raw: dict) -> asyncio.Task:
        """Open ``raw`` where it lives: its cloud, its project, its page, its row selected."""
        task = asyncio.ensure_future(self._reveal(kind_key, raw))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _reveal(self, kind_key: str, raw: dict) -> bool:
        w = self.w
        cloud_id, project_id = raw.get(CLOUD_ID_FIELD), raw.get(PROJECT_ID_FIELD)
        key_field = KIND_BY_KEY[kind_key].row_key
        key = raw.get(key_field) if isinstance(key_field, str) else raw.get("id")
        profile = w.clouds_model.profile(cloud_id) if cloud_id else None
        if cloud_id and profile is None:
            w.statusBar().showMessage("That cloud is no longer saved.", 10000)
            return False
        if profile is not None and (w.session is None or w.session.profile.id != cloud_id):
            w.open_profile(profile)
        elif w.stack.currentWidget() is not w.navigator.stack:
            self.back_to_cloud()
        if not await _until(lambda: w.session is not None and bool(w.session.info)):
            return False
        session = w.session
        if project_id and session.info.get("project_id") != project_id:
            try:
                await session.switch_project(project_id)
            except Stale:
                return False
            except OsdeskError as exc:
                w.statusBar().showMessage(f"Could not switch project: {exc}", 15000)
                return False
            combo = w.project_combo
            if combo.findData(project_id) >= 0:
                combo.setCurrentIndex(combo.findData(project_id))
        w.show_page(kind_key)
        page = w.pages[kind_key]
        page.filter_edit.clear()
        if not await _until(lambda: page.model.row_for_key(key) >= 0):
            w.statusBar().showMessage(f"{raw.get('name') or key} is not in "
                                      f"{session.profile.name} any more.", 10000)
            return False
        page.select_key(key)
        page.table.setFocus()
        return True
