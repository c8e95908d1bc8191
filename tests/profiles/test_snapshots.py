"""The snapshot store: scrubbed, atomic, bounded, private, and never a crash on a bad file."""

from __future__ import annotations

import gzip
import json
import logging
import os
import stat

import pytest

from osdesk.profiles.preferences import Preferences
from osdesk.profiles.snapshots import CHUNK_ROWS, SnapshotStore, default_snapshot_dir, scrub
from tests.samples import SAMPLES


def store(tmp_path, **kw) -> SnapshotStore:
    return SnapshotStore(tmp_path / "cache" / "osdesk" / "snapshots",
                         preferences=Preferences(tmp_path / "config"), **kw)


def test_rows_come_back_as_saved_with_their_time(tmp_path):
    s = store(tmp_path)
    rows = [{"id": "a", "name": "web-1", "addresses": {"net": [{"addr": "10.0.0.5"}]}}]
    s.save("cloud-1", "p1", "servers", rows, taken_at=1000.0)
    snap = s.load("cloud-1", "p1", "servers")
    assert snap.rows == rows and snap.taken_at == 1000.0
    assert s.load("cloud-1", "p2", "servers") is None
    assert s.load("cloud-2", "p1", "servers") is None
    assert s.last_project("cloud-1") is None  # saving says nothing of the login's project
    s.remember_project("cloud-1", "p1")
    assert s.last_project("cloud-1") == "p1"


def test_the_folder_and_files_are_private(tmp_path):
    s = store(tmp_path)
    s.save("c", "p", "servers", [{"id": "a"}])
    assert stat.S_IMODE(s.root.stat().st_mode) == 0o700
    for path in s.root.rglob("*"):
        expected = 0o700 if path.is_dir() else 0o600
        assert stat.S_IMODE(path.stat().st_mode) == expected, path


def test_secrets_never_reach_the_file(tmp_path):
    s = store(tmp_path)
    server = {"id": "s1", "name": "vm", "adminPass": "Adm1nPass!", "OS-EXT-SRV-ATTR:user_data":
              "I2Nsb3VkLWNvbmZpZw==", "metadata": {"db_password": "hunter22", "role": "db"},
              "key_name": "demo-key"}
    keypair = {"keypair": {"name": "k", "public_key": "ssh-ed25519 AAAA",
                           "private_key": "-----BEGIN OPENSSH PRIVATE KEY-----\nxyz"}}
    cred = {"id": "c", "secret": "app-cred-secret", "token": "gAAAAAtoken", "api_key": "k3y"}
    s.save("c", "p", "mixed", [server, keypair, cred])
    (path,) = s.root.rglob("*.json.gz")
    text = gzip.decompress(path.read_bytes()).decode()
    for secret in ("Adm1nPass!", "I2Nsb3VkLWNvbmZpZw==", "hunter22", "PRIVATE KEY",
                   "app-cred-secret", "gAAAAAtoken", "k3y"):
        assert secret not in text
    rows = s.load("c", "p", "mixed").rows
    assert rows[0] == {"id": "s1", "name": "vm", "metadata": {"role": "db"},
                       "key_name": "demo-key"}
    assert rows[1] == {"keypair": {"name": "k", "public_key": "ssh-ed25519 AAAA"}}


def test_a_real_server_list_keeps_what_the_table_shows():
    body = SAMPLES / "nova" / "doc" / "api_samples" / "servers" / "servers-details-resp.json"
    servers = json.loads(body.read_text())["servers"]
    assert servers
    kept = scrub(servers)
    assert [s["id"] for s in kept] == [s["id"] for s in servers]
    assert all(s.get("status") == o.get("status") and s.get("addresses") == o.get("addresses")
               for s, o in zip(kept, servers))


def test_corrupt_or_foreign_files_are_ignored_with_a_log_line(tmp_path, caplog):
    s = store(tmp_path)
    s.save("c", "p", "servers", [{"id": "a"}])
    s.save("c", "p", "images", [{"id": "i"}])
    servers = next(s.root.rglob("*--servers.json.gz"))
    servers.write_bytes(b"\x1f\x8b\x08 half a gzip stream")
    images = next(s.root.rglob("*--images.json.gz"))
    images.write_bytes(gzip.compress(json.dumps({"format": 1, "cloud": "other", "project": "p",
                                                 "kind": "images", "taken_at": 1,
                                                 "rows": []}).encode()))
    with caplog.at_level(logging.WARNING):
        assert s.load("c", "p", "servers") is None
        assert s.load("c", "p", "images") is None
    assert "unreadable snapshot" in caplog.text and "not one osdesk wrote" in caplog.text
    s.save("c", "p", "servers", [{"id": "b"}])  # and a good save replaces it
    assert s.load("c", "p", "servers").rows == [{"id": "b"}]


