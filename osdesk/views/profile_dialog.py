"""The add/edit dialog of a saved cloud, with live validation and "Test connection".

The form's sections live in :mod:`osdesk.views.profile_form`, the login of "Test
connection" and its summary in :mod:`osdesk.views.connection_check`.
"""

from __future__ import annotations

import asyncio

import html
import logging
import os
from urllib.parse import urlsplit

import qasync
import shiboken6
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QScrollArea, QSizePolicy,
                               QVBoxLayout, QWidget)

from osdesk.api.errors import OsdeskError
from osdesk.profiles.profile import AUTH_TYPES, Profile
from osdesk.profiles.secrets import SecretStore
from osdesk.runtime.runner import Runner
from osdesk.views import dialogs
from osdesk.views.connection_check import login_once, relative_time, token_summary_html
from osdesk.views.form_widgets import NameOrIdField, set_enabled, set_text, set_visible, tinted
from osdesk.views.icons import icon
from osdesk.views.password_prompt import elide
from osdesk.views.profile_form import AUTH_TYPE_LABELS, READ_ONLY_NOTES, ProfileFormSections
from osdesk.views.shortcuts import button_text, give_button_mnemonics
from osdesk.views.validation import FormProblems, Problem, is_submit_key, message_line

__all__ = ["AUTH_TYPE_LABELS", "NameOrIdField", "ProfileDialog", "relative_time",
           "token_summary_html"]

log = logging.getLogger(__name__)

#: Auth types whose secret must be known before a new profile can be saved
#: (or the user ticks "Ask … when connecting"). A token is short-lived anyway.
_SECRET_REQUIRED = ("password", "v3applicationcredential")


