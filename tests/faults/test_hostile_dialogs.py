"""Hostile dialog input: absurd lengths, non-ASCII, URLs without scheme, spaces, CIDR and
key-file garbage. A dialog either refuses with a sentence saying why (and keeps its
OK button off) or takes the value and the rest of osdesk copes with it."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtWidgets import QFileDialog

from osdesk.api import OsdeskError
from osdesk.api.cloud import Cloud
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.runtime.runner import Runner
from osdesk.views.launch_dialog import LaunchDialog
from osdesk.views.profile_dialog import ProfileDialog
from osdesk.views.keypair_views import ImportKeyDialog, public_key_problem
from osdesk.views.network_dialogs import NetworkDialog, cidr_problem
from tests.faults.conftest import run, until

pytestmark = pytest.mark.faults

fuzz = settings(max_examples=int(200 * float(os.environ.get("OSDESK_FAULTS_FUZZ_SCALE", "1"))),
                deadline=None, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

#: QLineEdit's default maxLength: longer pastes are cut there by Qt itself.
QT_MAX = 32767
ABSURD = "x" * 1_000_000
NON_ASCII = "Облако ☁ 雲 عربى 🚀 e\u0301"


@pytest.fixture
def runner():
    r = Runner()
    yield r
    r.shutdown()


@pytest.fixture
def profile_dialog(qtbot, runner):
    dialog = ProfileDialog(None, None, SecretStore(), runner)
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("Lab")
    dialog.auth_url_edit.setText("https://keystone.example.org:5000/v3")
    dialog.user_field.edit.setText("alice")
    dialog.secret_edit.setText("pw")
    dialog.project_field.edit.setText("demo")
    assert dialog.save_button.isEnabled(), dialog.problems()
    return dialog


# --------------------------------------------------------------- profile dialog
BAD_URLS = [
    ("keystone.example.org:5000/v3", "must start with http:// or https://"),
    ("ftp://keystone.example.org/v3", "must start with http:// or https://"),
    ("https://key stone.example.org/v3", "must not contain spaces"),
    ("https://keystone.example.org/v3 extra", "must not contain spaces"),
    ("", "The auth URL is required"),
    ("   ", "The auth URL is required"),
    ("http://", "has no host name"),
    ("https://[::1/v3", "not a valid URL: check its host name or address."),
    ("https://keystone.example.org:99999/v3", "its port must be a number from 1 to 65535"),
    ("https://keystone.example.org:abc/v3", "its port must be a number from 1 to 65535"),
]


@pytest.mark.parametrize("url,words", BAD_URLS, ids=[u or "empty" for u, _ in BAD_URLS])
def test_profile_dialog_refuses_a_bad_auth_url_and_says_why(profile_dialog, url, words):
    profile_dialog.auth_url_edit.setText(url)
    assert not profile_dialog.save_button.isEnabled()
    profile_dialog.auth_url_edit.editingFinished.emit()  # the user leaves the field
    assert not profile_dialog.problems_label.isHidden()
    assert words in profile_dialog.problems_label.text()


def test_profile_dialog_takes_spaces_around_the_url_and_a_non_ascii_name(profile_dialog):
    profile_dialog.auth_url_edit.setText("  https://keystone.example.org:5000/v3  ")
    profile_dialog.name_edit.setText(NON_ASCII)
    assert profile_dialog.save_button.isEnabled()
    profile = profile_dialog.current_profile()
    assert profile.auth_url == "https://keystone.example.org:5000/v3"
    assert profile.name == NON_ASCII


def test_profile_dialog_absurd_lengths_are_cut_by_qt_and_still_saved(profile_dialog, tmp_path,
                                                                       recorder):
    for edit in (profile_dialog.name_edit, profile_dialog.region_edit,
                 profile_dialog.project_field.edit, profile_dialog.user_field.edit):
        edit.setText(ABSURD)
    profile_dialog.secret_edit.setText(ABSURD)
    assert len(profile_dialog.name_edit.text()) == QT_MAX
    assert profile_dialog.save_button.isEnabled()
    saved = []
    profile_dialog.saved.connect(lambda *args: saved.append(args))
    profile_dialog.save_button.click()
    (profile, secret, in_keyring), = saved
    assert len(profile.name) == QT_MAX and len(secret) == QT_MAX
    store = ProfileStore(tmp_path / "absurd")
    store.save([profile])
    assert store.load() == [profile]
    assert ABSURD[:QT_MAX] not in (tmp_path / "absurd" / "profiles.json").read_text() \
        .replace(profile.name, "").replace(profile.region_name, "") \
        .replace(profile.project_name, "").replace(profile.username, "")  # no secret in it


@fuzz
@given(st.text(max_size=60), st.text(max_size=20))
def test_profile_dialog_any_url_and_name(profile_dialog, recorder, url, name):
    """Whatever is typed, validation answers; a profile it accepts can become a Cloud."""
    recorder.fuzzed("dialog inputs")
    profile_dialog.auth_url_edit.setText(url)
    profile_dialog.name_edit.setText(name)
    problems = profile_dialog.problems()
    assert all(isinstance(p, str) and p for p in problems)
    assert profile_dialog.save_button.isEnabled() == (not problems)
    if not problems:
        try:
            Cloud(profile_dialog.current_profile(), "pw").close()
        except OsdeskError:
            pass


@pytest.mark.parametrize("url", ["http://", "https://[::1/v3",
                                 "https://keystone.example.org:99999/v3",
                                 "http://keystone.osdesk-fault.invalid/v3"])
def test_test_connection_answers_with_a_sentence(qtbot, loop, runner, url):
    """Test connection with a URL that cannot work: a sentence, never an exception."""
    dialog = ProfileDialog(Profile(name="x", auth_url=url, username="u", project_name="p"),
                           "pw", SecretStore(), runner)
    qtbot.addWidget(dialog)
    dialog.auth_url_edit.setText(url)  # the dialog may refuse it: then Test says why too
    results = []
    dialog.testFinished.connect(lambda ok, text: results.append((ok, text)))
    dialog.on_test_button_clicked()
    run(loop, until(lambda: results, timeout=30, what="test result"))
    (ok, text), = results
    assert not ok and text.strip() and "Traceback" not in text and "Unexpected error" not in text


# --------------------------------------------------------------- network dialog
BAD_CIDRS = [
    ("10.0.0.0/33", 4, "not a network in CIDR form"),
    ("10.0.0.1/24", 4, "has host bits set"),
    ("fd00::/64", 4, "IPv6 range, but IPv4 is selected"),
    ("10.0.0.0/24", 6, "IPv4 range, but IPv6 is selected"),
    ("١٠.٠.٠.٠/٨", 4, "not a network in CIDR form"),
    ("10.0.0.0 /24", 4, "not a network in CIDR form"),
    ("", 4, "Enter a network in CIDR form, such as 192.168.1.0/24."),
    ("x" * 10_000, 4, "not a network in CIDR form"),
    ("10.0.0.0/24\x00", 4, "not a network in CIDR form"),
]


@pytest.mark.parametrize("cidr,version,words", BAD_CIDRS, ids=range(len(BAD_CIDRS)))
def test_network_dialog_refuses_cidr_garbage(qtbot, cidr, version, words):
    dialog = NetworkDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("net")
    dialog.version_combo.setCurrentIndex(0 if version == 4 else 1)
    dialog.cidr_edit.setText(cidr)
    assert not dialog.ok.isEnabled()
    assert words in dialog.problem.text()


def test_network_dialog_other_garbage(qtbot):
    dialog = NetworkDialog()
    qtbot.addWidget(dialog)
    dialog.name_edit.setText("n" * 300)
    dialog.cidr_edit.setText(" 10.1.0.0/24 ")
    dialog.gateway_edit.setText("10.2.0.1")
    dialog.dns_edit.setText("1.1.1.1; dns.example.org, ,")
    text = dialog.problem.text()
    assert "at most 255 characters" in text
    assert "Gateway 10.2.0.1 is not inside 10.1.0.0/24" in text
    assert "DNS server “dns.example.org” is not an IP address" in text
    assert not dialog.ok.isEnabled()
    dialog.name_edit.setText(NON_ASCII)
    dialog.gateway_edit.setText("none")
    dialog.dns_edit.setText("1.1.1.1;9.9.9.9")
    assert dialog.ok.isEnabled(), dialog.problem.text()
    assert dialog.subnet_args() == {"cidr": "10.1.0.0/24", "name": "", "ip_version": 4,
                                    "gateway_ip": None, "enable_dhcp": True,
                                    "dns_nameservers": ["1.1.1.1", "9.9.9.9"]}


@fuzz
@given(st.text(max_size=40), st.text(max_size=20), st.text(max_size=30), st.booleans())
def test_network_dialog_any_input(qtbot, recorder, cidr, gateway, dns, ipv6):
    recorder.fuzzed("dialog inputs")
    dialog = NetworkDialog()
    dialog.name_edit.setText("net")
    dialog.version_combo.setCurrentIndex(1 if ipv6 else 0)
    dialog.cidr_edit.setText(cidr)
    dialog.gateway_edit.setText(gateway)
    dialog.dns_edit.setText(dns)
    if dialog.ok.isEnabled():
        import ipaddress
        args = dialog.subnet_args()
        assert ipaddress.ip_network(args["cidr"]).version == (6 if ipv6 else 4)
    else:
        assert dialog.problem.text().strip()
    dialog.deleteLater()


@fuzz
@given(st.text(max_size=60), st.sampled_from([4, 6]))
def test_cidr_problem_any_text(recorder, text, version):
    recorder.fuzzed("dialog inputs")
    assert isinstance(cidr_problem(text, version), str)


# ----------------------------------------------------------- key pair import
KEY_BLOB = base64.b64encode(b"\x00\x00\x00\x0bssh-ed25519\x00\x00\x00\x20" + bytes(32)).decode()
GOOD_KEY = f"ssh-ed25519 {KEY_BLOB} you@host"


def key_files(folder: Path) -> list[tuple[str, str]]:
    """(path, words of the sentence the dialog must show) per hostile key file."""
    folder.mkdir(parents=True, exist_ok=True)
    cases = {
        "random.pub": (os.urandom(4096), "Not an OpenSSH public key"),
        "id_ed25519": (b"-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
                       b"-----END OPENSSH PRIVATE KEY-----\n", "This is a private key"),
        "huge.pub": (b"ssh-ed25519 " + b"A" * (10 * 1024 * 1024), "does not match its type"),
        "empty.pub": (b"", "Paste a public key"),
        "latin1.pub": ("ssh-rsa clé".encode("latin-1"), "not valid base64"),
        "wrongtype.pub": (f"ssh-rsa {KEY_BLOB} x".encode(), "does not match its type"),
    }
    out = []
    for name, (data, words) in cases.items():
        (folder / name).write_bytes(data)
        out.append((str(folder / name), words))
    out.append((str(folder / "missing.pub"), "Could not read"))
    out.append((str(folder), "Could not read"))  # a directory
    return out


def test_import_key_dialog_key_file_garbage(qtbot, tmp_path, monkeypatch):
    dialog = ImportKeyDialog()
    qtbot.addWidget(dialog)
    for path, words in key_files(tmp_path / "keys"):
        dialog.name_edit.clear()
        dialog.key_edit.clear()
        monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, p=path, **k: (p, ""))
        dialog.on_load_clicked()
        assert words in dialog.problem.text(), (path, dialog.problem.text())
        assert not dialog.ok.isEnabled()
        assert len(dialog.key_edit.toPlainText()) <= 64 * 1024
    good = tmp_path / "keys" / "good.pub"
    good.write_text(GOOD_KEY + "\r\n")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(good), ""))
    dialog.name_edit.clear()
    dialog.on_load_clicked()
    assert dialog.ok.isEnabled(), dialog.problem.text()
    assert dialog.name_edit.text() == "good"


@fuzz
@given(st.one_of(st.text(max_size=200),
                 st.tuples(st.sampled_from(["ssh-rsa", "ssh-ed25519", "ecdsa-sha2-nistp256"]),
                           st.binary(max_size=80)).map(
                     lambda t: f"{t[0]} {base64.b64encode(t[1]).decode()} c")))
def test_public_key_problem_any_text(recorder, text):
    recorder.fuzzed("dialog inputs")
    assert isinstance(public_key_problem(text), str)


# ------------------------------------------------------------- launch dialog
IMAGE = {"id": "img-1", "name": "cirros", "status": "active", "min_disk": 0, "min_ram": 0,
         "size": 20 * 2**20, "disk_format": "qcow2", "visibility": "public"}
FLAVOR = {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}


@pytest.fixture
def launch_dialog(qtbot):
    dialog = LaunchDialog(networks_optional=True)
    qtbot.addWidget(dialog)
    dialog.set_choices(images=[IMAGE], flavors=[FLAVOR],
                       networks=[{"id": "net-1", "name": "private", "subnets": ["s"]}],
                       keypairs=[], security_groups=[{"id": "sg", "name": "default"}])
    dialog.name_edit.setText("web")
    assert dialog.launch_button.isEnabled(), dialog.problems()
    return dialog


@pytest.mark.parametrize("name,words", [
    ("x" * 10_000, "at most 255 are allowed"),
    ("  web", "must not start or end with spaces"),
    ("web\x00db", "control characters"),
    ("", "needs a name"),
])
def test_launch_dialog_refuses_bad_names(launch_dialog, name, words):
    launch_dialog.name_edit.setText(name)
    assert not launch_dialog.launch_button.isEnabled()
    assert words in launch_dialog.problems_label.text()


def test_launch_dialog_takes_non_ascii_and_refuses_huge_user_data(launch_dialog):
    launch_dialog.name_edit.setText("сервер-☁-雲")
    assert launch_dialog.launch_button.isEnabled()
    launch_dialog.user_data_edit.setPlainText("#!/bin/sh\n" + "é" * 60_000)
    assert not launch_dialog.launch_button.isEnabled()
    assert "nova accepts at most 65535" in launch_dialog.problems_label.text()


@fuzz
@given(st.text(max_size=300))
def test_launch_dialog_any_name(launch_dialog, recorder, name):
    recorder.fuzzed("dialog inputs")
    launch_dialog.name_edit.setText(name)
    problems = launch_dialog.problems()
    assert launch_dialog.launch_button.isEnabled() == (not problems)
