"""Start-up's background work (reading clouds.yaml, listing every cloud for the
inventory) waits until the window shows the first rows of the cloud it opened, and
does not wait when no cloud opens or the login fails."""

from __future__ import annotations

import pytest

from osdesk.profiles import ProfileStore, SecretStore
from osdesk.runtime.runner import Runner
from tests.gui.conftest import run, until

CLOUDS_YAML = """\
clouds:
  lab:
    auth:
      auth_url: http://127.0.0.1:9/identity
      username: alice
      project_name: demo
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
"""


@pytest.fixture
def clouds_yaml(tmp_path, monkeypatch):
    path = tmp_path / "clouds.yaml"
    path.write_text(CLOUDS_YAML)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(path))
    return path


@pytest.fixture
def make_window(qtbot, loop, tmp_path, call_log):
    made = []

    def make():
        from osdesk.views.main_window import MainWindow
        win = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                         runner=Runner(), call_log=call_log)
        qtbot.addWidget(win)
        made.append(win)
        return win
    yield make
    for win in made:
        win.shutdown()


def yaml_names(window) -> list[str]:
    return [p.cloud_name or p.name for p in window.clouds.yaml_profiles]


def test_clouds_yaml_and_the_other_clouds_wait_for_the_first_rows(make_window, loop,
                                                                  clouds_yaml, call_log):
    window = make_window()
    seen = []  # (what, cloud) in the order it happened
    call_log.subscribe(lambda call: seen.append(("call", call.cloud)))
    page = window.pages["servers"]
    page.model.rowsInserted.connect(
        lambda *a: seen.append(("rows", len(window.clouds.yaml_profiles))))
    window.show_page("servers")
    window.open_demo(servers=5)
    window.show()
    window.desk.start_up()  # as osdesk.app does
    opened = window.session.profile.name
    others = {p.name for p in window.clouds.all_profiles() if p.source == "demo"} - {opened}
    # in one run, up to the end of the other clouds' listing (a listing must not
    # straddle two runs of the test's loop, nor outlive it)
    run(loop, until(lambda: yaml_names(window) == ["lab"] and others <= {
        cloud for what, cloud in seen if what == "call"}
        and not window.desk.page.inventory.busy()), timeout=60)
    assert page.model.rowCount() == 5
    first_rows = seen.index(next(s for s in seen if s[0] == "rows"))
    assert seen[first_rows][1] == 0  # clouds.yaml not read yet when the rows came
    before = {cloud for what, cloud in seen[:first_rows] if what == "call"}
    assert before == {opened}  # no other cloud listed before them
    assert window.first_rows.done


def test_without_a_cloud_opening_nothing_waits(make_window, loop, clouds_yaml):
    window = make_window()
    window.show()
    run(loop, until(lambda: yaml_names(window) == ["lab"]), timeout=60)
    assert window.first_rows.done and window.session is None


def test_a_failed_login_does_not_hold_the_rest(make_window, loop, clouds_yaml):
    from osdesk.profiles.profile import Profile
    window = make_window()
    dead = Profile(id="dead", name="Dead", auth_url="http://127.0.0.1:9/identity",
                   username="u", project_name="p")
    window.clouds.remember_for_session(dead.id, "secret")
    window.open_profile(dead)
    window.show()
    run(loop, until(lambda: window.connect_banner.isVisible()), timeout=60)
    run(loop, until(lambda: yaml_names(window) == ["lab"]), timeout=60)
    assert window.first_rows.done
