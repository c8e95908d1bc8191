"""Syntax colours for pretty-printed JSON in the console and other text views."""

from __future__ import annotations

import re

from PySide6.QtGui import (QColor, QFont, QPalette, QSyntaxHighlighter, QTextCharFormat,
                           QTextDocument)

__all__ = ["JsonHighlighter", "is_dark"]

#: One token of JSON text: a string (a key when a colon follows), a number or a literal.
_TOKEN = re.compile(
    r'(?P<string>"(?:[^"\\]|\\.)*")(?P<colon>\s*:)?'
    r'|(?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)'
    r'|(?P<literal>\b(?:true|false|null)\b)')
#: ``Name: value`` of an HTTP header line in the head of a message.
_HEADER = re.compile(r"^([!#$%&'*+.^_`|~0-9A-Za-z-]+):")

#: key, string, number, literal, header-name colours. The dark set is lighter, so
#: each reads on its own background; which set is used follows the window lightness.
_LIGHT = ("#1f4e9c", "#0a7a32", "#a3510a", "#8b1ea8", "#5b6470")
_DARK = ("#7fb4ff", "#8fd694", "#f0b46b", "#d79bf0", "#a5adb8")

_HEAD, _BODY = 0, 1


def is_dark(palette: QPalette) -> bool:
    """True when the palette's window colour is dark (lightness below the middle)."""
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers and true/false/null in pretty JSON.

    With ``http_head=True`` the text is read as an HTTP message: the lines up to the
    first empty line are a head (a bold first line, then ``Name: value`` headers with
    muted names) and only what follows is coloured as JSON. The console uses this;
    plain JSON documents leave it off.
    """

    def __init__(self, document: QTextDocument, palette: QPalette | None = None, *,
                 http_head: bool = False):
        super().__init__(document)
        self._http_head = http_head
        self._formats: dict[str, QTextCharFormat] = {}
        self.set_palette(palette if palette is not None else QPalette())

    def set_palette(self, palette: QPalette) -> None:
        """Pick the colour set for ``palette``; call again when the palette changes."""
        colours = _DARK if is_dark(palette) else _LIGHT
        self._formats = {}
        for name, colour in zip(("key", "string", "number", "literal", "header"), colours):
            fmt = QTextCharFormat()
            fmt.setForeground(QColor(colour))
            if name == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats[name] = fmt
        first = QTextCharFormat()
        first.setFontWeight(QFont.Weight.Bold)
        self._formats["first"] = first
        if self.document() is not None:
            self.rehighlight()

    def colour_of(self, kind: str) -> QColor:
        """The colour used for ``kind`` ("key", "string", "number", "literal", "header")."""
        return self._formats[kind].foreground().color()

    def highlightBlock(self, text: str) -> None:
        if self._http_head:
            previous = self.previousBlockState()
            if previous != _BODY:
                if not text.strip():
                    self.setCurrentBlockState(_BODY)
                    return
                self.setCurrentBlockState(_HEAD)
                if previous == -1:  # the first line: "GET https://…" / "HTTP 200 OK"
                    self.setFormat(0, len(text), self._formats["first"])
                else:
                    match = _HEADER.match(text)
                    if match:
                        self.setFormat(0, match.end(1), self._formats["header"])
                return
            self.setCurrentBlockState(_BODY)
        for match in _TOKEN.finditer(text):
            if match.group("string") is not None:
                kind = "key" if match.group("colon") else "string"
                start, end = match.span("string")
            elif match.group("number") is not None:
                kind = "number"
                start, end = match.span("number")
            else:
                kind = "literal"
                start, end = match.span("literal")
            self.setFormat(start, end - start, self._formats[kind])
