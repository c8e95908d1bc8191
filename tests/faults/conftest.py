"""Fixtures of the fault suite, its recorder, and the summary printed after the run.

Every test here drives osdesk's own code (the api layer, the window, the importers,
the store) against something hostile: a misbehaving loopback server, a broken file,
a failing keyring. The recorder counts what was tried; ``pytest_terminal_summary``
prints the totals at the end of the run.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from dataclasses import dataclass, field

import pytest

from osdesk.api.calllog import CallLog
from osdesk.demo import DemoCloud
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.profiles.profile import Profile
from osdesk.runtime.runner import Runner
from tests.faults.misbehaving import FaultProxy, Ticker
from tests.qt_support import MemoryKeyring, isolate, qasync_loop  # noqa: F401


# ------------------------------------------------------------------ recorder
@dataclass
class Recorder:
    """What the suite tried, for the summary at the end of the run."""

    faults: dict[str, bool] = field(default_factory=dict)  # name -> survived
    fuzz_cases: dict[str, int] = field(default_factory=dict)  # importer -> cases
    secrets_searched: int = 0  # files and texts searched by the audit
    secret_hits: list[str] = field(default_factory=list)
    switches: int = 0
    wrong_rows: int = 0
    rows_checked: int = 0
    threads_left: list[str] = field(default_factory=list)
    stalls: dict[str, float] = field(default_factory=dict)  # fault -> longest loop gap (s)

    @contextlib.contextmanager
    def fault(self, name: str):
        """Record ``name`` as tried; survived when the block ends without an error."""
        self.faults[name] = False
        yield
        self.faults[name] = True

    def fuzzed(self, importer: str, n: int = 1) -> None:
        self.fuzz_cases[importer] = self.fuzz_cases.get(importer, 0) + n

    @property
    def used(self) -> bool:
        return bool(self.faults or self.fuzz_cases or self.secrets_searched or self.switches)


RECORD = Recorder()
#: The fuzz_cases keys that count towards the importers' total.
IMPORTERS = ("clouds.yaml", "secure.yaml", "openrc")


@pytest.fixture(scope="session")
def recorder() -> Recorder:
    return RECORD


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    r = RECORD
    if not r.used:
        return
    tr = terminalreporter
    tr.section("osdesk fault suite")
    survived = sum(r.faults.values())
    tr.write_line(f"faults tried: {len(r.faults)}, survived: {survived}")
    failed = sorted(name for name, ok in r.faults.items() if not ok)
    if failed:
        tr.write_line(f"  not survived: {', '.join(failed)}")
    if r.stalls:
        worst = max(r.stalls, key=r.stalls.get)
        tr.write_line(f"  longest event-loop stall: {r.stalls[worst]:.2f} s ({worst})")
    importers = {k: v for k, v in r.fuzz_cases.items() if k in IMPORTERS}
    others = {k: v for k, v in r.fuzz_cases.items() if k not in IMPORTERS}
    per = ", ".join(f"{k} {v}" for k, v in sorted(importers.items()))
    line = f"fuzz cases: {sum(importers.values())} on the importers" + (f" ({per})" if per else "")
    if others:
        line += "; " + ", ".join(f"{k} {v}" for k, v in sorted(others.items()))
    tr.write_line(line)
    tr.write_line(f"secrets found: {len(r.secret_hits)} "
                  f"(in {r.secrets_searched} files and texts searched)")
    for hit in r.secret_hits[:10]:
        tr.write_line(f"  {hit}")
    tr.write_line(f"wrong-cloud rows: {r.wrong_rows} "
                  f"({r.switches} switches, {r.rows_checked} rows checked)")
    if r.switches:
        tr.write_line(f"threads left behind: {len(r.threads_left)}"
                      + (f" ({', '.join(r.threads_left)})" if r.threads_left else ""))


# ---------------------------------------------------------------- isolation
@pytest.fixture(autouse=True)
def isolated_settings(tmp_path, monkeypatch):
    """QSettings, profiles, HOME and the keyring of this test only."""
    yield from isolate(tmp_path, monkeypatch)


def _kind(dialog) -> str:
    """The old static call a dialog stands for: "question", "warning", "input", …"""
    from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox
    if isinstance(dialog, QMessageBox):
        roles = {dialog.buttonRole(b) for b in dialog.buttons()}
        if (QMessageBox.ButtonRole.DestructiveRole in roles
                or dialog.icon() == QMessageBox.Icon.Question):
            return "question"
        return {QMessageBox.Icon.Warning: "warning", QMessageBox.Icon.Critical: "critical",
                QMessageBox.Icon.Information: "information"}.get(dialog.icon(), "about")
    if isinstance(dialog, QInputDialog):
        return "input"
    if isinstance(dialog, QFileDialog):
        return "save" if dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave else "open"
    return "exec"


def _answer_at_once(dialog) -> None:
    """What a hurried user does: confirm what is asked (the verb button), close every
    message, cancel every input, file and custom dialog."""
    from PySide6.QtWidgets import QMessageBox
    if isinstance(dialog, QMessageBox):
        for button in dialog.buttons():
            if dialog.buttonRole(button) == QMessageBox.ButtonRole.DestructiveRole:
                button.click()
                return
        (dialog.defaultButton() or dialog.buttons()[0]).click()
    else:
        dialog.reject()


@pytest.fixture(autouse=True)
def answers():
    """Every awaited dialog is answered at once (see ``_answer_at_once``); tests add rules
    (``answers.on(…)``) to answer one otherwise. Nothing can block the suite: osdesk opens
    its dialogs and awaits them, so one left open waits without holding the loop."""
    from tests.dialog_answers import DialogAnswers, text_of
    log: list[tuple[str, str, str]] = []  # (kind, title, text) of every dialog opened
    a = DialogAnswers(default=_answer_at_once)
    a.log = log
    original = a.__call__

    def hook(dialog):
        log.append((_kind(dialog), dialog.windowTitle(), text_of(dialog)))
        original(dialog)
    from osdesk.views import dialogs as osdesk_dialogs
    osdesk_dialogs.opened_hooks.append(hook)
    yield a
    osdesk_dialogs.opened_hooks.remove(hook)


@pytest.fixture
def dialogs(answers):
    """What this test's code asked dialogs to show: [(kind, title, text)]."""
    return answers.log


