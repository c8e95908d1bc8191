"""After a launch, Nova's administrator password waits in the server's detail pane with a
copy link — no box to click away — and is kept in memory only."""

from __future__ import annotations

from osdesk.rules.launch import LaunchRequest
from tests.gui.conftest import run
from tests.gui.test_live_pages import ready
from tests.gui.test_main_window import open_demo
from tests.gui.test_servers import launch_choices


def test_the_admin_password_is_in_the_detail_pane_not_a_box(window, loop, demo_cloud,
                                                            answers, monkeypatch):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "servers")
    images, flavors, networks = launch_choices(window, loop)
    image = next(i for i in images if i["status"] == "active" and i["name"].startswith("cirros"))
    flavor = next(f for f in flavors if f["disk"] >= (image.get("min_disk") or 0))
    net = next(n for n in networks if not n.get("router:external"))
    monkeypatch.setattr(window.server_actions, "follow", lambda server_id: None)
    req = LaunchRequest(name="with-password", image=image, flavor=flavor, networks=[net["id"]])
    run(loop, window.launcher.launch(window.session, req))
    assert [s for s in answers.seen if s.kind == "message"] == []  # nothing to click away
    [row] = page.selected_rows()
    assert row["name"] == "with-password"
    title, secret = window.server_actions.passwords[row["id"]]
    assert title == "Administrator password" and len(secret) >= 8
    assert secret in page.detail.toPlainText()
    assert "copy it now" in window.statusBar().currentMessage()
    assert secret not in window.statusBar().currentMessage()
    # another server's pane does not show it
    other = next(k for k in page.model.keys() if k != row["id"])
    page.select_key(other)
    assert secret not in page.detail.toPlainText()
