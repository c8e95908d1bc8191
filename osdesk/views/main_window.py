"""The main window: clouds on the left, resource pages in the centre, the API console below."""

from __future__ import annotations

import asyncio
import html
import logging

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QMainWindow

from osdesk.api import OsdeskError
from osdesk.api.calllog import CallLog, default_log
from osdesk.models.api_log import ApiLogBridge, ApiLogModel
from osdesk.rules.formats import LookupContext
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.runtime.runner import Runner, Stale, runner as default_runner
from osdesk.runtime.session import CloudSession
from osdesk.views import dialogs
from osdesk.views import window_chrome as chrome
from osdesk.views.cloud_actions import CloudActions
from osdesk.views.demo_clouds import DemoClouds
from osdesk.views.first_rows import FirstRows
from osdesk.views.icons import app_icon
from osdesk.views.instant_start import last_rows_first
from osdesk.views.transfers import Transfers
from osdesk.views.launch_flow import LaunchFlow
from osdesk.views.resource_page import ResourcePage

log = logging.getLogger(__name__)

class MainWindow(QMainWindow):
    """The window people live in. Builds its children and connects them; the work
    happens in the session, the feeds and the API layer."""

    def __init__(self, store: ProfileStore | None = None, secrets: SecretStore | None = None,
                 runner: Runner | None = None, call_log: CallLog | None = None):
        super().__init__()
        self.setWindowTitle("osdesk")
        self.setWindowIcon(app_icon())
        self.setObjectName("main_window")
        self.runner = runner or default_runner
        self.call_log = call_log or default_log
        self.session: CloudSession | None = None
        self._projects: list[dict] = []
        self.demos = DemoClouds()
        self._tasks: set[asyncio.Task] = set()
        self._quit_confirmed = False
        self._quit_question: asyncio.Task | None = None
        self.transfers = Transfers(self)
        self.clouds = CloudActions(self, store, secrets)
        self.launcher = LaunchFlow(self)
        self.api_log_model = ApiLogModel(parent=self)
        self.api_log_bridge = ApiLogBridge(self.api_log_model, parent=self)
        self.api_log_bridge.attach(self.call_log)
        chrome.build_window(self)
        #: start-up's background work (clouds.yaml, every cloud listed) waits for this
        self.first_rows = FirstRows(self)
        self._connect_signals()
        self.clouds.load()
        self._restore_state()
        # the page shown is made now (the others when first shown); a page made later
        # joins the open cloud as the pages made then did
        self.pages.each(lambda page: chrome.join_session(self, page))
        self.navigator.ensure(self.navigator.currentIndex())

    # ------------------------------------------------------------------ build
    def _connect_signals(self) -> None:
        self.clouds_view.activated.connect(self.on_clouds_view_activated)
        self.clouds_view.doubleClicked.connect(self.on_clouds_view_activated)
        self.clouds_view.selectionModel().currentChanged.connect(lambda *a: self.clouds.update_actions())
        self.navigator.currentChanged.connect(self.on_page_changed)
        self.project_combo.activated.connect(self.on_project_combo_activated)
        self.welcome.addRequested.connect(self.clouds.on_add_cloud)
        self.welcome.importRequested.connect(self.clouds.on_import_clouds_yaml)
        self.welcome.demoRequested.connect(lambda: self.open_demo())
        self.console.inspectRequested.connect(lambda value, title: chrome.inspect(self, value,
                                                                                  title))
        self.pages.each(lambda page: chrome.connect_page(self, page))

    @property
    def server_actions(self):
        """The Servers page's actions (made with that page)."""
        self.pages["servers"]
        return self._server_actions

    # --------------------------------------------------------------- profiles
    def on_clouds_view_activated(self, index) -> None:
        profile = self.clouds_model.profile_at(index.row())
        if profile is not None and self.session is not None and self.session.profile.id == \
                profile.id and self.stack.currentWidget() is self.desk.page:
            self.desk.back_to_cloud()  # from All clouds to the cloud that is open: no new login
        elif profile is not None:
            self.open_profile(profile)

    def open_demo(self, servers: int = 40):
        """Start the built-in demo clouds (once) and open the first; → that DemoCloud."""
        demo = self.demos.start(self.clouds, servers)
        self.open_profile(self.clouds.transient("demo"))
        return demo

    def open_profile(self, profile: Profile) -> None:
        """Open ``profile``: at once when its secret is known, else after asking for it."""
        known, secret = self.clouds.known_secret(profile)
        if known:
            self._open(profile, secret)
        else:
            self._spawn(self._ask_secret_and_open(profile))

    async def _ask_secret_and_open(self, profile: Profile) -> None:
        from osdesk.views.password_prompt import ask_secret
        secret, remember = await ask_secret(self, profile, self.clouds.secrets)
        if secret is None:
            return
        if remember:
            location = self.clouds.secrets.set(profile.id, secret)
            self.statusBar().showMessage(f"Secret {location.where_text}", 10000)
        else:
            self.clouds.remember_for_session(profile.id, secret)
        self._open(profile, secret)

    def _open(self, profile: Profile, secret: str | None) -> None:
        self._close_session()  # nothing of the previous cloud stays on screen
        self.stack.setCurrentWidget(self.navigator.stack)
        self.setWindowTitle(f"{profile.name} — osdesk")
        row = self.clouds_model.row_of(profile.id)
        if row is not None and row >= 0:
            self.clouds_view.setCurrentIndex(self.clouds_model.index(row, 0))
        try:
            session = CloudSession(profile, secret, self.runner, self.call_log, self)
        except OsdeskError as exc:
            self._show_connect_error(profile, str(exc))
            return
        self.session = session
        session.connected.connect(self.on_session_connected)
        session.lookupsChanged.connect(self.on_session_lookups_changed)
        session.projectChanged.connect(self.on_session_project_changed)
        for page in self.pages.built():
            page.feed.set_session(session)
        self.demo_banner.setVisible(profile.source == "demo")
        self.status_cloud.setText(f"{profile.name} · connecting…")
        if profile.source == "saved":
            QSettings().setValue("last_cloud", profile.id)
        self._spawn(self._connect(session))

    async def _connect(self, session: CloudSession) -> None:
        await last_rows_first(self)  # a returning user's last rows show first
        if session is not self.session:
            return
        try:
            await session.connect()
        except Stale:
            return
        except OsdeskError as exc:
            if session is self.session:
                self._show_connect_error(session.profile, str(exc))
            return
        if session is not self.session:
            return
        self._refresh_current_page()
        self.launch_action.setEnabled(session.has_service("compute"))
        self._spawn(self._load_projects(session))

    def _show_connect_error(self, profile: Profile, message: str) -> None:
        self.first_rows.settle()  # no rows will come
        self.clouds.failed = profile  # the banner's "Edit cloud…" and "Retry" act on it
        self.connect_banner.setText(f"<b>Could not open {html.escape(profile.name)}.</b> "
                                    f"{html.escape(message)} {chrome.BANNER_LINKS}")
        self.connect_banner.show()
        self.status_cloud.setText(f"{profile.name} · not connected")

    def _close_session(self) -> None:
        """Close the open cloud and clear everything of it: pages, detail panes, lookups,
        quotas, projects, status bar and banners, before anything else is shown."""
        if self.session is not None:
            old = self.session
            self.session = None
            old.close()
            old.deleteLater()
        for page in self.pages.built():
            page.feed.set_session(None)
            page.feed.set_lookups(LookupContext())
        self.quota_page.reset()
        self._projects = []
        self.project_combo.clear()
        self.project_combo.setEnabled(False)
        self.launch_action.setEnabled(False)
        self.demo_banner.hide()
        self.connect_banner.hide()
        self.status_cloud.setText("No cloud open")
        self.clouds_model.set_open()
        for label in (self.status_user, self.status_token, self.status_rows):
            label.setText("")
            label.setToolTip("")
        self.setWindowTitle("osdesk")

    async def _load_projects(self, session: CloudSession) -> None:
        try:
            projects = await session.call(session.cloud.identity.my_projects)
        except (Stale, OsdeskError):
            projects = []
        if session is not self.session:
            return
        self._projects = sorted(projects, key=lambda p: p.get("name", "").lower())
        self.project_combo.blockSignals(True)
        self.project_combo.clear()
        current = session.info.get("project_id")
        for p in self._projects:
            self.project_combo.addItem(p.get("name") or p.get("id"), p.get("id"))
        if current and self.project_combo.findData(current) < 0:
            self.project_combo.addItem(session.info.get("project_name") or current, current)
        if current:
            self.project_combo.setCurrentIndex(self.project_combo.findData(current))
        elif session.info.get("domain_name"):
            self.project_combo.insertItem(0, f"domain {session.info['domain_name']}", None)
            self.project_combo.setCurrentIndex(0)
        self.project_combo.blockSignals(False)
        can_switch = session.profile.auth_type != "v3applicationcredential"
        self.project_combo.setEnabled(can_switch and self.project_combo.count() > 1)
        if not can_switch:
            self.project_combo.setToolTip("An application credential is bound to one project.")

    # ----------------------------------------------------------------- slots
    def on_session_connected(self, info: dict) -> None:
        p = self.session.profile if self.session else None
        if p is None:
            return
        scope = info.get("project_name") or (f"domain {info.get('domain_name')}"
                                             if info.get("domain_name") else "unscoped")
        region = p.region_name or "any region"
        self.status_cloud.setText(f"{p.name} · {scope} · {region}")
        self.clouds_model.set_open(p.id, scope)
        self.status_user.setText(f"User: {info.get('user_name') or info.get('user_id')} "
                                 f"({', '.join(info.get('roles', []))})")
        chrome.update_token_label(self)

    def on_session_lookups_changed(self) -> None:
        if self.session is None:
            return
        for page in self.pages.built():
            page.feed.set_lookups(self.session.lookups)

    def on_session_project_changed(self) -> None:
        session = self.session
        if session is None:
            return
        for page in self.pages.built():
            page.feed.set_session(session)
        self.quota_page.reset()
        self._refresh_current_page()

    @qasync.asyncSlot(int)
    async def on_project_combo_activated(self, index: int) -> None:
        session = self.session
        project_id = self.project_combo.itemData(index)
        if session is None or not project_id or project_id == session.info.get("project_id"):
            return
        self.status_cloud.setText(f"{session.profile.name} · switching project…")
        try:
            await session.switch_project(project_id)
        except Stale:
            return
        except OsdeskError as exc:
            self.statusBar().showMessage(f"Could not switch project: {exc}", 15000)
            current = session.info.get("project_id")
            self.project_combo.setCurrentIndex(max(0, self.project_combo.findData(current)))

    def on_page_changed(self, index: int) -> None:
        self._refresh_current_page()
        page = self.current_page()
        QSettings().setValue("last_page", page.kind.key if page is not None else "quotas")

    def _refresh_current_page(self) -> None:
        if self.navigator.currentWidget() is self.quota_page:
            if self.session is not None and self.session.info and not self.quota_page.loaded_once:
                self.quota_page.refresh()
        current = self.current_page()
        minimized = self.isMinimized()
        for page in self.pages.built():
            page.feed.set_paused(page is not current or minimized)
        if self.session is not None and self.session.info and current is not None:
            if not current.feed.loaded_once:
                current.refresh()
        chrome.update_rows_label(self)

    def on_refresh(self) -> None:
        if self.navigator.currentWidget() is self.quota_page:
            self.quota_page.refresh()
            return
        page = self.current_page()
        if page is not None and self.session is not None:
            page.refresh()

    def on_focus_filter(self) -> None:
        page = self.current_page()
        if page is not None:
            page.focus_filter()

    def on_delete_selected(self) -> None:
        page = self.current_page()
        if page is not None and page.table.hasFocus():
            page.delete_selected()

    def on_switch_cloud(self) -> None:
        self.clouds_dock.show()
        self.clouds_view.setFocus()

    def on_page_inspect_requested(self, raw: dict) -> None:
        page = self.sender()
        title = raw.get("name") or raw.get("id") or "resource"
        kind = page.kind.title if isinstance(page, ResourcePage) else "Resource"
        chrome.inspect(self, raw, f"{kind}: {title}")

    # --------------------------------------------------------------- helpers
    def current_page(self) -> ResourcePage | None:
        w = self.navigator.currentWidget()
        return w if isinstance(w, ResourcePage) else None

    def show_page(self, key: str) -> None:
        if key == "quotas":
            self.navigator.setCurrentWidget(self.quota_page)
        elif key in self.pages:
            self.navigator.setCurrentWidget(self.pages[key])

    def _spawn(self, coro) -> asyncio.Task | None:
        try:
            task = asyncio.ensure_future(coro)
        except RuntimeError:  # no event loop (some tests): nothing to run it on
            coro.close()
            return None
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # ------------------------------------------------------------ persistence
    def _restore_state(self) -> None:
        s = QSettings()
        geometry = s.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        else:  # a first start: the API console waits until asked for (then it is remembered)
            self.console.hide()
        last_page = s.value("last_page", "")
        if last_page in self.pages:
            self.navigator.setCurrentWidget(self.pages[last_page])
        self.stack.setCurrentWidget(self.welcome)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.WindowStateChange:
            self._refresh_current_page()

    def closeEvent(self, event) -> None:
        running = self.transfers.titles()
        if running and not self._quit_confirmed:
            event.ignore()  # asked without a nested event loop; closed again on "Quit"
            if self._quit_question is None or self._quit_question.done():
                self._quit_question = self._spawn(self._ask_quit(running))
            return
        s = QSettings()
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        super().closeEvent(event)

    async def _ask_quit(self, running: list[str]) -> None:
        verb = "Cancel " + ("it" if len(running) == 1 else "them") + " and quit"
        if await dialogs.ask_yes_no(
                self, "Quit osdesk", "Still running: " + ", ".join(running)
                + ".<br>A half-made image is deleted.", yes=verb, no="Keep running"):
            self._quit_confirmed = True
            self.transfers.cancel_all()
            self.close()

    def shutdown(self) -> None:
        """Stop everything without waiting for hung requests."""
        self.api_log_bridge.detach()
        # a transfer's worker stops at its next block (and deletes a half-made image),
        # so the process does not linger after the window is gone
        self.transfers.cancel_all()
        self.desk.close()
        self._close_session()
        for task in list(self._tasks):
            task.cancel()
        self.runner.shutdown()
        self.demos.stop()
