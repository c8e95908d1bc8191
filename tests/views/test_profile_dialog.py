"""Tests of the add/edit cloud dialog and the password prompt (pytest-qt, offscreen)."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
import json
import socket
import threading
from pathlib import Path

import keyring
import pytest
import responses
import shiboken6
from keyring.backends import fail
from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit, QWidget

from osdesk.api.calllog import default_log
from osdesk.api.cloud import Cloud
from osdesk.api.errors import OsdeskError
from osdesk.profiles.profile import Profile
from osdesk.profiles.secrets import SecretStore
from osdesk.runtime.runner import Runner
from osdesk.views.password_prompt import PasswordPrompt, ask_secret
from osdesk.views.profile_dialog import ProfileDialog, relative_time

LEFT = Qt.MouseButton.LeftButton
from tests.dialog_answers import DialogAnswers  # noqa: E402
from tests.qt_support import MemoryKeyring, qasync_loop  # noqa: E402
from tests.samples import SAMPLES  # noqa: E402

KEYSTONE_SAMPLES = SAMPLES / "keystone/api-ref/source/v3/samples/admin"
#: The credentials of the fake cloud (the same as osdesk's demo cloud).
USER, PASSWORD, PROJECT = "demo", "osdesk-demo", "demo"
#: Never to show up in a Profile.
SECRET = "s3cr3t-Passw0rd-for-tests"


# ------------------------------------------------------------------- fixtures
@pytest.fixture(autouse=True)
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    """A system without any keyring service (headless Linux)."""
    keyring.set_keyring(fail.Keyring())


@pytest.fixture
def runner():
    r = Runner()
    yield r
    r.shutdown()


@pytest.fixture
def loop(qapp):
    """A qasync loop on the test's QApplication, closed and unset afterwards."""
    yield from qasync_loop(qapp)


@pytest.fixture
def make_dialog(qtbot, runner):
    def make(profile=None, secret=None, store=None, **kwargs):
        dlg = ProfileDialog(profile, secret, store or SecretStore(), runner, **kwargs)
        qtbot.addWidget(dlg)
        dlg.show()
        return dlg
    return make


def type_text(qtbot, widget, text: str) -> None:
    """Type ``text`` into ``widget``, non-ASCII characters included.

    ``QTest.keyClicks`` maps characters to Qt keys through an ASCII table and
    aborts the process (qasciikey.cpp ASSERT) on anything else, so non-ASCII
    characters are sent as key events carrying their text, as an input method does.
    """
    run = ""
    for ch in text + "\0":
        if ch != "\0" and ch.isascii():
            run += ch
            continue
        if run:
            qtbot.keyClicks(widget, run)
            run = ""
        if ch != "\0":
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, Qt.Key.Key_unknown,
                                                         Qt.KeyboardModifier.NoModifier, ch))


def fill_valid(qtbot, dlg, *, name="lab", url="http://keystone.test/identity", user="alice",
               secret=SECRET):
    type_text(qtbot, dlg.name_edit, name)
    type_text(qtbot, dlg.auth_url_edit, url)
    if user:
        type_text(qtbot, dlg.user_field.edit, user)
    if secret:
        type_text(qtbot, dlg.secret_edit, secret)


def capture_saved(dlg):
    got = []
    dlg.saved.connect(lambda profile, secret, store: got.append((profile, secret, store)))
    return got


def choose_auth(dlg, value):
    dlg.auth_type_combo.setCurrentIndex(dlg.auth_type_combo.findData(value))


def shown(dlg, widget) -> bool:
    return widget.isVisibleTo(dlg)


# -------------------------------------------------------- validation as typed
def test_new_dialog_lists_problems_and_disables_save(qtbot, make_dialog):
    dlg = make_dialog()
    text = dlg.problems_label.text()
    assert dlg.windowTitle() == "Add cloud"
    assert "The cloud needs a name." in text
    assert "The auth URL is required." in text
    assert "Password login needs a user name or user id." in text
    # an empty form opens without a wall of red, nor does typing raise one: the problems
    # show once the user leaves a field (Enter here; Tab or a click alike)
    assert not shown(dlg, dlg.problems_label)
    assert not dlg.save_button.isEnabled()
    qtbot.keyClicks(dlg.name_edit, "Lab")
    assert not shown(dlg, dlg.problems_label)
    qtbot.keyClick(dlg.name_edit, Qt.Key.Key_Return)
    assert shown(dlg, dlg.problems_label)
    assert "The cloud needs a name." not in dlg.problems_label.text()
    assert dlg.minimumWidth() >= 560


