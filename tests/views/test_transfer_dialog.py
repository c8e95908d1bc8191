"""The transfer dialog: progress from a worker thread, the rate over the last seconds,
time left, a stalled transfer said plainly, Cancel."""

from __future__ import annotations

import threading

import pytest

from osdesk.views import image_dialogs
from osdesk.views.image_dialogs import TransferDialog

MiB = 2**20


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = Clock()
    monkeypatch.setattr(image_dialogs.time, "monotonic", c)
    return c


@pytest.fixture
def dialog(qtbot, clock):
    d = TransferDialog("Uploading disk")
    qtbot.addWidget(d)
    return d


def test_progress_from_a_worker_thread_reaches_the_bar(qtbot, dialog):
    worker = threading.Thread(target=dialog.progress, args=(25 * MiB, 100 * MiB))
    worker.start()
    worker.join()

    qtbot.waitUntil(lambda: dialog.bar.value() == 250)
    assert dialog.label.text().startswith("25 MiB of 100 MiB")


def test_the_rate_follows_the_last_seconds_not_the_average(dialog, clock):
    for second in range(10):  # 1 MiB/s for ten seconds ...
        dialog._on_progress(second * MiB, 100 * MiB)
        clock.now += 1
    for second in range(10):  # ... then 10 MiB/s
        dialog._on_progress(10 * MiB + second * 10 * MiB, 100 * MiB)
        clock.now += 1
    clock.now -= 1  # the moment of the last report

    assert dialog.rate() == pytest.approx(10 * MiB)  # the average would be ~5 MiB/s


def test_time_left_comes_from_the_current_rate(dialog, clock):
    dialog._on_progress(0, 100 * MiB)
    clock.now += 2
    dialog._on_progress(4 * MiB, 100 * MiB)  # 2 MiB/s, 96 MiB to go: 48 s

    assert dialog.label.text() == "4 MiB of 100 MiB · 2 MiB/s · 0 min 48 s left"


def test_a_transfer_with_no_bytes_moving_says_it_is_waiting(dialog, clock):
    dialog._on_progress(0, 100 * MiB)
    clock.now += 1
    dialog._on_progress(5 * MiB, 100 * MiB)
    clock.now += 7  # no report: the cloud stopped reading

    dialog._show()  # what the dialog's own timer does twice a second

    assert dialog.label.text() == "5 MiB of 100 MiB · waiting for the cloud (no data moved for 7 s)"
    assert dialog.rate() == 0.0


def test_everything_sent_waits_for_the_cloud_to_confirm(dialog, clock):
    dialog._on_progress(0, 8 * MiB)
    clock.now += 1
    dialog._on_progress(8 * MiB, 8 * MiB)

    assert dialog.bar.value() == 1000
    assert dialog.label.text().endswith("all sent; waiting for the cloud to confirm")


def test_unknown_total_shows_bytes_and_a_busy_bar(dialog, clock):
    dialog._on_progress(0, 0)
    clock.now += 1
    dialog._on_progress(3 * MiB, 0)

    assert (dialog.bar.minimum(), dialog.bar.maximum()) == (0, 0)
    assert dialog.label.text() == "3 MiB · 3 MiB/s"


def test_escape_and_cancel_set_the_event_and_keep_the_dialog_until_the_worker_stops(dialog):
    dialog.show()
    dialog.reject()  # Esc or the window's close button

    assert dialog.cancel_event.is_set() and dialog.isVisible()
    assert dialog.label.text() == "Cancelling…" and not dialog.cancel_button.isEnabled()
    dialog._show()  # a late tick does not overwrite "Cancelling…"
    assert dialog.label.text() == "Cancelling…"


def test_sizes_over_2_gib_arrive_whole_from_a_worker_thread(qtbot, dialog):
    done, total = 3 * 2**30 + 5, 5 * 2**30  # past a C++ int
    worker = threading.Thread(target=dialog.progress, args=(done, total))
    worker.start()
    worker.join()

    qtbot.waitUntil(lambda: dialog.bar.value() == 600)
    assert dialog._done == done and dialog._total == total
    assert dialog.label.text().startswith("3 GiB of 5 GiB")
