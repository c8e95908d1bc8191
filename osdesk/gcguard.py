"""Python's garbage collector runs on the GUI thread only.

WORKAROUND: the cyclic GC runs on whichever thread happens to allocate when a
threshold is crossed, which here is often a cloud's worker thread. If it then frees
a Qt object (a closed dialog in a reference cycle, say), the C++ destructor runs on
the wrong thread, its timers stay registered, and the GUI thread later crashes in
QTimerInfoList::activateTimers (seen in our GUI tests). qutebrowser does the same
for the same reason (qutebrowser/misc/objects.py, the "gc" timer): automatic
collection off, a GUI-thread timer collecting generation by generation instead.
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer


class MainThreadGC(QObject):
    """Collect on a GUI-thread timer, as the automatic collector would have."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None):
        super().__init__(parent)
        self._thresholds = gc.get_threshold()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds."""
        t0, t1, t2 = self._thresholds
        c0, c1, c2 = gc.get_count()
        if c2 > t2:
            return gc.collect(2)
        if c1 > t1:
            return gc.collect(1)
        if c0 > t0:
            return gc.collect(0)
        return 0

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def install(app) -> MainThreadGC:
    return MainThreadGC(parent=app)