def test_typing_a_valid_cloud_enables_save(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg)
    assert dlg.problems_label.text() == ""
    assert not shown(dlg, dlg.problems_label)
    assert dlg.save_button.isEnabled()


def test_missing_name_keeps_save_disabled(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg, name="   ")
    assert dlg.problems_label.text() == "The cloud needs a name."
    assert not dlg.save_button.isEnabled()


@pytest.mark.parametrize("url, problem", [
    ("keystone.test:5000/v3", "The auth URL must start with http:// or https://."),
    ("ftp://keystone.test/v3", "The auth URL must start with http:// or https://."),
    ("https://keystone test/v3", "The auth URL must not contain spaces."),
])
def test_bad_auth_urls(qtbot, make_dialog, url, problem):
    dlg = make_dialog()
    fill_valid(qtbot, dlg, url=url)
    assert dlg.problems_label.text() == problem
    assert not dlg.save_button.isEnabled()


def test_password_auth_needs_a_user(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg, user="")
    assert dlg.problems_label.text() == "Password login needs a user name or user id."
    assert not dlg.save_button.isEnabled()
    qtbot.keyClicks(dlg.user_field.edit, "bob")
    assert dlg.save_button.isEnabled()


def test_absurdly_long_name_does_not_crash(qtbot, make_dialog):
    dlg = make_dialog()
    long_name = "x" * 5000
    fill_valid(qtbot, dlg, name=long_name)
    assert dlg.current_profile().name == long_name
    assert dlg.save_button.isEnabled()
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert got[0][0].name == long_name


def test_non_ascii_name_and_fields(qtbot, make_dialog):
    dlg = make_dialog()
    name = "Облако ☁ 東京 — Zürich 😀"
    fill_valid(qtbot, dlg, name=name, user="jürgen")
    type_text(qtbot, dlg.project_field.edit, "projeto-ção")
    profile = dlg.current_profile()
    assert profile.name == name
    assert profile.username == "jürgen"
    assert profile.project_name == "projeto-ção"
    assert dlg.save_button.isEnabled()


def test_new_profile_needs_the_secret_unless_asked_at_connect(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg, secret="")
    assert dlg.problems_label.text() == (
        "Enter the password, or tick “Ask for the password when connecting”.")
    assert not dlg.save_button.isEnabled()
    dlg.ask_secret_check.setChecked(True)
    assert dlg.save_button.isEnabled()
    assert not dlg.secret_edit.isEnabled()
    assert not dlg.keyring_check.isEnabled()
    assert "asks for it each time you connect" in dlg.secret_where_label.text()
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert got[0][1] is None and got[0][2] is False


def test_secret_is_echoed_as_password_with_a_show_toggle(qtbot, make_dialog):
    dlg = make_dialog()
    assert dlg.secret_edit.echoMode() == QLineEdit.EchoMode.Password
    qtbot.mouseClick(dlg.secret_show_button, LEFT)
    assert dlg.secret_edit.echoMode() == QLineEdit.EchoMode.Normal
    qtbot.mouseClick(dlg.secret_show_button, LEFT)
    assert dlg.secret_edit.echoMode() == QLineEdit.EchoMode.Password


def test_unchecking_verify_shows_a_warning(qtbot, make_dialog):
    dlg = make_dialog()
    assert dlg.verify_check.isChecked()
    assert not shown(dlg, dlg.verify_warning_label)
    qtbot.mouseClick(dlg.verify_check, LEFT)
    assert shown(dlg, dlg.verify_warning_label)
    assert not dlg.cacert_edit.isEnabled()
    assert dlg.current_profile().verify is False


def test_missing_ca_bundle_is_a_problem(qtbot, make_dialog, tmp_path):
    dlg = make_dialog()
    fill_valid(qtbot, dlg)
    qtbot.keyClicks(dlg.cacert_edit, str(tmp_path / "missing.pem"))
    assert "does not exist" in dlg.problems_label.text()
    assert not dlg.save_button.isEnabled()
    bundle = tmp_path / "ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    dlg.cacert_edit.setText(str(bundle))
    assert dlg.save_button.isEnabled()
    assert dlg.current_profile().cacert == str(bundle)


