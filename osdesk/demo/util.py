"""Small helpers shared by the demo cloud's services (stdlib only)."""

from __future__ import annotations

import datetime as _dt
import functools
import hashlib
import ipaddress
import random
import re
import uuid

# --------------------------------------------------------------------------- time


def _utc(ts: float) -> _dt.datetime:
    return _dt.datetime.fromtimestamp(ts, tz=_dt.timezone.utc)


def _iso(fmt: str):
    """A formatter of timestamps in ``fmt`` (None stays None)."""
    return lambda ts: None if ts is None else _utc(ts).strftime(fmt)


iso_z = _iso("%Y-%m-%dT%H:%M:%SZ")  # 2013-09-03T04:01:32Z: nova created/updated, glance, neutron
iso_micro = _iso("%Y-%m-%dT%H:%M:%S.%f")  # 2013-09-23T13:37:00.880302: nova launched_at, actions
iso_micro_z = _iso("%Y-%m-%dT%H:%M:%S.%fZ")  # 2015-11-07T01:58:43.578929Z: keystone issued_at


def iso_expires(ts: float) -> str:
    """``2015-11-07T02:58:43.000000Z`` (keystone expires_at: fernet drops micros)."""
    return _utc(int(ts)).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def parse_iso(text: str) -> float | None:
    """Parse the ISO-8601 forms OpenStack accepts in ``changes-since``."""
    if not text:
        return None
    t = text.strip().replace(" ", "+")
    if t.endswith("Z"):
        t = t[:-1] + "+00:00"
    try:
        d = _dt.datetime.fromisoformat(t)
    except ValueError:
        return None
    if d.tzinfo is None:
        d = d.replace(tzinfo=_dt.timezone.utc)
    return d.timestamp()


# --------------------------------------------------------------------------- ids


class IdFactory:
    """Deterministic ids (seeded), so a demo cloud looks the same every run."""

    def __init__(self, seed: int | str = 2024):
        self._rnd = random.Random(seed)

    def uuid(self) -> str:
        n = self._rnd.getrandbits(128)
        n = (n & ~(0xF000 << 64) | (0x4000 << 64)) & ~(0xC000 << 48) | (0x8000 << 48)
        h = "%032x" % n
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def hex(self) -> str:
        return self.uuid().replace("-", "")

    def mac(self) -> str:
        b = self._rnd.getrandbits(24)
        return "fa:16:3e:%02x:%02x:%02x" % (b >> 16, (b >> 8) & 0xFF, b & 0xFF)

    def password(self, n: int = 12) -> str:
        alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
        return "".join(self._rnd.choice(alphabet) for _ in range(n))

    def token(self) -> str:
        # Looks like a fernet token: 'gAAAAAB' + url-safe base64, 183 chars.
        import base64
        raw = self._rnd.getrandbits(8 * 132).to_bytes(132, "big")
        return "gAAAAAB" + base64.urlsafe_b64encode(raw).decode().rstrip("=")[:176]

    def randbits(self, n: int) -> int:
        return self._rnd.getrandbits(n)


@functools.lru_cache(maxsize=1024)
def host_id(project_id: str, host: str | None) -> str:
    """nova's hostId: sha224(project_id + host), '' when not scheduled."""
    if not host:
        return ""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def is_uuid_like(val) -> bool:
    if not isinstance(val, str):
        return False
    try:
        return str(uuid.UUID(val)).replace("-", "") == val.replace("-", "").lower()
    except (TypeError, ValueError, AttributeError):
        return False


_HOSTNAME_BAD = re.compile(r"[^\w.-]+")


def sanitize_hostname(name: str) -> str:
    """nova's utils.sanitize_hostname (close enough)."""
    h = name.replace("_", "-").replace(" ", "-")
    h = _HOSTNAME_BAD.sub("", h).lower()
    h = h.strip(".-")[:63]
    return h or "server"


def v4str(n: int) -> str:
    return "%d.%d.%d.%d" % (n >> 24, (n >> 16) & 0xFF, (n >> 8) & 0xFF, n & 0xFF)


def slaac_formatter(prefix: ipaddress.IPv6Network):
    """A fast ``mac -> SLAAC address`` function for one /64 prefix."""
    base = int(prefix.network_address)
    head = str(ipaddress.IPv6Address(base | 0x0001000100010001))[:-len(":1:1:1:1")]

    def fmt(mac: str) -> str:
        b = int(mac.replace(":", ""), 16) ^ 0x020000000000
        g4 = b >> 32
        if not g4:
            return eui64(prefix, mac)
        return "%s:%x:%x:%x:%x" % (head, g4, ((b >> 24) & 0xFF) << 8 | 0xFF,
                                   0xFE00 | ((b >> 16) & 0xFF), b & 0xFFFF)
    return fmt


def eui64(prefix: ipaddress.IPv6Network, mac: str) -> str:
    """SLAAC address for ``mac`` in ``prefix`` (what neutron computes)."""
    b = int(mac.replace(":", ""), 16)
    b ^= 0x020000000000
    iid = ((b >> 24) << 40) | (0xFFFE << 24) | (b & 0xFFFFFF)
    return str(ipaddress.IPv6Address(int(prefix.network_address) | iid))


# --------------------------------------------------------------------------- errors


HTTP_TITLES = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 406: "Not Acceptable", 409: "Conflict",
               413: "Request Entity Too Large", 415: "Unsupported Media Type",
               500: "Internal Server Error", 503: "Service Unavailable"}


class HttpError(Exception):
    """Raised by handlers: carries a complete HTTP answer."""

    def __init__(self, status: int, body=None, headers: dict | None = None,
                 content_type: str = "application/json"):
        super().__init__(status)
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.content_type = content_type
