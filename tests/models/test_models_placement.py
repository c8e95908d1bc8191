"""Rows placed by bisection (ResourceTableModel's paged merge): the same rows, order,
selection and current index as sorting everything again would give."""

from __future__ import annotations

import random

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt

from model_samples import clone, many_servers
from osdesk.models.filter_proxy import ResourceFilterProxy
from osdesk.models.resource_model import ResourceTableModel
from osdesk.models.placement import insertion_points
from osdesk.models.row_placing import MAX_INSERT_RUNS
from osdesk.rules.formats import MISSING_KEY

Asc, Desc = Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder
Id = ResourceTableModel.IdRole


def servers(count: int, start: int = 0) -> list[dict]:
    """Servers with repeated names (ties), a few without an address (missing keys)."""
    rows = many_servers(count, start=start)
    for i, row in enumerate(rows, start):
        row["name"] = f"vm-{i % 13}"
        row["status"] = ("ACTIVE", "SHUTOFF", "ERROR")[i % 3]
        if i % 11 == 0:
            row["addresses"] = {}
    return rows


class OldMerge:
    """The merge as it was: each page's new rows appended, then every row sorted again
    (stable; missing values last in both orders), vanished rows dropped at the end."""

    def __init__(self, column_key, order):
        self.column = None
        if column_key:
            model = ResourceTableModel.for_resource("servers")
            self.column = model.columns[model.column_index(column_key)]
        self.desc = order == Desc
        self.rows: list[tuple[str, dict, int]] = []  # (id, raw, arrival)
        self.arrivals = 0

    def refresh(self, rows: list[dict], size: int) -> list:
        seen = set()
        for start in range(0, len(rows), size):
            for raw in rows[start:start + size]:
                seen.add(raw["id"])
                at = [i for i, r in enumerate(self.rows) if r[0] == raw["id"]]
                if at:
                    self.rows[at[0]] = (raw["id"], raw, self.rows[at[0]][2])
                else:
                    self.rows.append((raw["id"], raw, self.arrivals))
                    self.arrivals += 1
            self._sort()
        self.rows = [r for r in self.rows if r[0] in seen]
        return [r[0] for r in self.rows]

    def _sort(self):
        if self.column is None:
            self.rows.sort(key=lambda r: r[2])
            return
        key = {r[0]: self.column.sort_key(r[1]) for r in self.rows}
        ordered = sorted(self.rows, key=lambda r: key[r[0]], reverse=self.desc)
        if self.desc:
            ordered = ([r for r in ordered if key[r[0]] != MISSING_KEY]
                       + [r for r in ordered if key[r[0]] == MISSING_KEY])
        self.rows = ordered


def paged(model, rows: list[dict], size: int, prepared: bool) -> None:
    model.begin_refresh()
    for start in range(0, len(rows), size):
        page = rows[start:start + size]
        model.merge_page(model.prepare(page) if prepared else page)
    model.finish_refresh()


class _Row:
    def __init__(self, key):
        self.sort = [key]


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("spread", [3, 40, 5000])  # runs of ties, a few runs, scattered
def test_the_galloping_search_finds_what_bisection_finds(descending, spread):
    """Every point as a stable sort would put the row: after equal keys, missing keys
    last in both orders; near the last point, at the list's end, past every row."""
    rng = random.Random(f"{descending}{spread}")

    def key(value):
        return MISSING_KEY if value is None else (0, value)

    def order(keys):  # ascending, or descending with the missing ones still last
        present = sorted((k for k in keys if k != MISSING_KEY), reverse=descending)
        return present + [k for k in keys if k == MISSING_KEY]

    for size in (0, 1, 2, 7, 300):
        held = order([key(rng.choice([None] + list(range(spread)))) for _ in range(size)])
        new = order([key(rng.choice([None] + list(range(-2, spread + 2))))
                     for _ in range(rng.randrange(1, 60))])
        rows, news = [_Row(k) for k in held], [_Row(k) for k in new]
        expected = []
        for k in new:  # plain bisection: the first held row the new one sorts before
            before = [i for i, h in enumerate(held) if order([h, k]) == [k, h] and h != k]
            expected.append(before[0] if before else len(held))
        assert insertion_points(rows, news, 0, descending) == expected


