"""The raw JSON inspector: any API body as a searchable Key / Value / Type tree.

A big body comes as an ``api.calllog.JsonText``: it is parsed (and its secrets removed)
on a worker thread while the window says so, and its tree is built as it is expanded.
"""

from __future__ import annotations

import json
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt, Signal, Slot
from PySide6.QtGui import QAction, QBrush, QColor, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QDialog, QDialogButtonBox, QHBoxLayout,
                               QHeaderView, QLabel, QLineEdit, QMenu, QPushButton,
                               QStyledItemDelegate, QTreeView, QVBoxLayout, QWidget)

from osdesk.api.calllog import JsonText
from osdesk.models.json_tree import COL_KEY, COL_TYPE, COL_VALUE, JsonTreeModel, scalar_text
from osdesk.views.icons import icon
from osdesk.views.json_highlighter import is_dark

__all__ = ["JsonInspector", "open_inspector"]

#: Default size of the dialog.
DEFAULT_SIZE = (760, 560)
#: Width of the Key column; the Value column takes what is left and elides.
KEY_WIDTH = 260
TYPE_WIDTH = 72
#: More matches than this are not listed (the count says "1000+").
MAX_MATCHES = 1000

_parser: ThreadPoolExecutor | None = None
_parser_lock = threading.Lock()


def _parse_in_background(text: JsonText) -> Future:
    """``text.parse()`` on the inspectors' worker thread (one, made when first needed)."""
    global _parser
    with _parser_lock:
        if _parser is None:
            _parser = ThreadPoolExecutor(max_workers=1, thread_name_prefix="json-inspector")
        return _parser.submit(text.parse)


