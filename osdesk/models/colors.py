"""Status colours for the Foreground role: one fixed QColor per colour role."""

from __future__ import annotations

from PySide6.QtGui import QColor

#: Mid-luminance tones chosen to keep roughly 3.5:1 contrast or better against both a
#: white and a near-black (#1e1e1e) base, so they need no palette lookup and stay
#: readable when the user switches between light and dark themes.
ROLE_COLORS: dict[str, QColor] = {
    "ok": QColor("#2e9a4b"),
    "busy": QColor("#3b82d0"),
    "warn": QColor("#c27a0e"),
    "error": QColor("#d9423a"),
}


def color_for(role: str | None) -> QColor | None:
    """The QColor of a colour role ("ok", "busy", "warn", "error"); None for neutral."""
    if role is None:
        return None
    return ROLE_COLORS.get(role)
