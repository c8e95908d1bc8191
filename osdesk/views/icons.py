"""Icons: the app icon from resources/, the rest from the platform theme with fallbacks."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtGui import QIcon
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
    if not themed.isNull():
        return themed
    return QApplication.style().standardIcon(fallback)
