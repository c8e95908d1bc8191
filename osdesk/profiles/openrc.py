"""Read and write OpenStack RC files (``export OS_AUTH_URL=...`` shell scripts)."""

from __future__ import annotations

import re
import shlex
import urllib.parse
from dataclasses import dataclass

from osdesk.profiles.profile import Profile

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

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_BLANK = " \t\r\f\v"
_BREAK = _BLANK + "\n;&|()<>"
#: ``read`` options that take an argument.
_READ_ARG_OPTS = set("adinNptu")


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


# --------------------------------------------------------------- tokenizer
@dataclass
class _Word:
    #: ("lit", text) | ("var", NAME) | ("sub", source of an expansion we do not run)
    parts: list[tuple[str, str]]
    line: int

    def literal(self) -> str | None:
        """The word's text when it holds no expansion."""
        if all(kind == "lit" for kind, _ in self.parts):
            return "".join(text for _, text in self.parts)
        return None


@dataclass
class _Value:
    text: str
    prompted: bool = False           # comes from `read` (typed in when sourced)
    unresolved: tuple[str, ...] = ()  # $VARS or $(commands) we cannot know


def _error(line: int, what: str) -> "ProfileImportError":
    from osdesk.profiles.settings import ProfileImportError

    return ProfileImportError(f"Line {line} of the RC file: {what}")


class _Scanner:
    """Splits shell text into commands of words, as far as RC files need.

    Quotes, backslashes, comments, ``$VAR``/``${VAR}`` and line continuations
    are understood; ``$(...)`` and backquotes are kept as text and never run.
    """

    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.line = 1

    def commands(self) -> list[list[_Word]]:
        text, n = self.text, len(self.text)
        commands: list[list[_Word]] = []
        current: list[_Word] = []
        while self.i < n:
            c = text[self.i]
            if c in _BLANK:
                self.i += 1
            elif c == "\\" and text.startswith("\n", self.i + 1):
                self.i += 2
                self.line += 1
            elif c == "#":
                end = text.find("\n", self.i)
                self.i = n if end < 0 else end
            elif c in "\n;&|()<>":
                if c == "\n":
                    self.line += 1
                if current:
                    commands.append(current)
                    current = []
                self.i += 1
            else:
                current.append(self._word())
        if current:
            commands.append(current)
        return commands

    def _word(self) -> _Word:
        text, n = self.text, len(self.text)
        word = _Word([], self.line)
        buf: list[str] = []

        def flush():
            if buf:
                word.parts.append(("lit", "".join(buf)))
                buf.clear()

        while self.i < n:
            c = text[self.i]
            if c in _BREAK:
                break
            if c == "\\":
                nxt = text[self.i + 1:self.i + 2]
                if nxt == "\n":
                    self.line += 1
                else:
                    buf.append(nxt)
                self.i += 2
            elif c == "'":
                end = text.find("'", self.i + 1)
                if end < 0:
                    raise _error(self.line, "a single quote (') is opened but never closed.")
                chunk = text[self.i + 1:end]
                self.line += chunk.count("\n")
                buf.append(chunk)
                self.i = end + 1
            elif c == '"':
                self._double_quoted(word, buf, flush)
            elif c == "$" and text.startswith('"', self.i + 1):
                self.i += 1  # $"..." is a translatable "..."
            elif c in "$`":
                part = self._expansion()
                if part[0] == "lit":
                    buf.append(part[1])
                else:
                    flush()
                    word.parts.append(part)
            else:
                buf.append(c)
                self.i += 1
        flush()
        return word

    def _double_quoted(self, word: _Word, buf: list[str], flush) -> None:
        text, n = self.text, len(self.text)
        start = self.line
        self.i += 1
        while True:
            if self.i >= n:
                raise _error(start, 'a double quote (") is opened but never closed.')
            c = text[self.i]
            if c == '"':
                self.i += 1
                return
            if c == "\\" and self.i + 1 < n and text[self.i + 1] in '$`"\\\n':
                if text[self.i + 1] == "\n":
                    self.line += 1
                else:
                    buf.append(text[self.i + 1])
                self.i += 2
            elif c in "$`":
                part = self._expansion()
                if part[0] == "lit":
                    buf.append(part[1])
                else:
                    flush()
                    word.parts.append(part)
            else:
                if c == "\n":
                    self.line += 1
                buf.append(c)
                self.i += 1

    def _expansion(self) -> tuple[str, str]:
        """Read ``$NAME``, ``${...}``, ``$(...)``, ``$'...'`` or a backquote."""
        text, n, i = self.text, len(self.text), self.i
        start = self.line
        if text[i] == "`":
            j = i + 1
            while j < n and text[j] != "`":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _error(start, "a backquote (`) is opened but never closed.")
            return self._took(j + 1, "sub")
        nxt = text[i + 1:i + 2]
        if nxt == "{":
            end = text.find("}", i + 2)
            if end < 0:
                raise _error(start, "a '${' is opened but never closed.")
            inner = text[i + 2:end]
            if _NAME_RE.match(inner):
                self.i = end + 1
                return ("var", inner)
            return self._took(end + 1, "sub")
        if nxt == "(":
            depth, j = 0, i + 1
            while j < n:
                ch = text[j]
                if ch == "\\":
                    j += 2
                    continue
                if ch == "'":
                    close = text.find("'", j + 1)
                    j = n if close < 0 else close + 1
                    continue
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        break
                j += 1
            if j >= n:
                raise _error(start, "a '$(' is opened but never closed.")
            return self._took(j + 1, "sub")
        if nxt == "'":
            j = i + 2
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise _error(start, "a $' quote is opened but never closed.")
            return self._took(j + 1, "sub")
        m = re.compile(r"[A-Za-z_][A-Za-z0-9_]*").match(text, i + 1)
        if m:
            self.i = m.end()
            return ("var", m.group())
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            return self._took(i + 2, "sub")
        self.i = i + 1
        return ("lit", "$")

    def _took(self, end: int, kind: str) -> tuple[str, str]:
        source = self.text[self.i:end]
        self.line += source.count("\n")
        self.i = end
        return (kind, source)


