"""The add/edit dialog of a saved cloud, with live validation and "Test connection"."""

from __future__ import annotations

import datetime as dt
import html
import logging
import os
from urllib.parse import urlsplit

import qasync
import shiboken6
from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtGui import QGuiApplication, QTextDocument
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDialog, QDialogButtonBox,
                               QDoubleSpinBox, QFileDialog, QFormLayout, QFrame, QHBoxLayout,
                               QLabel, QLineEdit, QPushButton, QRadioButton, QScrollArea,
                               QSizePolicy, QToolButton, QVBoxLayout, QWidget)

from osdesk.api.calllog import default_log
from osdesk.api.errors import OsdeskError
from osdesk.profiles.profile import AUTH_TYPES, INTERFACES, Profile
from osdesk.profiles.secrets import SecretStore
from osdesk.runtime.runner import Runner
from osdesk.views.icons import icon
from osdesk.views.password_prompt import elide

log = logging.getLogger(__name__)

#: Auth type combo entries: (keystoneauth plugin name, label).
AUTH_TYPE_LABELS = (("password", "Password"),
                    ("v3applicationcredential", "Application credential"),
                    ("token", "Token"))
#: Auth types whose secret must be known before a new profile can be saved
#: (or the user ticks "Ask … when connecting"). A token is short-lived anyway.
_SECRET_REQUIRED = ("password", "v3applicationcredential")
#: Tinted panels, readable on light and dark palettes (same tints as resource_page).
_TINTS = {
    "error": "background: rgba(220, 53, 69, 0.14); border: 1px solid rgba(220, 53, 69, 0.5);",
    "ok": "background: rgba(25, 135, 84, 0.13); border: 1px solid rgba(25, 135, 84, 0.5);",
    "info": "background: rgba(13, 110, 253, 0.10); border: 1px solid rgba(13, 110, 253, 0.4);",
    "warning": "background: rgba(255, 193, 7, 0.18); border: 1px solid rgba(255, 160, 0, 0.6);",
}
#: Sources that osdesk does not own: shown read-only, with why.
_READ_ONLY_NOTES = {
    "clouds.yaml": "Defined in clouds.yaml; edit it there, or Duplicate to make an osdesk copy.",
    "demo": "The built-in demo cloud cannot be edited; Duplicate it to make an osdesk copy.",
}


def _tinted(label: QLabel, tint: str) -> None:
    sheet = f"QLabel {{ {_TINTS[tint]} border-radius: 4px; padding: 6px; }}"
    if label.styleSheet() != sheet:
        label.setStyleSheet(sheet)


# The form is re-checked on every keystroke, so its setters are called only when
# a value really changes. WORKAROUND: PySide6 6.12.0 on CPython 3.11 drops one
# reference to None on every call of a void method from Python (and to True on
# every Signal.emit()); None is not immortal before 3.12, so a few thousand
# redundant setText/setVisible/setEnabled calls abort the process with
# "none_dealloc: deallocating None". It also saves needless relayouts.
def _set_text(widget, text: str) -> None:
    if widget.text() != text:
        widget.setText(text)


def _set_visible(widget: QWidget, visible: bool) -> None:
    if widget.isHidden() == visible:
        widget.setVisible(visible)


def _set_enabled(widget: QWidget, enabled: bool) -> None:
    if widget.isEnabled() != enabled:
        widget.setEnabled(enabled)


