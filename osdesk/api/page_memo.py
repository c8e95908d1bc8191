"""A list page that comes back byte for byte as last time is not parsed again.

Most refreshes of a list change nothing, or a few rows of one page. Parsing every page
anyway cost the worker ~4 ms of GIL-holding ``json.loads`` per 500 servers, and made
~60 MB of dicts per 10,000 servers that the model then compared with the rows it holds
and threw away: memory churned on every refresh, and the heap never settled (bench/
5.). With the memo, a page whose bytes have the same digest as that page's last time
(same request: path, marker, filters) is answered with last time's parsed body, the
very objects the model holds, so the merge sees them unchanged by identity.

The parsed bodies are shared: nothing may change a list's rows in place (nothing in
osdesk does; a row's dict is replaced whole by the next refresh).

Each list (service, path, base parameters) keeps the pages of its last complete
listing, plus the ones an interrupted listing got to; the ``MAX_LISTS`` most recently
listed lists are kept. Qt-free, thread-safe.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict

__all__ = ["MAX_LISTS", "Listing", "PageMemo", "PageSlot", "digest"]

#: lists (service, path, base parameters) whose pages are kept, most recently listed
MAX_LISTS = 24


def digest(content: bytes) -> bytes:
    """A 128-bit digest of a body (hashlib lets go of the GIL while it reads: ~0.6 ms
    a 900 KB page, on the thread fetching pages)."""
    return hashlib.blake2b(content, digest_size=16).digest()


class PageSlot:
    """One page request of a listing: ``known(content)`` gives last time's body when
    ``content`` is the same; ``keep(body)`` remembers the body parsed now."""

    __slots__ = ("_listing", "_key", "_digest")

    def __init__(self, listing: "Listing", key):
        self._listing = listing
        self._key = key
        self._digest: bytes | None = None

    def known(self, content: bytes):
        """Last time's parsed body for these bytes, or None (then parse, and ``keep``)."""
        self._digest = digest(content)
        old = self._listing.previous(self._key)
        if old is not None and old[0] == self._digest:
            self._listing.seen(self._key, old)
            return old[1]
        return None

    def keep(self, body) -> None:
        if self._digest is not None:
            self._listing.seen(self._key, (self._digest, body))


class Listing:
    """One pass over a list's pages (see :meth:`PageMemo.listing`)."""

    def __init__(self, memo: "PageMemo", list_key, old: dict):
        self._memo = memo
        self._list_key = list_key
        self._old = old
        self._new: dict = {}
        self._done = False

    def page(self, page_key) -> PageSlot:
        return PageSlot(self, page_key)

    def previous(self, page_key):
        return self._old.get(page_key)

    def seen(self, page_key, entry) -> None:
        self._new[page_key] = entry

    def finish(self, complete: bool) -> None:
        """Keep this pass's pages: only them once the list was read to its end;
        added to the ones kept before when the pass stopped early."""
        if self._done:
            return
        self._done = True
        pages = self._new if complete else {**self._old, **self._new}
        self._memo.store(self._list_key, pages)


class PageMemo:
    """The last pages of each list of one connection (``Cloud.page_memo``)."""

    def __init__(self, max_lists: int = MAX_LISTS):
        self._lists: OrderedDict = OrderedDict()
        self._max = max_lists
        self._lock = threading.Lock()

    def listing(self, list_key) -> Listing:
        with self._lock:
            old = self._lists.get(list_key) or {}
        return Listing(self, list_key, old)

    def store(self, list_key, pages: dict) -> None:
        with self._lock:
            self._lists[list_key] = pages
            self._lists.move_to_end(list_key)
            while len(self._lists) > self._max:
                self._lists.popitem(last=False)

    def clear(self) -> None:
        """Forget every page (another project's lists are other lists)."""
        with self._lock:
            self._lists.clear()

    def __len__(self) -> int:
        with self._lock:
            return sum(len(pages) for pages in self._lists.values())