@pytest.fixture
def loop(qapp):
    yield from qasync_loop(qapp)


@pytest.fixture
def call_log():
    return CallLog()


@pytest.fixture
def make_window(qtbot, loop, tmp_path, call_log):
    """Build MainWindows on the isolated config; every one is shut down afterwards."""
    from osdesk.views.main_window import MainWindow
    made = []

    def make(store: ProfileStore | None = None, secrets: SecretStore | None = None):
        win = MainWindow(store=store or ProfileStore(tmp_path / "config"),
                         secrets=secrets or SecretStore(), runner=Runner(), call_log=call_log)
        qtbot.addWidget(win)
        win.show()
        made.append(win)
        return win
    yield make
    for win in made:
        win.shutdown()


@pytest.fixture
def window(make_window):
    return make_window()


@pytest.fixture
def demo_cloud():
    cloud = DemoCloud(servers=25, speed=50).start()
    yield cloud
    cloud.stop()


@pytest.fixture
def proxies():
    """Start FaultProxy servers; all are stopped afterwards."""
    started: list[FaultProxy] = []

    def start(upstream: str | None = None, **kwargs) -> FaultProxy:
        proxy = FaultProxy(upstream, **kwargs).start()
        started.append(proxy)
        return proxy
    yield start
    for proxy in started:
        proxy.stop()


# ------------------------------------------------------------------ helpers
def run(loop, coro, timeout=60):
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


async def until(predicate, timeout=20.0, interval=0.02, what="condition"):
    """Let the event loop run until ``predicate()`` is true (a behaviour bound, not a benchmark)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while loop.time() < deadline:
        if predicate():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"{what} not reached within {timeout:.0f} s")


def demo_profile(demo: DemoCloud, pid: str, name: str, *, base_url: str | None = None,
                 **changes) -> Profile:
    """A profile of ``demo``, reached directly or through ``base_url`` (a proxy)."""
    fields = {k: v for k, v in demo.profile_fields().items() if k != "password"}
    fields["name"] = name
    if base_url:
        fields["auth_url"] = base_url + "/identity/v3"
    fields.update(changes)
    return Profile(id=pid, source="demo", **fields)


@contextlib.contextmanager
def ticking(loop):
    """A coroutine ticking every 20 ms for the duration of the block."""
    ticker = Ticker()
    task = loop.create_task(ticker.run(loop))
    try:
        yield ticker
    finally:
        task.cancel()


def osdesk_threads() -> list[threading.Thread]:
    """The runner's worker threads (named ``cloud-…``) that are still alive."""
    return [t for t in threading.enumerate() if t.name.startswith("cloud-") and t.is_alive()]
