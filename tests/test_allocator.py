"""glibc's mmap threshold: fixed on Linux (which also stops glibc raising it), left alone
elsewhere and when the user set it."""

from __future__ import annotations

import sys

import pytest

from osdesk.runtime import allocator
from osdesk.runtime.allocator import M_MMAP_THRESHOLD, MMAP_THRESHOLD, fix_mmap_threshold


class FakeLibc:
    def __init__(self, answer: int = 1):
        self.calls = []
        self.answer = answer

    def mallopt(self, param, value):
        self.calls.append((param, value))
        return self.answer


def test_linux_fixes_the_threshold():
    libc = FakeLibc()
    assert fix_mmap_threshold(libc, platform="linux", environ={})
    assert libc.calls == [(M_MMAP_THRESHOLD, MMAP_THRESHOLD)]


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_other_systems_are_left_alone(platform):
    libc = FakeLibc()
    assert not fix_mmap_threshold(libc, platform=platform, environ={})
    assert libc.calls == []


@pytest.mark.parametrize("environ", [
    {"MALLOC_MMAP_THRESHOLD_": "65536"},
    {"GLIBC_TUNABLES": "glibc.malloc.arena_max=2:glibc.malloc.mmap_threshold=65536"}])
def test_a_threshold_the_user_set_is_kept(environ):
    libc = FakeLibc()
    assert not fix_mmap_threshold(libc, platform="linux", environ=environ)
    assert libc.calls == []


def test_a_libc_without_mallopt_or_refusing_it():
    assert not fix_mmap_threshold(object(), platform="linux", environ={})
    assert not fix_mmap_threshold(FakeLibc(answer=0), platform="linux", environ={})


def test_no_glibc(monkeypatch):
    monkeypatch.setattr(allocator, "_libc", lambda: None)
    assert not fix_mmap_threshold(platform="linux", environ={})


def test_gui_event_loop_fixes_it(qapp, monkeypatch):
    import asyncio

    from osdesk import app as app_module
    calls = []
    monkeypatch.setattr(allocator, "fix_mmap_threshold", lambda: calls.append(1))
    guard = getattr(qapp, "_osdesk_gc_guard", None)
    switch = sys.getswitchinterval()
    try:
        loop = app_module.gui_event_loop(qapp)
        loop.close()
    finally:
        qapp._osdesk_gc_guard.stop()
        qapp._osdesk_gc_guard = guard
        sys.setswitchinterval(switch)
        asyncio.set_event_loop(None)
        import gc
        gc.disable()  # the test session keeps it off (tests/conftest.py)
    assert calls == [1]
