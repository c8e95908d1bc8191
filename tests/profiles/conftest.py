"""Profile test fixtures: an in-memory keyring; no real home, config dirs or OS_* variables."""

from __future__ import annotations

import os
import sys
from pathlib import Path

# NOTE: the checkout has no packaging config yet; make `import osdesk` work from
# a plain `pytest tests/profiles` run without installing the package.
_REPO = str(Path(__file__).resolve().parents[2])
if _REPO not in sys.path:
    sys.path.insert(0, _REPO)

import keyring  # noqa: E402
import keyring.core  # noqa: E402
import pytest  # noqa: E402
from keyring.backend import KeyringBackend  # noqa: E402
from keyring.compat import properties  # noqa: E402
from keyring.errors import KeyringLocked, NoKeyringError, PasswordDeleteError  # noqa: E402

from osdesk.profiles.profile import Profile  # noqa: E402


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict."""

    priority = 1

    def __init__(self):
        super().__init__()
        self.passwords: dict[tuple[str, str], str] = {}

    def get_password(self, service, username):
        return self.passwords.get((service, username))

    def set_password(self, service, username, password):
        self.passwords[(service, username)] = password

    def delete_password(self, service, username):
        try:
            del self.passwords[(service, username)]
        except KeyError:
            raise PasswordDeleteError("not found") from None


class _FailingKeyring(KeyringBackend):
    """Raises ``make_error()`` on every call. Never chosen by keyring's own detection."""

    @properties.classproperty
    def priority(cls):  # not viable: keyring's own detection never picks it
        raise RuntimeError("test backend")

    def make_error(self) -> Exception:
        raise NotImplementedError

    def get_password(self, service, username):
        raise self.make_error()

    def set_password(self, service, username, password):
        raise self.make_error()

    def delete_password(self, service, username):
        raise self.make_error()


class NoKeyring(_FailingKeyring):
    def make_error(self):
        return NoKeyringError("No recommended backend was available.")


class LockedKeyring(_FailingKeyring):
    def make_error(self):
        return KeyringLocked("Failed to unlock the collection!")


class BrokenKeyring(_FailingKeyring):
    def make_error(self):
        return RuntimeError("D-Bus connection lost")


class EchoingKeyring(_FailingKeyring):
    """A careless backend whose error message repeats the password."""

    def set_password(self, service, username, password):
        raise RuntimeError(f"cannot store {password!r}")


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch) -> MemoryKeyring:
    """Every test gets a fresh in-memory keyring, restored afterwards."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", keyring.core._keyring_backend)
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory, monkeypatch) -> Path:
    """No test sees the real home, config dirs, cwd config or OS_* variables."""
    home = tmp_path_factory.mktemp("home")
    for var in list(os.environ):
        if var.startswith("OS_") or var.startswith("KEYRING_PROPERTY_"):
            monkeypatch.delenv(var)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.delenv("OSDESK_CONFIG_DIR", raising=False)
    monkeypatch.chdir(home)
    # openstacksdk computes its search path once, at import: point it at the fake home.
    from openstack.config import loader

    search = [str(home), str(home / ".config" / "openstack"), str(home / "etc-openstack")]
    for attr, stem in (("CONFIG_FILES", "clouds"), ("SECURE_FILES", "secure"),
                       ("VENDOR_FILES", "clouds-public")):
        monkeypatch.setattr(loader, attr, [os.path.join(d, stem + ext) for d in search
                                           for ext in (".yaml", ".yml", ".json")])
    return home


@pytest.fixture
def make_profile():
    """A valid password profile; keyword arguments change fields."""

    def make(**changes) -> Profile:
        fields = dict(name="lab", auth_url="https://keystone.example.com:5000/v3",
                      username="alice", user_domain_name="Default",
                      project_name="demo", project_domain_name="Default",
                      region_name="RegionOne")
        fields.update(changes)
        return Profile(**fields)

    return make


@pytest.fixture
def keyrings():
    """The test keyring backends, by name (conftest is not importable by tests)."""
    from types import SimpleNamespace

    return SimpleNamespace(Memory=MemoryKeyring, NoKeyring=NoKeyring,
                           Locked=LockedKeyring, Broken=BrokenKeyring,
                           Echoing=EchoingKeyring)
