"""osdesk's own Qt-free preferences: a small JSON object in ``<config_dir>/preferences.json``.

For the choices the lower floors read themselves (the snapshot store asks whether it may
keep anything); the window's own choices (theme, column widths) stay in QSettings.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from typing import Any

from osdesk.profiles.atomic import write_atomic
from osdesk.profiles.store import default_config_dir, make_private_dir

log = logging.getLogger(__name__)

FILENAME = "preferences.json"


class Preferences:
    """Read once, written whole (atomically) on every change; unreadable means defaults."""

    def __init__(self, config_dir: Path | str | None = None):
        self.config_dir = Path(config_dir).expanduser() if config_dir else default_config_dir()
        self.path = self.config_dir / FILENAME
        self._values: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, Any]:
        if self._values is None:
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except FileNotFoundError:
                data = {}
            except (OSError, ValueError) as exc:
                log.warning("ignoring unreadable preferences %s: %s", self.path, exc)
                data = {}
            self._values = data if isinstance(data, dict) else {}
        return self._values

    def get(self, name: str, default: Any = None) -> Any:
        with self._lock:
            return self._load().get(name, default)

    def set(self, name: str, value: Any) -> None:
        with self._lock:
            values = self._load()
            values[name] = value
            make_private_dir(self.config_dir)
            write_atomic(self.path, json.dumps(values, indent=1, sort_keys=True).encode())
