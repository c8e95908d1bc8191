"""Fixtures of the widget tests."""

from __future__ import annotations

import pytest

from tests.qt_support import isolate


@pytest.fixture
def isolated_settings(tmp_path, monkeypatch):
    """QSettings, HOME and the keyring of this test only (for widgets that remember)."""
    yield from isolate(tmp_path, monkeypatch)
