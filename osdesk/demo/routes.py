"""(method, path pattern) → handler tables, one per service of the demo cloud."""

from __future__ import annotations

import re

#: One path segment, captured (an id, a name, a key).
ID = r"([^/]+)"


class RouteTable:
    """Ordered routes of one service; the first pattern that matches the path decides.

    ``routes`` is a list of ``(methods, pattern, handler)``: ``methods`` a
    space-separated list, ``pattern`` a regex matched against the whole path
    (``suffix`` appended, ``/?$`` by default).  Handlers are called as
    ``handler(state, req, *captured)``.  When the path matches but the method
    does not, ``not_allowed(req, methods)`` is raised; without it the search
    goes on (the service answers 404 at the end).
    """

    def __init__(self, routes, *, not_allowed=None, suffix: str = "/?$"):
        self.not_allowed = not_allowed
        grouped: dict[str, dict] = {}
        for methods, pattern, handler in routes:
            per = grouped.setdefault(pattern, {})
            for m in methods.split():
                per[m] = handler
        self.routes = [(re.compile("^" + p + suffix), per) for p, per in grouped.items()]

    def find(self, req, path: str):
        """→ (handler, captured args) or None; raises ``not_allowed`` on a method mismatch."""
        for rx, methods in self.routes:
            m = rx.match(path)
            if not m:
                continue
            fn = methods.get(req.method)
            if fn is not None:
                return fn, [g for g in m.groups() if g is not None]
            if self.not_allowed is not None:
                raise self.not_allowed(req, list(methods))
        return None
