"""Screenshots of osdesk on the real OpenStack services of ``tests/realcloud/``.

    bash tests/realcloud/install.sh && bash tests/realcloud/start.sh
    xvfb-run -a -s "-screen 0 1440x900x24" env QT_QPA_PLATFORM=xcb \\
        OS_CLIENT_CONFIG_FILE=/tmp/realcloud/clouds.yaml \\
        .venv/bin/python tools/realcloud_screenshots.py docs/screenshots --cloud realcloud-demo
    bash tests/realcloud/stop.sh

Runs the real window (MainWindow, the runner, the API layer) on a real X screen,
opens ``--cloud`` from the clouds.yaml, and creates what it shows, all named
``shot-…-XXXX``: two key pairs, a network with an IPv4 and an IPv6 subnet, a
router with its gateway on ``public``, an interface on that subnet and a static
route, two servers on the network, and an image uploaded through the Images
page's own flow (a sparse file of ``--upload-mib``, so the transfer dialog is
caught mid-upload). It saves ``realcloud-<page>.png`` per page with its detail
pane showing, ``realcloud-quotas.png`` and ``realcloud-upload.png``, with
``QWidget.grab()``. Whatever it created is deleted at the end, also after an
error. Use the non-admin cloud (``realcloud-demo``): that is what the shots
are meant to show.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

#: The window size of every main-window shot (as tools/make_screenshots.py).
WINDOW_SIZE = (1400, 860)
#: Width of the detail pane beside each table, in pixels.
DETAIL_WIDTH = 400


class Failed(Exception):
    """A step did not reach its expected state; the run stops (and cleans up)."""


async def wait_for(predicate, what: str, timeout: float = 60.0, interval: float = 0.05):
    """Poll ``predicate()`` on the event loop until it is truthy; return its value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise Failed(f"timed out after {timeout:.0f} s waiting for {what}")
        await asyncio.sleep(interval)


def row_named(page, name: str) -> dict | None:
    for key in page.model.keys():
        raw = page.model.raw(key)
        if raw and raw.get("name") == name:
            return raw
    return None


