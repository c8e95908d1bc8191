"""The API console: every HTTP exchange of the session, filterable, with its redacted detail."""

from __future__ import annotations

import http
import json
import os
from urllib.parse import urlsplit

from PySide6.QtCore import QEvent, QModelIndex, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QFontDatabase, QGuiApplication
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QDockWidget, QFileDialog,
                               QHeaderView, QLineEdit, QMenu, QMessageBox,
                               QPlainTextEdit, QSpinBox, QSplitter, QTableView, QTabWidget,
                               QToolBar, QToolButton, QVBoxLayout, QWidget)

from osdesk.api.calllog import ApiCall
from osdesk.kinds.registry import COLLECTIONS
from osdesk.models.api_log import ApiLogFilterProxy, ApiLogModel
from osdesk.profiles.atomic import write_atomic
from osdesk.views.icons import icon
from osdesk.views.json_highlighter import JsonHighlighter

__all__ = ["ConsoleDock", "request_text", "response_text"]

#: (label, ApiLogFilterProxy status class) of the status combo.
STATUS_CHOICES = (("All", "all"), ("Errors", "errors"), ("2xx", "2xx"), ("4xx", "4xx"),
                  ("5xx", "5xx"))
#: Default widths of the table's columns in pixels; the URL column takes the rest.
COLUMN_WIDTHS = {ApiLogModel.COL_TIME: 95, ApiLogModel.COL_CLOUD: 90,
                 ApiLogModel.COL_METHOD: 60, ApiLogModel.COL_STATUS: 60,
                 ApiLogModel.COL_MS: 55, ApiLogModel.COL_REQUEST_ID: 150}
#: Bounds of the "Keep N calls" spin box.
MIN_ROWS, MAX_ROWS = 10, 100_000
#: Longer texts are shown without colours: highlighting runs Python per line on the
#: GUI thread, and a 256 KB body has ~10,000 lines (DESIGN.md "stall budget").
HIGHLIGHT_MAX_CHARS = 64 * 1024


def _message_text(first: str, headers: dict, *blocks: str | None) -> str:
    """A first line, the headers under it, then each non-empty block after a blank line."""
    lines = [first] + [f"{name}: {value}" for name, value in (headers or {}).items()]
    return "\n\n".join(["\n".join(lines), *(block for block in blocks if block)])


def request_text(call: ApiCall) -> str:
    """``METHOD URL``, the (redacted) request headers and the pretty body."""
    return _message_text(f"{call.method} {call.url}", call.request_headers, call.request_body)


def response_text(call: ApiCall) -> str:
    """The status line, the (redacted) response headers and the pretty body, or the error."""
    elapsed = f"{call.elapsed_ms:.0f} ms" if isinstance(call.elapsed_ms, (int, float)) else ""
    if call.status is None:
        text = f"No answer{f' after {elapsed}' if elapsed else ''}"
        if call.error:
            text += "\n\n" + call.error
        return text
    try:
        phrase = http.HTTPStatus(call.status).phrase
    except ValueError:
        phrase = ""
    first = f"HTTP {call.status} {phrase}".rstrip()
    if elapsed:
        first += f"  ({elapsed})"
    return _message_text(first, call.response_headers, call.response_body, call.error)


def call_title(call: ApiCall, which: str = "response") -> str:
    """A window title for the JSON of a call: ``GET /v2.1/servers/… → 200 (response)``."""
    split = urlsplit(call.url or "")
    path = split.path or "/"
    status = str(call.status) if call.status is not None else "no answer"
    cloud = f"[{call.cloud}] " if call.cloud else ""
    return f"{cloud}{call.method} {path} → {status} ({which})"


