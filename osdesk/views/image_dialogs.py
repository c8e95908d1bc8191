"""Image dialogs: create-and-upload with progress, edit properties, transfer progress."""

from __future__ import annotations

import os
import threading
import time
from collections import deque

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QHBoxLayout, QLabel, QLineEdit, QProgressBar,
                               QPushButton, QSpinBox, QVBoxLayout, QWidget)

from osdesk.rules.formats import fmt_size
from osdesk.views.form_dialog import CheckedFormDialog, form_rows
from osdesk.views.validation import Problem

DISK_FORMATS = ["qcow2", "raw", "vmdk", "vdi", "iso", "vhd", "vhdx", "ploop", "aki", "ari", "ami"]
CONTAINER_FORMATS = ["bare", "ovf", "ova", "docker", "aki", "ari", "ami", "compressed"]
VISIBILITIES = ["private", "shared", "community", "public"]


def guess_disk_format(path: str) -> str:
    ext = os.path.splitext(path)[1].lower().lstrip(".")
    return {"img": "qcow2", "qcow": "qcow2"}.get(ext, ext if ext in DISK_FORMATS else "raw")


class CreateImageDialog(CheckedFormDialog):
    """Name, formats, visibility, limits, tags and the file to upload."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Create image", "Create and upload", 560, parent)
        self.name_edit = QLineEdit()
        self.file_edit = QLineEdit()
        self.file_edit.setPlaceholderText("a disk image file (qcow2, raw, iso, …)")
        self.browse = QPushButton("Browse…")
        self.disk_combo = QComboBox()
        self.disk_combo.addItems(DISK_FORMATS)
        self.container_combo = QComboBox()
        self.container_combo.addItems(CONTAINER_FORMATS)
        self.visibility_combo = QComboBox()
        self.visibility_combo.addItems(VISIBILITIES)
        self.min_disk = QSpinBox()
        self.min_disk.setRange(0, 100000)
        self.min_disk.setSuffix(" GiB")
        self.min_ram = QSpinBox()
        self.min_ram.setRange(0, 10_000_000)
        self.min_ram.setSuffix(" MiB")
        self.protected_box = QCheckBox("Protected (cannot be deleted)")
        self.tags_edit = QLineEdit()
        self.tags_edit.setPlaceholderText("comma-separated")
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse)
        form = form_rows(("Name", self.name_edit), ("File", file_row),
                         ("Disk format", self.disk_combo),
                         ("Container format", self.container_combo),
                         ("Visibility", self.visibility_combo), ("Min disk", self.min_disk),
                         ("Min RAM", self.min_ram), ("", self.protected_box),
                         ("Tags", self.tags_edit))
        self.browse.clicked.connect(self.on_browse_clicked)
        self._finish(form, self.name_edit, self.file_edit)

    def on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Image file", os.path.expanduser("~"))
        if path:
            self.file_edit.setText(path)
            if not self.name_edit.text():
                self.name_edit.setText(os.path.splitext(os.path.basename(path))[0])
            self.disk_combo.setCurrentText(guess_disk_format(path))

    def problems(self) -> list[str]:
        out = []
        if not self.name_edit.text().strip():
            out.append(Problem("Give the image a name.", self.name_edit))
        path = self.file_edit.text().strip()
        if not path:
            out.append(Problem("Pick the file to upload.", self.file_edit))
        elif not os.path.isfile(path):
            out.append(Problem(f"{path} is not a readable file.", self.file_edit))
        return out

    def values(self) -> dict:
        tags = [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]
        return {"name": self.name_edit.text().strip(), "path": self.file_edit.text().strip(),
                "disk_format": self.disk_combo.currentText(),
                "container_format": self.container_combo.currentText(),
                "visibility": self.visibility_combo.currentText(),
                "min_disk": self.min_disk.value(), "min_ram": self.min_ram.value(),
                "protected": self.protected_box.isChecked(), "tags": tags}


class EditImageDialog(QDialog):
    """Name, visibility, protected, tags — sent as a JSON patch of what changed."""

    def __init__(self, image: dict, parent: QWidget | None = None):
        super().__init__(parent)
        self.image = image
        self.setWindowTitle(f"Edit image {image.get('name') or image['id']}")
        self.setMinimumWidth(460)
        self.name_edit = QLineEdit(image.get("name") or "")
        self.visibility_combo = QComboBox()
        self.visibility_combo.addItems(VISIBILITIES)
        self.visibility_combo.setCurrentText(image.get("visibility") or "private")
        self.protected_box = QCheckBox("Protected (cannot be deleted)")
        self.protected_box.setChecked(bool(image.get("protected")))
        self.tags_edit = QLineEdit(", ".join(image.get("tags") or []))
        form = form_rows(("Name", self.name_edit), ("Visibility", self.visibility_combo),
                         ("", self.protected_box), ("Tags", self.tags_edit), parent=self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def changes(self) -> dict:
        new = {"name": self.name_edit.text().strip(),
               "visibility": self.visibility_combo.currentText(),
               "protected": self.protected_box.isChecked(),
               "tags": [t.strip() for t in self.tags_edit.text().split(",") if t.strip()]}
        old = {k: self.image.get(k) for k in new}
        old["tags"] = list(old.get("tags") or [])
        return {k: v for k, v in new.items() if old.get(k) != v}


class TransferDialog(QDialog):
    """Progress of an upload or download: bytes, rate, time left, Cancel.

    ``progress(done, total)`` may be called from any thread (it emits a queued signal).
    The rate is over the last few seconds, not since the start, so time left follows a
    connection that speeds up or slows down; a timer keeps the numbers honest when no
    report comes (the cloud stopped reading: the dialog says so instead of freezing).
    """

    # "qint64": a Signal(int, int) carries C++ ints, and a 2 GiB upload's byte count
    # arrived as -2147483648 (found by bench/ section 7)
    _progressed = Signal("qint64", "qint64")
    #: seconds of progress reports the rate is computed over
    RATE_WINDOW = 5.0
    #: no bytes moved for this long: say that the transfer is waiting
    STALLED_AFTER = 3.0

    def __init__(self, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        self.cancel_event = threading.Event()
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.label = QLabel("Starting…")
        self.cancel_button = QPushButton("Cancel")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{title}</b>"))
        layout.addWidget(self.bar)
        layout.addWidget(self.label)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        self._samples: deque[tuple[float, int]] = deque()
        self._done = self._total = 0
        self._moved_at = time.monotonic()
        self._progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self.cancel_button.clicked.connect(self.cancel)
        self._ticker = QTimer(self)
        self._ticker.setInterval(500)
        self._ticker.timeout.connect(self._show)
        self._ticker.start()

    def progress(self, done: int, total: int) -> None:
        self._progressed.emit(done, total)

    def cancel(self) -> None:
        self.cancel_event.set()
        self.cancel_button.setEnabled(False)
        self.label.setText("Cancelling…")

    def _on_progress(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done != self._done:
            self._moved_at = now
        self._done, self._total = done, total
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > self.RATE_WINDOW:
            self._samples.popleft()
        if total:
            self.bar.setValue(int(done * 1000 / total))
        else:
            self.bar.setRange(0, 0)
        self._show()

    def rate(self) -> float:
        """Bytes per second over the last :attr:`RATE_WINDOW` seconds (0 before two reports)."""
        if len(self._samples) < 2:
            return 0.0
        (t0, d0), (t1, d1) = self._samples[0], self._samples[-1]
        now = time.monotonic()
        if now - self._moved_at >= self.STALLED_AFTER:
            return 0.0
        return (d1 - d0) / max(t1 - t0, 1e-3)

    def _show(self) -> None:
        if self.cancel_event.is_set() or not self._samples:
            return
        done, total, rate = self._done, self._total, self.rate()
        idle = time.monotonic() - self._moved_at
        if total and done >= total:
            tail = "all sent; waiting for the cloud to confirm"
        elif idle >= self.STALLED_AFTER:
            tail = f"waiting for the cloud (no data moved for {int(idle)} s)"
        elif total and rate > 0:
            left = (total - done) / rate
            tail = f"{fmt_size(rate)}/s · {int(left // 60)} min {int(left % 60):02d} s left"
        else:
            tail = f"{fmt_size(rate)}/s" if rate > 0 else "starting…"
        if total:
            self.label.setText(f"{fmt_size(done)} of {fmt_size(total)} · {tail}")
        else:
            self.label.setText(f"{fmt_size(done)} · {tail}")

    def done(self, result: int) -> None:
        self._ticker.stop()
        super().done(result)

    def reject(self) -> None:  # Esc / close = cancel, never a silent background transfer
        self.cancel()
