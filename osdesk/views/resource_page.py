"""One resource page: a filterable, sortable table with its loading/error states."""

from __future__ import annotations

import asyncio
import datetime as _dt

from PySide6.QtCore import QByteArray, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QLineEdit, QMenu, QPushButton, QSplitter,
                               QToolButton, QVBoxLayout, QWidget)

from osdesk.api import OsdeskError
from osdesk.runtime.runner import Stale
from osdesk.views.column_fit import ColumnFitter, default_widths
from osdesk.views.detail_pane import DetailPane

from osdesk.models.filter_proxy import ResourceFilterProxy
from osdesk.models.resource_model import ResourceTableModel
from osdesk.kinds.registry import ResourceKind
from osdesk.runtime.session import ResourceFeed
from osdesk.views.icons import icon
from osdesk.views.tables import resource_table
from osdesk.views.shortcuts import give_mnemonics, tooltips_shown

#: Banner styles: readable on light and dark palettes (tinted, not solid).
_BANNER = {
    "error": "background: rgba(220, 53, 69, 0.14); border: 1px solid rgba(220, 53, 69, 0.5);",
    "info": "background: rgba(13, 110, 253, 0.10); border: 1px solid rgba(13, 110, 253, 0.4);",
}


def add_grouped(menu: QMenu, entries) -> None:
    """Add actions (None: a separator) to ``menu``; an action whose "submenu" property
    names one goes into that submenu, made where its first action stands. Submenus stand
    together in one block; a separator inside a submenu stays in it."""
    submenus: dict[str, QMenu] = {}
    last, pending = None, False
    for entry in entries:
        if entry is None:
            pending = True
            continue
        title = entry.property("submenu")
        target = submenus.get(title) if title else menu
        if target is None:
            target = submenus[title] = QMenu(title, menu)
            if pending and last is menu:
                menu.addSeparator()
            menu.addMenu(target)
        elif pending and target is last:
            target.addSeparator()
        elif pending and target is menu:
            menu.addSeparator()
        pending = False
        target.addAction(entry)
        last = target


