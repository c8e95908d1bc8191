"""What start-up imports, and in which order: ``import osdesk.app`` is light (no Qt, no
HTTP stack, no openstacksdk); ``import_before_qt`` brings the Qt-free API layer in
before PySide6, without the HTTP stack; the window never imports openstacksdk until
clouds.yaml is read, nor the HTTP stack until a cloud logs in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("PySide6", "requests", "keystoneauth1", "openstack", "yaml", "keyring", "jeepney")


def loaded_after(code: str) -> dict[str, bool]:
    """Which of HEAVY are in sys.modules after running ``code`` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps({m: m in sys.modules for m in %r}))" % (
        HEAVY,)
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True, timeout=120).stdout
    return json.loads(out.splitlines()[-1])


def test_importing_the_launcher_imports_nothing_heavy():
    loaded = loaded_after("import osdesk.__main__, osdesk.app")
    assert not any(loaded.values()), loaded


def test_the_api_layer_comes_in_before_qt_without_the_http_stack():
    loaded = loaded_after("import osdesk.app\nosdesk.app.import_before_qt(demo=True)\n"
                          "import osdesk.demo.cloud, sys\n"
                          "assert 'osdesk.api.calllog' in sys.modules\n"
                          "assert 'osdesk.kinds.servers' in sys.modules")
    # the first login loads them (on its worker), after a returning user's last rows show
    assert not loaded["requests"] and not loaded["keystoneauth1"]
    assert not loaded["PySide6"]  # every module of BEFORE_QT is Qt-free
    assert not loaded["openstack"] and not loaded["yaml"]  # clouds.yaml is read later


def test_building_the_window_does_not_import_openstacksdk(tmp_path):
    code = (
        "import osdesk.app\nosdesk.app.import_before_qt()\n"
        "from PySide6.QtWidgets import QApplication\napp = QApplication([])\n"
        "from osdesk.views.main_window import MainWindow\nwindow = MainWindow()\n")
    home = tmp_path / "home"
    home.mkdir()
    env_code = (f"import os\nos.environ.update(HOME={str(home)!r}, "
                f"OSDESK_CONFIG_DIR={str(tmp_path / 'config')!r}, "
                f"XDG_CONFIG_HOME={str(home / '.config')!r})\n")
    loaded = loaded_after(env_code + code)
    assert loaded["PySide6"]
    assert not loaded["openstack"]  # the clouds.yaml scan runs on the loop, after start
    assert not loaded["requests"] and not loaded["keystoneauth1"]  # no cloud logged in


def test_the_http_stack_comes_with_the_cloud_client():
    loaded = loaded_after("import osdesk.api\nfrom osdesk.api import Cloud\n"
                          "assert Cloud.__module__ == 'osdesk.api.cloud'")
    assert loaded["requests"] and loaded["keystoneauth1"]
