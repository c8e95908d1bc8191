"""The detail pane: sections in one aligned table, values escaped, copy links."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QGuiApplication

from osdesk.views.detail_pane import DetailPane


def test_sections_share_one_table_so_values_line_up(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)

    pane.show_sections("web-01", [("Server", [("ID", "abc", True), ("Name", "web-01", True)]),
                                  ("Details", [("A much longer label", "x", False)])])

    html = pane.toHtml()
    assert html.count("<table") == 1
    text = pane.toPlainText()
    assert text.index("Server") < text.index("Details") < text.index("A much longer label")


def test_values_are_escaped_and_copy_links_copy_the_value(qtbot):
    pane = DetailPane()
    qtbot.addWidget(pane)

    pane.show_sections("t", [("S", [("Name", "<b>not bold</b>", True), ("Empty", "—", True)])])

    assert "<b>not bold</b>" in pane.toPlainText()
    pane.on_anchor_clicked(QUrl("copy:0"))
    assert QGuiApplication.clipboard().text() == "<b>not bold</b>"
    assert pane.toHtml().count("copy:") == 1  # no copy link for "—"
