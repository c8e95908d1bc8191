"""The JSON inspector: every key reachable, search, copy path/value/document, expand/collapse."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QGuiApplication

from osdesk.models.json_tree import COL_KEY, COL_TYPE, COL_VALUE
from osdesk.views.json_inspector import JsonInspector, open_inspector

pytestmark = [
    pytest.mark.qt_log_level_fail("WARNING"),
    # the offscreen platform says this whenever a window is shown
    pytest.mark.qt_log_ignore(r"This plugin does not support (propagateSizeHints|raise)\(\)"),
]

from tests.samples import SAMPLES  # noqa: E402
SERVER_GET = "nova/doc/api_samples/servers/v2.96/server-get-resp.json"


def load(relpath: str):
    return json.loads((SAMPLES / relpath).read_text(encoding="utf-8"))


def raw_paths(value, prefix=()):
    """Every member of a JSON value as a tuple of keys and indexes."""
    items = value.items() if isinstance(value, dict) else \
        enumerate(value) if isinstance(value, list) else ()
    for key, child in items:
        path = prefix + (key,)
        yield path
        yield from raw_paths(child, path)


def tree_paths(model, parent=QModelIndex()):
    """Every row of the tree, walked through the Qt model API only."""
    for row in range(model.rowCount(parent)):
        index = model.index(row, COL_KEY, parent)
        yield index
        yield from tree_paths(model, index)


@pytest.fixture
def server():
    return load(SERVER_GET)


@pytest.fixture
def inspector(qtbot, server):
    dialog = JsonInspector(server, "GET /servers/0e44cc9c → 200")
    qtbot.addWidget(dialog)
    return dialog


def test_window(inspector):
    assert inspector.windowTitle() == "GET /servers/0e44cc9c → 200"
    assert not inspector.isModal()
    assert inspector.isSizeGripEnabled()
    assert (inspector.width(), inspector.height()) == (760, 560)
    model = inspector.tree.model()
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == \
        ["Key", "Value", "Type"]
    assert inspector.tree.header().sectionSize(COL_KEY) >= 200
    assert inspector.tree.textElideMode() == Qt.TextElideMode.ElideRight


def test_every_key_is_reachable(inspector, server):
    model = inspector.model
    seen = {tuple(model.segments_of(index)): index for index in tree_paths(model)}
    expected = set(raw_paths(server))
    assert set(seen) == expected
    assert ("server", "addresses", "private", 0, "OS-EXT-IPS-MAC:mac_addr") in seen
    mac = seen[("server", "addresses", "private", 0, "OS-EXT-IPS-MAC:mac_addr")]
    assert mac.siblingAtColumn(COL_VALUE).data() == "00:0c:29:0d:11:74"
    assert mac.siblingAtColumn(COL_TYPE).data() == "string"
    # every key of every object shows as a row's Key text
    for path, index in seen.items():
        if isinstance(path[-1], str):
            assert index.data() == path[-1]


def test_search_finds_addresses(qtbot, inspector):
    qtbot.keyClicks(inspector.search_edit, "addresses")
    assert inspector.match_count() == 1
    current = inspector.current_index()
    assert current.data() == "addresses"
    assert inspector.path_field.text() == "$.server.addresses"
    assert inspector.match_label.text() == "1 of 1"


def test_search_steps_through_matches(qtbot, inspector, server):
    inspector.show()
    qtbot.waitExposed(inspector)
    qtbot.keyClicks(inspector.search_edit, "href")
    total = inspector.match_count()
    assert total == 3  # image.links[0], links[0], links[1]
    assert inspector.match_label.text() == f"1 of {total}"
    first = inspector.path_field.text()
    qtbot.keyClick(inspector.search_edit, Qt.Key.Key_Return)
    assert inspector.match_label.text() == f"2 of {total}"
    assert inspector.path_field.text() != first
    qtbot.keyClick(inspector.search_edit, Qt.Key.Key_Return, Qt.KeyboardModifier.ShiftModifier)
    assert inspector.match_label.text() == f"1 of {total}"
    assert inspector.path_field.text() == first
    for _ in range(total):  # wraps around
        qtbot.keyClick(inspector.search_edit, Qt.Key.Key_Enter)
    assert inspector.match_label.text() == f"1 of {total}"
    assert inspector.isVisible()  # Enter stepped through matches, it did not close the dialog

    inspector.search_edit.clear()
    inspector.search_edit.setText("no-such-thing-anywhere")
    assert inspector.match_count() == 0
    assert inspector.match_label.text() == "No matches"


def test_copy_path_and_value(inspector):
    assert inspector.select_path(["server", "addresses", "private", 0, "addr"])
    assert inspector.copy_path() == '$.server.addresses["private"][0].addr'
    assert QGuiApplication.clipboard().text() == '$.server.addresses["private"][0].addr'
    assert inspector.path_field.text() == '$.server.addresses["private"][0].addr'

    inspector.copy_value_button.click()
    assert QGuiApplication.clipboard().text() == "192.168.1.30"

    assert inspector.select_path(["server", "flavor"])
    inspector.copy_value()
    assert json.loads(QGuiApplication.clipboard().text())["original_name"] == "m1.tiny"
    assert inspector.select_path(["server", "locked"])
    assert inspector.copy_value() == "false"


def test_copy_document_round_trips(inspector, server):
    inspector.copy_document_button.click()
    assert json.loads(QGuiApplication.clipboard().text()) == server


def test_expand_and_collapse_all(inspector):
    tree, model = inspector.tree, inspector.model
    parents = [i for i in tree_paths(model) if model.rowCount(i)]
    assert parents
    inspector.expand_button.click()
    assert all(tree.isExpanded(i) for i in parents)
    inspector.collapse_button.click()
    assert not any(tree.isExpanded(i) for i in parents)


def test_context_menu_has_the_copy_actions(inspector):
    inspector.select_path(["server", "name"])
    actions = [a for a in inspector.context_menu().actions() if not a.isSeparator()]
    texts = [a.text() for a in actions]
    assert texts[:3] == ["Copy value", "Copy path", "Copy document"]
    actions[1].trigger()
    assert QGuiApplication.clipboard().text() == "$.server.name"


def test_set_value_replaces_the_document(inspector):
    ports = load("neutron/api-ref/source/v2/samples/ports/ports-list-response.json")
    inspector.set_value(ports, "ports")
    assert inspector.windowTitle() == "ports"
    assert inspector.value() == ports
    assert inspector.copy_document() and json.loads(QGuiApplication.clipboard().text()) == ports


def test_scalar_document(qtbot):
    dialog = JsonInspector("just text", "scalar")
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 1
    assert dialog.copy_value() == "just text"


def test_open_inspector_shows_a_non_modal_window(qtbot, server):
    dialog = open_inspector(None, server, "server")
    qtbot.waitExposed(dialog)
    assert dialog.isVisible()
    assert not dialog.isModal()
    assert dialog.windowTitle() == "server"
    assert dialog.testAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    with qtbot.waitSignal(dialog.destroyed):
        dialog.close()
