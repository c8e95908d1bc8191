"""Cells made when first asked for read exactly as cells made all at once when a row
arrives (``Column.cell``, what the model cached before), for every kind's columns on
the services' real sample bodies: display text, sort keys, filter text, colours and
tooltips, before and after the lookups change, whichever is asked for first."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from model_samples import clone, many_servers, servers_v296
from osdesk.kinds.registry import KINDS
from osdesk.models.colors import color_for
from osdesk.models.resource_model import ResourceTableModel
from osdesk.rules.formats import EMPTY_CONTEXT, MISSING_KEY, LookupContext
from tests.kinds.test_humanised import rows_of

Tip, Fg = Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole


def bodies() -> dict[str, list[dict]]:
    out = {kind.key: rows_of(kind.key) for kind in KINDS}
    out["servers"] = out["servers"] + servers_v296() + many_servers(5)
    return out


def names_for(rows: list[dict]) -> LookupContext:
    """Lookups that name every id the rows hold (what set_context brings)."""
    ids = set()

    def walk(value):
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif isinstance(value, str):
            ids.add(value)
    walk(rows)
    named = {i: f"named-{i[:6]}" for i in ids}
    return LookupContext(flavor_names=named, image_names=named, network_names=named,
                         subnet_names=named, project_names=named, server_names=named,
                         volume_names=named, domain_names=named)


def eager(columns, raw, ctx) -> dict:
    """Every cell of a row made in one pass, as the model did when the row arrived."""
    cells = [col.cell(raw, ctx, True) for col in columns]
    return {"display": [c[0] for c in cells], "sort": [c[1] for c in cells],
            "filter": "\n".join(c[2] for c in cells).lower(),
            "colors": [col.color(raw, ctx) for col in columns]}


def lazy(model, row: int, first: str) -> dict:
    """A row's cells as the model gives them, ``first`` asked for first."""
    cols = range(model.columnCount())
    readers = {
        "display": lambda: [model.display_at(row, c) for c in cols],
        "sort": lambda: [model.sort_key_at(row, c) for c in cols],
        "filter": lambda: model.filter_text_at(row),
        "colors": lambda: [model.index(row, c).data(ResourceTableModel.StatusRole)
                           for c in cols],
    }
    out = {first: readers[first]()}
    out.update({name: read() for name, read in readers.items() if name != first})
    return out


@pytest.mark.parametrize("kind", [k.key for k in KINDS])
@pytest.mark.parametrize("first", ["display", "sort", "filter", "colors"])
def test_cells_made_when_asked_read_as_cells_made_at_once(kind, first, check_model):
    rows = bodies()[kind]
    model = ResourceTableModel.for_resource(kind)
    check_model(model)
    model.merge(clone(rows))
    assert model.rowCount() == len(model._keyed(rows)) > 0
    for r in range(model.rowCount()):
        raw = model.raw_at(r)
        assert lazy(model, r, first) == eager(model.columns, raw, EMPTY_CONTEXT)
        for c, col in enumerate(model.columns):
            index = model.index(r, c)
            assert index.data(Fg) == color_for(col.color(raw, EMPTY_CONTEXT))
            text = col.cell(raw, EMPTY_CONTEXT, False)[0]
            tip = col.tooltip(raw, EMPTY_CONTEXT)
            if tip is None and len(text) <= col.width_hint:
                assert index.data(Tip) is None
            elif tip is None:
                assert index.data(Tip) == text
            elif "ago" not in tip and "in " not in tip:  # ages move on
                assert index.data(Tip) == tip


@pytest.mark.parametrize("kind", [k.key for k in KINDS])
def test_cells_read_with_the_new_lookups_once_they_change(kind, recorder):
    rows = bodies()[kind]
    named = names_for(rows)
    for shown_before in (False, True):
        model = ResourceTableModel.for_resource(kind)
        model.merge(clone(rows))
        if shown_before:  # the cells made with the old lookups first
            for r in range(model.rowCount()):
                lazy(model, r, "display")
        uses = [c for c, col in enumerate(model.columns) if col.uses_context]

        def context_cells(r, ctx):
            cells = eager(model.columns, model.raw_at(r), ctx)
            return [(cells["display"][c], cells["colors"][c]) for c in uses]
        moved = [r for r in range(model.rowCount())
                 if context_cells(r, EMPTY_CONTEXT) != context_cells(r, named)]
        rec = recorder(model)
        model.set_context(named)
        for r in range(model.rowCount()):
            assert lazy(model, r, "display") == eager(model.columns, model.raw_at(r), named)
        changed = rec.of("dataChanged")
        if moved:  # one dataChanged over the rows whose cells read otherwise now
            [((top, left), (bottom, right))] = changed
            assert (top, bottom) == (moved[0], moved[-1])
            assert (left, right) == (min(uses), max(uses))
        else:
            assert changed == []
        rec.clear()
        model.set_context(named.replace())  # the same names again: nothing to say
        assert rec.events == []


@pytest.mark.parametrize("kind", [k.key for k in KINDS])
def test_every_column_sorts_as_on_keys_made_at_once(kind):
    rows = bodies()[kind]
    model = ResourceTableModel.for_resource(kind)
    model.merge(clone(rows))
    for c in range(model.columnCount()):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            model.sort(c, order)
            keys = [eager(model.columns, model.raw_at(r), EMPTY_CONTEXT)["sort"][c]
                    for r in range(model.rowCount())]
            present = [k for k in keys if k != MISSING_KEY]
            # sorted on the eager keys, missing values last in both orders
            assert present == sorted(present, reverse=order == Qt.SortOrder.DescendingOrder)
            assert keys == present + [MISSING_KEY] * (len(keys) - len(present))


def test_a_row_built_on_the_worker_reads_as_one_merged_raw(check_model):
    rows = many_servers(40)
    ctx = names_for(rows)
    prepared = ResourceTableModel.for_resource("servers", context=ctx)
    raw_merged = ResourceTableModel.for_resource("servers", context=ctx)
    check_model(prepared)
    for model in (prepared, raw_merged):
        model.sort(model.column_index("created"), Qt.SortOrder.DescendingOrder)
    prepared.merge_page(prepared.prepare(clone(rows)))
    raw_merged.merge_page(clone(rows))
    for model in (prepared, raw_merged):
        model.finish_refresh()
    assert prepared.keys() == raw_merged.keys()
    for r in range(prepared.rowCount()):
        assert lazy(prepared, r, "filter") == lazy(raw_merged, r, "display") == eager(
            prepared.columns, prepared.raw_at(r), ctx)


def test_filter_texts_are_made_on_idle_turns_after_a_refresh(qtbot):
    model = ResourceTableModel.for_resource("servers")
    model.begin_refresh()
    for start in range(0, 300, 100):
        model.merge_page(model.prepare(many_servers(100, start=start)))
    model.finish_refresh()
    rows = list(model._rows)
    qtbot.waitUntil(lambda: all(row.filter is not None for row in rows))
    assert [row.filter for row in rows] == [
        eager(model.columns, row.raw, EMPTY_CONTEXT)["filter"] for row in rows]
