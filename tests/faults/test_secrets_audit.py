"""Secrets audit: after a full session, no secret is in anything osdesk wrote or showed.

The scenario: add a cloud with a password (testing the connection first), add one with
an application credential, log in, list every page, run server, network and launch
actions, create a key pair (its private key saved where the user asked), export the API
console and a clouds.yaml and an openrc file, close the window. Then every file under the
test's home, config, QSettings, export and log folders, and every record of the console
in every form it can show or copy, is searched for the password, the application
credential secret, every token the cloud issued, the private key and the servers'
admin passwords; the snapshots of the lists (instant start) are searched unzipped, and
hold no admin password or user data either. The only hits allowed are the files the user explicitly asked to hold
a secret (the private key file, an export made with the secret).
"""

from __future__ import annotations

import base64
import gzip
import secrets as secrets_module
import json
import logging
import urllib.parse
from pathlib import Path

import pytest

from osdesk.api.calllog import JsonText, default_log
from osdesk.rules.launch import LaunchRequest
from osdesk.profiles.profile import Profile
from osdesk.views.console_dock import request_text, response_text
from osdesk.views.profile_dialog import ProfileDialog
from tests.faults.conftest import run, until

pytestmark = pytest.mark.faults


def variants(secret: str) -> set[str]:
    """The forms a secret can take in a file: raw, JSON-escaped, URL-encoded, base64."""
    out = {secret, json.dumps(secret)[1:-1], urllib.parse.quote(secret, safe=""),
           urllib.parse.quote_plus(secret), base64.b64encode(secret.encode()).decode()}
    return {v for v in out if len(v) >= 8}


def key_fragments(private_key: str) -> set[str]:
    """Every base64 line of a PEM key: any one of them found is a leak."""
    return {line.strip() for line in private_key.splitlines()
            if len(line.strip()) >= 40 and "PRIVATE KEY" not in line}


def search(texts: dict[str, str], secrets: dict[str, set[str]]) -> list[str]:
    hits = []
    for where, text in texts.items():
        for name, forms in secrets.items():
            if any(form in text for form in forms):
                hits.append(f"{name} in {where}")
    return hits


def files_under(root: Path) -> dict[str, str]:
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":  # the snapshots: searched as they are read back
                data = gzip.decompress(data)
            out[str(path.relative_to(root))] = data.decode("utf-8", "replace")
    return out


def console_texts(window) -> dict[str, str]:
    """A console record in every form the console shows, copies or saves."""
    model = window.api_log_model
    out = {}
    for row in range(model.rowCount()):
        call = model.call_at(row)
        forms = [json.dumps(call.to_dict(), default=str, ensure_ascii=False),
                 json.dumps(call.request_json, default=str, ensure_ascii=False),
                 json.dumps(call.response_json, default=str, ensure_ascii=False),
                 # a big body kept whole for the inspector: its text, and as parsed
                 *[json.dumps(body.parse(), ensure_ascii=False) + body.text
                   for body in (call.request_json, call.response_json)
                   if isinstance(body, JsonText)],
                 call.as_curl(), call.as_openstack_cli() or "", request_text(call),
                 response_text(call),
                 " ".join(str(model.index(row, c).data() or "")
                          for c in range(model.columnCount()))]
        out[f"console record {row} ({call.method} {call.url})"] = "\n".join(forms)
    return out


