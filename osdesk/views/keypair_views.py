"""Key pair dialogs: save a new private key once, import a public key."""

from __future__ import annotations

import html
import os

from PySide6.QtWidgets import (QDialogButtonBox, QFileDialog, QLineEdit,
                               QMessageBox, QPlainTextEdit, QWidget)

from osdesk.views import dialogs
from osdesk.views.form_dialog import CheckedFormDialog, form_rows
from osdesk.views.validation import Problem


def write_private_key(path: str, private_key: str) -> None:
    """Write the key with mode 0600 from the first byte (never world-readable)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(private_key)
    os.chmod(path, 0o600)


async def save_private_key(parent: QWidget, keypair: dict) -> str | None:
    """Offer to save the private key of a just-created key pair; it is shown only now.

    Awaited, never ``exec()``-ed: the pages keep refreshing while the user decides.
    """
    private = keypair.get("private_key")
    if not private:
        return None
    name = keypair["name"]
    default = os.path.expanduser(f"~/.ssh/{name}.pem")
    Role = QMessageBox.ButtonRole
    await dialogs.choose(
        parent, f"Private key of {name}",
        f"The cloud made the key pair <b>{html.escape(name)}</b>. Its private key is shown "
        f"here once (Show Details) and is not kept anywhere: save it to a file next.",
        [("Save to a file…", Role.AcceptRole)], default=0, icon=QMessageBox.Icon.Information,
        details=private)
    while True:
        path = await dialogs.ask_path(parent, f"Save the private key of {name}", save=True,
                                      start=default, filters="Private key (*.pem);;All files (*)")
        if not path:
            discard = await dialogs.choose(
                parent, "Private key not saved",
                "The cloud shows the private key only once. If you do not save it now, "
                "nobody can log in with this key pair. Discard it anyway?",
                [("Discard the key", Role.DestructiveRole), ("Save to a file…", Role.AcceptRole)],
                default=1, escape=1, icon=QMessageBox.Icon.Warning)
            if discard == 0:
                return None
            continue
        try:
            os.makedirs(os.path.dirname(path) or ".", mode=0o700, exist_ok=True)
            write_private_key(path, private)
        except OSError as exc:
            await dialogs.warn(parent, "Saving the key failed",
                               f"Could not write {html.escape(path)}: {html.escape(str(exc), quote=False)}")
            continue
        return path


#: OpenSSH public key types nova accepts.
KEY_TYPES = ("ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384",
             "ecdsa-sha2-nistp521", "ssh-dss")


def public_key_problem(text: str) -> str:
    """Why ``text`` is not an OpenSSH public key line, or ""."""
    import base64
    import binascii
    parts = text.strip().split()
    if not parts:
        return "Paste a public key or load it from a file."
    if "PRIVATE KEY" in text:
        return "This is a private key: never send it anywhere. Use the .pub file."
    if parts[0] not in KEY_TYPES or len(parts) < 2:
        return f"Not an OpenSSH public key: it must start with one of {', '.join(KEY_TYPES[:3])}…"
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return "The key data is not valid base64."
    if len(blob) < 4 or blob[4:4 + int.from_bytes(blob[:4], "big")].decode("ascii", "replace") != parts[0]:
        return "The key data does not match its type."
    return ""


class ImportKeyDialog(CheckedFormDialog):
    """A name and an OpenSSH public key, pasted or loaded from a .pub file."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__("Import public key", "Import", 560, parent)
        self.name_edit = QLineEdit()
        self.key_edit = QPlainTextEdit()
        self.key_edit.setPlaceholderText("ssh-ed25519 AAAA… you@host")
        load = QDialogButtonBox()
        self.load_button = load.addButton("Load .pub file…", QDialogButtonBox.ButtonRole.ActionRole)
        form = form_rows(("Name", self.name_edit), ("Public key", self.key_edit), ("", load))
        self.load_button.clicked.connect(self.on_load_clicked)
        self._finish(form, self.name_edit, self.key_edit)

    def public_key(self) -> str:
        return self.key_edit.toPlainText().strip()

    def problems(self) -> list[str]:
        if not self.name_edit.text().strip():
            return [Problem("Give the key pair a name.", self.name_edit)]
        why = public_key_problem(self.public_key())
        return [Problem(why, self.key_edit)] if why else []

    def on_load_clicked(self) -> None:
        import os
        path, _ = QFileDialog.getOpenFileName(self, "Public key", os.path.expanduser("~/.ssh"),
                                              "Public keys (*.pub);;All files (*)")
        if not path:
            return
        try:
            with open(path, "rb") as f:
                text = f.read(64 * 1024).decode("utf-8", "replace")
        except OSError as exc:
            self.checker.show([Problem(f"Could not read {path}: {exc.strerror or exc}.",
                                       self.key_edit)])
            self.checker.reveal()
            return
        self.key_edit.setPlainText(text.strip())
        if not self.name_edit.text():
            self.name_edit.setText(os.path.basename(path).removesuffix(".pub"))
