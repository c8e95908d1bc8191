"""Walk through every dialog of osdesk on the demo cloud, again and again, for N minutes.

    xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb \\
        .venv/bin/python tools/walk_dialogs.py --minutes 30 --shots /tmp/walk 2> /tmp/walk.err

The real window (the app's own event loop, GC guard and excepthook) opens the demo cloud,
with its pages refreshing every second (the refresh intervals are shortened), and opens
each dialog the way its menu, toolbar or key does. While a dialog is open the walk lets
the pages refresh, then answers it with the keyboard (Esc, Enter) or a click, as a person
would. At the end it prints what it walked and counts the event-loop errors in what it
wrote to stderr ("Cannot enter into task", "Exception in callback", "Task exception was
never retrieved", tracebacks); the exit status is 1 when there was any.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ERROR_MARKS = ("Cannot enter into task", "Exception in callback", "never retrieved",
               "Traceback (most recent call last)", "unexpected error")


class Tee(io.TextIOBase):
    """stderr as it was, and a copy to count the event-loop errors in."""

    def __init__(self, stream):
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text):
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self):
        self.stream.flush()


async def wait_for(predicate, timeout=30.0, what="condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise TimeoutError(f"{what} not reached within {timeout:.0f} s")


class Walk:
    def __init__(self, window, shots: Path | None):
        from osdesk.views import dialogs
        self.window = window
        self.shots = shots
        self.opened: list = []
        self.walked = Counter()
        self.refreshes = 0
        #: every exchange of the session (the console's model is capped, this is not)
        self.calls = 0
        window.call_log.subscribe(self._count)
        dialogs.opened_hooks.append(self.opened.append)

    def _count(self, call) -> None:  # on a worker thread: a counter only
        self.calls += 1

    # ------------------------------------------------------------- helpers
    async def dialog(self, title_part: str, timeout=20.0):
        """The open dialog whose title contains ``title_part``."""
        import shiboken6

        def find():
            for d in reversed(self.opened):
                if shiboken6.isValid(d) and d.isVisible() and title_part in d.windowTitle():
                    return d
            return None
        return await wait_for(find, timeout, f"dialog {title_part!r}")

    async def linger(self, seconds=1.2):
        """Let the page refresh under the open dialog (its timer fires every second)."""
        before = self.calls
        await asyncio.sleep(seconds)
        if self.calls > before:
            self.refreshes += 1

    def shot(self, widget, name: str) -> None:
        if self.shots is not None and self.walked[name] == 0:
            widget.grab().save(str(self.shots / f"{name}.png"))

    async def answer(self, name: str, title_part: str, how="escape", text=None):
        from PySide6.QtCore import Qt
        from PySide6.QtTest import QTest
        dlg = await self.dialog(title_part)
        await self.linger()
        self.shot(dlg, name)
        if text is not None:
            from PySide6.QtWidgets import QLineEdit
            edit = dlg.findChild(QLineEdit)
            edit.selectAll()
            QTest.keyClicks(edit, text)
        if how == "escape":
            QTest.keyClick(dlg, Qt.Key.Key_Escape)
        elif how == "enter":
            QTest.keyClick(dlg, Qt.Key.Key_Return)
        else:  # click the button whose text starts so
            from PySide6.QtWidgets import QPushButton
            next(b for b in dlg.findChildren(QPushButton)
                 if b.text().replace("&", "").startswith(how)).click()
        self.walked[name] += 1
        return dlg

    def rows(self, key, pred=lambda r: True):
        page = self.window.pages[key]
        return [r for r in (page.model.raw(k) for k in page.model.keys()) if pred(r)]

    async def page(self, key):
        page = self.window.pages[key]
        self.window.show_page(key)
        await wait_for(lambda: page.feed.state == "ready" and page.model.rowCount() > 0,
                       60, f"{key} loaded")
        return page

    def menu_action(self, key, rows, label):
        page = self.window.pages[key]
        page.table.clearSelection()
        for r in rows:
            page.select_key(r.get(page.key_field))
        for action in page.menu_provider(page, rows):
            if action is not None and action.text().startswith(label):
                return action
        raise LookupError(label)

    # --------------------------------------------------------------- rounds
    async def servers(self):
        await self.page("servers")
        settled = self.rows("servers", lambda r: r["status"] == "ACTIVE" and not r["locked"]
                            and not r.get("OS-EXT-STS:task_state"))
        one = settled[:1]
        for label, title, how, name in (
                ("Rename", "Rename server", "escape", "rename"),
                ("Create snapshot", "Create snapshot", "escape", "create-snapshot"),
                ("Edit metadata", "Metadata", "escape", "edit-metadata"),
                ("Resize", "Resize server", "escape", "resize"),
                ("Rebuild", "Rebuild server", "escape", "rebuild")):
            self.menu_action("servers", one, label).trigger()
            await self.answer(name, title, how)
        self.menu_action("servers", one, "Open console").trigger()
        await self.answer("console-type", "Open console", "enter")
        await self.answer("console-url", "Console", "Close")
        self.menu_action("servers", settled[:3], "Stop").trigger()
        await self.answer("confirm-stop", "Stop servers", "enter")  # Enter = Cancel
        self.menu_action("servers", settled[:2], "Delete").trigger()
        await self.answer("confirm-delete", "Delete servers", "escape")
        viewer_action = self.menu_action("servers", one, "Console log")
        viewer_action.trigger()
        await asyncio.sleep(1.0)
        from osdesk.views.server_dialogs import ConsoleLogViewer
        for viewer in self.window.findChildren(ConsoleLogViewer):
            self.shot(viewer, "console-log")
            viewer.close()
            viewer.deleteLater()
        self.walked["console-log"] += 1

    async def launch(self, n):
        self.window.launch_action.trigger()
        from osdesk.views.launch_dialog import LaunchDialog
        dlg = await wait_for(lambda: next((d for d in self.window.findChildren(LaunchDialog)
                                           if d.isVisible()), None), 20, "launch dialog")
        await self.linger()
        self.shot(dlg, "launch")
        dlg.createKeypairRequested.emit()
        await self.answer("launch-new-keypair", "New key pair", "escape")
        dlg.reject()
        self.walked["launch"] += 1

    async def keypairs(self, n):
        await self.page("keypairs")
        self.window.page_actions["keypairs"].on_create()
        await self.answer("create-keypair", "Create key pair", "enter", text=f"walk-{n}")
        await self.answer("private-key", "Private key of", "Save")
        dlg = await self.dialog("Save the private key")
        await self.linger()
        self.shot(dlg, "save-private-key")
        from PySide6.QtWidgets import QLineEdit
        edit = dlg.findChild(QLineEdit, "fileNameEdit")
        dlg.setDirectory(self.tmp)
        edit.setText(f"walk-{n}.pem")
        dlg.accept()
        self.walked["save-private-key"] += 1
        await wait_for(lambda: (Path(self.tmp) / f"walk-{n}.pem").exists(), 20, "key file")
        self.window.page_actions["keypairs"].on_import()
        await self.answer("import-key", "Import public key", "escape")
        page = await self.page("keypairs")
        await wait_for(lambda: page.model.raw(f"walk-{n}") is not None, 20, "new key pair")
        self.menu_action("keypairs", [page.model.raw(f"walk-{n}")], "Delete").trigger()
        await self.answer("confirm-delete-keypair", "Delete key pair", "Delete")

    async def images(self):
        page = await self.page("images")
        active = self.rows("images", lambda r: r["status"] == "active" and not r.get("protected"))
        self.window.page_actions["images"].on_create()
        await self.answer("create-image", "Create image", "escape")
        self.menu_action("images", active[:1], "Edit").trigger()
        await self.answer("edit-image", "Edit image", "escape")
        self.menu_action("images", active[:1], "Download").trigger()
        await self.answer("download-image", "Save image data", "escape")
        self.menu_action("images", active[:2], "Delete").trigger()
        await self.answer("confirm-delete-images", "Delete image", "escape")
        del page

    async def networks(self):
        await self.page("networks")
        nets = self.rows("networks", lambda r: not r.get("router:external"))
        self.window.page_actions["networks"].on_create()
        await self.answer("create-network", "Create network", "escape")
        self.menu_action("networks", nets[:1], "Create subnet").trigger()
        await self.answer("create-subnet", "Create subnet", "escape")
        self.menu_action("networks", nets[:1], "Delete").trigger()
        await self.answer("confirm-delete-network", "Delete network", "escape")
        await self.page("subnets")
        self.menu_action("subnets", self.rows("subnets")[:1], "Delete").trigger()
        await self.answer("confirm-delete-subnet", "Delete subnet", "escape")

    async def storage_and_reach(self):
        """Volumes, floating IPs, security groups, and the server's network/storage/SSH flows."""
        vols = await self.page("volumes")
        del vols
        self.window.page_actions["volumes"].on_create()
        await self.answer("create-volume", "Create volume", "escape")
        free = self.rows("volumes", lambda r: r["status"] == "available")
        self.menu_action("volumes", free[:1], "Extend").trigger()
        await self.answer("extend-volume", "Extend volume", "escape")
        self.menu_action("volumes", free[:1], "Attach to server").trigger()
        await self.answer("attach-volume", "Attach volume", "escape")
        self.menu_action("volumes", free[:1], "Create snapshot").trigger()
        await self.answer("snapshot-volume", "Create volume snapshot", "escape")
        self.menu_action("volumes", free[:2], "Delete").trigger()
        await self.answer("confirm-delete-volumes", "Delete volume", "escape")
        await self.page("floating_ips")
        self.window.page_actions["floating_ips"].on_allocate()
        await self.answer("allocate-fip", "Allocate floating IP", "escape")
        await self.page("security_groups")
        web = self.rows("security_groups", lambda r: r.get("name") == "web")
        self.menu_action("security_groups", web, "Edit rules").trigger()
        await self.answer("sg-rules", "Rules of", "escape")
        self.window.page_actions["security_groups"].on_create()
        await self.answer("create-sg", "Create security group", "escape")
        await self.page("servers")
        one = self.rows("servers", lambda r: r["status"] == "ACTIVE" and not r["locked"]
                        and not r.get("OS-EXT-STS:task_state"))[:1]
        for label, title, name in (("Resize", "Resize server", "resize-flavors"),
                                   ("Associate floating IP", "Associate floating IP",
                                    "associate-fip"),
                                   ("Security groups", "Security groups of", "server-groups"),
                                   ("Attach volume", "Attach volume", "server-attach-volume"),
                                   ("Attach interface", "Attach interface", "attach-interface")):
            self.menu_action("servers", one, label).trigger()
            await self.answer(name, title, "escape")

    async def clouds(self, n):
        w = self.window
        w.clouds.on_add_cloud()
        from osdesk.views.profile_dialog import ProfileDialog
        dlg = await wait_for(lambda: next((d for d in w.findChildren(ProfileDialog)
                                           if d.isVisible()), None), 20, "profile dialog")
        await self.linger()
        self.shot(dlg, "add-cloud")
        dlg.reject()
        self.walked["add-cloud"] += 1
        yaml = Path(self.tmp) / "clouds.yaml"
        yaml.write_text(f"clouds:\n  walk{n}:\n    auth:\n      auth_url: http://127.0.0.1:9/v3\n"
                        "      username: u\n      project_name: p\n"
                        "      user_domain_name: Default\n      project_domain_name: Default\n")
        w.clouds.on_import_clouds_yaml()
        dlg = await self.dialog("Import clouds.yaml")
        from PySide6.QtWidgets import QLineEdit
        dlg.setDirectory(self.tmp)
        dlg.findChild(QLineEdit, "fileNameEdit").setText("clouds.yaml")
        dlg.accept()
        self.walked["import-yaml-file"] += 1
        await asyncio.sleep(0.3)
        await self.answer("import-yaml-result", "Import clouds.yaml", "enter")
        saved = next(p for p in w.clouds.profiles if p.name == f"walk{n}")
        w.clouds_view.setCurrentIndex(w.clouds_model.index(w.clouds_model.row_of(saved.id), 0))
        w.clouds.on_export("yaml")
        await self.answer("export-file", "Export cloud", "escape")
        w.clouds.on_import_openrc()
        await self.answer("import-openrc", "Import openrc", "escape")
        from osdesk.views.window_chrome import about
        w._spawn(about(w))
        await self.answer("about", "About osdesk", "enter")
        # a cloud with no stored secret asks for it; cancelling leaves the demo open
        w.open_profile(saved)
        await self.answer("password-prompt", "Password for", "escape")
        w.clouds_view.setCurrentIndex(w.clouds_model.index(w.clouds_model.row_of(saved.id), 0))
        w.clouds.on_delete_cloud()
        await self.answer("confirm-forget-cloud", "Delete cloud", "Forget")

    async def run(self, minutes: float):
        self.tmp = tempfile.mkdtemp(prefix="osdesk-walk-")
        end = time.monotonic() + minutes * 60
        n = 0
        while True:
            n += 1
            for step in (self.servers, lambda: self.launch(n), lambda: self.keypairs(n),
                         self.images, self.networks, self.storage_and_reach,
                         lambda: self.clouds(n)):
                await step()
                if self.window.session is None or self.window.session.profile.id != "demo":
                    self.window.open_demo()
            print(f"round {n} done: {sum(self.walked.values())} dialogs, "
                  f"{self.refreshes} refreshes under an open dialog", flush=True)
            if time.monotonic() > end:
                return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--shots", type=Path, help="save one picture of each dialog here")
    args = parser.parse_args()
    tee = Tee(sys.stderr)
    sys.stderr = tee
    logging.basicConfig(stream=tee, level=logging.WARNING)
    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("OSDESK_CONFIG_DIR", tempfile.mkdtemp(prefix="osdesk-walk-config-"))
    from PySide6.QtWidgets import QApplication
    from osdesk import app as osdesk_app
    from osdesk.runtime import session as osdesk_session
    osdesk_session.FAST_REFRESH_MS = osdesk_session.SLOW_REFRESH_MS = 1000
    qapp = QApplication(sys.argv[:1])
    loop = osdesk_app.gui_event_loop(qapp)
    osdesk_app.install_excepthook()
    from osdesk.views.main_window import MainWindow
    window = MainWindow()
    window.resize(1400, 860)
    window.show()
    window.open_demo(servers=40)
    walk = Walk(window, args.shots)
    started = time.monotonic()
    with loop:
        try:
            rounds = loop.run_until_complete(walk.run(args.minutes))
        finally:
            window.shutdown()  # as the app does: before the loop closes
    errors = [line for line in tee.copy.getvalue().splitlines()
              if any(mark in line for mark in ERROR_MARKS)]
    print(f"walked {rounds} rounds in {(time.monotonic() - started) / 60:.1f} min: "
          f"{sum(walk.walked.values())} dialogs of {len(walk.walked)} kinds, "
          f"{walk.refreshes} times a page refreshed under an open dialog")
    print("dialogs: " + ", ".join(f"{k} ×{v}" for k, v in sorted(walk.walked.items())))
    print(f"event-loop errors on stderr: {len(errors)}")
    for line in errors[:20]:
        print("  " + line)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
