"""The API console in the window: closed on a first start, opened when asked, and
remembered open (or closed) the next time."""

from __future__ import annotations

from osdesk.api.calllog import CallLog
from osdesk.profiles import ProfileStore, SecretStore
from osdesk.runtime.runner import Runner


def new_window(qtbot, tmp_path):
    from osdesk.views.main_window import MainWindow
    runner = Runner()
    window = MainWindow(store=ProfileStore(tmp_path / "config"), secrets=SecretStore(),
                        runner=runner, call_log=CallLog())
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close(window) -> None:
    window.close()
    window.shutdown()


def test_the_console_starts_closed_and_remembers_being_opened(qtbot, loop, tmp_path):
    first = new_window(qtbot, tmp_path)
    assert first.console.isHidden() and not first.console_action.isChecked()
    first.console_action.trigger()  # View › API console (Ctrl+`)
    assert first.console.isVisible()
    close(first)

    second = new_window(qtbot, tmp_path)
    assert second.console.isVisible() and second.console_action.isChecked()
    second.console_action.trigger()
    close(second)

    third = new_window(qtbot, tmp_path)
    assert third.console.isHidden()
    close(third)
