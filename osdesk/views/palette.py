"""A dark palette for Fusion, for people (and screenshots) that want one."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette


def dark_palette() -> QPalette:
    p = QPalette()
    base, window, text = QColor(35, 38, 41), QColor(49, 54, 59), QColor(239, 240, 241)
    roles = {
        QPalette.ColorRole.Window: window, QPalette.ColorRole.WindowText: text,
        QPalette.ColorRole.Base: base, QPalette.ColorRole.AlternateBase: QColor(42, 46, 50),
        QPalette.ColorRole.ToolTipBase: window, QPalette.ColorRole.ToolTipText: text,
        QPalette.ColorRole.Text: text, QPalette.ColorRole.Button: window,
        QPalette.ColorRole.ButtonText: text, QPalette.ColorRole.BrightText: QColor(255, 80, 80),
        QPalette.ColorRole.Link: QColor(61, 174, 233), QPalette.ColorRole.Highlight: QColor(61, 174, 233),
        QPalette.ColorRole.HighlightedText: QColor(20, 20, 20),
        QPalette.ColorRole.PlaceholderText: QColor(140, 145, 150), QPalette.ColorRole.Mid: QColor(90, 95, 100),
    }
    for role, color in roles.items():
        p.setColor(role, color)
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText, QPalette.ColorRole.WindowText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor(120, 125, 130))
    return p


#: View → Theme: the desktop's own look, or Fusion light or dark
THEMES = (("system", "&System"), ("light", "&Light"), ("dark", "&Dark"))
_SYSTEM: dict = {}


def apply_theme(app, name: str) -> None:
    """Show ``app`` in the theme ``name`` ("system", "light", "dark"); the system look is
    remembered the first time, so choosing it again restores it."""
    if not _SYSTEM:
        _SYSTEM.update(style=app.style().name(), palette=QPalette(app.palette()))
    if name == "dark":
        app.setStyle("Fusion")
        app.setPalette(dark_palette())
    elif name == "light":
        app.setStyle("Fusion")
        app.setPalette(app.style().standardPalette())
    else:
        app.setStyle(_SYSTEM["style"])
        app.setPalette(_SYSTEM["palette"])
