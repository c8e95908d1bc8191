"""emit()/disconnect() for signals used from Python, safe against a PySide6 6.12.0 refcount bug.

WORKAROUND: with PySide6 6.12.0 on CPython 3.11, ``SignalInstance.emit()`` and
``SignalInstance.disconnect()`` return ``True``/``False`` without a new reference, so
each call lowers the refcount of ``True`` by one; after a few hundred calls the
interpreter aborts with "Fatal Python error: bool_dealloc: deallocating True or
False". (CPython 3.12+ makes the bools immortal, so there it is harmless;
``QObject.disconnect(connection)`` and signals emitted by Qt itself are not affected.)
The probe below measures the bug once at import; when present, these helpers give
the missing reference back. When PySide is fixed the probe finds nothing and they
are plain calls.
"""

from __future__ import annotations

import ctypes
import sys
import warnings

from PySide6.QtCore import QObject, Signal

__all__ = ["EMIT_LEAKS_BOOL", "disconnect", "emit"]

_incref = ctypes.pythonapi.Py_IncRef
_incref.argtypes = [ctypes.py_object]
_incref.restype = None


class _Probe(QObject):
    ping = Signal()


def _emit_steals_bool() -> bool:
    if sys.version_info >= (3, 12):  # immortal True/False: nothing to repair
        return False
    probe = _Probe()
    rounds = 16
    before = sys.getrefcount(True)
    for _ in range(rounds):
        probe.ping.emit()
    lost = before - sys.getrefcount(True)
    for _ in range(max(0, lost)):  # undo what the probe itself took
        _incref(True)
    return lost >= rounds // 2


#: True when this PySide build has the bug (and ``emit`` compensates).
EMIT_LEAKS_BOOL = _emit_steals_bool()


def _repair(result):
    if EMIT_LEAKS_BOOL and (result is True or result is False):
        _incref(result)  # the reference PySide returned without adding
    return result


def emit(signal, *args):
    """``signal.emit(*args)``."""
    return _repair(signal.emit(*args))


def disconnect(signal, *slot) -> bool:
    """``signal.disconnect(*slot)``; False, and no warning, when nothing was connected."""
    with warnings.catch_warnings():
        # PySide warns "Failed to disconnect …" (RuntimeWarning) instead of raising
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            return bool(_repair(signal.disconnect(*slot)))
        except (RuntimeError, TypeError):
            return False
