"""The settings of one cloud as clouds.yaml and OS_* variables name them, turned into a
profile; shared by the clouds.yaml importer and the RC file importer."""

from __future__ import annotations

import math
import os
from typing import Any, Callable

from osdesk.profiles.profile import AUTH_TYPES, INTERFACES, Profile, keystone_v2

#: keystoneauth plugin names osdesk accepts, and the AUTH_TYPES entry each means
#: (Keystone v2.0's v2password and v2token are refused with their own sentence).
AUTH_TYPE_ALIASES = {
    "password": "password",
    "v3password": "password",
    "v3applicationcredential": "v3applicationcredential",
    "token": "token",
    "v3token": "token",
}

#: Profile field <- config keys, first found wins. Config keys are the
#: clouds.yaml ``auth:`` keys, which are also the OS_* names lower-cased.
FIELD_KEYS: dict[str, tuple[str, ...]] = {
    "auth_url": ("auth_url",),
    "username": ("username", "user_name"),
    "user_id": ("user_id",),
    "user_domain_name": ("user_domain_name",),
    "user_domain_id": ("user_domain_id",),
    "project_name": ("project_name", "tenant_name"),
    "project_id": ("project_id", "tenant_id"),
    "project_domain_name": ("project_domain_name",),
    "project_domain_id": ("project_domain_id",),
    "domain_name": ("domain_name",),
    "domain_id": ("domain_id",),
    "application_credential_id": ("application_credential_id",),
    "application_credential_name": ("application_credential_name",),
    "region_name": ("region_name",),
    "cacert": ("cacert",),
}

#: The config keys holding the secret of each auth type.
SECRET_KEYS = {
    "password": ("password",),
    "v3applicationcredential": ("application_credential_secret",),
    "token": ("token", "auth_token"),
}

#: Every config key profile_from_settings reads.
KNOWN_KEYS = frozenset(
    [k for keys in FIELD_KEYS.values() for k in keys]
    + [k for keys in SECRET_KEYS.values() for k in keys]
    + ["auth_type", "interface", "endpoint_type", "verify", "insecure", "api_timeout",
       "timeout", "cloud"])

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


class ProfileImportError(Exception):
    """Input that cannot be turned into a profile; ``str(err)`` says why, for a person."""


class SettingsProblem(Exception):
    """One reason a cloud could not be imported (message for the user, to follow
    "... was not imported: ")."""


def profile_from_settings(
    get: Callable[[str], Any],
    *,
    name: str,
    auth_type: str | None,
    warn: Callable[[str], None] = lambda _msg: None,
    **profile_fields,
) -> tuple[Profile, str | None]:
    """Build a profile from flat config keys (clouds.yaml / OS_* naming).

    ``get(key)`` returns a value or None. ``auth_type`` None means "not given":
    it is then guessed from the keys present, as openstackclient does.
    Raises ``SettingsProblem`` with a sentence when the settings are unusable.
    """
    values: dict[str, Any] = {}
    for fname, keys in FIELD_KEYS.items():
        for key in keys:
            value = _text(get(key), key)
            if value:
                values[fname] = value
                break

    # "domain_*" alone means the user's and project's domain when a project is
    # given (openstacksdk loader._handle_domain_id); it is a scope otherwise.
    if values.get("project_name") or values.get("project_id"):
        for kind in ("name", "id"):
            domain = values.pop(f"domain_{kind}", "")
            if domain:
                for target in (f"user_domain_{kind}", f"project_domain_{kind}"):
                    values.setdefault(target, domain)

    raw_type = _text(auth_type, "auth_type").strip() if auth_type else ""
    if not raw_type:
        if _text(get("token"), "token") or _text(get("auth_token"), "auth_token"):
            raw_type = "token"
        elif (values.get("application_credential_id")
              or _text(get("application_credential_secret"), "application_credential_secret")):
            raw_type = "v3applicationcredential"
        else:
            raw_type = "password"
    # refused here, with its reason, rather than imported to fail at the first login
    v2 = keystone_v2(values.get("auth_url", ""), raw_type)
    if v2:
        raise SettingsProblem(f"it uses {v2[0]}, which is not supported: {v2[1]}")
    kind = AUTH_TYPE_ALIASES.get(raw_type.lower())
    if kind is None:
        raise SettingsProblem(f"it uses the auth type {raw_type!r}, which osdesk does not "
                              f"support (supported: {', '.join(AUTH_TYPES)})")

    interface = _text(get("interface") or get("endpoint_type"), "interface").strip().lower()
    if interface.endswith("url"):  # "publicURL", the Keystone v2 spelling
        interface = interface[:-3]
    if interface and interface not in INTERFACES:
        raise SettingsProblem(f"its interface {interface!r} is not one of "
                              f"{', '.join(INTERFACES)}")

    verify = True
    raw_verify = get("verify")
    if raw_verify is not None:
        flag = _boolean(raw_verify)
        if flag is None:
            if isinstance(raw_verify, str) and raw_verify.strip():
                values.setdefault("cacert", raw_verify.strip())  # verify: /path/to/ca.pem
            else:
                raise SettingsProblem(f"'verify' must be true, false or a CA file, "
                                      f"not {raw_verify!r}")
        else:
            verify = flag
    raw_insecure = get("insecure")
    if raw_insecure is not None:
        flag = _boolean(raw_insecure)
        if flag is None:
            raise SettingsProblem(f"'insecure' must be true or false, not {raw_insecure!r}")
        if flag:
            verify = False
    if values.get("cacert"):
        values["cacert"] = os.path.expanduser(values["cacert"])

    timeout = 30.0
    for key in ("api_timeout", "timeout"):
        raw = get(key)
        if raw is None or raw == "":
            continue
        try:
            number = float(raw) if not isinstance(raw, bool) else math.nan
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        if math.isfinite(number) and number > 0:
            timeout = number
        else:
            warn(f"its {key} {raw!r} is not a positive number of seconds; "
                 f"osdesk uses {timeout:g}")
        break

    profile = Profile(name=name, auth_url=values.pop("auth_url", ""), auth_type=kind,
                      interface=interface or "public",
                      verify=verify, timeout=timeout, **values, **profile_fields)
    secret = None
    for key in SECRET_KEYS[kind]:
        secret = _text(get(key), key) or None
        if secret:
            break
    return profile, secret


def _text(value: Any, key: str) -> str:
    """A config value as text; numbers are fine (YAML reads ids as numbers)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        raise SettingsProblem(f"{key!r} must be text, not {str(value).lower()}")
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return value
    raise SettingsProblem(f"{key!r} must be text, not {kind_of(value)}")


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def kind_of(value: Any) -> str:
    """What a YAML value is, in words: "a list", "a number", ..."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if value is None:
        return "empty"
    return f"a {type(value).__name__}"
