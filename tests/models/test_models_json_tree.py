"""JsonTreeModel: every key of real bodies reachable, paths right, search, lazy children."""

from __future__ import annotations

import json
import re

import pytest
from PySide6.QtCore import QModelIndex, Qt

from model_samples import GLANCE, KEYSTONE, NEUTRON, NOVA, load_sample
from osdesk.models.json_tree import FETCH_BATCH, JsonTreeModel, format_path, walk

SAMPLES = [
    f"{NOVA}/servers/v2.96/server-get-resp.json",
    f"{NOVA}/servers/v2.47/servers-details-resp.json",
    f"{GLANCE}/images-list-response.json",
    f"{NEUTRON}/routers/routers-list-response.json",
    f"{KEYSTONE}/projects-list-response.json",
    "keystone/api-ref/source/v3/samples/auth/responses/project-scoped-password.json",
]

_STEP = re.compile(r'\.([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]')


def resolve(data, path: str):
    """Follow a ``$.a["b"][0]`` path through plain data (a tiny JSONPath reader)."""
    assert path.startswith("$")
    pos, cur = 1, data
    while pos < len(path):
        m = _STEP.match(path, pos)
        assert m, f"bad path {path!r} at {pos}"
        name, idx, quoted = m.groups()
        cur = cur[int(idx)] if idx is not None else cur[name if name is not None
                                                          else json.loads(quoted)]
        pos = m.end()
    return cur


def all_rows(model, parent=QModelIndex()):
    for row in range(model.rowCount(parent)):
        index = model.index(row, 0, parent)
        yield index
        yield from all_rows(model, index)


@pytest.mark.parametrize("path", SAMPLES)
def test_every_key_of_a_real_sample_is_reachable_with_the_right_path(check_model, path):
    data = load_sample(path)
    model = JsonTreeModel(data)
    check_model(model)
    seen = []
    for index in all_rows(model):
        value = model.value_of(index)
        jpath = model.path_of(index)
        assert resolve(data, jpath) is value
        assert model.index_for_path(model.segments_of(index)) == index
        assert model.index(index.row(), 2, index.parent()).data() in (
            "object", "array", "string", "number", "boolean", "null")
        seen.append(model.segments_of(index))
    assert seen == [segments for segments, _key, _child in walk(data)]


def test_server_paths_and_cells(check_model):
    data = load_sample(f"{NOVA}/servers/v2.96/server-get-resp.json")
    model = JsonTreeModel(data)
    check_model(model)
    addr = model.index_for_path(["server", "addresses", "private", 0, "addr"])
    assert addr.isValid()
    assert model.path_of(addr) == '$.server.addresses["private"][0].addr'
    assert model.value_of(addr) == "192.168.1.30"
    row = lambda col: model.index(addr.row(), col, addr.parent()).data()  # noqa: E731
    assert (row(0), row(1), row(2)) == ("addr", "192.168.1.30", "string")
    mac = model.index_for_path(["server", "addresses", "private", 0, "OS-EXT-IPS-MAC:mac_addr"])
    assert model.path_of(mac) == '$.server.addresses["private"][0]["OS-EXT-IPS-MAC:mac_addr"]'
    flavor = model.index_for_path(["server", "flavor"])
    assert json.loads(model.json_of(flavor)) == data["server"]["flavor"]
    assert model.index(flavor.row(), 1, flavor.parent()).data() == "{7 keys}"
    assert model.index(flavor.row(), 2, flavor.parent()).data() == "object"
    locked = model.index_for_path(["server", "locked"])
    assert model.index(locked.row(), 1, locked.parent()).data() == "false"
    key_name = model.index_for_path(["server", "key_name"])
    assert model.index(key_name.row(), 1, key_name.parent()).data() == "null"
    volumes = model.index_for_path(["server", "os-extended-volumes:volumes_attached"])
    first = model.index(0, 0, volumes)
    assert first.data() == "[0]"
    assert model.path_of(first) == '$.server["os-extended-volumes:volumes_attached"][0]'
    assert model.data(addr, JsonTreeModel.PathRole) == model.path_of(addr)
    assert model.data(addr, JsonTreeModel.ValueRole) == "192.168.1.30"
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Key"
    assert not model.index_for_path(["server", "nope"]).isValid()
    assert not model.index_for_path(["server", "addresses", "private", 5]).isValid()
    assert model.path_of(QModelIndex()) == "$"
    assert json.loads(model.json_of(QModelIndex())) == data


