"""Desktop notifications: ``notify(title, body)``.

Freedesktop notifications (``org.freedesktop.Notifications.Notify`` on the session bus)
where a notification server runs; otherwise a message from a tray icon where there is a
system tray; otherwise nothing, and no error or warning. Never blocks the caller: the
D-Bus call and its reply run on a short-lived worker thread, and only the tray fallback
comes back to the GUI thread.

The call is made with jeepney (pure Python; keyring's own D-Bus library on Linux), not
QtDBus: PySide6 marshals every Python int as int32, and ``Notify`` takes ``replaces_id``
as uint32 — servers refuse the call ("wrong args"); QtDBus's typed route through an
introspected interface fails on the ``a{sv}`` hints most servers do not annotate.
"""

from __future__ import annotations

import logging
import os
import threading

from PySide6.QtCore import QObject, Signal

from osdesk.desktop.entry import APP_ID

log = logging.getLogger(__name__)

APP_NAME = "osdesk"
#: the icon and desktop entry the menu entry installs (desktop/entry.py)
ICON = APP_ID
SERVICE = "org.freedesktop.Notifications"
PATH = "/org/freedesktop/Notifications"
#: how long the notification server may take to answer (s); on the worker thread
DBUS_TIMEOUT_S = 5.0
#: how long a tray message shows (ms)
TRAY_MS = 10000


def dbus_notify(title: str, body: str) -> bool:
    """Send one notification over the session bus; True when a server took it. Blocking
    (connect, send, wait for the reply): call it on a worker thread."""
    try:
        from jeepney import DBusAddress, MessageType, new_method_call
        from jeepney.io.blocking import open_dbus_connection
    except ImportError:  # keyring brings jeepney on Linux; elsewhere there is no bus
        return False
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    address = DBusAddress(PATH, bus_name=SERVICE, interface=SERVICE)
    message = new_method_call(address, "Notify", "susssasa{sv}i",
                              (APP_NAME, 0, ICON, title, body, [],
                               {"desktop-entry": ("s", APP_ID)}, -1))
    with open_dbus_connection(bus="SESSION") as conn:
        reply = conn.send_and_get_reply(message, timeout=DBUS_TIMEOUT_S)
    return reply.header.message_type == MessageType.method_return


class _Fallback(QObject):
    """Lives on the GUI thread; the worker asks it for a tray message when D-Bus failed."""

    wanted = Signal(str, str)

    def __init__(self):
        super().__init__()
        self.tray = None
        self.wanted.connect(self.show_tray_message)  # queued: emitted on the worker

    def show_tray_message(self, title: str, body: str) -> None:
        from PySide6.QtCore import QTimer
        from PySide6.QtWidgets import QApplication, QSystemTrayIcon
        if QApplication.instance() is None or not QSystemTrayIcon.isSystemTrayAvailable():
            return  # nowhere to say it: say nothing
        if self.tray is None:
            self.tray = QSystemTrayIcon(QApplication.windowIcon())
            self.tray.setToolTip(APP_NAME)
            self._hide = QTimer(self.tray)
            self._hide.setSingleShot(True)
            self._hide.timeout.connect(self.tray.hide)
        self.tray.show()
        self.tray.showMessage(title, body, QSystemTrayIcon.MessageIcon.Information, TRAY_MS)
        self._hide.start(TRAY_MS + 2000)  # the icon goes with its message


_fallback: _Fallback | None = None


def _send(title: str, body: str, fallback: _Fallback) -> None:
    try:
        sent = dbus_notify(title, body)
    except Exception as exc:  # any D-Bus trouble means "not sent", never an error shown
        log.debug("no desktop notification over D-Bus: %s", exc)
        sent = False
    if not sent:
        fallback.wanted.emit(title, body)


def notify(title: str, body: str) -> None:
    """Tell the desktop ``title`` and ``body``; returns at once. Call on the GUI thread."""
    global _fallback
    if _fallback is None:
        _fallback = _Fallback()
    threading.Thread(target=_send, args=(title, body, _fallback), name="osdesk-notify",
                     daemon=True).start()
