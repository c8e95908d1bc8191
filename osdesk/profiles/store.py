"""The profile store: saved clouds in a versioned JSON file, written atomically."""

from __future__ import annotations

import dataclasses
import json
import logging
import math
import os
import re
import stat
import threading
import time
from pathlib import Path
from typing import Any, Iterable

from osdesk.profiles.atomic import fsync_dir, write_atomic
from osdesk.profiles.profile import Profile

log = logging.getLogger(__name__)

#: The file format this code writes and understands.
SCHEMA_VERSION = 1
#: Name of the store file inside the config directory.
FILENAME = "profiles.json"
#: Environment variable that overrides the config directory (tests, portable setups).
CONFIG_DIR_ENV = "OSDESK_CONFIG_DIR"
#: Modes of the store file and of a directory osdesk creates.
FILE_MODE = 0o600
DIR_MODE = 0o700

#: Keys that must never reach the profile file, at any depth.
#: NOTE: a defensive check; Profile has no such field, but a future field or a
#: caller passing raw dicts must not turn the store into a password file.
_SECRET_KEY_RE = re.compile(r"password|passwd|passphrase|(^|_)pass$|secret|token|api_?key",
                            re.IGNORECASE)

#: Profile fields and the JSON types each accepts.
_FIELD_TYPES: dict[str, tuple[type, ...]] = {}
for _f in dataclasses.fields(Profile):
    _FIELD_TYPES[_f.name] = {"str": (str,), "bool": (bool,),
                             "float": (int, float)}.get(str(_f.type), (object,))
del _f


class ProfileStoreError(Exception):
    """The profile file could not be read or written.

    ``str(err)`` is a sentence for the user. ``path`` is the profile file,
    ``kept_aside`` the path the unreadable file was moved to (or None).
    """

    def __init__(self, message: str, path: Path | None = None,
                 kept_aside: Path | None = None):
        super().__init__(message)
        self.path = path
        self.kept_aside = kept_aside


def make_private_dir(path: Path) -> None:
    """Create ``path`` (and its parents) mode 0700 unless it exists: osdesk's config folder
    holds the profiles, and Qt's settings land in it too (QSettings would make it 0755)."""
    if path.is_dir():
        return
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask


def default_config_dir() -> Path:
    """``$OSDESK_CONFIG_DIR``, else the platform's per-user config dir."""
    override = os.environ.get(CONFIG_DIR_ENV)
    if override:
        return Path(override).expanduser()
    import platformdirs  # lazy: keeps `import osdesk.profiles` cheap

    return Path(platformdirs.user_config_dir("osdesk"))


def secret_keys_in(data: Any, _prefix: str = "") -> list[str]:
    """Dotted paths of every key in ``data`` that names a secret."""
    found = []
    if isinstance(data, dict):
        for key, value in data.items():
            path = f"{_prefix}{key}"
            if isinstance(key, str) and _SECRET_KEY_RE.search(key):
                found.append(path)
            found.extend(secret_keys_in(value, path + "."))
    elif isinstance(data, (list, tuple)):
        for i, value in enumerate(data):
            found.extend(secret_keys_in(value, f"{_prefix}{i}."))
    return found


