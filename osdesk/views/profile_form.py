"""The form of the cloud dialog: its sections (cloud, credentials, scope, endpoints, TLS),
loading a profile into them, and locking them for a read-only cloud."""

from __future__ import annotations

import html

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import (QButtonGroup, QCheckBox, QComboBox, QDoubleSpinBox, QFormLayout,
                               QLabel, QLineEdit, QPushButton, QRadioButton, QToolButton, QWidget)

from osdesk.profiles.profile import INTERFACES, Profile
from osdesk.views.form_widgets import NameOrIdField, hbox, tinted

#: Auth type combo entries: (keystoneauth plugin name, label).
AUTH_TYPE_LABELS = (("password", "Password"),
                    ("v3applicationcredential", "Application credential"),
                    ("token", "Token"))
#: Sources that osdesk does not own: shown read-only, with why.
READ_ONLY_NOTES = {
    "clouds.yaml": "Defined in clouds.yaml; edit it there, or Duplicate to make an osdesk copy.",
    "demo": "The built-in demo cloud cannot be edited; Duplicate it to make an osdesk copy.",
}


class ProfileFormSections:
    """The fields of :class:`~osdesk.views.profile_dialog.ProfileDialog`, in ``self.form``.

    A mixin of the dialog (it sets the widgets as the dialog's attributes, which the
    dialog's checks and the tests read); it reads the dialog's ``read_only`` and
    ``_keyring_ok``.
    """

    form: QFormLayout
    read_only: bool
    _keyring_ok: bool

    def _build_form(self) -> None:
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
        self.form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._build_cloud_section()
        self._build_credentials_section()
        self._build_scope_section()
        self._build_endpoints_section()
        self._build_tls_section()

    def _section(self, title: str, rows, first: bool = False) -> None:
        """A bold title, then ``rows`` of (label, field)."""
        label = QLabel(f"<b>{html.escape(title)}</b>")
        if not first:
            label.setContentsMargins(0, 8, 0, 0)
        self.form.addRow(label)
        for text, field in rows:
            self.form.addRow(text, field)

    def _build_cloud_section(self) -> None:
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("e.g. Lab cloud")
        self.auth_url_edit = QLineEdit()
        self.auth_url_edit.setPlaceholderText("https://keystone.example.org:5000/v3")
        self._section("Cloud", [("&Name:", self.name_edit),
                                ("&Auth URL:", self.auth_url_edit)], first=True)

    def _build_credentials_section(self) -> None:
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
        self._secret_row = hbox(self.secret_edit, self.secret_show_button)
        self.ask_secret_check = QCheckBox("Ask for the secret when connecting")
        self.keyring_check = QCheckBox("Store the secret in the system keyring")
        self.secret_where_label = QLabel()
        self.secret_where_label.setWordWrap(True)
        self.secret_where_label.setTextFormat(Qt.TextFormat.PlainText)
        self._section("Credentials", [
            ("Auth &type:", self.auth_type_combo), ("Credential:", self.appcred_field),
            ("&User:", self.user_field), ("User domain:", self.user_domain_field),
            ("&Password:", self._secret_row), ("", self.ask_secret_check),
            ("", self.keyring_check), ("", self.secret_where_label)])

    def _build_scope_section(self) -> None:
        self.scope_project_radio = QRadioButton("Project")
        self.scope_domain_radio = QRadioButton("Domain")
        self.scope_group = QButtonGroup(self)
        self.scope_group.addButton(self.scope_project_radio)
        self.scope_group.addButton(self.scope_domain_radio)
        self._scope_row = hbox(self.scope_project_radio, self.scope_domain_radio,
                               stretch_first=False, stretch_last=True)
        self.project_field = NameOrIdField("project name or id")
        self.project_domain_field = NameOrIdField("Default")
        self.domain_field = NameOrIdField("domain name or id")
        self.scope_note = QLabel("An application credential is bound to its own project.")
        self.scope_note.setWordWrap(True)
        self._section("Scope", [
            ("Scope:", self._scope_row), ("", self.scope_note),
            ("P&roject:", self.project_field), ("Project domain:", self.project_domain_field),
            ("&Domain:", self.domain_field)])

    def _build_endpoints_section(self) -> None:
        self.region_edit = QLineEdit()
        self.region_edit.setPlaceholderText("any region (e.g. RegionOne)")
        self.interface_combo = QComboBox()
        self.interface_combo.addItems(list(INTERFACES))
        self._section("Endpoints", [("R&egion:", self.region_edit),
                                    ("&Interface:", self.interface_combo)])

    def _build_tls_section(self) -> None:
        self.verify_check = QCheckBox("Verify the server's TLS certificate")
        self.verify_warning_label = QLabel(
            "TLS verification is off: anyone on the network path can pose as this cloud and "
            "read the secret. Use this only for a test cloud.")
        self.verify_warning_label.setWordWrap(True)
        tinted(self.verify_warning_label, "warning")
        self.cacert_edit = QLineEdit()
        self.cacert_edit.setPlaceholderText("system CA certificates")
        self.cacert_browse_button = QPushButton("Browse…")
        self._cacert_row = hbox(self.cacert_edit, self.cacert_browse_button)
        self.timeout_spin = QDoubleSpinBox()
        self.timeout_spin.setRange(1, 3600)
        self.timeout_spin.setDecimals(0)
        self.timeout_spin.setSuffix(" s")
        self.timeout_spin.setToolTip("How long to wait for each answer of the cloud")
        self._section("TLS and timeouts", [
            ("", self.verify_check), ("", self.verify_warning_label),
            ("&CA bundle:", self._cacert_row), ("Request &timeout:", self.timeout_spin)])

    # ------------------------------------------------------------- the fields
    def _line_edits(self) -> tuple[QLineEdit, ...]:
        return (self.name_edit, self.auth_url_edit, self.secret_edit, self.region_edit,
                self.cacert_edit)

    def _name_or_id_fields(self) -> tuple[NameOrIdField, ...]:
        return (self.appcred_field, self.user_field, self.user_domain_field,
                self.project_field, self.project_domain_field, self.domain_field)

    def _choices(self) -> tuple[QWidget, ...]:
        """The combo boxes, check boxes and radio buttons."""
        return (self.auth_type_combo, self.interface_combo, self.verify_check,
                self.scope_project_radio, self.scope_domain_radio,
                self.ask_secret_check, self.keyring_check)

    def _inputs(self) -> list[QWidget]:
        widgets = [*self._line_edits(), *self._choices(), self.timeout_spin]
        for field in self._name_or_id_fields():
            widgets += [field.edit, field.kind]
        return widgets

    # ------------------------------------------------------------------- load
    def _load(self, p: Profile, secret: str | None) -> None:
        # Block signals while loading: each setText would otherwise validate a
        # half-filled form (Vorta archive_tab.py, #2493).
        blockers = [QSignalBlocker(w) for w in self._inputs()]
        try:
            self._load_credentials(p, secret)
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
            self._lock_fields()

    def _load_credentials(self, p: Profile, secret: str | None) -> None:
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

    def _lock_fields(self) -> None:
        """Make every field read-only (a cloud osdesk does not own)."""
        for edit in self._line_edits():
            edit.setReadOnly(True)
        for field in self._name_or_id_fields():
            field.set_read_only(True)
        for widget in self._choices():
            widget.setEnabled(False)
        self.timeout_spin.setReadOnly(True)
        self.cacert_browse_button.hide()
