"""The menu of several servers says briefly why an action is refused; the whole reason is
in the entry's tooltip, one reason a line."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel

from osdesk.rules.server_actions import ACTION_BY_KEY, availability_for_many
from osdesk.views.server_menu import reasons_tip, short_reason
from tests.gui.test_live_pages import ready
from tests.gui.test_main_window import open_demo


def entries(menu):
    for action in menu.actions():
        if action.menu() is not None:
            yield from entries(action.menu())
        elif not action.isSeparator():
            yield action


def test_bulk_reasons_are_short_in_the_menu_and_whole_in_the_tooltip(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    statuses, selection = set(), page.table.selectionModel()
    for row in range(page.proxy.rowCount()):  # one server of each status
        status = page.proxy.index(row, 1).data()
        if status not in statuses:
            statuses.add(status)
            selection.select(page.proxy.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                             | QItemSelectionModel.SelectionFlag.Rows)
    rows = page.selected_rows()
    assert len(rows) >= 3
    menu = page.build_context_menu(rows)
    assert menu.toolTipsVisible()
    labels = {spec.label.replace("&", ""): spec for spec in ACTION_BY_KEY.values()}
    long_seen = False
    for action in entries(menu):
        text = action.text().replace("&", "")
        label = text.split("  (")[0]
        if label not in labels or action.isEnabled() or labels[label].single:
            continue
        ok, why = availability_for_many(rows, labels[label])
        assert len(text) <= len(label) + 46, text
        long_seen |= len(why) > 46
        for reason in why.split("; "):  # every reason, in the tooltip
            assert html.escape(reason) in action.toolTip()
    assert long_seen  # the demo's mix gives at least one long reason
    assert menu.sizeHint().width() < 520


def test_short_reason():
    assert short_reason("needs SHUTOFF, server is ACTIVE") == "needs SHUTOFF, server is ACTIVE"
    assert short_reason("needs SHUTOFF, server is ACTIVE; needs SHUTOFF, server is ERROR") \
        == "needs SHUTOFF, server is ACTIVE …"
    long = "needs SHELVED or SHELVED_OFFLOADED, server is ACTIVE"
    assert short_reason(long) == "needs SHELVED or SHELVED_OFFLOADED …"
    assert reasons_tip("a; b <c>") == "<p style='white-space: normal'>a<br>b &lt;c&gt;</p>"
    assert reasons_tip("needs SHUTOFF, server is ACTIVE") == "needs SHUTOFF, server is ACTIVE"
