"""Read and write OpenStack RC files (``export OS_AUTH_URL=...`` shell scripts)."""

from __future__ import annotations

import shlex
import urllib.parse

from osdesk.profiles.profile import Profile
from osdesk.profiles.rcshell import run_script

#: OS_* variables that carry a secret; never taken from a prompt or the caller's shell.
SECRET_VARS = ("OS_PASSWORD", "OS_APPLICATION_CREDENTIAL_SECRET", "OS_TOKEN", "OS_AUTH_TOKEN")

#: Every variable an exported RC file sets or clears, so that sourcing it in a
#: shell that already holds another cloud's variables does not mix the two.
_MANAGED_VARS = (
    "OS_CLOUD", "OS_AUTH_URL", "OS_AUTH_TYPE", "OS_IDENTITY_API_VERSION",
    "OS_USERNAME", "OS_USER_ID", "OS_USER_DOMAIN_NAME", "OS_USER_DOMAIN_ID",
    "OS_PROJECT_NAME", "OS_PROJECT_ID", "OS_PROJECT_DOMAIN_NAME", "OS_PROJECT_DOMAIN_ID",
    "OS_TENANT_NAME", "OS_TENANT_ID", "OS_DOMAIN_NAME", "OS_DOMAIN_ID",
    "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_NAME",
    "OS_REGION_NAME", "OS_INTERFACE", "OS_ENDPOINT_TYPE", "OS_CACERT", "OS_INSECURE",
    "OS_API_TIMEOUT", *SECRET_VARS,
)


class OpenrcImport(tuple):
    """``(profile, secret)`` from ``parse_openrc``, plus ``warnings`` (sentences)."""

    def __new__(cls, profile: Profile, secret: str | None, warnings: list[str]):
        obj = super().__new__(cls, (profile, secret))
        obj.warnings = warnings
        return obj

    @property
    def profile(self) -> Profile:
        return self[0]

    @property
    def secret(self) -> str | None:
        return self[1]


# ------------------------------------------------------------------ import
def parse_openrc(text: str | bytes, name: str | None = None) -> OpenrcImport:
    """The profile (and secret, if the file holds one) of an OpenStack RC file.

    Understands Horizon's files, including the ``read -sr OS_PASSWORD_INPUT``
    prompt (no secret is returned then), ``unset``, quotes and comments. Shell
    commands in the file are never run. ``name`` names the profile; by default
    it is made from the project and the auth URL's host.
    Raises ProfileImportError, with a sentence for the user, for anything else.
    """
    from osdesk.profiles.settings import ProfileImportError, SettingsProblem, profile_from_settings

    shell = run_script(_decoded(text))
    env = {k: v for k, v in shell.vars.items() if k.startswith("OS_")}
    notes = list(shell.notes)
    flat = _settings_of(env, notes)
    _check_auth_url(env, flat, notes)
    try:
        profile, secret = profile_from_settings(
            flat.get, name=name or "", auth_type=flat.get("auth_type") or None,
            warn=lambda msg: notes.append(_sentence(msg)))
    except SettingsProblem as exc:
        raise ProfileImportError(f"The RC file cannot be used: {_sentence(str(exc))}") from None
    if not name:
        profile.name = _default_name(profile)
    problems = profile.problems()
    if problems:
        raise ProfileImportError("The RC file does not describe a usable cloud: "
                                 + " ".join(problems + notes))
    return OpenrcImport(profile, secret, notes)


def _decoded(text: str | bytes) -> str:
    """The RC file's text, without a byte order mark, with Unix line ends."""
    from osdesk.profiles.settings import ProfileImportError

    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ProfileImportError("The RC file is not UTF-8 text.") from None
    if not isinstance(text, str):
        raise ProfileImportError("An RC file must be text.")
    return text.lstrip("\ufeff").replace("\r\n", "\n")


def _settings_of(env: dict, notes: list[str]) -> dict[str, str]:
    """The known settings (``auth_url``, …) of the ``OS_*`` variables the file sets.

    A value typed in when the file is sourced, or built from variables the file does
    not set, is left out with a note (a secret is asked for at connect time instead).
    """
    from osdesk.profiles.settings import KNOWN_KEYS

    flat: dict[str, str] = {}
    for var, value in env.items():
        key = var.split("_", 1)[1].lower()
        if key not in KNOWN_KEYS:
            continue  # OS_PASSWORD_INPUT, OS_COMPUTE_API_VERSION, ...: not ours
        if var in SECRET_VARS and (value.prompted or value.unresolved):
            if value.prompted:
                notes.append(f"{var} is typed in when the file is sourced; "
                             f"osdesk will ask for it instead.")
        elif value.unresolved:
            notes.append(f"{var} is built from {', '.join(value.unresolved)}, which the "
                         f"file does not set, so it was left out.")
        elif value.prompted:
            notes.append(f"{var} is typed in when the file is sourced, so it was left out.")
        elif value.text:
            flat[key] = value.text
    return flat