# ---------------------------------------------------------------- executor
class _Shell:
    """Runs the assignments, ``export``, ``unset`` and ``read`` of an RC file."""

    def __init__(self):
        self.vars: dict[str, _Value] = {}
        self.notes: list[str] = []

    def expand(self, word: _Word, skip: int = 0) -> _Value:
        text: list[str] = []
        prompted = False
        unresolved: list[str] = []
        for n, (kind, value) in enumerate(word.parts):
            if n == 0 and skip:
                value = value[skip:]
            if kind == "lit":
                text.append(value)
            elif kind == "var":
                known = self.vars.get(value)
                if known is None:
                    unresolved.append("$" + value)
                else:
                    text.append(known.text)
                    prompted = prompted or known.prompted
                    unresolved.extend(known.unresolved)
            else:
                unresolved.append(value)
        return _Value("".join(text), prompted, tuple(unresolved))

    def assignment(self, word: _Word) -> bool:
        """Apply ``NAME=value`` if ``word`` is one."""
        if not word.parts or word.parts[0][0] != "lit":
            return False
        m = _ASSIGN_RE.match(word.parts[0][1])
        if not m:
            return False
        self.vars[m.group(1)] = self.expand(word, skip=m.end())
        return True

    def run(self, command: list[_Word]) -> None:
        n = 0
        while n < len(command) and _is_assignment(command[n]):
            n += 1
        if n == len(command):
            for word in command:
                self.assignment(word)
            return
        name = command[n].literal()
        args = command[n + 1:]
        if name in ("export", "declare", "typeset", "readonly", "local"):
            for word in args:
                if (word.literal() or "").startswith("-"):
                    continue
                self.assignment(word)
        elif name == "unset":
            literal = [w.literal() or "" for w in args]
            if any(a.startswith("-") and "f" in a for a in literal):
                return  # unset -f: functions
            for a in literal:
                self.vars.pop(a, None)
        elif name == "read":
            self._read(args)
        elif name in ("source", "."):
            target = args[0].literal() if args else None
            self.notes.append(f"The file loads another file ({target or 'unknown'}); "
                              f"settings in that file were not read.")

    def _read(self, args: list[_Word]) -> None:
        names: list[str] = []
        skip_next = False
        for word in args:
            text = word.literal() or ""
            if skip_next:
                skip_next = False
                continue
            if text.startswith("-") and len(text) > 1 and not names:
                for pos, opt in enumerate(text[1:], 1):
                    if opt in _READ_ARG_OPTS:
                        skip_next = pos == len(text) - 1  # argument is the next word
                        break
                continue
            if _NAME_RE.match(text):
                names.append(text)
        for var in names or ["REPLY"]:
            self.vars[var] = _Value("", prompted=True)


def _is_assignment(word: _Word) -> bool:
    return bool(word.parts and word.parts[0][0] == "lit" and _ASSIGN_RE.match(word.parts[0][1]))


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

    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError:
            raise ProfileImportError("The RC file is not UTF-8 text.") from None
    if not isinstance(text, str):
        raise ProfileImportError("An RC file must be text.")
    text = text.lstrip("\ufeff").replace("\r\n", "\n")

    shell = _Shell()
    for command in _Scanner(text).commands():
        shell.run(command)
    env = {k: v for k, v in shell.vars.items() if k.startswith("OS_")}
    notes = list(shell.notes)

    from osdesk.profiles.settings import KNOWN_KEYS

    flat: dict[str, str] = {}
    for var, value in env.items():
        if var.split("_", 1)[1].lower() not in KNOWN_KEYS:
            continue  # OS_PASSWORD_INPUT, OS_COMPUTE_API_VERSION, ...: not ours
        if var in SECRET_VARS and (value.prompted or value.unresolved):
            if value.prompted:
                notes.append(f"{var} is typed in when the file is sourced; "
                             f"osdesk will ask for it instead.")
            continue
        if value.unresolved:
            notes.append(f"{var} is built from {', '.join(value.unresolved)}, which the "
                         f"file does not set, so it was left out.")
            continue
        if value.prompted:
            notes.append(f"{var} is typed in when the file is sourced, so it was left out.")
            continue
        if value.text:
            flat[var.split("_", 1)[1].lower()] = value.text

    if not env:
        raise ProfileImportError("This is not an OpenStack RC file: it sets no OS_* "
                                 "variables.")
    if "auth_url" not in flat:
        if flat.get("cloud") and len(flat) == 1:
            raise ProfileImportError(
                f"The RC file only selects the cloud {flat['cloud']!r} of clouds.yaml "
                f"(OS_CLOUD); import that cloud from clouds.yaml instead.")
        detail = " ".join(n for n in notes if n.startswith("OS_AUTH_URL"))
        raise ProfileImportError(
            "The RC file does not set OS_AUTH_URL, the address of the cloud's Identity "
            "service." + (" " + detail if detail else ""))

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
