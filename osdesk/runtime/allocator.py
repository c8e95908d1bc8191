"""glibc's malloc: big blocks get pages of their own, as they do until one is freed.

WORKAROUND: glibc serves a block of at least ``M_MMAP_THRESHOLD`` bytes (128 KiB at
start) from a mapping of its own, unmapped when it is freed. But freeing such a block
raises the threshold to its size (the "dynamic" threshold, up to 32 MiB), so after the
first list page's body is freed, every later body (~1 MB per page of 500 servers: the
bytes read, their text, the console's copy) comes from the heaps, the main one and each
worker thread's, between small blocks that live on. The console keeps the last ~30
bodies (its byte cap) and lets the oldest go on each refresh: the holes they leave
cannot go back to the system, and small blocks made later land in them. bench/ 5.
(10,000 servers, 200 refreshes, the console's cap full): memory in use stayed at 62 MB
(``mallinfo2().uordblks``) while the heaps held 18 to 38 MB free, RSS stepping up and
down by ~20 MB with where the bodies happened to land ("growth" 18, 32 or -9 MB over
the same code). With the threshold fixed (which also turns the adjusting off) the heaps
hold ~5 MB free, RSS is ~30 MB lower and flat.

The price: such a block's pages are faulted in afresh each time (~0.4 ms per MB on a
worker thread, while it decodes or parses what it read).

Linux with glibc only; a threshold the user set (``MALLOC_MMAP_THRESHOLD_``,
``GLIBC_TUNABLES``) is left as it is.
"""

from __future__ import annotations

import ctypes
import os
import sys

#: mallopt's parameter number for the threshold (malloc.h)
M_MMAP_THRESHOLD = -3
#: blocks this big or bigger get their own pages (below a list page's body)
MMAP_THRESHOLD = 256 * 1024


def _libc():
    try:
        return ctypes.CDLL("libc.so.6")
    except OSError:  # not glibc (musl's is libc.so)
        return None


def _set_by_user(environ) -> bool:
    return ("MALLOC_MMAP_THRESHOLD_" in environ
            or "mmap_threshold" in environ.get("GLIBC_TUNABLES", ""))


def fix_mmap_threshold(libc=None, platform: str | None = None, environ=None) -> bool:
    """Fix glibc's mmap threshold at :data:`MMAP_THRESHOLD`; whether it was set."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if not platform.startswith("linux") or _set_by_user(environ):
        return False
    libc = _libc() if libc is None else libc
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
