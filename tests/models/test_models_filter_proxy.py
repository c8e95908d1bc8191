"""ResourceFilterProxy: filter on precomputed text, sort forwarded to the source."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt

from model_samples import clone, many_servers, servers_v296
from osdesk.models.filter_proxy import ResourceFilterProxy, filter_terms
from osdesk.models.resource_model import ResourceTableModel

Asc, Desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder


def make(rows, check_model=None):
    model = ResourceTableModel.for_resource("servers")
    proxy = ResourceFilterProxy()
    proxy.setSourceModel(model)
    if check_model is not None:
        check_model(model)
        check_model(proxy)
    model.merge(rows)
    return model, proxy


def proxy_names(proxy) -> list[str]:
    return [proxy.index(r, 0).data() for r in range(proxy.rowCount())]


def test_filter_terms():
    assert filter_terms("  Web   10.0.0.1 ") == ("web", "10.0.0.1")
    assert filter_terms("") == ()


def test_filter_matches_an_ip_in_no_visible_column(check_model):
    servers = many_servers(5)
    servers[3]["addresses"]["private"].append({"addr": "172.24.4.99", "version": 4,
                                               "OS-EXT-IPS:type": "floating"})
    model, proxy = make(servers, check_model)
    proxy.set_filter_text("172.24.4.99")
    assert proxy_names(proxy) == ["vm-3"]
    # also when the IP column is not shown and the match is in a hidden column (id)
    proxy.set_filter_text(servers[1]["id"].upper())
    assert proxy_names(proxy) == ["vm-1"]
    proxy.set_filter_text("")
    assert proxy.rowCount() == 5


def test_every_term_must_match(check_model):
    servers = many_servers(12)
    servers[10]["status"] = "SHUTOFF"
    model, proxy = make(servers, check_model)
    proxy.set_filter_text("vm-1")
    assert proxy_names(proxy) == ["vm-1", "vm-10", "vm-11"]
    proxy.set_filter_text("vm-1 shutoff")
    assert proxy_names(proxy) == ["vm-10"]
    proxy.set_filter_text("VM-1   SHUTOFF  m1.tiny")
    assert proxy_names(proxy) == ["vm-10"]
    proxy.set_filter_text("vm-1 nothing-like-this")
    assert proxy.rowCount() == 0


def test_sort_is_done_by_the_source(check_model):
    model, proxy = make(many_servers(12), check_model)
    proxy.set_filter_text("vm-1")
    proxy.sort(0, Desc)
    assert model.sort_column() == 0 and proxy.sort_column() == 0
    assert proxy_names(proxy) == ["vm-11", "vm-10", "vm-1"]
    assert model.index(0, 0).data() == "vm-11"
    proxy.sort(model.column_index("addresses"), Asc)
    assert proxy_names(proxy) == ["vm-1", "vm-10", "vm-11"]
    assert proxy.sort_order() == Asc


def test_rows_changed_into_or_out_of_the_filter(check_model):
    servers = many_servers(4)
    model, proxy = make(servers, check_model)
    proxy.set_filter_text("error")
    assert proxy.rowCount() == 0
    servers = clone(servers)
    servers[2]["status"] = "ERROR"
    model.merge(servers)
    assert proxy_names(proxy) == ["vm-2"]
    servers = clone(servers)
    servers[2]["status"] = "ACTIVE"
    model.merge(servers)
    assert proxy.rowCount() == 0


def test_new_rows_are_filtered_and_sorted(check_model):
    model, proxy = make(many_servers(3), check_model)
    proxy.sort(0, Desc)
    proxy.set_filter_text("vm")
    model.merge(many_servers(3) + many_servers(2, start=20))
    assert proxy_names(proxy) == ["vm-21", "vm-20", "vm-2", "vm-1", "vm-0"]


def test_selection_through_the_proxy_survives_merge_sort_and_filter(check_model):
    model, proxy = make(many_servers(6), check_model)
    selection = QItemSelectionModel(proxy)
    row = proxy.proxy_row_for_key(many_servers(1, start=4)[0]["id"])
    selection.select(proxy.index(row, 0), QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    current = QPersistentModelIndex(proxy.index(row, 0))

    def selected():
        return [i.data() for i in selection.selectedRows()]

    assert selected() == ["vm-4"]
    proxy.sort(0, Desc)
    assert selected() == ["vm-4"] and current.data() == "vm-4"
    model.merge(many_servers(6, start=0)[2:] + many_servers(2, start=30))
    assert selected() == ["vm-4"] and current.data() == "vm-4"
    proxy.set_filter_text("vm-")  # still matches
    assert selected() == ["vm-4"]
    assert proxy.source_key(proxy.proxy_row_for_key(current.data(
        ResourceTableModel.IdRole))) == current.data(ResourceTableModel.IdRole)


def test_none_keys_sort_through_the_proxy(check_model):
    servers = servers_v296() + many_servers(3)
    servers[0] = dict(servers[0], key_name=None)
    model, proxy = make(servers, check_model)
    key = model.column_index("key_name")
    proxy.sort(key, Asc)
    proxy.sort(key, Desc)
    assert proxy.rowCount() == 4
    assert proxy_names(proxy) == [model.index(r, 0).data() for r in range(4)]


def test_ten_thousand_servers_filter_and_sort():
    servers = many_servers(10_000)
    model, proxy = make(servers)
    assert proxy.rowCount() == 10_000
    proxy.set_filter_text("10.0.39.15")  # vm-9999, only in the addresses column
    assert proxy_names(proxy) == ["vm-9999"]
    proxy.set_filter_text("vm-999")
    assert sorted(proxy_names(proxy)) == ["vm-999"] + [f"vm-999{i}" for i in range(10)]
    proxy.sort(model.column_index("addresses"), Desc)
    assert proxy_names(proxy)[:2] == ["vm-9999", "vm-9998"]
    model.merge(servers + many_servers(1, start=99_990))  # vm-99990 matches, IP 10.1.x.x
    assert proxy_names(proxy)[0] == "vm-99990"
    proxy.set_filter_text("")
    assert proxy.rowCount() == 10_001