def test_no_secret_anywhere_after_a_full_session(make_window, loop, demo_cloud, tmp_path,
                                                  monkeypatch, dialogs, answers, recorder, qtbot):
    demo = demo_cloud
    monkeypatch.setattr("osdesk.runtime.instant_start.SAVE_EVERY_S", 0.0)  # every refresh kept
    # a password found nowhere else (the demo's own doubles as an application credential name)
    password = "Aud1t-pässwörd-" + secrets_module.token_hex(8)
    demo.state.users[demo.USER_ID]["password"] = password
    exports = tmp_path / "export"
    exports.mkdir()
    logs = tmp_path / "logs"
    logs.mkdir()
    # log as verbosely as `osdesk --debug` ever does (app.py: root DEBUG, keystoneauth INFO)
    handler = logging.FileHandler(logs / "osdesk.log", encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    root, ksa = logging.getLogger(), logging.getLogger("keystoneauth")
    levels = root.level, ksa.level
    root.setLevel(logging.DEBUG)  # setLevel, not the attribute: it clears the level caches
    ksa.setLevel(logging.INFO)
    root.addHandler(handler)
    shown_once: list[str] = []
    window = make_window()
    window.api_log_bridge.attach(default_log)  # as in the app: "Test connection" logs there
    async def show_once(title, server, secret):
        shown_once.append(secret)
    monkeypatch.setattr(window.server_actions, "show_once", show_once)
    try:
        # 1. add a cloud with a password, testing it first, through the dialog
        dialog = ProfileDialog(None, None, window.clouds.secrets, window.runner, window)
        qtbot.addWidget(dialog)
        dialog.saved.connect(window.clouds.on_profile_saved)
        dialog.name_edit.setText("Audit cloud")
        dialog.auth_url_edit.setText(demo.auth_url)
        dialog.user_field.edit.setText(demo.USERNAME)
        dialog.user_domain_field.edit.setText("Default")
        dialog.secret_edit.setText(password)
        dialog.project_field.edit.setText("demo")
        dialog.project_domain_field.edit.setText("Default")
        dialog.region_edit.setText("RegionOne")
        tested = []
        dialog.testFinished.connect(lambda ok, text: tested.append((ok, text)))
        dialog.on_test_button_clicked()
        run(loop, until(lambda: tested, what="test connection"))
        assert tested[0][0], tested
        dialog.save_button.click()
        (saved,) = window.clouds.profiles
        assert window.clouds.secrets.where(saved.id).in_keyring
        # ... and one with an application credential
        appcred = Profile(name="Audit appcred", auth_url=demo.auth_url,
                          auth_type="v3applicationcredential",
                          application_credential_id=demo.APP_CRED_ID, region_name="RegionOne")
        window.clouds.on_profile_saved(appcred, demo.APP_CRED_SECRET, True)

        async def scenario():
            # 2. log in with the application credential and list servers
            window.open_profile(window.clouds.profiles[1])
            page = window.pages["servers"]
            window.show_page("servers")
            await until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0,
                        what="appcred servers")
            # 3. log in with the password and list everything
            window.open_profile(window.clouds.profiles[0])
            for key, page in window.pages.items():
                window.show_page(key)
                await until(lambda: page.feed.state == "ready", timeout=30, what=key)
            servers = window.pages["servers"]
            window.show_page("servers")
            rows = [servers.model.raw(k) for k in servers.model.keys()]
            active = [r for r in rows if r["status"] == "ACTIVE" and not r.get("locked")]
            # 4. actions: reboot, stop, rescue (an admin password), a network, a launch
            await window.server_actions.perform("reboot_soft", [active[0]])
            await window.server_actions.perform("stop", [active[1]])
            await window.server_actions.perform("rescue", [active[2]])
            net_actions = window.page_actions["networks"]
            await net_actions.create("audit-net", {"cidr": "10.99.0.0/24", "name": "audit-sub",
                                                   "ip_version": 4, "gateway_ip": True,
                                                   "enable_dhcp": True,
                                                   "dns_nameservers": None})
            session = window.session
            image = next(i for i in await session.call(session.cloud.image.list_images)
                         if i["name"].startswith("cirros"))
            flavor = next(f for f in await session.call(session.cloud.compute.list_flavors)
                          if f["name"] == "m1.tiny")
            network = next(n for n in await session.call(session.cloud.network.list_networks)
                           if n["name"] == "audit-net")
            await window.launcher.launch(session, LaunchRequest(
                name="audit-vm", image=image, flavor=flavor, networks=[network["id"]],
                user_data="#!/bin/sh\necho hello\n"))
            # 5. a key pair; its private key goes where the user says
            answers.on("Save the private key", "go", value=exports / "audit-key.pem")
            await window.page_actions["keypairs"].create("audit-key")
            keypairs = window.pages["keypairs"]
            window.show_page("keypairs")
            await until(lambda: keypairs.model.row_for_key("audit-key") >= 0, what="keypair")
            # the launched server (its user data) and the rescued one in the snapshot too
            window.show_page("servers")
            servers.refresh()
            await until(lambda: servers.feed.state == "ready"
                        and any(r.get("name") == "audit-vm" for r in
                                map(servers.model.raw, servers.model.keys())), what="audit-vm")
            # All clouds lists this cloud too, and keeps its lists for the next start
            window.desk.show_inventory()
            inventory = window.desk.page.inventory
            await until(lambda: not inventory.busy() and any(
                r.get("name") == "audit-vm" for model in [inventory.models["servers"]]
                for r in map(model.raw, model.keys())), what="the inventory")
            await window.runner.run("#snapshots", lambda: None)  # the writes queued are done
        run(loop, scenario(), timeout=180)
        private_key = (exports / "audit-key.pem").read_text()
        assert "PRIVATE KEY" in private_key
        assert shown_once, "the rescue/launch admin password was shown once"
        # 6. exports: the console, a clouds.yaml and an openrc file (without secrets), and
        # one clouds.yaml where the user explicitly asked for the secret
        window.console.save_json(exports / "console.json")
        window.clouds.export_profile(saved, "yaml", str(exports / "clouds.yaml"))
        window.clouds.export_profile(saved, "openrc", str(exports / "openrc.sh"))
        # through the menu: the user says yes to "Include the password in the file?"
        window.clouds_view.setCurrentIndex(
            window.clouds_model.index(window.clouds_model.row_of(saved.id), 0))
        answers.on("Export cloud", "go", value=exports / "clouds-with-secret.yaml")
        window.export_yaml_action.trigger()
        run(loop, until(lambda: (exports / "clouds-with-secret.yaml").exists(), what="export"))

        assert any(kind == "question" and "Include the password" in text
                   for kind, _title, text in dialogs)
        window.close()  # writes QSettings
    finally:
        root.removeHandler(handler)
        handler.close()
        root.setLevel(levels[0])
        ksa.setLevel(levels[1])
        window.api_log_bridge.detach(default_log)

    assert [d for d in dialogs if d[0] == "warning"] == []  # every step worked
    assert (logs / "osdesk.log").stat().st_size > 0
    tokens = list(demo.state.tokens)
    assert len(tokens) >= 2
    secrets = {"password": variants(password),
               "application credential secret": variants(demo.APP_CRED_SECRET),
               "private key": key_fragments(private_key)}
    secrets.update({f"token {i}": variants(t) for i, t in enumerate(tokens)})
    secrets.update({f"admin password {i}": variants(p) for i, p in enumerate(shown_once)})
    texts = files_under(tmp_path)
    assert any(name.startswith("qsettings") for name in texts), "QSettings were not written"
    assert "config/profiles.json" in texts and "logs/osdesk.log" in texts
    snapshots = {name: text for name, text in texts.items() if name.endswith(".json.gz")}
    assert any(name.endswith("--servers.json.gz") and "audit-vm" in text
               for name, text in snapshots.items()), sorted(snapshots)
    assert len(snapshots) >= len(window.pages) - 1, sorted(snapshots)
    assert any('"project":"*inventory*"' in text and '"kind":"servers"' in text
               and "audit-vm" in text for text in snapshots.values()), sorted(snapshots)
    for name, text in snapshots.items():  # nothing a server was given once, nor its script
        assert "adminPass" not in text and "user_data" not in text, name
    texts.update(console_texts(window))
    recorder.secrets_searched += len(texts)
    hits = search(texts, secrets)
    allowed = {"private key in export/audit-key.pem", "password in export/clouds-with-secret.yaml"}
    # the search does find a secret where one is: the explicit exports hold theirs
    assert allowed <= set(hits), hits
    for name in ("audit-key.pem", "clouds-with-secret.yaml"):  # and only the user reads them
        assert (exports / name).stat().st_mode & 0o077 == 0, name
    leaks = sorted(set(hits) - allowed)
    recorder.secret_hits.extend(leaks)
    assert leaks == []
