"""The GUI-thread garbage collector: full passes only when the old objects grew by a
quarter, as CPython's automatic collector does, and cycles still collected."""

from __future__ import annotations

import gc
import weakref

import pytest

from osdesk.runtime.gcguard import MainThreadGC


@pytest.fixture
def guard(qapp):
    g = MainThreadGC()
    g._timer.stop()  # driven by hand below
    passes = []

    def spy(phase, info):
        if phase == "start":
            passes.append(info["generation"])
    gc.callbacks.append(spy)
    g.passes = passes
    yield g
    gc.callbacks.remove(spy)
    gc.disable()  # the test session keeps it off (tests/conftest.py)


def churn(guard, rounds: int, keep: list | None = None):
    """Allocate like a busy app: mostly garbage, and into ``keep`` what must live."""
    for _ in range(rounds):
        for _ in range(800):  # garbage in cycles: only the collector frees it
            cycle = []
            cycle.append(cycle)
        del cycle
        if keep is not None:
            keep.extend([i] for i in range(800))
        guard.collect_due()


def test_steady_work_over_many_old_objects_does_no_repeated_full_pass(guard):
    old = [[i] for i in range(200_000)]  # 10,000 servers' worth of rows
    guard.full_pass()  # takes the old objects in (and zeroes the counts)
    guard.passes.clear()

    # every 11th young pass is a middle one, every 11th of those may be full: three
    # times in 400 rounds a full pass is due by count; nothing new is kept
    churn(guard, 400)

    assert guard.passes.count(2) == 0
    assert guard.passes.count(1) >= 30 and guard.passes.count(0) > 300
    del old


def test_a_full_pass_comes_once_the_old_objects_grew_by_a_quarter(guard):
    old = [[i] for i in range(40_000)]
    guard.full_pass()
    guard.passes.clear()
    keep: list = []

    churn(guard, 200, keep)  # 160,000 more long-lived objects: four times the old ones

    assert guard.passes.count(2) >= 1
    del old, keep


def test_cycles_are_still_collected(guard):
    class Node:
        pass
    for _ in range(2000):
        a, b = Node(), Node()
        a.other, b.other = b, a
    del a, b
    churn(guard, 800)

    assert not any(isinstance(o, Node) for o in gc.get_objects())


@pytest.fixture
def freezing(qapp):
    g = MainThreadGC(freeze=True)
    g._timer.stop()
    yield g
    g.stop()  # thaws everything for the rest of the session
    gc.disable()


def test_a_freezing_guard_leaves_survivors_out_of_later_full_passes(freezing):
    old = [[i] for i in range(50_000)]
    freezing.full_pass()
    assert gc.get_freeze_count() >= 50_000
    assert len(gc.get_objects(2)) < 1_000  # the next full pass does not walk the old rows
    keep: list = []
    churn(freezing, 200, keep)
    assert gc.get_freeze_count() > 50_000 + 100_000  # what grew old since was frozen too
    del old, keep


def test_a_deep_pass_collects_cycles_among_frozen_objects(freezing):
    class Node:
        pass
    a, b = Node(), Node()
    a.other, b.other = b, a
    alive = weakref.ref(a)
    freezing.full_pass()  # alive then: frozen
    del a, b
    freezing.full_pass()
    assert alive() is not None  # a frozen cycle waits for the deep pass
    freezing.deep_pass()
    assert alive() is None


def test_a_freezing_guard_keeps_what_a_pass_walks_small_during_a_load(freezing):
    from osdesk.runtime.gcguard import BUSY_TICK_MS, FREEZE_BATCH
    freezing.full_pass()  # what the session made so far
    keep: list = []
    unfrozen_old = []
    passes = []

    def spy(phase, info):
        if phase == "start":
            passes.append(info["generation"])
    gc.callbacks.append(spy)
    try:
        for n in [5_000] * 40 + [30_000] * 5:  # a load: objects that live on, between ticks
            keep.extend([i] for i in range(n))
            freezing.collect_due()
            unfrozen_old.append(len(gc.get_objects(2)))
            assert freezing._timer.interval() == BUSY_TICK_MS
    finally:
        gc.callbacks.remove(spy)
    assert passes == []  # frozen, not walked: a load's objects live on
    assert max(unfrozen_old) < 2 * FREEZE_BATCH  # a full pass never walks the whole load
    assert gc.get_freeze_count() > 340_000
    freezing.collect_due()  # a quiet tick: back to the slow pace
    assert freezing._timer.interval() == 500
    del keep