def test_open_gives_the_rows_a_chunk_at_a_time_parsed_as_asked(tmp_path, caplog):
    """What the inventory's instant start reads: the first rows can be shown before the
    rest of a big snapshot is parsed; a bad chunk stops the rows there, loudly."""
    s = store(tmp_path)
    rows = [{"id": f"s-{i}", "name": f"web-{i}"} for i in range(2 * CHUNK_ROWS + 7)]
    s.save("c", "p", "servers", rows, taken_at=50.0)
    taken_at, chunks = s.open("c", "p", "servers")
    assert taken_at == 50.0
    first = next(chunks)
    assert first == rows[:CHUNK_ROWS]
    assert [len(c) for c in chunks] == [CHUNK_ROWS, 7]
    assert s.open("c", "p", "images") is None
    path = next(s.root.rglob("*--servers.json.gz"))
    lines = gzip.decompress(path.read_bytes()).decode().split("\n")
    lines[2] = json.dumps({"not": "a list of rows"})
    path.write_bytes(gzip.compress("\n".join(lines).encode()))
    _taken_at, chunks = s.open("c", "p", "servers")
    assert next(chunks) == rows[:CHUNK_ROWS]
    with pytest.raises(ValueError):
        next(chunks)
    with caplog.at_level(logging.WARNING):
        assert s.load("c", "p", "servers") is None
    assert "unreadable snapshot" in caplog.text


def test_the_total_size_is_bounded_oldest_clouds_first(tmp_path):
    s = store(tmp_path, max_bytes=60_000)
    big = [{"id": os.urandom(16).hex(), "name": os.urandom(32).hex()} for _ in range(300)]
    for n, cloud in enumerate(("old", "middle", "new")):
        s.save(cloud, "p", "servers", big)
        path = next(s.root.glob(f"{cloud}/*.json.gz"))
        os.utime(path, (1000 + n, 1000 + n))
    s.save("newest", "p", "servers", big)
    kept = {p.parent.name for p in s.root.rglob("*.json.gz")}
    assert "newest" in kept and "old" not in kept
    assert sum(p.stat().st_size for p in s.root.rglob("*.json.gz")) <= 60_000


def test_turned_off_nothing_is_kept_or_read(tmp_path):
    s = store(tmp_path)
    s.save("c", "p", "servers", [{"id": "a"}])
    s.enabled = False
    assert list(s.root.rglob("*.json.gz")) == []
    s.save("c", "p", "servers", [{"id": "a"}])
    assert list(s.root.rglob("*.json.gz")) == [] and s.load("c", "p", "servers") is None
    assert not store(tmp_path).enabled  # remembered
    s.enabled = True
    s.save("c", "p", "servers", [{"id": "a"}])
    assert s.load("c", "p", "servers").rows == [{"id": "a"}]


def test_deleting_a_cloud_deletes_only_its_files(tmp_path):
    s = store(tmp_path)
    s.save("gone", "p", "servers", [{"id": "a"}])
    s.save("kept", "p", "servers", [{"id": "b"}])
    s.delete_cloud("gone")
    assert s.load("gone", "p", "servers") is None
    assert s.load("kept", "p", "servers").rows == [{"id": "b"}]


def test_odd_ids_become_safe_file_names(tmp_path):
    s = store(tmp_path)
    s.save("../../etc", "a/b", "servers", [{"id": "x"}])
    assert all(s.root in p.parents for p in s.root.parent.parent.rglob("*.json.gz"))
    assert s.load("../../etc", "a/b", "servers").rows == [{"id": "x"}]


def test_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_snapshot_dir() == tmp_path / "xdg" / "osdesk" / "snapshots"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_snapshot_dir() == tmp_path / "home" / ".cache" / "osdesk" / "snapshots"


def test_saving_gives_way_between_chunks_and_keeps_every_row(tmp_path):
    """A worker writing a big snapshot lets the lists and the GUI thread run between
    two chunks (``between``, the pacer's wait_for_streams in the app): a call before
    each chunk."""
    s = store(tmp_path)
    rows = [{"id": f"s-{i}", "adminPass": "x"} for i in range(2 * CHUNK_ROWS + 1)]
    written = []

    def between():  # what is on disk so far is nothing: the file is written at the end
        written.append(list(s.root.rglob("*.json.gz")))
    s.save("c", "p", "servers", rows, taken_at=1.0, between=between)
    assert written == [[], [], []]
    assert s.load("c", "p", "servers").rows == [{"id": r["id"]} for r in rows]