def _check_auth_url(env: dict, flat: dict[str, str], notes: list[str]) -> None:
    """Refuse a file that sets no ``OS_*`` variable, or no usable ``OS_AUTH_URL``."""
    from osdesk.profiles.settings import ProfileImportError

    if not env:
        raise ProfileImportError("This is not an OpenStack RC file: it sets no OS_* "
                                 "variables.")
    if "auth_url" in flat:
        return
    if flat.get("cloud") and len(flat) == 1:
        raise ProfileImportError(
            f"The RC file only selects the cloud {flat['cloud']!r} of clouds.yaml "
            f"(OS_CLOUD); import that cloud from clouds.yaml instead.")
    detail = " ".join(n for n in notes if n.startswith("OS_AUTH_URL"))
    raise ProfileImportError(
        "The RC file does not set OS_AUTH_URL, the address of the cloud's Identity "
        "service." + (" " + detail if detail else ""))


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith(".") else text + "."


def _default_name(profile: Profile) -> str:
    try:
        host = urllib.parse.urlsplit(profile.auth_url).hostname or ""
    except ValueError:
        host = ""
    host = host or profile.auth_url
    label = (profile.project_name or profile.project_id or profile.domain_name
             or profile.domain_id or profile.application_credential_name
             or profile.username or profile.user_id)
    return f"{label} @ {host}" if label else host


# ------------------------------------------------------------------ export
def export_openrc(profile: Profile, secret: str | None = None) -> str:
    """A bash RC file for ``profile``.

    Without ``secret`` the file asks for it when sourced (``read -sr``, as
    Horizon's files do); the secret is written only when passed explicitly.
    """
    values: dict[str, str] = {
        "OS_AUTH_URL": profile.auth_url,
        "OS_AUTH_TYPE": profile.auth_type,
    }
    if not profile.auth_url.rstrip("/").endswith("/v2.0"):
        values["OS_IDENTITY_API_VERSION"] = "3"
    for field in ("username", "user_id", "user_domain_name", "user_domain_id",
                  "project_name", "project_id", "project_domain_name", "project_domain_id",
                  "domain_name", "domain_id",
                  "application_credential_id", "application_credential_name",
                  "region_name", "interface", "cacert"):
        if field.startswith("domain_") and profile.scope == "project":
            continue  # with a project, OS_DOMAIN_* would mean the user's/project's domain
        value = getattr(profile, field)
        if value:
            values["OS_" + field.upper()] = value
    if not profile.verify:
        values["OS_INSECURE"] = "true"
    values["OS_API_TIMEOUT"] = repr(float(profile.timeout))

    secret_var = {"password": "OS_PASSWORD",
                  "v3applicationcredential": "OS_APPLICATION_CREDENTIAL_SECRET",
                  "token": "OS_TOKEN"}.get(profile.auth_type, "OS_PASSWORD")
    title = "".join(ch if ch.isprintable() else "?" for ch in profile.name)
    lines = [
        "#!/usr/bin/env bash",
        f"# OpenStack RC file for the cloud {title}, written by osdesk.",
        "# Load it into your shell with:  source <this file>",
        "",
        "# Clear variables of another cloud that this one does not set.",
        "unset " + " ".join(v for v in _MANAGED_VARS
                            if v not in values and v != secret_var),
    ]
    lines += [f"export {var}={shlex.quote(value)}" for var, value in values.items()]
    if secret is not None:
        lines.append(f"export {secret_var}={shlex.quote(secret)}")
    else:
        prompt_var = secret_var + "_INPUT"
        what = {"OS_PASSWORD": "password",
                "OS_APPLICATION_CREDENTIAL_SECRET": "application credential secret",
                "OS_TOKEN": "token"}[secret_var]
        who = profile.username or profile.user_id or profile.application_credential_name \
            or profile.application_credential_id
        scope = profile.scope_label if profile.scope != "unscoped" else ""
        message = f"Please enter your OpenStack {what}"
        if scope:
            message += f" for {'project ' if profile.scope == 'project' else ''}{scope}"
        if who and profile.auth_type == "password":
            message += f" as user {who}"
        message = "".join(ch if ch.isprintable() else "?" for ch in message) + ": "
        lines += [
            f"echo {shlex.quote(message)}",
            f"read -sr {prompt_var}",
            f'export {secret_var}="${prompt_var}"',
            f"unset {prompt_var}",
        ]
    return "\n".join(lines) + "\n"
