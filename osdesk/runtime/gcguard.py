"""Python's garbage collector runs on the GUI thread only.

WORKAROUND: the cyclic GC runs on whichever thread happens to allocate when a
threshold is crossed, which here is often a cloud's worker thread. If it then frees
a Qt object (a closed dialog in a reference cycle, say), the C++ destructor runs on
the wrong thread, its timers stay registered, and the GUI thread later crashes in
QTimerInfoList::activateTimers (seen in our GUI tests). qutebrowser does the same
for the same reason (qutebrowser/misc/objects.py, the "gc" timer): automatic
collection off, a GUI-thread timer collecting generation by generation instead.

With ``freeze`` (the app's guard), what survives a full pass is frozen (``gc.freeze()``):
later full passes look only at what grew old since, instead of every row of every
table (~240 ms on the GUI thread with 10,000 servers loaded, ~1.2 s with 50,000;
~0.01 ms frozen, bench/ 6.). Refcounting still frees frozen objects; only cycles among
them wait for a deep pass (everything thawed, collected, frozen again), which runs
while the application is not the active one (the user is elsewhere), at most every
``DEEP_PASS_S``, or unconditionally after ``DEEP_PASS_MAX_S``.
"""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer

#: seconds between deep passes while the application is inactive
DEEP_PASS_S = 600.0
#: seconds after which a deep pass runs even while the application is active
DEEP_PASS_MAX_S = 3600.0
#: with ``freeze``: a full pass once this many objects reached the oldest generation
#: since the last one (it then walks about that many: ~10 ms), not ~10 young passes
#: later
FREEZE_BATCH = 20_000
#: more new objects than this many young thresholds since the last tick: a load, whose
#: new objects are frozen without a walk
BUSY_OBJECTS = 4
#: the timer's interval while objects pile up (a load): a young pass walks every object
#: made since the last one, ~100,000 in 500 ms of a 10,000-server load (~70-90 ms)
BUSY_TICK_MS = 50


class MainThreadGC(QObject):
    """Collect on a GUI-thread timer, as the automatic collector would have."""

    def __init__(self, interval_ms: int = 500, parent: QObject | None = None,
                 freeze: bool = False):
        super().__init__(parent)
        self._freeze = freeze
        self._deep_at = time.monotonic()
        #: whether anything is frozen (gc.get_freeze_count() walks them all to say)
        self._frozen = False
        self._thresholds = gc.get_threshold()
        #: objects in the oldest generation after the last full pass, and about how
        #: many reached it since (CPython's long_lived_total / long_lived_pending)
        self._long_lived = 0
        self._pending = 0
        gc.disable()
        self._interval = interval_ms
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._timer.start()

    def collect_due(self) -> int:
        """Collect the generations whose counts passed their thresholds."""
        t0, t1, t2 = self._thresholds
        c0, c1, c2 = gc.get_count()
        if self._freeze:  # tick faster while a load makes objects, slower again after
            busy = c0 > BUSY_OBJECTS * t0
            self._timer.setInterval(BUSY_TICK_MS if busy else self._interval)
            if busy:
                # a load: what it made since the last tick mostly lives on (rows); frozen
                # as it is instead of walked (~8 ms a young pass on the GUI thread, every
                # tick of a load, for nothing: passes during loads found 0-132 objects
                # to free, bench inventory). Its few cycles wait for the deep pass.
                self.freeze_now()
                return 0
        # CPython's own rule (gcmodule.c, collect_generations): a full pass only when
        # the objects that reached the oldest generation since the last one are over
        # 25 % of those it holds, else the younger generations are looked at instead.
        # gc.collect(2) does not apply it, and without it every tenth young pass was a
        # full one: ~0.5 s on the GUI thread with 10,000 servers loaded (bench/ 6.).
        if self._freeze and self._deep_due():
            return self.deep_pass()
        if self._freeze:
            if self._pending > FREEZE_BATCH or (c2 > t2 and self._pending):
                return self.full_pass()
        elif c2 > t2 and self._pending > self._long_lived // 4:
            return self.full_pass()
        if c1 > t1 or (self._freeze and len(gc.get_objects(1)) > FREEZE_BATCH):
            young = len(gc.get_objects(0)) + len(gc.get_objects(1))
            found = gc.collect(1)
            self._pending += max(0, young - found)  # the survivors moved to the oldest
            return found
        if c0 > t0:
            return gc.collect(0)
        return 0

    def full_pass(self) -> int:
        """Collect everything not frozen now (and take the oldest generation's size from
        here); with ``freeze``, freeze what survived."""
        found = gc.collect(2)
        if self._freeze:
            self.freeze_now()
        self._long_lived = len(gc.get_objects(2))
        self._pending = 0
        return found

    def deep_pass(self) -> int:
        """Thaw everything, collect it all (cycles among frozen objects too), freeze again."""
        gc.unfreeze()
        self._frozen = False
        self._deep_at = time.monotonic()
        return self.full_pass()

    def freeze_now(self) -> None:
        gc.freeze()
        self._frozen = True

    def _deep_due(self) -> bool:
        # NOTE: not gc.get_freeze_count(): it walks every frozen object (~40 ms a call
        # with 30,000 servers loaded, on every tick of the GUI thread)
        if not self._frozen:
            return False
        age = time.monotonic() - self._deep_at
        if age > DEEP_PASS_MAX_S:
            return True
        app = QCoreApplication.instance()
        state = getattr(app, "applicationState", None)  # a QGuiApplication's
        return (age > DEEP_PASS_S and state is not None
                and state() != Qt.ApplicationState.ApplicationActive)

    def stop(self) -> None:
        self._timer.stop()
        gc.unfreeze()
        self._frozen = False
        gc.enable()


def install(app) -> MainThreadGC:
    """The app's guard; what start-up made so far (modules, classes) is frozen at once."""
    guard = MainThreadGC(parent=app, freeze=True)
    guard.freeze_now()
    return guard