def test_find_keys_and_values_case_insensitive(check_model):
    data = load_sample(f"{NOVA}/servers/v2.96/server-get-resp.json")
    model = JsonTreeModel(data)
    check_model(model)
    paths = [model.path_of(i) for i in model.find("ADDR")]
    assert paths == ["$.server.addresses", '$.server.addresses["private"][0].addr',
                     '$.server.addresses["private"][0]["OS-EXT-IPS-MAC:mac_addr"]']
    assert [model.value_of(i) for i in model.find("192.168.1.30")] == ["192.168.1.30"]
    assert [model.path_of(i) for i in model.find("m1.TINY")] == ["$.server.flavor.original_name"]
    assert len(model.find("e", limit=3)) == 3
    assert model.find("") == []
    assert model.find("no such text anywhere") == []


def test_children_are_built_lazily_a_batch_at_a_time(recorder):
    data = {"servers": [{"id": str(i), "deep": {"x": [1, 2, 3]}} for i in range(5000)]}
    model = JsonTreeModel(data)
    top = model._root
    assert top.children == []
    servers = model.index(0, 0)
    assert top.children[0].children == []  # counted, not built
    # the first batch shows; the view fetches more when scrolled to its end
    assert model.rowCount(servers) == FETCH_BATCH
    assert model.hasChildren(servers) and model.canFetchMore(servers)
    assert not model.index(FETCH_BATCH, 0, servers).isValid()
    model.index(3, 0, servers)
    assert len(top.children[0].children) == FETCH_BATCH
    assert top.children[0].children[0].children == []
    rec = recorder(model)
    model.fetchMore(servers)
    assert rec.of("rowsInserted") == [(FETCH_BATCH, 2 * FETCH_BATCH - 1)]
    assert model.rowCount(servers) == 2 * FETCH_BATCH
    # search and paths reach rows not fetched yet (fetching up to them)
    hit = model.find("4321")
    assert [model.path_of(i) for i in hit] == ["$.servers[4321].id"]
    assert model.rowCount(servers) > 4321
    assert model.index(4321, 0, servers).data() == "[4321]"


def test_scalar_and_empty_documents_and_reset(check_model, recorder):
    model = JsonTreeModel("just text")
    check_model(model)
    assert model.rowCount() == 1
    only = model.index(0, 0)
    assert (only.data(), model.index(0, 1).data(), model.index(0, 2).data()) == (
        "(value)", "just text", "string")
    assert model.path_of(only) == "$"
    assert model.find("TEXT") == [only]
    rec = recorder(model)
    model.set_json({})
    assert rec.names() == ["modelAboutToBeReset", "modelReset"]
    assert model.rowCount() == 0
    model.set_json([None, 1.5, True, {"a b": []}])
    assert [model.index(r, 1).data() for r in range(4)] == ["null", "1.5", "true", "{1 key}"]
    inner = model.index(0, 0, model.index(3, 0))
    assert model.path_of(inner) == '$[3]["a b"]'
    assert model.index(0, 1, model.index(3, 0)).data() == "[0 items]"
    assert not model.hasChildren(inner)
    model.set_json(None)
    assert model.index(0, 2).data() == "null"


def test_format_path():
    assert format_path([]) == "$"
    assert format_path(["server", "metadata", "My Server Name"]) == \
        '$.server.metadata["My Server Name"]'
    assert format_path(["a", 0, "b-c", 'q"uote']) == '$.a[0]["b-c"]["q\\"uote"]'


def test_long_strings_are_cut_in_display_only():
    text = "x" * 5000 + "\nend"
    model = JsonTreeModel({"log": text})
    shown = model.index(0, 1).data()
    assert len(shown) < 400 and shown.endswith("…")
    assert model.value_of(model.index(0, 0)) == text
    assert model.index(0, 1).data(Qt.ItemDataRole.ToolTipRole).startswith("xxx")