# --------------------------------------------------------- auth type switches
def test_auth_type_switch_shows_the_right_fields(make_dialog):
    dlg = make_dialog()
    secret_label = dlg.form.labelForField(dlg._secret_row)

    assert shown(dlg, dlg.user_field) and shown(dlg, dlg.user_domain_field)
    assert not shown(dlg, dlg.appcred_field)
    assert shown(dlg, dlg.project_field) and shown(dlg, dlg.scope_project_radio)
    assert secret_label.text() == "&Password:"

    choose_auth(dlg, "v3applicationcredential")
    assert shown(dlg, dlg.appcred_field)
    assert shown(dlg, dlg.user_field)          # a credential name needs its user
    assert not shown(dlg, dlg.project_field)   # the credential carries its project
    assert shown(dlg, dlg.scope_note)
    assert secret_label.text() == "&Secret:"
    assert "application credential secret" in dlg.keyring_check.text()
    dlg.appcred_field.kind.setCurrentIndex(dlg.appcred_field.ID)
    assert not shown(dlg, dlg.user_field)      # an id is enough

    choose_auth(dlg, "token")
    assert not shown(dlg, dlg.user_field) and not shown(dlg, dlg.appcred_field)
    assert shown(dlg, dlg.project_field)
    assert secret_label.text() == "&Token:"

    choose_auth(dlg, "password")
    assert shown(dlg, dlg.user_field) and not shown(dlg, dlg.appcred_field)


def test_scope_radio_switches_project_and_domain_fields(qtbot, make_dialog):
    dlg = make_dialog()
    assert dlg.scope_project_radio.isChecked()
    assert not shown(dlg, dlg.domain_field)
    qtbot.mouseClick(dlg.scope_domain_radio, LEFT)
    assert shown(dlg, dlg.domain_field)
    assert not shown(dlg, dlg.project_field) and not shown(dlg, dlg.project_domain_field)


def test_ids_hide_the_domain_fields(make_dialog):
    dlg = make_dialog()
    dlg.user_field.kind.setCurrentIndex(dlg.user_field.ID)
    dlg.project_field.kind.setCurrentIndex(dlg.project_field.ID)
    assert not shown(dlg, dlg.user_domain_field)
    assert not shown(dlg, dlg.project_domain_field)


def test_appcred_needs_id_or_name_with_user(qtbot, make_dialog):
    dlg = make_dialog()
    choose_auth(dlg, "v3applicationcredential")
    fill_valid(qtbot, dlg, user="")
    assert "An application credential needs its id" in dlg.problems_label.text()
    qtbot.keyClicks(dlg.appcred_field.edit, "ci-deploy")
    assert "An application credential needs its id" in dlg.problems_label.text()
    qtbot.keyClicks(dlg.user_field.edit, "alice")
    assert dlg.save_button.isEnabled()
    profile = dlg.current_profile()
    assert profile.application_credential_name == "ci-deploy"
    assert profile.username == "alice"
    assert profile.scope == "unscoped"


# ----------------------------------------------------------------- the signal
def test_saved_maps_fields_to_a_project_scoped_profile(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg, name="Lab", url="https://keystone.test:5000/v3")
    qtbot.keyClicks(dlg.user_domain_field.edit, "Users")
    qtbot.keyClicks(dlg.project_field.edit, "webshop")
    qtbot.keyClicks(dlg.project_domain_field.edit, "Default")
    qtbot.keyClicks(dlg.region_edit, "RegionTwo")
    dlg.interface_combo.setCurrentText("internal")
    dlg.timeout_spin.setValue(45)
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)

    assert len(got) == 1
    profile, secret, store = got[0]
    assert isinstance(profile, Profile)
    assert (profile.name, profile.auth_url, profile.auth_type) == (
        "Lab", "https://keystone.test:5000/v3", "password")
    assert (profile.username, profile.user_id, profile.user_domain_name) == ("alice", "", "Users")
    assert (profile.project_name, profile.project_domain_name) == ("webshop", "Default")
    assert profile.scope == "project" and profile.domain_name == "" and profile.domain_id == ""
    assert (profile.region_name, profile.interface, profile.timeout) == (
        "RegionTwo", "internal", 45.0)
    assert profile.verify is True and profile.source == "saved"
    assert secret == SECRET
    assert store is True  # the in-memory test keyring is available
    assert SECRET not in json.dumps(profile.to_dict())
    assert dlg.result() == QDialog.DialogCode.Accepted.value