class ProfileStore:
    """Saved profiles in ``<config_dir>/profiles.json``.

    The file is ``{"schema_version": 1, "profiles": [Profile.to_dict(), ...]}``,
    mode 0600 in a 0700 directory, replaced atomically on every save.

    A file that cannot be understood (bad JSON, wrong shape, a profile without
    its required keys) or that a newer osdesk wrote is moved aside, never
    overwritten, and ``load()`` raises ``ProfileStoreError`` naming both paths.
    From then on the store is empty and works normally. The error is also kept
    in ``errors`` so that callers of ``add``/``update``/``remove``/``get`` (which
    do not raise it) can still show it. Non-fatal problems, such as a file
    others could read, are fixed and described in ``warnings``.
    """

    def __init__(self, config_dir: Path | str | None = None):
        self.config_dir = Path(config_dir).expanduser() if config_dir else default_config_dir()
        self.path = self.config_dir / FILENAME
        #: Sentences about problems osdesk fixed by itself.
        self.warnings: list[str] = []
        #: Every ProfileStoreError met so far, newest last.
        self.errors: list[ProfileStoreError] = []
        self._lock = threading.RLock()
        #: The last load could not open an existing file: save() keeps it aside first.
        self._unopened = False

    # ------------------------------------------------------------------ read
    def load(self) -> list[Profile]:
        """The saved profiles; ``[]`` when there is no file yet.

        Raises ProfileStoreError when the file is unreadable (it is then moved
        aside, so the next call returns ``[]``) or cannot be opened at all.
        """
        with self._lock:
            try:
                return self._load()
            except ProfileStoreError as err:
                self.errors.append(err)
                raise

    def _load(self) -> list[Profile]:
        try:
            fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
        except FileNotFoundError:
            self._unopened = False
            return []
        except OSError as exc:
            self._unopened = True
            raise ProfileStoreError(
                f"The saved clouds in {self.path} could not be opened: "
                f"{exc.strerror or exc}.", self.path) from exc
        self._unopened = False
        try:
            mode = stat.S_IMODE(os.fstat(fd).st_mode)
            with os.fdopen(fd, "rb") as fh:
                raw = fh.read()
        except OSError as exc:
            raise ProfileStoreError(
                f"The saved clouds in {self.path} could not be read: "
                f"{exc.strerror or exc}.", self.path) from exc

        try:
            profiles = self._parse(raw)
        except _NewerSchema as exc:
            aside = self._move_aside("newer")
            raise ProfileStoreError(
                f"{self.path} was written by a newer osdesk (file format "
                f"{exc.version}, this version understands {SCHEMA_VERSION}). "
                f"It was kept as {aside} and osdesk starts with no saved clouds; "
                f"the newer osdesk can still read that file.", self.path, aside) from None
        except _Corrupt as exc:
            aside = self._move_aside("corrupt")
            raise ProfileStoreError(
                f"The saved clouds in {self.path} could not be read ({exc}). "
                f"The file was kept as {aside} and osdesk starts with no saved "
                f"clouds.", self.path, aside) from None

        if os.name == "posix" and mode != FILE_MODE:
            self._fix_mode(mode)
        return profiles

    def _parse(self, raw: bytes) -> list[Profile]:
        if not raw.strip():
            raise _Corrupt("the file is empty")
        try:
            data = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Corrupt("the file is not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise _Corrupt(f"invalid JSON at line {exc.lineno}, column {exc.colno}: "
                           f"{exc.msg}") from None
        except (ValueError, RecursionError):
            raise _Corrupt("invalid JSON") from None
        if not isinstance(data, dict):
            raise _Corrupt("the file does not hold a JSON object")
        version = data.get("schema_version")
        if type(version) is not int or version < 1:
            raise _Corrupt("'schema_version' is missing or not a positive whole number")
        if version > SCHEMA_VERSION:
            raise _NewerSchema(version)
        items = data.get("profiles")
        if not isinstance(items, list):
            raise _Corrupt("'profiles' is missing or not a list")
        profiles: list[Profile] = []
        seen: set[str] = set()
        for i, item in enumerate(items, 1):
            profile = _profile_from_item(item, i)
            if profile.id in seen:
                self._warn(f"{self.path} lists the cloud id {profile.id} twice; "
                           f"the second entry ({profile.name!r}) was ignored.")
                continue
            seen.add(profile.id)
            profiles.append(profile)
        return profiles

    def _move_aside(self, reason: str) -> Path:
        stamp = time.strftime("%Y%m%d-%H%M%S")
        for n in range(1000):
            suffix = f".{reason}-{stamp}" + (f"-{n}" if n else "")
            aside = self.path.with_name(self.path.name + suffix)
            if aside.exists():
                continue
            try:
                # NOTE: link + unlink never replaces an existing file, unlike rename.
                os.link(self.path, aside)
            except FileExistsError:
                continue
            except OSError:
                if aside.exists():
                    continue
                os.rename(self.path, aside)
            else:
                os.unlink(self.path)
            try:
                os.chmod(aside, FILE_MODE)  # it may have been readable by others
            except OSError:
                pass
            self._fsync_dir()
            log.warning("Moved unreadable profile file %s to %s", self.path, aside)
            return aside
        raise ProfileStoreError(  # pragma: no cover - a thousand files in one second
            f"The unreadable file {self.path} could not be moved aside.", self.path)

    def _keep_unopened(self) -> None:
        try:
            aside = self._move_aside("unreadable")
        except OSError as exc:
            self._fail(f"{self.path} could not be opened earlier and cannot be moved aside "
                       f"({exc.strerror or exc}); it was not overwritten, so nothing was "
                       f"saved.", exc)
        self._unopened = False
        self._warn(f"{self.path} could not be opened, so it was kept as {aside} and a new "
                   f"file was written; the clouds in the kept file are not lost.")

    def _fix_mode(self, mode: int) -> None:
        try:
            os.chmod(self.path, FILE_MODE)
        except OSError as exc:
            self._warn(f"{self.path} has mode {mode:04o} (others may read it) and "
                       f"could not be changed to 0600: {exc.strerror or exc}.")
        else:
            self._warn(f"{self.path} had mode {mode:04o}; it was changed to 0600 so "
                       f"that only you can read it.")

    def _warn(self, message: str) -> None:
        log.warning("%s", message)
        self.warnings.append(message)

    # ----------------------------------------------------------------- write
    def save(self, profiles: Iterable[Profile | dict]) -> None:
        """Replace the saved profiles, atomically.

        Refuses (ProfileStoreError, nothing written) any profile whose data
        holds a key naming a secret. Raises ProfileStoreError when the file
        cannot be written; the previous file is then left untouched.
        """
        records = []
        for item in profiles:
            data = item.to_dict() if isinstance(item, Profile) else item
            if not isinstance(data, dict):
                raise TypeError(f"save() takes Profile objects or dicts, not {type(item).__name__}")
            secret_keys = secret_keys_in(data)
            if secret_keys:
                raise ProfileStoreError(
                    f"Refusing to save the cloud {data.get('name')!r}: its data holds "
                    f"{', '.join(secret_keys)}, and secrets belong in the keyring, "
                    f"never in {self.path}.", self.path)
            records.append(Profile.from_dict(data).to_dict()
                           if not isinstance(item, Profile) else data)
        text = json.dumps({"schema_version": SCHEMA_VERSION, "profiles": records},
                          indent=2, ensure_ascii=False) + "\n"
        with self._lock:
            if self._unopened and os.path.lexists(self.path):
                # NOTE: a file we could not open (permissions, I/O error) may hold
                # clouds: keep it, never replace it with what little we know.
                self._keep_unopened()
            try:
                self._write_atomic(text.encode("utf-8"))
            except OSError as exc:
                self._fail(f"The saved clouds could not be written to {self.path}: "
                           f"{exc.strerror or exc}. The previous file was left as it was.", exc)

    def _fail(self, message: str, cause: OSError) -> None:
        """Record a write failure in ``errors`` and raise it as a ProfileStoreError."""
        err = ProfileStoreError(message, self.path)
        self.errors.append(err)
        raise err from cause

    def _ensure_dir(self) -> None:
        if self.config_dir.is_dir():
            mode = stat.S_IMODE(self.config_dir.stat().st_mode)
            if os.name == "posix" and mode & 0o077:
                # NOTE: not changed: the user may have pointed us at a shared dir
                # on purpose; the file itself is 0600 either way.
                msg = (f"The config folder {self.config_dir} has mode {mode:04o}; "
                       f"0700 is recommended.")
                if msg not in self.warnings:
                    self._warn(msg)
            return
        make_private_dir(self.config_dir)

    def _write_atomic(self, payload: bytes) -> None:
        self._ensure_dir()
        write_atomic(self.path, payload, FILE_MODE)
        self._fsync_dir()

    def _fsync_dir(self) -> None:
        """Make a rename durable: fsync the directory that holds the file."""
        fsync_dir(self.config_dir)

    # ----------------------------------------------------------- conveniences
    def _current(self) -> list[Profile]:
        try:
            return self.load()
        except ProfileStoreError:
            if self.path.exists():
                raise  # could not even be opened or moved aside: do not overwrite it
            return []  # moved aside; the error is in self.errors

    def get(self, profile_id: str) -> Profile | None:
        with self._lock:
            return next((p for p in self._current() if p.id == profile_id), None)

    def add(self, profile: Profile) -> None:
        with self._lock:
            profiles = self._current()
            if any(p.id == profile.id for p in profiles):
                raise ValueError(f"a cloud with id {profile.id} is already saved")
            profiles.append(profile)
            self.save(profiles)

    def update(self, profile: Profile) -> None:
        """Replace the saved profile with the same id (KeyError when unknown)."""
        with self._lock:
            profiles = self._current()
            for i, old in enumerate(profiles):
                if old.id == profile.id:
                    profiles[i] = profile
                    self.save(profiles)
                    return
            raise KeyError(profile.id)

    def remove(self, profile_id: str) -> bool:
        """Forget a profile; False when it was not saved."""
        with self._lock:
            profiles = self._current()
            kept = [p for p in profiles if p.id != profile_id]
            if len(kept) == len(profiles):
                return False
            self.save(kept)
            return True


class _Corrupt(Exception):
    pass


class _NewerSchema(Exception):
    def __init__(self, version: int):
        super().__init__(version)
        self.version = version


def _profile_from_item(item: Any, index: int) -> Profile:
    """Check one stored profile's shape and build it (``_Corrupt`` when wrong)."""
    if not isinstance(item, dict):
        raise _Corrupt(f"profile {index} is not a JSON object")
    missing = [k for k in ("name", "auth_url") if k not in item]
    if missing:
        raise _Corrupt(f"profile {index} lacks {' and '.join(map(repr, missing))}")
    for key, value in item.items():
        types = _FIELD_TYPES.get(key)
        if types is None:
            continue  # written by a later minor version; Profile.from_dict drops it
        if not isinstance(value, types) or (bool not in types and isinstance(value, bool)):
            raise _Corrupt(f"profile {index} has a wrong type for {key!r}")
        if isinstance(value, float) and not math.isfinite(value):
            raise _Corrupt(f"profile {index} has a non-finite {key!r}")
    if "id" in item and not item["id"]:
        raise _Corrupt(f"profile {index} has an empty 'id'")
    profile = Profile.from_dict(item)
    if "timeout" in item:
        profile.timeout = float(profile.timeout)
    return profile
