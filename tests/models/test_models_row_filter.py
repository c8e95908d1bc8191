"""ResourceFilterProxy over RowFilterProxy: the rows a full filter would show, in the
source's order, through merges, sorts, removals, renames and keystrokes; selection and
current row kept where the row stays; one layout change per filter change."""

from __future__ import annotations

import random

import pytest
import shiboken6
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt

from model_samples import SignalRecorder, clone, many_servers
from osdesk.models.resource_model import ResourceTableModel
from test_models_filter_proxy import make

Asc, Desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
Id = ResourceTableModel.IdRole
Rows = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows


def shown(proxy) -> list:
    return [proxy.index(r, 0).data(Id) for r in range(proxy.rowCount())]


def expected(model, text: str) -> list:
    """What a filter applied from scratch shows: the source's keys whose text holds
    every term, in the source's order."""
    terms = text.lower().split()
    return [model.key_at(r) for r in range(model.rowCount())
            if all(t in model.filter_text_at(r) for t in terms)]


def check_mapping(model, proxy, text: str) -> None:
    assert shown(proxy) == expected(model, text)
    for r in range(proxy.rowCount()):
        source = proxy.mapToSource(proxy.index(r, 3))
        assert source.column() == 3 and proxy.mapFromSource(source).row() == r
        assert proxy.index(r, 0).data() == source.siblingAtColumn(0).data()


@pytest.mark.parametrize("seed", range(4))
def test_random_changes_show_what_a_fresh_filter_would(check_model, seed):
    rng = random.Random(seed)
    rows = many_servers(120)
    model, proxy = make(rows, check_model)
    texts = ["", "vm-1", "vm-11", "vm-1 active", "vm-", "10.0.0.", "shutoff", "vm-5 10.0"]
    columns = [-1] + [model.column_index(k) for k in ("name", "status", "addresses")]
    text = ""
    for step in range(25):
        what = rng.randrange(5)
        if what == 0:
            text = rng.choice(texts)
            proxy.set_filter_text(text)
        elif what == 1:
            model.sort(rng.choice(columns), rng.choice((Asc, Desc)))
        elif what == 2:  # a paged refresh: some gone, some renamed or stopped, some new
            rows = clone(rng.sample(rows, len(rows) - rng.randrange(10)))
            for row in rng.sample(rows, 8):
                row["name"] = f"vm-{rng.randrange(300)}"
                row["status"] = rng.choice(("ACTIVE", "SHUTOFF"))
            rows += many_servers(rng.randrange(8), start=1000 + 10 * step)
            rng.shuffle(rows)
            model.begin_refresh()
            for first in range(0, len(rows), 25):
                page = rows[first:first + 25]
                model.merge_page(model.prepare(page) if rng.random() < 0.5 else page)
            model.finish_refresh()
        elif what == 3:
            model.remove_key(model.key_at(rng.randrange(model.rowCount())))
            rows = [model.raw_at(r) for r in range(model.rowCount())]
        else:
            model.merge(rows)  # nothing changed
        check_mapping(model, proxy, text)


def test_typing_and_backspacing_keeps_the_filter_exact(check_model):
    model, proxy = make(many_servers(300), check_model)
    model.sort(0, Desc)
    typed = ""
    for key in list("vm-12") + [None] * 5 + list("active 10.0.1") + [None] * 13:
        typed = typed[:-1] if key is None else typed + key
        proxy.set_filter_text(typed)
        assert proxy.filter_text() == typed
        check_mapping(model, proxy, typed)


def test_a_filter_change_is_one_layout_change_and_none_when_the_rows_stay():
    model, proxy = make(many_servers(200))
    seen = SignalRecorder(proxy)
    proxy.set_filter_text("vm-1")  # scattered rows: not a stream of removals
    assert seen.names() == ["layoutAboutToBeChanged", "layoutChanged"]
    seen.clear()
    proxy.set_filter_text("vm-1 active")  # every server is ACTIVE: the same rows
    proxy.set_filter_text("vm-1   ACTIVE")
    assert seen.names() == []
    assert shown(proxy) == expected(model, "vm-1")


def test_selection_and_current_row_stay_on_their_rows_through_keystrokes():
    model, proxy = make(many_servers(50))
    selection = QItemSelectionModel(proxy)
    keys = [model.key_at(r) for r in (12, 14, 30)]
    for key in keys:
        selection.select(proxy.index(proxy.proxy_row_for_key(key), 0), Rows)
    current = QPersistentModelIndex(proxy.index(proxy.proxy_row_for_key(keys[1]), 2))
    selection.setCurrentIndex(current, QItemSelectionModel.SelectionFlag.NoUpdate)

    def selected():
        return sorted(i.data(Id) for i in selection.selectedRows())

    proxy.set_filter_text("vm-1")  # vm-12 and vm-14 stay, vm-30 goes
    assert selected() == sorted(keys[:2])
    assert selection.currentIndex().data(Id) == keys[1]
    assert current.column() == 2 and current.data(Id) == keys[1]
    proxy.set_filter_text("vm-14")
    assert selected() == [keys[1]] and current.data(Id) == keys[1]
    proxy.set_filter_text("")
    assert selected() == [keys[1]] and current.data(Id) == keys[1]
    model.sort(0, Desc)
    assert selected() == [keys[1]] and current.row() == proxy.proxy_row_for_key(keys[1])
    proxy.set_filter_text("vm-2")
    assert not current.isValid() and selected() == []


def test_several_rows_renamed_into_and_out_of_the_filter_at_once(check_model):
    def renamed(servers, names):
        servers = clone(servers)
        for i, name in names.items():
            servers[i]["name"] = name
        return servers

    model, proxy = make(many_servers(10), check_model)
    proxy.set_filter_text("web")
    servers = renamed(many_servers(10), {2: "web-2", 3: "web-3", 7: "web-7"})
    model.merge(servers)  # three rows come in at once
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == \
        ["web-2", "web-3", "web-7"]
    model.merge(renamed(servers, {3: "db-3", 7: "web-seven", 5: "web-5"}))
    assert [proxy.index(r, 0).data() for r in range(proxy.rowCount())] == \
        ["web-2", "web-5", "web-seven"]
    check_mapping(model, proxy, "web")


def test_a_new_source_brings_its_rows_with_the_filter_on(check_model):
    first, proxy = make(many_servers(20))
    proxy.set_filter_text("vm-1")
    check_model(proxy)
    second = ResourceTableModel.for_resource("servers")
    second.merge(many_servers(30, start=5))
    proxy.setSourceModel(second)
    check_mapping(second, proxy, "vm-1")
    first.merge(many_servers(40))  # the old source is no longer followed
    check_mapping(second, proxy, "vm-1")
    second.clear()
    assert proxy.rowCount() == 0


def test_a_source_deleted_first_leaves_an_empty_proxy(check_model):
    model, proxy = make(many_servers(5))
    check_model(proxy)
    proxy.set_filter_text("vm")
    shiboken6.delete(model)
    assert proxy.rowCount() == 0 and proxy.columnCount() == 0
    assert proxy.sourceModel() is None
    second = ResourceTableModel.for_resource("servers")
    second.merge(many_servers(3))
    proxy.setSourceModel(second)
    check_mapping(second, proxy, "vm")
