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
        #: objects in the oldest generation after the last full pass, and about how
        #: many reached it since (CPython's long_lived_total / long_lived_pending)
        self._long_lived = 0
        self._pending = 0
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds."""
        t0, t1, t2 = self._thresholds
        c0, c1, c2 = gc.get_count()
        # CPython's own rule (gcmodule.c, collect_generations): a full pass only when
        # the objects that reached the oldest generation since the last one are over
        # 25 % of those it holds, else the younger generations are looked at instead.
        # gc.collect(2) does not apply it, and without it every tenth young pass was a
        # full one: ~0.5 s on the GUI thread with 10,000 servers loaded (bench/ 6.).
        if c2 > t2 and self._pending > self._long_lived // 4:
            return self.full_pass()
        if c1 > t1:
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            found = gc.collect(1)
            self._pending += max(0, young - found)  # the survivors moved to the oldest
            return found
        if c0 > t0:
            return gc.collect(0)
        return 0

    def full_pass(self) -> int:
        """Collect everything now (and take the oldest generation's size from here)."""
        found = gc.collect(2)
        self._long_lived = len(gc.get_objects(2))
        self._pending = 0
        return found

    def stop(self) -> None:
        self._timer.stop()
        gc.enable()


def install(app) -> MainThreadGC:
    return MainThreadGC(parent=app)
