import gc
import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(autouse=True, scope="session")
def _gc_on_the_main_thread():
    """As in the app (osdesk/gcguard.py): never let the collector run on a worker
    thread, where freeing a Qt object corrupts Qt's timer list."""
    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    yield
    gc.collect()


@pytest.fixture
def answers():
    """Answers osdesk's awaited dialogs by clicking (tests add rules); see
    tests/dialog_answers.py. Unmatched dialogs stay open."""
    from tests.dialog_answers import DialogAnswers
    a = DialogAnswers().install()
    yield a
    a.remove()
