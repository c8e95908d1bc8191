"""Replacing a file all at once: the profile store's and the console export's writes."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

__all__ = ["fsync_dir", "write_atomic"]


def write_atomic(path: str | os.PathLike, payload: bytes, mode: int = 0o600) -> None:
    """Write ``payload`` to a new file beside ``path``, fsync it, and rename it over ``path``.

    The file has ``mode`` from its first byte, whatever the umask. On any failure the
    old file is left as it was and the temporary file is removed. Raises ``OSError``.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(tmp, flags, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            if hasattr(os, "fchmod"):
                os.fchmod(fh.fileno(), mode)  # whatever the umask was
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def fsync_dir(directory: str | os.PathLike) -> None:
    """Make a rename durable: fsync the directory that holds the file (POSIX only)."""
    if os.name != "posix":
        return
    try:
        dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(dfd)
    except OSError:
        pass  # some filesystems cannot fsync a directory; the data is written
    finally:
        os.close(dfd)
