"""The volume dialogs: create (blank, from an image, from a snapshot) and snapshot."""

from __future__ import annotations

import math

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QSpinBox, QWidget

from osdesk.views.form_dialog import CheckedFormDialog, form_rows
from osdesk.views.validation import Problem

GIB = 1024 ** 3
SOURCES = ("Blank volume", "From an image", "From a snapshot")


def image_min_gib(image: dict) -> int:
    """The smallest volume an image fits on: its min_disk, or its size rounded up."""
    size = image.get("virtual_size") or image.get("size") or 0
    return max(int(image.get("min_disk") or 0), math.ceil(size / GIB) if size else 0, 1)


class CreateVolumeDialog(CheckedFormDialog):
    """Name, size, type, zone, and what the volume starts as."""

    def __init__(self, parent: QWidget | None, *, images: list[dict], snapshots: list[dict],
                 types: list[dict], zones: list[str], quota_text: str = ""):
        super().__init__("Create volume", "Create", 500, parent)
        self.images = [i for i in images if i.get("status") == "active"]
        self.snapshots = [s for s in snapshots if s.get("status") == "available"]
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. data-1")
        self.size_spin = QSpinBox()
        self.size_spin.setRange(1, 16384)
        self.size_spin.setValue(10)
        self.size_spin.setSuffix(" GiB")
        self.source_combo = QComboBox()
        self.source_combo.addItems(SOURCES)
        self.image_combo = QComboBox()
        for image in self.images:
            self.image_combo.addItem(f"{image.get('name') or image['id']}"
                                     f"  (needs {image_min_gib(image)} GiB)", image["id"])
        self.snapshot_combo = QComboBox()
        for snap in self.snapshots:
            self.snapshot_combo.addItem(
                f"{snap.get('name') or snap['id']}  ({snap.get('size')} GiB)", snap["id"])
        self.type_combo = QComboBox()
        self.type_combo.addItem("Default", None)
        for vtype in types:
            self.type_combo.addItem(vtype.get("name") or vtype["id"], vtype.get("name"))
        self.zone_combo = QComboBox()
        self.zone_combo.addItem("Any", None)
        for zone in zones:
            self.zone_combo.addItem(zone, zone)
        self.quota = QLabel(quota_text)
        self.quota.setWordWrap(True)
        self.form = form_rows(("Name", self.name_edit), ("Source", self.source_combo),
                              ("Image", self.image_combo), ("Snapshot", self.snapshot_combo),
                              ("Size", self.size_spin), ("Type", self.type_combo),
                              ("Availability zone", self.zone_combo), ("", self.quota))
        for combo in (self.source_combo, self.image_combo, self.snapshot_combo):
            combo.currentIndexChanged.connect(self._fit_size)
        self.size_spin.valueChanged.connect(self.validate)
        self._finish(self.form, self.name_edit, self.source_combo, self.image_combo,
                     self.snapshot_combo)
        self.name_edit.setFocus()

    def source(self) -> int:
        return self.source_combo.currentIndex()

    def min_size(self) -> int:
        if self.source() == 1 and self.images:
            return image_min_gib(self.images[self.image_combo.currentIndex()])
        if self.source() == 2 and self.snapshots:
            return int(self.snapshots[self.snapshot_combo.currentIndex()].get("size") or 1)
        return 1

    def _fit_size(self) -> None:
        if self.size_spin.value() < self.min_size():
            self.size_spin.setValue(self.min_size())

    def problems(self) -> list[str]:
        out = []
        if len(self.name_edit.text()) > 255:
            out.append(Problem("A name is at most 255 characters.", self.name_edit))
        if self.source() == 1 and not self.images:
            out.append("There is no active image to make a volume from.")
        elif self.source() == 2 and not self.snapshots:
            out.append("There is no available snapshot to make a volume from.")
        elif self.size_spin.value() < self.min_size():
            what = "image" if self.source() == 1 else "snapshot"
            out.append(Problem(f"The {what} needs a volume of at least {self.min_size()} GiB.",
                               self.size_spin))
        return out

    def validate(self) -> list[str]:
        if hasattr(self, "form"):
            self.form.setRowVisible(self.image_combo, self.source() == 1)
            self.form.setRowVisible(self.snapshot_combo, self.source() == 2)
        return super().validate()

    def values(self) -> dict:
        """Keyword arguments of ``BlockStorageClient.create_volume``."""
        out = {"size": self.size_spin.value(), "name": self.name_edit.text().strip(),
               "volume_type": self.type_combo.currentData(),
               "availability_zone": self.zone_combo.currentData()}
        if self.source() == 1 and self.images:
            out["image_id"] = self.image_combo.currentData()
        if self.source() == 2 and self.snapshots:
            out["snapshot_id"] = self.snapshot_combo.currentData()
        return out


class SnapshotDialog(CheckedFormDialog):
    """A snapshot of one volume (or, from the snapshot page, of the volume picked)."""

    def __init__(self, parent: QWidget | None, volumes: list[dict]):
        super().__init__("Create volume snapshot", "Create", 460, parent)
        self.volumes = volumes
        self.volume_combo = QComboBox()
        for vol in volumes:
            self.volume_combo.addItem(f"{vol.get('name') or vol['id']}  ({vol.get('size')} GiB, "
                                      f"{vol.get('status')})", vol["id"])
        self.name_edit = QLineEdit()
        self.force_box = QCheckBox("Snapshot while attached (the data is crash-consistent only)")
        self.form = form_rows(("Volume", self.volume_combo), ("Name", self.name_edit),
                              ("", self.force_box))
        self.volume_combo.currentIndexChanged.connect(self._show_force)
        self._finish(self.form)
        self._show_force()
        self.name_edit.setFocus()

    def volume(self) -> dict | None:
        i = self.volume_combo.currentIndex()
        return self.volumes[i] if 0 <= i < len(self.volumes) else None

    def _show_force(self) -> None:
        vol = self.volume()
        in_use = bool(vol and vol.get("status") == "in-use")
        self.form.setRowVisible(self.force_box, in_use)
        self.force_box.setChecked(in_use)

    def problems(self) -> list[str]:
        return [] if self.volume() is not None else ["Pick a volume."]

    def values(self) -> dict:
        return {"name": self.name_edit.text().strip(), "force": self.force_box.isChecked()}
