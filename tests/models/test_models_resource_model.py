"""ResourceTableModel: cells per role, merge by key, paging, sort, lookups, scale."""

from __future__ import annotations

import copy
import datetime as dt

import pytest
from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from model_samples import GLANCE, NOVA, clone, load_sample, many_servers, servers_v296
from osdesk.models.colors import ROLE_COLORS
from osdesk.rules.formats import (LookupContext, fmt_time)
from osdesk.models.resource_model import MergeSummary, ResourceTableModel

UTC = dt.timezone.utc
Asc, Desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
D = Qt.ItemDataRole


def servers_model(**kw) -> ResourceTableModel:
    return ResourceTableModel.for_resource("servers", **kw)


def three_servers() -> list[dict]:
    base = servers_v296()[0]
    out = []
    for i, (name, status, addr, created) in enumerate([
            ("web-10", "ACTIVE", "10.0.0.10", "2024-01-03T00:00:00Z"),
            ("web-9", "SHUTOFF", "10.0.0.9", "2024-01-01T00:00:00Z"),
            ("db", "ERROR", "192.168.0.2", "2024-01-02T00:00:00Z")]):
        s = copy.deepcopy(base)
        s.update(id=f"id-{i}", name=name, status=status, created=created,
                 addresses={"private": [{"addr": addr, "version": 4}]})
        out.append(s)
    return out


def column_values(model, key: str, role=D.DisplayRole) -> list:
    c = model.column_index(key)
    return [model.index(r, c).data(role) for r in range(model.rowCount())]


# ------------------------------------------------------------------ roles
def test_data_per_role_on_real_sample(check_model):
    model = servers_model()
    check_model(model)
    server = servers_v296()[0]
    summary = model.merge([server])
    assert summary == MergeSummary(added=1, changed=0, removed=0)
    assert model.rowCount() == 1 and model.columnCount() == len(model.columns)

    def at(key, role=D.DisplayRole):
        return model.index(0, model.column_index(key)).data(role)

    assert at("name") == "new-server-test"
    assert at("status") == "ACTIVE"
    assert at("addresses") == "192.168.1.30"
    assert at("flavor") == "m1.tiny"
    assert at("created") == fmt_time("2013-09-03T04:01:32Z")
    # SortRole: native values
    assert at("created", ResourceTableModel.SortRole) == dt.datetime(2013, 9, 3, 4, 1, 32,
                                                                      tzinfo=UTC)
    assert at("addresses", ResourceTableModel.SortRole)[:2] == (4, 0xC0A8011E)
    assert at("key_name", ResourceTableModel.SortRole) is None
    # ForegroundRole: a fixed colour per status role; none for plain cells
    colour = at("status", D.ForegroundRole)
    assert isinstance(colour, QColor) and colour == ROLE_COLORS["ok"]
    assert at("name", D.ForegroundRole) is None
    assert at("status", ResourceTableModel.StatusRole) == "ok"
    # IdRole / RawRole / FilterRole on every column
    for c in range(model.columnCount()):
        index = model.index(0, c)
        assert index.data(ResourceTableModel.IdRole) == server["id"]
        assert index.data(ResourceTableModel.RawRole) == server
        assert index.data(ResourceTableModel.FilterRole) == model.filter_text_at(0)
    text = model.filter_text_at(0)
    assert text == text.lower()
    for piece in ("new-server-test", "192.168.1.30", "m1.tiny", "us-west", server["id"]):
        assert piece in text
    # alignment, tooltips, headers
    assert int(at("locked", D.TextAlignmentRole)) & int(Qt.AlignmentFlag.AlignHCenter)
    assert "UTC" in at("created", D.ToolTipRole)
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Name"
    created = model.column_index("created")
    assert model.headerData(created, Qt.Orientation.Horizontal,
                            D.InitialSortOrderRole) == Desc
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable


def test_images_sample_sizes_and_sort_numeric(check_model):
    model = ResourceTableModel.for_resource("images")
    check_model(model)
    images = load_sample(f"{GLANCE}/images-list-response.json")["images"]
    model.merge(images)
    size = model.column_index("size")
    assert column_values(model, "size", ResourceTableModel.SortRole) == [13167616, 476704768]
    assert model.index(0, size).data(D.TextAlignmentRole) & Qt.AlignmentFlag.AlignRight
    model.sort(size, Desc)
    assert column_values(model, "name") == ["F17-x86_64-cfntools", "cirros-0.3.2-x86_64-disk"]


