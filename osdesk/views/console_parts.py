"""The API console's widgets, built for :class:`~osdesk.views.console_dock.ConsoleDock`:
its toolbar (filter, status, copy, clear, save, polling, memory cap), its table and its
request / response tabs."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontDatabase
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QHeaderView, QLabel, QLineEdit,
                               QPlainTextEdit, QSizePolicy, QSpinBox, QTableView, QTabWidget,
                               QToolBar, QToolButton, QWidget)

from osdesk.models.api_log import ApiLogModel
from osdesk.views.icons import icon
from osdesk.views.json_highlighter import JsonHighlighter

__all__ = ["MAX_MIB", "MIN_MIB", "make_detail", "make_table", "make_toolbar"]

#: (label, ApiLogFilterProxy status class) of the status combo.
STATUS_CHOICES = (("All", "all"), ("Errors", "errors"), ("2xx", "2xx"), ("4xx", "4xx"),
                  ("5xx", "5xx"))
#: Default widths of the table's columns in pixels; the path column takes the rest.
COLUMN_WIDTHS = {ApiLogModel.COL_TIME: 118, ApiLogModel.COL_CLOUD: 82,
                 ApiLogModel.COL_HOST: 165, ApiLogModel.COL_METHOD: 55,
                 ApiLogModel.COL_STATUS: 48, ApiLogModel.COL_MS: 40,
                 ApiLogModel.COL_REQUEST_ID: 110}
#: Bounds of the "Keep N MiB" spin box (the console's memory cap).
MIN_MIB, MAX_MIB = 1, 4096


def make_toolbar(dock) -> QToolBar:
    """The dock's toolbar; sets the dock's widgets and actions as attributes."""
    bar = QToolBar("Console", dock)
    bar.setObjectName("console_toolbar")
    bar.setMovable(False)
    bar.setFloatable(False)
    bar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)

    dock.filter_edit = QLineEdit(bar)
    dock.filter_edit.setPlaceholderText("Filter method, URL, host, status, request id")
    dock.filter_edit.setClearButtonEnabled(True)
    dock.filter_edit.setMinimumWidth(220)
    bar.addWidget(dock.filter_edit)

    dock.status_combo = QComboBox(bar)
    dock.status_combo.setToolTip("Show only calls of this status class")
    for label, status_class in STATUS_CHOICES:
        dock.status_combo.addItem(label, status_class)
    bar.addWidget(dock.status_combo)
    bar.addSeparator()

    dock.curl_action = QAction(icon("copy"), "Copy as curl", dock)
    dock.curl_action.setToolTip("Copy the selected call as a curl command "
                                "(the token as $OS_TOKEN)")
    dock.cli_action = QAction(icon("console"), "Copy as openstack", dock)
    dock.inspect_action = QAction(icon("inspect"), "Inspect JSON", dock)
    dock.inspect_action.setToolTip("Open the response JSON in the inspector")
    dock.inspect_request_action = QAction(icon("inspect"), "Inspect request JSON", dock)
    dock.clear_action = QAction(icon("clear"), "Clear", dock)
    dock.clear_action.setToolTip("Forget every call shown here")
    dock.save_action = QAction(icon("save"), "Save as JSON…", dock)
    dock.save_action.setIconText("Save as JSON…")  # tool buttons drop a trailing "…"
    dock.save_action.setToolTip("Save every kept call (redacted) to a JSON file")
    dock.copy_url_action = QAction("Copy URL", dock)
    dock.copy_request_id_action = QAction("Copy request id", dock)
    for action in (dock.curl_action, dock.cli_action, dock.clear_action, dock.save_action):
        bar.addAction(action)
    bar.addSeparator()

    dock.hide_polling_action = QAction("Hide polling", dock)
    dock.hide_polling_action.setCheckable(True)
    dock.hide_polling_action.setToolTip(
        "Hide the rows of repeated identical GET calls (a page refreshing, a busy row "
        "followed); each such row counts its calls (×37)")
    bar.addAction(dock.hide_polling_action)

    dock.max_mib_spin = QSpinBox(bar)
    dock.max_mib_spin.setRange(MIN_MIB, MAX_MIB)
    dock.max_mib_spin.setSingleStep(8)
    dock.max_mib_spin.setPrefix("Keep ")
    dock.max_mib_spin.setSuffix(" MiB")
    dock.max_mib_spin.setToolTip("How much memory the console's calls may hold (bodies "
                                 "included); the oldest calls are dropped beyond it")
    dock.max_mib_spin.setAccessibleName("Console memory in MiB")
    # Apply on Enter/focus-out/arrows only: typing "512" must not trim to 5 first.
    dock.max_mib_spin.setKeyboardTracking(False)
    bar.addWidget(dock.max_mib_spin)

    spacer = QWidget(bar)
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    bar.addWidget(spacer)
    dock.notice_label = QLabel(bar)
    dock.notice_label.setObjectName("console_notice")
    dock.notice_label.setAccessibleName("Console notice")
    dock.notice_label.setContentsMargins(6, 0, 6, 0)
    bar.addWidget(dock.notice_label)
    return bar


def make_table(dock, proxy) -> QTableView:
    table = QTableView(dock)
    table.setObjectName("console_table")
    table.setModel(proxy)
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


def make_detail(dock) -> QTabWidget:
    """The request / response tabs with "Inspect JSON" in their corner."""
    tabs = QTabWidget(dock)
    tabs.setDocumentMode(True)
    font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    dock.request_view = _make_text_view(dock, font)
    dock.response_view = _make_text_view(dock, font)
    tabs.addTab(dock.request_view, "Request")
    tabs.addTab(dock.response_view, "Response")
    tabs.setCurrentWidget(dock.response_view)
    dock.inspect_button = QToolButton(tabs)
    dock.inspect_button.setDefaultAction(dock.inspect_action)
    dock.inspect_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    dock.inspect_button.setAutoRaise(True)
    tabs.setCornerWidget(dock.inspect_button, Qt.Corner.TopRightCorner)
    dock.highlighters = [JsonHighlighter(view.document(), dock.palette(), http_head=True)
                         for view in (dock.request_view, dock.response_view)]
    return tabs


def _make_text_view(parent, font) -> QPlainTextEdit:
    view = QPlainTextEdit(parent)
    view.setReadOnly(True)
    view.setUndoRedoEnabled(False)
    view.setFont(font)
    view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    view.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                 | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    view.setPlaceholderText("Select a call to see it here.")
    return view
