"""Connect (SSH): which address, which login user, which key, which terminal — and when
nothing can work, why and what fixes it. No Qt here.
"""

from __future__ import annotations

import ipaddress
import os
import re
import shlex
import shutil
from dataclasses import dataclass
from typing import Callable, Iterable

from osdesk.rules.formats import server_addresses

#: Image name words → the login user of the distribution's cloud images; a word matches
#: the start of a word of the name ("aarch64" is not Arch), the first one listed wins
#: ("fedora-coreos" is CoreOS).
_USERS_BY_NAME = (("coreos", "core"), ("flatcar", "core"), ("ubuntu", "ubuntu"),
                  ("debian", "debian"), ("fedora", "fedora"),
                  ("centos", "cloud-user"), ("rhel", "cloud-user"), ("rocky", "rocky"),
                  ("alma", "almalinux"), ("cirros", "cirros"), ("arch", "arch"),
                  ("opensuse", "opensuse"), ("sles", "sles"), ("freebsd", "freebsd"))

#: Terminals tried in order after $TERMINAL, with the option that runs a command.
TERMINALS = (("x-terminal-emulator", ["-e"]), ("gnome-terminal", ["--"]), ("konsole", ["-e"]),
             ("xfce4-terminal", ["-x"]), ("mate-terminal", ["-x"]), ("tilix", ["-e"]),
             ("kitty", []), ("alacritty", ["-e"]), ("foot", []), ("wezterm", ["start", "--"]),
             ("lxterminal", ["-e"]), ("terminator", ["-x"]), ("xterm", ["-e"]))
_RUN_OPTION = dict(TERMINALS)


def login_user(image: dict | None, image_name: str = "") -> str:
    """The image's declared login user (``os_admin_user``, ``default_user``), else a
    guess from its name; "" when there is no telling."""
    for key in ("os_admin_user", "default_user", "os_default_user"):
        value = (image or {}).get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    name = (image_name or (image or {}).get("name") or "").lower()
    words = re.findall(r"[a-z]+", name)
    for word, user in _USERS_BY_NAME:
        if any(w.startswith(word) for w in words):
            return user
    return ""


@dataclass(frozen=True)
class Address:
    ip: str
    network: str
    floating: bool

    @property
    def version(self) -> int:
        return ipaddress.ip_address(self.ip).version


def addresses(server: dict) -> list[Address]:
    """Floating addresses first, IPv4 before IPv6, in the server's own order otherwise."""
    found = []
    for net, ip, kind in server_addresses(server):
        try:
            ipaddress.ip_address(ip)
        except ValueError:
            continue
        found.append(Address(ip, net, kind == "floating"))
    return sorted(found, key=lambda a: (not a.floating, a.version))


def _opens_port(rule: dict, port: int, version: int) -> bool:
    if rule.get("direction") != "ingress":
        return False
    if rule.get("ethertype") not in (None, f"IPv{version}"):
        return False
    if str(rule.get("protocol") or "any").lower() not in ("any", "tcp", "6"):
        return False
    low, high = rule.get("port_range_min"), rule.get("port_range_max")
    if low is not None and not low <= port <= (high if high is not None else low):
        return False
    # a rule for members of a group admits those servers, not this computer
    return not rule.get("remote_group_id") or bool(rule.get("remote_ip_prefix"))


def port_open(groups: Iterable[dict], port: int = 22, version: int = 4) -> bool:
    """Whether any of the security groups admits TCP ``port`` from some address."""
    return any(_opens_port(rule, port, version)
               for group in groups for rule in group.get("security_group_rules") or [])


@dataclass(frozen=True)
class Reach:
    """What Connect can use, and what stands in the way (each with its fix's key)."""

    address: Address | None
    problems: tuple[tuple[str, str], ...] = ()  # (sentence, fix: "associate_fip" / "add_ssh")


def reach(server: dict, groups: list[dict] | None) -> Reach:
    """The address to connect to, and the problems: no address, only a fixed one (often
    unreachable from outside the cloud), port 22 closed by every security group.
    ``groups`` are the server's groups with their rules; None when they are unknown."""
    found = addresses(server)
    problems = []
    chosen = found[0] if found else None
    if chosen is None:
        problems.append(("The server has no IP address yet.", ""))
    elif not chosen.floating:
        problems.append((f"The server has no floating IP; its fixed address {chosen.ip} on "
                         f"{chosen.network} is reachable only from inside the cloud's network.",
                         "associate_fip"))
    if chosen is not None and groups is not None and not port_open(groups, 22, chosen.version):
        names = ", ".join(g.get("name") or g.get("id", "") for g in groups) or "none"
        problems.append((f"No security group of the server admits SSH (TCP port 22) "
                         f"(groups: {names}).", "add_ssh"))
    return Reach(chosen, tuple(problems))


def ssh_argv(user: str, ip: str, key_file: str | None = None) -> list[str]:
    argv = ["ssh"]
    if key_file:
        argv += ["-i", key_file]
    return argv + [f"{user}@{ip}" if user else ip]


def command_text(argv: list[str]) -> str:
    return shlex.join(argv)


def terminal_argv(command: list[str], env: dict | None = None,
                  which: Callable[[str], str | None] = shutil.which) -> list[str] | None:
    """The argv that opens the user's terminal running ``command``: ``$TERMINAL`` first,
    then the desktop's default (``x-terminal-emulator``), then the common ones."""
    env = os.environ if env is None else env
    preferred = env.get("TERMINAL", "").strip()
    if preferred:
        parts = shlex.split(preferred)
        if parts and which(parts[0]):
            name = os.path.basename(parts[0])
            return parts + _RUN_OPTION.get(name, ["-e"]) + command
    for name, option in TERMINALS:
        path = which(name)
        if path:
            return [path] + option + command
    return None


def key_file_for(keypair: str | None, remembered: str | None,
                 exists: Callable[[str], bool] = os.path.exists) -> str | None:
    """The private key osdesk saved for ``keypair`` (if still there), else ~/.ssh/<name>.pem
    when it exists; None lets ssh use its agent and default keys."""
    if not keypair:
        return None
    for path in (remembered, os.path.expanduser(f"~/.ssh/{keypair}.pem")):
        if path and exists(path):
            return path
    return None