def test_keypairs_are_keyed_by_name(check_model):
    model = ResourceTableModel.for_resource("keypairs")
    check_model(model)
    body = load_sample(f"{NOVA}/os-keypairs/v2.35/keypairs-list-resp.json")
    rows = [entry["keypair"] for entry in body["keypairs"]]
    model.merge(rows)
    name = rows[0]["name"]
    assert model.keys() == [name]
    assert model.row_for_key(name) == 0
    assert model.index(0, 0).data(ResourceTableModel.IdRole) == name


@pytest.mark.parametrize("resource, path, key", [
    ("flavors", "nova/doc/api_samples/flavors/flavors-detail-resp.json", "flavors"),
    ("networks", "neutron/api-ref/source/v2/samples/networks/networks-list-response.json",
     "networks"),
    ("subnets", "neutron/api-ref/source/v2/samples/subnets/subnets-list-response.json",
     "subnets"),
    ("routers", "neutron/api-ref/source/v2/samples/routers/routers-list-response.json",
     "routers"),
    ("security_groups",
     "neutron/api-ref/source/v2/samples/security-groups/security-groups-list-response.json",
     "security_groups"),
    ("floating_ips",
     "neutron/api-ref/source/v2/samples/floatingips/floating-ips-list-response.json",
     "floatingips"),
    ("projects", "keystone/api-ref/source/v3/samples/admin/projects-list-response.json",
     "projects"),
])
def test_every_resource_model_passes_the_model_testers(check_model, resource, path, key):
    model = ResourceTableModel.for_resource(resource)
    check_model(model)
    rows = load_sample(path)[key]
    model.merge(rows)
    assert model.rowCount() == len(rows)
    for c in range(model.columnCount()):
        model.sort(c, Asc)
        model.sort(c, Desc)
    model.sort(-1)
    assert model.keys() == [r["id"] for r in rows]  # arrival order again
    model.merge(rows[:1])
    assert model.rowCount() == 1


# ------------------------------------------------------------------ merge
def test_unchanged_merge_emits_nothing(check_model, recorder):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    model.merge(rows)
    rec = recorder(model)
    merged = []
    model.rowsMerged.connect(lambda *args: merged.append(args))
    summary = model.merge(copy.deepcopy(rows))  # equal dicts, new objects
    assert summary == MergeSummary(0, 0, 0) and not summary
    assert rec.events == []
    assert merged == [(0, 0, 0)]


def test_changed_row_emits_exactly_one_data_changed(check_model, recorder):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    model.merge(rows)
    rec = recorder(model)
    rows = copy.deepcopy(rows)
    rows[1]["status"] = "ACTIVE"
    summary = model.merge(rows)
    assert summary == MergeSummary(0, 1, 0)
    last = model.columnCount() - 1
    assert rec.events == [("dataChanged", ((1, 0), (1, last)))]
    status = model.column_index("status")
    assert model.index(1, status).data() == "ACTIVE"
    assert model.index(1, status).data(D.ForegroundRole) == ROLE_COLORS["ok"]
    assert model.raw("id-1")["status"] == "ACTIVE"


def test_removal_and_insertion_are_batched(check_model, recorder):
    model = servers_model()
    check_model(model)
    rows = many_servers(10)
    model.merge(rows)
    rec = recorder(model)
    keep = [rows[0], rows[3], rows[4], rows[9]]  # drops 1-2 and 5-8: two runs
    new = many_servers(3, start=10)
    summary = model.merge(keep + new)
    assert summary == MergeSummary(added=3, changed=0, removed=6)
    assert rec.of("rowsRemoved") == [(5, 8), (1, 2)]  # bottom run first
    assert rec.of("rowsInserted") == [(4, 6)]         # one batch at the end
    assert "modelReset" not in rec.names()
    assert model.keys() == [r["id"] for r in keep + new]
    assert [model.row_for_key(r["id"]) for r in keep + new] == list(range(7))
    assert model.row_for_key(rows[1]["id"]) == -1


