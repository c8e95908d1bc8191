"""The main window: clouds on the left, resource pages in the centre, the API console below."""

from __future__ import annotations

import asyncio
import datetime as _dt
import html
import logging

import qasync
from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QComboBox, QDockWidget, QFileDialog, QLabel, QListView,
                               QMainWindow, QMessageBox, QProgressBar, QStackedWidget,
                               QTabWidget, QToolBar, QVBoxLayout, QWidget)

from osdesk.api import OsdeskError
from osdesk.api.calllog import CallLog, default_log
from osdesk.models.api_log import ApiLogBridge, ApiLogModel
from osdesk.models.clouds_model import CloudListModel
from osdesk.models.columns import LookupContext
from osdesk.profiles import ProfileStore, ProfileStoreError, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.resources import KINDS
from osdesk.runner import Runner, Stale, runner as default_runner
from osdesk.session import CloudSession
from osdesk.views import dialogs
from osdesk.views.console_dock import ConsoleDock
from osdesk.views.icons import app_icon, icon
from osdesk.views.image_dialogs import Transfers
from osdesk.views.json_inspector import open_inspector
from osdesk.views.resource_page import ResourcePage
from osdesk.views.welcome import WelcomePage

log = logging.getLogger(__name__)

def _b64(text: str) -> str:
    import base64
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


DEMO_BANNER = ("<b>Demo cloud</b> — nothing here is real: the servers, images and networks "
               "live in memory on this computer and are gone when osdesk closes.")


