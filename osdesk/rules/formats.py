"""How values read, Qt-free: sizes, times, IP addresses and statuses as text, native sort
keys, and the id → name lookups (flavor, image, network …) of the open cloud."""

from __future__ import annotations

import dataclasses
import datetime as _dt
import functools
import ipaddress
import re
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

# ------------------------------------------------------------------ context
@dataclass(frozen=True)
class LookupContext:
    """Names the list bodies do not carry, from per-cloud caches (no GET per row).

    Every mapping is id -> name (or id -> list of CIDRs). A missing entry is not an
    error: the cell falls back to the id.
    """

    flavor_names: Mapping[str, str] = field(default_factory=dict)
    image_names: Mapping[str, str] = field(default_factory=dict)
    network_names: Mapping[str, str] = field(default_factory=dict)
    subnet_cidrs_by_network: Mapping[str, Sequence[str]] = field(default_factory=dict)
    subnet_names: Mapping[str, str] = field(default_factory=dict)
    project_names: Mapping[str, str] = field(default_factory=dict)
    domain_names: Mapping[str, str] = field(default_factory=dict)
    server_names: Mapping[str, str] = field(default_factory=dict)
    volume_names: Mapping[str, str] = field(default_factory=dict)

    def replace(self, **changes) -> "LookupContext":
        """A copy with some lookups replaced (the context itself is immutable)."""
        return dataclasses.replace(self, **changes)


#: The context used when a model was given none.
EMPTY_CONTEXT = LookupContext()


# ------------------------------------------------------------------ sort keys
#: The wrapped key of a missing value. Compares greater than every present key
#: (``(1,) > (0, …)``) and never reaches the value, so it cannot raise.
MISSING_KEY = (1,)

_RANK_NUMBER, _RANK_TIME, _RANK_TUPLE, _RANK_TEXT, _RANK_OTHER = range(5)
_DIGITS = re.compile(r"([0-9]+)")
_UTC = _dt.timezone.utc


def natural_key(text: str) -> tuple:
    """Case-insensitive, digit-aware key: ``"vm-9" < "vm-10"``.

    ``re.split`` with a group alternates text and digits, starting with text, so two
    keys always hold the same type at the same position and never raise.
    """
    parts = _DIGITS.split(text.casefold())
    if len(parts) > 1:
        try:
            parts[1::2] = map(int, parts[1::2])
        except ValueError:  # a digit run longer than int() accepts (sys.int_info)
            return (text.casefold(),)
    return tuple(parts)


def _wrap_number(value):
    if value != value:  # NaN compares with nothing
        return MISSING_KEY
    return (0, _RANK_NUMBER, value, value)


def _wrap_text(value):
    if not value:
        return MISSING_KEY
    return (0, _RANK_TEXT, natural_key(value), value)


def _wrap_datetime(value):
    aware = value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
    return (0, _RANK_TIME, aware, value)


def _wrap_other(value):
    if isinstance(value, str):
        return _wrap_text(value)
    if isinstance(value, (int, float)):
        return _wrap_number(value)
    if isinstance(value, _dt.datetime):
        return _wrap_datetime(value)
    if isinstance(value, _dt.date):
        return (0, _RANK_TIME, _dt.datetime(value.year, value.month, value.day, tzinfo=_UTC),
                value)
    if isinstance(value, tuple):
        return (0, _RANK_TUPLE, value, value)
    return (0, _RANK_OTHER, str(value), value)


_WRAPPERS = {
    str: _wrap_text, int: _wrap_number, float: _wrap_number, bool: _wrap_number,
    _dt.datetime: _wrap_datetime, tuple: lambda v: (0, _RANK_TUPLE, v, v),
    type(None): lambda v: MISSING_KEY,
}


def sort_wrap(value) -> tuple:
    """Wrap a native value as ``(is_missing, type_rank, comparable, native)``.

    The rank keeps values of different types apart (a column that holds an int in
    one row and a string in another sorts without ``TypeError``); None and "" are
    missing and sort after everything (as :data:`MISSING_KEY`). Naive datetimes are
    taken as UTC so they compare with aware ones.
    """
    return _WRAPPERS.get(type(value), _wrap_other)(value)


def native_of(key: tuple):
    """The native value inside a wrapped key (None when missing)."""
    return key[3] if len(key) > 3 else None


# ------------------------------------------------------------------ formatting
_SIZE_UNITS = ("B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB")


