"""The raw JSON inspector's model: any JSON value as a lazily built Key / Value / Type tree."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

__all__ = ["JsonTreeModel", "format_path", "json_type", "scalar_text", "walk"]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_USER = int(Qt.ItemDataRole.UserRole)

COL_KEY, COL_VALUE, COL_TYPE = range(3)
_HEADERS = ("Key", "Value", "Type")
#: Display text of a long string is cut here (the tooltip and json_of hold all of it).
MAX_DISPLAY_CHARS = 300
MAX_TOOLTIP_CHARS = 4000

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
#: Maps whose keys are user-chosen names (network names, metadata keys), written in
#: bracket form whatever they look like: ``$.server.addresses["private"][0].addr``.
BRACKETED_MAPS = frozenset({"addresses", "metadata", "extra_specs"})


def json_type(value) -> str:
    """The JSON type name of a Python value: object, array, string, number, boolean, null."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, (list, tuple)):
        return "array"
    return type(value).__name__


def scalar_text(value) -> str:
    """A value as JSON writes it, strings without quotes; containers summarised."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        n = len(value)
        return f"{{{n} key{'s' if n != 1 else ''}}}"
    if isinstance(value, (list, tuple)):
        n = len(value)
        return f"[{n} item{'s' if n != 1 else ''}]"
    if isinstance(value, float):
        return json.dumps(value)
    return str(value)


def format_path(segments: Sequence[str | int]) -> str:
    """A JSONPath-ish string for a list of keys and indexes.

    ``["server", "addresses", "private", 0, "addr"]`` gives
    ``$.server.addresses["private"][0].addr``.
    """
    out = ["$"]
    parent_key = None
    for seg in segments:
        if isinstance(seg, int) and not isinstance(seg, bool):
            out.append(f"[{seg}]")
        elif _IDENT.match(str(seg)) and parent_key not in BRACKETED_MAPS:
            out.append(f".{seg}")
        else:
            out.append(f"[{json.dumps(str(seg), ensure_ascii=False)}]")
        parent_key = seg
    return "".join(out)


def _is_container(value) -> bool:
    return isinstance(value, (dict, list, tuple))


#: Children are shown this many at a time; the view asks for more when scrolled to the
#: end of them (``canFetchMore``/``fetchMore``), so a 10,000-item array opens at once.
FETCH_BATCH = 256


class _Node:
    """One key/value of the tree; children are made when first shown, a batch at a time."""

    __slots__ = ("parent", "key", "value", "row", "children", "fetched", "_keys")

    def __init__(self, parent, key, value, row):
        self.parent = parent
        self.key = key  # str for an object member, int for an array item, None for the top
        self.value = value
        self.row = row
        self.children: list[_Node] = []
        #: how many children the model shows so far
        self.fetched = min(self.child_count(), FETCH_BATCH)
        self._keys: list | None = None

    def child_count(self) -> int:
        value = self.value
        return len(value) if _is_container(value) else 0

    def keys(self) -> list:
        """The member names of an object, in order (made once)."""
        if self._keys is None:
            self._keys = list(self.value) if isinstance(self.value, dict) else []
        return self._keys

    def child(self, row: int) -> "_Node":
        children = self.children
        if row >= len(children):
            value = self.value
            stop = max(row + 1, self.fetched)
            if isinstance(value, dict):
                keys = self.keys()
                children.extend(_Node(self, keys[i], value[keys[i]], i)
                                for i in range(len(children), stop))
            else:
                children.extend(_Node(self, i, value[i], i) for i in range(len(children), stop))
        return children[row]

    def row_of_key(self, key) -> int:
        """The row of an object member or array index; -1 when there is none."""
        value = self.value
        if isinstance(value, dict):
            if key not in value:
                return -1
            return self.keys().index(key)
        if isinstance(key, bool) or not isinstance(key, int) or not 0 <= key < len(value):
            return -1
        return key

    def segments(self) -> list:
        out = []
        node = self
        while node is not None and node.parent is not None:
            if node.key is not None:
                out.append(node.key)
            node = node.parent
        out.reverse()
        return out


def _items(value):
    return value.items() if isinstance(value, dict) else enumerate(value)


def walk(value):
    """``(segments, key, child)`` for every member of a JSON value, depth-first, in tree order.

    Iterative, so a deeply nested body cannot hit the recursion limit.
    """
    if not _is_container(value):
        return
    stack = [(iter(_items(value)), [])]
    while stack:
        iterator, path = stack[-1]
        try:
            key, child = next(iterator)
        except StopIteration:
            stack.pop()
            continue
        segments = path + [key]
        yield segments, key, child
        if _is_container(child) and child:
            stack.append((iter(_items(child)), segments))


class JsonTreeModel(QAbstractItemModel):
    """A JSON value (dict, list or scalar) as a tree of Key / Value / Type rows.

    An object or array at the top shows its members as top-level rows; a scalar
    shows as one row. Children are created when a view first asks for them, and a
    batch (:data:`FETCH_BATCH`) at a time, so a 26 MB body costs nothing until it is
    expanded and a 10,000-item array shows its first items at once.
    """

    #: the Python value of the row (dict, list, str, int, float, bool, None)
    ValueRole = Qt.ItemDataRole.UserRole
    #: the JSONPath-ish path of the row, as ``path_of`` returns it
    PathRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, value=None, parent=None):
        super().__init__(parent)
        self._value = value
        self._root = self._make_root(value)

    @staticmethod
    def _make_root(value) -> _Node:
        if _is_container(value):
            return _Node(None, None, value, 0)
        # a scalar document: one row for it, so there is something to show and copy
        root = _Node(None, None, [value], 0)
        root.children.append(_Node(root, None, value, 0))
        return root

    # ------------------------------------------------------------------ Qt API
    def _node(self, index: QModelIndex) -> _Node | None:
        if not index.isValid():
            return None
        return index.internalPointer()

    def index(self, row, column, parent=QModelIndex()):
        if column < 0 or column >= len(_HEADERS) or row < 0:
            return QModelIndex()
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        node = self._node(parent) or self._root
        if row >= node.fetched:
            return QModelIndex()
        return self.createIndex(row, column, node.child(row))

    def parent(self, index=QModelIndex()):
        node = self._node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        up = node.parent
        return self.createIndex(up.row, 0, up)

    def rowCount(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent) or self._root
        return node.fetched

    def columnCount(self, parent=QModelIndex()):
        return len(_HEADERS)

    def hasChildren(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return False
        return (self._node(parent) or self._root).child_count() > 0

    def canFetchMore(self, parent=QModelIndex()):
        if parent.isValid() and parent.column() != 0:
            return False
        node = self._node(parent) or self._root
        return node.fetched < node.child_count()

    def fetchMore(self, parent=QModelIndex()):
        node = self._node(parent) or self._root
        self._fetch_to(node, node.fetched + FETCH_BATCH - 1)

    def _fetch_to(self, node: _Node, row: int) -> None:
        """Show the children of ``node`` up to ``row`` at least (a batch more)."""
        stop = min(node.child_count(), max(row + 1, node.fetched + FETCH_BATCH))
        if row < node.fetched or stop <= node.fetched:
            return
        parent = QModelIndex() if node is self._root else self.createIndex(node.row, 0, node)
        self.beginInsertRows(parent, node.fetched, stop - 1)
        node.fetched = stop
        self.endInsertRows()

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        node = self._node(index)
        if index.column() != 0 or not node.child_count():
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY \
                and 0 <= section < len(_HEADERS):
            return _HEADERS[section]
        return None

    def data(self, index, role=_DISPLAY):
        node = self._node(index)
        if node is None:
            return None
        column = index.column()
        if role == _DISPLAY:
            if column == COL_KEY:
                if node.key is None:
                    return "(value)"
                return f"[{node.key}]" if isinstance(node.key, int) else str(node.key)
            if column == COL_VALUE:
                text = scalar_text(node.value)
                if len(text) > MAX_DISPLAY_CHARS:
                    text = text[:MAX_DISPLAY_CHARS] + "…"
                return text.replace("\n", "⏎ ") if "\n" in text else text
            return json_type(node.value)
        if role == _TOOLTIP:
            if column == COL_VALUE and isinstance(node.value, str):
                text = node.value
                if len(text) > MAX_TOOLTIP_CHARS:
                    text = text[:MAX_TOOLTIP_CHARS] + "…"
                return text
            return format_path(node.segments())
        if role == _USER:
            return node.value
        if role == _USER + 1:
            return format_path(node.segments())
        return None

    # ------------------------------------------------------------------ public API
    def set_json(self, value) -> None:
        """Show another value (a reset: this is a different document)."""
        self.beginResetModel()
        self._value = value
        self._root = self._make_root(value)
        self.endResetModel()

    def root_value(self):
        """The whole document."""
        return self._value

    def path_of(self, index: QModelIndex) -> str:
        """``$.server.addresses["private"][0].addr`` for a row; ``$`` for the top."""
        node = self._node(index)
        return format_path(node.segments()) if node is not None else "$"

    def segments_of(self, index: QModelIndex) -> list:
        """The keys and indexes from the top to a row: ``["server", "addresses", …]``."""
        node = self._node(index)
        return node.segments() if node is not None else []

    def value_of(self, index: QModelIndex):
        """The Python value of a row; the whole document for an invalid index."""
        node = self._node(index)
        return node.value if node is not None else self._value

    def json_of(self, index: QModelIndex, indent: int = 2) -> str:
        """The value of a row as pretty JSON text; the whole document for an invalid index."""
        return json.dumps(self.value_of(index), indent=indent, ensure_ascii=False,
                          default=str)

    def index_for_path(self, segments: Sequence[str | int], column: int = 0) -> QModelIndex:
        """The row at ``segments`` (building nodes on the way); invalid when there is none.

        ``[]`` is the row of a scalar document, and invalid (the top) otherwise.
        """
        node = self._root
        if not _is_container(self._value):
            return self.createIndex(0, column, node.children[0]) if not segments else QModelIndex()
        for seg in segments:
            if not _is_container(node.value):
                return QModelIndex()
            row = node.row_of_key(seg)
            if row < 0:
                return QModelIndex()
            self._fetch_to(node, row)  # the row is shown before an index is made for it
            node = node.child(row)
        if node is self._root:
            return QModelIndex()
        return self.createIndex(node.row, column, node)

    def find(self, text: str, limit: int | None = None) -> list[QModelIndex]:
        """Rows whose key or scalar value contains ``text`` (case-insensitive), in tree order.

        Searches the raw value, so rows not built yet are found (and built) too.
        Returns column-0 indexes.
        """
        needle = (text or "").casefold()
        if not needle:
            return []
        if not _is_container(self._value):
            hit = needle in scalar_text(self._value).casefold()
            return [self.index_for_path([])] if hit else []
        found: list[QModelIndex] = []
        for segments, key, child in walk(self._value):
            hit = isinstance(key, str) and needle in key.casefold()
            if not hit and not _is_container(child):
                hit = needle in scalar_text(child).casefold()
            if hit:
                index = self.index_for_path(segments)
                if index.isValid():
                    found.append(index)
                    if limit is not None and len(found) >= limit:
                        break
        return found
