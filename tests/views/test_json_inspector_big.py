"""The biggest answers (a 10,000-server list) open in the JSON inspector from the console:
parsed on a worker, their tree built as it is expanded and scrolled."""

from __future__ import annotations

import pytest

from console_calls import CONSOLE_MARKS, fill, server_list_call
from osdesk.api.calllog import JsonText
from osdesk.models.api_log import ApiLogModel
from osdesk.models.json_tree import FETCH_BATCH
from osdesk.views.console_dock import ConsoleDock
from osdesk.views.json_inspector import open_inspector

pytestmark = CONSOLE_MARKS


@pytest.fixture(scope="module")
def big_call():
    return server_list_call(10_000)


def test_a_10k_server_answer_opens_in_the_inspector(qtbot, big_call):
    model = ApiLogModel()
    dock = ConsoleDock(model)
    qtbot.addWidget(dock)
    fill(model, big_call)
    dock.select_last()
    assert "more characters not shown" in dock.response_view.toPlainText()  # a head only
    assert dock.inspect_action.isEnabled()
    with qtbot.waitSignal(dock.inspectRequested) as asked:
        dock.inspect_action.trigger()
    value, title = asked.args
    assert isinstance(value, JsonText) and "/servers/detail" in title

    inspector = open_inspector(None, value, title)
    qtbot.addWidget(inspector)
    assert inspector.is_loading() and "MB of JSON" in inspector.loading_label.text()
    assert not inspector.copy_value_button.isEnabled()
    qtbot.waitUntil(lambda: not inspector.is_loading(), timeout=30_000)

    tree, tree_model = inspector.tree, inspector.model
    assert tree.isVisible() and not inspector.loading_label.isVisible()
    top = [tree_model.index(row, 0).data() for row in range(tree_model.rowCount())]
    assert top == ["servers", "servers_links"]
    servers = tree_model.index(0, 0)
    assert tree.isExpanded(servers)
    assert tree_model.index(0, 1).data() == "[10000 items]"
    shown = tree_model.rowCount(servers)
    assert FETCH_BATCH <= shown <= 2 * FETCH_BATCH  # a batch or two, not 10,000 rows

    first = tree_model.index(0, 0, servers)
    tree.expand(first)
    keys = [tree_model.index(row, 0, first).data() for row in range(tree_model.rowCount(first))]
    assert "id" in keys and "name" in keys
    assert inspector.select_path(["servers", 0, "name"])
    assert inspector.path_field.text() == "$.servers[0].name"
    tree.collapse(first)

    bar = tree.verticalScrollBar()
    bar.setValue(bar.maximum())  # scrolled to the end of what is shown: more come
    qtbot.waitUntil(lambda: tree_model.rowCount(servers) > shown)

    assert inspector.search("vm-09999") == 1  # search reaches rows not shown yet
    assert inspector.path_field.text() == "$.servers[9999].name"
    inspector.close()
