"""Quota overview, cloud export and server metadata, in the window on the demo cloud."""

from __future__ import annotations

import os
import stat

from osdesk.profiles.profile import Profile
from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def test_quota_page_shows_compute_and_network_usage(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    run(loop, until(lambda: bool(window.session and window.session.info)))
    window.show_page("quotas")
    run(loop, until(lambda: window.quota_page.loaded_once))
    session = window.session
    limits = run(loop, session.call(session.cloud.compute.limits))
    quota = run(loop, session.call(session.cloud.network.quotas, session.info["project_id"]))
    bars = window.quota_page.bars
    assert bars["Instances"].format() == (f"{limits['totalInstancesUsed']:,} of "
                                          f"{limits['maxTotalInstances']:,}")
    assert bars["Networks"].format() == (f"{quota['network']['used']:,} of "
                                         f"{quota['network']['limit']:,}")
    assert {"vCPUs", "RAM", "Key pairs", "Subnets", "Routers", "Ports", "Floating IPs",
            "Security groups"} <= set(bars)


def test_quota_bar_turns_red_when_full(window, loop, demo_cloud):
    demo_cloud.state.set_quota("demo", instances=1)
    open_demo(window, demo_cloud)
    run(loop, until(lambda: bool(window.session and window.session.info)))
    window.show_page("quotas")
    run(loop, until(lambda: window.quota_page.loaded_once))
    bar = window.quota_page.bars["Instances"]
    assert bar.value() == 1000
    assert bar.palette().color(bar.palette().ColorRole.Highlight).name() == "#d9534f"
    assert bar.styleSheet() == ""  # a sheet would drop the frame and the centred text


def test_export_keeps_the_secret_out_unless_asked(window, tmp_path):
    profile = Profile(name="lab", auth_url="https://keystone.example.org:5000/v3",
                      username="alice", project_name="web", user_domain_name="Default",
                      project_domain_name="Default")
    window.clouds.profiles.append(profile)
    window.clouds.secrets.set(profile.id, "s3cret-pass")
    plain = tmp_path / "clouds.yaml"
    window.clouds.export_profile(profile, "yaml", str(plain))
    text = plain.read_text()
    assert "keystone.example.org" in text and "s3cret-pass" not in text
    with_secret = tmp_path / "openrc.sh"
    window.clouds.export_profile(profile, "openrc", str(with_secret), include_secret=True)
    assert "s3cret-pass" in with_secret.read_text()
    assert stat.S_IMODE(os.stat(with_secret).st_mode) == 0o600


def fill_metadata(dialog):
    """Type two rows into the metadata dialog (replacing what it had) and save."""
    from PySide6.QtWidgets import QTableWidgetItem
    table = dialog.table
    table.setRowCount(0)
    for key, value in (("owner", "team-ä"), ("tier", "gold")):
        row = table.rowCount()
        table.insertRow(row)
        table.setItem(row, 0, QTableWidgetItem(key))
        table.setItem(row, 1, QTableWidgetItem(value))
    dialog.buttons.accepted.emit()


def test_edit_metadata_replaces_the_servers_metadata(window, loop, demo_cloud, answers):
    open_demo(window, demo_cloud)
    page = window.pages["servers"]
    run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
    server = next(page.model.raw(k) for k in page.model.keys()
                  if page.model.raw(k)["status"] == "ACTIVE" and not page.model.raw(k)["locked"])
    answers.on("Metadata", fill_metadata)
    run(loop, window.server_actions.perform("edit_metadata", [server]))
    session = window.session
    fresh = run(loop, session.call(session.cloud.compute.get_server, server["id"]))
    assert fresh["metadata"] == {"owner": "team-ä", "tier": "gold"}
    run(loop, until(lambda: page.model.raw(server["id"])["metadata"] == fresh["metadata"]))


def test_import_clouds_yaml_saves_the_clouds_and_keeps_secrets_in_the_keyring(window, loop,
                                                                              tmp_path,
                                                                              answers):
    answers.on("Import clouds.yaml")
    path = tmp_path / "clouds.yaml"
    path.write_text("clouds:\n  lab:\n    auth:\n      auth_url: https://keystone.lab.test/v3\n"
                    "      username: alice\n      password: yaml-s3cret\n"
                    "      project_name: web\n      user_domain_name: Default\n"
                    "      project_domain_name: Default\n    region_name: RegionOne\n"
                    "  broken:\n    auth: [1]\n")
    added = run(loop, window.clouds.import_clouds_yaml(str(path)))
    assert added == 1
    saved = window.clouds.store.load()
    assert [p.auth_url for p in saved] == ["https://keystone.lab.test/v3"]
    assert window.clouds.secrets.get(saved[0].id) == "yaml-s3cret"
    assert "yaml-s3cret" not in window.clouds.store.path.read_text()
    told = answers.texts("message")
    assert "Imported 1 cloud(s)" in told[0] and "broken" in told[0]


def test_a_new_network_s_name_shows_in_the_subnets_table_at_once(window, loop, demo_cloud,
                                                                 answers):
    answers.on(".", "go")
    open_demo(window, demo_cloud)
    run(loop, until(lambda: bool(window.session and window.session.info)))
    subnets = window.pages["subnets"]
    window.show_page("subnets")
    run(loop, until(lambda: subnets.feed.state == "ready"))
    net_actions = window.page_actions["networks"]

    run(loop, net_actions.create("fresh-net", {
        "cidr": "10.99.0.0/24", "name": "fresh-sub", "ip_version": 4, "gateway_ip": True,
        "enable_dhcp": True, "dns_nameservers": None}))
    run(loop, subnets.refresh())

    assert answers.seen == []
    model = subnets.model
    [key] = [k for k in model.keys() if model.raw(k)["name"] == "fresh-sub"]
    column = model.column_index("network")
    run(loop, until(lambda: model.display_at(model.row_for_key(key), column) == "fresh-net"))


def test_the_status_bar_counts_rows_in_words_and_not_on_the_quota_page(window, loop, demo_cloud):
    open_demo(window, demo_cloud)
    projects = window.pages["projects"]
    window.show_page("projects")
    run(loop, until(lambda: projects.feed.state == "ready" and projects.model.rowCount() > 0))
    n = projects.model.rowCount()
    assert window.status_rows.text() == (f"{n} projects" if n != 1 else "1 project")
    window.show_page("servers")
    servers = window.pages["servers"]
    run(loop, until(lambda: servers.feed.state == "ready"))
    assert window.status_rows.text() == f"{servers.model.rowCount()} servers"

    window.show_page("quotas")

    assert window.status_rows.text() == ""


def test_kind_nouns_read_as_running_text():
    from osdesk.kinds.registry import KIND_BY_KEY
    assert KIND_BY_KEY["servers"].noun(1) == "server"
    assert KIND_BY_KEY["floating_ips"].noun(1) == "floating IP"
    assert KIND_BY_KEY["floating_ips"].noun(2) == "floating IPs"
    assert KIND_BY_KEY["keypairs"].noun(0) == "key pairs"