def test_selection_survives_merge_and_sort(check_model):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    model.merge(rows)
    selection = QItemSelectionModel(model)
    selection.select(model.index(2, 0), QItemSelectionModel.SelectionFlag.Select
                     | QItemSelectionModel.SelectionFlag.Rows)
    selection.setCurrentIndex(model.index(2, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    persistent = QPersistentModelIndex(model.index(2, 1))

    def selected_ids():
        return [i.data(ResourceTableModel.IdRole) for i in selection.selectedRows()]

    assert selected_ids() == ["id-2"]
    # a merge that removes a row above and changes another
    rows = copy.deepcopy(rows)
    rows[0]["status"] = "BUILD"
    model.merge(rows[:0] + rows[1:] + many_servers(2))
    assert selected_ids() == ["id-2"]
    assert persistent.row() == model.row_for_key("id-2") == 1
    # sorts
    for key in ("name", "status", "created", "addresses"):
        for order in (Asc, Desc):
            model.sort(model.column_index(key), order)
            assert selected_ids() == ["id-2"]
            assert persistent.data(ResourceTableModel.IdRole) == "id-2"
            assert selection.currentIndex().data(ResourceTableModel.IdRole) == "id-2"


def test_paged_refresh_streams_and_drops_vanished_rows(check_model, recorder):
    model = servers_model()
    check_model(model)
    first = many_servers(10)
    model.merge(first)
    rec = recorder(model)
    second = clone(first[2:]) + many_servers(2, start=10)  # 0, 1 gone; 10, 11 new
    second[0]["status"] = "SHUTOFF"
    model.begin_refresh()
    pages = [second[0:4], second[4:8], second[8:]]
    for page in pages:
        model.merge_page(page)
        assert model.rowCount() >= 10  # nothing removed mid-refresh
    assert not rec.of("rowsRemoved")
    summary = model.finish_refresh()
    assert summary == MergeSummary(0, 0, 2)
    assert sorted(model.keys()) == sorted(r["id"] for r in second)
    assert len(rec.of("dataChanged")) == 1
    assert len(rec.of("rowsInserted")) == 1
    # without begin_refresh: the first page starts the collection
    model.merge_page(second[:5])
    assert model.finish_refresh() == MergeSummary(0, 0, 5)
    assert model.keys() == [r["id"] for r in second[:5]]
    # explicit seen keys
    model.finish_refresh({second[0]["id"]})
    assert model.keys() == [second[0]["id"]]
    # a refresh that brought no page at all empties the list
    model.begin_refresh()
    model.finish_refresh()
    assert model.rowCount() == 0


def test_upsert_and_remove_key(check_model, recorder):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    model.merge(rows)
    rec = recorder(model)
    followed = copy.deepcopy(rows[0])
    followed["status"] = "REBOOT"
    followed["OS-EXT-STS:task_state"] = "rebooting"
    assert model.upsert(followed) == MergeSummary(0, 1, 0)
    assert model.upsert(copy.deepcopy(followed)) == MergeSummary(0, 0, 0)
    assert model.index(0, model.column_index("status")).data(
        ResourceTableModel.StatusRole) == "busy"
    assert model.upsert(dict(followed, id="id-new")) == MergeSummary(1, 0, 0)
    assert model.rowCount() == 4
    assert model.remove_key("id-1") is True
    assert model.remove_key("id-1") is False
    assert model.keys() == ["id-0", "id-2", "id-new"]
    assert [n for n in rec.names() if n.startswith("rows") or n == "dataChanged"] == [
        "dataChanged", "rowsAboutToBeInserted", "rowsInserted", "rowsAboutToBeRemoved",
        "rowsRemoved"]


def test_remove_keys_removes_only_those_held_and_keeps_the_selection(check_model, recorder):
    """What the inventory removes when one cloud is listed again: the rows of the keys
    given, in as many runs as they make; keys not held are ignored; the selected row
    stays selected where it moved."""
    model = servers_model()
    check_model(model)
    rows = many_servers(8)
    model.merge(rows)
    ids = [r["id"] for r in rows]
    selection = QItemSelectionModel(model)
    kept = ids[5]
    selection.select(model.index_for_key(kept), QItemSelectionModel.SelectionFlag.Select)
    rec = recorder(model)
    summary = model.remove_keys([ids[1], ids[2], ids[6], "not-there"])
    assert summary == MergeSummary(0, 0, 3)
    assert model.keys() == [ids[0], ids[3], ids[4], ids[5], ids[7]]
    assert len(rec.of("rowsRemoved")) == 2  # rows 1-2 and row 6: two runs
    assert [model.key_at(i.row()) for i in selection.selectedIndexes()] == [kept]
    assert model.row_for_key(ids[7]) == 4
    assert model.remove_keys(["not-there"]) == MergeSummary(0, 0, 0)
    assert model.remove_keys(set()) == MergeSummary(0, 0, 0)
    assert model.rowCount() == 5


def test_raws_where_gives_the_current_dicts_the_predicate_accepts():
    model = servers_model()
    rows = three_servers()
    model.merge(rows)
    followed = dict(copy.deepcopy(rows[1]), status="REBOOT")
    model.upsert(followed)
    model.sort(0, Qt.SortOrder.DescendingOrder)
    busy = model.raws_where(lambda raw: raw["status"] == "REBOOT")
    assert busy == {"id-1": followed} and busy["id-1"] is model.raw("id-1")
    assert model.raws_where(lambda raw: False) == {}


def test_reset_and_clear_are_the_only_resets(check_model, recorder):
    model = servers_model()
    check_model(model)
    model.merge(three_servers())
    rec = recorder(model)
    model.reset(many_servers(4))
    assert rec.names() == ["modelAboutToBeReset", "modelReset"]
    assert model.rowCount() == 4
    model.clear()
    assert model.rowCount() == 0


def test_rows_without_key_are_skipped_and_duplicates_collapse(check_model):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    dup = dict(rows[0], name="later")
    summary = model.merge(rows + [{"name": "no id"}, dup, "not a dict"])
    assert summary.added == 3
    assert model.index(0, 0).data() == "later"


# ------------------------------------------------------------------ sort
def test_sort_natively_with_missing_last(check_model):
    model = servers_model()
    check_model(model)
    rows = three_servers()
    rows.append(dict(copy.deepcopy(rows[0]), id="id-3", name="no-address", addresses={},
                     created=None))
    model.merge(rows)
    name, addresses, created = (model.column_index(k) for k in ("name", "addresses", "created"))

    model.sort(name, Asc)  # natural: web-9 before web-10
    assert column_values(model, "name") == ["db", "no-address", "web-9", "web-10"]
    model.sort(addresses, Asc)  # as IPs, not text: 10.0.0.9 < 10.0.0.10 < 192.168…
    assert column_values(model, "addresses") == ["10.0.0.9", "10.0.0.10", "192.168.0.2", ""]
    model.sort(addresses, Desc)  # missing stays last
    assert column_values(model, "addresses") == ["192.168.0.2", "10.0.0.10", "10.0.0.9", ""]
    model.sort(created, Asc)  # as dates
    assert column_values(model, "name") == ["web-9", "db", "web-10", "no-address"]
    model.sort(created, Desc)
    assert column_values(model, "name") == ["web-10", "db", "web-9", "no-address"]
    assert model.sort_column() == created and model.sort_order() == Desc


def test_sizes_sort_as_numbers(check_model):
    model = ResourceTableModel.for_resource("images")
    check_model(model)
    mib = 1024 * 1024
    model.merge([{"id": "a", "name": "ten", "size": 10 * mib},
                 {"id": "b", "name": "nine", "size": 9 * mib},
                 {"id": "c", "name": "none", "size": None},
                 {"id": "d", "name": "big", "size": 2 * 1024 * mib}])
    model.sort(model.column_index("size"), Asc)
    assert column_values(model, "size") == ["9 MiB", "10 MiB", "2 GiB", ""]


def test_mixed_types_in_one_column_do_not_crash(check_model):
    model = ResourceTableModel.for_resource("flavors")
    check_model(model)
    model.merge([{"id": "1", "name": "a", "swap": ""}, {"id": "2", "name": "b", "swap": 512},
                 {"id": "3", "name": "c", "swap": "weird"}, {"id": "4", "name": 7},
                 {"id": "5", "name": None}])
    for c in range(model.columnCount()):
        model.sort(c, Asc)
        model.sort(c, Desc)


def test_merged_rows_land_in_sorted_position(check_model, recorder):
    model = servers_model()
    check_model(model)
    model.merge(three_servers())
    name = model.column_index("name")
    model.sort(name, Asc)
    extra = dict(copy.deepcopy(three_servers()[0]), id="id-x", name="cache")
    model.merge(three_servers() + [extra])
    assert column_values(model, "name") == ["cache", "db", "web-9", "web-10"]
    # a changed sort value moves the row; a changed other value does not re-sort
    rec = recorder(model)
    rows = three_servers() + [dict(extra, name="zzz")]
    model.merge(rows)
    assert column_values(model, "name") == ["db", "web-9", "web-10", "zzz"]
    assert "layoutChanged" in rec.names()
    rec.clear()
    rows = copy.deepcopy(rows)
    rows[0]["status"] = "BUILD"
    model.merge(rows)
    assert "layoutChanged" not in rec.names()


# ------------------------------------------------------------------ context
def test_set_context_updates_lookup_columns_with_one_data_changed(check_model, recorder):
    model = servers_model()
    check_model(model)
    old_style = load_sample(f"{NOVA}/servers/servers-details-resp.json")["servers"]
    model.merge(old_style)
    flavor, image = model.column_index("flavor"), model.column_index("image")
    assert model.index(0, flavor).data() == "1"
    rec = recorder(model)
    model.set_context(LookupContext(flavor_names={"1": "m1.tiny"},
                                    image_names={"70a599e0-31e7-49b7-b260-868f441e862b": "cirros"}))
    assert model.index(0, flavor).data() == "m1.tiny"
    assert model.index(0, image).data() == "cirros"
    assert "cirros" in model.filter_text_at(0)
    changed = rec.of("dataChanged")
    assert len(changed) == 1
    (top, left), (bottom, right) = changed[0]
    assert (top, bottom) == (0, len(old_style) - 1)
    assert left <= min(flavor, image) and right >= max(flavor, image)
    rec.clear()
    model.update_context(flavor_names={"1": "m1.tiny"})  # same names: nothing to say
    assert rec.events == []


# ------------------------------------------------------------------ scale
def test_ten_thousand_servers(recorder):
    # No model testers here: they re-read all 150,000 cells after every signal
    # (7 s each time); the small-model tests above run them.
    model = servers_model()
    rows = many_servers(10_000)
    rec = recorder(model)
    assert model.merge(rows) == MergeSummary(10_000, 0, 0)
    assert rec.of("rowsInserted") == [(0, 9_999)]  # one batch
    rec.clear()
    assert model.merge(clone(rows)) == MergeSummary(0, 0, 0)
    assert rec.events == []
    # sort by IP descending, then by name (natural order)
    addresses = model.column_index("addresses")
    model.sort(addresses, Desc)
    assert model.index(0, addresses).data() == "10.0.39.15"   # server 9999
    assert model.index(9_999, addresses).data() == "10.0.0.0"
    model.sort(model.column_index("name"), Asc)
    assert column_values(model, "name")[:3] == ["vm-0", "vm-1", "vm-2"]
    assert model.index(9_999, 0).data() == "vm-9999"
    # a paged refresh that changes 1, drops 1 and adds 1
    rows = clone(rows)
    rows[5]["status"] = "ERROR"
    del rows[7]
    rows.extend(many_servers(1, start=10_000))
    rec.clear()
    model.begin_refresh()
    for start in range(0, len(rows), 1000):
        model.merge_page(rows[start:start + 1000])
    assert model.finish_refresh() == MergeSummary(0, 0, 1)
    assert model.rowCount() == 10_000
    assert len(rec.of("dataChanged")) == 1 and len(rec.of("rowsInserted")) == 1
    assert model.keys() == sorted(model.keys(), key=lambda k: int(k.replace("-", ""), 16))
    assert model.index(model.row_for_key(rows[5]["id"]), model.column_index("status")).data(
        ResourceTableModel.StatusRole) == "error"


# ------------------------------------------------------------------ rows built off the GUI thread
def model_state(model) -> list:
    return [(model.key_at(r), tuple(model.display_at(r, c) for c in range(model.columnCount())),
             model.filter_text_at(r)) for r in range(model.rowCount())]


def refresh_pages(model, pages, *, prepared: bool):
    model.begin_refresh()
    summaries = [model.merge_page(model.prepare(p) if prepared else p) for p in pages]
    summaries.append(model.finish_refresh())
    return summaries


def test_prepared_pages_merge_exactly_like_raw_ones(check_model, recorder):
    first = many_servers(30)
    second = clone(first[3:]) + many_servers(4, start=30)  # 3 gone, 4 new
    second[0]["status"] = "SHUTOFF"
    second[5]["name"] = "renamed"
    results = []
    for prepared in (False, True):
        model = servers_model()
        check_model(model)
        model.sort(model.column_index("name"), Asc)
        refresh_pages(model, [first[:10], first[10:]], prepared=prepared)
        rec = recorder(model)
        summaries = refresh_pages(model, [second[:12], second[12:]], prepared=prepared)
        results.append((model_state(model), summaries, len(rec.of("dataChanged")),
                        len(rec.of("rowsInserted")), len(rec.of("rowsRemoved")),
                        len(rec.of("modelReset"))))
    assert results[0] == results[1]
    assert results[1][1][-1] == MergeSummary(0, 0, 3) and results[1][5] == 0


def test_prepare_skips_building_rows_the_model_already_holds_unchanged():
    model = servers_model()
    rows = many_servers(20)
    model.merge(rows)
    rows[4] = dict(rows[4], name="changed")

    page = model.prepare(clone(rows))

    built = {key: b is not None for key, _raw, b, _held in page.entries}
    assert sum(built.values()) == 1 and built[rows[4]["id"]]


@pytest.mark.parametrize("how", ["merge", "paged", "prepared"])
def test_an_unchanged_row_keeps_the_newest_dict_so_one_copy_lives(how, recorder):
    """The API layer's page memo hands the same dicts back while a page's bytes stay
    the same; the model keeps those, not the equal ones it had (a snapshot's, an older
    page's), so the rows live once, not twice, and the next refresh finds them by
    identity. Nothing is told to views."""
    model = servers_model()
    old = many_servers(6)
    model.merge(old)
    cells = [model.index(r, 1).data() for r in range(6)]
    rec = recorder(model)
    new = clone(old)

    if how == "merge":
        model.merge(new)
    else:
        model.begin_refresh()
        model.merge_page(model.prepare(new) if how == "prepared" else new)
        model.finish_refresh()

    assert all(model.raw(row["id"]) is row for row in new)
    assert rec.events == []
    assert [model.index(r, 1).data() for r in range(6)] == cells


def test_a_prepared_page_whose_lookups_or_sort_changed_meanwhile_is_built_again():
    model = servers_model(context=LookupContext(flavor_names={}))
    rows = many_servers(5)
    flavor_id = rows[0]["flavor"].get("id") or rows[0]["flavor"].get("original_name")
    page = model.prepare(rows)  # on the worker, with the old lookups
    model.set_context(LookupContext(flavor_names={flavor_id: "renamed-flavor"}))
    model.sort(model.column_index("status"), Desc)

    model.merge_page(page)

    fresh = servers_model(context=model.context)
    fresh.sort(model.column_index("status"), Desc)
    fresh.merge_page(rows)
    assert model_state(model) == model_state(fresh)


def test_a_row_changed_on_the_gui_thread_after_prepare_is_still_replaced():
    model = servers_model()
    rows = many_servers(5)
    model.merge(rows)
    page = model.prepare(clone(rows))  # every row "held unchanged" on the worker
    model.upsert(dict(rows[2], status="ERROR"))  # an action's answer, meanwhile

    summary = model.merge_page(page)

    assert summary.changed == 1  # the list's row wins again, as a raw merge would
    assert model.raw(rows[2]["id"])["status"] == rows[2]["status"]
