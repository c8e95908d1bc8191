"""All clouds: one table per kind of every saved cloud's rows, with Cloud, Project and
Region columns; actions go to each row's own cloud and project."""

from __future__ import annotations

import asyncio
import logging

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton,
                               QTabBar, QVBoxLayout, QWidget)

from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.filter_proxy import ResourceFilterProxy
from osdesk.models.inventory_model import (CLOUD_FIELD, CLOUD_ID_FIELD, inventory_model,
                                           own_fields)
from osdesk.models.resource_model import ResourceTableModel
from osdesk.rules.server_actions import (ACTION_BY_KEY, availability_for_many, confirm_verb,
                                         needs_confirmation)
from osdesk.runtime.inventory import INVENTORY_KINDS, Inventory
from osdesk.runtime.runner import Stale
from osdesk.runtime.server_ops import run_on_servers, summarize
from osdesk.views import dialogs
from osdesk.views.column_fit import ColumnFitter, default_widths
from osdesk.views.icons import icon
from osdesk.views.tables import resource_table

log = logging.getLogger(__name__)

#: the server actions the inventory offers (no dialog of their own, one Nova call each)
SERVER_ACTIONS = ("start", "stop", "reboot_soft", "reboot_hard", "suspend", "resume",
                  "shelve", "unshelve", "delete")
EVERY_PROJECT_SETTING = "inventory/every_project"
#: every cloud is listed again this often (minutes), so health and rows stay current
AUTO_REFRESH_MIN = 5


