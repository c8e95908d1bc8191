"""The small "Password for <cloud>" prompt used when a profile has no stored secret."""

from __future__ import annotations

import html

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QLabel, QLineEdit,
                               QVBoxLayout, QWidget)

from osdesk.profiles.profile import Profile
from osdesk.profiles.secrets import SecretStore
from osdesk.views import dialogs

#: Longest cloud name shown in a title before it is cut with an ellipsis.
_TITLE_CHARS = 60


def elide(text: str, limit: int = _TITLE_CHARS) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (for titles and labels)."""
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class PasswordPrompt(QDialog):
    """Asks for the password (or application-credential secret, or token) of one cloud.

    ``secret()`` and ``remember()`` hold the answer after the dialog is accepted.
    The "Remember" box is disabled, with the reason shown, when no keyring can
    keep the secret.
    """

    def __init__(self, profile: Profile, secret_store: SecretStore,
                 parent: QWidget | None = None):
        super().__init__(parent)
        self.profile = profile
        kind = profile.secret_kind
        self.setWindowTitle(f"{kind[:1].upper()}{kind[1:]} for {elide(profile.name)}")
        self.setModal(True)
        self.setMinimumWidth(420)

        who = profile.username or profile.user_id or profile.application_credential_name \
            or profile.application_credential_id
        detail = f"user {html.escape(elide(who, 80))} at " if who else ""
        self.intro_label = QLabel(
            f"Enter the {html.escape(kind)} for <b>{html.escape(elide(profile.name))}</b> "
            f"({detail}{html.escape(elide(profile.auth_url, 80))}).")
        self.intro_label.setWordWrap(True)

        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_edit.setPlaceholderText(kind[:1].upper() + kind[1:])
        self.secret_edit.setAccessibleName(kind)

        self.remember_check = QCheckBox("Remember in the system keyring")
        available, reason = secret_store.available()
        self.reason_label = QLabel()
        self.reason_label.setWordWrap(True)
        if available:
            self.remember_check.setToolTip(
                f"Stored in the system keyring ({secret_store.backend_name()}), "
                f"never in osdesk's files.")
            self.reason_label.hide()
        else:
            self.remember_check.setChecked(False)
            self.remember_check.setEnabled(False)
            self.reason_label.setText(
                f"<small>{html.escape(_sentence(reason))}: the {html.escape(kind)} is kept "
                f"in memory for this session only.</small>")

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                           | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Connect")
        self.ok_button.setEnabled(False)

        layout = QVBoxLayout(self)
        layout.addWidget(self.intro_label)
        layout.addWidget(self.secret_edit)
        layout.addWidget(self.remember_check)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.button_box)

        self.secret_edit.textChanged.connect(self.on_secret_edit_changed)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.secret_edit.setFocus()

    def on_secret_edit_changed(self, text: str) -> None:
        self.ok_button.setEnabled(bool(text))

    def secret(self) -> str:
        return self.secret_edit.text()

    def remember(self) -> bool:
        return self.remember_check.isEnabled() and self.remember_check.isChecked()


async def ask_secret(parent: QWidget | None, profile: Profile,
                     secret_store: SecretStore) -> tuple[str | None, bool]:
    """Ask for the secret of ``profile``: (secret, remember), or (None, False) if cancelled.

    Opened window-modal and awaited (:func:`osdesk.views.dialogs.shown`), never
    ``exec()``-ed.
    """
    dialog = PasswordPrompt(profile, secret_store, parent)
    try:
        code = await dialogs.shown(dialog)
        if code != QDialog.DialogCode.Accepted.value or not dialog.secret():
            return None, False
        return dialog.secret(), dialog.remember()
    finally:
        dialogs.dispose(dialog)


def _sentence(text: str) -> str:
    """``text`` with a capital first letter (keyring reasons start lower-case)."""
    text = text.strip() or "no keyring is available"
    return text[:1].upper() + text[1:]