def test_saved_domain_scoped_profile_has_no_project(qtbot, make_dialog):
    dlg = make_dialog()
    fill_valid(qtbot, dlg)
    qtbot.keyClicks(dlg.project_field.edit, "typed-then-abandoned")
    qtbot.mouseClick(dlg.scope_domain_radio, LEFT)
    dlg.domain_field.kind.setCurrentIndex(dlg.domain_field.ID)
    qtbot.keyClicks(dlg.domain_field.edit, "d0m41n")
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    profile = got[0][0]
    assert profile.scope == "domain"
    assert (profile.domain_id, profile.domain_name) == ("d0m41n", "")
    assert profile.project_name == profile.project_id == ""
    assert profile.project_domain_name == profile.project_domain_id == ""


def test_saved_token_profile_has_no_user(qtbot, make_dialog):
    dlg = make_dialog()
    choose_auth(dlg, "token")
    fill_valid(qtbot, dlg)  # the user typed before switching is not sent with a token
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    profile, secret, _ = got[0]
    assert profile.auth_type == "token"
    assert profile.username == "" and profile.user_id == ""
    assert secret == SECRET and SECRET not in json.dumps(profile.to_dict())


def test_editing_keeps_the_id_and_loads_the_fields(qtbot, make_dialog):
    original = Profile(name="prod", auth_url="https://id.example.org/v3", id="fixed-id",
                       username="ops", user_domain_name="Ops", project_id="p-123",
                       region_name="R1", interface="admin", verify=False, timeout=12)
    dlg = make_dialog(original, SECRET)
    assert dlg.windowTitle() == "Edit cloud prod"
    assert dlg.name_edit.text() == "prod"
    assert dlg.user_field.edit.text() == "ops" and not dlg.user_field.is_id()
    assert dlg.project_field.edit.text() == "p-123" and dlg.project_field.is_id()
    assert dlg.interface_combo.currentText() == "admin"
    assert not dlg.verify_check.isChecked() and shown(dlg, dlg.verify_warning_label)
    assert dlg.secret_edit.text() == SECRET
    assert dlg.save_button.isEnabled()
    assert dlg.current_profile() == original  # loading lost nothing

    dlg.name_edit.clear()
    qtbot.keyClicks(dlg.name_edit, "production")
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    profile, secret, _ = got[0]
    assert profile.id == "fixed-id"
    assert profile.name == "production"
    assert profile == original.copy(name="production")
    assert secret == SECRET


def test_editing_with_an_unknown_secret_may_save_without_one(qtbot, make_dialog):
    original = Profile(name="prod", auth_url="https://id.example.org/v3", username="ops")
    dlg = make_dialog(original, None)
    assert dlg.save_button.isEnabled()
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert got[0][1] is None


def test_duplicate_marked_new_requires_the_secret(make_dialog):
    copy_ = Profile(name="prod (copy)", auth_url="https://id.example.org/v3", username="ops",
                    source="clouds.yaml", cloud_name="prod")
    dlg = make_dialog(copy_, None, is_new=True)
    assert not dlg.read_only
    assert "Enter the password" in dlg.problems_label.text()
    dlg.secret_edit.setText(SECRET)
    profile = dlg.current_profile()
    assert profile.id == copy_.id and profile.source == "saved" and profile.cloud_name == ""


def test_clouds_yaml_profile_is_read_only(qtbot, make_dialog):
    profile = Profile(name="devstack", auth_url="http://10.0.0.5/identity", username="admin",
                      project_name="admin", source="clouds.yaml", cloud_name="devstack")
    dlg = make_dialog(profile, "from-secure-yaml")
    assert shown(dlg, dlg.readonly_note)
    assert dlg.readonly_note.text() == (
        "Defined in clouds.yaml; edit it there, or Duplicate to make an osdesk copy.")
    assert not shown(dlg, dlg.save_button)
    assert dlg.name_edit.isReadOnly() and dlg.auth_url_edit.isReadOnly()
    assert dlg.user_field.edit.isReadOnly() and dlg.secret_edit.isReadOnly()
    assert not dlg.auth_type_combo.isEnabled()
    assert not shown(dlg, dlg.keyring_check)
    got = capture_saved(dlg)
    qtbot.keyClicks(dlg.name_edit, "changed")
    dlg.on_save_clicked()
    assert dlg.name_edit.text() == "devstack"
    assert got == []


