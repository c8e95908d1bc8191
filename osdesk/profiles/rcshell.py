"""The bit of shell that OpenStack RC files use, read without running anything.

:class:`Scanner` splits the text into commands of words; :class:`Shell` runs their
assignments, ``export``, ``unset`` and ``read``, and notes what it cannot know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from osdesk.profiles.settings import ProfileImportError

__all__ = ["Scanner", "Shell", "run_script"]

_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_VAR_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=")
_BLANK = " \t\r\f\v"
_BREAK = _BLANK + "\n;&|()<>"
#: ``read`` options that take an argument.
_READ_ARG_OPTS = set("adinNptu")


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


class Scanner:
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
                self._add_expansion(word, buf, flush)
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
                self._add_expansion(word, buf, flush)
            else:
                if c == "\n":
                    self.line += 1
                buf.append(c)
                self.i += 1

    def _add_expansion(self, word: _Word, buf: list[str], flush) -> None:
        """Read an expansion: a lone ``$`` joins the text in ``buf``, the rest is a part."""
        part = self._expansion()
        if part[0] == "lit":
            buf.append(part[1])
        else:
            flush()
            word.parts.append(part)

    def _expansion(self) -> tuple[str, str]:
        """Read ``$NAME``, ``${...}``, ``$(...)``, ``$'...'`` or a backquote."""
        text, i = self.text, self.i
        start = self.line
        if text[i] == "`":
            return self._took(self._closing(i + 1, "`", start, "a backquote (`)"), "sub")
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
            return self._took(self._command_end(i + 1, start), "sub")
        if nxt == "'":
            return self._took(self._closing(i + 2, "'", start, "a $' quote"), "sub")
        m = _VAR_RE.match(text, i + 1)
        if m:
            self.i = m.end()
            return ("var", m.group())
        if nxt and (nxt.isdigit() or nxt in "@*#?$!-"):
            return self._took(i + 2, "sub")
        self.i = i + 1
        return ("lit", "$")

    def _closing(self, j: int, quote: str, start: int, what: str) -> int:
        """The position after the ``quote`` that closes at or after ``j`` (``\\`` escapes)."""
        text, n = self.text, len(self.text)
        while j < n and text[j] != quote:
            j += 2 if text[j] == "\\" else 1
        if j >= n:
            raise _error(start, f"{what} is opened but never closed.")
        return j + 1

    def _command_end(self, j: int, start: int) -> int:
        """The position after the ``)`` that closes the ``(`` at ``j`` of a ``$(...)``."""
        text, n = self.text, len(self.text)
        depth = 0
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
                    return j + 1
            j += 1
        raise _error(start, "a '$(' is opened but never closed.")

    def _took(self, end: int, kind: str) -> tuple[str, str]:
        source = self.text[self.i:end]
        self.line += source.count("\n")
        self.i = end
        return (kind, source)


# ---------------------------------------------------------------- executor
class Shell:
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


def run_script(text: str) -> Shell:
    """The variables and notes of an RC file's text, run as far as RC files need."""
    shell = Shell()
    for command in Scanner(text).commands():
        shell.run(command)
    return shell
