"""What "search everywhere" matches a row by: its name, UUID, fixed and floating IP
addresses, MAC addresses and key-pair name, from the raw API dict of any kind.
Qt-free; the palette asks :func:`score` of each loaded row as the user types."""

from __future__ import annotations

from collections.abc import Mapping

#: fields that hold a name, an address or an id worth finding, whatever the kind
_FIELDS = ("name", "id", "key_name", "floating_ip_address", "fixed_ip_address",
           "mac_address", "cidr", "gateway_ip", "description")


def _addresses(raw: Mapping):
    addresses = raw.get("addresses")
    if isinstance(addresses, Mapping):  # a server: {network: [{addr, mac}, …]}
        for entries in addresses.values():
            for entry in entries if isinstance(entries, list) else ():
                if isinstance(entry, Mapping):
                    yield entry.get("addr")
                    yield entry.get("OS-EXT-IPS-MAC:mac_addr")
    for fixed in raw.get("fixed_ips") or ():  # a port
        if isinstance(fixed, Mapping):
            yield fixed.get("ip_address")
    for attachment in raw.get("attachments") or ():  # a volume: the server it is on
        if isinstance(attachment, Mapping):
            yield attachment.get("server_id")


def terms(raw: Mapping) -> tuple[str, ...]:
    """The lower-cased strings a row can be found by, most telling first."""
    out = []
    for field in _FIELDS:
        value = raw.get(field)
        if isinstance(value, str) and value:
            out.append(value.lower())
    out.extend(v.lower() for v in _addresses(raw) if isinstance(v, str) and v)
    return tuple(out)


def score(query: str, row_terms: tuple[str, ...]) -> int:
    """How well ``query`` (lower-cased, stripped) matches: 0 not at all; an exact name,
    id or address beats a prefix, which beats a substring; the name counts most."""
    if not query:
        return 0
    best = 0
    for rank, term in enumerate(row_terms):
        weight = 3 if rank == 0 else 2
        if term == query:
            best = max(best, 100 * weight)
        elif term.startswith(query):
            best = max(best, 10 * weight)
        elif query in term:
            best = max(best, weight)
    return best
