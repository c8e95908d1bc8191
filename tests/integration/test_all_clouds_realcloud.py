"""All clouds against the real services: the demo user and the admin user of the real
cloud as two clouds; search finds the demo user's server by its fixed IP and an action
from the inventory reaches it in its own cloud and project while the window shows the
other cloud."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from osdesk.api.calllog import CallLog
from osdesk.api.cloud import Cloud
from osdesk.models.inventory_model import CLOUD_FIELD, PROJECT_FIELD
from tests.gui.conftest import (call_log, isolated_settings, loop, run, until,  # noqa: F401
                                window)
from tests.integration.helpers import demo_profile, unique, wait_for

pytestmark = pytest.mark.realcloud


def admin_profile(rc):
    return demo_profile(rc, id="realcloud-admin", source="demo", name="realcloud-admin",
                        username=rc["OS_USERNAME"], project_name=rc["OS_PROJECT_NAME"])


@pytest.fixture
def demo_server(realcloud):
    """A server of the demo user's project, made and deleted with the API layer."""
    cloud = Cloud(demo_profile(realcloud), realcloud["RC_DEMO_PASSWORD"], call_log=CallLog())
    server = cloud.compute.create_server(name=unique("inv-vm"), image_id=realcloud["RC_IMAGE_ID"],
                                         flavor_id=realcloud["RC_FLAVOR_TINY_ID"],
                                         networks=[realcloud["RC_DEMO_NET_ID"]])["server"]
    server = wait_for(lambda: cloud.compute.get_server(server["id"]),
                      lambda s: s["status"] in ("ACTIVE", "ERROR")
                      and not s.get("OS-EXT-STS:task_state"), timeout=180)
    assert server["status"] == "ACTIVE", server.get("fault")
    yield server
    cloud.compute.delete_server(server["id"])
    cloud.close()


def test_two_users_of_the_real_cloud_as_two_clouds(window, loop, realcloud, demo_server):
    demo = demo_profile(realcloud, id="realcloud-demo", source="demo")
    admin = admin_profile(realcloud)
    window.clouds.add_transient_cloud(demo, realcloud["RC_DEMO_PASSWORD"])
    window.clouds.add_transient_cloud(admin, realcloud["OS_PASSWORD"])
    window.open_profile(admin)  # the window shows the admin's cloud
    inventory = window.desk.page.inventory
    window.desk.start()
    servers = window.desk.page.models["servers"]

    def rows_of(cloud_id):
        return [servers.raw(k) for k in servers.keys() if k[0] == cloud_id]
    run(loop, until(lambda: not inventory.busy() and window.session is not None
                    and window.session.info, timeout=180), timeout=190)
    for pid in (demo.id, admin.id):
        assert inventory.health[pid].state == "connected", inventory.health[pid].detail
    mine = [r for r in rows_of(demo.id) if r["id"] == demo_server["id"]]
    assert len(mine) == 1
    assert (mine[0][CLOUD_FIELD], mine[0][PROJECT_FIELD]) == (
        "realcloud-demo", realcloud["RC_DEMO_PROJECT_NAME"])
    # the admin user's own project does not hold the demo user's server
    assert demo_server["id"] not in {r["id"] for r in rows_of(admin.id)}
    # networks of both clouds: the demo network in the demo user's list
    networks = window.desk.page.models["networks"]
    assert realcloud["RC_DEMO_NET_ID"] in {k[2] for k in networks.keys() if k[0] == demo.id}

    # search by the fixed IP, Enter: the demo cloud opens with the server selected
    ip = next(e["addr"] for nets in demo_server["addresses"].values() for e in nets)
    window.desk.open_search()
    palette = window.desk.palette
    QTest.keyClicks(palette.edit, ip)
    texts = [palette.results.item(i).text() for i in range(palette.results.count())]
    hit = [i for i, t in enumerate(texts) if t.startswith(demo_server["name"])]
    assert hit, texts
    palette.results.setCurrentRow(hit[0])
    QTest.keyClick(palette.edit, Qt.Key.Key_Return)
    page = window.pages["servers"]
    run(loop, until(lambda: window.session is not None and window.session.profile.id == demo.id
                    and page.current_row() is not None
                    and page.current_row()["id"] == demo_server["id"], timeout=120), timeout=130)

    # back to the admin's cloud; stop the demo user's server from All clouds
    window.open_profile(admin)
    run(loop, until(lambda: window.session.profile.id == admin.id and window.session.info,
                    timeout=60), timeout=70)
    row = mine[0]
    run(loop, window.desk.page.run_action("stop", [row]), timeout=180)
    stopped = [servers.raw(k) for k in servers.keys()
               if k[0] == demo.id and k[2] == demo_server["id"]]
    assert stopped and stopped[0]["status"] == "SHUTOFF"
    check = Cloud(demo_profile(realcloud), realcloud["RC_DEMO_PASSWORD"], call_log=CallLog())
    try:
        assert check.compute.get_server(demo_server["id"])["status"] == "SHUTOFF"
    finally:
        check.close()
    run(loop, until(lambda: not inventory.busy(), timeout=60), timeout=70)
