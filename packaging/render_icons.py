#!/usr/bin/env python3
"""Render ``resources/osdesk.svg`` into the PNG sizes the icon theme and the window use.

Run from anywhere: ``.venv/bin/python packaging/render_icons.py``. The PNGs are committed
(``resources/icons/osdesk-<size>.png``) so that neither the wheel build nor the .deb
build needs an SVG renderer; run this again after editing the SVG.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: the sizes of the hicolor theme directories we install into (and app_icon() loads)
SIZES = (16, 32, 48, 64, 128, 256)

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "osdesk.svg"
OUT = ROOT / "resources" / "icons"


def render(svg: Path = SVG, out_dir: Path = OUT, sizes=SIZES) -> list[Path]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 - keeps Qt alive
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"{svg}: not a valid SVG")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = out_dir / f"osdesk-{size}.png"
        # Non-premultiplied ARGB: what PNG stores, so the file is byte-stable between runs.
        if not image.convertToFormat(QImage.Format.Format_ARGB32).save(str(path), "PNG"):
            raise SystemExit(f"could not write {path}")
        written.append(path)
    return written


def main() -> int:
    for path in render():
        print(path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