class InventoryPage(QWidget):
    """The "All clouds" page.

    Signals:
        openRequested(str, object): a kind and the row (with its cloud) to show where it lives.
        said(str): a sentence for the status bar.
    """

    openRequested = Signal(str, object)
    said = Signal(str)

    def __init__(self, runner, call_log, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("inventory_page")
        contexts: dict = {}
        self.models = {key: inventory_model(key, contexts, self) for key in INVENTORY_KINDS}
        self.inventory = Inventory(runner, call_log, self.models, contexts, self)
        self.inventory.every_project = QSettings().value(EVERY_PROJECT_SETTING, False, bool)
        self.kind_key = INVENTORY_KINDS[0]
        self.proxy = ResourceFilterProxy(self)
        self._tasks: set[asyncio.Task] = set()
        self._clouds: list = []
        self._secret_of = None
        self._build()
        self.table.horizontalHeader().setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        self._show_kind(0)
        # the tab counts and the summary line, once per turn of the loop at most (a
        # listing merges many times a second)
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(0)
        self._counts_timer.timeout.connect(self._update_counts)
        for model in self.models.values():
            model.rowsMerged.connect(lambda *a: self._counts_timer.start())
        self.inventory.healthChanged.connect(lambda *a: self._counts_timer.start())
        #: every minute: mark clouds gone quiet as stale; every AUTO_REFRESH_MIN, list again
        self._minutes = 0
        self._stale_timer = QTimer(self)
        self._stale_timer.setInterval(60000)
        self._stale_timer.timeout.connect(self._tick)
        self._stale_timer.start()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        title = QLabel("<b>All clouds</b>")
        self.tabs = QTabBar()
        self.tabs.setObjectName("inventory_tabs")
        self.tabs.setDrawBase(False)
        for key in INVENTORY_KINDS:
            self.tabs.addTab(KIND_BY_KEY[key].title)
        self.tabs.currentChanged.connect(self._show_kind)
        self.filter_edit = QLineEdit()
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(240)
        self.filter_edit.textChanged.connect(self._on_filter)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit,
                  activated=self.filter_edit.clear)
        self.every_project = QCheckBox("&Every project")
        self.every_project.setToolTip("List every project you can reach in each cloud, "
                                      "not only the one each cloud opens in")
        self.every_project.setChecked(self.inventory.every_project)
        self.every_project.toggled.connect(self._on_every_project)
        self.refresh_button = QPushButton(icon("refresh"), "&Refresh all")
        self.refresh_button.setToolTip("List every cloud again")
        self.refresh_button.clicked.connect(self.refresh)
        self.summary = QLabel()
        self.summary.setObjectName("inventory_summary")
        self.summary.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addSpacing(12)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(self.every_project)
        top.addWidget(self.refresh_button)
        self.table = resource_table(self.proxy)
        self.table.setObjectName("inventory_table")
        self.fitter = ColumnFitter(self.table)
        self.table.customContextMenuRequested.connect(self._on_menu)
        self.table.doubleClicked.connect(lambda index: self.open_current())
        QShortcut(QKeySequence(Qt.Key.Key_Return), self.table, activated=self.open_current)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(top)
        layout.addWidget(self.tabs)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.summary)

    def _tick(self) -> None:
        self.inventory.check_stale()
        self._minutes += 1
        if self._minutes % AUTO_REFRESH_MIN == 0 and not self.inventory.busy():
            self.refresh()

    # ------------------------------------------------------------------ data
    def load(self, clouds: list, secret_of) -> None:
        """List every cloud of ``clouds`` (profiles); ``secret_of(profile)`` → (known, secret)."""
        self._clouds, self._secret_of = list(clouds), secret_of
        self.inventory.load(self._clouds, secret_of=secret_of)
        self._update_counts()

    def refresh(self) -> None:
        if self._secret_of is not None:
            self.load(self._clouds, self._secret_of)

    def model(self) -> ResourceTableModel:
        return self.models[self.kind_key]

    def _show_kind(self, index: int) -> None:
        self.kind_key = INVENTORY_KINDS[max(0, index)]
        self.proxy.setSourceModel(self.models[self.kind_key])
        title = KIND_BY_KEY[self.kind_key].title.lower()
        self.filter_edit.setPlaceholderText(f"Filter {title} of every cloud "
                                            "(any column, IP addresses too)")
        header = self.table.horizontalHeader()
        columns = self.models[self.kind_key].columns
        names = [i for i, c in enumerate(columns) if c.key == "name"]
        hinted, least = default_widths(self.table, columns, names[0] if names else 0)
        for col, column in enumerate(columns):
            self.table.setColumnHidden(col, not column.visible_by_default)
            header.resizeSection(col, hinted[col])
        self.fitter.start(hinted, least)  # narrowed to fit the table, as on a cloud's pages
        # the rows sorted as the header's arrow says (by Cloud at first: each cloud's rows
        # together), not in the order the clouds happened to answer
        self.table.sortByColumn(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._update_counts()

    def _on_filter(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_counts()

    def _on_every_project(self, on: bool) -> None:
        QSettings().setValue(EVERY_PROJECT_SETTING, on)
        self.inventory.every_project = on
        self.refresh()

    def _update_counts(self) -> None:
        for i, key in enumerate(INVENTORY_KINDS):
            count = self.models[key].rowCount()
            self.tabs.setTabText(i, f"{KIND_BY_KEY[key].title} ({count})")
        health = self.inventory.health
        if not self._clouds:
            self.summary.setText("No saved clouds yet: add one on the left.")
            return
        parts = []
        for profile in self._clouds:
            h = health.get(profile.id)
            state = h.short if h else "not listed"
            parts.append(f"{profile.name}: {state}")
        shown, total = self.proxy.rowCount(), self.model().rowCount()
        rows = f"{shown} of {total}" if shown != total else f"{total}"
        self.summary.setText(f"{rows} {KIND_BY_KEY[self.kind_key].title.lower()} · "
                             + " · ".join(parts))

    # ------------------------------------------------------------------ rows
    def selected_rows(self) -> list[dict]:
        rows = (self.model().raw(i.data(ResourceTableModel.IdRole))
                for i in self.table.selectionModel().selectedRows())
        return [r for r in rows if r is not None]

    def select_first(self) -> None:
        if self.proxy.rowCount():
            self.table.selectRow(0)

    def open_current(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            raw = self.model().raw(index.data(ResourceTableModel.IdRole))
            if raw is not None:
                self.openRequested.emit(self.kind_key, raw)

    def _on_menu(self, pos) -> None:
        if rows := self.selected_rows():
            self.build_menu(rows).popup(self.table.viewport().mapToGlobal(pos))

    def build_menu(self, rows: list[dict]) -> QMenu:
        menu = QMenu(self)
        first = rows[0]
        where = QAction(f"&Open in {first.get(CLOUD_FIELD)}", menu)
        where.setEnabled(len(rows) == 1)
        where.triggered.connect(self.open_current)
        menu.addAction(where)
        inspect = QAction("&Inspect JSON", menu)
        inspect.setEnabled(len(rows) == 1)
        inspect.triggered.connect(lambda: self.window().on_page_inspect_requested(
            own_fields(first)))
        menu.addAction(inspect)
        if self.kind_key != "servers":
            return menu
        menu.addSeparator()
        offline = self.offline_reason(rows)
        for key in SERVER_ACTIONS:
            action = ACTION_BY_KEY[key]
            ok, why = (False, offline) if offline else availability_for_many(rows, action)
            entry = QAction(action.label, menu)
            entry.setEnabled(ok)
            if not ok:
                entry.setToolTip(why)
                entry.setStatusTip(why)
            entry.triggered.connect(lambda _=False, k=key, r=rows: self.run_action(k, r))
            menu.addAction(entry)
        menu.setToolTipsVisible(True)
        return menu

    def offline_reason(self, rows: list[dict]) -> str:
        """Why rows cannot be acted on now (their cloud is not connected: the rows are
        from its snapshot, or it failed), or ""."""
        for row in rows:
            if self.inventory.reach_of(row) is None:
                health = self.inventory.health.get(row.get(CLOUD_ID_FIELD))
                state = health.short if health else "not connected"
                return f"{row.get(CLOUD_FIELD)} is not connected ({state}); its rows are read-only."
        return ""

    def run_action(self, key: str, rows: list[dict]) -> asyncio.Task:
        task = asyncio.ensure_future(self._run(key, rows))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    async def _run(self, key: str, rows: list[dict]) -> None:
        action = ACTION_BY_KEY[key]
        if needs_confirmation(action, len(rows)):
            noun = "server" if len(rows) == 1 else f"{len(rows)} servers"
            clouds = sorted({r.get(CLOUD_FIELD) or "" for r in rows})
            if not await dialogs.confirm(
                    self, f"{confirm_verb(action)} {noun}", confirm_verb(action), noun,
                    [f"{r.get('name') or r.get('id')} ({r.get(CLOUD_FIELD)})" for r in rows],
                    f"{action.consequence} In: {', '.join(clouds)}.".strip()):
                return
        by_reach: dict = {}
        for row in rows:
            by_reach.setdefault(id(self.inventory.reach_of(row)), []).append(row)
        outcomes, follows = [], []
        for group in by_reach.values():
            reach = self.inventory.reach_of(group[0])
            if reach is None:
                self.said.emit(f"{group[0].get(CLOUD_FIELD)} is not connected; "
                               "refresh it first.")
                continue
            try:
                done = await run_on_servers(reach, key, [own_fields(r) for r in group])
            except Stale:
                continue
            outcomes += done
            follows.append(self.inventory.follow(
                reach, [o.server["id"] for o in done if o.ok]))
        if outcomes:
            text, _failed = summarize(action.label, outcomes)
            self.said.emit(text)
        await asyncio.gather(*follows)  # each row until it settles, in its own cloud

    def close(self) -> bool:  # noqa: A003 - QWidget's name
        self.inventory.close()
        return super().close()
