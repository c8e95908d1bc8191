"""Key pair dialogs: save a new private key once, import a public key."""

from __future__ import annotations

import html
import os

from PySide6.QtWidgets import QMessageBox, QWidget

from osdesk.views import dialogs


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