def openssh_public_key(kind: str) -> str:
    """A fresh public key in OpenSSH form (the private half is thrown away)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
    private = (ed25519.Ed25519PrivateKey.generate() if kind == "ed25519"
               else rsa.generate_private_key(public_exponent=65537, key_size=3072))
    return private.public_key().public_bytes(serialization.Encoding.OpenSSH,
                                             serialization.PublicFormat.OpenSSH).decode()


class Shooter:
    def __init__(self, window, out: Path, upload_bytes: int, warnings: list[str]):
        self.window = window
        self.out = out
        self.upload_bytes = upload_bytes
        self.saved: list[Path] = []
        suffix = uuid.uuid4().hex[:4]
        self.names = {what: f"shot-{what}-{suffix}" for what in
                      ("laptop", "ci", "net", "subnet", "subnet6", "router", "web", "db",
                       "image")}
        #: ids of what exists in the cloud, for the clean-up
        self.made: dict[str, str] = {}
        self.server_ids: list[str] = []
        self.upload_task: asyncio.Task | None = None
        self.tmpdir = tempfile.mkdtemp(prefix="osdesk-shots-upload-")
        #: messages the app would have shown in a modal box (see main())
        self.warnings = warnings

    # ----------------------------------------------------------------- helpers
    @property
    def session(self):
        return self.window.session

    async def call(self, fn, *args, **kwargs):
        return await self.session.call(fn, *args, **kwargs)

    def actions(self, name: str):
        """The window's ImageActions, KeypairActions or NetworkActions: the code
        behind that page's buttons and dialogs."""
        return next(a for a in self.window.page_actions.values() if type(a).__name__ == name)

    def check_warnings(self, step: str) -> None:
        if self.warnings:
            raise Failed(f"{step}: the app reported: {' | '.join(self.warnings)}")

    def grab(self, widget, name: str) -> None:
        from PySide6.QtWidgets import QApplication
        QApplication.processEvents()
        path = self.out / f"realcloud-{name}.png"
        if not widget.grab().save(str(path)):
            raise Failed(f"could not write {path}")
        self.saved.append(path)
        print(f"saved {path}", flush=True)

    async def load_page(self, key: str):
        """Show a page and wait for a fresh, complete list."""
        page = self.window.pages[key]
        self.window.show_page(key)
        task = page.refresh()  # the one show_page started, or a new one
        if task is not None:
            await task
        if page.feed.state != "ready":
            raise Failed(f"page {key}: {page.feed.state}: {page.feed.message}")
        return page

    async def shoot_page(self, key: str, select: str | None, detail_has: str = "",
                         settle: float = 0.6) -> None:
        """Select the row named ``select`` and shoot once its detail pane is complete
        (``detail_has``: a section that only arrives with the pane's extra calls)."""
        page = await self.load_page(key)
        # The app's 3:1 split wraps ids and hashes over several lines of the detail
        # pane; give it a little more room, as a user reading details would.
        total = sum(page.splitter.sizes())
        page.splitter.setSizes([total - DETAIL_WIDTH, DETAIL_WIDTH])
        if select is not None:
            raw = await wait_for(lambda: row_named(page, select), f"{select} in {key}", 30)
            page.select_key(raw[page.key_field])
            await wait_for(lambda: select in page.detail.toPlainText(),
                           f"the detail pane of {select}", 10)
            if detail_has:
                await wait_for(lambda: detail_has in page.detail.toPlainText(),
                               f"{detail_has!r} in the detail pane of {select}", 30)
        await asyncio.sleep(settle)  # the console's last rows and a repaint
        self.window.console.select_last()
        self.grab(self.window, key)

    # ---------------------------------------------------------------- creating
    async def create_keypairs(self) -> None:
        key_actions = self.actions("KeypairActions")
        for what, kind in (("laptop", "ed25519"), ("ci", "rsa")):
            name = self.names[what]
            await key_actions.do_import(name, openssh_public_key(kind))
            self.check_warnings(f"import key pair {name}")
            self.made[f"keypair-{what}"] = name

    async def create_network(self) -> None:
        net_actions = self.actions("NetworkActions")
        cloud = self.session.cloud
        name = self.names["net"]
        await net_actions.create(name, {"cidr": "192.168.77.0/24", "name": self.names["subnet"],
                                        "ip_version": 4, "gateway_ip": True,
                                        "enable_dhcp": True,
                                        "dns_nameservers": ["9.9.9.9", "149.112.112.112"]})
        self.check_warnings(f"create network {name}")
        nets = await self.call(cloud.network.list_networks, filters={"name": name})
        if len(nets) != 1:
            raise Failed(f"network {name}: found {len(nets)}")
        network = nets[0]
        self.made["network"] = network["id"]
        await net_actions.create_subnet(network, {
            "cidr": "fd00:77::/64", "name": self.names["subnet6"], "ip_version": 6,
            "gateway_ip": True, "enable_dhcp": True, "dns_nameservers": None})
        self.check_warnings(f"create the IPv6 subnet of {name}")

    async def create_router(self) -> None:
        # The Routers page has no create action: make it through the API layer, as a
        # script or the CLI would, and let the page show it.
        cloud = self.session.cloud
        public = await self.call(cloud.network.list_networks,
                                 filters={"router:external": "true"})
        fields = {"name": self.names["router"]}
        if public:
            fields["external_gateway_info"] = {"network_id": public[0]["id"]}
        router = await self.call(cloud.network.create, "routers", fields)
        self.made["router"] = router["id"]
        subnets = await self.call(cloud.network.list_subnets,
                                  filters={"name": self.names["subnet"]})
        await self.call(cloud.json, "network", "PUT",
                        f"/routers/{router['id']}/add_router_interface",
                        json={"subnet_id": subnets[0]["id"]})
        self.made["router-interface"] = subnets[0]["id"]
        # the next hop must be on a subnet the router is attached to
        await self.call(cloud.json, "network", "PUT", f"/routers/{router['id']}",
                        json={"router": {"routes": [{"destination": "10.77.0.0/16",
                                                     "nexthop": "192.168.77.10"}]}})

    async def create_servers(self) -> None:
        """Boot two servers on the new network (Nova's fake driver: ACTIVE in seconds)."""
        cloud = self.session.cloud
        images = await self.call(cloud.image.list_images, filters={"status": "active"})
        flavors = {f["name"]: f["id"] for f in await self.call(cloud.compute.list_flavors)}
        if not images or not flavors:
            raise Failed("the cloud has no active image or no flavor to boot from")
        image = next((i for i in images if i.get("name") == "cirros-like"), images[0])
        for what, flavor, role in (("web", "m1.tiny", "web"), ("db", "m1.small", "database")):
            body = await self.call(
                cloud.compute.create_server, self.names[what], image["id"],
                flavors.get(flavor) or next(iter(flavors.values())),
                networks=[self.made["network"]], key_name=self.names["laptop"],
                metadata={"role": role})
            self.server_ids.append(body["server"]["id"])

    async def wait_servers_active(self) -> None:
        cloud = self.session.cloud

        async def statuses():
            return [(await self.call(cloud.compute.get_server, sid)).get("status")
                    for sid in self.server_ids]
        deadline = time.monotonic() + 180
        while True:
            now = await statuses()
            if all(s == "ACTIVE" for s in now):
                return
            if "ERROR" in now or time.monotonic() > deadline:
                raise Failed(f"servers did not become ACTIVE: {now}")
            await asyncio.sleep(1.0)

    async def upload_image(self) -> None:
        """Upload through the Images page's own flow and shoot its transfer dialog
        while the bytes are going out."""
        from PySide6.QtWidgets import QApplication
        from osdesk.views.image_dialogs import TransferDialog
        path = os.path.join(self.tmpdir, "shot-disk.raw")
        with open(path, "wb") as f:
            f.truncate(self.upload_bytes)  # sparse: no disk space, read back as zeros
        images_page = self.window.pages["images"]
        image_actions = self.actions("ImageActions")
        self.window.show_page("images")
        self.upload_task = asyncio.ensure_future(image_actions.create({
            "name": self.names["image"], "path": path, "disk_format": "raw",
            "container_format": "bare", "visibility": "private", "min_disk": 2,
            "min_ram": 256, "protected": False, "tags": ["osdesk", "screenshot"]}))

        def dialog_midway():
            for w in QApplication.topLevelWidgets():
                if isinstance(w, TransferDialog) and w.isVisible() and \
                        400 <= w.bar.value() <= 750 and "left" in w.label.text():
                    return w
            if self.upload_task.done():
                raise Failed("the upload ended before its dialog could be caught midway "
                             "(try a bigger --upload-mib)")
            return None
        dialog = await wait_for(dialog_midway, "the upload dialog midway", 300, 0.02)
        self.grab(dialog, "upload")
        await wait_for(self.upload_task.done, "the end of the upload", 900, 0.2)
        self.upload_task.result()
        self.check_warnings("upload image")
        image = await wait_for(lambda: row_named(images_page, self.names["image"]),
                               "the uploaded image in the list", 60)
        if image.get("status") != "active":
            raise Failed(f"uploaded image is {image.get('status')}")

    # ---------------------------------------------------------------- shooting
    async def run(self) -> None:
        await self.create_keypairs()
        await self.create_network()
        await self.create_router()
        await self.create_servers()
        await self.upload_image()
        # The pages name networks, images and flavors from lookups the session loads
        # when it connects, and nothing in osdesk reloads them after a create: without
        # this the new subnets would show their network's id instead of its name.
        await self.session.load_lookups()
        # right after the upload: the status bar still reports its checksum
        await self.shoot_page("images", self.names["image"])
        self.window.statusBar().clearMessage()
        await self.wait_servers_active()
        await self.shoot_page("servers", self.names["web"], "Action log")
        await self.shoot_page("flavors", "m1.small", "Extra specs")
        # Nova's list has no created_at: the pane fetches the key pair for a "Details"
        # section (Created, User, ID) after the selection
        await self.shoot_page("keypairs", self.names["laptop"], "Created")
        await self.shoot_page("networks", self.names["net"], "Ports on this network")
        await self.shoot_page("subnets", self.names["subnet"])
        await self.shoot_page("routers", self.names["router"], "Interfaces")
        await self.shoot_page("projects", self.session.info.get("project_name"))
        await self.shoot_quotas()

    async def shoot_quotas(self) -> None:
        quota = self.window.quota_page
        self.window.show_page("quotas")
        quota.reset()  # loaded once already? load again, with what was created
        task = quota.refresh()
        if task is not None:
            await task
        await wait_for(lambda: quota.loaded_once and quota.bars, "the quota bars", 60)
        if quota.problems.isVisible():
            raise Failed(f"quota page: {quota.problems.text()}")
        await asyncio.sleep(0.6)
        self.window.console.select_last()
        self.grab(self.window, "quotas")

    # ---------------------------------------------------------------- clean-up
    async def clean_up(self) -> list[str]:
        """Delete everything this run made, in dependency order; never raises."""
        from osdesk.api.errors import Conflict, NotFound
        errors: list[str] = []
        session = self.session
        if session is None:
            return ["no session: nothing could be deleted"] if self.made else []
        cloud = session.cloud

        async def attempt(what, fn, *args, retry_conflict=False, **kwargs):
            for _ in range(15 if retry_conflict else 1):
                try:
                    return await self.call(fn, *args, **kwargs)
                except NotFound:
                    return None
                except Conflict as exc:  # e.g. a port Nova has not released yet
                    error = exc
                    if retry_conflict:
                        await asyncio.sleep(1.0)
                except Exception as exc:  # report it and go on with the rest
                    error = exc
                    break
            errors.append(f"{what}: {error}")
            return None

        if self.upload_task is not None and not self.upload_task.done():
            self.window.transfers.cancel_all()  # the app then deletes the half-made image
            try:
                await asyncio.wait_for(asyncio.shield(self.upload_task), 60)
            except Exception as exc:
                errors.append(f"cancelled upload: {exc}")
        for sid in self.server_ids:
            await attempt(f"delete server {sid}", cloud.compute.delete_server, sid)
        deadline = time.monotonic() + 120
        while self.server_ids:
            listed = await attempt("list servers", cloud.compute.list_servers) or []
            if not any(s["id"] in self.server_ids for s in listed):
                break
            if time.monotonic() > deadline:
                errors.append("servers still there after 120 s")
                break
            await asyncio.sleep(1.0)
        router = self.made.get("router")
        if router:
            # routes first: Neutron keeps an interface that a route's next hop needs
            await attempt("clear the routes", cloud.json, "network", "PUT",
                          f"/routers/{router}", json={"router": {"routes": []}})
            if self.made.get("router-interface"):
                await attempt("remove the router interface", cloud.json, "network", "PUT",
                              f"/routers/{router}/remove_router_interface",
                              json={"subnet_id": self.made["router-interface"]})
            await attempt("delete router", cloud.network.delete, "routers", router)
        if self.made.get("network"):  # its subnets go with it
            await attempt("delete network", cloud.network.delete_network, self.made["network"],
                          retry_conflict=True)
        for what in ("laptop", "ci"):
            if f"keypair-{what}" in self.made:
                await attempt(f"delete key pair {self.names[what]}",
                              cloud.compute.delete_keypair, self.names[what])
        # by name: an upload that failed after its create may have left one behind
        images = await attempt("list images", cloud.image.list_images,
                               filters={"name": self.names["image"]}) or []
        for image in images:
            await attempt(f"delete image {image['id']}", cloud.image.delete_image, image["id"])
        try:
            os.remove(os.path.join(self.tmpdir, "shot-disk.raw"))
        except FileNotFoundError:
            pass
        os.rmdir(self.tmpdir)
        return errors