class ConsoleDock(QDockWidget):
    """The "API console" dock: a table of API calls over an :class:`ApiLogModel` and the
    selected call's request and response.

    The dock only reads the model; feeding it (``ApiLogBridge``) is the owner's job.
    Rows are shown oldest first and the table follows new rows unless the user has
    scrolled up.

    Signals:
        inspectRequested(object, str): (JSON value, title) to open in the JSON inspector.
    """

    inspectRequested = Signal(object, str)

    def __init__(self, model: ApiLogModel, parent=None):
        super().__init__("API console", parent)
        self.setObjectName("console_dock")
        self._model = model
        self._follow = True
        self._shown_call_id: int | None = None

        self.proxy = ApiLogFilterProxy(self)
        self.proxy.setSourceModel(model)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self._make_toolbar())

        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setChildrenCollapsible(False)
        self.table = self._make_table()
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self._make_detail())
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)

        self._connect_signals()
        self._update_actions()

    # ------------------------------------------------------------------ building
    def _make_toolbar(self) -> QToolBar:
        bar = QToolBar("Console", self)
        bar.setObjectName("console_toolbar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

        self.filter_edit = QLineEdit(bar)
        self.filter_edit.setPlaceholderText("Filter method, URL, status, request id")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setMinimumWidth(220)
        bar.addWidget(self.filter_edit)

        self.status_combo = QComboBox(bar)
        self.status_combo.setToolTip("Show only calls of this status class")
        for label, status_class in STATUS_CHOICES:
            self.status_combo.addItem(label, status_class)
        bar.addWidget(self.status_combo)
        bar.addSeparator()

        self.curl_action = QAction(icon("copy"), "Copy as curl", self)
        self.curl_action.setToolTip("Copy the selected call as a curl command "
                                    "(the token as $OS_TOKEN)")
        self.cli_action = QAction(icon("console"), "Copy as openstack", self)
        self.inspect_action = QAction(icon("inspect"), "Inspect JSON", self)
        self.inspect_action.setToolTip("Open the response JSON in the inspector")
        self.inspect_request_action = QAction(icon("inspect"), "Inspect request JSON", self)
        self.clear_action = QAction(icon("clear"), "Clear", self)
        self.clear_action.setToolTip("Forget every call shown here")
        self.save_action = QAction(icon("save"), "Save as JSON…", self)
        self.save_action.setIconText("Save as JSON…")  # tool buttons drop a trailing "…"
        self.save_action.setToolTip("Save every kept call (redacted) to a JSON file")
        self.copy_url_action = QAction("Copy URL", self)
        self.copy_request_id_action = QAction("Copy request id", self)
        for action in (self.curl_action, self.cli_action, self.clear_action, self.save_action):
            bar.addAction(action)
        bar.addSeparator()

        self.max_rows_spin = QSpinBox(bar)
        self.max_rows_spin.setRange(MIN_ROWS, MAX_ROWS)
        self.max_rows_spin.setSingleStep(500)
        self.max_rows_spin.setPrefix("Keep ")
        self.max_rows_spin.setSuffix(" calls")
        self.max_rows_spin.setToolTip("How many calls the console keeps; older ones are dropped")
        self.max_rows_spin.setAccessibleName("Keep N calls")
        # Apply on Enter/focus-out/arrows only: typing "5000" must not trim to 5 first.
        self.max_rows_spin.setKeyboardTracking(False)
        self.max_rows_spin.setValue(min(max(self._model.max_rows, MIN_ROWS), MAX_ROWS))
        bar.addWidget(self.max_rows_spin)
        return bar

    def _make_table(self) -> QTableView:
        table = QTableView(self)
        table.setObjectName("console_table")
        table.setModel(self.proxy)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideMiddle)  # keep host and id of URLs
        table.setShowGrid(False)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        vertical = table.verticalHeader()
        vertical.hide()
        # fixed row heights: no per-row size hints over thousands of rows
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(table.fontMetrics().height() + 6)
        header = table.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(ApiLogModel.COL_URL, QHeaderView.ResizeMode.Stretch)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        return table

    def _make_detail(self) -> QTabWidget:
        self.detail_tabs = QTabWidget(self)
        self.detail_tabs.setDocumentMode(True)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.request_view = self._make_text_view(font)
        self.response_view = self._make_text_view(font)
        self.detail_tabs.addTab(self.request_view, "Request")
        self.detail_tabs.addTab(self.response_view, "Response")
        self.detail_tabs.setCurrentWidget(self.response_view)
        self.inspect_button = QToolButton(self.detail_tabs)
        self.inspect_button.setDefaultAction(self.inspect_action)
        self.inspect_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.inspect_button.setAutoRaise(True)
        self.detail_tabs.setCornerWidget(self.inspect_button, Qt.Corner.TopRightCorner)
        self._highlighters = [JsonHighlighter(view.document(), self.palette(), http_head=True)
                              for view in (self.request_view, self.response_view)]
        return self.detail_tabs

    def _make_text_view(self, font) -> QPlainTextEdit:
        view = QPlainTextEdit(self)
        view.setReadOnly(True)
        view.setUndoRedoEnabled(False)
        view.setFont(font)
        view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        view.setPlaceholderText("Select a call to see it here.")
        return view

    def _connect_signals(self):
        self.filter_edit.textChanged.connect(self.on_filter_edit_text_changed)
        self.status_combo.currentIndexChanged.connect(self.on_status_combo_changed)
        self.max_rows_spin.valueChanged.connect(self.on_max_rows_spin_changed)
        self.curl_action.triggered.connect(self.copy_curl)
        self.cli_action.triggered.connect(self.copy_cli)
        self.inspect_action.triggered.connect(self.inspect_response)
        self.inspect_request_action.triggered.connect(self.inspect_request)
        self.clear_action.triggered.connect(self.clear)
        self.save_action.triggered.connect(self.on_save_action_triggered)
        self.copy_url_action.triggered.connect(self.on_copy_url_triggered)
        self.copy_request_id_action.triggered.connect(self.on_copy_request_id_triggered)
        self.table.selectionModel().currentRowChanged.connect(self.on_table_current_changed)
        self.table.doubleClicked.connect(self.on_table_double_clicked)
        self.table.customContextMenuRequested.connect(self.on_table_context_menu)
        self.table.verticalScrollBar().valueChanged.connect(self.on_table_scrolled)
        self.proxy.rowsInserted.connect(self.on_proxy_rows_inserted)
        self.proxy.modelReset.connect(self.on_proxy_rows_changed)
        self.proxy.rowsRemoved.connect(self.on_proxy_rows_changed)
        self.dockLocationChanged.connect(self.on_dock_location_changed)

    # ------------------------------------------------------------------ public API
    @property
    def model(self) -> ApiLogModel:
        return self._model

    def current_call(self) -> ApiCall | None:
        """The call of the table's current row, or None."""
        index = self.table.currentIndex()
        if not index.isValid():
            return None
        return index.data(ApiLogModel.CallRole)

    def select_last(self) -> None:
        """Select the newest visible call and follow new calls again."""
        rows = self.proxy.rowCount()
        if not rows:
            return
        index = self.proxy.index(rows - 1, ApiLogModel.COL_TIME)
        self.table.setCurrentIndex(index)
        self.table.scrollToBottom()
        self._follow = True

    def copy_curl(self) -> str | None:
        """Put the current call as a curl command on the clipboard; return it."""
        call = self.current_call()
        if call is None:
            return None
        text = call.as_curl()
        QGuiApplication.clipboard().setText(text)
        return text

    def copy_cli(self) -> str | None:
        """Put the current call's ``openstack`` CLI equivalent on the clipboard, if it has one."""
        call = self.current_call()
        text = call.as_openstack_cli(COLLECTIONS) if call is not None else None
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def save_json(self, path: str | os.PathLike) -> int:
        """Write every kept call (redacted, oldest first) to ``path`` as a JSON list.

        Returns the number of calls written. The file is replaced atomically, so a
        failed save leaves an older file intact. Raises ``OSError``.
        """
        records = self._model.to_json()
        text = json.dumps(records, indent=2, ensure_ascii=False, default=str) + "\n"
        write_atomic(os.path.abspath(os.fspath(path)), text.encode("utf-8"))
        return len(records)

    def clear(self) -> None:
        """Forget every call (the model's rows) and empty the detail pane."""
        self._model.clear()
        self._show_call(None)

    def inspect_response(self) -> None:
        """Ask for the current call's response JSON in the inspector."""
        call = self.current_call()
        if call is not None and call.response_json is not None:
            self.inspectRequested.emit(call.response_json, call_title(call, "response"))

    def inspect_request(self) -> None:
        """Ask for the current call's request JSON (redacted) in the inspector."""
        call = self.current_call()
        if call is not None and call.request_json is not None:
            self.inspectRequested.emit(call.request_json, call_title(call, "request"))

    # ------------------------------------------------------------------ slots
    @Slot(str)
    def on_filter_edit_text_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._after_filter_change()

    @Slot(int)
    def on_status_combo_changed(self, _index: int) -> None:
        self.proxy.set_status_filter(self.status_combo.currentData())
        self._after_filter_change()

    @Slot(int)
    def on_max_rows_spin_changed(self, value: int) -> None:
        self._model.set_max_rows(value)

    @Slot()
    def on_save_action_triggered(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self, "Save API calls as JSON", os.path.expanduser("~/osdesk-api-calls.json"),
            "JSON files (*.json)")
        if not path:
            return
        try:
            self.save_json(path)
        except OSError as err:
            QMessageBox.warning(self, "Save API calls",
                                f"Could not save to {path}:\n{err.strerror or err}")

    @Slot()
    def on_copy_url_triggered(self) -> None:
        call = self.current_call()
        if call is not None:
            QGuiApplication.clipboard().setText(call.url)

    @Slot()
    def on_copy_request_id_triggered(self) -> None:
        call = self.current_call()
        if call is not None and call.request_id:
            QGuiApplication.clipboard().setText(call.request_id)

    @Slot(QModelIndex, QModelIndex)
    def on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_call(current.data(ApiLogModel.CallRole) if current.isValid() else None)

    @Slot(QModelIndex)
    def on_table_double_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.table.setCurrentIndex(index)
            self.inspect_response()

    @Slot(QPoint)
    def on_table_context_menu(self, pos: QPoint) -> None:
        if not self.table.indexAt(pos).isValid():
            return
        self.context_menu().exec(self.table.viewport().mapToGlobal(pos))

    @Slot(int)
    def on_table_scrolled(self, value: int) -> None:
        self._follow = value >= self.table.verticalScrollBar().maximum()

    @Slot(QModelIndex, int, int)
    def on_proxy_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._follow:
            # scrollToBottom lays out pending rows first, so the bar's maximum is current
            self.table.scrollToBottom()

    def on_proxy_rows_changed(self, *_args) -> None:
        if not self.table.currentIndex().isValid():
            self._show_call(None)
        else:
            self._update_actions()

    @Slot(Qt.DockWidgetArea)
    def on_dock_location_changed(self, area: Qt.DockWidgetArea) -> None:
        side = area in (Qt.DockWidgetArea.LeftDockWidgetArea,
                        Qt.DockWidgetArea.RightDockWidgetArea)
        self.splitter.setOrientation(Qt.Orientation.Vertical if side
                                     else Qt.Orientation.Horizontal)

    # ------------------------------------------------------------------ helpers
    def context_menu(self) -> QMenu:
        """The table's context menu for the current call (built fresh, not shown)."""
        menu = QMenu(self)
        for action in (self.inspect_action, self.inspect_request_action, None,
                       self.curl_action, self.cli_action, self.copy_url_action,
                       self.copy_request_id_action):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            for highlighter in self._highlighters:
                highlighter.set_palette(self.palette())
        super().changeEvent(event)

    def _after_filter_change(self) -> None:
        if self._follow:
            self.table.scrollToBottom()
        self.on_proxy_rows_changed()

    def _show_call(self, call: ApiCall | None) -> None:
        new_id = call.id if call is not None else None
        if new_id != self._shown_call_id:
            self._shown_call_id = new_id
            if call is None:
                self._set_text(0, "")
                self._set_text(1, "")
            else:
                self._set_text(0, request_text(call))
                self._set_text(1, response_text(call))
        self._update_actions()

    def _set_text(self, which: int, text: str) -> None:
        view = (self.request_view, self.response_view)[which]
        highlighter = self._highlighters[which]
        wanted = view.document() if len(text) <= HIGHLIGHT_MAX_CHARS else None
        if highlighter.document() is not wanted:
            highlighter.setDocument(wanted)
        view.setPlainText(text)

    def _update_actions(self) -> None:
        call = self.current_call()
        has_call = call is not None
        self.curl_action.setEnabled(has_call)
        self.copy_url_action.setEnabled(has_call)
        self.copy_request_id_action.setEnabled(has_call and bool(call.request_id))
        cli = call.as_openstack_cli(COLLECTIONS) if has_call else None
        self.cli_action.setEnabled(bool(cli))
        if cli:
            self.cli_action.setToolTip(f"Copy the openstack CLI command:\n{cli}")
        elif has_call:
            self.cli_action.setToolTip("No openstack CLI command matches this call")
        else:
            self.cli_action.setToolTip("Select a call to copy its openstack CLI command")
        self.inspect_action.setEnabled(has_call and call.response_json is not None)
        self.inspect_request_action.setEnabled(has_call and call.request_json is not None)
