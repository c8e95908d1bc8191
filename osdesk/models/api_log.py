"""The console's model: the last API calls up to a byte cap, fed from any thread through a
queued signal; repeated polling calls grouped into one row with a count."""

from __future__ import annotations

from urllib.parse import urlsplit

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal, Slot

from osdesk.api.calllog import ApiCall
from osdesk.models.colors import color_for
from osdesk.models.merging import item_flags
from osdesk.models.terms_proxy import TermsFilterProxy, key_less
from osdesk.rules.formats import sort_wrap

__all__ = ["ApiLogBridge", "ApiLogFilterProxy", "ApiLogModel", "DEFAULT_MAX_BYTES",
           "STATUS_CLASSES", "poll_key", "status_class"]

_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole)
_USER = int(Qt.ItemDataRole.UserRole)

COL_TIME, COL_CLOUD, COL_HOST, COL_METHOD, COL_URL, COL_STATUS, COL_MS, COL_REQUEST_ID = \
    range(8)
_HEADERS = ("Time", "Cloud", "Service · host", "Method", "Path", "Status", "ms", "Request ID")
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_ALIGNMENTS = (_LEFT, _LEFT, _LEFT, _LEFT, _LEFT, _RIGHT, _RIGHT, _LEFT)
#: The default cap of what the console keeps (bodies, headers, records), in bytes.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
#: A row is also a bound (the byte cap counts each record at least RECORD_OVERHEAD).
DEFAULT_MAX_ROWS = 100_000
#: Repeats of a GET (same cloud, method, URL and status) within this many seconds of
#: the last one are counted on its row instead of adding rows: polling.
POLL_WINDOW_S = 120.0
_POLLING_METHODS = frozenset({"GET", "HEAD"})

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


def _clock(when) -> str:
    return when.strftime("%H:%M:%S.") + f"{when.microsecond // 1000:03d}"


class _Entry:
    """One row: a call, or the newest of a run of identical polling calls (``count``)."""

    __slots__ = ("call", "display", "sort", "filter", "role", "tip_url", "count", "first",
                 "first_id", "size", "alive")

    def __init__(self, call: ApiCall):
        self.count = 1
        self.first = call.time
        self.first_id = call.id
        self.alive = True
        self.filter = " ".join((call.method or "", call.url or "", call.request_id or "",
                                str(call.status) if call.status is not None else NO_ANSWER,
                                call.cloud or "", call.service_type or "", call.host,
                                call.error or "")).lower()
        self.set_call(call)

    def set_call(self, call: ApiCall) -> None:
        self.call = call
        self.size = call.stored_bytes()
        split = urlsplit(call.url or "")
        path = split.path or "/"
        if split.query:
            path += "?" + split.query
        when = call.time
        time_text = _clock(when)
        if self.count > 1:
            time_text = f"×{self.count}, last {when.strftime('%H:%M:%S')}"
        status_text = str(call.status) if call.status is not None else NO_ANSWER
        elapsed = call.elapsed_ms if isinstance(call.elapsed_ms, (int, float)) else None
        self.display = (time_text, call.cloud or "", call.host, call.method or "", path,
                        status_text, f"{elapsed:.0f}" if elapsed is not None else "",
                        call.request_id or "")
        self.sort = (when, call.cloud or "", call.host, call.method or "", path,
                     call.status, elapsed, call.request_id or "")
        self.role = _colour_role(call.status)
        self.tip_url = call.url or ""

    def time_tip(self) -> str:
        if self.count == 1:
            return self.call.time.isoformat()
        return (f"{self.count} identical calls (polling), first {_clock(self.first)}, "
                f"last {_clock(self.call.time)}; the newest is shown")


def poll_key(call: ApiCall) -> tuple | None:
    """What identical polling calls share, or None for a call that is never grouped."""
    if (call.method or "").upper() not in _POLLING_METHODS:
        return None
    return (call.cloud, call.method, call.url, call.status)