def relative_time(seconds: float) -> str:
    """``3599.9`` → ``"in 59 min"``; negative values → ``"… ago"``.

    Truncates: a token is never said to live longer than it does.
    """
    future = seconds >= 0
    s = int(abs(seconds))
    if s < 60:
        text = f"{s} s"
    elif s < 3600:
        text = f"{s // 60} min"
    elif s < 86400:
        hours, minutes = divmod(s // 60, 60)
        text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        days = s // 86400
        text = f"{days} day" + ("" if days == 1 else "s")
    return f"in {text}" if future else f"{text} ago"


def token_summary_html(info: dict, now: dt.datetime | None = None) -> str:
    """Rich text for a successful login: user, scope, roles, expiry, services."""
    esc = html.escape
    rows = []
    user = info.get("user_name") or info.get("user_id") or "?"
    if info.get("user_domain_name"):
        user += f" (domain {info['user_domain_name']})"
    rows.append(("User", esc(user)))
    if info.get("project_name") or info.get("project_id"):
        project = info.get("project_name") or info.get("project_id")
        if info.get("project_domain_name"):
            project += f" (domain {info['project_domain_name']})"
        rows.append(("Project", esc(project)))
    elif info.get("domain_name") or info.get("domain_id"):
        rows.append(("Domain", esc(info.get("domain_name") or info.get("domain_id"))))
    else:
        rows.append(("Scope", "unscoped (no project or domain)"))
    rows.append(("Roles", esc(", ".join(info.get("roles") or []) or "none")))
    expires = info.get("expires_at")
    if isinstance(expires, dt.datetime):
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=dt.timezone.utc)
        now = now or dt.datetime.now(dt.timezone.utc)
        local = expires.astimezone()
        left = relative_time((expires - now).total_seconds())
        rows.append(("Token expires", esc(f"{local:%Y-%m-%d %H:%M} ({left})")))
    else:
        rows.append(("Token expires", "unknown"))
    services = info.get("services") or []
    rows.append(("Services", esc(", ".join(services)) if services
                 else "none (the token has no catalog)"))
    body = "<br>".join(f"<b>{k}:</b> {v}" for k, v in rows)
    return f"<b>Connected.</b><br>{body}"


def _test_login(profile: Profile, secret: str | None) -> dict:
    """Worker-thread half of "Test connection": log in once, return token info."""
    from osdesk.api.cloud import Cloud

    # NOTE: the app's default call log, so the console shows the test's calls.
    cloud = Cloud(profile, secret, call_log=default_log)
    try:
        return cloud.authenticate()
    finally:
        cloud.close()


class NameOrIdField(QWidget):
    """A line edit plus a "name / ID" switch, for Keystone's name-or-id pairs."""

    NAME, ID = 0, 1

    def __init__(self, placeholder: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.edit = QLineEdit()
        self.edit.setPlaceholderText(placeholder)
        self.kind = QComboBox()
        self.kind.addItems(["name", "ID"])
        self.kind.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.kind)

    def is_id(self) -> bool:
        return self.kind.currentIndex() == self.ID

    def values(self) -> tuple[str, str]:
        """(name, id): one of them set, from the text, stripped."""
        text = self.edit.text().strip()
        return ("", text) if self.is_id() else (text, "")

    def load(self, name: str, id_: str) -> None:
        with QSignalBlocker(self.edit), QSignalBlocker(self.kind):
            self.kind.setCurrentIndex(self.ID if id_ and not name else self.NAME)
            self.edit.setText(id_ if id_ and not name else name)

    def set_read_only(self, read_only: bool) -> None:
        self.edit.setReadOnly(read_only)
        self.kind.setEnabled(not read_only)


