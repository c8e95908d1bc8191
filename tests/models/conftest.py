"""Fixtures of the model tests: real API sample bodies, strict model testers."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

_HERE = Path(__file__).resolve().parent
for _path in (str(_HERE.parents[1]), str(_HERE)):  # the checkout (osdesk), model_samples
    if _path not in sys.path:
        sys.path.insert(0, _path)

import pytest  # noqa: E402

from model_samples import SignalRecorder  # noqa: E402


def pytest_collection_modifyitems(config, items):
    # The C++ QAbstractItemModelTester behind ``qtmodeltester.check`` reports
    # failures as Qt warnings; fail the model tests on any Qt warning so those
    # reports are not lost.
    for item in items:
        if _HERE in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.qt_log_level_fail("WARNING"))


@pytest.fixture
def check_model(qtmodeltester, request):
    """Run both model testers on a model: Qt's C++ one and pytest-qt's Python one.

    Both stay connected for the rest of the test and re-check after every signal.
    """
    from pytestqt.modeltest import ModelTester

    py_testers = []

    def check(model):
        qtmodeltester.check(model)
        py = ModelTester(request.config)
        py.check(model, force_py=True)
        py_testers.append(py)

    yield check
    for py in py_testers:
        py._cleanup()


@pytest.fixture
def recorder():
    return SignalRecorder
