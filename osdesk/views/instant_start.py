"""Instant start in the window: the keeper of snapshots, each page's age badge ("As of
12 min ago — refreshing…", "Offline — as of 14:02"), actions refused while the rows are
only a snapshot of an unreachable cloud, and the View menu's setting."""

from __future__ import annotations

import datetime as _dt
import time

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QLabel

from osdesk.runtime.instant_start import SnapshotKeeper

SETTING_TEXT = "Keep a snapshot for an instant start"
_BADGE = {
    "as-of": "background: rgba(13, 110, 253, 0.12); border: 1px solid rgba(13, 110, 253, 0.45);"
             " border-radius: 8px; padding: 1px 8px;",
    "offline": "background: rgba(255, 193, 7, 0.22); border: 1px solid rgba(255, 193, 7, 0.75);"
               " border-radius: 8px; padding: 1px 8px;",
}


def ago(seconds: float) -> str:
    """"just now", "12 min ago", "3 h ago", "2 days ago"."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 48 * 3600:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def clock(taken_at: float) -> str:
    when = _dt.datetime.fromtimestamp(taken_at)
    return f"{when:%H:%M}" if when.date() == _dt.date.today() else f"{when:%Y-%m-%d %H:%M}"


def offline_reason(feed) -> str:
    """Why actions are refused on the page's rows, or "" when they are not."""
    if feed.snapshot_at is None or not feed.unreachable:
        return ""
    return (f"Offline — as of {clock(feed.snapshot_at)}: the cloud could not be reached, "
            f"so these rows are only its last snapshot")


def badge_text(feed, now: float | None = None) -> tuple[str, str, str]:
    """(text, tooltip, style key) of the page's badge; text "" hides it."""
    taken = feed.snapshot_at
    if taken is None:
        return "", "", ""
    age = ago((now or time.time()) - taken)
    if feed.unreachable:
        return (f"Offline — as of {clock(taken)} ({age})",
                f"The cloud could not be reached: {feed.unreachable}\nThese rows are the "
                f"snapshot osdesk kept at {clock(taken)}; actions are off until it answers.",
                "offline")
    busy = feed.state in ("loading", "refreshing") or (feed.session is not None
                                                       and not feed.session.info)
    return (f"As of {age}" + (" — refreshing…" if busy else ""),
            f"These rows are the snapshot osdesk kept at {clock(taken)}; the live list "
            f"replaces them as soon as the cloud answers.", "as-of")


class SnapshotBadge(QLabel):
    """The age badge in a page's toolbar, beside its state label."""

    def __init__(self, page):
        super().__init__()
        self.page = page
        self.setObjectName(f"snapshot_badge_{page.kind.key}")
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.hide()
        page.toolbar.insertWidget(page.toolbar.indexOf(page.state_label), self)
        feed = page.feed
        for signal in (feed.snapshotChanged, feed.sessionChanged, feed.stateChanged):
            signal.connect(self.update_badge)

    def update_badge(self, *args) -> None:
        text, tip, style = badge_text(self.page.feed)
        self.setVisible(bool(text))
        if not text:
            return
        self.setText(text)
        self.setToolTip(tip)
        self.setStyleSheet(_BADGE[style])
        if self.page.state_label.text().startswith("⏳"):
            self.page.state_label.setText("")  # the badge says it already
        if style == "offline":
            for action in self.page._page_actions:
                action.setEnabled(False)
                action.setToolTip(offline_reason(self.page.feed))


def guard_actions(page) -> None:
    """While the rows are a snapshot of an unreachable cloud, every action of the page's
    menu (and so its Delete key) is refused, with that reason."""
    provider = page.menu_provider

    def guarded(p, rows):
        actions = provider(p, rows) if provider is not None else []
        reason = offline_reason(page.feed)
        for action in actions if reason else ():
            if action is not None:
                action.setEnabled(False)
                action.setToolTip(reason)
                action.setStatusTip(reason)
        return actions
    page.menu_provider = guarded


#: the longest a login waits for the shown page's last rows to be found and shown
LOGIN_WAITS_S = 1.0


async def last_rows_first(w) -> None:
    """Before a login: wait until the shown page's snapshot rows show or none will
    (``LOGIN_WAITS_S`` at most). A returning user's last rows are read and shown first;
    the login then loads the HTTP stack and talks to the cloud while they are on screen,
    instead of holding the GIL while they load (one Python thread runs at a time)."""
    page = w.current_page()
    keeper = getattr(w, "snapshots", None)
    if page is not None and keeper is not None:
        await keeper.restored(page.feed, LOGIN_WAITS_S)


def install(w) -> None:
    """The keeper, a badge and the offline guard on every page, and View → the setting."""
    w.snapshots = SnapshotKeeper(w.runner, spawn=w._spawn, parent=w)
    w.snapshot_badges = []

    def keep(page) -> None:  # every page, as it is made (after its actions)
        w.snapshots.attach(page.feed)
        w.snapshot_badges.append(SnapshotBadge(page))
        guard_actions(page)
    w.pages.each(keep)
    timer = QTimer(w)
    timer.setInterval(20000)  # the ages move on
    timer.timeout.connect(lambda: [b.update_badge() for b in w.snapshot_badges if b.isVisible()])
    timer.start()
    action = w.view_menu.addAction(SETTING_TEXT)
    action.setCheckable(True)
    action.setChecked(w.snapshots.enabled)
    action.setToolTip("Show each cloud's last lists at once when it opens, marked with their "
                      "age; kept in your cache folder, without passwords, tokens or keys")
    action.toggled.connect(w.snapshots.set_enabled)
    w.snapshot_action = action
