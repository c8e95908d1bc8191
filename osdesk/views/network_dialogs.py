"""The network dialog: a network and its first subnet, or a subnet on a network."""

from __future__ import annotations

import ipaddress

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from osdesk.views.form_dialog import CheckedFormDialog, form_rows
from osdesk.views.validation import Problem

_CIDR_EXAMPLE = {4: "192.168.1.0/24", 6: "fd00:10::/64"}


def cidr_problem(cidr: str, ip_version: int) -> str:
    """"" for a network in CIDR form of ``ip_version``; else a sentence saying what to enter."""
    text = cidr.strip()
    example = f"Enter a network in CIDR form, such as {_CIDR_EXAMPLE[ip_version]}."
    if not text:
        return example
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return f"“{_short(text)}” is not a network in CIDR form. {example}"
    if net.version != ip_version:
        return f"{text} is an IPv{net.version} range, but IPv{ip_version} is selected."
    try:
        ipaddress.ip_network(text, strict=True)
    except ValueError:
        return f"{text} has host bits set: the network is {net.with_prefixlen}."
    return ""


def _short(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


class NetworkDialog(CheckedFormDialog):
    """A network and, optionally, its first subnet."""

    def __init__(self, parent: QWidget | None = None, *, network_name: str | None = None):
        subnet_only = network_name is not None
        super().__init__(f"Create subnet on {network_name}" if subnet_only
                         else "Create network", "Create", 520, parent)
        self.subnet_only = subnet_only
        self.name_edit = QLineEdit()
        self.with_subnet = QCheckBox("Create a first subnet")
        self.with_subnet.setChecked(True)
        self.subnet_name = QLineEdit()
        self.cidr_edit = QLineEdit()
        self.cidr_edit.setPlaceholderText("10.10.0.0/24 or fd00:10::/64")
        self.version_combo = QComboBox()
        self.version_combo.addItems(["IPv4", "IPv6"])
        self.gateway_edit = QLineEdit()
        self.gateway_edit.setPlaceholderText("default (first address); 'none' for no gateway")
        self.dhcp_box = QCheckBox("DHCP")
        self.dhcp_box.setChecked(True)
        self.dns_edit = QLineEdit()
        self.dns_edit.setPlaceholderText("comma-separated, e.g. 1.1.1.1, 9.9.9.9")
        network_rows = [] if self.subnet_only else [("Network name", self.name_edit),
                                                     ("", self.with_subnet)]
        form = form_rows(*network_rows, ("Subnet name", self.subnet_name),
                         ("CIDR", self.cidr_edit), ("IP version", self.version_combo),
                         ("Gateway", self.gateway_edit), ("", self.dhcp_box),
                         ("DNS servers", self.dns_edit))
        self._finish(form, self.name_edit, self.cidr_edit, self.gateway_edit, self.dns_edit,
                     self.subnet_name, self.version_combo, self.with_subnet)

    def wants_subnet(self) -> bool:
        return self.subnet_only or self.with_subnet.isChecked()

    def problems(self) -> list[str]:
        out = []
        if not self.subnet_only and not self.name_edit.text().strip():
            out.append(Problem("Give the network a name.", self.name_edit))
        for edit in (self.name_edit, self.subnet_name):
            if len(edit.text()) > 255:
                out.append(Problem("Names are at most 255 characters.", edit))
        if self.wants_subnet():
            version = 4 if self.version_combo.currentIndex() == 0 else 6
            why = cidr_problem(self.cidr_edit.text(), version)
            if why:
                out.append(Problem(why, self.cidr_edit))
            else:
                net = ipaddress.ip_network(self.cidr_edit.text().strip())
                gw = self.gateway_edit.text().strip()
                if gw and gw.lower() != "none":
                    try:
                        if ipaddress.ip_address(gw) not in net:
                            out.append(Problem(f"Gateway {gw} is not inside {net}.",
                                               self.gateway_edit))
                    except ValueError:
                        out.append(Problem(f"Gateway “{_short(gw)}” is not an IP address "
                                           f"(such as {net[1]}), nor “none”.",
                                           self.gateway_edit))
            for server in self.dns_servers():
                try:
                    ipaddress.ip_address(server)
                except ValueError:
                    out.append(Problem(f"DNS server “{_short(server)}” is not an IP address "
                                       f"(such as 1.1.1.1).", self.dns_edit))
        return out

    def dns_servers(self) -> list[str]:
        return [s.strip() for s in self.dns_edit.text().replace(";", ",").split(",") if s.strip()]

    def validate(self) -> list[str]:
        for w in (self.subnet_name, self.cidr_edit, self.version_combo, self.gateway_edit,
                  self.dhcp_box, self.dns_edit):
            w.setEnabled(self.wants_subnet())
        return super().validate()

    def subnet_args(self) -> dict:
        gw = self.gateway_edit.text().strip()
        return {"cidr": self.cidr_edit.text().strip(), "name": self.subnet_name.text().strip(),
                "ip_version": 4 if self.version_combo.currentIndex() == 0 else 6,
                "gateway_ip": None if gw.lower() == "none" else (gw or True),
                "enable_dhcp": self.dhcp_box.isChecked(),
                "dns_nameservers": self.dns_servers() or None}
