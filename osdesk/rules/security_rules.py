"""Security-group rules as people read and write them: the table's words, the quick
rules (SSH, ICMP, HTTP/HTTPS, RDP) and the checks a new rule passes before it is sent.
No Qt here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass


@dataclass(frozen=True)
class QuickRule:
    key: str
    label: str  #: "SSH (TCP 22)"
    protocol: str
    ports: tuple[int, int] | None  #: (min, max); None for every port / ICMP type


QUICK_RULES = (
    QuickRule("ssh", "SSH (TCP 22)", "tcp", (22, 22)),
    QuickRule("icmp", "ICMP (ping)", "icmp", None),
    QuickRule("http", "HTTP (TCP 80)", "tcp", (80, 80)),
    QuickRule("https", "HTTPS (TCP 443)", "tcp", (443, 443)),
    QuickRule("rdp", "RDP (TCP 3389)", "tcp", (3389, 3389)),
)
QUICK_BY_KEY = {q.key: q for q in QUICK_RULES}

PROTOCOLS = ("tcp", "udp", "icmp", "any")


def protocol_text(rule: dict) -> str:
    proto = rule.get("protocol")
    return "Any" if proto in (None, "", "any") else str(proto).upper()


def ports_text(rule: dict) -> str:
    """"22", "8000–8080", "Any"; ICMP's type/code as "type 8 code 0"."""
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if str(rule.get("protocol") or "").lower() in ("icmp", "ipv6-icmp", "1", "58"):
        if low is None:
            return "Any"
        return f"type {low}" + (f" code {high}" if high is not None else "")
    if low is None and high is None:
        return "Any"
    if low == high or high is None:
        return str(low)
    return f"{low}–{high}"


def remote_text(rule: dict, group_names: dict | None = None) -> str:
    """The CIDR, or "group web" for a rule that admits the members of a group."""
    if rule.get("remote_group_id"):
        gid = rule["remote_group_id"]
        return f"group {(group_names or {}).get(gid) or gid}"
    if rule.get("remote_address_group_id"):
        return f"address group {rule['remote_address_group_id']}"
    prefix = rule.get("remote_ip_prefix")
    if prefix in ("0.0.0.0/0", "::/0"):
        return f"{prefix} (anywhere)"
    if prefix:
        return str(prefix)
    return "0.0.0.0/0 (anywhere)" if rule.get("ethertype") != "IPv6" else "::/0 (anywhere)"


def parse_ports(text: str) -> tuple[int | None, int | None]:
    """"22" → (22, 22); "8000-8080" → (8000, 8080); "" or "any" → (None, None).
    Raises ValueError with a sentence for anything else."""
    text = text.strip().replace("–", "-")
    if text.lower() in ("", "any", "all"):
        return None, None
    parts = [p.strip() for p in text.split("-")]
    if len(parts) > 2 or not all(p.isdigit() for p in parts):
        raise ValueError(f"“{text}” is not a port or a range like 8000-8080.")
    low, high = int(parts[0]), int(parts[-1])
    if not (1 <= low <= 65535 and 1 <= high <= 65535):
        raise ValueError("Ports are numbers from 1 to 65535.")
    if low > high:
        raise ValueError(f"The range {low}-{high} ends before it starts.")
    return low, high


def cidr_problem(cidr: str) -> str:
    """"" when ``cidr`` is an address range like 203.0.113.0/24; else a sentence."""
    cidr = cidr.strip()
    if not cidr:
        return "Say which addresses may connect (a range like 203.0.113.0/24)."
    try:
        ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return f"“{cidr}” is not an address range like 203.0.113.0/24 or 2001:db8::/32."
    return ""


def ethertype_of(cidr: str) -> str:
    return f"IPv{ipaddress.ip_network(cidr.strip(), strict=False).version}"


def rule_fields(protocol: str, ports: str, cidr: str, direction: str = "ingress",
                description: str = "") -> dict:
    """The keyword arguments of ``create_security_group_rule`` from the dialog's words.
    Raises ValueError with a sentence when something is not right."""
    problem = cidr_problem(cidr)
    if problem:
        raise ValueError(problem)
    proto = protocol.lower()
    if proto not in PROTOCOLS:
        raise ValueError(f"Unknown protocol “{protocol}”.")
    low, high = (None, None) if proto in ("icmp", "any") else parse_ports(ports)
    return {"direction": direction, "ethertype": ethertype_of(cidr),
            "protocol": None if proto == "any" else proto, "port_range_min": low,
            "port_range_max": high,
            "remote_ip_prefix": str(ipaddress.ip_network(cidr.strip(), strict=False)),
            "description": description}


def quick_fields(key: str, cidr: str) -> dict:
    quick = QUICK_BY_KEY[key]
    ports = "" if quick.ports is None else f"{quick.ports[0]}-{quick.ports[1]}"
    return rule_fields(quick.protocol, ports, cidr, description=quick.label)