class MainWindow(QMainWindow):
    """The window people live in. Builds its children and connects them; the work
    happens in the session, the feeds and the API layer."""

    def __init__(self, store: ProfileStore | None = None, secrets: SecretStore | None = None,
                 runner: Runner | None = None, call_log: CallLog | None = None):
        super().__init__()
        self.setWindowTitle("osdesk")
        self.setWindowIcon(app_icon())
        self.setObjectName("main_window")
        self.store = store or ProfileStore()
        self.secrets = secrets or SecretStore()
        self.runner = runner or default_runner
        self.call_log = call_log or default_log
        self.session: CloudSession | None = None
        self.profiles: list[Profile] = []
        self.yaml_profiles: list[Profile] = []
        self._yaml_secrets: dict[str, str] = {}
        self._transient: dict[str, tuple[Profile, str | None]] = {}  # demo cloud etc.
        self._projects: list[dict] = []
        self._demo = None
        self._tasks: set[asyncio.Task] = set()
        self._quit_confirmed = False
        self._quit_question: asyncio.Task | None = None
        self.transfers = Transfers(self)
        self.api_log_model = ApiLogModel(parent=self)
        self.api_log_bridge = ApiLogBridge(self.api_log_model, parent=self)
        self.api_log_bridge.attach(self.call_log)
        self._build()
        self._connect_signals()
        self._load_profiles()
        self._restore_state()

    # ------------------------------------------------------------------ build
    def _build(self) -> None:
        # a comfortable size that still fits small screens (1280x800 laptops)
        screen = self.screen().availableGeometry() if self.screen() else None
        width, height = 1360, 840
        if screen is not None and screen.width() > 0:
            width = min(width, int(screen.width() * 0.95))
            height = min(height, int(screen.height() * 0.92))
        self.resize(QSize(width, height))
        # clouds (left)
        self.clouds_model = CloudListModel(parent=self)
        self.clouds_view = QListView()
        self.clouds_view.setModel(self.clouds_model)
        self.clouds_view.setObjectName("clouds_view")
        self.clouds_view.setSpacing(2)
        self.clouds_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        from osdesk.views.clouds_delegate import CloudDelegate
        self.clouds_view.setItemDelegate(CloudDelegate(self.clouds_view))
        clouds_box = QWidget()
        clouds_layout = QVBoxLayout(clouds_box)
        clouds_layout.setContentsMargins(4, 4, 4, 4)
        self.clouds_toolbar = QToolBar()
        self.clouds_toolbar.setIconSize(QSize(16, 16))
        self.clouds_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
        clouds_layout.addWidget(self.clouds_toolbar)
        clouds_layout.addWidget(self.clouds_view, 1)
        self.clouds_dock = QDockWidget("Clouds", self)
        self.clouds_dock.setObjectName("clouds_dock")
        self.clouds_dock.setWidget(clouds_box)
        self.clouds_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.clouds_dock)

        # pages (centre)
        self.demo_banner = QLabel(DEMO_BANNER)
        self.demo_banner.setWordWrap(True)
        self.demo_banner.setStyleSheet("background: rgba(255, 193, 7, 0.22); "
                                       "border: 1px solid rgba(255, 193, 7, 0.7); padding: 6px;")
        self.demo_banner.hide()
        self.connect_banner = QLabel()
        self.connect_banner.setWordWrap(True)
        self.connect_banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.connect_banner.setStyleSheet("background: rgba(220, 53, 69, 0.14); "
                                          "border: 1px solid rgba(220, 53, 69, 0.5); padding: 6px;")
        self.connect_banner.hide()
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.pages: dict[str, ResourcePage] = {}
        for kind in KINDS:
            page = ResourcePage(kind)
            page.setObjectName(f"page_{kind.key}")
            self.pages[kind.key] = page
            self.tabs.addTab(page, kind.title)
        from osdesk.views.quota_page import QuotaPage
        self.quota_page = QuotaPage(self)
        self.quota_page.setObjectName("page_quotas")
        self.tabs.addTab(self.quota_page, "Quotas")
        from osdesk.views.server_menu import ServerActions
        self.server_actions = ServerActions(self, self.pages["servers"])
        from osdesk.views.resource_actions import (ImageActions, KeypairActions,
                                                   NetworkActions, SubnetActions)
        self.page_actions = [ImageActions(self, self.pages["images"]),
                             KeypairActions(self, self.pages["keypairs"]),
                             NetworkActions(self, self.pages["networks"]),
                             SubnetActions(self, self.pages["subnets"])]
        self.welcome = WelcomePage()
        self.stack = QStackedWidget()
        self.stack.addWidget(self.welcome)
        self.stack.addWidget(self.tabs)
        centre = QWidget()
        centre_layout = QVBoxLayout(centre)
        centre_layout.setContentsMargins(0, 0, 0, 0)
        centre_layout.setSpacing(4)
        centre_layout.addWidget(self.demo_banner)
        centre_layout.addWidget(self.connect_banner)
        centre_layout.addWidget(self.stack, 1)
        self.setCentralWidget(centre)

        # console (bottom)
        self.console = ConsoleDock(self.api_log_model, self)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.console)
        self.resizeDocks([self.console], [230], Qt.Orientation.Vertical)
        self.resizeDocks([self.clouds_dock], [250], Qt.Orientation.Horizontal)

        self._build_actions()
        self._build_toolbar()
        self._build_menus()
        self._build_status_bar()

    def _build_actions(self) -> None:
        def act(text, slot, shortcut=None, icon_name=None, tip=None):
            a = QAction(icon(icon_name) if icon_name else QAction().icon(), text, self)
            if shortcut:
                a.setShortcut(QKeySequence(shortcut))
            if tip:
                a.setToolTip(tip)
                a.setStatusTip(tip)
            a.triggered.connect(slot)
            return a

        self.add_cloud_action = act("&Add cloud…", self.on_add_cloud, None, "add",
                                    "Add a cloud: auth URL, credentials, project")
        self.edit_cloud_action = act("&Edit cloud…", self.on_edit_cloud, None, "edit",
                                     "Edit the selected cloud")
        self.duplicate_cloud_action = act("D&uplicate cloud", self.on_duplicate_cloud, None,
                                          "copy", "Copy the selected cloud as a new saved cloud")
        self.delete_cloud_action = act("Delete cloud…", self.on_delete_cloud, None, "delete",
                                       "Forget the selected cloud and its stored secret")
        self.import_yaml_action = act("Import &clouds.yaml…", self.on_import_clouds_yaml, None,
                                      "import", "Import clouds from a clouds.yaml file")
        self.import_openrc_action = act("Import &openrc file…", self.on_import_openrc, None,
                                        "import", "Import a cloud from an openrc shell file")
        self.export_yaml_action = act("Export as clouds.yaml…", lambda: self.on_export("yaml"),
                                      None, "save", "Write the selected cloud as a clouds.yaml entry")
        self.export_openrc_action = act("Export as openrc…", lambda: self.on_export("openrc"),
                                        None, "save", "Write the selected cloud as an openrc file")
        self.demo_action = act("Open the &demo cloud", lambda: self.open_demo(), None, "cloud",
                               "Start the built-in demo cloud and open it")
        self.refresh_action = act("&Refresh", self.on_refresh, "F5", "refresh",
                                  "Reload the current page (F5)")
        self.launch_action = act("&Launch instance…", self.on_launch, "Ctrl+N", "launch",
                                 "Launch a new server (Ctrl+N)")
        self.launch_action.setEnabled(False)
        self.console_action = self.console.toggleViewAction()
        self.console_action.setText("API &console")
        self.console_action.setShortcut(QKeySequence("Ctrl+`"))
        self.console_action.setIcon(icon("console"))
        self.filter_action = act("&Filter", self.on_focus_filter, "Ctrl+F")
        self.switch_cloud_action = act("&Switch cloud", self.on_switch_cloud, "Ctrl+K")
        self.quit_action = act("&Quit", self.close, "Ctrl+Q")
        self.delete_action = act("Delete selected", self.on_delete_selected, "Delete")
        for a in (self.filter_action, self.switch_cloud_action, self.delete_action):
            self.addAction(a)
        for i in range(min(9, len(KINDS))):
            sc = QShortcut(QKeySequence(f"Ctrl+{i + 1}"), self)
            sc.activated.connect(lambda i=i: self.tabs.setCurrentIndex(i))
        self.clouds_toolbar.addAction(self.add_cloud_action)
        self.clouds_toolbar.addAction(self.edit_cloud_action)
        self.clouds_toolbar.addAction(self.duplicate_cloud_action)
        self.clouds_toolbar.addAction(self.delete_cloud_action)
        self.clouds_toolbar.addAction(self.import_yaml_action)
        self.clouds_toolbar.addAction(self.demo_action)
        for a in (self.edit_cloud_action, self.duplicate_cloud_action, self.delete_cloud_action,
                  self.export_yaml_action, self.export_openrc_action):
            self.clouds_view.addAction(a)

    def _build_toolbar(self) -> None:
        tb = self.addToolBar("Main")
        tb.setObjectName("main_toolbar")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        tb.setIconSize(QSize(18, 18))
        tb.addAction(self.refresh_action)
        tb.addAction(self.launch_action)
        tb.addSeparator()
        tb.addWidget(QLabel(" Project: "))
        self.project_combo = QComboBox()
        self.project_combo.setMinimumContentsLength(18)
        self.project_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.project_combo.setEnabled(False)
        self.project_combo.setToolTip("Switch the project without logging in again")
        tb.addWidget(self.project_combo)
        tb.addSeparator()
        tb.addAction(self.console_action)
        self.main_toolbar = tb

    def _build_menus(self) -> None:
        bar = self.menuBar()
        m = bar.addMenu("&Cloud")
        for a in (self.add_cloud_action, self.edit_cloud_action, self.duplicate_cloud_action,
                  self.delete_cloud_action, None, self.import_yaml_action,
                  self.import_openrc_action, self.export_yaml_action, self.export_openrc_action,
                  None, self.demo_action, None, self.quit_action):
            m.addSeparator() if a is None else m.addAction(a)
        srv = bar.addMenu("&Servers")
        srv.addAction(self.launch_action)
        self.servers_menu = srv
        srv.aboutToShow.connect(self.on_servers_menu_about_to_show)
        v = bar.addMenu("&View")
        v.addAction(self.refresh_action)
        v.addAction(self.filter_action)
        v.addAction(self.console_action)
        go = bar.addMenu("&Go")
        go.addAction(self.switch_cloud_action)
        for i, kind in enumerate(KINDS):
            a = go.addAction(kind.title)
            if i < 9:
                a.setShortcut(QKeySequence(f"Ctrl+{i + 1}"))
                a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # QShortcut handles it
            a.triggered.connect(lambda _=False, i=i: self.tabs.setCurrentIndex(i))
        h = bar.addMenu("&Help")
        h.addAction("About osdesk", self.on_about)

    def _build_status_bar(self) -> None:
        sb = self.statusBar()
        self.status_cloud = QLabel("No cloud open")
        self.status_user = QLabel()
        self.status_token = QLabel()
        self.status_rows = QLabel()
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(90)
        self.busy.setMaximumHeight(14)
        self.busy.setTextVisible(False)
        self.busy.hide()
        for w in (self.status_cloud, self.status_user, self.status_token, self.status_rows):
            w.setContentsMargins(6, 0, 6, 0)
            sb.addPermanentWidget(w)
        sb.addPermanentWidget(self.busy)
        self.token_timer = QTimer(self)
        self.token_timer.setInterval(15000)
        self.token_timer.timeout.connect(self._update_token_label)
        self.token_timer.start()

    def _connect_signals(self) -> None:
        self.clouds_view.activated.connect(self.on_clouds_view_activated)
        self.clouds_view.doubleClicked.connect(self.on_clouds_view_activated)
        self.clouds_view.selectionModel().currentChanged.connect(lambda *a: self._update_actions())
        self.tabs.currentChanged.connect(self.on_tabs_current_changed)
        self.project_combo.activated.connect(self.on_project_combo_activated)
        self.welcome.addRequested.connect(self.on_add_cloud)
        self.welcome.importRequested.connect(self.on_import_clouds_yaml)
        self.welcome.demoRequested.connect(lambda: self.open_demo())
        self.console.inspectRequested.connect(
            lambda value, title: open_inspector(self, value, title))
        for page in self.pages.values():
            page.inspectRequested.connect(self.on_page_inspect_requested)
            page.countsChanged.connect(self._update_rows_label)
            page.feed.stateChanged.connect(lambda *a: self._update_busy())

    # --------------------------------------------------------------- profiles
    def _load_profiles(self) -> None:
        problems = []
        try:
            self.profiles = self.store.load()
        except ProfileStoreError as exc:
            self.profiles = []
            problems.append(str(exc))
        for warning in getattr(self.store, "warnings", []):
            log.warning("%s", warning)
            problems.append(warning)
        if problems:
            # after the window is up; never silently: the user must know a file was set aside
            text = "\n\n".join(problems)
            QTimer.singleShot(0, lambda: self._spawn(dialogs.warn(self, "Saved clouds", text)))
        self._refresh_cloud_list()
        self._spawn(self._discover_clouds_yaml())

    async def _discover_clouds_yaml(self) -> None:
        """clouds.yaml, secure.yaml and OS_* clouds, read off the GUI thread
        (openstacksdk's loader is slow to import)."""
        from osdesk.profiles import discover_clouds
        try:
            result = await self.runner.run("config", discover_clouds)
        except Exception as exc:  # a broken file must never stop the app
            self.statusBar().showMessage(f"clouds.yaml: {exc}", 15000)
            return
        self.yaml_profiles = []
        for profile, secret in result.profiles:
            self.yaml_profiles.append(profile)
            if secret:
                self._yaml_secrets[profile.id] = secret
        for err in result.errors:
            self.statusBar().showMessage(f"clouds.yaml: {err}", 15000)
        self._refresh_cloud_list()

    def _refresh_cloud_list(self) -> None:
        transient = [p for p, _ in self._transient.values()]
        self.clouds_model.set_profiles(self.profiles + self.yaml_profiles + transient)
        self.welcome.set_has_clouds(bool(self.profiles or self.yaml_profiles))
        self._update_actions()

    def _selected_profile(self) -> Profile | None:
        index = self.clouds_view.currentIndex()
        return self.clouds_model.profile_at(index.row()) if index.isValid() else None

    def _update_actions(self) -> None:
        p = self._selected_profile()
        saved = p is not None and p.source == "saved"
        self.edit_cloud_action.setEnabled(p is not None and p.source != "demo")
        self.duplicate_cloud_action.setEnabled(p is not None)
        self.delete_cloud_action.setEnabled(saved)
        self.export_yaml_action.setEnabled(p is not None)
        self.export_openrc_action.setEnabled(p is not None)

    def _all_profiles(self) -> list[Profile]:
        return self.profiles + self.yaml_profiles + [p for p, _ in self._transient.values()]

    # ------------------------------------------------------------ open cloud
    def on_clouds_view_activated(self, index) -> None:
        profile = self.clouds_model.profile_at(index.row())
        if profile is not None:
            self.open_profile(profile)

    def open_cloud_by_name(self, name: str) -> None:
        def find():
            for p in self._all_profiles():
                if name in (p.name, p.cloud_name, p.id):
                    return p
            return None
        profile = find()
        if profile is not None:
            self.open_profile(profile)
            return

        async def later():  # clouds.yaml entries arrive a moment after start
            for _ in range(50):
                await asyncio.sleep(0.1)
                p = find()
                if p is not None:
                    self.open_profile(p)
                    return
            self.statusBar().showMessage(f"No cloud named {name!r}.", 10000)
        self._spawn(later())

    def open_last_cloud(self) -> None:
        last = QSettings().value("last_cloud", "")
        if last:
            for p in self.profiles:
                if p.id == last:
                    self.open_profile(p)
                    return

    def open_demo(self, servers: int = 40):
        """Start the built-in demo cloud (once) and open it."""
        if self._demo is None:
            from osdesk.demo import DemoCloud
            self._demo = DemoCloud(servers=servers).start()
            import dataclasses
            known = {f.name for f in dataclasses.fields(Profile)} - {"id", "source"}
            fields = {k: v for k, v in self._demo.profile_fields().items() if k in known}
            fields.setdefault("name", "Demo cloud")
            profile = Profile(id="demo", source="demo", **fields)
            self.add_transient_cloud(profile, self._demo.PASSWORD)
        self.open_profile(self._transient["demo"][0])
        return self._demo

    def add_transient_cloud(self, profile: Profile, secret: str | None) -> None:
        """A cloud for this run only (the demo cloud): listed, never saved."""
        self._transient[profile.id] = (profile, secret)
        self._refresh_cloud_list()

    def _known_secret(self, profile: Profile) -> tuple[bool, str | None]:
        """(known?, secret) from what osdesk holds, without asking."""
        if profile.id in self._transient:
            return True, self._transient[profile.id][1]
        if profile.id in self._yaml_secrets:
            return True, self._yaml_secrets[profile.id]
        secret = self.secrets.get(profile.id)
        return (True, secret) if secret else (False, None)

    def open_profile(self, profile: Profile) -> None:
        """Open ``profile``: at once when its secret is known, else after asking for it."""
        known, secret = self._known_secret(profile)
        if known:
            self._open(profile, secret)
        else:
            self._spawn(self._ask_secret_and_open(profile))

    async def _ask_secret_and_open(self, profile: Profile) -> None:
        from osdesk.views.password_prompt import ask_secret
        secret, remember = await ask_secret(self, profile, self.secrets)
        if secret is None:
            return
        if remember:
            location = self.secrets.set(profile.id, secret)
            self.statusBar().showMessage(f"Secret {location.where_text}", 10000)
        else:
            self._yaml_secrets[profile.id] = secret  # this run only, in memory
        self._open(profile, secret)

    def _open(self, profile: Profile, secret: str | None) -> None:
        self._close_session()  # nothing of the previous cloud stays on screen
        self.stack.setCurrentWidget(self.tabs)
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
        for page in self.pages.values():
            page.feed.set_session(session)
        self.demo_banner.setVisible(profile.source == "demo")
        self.status_cloud.setText(f"{profile.name} · connecting…")
        if profile.source == "saved":
            QSettings().setValue("last_cloud", profile.id)
        self._spawn(self._connect(session))

    async def _connect(self, session: CloudSession) -> None:
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
        self.connect_banner.setText(f"<b>Could not open {html.escape(profile.name)}.</b> "
                                    f"{html.escape(message)}")
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
        for page in self.pages.values():
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
        self.status_user.setText(f"User: {info.get('user_name') or info.get('user_id')} "
                                 f"({', '.join(info.get('roles', []))})")
        self._update_token_label()

    def on_session_lookups_changed(self) -> None:
        if self.session is None:
            return
        for page in self.pages.values():
            page.feed.set_lookups(self.session.lookups)

    def on_session_project_changed(self) -> None:
        session = self.session
        if session is None:
            return
        for page in self.pages.values():
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

    def on_tabs_current_changed(self, index: int) -> None:
        self._refresh_current_page()
        page = self.current_page()
        QSettings().setValue("last_page", page.kind.key if page is not None else "quotas")

    def _refresh_current_page(self) -> None:
        if self.tabs.currentWidget() is self.quota_page:
            if self.session is not None and self.session.info and not self.quota_page.loaded_once:
                self.quota_page.refresh()
        current = self.current_page()
        minimized = self.isMinimized()
        for page in self.pages.values():
            page.feed.set_paused(page is not current or minimized)
        if self.session is not None and self.session.info and current is not None:
            if not current.feed.loaded_once:
                current.refresh()
        self._update_rows_label()

    def on_refresh(self) -> None:
        if self.tabs.currentWidget() is self.quota_page:
            self.quota_page.refresh()
            return
        page = self.current_page()
        if page is not None and self.session is not None:
            page.refresh()

    def on_focus_filter(self) -> None:
        page = self.current_page()
        if page is not None:
            page.focus_filter()

    def on_servers_menu_about_to_show(self) -> None:
        """The Servers menu holds the same actions as the right-click menu."""
        menu = self.servers_menu
        menu.clear()
        menu.addAction(self.launch_action)
        menu.addSeparator()
        page = self.pages["servers"]
        rows = page.selected_rows() if self.session is not None else []
        if not rows:
            hint = menu.addAction("Select servers on the Servers page for their actions")
            hint.setEnabled(False)
            return
        for action in self.server_actions.menu_actions(page, rows):
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)

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
        open_inspector(self, raw, f"{kind}: {title}")

    def on_about(self) -> None:
        from osdesk import __version__
        self._spawn(dialogs.message(
            self, "About osdesk", f"<h3>osdesk {__version__}</h3><p>A desktop client for "
            f"OpenStack clouds: servers, images, networks and the raw API underneath.</p>",
            icon=dialogs.Icon.NoIcon))

    # --------------------------------------------------------------- profiles
    def on_add_cloud(self) -> None:
        self._open_profile_dialog(None, None)

    def on_edit_cloud(self) -> None:
        p = self._selected_profile()
        if p is not None:
            self._open_profile_dialog(p, self.secrets.get(p.id) or self._yaml_secrets.get(p.id))

    def on_duplicate_cloud(self) -> None:
        p = self._selected_profile()
        if p is None:
            return
        import uuid
        copy = p.copy(id=uuid.uuid4().hex, name=f"{p.name} (copy)", source="saved",
                      cloud_name="")
        secret = (self.secrets.get(p.id) or self._yaml_secrets.get(p.id)
                  or (self._transient.get(p.id) or (None, None))[1])
        self._open_profile_dialog(copy, secret, is_new=True)

    def _open_profile_dialog(self, profile: Profile | None, secret: str | None,
                             is_new: bool | None = None) -> None:
        from osdesk.views.profile_dialog import ProfileDialog
        dialog = ProfileDialog(profile, secret, self.secrets, self.runner, self)
        dialog.saved.connect(self.on_profile_saved)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def on_profile_saved(self, profile: Profile, secret: str | None, store_secret: bool) -> None:
        existing = {p.id: i for i, p in enumerate(self.profiles)}
        if profile.id in existing:
            self.profiles[existing[profile.id]] = profile
        else:
            self.profiles.append(profile)
        try:
            self.store.save(self.profiles)
        except (OSError, ProfileStoreError) as exc:
            self._spawn(dialogs.warn(self, "Saving the cloud failed",
                                     f"The cloud could not be saved: {exc}"))
            return
        if secret:
            if store_secret:
                location = self.secrets.set(profile.id, secret)
                self.statusBar().showMessage(f"{profile.name}: secret {location.where_text}",
                                             10000)
            else:
                self._yaml_secrets[profile.id] = secret
        self._refresh_cloud_list()
        row = self.clouds_model.row_of(profile.id)
        if row is not None and row >= 0:
            self.clouds_view.setCurrentIndex(self.clouds_model.index(row, 0))

    def on_delete_cloud(self) -> None:
        p = self._selected_profile()
        if p is not None and p.source == "saved":
            self._spawn(self.delete_cloud(p))

    async def delete_cloud(self, p: Profile) -> None:
        if not await dialogs.confirm(self, "Delete cloud", "Forget", "1 cloud", [p.name],
                                     "Its stored secret is deleted from the keyring. Nothing "
                                     "in the cloud itself is touched."):
            return
        if self.session is not None and self.session.profile.id == p.id:
            self._close_session()
            self.stack.setCurrentWidget(self.welcome)
        self.profiles = [x for x in self.profiles if x.id != p.id]
        self.store.save(self.profiles)
        self.secrets.delete(p.id)
        self._refresh_cloud_list()

    def on_import_clouds_yaml(self) -> None:
        self._spawn(self.ask_import_clouds_yaml())

    async def ask_import_clouds_yaml(self) -> None:
        import os
        path = await dialogs.ask_path(self, "Import clouds.yaml",
                                      start=os.path.expanduser("~/.config/openstack"),
                                      filters="clouds.yaml (*.yaml *.yml);;All files (*)")
        if path:
            await self.import_clouds_yaml(path)

    async def import_clouds_yaml(self, path: str) -> int:
        """Copy every cloud of a clouds.yaml file into the saved clouds. Returns the count.

        The file is read on a worker: openstacksdk's loader is slow to import and may
        fetch a vendor profile over the network.
        """
        from osdesk.profiles import discover_clouds
        result = await self.runner.run("config", discover_clouds, config_files=[path], env={})
        import uuid
        added = 0
        for profile, secret in result.profiles:
            saved = profile.copy(id=uuid.uuid4().hex, source="saved", cloud_name="")
            self.profiles.append(saved)
            if secret:
                self.secrets.set(saved.id, secret)
            added += 1
        if added:
            self.store.save(self.profiles)
            self._refresh_cloud_list()
        message = f"Imported {added} cloud(s) from {path}."
        if result.errors:
            message += "\n\nNot imported:\n" + "\n".join(result.errors)
        await dialogs.inform(self, "Import clouds.yaml", message)
        return added

    def on_export(self, kind: str) -> None:
        p = self._selected_profile()
        if p is not None:
            self._spawn(self.ask_export(p, kind))

    async def ask_export(self, p: Profile, kind: str) -> None:
        import os
        default = f"{p.name}-clouds.yaml" if kind == "yaml" else f"{p.name}-openrc.sh"
        path = await dialogs.ask_path(self, "Export cloud", save=True,
                                      start=os.path.join(os.path.expanduser("~"), default))
        if path:
            include = await dialogs.ask_yes_no(
                self, "Export cloud",
                f"Include the {p.secret_kind} in the file? Anyone who can read the file can "
                f"then use the cloud as you.", yes=f"Include the {p.secret_kind}",
                no=f"Leave the {p.secret_kind} out")
            self.export_profile(p, kind, path, include_secret=include)

    def export_profile(self, profile: Profile, kind: str, path: str, *,
                       include_secret: bool = False) -> None:
        """Write a clouds.yaml entry or an openrc file; secrets only when asked (then 0600)."""
        import os
        from osdesk.profiles import export_clouds_yaml, export_openrc
        secret = None
        if include_secret:
            secret = (self.secrets.get(profile.id) or self._yaml_secrets.get(profile.id)
                      or (self._transient.get(profile.id) or (None, None))[1])
        text = (export_clouds_yaml if kind == "yaml" else export_openrc)(profile, secret)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600 if secret else 0o644)
            with os.fdopen(fd, "w") as f:
                f.write(text)
        except OSError as exc:
            self._spawn(dialogs.warn(self, "Export cloud", f"Could not write {path}: {exc}"))
            return
        self.statusBar().showMessage(f"Wrote {path}" + (" (with the secret, mode 0600)"
                                                        if secret else ""), 10000)

    def on_import_openrc(self) -> None:
        self._spawn(self.ask_import_openrc())

    async def ask_import_openrc(self) -> None:
        import os
        path = await dialogs.ask_path(self, "Import openrc file", start=os.path.expanduser("~"),
                                      filters="openrc (*.sh *openrc* *.rc);;All files (*)")
        if not path:
            return
        from osdesk.profiles import ProfileImportError, parse_openrc
        try:
            with open(path, "rb") as f:
                imported = parse_openrc(f.read(1024 * 1024))
        except (OSError, ProfileImportError) as exc:
            await dialogs.warn(self, "Import openrc file", str(exc))
            return
        self._open_profile_dialog(imported.profile, imported.secret, is_new=True)

    # ---------------------------------------------------------------- launch
    def on_launch(self) -> None:
        session = self.session
        if session is None:
            return
        from osdesk.views.launch_dialog import LaunchDialog
        dialog = LaunchDialog(self, networks_optional=session.compute_supports("2.37"))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.launchRequested.connect(lambda req: self._spawn(self._launch(session, req)))
        dialog.createKeypairRequested.connect(lambda: self._spawn(self._new_keypair(dialog)))
        dialog.open()
        self._spawn(self._fill_launch_dialog(session, dialog))

    async def _fill_launch_dialog(self, session: CloudSession, dialog) -> None:
        def fetch(cloud):
            net = cloud.has_service("network")
            return dict(
                images=cloud.image.list_images(filters={"status": "active"})
                + cloud.image.list_images(filters={"status": "deactivated"}),
                flavors=cloud.compute.list_flavors(),
                networks=cloud.network.list_networks() if net else [],
                keypairs=cloud.compute.list_keypairs(),
                security_groups=cloud.network.list_security_groups() if net else [],
                zones=[z for z in cloud.compute.availability_zones()
                       if (z.get("zoneState") or {}).get("available", True)],
                limits=cloud.compute.limits())
        try:
            choices = await session.call(fetch, session.cloud)
        except Stale:
            return
        except OsdeskError as exc:
            if dialog.isVisible():
                dialog.set_load_error(str(exc))
            return
        if dialog.isVisible():
            dialog.set_choices(**choices)

    async def _new_keypair(self, dialog) -> None:
        name = await dialogs.ask_text(dialog, "New key pair", "Key pair name:")
        if not name or self.session is None:
            return
        from osdesk.views.keypair_views import save_private_key
        session = self.session
        try:
            keypair = await session.call(session.cloud.compute.create_keypair, name)
        except Stale:
            return
        except OsdeskError as exc:
            await dialogs.warn(dialog, "New key pair", str(exc))
            return
        dialog.add_keypair(keypair["name"])
        await save_private_key(dialog, keypair)

    async def _launch(self, session: CloudSession, req) -> None:
        compute = session.cloud.compute
        page = self.pages["servers"]
        self.show_page("servers")
        self.statusBar().showMessage(f"Launching {req.name}…")
        try:
            body = await session.call(
                compute.create_server, req.name, req.image["id"], req.flavor["id"],
                networks=req.networks, key_name=req.key_name,
                security_groups=req.security_groups or None,
                availability_zone=req.availability_zone,
                user_data=_b64(req.user_data) if req.user_data else None,
                metadata=req.metadata or None, min_count=req.count, max_count=req.count)
        except Stale:
            return
        except OsdeskError as exc:
            self.statusBar().showMessage(f"Launch of {req.name} failed: {exc}", 20000)
            await dialogs.warn(self, "Launch instance", f"Nova refused the launch: {exc}")
            return
        server = body.get("server") or {}
        self.statusBar().showMessage(f"{req.name}: accepted, building…", 15000)
        if req.count > 1:
            page.refresh()
        elif server.get("id"):
            try:  # the row appears at once, in BUILD, then follows the server
                page.model.upsert(await session.call(compute.get_server, server["id"]))
                page.select_key(server["id"])
            except (Stale, OsdeskError):
                pass
            self.server_actions.follow(server["id"])
        if server.get("adminPass"):
            await self.server_actions.show_once("Administrator password",
                                                {"name": req.name}, server["adminPass"])

    # ------------------------------------------------------------ status bar
    def _update_token_label(self) -> None:
        if self.session is None:
            self.status_token.setText("")
            return
        left = self.session.token_expires_in()
        if left is None:
            self.status_token.setText("")
            return
        minutes = int(left // 60)
        text = f"Token {minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else \
            f"Token {max(minutes, 0)} min"
        self.status_token.setText(text)
        expires = self.session.info.get("expires_at")
        if expires is not None:
            local = expires.astimezone()
            self.status_token.setToolTip(f"Expires {local:%Y-%m-%d %H:%M:%S %Z}; "
                                         f"renewed automatically")

    def _update_rows_label(self, *args) -> None:
        page = self.current_page()
        if page is None:  # the quota overview: no rows to count
            self.status_rows.setText("")
            return
        shown, total = page.proxy.rowCount(), page.model.rowCount()
        self.status_rows.setText(f"{shown:,} of {total:,} {page.kind.noun(total)}"
                                 if shown != total else f"{total:,} {page.kind.noun(total)}")

    def _update_busy(self) -> None:
        busy = any(p.feed.state in ("loading", "refreshing") for p in self.pages.values())
        self.busy.setVisible(busy)

    # --------------------------------------------------------------- helpers
    def current_page(self) -> ResourcePage | None:
        w = self.tabs.currentWidget()
        return w if isinstance(w, ResourcePage) else None

    def show_page(self, key: str) -> None:
        if key == "quotas":
            self.tabs.setCurrentWidget(self.quota_page)
        elif key in self.pages:
            self.tabs.setCurrentWidget(self.pages[key])

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
        last_page = s.value("last_page", "")
        if last_page in self.pages:
            self.tabs.setCurrentWidget(self.pages[last_page])
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
        self._close_session()
        for task in list(self._tasks):
            task.cancel()
        self.runner.shutdown()
        if self._demo is not None:
            self._demo.stop()
            self._demo = None
