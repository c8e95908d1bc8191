"""Icons follow View → Theme: a one-colour glyph is drawn in the palette's text colour
(legible on dark), a coloured icon as it is."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QToolButton

from osdesk.views.icons import icon, is_glyph
from osdesk.views.palette import apply_theme


def ink(qicon, size=32) -> QColor:
    """The colour of the icon's most opaque, darkest-or-lightest pixel: its ink."""
    image = qicon.pixmap(QSize(size, size)).toImage()
    pixels = [image.pixelColor(x, y) for y in range(image.height())
              for x in range(image.width())]
    opaque = [c for c in pixels if c.alpha() > 200]
    assert opaque
    return opaque[len(opaque) // 2]


def test_a_glyph_takes_the_themes_text_colour_and_follows_a_change(qapp):
    start = icon("start")  # one icon, made once: it follows the theme by itself
    try:
        apply_theme(qapp, "light")
        light = ink(start)
        apply_theme(qapp, "dark")
        dark = ink(start)
        assert light.lightness() < 100 and dark.lightness() > 180
        assert dark.rgb() != light.rgb()
        assert is_glyph(icon("pause").pixmap(32)) and is_glyph(start.pixmap(32))
    finally:
        apply_theme(qapp, "system")


def test_a_coloured_icon_keeps_its_colours(qapp):
    warning = icon("warning")
    try:
        apply_theme(qapp, "light")
        light = warning.pixmap(32).toImage()
        apply_theme(qapp, "dark")
        dark = warning.pixmap(32).toImage()
        assert light == dark
        assert not is_glyph(warning.pixmap(32))
    finally:
        apply_theme(qapp, "system")


def test_a_tool_button_repaints_its_icon_in_the_new_colour(qtbot, qapp):
    button = QToolButton()
    qtbot.addWidget(button)
    button.setIcon(icon("start"))
    button.setIconSize(QSize(24, 24))
    button.resize(40, 40)
    try:
        apply_theme(qapp, "light")
        before = button.grab().toImage()
        apply_theme(qapp, "dark")
        after = button.grab().toImage()
        centre = (20, 20)  # on the triangle: dark ink on light, light ink on dark
        assert before.pixelColor(*centre).lightness() < 100
        assert after.pixelColor(*centre).lightness() > 180
    finally:
        apply_theme(qapp, "system")