def fmt_size(num, min_unit: int = 0) -> str:
    """Bytes as a binary size: ``1288490188`` -> ``"1.2 GiB"``; None -> ``""``.

    ``min_unit`` starts at a bigger unit (``fmt_mb`` passes MiB so 0 reads "0 MiB").
    """
    if num is None or num == "" or isinstance(num, bool):
        return ""
    try:
        value = float(num)
    except (TypeError, ValueError):
        return str(num)
    unit = min_unit
    for _ in range(min_unit):
        value /= 1024.0
    while abs(value) >= 1024.0 and unit < len(_SIZE_UNITS) - 1:
        value /= 1024.0
        unit += 1
    if unit == 0 or value == int(value):
        text = str(int(value))
    else:
        text = f"{value:.1f}"
        if text.endswith(".0"):
            text = text[:-2]
        if text == "1024":  # 1023.96 KiB rounds up; say so in the next unit
            if unit < len(_SIZE_UNITS) - 1:
                return f"1 {_SIZE_UNITS[unit + 1]}"
    return f"{text} {_SIZE_UNITS[unit]}"


def fmt_mb(mb) -> str:
    """Mebibytes (nova's RAM/swap unit): ``512`` -> ``"512 MiB"``, ``2048`` -> ``"2 GiB"``."""
    num = to_number(mb)
    if num is None:
        return ""
    return fmt_size(num * 1024 * 1024, min_unit=2)


def fmt_gb(gb) -> str:
    """Gibibytes (nova/glance disk unit): ``20`` -> ``"20 GiB"``."""
    num = to_number(gb)
    if num is None:
        return ""
    return fmt_size(num * 1024 ** 3, min_unit=3)


def fmt_bool(value, yes: str = "Yes", no: str = "No") -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        low = value.strip().lower()
        if low in ("true", "yes", "1", "on"):
            return yes
        if low in ("false", "no", "0", "off"):
            return no
        return value
    return yes if value else no


