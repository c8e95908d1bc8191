"""The window's resource pages, each made the first time it is shown or asked for.

A start shows one page; making all thirteen (their tables, menus, action classes and the
dialog modules those import) cost ~10 % of the time to the first rows. ``window.pages``
still maps every kind's key to its page, so ``pages["volumes"]`` is the Volumes page —
made then if it was not yet. What runs for every page (the window's signals, the actions,
instant start's guard, the open cloud) is given as a hook (:meth:`LazyPages.each`): it
runs for the pages made already and for each page made later, so a page made late is
the page it would have been had it been made with the window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping


class LazyPages(Mapping):
    """Key → page for every kind in ``kinds``; ``make(kind)`` makes a page when first asked
    for. Iterating, ``len`` and ``in`` cover every kind (made or not); ``values()`` and
    ``items()`` make every page, so code that only touches pages with something in them
    asks :meth:`built` (or :meth:`peek` for one)."""

    def __init__(self, kinds, make: Callable):
        self._kinds = {kind.key: kind for kind in kinds}
        self._make = make
        self._built: dict[str, object] = {}
        self._hooks: list[Callable] = []

    def __getitem__(self, key: str):
        page = self._built.get(key)
        if page is None:
            kind = self._kinds[key]  # KeyError for a key no kind has, as a dict
            page = self._built[key] = self._make(kind)  # held first: a hook may ask again
            for hook in list(self._hooks):
                hook(page)
        return page

    def __iter__(self) -> Iterator[str]:
        return iter(self._kinds)

    def __len__(self) -> int:
        return len(self._kinds)

    def __contains__(self, key) -> bool:
        return key in self._kinds

    def built(self) -> list:
        """The pages made so far, in the order they were made."""
        return list(self._built.values())

    def built_items(self) -> list[tuple[str, object]]:
        return list(self._built.items())

    def peek(self, key: str):
        """The page of ``key`` if it is made, else None (a page not made has no rows to
        refresh or count: it loads them when it is first shown)."""
        return self._built.get(key)

    def each(self, hook: Callable) -> None:
        """``hook(page)`` for every page made, now and whenever one is made later (in the
        order hooks were given)."""
        self._hooks.append(hook)
        for page in self.built():
            hook(page)


class LazyActions(Mapping):
    """Key → a page's action object (``window.page_actions``), for the kinds ``keys``:
    asking for one makes its page, whose hook puts the actions in ``made``."""

    def __init__(self, keys, pages: LazyPages):
        self._keys = list(keys)
        self._pages = pages
        self.made: dict[str, object] = {}

    def __getitem__(self, key: str):
        if key not in self._keys:
            raise KeyError(key)
        self._pages[key]
        return self.made[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key) -> bool:
        return key in self._keys