class ApiLogModel(QAbstractTableModel):
    """The last :class:`ApiCall` records, oldest first, holding at most ``max_bytes``
    (``ApiCall.stored_bytes``) and ``max_rows`` rows: the oldest go first, and a call
    bigger than the whole cap keeps only the heads of its bodies.

    A GET repeating the row of the same cloud, URL and status within
    :data:`POLL_WINDOW_S` is counted on that row (which then shows the newest call).

    ``append`` must run on the GUI thread; worker threads report through an
    :class:`ApiLogBridge`.
    """

    COL_TIME, COL_CLOUD, COL_HOST, COL_METHOD, COL_URL, COL_STATUS, COL_MS, \
        COL_REQUEST_ID = range(8)
    #: native sort value of the cell (datetime, int status, float ms, …)
    SortRole = Qt.ItemDataRole.UserRole
    #: the ApiCall.id of the row
    IdRole = Qt.ItemDataRole.UserRole + 1
    #: the ApiCall record itself
    CallRole = Qt.ItemDataRole.UserRole + 2
    #: lower-cased method, URL, request id, status, cloud and error
    FilterRole = Qt.ItemDataRole.UserRole + 3
    #: how many identical polling calls the row stands for
    CountRole = Qt.ItemDataRole.UserRole + 4

    def __init__(self, max_rows: int = DEFAULT_MAX_ROWS, parent=None, *,
                 max_bytes: int = DEFAULT_MAX_BYTES, group_polling: bool = True):
        super().__init__(parent)
        self._entries: list[_Entry] = []
        self._max_rows = max(1, int(max_rows))
        self._max_bytes = max(1, int(max_bytes))
        self._bytes = 0
        self._groups: dict[tuple, _Entry] = {}
        self.group_polling = group_polling

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
                return entry.time_tip()
            if column == COL_HOST:
                return call.url or None
            return None
        if role == _USER:
            return entry.sort[column]
        if role == _USER + 1:
            return entry.call.id
        if role == _USER + 2:
            return entry.call
        if role == _USER + 3:
            return entry.filter
        if role == _USER + 4:
            return entry.count
        return None

    # ------------------------------------------------------------------ public API
    @property
    def max_rows(self) -> int:
        return self._max_rows

    @property
    def max_bytes(self) -> int:
        return self._max_bytes

    def set_bounds(self, max_rows: int | None = None, max_bytes: int | None = None) -> None:
        """Change the row bound or the byte cap; the oldest rows beyond them go now."""
        if max_rows is not None:
            self._max_rows = max(1, int(max_rows))
        if max_bytes is not None:
            self._max_bytes = max(1, int(max_bytes))
        self._trim()

    def set_max_rows(self, max_rows: int) -> None:
        self.set_bounds(max_rows=max_rows)

    def set_max_bytes(self, max_bytes: int) -> None:
        self.set_bounds(max_bytes=max_bytes)

    @property
    def stored_bytes(self) -> int:
        """What the kept records hold, as ``ApiCall.stored_bytes`` counts it."""
        return self._bytes

    @Slot(object)
    def append(self, call: ApiCall) -> None:
        """Add a record at the end (or count it on its polling row), dropping the oldest
        beyond the caps (GUI thread only)."""
        if call.stored_bytes() > self._max_bytes:
            call = call.without_big_bodies()
        key = poll_key(call) if self.group_polling else None
        entry = self._groups.get(key) if key is not None else None
        if entry is not None and entry.alive and \
                (call.time - entry.call.time).total_seconds() <= POLL_WINDOW_S:
            self._bytes -= entry.size
            entry.count += 1
            entry.set_call(call)
            self._bytes += entry.size
            row = self._row_of_first_id(entry.first_id)
            self.dataChanged.emit(self.index(row, 0), self.index(row, len(_HEADERS) - 1))
        else:
            entry = _Entry(call)
            row = len(self._entries)
            self.beginInsertRows(QModelIndex(), row, row)
            self._entries.append(entry)
            self._bytes += entry.size
            self.endInsertRows()
            if key is not None:
                self._groups[key] = entry
        self._trim()

    def call_at(self, row: int) -> ApiCall:
        return self._entries[row].call

    def calls(self) -> list[ApiCall]:
        return [entry.call for entry in self._entries]

    def row_of_id(self, call_id: int) -> int:
        """The row of the record with ``ApiCall.id == call_id``, or -1 (ids only grow)."""
        lo = self._row_of_first_id(call_id)
        if lo < len(self._entries) and self._entries[lo].call.id == call_id:
            return lo
        for i, entry in enumerate(self._entries):  # records appended out of id order
            if entry.call.id == call_id:
                return i
        return -1

    def _row_of_first_id(self, first_id: int) -> int:
        """The first row whose first call's id is not below ``first_id`` (a bisection:
        rows are added in id order)."""
        lo, hi = 0, len(self._entries)
        while lo < hi:
            mid = (lo + hi) // 2
            if self._entries[mid].first_id < first_id:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def filter_text_at(self, row: int) -> str:
        return self._entries[row].filter

    def count_at(self, row: int) -> int:
        """How many identical polling calls the row stands for (1 for most)."""
        return self._entries[row].count

    def status_at(self, row: int) -> int | None:
        return self._entries[row].call.status

    def sort_key_at(self, row: int, column: int) -> tuple:
        return sort_wrap(self._entries[row].sort[column])

    def clear(self) -> None:
        if not self._entries:
            return
        self.beginRemoveRows(QModelIndex(), 0, len(self._entries) - 1)
        for entry in self._entries:
            entry.alive = False
        self._entries.clear()
        self._groups.clear()
        self._bytes = 0
        self.endRemoveRows()

    def to_json(self) -> list[dict]:
        """Every record as ``ApiCall.to_dict()`` (already redacted), oldest first."""
        return [entry.call.to_dict() for entry in self._entries]

    def _trim(self) -> None:
        excess = max(0, len(self._entries) - self._max_rows)
        over = self._bytes - self._max_bytes
        while over > 0 and excess < len(self._entries):
            over -= self._entries[excess].size
            excess += 1
        if excess > 0:
            self.beginRemoveRows(QModelIndex(), 0, excess - 1)
            for entry in self._entries[:excess]:
                entry.alive = False
                self._bytes -= entry.size
            del self._entries[:excess]
            self.endRemoveRows()
            self._groups = {key: entry for key, entry in self._groups.items() if entry.alive}


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
        self._hide_polling = False

    def hide_polling(self) -> bool:
        return self._hide_polling

    def set_hide_polling(self, hide: bool) -> None:
        """Hide the rows of repeated polling calls (those counted more than once)."""
        if bool(hide) != self._hide_polling:
            self._refilter("_hide_polling", bool(hide))

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
        if self._hide_polling and source.count_at(source_row) > 1:
            return False
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