def to_number(value):
    """int/float from an API number, numeric string or "" (nova swap); None if not a number."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return None
    return None


_TIME_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$")


def parse_time(value) -> _dt.datetime | None:
    """An OpenStack timestamp as an aware datetime (UTC when no offset), else None.

    Reads every shape the APIs send: ``2013-09-03T04:01:32Z`` (nova),
    ``2016-03-08T20:19:41`` (neutron, naive UTC), ``2013-09-23T13:53:12.774549``
    (microseconds), ``…+00:00`` and ``…+0000`` offsets. Never raises.
    """
    if isinstance(value, _dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=_UTC)
    if not isinstance(value, str):
        return None
    try:  # C fast path; 3.11 reads "Z", "+0000", microseconds, a space separator
        when = _dt.datetime.fromisoformat(value)
    except ValueError:
        when = None
    if when is not None:
        return when if when.tzinfo is not None else when.replace(tzinfo=_UTC)
    m = _TIME_RE.match(value.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, frac, tz = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tzinfo = _UTC
    if tz and tz not in ("Z", "z"):
        sign = -1 if tz[0] == "-" else 1
        digits = tz[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
        tzinfo = _dt.timezone(sign * _dt.timedelta(hours=hours, minutes=minutes))
    try:
        return _dt.datetime(int(year), int(month), int(day), int(hour), int(minute),
                            int(second or 0), micro, tzinfo=tzinfo)
    except ValueError:  # 2013-02-30 and friends
        return None


@functools.lru_cache(maxsize=8192)
def _local_offset(quarter_hour: int) -> _dt.timedelta:
    """The local UTC offset at a quarter-hour (UTC). Every zone changes offset on a
    quarter-hour, so one lookup serves all the timestamps in it; ``localtime()``
    costs microseconds and a 10,000-row list holds two timestamps a row."""
    return _dt.timedelta(seconds=time.localtime(quarter_hour * 900).tm_gmtoff)


def clear_time_cache() -> None:
    """Forget cached UTC offsets (after the process timezone changed, ``time.tzset()``)."""
    _local_offset.cache_clear()


def to_local(when: _dt.datetime) -> _dt.datetime:
    """An aware datetime moved to the local timezone (as a fixed offset)."""
    try:
        offset = _local_offset(int(when.timestamp() // 900))
        return (when + offset - when.utcoffset()).replace(tzinfo=_dt.timezone(offset))
    except (OverflowError, OSError, ValueError):  # year 1 / 9999 on some platforms
        return when


def fmt_time(value, fmt: str | None = None) -> str:
    """A timestamp (datetime or ISO string) in local time, ``2013-09-03 06:01``; "" when unknown."""
    when = parse_time(value)
    if when is None:
        return "" if value in (None, "") else str(value)
    if fmt is not None:
        return to_local(when).strftime(fmt)
    # the C isoformat of a naive local time: several times faster than strftime or
    # an f-string, and this runs for every timestamp cell of every row
    try:
        offset = _local_offset(int(when.timestamp() // 900))
        naive = when.replace(tzinfo=None) - when.utcoffset() + offset
    except (OverflowError, OSError, ValueError):
        naive = when.replace(tzinfo=None)
    return naive.isoformat(" ", "minutes")


def fmt_age(value, now: _dt.datetime | None = None) -> str:
    """How long ago: ``"just now"``, ``"3 min ago"``, ``"2 h ago"``, ``"5 days ago"``."""
    when = parse_time(value)
    if when is None:
        return ""
    if now is None:
        now = _dt.datetime.now(_UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=_UTC)
    seconds = (now - when).total_seconds()
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        text = f"{max(1, round(seconds / 60))} min"
    elif seconds < 86400:
        text = f"{round(seconds / 3600)} h"
    elif seconds < 86400 * 60:
        days = round(seconds / 86400)
        text = f"{days} day" + ("s" if days != 1 else "")
    elif seconds < 86400 * 730:
        months = round(seconds / (86400 * 30.44))
        text = f"{months} months"
    else:
        years = int(seconds // (86400 * 365.25))
        text = f"{years} years"
    return f"in {text}" if future else f"{text} ago"


# ------------------------------------------------------------------ addresses
def ip_sort_key(text) -> tuple | None:
    """IPs and CIDRs in numeric order: IPv4 before IPv6, ``10.0.0.9 < 10.0.0.10``.

    ``"10.0.0.0/24"`` sorts by network address then prefix length. Anything that is
    not an address sorts after the addresses, by text. None/"" gives None (missing).
    """
    if text is None:
        return None
    text = str(text).strip()
    if not text:
        return None
    try:
        if "/" in text:
            net = ipaddress.ip_network(text, strict=False)
            return (net.version, int(net.network_address), net.prefixlen, "")
        addr = ipaddress.ip_address(text.split("%", 1)[0])
        return (addr.version, int(addr), 129, "")
    except ValueError:
        return (9, 0, 0, text.casefold())


def server_addresses(server: Mapping) -> list[tuple[str, str, str]]:
    """``(network, addr, type)`` for every address of a nova server, in API order."""
    out = []
    addresses = server.get("addresses") if isinstance(server, Mapping) else None
    if not isinstance(addresses, Mapping):
        return out
    for network, entries in addresses.items():
        if not isinstance(entries, list):
            continue
        for entry in entries:
            if isinstance(entry, Mapping) and entry.get("addr"):
                out.append((str(network), str(entry["addr"]),
                            str(entry.get("OS-EXT-IPS:type") or "")))
    return out


def server_ips(server: Mapping) -> list[str]:
    """Every address of a nova server dict (all networks, fixed and floating)."""
    seen: list[str] = []
    for _net, addr, _kind in server_addresses(server):
        if addr not in seen:
            seen.append(addr)
    return seen


# ------------------------------------------------------------------ status colours
_OK = {"ACTIVE", "AVAILABLE", "IN-USE", "UP", "ONLINE", "ENABLED"}
_BUSY = {"BUILD", "BUILDING", "REBOOT", "HARD_REBOOT", "RESIZE", "REBUILD", "MIGRATING",
         "PASSWORD", "REVERT_RESIZE", "QUEUED", "SAVING", "UPLOADING", "IMPORTING",
         "CREATING", "DELETING", "ATTACHING", "DETACHING", "EXTENDING", "DOWNLOADING",
         "BACKING-UP", "RESTORING-BACKUP", "PENDING_CREATE", "PENDING_UPDATE",
         "PENDING_DELETE", "RESERVED"}
_ERROR = {"ERROR", "KILLED", "ERROR_DELETING", "ERROR_RESTORING", "ERROR_EXTENDING",
          "FAILED", "UNRECOGNIZED"}
_WARN = {"SHUTOFF", "STOPPED", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED",
         "DEACTIVATED", "RESCUE", "VERIFY_RESIZE", "SOFT_DELETED", "DELETED", "DOWN",
         "INACTIVE", "UNKNOWN", "DISABLED", "PENDING_DELETE_IMAGE"}


def status_role(status, task_state=None) -> str | None:
    """The colour role of a status: "ok", "busy", "warn", "error" or None.

    A pending task (nova ``OS-EXT-STS:task_state``) makes any status busy, except
    ERROR which stays an error.
    """
    text = str(status).strip().upper() if status not in (None, "") else ""
    if text in _ERROR or text.startswith("ERROR"):
        return "error"
    if task_state:
        return "busy"
    if text in _OK:
        return "ok"
    if text in _BUSY:
        return "busy"
    if text in _WARN or text.startswith("SHELVED"):
        return "warn"
    return None


# ------------------------------------------------------------------ Column
