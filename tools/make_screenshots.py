"""Make the README's screenshots: every page and the main dialogs, on the demo cloud.

    QT_QPA_PLATFORM=offscreen python tools/make_screenshots.py [OUT_DIR] [--dark]

Runs the real app (MainWindow, the runner, the API layer) against the embedded demo
cloud, clicks through it in code and saves each screen with ``QWidget.grab()``.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path


async def _wait(predicate, timeout=20.0):
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return True
        await asyncio.sleep(0.05)
    return False


async def shoot(out: Path, dark: bool) -> list[Path]:
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication
    from osdesk.views.main_window import MainWindow

    app = QApplication.instance()
    saved: list[Path] = []

    def grab(widget, name):
        QApplication.processEvents()
        path = out / f"{name}{'-dark' if dark else ''}.png"
        widget.grab().save(str(path))
        saved.append(path)

    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    grab(window, "welcome")
    window.open_demo(servers=60)
    servers = window.pages["servers"]
    await _wait(lambda: servers.model.rowCount() > 0 and servers.feed.state == "ready")
    await _wait(lambda: window.api_log_model.rowCount() > 5)
    await asyncio.sleep(0.5)
    servers.table.selectRow(2)
    await asyncio.sleep(1.2)  # the detail pane loads the action log
    window.console.select_last()
    grab(window, "servers")
    for key, page in window.pages.items():
        if key == "servers":
            continue
        window.show_page(key)
        await _wait(lambda: page.feed.state in ("ready", "error", "no-service"))
        if page.model.rowCount():
            page.table.selectRow(0)
            await asyncio.sleep(0.8)
        grab(window, f"page-{key}")
    window.show_page("quotas")
    await _wait(lambda: window.quota_page.loaded_once)
    await asyncio.sleep(0.3)
    grab(window, "page-quotas")
    window.show_page("servers")

    # context menu of an ACTIVE server
    active = next(k for k in servers.model.keys() if servers.model.raw(k)["status"] == "ACTIVE")
    servers.select_key(active)
    menu = servers.build_context_menu(servers.selected_rows())
    menu.adjustSize()
    grab(menu, "server-menu")
    network = next(a.menu() for a in menu.actions()
                   if a.menu() and a.text().replace("&", "") == "Network")
    network.adjustSize()
    grab(network, "server-menu-network")

    # dialogs
    from osdesk.views.json_inspector import JsonInspector
    inspector = JsonInspector(servers.selected_rows()[0], "Server: inspect JSON", window)
    inspector.show()
    inspector.expand_all()
    grab(inspector, "json-inspector")
    inspector.close()

    from osdesk.views.launch_dialog import LaunchDialog
    launch = LaunchDialog(window, networks_optional=True)
    launch.show()
    await window.launcher.fill(window.session, launch)
    launch.name_edit.setText("web-42")
    grab(launch, "launch-dialog")
    launch.close()

    from osdesk.views.profile_dialog import ProfileDialog
    dialog = ProfileDialog(None, None, window.clouds.secrets, window.runner, window)
    dialog.show()
    grab(dialog, "profile-dialog")
    dialog.close()

    from osdesk.views.server_dialogs import ConsoleLogViewer
    viewer = ConsoleLogViewer(window, servers.selected_rows()[0], window)
    viewer.show()
    await viewer._load()
    grab(viewer, "console-log")
    viewer.close()

    # the image, key pair and network dialogs, filled in as a user would
    from osdesk.views.image_dialogs import CreateImageDialog, EditImageDialog, TransferDialog
    from osdesk.views.keypair_views import ImportKeyDialog
    from osdesk.views.network_dialogs import NetworkDialog
    create = CreateImageDialog(window)
    disk = Path(tempfile.mkdtemp(prefix="osdesk-shots-")) / "noble-server-cloudimg-amd64.img"
    disk.write_bytes(b"QFI\xfb" + bytes(4092))  # a file that exists, named like the real one
    create.name_edit.setText("ubuntu-24.04")
    create.file_edit.setText(str(disk))
    create.tags_edit.setText("ubuntu, lts")
    create.show()
    grab(create, "image-create-dialog")
    create.close()
    images = window.pages["images"]
    edit = EditImageDialog(images.model.raw(images.model.keys()[0]), window)
    edit.show()
    grab(edit, "image-edit-dialog")
    edit.close()
    transfer = TransferDialog("Uploading ubuntu-24.04", window)
    transfer.show()
    transfer._on_progress(0, 2_361_393_152)
    transfer._samples[0] = (transfer._samples[0][0] - 4.0, 0)  # four seconds in
    transfer._on_progress(1_117_782_016, 2_361_393_152)
    grab(transfer, "upload-progress")
    transfer.done(0)
    key = ImportKeyDialog(window)
    key.name_edit.setText("laptop")
    key.key_edit.setPlainText("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIMcJ6Xzf0o6D0gH4mYb3cJm0n"
                              "Yq3Fh9xkq2cE2tC4Fq9 me@laptop")
    key.show()
    grab(key, "keypair-import-dialog")
    key.close()
    net = NetworkDialog(window)
    net.name_edit.setText("backend")
    net.subnet_name.setText("backend-v4")
    net.cidr_edit.setText("10.20.0.0/24")
    net.show()
    grab(net, "network-create-dialog")
    net.close()

    await _storage_and_reach(window, grab)
    await _all_clouds(window, grab)
    await _instant_start(window, grab)

    window.close()
    window.shutdown()
    app.quit()
    return saved


class _Composed:
    """The window with a popup over it, as one picture (a popup is a window of its own)."""

    def __init__(self, window, popup):
        self.window, self.popup = window, popup

    def grab(self):
        from PySide6.QtGui import QPainter
        picture = self.window.grab()
        painter = QPainter(picture)
        painter.drawPixmap(self.window.mapFromGlobal(self.popup.mapToGlobal(
            self.popup.rect().topLeft())), self.popup.grab())
        painter.end()
        return picture


async def _all_clouds(window, grab) -> None:
    """All clouds on the demo's three clouds, and search everywhere finding an address
    of the second one."""
    from PySide6.QtTest import QTest
    desk = window.desk
    desk.show_inventory()
    inventory = desk.page.inventory
    await _wait(lambda: not inventory.busy() and all(
        h.state == "connected" for h in inventory.health.values()) and len(inventory.health) >= 3,
        timeout=60)
    desk.page.table.selectRow(0)
    await asyncio.sleep(0.3)
    grab(window, "all-clouds")
    desk.open_search()
    QTest.keyClicks(desk.palette.edit, "10.1.0.1")
    await asyncio.sleep(0.3)
    grab(_Composed(window, desk.palette), "search-everywhere")
    desk.palette.hide()
    desk.back_to_cloud()


async def _instant_start(window, grab) -> None:
    """The servers page opened from its snapshot (12 minutes old) while the cloud does not
    answer yet, then from a cloud that cannot be reached at all."""
    import time
    servers = window.pages["servers"]
    window.show_page("servers")
    session, demo = window.session, window.demos.primary
    rows = [servers.model.raw_at(i) for i in range(servers.model.rowCount())]
    window.snapshots.store.save("demo", session.info["project_id"], "servers", rows,
                                time.time() - 12 * 60)
    demo.hang(".*")
    window.open_profile(window.clouds.transient("demo"))
    await _wait(lambda: servers.model.rowCount() == len(rows))
    servers.table.selectRow(1)
    await asyncio.sleep(0.3)
    grab(window, "instant-start")
    demo.unhang()
    dead = window.clouds.transient("demo").copy(auth_url="http://127.0.0.1:9/identity/v3")
    window.clouds.add_transient_cloud(dead, demo.PASSWORD)
    window.open_profile(dead)
    await _wait(lambda: servers.feed.unreachable and servers.model.rowCount())
    servers.table.selectRow(1)
    await asyncio.sleep(0.3)
    grab(window, "instant-start-offline")


async def _storage_and_reach(window, grab) -> None:
    """The volume, security-group rule, resize and Connect dialogs, as a user sees them."""
    from osdesk.rules.formats import server_addresses as ssh_addresses
    from osdesk.views.security_group_views import RulesDialog
    from osdesk.views.server_dialogs import ResizeDialog
    from osdesk.views.volume_actions import _choices, volume_quota_text
    from osdesk.views.volume_dialogs import CreateVolumeDialog
    session = window.session
    cloud = session.cloud
    choices = await session.call(_choices, cloud)
    quota = await session.call(cloud.block_storage.quotas, session.info["project_id"])
    create = CreateVolumeDialog(window, quota_text=volume_quota_text(quota), **choices)
    create.name_edit.setText("data-2")
    create.source_combo.setCurrentIndex(1)
    create.show()
    grab(create, "volume-create-dialog")
    create.close()

    groups = window.pages["security_groups"]
    web = next(groups.model.raw(k) for k in groups.model.keys()
               if groups.model.raw(k).get("name") == "web")
    rules = RulesDialog(window, web, on_add=lambda f: None, on_delete=lambda r: None)
    rules.source_edit.setText("203.0.113.0/24")
    rules.show()
    grab(rules, "security-group-rules")
    rules.close()

    servers = window.pages["servers"]
    server = servers.selected_rows()[0]
    flavors = await session.call(cloud.compute.list_flavors)
    image = await session.call(cloud.image.get_image, server["image"]["id"]) \
        if isinstance(server.get("image"), dict) else None
    resize = ResizeDialog(server, flavors, image, window)
    resize.show()
    grab(resize, "resize-dialog")
    resize.close()

    # Connect (SSH) on a server without a floating IP: the real flow's question
    from PySide6.QtCore import QTimer
    from osdesk.views import dialogs

    def shoot_and_cancel(dialog):
        def later():
            grab(dialog, "connect-problems")
            dialog.reject()
        QTimer.singleShot(300, later)
    plain = next(servers.model.raw(k) for k in servers.model.keys()
                 if servers.model.raw(k)["status"] == "ACTIVE"
                 and not any(a[2] == "floating" for a in ssh_addresses(servers.model.raw(k))))
    dialogs.opened_hooks.append(shoot_and_cancel)
    try:
        await window.server_actions.flows.ssh_command(plain)
    finally:
        dialogs.opened_hooks.remove(shoot_and_cancel)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", nargs="?", default="docs/screenshots")
    parser.add_argument("--dark", action="store_true", help="use a dark Fusion palette")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OSDESK_CONFIG_DIR", tempfile.mkdtemp(prefix="osdesk-shots-"))
    os.environ.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="osdesk-shots-cache-"))

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication
    import qasync

    QCoreApplication.setOrganizationName("osdesk-screenshots")
    QCoreApplication.setApplicationName("osdesk-screenshots")
    QSettings().clear()
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    if args.dark:
        from osdesk.views.palette import dark_palette
        app.setPalette(dark_palette())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    with loop:
        saved = loop.run_until_complete(shoot(out, args.dark))
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
