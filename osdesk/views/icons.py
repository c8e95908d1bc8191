"""Icons: the app icon from resources/, the rest from the platform theme with fallbacks.

A one-colour icon (a glyph: play, pause, an arrow) is drawn in the palette's text colour
when it is painted, so it stays legible in the dark theme and follows View → Theme at
once; a many-coloured one is drawn as it is.
"""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from osdesk.desktop.assets import resource


@lru_cache(maxsize=1)
def app_icon() -> QIcon:
    icon = QIcon()
    for size in (16, 32, 48, 64, 128, 256):
        png = resource(f"icons/osdesk-{size}.png")
        if png.exists():
            icon.addFile(str(png))
    svg = resource("osdesk.svg")
    if svg.exists():
        icon.addFile(str(svg))
    return icon


#: our name → (freedesktop theme name, QStyle fallback)
_THEMED = {
    "refresh": ("view-refresh", QStyle.StandardPixmap.SP_BrowserReload),
    "add": ("list-add", QStyle.StandardPixmap.SP_FileDialogNewFolder),
    "edit": ("document-edit", QStyle.StandardPixmap.SP_FileDialogDetailedView),
    "delete": ("edit-delete", QStyle.StandardPixmap.SP_TrashIcon),
    "copy": ("edit-copy", QStyle.StandardPixmap.SP_FileDialogContentsView),
    "import": ("document-open", QStyle.StandardPixmap.SP_DialogOpenButton),
    "save": ("document-save", QStyle.StandardPixmap.SP_DialogSaveButton),
    "stop": ("process-stop", QStyle.StandardPixmap.SP_BrowserStop),
    "start": ("media-playback-start", QStyle.StandardPixmap.SP_MediaPlay),
    "pause": ("media-playback-pause", QStyle.StandardPixmap.SP_MediaPause),
    "console": ("utilities-terminal", QStyle.StandardPixmap.SP_ComputerIcon),
    "inspect": ("document-properties", QStyle.StandardPixmap.SP_FileDialogInfoView),
    "cloud": ("network-server", QStyle.StandardPixmap.SP_DriveNetIcon),
    "clear": ("edit-clear", QStyle.StandardPixmap.SP_DialogResetButton),
    "warning": ("dialog-warning", QStyle.StandardPixmap.SP_MessageBoxWarning),
    "error": ("dialog-error", QStyle.StandardPixmap.SP_MessageBoxCritical),
    "info": ("dialog-information", QStyle.StandardPixmap.SP_MessageBoxInformation),
    "launch": ("list-add", QStyle.StandardPixmap.SP_ArrowUp),
}


def icon(name: str) -> QIcon:
    theme, fallback = _THEMED.get(name, (name, QStyle.StandardPixmap.SP_FileIcon))
    themed = QIcon.fromTheme(theme)
    base = themed if not themed.isNull() else QApplication.style().standardIcon(fallback)
    return QIcon(PaletteIconEngine(base))


def is_glyph(pixmap: QPixmap) -> bool:
    """Whether ``pixmap`` is one colour (greys of one lightness) on transparency."""
    image = pixmap.toImage()
    lightness = []
    step = max(1, image.width() // 16)
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            color = image.pixelColor(x, y)
            if color.alpha() < 128:
                continue
            if color.hslSaturation() > 40:
                return False
            lightness.append(color.lightness())
    return bool(lightness) and max(lightness) - min(lightness) < 80


def tinted(pixmap: QPixmap, color: QColor) -> QPixmap:
    """``pixmap``'s shape filled with ``color`` (its alpha kept)."""
    out = QPixmap(pixmap.size())
    out.setDevicePixelRatio(pixmap.devicePixelRatio())
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.drawPixmap(QPoint(0, 0), pixmap)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(out.rect(), color)
    painter.end()
    return out


class PaletteIconEngine(QIconEngine):
    """Draws ``base``; a glyph in the application palette's text colour of the moment."""

    def __init__(self, base: QIcon):
        super().__init__()
        self.base = base
        self._glyph: bool | None = None

    def _is_glyph(self) -> bool:
        if self._glyph is None:
            self._glyph = is_glyph(self.base.pixmap(QSize(32, 32)))
        return self._glyph

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        pixmap = self.base.pixmap(size, mode, state)
        if pixmap.isNull() or not self._is_glyph():
            return pixmap
        group = (QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled
                 else QPalette.ColorGroup.Active)
        return tinted(pixmap, QApplication.palette().color(group,
                                                           QPalette.ColorRole.WindowText))

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode,
              state: QIcon.State) -> None:
        painter.drawPixmap(rect, self.pixmap(rect.size(), mode, state))

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:  # noqa: N802
        return self.base.actualSize(size, mode, state)

    def availableSizes(self, mode: QIcon.Mode = QIcon.Mode.Normal,  # noqa: N802
                       state: QIcon.State = QIcon.State.Off) -> list[QSize]:
        return self.base.availableSizes(mode, state)

    def clone(self) -> QIconEngine:
        return PaletteIconEngine(self.base)
