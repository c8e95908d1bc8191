"""Start-up: command line, QApplication, the qasync loop, the demo cloud."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import traceback

from osdesk import __version__

log = logging.getLogger("osdesk")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="osdesk", description="A desktop client for OpenStack clouds.")
    p.add_argument("--version", action="version", version=f"osdesk {__version__}")
    p.add_argument("--demo", action="store_true",
                   help="start the built-in demo cloud and open it (no real cloud needed)")
    p.add_argument("--demo-servers", type=int, default=40, metavar="N",
                   help="servers in the demo cloud (default 40)")
    p.add_argument("--config-dir", metavar="DIR",
                   help="where profiles are kept (default: the user config dir; "
                        "or set OSDESK_CONFIG_DIR)")
    p.add_argument("--cloud", metavar="NAME", help="open this saved cloud or clouds.yaml entry")
    p.add_argument("--page", metavar="PAGE", help=argparse.SUPPRESS)
    p.add_argument("--install-desktop-entry", action="store_true",
                   help="install the launcher entry and icons for the current user")
    p.add_argument("--uninstall-desktop-entry", action="store_true",
                   help="remove what --install-desktop-entry installed")
    p.add_argument("--debug", action="store_true", help="log debug messages to stderr")
    return p


def configure_logging(debug: bool) -> None:
    logging.basicConfig(level=logging.DEBUG if debug else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # keystoneauth logs request details at DEBUG, and warns of a failed version discovery
    # that the window reports already (with the service and host): stderr stays quiet
    logging.getLogger("keystoneauth").setLevel(logging.INFO if debug else logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.debug)
    if args.config_dir:
        os.environ["OSDESK_CONFIG_DIR"] = os.path.abspath(args.config_dir)
    if args.install_desktop_entry or args.uninstall_desktop_entry:
        from osdesk.desktop import entry as desktop_entry
        return desktop_entry.main(uninstall=args.uninstall_desktop_entry)
    return run_gui(args)


#: Qt-free modules every start needs, imported before PySide6 (``import_before_qt``):
#: the API layer's errors, call log and collections, the kinds, rules and profiles the
#: window is built from, and the runner's executors. The HTTP stack (requests,
#: keystoneauth1: ``osdesk.api.cloud``) is not among them: the first login loads it on
#: its worker, once a returning user's last rows show (``CloudSession.cloud``).
BEFORE_QT = ("concurrent.futures", "osdesk.api", "osdesk.kinds.registry", "osdesk.profiles",
             "osdesk.rules.formats", "osdesk.runtime.runner")


def import_before_qt(demo: bool = False) -> None:
    """Import :data:`BEFORE_QT` (and the demo cloud for ``--demo``) while PySide6 is not
    imported yet. PySide6's import hook reads the source of each module imported after
    it (looking for ``from __feature__ import``); modules imported first cost less CPU
    at start (bench/README.md). Each of them is imported before the first rows show
    anyway."""
    import importlib
    for name in BEFORE_QT + (("osdesk.demo",) if demo else ()):
        importlib.import_module(name)


def run_gui(args) -> int:
    import_before_qt(demo=args.demo)
    from PySide6.QtCore import QCoreApplication, Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QCoreApplication.setOrganizationName("osdesk")
    QCoreApplication.setApplicationName("osdesk")
    QCoreApplication.setApplicationVersion(__version__)
    from osdesk.profiles.store import default_config_dir, make_private_dir
    make_private_dir(default_config_dir())  # before QSettings makes it, world-readable
    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setDesktopFileName("io.github.osdesk.osdesk")
    from osdesk.views.icons import app_icon
    app.setWindowIcon(app_icon())
    from PySide6.QtCore import QSettings
    from osdesk.views.palette import apply_theme
    apply_theme(app, str(QSettings().value("theme", "system")))

    loop = gui_event_loop(app)
    install_excepthook()

    from osdesk.views.main_window import MainWindow
    window = MainWindow()
    demo = None
    if args.demo:
        demo = window.open_demo(servers=args.demo_servers)
    elif args.cloud:
        window.clouds.open_cloud_by_name(args.cloud)
    else:
        window.clouds.open_last_cloud()
    if args.page:
        window.show_page(args.page)
    window.show()
    window.desk.start_up()  # every cloud listed in the background: health, search
    closing = asyncio.Event()
    app.aboutToQuit.connect(closing.set)
    try:
        with loop:
            try:
                loop.run_until_complete(closing.wait())
            finally:
                # before the loop closes: closing it runs Qt's pending events, and a page's
                # refresh timer firing then would start a task on a loop that is gone
                window.shutdown()
    finally:
        if demo is not None:
            demo.stop()
    return 0


def gui_event_loop(app):
    """The GUI thread's runtime: glibc's mmap threshold, the GC guard, the GIL switch
    interval and the qasync loop (set as the current loop). The benchmarks call this
    too, so they measure the app as it runs."""
    import qasync
    from osdesk.runtime import allocator, gcguard
    # big blocks (list pages' bodies) unmapped when freed, not left as holes in the
    # heaps (RSS stepping up by tens of MB over refreshes: osdesk/runtime/allocator.py)
    allocator.fix_mmap_threshold()
    app._osdesk_gc_guard = gcguard.install(app)
    # Hand the GIL back to the GUI thread sooner while a worker parses a page
    # (bench/: the loaded-refresh stall went from ~250 ms to ~70 ms).
    sys.setswitchinterval(0.001)
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    return loop


def install_excepthook() -> None:
    """Log unexpected errors and show them in a message, never crash the app."""
    def hook(exc_type, exc, tb):
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("unexpected error:\n%s", text)
        try:
            from PySide6.QtWidgets import QApplication
            win = QApplication.activeWindow()
            if win is not None and hasattr(win, "statusBar"):
                win.statusBar().showMessage(f"Internal error: {exc_type.__name__}: {exc} "
                                            f"(details in the log)", 15000)
        except Exception:
            pass
    sys.excepthook = hook
