"""The detail pane beside a table: every field of the selected row, with copy links."""

from __future__ import annotations

import html

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QTextBrowser, QWidget


class DetailPane(QTextBrowser):
    """Shows sections of (label, value, copyable) rows as a compact HTML table."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setMinimumWidth(260)
        self._copy: list[str] = []
        self.anchorClicked.connect(self.on_anchor_clicked)
        self.show_message("Select a row to see its details.")

    def show_message(self, text: str) -> None:
        self._copy = []
        self.setHtml(f"<p style='color: gray'>{html.escape(text)}</p>")

    def show_sections(self, title: str, sections: list, extra_note: str = "") -> None:
        self._copy = []
        # one table for every section, so the values line up all the way down
        parts = [f"<h3 style='margin-bottom:4px'>{html.escape(title)}</h3>",
                 "<table cellspacing='0' cellpadding='2' width='100%'>"]
        for number, (name, rows) in enumerate(sections):
            top = "" if number == 0 else " style='padding-top:10px'"
            parts.append(f"<tr><td colspan='2'{top}><b>{html.escape(name)}</b></td></tr>")
            for label, value, copyable in rows:
                value = "" if value is None else str(value)
                link = ""
                if copyable and value and value != "—":
                    self._copy.append(value)
                    link = (f" <a href='copy:{len(self._copy) - 1}' "
                            f"style='text-decoration:none'>[copy]</a>")
                parts.append(f"<tr><td style='color:gray; padding-right:8px' valign='top' "
                             f"nowrap>{html.escape(str(label))}</td><td>{html.escape(value)}"
                             f"{link}</td></tr>")
        parts.append("</table>")
        if extra_note:
            parts.append(f"<p style='color:gray'>{html.escape(extra_note)}</p>")
        self.setHtml("".join(parts))

    def on_anchor_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith("copy:"):
            index = int(text.split(":", 1)[1])
            if 0 <= index < len(self._copy):
                QGuiApplication.clipboard().setText(self._copy[index])
