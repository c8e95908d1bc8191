"""Key pair dialogs: save a new private key once, import a public key."""

from __future__ import annotations

import html
import os

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget


def write_private_key(path: str, private_key: str) -> None:
    """Write the key with mode 0600 from the first byte (never world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private_key)
    os.chmod(path, 0o600)


def save_private_key(parent: QWidget, keypair: dict) -> str | None:
    """Offer to save the private key of a just-created key pair; it is shown only now."""
    private = keypair.get("private_key")
    if not private:
        return None
    default = os.path.expanduser(f"~/.ssh/{keypair['name']}.pem")
    shown = QMessageBox(parent)
    shown.setWindowTitle(f"Private key of {keypair['name']}")
    shown.setText(f"The cloud made the key pair <b>{html.escape(keypair['name'])}</b>. Its "
                  f"private key is shown here once (Show Details) and is not kept anywhere: "
                  f"save it to a file next.")
    shown.setDetailedText(private)
    shown.addButton("Save to a file…", QMessageBox.ButtonRole.AcceptRole)
    shown.exec()
    while True:
        path, _ = QFileDialog.getSaveFileName(
            parent, f"Save the private key of {keypair['name']}", default,
            "Private key (*.pem);;All files (*)")
        if not path:
            answer = QMessageBox.warning(
                parent, "Private key not saved",
                "The cloud shows the private key only once. If you do not save it now, "
                "nobody can log in with this key pair. Discard it anyway?",
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Retry)
            if answer == QMessageBox.StandardButton.Discard:
                return None
            continue
        try:
            os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
            write_private_key(path, private)
        except OSError as exc:
            QMessageBox.warning(parent, "Saving the key failed",
                                f"Could not write {html.escape(path)}: {html.escape(str(exc))}")
            continue
        return path
