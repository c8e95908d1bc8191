"""The detail pane's plain data: sections of (label, value text, copyable) rows.

No Qt. Each kind declares its own sections (``ResourceKind.details``); the helpers
they share, and the sections of a kind that declares none, are here.
"""

from __future__ import annotations

import json

Row = tuple  # (label, value text, copyable: bool)
Sections = list  # [(section title, [Row, …]), …]

_ACRONYMS = {"id": "ID", "os": "OS", "ram": "RAM", "ip": "IP", "mtu": "MTU", "cidr": "CIDR",
             "dns": "DNS", "dhcp": "DHCP", "ha": "HA", "url": "URL", "uuid": "UUID"}


def text(value) -> str:
    """A value as the pane shows it: "—" for nothing, Yes/No, JSON for structures."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False) if value else "—"
    return str(value)


def label(field: str) -> str:
    """A field name as the pane shows it: "os_hash_value" -> "OS hash value"."""
    words = [_ACRONYMS.get(w, w) for w in field.replace(":", " ").replace("_", " ").split()]
    if words and words[0] == words[0].lower():
        words[0] = words[0].capitalize()
    return " ".join(words)


def none_row(what: str) -> list[Row]:
    """The one row of an empty section: "—  no interfaces"."""
    return [("—", what, False)]


def name_of(lookups, table: str, item_id):
    """The name ``lookups.<table>`` knows for ``item_id``, else the id itself."""
    return getattr(lookups, table, {}).get(item_id, item_id)


def generic_sections(raw, lookups=None, is_admin=False) -> Sections:
    """Every field, sorted: the pane of a kind that declares no sections of its own."""
    return [("Properties", [(label(k), text(v), k in ("id", "name"))
                            for k, v in sorted(raw.items())])]
