"""Secrets of profiles: in the system keyring, or in memory for this run when there is none."""

from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)

#: keyring backends that exist but keep nothing: "fail" raises on every call,
#: "null" silently drops what it is given.
_NON_STORING_BACKENDS = ("keyring.backends.fail", "keyring.backends.null")


class SecretLocation(str):
    """Where a secret went: equal to ``"keyring"`` or ``"memory"``.

    ``where_text`` is a sentence fragment for the user, e.g. "stored in the
    system keyring (SecretService)"; ``reason`` says why a secret is only in
    memory (empty for the keyring).
    """

    KEYRING = "keyring"
    MEMORY = "memory"

    where_text: str
    reason: str

    def __new__(cls, kind: str, where_text: str, reason: str = "") -> "SecretLocation":
        if kind not in (cls.KEYRING, cls.MEMORY):
            raise ValueError(f"unknown secret location {kind!r}")
        obj = super().__new__(cls, kind)
        obj.where_text = where_text
        obj.reason = reason
        return obj

    @property
    def in_keyring(self) -> bool:
        return self == self.KEYRING

    @property
    def in_memory(self) -> bool:
        return self == self.MEMORY


class SecretStore:
    """Passwords, application-credential secrets and tokens, keyed by profile id.

    Uses ``keyring`` with the service name ``service`` and the profile id as
    user name. When the keyring is missing, locked or failing, the secret is
    kept in this object's memory for the rest of the run and the returned
    SecretLocation says so; it is never written anywhere else, nor logged.
    Create one per application run and share it.
    """

    def __init__(self, service: str = "osdesk"):
        self.service = service
        self._memory: dict[str, str] = {}
        self._lock = threading.Lock()
        #: Why the last keyring call failed; "" after a success.
        self.last_failure = ""

    # ---------------------------------------------------------------- backend
    def backend_name(self) -> str:
        """A short display name of the keyring backend, e.g. "SecretService"."""
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception as exc:  # a broken keyring config raises on init
            return f"unavailable ({_describe(exc)})"
        return _backend_label(backend)

    def available(self) -> tuple[bool, str]:
        """(True, "") when secrets can go to a keyring, else (False, why not).

        Does not touch stored secrets, so it never triggers an unlock prompt;
        a keyring that failed earlier in this run counts as unavailable.
        """
        try:
            import keyring

            backend = keyring.get_keyring()
        except Exception as exc:
            return False, f"the keyring could not be initialised ({_describe(exc)})"
        problem = _non_storing(backend)
        if problem:
            return False, problem
        if self.last_failure:
            return False, self.last_failure
        return True, ""

    # ---------------------------------------------------------------- secrets
    def get(self, profile_id: str) -> str | None:
        """The secret of a profile, or None when none is known."""
        with self._lock:
            if profile_id in self._memory:
                return self._memory[profile_id]
        try:
            import keyring

            backend = keyring.get_keyring()
            if _non_storing(backend):
                return None
            secret = backend.get_password(self.service, profile_id)
        except Exception as exc:
            self._failed("read", exc)
            return None
        self.last_failure = ""
        return secret

    def set(self, profile_id: str, secret: str) -> SecretLocation:
        """Store a secret; the result says where it went and why."""
        if not isinstance(secret, str):
            raise TypeError("a secret must be a string")
        reason = ""
        try:
            import keyring

            backend = keyring.get_keyring()
            reason = _non_storing(backend)
            if not reason:
                backend.set_password(self.service, profile_id, secret)
        except Exception as exc:
            reason = self._failed("store", exc, secret)
        if not reason:
            self.last_failure = ""
            with self._lock:
                self._memory.pop(profile_id, None)
            return SecretLocation(SecretLocation.KEYRING,
                                  f"stored in the system keyring ({_backend_label(backend)})")
        with self._lock:
            self._memory[profile_id] = secret
        return SecretLocation(SecretLocation.MEMORY,
                              f"kept in memory for this session only: {reason}", reason)

    def where(self, profile_id: str) -> SecretLocation | None:
        """Where the secret of a profile currently is, or None if nowhere."""
        with self._lock:
            in_memory = profile_id in self._memory
        if in_memory:
            reason = self.last_failure or "it was not stored in the keyring"
            return SecretLocation(SecretLocation.MEMORY,
                                  f"kept in memory for this session only: {reason}", reason)
        if self.get(profile_id) is None:
            return None
        return SecretLocation(SecretLocation.KEYRING,
                              f"stored in the system keyring ({self.backend_name()})")

    def delete(self, profile_id: str) -> bool:
        """Forget a secret. False when the keyring could not be reached, so a
        copy may remain there (``last_failure`` says why)."""
        with self._lock:
            self._memory.pop(profile_id, None)
        try:
            import keyring
            from keyring.errors import PasswordDeleteError

            backend = keyring.get_keyring()
            if _non_storing(backend):
                return True
            try:
                backend.delete_password(self.service, profile_id)
            except PasswordDeleteError:
                pass  # nothing was stored: that is what we want
        except Exception as exc:
            self._failed("delete", exc)
            return False
        self.last_failure = ""
        return True

    # -------------------------------------------------------------- internals
    def _failed(self, action: str, exc: BaseException, secret: str | None = None) -> str:
        reason = _describe_failure(exc)
        if secret:
            # NOTE: a backend's message should never echo the secret; make sure.
            reason = reason.replace(secret, "***")
        self.last_failure = reason
        log.warning("Could not %s a secret in the keyring: %s", action, reason)
        return reason


def _backend_label(backend) -> str:
    cls = type(backend)
    module = cls.__module__
    if module == "keyring.backends.chainer":
        inner = [_backend_label(b) for b in getattr(backend, "backends", [])]
        return ", ".join(inner) or "no backend"
    if module.startswith("keyring.backends."):
        return module.rpartition(".")[2]  # SecretService, macOS, Windows, kwallet, ...
    return cls.__name__


def _non_storing(backend) -> str:
    """A reason when ``backend`` cannot keep secrets, else ""."""
    module = type(backend).__module__
    if module == "keyring.backends.fail":
        return "no keyring is available (no system keyring service was found)"
    if module == "keyring.backends.null":
        return "no keyring is available (the keyring is disabled)"
    if module == "keyring.backends.chainer" and not getattr(backend, "backends", None):
        return "no keyring is available (no system keyring service was found)"
    return ""


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _describe_failure(exc: BaseException) -> str:
    """A sentence fragment for why a keyring call failed."""
    try:
        from keyring.errors import InitError, KeyringLocked, NoKeyringError
    except Exception:  # pragma: no cover - keyring itself broken
        return f"the keyring failed ({_describe(exc)})"
    text = str(exc).strip()
    if isinstance(exc, NoKeyringError):
        return f"no keyring is available ({text or 'no backend'})"
    if isinstance(exc, KeyringLocked):
        return f"the keyring is locked ({text or 'it was not unlocked'})"
    if isinstance(exc, InitError):
        return f"the keyring could not be opened ({text or 'initialisation failed'})"
    return f"the keyring failed ({_describe(exc)})"
