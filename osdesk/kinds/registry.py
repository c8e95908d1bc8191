"""The registry: every resource kind osdesk shows, in the sidebar's order.

A kind is one module of this package that declares ``KIND`` (see ``base.py``); the
registry finds it, and the window gets its page, menu entries, detail pane, lookups
and console labels. Adding a kind is adding that module (and the demo's rows).
"""

from __future__ import annotations

import importlib
import pkgutil

import osdesk.kinds
from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind
from osdesk.kinds.columns import Column


def _discover() -> list[ResourceKind]:
    found = []
    for info in pkgutil.iter_modules(osdesk.kinds.__path__):
        module = importlib.import_module(f"osdesk.kinds.{info.name}")
        kind = getattr(module, "KIND", None)
        if isinstance(kind, ResourceKind):
            found.append(kind)
    return sorted(found, key=lambda k: (k.order, k.key))


KINDS: list[ResourceKind] = _discover()
KIND_BY_KEY = {k.key: k for k in KINDS}

#: every spelling of a kind (its key, the API's URL and JSON names) -> the kind
_BY_SPELLING = {name: kind for kind in KINDS for name in kind.spellings()}

#: the kinds' collections, for the API console's "copy as ``openstack``"
COLLECTIONS: tuple[Collection, ...] = tuple(k.collection for k in KINDS if k.collection)


def kind_for(name: str) -> ResourceKind:
    """The kind called ``name`` in any spelling: "floating_ips", "floatingips"…"""
    kind = _BY_SPELLING.get(name) or _BY_SPELLING.get(name.replace("-", "_"))
    if kind is None:
        raise KeyError(name)
    return kind


def columns_for(name: str) -> list[Column]:
    """The column list of a kind; accepts the API spellings too ("floatingips")."""
    return kind_for(name).columns


def row_key_for(name: str) -> str:
    return kind_for(name).row_key