# ------------------------------------------------------------ where the secret
def test_where_line_names_the_keyring(make_dialog):
    dlg = make_dialog()
    assert dlg.keyring_check.isChecked() and dlg.keyring_check.isEnabled()
    assert dlg.secret_where_label.text() == (
        "The password will be stored in the system keyring (MemoryKeyring), "
        "never in osdesk's files.")
    dlg.keyring_check.setChecked(False)
    assert "kept in memory for this session only" in dlg.secret_where_label.text()


def test_where_line_without_a_keyring(qtbot, make_dialog, no_keyring):
    dlg = make_dialog()
    assert not dlg.keyring_check.isEnabled() and not dlg.keyring_check.isChecked()
    assert dlg.secret_where_label.text() == (
        "No keyring is available (no system keyring service was found): "
        "the password is kept in memory for this session only.")
    fill_valid(qtbot, dlg)
    got = capture_saved(dlg)
    qtbot.mouseClick(dlg.save_button, LEFT)
    assert got[0][1:] == (SECRET, False)


# ------------------------------------------------------------ password prompt
def test_password_prompt_returns_the_secret(qtbot, loop):
    profile = Profile(name="lab", auth_url="http://keystone.test/v3", username="alice")

    def answer(prompt):
        assert isinstance(prompt, PasswordPrompt)
        assert prompt.windowTitle() == "Password for lab"
        assert prompt.secret_edit.echoMode() == QLineEdit.EchoMode.Password
        assert not prompt.ok_button.isEnabled()
        qtbot.keyClicks(prompt.secret_edit, SECRET)
        prompt.remember_check.setChecked(True)
        qtbot.mouseClick(prompt.ok_button, LEFT)

    answers = DialogAnswers().on("Password for", answer).install()
    try:
        got = loop.run_until_complete(asyncio.wait_for(ask_secret(None, profile, SecretStore()),
                                                       30))
    finally:
        answers.remove()
    assert got == (SECRET, True)


def test_password_prompt_cancel(qtbot, loop):
    profile = Profile(name="lab", auth_url="http://keystone.test/v3",
                      auth_type="v3applicationcredential", application_credential_id="x")

    answers = DialogAnswers().on("secret for", "cancel").install()
    try:
        got = loop.run_until_complete(asyncio.wait_for(ask_secret(None, profile, SecretStore()),
                                                       30))
    finally:
        answers.remove()
    assert answers.titles() == ["Application credential secret for lab"]
    assert got == (None, False)


def test_password_prompt_without_keyring(qtbot, no_keyring):
    profile = Profile(name="x" * 5000, auth_url="http://keystone.test/v3", username="alice")
    prompt = PasswordPrompt(profile, SecretStore())
    qtbot.addWidget(prompt)
    assert not prompt.remember_check.isEnabled()
    assert "No keyring is available" in prompt.reason_label.text()
    assert len(prompt.windowTitle()) < 100
    prompt.secret_edit.setText("pw")
    prompt.remember_check.setChecked(True)  # even if forced, it cannot remember
    assert prompt.remember() is False


# ------------------------------------------------------------ test connection
def _future_utc(seconds: float) -> str:
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeKeystone:
    """Keystone v3 on ``responses``, answering with the upstream api-ref samples."""

    def __init__(self, rsps: responses.RequestsMock, root: str = "http://keystone.test/identity"):
        self.root = root
        self.gate: threading.Event | None = None  # set to hold token requests
        self.entered = threading.Event()
        self.token_posts = 0
        mapping = {"http://example.com/identity": root}
        for url, name, status in ((root, "identity-versions-response.json", 300),
                                  (root + "/v3", "identity-version-response.json", 200)):
            body = self._sample(name, mapping)
            rsps.add("GET", url, json=body, status=status)
            rsps.add("GET", url + "/", json=body, status=status)
        rsps.add_callback("POST", root + "/v3/auth/tokens", callback=self._token)

    @staticmethod
    def _sample(name: str, mapping: dict | None = None):
        text = (KEYSTONE_SAMPLES / name).read_text(encoding="utf-8")
        for old, new in (mapping or {}).items():
            text = text.replace(old, new)
        return json.loads(text)

    def _token(self, request):
        self.token_posts += 1
        self.entered.set()
        if self.gate is not None:
            self.gate.wait(30)
        asked = json.loads(request.body)["auth"]
        password = asked["identity"]["password"]["user"]
        headers = {"Content-Type": "application/json",
                   "x-openstack-request-id": "req-f2f3f6ca-e342-4cd8-bc12-71a5436ef5fc"}
        if password.get("password") != PASSWORD:
            error = {"error": {"code": 401, "title": "Unauthorized",
                               "message": "The request you have made requires authentication."}}
            return 401, headers, json.dumps(error)
        body = self._sample("auth-password-project-scoped-response.json")
        token = body["token"]
        token["issued_at"] = _future_utc(0)
        token["expires_at"] = _future_utc(3600)
        token["user"]["name"] = password["name"]
        project = (asked.get("scope") or {}).get("project")
        if project:
            token["project"]["name"] = project.get("name", token["project"]["name"])
        else:
            for key in ("project", "catalog", "roles"):
                token.pop(key, None)
        headers["X-Subject-Token"] = "ffe47524401e4d61adc7310f7e5b6191"
        return 201, headers, json.dumps(body)


