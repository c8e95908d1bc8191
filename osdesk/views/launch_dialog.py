"""The "Launch instance" dialog: every choice nova takes, validated as you go."""

from __future__ import annotations

import os

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QAbstractItemView, QButtonGroup, QCheckBox, QComboBox, QDialog,
                               QDialogButtonBox, QFileDialog, QFormLayout, QGroupBox,
                               QHBoxLayout, QHeaderView, QLabel, QLineEdit, QListWidget,
                               QListWidgetItem, QPlainTextEdit, QPushButton, QRadioButton,
                               QSpinBox, QTableWidget, QTabWidget,
                               QVBoxLayout, QWidget)

from osdesk.rules.launch import (LaunchRequest, _int, flavor_problem, image_min_gib, problems,
                                 quota_amount, quota_effect)
from osdesk.rules.formats import fmt_gb, fmt_mb, fmt_size
from osdesk.views.shortcuts import give_button_mnemonics
from osdesk.views.validation import FormProblems, Problem, is_submit_key, message_line


def _image_label(image: dict) -> str:
    size = fmt_size(image.get("size")) if image.get("size") else "no data"
    extra = []
    if image.get("min_disk"):
        extra.append(f"min disk {fmt_gb(image['min_disk'])}")
    if image.get("min_ram"):
        extra.append(f"min RAM {fmt_mb(image['min_ram'])}")
    status = "" if image.get("status") == "active" else f" [{image.get('status')}]"
    return f"{image.get('name') or image['id']} — {size}{', ' if extra else ''}{', '.join(extra)}{status}"


def _flavor_label(flavor: dict) -> str:
    return (f"{flavor.get('name')} — {flavor.get('vcpus')} vCPU, {fmt_mb(flavor.get('ram'))} RAM, "
            f"{fmt_gb(flavor.get('disk'))} disk")


