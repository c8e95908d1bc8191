"""Where the app's icons and desktop files are, installed or in a checkout."""

from __future__ import annotations

import importlib.resources
from pathlib import Path


def resource_dir() -> Path:
    """``osdesk/resources`` inside the wheel; the checkout's ``resources/`` in development.

    The wheel maps the top-level ``resources/`` into the package (see pyproject.toml);
    an editable install points at the source tree, where it stays at the top level.
    """
    packaged = importlib.resources.files("osdesk") / "resources"
    try:
        if packaged.is_dir():
            return Path(str(packaged))
    except (FileNotFoundError, NotADirectoryError):
        pass
    return Path(__file__).resolve().parents[2] / "resources"


def resource(name: str) -> Path:
    return resource_dir() / name