@pytest.fixture
def keystone():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield FakeKeystone(rsps)


def cloud_profile(auth_url: str, **changes) -> Profile:
    base = Profile(name="fake", auth_url=auth_url, username=USER, user_domain_name="Default",
                   project_name=PROJECT, project_domain_name="Default", timeout=10)
    return base.copy(**changes)


async def click_test_and_wait(qtbot, dlg) -> tuple[bool, str]:
    """Click "Test connection" and await ``testFinished`` through an asyncio future."""
    finished: asyncio.Future = asyncio.get_running_loop().create_future()

    def on_finished(ok, text):
        if not finished.done():
            finished.set_result((ok, text))

    dlg.testFinished.connect(on_finished)
    qtbot.mouseClick(dlg.test_button, LEFT)
    try:
        return await asyncio.wait_for(finished, 30)
    finally:
        dlg.testFinished.disconnect(on_finished)


async def poll(predicate, limit: float = 30.0) -> None:
    """Let the loop run until ``predicate()`` holds (``limit`` only guards against hangs)."""
    waited = 0.0
    while not predicate():
        assert waited < limit, "condition never became true"
        await asyncio.sleep(0.02)
        waited += 0.02


def test_connection_success_shows_user_project_services(qtbot, loop, make_dialog, keystone):
    dlg = make_dialog(cloud_profile(keystone.root), PASSWORD)
    records = []
    default_log.subscribe(records.append)
    keystone.gate = threading.Event()

    async def scenario():
        finished = asyncio.ensure_future(click_test_and_wait(qtbot, dlg))
        await poll(keystone.entered.is_set)
        # the login is in flight on the worker: the dialog stays usable
        assert dlg.test_button.text().replace("&", "") == "Testing…"
        assert not dlg.test_button.isEnabled()
        qtbot.keyClicks(dlg.region_edit, "R")
        assert dlg.region_edit.text() == "R"
        assert not dlg.test_button.isEnabled()
        keystone.gate.set()
        return await finished

    try:
        ok, text = loop.run_until_complete(scenario())
    finally:
        default_log.unsubscribe(records.append)
    assert ok, text
    assert "Connected." in text
    assert f"User: {USER} (domain Default)" in text
    assert f"Project: {PROJECT} (domain Default)" in text
    assert "Roles: admin" in text
    assert "in 59 min" in text
    for service in ("compute", "identity", "image", "network", "volume"):
        assert service in text.split("Services:", 1)[1]
    assert dlg.test_button.text() == "&Test connection" and dlg.test_button.isEnabled()
    assert shown(dlg, dlg.test_result)
    # the console (default call log) saw the test's calls, without the password
    assert any(r.method == "POST" and "auth/tokens" in r.url for r in records)
    assert all(PASSWORD not in json.dumps(r.__dict__, default=str) for r in records)


def test_connection_wrong_password_shows_refused(qtbot, loop, make_dialog, keystone):
    profile = cloud_profile(keystone.root)
    dlg = make_dialog(profile, "not-the-password")
    ok, text = loop.run_until_complete(click_test_and_wait(qtbot, dlg))
    assert not ok
    with pytest.raises(OsdeskError) as expected:
        Cloud(profile, "not-the-password").authenticate()
    assert "refused" in str(expected.value)
    assert text == str(expected.value)
    assert "rgba(220, 53, 69" in dlg.test_result.styleSheet()  # red-ish tint
    assert dlg.test_button.isEnabled()


