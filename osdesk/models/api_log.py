"""The console's model: the last N API calls, fed from any thread through a queued signal."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal, Slot

from osdesk.api.calllog import ApiCall
from osdesk.models.colors import color_for
from osdesk.models.merging import item_flags
from osdesk.models.terms_proxy import TermsFilterProxy, key_less
from osdesk.rules.formats import sort_wrap

__all__ = ["ApiLogBridge", "ApiLogFilterProxy", "ApiLogModel", "STATUS_CLASSES", "status_class"]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_USER = int(Qt.ItemDataRole.UserRole)

COL_TIME, COL_CLOUD, COL_METHOD, COL_URL, COL_STATUS, COL_MS, COL_REQUEST_ID = range(7)
_HEADERS = ("Time", "Cloud", "Method", "URL", "Status", "ms", "Request ID")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGNMENTS = (_LEFT, _LEFT, _LEFT, _LEFT, _RIGHT, _RIGHT, _LEFT)

#: The status-class choices of the console's filter combo.
STATUS_CLASSES = ("all", "errors", "2xx", "3xx", "4xx", "5xx")
NO_ANSWER = "—"


def status_class(status: int | None) -> str:
    """"2xx", "3xx", "4xx", "5xx", "1xx", or "none" when no answer came."""
    if status is None:
        return "none"
    return f"{int(status) // 100}xx"


def _colour_role(status: int | None) -> str | None:
    if status is None or status >= 500:
        return "error"
    if status >= 400:
        return "warn"
    if 200 <= status < 300:
        return "ok"
    return None  # 1xx, 3xx: neutral


class _Entry:
    __slots__ = ("call", "display", "sort", "filter", "role", "tip_url")

    def __init__(self, call: ApiCall):
        self.call = call
        split = urlsplit(call.url or "")
        path = split.path or "/"
        if split.query:
            path += "?" + split.query
        when = call.time
        time_text = when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"
        status_text = str(call.status) if call.status is not None else NO_ANSWER
        elapsed = call.elapsed_ms if isinstance(call.elapsed_ms, (int, float)) else None
        self.display = (time_text, call.cloud or "", call.method or "", path, status_text,
                        f"{elapsed:.0f}" if elapsed is not None else "", call.request_id or "")
        self.sort = (when, call.cloud or "", call.method or "", path,
                     call.status, elapsed, call.request_id or "")
        self.filter = " ".join((call.method or "", call.url or "", call.request_id or "",
                                status_text, call.cloud or "", call.service_type or "",
                                call.error or "")).lower()
        self.role = _colour_role(call.status)
        self.tip_url = call.url or ""


class ApiLogModel(QAbstractTableModel):
    """The last ``max_rows`` :class:`ApiCall` records, oldest first.

    ``append`` must run on the GUI thread; worker threads report through an
    :class:`ApiLogBridge`.
    """

    COL_TIME, COL_CLOUD, COL_METHOD, COL_URL, COL_STATUS, COL_MS, COL_REQUEST_ID = range(7)
    #: native sort value of the cell (datetime, int status, float ms, …)
    SortRole = Qt.ItemDataRole.UserRole
    #: the ApiCall.id of the row
    IdRole = Qt.ItemDataRole.UserRole + 1
    #: the ApiCall record itself
    CallRole = Qt.ItemDataRole.UserRole + 2
    #: lower-cased method, URL, request id, status, cloud and error
    FilterRole = Qt.ItemDataRole.UserRole + 3

    def __init__(self, max_rows: int = 2000, parent=None):
        super().__init__(parent)
        self._entries: list[_Entry] = []
        self._max_rows = max(1, int(max_rows))

    # ------------------------------------------------------------------ Qt API
    def rowCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(self._entries)

    def columnCount(self, parent=QModelIndex()):
        return 0 if parent.isValid() else len(_HEADERS)

    def flags(self, index):
        return item_flags(index)

    def headerData(self, section, orientation, role=_DISPLAY):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(_HEADERS):
            if role == _DISPLAY:
                return _HEADERS[section]
            if role == _ALIGN:
                return _ALIGNMENTS[section]
            return None
        return super().headerData(section, orientation, role)

    def data(self, index, role=_DISPLAY):
        if not index.isValid():
            return None
        entry = self._entries[index.row()]
        column = index.column()
        if role == _DISPLAY:
            return entry.display[column]
        if role == _FOREGROUND:
            # the status cell always shows its class; whole rows only for failures
            if column == COL_STATUS or entry.role in ("warn", "error"):
                return color_for(entry.role)
            return None
        if role == _ALIGN:
            return _ALIGNMENTS[column]
        if role == _TOOLTIP:
            call = entry.call
            if column == COL_URL:
                return entry.tip_url
            if column == COL_STATUS:
                return call.error or None
            if column == COL_TIME:
                return call.time.isoformat()
            return None
        if role == _USER:
            return entry.sort[column]
        if role == _USER + 1:
            return entry.call.id
        if role == _USER + 2:
            return entry.call
        if role == _USER + 3:
            return entry.filter
        return None

    # ------------------------------------------------------------------ public API
    @property
    def max_rows(self) -> int:
        return self._max_rows

    def set_max_rows(self, max_rows: int) -> None:
        """Change the bound; the oldest rows beyond it are dropped now."""
        self._max_rows = max(1, int(max_rows))
        self._trim()

    @Slot(object)
    def append(self, call: ApiCall) -> None:
        """Add a record at the end, dropping the oldest beyond ``max_rows`` (GUI thread only)."""
        entry = _Entry(call)
        row = len(self._entries)
        self.beginInsertRows(QModelIndex(), row, row)
        self._entries.append(entry)
        self.endInsertRows()
        self._trim()

    def call_at(self, row: int) -> ApiCall:
        return self._entries[row].call

    def calls(self) -> list[ApiCall]:
        return [entry.call for entry in self._entries]

    def row_of_id(self, call_id: int) -> int:
        """The row of the record with ``ApiCall.id == call_id``, or -1 (ids only grow)."""
        lo, hi = 0, len(self._entries)
        while lo < hi:  # appended in id order, so bisect
            mid = (lo + hi) // 2
            if self._entries[mid].call.id < call_id:
                lo = mid + 1
            else:
                hi = mid
        if lo < len(self._entries) and self._entries[lo].call.id == call_id:
            return lo
        for i, entry in enumerate(self._entries):  # records appended out of id order
            if entry.call.id == call_id:
                return i
        return -1

    def filter_text_at(self, row: int) -> str:
        return self._entries[row].filter

    def status_at(self, row: int) -> int | None:
        return self._entries[row].call.status

    def sort_key_at(self, row: int, column: int) -> tuple:
        return sort_wrap(self._entries[row].sort[column])

    def clear(self) -> None:
        if not self._entries:
            return
        self.beginRemoveRows(QModelIndex(), 0, len(self._entries) - 1)
        self._entries.clear()
        self.endRemoveRows()

    def to_json(self) -> list[dict]:
        """Every record as ``ApiCall.to_dict()`` (already redacted), oldest first."""
        return [entry.call.to_dict() for entry in self._entries]

    def _trim(self) -> None:
        excess = len(self._entries) - self._max_rows
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            del self._entries[:excess]
            self.endRemoveRows()


class ApiLogBridge(QObject):
    """A :class:`~osdesk.api.calllog.CallLog` subscriber usable from any thread.

    Calling it emits ``callRecorded``; the connection to the model's ``append`` is
    queued by Qt onto the model's (GUI) thread when the call comes from a worker.
    Keep the bridge alive as long as it is subscribed (``detach`` it first).

    Signals:
        callRecorded(ApiCall): one record, emitted on the caller's thread.
    """

    callRecorded = Signal(object)

    def __init__(self, model: ApiLogModel | None = None, parent=None):
        super().__init__(parent)
        self._logs: list = []
        if model is not None:
            self.callRecorded.connect(model.append)

    def __call__(self, call: ApiCall) -> None:
        self.callRecorded.emit(call)

    def attach(self, call_log) -> None:
        """Subscribe to a ``CallLog`` (e.g. ``osdesk.api.calllog.default_log``)."""
        call_log.subscribe(self)
        if call_log not in self._logs:
            self._logs.append(call_log)

    def detach(self, call_log=None) -> None:
        """Unsubscribe from one log, or from every log attached to."""
        for log in ([call_log] if call_log is not None else list(self._logs)):
            log.unsubscribe(self)
            if log in self._logs:
                self._logs.remove(log)


class ApiLogFilterProxy(TermsFilterProxy):
    """Filters the console by text (method, URL, request id, status) and status class."""

    def __init__(self, parent=None):
        super().__init__(ApiLogModel.FilterRole, ApiLogModel.SortRole, parent)
        self._status_class = "all"

    def filter_text(self) -> str:
        return " ".join(self._terms)

    def set_filter_text(self, text: str) -> None:
        self._set_terms(text)

    def status_filter(self) -> str:
        return self._status_class

    def set_status_filter(self, status_class: str) -> None:
        """One of :data:`STATUS_CLASSES`: "all", "errors" (4xx, 5xx, no answer), "2xx", …"""
        if status_class not in STATUS_CLASSES:
            raise ValueError(f"unknown status class {status_class!r}; "
                             f"use one of {', '.join(STATUS_CLASSES)}")
        if status_class != self._status_class:
            self._refilter("_status_class", status_class)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex) -> bool:
        source = self.sourceModel()
        wanted = self._status_class
        if wanted != "all":
            status = source.status_at(source_row)
            if wanted == "errors":
                if status is not None and status < 400:
                    return False
            elif status_class(status) != wanted:
                return False
        return not self._terms or self._holds_terms(source.filter_text_at(source_row))

    def lessThan(self, left: QModelIndex, right: QModelIndex) -> bool:
        source = self.sourceModel()
        a = source.sort_key_at(left.row(), left.column())
        b = source.sort_key_at(right.row(), right.column())
        return key_less(a, b)
