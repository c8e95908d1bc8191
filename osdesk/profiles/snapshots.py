"""The last lists of each cloud and project, kept on disk for an instant start.

One gzipped JSON file per (cloud, project, kind) under ``$XDG_CACHE_HOME/osdesk/snapshots``
(``~/.cache/...``), folder mode 0700, files 0600, each written atomically. Before writing,
every value that could be a secret is dropped (passwords, tokens, private keys,
``adminPass``, ``user_data``, any key whose name looks secret). The total size is bounded:
the files of the clouds used longest ago go first. A file that cannot be read is ignored
with a log line. Qt-free and blocking: callers run :meth:`SnapshotStore.save` and
:meth:`SnapshotStore.load` on a worker thread.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from osdesk.profiles.atomic import write_atomic
from osdesk.profiles.preferences import Preferences
from osdesk.profiles.store import make_private_dir

log = logging.getLogger(__name__)

__all__ = ["Snapshot", "SnapshotStore", "default_snapshot_dir", "scrub"]

#: the preference that turns snapshots on and off ("Keep a snapshot for an instant start")
PREFERENCE = "keep_snapshots"
SUFFIX = ".json.gz"
#: a file naming the project a cloud logs in to (its pages open on that one's snapshot)
LAST_PROJECT = "last-project"
FORMAT = 2

#: key names whose values never reach the disk, whatever they hold
_SECRET_NAME = re.compile(r"password|passwd|passphrase|(^|_)pass$|secret|token|api_?key|"
                          r"private_?key|credential|passcode|^adminpass$|^user_?data$",
                          re.IGNORECASE)
_SAFE_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]{0,79}")


@dataclass(frozen=True)
class Snapshot:
    rows: list[dict]
    taken_at: float  # epoch seconds


def default_snapshot_dir() -> Path:
    """``$XDG_CACHE_HOME/osdesk/snapshots``, or ``~/.cache/osdesk/snapshots`` when it is
    unset, empty or relative (per the XDG spec)."""
    cache = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(cache) if cache and os.path.isabs(cache) else Path.home() / ".cache"
    return base / "osdesk" / "snapshots"


def secret_name(key: Any) -> bool:
    """Whether a key names a secret; ``OS-EXT-SRV-ATTR:user_data`` is judged by its last part."""
    return isinstance(key, str) and _secret_key(key)


@functools.lru_cache(maxsize=4096)  # the same few dozen keys, in every row
def _secret_key(key: str) -> bool:
    return bool(_SECRET_NAME.search(key.rsplit(":", 1)[-1]))


def scrub(value: Any) -> Any:
    """A copy of ``value`` without any key that names a secret, at any depth."""
    if isinstance(value, dict):
        return {k: scrub(v) for k, v in value.items() if not secret_name(k)}
    if isinstance(value, (list, tuple)):
        return [scrub(v) for v in value]
    return value


def _file_name(text: str) -> str:
    """``text`` as a file name: itself when plain, else a digest (ids are plain)."""
    if _SAFE_NAME.fullmatch(text):
        return text
    return "h-" + hashlib.sha256(text.encode("utf-8", "replace")).hexdigest()[:32]


#: rows a line of a snapshot file holds (each line is one json call)
CHUNK_ROWS = 200


def _chunks(lines: list[str]) -> Iterator[list[dict]]:
    """The rows of a snapshot's lines, a line (one json call: the GIL is let go
    between them) at a time."""
    for line in lines:
        chunk = json.loads(line)
        if not isinstance(chunk, list):
            raise ValueError("a line of rows is not a list")
        yield [row for row in chunk if isinstance(row, dict)]


def _dumps(value) -> str:
    return json.dumps(value, separators=(",", ":"), default=str, ensure_ascii=False)


class SnapshotStore:
    """Snapshots of every cloud's lists; see the module's text."""

    def __init__(self, root: Path | None = None, max_bytes: int = 64 * 2**20,
                 preferences: Preferences | None = None):
        self.root = Path(root) if root is not None else default_snapshot_dir()
        self.max_bytes = max_bytes
        self.preferences = preferences if preferences is not None else Preferences()
        self._lock = threading.Lock()

    # --------------------------------------------------------------- setting
    @property
    def enabled(self) -> bool:
        return self.preferences.get(PREFERENCE, True) is not False

    @enabled.setter
    def enabled(self, on: bool) -> None:
        self.preferences.set(PREFERENCE, bool(on))
        if not on:  # off means nothing is kept: what was kept goes too
            with self._lock:
                for child in self._cloud_dirs():
                    shutil.rmtree(child, ignore_errors=True)

    # ------------------------------------------------------------------ paths
    def _cloud_dir(self, cloud_id: str) -> Path:
        return self.root / _file_name(str(cloud_id))

    def _path(self, cloud_id: str, project_id: str, kind: str) -> Path:
        return self._cloud_dir(cloud_id) / f"{_file_name(project_id or '_')}--{_file_name(kind)}{SUFFIX}"

    def _make_folders(self, cloud_dir: Path) -> None:
        for folder in (self.root.parent, self.root, cloud_dir):  # osdesk/snapshots/<cloud>
            make_private_dir(folder)

    def _cloud_dirs(self) -> list[Path]:
        try:
            return [p for p in self.root.iterdir() if p.is_dir()]
        except OSError:
            return []

    # ---------------------------------------------------------------- writing
    def save(self, cloud_id: str, project_id: str, kind: str, rows: list[dict],
             taken_at: float | None = None, between: Callable[[], object] | None = None) -> None:
        """Keep ``rows`` (scrubbed) as the snapshot of this cloud, project and kind.
        ``between`` is called before each chunk of rows (a worker's turn to give way)."""
        if not self.enabled:
            return
        header = {"format": FORMAT, "cloud": cloud_id, "project": project_id or "",
                  "kind": kind, "taken_at": time.time() if taken_at is None else taken_at}
        # a line per CHUNK_ROWS rows: scrubbing and json.dumps never hold the GIL long
        # (one call for 10,000 servers held it ~0.3 s, a stall of the GUI thread); zlib
        # lets go of it
        lines = [_dumps(header)]
        for i in range(0, len(rows), CHUNK_ROWS):
            if between is not None:
                between()
            lines.append(_dumps([scrub(r) for r in rows[i:i + CHUNK_ROWS] if isinstance(r, dict)]))
        payload = gzip.compress("\n".join(lines).encode("utf-8"), compresslevel=5)
        path = self._path(cloud_id, project_id, kind)
        with self._lock:
            try:
                self._make_folders(path.parent)
                write_atomic(path, payload)
            except OSError as exc:
                log.warning("could not keep the snapshot %s: %s", path, exc)
                return
            self._bound(keep=path)

    def _bound(self, keep: Path) -> None:
        """Delete the oldest clouds' files until the total is at most ``max_bytes``."""
        files = []  # (cloud's newest mtime, mtime, size, path)
        for folder in self._cloud_dirs():
            entries = []
            for path in folder.glob("*" + SUFFIX):
                try:
                    st = path.stat()
                except OSError:
                    continue
                entries.append((st.st_mtime, st.st_size, path))
            newest = max((e[0] for e in entries), default=0.0)
            files.extend((newest, *e) for e in entries)
        total = sum(f[2] for f in files)
        for _newest, _mtime, size, path in sorted(files, key=lambda f: (f[0], f[1])):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            try:
                path.unlink()
                total -= size
                log.info("snapshot %s dropped: snapshots over %d bytes", path, self.max_bytes)
            except OSError:
                pass

    def delete_cloud(self, cloud_id: str) -> None:
        """Forget every snapshot of ``cloud_id`` (the cloud was deleted)."""
        with self._lock:
            shutil.rmtree(self._cloud_dir(cloud_id), ignore_errors=True)

    # ---------------------------------------------------------------- reading
    def load(self, cloud_id: str, project_id: str, kind: str) -> Snapshot | None:
        """The snapshot kept, or None: none kept, snapshots off, or a file that cannot be
        read (logged, never raised)."""
        opened = self.open(cloud_id, project_id, kind)
        if opened is None:
            return None
        taken_at, chunks = opened
        try:
            rows = [row for chunk in chunks for row in chunk]
        except ValueError as exc:
            log.warning("ignoring the unreadable snapshot of %s: %s", kind, exc)
            return None
        return Snapshot(rows=rows, taken_at=taken_at)

    def open(self, cloud_id: str, project_id: str,
             kind: str) -> tuple[float, Iterator[list[dict]]] | None:
        """When the snapshot kept was taken, and its rows a chunk (CHUNK_ROWS) at a time,
        each parsed only when it is asked for: the first rows can be shown while the
        rest are read. None as for :meth:`load`; a chunk that is not a list of rows
        raises ValueError from the iterator (the file is checked whole when it is
        decompressed: gzip's CRC)."""
        if not self.enabled:
            return None
        path = self._path(cloud_id, project_id, kind)
        try:
            lines = gzip.decompress(path.read_bytes()).decode("utf-8").split("\n")
            document = json.loads(lines[0])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, EOFError, zlib.error) as exc:
            log.warning("ignoring the unreadable snapshot %s: %s", path, exc)
            return None
        if not (isinstance(document, dict) and document.get("format") == FORMAT
                and document.get("cloud") == cloud_id and document.get("kind") == kind
                and document.get("project") == (project_id or "")
                and isinstance(document.get("taken_at"), (int, float))):
            log.warning("ignoring the snapshot %s: not one osdesk wrote for it", path)
            return None
        return float(document["taken_at"]), _chunks(lines[1:])

    def remember_project(self, cloud_id: str, project_id: str) -> None:
        """``cloud_id`` logs in to ``project_id`` (its profile names the project by name
        only): its pages open on that project's snapshot next time."""
        marker = self._cloud_dir(cloud_id) / LAST_PROJECT
        if not self.enabled or not project_id or self._read_text(marker) == project_id:
            return
        with self._lock:
            try:
                self._make_folders(marker.parent)
                write_atomic(marker, project_id.encode("utf-8"))
            except OSError as exc:
                log.warning("could not keep %s: %s", marker, exc)

    def last_project(self, cloud_id: str) -> str | None:
        """The project ``cloud_id`` last logged in to, as :meth:`remember_project` kept it."""
        if not self.enabled:
            return None
        return self._read_text(self._cloud_dir(cloud_id) / LAST_PROJECT) or None

    @staticmethod
    def _read_text(path: Path) -> str:
        try:
            return path.read_text(encoding="utf-8").strip()
        except (OSError, ValueError):
            return ""