async def shoot(out: Path, cloud_name: str, upload_bytes: int,
                warnings: list[str]) -> list[Path]:
    from PySide6.QtWidgets import QApplication
    from osdesk.views.main_window import MainWindow

    window = MainWindow()
    window.resize(*WINDOW_SIZE)
    window.show()
    shooter = Shooter(window, out, upload_bytes, warnings)
    window.clouds.open_cloud_by_name(cloud_name)
    failure: BaseException | None = None
    try:
        await wait_for(lambda: window.session is not None and window.session.info,
                       f"a connection to {cloud_name}", 90)
        await shooter.run()
    except BaseException as exc:
        failure = exc
    finally:
        errors = await shooter.clean_up()
        for error in errors:
            print(f"clean-up: {error}", file=sys.stderr)
        if not errors:
            print("clean-up: everything created was deleted", flush=True)
        window.close()
        window.shutdown()
        QApplication.instance().quit()
    if failure is not None:
        raise failure
    return shooter.saved


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default="docs/screenshots")
    parser.add_argument("--cloud", default="realcloud-demo",
                        help="the clouds.yaml entry to open (default realcloud-demo)")
    parser.add_argument("--upload-mib", type=int, default=1536,
                        help="size of the sparse file uploaded as an image (default 1536)")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if not os.environ.get("OS_CLIENT_CONFIG_FILE"):
        print("warning: OS_CLIENT_CONFIG_FILE is not set; looking for clouds.yaml in the "
              "usual places", file=sys.stderr)
    # none of the user's own saved clouds; removed at exit
    config_dir = tempfile.TemporaryDirectory(prefix="osdesk-shots-")
    os.environ.setdefault("OSDESK_CONFIG_DIR", config_dir.name)

    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication, QMessageBox
    from osdesk.app import gui_event_loop

    QCoreApplication.setOrganizationName("osdesk-realcloud-screenshots")
    QCoreApplication.setApplicationName("osdesk-realcloud-screenshots")
    QSettings().clear()
    app = QApplication(sys.argv[:1])
    app.setStyle("Fusion")
    print(f"Qt platform: {app.platformName()}", flush=True)
    loop = gui_event_loop(app)  # the app's own: GC guard, GIL interval, qasync loop

    # Nobody is there to click a modal message box: an error the app would show
    # that way is recorded instead, and the step that caused it fails the run.
    warnings: list[str] = []
    QMessageBox.warning = staticmethod(lambda parent, title, text, *a, **k:
                                       warnings.append(f"{title}: {text}"))
    with loop:
        try:
            saved = loop.run_until_complete(
                shoot(out, args.cloud, args.upload_mib * 1024 * 1024, warnings))
        except Failed as exc:
            print(f"failed: {exc}", file=sys.stderr)
            return 1
    for path in saved:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
