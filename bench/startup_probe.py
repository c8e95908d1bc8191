"""Start-up probe: ``osdesk --demo --demo-servers N`` as the launcher runs it, plus a
bench-only hook that notices the moment the main window is shown with the first page
populated, prints the time since the parent spawned this process, and quits.

    BENCH_T0=<parent's time.time() just before spawning> python bench/startup_probe.py [N]

The hook is a 2 ms QTimer started when ``MainWindow.show()`` is first called (the
real ``show`` runs first). Everything else is ``osdesk.app.main``, unchanged, and so
is the order in which it imports things: the probe patches ``MainWindow`` and
``DemoCloud`` as their modules finish importing (``_AfterImport``), instead of
importing them before ``main()`` as the launcher never does.
Prints one JSON line: {"seconds": ..., "rows": ..., "from_snapshot": ..., "phases": {...}}
(``from_snapshot``: the rows were instant start's snapshot of the last run, not the live
list). With ``BENCH_KEEP_SNAPSHOT=1`` (the untimed warm-up) it quits only once the servers
page's snapshot is written (10 s at most), so that the timed runs after it start as a
returning user's do; without it a quit right after the rows may leave none, and which
start the timed runs measure was a race.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import time

T0 = float(os.environ.get("BENCH_T0") or 0) or None
_T_MAIN = time.time()  # the interpreter is up and running this file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))


def _proc_start_epoch() -> float | None:
    """This process's start time from /proc (10 ms resolution), for a cross-check."""
    try:
        with open("/proc/self/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        start_ticks = int(fields[19])
        with open("/proc/stat") as f:
            btime = next(int(l.split()[1]) for l in f if l.startswith("btime"))
        return btime + start_ticks / os.sysconf("SC_CLK_TCK")
    except Exception:
        return None


class _AfterImport:
    """A meta path finder that calls ``patches[name](module)`` right after module
    ``name`` is first imported, wherever the app imports it from. (Not derived from
    ``importlib.abc.MetaPathFinder``: importing that module costs ~20 ms.)"""

    def __init__(self, patches: dict):
        self.patches = patches

    def find_spec(self, name, path=None, target=None):
        patch = self.patches.pop(name, None)
        if patch is None:
            return None
        spec = importlib.util.find_spec(name)  # the ordinary finders (this one is done)
        real_exec = spec.loader.exec_module

        def exec_module(module):
            real_exec(module)
            patch(module)
        spec.loader.exec_module = exec_module
        return spec


def main() -> int:
    servers = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    t_start = T0 or _proc_start_epoch() or _T_MAIN
    phases = {"interpreter_ready": _T_MAIN - t_start}
    from osdesk import app as osdesk_app
    phases["imported_app"] = time.time() - t_start
    result = {}
    sys.meta_path.insert(0, _AfterImport({"osdesk.views.main_window": lambda m: patch_window(m),
                                          "osdesk.demo.cloud": lambda m: patch_demo(m)}))

    def patch_window(mw):
        phases.setdefault("imported_window", time.time() - t_start)
        real_show = mw.MainWindow.show
        real_init = mw.MainWindow.__init__

        def init(self, *a, **kw):
            phases.setdefault("main_window_init_start", time.time() - t_start)
            real_init(self, *a, **kw)
            phases.setdefault("main_window_built", time.time() - t_start)
        mw.MainWindow.__init__ = init

        def show(self):
            real_show(self)
            if getattr(self, "_bench_probe", None) is not None:
                return
            from PySide6.QtCore import QTimer
            from PySide6.QtWidgets import QApplication
            phases.setdefault("window_shown", time.time() - t_start)
            mark = lambda name: (lambda *a: phases.setdefault(name, time.time() - t_start))
            if self.session is not None:
                self.session.connected.connect(mark("connected"))
                self.session.lookupsChanged.connect(mark("lookups_loaded"))
            if "servers" in self.pages:
                self.pages["servers"].model.rowsInserted.connect(mark("first_rows"))
            timer = QTimer(self)
            timer.setInterval(2)
            deadline = [time.monotonic() + 120]
            keep = os.environ.get("BENCH_KEEP_SNAPSHOT") == "1"

            def kept() -> bool:
                from osdesk.profiles.snapshots import default_snapshot_dir
                try:
                    return any(default_snapshot_dir().rglob("*--servers.json.gz"))
                except OSError:
                    return False

            def poll():
                page = self.pages.get("servers")
                rows = page.model.rowCount() if page is not None else 0
                if "seconds" in result:  # the warm-up: until the snapshot is written
                    if kept() or time.monotonic() > deadline[0]:
                        timer.stop()
                        QApplication.quit()
                elif self.isVisible() and rows >= servers:
                    result["seconds"] = time.time() - t_start
                    result["rows"] = rows
                    result["from_snapshot"] = page.feed.snapshot_at is not None
                    if keep:
                        deadline[0] = time.monotonic() + 10
                        return
                    timer.stop()
                    QApplication.quit()
                elif time.monotonic() > deadline[0]:
                    result["error"] = f"not populated after 120 s ({rows} rows)"
                    timer.stop()
                    QApplication.quit()
            timer.timeout.connect(poll)
            timer.start()
            self._bench_probe = timer

        mw.MainWindow.show = show

    def patch_demo(demo_cloud):
        real_start = demo_cloud.DemoCloud.start

        def start(self):
            out = real_start(self)
            phases.setdefault("demo_cloud_started", time.time() - t_start)
            return out
        demo_cloud.DemoCloud.start = start

    rc = osdesk_app.main(["--demo", "--demo-servers", str(servers)])
    result["phases"] = {k: round(v, 4) for k, v in phases.items()}
    result["rc"] = rc
    result["t0_source"] = "BENCH_T0" if T0 else "/proc/self/stat"
    print(json.dumps(result), flush=True)
    os._exit(0)


if __name__ == "__main__":
    main()
