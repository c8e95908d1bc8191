"""What the GUI thread was doing during its long gaps: a diagnostic, not a measurement.

With ``OSDESK_BENCH_SAMPLE=1`` (and ``OSDESK_BENCH_SAMPLE_OVER_MS``, 50 by default) in a worker's environment, a daemon thread samples the
main thread's Python stack every 2 ms (``sys._current_frames``) with the main thread's
CPU clock; :func:`report` then prints, for every gap of the stall probe over that, the
GUI thread's CPU time inside it (low: it waited for the GIL, high: it worked) and the
innermost frames seen most often. Samples need the GIL too, so a thread that holds it
long shows as a hole in the samples, which the report says.
"""

from __future__ import annotations

import collections
import os
import sys
import threading
import time

ENABLED = os.environ.get("OSDESK_BENCH_SAMPLE") == "1"
#: the gaps reported (ms); OSDESK_BENCH_SAMPLE_OVER_MS sets it
OVER_S = float(os.environ.get("OSDESK_BENCH_SAMPLE_OVER_MS", "50")) / 1000


class Sampler:
    def __init__(self, interval: float = 0.002, depth: int = 6):
        self.interval = interval
        self.depth = depth
        self.main = threading.main_thread().ident
        self.clock = time.pthread_getcpuclockid(self.main)
        self.samples: list[tuple[float, float, str]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(1)

    def _run(self):
        while not self._stop.wait(self.interval):
            frames = sys._current_frames()
            now = time.perf_counter()
            cpu = time.clock_gettime(self.clock)
            names = {t.ident: t.name for t in threading.enumerate()}
            others = tuple(sorted(f"{names.get(ident, ident)}: {self._stack(f, 3)}"
                                  for ident, f in frames.items()
                                  if ident not in (self.main, threading.get_ident())))
            self.samples.append((now, cpu, self._stack(frames.get(self.main), self.depth), others))

    @staticmethod
    def _stack(frame, depth) -> str:
        parts = []
        while frame is not None and len(parts) < depth:
            code = frame.f_code
            parts.append(f"{os.path.basename(code.co_filename)}:{code.co_name}:{frame.f_lineno}")
            frame = frame.f_back
        return " < ".join(parts) or "(in Qt)"

    def report(self, gaps, ends, over: float = OVER_S, out=sys.stderr):
        """``gaps``/``ends`` as the stall probe keeps them (seconds, perf_counter)."""
        for gap, end in zip(gaps, ends):
            if gap <= over:
                continue
            start = end - gap
            inside = [s for s in self.samples if start <= s[0] <= end]
            cpu = (inside[-1][1] - inside[0][1]) * 1000 if len(inside) > 1 else float("nan")
            times = [s[0] for s in inside]
            hole = max((b - a for a, b in zip([start] + times, times + [end])), default=gap)
            print(f"--- gap {gap * 1000:.0f} ms: {len(inside)} samples, GUI CPU {cpu:.0f} ms, "
                  f"longest hole in samples {hole * 1000:.0f} ms", file=out)
            for stack, n in collections.Counter(s[2] for s in inside).most_common(6):
                print(f"  {n:4d}  {stack}", file=out)
            other = collections.Counter(o for s in inside for o in s[3]
                                        if "wait" not in o and "select" not in o)
            for stack, n in other.most_common(8):
                print(f"     other {n:4d}  {stack}", file=out)
