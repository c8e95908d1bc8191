"""The PySide6 6.12.0 emit/disconnect refcount workaround keeps True alive."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Qt, Signal

from model_samples import many_servers
from osdesk.models._signals import disconnect, emit
from osdesk.models.resource_model import ResourceTableModel


class _Pinger(QObject):
    ping = Signal(int)


def test_emit_and_disconnect_keep_the_refcount_of_bools():
    pinger = _Pinger()
    seen = []
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(2000):  # unrepaired, this aborts the interpreter on 3.11 + 6.12.0
        pinger.ping.connect(seen.append)
        emit(pinger.ping, i)
        disconnect(pinger.ping, seen.append)
    assert seen == list(range(2000))
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
    assert disconnect(pinger.ping, seen.append) is False  # nothing connected: no error


def test_model_signals_keep_the_refcount_of_bools():
    model = ResourceTableModel.for_resource("servers")
    rows = many_servers(3)
    model.merge(rows)
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(1000):  # layoutChanged, dataChanged and rowsMerged from Python
        model.sort(0, Qt.SortOrder.DescendingOrder if i % 2 else Qt.SortOrder.AscendingOrder)
        rows[0]["status"] = "ACTIVE" if i % 2 else "BUILD"
        model.merge([dict(r) for r in rows])
    assert (sys.getrefcount(True), sys.getrefcount(False)) == before
