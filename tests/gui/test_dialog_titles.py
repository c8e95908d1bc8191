"""No dialog's title is cut: every dialog tools/walk_dialogs.py opens (the way its menu,
toolbar or key does, on the demo cloud) is at least as wide as its title needs."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QMessageBox

from osdesk.views import dialogs
from tests.gui.conftest import run
from tests.gui.test_main_window import open_demo

WALK = Path(__file__).resolve().parents[2] / "tools" / "walk_dialogs.py"


def load_walk():
    spec = importlib.util.spec_from_file_location("walk_dialogs", WALK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_walked_dialog_shows_its_whole_title(window, loop, demo_cloud, monkeypatch,
                                                    tmp_path):
    module = load_walk()
    open_demo(window, demo_cloud, pid="demo", name="Demo")
    walk = module.Walk(window, None)
    walk.tmp = tempfile.mkdtemp(dir=tmp_path)
    checked = {}

    async def no_linger(seconds=0):  # the walk lets pages refresh under it; not needed here
        return None
    monkeypatch.setattr(walk, "linger", no_linger)
    find = walk.dialog

    async def dialog(title_part, timeout=20.0):
        found = await find(title_part, timeout)
        title = found.windowTitle()
        width = found.width()
        assert width >= dialogs.title_width(title, found), (title, width)
        checked[title] = width
        return found
    monkeypatch.setattr(walk, "dialog", dialog)

    async def walk_once():
        for step in (walk.servers, lambda: walk.launch(1), lambda: walk.keypairs(1),
                     walk.images, walk.networks, walk.storage_and_reach,
                     lambda: walk.clouds(1)):
            await step()
    run(loop, walk_once(), timeout=240)
    assert len(checked) >= 25, sorted(checked)
    assert any(t.startswith("Security groups of") for t in checked)
    assert any(t.startswith("Password for") for t in checked)


def test_a_message_box_is_as_wide_as_its_long_title(window, loop):
    title = "Delete 12 servers from the project production-eu-west-analytics"

    async def ask():
        box = QMessageBox(QMessageBox.Icon.Warning, title, "Sure?",
                          QMessageBox.StandardButton.Ok, window)
        dialogs.opened_hooks.append(seen.append)
        try:
            await dialogs.shown(box)
        finally:
            dialogs.opened_hooks.remove(seen.append)
    seen = []
    task = window._spawn(ask())

    async def opened():
        from tests.gui.conftest import until
        await until(lambda: seen and seen[0].isVisible())
    run(loop, opened())
    box = seen[0]
    assert box.width() >= dialogs.title_width(title, box) > 400
    box.accept()
    run(loop, task)
    assert not shiboken6.isValid(box) or not box.isVisible()
