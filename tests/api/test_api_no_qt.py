"""The api layer is importable without Qt (DESIGN.md: osdesk/api may import
keystoneauth1 and requests, no Qt)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parents[2]
API_MODULES = ("osdesk.api", "osdesk.api.calllog", "osdesk.api.cloud", "osdesk.api.compute",
               "osdesk.api.errors", "osdesk.api.identity", "osdesk.api.image",
               "osdesk.api.network", "osdesk.api.pagination", "osdesk.api.transport")
CHECK = ("import sys; "
         "qt = sorted(m for m in sys.modules if m.startswith(('PySide6', 'qasync', 'shiboken6'))); "
         "assert not qt, qt")


def _run(imports: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", f"{imports}; {CHECK}"], cwd=CHECKOUT,
                          capture_output=True, text=True, timeout=120)


def test_importing_the_api_loads_no_qt():
    result = _run("import " + ", ".join(API_MODULES))

    assert result.returncode == 0, result.stderr


def test_the_api_modules_exist_under_these_names():
    result = _run("import importlib; [importlib.import_module(m) for m in "
                  f"{list(API_MODULES)!r}]; import osdesk.api as a; assert a.Cloud")

    assert result.returncode == 0, result.stderr


def test_the_check_notices_qt_when_it_is_loaded():
    # the same check fails once something pulls in Qt, so the test above can fail
    result = _run("import osdesk.api; import PySide6.QtCore")

    assert result.returncode != 0
    assert "PySide6" in result.stderr