class LaunchDialog(QDialog):
    """Collects a :class:`LaunchRequest`.

    Signals:
        launchRequested(object): the LaunchRequest, when the user clicks Launch.
        createKeypairRequested(): the user wants a new key pair from the dialog.
    """

    launchRequested = Signal(object)
    createKeypairRequested = Signal()

    def __init__(self, parent: QWidget | None = None, *, networks_optional: bool = True):
        super().__init__(parent)
        self.setWindowTitle("Launch instance")
        self.setMinimumWidth(700)
        self.networks_optional = networks_optional
        self.images: list[dict] = []
        self.flavors: list[dict] = []
        self.limits: dict | None = None
        self._build()
        give_button_mnemonics(self)
        self._connect_signals()
        self.validate()
        self.name_edit.setFocus()  # the one thing every launch needs typed

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("web-1")
        self.count_spin = QSpinBox()
        self.count_spin.setRange(1, 100)
        self.image_combo = QComboBox()
        self.image_combo.setEditable(True)
        self.image_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.image_combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
        self.image_combo.completer().setCompletionMode(
            self.image_combo.completer().CompletionMode.PopupCompletion)
        self.flavor_combo = QComboBox()
        self.keypair_combo = QComboBox()
        self.new_keypair_button = QPushButton("New key pair…")
        self.az_combo = QComboBox()
        self.az_combo.addItem("(any zone)", None)
        self.boot_volume_box = QCheckBox("Boot from a new volume of")
        self.boot_volume_box.setToolTip("Cinder copies the image to a new volume and the "
                                        "server boots from it; the flavor's disk is not used.")
        self.boot_volume_spin = QSpinBox()
        self.boot_volume_spin.setRange(1, 16384)
        self.boot_volume_spin.setValue(10)
        self.boot_volume_spin.setSuffix(" GiB")
        self.boot_volume_spin.setEnabled(False)
        self.delete_volume_box = QCheckBox("delete it with the server")
        self.delete_volume_box.setChecked(True)
        self.delete_volume_box.setEnabled(False)

        basics = QFormLayout()
        row = QHBoxLayout()
        row.addWidget(self.name_edit, 1)
        row.addWidget(QLabel("Count"))
        row.addWidget(self.count_spin)
        basics.addRow("Name", row)
        basics.addRow("Image", self.image_combo)
        boot = QHBoxLayout()
        boot.addWidget(self.boot_volume_box)
        boot.addWidget(self.boot_volume_spin)
        boot.addWidget(self.delete_volume_box)
        boot.addStretch(1)
        basics.addRow("", boot)
        basics.addRow("Flavor", self.flavor_combo)
        kp = QHBoxLayout()
        kp.addWidget(self.keypair_combo, 1)
        kp.addWidget(self.new_keypair_button)
        basics.addRow("Key pair", kp)
        basics.addRow("Availability zone", self.az_combo)
        self.summary_label = QLabel()
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)
        basics.addRow("", self.summary_label)
        basics_box = QWidget()
        basics_layout = QVBoxLayout(basics_box)
        basics_layout.addLayout(basics)
        basics_layout.addStretch(1)

        # networks
        self.net_pick = QRadioButton("These networks:")
        self.net_auto = QRadioButton("auto (let the cloud pick or make one)")
        self.net_none = QRadioButton("none (no network at all)")
        self.net_pick.setChecked(True)
        self.net_group = QButtonGroup(self)
        for b in (self.net_pick, self.net_auto, self.net_none):
            self.net_group.addButton(b)
        self.net_auto.setEnabled(self.networks_optional)
        self.net_none.setEnabled(self.networks_optional)
        if not self.networks_optional:
            self.net_auto.setToolTip("needs compute microversion 2.37")
            self.net_none.setToolTip("needs compute microversion 2.37")
        self.network_list = QListWidget()
        self.network_list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.secgroup_list = QListWidget()
        net_box = QWidget()
        nl = QVBoxLayout(net_box)
        nl.addWidget(self.net_pick)
        nl.addWidget(self.network_list, 1)
        nl.addWidget(self.net_auto)
        nl.addWidget(self.net_none)
        nl.addWidget(QLabel("Security groups"))
        nl.addWidget(self.secgroup_list, 1)

        # advanced
        self.user_data_edit = QPlainTextEdit()
        self.user_data_edit.setPlaceholderText("#cloud-config\n…")
        self.user_data_file = QPushButton("Load from file…")
        self.metadata_table = QTableWidget(0, 2)
        self.metadata_table.setHorizontalHeaderLabels(["Key", "Value"])
        self.metadata_table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.metadata_table.verticalHeader().hide()
        self.add_meta = QPushButton("Add")
        self.remove_meta = QPushButton("Remove")
        adv = QWidget()
        al = QVBoxLayout(adv)
        udh = QHBoxLayout()
        udh.addWidget(QLabel("User data"))
        udh.addStretch(1)
        udh.addWidget(self.user_data_file)
        al.addLayout(udh)
        al.addWidget(self.user_data_edit, 1)
        mh = QHBoxLayout()
        mh.addWidget(QLabel("Metadata"))
        mh.addStretch(1)
        mh.addWidget(self.add_meta)
        mh.addWidget(self.remove_meta)
        al.addLayout(mh)
        al.addWidget(self.metadata_table, 1)

        self.tabs = QTabWidget()
        self.tabs.addTab(basics_box, "Details")
        self.tabs.addTab(net_box, "Networking")
        self.tabs.addTab(adv, "User data && metadata")

        self.quota_label = QLabel()
        self.quota_label.setTextFormat(Qt.TextFormat.RichText)
        quota_box = QGroupBox("Quota after launch")
        ql = QVBoxLayout(quota_box)
        ql.addWidget(self.quota_label)
        self.problems_label = message_line()
        self.loading_label = QLabel("Loading images, flavors and networks…")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.launch_button = self.buttons.addButton("Launch", QDialogButtonBox.ButtonRole.AcceptRole)
        self.checker = FormProblems(self.problems_label, self.launch_button, self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(quota_box)
        layout.addWidget(self.loading_label)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.buttons)
        self.resize(760, 540)

    def _connect_signals(self) -> None:
        self.name_edit.textChanged.connect(self.validate)
        self.count_spin.valueChanged.connect(self.validate)
        self.image_combo.currentIndexChanged.connect(self.on_image_changed)
        self.flavor_combo.currentIndexChanged.connect(self.validate)
        self.boot_volume_box.toggled.connect(self.on_boot_volume_toggled)
        self.boot_volume_spin.valueChanged.connect(self.validate)
        self.net_group.buttonToggled.connect(lambda *a: self.validate())
        self.network_list.itemChanged.connect(lambda *a: self.validate())
        self.user_data_edit.textChanged.connect(self.validate)
        self.user_data_file.clicked.connect(self.on_user_data_file_clicked)
        self.add_meta.clicked.connect(lambda: self.metadata_table.insertRow(
            self.metadata_table.rowCount()))
        self.remove_meta.clicked.connect(lambda: self.metadata_table.removeRow(
            self.metadata_table.currentRow()))
        self.metadata_table.itemChanged.connect(lambda *a: self.validate())
        self.new_keypair_button.clicked.connect(self.createKeypairRequested)
        self.buttons.rejected.connect(self.reject)
        self.launch_button.clicked.connect(self.on_launch_clicked)
        self.checker.watch(self.name_edit, self.count_spin, self.image_combo, self.flavor_combo,
                           self.boot_volume_spin, self.user_data_edit)

    # ------------------------------------------------------------------ data
    def set_choices(self, *, images, flavors, networks, keypairs, security_groups,
                    zones=(), limits=None) -> None:
        self.loading_label.hide()
        self.images = sorted(images, key=lambda i: (i.get("status") != "active",
                                                    (i.get("name") or "").lower()))
        self.flavors = sorted(flavors, key=lambda f: (_int(f.get("vcpus")),
                                                      _int(f.get("ram"))))
        self.limits = limits
        self.image_combo.blockSignals(True)
        self.image_combo.clear()
        for image in self.images:
            self.image_combo.addItem(_image_label(image), image["id"])
        self.image_combo.setCurrentIndex(0 if self.images else -1)
        self.image_combo.blockSignals(False)
        self.network_list.clear()
        for net in networks:
            if net.get("router:external") and len(networks) > 1:
                continue  # external networks usually refuse ports from members
            subnets = len(net.get("subnets") or [])
            item = QListWidgetItem(f"{net.get('name') or net['id']}  "
                                   f"({subnets} subnet{'s' if subnets != 1 else ''})")
            item.setData(Qt.ItemDataRole.UserRole, net["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if self.network_list.count() == 0
                               else Qt.CheckState.Unchecked)
            self.network_list.addItem(item)
        self.keypair_combo.clear()
        self.keypair_combo.addItem("(no key pair)", None)
        for kp in keypairs:
            self.keypair_combo.addItem(kp["name"], kp["name"])
        if keypairs:
            self.keypair_combo.setCurrentIndex(1)
        self.secgroup_list.clear()
        for sg in security_groups:
            item = QListWidgetItem(sg.get("name") or sg["id"])
            item.setData(Qt.ItemDataRole.UserRole, sg.get("name") or sg["id"])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if sg.get("name") == "default"
                               else Qt.CheckState.Unchecked)
            self.secgroup_list.addItem(item)
        for zone in zones:
            name = zone.get("zoneName") if isinstance(zone, dict) else str(zone)
            if name:
                self.az_combo.addItem(name, name)
        self.on_image_changed()

    def set_load_error(self, message: str) -> None:
        self.loading_label.setText(f"Could not load the choices: {message}")
        self.loading_label.show()

    def add_keypair(self, name: str) -> None:
        self.keypair_combo.addItem(name, name)
        self.keypair_combo.setCurrentIndex(self.keypair_combo.count() - 1)

    def on_boot_volume_toggled(self, on: bool) -> None:
        self.boot_volume_spin.setEnabled(on)
        self.delete_volume_box.setEnabled(on)
        self.on_image_changed()

    def on_image_changed(self, *args) -> None:
        image = self.current_image()
        on_volume = self.boot_volume_box.isChecked()
        if image is not None and self.boot_volume_spin.value() < image_min_gib(image):
            self.boot_volume_spin.setValue(max(1, image_min_gib(image)))
        current = self.flavor_combo.currentData()
        self.flavor_combo.blockSignals(True)
        self.flavor_combo.clear()
        for flavor in self.flavors:
            why = flavor_problem(flavor, image, on_volume=on_volume)
            label = _flavor_label(flavor) + ("  — too small for this image" if why else "")
            self.flavor_combo.addItem(label, flavor["id"])
            if why:
                self.flavor_combo.setItemData(self.flavor_combo.count() - 1, why,
                                              Qt.ItemDataRole.ToolTipRole)
        index = self.flavor_combo.findData(current)
        if index < 0:
            index = next((i for i, f in enumerate(self.flavors)
                          if not flavor_problem(f, image, on_volume=on_volume)), 0)
        self.flavor_combo.setCurrentIndex(index if self.flavors else -1)
        self.flavor_combo.blockSignals(False)
        self.validate()

    def current_image(self) -> dict | None:
        image_id = self.image_combo.currentData()
        return next((i for i in self.images if i["id"] == image_id), None)

    def current_flavor(self) -> dict | None:
        flavor_id = self.flavor_combo.currentData()
        return next((f for f in self.flavors if f["id"] == flavor_id), None)

    def request(self) -> LaunchRequest:
        if self.net_auto.isChecked():
            networks: list | str = "auto"
        elif self.net_none.isChecked():
            networks = "none"
        else:
            networks = [self.network_list.item(i).data(Qt.ItemDataRole.UserRole)
                        for i in range(self.network_list.count())
                        if self.network_list.item(i).checkState() == Qt.CheckState.Checked]
        groups = [self.secgroup_list.item(i).data(Qt.ItemDataRole.UserRole)
                  for i in range(self.secgroup_list.count())
                  if self.secgroup_list.item(i).checkState() == Qt.CheckState.Checked]
        metadata = {}
        for row in range(self.metadata_table.rowCount()):
            key = self.metadata_table.item(row, 0)
            value = self.metadata_table.item(row, 1)
            if key is not None and key.text():
                metadata[key.text()] = value.text() if value is not None else ""
        return LaunchRequest(name=self.name_edit.text(), count=self.count_spin.value(),
                             image=self.current_image(), flavor=self.current_flavor(),
                             networks=networks, key_name=self.keypair_combo.currentData(),
                             security_groups=groups,
                             availability_zone=self.az_combo.currentData(),
                             user_data=self.user_data_edit.toPlainText(), metadata=metadata,
                             boot_volume_gib=self.boot_volume_spin.value()
                             if self.boot_volume_box.isChecked() else None,
                             delete_volume_with_server=self.delete_volume_box.isChecked())

    def problems(self) -> list[str]:
        return problems(self.request(), self.limits, networks_optional=self.networks_optional)

    def validate(self) -> list[str]:
        fields = (("The server", self.name_edit), ("The name", self.name_edit), ("User data", self.user_data_edit),
                  ("Metadata", self.metadata_table))
        found = self.checker.show(
            [Problem(p, next((f for start, f in fields if p.startswith(start)), None))
             for p in self.problems()])
        self._update_summary()
        rows = quota_effect(self.limits, self.current_flavor(), self.count_spin.value(),
                            self.request().boot_volume_gib)
        if rows:
            parts = []
            for label, used, after, limit in rows:
                over = limit >= 0 and after > limit
                text = (f"{label}: {quota_amount(label, used)} → <b>{quota_amount(label, after)}"
                        f"</b> of {'∞' if limit < 0 else quota_amount(label, limit)}")
                parts.append(f"<span style='color:#d9534f'>{text}</span>" if over else text)
            self.quota_label.setText(" &nbsp;·&nbsp; ".join(parts))
        else:
            self.quota_label.setText("Quota not known for this cloud.")
        return found

    def _update_summary(self) -> None:
        image, flavor = self.current_image(), self.current_flavor()
        parts = []
        if image is not None:
            parts.append(f"<b>Image</b>: {html.escape(_image_label(image))}, "
                         f"{html.escape(str(image.get('disk_format') or ''))}, "
                         f"{html.escape(str(image.get('visibility') or ''))}")
        if flavor is not None:
            parts.append(f"<b>Flavor</b>: {html.escape(_flavor_label(flavor))}")
        req = self.request()
        nets = req.networks if isinstance(req.networks, str) else f"{len(req.networks)} selected"
        parts.append(f"<b>Networks</b>: {html.escape(nets)} · <b>Security groups</b>: "
                     f"{html.escape(', '.join(req.security_groups) or 'none')}")
        self.summary_label.setText("<br>".join(parts))

    def on_user_data_file_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "User data file", os.path.expanduser("~"))
        if not path:
            return
        try:
            with open(path, "rb") as f:
                data = f.read(1024 * 1024)
            self.user_data_edit.setPlainText(data.decode("utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            why = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
            self.checker.show([Problem(f"Could not read {path}: {why}.", self.user_data_edit)])
            self.checker.reveal()

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if is_submit_key(event) and not self.launch_button.isEnabled():
            self.checker.reveal()  # Enter with problems: say what they are
            return
        super().keyPressEvent(event)

    def on_launch_clicked(self) -> None:
        if self.validate():
            return
        self.launchRequested.emit(self.request())
        self.accept()
