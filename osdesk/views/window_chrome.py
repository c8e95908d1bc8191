"""The main window's furniture: its docks, pages, actions, toolbar, menus and status
bar, built here so that the window itself only wires them together."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QComboBox, QDockWidget, QLabel, QListView, QProgressBar,
                               QSplitter, QStackedWidget, QToolBar, QVBoxLayout, QWidget)

from osdesk.kinds.registry import KINDS
from osdesk.models.clouds_model import CloudListModel
from osdesk.views.console_dock import ConsoleDock
from osdesk.views.icons import icon
from osdesk.views.lazy_pages import LazyActions, LazyPages
from osdesk.views.page_navigator import PageNavigator
from osdesk.views.resource_page import ResourcePage, add_grouped
from osdesk.views.shortcuts import (build_go_menu, give_mnemonics, show_shortcuts,
                                   tooltips_shown)
from osdesk.views.welcome import WelcomePage

#: what a cloud that failed to open offers, in its banner
BANNER_LINKS = "&nbsp; <a href='edit'>Edit cloud…</a> &nbsp;·&nbsp; <a href='retry'>Retry</a>"
DEMO_BANNER = ("<b>Demo cloud</b> — nothing here is real: the servers, images and networks "
               "live in memory on this computer and are gone when osdesk closes.")


def build_window(w) -> None:
    # a comfortable size that still fits small screens (1280x800 laptops)
    screen = w.screen().availableGeometry() if w.screen() else None
    width, height = 1360, 840
    if screen is not None and screen.width() > 0:
        width = min(width, int(screen.width() * 0.95))
        height = min(height, int(screen.height() * 0.92))
    w.resize(QSize(width, height))
    # clouds (left)
    w.clouds_model = CloudListModel(parent=w)
    w.clouds_view = QListView()
    w.clouds_view.setModel(w.clouds_model)
    w.clouds_view.setObjectName("clouds_view")
    w.clouds_view.setSpacing(2)
    w.clouds_view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    from osdesk.views.clouds_delegate import CloudDelegate
    w.clouds_view.setItemDelegate(CloudDelegate(w.clouds_view))
    clouds_box = QWidget()
    clouds_layout = QVBoxLayout(clouds_box)
    clouds_layout.setContentsMargins(4, 4, 4, 4)
    w.clouds_toolbar = QToolBar()
    w.clouds_toolbar.setIconSize(QSize(16, 16))
    w.clouds_toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
    clouds_layout.addWidget(w.clouds_toolbar)
    w.sidebar_split = QSplitter(Qt.Orientation.Vertical)
    w.sidebar_split.setChildrenCollapsible(False)
    w.sidebar_split.addWidget(w.clouds_view)
    clouds_layout.addWidget(w.sidebar_split, 1)
    w.clouds_dock = QDockWidget("Clouds", w)
    w.clouds_dock.setObjectName("clouds_dock")
    w.clouds_dock.setWidget(clouds_box)
    # closable: View → Sidebar (Ctrl+Shift+S) hides it for a wider table and brings it back
    w.clouds_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                              | QDockWidget.DockWidgetFeature.DockWidgetClosable)
    w.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, w.clouds_dock)

    # pages (centre)
    w.demo_banner = QLabel(DEMO_BANNER)
    w.demo_banner.setWordWrap(True)
    w.demo_banner.setStyleSheet("background: rgba(255, 193, 7, 0.22); "
                                   "border: 1px solid rgba(255, 193, 7, 0.7); padding: 6px;")
    w.demo_banner.hide()
    w.connect_banner = QLabel()
    w.connect_banner.setWordWrap(True)
    w.connect_banner.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByMouse
        | Qt.TextInteractionFlag.LinksAccessibleByMouse
        | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    w.connect_banner.setStyleSheet("background: rgba(220, 53, 69, 0.14); "
                                      "border: 1px solid rgba(220, 53, 69, 0.5); padding: 6px;")
    w.connect_banner.hide()
    w.connect_banner.linkActivated.connect(lambda link: w.clouds.on_banner_link(link))
    w.navigator = PageNavigator(w)
    # each resource page is made when first shown or asked for (lazy_pages.py)
    w.pages = LazyPages(KINDS, lambda kind: make_page(w, kind))
    w.page_index = {kind.key: w.navigator.addPage(lambda key=kind.key: w.pages[key],
                                                  kind.title, kind.section) for kind in KINDS}
    from osdesk.views.quota_page import QuotaPage
    w.quota_page = QuotaPage(w)
    w.quota_page.setObjectName("page_quotas")
    w.navigator.addPage(w.quota_page, "Quotas", "Project")
    w.sidebar_split.addWidget(w.navigator.tree)
    w.sidebar_split.setStretchFactor(0, 1)
    w.sidebar_split.setStretchFactor(1, 3)
    w.page_actions = LazyActions([kind.key for kind in KINDS
                                  if kind.actions and kind.key != "servers"], w.pages)
    w.pages.each(lambda page: give_actions(w, page))
    w.welcome = WelcomePage()
    w.stack = QStackedWidget()
    w.stack.addWidget(w.welcome)
    w.stack.addWidget(w.navigator.stack)
    # the page list shows only while a cloud's pages do (not on the welcome page)
    w.navigator.tree.setVisible(False)
    w.stack.currentChanged.connect(
        lambda _i: w.navigator.tree.setVisible(w.stack.currentWidget() is w.navigator.stack))
    centre = QWidget()
    centre_layout = QVBoxLayout(centre)
    centre_layout.setContentsMargins(0, 0, 0, 0)
    centre_layout.setSpacing(4)
    centre_layout.addWidget(w.demo_banner)
    centre_layout.addWidget(w.connect_banner)
    centre_layout.addWidget(w.stack, 1)
    w.setCentralWidget(centre)

    # console (bottom)
    w.console = ConsoleDock(w.api_log_model, w)
    w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, w.console)
    w.resizeDocks([w.console], [230], Qt.Orientation.Vertical)
    fit_sidebar(w, clouds_box)

    build_actions(w)
    build_toolbar(w)
    build_menus(w)
    build_status_bar(w)
    from osdesk.views import instant_start
    instant_start.install(w)
    from osdesk.views.desk import Desk
    w.desk = Desk(w)  # "All clouds", search everywhere, each cloud's health
    from osdesk.views.notifier import Notifier
    w.notifier = Notifier(w)
    for action in w.menuBar().actions():  # once every menu has all its entries
        give_mnemonics(action.menu())


def make_page(w, kind) -> ResourcePage:
    """The page of ``kind``, put in the navigator where its placeholder stood."""
    page = ResourcePage(kind)
    page.setObjectName(f"page_{kind.key}")
    page.said.connect(lambda text: w.statusBar().showMessage(text, 10000))
    w.navigator.place(w.page_index[kind.key], page)
    return page


def give_actions(w, page) -> None:
    """A page's actions: the server menu for Servers, else its kind's action class (these
    modules and the dialogs they import load with the first page that needs them)."""
    key = page.kind.key
    if key == "servers":
        from osdesk.views.server_menu import ServerActions
        w._server_actions = ServerActions(w, page)
    elif page.kind.actions:
        from osdesk.views.action_views import actions_for
        w.page_actions.made[key] = actions_for(w, page)


def connect_page(w, page) -> None:
    page.inspectRequested.connect(w.on_page_inspect_requested)
    page.countsChanged.connect(lambda *a: update_rows_label(w))
    page.feed.stateChanged.connect(lambda *a: update_busy(w))


def join_session(w, page) -> None:
    """A page made after the cloud opened: paused unless it is the page shown (a page
    made to be shown is resumed and loaded by the page change), on the open cloud."""
    page.feed.set_paused(page is not w.current_page())
    if w.session is not None:
        page.feed.set_session(w.session)


def inspect(w, value, title: str) -> None:
    """``value`` as JSON in an inspector window (its module loads with the first)."""
    from osdesk.views.json_inspector import open_inspector
    open_inspector(w, value, title)


def fit_sidebar(w, box: QWidget) -> None:
    """The sidebar never cuts a page's title ("Volume snapshots"); on a first start (no
    saved window state) it opens 250 px wide — set once the window is shown, since docks
    take no size before."""
    tree = w.navigator.tree
    titles = [w.navigator.title(i) for i in range(w.navigator.count())]
    widest = max(tree.fontMetrics().horizontalAdvance(t) for t in titles)
    box.setMinimumWidth(widest + 2 * tree.indentation() + 32)
    from PySide6.QtCore import QSettings
    timer = QTimer(w)
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: QSettings().value("window/state") is None and w.resizeDocks(
        [w.clouds_dock], [max(250, box.minimumWidth())], Qt.Orientation.Horizontal))
    timer.start(0)


def build_actions(w) -> None:
    def act(text, slot, shortcut=None, icon_name=None, tip=None):
        a = QAction(icon(icon_name) if icon_name else QAction().icon(), text, w)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        if tip:
            a.setToolTip(tip)
            a.setStatusTip(tip)
        a.triggered.connect(slot)
        return a

    w.add_cloud_action = act("&Add cloud…", w.clouds.on_add_cloud, None, "add",
                                "Add a cloud: auth URL, credentials, project")
    w.edit_cloud_action = act("&Edit cloud…", w.clouds.on_edit_cloud, None, "edit",
                                 "Edit the selected cloud")
    w.duplicate_cloud_action = act("D&uplicate cloud", w.clouds.on_duplicate_cloud, None,
                                      "copy", "Copy the selected cloud as a new saved cloud")
    w.delete_cloud_action = act("Delete cloud…", w.clouds.on_delete_cloud, None, "delete",
                                   "Forget the selected cloud and its stored secret")
    w.import_yaml_action = act("Import &clouds.yaml…", w.clouds.on_import_clouds_yaml, None,
                                  "import", "Import clouds from a clouds.yaml file")
    w.import_openrc_action = act("Import &openrc file…", w.clouds.on_import_openrc, None,
                                    "import", "Import a cloud from an openrc shell file")
    w.export_yaml_action = act("Export as clouds.yaml…", lambda: w.clouds.on_export("yaml"),
                                  None, "save", "Write the selected cloud as a clouds.yaml entry")
    w.export_openrc_action = act("Export as openrc…", lambda: w.clouds.on_export("openrc"),
                                    None, "save", "Write the selected cloud as an openrc file")
    w.demo_action = act("Open the &demo cloud", lambda: w.open_demo(), None, "cloud",
                           "Start the built-in demo cloud and open it")
    w.refresh_action = act("&Refresh", w.on_refresh, "F5", "refresh",
                              "Reload the current page (F5)")
    w.launch_action = act("&Launch instance…", w.launcher.on_launch, "Ctrl+N", "launch",
                             "Launch a new server (Ctrl+N)")
    w.launch_action.setEnabled(False)
    w.console_action = w.console.toggleViewAction()
    w.console_action.setText("API &console")
    w.console_action.setShortcut(QKeySequence("Ctrl+`"))
    w.console_action.setIcon(icon("console"))
    w.filter_action = act("&Filter", w.on_focus_filter, "Ctrl+F")
    w.switch_cloud_action = act("&Switch cloud", w.on_switch_cloud, "Ctrl+Shift+K")
    w.quit_action = act("&Quit", w.close, "Ctrl+Q")
    w.delete_action = act("Delete selected", w.on_delete_selected, "Delete")
    for a in (w.filter_action, w.switch_cloud_action, w.delete_action):
        w.addAction(a)
    w.clouds_toolbar.addAction(w.add_cloud_action)
    w.clouds_toolbar.addAction(w.edit_cloud_action)
    w.clouds_toolbar.addAction(w.duplicate_cloud_action)
    w.clouds_toolbar.addAction(w.delete_cloud_action)
    w.clouds_toolbar.addAction(w.import_yaml_action)
    w.clouds_toolbar.addAction(w.demo_action)
    for a in (w.edit_cloud_action, w.duplicate_cloud_action, w.delete_cloud_action,
              w.export_yaml_action, w.export_openrc_action):
        w.clouds_view.addAction(a)


def build_toolbar(w) -> None:
    tb = w.addToolBar("Main")
    tb.setObjectName("main_toolbar")
    tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    tb.setIconSize(QSize(18, 18))
    tb.addAction(w.refresh_action)
    tb.addAction(w.launch_action)
    tb.addSeparator()
    tb.addWidget(QLabel(" Project: "))
    w.project_combo = QComboBox()
    w.project_combo.setMinimumContentsLength(18)
    w.project_combo.setSizeAdjustPolicy(
        QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    w.project_combo.setEnabled(False)
    w.project_combo.setToolTip("Switch the project without logging in again")
    tb.addWidget(w.project_combo)
    tb.addSeparator()
    tb.addAction(w.console_action)
    w.main_toolbar = tb


def build_menus(w) -> None:
    bar = w.menuBar()
    m = bar.addMenu("&Cloud")
    for a in (w.add_cloud_action, w.edit_cloud_action, w.duplicate_cloud_action,
              w.delete_cloud_action, None, w.import_yaml_action,
              w.import_openrc_action, w.export_yaml_action, w.export_openrc_action,
              None, w.demo_action, None, w.quit_action):
        m.addSeparator() if a is None else m.addAction(a)
    srv = bar.addMenu("&Servers")
    srv.addAction(w.launch_action)
    w.servers_menu = srv
    srv.aboutToShow.connect(lambda: fill_servers_menu(w))
    srv.aboutToShow.connect(lambda: (give_mnemonics(srv), tooltips_shown(srv)))  # once filled
    v = w.view_menu = bar.addMenu("&View")
    v.addAction(w.refresh_action)
    v.addAction(w.filter_action)
    v.addAction(w.console_action)
    add_layout_toggles(w, v)
    add_theme_menu(w, v)
    build_go_menu(w, bar.addMenu("&Go"))
    h = bar.addMenu("&Help")
    h.addAction("&Keyboard shortcuts", lambda: w._spawn(show_shortcuts(w)))
    h.addAction("&Documentation", lambda: show_readme(w))
    h.addAction("&About osdesk", lambda: w._spawn(about(w)))


def fill_servers_menu(w) -> None:
    """The Servers menu holds the same actions as the right-click menu."""
    menu = w.servers_menu
    menu.clear()
    menu.addAction(w.launch_action)
    menu.addSeparator()
    page = w.pages["servers"]
    rows = page.selected_rows() if w.session is not None else []
    if not rows:
        hint = menu.addAction("Select servers on the Servers page for their actions")
        hint.setEnabled(False)
        return
    add_grouped(menu, page.menu_provider(page, rows))  # as the context menu (offline guard too)


def build_status_bar(w) -> None:
    sb = w.statusBar()
    w.status_cloud = QLabel("No cloud open")
    w.status_user = QLabel()
    w.status_token = QLabel()
    w.status_rows = QLabel()
    w.busy = QProgressBar()
    w.busy.setRange(0, 0)
    w.busy.setMaximumWidth(90)
    w.busy.setMaximumHeight(14)
    w.busy.setTextVisible(False)
    w.busy.hide()
    for label in (w.status_cloud, w.status_user, w.status_token, w.status_rows):
        label.setContentsMargins(6, 0, 6, 0)
        sb.addPermanentWidget(label)
    sb.addPermanentWidget(w.busy)
    w.token_timer = QTimer(w)
    w.token_timer.setInterval(15000)
    w.token_timer.timeout.connect(lambda: update_token_label(w))
    w.token_timer.start()


def update_token_label(w) -> None:
    if w.session is None:
        w.status_token.setText("")
        return
    left = w.session.token_expires_in()
    if left is None:
        w.status_token.setText("")
        return
    minutes = int(left // 60)
    text = f"Token {minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else \
        f"Token {max(minutes, 0)} min"
    w.status_token.setText(text)
    expires = w.session.info.get("expires_at")
    if expires is not None:
        local = expires.astimezone()
        w.status_token.setToolTip(f"Expires {local:%Y-%m-%d %H:%M:%S %Z}; "
                                     f"renewed automatically")


def update_rows_label(w, *args) -> None:
    page = w.current_page()
    if page is None:  # the quota overview: no rows to count
        w.status_rows.setText("")
        return
    shown, total = page.proxy.rowCount(), page.model.rowCount()
    w.status_rows.setText(f"{shown:,} of {total:,} {page.kind.noun(total)}"
                             if shown != total else f"{total:,} {page.kind.noun(total)}")


def update_busy(w) -> None:
    busy = any(p.feed.state in ("loading", "refreshing") for p in w.pages.built())
    w.busy.setVisible(busy)


def readme_text() -> str:
    """The README: the checkout's, else the one installed with the package's metadata."""
    from pathlib import Path
    checkout = Path(__file__).resolve().parents[2] / "README.md"
    if checkout.is_file():
        return checkout.read_text(encoding="utf-8", errors="replace")
    from importlib import metadata
    try:
        return metadata.metadata("osdesk").get("Description") or ""
    except metadata.PackageNotFoundError:
        return ""


def show_readme(w) -> None:
    """Help → Documentation: the README in a window of its own (offline, always there)."""
    from PySide6.QtWidgets import QDialog, QTextBrowser
    from osdesk.views import dialogs
    window = QDialog(w)
    window.setWindowTitle("osdesk documentation")
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    browser = QTextBrowser()
    browser.setOpenExternalLinks(True)
    browser.setMarkdown(readme_text() or "The README is not installed with this copy.")
    QVBoxLayout(window).addWidget(browser)
    window.resize(min(900, int(w.width() * 0.9)), min(760, int(w.height() * 0.9)))
    w.readme_window = window
    dialogs.fit_title(window)
    window.show()


async def about(w) -> None:
    from osdesk import __version__
    from osdesk.views import dialogs
    await dialogs.message(
        w, "About osdesk", f"<h3>osdesk {__version__}</h3><p>A desktop client for OpenStack "
        f"clouds: servers, images, networks and the raw API underneath.</p>",
        icon=dialogs.Icon.NoIcon)


def add_theme_menu(w, view_menu) -> None:
    """View → Theme: System, Light, Dark; the choice is applied at once and remembered."""
    from PySide6.QtCore import QSettings
    from PySide6.QtGui import QActionGroup
    from PySide6.QtWidgets import QApplication

    from osdesk.views.palette import THEMES, apply_theme
    menu = view_menu.addMenu("&Theme")
    group = QActionGroup(menu)
    current = str(QSettings().value("theme", "system"))
    w.theme_actions = {}
    for key, label in THEMES:
        action = menu.addAction(label)
        action.setCheckable(True)
        action.setChecked(key == current)
        group.addAction(action)
        w.theme_actions[key] = action

        def choose(_checked=False, key=key):
            QSettings().setValue("theme", key)
            apply_theme(QApplication.instance(), key)
        action.triggered.connect(choose)


def add_layout_toggles(w, view_menu) -> None:
    """View → Sidebar and Details pane: give the table the width; both are remembered
    (the sidebar with the window's state, the details pane in the settings)."""
    from PySide6.QtCore import QSettings
    sidebar = w.clouds_dock.toggleViewAction()
    sidebar.setText("&Sidebar")
    sidebar.setShortcut(QKeySequence("Ctrl+Shift+S"))
    view_menu.addAction(sidebar)
    w.details_action = view_menu.addAction("&Details pane")
    w.details_action.setCheckable(True)
    w.details_action.setShortcut(QKeySequence("Ctrl+Shift+D"))
    shown = QSettings().value("details_pane", True)
    w.details_action.setChecked(shown not in (False, "false"))

    def show_details(on: bool) -> None:
        QSettings().setValue("details_pane", bool(on))
        for page in w.pages.built():
            page.detail.setVisible(on)
    w.details_action.toggled.connect(show_details)
    show_details(w.details_action.isChecked())
    w.pages.each(lambda page: page.detail.setVisible(w.details_action.isChecked()))