class ProfileDialog(ProfileFormSections, QDialog):
    """Add or edit a saved cloud.

    ``profile`` None adds a new cloud; otherwise its id is kept. ``secret`` is
    the current password / application-credential secret / token, to pre-fill.
    Profiles whose ``source`` osdesk does not own (``clouds.yaml``) are shown
    read-only, without Save; "Test connection" still works.

    Signals:
        saved(object, object, bool): (Profile, secret or None, store in keyring).
            The Profile never holds the secret. The secret is None when the field
            is empty or "Ask … when connecting" is ticked.
        testFinished(bool, str): a "Test connection" ended: (logged in, result as
            plain text). Not emitted when the dialog was closed meanwhile.
    """

    saved = Signal(object, object, bool)
    testFinished = Signal(bool, str)

    def __init__(self, profile: Profile | None, secret: str | None, secret_store: SecretStore,
                 runner: Runner, parent: QWidget | None = None, *, is_new: bool | None = None):
        super().__init__(parent)
        self._base = profile or Profile(name="", auth_url="")
        #: True for a cloud that is not saved yet (also a duplicate or an import).
        self.is_new = profile is None if is_new is None else is_new
        self.read_only = self._base.source in READ_ONLY_NOTES and not self.is_new
        self._secret_store = secret_store
        self._runner = runner
        self._keyring_ok, self._keyring_reason = secret_store.available()
        self._keyring_backend = secret_store.backend_name() if self._keyring_ok else ""
        #: bumped when a test starts and when the dialog closes: late results are dropped
        self._test_generation = 0
        self._test_key = f"profile-test:{self._base.id}"
        self._testing = False

        if self.is_new:
            self.setWindowTitle("Add cloud")
        elif self.read_only:
            self.setWindowTitle(f"Cloud {elide(self._base.name, 50)}")
        else:
            self.setWindowTitle(f"Edit cloud {elide(self._base.name, 50)}")
        self._build()
        give_button_mnemonics(self)
        self._load(self._base, secret)
        self._connect_signals()
        self._sync_widgets()
        #: the settings whose "Test connection" failed last (Save asks first for them)
        self._failed_test = None
        # the problems show once the user has left a field or pressed Enter, not on an
        # empty form (validation.FormProblems)
        self.checker.watch(*self._line_edits(), *self._name_or_id_fields(), *self._choices(),
                           self.timeout_spin)
        self.validate()
        self._fit_size()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.readonly_note = QLabel(READ_ONLY_NOTES.get(self._base.source, ""))
        self.readonly_note.setWordWrap(True)
        tinted(self.readonly_note, "info")
        self._build_form()
        form_widget = QWidget()
        form_widget.setLayout(self.form)
        self.scroll = QScrollArea()
        self.scroll.setWidget(form_widget)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._form_widget = form_widget

        self.problems_label = message_line()
        self.checker = FormProblems(self.problems_label, None, self)

        self.test_button = QPushButton(icon("start"), "Test connection")
        self.test_button.setToolTip("Log in once with these settings and show what the "
                                    "cloud answers")
        self.test_result = QLabel()
        self.test_result.setWordWrap(True)
        self.test_result.setTextFormat(Qt.TextFormat.RichText)
        self.test_result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.test_result.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)
        self.test_result.hide()

        self.button_box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                           | QDialogButtonBox.StandardButton.Cancel)
        self.save_button = self.button_box.button(QDialogButtonBox.StandardButton.Save)
        self.cancel_button = self.button_box.button(QDialogButtonBox.StandardButton.Cancel)
        bottom = QHBoxLayout()
        bottom.addWidget(self.test_button)
        bottom.addStretch(1)
        bottom.addWidget(self.button_box)

        layout = QVBoxLayout(self)
        layout.addWidget(self.readonly_note)
        layout.addWidget(self.scroll, 1)
        layout.addWidget(self.problems_label)
        layout.addWidget(self.test_result)
        layout.addLayout(bottom)
        self.readonly_note.setVisible(self.read_only)
        self.save_button.setVisible(not self.read_only)
        if self.read_only:
            button_text(self.cancel_button, "Close")

    def _fit_size(self) -> None:
        content = self._form_widget.sizeHint()
        bar = self.scroll.verticalScrollBar().sizeHint().width()
        self.scroll.setMinimumWidth(content.width() + bar + 4)
        self.setMinimumWidth(max(560, self.scroll.minimumWidth() + 24))
        screen = self.screen() or QGuiApplication.primaryScreen()
        avail = screen.availableGeometry().height() if screen is not None else 800
        height = min(content.height() + 180, int(avail * 0.85))
        self.resize(self.minimumWidth(), max(height, 360))

    def _connect_signals(self) -> None:
        for edit in self._line_edits():
            edit.textChanged.connect(self.on_field_changed)
        for field in self._name_or_id_fields():
            field.edit.textChanged.connect(self.on_field_changed)
            field.kind.currentIndexChanged.connect(self.on_field_changed)
        for combo in (self.auth_type_combo, self.interface_combo):
            combo.currentIndexChanged.connect(self.on_field_changed)
        for check in (self.ask_secret_check, self.keyring_check, self.verify_check,
                      self.scope_project_radio, self.scope_domain_radio):
            check.toggled.connect(self.on_field_changed)
        self.timeout_spin.valueChanged.connect(self.on_field_changed)
        self.secret_show_button.toggled.connect(self.on_secret_show_toggled)
        self.cacert_browse_button.clicked.connect(self.on_cacert_browse_clicked)
        self.test_button.clicked.connect(self.on_test_button_clicked)
        self.button_box.accepted.connect(self.on_save_clicked)
        self.button_box.rejected.connect(self.reject)

    # ------------------------------------------------------------ the profile
    def auth_type(self) -> str:
        return self.auth_type_combo.currentData() or AUTH_TYPES[0]

    def current_profile(self) -> Profile:
        """The profile as the fields describe it now (never with the secret)."""
        auth = self.auth_type()
        appcred_name, appcred_id = self.appcred_field.values()
        username, user_id = self.user_field.values()
        user_domain_name, user_domain_id = self.user_domain_field.values()
        if auth == "token" or (auth == "v3applicationcredential" and appcred_id):
            username = user_id = ""  # not sent: the token / credential id names the user
        if user_id or not (username or user_id):
            user_domain_name = user_domain_id = ""  # a user id is unique across domains
        project_name = project_id = project_domain_name = project_domain_id = ""
        domain_name = domain_id = ""
        if auth != "v3applicationcredential":
            if self.scope_domain_radio.isChecked():
                domain_name, domain_id = self.domain_field.values()
            else:
                project_name, project_id = self.project_field.values()
                if project_name:
                    project_domain_name, project_domain_id = self.project_domain_field.values()
        if auth != "v3applicationcredential":
            appcred_name = appcred_id = ""
        changes = dict(
            name=self.name_edit.text().strip(),
            auth_url=self.auth_url_edit.text().strip(),
            auth_type=auth,
            username=username, user_id=user_id,
            user_domain_name=user_domain_name, user_domain_id=user_domain_id,
            project_name=project_name, project_id=project_id,
            project_domain_name=project_domain_name, project_domain_id=project_domain_id,
            domain_name=domain_name, domain_id=domain_id,
            application_credential_id=appcred_id,
            application_credential_name=appcred_name,
            region_name=self.region_edit.text().strip(),
            interface=self.interface_combo.currentText(),
            verify=self.verify_check.isChecked(),
            cacert=self.cacert_edit.text().strip() if self.verify_check.isChecked() else "",
            timeout=float(self.timeout_spin.value()),
        )
        if self.is_new:
            changes["source"] = "saved"
            changes["cloud_name"] = ""
        return self._base.copy(**changes)

    def secret(self) -> str | None:
        """The secret to save or test with: None when empty or asked at connect time."""
        if self.ask_secret_check.isChecked() and not self.read_only:
            return None
        return self.secret_edit.text() or None

    def store_in_keyring(self) -> bool:
        return (self._keyring_ok and self.keyring_check.isChecked()
                and not self.ask_secret_check.isChecked())

    def problems(self, profile: Profile | None = None) -> list[str]:
        """What keeps Save disabled: the profile's problems and the dialog's own."""
        profile = profile or self.current_profile()
        out = profile.problems()
        if profile.cacert and not os.path.isfile(os.path.expanduser(profile.cacert)):
            out.append(f"The CA bundle {elide(profile.cacert, 80)} does not exist.")
        if (self.is_new and not self.read_only and profile.auth_type in _SECRET_REQUIRED
                and not self.ask_secret_check.isChecked() and not self.secret_edit.text()):
            kind = profile.secret_kind
            out.append(f"Enter the {kind}, or tick “Ask for the {kind} when connecting”.")
        return out

    def validate(self) -> bool:
        """Show the problems under the form; enable Save only without any."""
        profile = self.current_profile()
        problems = [Problem(p, self._field_of(p)) for p in self.problems(profile)]
        self.checker.show(problems, quiet=self.read_only)
        set_enabled(self.save_button, not problems and not self.read_only)
        set_enabled(self.test_button, not self._testing and not profile.problems())
        return not problems

    def _field_of(self, problem: str) -> QWidget | None:
        """The field a problem of the profile is about (its outline)."""
        starts = (("The cloud", self.name_edit), ("The auth URL", self.auth_url_edit),
                  ("Password login", self.user_field), ("An application", self.appcred_field),
                  ("The CA bundle", self.cacert_edit), ("Enter the", self.secret_edit))
        return next((field for start, field in starts if problem.startswith(start)), None)

    def keyPressEvent(self, event) -> None:  # noqa: N802 - Qt API
        if is_submit_key(event) and not self.save_button.isEnabled():
            self.checker.reveal()  # Enter with problems: say what they are
            return
        super().keyPressEvent(event)

    # ------------------------------------------------------- widget sync-ups
    def _set_row_visible(self, field: QWidget, visible: bool) -> None:
        if self.form.isRowVisible(field) != visible:
            self.form.setRowVisible(field, visible)

    def _sync_widgets(self) -> None:
        """Show the rows that apply to the auth type and scope; relabel the secret."""
        auth = self.auth_type()
        appcred = auth == "v3applicationcredential"
        by_name = appcred and not self.appcred_field.is_id()
        show_user = auth == "password" or by_name
        self._set_row_visible(self.appcred_field, appcred)
        self._set_row_visible(self.user_field, show_user)
        self._set_row_visible(self.user_domain_field, show_user and not self.user_field.is_id())
        kind = {"password": "password", "v3applicationcredential": "secret",
                "token": "token"}[auth]
        label = self.form.labelForField(self._secret_row)
        if isinstance(label, QLabel):
            set_text(label, f"&{kind[:1].upper()}{kind[1:]}:")
        secret_kind = self.current_profile().secret_kind
        set_text(self.ask_secret_check, f"Ask for the {secret_kind} when connecting")
        set_text(self.keyring_check, f"Store the {secret_kind} in the system keyring")
        placeholder = secret_kind[:1].upper() + secret_kind[1:]
        if self.secret_edit.placeholderText() != placeholder:
            self.secret_edit.setPlaceholderText(placeholder)

        self._set_row_visible(self._scope_row, not appcred)
        self._set_row_visible(self.scope_note, appcred)
        domain_scope = self.scope_domain_radio.isChecked()
        self._set_row_visible(self.project_field, not appcred and not domain_scope)
        self._set_row_visible(self.project_domain_field,
                              not appcred and not domain_scope and not self.project_field.is_id())
        self._set_row_visible(self.domain_field, not appcred and domain_scope)

        editable = not self.read_only
        asked = self.ask_secret_check.isChecked()
        set_enabled(self.secret_edit, not asked or not editable)
        set_enabled(self.keyring_check, editable and self._keyring_ok and not asked)
        for widget in (self.ask_secret_check, self.keyring_check, self.secret_where_label):
            self._set_row_visible(widget, editable)
        set_text(self.secret_where_label, self._where_text(secret_kind))

        verify = self.verify_check.isChecked()
        set_visible(self.verify_warning_label, not verify)
        set_enabled(self.cacert_edit, verify)
        set_enabled(self.cacert_browse_button, verify and editable)

    def _where_text(self, kind: str) -> str:
        if self.ask_secret_check.isChecked():
            return f"The {kind} is not saved: osdesk asks for it each time you connect."
        if not self._keyring_ok:
            reason = self._keyring_reason.strip() or "no keyring is available"
            return (f"{reason[:1].upper()}{reason[1:]}: the {kind} is kept in memory "
                    f"for this session only.")
        if self.keyring_check.isChecked():
            return (f"The {kind} will be stored in the system keyring "
                    f"({self._keyring_backend}), never in osdesk's files.")
        return (f"The {kind} is kept in memory for this session only; osdesk asks for it "
                f"again after a restart.")

    # ------------------------------------------------------------------ slots
    def on_field_changed(self, *_args) -> None:
        self._sync_widgets()
        self.validate()

    def on_secret_show_toggled(self, shown: bool) -> None:
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Normal if shown
                                     else QLineEdit.EchoMode.Password)
        button_text(self.secret_show_button, "Hide" if shown else "Show")

    def on_cacert_browse_clicked(self) -> None:
        start = (os.path.dirname(os.path.expanduser(self.cacert_edit.text().strip()))
                 or os.path.expanduser("~"))
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", start, "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.cacert_edit.setText(path)

    def on_save_clicked(self) -> None:
        if self.read_only or not self.validate():
            return
        profile = self.current_profile()
        if self._failed_test is not None and self._failed_test == profile:
            # "Test connection" just failed for exactly this: saving is most likely a slip
            asyncio.ensure_future(self._save_if_sure(profile))
            return
        self._save(profile)

    async def _save_if_sure(self, profile: Profile) -> None:
        if await dialogs.ask_yes_no(self, "Save cloud", "The connection test of these settings "
                                    "failed. Save them anyway?", yes="Save anyway",
                                    no="Keep editing"):
            self._save(profile)

    def _save(self, profile: Profile) -> None:
        self.saved.emit(profile, self.secret(), self.store_in_keyring())
        self.accept()

    @qasync.asyncSlot()
    async def on_test_button_clicked(self) -> None:
        profile = self.current_profile()
        refusal = " ".join(profile.problems())
        secret = self.secret_edit.text() or None
        if not refusal and secret is None:
            refusal = f"Enter the {profile.secret_kind} to test the connection."
        if refusal:
            self._show_result("error", html.escape(refusal))
            self.testFinished.emit(False, refusal)
            return
        self._test_generation += 1
        generation = self._test_generation
        self._testing = True
        self.test_button.setEnabled(False)
        button_text(self.test_button, "Testing…")
        host = urlsplit(profile.auth_url).netloc or profile.auth_url
        self._show_result("info", f"Logging in at {html.escape(elide(host, 80))}…")
        try:
            info = await self._runner.run(self._test_key, login_once, profile, secret)
        except OsdeskError as err:
            outcome = ("error", html.escape(str(err)))
        except Exception as err:  # a bug: say so instead of a silent "Testing…"
            log.exception("Test connection of %s failed unexpectedly", profile.auth_url)
            outcome = ("error", html.escape(f"Unexpected error: {type(err).__name__}: {err}"))
        else:
            outcome = ("ok", token_summary_html(info))
        # The dialog may have been cancelled (and deleted) while the login ran.
        if generation != self._test_generation or not shiboken6.isValid(self):
            return
        self._testing = False
        button_text(self.test_button, "Test connection")
        self._show_result(*outcome)
        self.validate()
        self._failed_test = None if outcome[0] == "ok" else self.current_profile()
        self.testFinished.emit(outcome[0] == "ok", self.test_result_text())

    def _show_result(self, tint: str, text: str) -> None:
        tinted(self.test_result, tint)
        set_text(self.test_result, text)
        set_visible(self.test_result, True)

    def test_result_text(self) -> str:
        """The result panel as plain text (for tests and accessibility)."""
        doc = QTextDocument()
        doc.setHtml(self.test_result.text())
        return doc.toPlainText()

    def done(self, result: int) -> None:
        # Drop any login still in flight: its result must not touch a closed dialog.
        self._test_generation += 1
        self._testing = False
        self._runner.shutdown(self._test_key)
        super().done(result)
