"""Destructive actions ask first, and "No" sends nothing."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from tests.gui.conftest import run, until
from tests.gui.test_main_window import open_demo


def deletes(window):
    calls = [window.api_log_model.call_at(r) for r in range(window.api_log_model.rowCount())]
    return [c for c in calls if c.method == "DELETE"]


def test_declining_every_delete_confirmation_sends_no_delete(window, loop, demo_cloud,
                                                             monkeypatch):
    asked = []
    monkeypatch.setattr(QMessageBox, "question", staticmethod(
        lambda parent, title, text, *a, **k: asked.append((title, text))
        or QMessageBox.StandardButton.No))
    open_demo(window, demo_cloud)
    rows = {}
    for key in ("servers", "images", "keypairs", "networks", "subnets"):
        page = window.pages[key]
        window.show_page(key)
        run(loop, until(lambda: page.feed.state == "ready" and page.model.rowCount() > 0))
        rows[key] = [page.model.raw(page.model.keys()[0])]
    servers = [r for r in (window.pages["servers"].model.raw(k)
                           for k in window.pages["servers"].model.keys()) if not r["locked"]][:2]
    run(loop, window.server_actions.perform("delete", servers))
    image_actions, key_actions, net_actions, subnet_actions = window.page_actions
    unprotected = [window.pages["images"].model.raw(k) for k in window.pages["images"].model.keys()
                   if not window.pages["images"].model.raw(k).get("protected")][:1]
    run(loop, image_actions.delete(unprotected))
    run(loop, key_actions.delete(rows["keypairs"]))
    run(loop, net_actions.delete(rows["networks"]))
    run(loop, subnet_actions.delete(rows["subnets"]))
    assert len(asked) == 5
    # each confirmation names what would be deleted
    assert all(servers[0]["name"] in text for title, text in asked[:1])
    assert rows["keypairs"][0]["name"] in asked[2][1]
    assert deletes(window) == []
