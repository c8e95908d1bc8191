"""The open cloud's pages: a tree of sections and pages in the sidebar, and the stack that
shows one of them — the way virt-manager, Lens and pgAdmin list what they manage, so that
fourteen pages fit at 1280×720 where a row of tabs no longer does."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QAbstractItemView, QStackedWidget, QTreeWidget, QTreeWidgetItem,
                               QWidget)

_PAGE = Qt.ItemDataRole.UserRole


class PageNavigator(QObject):
    """``tree`` (sections with their pages) drives ``stack``; the small part of
    ``QTabWidget``'s API the window uses (index, current widget, ``currentChanged``).

    A page may be given as a function that makes it: an empty placeholder stands in the
    stack until the page is first shown (:meth:`ensure`) or made elsewhere and put in
    its place (:meth:`place`)."""

    currentChanged = Signal(int)

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.tree = QTreeWidget()
        self.tree.setObjectName("page_tree")
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(12)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.setUniformRowHeights(True)
        self.stack = QStackedWidget()
        self._items: list[QTreeWidgetItem] = []
        self._sections: dict[str, QTreeWidgetItem] = {}
        #: index -> the function that makes its page, while a placeholder stands there
        self._makers: dict[int, Callable[[], QWidget]] = {}
        self.tree.currentItemChanged.connect(self._on_item_changed)

    # -------------------------------------------------------------- building
    def addPage(self, page: QWidget | Callable[[], QWidget], title: str,  # noqa: N802
                section: str) -> int:
        parent = self._sections.get(section)
        if parent is None:
            parent = QTreeWidgetItem(self.tree, [section])
            font = QFont(parent.font(0))
            font.setBold(True)
            parent.setFont(0, font)
            parent.setFlags(Qt.ItemFlag.ItemIsEnabled)  # a heading: not selectable
            parent.setExpanded(True)
            self._sections[section] = parent
        item = QTreeWidgetItem(parent, [title])
        index = len(self._items)
        item.setData(0, _PAGE, index)
        self._items.append(item)
        if not isinstance(page, QWidget):
            self._makers[index] = page
            page = QWidget()
            page.setObjectName("page_placeholder")
        self.stack.addWidget(page)
        if index == 0:
            self.tree.setCurrentItem(item)
        return index

    def is_made(self, index: int) -> bool:
        return index not in self._makers

    def ensure(self, index: int) -> None:
        """Make the page at ``index`` if only its placeholder stands there."""
        make = self._makers.get(index)
        if make is not None:
            self.place(index, make())

    def place(self, index: int, page: QWidget) -> None:
        """Put the made ``page`` where its placeholder stands (nothing if it is there)."""
        if self._makers.pop(index, None) is None:
            return
        old = self.stack.widget(index)
        current = self.stack.currentIndex() == index
        self.stack.blockSignals(True)
        self.stack.insertWidget(index, page)
        self.stack.removeWidget(old)
        if current:
            self.stack.setCurrentIndex(index)
        self.stack.blockSignals(False)
        old.deleteLater()

    # ------------------------------------------------------- QTabWidget's API
    def count(self) -> int:
        return len(self._items)

    def widget(self, index: int) -> QWidget | None:
        return self.stack.widget(index)

    def indexOf(self, page: QWidget) -> int:  # noqa: N802
        return self.stack.indexOf(page)

    def currentIndex(self) -> int:  # noqa: N802
        return self.stack.currentIndex()

    def currentWidget(self) -> QWidget | None:  # noqa: N802
        return self.stack.currentWidget()

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802
        if 0 <= index < len(self._items):
            self.tree.setCurrentItem(self._items[index])

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802
        self.setCurrentIndex(self.stack.indexOf(page))

    def title(self, index: int) -> str:
        return self._items[index].text(0) if 0 <= index < len(self._items) else ""

    def _on_item_changed(self, item: QTreeWidgetItem | None, _previous) -> None:
        index = item.data(0, _PAGE) if item is not None else None
        if index is None or index == self.stack.currentIndex():
            return
        self.ensure(index)
        self.stack.setCurrentIndex(index)
        self.currentChanged.emit(index)
