"""The Qt binding osdesk installs must survive long sessions.

PySide6 6.12.0 under CPython 3.11 loses a reference to None on every void call
(setText, setVisible…) and to True on every Signal.emit(); a desktop app that runs
for hours aborts with "deallocating None". pyproject.toml excludes it; this test
catches a binding with the same fault before users do.
"""

import subprocess
import sys
import textwrap


def test_many_void_calls_and_emits_do_not_abort_the_process():
    code = textwrap.dedent("""
        import os, sys
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtCore import QObject, Signal
        from PySide6.QtWidgets import QApplication, QLabel
        app = QApplication([])
        label = QLabel()
        class Emitter(QObject):
            fired = Signal(int)
        emitter = Emitter()
        got = []
        emitter.fired.connect(got.append)
        for i in range(20000):
            label.setText(str(i))
            label.setVisible(bool(i % 2))
            emitter.fired.emit(i)
        print("survived", len(got))
    """)
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "survived 20000" in result.stdout