def _unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_shows_the_refusal(qtbot, loop, make_dialog):
    profile = cloud_profile(f"http://127.0.0.1:{_unused_port()}/v3", timeout=5)
    dlg = make_dialog(profile, PASSWORD)
    ok, text = loop.run_until_complete(click_test_and_wait(qtbot, dlg))
    assert not ok
    with pytest.raises(OsdeskError) as expected:
        Cloud(profile, PASSWORD).authenticate()
    assert text == str(expected.value)
    assert "refused the connection" in text


def test_test_without_secret_says_so(qtbot, loop, make_dialog):
    dlg = make_dialog(cloud_profile("http://keystone.test/identity"), None)
    ok, text = loop.run_until_complete(click_test_and_wait(qtbot, dlg))
    assert not ok
    assert text == "Enter the password to test the connection."


def test_cancel_during_test_does_not_crash(qtbot, loop, runner, keystone):
    # As in the app: a window-modal child of a main window that stays open
    # (closing the last window would also quit the event loop).
    main_window = QWidget()
    qtbot.addWidget(main_window)
    main_window.show()
    dlg = ProfileDialog(cloud_profile(keystone.root), PASSWORD, SecretStore(), runner,
                        main_window)
    dlg.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dlg.open()
    keystone.gate = threading.Event()
    results = []
    dlg.testFinished.connect(lambda ok, text: results.append(ok))

    async def scenario():
        me = asyncio.current_task()
        qtbot.mouseClick(dlg.test_button, LEFT)
        slot_tasks = [t for t in asyncio.all_tasks() if t is not me]
        await poll(keystone.entered.is_set)
        qtbot.mouseClick(dlg.cancel_button, LEFT)
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        assert not shiboken6.isValid(dlg)  # the C++ dialog is gone
        keystone.gate.set()  # now the answer arrives
        await asyncio.gather(*slot_tasks)

    loop.run_until_complete(scenario())
    assert keystone.token_posts >= 1
    assert results == []  # nothing was shown on the closed dialog


def test_relative_time():
    assert relative_time(3599.9) == "in 59 min"
    assert relative_time(3600) == "in 1 h"
    assert relative_time(30) == "in 30 s"
    assert relative_time(2 * 3600 + 5 * 60) == "in 2 h 5 min"
    assert relative_time(3 * 86400) == "in 3 days"
    assert relative_time(-120) == "2 min ago"


def test_profile_dialog_does_not_mutate_the_given_profile(qtbot, make_dialog):
    original = Profile(name="prod", auth_url="https://id.example.org/v3", username="ops")
    snapshot = copy.deepcopy(original)
    dlg = make_dialog(original, SECRET)
    qtbot.keyClicks(dlg.name_edit, "-2")
    dlg.on_save_clicked()
    assert original == snapshot


def test_saving_right_after_a_failed_test_asks_first(qtbot, loop, make_dialog, answers):
    profile = cloud_profile(f"http://127.0.0.1:{_unused_port()}/v3", timeout=5)
    dlg = make_dialog(profile, PASSWORD)
    saved = []
    dlg.saved.connect(lambda *args: saved.append(args))
    ok, _text = loop.run_until_complete(click_test_and_wait(qtbot, dlg))
    assert not ok
    answers.on("Save cloud", "cancel")  # "Keep editing"
    dlg.on_save_clicked()
    loop.run_until_complete(poll(lambda: any(s.title == "Save cloud" for s in answers.seen)))
    loop.run_until_complete(poll(lambda: QApplication.activeModalWidget() is None))
    assert saved == [] and dlg.isVisible()
    answers.rules.clear()
    answers.on("Save cloud", "go")  # "Save anyway"
    dlg.on_save_clicked()
    loop.run_until_complete(poll(lambda: saved))
    # a change after the failed test saves without asking
    dlg2 = make_dialog(profile, PASSWORD)
    dlg2.saved.connect(lambda *args: saved.append(args))
    loop.run_until_complete(click_test_and_wait(qtbot, dlg2))
    qtbot.keyClicks(dlg2.name_edit, " 2")
    asked = len(answers.seen)
    dlg2.on_save_clicked()
    assert len(saved) == 2 and len(answers.seen) == asked
