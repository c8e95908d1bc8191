"""The network dialog: a network and its first subnet, or a subnet on a network."""

from __future__ import annotations

import ipaddress

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from osdesk.views.form_dialog import CheckedFormDialog, form_rows


def cidr_problem(cidr: str, ip_version: int) -> str:
    try:
        net = ipaddress.ip_network(cidr.strip(), strict=True)
    except ValueError as exc:
        return f"{cidr!r} is not a network in CIDR form ({exc})."
    if net.version != ip_version:
        return f"{cidr} is an IPv{net.version} range, but IPv{ip_version} is selected."
    return ""


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
            out.append("The network needs a name.")
        if len(self.name_edit.text()) > 255 or len(self.subnet_name.text()) > 255:
            out.append("Names are at most 255 characters.")
        if self.wants_subnet():
            version = 4 if self.version_combo.currentIndex() == 0 else 6
            why = cidr_problem(self.cidr_edit.text(), version)
            if why:
                out.append(why)
            else:
                net = ipaddress.ip_network(self.cidr_edit.text().strip())
                gw = self.gateway_edit.text().strip()
                if gw and gw.lower() != "none":
                    try:
                        if ipaddress.ip_address(gw) not in net:
                            out.append(f"Gateway {gw} is not inside {net}.")
                    except ValueError:
                        out.append(f"Gateway {gw!r} is not an IP address.")
            for server in self.dns_servers():
                try:
                    ipaddress.ip_address(server)
                except ValueError:
                    out.append(f"DNS server {server!r} is not an IP address.")
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
