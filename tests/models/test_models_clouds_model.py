"""CloudListModel: profiles by id, subtitle, merge without reset."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QPersistentModelIndex, Qt

from osdesk.models.clouds_model import CloudListModel, subtitle_of
from osdesk.profiles.profile import Profile


def profiles() -> list[Profile]:
    return [
        Profile(name="lab", auth_url="https://lab.example.com:5000/v3", id="p-lab",
                username="alice", project_name="demo", region_name="RegionOne"),
        Profile(name="prod", auth_url="https://keystone.example.com/v3", id="p-prod",
                auth_type="v3applicationcredential", application_credential_id="ac1",
                source="clouds.yaml", cloud_name="prod", project_id="abc123"),
        Profile(name="admin-domain", auth_url="https://lab.example.com:5000/v3", id="p-dom",
                username="admin", domain_name="Default"),
    ]


def names(model) -> list[str]:
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_roles(check_model):
    model = CloudListModel(profiles())
    check_model(model)
    assert names(model) == ["lab", "prod", "admin-domain"]
    first = model.index(0, 0)
    assert first.data(CloudListModel.SubtitleRole) == "demo · RegionOne"
    assert model.index(1, 0).data(CloudListModel.SubtitleRole) == "abc123 · clouds.yaml"
    assert model.index(2, 0).data(CloudListModel.SubtitleRole) == "domain Default"
    assert first.data(CloudListModel.IdRole) == "p-lab"
    assert first.data(CloudListModel.ProfileRole) == profiles()[0]
    assert "https://lab.example.com:5000/v3" in first.data(Qt.ItemDataRole.ToolTipRole)
    assert "clouds.yaml" in model.index(1, 0).data(Qt.ItemDataRole.ToolTipRole)
    assert model.profile_at(1).name == "prod"
    assert model.profile_at(7) is None
    assert model.row_of("p-dom") == 2
    assert model.row_of("nope") == -1
    unscoped = Profile(name="u", auth_url="https://x/v3")
    assert subtitle_of(unscoped) == "(unscoped)"


def test_set_profiles_merges_by_id_and_keeps_the_selection(check_model, recorder):
    model = CloudListModel(profiles())
    check_model(model)
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(model.index(1, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect)
    current = QPersistentModelIndex(model.index(1, 0))
    rec = recorder(model)
    model.set_profiles(profiles())  # equal: nothing happens
    assert rec.events == []
    updated = profiles()
    updated[1] = updated[1].copy(region_name="RegionTwo")
    model.set_profiles(updated)
    assert rec.events == [("dataChanged", ((1, 0), (1, 0)))]
    assert model.index(1, 0).data(CloudListModel.SubtitleRole) == "abc123 · RegionTwo · clouds.yaml"
    rec.clear()
    new = Profile(name="new", auth_url="https://new/v3", id="p-new", username="bob")
    model.set_profiles([updated[1], new, updated[0]])  # drop one, add one, reorder
    assert names(model) == ["prod", "new", "lab"]
    assert "modelReset" not in rec.names()
    assert rec.of("rowsRemoved") == [(2, 2)] and rec.of("rowsInserted") == [(2, 2)]
    assert "layoutChanged" in rec.names()
    assert current.data() == "prod" and selection.currentIndex().data() == "prod"
    assert [model.row_of(p) for p in ("p-prod", "p-new", "p-lab")] == [0, 1, 2]
    model.set_profiles([])
    assert model.rowCount() == 0


def test_the_open_cloud_names_the_project_it_is_open_in():
    from osdesk.models.clouds_model import CloudListModel
    from osdesk.profiles.profile import Profile
    a = Profile(id="a", name="A", auth_url="https://a.test/v3", project_name="web",
                region_name="r1")
    b = Profile(id="b", name="B", auth_url="https://b.test/v3", project_name="db")
    model = CloudListModel([a, b])
    changed = []
    model.dataChanged.connect(lambda top, bottom, roles: changed.append(top.row()))
    model.set_open("a", "staging")  # switched from the profile's "web" to "staging"
    sub = CloudListModel.SubtitleRole
    assert model.index(0).data(sub) == "staging · r1"
    assert model.index(1).data(sub) == "db"
    model.set_open("b", "db")
    assert model.index(0).data(sub).startswith("web") and changed == [0, 0, 1]