class ResourcePage(QWidget):
    """Table + filter + states for one :class:`ResourceKind`.

    Signals:
        inspectRequested(object): the raw dict of a row to show as JSON.
        selectionChanged(list): raw dicts of the selected rows.
        countsChanged(int, int): rows shown, rows total.
    """

    inspectRequested = Signal(object)
    selectionChanged = Signal(list)
    countsChanged = Signal(int, int)
    #: a sentence for the status bar (why the Delete key did nothing, …)
    said = Signal(str)

    def __init__(self, kind: ResourceKind, parent: QWidget | None = None):
        super().__init__(parent)
        self.kind = kind
        self.key_field = kind.row_key
        self.model = ResourceTableModel(kind.columns, key=self.key_field, parent=self)
        self.proxy = ResourceFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.feed = ResourceFeed(kind, self.model, self)
        #: extra context-menu entries: callable(page, rows) -> list[QAction | None]
        self.menu_provider = None
        #: more detail sections from the view: callable(raw) -> sections (a server's password)
        self.detail_extras = None
        self._page_actions: list[QAction] = []
        self._build()
        self._connect_signals()
        self._restore_columns()
        self._show_state("idle", "")

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.title_label = QLabel(f"<b>{self.kind.title}</b>")
        self.filter_edit = QLineEdit()
        ips = ", IP addresses too" if any(c.addresses for c in self.kind.columns) else ""
        self.filter_edit.setPlaceholderText(f"Filter {self.kind.title.lower()} "
                                            f"(any column{ips})  Ctrl+F")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(280)
        self.refresh_button = QPushButton(icon("refresh"), "Refresh")
        self.refresh_button.setToolTip("Reload this list from the cloud (F5)")
        self.cancel_button = QPushButton(icon("stop"), "Cancel")
        self.cancel_button.setToolTip("Stop waiting for the cloud")
        self.cancel_button.hide()
        self.columns_button = QToolButton()
        self.columns_button.setText("Columns")
        self.columns_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.columns_button.setMenu(QMenu(self.columns_button))
        self.state_label = QLabel()
        self.state_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.toolbar = QHBoxLayout()
        self.toolbar.addWidget(self.title_label)
        self.toolbar.addSpacing(12)
        self.toolbar.addWidget(self.filter_edit, 1)
        self.toolbar.addWidget(self.state_label)
        self.toolbar.addWidget(self.cancel_button)
        self.toolbar.addWidget(self.refresh_button)
        self.toolbar.addWidget(self.columns_button)

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.setContentsMargins(8, 6, 8, 6)
        self.banner.hide()

        self.table = resource_table(self.proxy)
        header = self.table.horizontalHeader()
        header.setSectionsMovable(True)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.fitter = ColumnFitter(self.table)

        self.empty_label = QLabel()
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color: palette(mid); font-size: 13pt; padding: 24px;")
        self.empty_label.hide()

        self.detail = DetailPane()
        table_box = QWidget()
        table_layout = QVBoxLayout(table_box)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.table, 1)
        table_layout.addWidget(self.empty_label, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(table_box)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 320])
        self._detail_timer = QTimer(self)
        self._detail_timer.setSingleShot(True)
        self._detail_timer.setInterval(250)
        self._detail_task = None
        self._extra = None
        #: re-checks how old the rows are, so a page that stopped updating says so
        self._age_timer = QTimer(self)
        self._age_timer.setInterval(10000)
        self._age_timer.start()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 4)
        layout.addLayout(self.toolbar)
        layout.addWidget(self.banner)
        layout.addWidget(self.splitter, 1)
        self._fill_columns_menu()
        self._apply_default_widths()

    def _connect_keys(self) -> None:
        """Esc clears the filter; Tab goes on to the table with a row selected; Shift+F10
        (and the Menu key) open the context menu of the selection."""
        clear = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.filter_edit)
        clear.setContext(Qt.ShortcutContext.WidgetShortcut)
        clear.activated.connect(self.filter_edit.clear)
        menu = QShortcut(QKeySequence("Shift+F10"), self.table)
        menu.setContext(Qt.ShortcutContext.WidgetShortcut)
        menu.activated.connect(self.open_menu_at_current)
        self.setTabOrder(self.filter_edit, self.table)
        self.table.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt's name
        if obj is self.table and event.type() == event.Type.FocusIn \
                and not self.table.selectionModel().hasSelection() and self.proxy.rowCount():
            row = max(self.table.currentIndex().row(), 0)
            self.table.selectRow(row)
        return super().eventFilter(obj, event)

    def open_menu_at_current(self) -> None:
        index = self.table.currentIndex()
        rect = self.table.visualRect(index) if index.isValid() else self.table.rect()
        self.on_table_context_menu(rect.center())

    def _connect_signals(self) -> None:
        self._connect_keys()
        self.filter_edit.textChanged.connect(self.on_filter_edit_textChanged)
        self.refresh_button.clicked.connect(self.refresh)
        self.cancel_button.clicked.connect(self.feed.give_up)
        self.feed.stateChanged.connect(self._show_state)
        self.table.customContextMenuRequested.connect(self.on_table_context_menu)
        self.table.doubleClicked.connect(self.on_table_double_clicked)
        self.table.horizontalHeader().customContextMenuRequested.connect(
            lambda pos: self.columns_button.menu().exec(
                self.table.horizontalHeader().mapToGlobal(pos)))
        self.table.horizontalHeader().sectionResized.connect(lambda *a: self._save_columns())
        self.table.horizontalHeader().sectionMoved.connect(lambda *a: self._save_columns())
        self.table.selectionModel().selectionChanged.connect(
            lambda *a: self.selectionChanged.emit(self.selected_rows()))
        self.table.selectionModel().selectionChanged.connect(self._on_selection_for_detail)
        self.model.rowsMerged.connect(lambda *a: self._render_detail(fetch_extra=False))
        self._detail_timer.timeout.connect(lambda: self._render_detail(fetch_extra=True))
        # a reset (another cloud or project) clears the selection without a signal:
        # the detail pane must not go on showing the old cloud's row
        self.model.modelReset.connect(self._on_model_reset)
        self._age_timer.timeout.connect(self._show_age)
        for signal in (self.model.rowsInserted, self.model.rowsRemoved, self.model.modelReset,
                       self.proxy.layoutChanged, self.proxy.rowsInserted, self.proxy.rowsRemoved,
                       self.proxy.modelReset):
            signal.connect(self._emit_counts)

    # ------------------------------------------------------------- behaviour
    def refresh(self):
        return self.feed.refresh()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def on_filter_edit_textChanged(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._emit_counts()

    def selected_rows(self) -> list[dict]:
        keys = [index.data(ResourceTableModel.IdRole)
                for index in self.table.selectionModel().selectedRows()]
        return [self.model.raw(k) for k in keys if self.model.raw(k) is not None]

    def current_row(self) -> dict | None:
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return self.model.raw(index.data(ResourceTableModel.IdRole))

    def select_key(self, key) -> None:
        row = self.model.row_for_key(key)
        if row is None:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if index.isValid():
            self.table.selectRow(index.row())
            self.table.scrollTo(index)

    def add_page_action(self, action: QAction) -> QToolButton:
        """A button in the page's toolbar (Create image…, Create network…)."""
        button = QToolButton()
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar.insertWidget(2, button)
        self._page_actions.append(action)
        action.setEnabled(self.feed.session is not None)
        return button

    def delete_selected(self) -> bool:
        """The Delete key: run this page's delete action on the selection, if it has one;
        otherwise say why nothing happens."""
        rows = self.selected_rows()
        if not rows:
            return False
        for action in self.menu_provider(self, rows) if self.menu_provider else ():
            if action is not None and action.text().startswith(("Delete", "Release")):
                if action.isEnabled():
                    action.trigger()
                    return True
                self.said.emit(f"Not deleted: {action.toolTip()}")
                return False
        self.said.emit(f"{self.kind.title} are listed here, not deleted: osdesk has no delete "
                       f"for them.")
        return False

    def on_table_double_clicked(self, index: QModelIndex) -> None:
        raw = self.model.raw(index.data(ResourceTableModel.IdRole))
        if raw is not None:
            self.inspectRequested.emit(raw)

    def on_table_context_menu(self, pos: QPoint) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        menu = self.build_context_menu(rows)
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def build_context_menu(self, rows: list[dict]) -> QMenu:
        menu = QMenu(self)
        if self.menu_provider is not None:
            add_grouped(menu, self.menu_provider(self, rows))
            menu.addSeparator()
        inspect = menu.addAction(icon("inspect"), "Inspect JSON")
        inspect.setEnabled(len(rows) == 1)
        inspect.triggered.connect(lambda: self.inspectRequested.emit(rows[0]))
        key_field = self.key_field
        copy_id = menu.addAction(icon("copy"), "Copy ID" if key_field == "id" else "Copy name")
        copy_id.triggered.connect(lambda: QGuiApplication.clipboard().setText(
            "\n".join(str(r.get(key_field, "")) for r in rows)))
        if key_field == "id" and any(r.get("name") for r in rows):
            copy_name = menu.addAction("Copy name")
            copy_name.triggered.connect(lambda: QGuiApplication.clipboard().setText(
                "\n".join(str(r.get("name", "")) for r in rows)))
        give_mnemonics(menu)
        tooltips_shown(menu)  # why an entry is refused, in full
        return menu

    # ---------------------------------------------------------------- detail
    def _on_model_reset(self) -> None:
        self._detail_timer.stop()
        if self._detail_task is not None and not self._detail_task.done():
            self._detail_task.cancel()
        self._extra = None
        self._render_detail(fetch_extra=False)

    def _on_selection_for_detail(self, *args) -> None:
        self._render_detail(fetch_extra=False)
        self._detail_timer.start()

    def refresh_detail(self) -> None:
        self._render_detail(fetch_extra=False)

    def _render_detail(self, fetch_extra: bool) -> None:
        rows = self.selected_rows()
        if len(rows) != 1:
            self._extra = None
            self.detail.show_message("Select a row to see its details." if not rows else
                                     f"{len(rows)} {self.kind.title.lower()} selected.")
            return
        raw = rows[0]
        session = self.feed.session
        lookups = session.lookups if session else None
        is_admin = bool(session and session.info.get("is_admin"))
        sections = self.kind.sections(raw, lookups, is_admin=is_admin)
        if self.detail_extras is not None:
            sections = self.detail_extras(raw) + sections
        key = raw.get(self.key_field)
        extra = self._extra
        if extra and extra[0] == key:
            sections = sections + extra[1]
        title = raw.get("name") or raw.get(self.key_field) or self.kind.title
        self.detail.show_sections(str(title), sections)
        if fetch_extra and session is not None:
            if self._detail_task is not None and not self._detail_task.done():
                self._detail_task.cancel()
            try:
                self._detail_task = asyncio.ensure_future(self._load_extra(session, raw, key))
            except RuntimeError:  # no running loop (plain widget tests)
                self._detail_task = None

    async def _load_extra(self, session, raw, key) -> None:
        try:
            extra = await session.call(self.kind.extra_sections, session.cloud, raw)
        except (Stale, asyncio.CancelledError):
            return
        except OsdeskError as exc:
            extra = [("More", [("—", f"could not load: {exc}", False)])]
        if not extra:
            return
        current = self.selected_rows()
        if len(current) == 1 and current[0].get(self.key_field) == key:
            self._extra = (key, extra)
            self._render_detail(fetch_extra=False)

    # ---------------------------------------------------------------- states
    def _show_state(self, state: str, message: str) -> None:
        busy = state in ("loading", "refreshing")
        for action in self._page_actions:
            action.setEnabled(self.feed.session is not None and state != "no-service")
        self.cancel_button.setVisible(busy)
        self.refresh_button.setEnabled(not busy and self.feed.session is not None)
        if state == "loading":
            self.state_label.setText("⏳ Loading…")
        elif state == "refreshing":
            self.state_label.setText("⟳ Refreshing…")
        else:
            self._show_age()
        if state == "error" and self.feed.loaded_once and self.model.rowCount():
            self.banner.setText(f"{message}<br>The table shows the rows as of "
                                f"{self._as_of()}.")
            self.banner.setStyleSheet(_BANNER["error"])
            self.banner.show()
        elif state in ("error", "no-service"):
            self.banner.setText(message)
            self.banner.setStyleSheet(_BANNER["error" if state == "error" else "info"])
            self.banner.show()
        elif state in ("ready", "idle") and message:
            self.banner.setText(message)
            self.banner.setStyleSheet(_BANNER["info"])
            self.banner.show()
        else:
            self.banner.hide()
        self._update_empty(state)

    def _as_of(self) -> str:
        age = self.feed.age() or 0.0
        when = _dt.datetime.now() - _dt.timedelta(seconds=age)
        ago = f"{int(age // 60)} min ago" if age >= 60 else f"{int(age)} s ago"
        return f"{when:%H:%M:%S} ({ago})"

    def _show_age(self) -> None:
        """Say so when the rows have not been brought up to date for a while."""
        if self.feed.state in ("loading", "refreshing"):
            return
        if self.feed.is_stale() and not self.feed.paused:
            self.state_label.setText(f"⚠ as of {self._as_of()}")
            self.state_label.setToolTip("This page has not been updated for a while; "
                                        "press F5 to load it again.")
        else:
            self.state_label.setText("")
            self.state_label.setToolTip("")

    def _update_empty(self, state: str) -> None:
        empty = self.model.rowCount() == 0
        text = ""
        if empty and state == "loading":
            text = f"Loading {self.kind.title.lower()}…"
        elif empty and state == "ready":
            text = f"No {self.kind.title.lower()} in this project."
        elif empty and state == "no-service":
            text = f"This cloud has no {self.kind.service_type} service."
        elif empty and state == "idle" and self.feed.session is None:
            text = "Open a cloud to see its " + self.kind.title.lower() + "."
        self.empty_label.setText(text)
        self.empty_label.setVisible(bool(text))
        self.table.setVisible(not text)

    def _emit_counts(self, *args) -> None:
        self.countsChanged.emit(self.proxy.rowCount(), self.model.rowCount())
        if self.model.rowCount():
            self._update_empty(self.feed.state)

    # ---------------------------------------------------------------- columns
    def _fill_columns_menu(self) -> None:
        menu = self.columns_button.menu()
        menu.clear()
        for col, spec in enumerate(self.model.columns):
            action = QAction(spec.title, menu)
            action.setCheckable(True)
            action.setChecked(not self.table.isColumnHidden(col))
            action.toggled.connect(lambda on, c=col: self._set_column_visible(c, on))
            menu.addAction(action)

    def _set_column_visible(self, col: int, visible: bool) -> None:
        self.table.setColumnHidden(col, not visible)
        self.fitter.fit()
        self._save_columns()

    def _apply_default_widths(self) -> None:
        hinted, least = default_widths(self.table, self.model.columns)
        for col, spec in enumerate(self.model.columns):
            self.table.setColumnHidden(col, not spec.visible_by_default)
            self.table.setColumnWidth(col, hinted[col])
        self.fitter.start(hinted, least)  # narrowed to fit the table, until the user resizes

    def _settings_key(self) -> str:
        return f"columns/{self.kind.key}"

    def _save_columns(self) -> None:
        QSettings().setValue(self._settings_key(), self.table.horizontalHeader().saveState())

    def _restore_columns(self) -> None:
        state = QSettings().value(self._settings_key())
        if isinstance(state, (QByteArray, bytes)) and state:
            self.table.horizontalHeader().restoreState(state)
            self.fitter.auto = False  # the user's widths, as they left them
            for col in range(self.model.columnCount()):
                action = self.columns_button.menu().actions()[col]
                action.blockSignals(True)
                action.setChecked(not self.table.isColumnHidden(col))
                action.blockSignals(False)
        self.table.horizontalHeader().setSortIndicatorShown(True)