class ProfileDialog(QDialog):
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
        self.read_only = self._base.source in _READ_ONLY_NOTES and not self.is_new
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
        self._load(self._base, secret)
        self._connect_signals()
        self._sync_widgets()
        self.validate()
        self._fit_size()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        self.readonly_note = QLabel(_READ_ONLY_NOTES.get(self._base.source, ""))
        self.readonly_note.setWordWrap(True)
        _tinted(self.readonly_note, "info")

        # Cloud
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Lab cloud")
        self.auth_url_edit = QLineEdit()
        self.auth_url_edit.setPlaceholderText("https://keystone.example.org:5000/v3")
        self._section("Cloud", first=True)
        self.form.addRow("&Name:", self.name_edit)
        self.form.addRow("&Auth URL:", self.auth_url_edit)

        # Credentials
        self.auth_type_combo = QComboBox()
        for value, label in AUTH_TYPE_LABELS:
            self.auth_type_combo.addItem(label, value)
        self.appcred_field = NameOrIdField("application credential id or name")
        self.user_field = NameOrIdField("user name or id")
        self.user_domain_field = NameOrIdField("Default")
        self.secret_edit = QLineEdit()
        self.secret_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret_show_button = QToolButton()
        self.secret_show_button.setText("Show")
        self.secret_show_button.setCheckable(True)
        self.secret_show_button.setToolTip("Show or hide the secret")
        secret_row = QWidget()
        secret_layout = QHBoxLayout(secret_row)
        secret_layout.setContentsMargins(0, 0, 0, 0)
        secret_layout.addWidget(self.secret_edit, 1)
        secret_layout.addWidget(self.secret_show_button)
        self._secret_row = secret_row
        self.ask_secret_check = QCheckBox("Ask for the secret when connecting")
        self.keyring_check = QCheckBox("Store the secret in the system keyring")
        self.secret_where_label = QLabel()
        self.secret_where_label.setWordWrap(True)
        self.secret_where_label.setTextFormat(Qt.TextFormat.PlainText)
        self._section("Credentials")
        self.form.addRow("Auth &type:", self.auth_type_combo)
        self.form.addRow("Credential:", self.appcred_field)
        self.form.addRow("&User:", self.user_field)
        self.form.addRow("User domain:", self.user_domain_field)
        self.form.addRow("&Password:", secret_row)
        self.form.addRow("", self.ask_secret_check)
        self.form.addRow("", self.keyring_check)
        self.form.addRow("", self.secret_where_label)

        # Scope
        self.scope_project_radio = QRadioButton("Project")
        self.scope_domain_radio = QRadioButton("Domain")
        self.scope_group = QButtonGroup(self)
        self.scope_group.addButton(self.scope_project_radio)
        self.scope_group.addButton(self.scope_domain_radio)
        scope_row = QWidget()
        scope_layout = QHBoxLayout(scope_row)
        scope_layout.setContentsMargins(0, 0, 0, 0)
        scope_layout.addWidget(self.scope_project_radio)
        scope_layout.addWidget(self.scope_domain_radio)
        scope_layout.addStretch(1)
        self._scope_row = scope_row
        self.project_field = NameOrIdField("project name or id")
        self.project_domain_field = NameOrIdField("Default")
        self.domain_field = NameOrIdField("domain name or id")
        self.scope_note = QLabel("An application credential is bound to its own project.")
        self.scope_note.setWordWrap(True)
        self._section("Scope")
        self.form.addRow("Scope:", scope_row)
        self.form.addRow("", self.scope_note)
        self.form.addRow("P&roject:", self.project_field)
        self.form.addRow("Project domain:", self.project_domain_field)
        self.form.addRow("&Domain:", self.domain_field)

        # Endpoints
        self.region_edit = QLineEdit()
        self.region_edit.setPlaceholderText("any region (e.g. RegionOne)")
        self.interface_combo = QComboBox()
        self.interface_combo.addItems(list(INTERFACES))
        self._section("Endpoints")
        self.form.addRow("R&egion:", self.region_edit)
        self.form.addRow("&Interface:", self.interface_combo)

        # TLS
        self.verify_check = QCheckBox("Verify the server's TLS certificate")
        self.verify_warning_label = QLabel(
            "TLS verification is off: anyone on the network path can pose as this cloud and "
            "read the secret. Use this only for a test cloud.")
        self.verify_warning_label.setWordWrap(True)
        _tinted(self.verify_warning_label, "warning")
        self.cacert_edit = QLineEdit()
        self.cacert_edit.setPlaceholderText("system CA certificates")
        self.cacert_browse_button = QPushButton("Browse…")
        cacert_row = QWidget()
        cacert_layout = QHBoxLayout(cacert_row)
        cacert_layout.setContentsMargins(0, 0, 0, 0)
        cacert_layout.addWidget(self.cacert_edit, 1)
        cacert_layout.addWidget(self.cacert_browse_button)
        self._cacert_row = cacert_row
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(1, 3600)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("How long to wait for each answer of the cloud")
        self._section("TLS and timeouts")
        self.form.addRow("", self.verify_check)
        self.form.addRow("", self.verify_warning_label)
        self.form.addRow("&CA bundle:", cacert_row)
        self.form.addRow("Request &timeout:", self.timeout_spin)

        form_widget = QWidget()
        form_widget.setLayout(self.form)
        self.scroll = QScrollArea()
        self.scroll.setWidget(form_widget)
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._form_widget = form_widget

        self.problems_label = QLabel()
        self.problems_label.setWordWrap(True)
        self.problems_label.setTextFormat(Qt.TextFormat.PlainText)
        _tinted(self.problems_label, "error")

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
            self.cancel_button.setText("Close")

    def _section(self, title: str, first: bool = False) -> None:
        label = QLabel(f"<b>{html.escape(title)}</b>")
        if not first:
            label.setContentsMargins(0, 8, 0, 0)
        self.form.addRow(label)

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
        for edit in (self.name_edit, self.auth_url_edit, self.secret_edit, self.region_edit,
                     self.cacert_edit):
            edit.textChanged.connect(self.on_field_changed)
        for field in (self.appcred_field, self.user_field, self.user_domain_field,
                      self.project_field, self.project_domain_field, self.domain_field):
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

    # ------------------------------------------------------------------- load
    def _inputs(self) -> list[QWidget]:
        widgets = [self.name_edit, self.auth_url_edit, self.auth_type_combo, self.secret_edit,
                   self.ask_secret_check, self.keyring_check, self.scope_project_radio,
                   self.scope_domain_radio, self.region_edit, self.interface_combo,
                   self.verify_check, self.cacert_edit, self.timeout_spin]
        for field in (self.appcred_field, self.user_field, self.user_domain_field,
                      self.project_field, self.project_domain_field, self.domain_field):
            widgets += [field.edit, field.kind]
        return widgets

    def _load(self, p: Profile, secret: str | None) -> None:
        # Block signals while loading: each setText would otherwise validate a
        # half-filled form (Vorta archive_tab.py, #2493).
        blockers = [QSignalBlocker(w) for w in self._inputs()]
        try:
            self.name_edit.setText(p.name)
            self.auth_url_edit.setText(p.auth_url)
            index = self.auth_type_combo.findData(p.auth_type)
            self.auth_type_combo.setCurrentIndex(max(index, 0))
            self.appcred_field.load(p.application_credential_name, p.application_credential_id)
            self.user_field.load(p.username, p.user_id)
            self.user_domain_field.load(p.user_domain_name, p.user_domain_id)
            self.secret_edit.setText(secret or "")
            self.ask_secret_check.setChecked(False)
            self.keyring_check.setChecked(self._keyring_ok)
            self.keyring_check.setEnabled(self._keyring_ok)
            domain_scope = p.scope == "domain"
            self.scope_domain_radio.setChecked(domain_scope)
            self.scope_project_radio.setChecked(not domain_scope)
            self.project_field.load(p.project_name, p.project_id)
            self.project_domain_field.load(p.project_domain_name, p.project_domain_id)
            self.domain_field.load(p.domain_name, p.domain_id)
            self.region_edit.setText(p.region_name)
            self.interface_combo.setCurrentIndex(max(self.interface_combo.findText(p.interface),
                                                     0))
            self.verify_check.setChecked(bool(p.verify))
            self.cacert_edit.setText(p.cacert)
            try:
                self.timeout_spin.setValue(float(p.timeout))
            except (TypeError, ValueError):
                self.timeout_spin.setValue(30)
        finally:
            del blockers
        if self.read_only:
            for edit in (self.name_edit, self.auth_url_edit, self.secret_edit, self.region_edit,
                         self.cacert_edit):
                edit.setReadOnly(True)
            for field in (self.appcred_field, self.user_field, self.user_domain_field,
                          self.project_field, self.project_domain_field, self.domain_field):
                field.set_read_only(True)
            for widget in (self.auth_type_combo, self.interface_combo, self.verify_check,
                           self.scope_project_radio, self.scope_domain_radio,
                           self.ask_secret_check, self.keyring_check):
                widget.setEnabled(False)
            self.timeout_spin.setReadOnly(True)
            self.cacert_browse_button.hide()

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
        problems = self.problems(profile)
        _set_text(self.problems_label, "\n".join(problems))
        _set_visible(self.problems_label, bool(problems) and not self.read_only)
        _set_enabled(self.save_button, not problems and not self.read_only)
        _set_enabled(self.test_button, not self._testing and not profile.problems())
        return not problems

    # ------------------------------------------------------- widget sync-ups
    def _set_row_visible(self, field: QWidget, visible: bool) -> None:
        if self.form.isRowVisible(field) != visible:
            self.form.setRowVisible(field, visible)

    def _sync_widgets(self) -> None:
        """Show the rows that apply to the auth type and scope; relabel the secret."""
        auth = self.auth_type()
        appcred = auth == "v3applicationcredential"
        token = auth == "token"
        by_name = appcred and not self.appcred_field.is_id()
        show_user = auth == "password" or by_name
        self._set_row_visible(self.appcred_field, appcred)
        self._set_row_visible(self.user_field, show_user)
        self._set_row_visible(self.user_domain_field, show_user and not self.user_field.is_id())
        kind = {"password": "password", "v3applicationcredential": "secret",
                "token": "token"}[auth]
        label = self.form.labelForField(self._secret_row)
        if isinstance(label, QLabel):
            _set_text(label, f"&{kind[:1].upper()}{kind[1:]}:")
        secret_kind = self.current_profile().secret_kind
        _set_text(self.ask_secret_check, f"Ask for the {secret_kind} when connecting")
        _set_text(self.keyring_check, f"Store the {secret_kind} in the system keyring")
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
        _set_enabled(self.secret_edit, not asked or not editable)
        _set_enabled(self.keyring_check, editable and self._keyring_ok and not asked)
        for widget in (self.ask_secret_check, self.keyring_check, self.secret_where_label):
            self._set_row_visible(widget, editable)
        _set_text(self.secret_where_label, self._where_text(secret_kind))

        verify = self.verify_check.isChecked()
        _set_visible(self.verify_warning_label, not verify)
        _set_enabled(self.cacert_edit, verify)
        _set_enabled(self.cacert_browse_button, verify and editable)

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
        self.secret_show_button.setText("Hide" if shown else "Show")

    def on_cacert_browse_clicked(self) -> None:
        start = os.path.dirname(os.path.expanduser(self.cacert_edit.text().strip())) or ""
        path, _ = QFileDialog.getOpenFileName(
            self, "CA bundle", start, "Certificates (*.pem *.crt *.cer);;All files (*)")
        if path:
            self.cacert_edit.setText(path)

    def on_save_clicked(self) -> None:
        if self.read_only or not self.validate():
            return
        self.saved.emit(self.current_profile(), self.secret(), self.store_in_keyring())
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
        self.test_button.setText("Testing…")
        host = urlsplit(profile.auth_url).netloc or profile.auth_url
        self._show_result("info", f"Logging in at {html.escape(elide(host, 80))}…")
        try:
            info = await self._runner.run(self._test_key, _test_login, profile, secret)
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
        self.test_button.setText("Test connection")
        self._show_result(*outcome)
        self.validate()
        self.testFinished.emit(outcome[0] == "ok", self.test_result_text())

    def _show_result(self, tint: str, text: str) -> None:
        _tinted(self.test_result, tint)
        _set_text(self.test_result, text)
        _set_visible(self.test_result, True)

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
