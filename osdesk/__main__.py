"""``python -m osdesk`` and the ``osdesk`` launcher."""

import sys

#: Seconds the launcher waits, after the window has gone, for worker threads to end
#: (a cancelled upload deletes its half-made image in that time).
EXIT_GRACE = 3.0


def main() -> int:
    from osdesk.app import main as app_main
    code = app_main(sys.argv[1:])
    leave_without_hung_workers(code)
    return code


def leave_without_hung_workers(code: int, grace: float = EXIT_GRACE) -> None:
    """End the process now if a worker is still stuck in a request after ``grace``.

    Python joins every executor thread at exit, so one request to a dead cloud would
    keep the process alive for the rest of its timeout (a minute, or the length of an
    upload) after the window closed, and a second launch would race the first. The
    window has saved everything by now; only the stuck request is dropped.
    """
    import logging
    import os
    import threading
    import time

    deadline = time.monotonic() + grace
    for thread in threading.enumerate():
        if thread is not threading.current_thread() and not thread.daemon:
            thread.join(max(0.0, deadline - time.monotonic()))
    stuck = [t.name for t in threading.enumerate()
             if t is not threading.current_thread() and not t.daemon and t.is_alive()]
    if not stuck:
        return
    logging.getLogger("osdesk").info("leaving %d request(s) unfinished: %s", len(stuck),
                                     ", ".join(stuck))
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (AttributeError, OSError, ValueError):
            pass
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
