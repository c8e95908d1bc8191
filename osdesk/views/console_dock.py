"""The API console: every HTTP exchange of the session, filterable, with its redacted detail.

The list does not move under the user: while a call is selected (or the list is
scrolled up) new calls are added below without scrolling; following the newest
resumes when the selection is cleared (Esc) or the list is scrolled to the bottom.
"""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QSettings, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QMenu, QMessageBox, QSplitter,
                               QVBoxLayout, QWidget)

from osdesk.api.calllog import ApiCall
from osdesk.kinds.registry import COLLECTIONS
from osdesk.models.api_log import ApiLogFilterProxy, ApiLogModel
from osdesk.profiles.atomic import write_atomic
from osdesk.views.console_parts import (COLUMN_WIDTHS, MAX_MIB, MIN_MIB, make_detail,
                                        make_table, make_toolbar)
from osdesk.views.console_text import call_title, request_text, response_text

__all__ = ["COLUMN_WIDTHS", "ConsoleDock", "call_title", "request_text", "response_text"]

#: Longer texts are shown without colours: highlighting runs Python per line on the
#: GUI thread, and a 256 KB body has ~10,000 lines (DESIGN.md "stall budget").
HIGHLIGHT_MAX_CHARS = 64 * 1024
#: How long a notice ("Copied as curl") stays in the toolbar, in ms.
NOTICE_MS = 3000
#: QSettings keys of the console's own choices.
HIDE_POLLING_KEY = "console/hide_polling"
MAX_MIB_KEY = "console/max_mib"
_MIB = 1024 * 1024


def _setting_bool(value) -> bool:
    return value is True or str(value).lower() in ("true", "1")


