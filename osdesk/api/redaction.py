"""Redaction: secrets out of headers and bodies before anything is recorded.

Headers are fingerprinted, parsed JSON loses every secret key's value, and a big body
kept as text (:class:`JsonText`, for the JSON inspector) loses its secret string values
by pattern when its text is first read, scanned in slices, and the rest when parsed.
"""

from __future__ import annotations

import hashlib
import json
import re

#: Headers whose values are secrets; shown as a short SHA-256 fingerprint
#: (keystoneauth's ``_process_header`` habit), so two calls can still be told apart.
SECRET_HEADERS = frozenset({"x-auth-token", "x-subject-token", "authorization",
                            "x-service-token", "proxy-authorization", "cookie", "set-cookie"})
#: JSON keys whose values are secrets wherever they appear in a body.
SECRET_KEYS = frozenset({"password", "secret", "adminpass", "admin_pass", "private_key",
                         "original_password", "new_password", "passcode", "token_id",
                         "application_credential_secret", "credential"})
#: A big JSON body up to this many characters is also kept whole (secret values removed
#: by pattern) for the JSON inspector, which parses it on a worker when asked; the
#: console's byte cap (``ApiCall.stored_bytes``) decides how long it stays.
MAX_RAW_CHARS = 128 * 1024 * 1024
REDACTED = "***"
_SECRET_VALUE_RE = re.compile(
    r'("(?:%s)"\s*:\s*)"(?:[^"\\]|\\.)*"' % "|".join(
        ["password", "secret", "adminpass", "admin_pass", "private_key", "original_password",
         "new_password", "passcode", "token_id", "application_credential_secret",
         "credential"]), re.IGNORECASE)


def fingerprint(value: str) -> str:
    digest = hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()
    return "{SHA256}" + digest[:16]


def redact_headers(headers) -> dict:
    out = {}
    for name, value in dict(headers or {}).items():
        if name.lower() in SECRET_HEADERS and value:
            out[name] = fingerprint(str(value))
        else:
            out[name] = value
    return out


def redact_json(data, parent_key: str = ""):
    """A deep copy of ``data`` with every secret value replaced by ``***``."""
    if isinstance(data, dict):
        out = {}
        for key, value in data.items():
            low = str(key).lower()
            if low in SECRET_KEYS and value not in (None, ""):
                out[key] = REDACTED
            elif parent_key == "token" and low == "id" and isinstance(value, str):
                # {"identity": {"methods": ["token"], "token": {"id": "<token>"}}}
                out[key] = REDACTED
            else:
                out[key] = redact_json(value, low)
        return out
    if isinstance(data, list):
        return [redact_json(item, parent_key) for item in data]
    return data


class JsonText:
    """The whole text of a big JSON body, secret string values removed by pattern;
    :meth:`parse` gives the value with every secret removed (run it on a worker: a
    20 MB body takes most of a second).

    ``JsonText.unredacted(text)`` removes the secrets only when :attr:`text` is first
    read: every list page's body is kept for the inspector, which reads few of them,
    and scanning a 500-server page for secret keys took ~4 ms of the worker's time per
    page (about a fifth of its time in a 10,000-server list). The raw text is never
    handed out.
    """

    __slots__ = ("_text", "_raw")

    def __init__(self, text: str):
        self._text: str | None = text
        self._raw: str | None = None

    @classmethod
    def unredacted(cls, raw: str) -> "JsonText":
        """A JsonText of ``raw``, a body's text with its secrets still in."""
        out = cls("")
        out._text, out._raw = None, raw
        return out

    @property
    def text(self) -> str:
        """The text, every secret string value replaced (made on first reading)."""
        text = self._text
        if text is None:
            raw = self._raw
            text = self._text  # another thread may have made it meanwhile
            if text is None:
                text = self._text = _redact_big(raw)
                self._raw = None
        return text

    def __len__(self) -> int:
        text = self._text
        if text is None:
            raw = self._raw
            text = raw if raw is not None else self._text
        return len(text)

    def __str__(self) -> str:
        return self.text

    def parse(self):
        """The value, every secret removed; parsed a member at a time near the top, so the
        thread doing it hands the GIL back between members (one ``json.loads`` of 20 MB
        would hold it, and the GUI thread, for a third of a second)."""
        return redact_json(parse_in_steps(self.text))


_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def parse_in_steps(text: str, pos: int = 0, depth: int = 0):
    """``json.loads(text)``, the top two levels of containers taken apart member by member
    (so a list of servers is parsed a server a call, the GIL let go between them)."""
    value, end = _value_at(text, _SPACE.match(text, pos).end(), depth)
    if depth == 0 and _SPACE.match(text, end).end() != len(text):
        raise ValueError(f"extra data at character {end}")
    return value


def _value_at(text: str, pos: int, depth: int):
    opener = text[pos:pos + 1]
    if depth >= 2 or opener not in ("[", "{"):
        return _DECODER.raw_decode(text, pos)
    closer = "]" if opener == "[" else "}"
    out: list | dict = [] if opener == "[" else {}
    pos = _SPACE.match(text, pos + 1).end()
    if text[pos:pos + 1] == closer:
        return out, pos + 1
    while True:
        if opener == "{":
            key, pos = _DECODER.raw_decode(text, pos)
            pos = _SPACE.match(text, pos).end()
            if text[pos:pos + 1] != ":" or not isinstance(key, str):
                raise ValueError(f"expected ':' at character {pos}")
            item, pos = _value_at(text, _SPACE.match(text, pos + 1).end(), depth + 1)
            out[key] = item
        else:
            item, pos = _value_at(text, pos, depth + 1)
            out.append(item)
        pos = _SPACE.match(text, pos).end()
        sep = text[pos:pos + 1]
        if sep == closer:
            return out, pos + 1
        if sep != ",":
            raise ValueError(f"expected ',' or {closer!r} at character {pos}")
        pos = _SPACE.match(text, pos + 1).end()


#: Big texts are scanned in slices of this many characters, so no single step holds
#: the GIL (and the GUI thread) for long.
_SCAN_SLICE = 1024 * 1024
_NEEDLES = tuple(f'"{key}"' for key in SECRET_KEYS)


def _secret_key_positions(text: str) -> list[int]:
    """Where a secret key (``"password"``, any case) starts in ``text``, in order."""
    found = []
    overlap = max(map(len, _NEEDLES))
    for start in range(0, len(text), _SCAN_SLICE):
        low = text[start:start + _SCAN_SLICE + overlap].lower()
        for needle in _NEEDLES:
            at = low.find(needle)
            while 0 <= at < _SCAN_SLICE:
                found.append(start + at)
                at = low.find(needle, at + 1)
    return sorted(found)


def _redact_big(text: str) -> str:
    """``text`` with the string value of every secret key replaced by ``"***"``."""
    pieces, last = [], 0
    for pos in _secret_key_positions(text):
        match = _SECRET_VALUE_RE.match(text, pos) if pos >= last else None
        if match:
            pieces += [text[last:pos], match.group(1), f'"{REDACTED}"']
            last = match.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def redact_pattern(text: str) -> str:
    """``text`` with the string value of every secret key replaced: a regex pass, for
    texts not parsed (a body's head)."""
    return _SECRET_VALUE_RE.sub(rf'\1"{REDACTED}"', text)


def big_json_text(text: str) -> JsonText | None:
    """A big body's whole text for the inspector, its secrets removed when it is read
    (:class:`JsonText`), or None when it is not a JSON document or too big to keep."""
    if len(text) > MAX_RAW_CHARS or text.lstrip()[:1] not in ("{", "["):
        return None
    return JsonText.unredacted(text)