class _MatchDelegate(QStyledItemDelegate):
    """Paints the rows of search matches with a soft highlight background."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.paths: frozenset[str] = frozenset()
        self.brush = QBrush(QColor("#fff2a8"))

    def initStyleOption(self, option, index):
        super().initStyleOption(option, index)
        if self.paths and index.data(JsonTreeModel.PathRole) in self.paths:
            option.backgroundBrush = self.brush


class JsonInspector(QDialog):
    """A non-modal window showing one JSON value as a tree.

    Search highlights every row whose key or value contains the text and selects
    them one by one (Enter: next, Shift+Enter: previous); the current row's
    JSONPath is shown and can be copied with its value or the whole document.

    Signals:
        parsed(int, object, object): (request number, value, error) of a big body
            parsed on the worker; handed to the GUI thread.
    """

    parsed = Signal(int, object, object)

    def __init__(self, value, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self._request = 0
        self._loading = False
        self.setModal(False)
        self.setSizeGripEnabled(True)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.setWindowFlag(Qt.WindowType.WindowContextHelpButtonHint, False)
        self.resize(*DEFAULT_SIZE)
        self._matches: list[QModelIndex] = []
        self._match_pos = -1

        self.model = JsonTreeModel(None if isinstance(value, JsonText) else value, self)
        self._build()
        self._connect_signals()
        self.set_value(value, title)

    # ------------------------------------------------------------------ building
    def _build(self):
        layout = QVBoxLayout(self)

        top = QHBoxLayout()
        self.search_edit = QLineEdit(self)
        self.search_edit.setPlaceholderText("Find key or value (Enter: next, Shift+Enter: previous)")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.installEventFilter(self)
        self.match_label = QLabel(self)
        self.match_label.setMinimumWidth(self.fontMetrics().horizontalAdvance("9999 of 9999+"))
        self.expand_button = QPushButton("Expand all", self)
        self.collapse_button = QPushButton("Collapse all", self)
        top.addWidget(self.search_edit, 1)
        top.addWidget(self.match_label)
        top.addWidget(self.expand_button)
        top.addWidget(self.collapse_button)
        layout.addLayout(top)

        self.loading_label = QLabel(self)
        self.loading_label.setWordWrap(True)
        self.loading_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.loading_label.hide()
        layout.addWidget(self.loading_label, 1)

        self.tree = QTreeView(self)
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.delegate = _MatchDelegate(self.tree)
        self.tree.setItemDelegate(self.delegate)
        self._update_match_brush()
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(COL_KEY, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_TYPE, QHeaderView.ResizeMode.Interactive)
        header.resizeSection(COL_KEY, KEY_WIDTH)
        header.resizeSection(COL_TYPE, TYPE_WIDTH)
        layout.addWidget(self.tree, 1)

        path_row = QHBoxLayout()
        path_row.addWidget(QLabel("Path:", self))
        self.path_field = QLineEdit(self)
        self.path_field.setReadOnly(True)
        self.path_field.setFrame(False)
        self.path_field.setAccessibleName("JSONPath of the selected node")
        path_row.addWidget(self.path_field, 1)
        layout.addLayout(path_row)

        self.copy_value_action = QAction(icon("copy"), "Copy value", self)
        self.copy_value_action.setShortcut(QKeySequence.StandardKey.Copy)
        self.copy_value_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self.copy_path_action = QAction("Copy path", self)
        self.copy_document_action = QAction("Copy document", self)
        self.expand_action = QAction("Expand all", self)
        self.collapse_action = QAction("Collapse all", self)
        self.tree.addAction(self.copy_value_action)  # Ctrl+C on the tree
        find = QAction(self)
        find.setShortcut(QKeySequence.StandardKey.Find)
        find.triggered.connect(self.focus_search)
        self.addAction(find)

        buttons = QDialogButtonBox(self)
        self.copy_value_button = buttons.addButton("Copy value",
                                                   QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_path_button = buttons.addButton("Copy path",
                                                  QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_document_button = buttons.addButton("Copy document",
                                                      QDialogButtonBox.ButtonRole.ActionRole)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        for button in (self.copy_value_button, self.copy_path_button,
                       self.copy_document_button, close, self.expand_button,
                       self.collapse_button):
            # Enter in the search box means "next match", never a button
            button.setAutoDefault(False)
            button.setDefault(False)
        self.button_box = buttons
        layout.addWidget(buttons)

    def _connect_signals(self):
        self.parsed.connect(self.on_parsed, Qt.ConnectionType.QueuedConnection)
        self.search_edit.textChanged.connect(self.on_search_edit_text_changed)
        self.expand_button.clicked.connect(self.expand_all)
        self.collapse_button.clicked.connect(self.collapse_all)
        self.expand_action.triggered.connect(self.expand_all)
        self.collapse_action.triggered.connect(self.collapse_all)
        self.copy_value_button.clicked.connect(self.copy_value)
        self.copy_path_button.clicked.connect(self.copy_path)
        self.copy_document_button.clicked.connect(self.copy_document)
        self.copy_value_action.triggered.connect(self.copy_value)
        self.copy_path_action.triggered.connect(self.copy_path)
        self.copy_document_action.triggered.connect(self.copy_document)
        self.button_box.rejected.connect(self.close)
        self.tree.selectionModel().currentChanged.connect(self.on_tree_current_changed)
        self.tree.customContextMenuRequested.connect(self.on_tree_context_menu)
        self.tree.verticalScrollBar().valueChanged.connect(self.on_tree_scrolled)

    # ------------------------------------------------------------------ public API
    def set_value(self, value, title: str) -> None:
        """Show another JSON value under another window title; a ``JsonText`` is parsed
        on a worker first (:meth:`is_loading` meanwhile)."""
        self.setWindowTitle(title)
        self._request += 1
        if isinstance(value, JsonText):
            self._set_loading(f"Reading {len(value) / 1e6:.1f} MB of JSON…")
            request = self._request
            _parse_in_background(value).add_done_callback(
                lambda future: self._deliver(request, future))
            return
        self._set_loading("")
        self.model.set_json(value)
        self.tree.expandToDepth(0)
        first = self.model.index(0, COL_KEY)
        if first.isValid():
            self.tree.setCurrentIndex(first)
        self._update_current(self.tree.currentIndex())
        self.search(self.search_edit.text())

    def is_loading(self) -> bool:
        """Whether a big body is still being parsed."""
        return self._loading

    def value(self):
        """The whole document shown."""
        return self.model.root_value()

    def current_index(self) -> QModelIndex:
        """The selected node (column 0), or an invalid index for none."""
        index = self.tree.currentIndex()
        return index.siblingAtColumn(COL_KEY) if index.isValid() else QModelIndex()

    def select_path(self, segments) -> bool:
        """Select the node at ``segments`` (``["server", "addresses"]``); False if absent."""
        index = self.model.index_for_path(list(segments))
        if not index.isValid():
            return False
        self._select(index)
        return True

    def search(self, text: str) -> int:
        """Highlight every match of ``text``, select the first; return the number of matches."""
        text = text.strip()
        self._matches = self.model.find(text, limit=MAX_MATCHES + 1) if text else []
        self.delegate.paths = frozenset(self.model.path_of(i) for i in self._matches)
        self._match_pos = -1
        if self._matches:
            self.next_match()
        else:
            self._update_match_label()
        self.tree.viewport().update()
        return len(self._matches)

    def match_count(self) -> int:
        return len(self._matches)

    def next_match(self) -> None:
        """Select the next match, wrapping around at the end."""
        self._step_match(+1)

    def previous_match(self) -> None:
        """Select the previous match, wrapping around at the start."""
        self._step_match(-1)

    def expand_all(self) -> None:
        self.tree.expandAll()

    def collapse_all(self) -> None:
        self.tree.collapseAll()

    def copy_value(self) -> str:
        """Copy the selected node's value: strings as they are, others as pretty JSON."""
        index = self.current_index()
        if not index.isValid():
            return ""
        value = self.model.value_of(index)
        text = value if isinstance(value, str) else (
            self.model.json_of(index) if isinstance(value, (dict, list, tuple))
            else scalar_text(value))
        QGuiApplication.clipboard().setText(text)
        return text

    def copy_path(self) -> str:
        """Copy the selected node's JSONPath (``$.server.addresses["private"][0].addr``)."""
        text = self.model.path_of(self.current_index())
        QGuiApplication.clipboard().setText(text)
        return text

    def copy_document(self) -> str:
        """Copy the whole document as pretty JSON."""
        text = json.dumps(self.model.root_value(), indent=2, ensure_ascii=False, default=str)
        QGuiApplication.clipboard().setText(text)
        return text

    def context_menu(self) -> QMenu:
        """The tree's context menu (built fresh, not shown)."""
        menu = QMenu(self)
        has_node = self.current_index().isValid()
        for action in (self.copy_value_action, self.copy_path_action):
            action.setEnabled(has_node)
            menu.addAction(action)
        menu.addAction(self.copy_document_action)
        menu.addSeparator()
        menu.addAction(self.expand_action)
        menu.addAction(self.collapse_action)
        return menu

    @Slot()
    def focus_search(self) -> None:
        self.search_edit.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_edit.selectAll()

    # ------------------------------------------------------------------ slots
    @Slot(int, object, object)
    def on_parsed(self, request: int, value, error) -> None:
        if request != self._request:
            return  # another value was asked for meanwhile
        if error is not None:
            self._set_loading(f"Could not read this body as JSON: {error}", failed=True)
            return
        self.set_value(value, self.windowTitle())

    @Slot(int)
    def on_tree_scrolled(self, _value: int) -> None:
        """When the last row shown of an array (or object) scrolls into view, show its
        next batch: QTreeView itself fetches more only at the end of the top level."""
        viewport = self.tree.viewport()
        index = self.tree.indexAt(QPoint(viewport.width() // 2, viewport.height() - 2))
        if not index.isValid():  # below the last row
            index = self._last_row()
        while index.isValid() and self.tree.visualRect(index).bottom() >= 0:
            parent = index.parent()
            if index.row() == self.model.rowCount(parent) - 1 \
                    and self.model.canFetchMore(parent):
                self.model.fetchMore(parent)
                return
            index = self.tree.indexAbove(index)

    @Slot(str)
    def on_search_edit_text_changed(self, text: str) -> None:
        self.search(text)

    @Slot(QModelIndex, QModelIndex)
    def on_tree_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._update_current(current)

    @Slot(QPoint)
    def on_tree_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        if index.isValid():
            self.tree.setCurrentIndex(index)
        self.context_menu().exec(self.tree.viewport().mapToGlobal(pos))

    # ------------------------------------------------------------------ Qt overrides
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_edit and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                self.previous_match()
            else:
                self.next_match()
            return True  # consumed: the dialog must not treat Enter as "accept"
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange and hasattr(self, "delegate"):
            self._update_match_brush()
        super().changeEvent(event)

    # ------------------------------------------------------------------ helpers
    def _deliver(self, request: int, future: Future) -> None:
        """On the worker: hand the parsed value (or the error) to the GUI thread."""
        error = future.exception()
        try:
            self.parsed.emit(request, None if error else future.result(), error)
        except RuntimeError:  # the window was closed and deleted meanwhile
            pass

    def _last_row(self) -> QModelIndex:
        """The last row of the tree as shown (inside the expanded nodes)."""
        model = self.model
        index = model.index(model.rowCount() - 1, 0)
        while index.isValid() and self.tree.isExpanded(index) and model.rowCount(index):
            index = model.index(model.rowCount(index) - 1, 0, index)
        return index

    def _set_loading(self, text: str, failed: bool = False) -> None:
        """Say ``text`` in place of the tree (reading, or why it could not), or show it."""
        self._loading = bool(text) and not failed
        self.loading_label.setText(text)
        self.loading_label.setVisible(bool(text))
        self.tree.setVisible(not text)
        for widget in (self.search_edit, self.expand_button, self.collapse_button,
                       self.copy_document_button):
            widget.setEnabled(not text)
        if text:
            self.model.set_json(None)
            self._update_current(QModelIndex())  # nothing to copy yet

    def _update_match_brush(self) -> None:
        dark = is_dark(self.palette())
        colour = QColor("#6b5a00") if dark else QColor("#fff2a8")
        self.delegate.brush = QBrush(colour)

    def _step_match(self, step: int) -> None:
        if not self._matches:
            self._update_match_label()
            return
        shown = min(len(self._matches), MAX_MATCHES)
        self._match_pos = (self._match_pos + step) % shown
        self._select(self._matches[self._match_pos])
        self._update_match_label()

    def _update_match_label(self) -> None:
        if not self.search_edit.text().strip():
            self.match_label.setText("")
            return
        total = len(self._matches)
        if not total:
            self.match_label.setText("No matches")
            return
        count = f"{MAX_MATCHES}+" if total > MAX_MATCHES else str(total)
        self.match_label.setText(f"{self._match_pos + 1} of {count}")

    def _select(self, index: QModelIndex) -> None:
        parent = index.parent()
        while parent.isValid():  # scrollTo expands too, but only when the view is idle
            self.tree.expand(parent)
            parent = parent.parent()
        self.tree.setCurrentIndex(index)
        self.tree.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)

    def _update_current(self, index: QModelIndex) -> None:
        has_node = index.isValid()
        self.path_field.setText(self.model.path_of(index) if has_node else "")
        self.path_field.setCursorPosition(0)
        self.copy_value_button.setEnabled(has_node)
        self.copy_path_button.setEnabled(has_node)
        self.copy_value_action.setEnabled(has_node)
        self.copy_path_action.setEnabled(has_node)


def open_inspector(parent: QWidget | None, value, title: str) -> JsonInspector:
    """Show ``value`` in a new inspector window (deleted when closed) and return it."""
    inspector = JsonInspector(value, title, parent)
    inspector.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    inspector.show()
    inspector.raise_()
    inspector.activateWindow()
    return inspector
