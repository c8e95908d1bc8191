"""Tests of ProfileStore: round trip, atomic writes, permissions, damaged and newer files."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from osdesk.profiles import Profile, ProfileStore, ProfileStoreError, SecretStore
from osdesk.profiles import store as store_mod


def mode_of(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def config_dir(tmp_path) -> Path:
    return tmp_path / "cfg"


@pytest.fixture
def store(config_dir) -> ProfileStore:
    return ProfileStore(config_dir)


# ------------------------------------------------------------- round trip
def test_round_trip(store, config_dir, make_profile):
    profiles = [make_profile(), make_profile(name="prod", auth_type="v3applicationcredential",
                                             username="", application_credential_id="ac1",
                                             verify=False, timeout=12.5, cacert="/ca.pem")]
    store.save(profiles)

    assert store.load() == profiles
    assert ProfileStore(config_dir).load() == profiles
    data = json.loads((config_dir / "profiles.json").read_text("utf-8"))
    assert data["schema_version"] == 1
    assert [p["id"] for p in data["profiles"]] == [p.id for p in profiles]


def test_missing_file_is_empty_and_not_created(store, config_dir):
    assert store.load() == []
    assert not config_dir.exists()
    assert store.warnings == [] and store.errors == []


def test_default_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("OSDESK_CONFIG_DIR", str(tmp_path / "override"))
    assert ProfileStore().path == tmp_path / "override" / "profiles.json"


def test_default_dir_is_platform_user_config(isolated_env):
    # conftest points XDG_CONFIG_HOME at the fake home
    assert ProfileStore().path == isolated_env / ".config" / "osdesk" / "profiles.json"


def test_unknown_keys_in_file_are_ignored(store, config_dir, make_profile):
    record = make_profile().to_dict() | {"added_by_a_later_version": 1}
    config_dir.mkdir()
    (config_dir / "profiles.json").write_text(
        json.dumps({"schema_version": 1, "profiles": [record]}))
    assert store.load()[0].name == "lab"


def test_integer_timeout_is_read_as_float(store, config_dir, make_profile):
    record = make_profile().to_dict() | {"timeout": 45}
    config_dir.mkdir()
    (config_dir / "profiles.json").write_text(
        json.dumps({"schema_version": 1, "profiles": [record]}))
    timeout = store.load()[0].timeout
    assert timeout == 45.0 and isinstance(timeout, float)


# ------------------------------------------------------------ conveniences
def test_add_get_update_remove(store, make_profile):
    a, b = make_profile(name="a"), make_profile(name="b")
    store.add(a)
    store.add(b)
    assert store.get(b.id) == b
    assert store.get("nope") is None
    with pytest.raises(ValueError):
        store.add(a.copy(name="again"))

    store.update(a.copy(name="renamed"))
    assert [p.name for p in store.load()] == ["renamed", "b"]
    with pytest.raises(KeyError):
        store.update(make_profile(name="never saved"))

    assert store.remove(a.id) is True
    assert store.remove(a.id) is False
    assert store.load() == [b]


# ------------------------------------------------------------ permissions
def test_file_0600_and_dir_0700_even_with_open_umask(store, config_dir, make_profile):
    old = os.umask(0)
    try:
        store.save([make_profile()])
    finally:
        os.umask(old)
    assert mode_of(config_dir / "profiles.json") == 0o600
    assert mode_of(config_dir) == 0o700


def test_temp_file_is_created_0600(store, config_dir, make_profile, monkeypatch):
    """The secret-free but private data is never briefly world-readable."""
    created = []
    real_open = os.open

    def spy_open(path, flags, mode=0o777, *args, **kwargs):
        if flags & os.O_CREAT:
            created.append((str(path), mode))
        return real_open(path, flags, mode, *args, **kwargs)

    monkeypatch.setattr(os, "open", spy_open)
    store.save([make_profile()])
    assert created and all(mode == 0o600 for _, mode in created)
    assert all(Path(p).parent == config_dir for p, _ in created)


def test_wrong_permissions_are_fixed_with_a_warning(store, config_dir, make_profile):
    profile = make_profile()
    store.save([profile])
    os.chmod(config_dir / "profiles.json", 0o644)

    fresh = ProfileStore(config_dir)
    assert fresh.load() == [profile]
    assert mode_of(config_dir / "profiles.json") == 0o600
    assert len(fresh.warnings) == 1
    assert "0644" in fresh.warnings[0] and "0600" in fresh.warnings[0]
    assert str(config_dir / "profiles.json") in fresh.warnings[0]


def test_open_config_dir_is_reported_not_changed(tmp_path, make_profile):
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o755)
    store = ProfileStore(shared)
    store.save([make_profile()])
    assert mode_of(shared) == 0o755
    assert any("0755" in w for w in store.warnings)
    assert mode_of(shared / "profiles.json") == 0o600


# ------------------------------------------------------------ atomic write
@pytest.mark.parametrize("step", ["replace", "fsync", "write"])
def test_crash_during_save_keeps_old_file_and_leaves_no_temp(store, config_dir, make_profile,
                                                             monkeypatch, step):
    old = [make_profile(name="old")]
    store.save(old)
    before = (config_dir / "profiles.json").read_bytes()

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")

    if step == "write":
        real_fdopen = os.fdopen

        class HalfWritten:
            """Writes a few bytes, then the disk is full."""

            def __init__(self, fh):
                self.fh = fh

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.fh.close()

            def fileno(self):
                return self.fh.fileno()

            def flush(self):
                self.fh.flush()

            def write(self, data):
                self.fh.write(data[:10])
                self.fh.flush()
                boom()

        monkeypatch.setattr(os, "fdopen", lambda fd, *a, **k: HalfWritten(real_fdopen(fd, *a, **k)))
    else:
        monkeypatch.setattr(os, step, boom)
    with pytest.raises(ProfileStoreError) as info:
        store.save([make_profile(name="new")])
    monkeypatch.undo()

    assert "No space left on device" in str(info.value)
    assert str(config_dir / "profiles.json") in str(info.value)
    assert (config_dir / "profiles.json").read_bytes() == before
    assert sorted(os.listdir(config_dir)) == ["profiles.json"]
    assert ProfileStore(config_dir).load() == old


def test_interrupt_during_save_leaves_no_temp(store, config_dir, make_profile, monkeypatch):
    store.save([make_profile(name="old")])

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        store.save([make_profile(name="new")])
    assert sorted(os.listdir(config_dir)) == ["profiles.json"]


def test_save_fsyncs_file_and_directory(store, config_dir, make_profile, monkeypatch):
    synced = []
    real_fsync = os.fsync

    def spy(fd):
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    replaced = []
    real_replace = os.replace

    def spy_replace(src, dst):
        replaced.append((list(synced), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", spy)
    monkeypatch.setattr(os, "replace", spy_replace)
    store.save([make_profile()])
    assert replaced == [([False], config_dir / "profiles.json")]  # file synced before the rename
    assert synced == [False, True]  # then the directory


# ----------------------------------------------------------------- secrets
def test_secret_never_in_the_file(store, config_dir, make_profile):
    profile = make_profile()
    secrets = SecretStore()
    location = secrets.set(profile.id, "s3cr3t-Pa55word")
    store.save([profile])
    store.add(make_profile(name="other"))

    assert location == "keyring"
    assert b"s3cr3t-Pa55word" not in (config_dir / "profiles.json").read_bytes()
    assert [p for p in os.listdir(config_dir)] == ["profiles.json"]


@pytest.mark.parametrize("extra", [
    {"password": "hunter2"},
    {"application_credential_secret": "hunter2"},
    {"token": "hunter2"},
    {"auth": {"password": "hunter2"}},
    {"extras": [{"api_key": "hunter2"}]},
])
def test_save_refuses_secret_keys(store, config_dir, make_profile, extra):
    store.save([make_profile(name="old")])
    before = (config_dir / "profiles.json").read_bytes()
    record = make_profile().to_dict() | extra
    with pytest.raises(ProfileStoreError, match="keyring"):
        store.save([record])
    assert (config_dir / "profiles.json").read_bytes() == before


def test_save_accepts_plain_dicts_without_secrets(store, make_profile):
    profile = make_profile()
    store.save([profile.to_dict()])
    assert store.load() == [profile]


def test_secret_key_detection():
    assert store_mod.secret_keys_in({"a": {"Password": 1}, "b": [{"os_token": 2}]}) == \
        ["a.Password", "b.0.os_token"]
    assert store_mod.secret_keys_in(Profile(name="x", auth_url="https://x").to_dict()) == []


# ---------------------------------------------------------- damaged files
def valid_file_bytes(make_profile) -> bytes:
    return json.dumps({"schema_version": 1,
                       "profiles": [make_profile().to_dict(),
                                    make_profile(name="b").to_dict()]}).encode()


CORRUPT = {
    "bad json": b"{not json",
    "empty": b"",
    "truncated": "TRUNCATE",
    "not utf-8": b"\xff\xfe{\"schema_version\": 1}",
    "list at top": b"[]",
    "no schema_version": b'{"profiles": []}',
    "schema_version as text": b'{"schema_version": "1", "profiles": []}',
    "schema_version 0": b'{"schema_version": 0, "profiles": []}',
    "profiles not a list": b'{"schema_version": 1, "profiles": {}}',
    "profile not an object": b'{"schema_version": 1, "profiles": [1]}',
    "profile without auth_url": b'{"schema_version": 1, "profiles": [{"name": "x"}]}',
    "name not text": b'{"schema_version": 1, "profiles": [{"name": 3, "auth_url": "https://x"}]}',
    "verify not bool": (b'{"schema_version": 1, "profiles": [{"name": "x", '
                        b'"auth_url": "https://x", "verify": "yes"}]}'),
    "timeout NaN": (b'{"schema_version": 1, "profiles": [{"name": "x", '
                    b'"auth_url": "https://x", "timeout": NaN}]}'),
    "deeply nested": b"[" * 100000,
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_corrupt_file_is_kept_aside_and_store_keeps_working(store, config_dir, make_profile,
                                                            content):
    if content == "TRUNCATE":
        full = valid_file_bytes(make_profile)
        content = full[: len(full) // 2]
    config_dir.mkdir()
    path = config_dir / "profiles.json"
    path.write_bytes(content)

    with pytest.raises(ProfileStoreError) as info:
        store.load()
    err = info.value
    asides = list(config_dir.glob("profiles.json.corrupt-*"))
    assert len(asides) == 1
    assert err.kept_aside == asides[0] and err.path == path
    assert str(path) in str(err) and str(asides[0]) in str(err)
    assert asides[0].read_bytes() == content
    assert mode_of(asides[0]) == 0o600
    assert store.errors == [err]

    # the store starts empty and works; the kept-aside file is never touched
    assert store.load() == []
    store.add(make_profile(name="fresh"))
    assert [p.name for p in ProfileStore(config_dir).load()] == ["fresh"]
    assert asides[0].read_bytes() == content


def test_corrupt_file_met_by_add_is_recorded_not_raised(store, config_dir, make_profile):
    config_dir.mkdir()
    (config_dir / "profiles.json").write_text("{oops")
    store.add(make_profile())
    assert len(store.errors) == 1 and "could not be read" in str(store.errors[0])
    assert [p.name for p in store.load()] == ["lab"]
    assert len(list(config_dir.glob("profiles.json.corrupt-*"))) == 1


def test_newer_schema_is_kept_aside(store, config_dir, make_profile):
    config_dir.mkdir()
    content = json.dumps({"schema_version": 2, "profiles": [], "vaults": {}}).encode()
    (config_dir / "profiles.json").write_bytes(content)

    with pytest.raises(ProfileStoreError) as info:
        store.load()
    asides = list(config_dir.glob("profiles.json.newer-*"))
    assert len(asides) == 1 and asides[0].read_bytes() == content
    assert "newer osdesk" in str(info.value) and str(asides[0]) in str(info.value)
    assert not list(config_dir.glob("*.corrupt-*"))

    store.save([make_profile()])
    assert len(store.load()) == 1
    assert asides[0].read_bytes() == content


def test_kept_aside_files_are_never_overwritten(store, config_dir, monkeypatch):
    monkeypatch.setattr(store_mod.time, "strftime", lambda fmt: "20240101-000000")
    config_dir.mkdir()
    for content in (b"first", b"second", b"third"):
        (config_dir / "profiles.json").write_bytes(content)
        with pytest.raises(ProfileStoreError):
            store.load()
    kept = sorted(p.read_bytes() for p in config_dir.glob("profiles.json.corrupt-*"))
    assert kept == [b"first", b"second", b"third"]


def test_duplicate_ids_keep_the_first_with_a_warning(store, config_dir, make_profile):
    a = make_profile(name="a")
    config_dir.mkdir()
    (config_dir / "profiles.json").write_text(json.dumps(
        {"schema_version": 1, "profiles": [a.to_dict(), a.copy(name="b").to_dict()]}))
    os.chmod(config_dir / "profiles.json", 0o600)
    assert store.load() == [a]
    assert len(store.warnings) == 1 and a.id in store.warnings[0]


def test_unwritable_directory_gives_a_clear_error(tmp_path, make_profile):
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    store = ProfileStore(blocker / "cfg")
    with pytest.raises(ProfileStoreError) as info:
        store.save([make_profile()])
    assert str(blocker / "cfg" / "profiles.json") in str(info.value)
