"""Past launch, in the window on the demo cloud: volumes (create, attach from a server's
menu, extend, detach, delete gated by status), floating IPs (associate from a server's
menu, the page naming the server), security-group rules (quick SSH rule with its source
range), and Connect (SSH) opening the user's terminal."""

from __future__ import annotations

import asyncio
import os
import stat

from PySide6.QtWidgets import QInputDialog

from tests.dialog_answers import go
from tests.gui.conftest import run, until
from tests.gui.test_live_pages import ready, rows_of, settled
from tests.gui.test_main_window import open_demo


def named(page, name):
    return next((r for r in rows_of(page) if r.get("name") == name), None)


def test_the_volume_page_lists_the_demo_volumes_with_their_servers(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    servers = ready(window, loop, "servers")
    page = ready(window, loop, "volumes")
    db = named(page, "db-data")
    assert db["status"] == "in-use"
    server = servers.model.raw(db["attachments"][0]["server_id"])
    run(loop, until(lambda: window.session.lookups.server_names))
    cells = {c.key: c.value(db, window.session.lookups) for c in page.kind.columns}
    assert cells["attached_to"] == f"{server['name']} on /dev/vdb"
    assert cells["size"] == "100 GiB"
    # an attached volume is not deleted, and the menu says why
    menu = {a.text().split("  (")[0]: a for a in page.menu_provider(page, [db]) if a}
    assert not menu["Delete…"].isEnabled()
    assert menu["Delete…"].toolTip() == "attached to a server: detach it first"
    assert not menu["Attach to server…"].isEnabled()


def test_a_volume_is_created_attached_extended_detached_and_deleted(window, loop, demo_cloud,
                                                                    answers):
    open_demo(window, demo_cloud)
    page = ready(window, loop, "volumes")
    actions = window.page_actions["volumes"]
    run(loop, actions.create({"size": 2, "name": "gui-vol", "volume_type": None,
                              "availability_zone": None}))
    run(loop, until(lambda: (named(page, "gui-vol") or {}).get("status") == "available",
                    timeout=20), timeout=25)
    vol = named(page, "gui-vol")

    servers = ready(window, loop, "servers")
    server = rows_of(servers, settled)[0]
    answers.on("Attach volume", "go", "gui-vol  (2 GiB)")
    run(loop, window.server_actions.perform("attach_volume", [server]))
    window.show_page("volumes")
    run(loop, until(lambda: page.model.raw(vol["id"])["status"] == "in-use", timeout=20),
        timeout=25)
    assert page.model.raw(vol["id"])["attachments"][0]["server_id"] == server["id"]

    run(loop, actions.extend(page.model.raw(vol["id"]), 3))
    run(loop, until(lambda: page.model.raw(vol["id"])["size"] == 3, timeout=20), timeout=25)

    answers.on("Detach volume", "go")
    row = servers.model.raw(server["id"])
    assert {"id": vol["id"], "delete_on_termination": False} in \
        row["os-extended-volumes:volumes_attached"]
    run(loop, window.server_actions.perform("detach_volume", [row]))
    run(loop, until(lambda: page.model.raw(vol["id"])["status"] == "available", timeout=20),
        timeout=25)

    answers.on("Delete", "go")
    run(loop, actions.delete([page.model.raw(vol["id"])]))
    run(loop, until(lambda: page.model.raw(vol["id"]) is None, timeout=20), timeout=25)
    assert answers.warnings() == []


def test_a_too_big_volume_gets_cinders_quota_sentence(window, loop, demo_cloud, answers):
    open_demo(window, demo_cloud)
    ready(window, loop, "volumes")
    answers.default = "go"
    run(loop, window.page_actions["volumes"].create(
        {"size": 5000, "name": "huge", "volume_type": None, "availability_zone": None}))
    [warning] = answers.warnings()
    assert "exceeds allowed gigabytes quota" in warning and "Requested 5000G" in warning


def test_a_floating_ip_is_associated_from_the_server_menu(window, loop, demo_cloud, answers):
    open_demo(window, demo_cloud)
    servers = ready(window, loop, "servers")
    server = next(r for r in rows_of(servers, settled)
                  if not any(e.get("OS-EXT-IPS:type") == "floating"
                             for es in r["addresses"].values() for e in es))
    answers.on("Associate floating IP", "go")  # the first free address, the first port
    run(loop, window.server_actions.perform("associate_fip", [server]))
    run(loop, until(lambda: any(e.get("OS-EXT-IPS:type") == "floating"
                                for es in servers.model.raw(server["id"])["addresses"].values()
                                for e in es), timeout=20), timeout=25)
    fips = ready(window, loop, "floating_ips")
    run(loop, until(lambda: window.session.lookups.server_names.get(server["id"])))
    mapped = [r for r in rows_of(fips) if (r.get("port_details") or {}).get("device_id")
              == server["id"]]
    assert len(mapped) == 1
    column = next(c for c in fips.kind.columns if c.key == "server")
    assert column.value(mapped[0], window.session.lookups) == server["name"]
    # and away again, from the server's menu
    answers.on("Disassociate floating IP", "go")
    row = servers.model.raw(server["id"])
    run(loop, window.server_actions.perform("disassociate_fip", [row]))
    assert not any(e.get("OS-EXT-IPS:type") == "floating"
                   for es in servers.model.raw(server["id"])["addresses"].values() for e in es)
    assert answers.warnings() == []


def test_a_quick_ssh_rule_shows_its_source_and_is_added(window, loop, demo_cloud):
    from PySide6.QtWidgets import QApplication
    from osdesk.views.security_group_views import RulesDialog
    open_demo(window, demo_cloud)
    page = ready(window, loop, "security_groups")
    group = named(page, "web")
    before = len(group["security_group_rules"])
    task = window._spawn(window.page_actions["security_groups"].ask_rules([group]))
    run(loop, until(lambda: isinstance(QApplication.activeModalWidget(), RulesDialog)))
    dialog = QApplication.activeModalWidget()
    assert dialog.source_edit.text() == "0.0.0.0/0"  # shown before anything is sent
    dialog.source_edit.setText("203.0.113.0/24")
    dialog.quick_buttons["ssh"].click()
    run(loop, until(lambda: dialog.table.rowCount() == before + 1, timeout=20), timeout=25)
    texts = [[dialog.table.item(r, c).text() for c in range(4, 5)]
             for r in range(dialog.table.rowCount())]
    assert ["203.0.113.0/24"] in texts
    dialog.source_edit.setText("not a range")
    dialog.quick_buttons["https"].click()
    assert "not an address range" in dialog.problem.text()
    dialog.reject()
    run(loop, task)


def test_connect_opens_the_terminal_with_ssh_to_the_floating_address(
        window, loop, demo_cloud, answers, tmp_path, monkeypatch):
    record = tmp_path / "argv.txt"
    terminal = tmp_path / "fake-terminal"
    terminal.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > {record}\n")
    terminal.chmod(terminal.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("TERMINAL", str(terminal))
    open_demo(window, demo_cloud)
    servers = ready(window, loop, "servers")
    server = next(r for r in rows_of(servers, settled)
                  if any(e.get("OS-EXT-IPS:type") == "floating"
                         for es in r["addresses"].values() for e in es))
    floating = next(e["addr"] for es in server["addresses"].values() for e in es
                    if e.get("OS-EXT-IPS:type") == "floating")
    answers.on("Connect to", "go", "ubuntu")
    run(loop, window.server_actions.perform("connect_ssh", [server]))
    run(loop, until(lambda: record.exists() and record.read_text().strip(), timeout=10),
        timeout=15)
    argv = record.read_text().split()
    assert argv[-1] == f"ubuntu@{floating}" and "ssh" in argv
    assert "Opened a terminal" in window.statusBar().currentMessage()
    # the user is remembered for the next time: the question comes filled in
    offered = []

    def accept_as_offered(dialog):
        if isinstance(dialog, QInputDialog):
            offered.append(dialog.textValue())
        go(dialog)
    answers.rules.clear()
    answers.on("Connect to", accept_as_offered)
    os.remove(record)
    run(loop, window.server_actions.perform("connect_ssh", [server]))
    assert offered == ["ubuntu"]
    run(loop, until(lambda: record.exists() and record.read_text().strip(), timeout=10),
        timeout=15)


def test_a_server_boots_from_a_new_volume_that_goes_with_it(window, loop, demo_cloud,
                                                           monkeypatch, answers):
    from osdesk.rules.launch import LaunchRequest
    from tests.gui.test_servers import launch_choices
    open_demo(window, demo_cloud)
    servers = ready(window, loop, "servers")
    images, flavors, networks = launch_choices(window, loop)
    image = next(i for i in images if i["status"] == "active" and i.get("min_disk"))
    flavor = next(f for f in flavors if f["ram"] >= (image.get("min_ram") or 0))
    net = next(n for n in networks if not n.get("router:external"))
    # this test is about the volume: rows are refreshed by hand, not followed
    monkeypatch.setattr(window.server_actions, "follow", lambda server_id: None)
    req = LaunchRequest(name="vol-boot", image=image, flavor=flavor, networks=[net["id"]],
                        boot_volume_gib=image["min_disk"] + 5)
    run(loop, window.launcher.launch(window.session, req))
    row = named(servers, "vol-boot")
    assert row is not None and row["image"] == ""  # booted from the volume, not the image
    cell = next(c for c in servers.kind.columns if c.key == "image").value(row)
    assert cell == "boot from volume"
    [attached] = row["os-extended-volumes:volumes_attached"]
    volumes = ready(window, loop, "volumes")
    volume = volumes.model.raw(attached["id"])
    assert volume["size"] == image["min_disk"] + 5 and volume["bootable"] == "true"
    assert volume["attachments"][0]["device"] == "/dev/vda"
    window.show_page("servers")
    answers.on("Delete", "go")
    run(loop, window.server_actions.perform("delete", [servers.model.raw(row["id"])]))
    run(loop, refreshed_until(servers, lambda: servers.model.raw(row["id"]) is None))
    run(loop, refreshed_until(volumes, lambda: volumes.model.raw(attached["id"]) is None))


async def refreshed_until(page, predicate, turns: int = 200):
    """Refresh ``page`` until ``predicate()`` holds (the demo moves on its own clock)."""
    for _ in range(turns):
        await page.refresh()
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not reached")


def test_a_failed_associate_leaves_no_address_allocated(window, loop, demo_cloud, answers):
    open_demo(window, demo_cloud)
    servers = ready(window, loop, "servers")
    server = rows_of(servers, settled)[1]
    session = window.session
    net = session.cloud.network
    # every free address taken: the flow has to allocate one from the pool
    for fip in run(loop, session.call(net.list_floating_ips)):
        if not fip.get("port_id"):
            run(loop, session.call(net.delete_floating_ip, fip["id"]))
    before = {f["id"] for f in run(loop, session.call(net.list_floating_ips))}
    demo_cloud.state.fail_next(r"/networking/v2\.0/floatingips/", 409, method="PUT",
                               body={"NeutronError": {"type": "FloatingIPPortAlreadyAssociated",
                                                      "message": "Port already has a floating IP",
                                                      "detail": ""}})
    answers.on("Associate floating IP", "go")  # allocate from the pool (the only choice)
    answers.on(".", "go")                      # and close the warning
    run(loop, window.server_actions.perform("associate_fip", [server]))
    assert any("Port already has a floating IP" in w for w in answers.warnings())
    after = {f["id"] for f in run(loop, session.call(net.list_floating_ips))}
    assert after == before