@pytest.mark.parametrize("column_key", ["name", "status", "addresses", "created", None])
@pytest.mark.parametrize("order", [Asc, Desc])
@pytest.mark.parametrize("size", [3, 40])  # few runs a page, and more than MAX_INSERT_RUNS
def test_shuffled_pages_land_where_a_full_sort_puts_them(column_key, order, size):
    rng = random.Random(f"{column_key}{order}{size}")
    rows = servers(150)
    rng.shuffle(rows)
    model = ResourceTableModel.for_resource("servers")
    proxy = ResourceFilterProxy()
    proxy.setSourceModel(model)
    proxy.set_filter_text("vm-1")  # the filter stays on through every merge
    model.sort(model.column_index(column_key) if column_key else -1, order)
    old = OldMerge(column_key, order)
    paged(model, rows, size, prepared=size > 10)
    assert model.keys() == old.refresh(rows, size)
    # a refresh: some rows gone, some changed (sort keys too), new ones, shuffled again
    second = clone(rows[20:]) + servers(60, start=150)
    for row in second[::7]:
        row["name"] = f"renamed-{rng.randrange(5)}"
        row["status"] = "BUILD"
    rng.shuffle(second)
    paged(model, second, size, prepared=size > 10)
    assert model.keys() == old.refresh(second, size)
    assert all(model.row_for_key(k) == i for i, k in enumerate(model.keys()))
    shown = [proxy.index(r, 0).data(Id) for r in range(proxy.rowCount())]
    assert shown == [k for k in model.keys() if "vm-1" in model.raw(k)["name"]]
    assert 0 < len(shown) < model.rowCount()


@pytest.mark.parametrize("order", [Asc, Desc])
def test_selection_and_current_index_follow_rows_through_scattered_pages(order):
    model = ResourceTableModel.for_resource("servers")
    proxy = ResourceFilterProxy()
    proxy.setSourceModel(model)
    selection = QItemSelectionModel(proxy)
    model.sort(model.column_index("name"), order)
    rows = servers(60)
    random.Random(3).shuffle(rows)
    paged(model, rows[:30], 30, prepared=True)
    picked = [proxy.index(r, 0).data(Id) for r in (2, 9, 17)]
    for r in (2, 9, 17):
        selection.select(proxy.index(r, 0), QItemSelectionModel.SelectionFlag.Select
                         | QItemSelectionModel.SelectionFlag.Rows)
    selection.setCurrentIndex(proxy.index(9, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
    # pages scattered over more places than MAX_INSERT_RUNS (one layout change each), and
    # pages of a few rows (one rowsInserted per run)
    more = rows[30:]
    assert len(more) > MAX_INSERT_RUNS
    model.begin_refresh()
    model.merge_page(model.prepare(clone(rows[:30])))
    model.merge_page(model.prepare(more[:25]))
    model.merge_page(more[25:])
    model.finish_refresh()
    assert model.rowCount() == 60
    assert sorted(i.data(Id) for i in selection.selectedRows()) == sorted(picked)
    assert selection.currentIndex().data(Id) == picked[1]


def test_models_pass_the_testers_through_scattered_merges(check_model):
    model = ResourceTableModel.for_resource("servers")
    proxy = ResourceFilterProxy()
    proxy.setSourceModel(model)
    check_model(model)
    check_model(proxy)
    model.sort(model.column_index("name"), Desc)
    rows = servers(45)
    random.Random(5).shuffle(rows)
    paged(model, rows, 20, prepared=True)   # scattered: layout changes
    proxy.set_filter_text("vm-1 active")
    paged(model, rows[5:], 2, prepared=False)  # runs, a filter on, removals
    model.sort(model.column_index("addresses"), Asc)
    proxy.set_filter_text("")
    assert model.rowCount() == 40 and proxy.rowCount() == 40


def test_sort_keys_of_every_column_are_made_on_idle_turns_after_a_refresh(qtbot):
    def loaded():
        model = ResourceTableModel.for_resource("servers")
        model.sort(model.column_index("name"), Asc)
        paged(model, rows, 100, prepared=True)
        return model
    rows = servers(300)
    model, fresh = loaded(), loaded()
    addresses = model.column_index("addresses")
    fresh.sort(addresses, Desc)  # keys made by the click itself

    # the keys of the columns not sorted on are made between events
    qtbot.waitUntil(lambda: all(None not in row.sort for row in model._rows))
    model.sort(addresses, Desc)
    assert model.keys() == fresh.keys()