class ConsoleDock(QDockWidget):
    """The "API console" dock: a table of API calls over an :class:`ApiLogModel` and the
    selected call's request and response.

    The dock only reads the model (and sets its byte cap); feeding it (``ApiLogBridge``)
    is the owner's job. "Hide polling" and the memory cap are kept in QSettings.

    Signals:
        inspectRequested(object, str): (JSON value, title) to open in the JSON inspector;
            the value of a big body is an ``api.calllog.JsonText``, parsed by the inspector.
    """

    inspectRequested = Signal(object, str)

    def __init__(self, model: ApiLogModel, parent=None):
        super().__init__("API console", parent)
        self.setObjectName("console_dock")
        self._model = model
        self._follow = True
        self._shown_call_id: int | None = None
        #: pixels of rows about to be dropped above the top of the view
        self._dropped_above = 0

        self.proxy = ApiLogFilterProxy(self)
        self.proxy.setSourceModel(model)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(make_toolbar(self))

        self.splitter = QSplitter(Qt.Orientation.Horizontal, body)
        self.splitter.setChildrenCollapsible(False)
        self.table = make_table(self, self.proxy)
        self.splitter.addWidget(self.table)
        self.detail_tabs = make_detail(self)
        self.splitter.addWidget(self.detail_tabs)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([650, 350])  # the calls get the larger part at first
        layout.addWidget(self.splitter, 1)
        self.setWidget(body)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.setInterval(NOTICE_MS)
        self._notice_timer.timeout.connect(self.notice_label.clear)

        self._restore_settings()
        self._connect_signals()
        self._update_actions()

    def _restore_settings(self) -> None:
        s = QSettings()
        self.hide_polling_action.setChecked(_setting_bool(s.value(HIDE_POLLING_KEY, False)))
        self.proxy.set_hide_polling(self.hide_polling_action.isChecked())
        try:
            mib = int(s.value(MAX_MIB_KEY, 0) or 0)
        except (TypeError, ValueError):
            mib = 0
        if mib:
            self._model.set_max_bytes(min(max(mib, MIN_MIB), MAX_MIB) * _MIB)
        self.max_mib_spin.setValue(min(max(round(self._model.max_bytes / _MIB), MIN_MIB),
                                       MAX_MIB))

    def _connect_signals(self):
        self.filter_edit.textChanged.connect(self.on_filter_edit_text_changed)
        self.status_combo.currentIndexChanged.connect(self.on_status_combo_changed)
        self.max_mib_spin.valueChanged.connect(self.on_max_mib_spin_changed)
        self.hide_polling_action.toggled.connect(self.on_hide_polling_toggled)
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
        bar = self.table.verticalScrollBar()
        bar.actionTriggered.connect(self.on_table_scroll_action)
        bar.valueChanged.connect(self.on_table_scrolled)
        unselect = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.table)
        unselect.setContext(Qt.ShortcutContext.WidgetShortcut)
        unselect.activated.connect(self.clear_selection)
        self.proxy.rowsInserted.connect(self.on_proxy_rows_inserted)
        self.proxy.modelReset.connect(self.on_proxy_rows_changed)
        self.proxy.rowsAboutToBeRemoved.connect(self.on_proxy_rows_about_to_be_removed)
        self.proxy.rowsRemoved.connect(self.on_proxy_rows_removed)
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

    def clear_selection(self) -> None:
        """Unselect (Esc): the list follows the newest call again."""
        self.table.clearSelection()
        self.table.setCurrentIndex(QModelIndex())
        self._follow = True
        self.table.scrollToBottom()

    def following(self) -> bool:
        """Whether new calls scroll the list to the bottom."""
        return self._follow

    def notice(self) -> str:
        """The transient notice of the toolbar ("Copied as curl"), or ""."""
        return self.notice_label.text()

    def show_notice(self, text: str) -> None:
        """Say ``text`` in the toolbar for a few seconds."""
        self.notice_label.setText(text)
        self._notice_timer.start()

    def copy_curl(self) -> str | None:
        """Put the current call as a curl command on the clipboard; return it."""
        call = self.current_call()
        return self._copy(call.as_curl() if call is not None else None, "Copied as curl")

    def copy_cli(self) -> str | None:
        """Put the current call's ``openstack`` CLI equivalent on the clipboard, if it has one."""
        call = self.current_call()
        return self._copy(call.as_openstack_cli(COLLECTIONS) if call is not None else None,
                          "Copied the openstack command")

    def _copy(self, text: str | None, notice: str) -> str | None:
        if text:
            QGuiApplication.clipboard().setText(text)
            self.show_notice(notice)
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
            # a big body is a JsonText: the inspector parses it on a worker
            self.inspectRequested.emit(call.response_json, call_title(call, "response"))

    def inspect_request(self) -> None:
        """Ask for the current call's request JSON (redacted) in the inspector."""
        call = self.current_call()
        if call is not None and call.request_json is not None:
            self.inspectRequested.emit(call.request_json, call_title(call, "request"))

    # ------------------------------------------------------------------ slots
    @Slot(str)
    def on_filter_edit_text_changed(self, text: str) -> None:
        following = self._follow
        self.proxy.set_filter_text(text)
        self._after_filter_change(following)

    @Slot(int)
    def on_status_combo_changed(self, _index: int) -> None:
        following = self._follow
        self.proxy.set_status_filter(self.status_combo.currentData())
        self._after_filter_change(following)

    @Slot(int)
    def on_max_mib_spin_changed(self, value: int) -> None:
        self._model.set_max_bytes(value * _MIB)
        QSettings().setValue(MAX_MIB_KEY, value)

    @Slot(bool)
    def on_hide_polling_toggled(self, hide: bool) -> None:
        following = self._follow
        self.proxy.set_hide_polling(hide)
        QSettings().setValue(HIDE_POLLING_KEY, bool(hide))
        self._after_filter_change(following)

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
        self._copy(call.url if call is not None else None, "Copied the URL")

    @Slot()
    def on_copy_request_id_triggered(self) -> None:
        call = self.current_call()
        self._copy(call.request_id if call is not None else None, "Copied the request id")

    @Slot(QModelIndex, QModelIndex)
    def on_table_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self._follow = False  # the selected call stays where it is
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
    def on_table_scroll_action(self, _action: int) -> None:
        """The user scrolled (wheel, scroll bar): at the bottom, follow the newest again."""
        bar = self.table.verticalScrollBar()
        self._follow = bar.sliderPosition() >= bar.maximum()

    @Slot(int)
    def on_table_scrolled(self, value: int) -> None:
        if value < self.table.verticalScrollBar().maximum():
            self._follow = False

    @Slot(QModelIndex, int, int)
    def on_proxy_rows_inserted(self, _parent: QModelIndex, _first: int, _last: int) -> None:
        if self._follow:
            # scrollToBottom lays out pending rows first, so the bar's maximum is current
            self.table.scrollToBottom()
            self._follow = True

    @Slot(QModelIndex, int, int)
    def on_proxy_rows_about_to_be_removed(self, _parent: QModelIndex, first: int,
                                          last: int) -> None:
        """The oldest calls go (the cap): remember how far the rows shown will move up."""
        top = self.table.rowAt(0)
        if not self._follow and 0 <= first < top:
            self._dropped_above += sum(self.table.rowHeight(row)
                                       for row in range(first, min(last, top - 1) + 1))

    @Slot(QModelIndex, int, int)
    def on_proxy_rows_removed(self, *_args) -> None:
        if self._dropped_above:  # scroll up as much: the rows shown stay where they are
            bar = self.table.verticalScrollBar()
            bar.setValue(max(0, bar.value() - self._dropped_above))
            self._dropped_above = 0
        self.on_proxy_rows_changed()

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
            for highlighter in self.highlighters:
                highlighter.set_palette(self.palette())
        super().changeEvent(event)

    def _after_filter_change(self, following: bool) -> None:
        self._follow = following
        if following:
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
        highlighter = self.highlighters[which]
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
