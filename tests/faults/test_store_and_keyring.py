"""The profile store and the keyring under faults, as the window meets them.

Store: a crash in the middle of saving, a truncated file, a file from a newer osdesk, a
file with wrong permissions: no profile is ever lost, a bad file is kept aside, the user
is told. Keyring: no backend, locked, raising: the app keeps working and says where the
secret is.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.compat import properties
from keyring.errors import KeyringLocked

from osdesk.profiles import ProfileStore
from osdesk.profiles.profile import Profile
from osdesk.views.password_prompt import PasswordPrompt
from osdesk.views.profile_dialog import ProfileDialog
from tests.faults.conftest import demo_profile, run, until

pytestmark = pytest.mark.faults

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def saved(pid: str, name: str, demo=None) -> Profile:
    if demo is not None:
        return demo_profile(demo, pid, name).copy(source="saved")
    return Profile(id=pid, name=name, auth_url="https://keystone.example.org:5000/v3",
                   username="alice", project_name="demo")


@pytest.fixture
def config(tmp_path):
    return tmp_path / "config"


@pytest.fixture
def two_saved(config):
    store = ProfileStore(config)
    profiles = [saved("p1", "Lab"), saved("p2", "Прод ☁")]
    store.save(profiles)
    return profiles


def kept_aside(config, reason: str) -> list:
    return sorted(config.glob(f"profiles.json.{reason}-*"))


def warnings_of(dialogs) -> list[str]:
    return [text for kind, _title, text in dialogs if kind == "warning"]


# ------------------------------------------------------------------- store
def test_crash_in_the_middle_of_saving_loses_nothing(config, two_saved, make_window, loop,
                                                      recorder):
    """The process dies after the new file is written, before it replaces the old one."""
    before = (config / "profiles.json").read_bytes()
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {REPO!r})
        from osdesk.profiles import ProfileStore
        from osdesk.profiles.profile import Profile
        store = ProfileStore({str(config)!r})
        profiles = store.load()
        profiles.append(Profile(id="p3", name="New", auth_url="https://k.example/v3",
                                username="bob"))
        os.replace = lambda *a, **k: os._exit(9)  # killed right there
        store.save(profiles)
    """)
    with recorder.fault("crash while saving profiles"):
        proc = subprocess.run([sys.executable, "-c", script], timeout=60,
                              capture_output=True, text=True)
        assert proc.returncode == 9, proc.stderr
        assert (config / "profiles.json").read_bytes() == before
        leftovers = list(config.glob(".profiles.json.*.tmp"))
        assert leftovers, "the simulated crash should leave the temporary file"
        window = make_window()
        run(loop, until(lambda: window.clouds.profiles, what="profiles"))
        assert [p.id for p in window.clouds.profiles] == ["p1", "p2"]
        # and the next save works, next to the leftover
        window.clouds.on_profile_saved(saved("p3", "New"), None, False)
        assert [p.id for p in ProfileStore(config).load()] == ["p1", "p2", "p3"]


def test_failed_write_keeps_the_old_file_and_tells_the_user(config, two_saved, make_window,
                                                             loop, dialogs, monkeypatch, recorder):
    with recorder.fault("disk full while saving profiles"):
        window = make_window()
        before = (config / "profiles.json").read_bytes()

        def full(fd):
            raise OSError(28, "No space left on device")
        monkeypatch.setattr(os, "fsync", full)
        window.clouds.on_profile_saved(saved("p3", "New"), None, False)
        monkeypatch.undo()
        run(loop, until(lambda: warnings_of(dialogs), timeout=5, what="the warning"))
        (text,) = warnings_of(dialogs)
        assert "No space left on device" in text and "previous file was left" in text
        assert (config / "profiles.json").read_bytes() == before
        assert not list(config.glob(".profiles.json.*.tmp"))


DAMAGES = {
    "truncated": ("corrupt", "could not be read"),
    "newer": ("newer", "written by a newer osdesk"),
    "empty": ("corrupt", "the file is empty"),
    "binary": ("corrupt", "not UTF-8"),
}


def damage_file(config, damage: str) -> bytes:
    path = config / "profiles.json"
    good = path.read_bytes()
    bad = {"truncated": good[:len(good) // 2],
           "newer": json.dumps({"schema_version": 99, "profiles": [], "future": 1}).encode(),
           "empty": b"",
           "binary": b"\xff\xfe\x00garbage"}[damage]
    path.write_bytes(bad)
    return bad


def unreadable(monkeypatch, path):
    """Opening ``path`` for reading fails (simulated: the suite may run as root)."""
    real_open = os.open

    def guarded(file, flags, *args, **kwargs):
        if os.fspath(file) == str(path) and not flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(file, flags, *args, **kwargs)
    monkeypatch.setattr(os, "open", guarded)


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_bad_profile_file_is_kept_aside_and_nothing_lost(config, two_saved, make_window, loop,
                                                         damage, recorder):
    reason, words = DAMAGES[damage]
    bad = damage_file(config, damage)
    with recorder.fault(f"profile file {damage}"):
        window = make_window()
        (aside,) = kept_aside(config, reason)
        assert aside.read_bytes() == bad  # nothing lost: the file is there, byte for byte
        (error,) = window.clouds.store.errors  # the sentence for the user names both paths
        assert words in str(error) and str(aside) in str(error)
        assert window.clouds.profiles == []
        # the app keeps working: a new cloud is saved, the kept file is left alone
        window.clouds.on_profile_saved(saved("p9", "Fresh"), None, False)
        assert [p.id for p in ProfileStore(config).load()] == ["p9"]
        assert aside.read_bytes() == bad


@pytest.mark.parametrize("damage", list(DAMAGES) + ["unreadable"])
def test_bad_profile_file_the_user_is_told(config, two_saved, make_window, loop, dialogs,
                                           monkeypatch, damage):
    if damage == "unreadable":
        unreadable(monkeypatch, config / "profiles.json")
        words = "Permission denied"
    else:
        damage_file(config, damage)
        words = DAMAGES[damage][1]
    make_window()
    run(loop, until(lambda: warnings_of(dialogs), timeout=5, what="the warning"))
    (text,) = warnings_of(dialogs)
    assert words in text
    if damage != "unreadable":
        (aside,) = kept_aside(config, DAMAGES[damage][0])
        assert str(aside) in text  # where the file is now


def test_unreadable_profile_file_is_never_overwritten(config, two_saved, make_window, loop,
                                                      monkeypatch, recorder):
    path = config / "profiles.json"
    good = path.read_bytes()
    unreadable(monkeypatch, path)
    with recorder.fault("profile file unreadable"):
        window = make_window()
        (error,) = window.clouds.store.errors
        assert "could not be opened" in str(error) and "Permission denied" in str(error)
        window.clouds.on_profile_saved(saved("p9", "Fresh"), None, False)
        monkeypatch.undo()
        (aside,) = kept_aside(config, "unreadable")
        assert aside.read_bytes() == good, "the unreadable file was overwritten"
        assert any(str(aside) in w for w in window.clouds.store.warnings)
        assert [p.id for p in ProfileStore(config).load()] == ["p9"]


def test_profile_file_others_can_read_is_fixed(config, two_saved, make_window, loop, recorder):
    path = config / "profiles.json"
    os.chmod(path, 0o644)
    with recorder.fault("profile file mode 0644"):
        window = make_window()
        assert [p.id for p in window.clouds.profiles] == ["p1", "p2"]
        assert oct(os.stat(path).st_mode & 0o777) == "0o600"
        assert any("0644" in w for w in window.clouds.store.warnings)


def test_profile_file_others_can_read_is_told_to_the_user(config, two_saved, make_window, loop,
                                                          dialogs):
    os.chmod(config / "profiles.json", 0o644)
    make_window()
    run(loop, until(lambda: warnings_of(dialogs), timeout=5, what="the warning"))
    (text,) = warnings_of(dialogs)
    assert "0644" in text and "0600" in text


# ------------------------------------------------------------------ keyring
class _Failing(KeyringBackend):
    @properties.classproperty
    def priority(cls):
        raise RuntimeError("test backend: never chosen by keyring's own detection")

    error = RuntimeError

    def get_password(self, service, username):
        raise self.error()

    def set_password(self, service, username, password):
        raise self.error()

    def delete_password(self, service, username):
        raise self.error()


class LockedKeyring(_Failing):
    def error(self):  # noqa: D102 - keyring's own wording for a locked collection
        return KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(_Failing):
    def error(self):
        return RuntimeError("D-Bus connection lost")


KEYRINGS = {
    "no backend": (fail.Keyring, "no keyring is available"),
    "locked": (LockedKeyring, "the keyring is locked"),
    "raising": (BrokenKeyring, "the keyring failed (RuntimeError: D-Bus connection lost)"),
}


@pytest.mark.parametrize("kind", list(KEYRINGS))
def test_keyring_failure_app_keeps_working_and_says_where(kind, make_window, loop, demo_cloud,
                                                          config, dialogs, recorder, qtbot):
    backend, words = KEYRINGS[kind]
    keyring.set_keyring(backend())
    with recorder.fault(f"keyring {kind}"):
        window = make_window()
        dialog = ProfileDialog(None, None, window.clouds.secrets, window.runner, window)
        qtbot.addWidget(dialog)
        profile = saved("k1", "Keyring-less", demo_cloud)
        dialog._load(profile, demo_cloud.PASSWORD)
        dialog.on_field_changed()
        where = dialog.secret_where_label.text()
        if kind == "no backend":  # known before saving: the dialog says it up front
            assert words in where.lower() and "memory for this session only" in where
            assert not dialog.keyring_check.isEnabled()
        got = []
        dialog.saved.connect(lambda *args: got.append(args))
        dialog.save_button.click()
        (p, secret, in_keyring), = got
        window.clouds.on_profile_saved(p, secret, in_keyring)
        if in_keyring:  # found out while storing: the status bar says where it went
            message = window.statusBar().currentMessage()
            assert words in message and "kept in memory for this session only" in message
        # no secret went anywhere else
        assert demo_cloud.PASSWORD not in (config / "profiles.json").read_text()
        # and the cloud opens with the secret held in memory
        window.open_profile(window.clouds.profiles[0])
        page = window.pages["servers"]
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() == 25,
                        what="servers"))
        assert not warnings_of(dialogs)


def test_keyring_locked_at_the_next_start_asks_and_says_why(make_window, loop, demo_cloud, config,
                                                            answers, recorder):
    """The secret was stored; now the keyring is locked: osdesk asks, saying where it keeps it."""
    profile = saved("k2", "Locked later", demo_cloud)
    ProfileStore(config).save([profile])
    keyring.get_keyring().set_password("osdesk", "k2", demo_cloud.PASSWORD)
    keyring.set_keyring(LockedKeyring())
    prompts = []

    def answer(prompt):
        assert isinstance(prompt, PasswordPrompt)
        prompts.append((prompt.reason_label.text(), prompt.remember_check.isEnabled()))
        prompt.secret_edit.setText(demo_cloud.PASSWORD)
        prompt.accept()
    answers.on("Password for", answer)
    with recorder.fault("keyring locked at start"):
        window = make_window()
        window.open_profile(window.clouds.profiles[0])
        run(loop, until(lambda: prompts, what="the password prompt"))
        ((reason, can_remember),) = prompts
        assert "keyring is locked" in reason and "memory for this session only" in reason
        assert not can_remember
        page = window.pages["servers"]
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() == 25,
                        what="servers"))
