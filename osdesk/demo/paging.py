"""Paging and filters shared by every list route of the demo cloud.

A ``Pager`` holds what differs between the services (error texts, default and
largest page, what the links look like); ``Pager.page`` does the common work:
skip past ``marker``, cut ``limit`` items and add the links.  Three styles:

* ``Pager`` (nova): ``<key>_links`` with rel ``next`` whenever a page is full;
* ``GlancePager``: ``first`` always, ``next`` whenever a page is full;
* ``NeutronPager``: ``page_reverse``, ``<key>_links`` with ``next``/``previous``.
"""

from __future__ import annotations

import operator
from urllib.parse import urlencode

TAG_PARAMS = ("tags", "tags-any", "not-tags", "not-tags-any")


item_id = operator.itemgetter("id")


def _fill(template: str, value) -> str:
    return template % value if "%s" in template else template


class Pager:
    """Nova-style marker/limit paging of one list route.

    ``error(req, message)`` builds the service's 400; ``prefix`` (``%s`` = the
    request's base URL) starts every link; ``cap`` bounds a page; ``negative``
    is the text for a negative limit (None: no check, as some nova routes).
    ``missing`` is the text (or ``marker -> HttpError``) for an unknown marker.
    """

    def __init__(self, error, prefix: str = "", *, default=None, cap=None,
                 not_int="limit param must be an integer",
                 negative: str | None = "limit param must be positive",
                 missing="marker [%s] not found", links=True):
        self.error, self.prefix = error, prefix
        self.default, self.cap = default, cap
        self.not_int, self.negative, self.missing = not_int, negative, missing
        self.with_links = links

    # -------------------------------------------------------------- steps
    def limit(self, req):
        """The page size asked for (``default`` when absent), validated and capped."""
        raw = req.param("limit")
        if raw is None:
            return self.default
        try:
            lim = int(raw)
        except ValueError:
            raise self.error(req, _fill(self.not_int, raw))
        if self.negative is not None and lim < 0:
            raise self.error(req, _fill(self.negative, raw))
        return lim if self.cap is None else min(lim, self.cap)

    def missing_marker(self, req, marker):
        if callable(self.missing):
            return self.missing(marker)
        return self.error(req, self.missing % marker)

    def skip(self, req, items, marker, ident=item_id, reverse=False):
        """The items after ``marker`` (before it, nearest first, when ``reverse``)."""
        ids = [ident(i) for i in items]
        if marker not in ids:
            raise self.missing_marker(req, marker)
        idx = ids.index(marker)
        return items[:idx][::-1] if reverse else items[idx + 1:]

    def href(self, req, path, params) -> str:
        base = (self.prefix % req.base if "%s" in self.prefix else self.prefix) + path
        return base + "?" + urlencode(params) if params else base

    @staticmethod
    def kept(req, *drop):
        return [(k, v) for k, v in req.query if k not in ("marker",) + drop]

    def links(self, req, page, limit, path, key, ident) -> dict:
        if not (self.with_links and page and len(page) == limit):
            return {}
        params = self.kept(req) + [("marker", ident(page[-1]))]
        return {key + "_links": [{"href": self.href(req, path, params), "rel": "next"}]}

    # -------------------------------------------------------------- all of it
    def page(self, req, items, path="", key="", ident=item_id, limit=None):
        """→ (items of this page, extra body keys with the links).

        ``limit`` may be passed when the route validated it first (error order).
        """
        marker = req.param("marker")
        if marker:
            items = self.skip(req, items, marker, ident)
        if limit is None:
            limit = self.limit(req)
        page = items if limit is None else items[:limit]
        return page, self.links(req, page, limit, path, key, ident)


class GlancePager(Pager):
    """Glance: ``first`` (the query without marker) always, ``next`` on a full page."""

    def links(self, req, page, limit, path, key, ident) -> dict:
        params = self.kept(req)
        out = {"first": self.href(req, path, params)}
        if page and len(page) == limit:
            out["next"] = self.href(req, path, params + [("marker", ident(page[-1]))])
        return out


class NeutronPager(Pager):
    """Neutron: ``page_reverse``; limit 0 means all; ``next``/``previous`` links."""

    def page(self, req, items, path="", key="", ident=item_id, limit=None):
        marker = req.param("marker")
        reverse = (req.param("page_reverse") or "").lower() == "true"
        if marker:
            items = self.skip(req, items, marker, ident, reverse)
        lim = self.limit(req)
        if not lim:
            return items, {}
        more = len(items) > lim
        items = items[:lim]
        if reverse:
            items = items[::-1]
        keep = self.kept(req, "page_reverse")
        links = []
        if items and (more or reverse):
            links.append({"href": self.href(req, path, keep + [("marker", ident(items[-1]))]),
                          "rel": "next"})
        if items and (marker or (reverse and more)):
            back = keep + [("marker", ident(items[0])), ("page_reverse", "True")]
            links.append({"href": self.href(req, path, back), "rel": "previous"})
        return items, ({key + "_links": links} if links else {})


# --------------------------------------------------------------------------- filters

def tag_filters(req, tags_of) -> list:
    """Predicates for ``tags``/``tags-any``/``not-tags``/``not-tags-any`` (comma lists)."""
    out = []
    for key in TAG_PARAMS:
        vals = [t for v in req.params(key) for t in v.split(",") if t]
        if not vals:
            continue
        test = all if key in ("tags", "not-tags") else any
        negate = key.startswith("not-")
        out.append(lambda x, v=vals, t=test, n=negate:
                   t(tag in tags_of(x) for tag in v) != n)
    return out


def equal_filters(req, pairs, value_of) -> list:
    """Predicates ``value_of(item, attr) == <query param>`` for each (param, attr) given."""
    wants = [(attr, req.param(param)) for param, attr in pairs]
    return [lambda x, a=attr, w=want: value_of(x, a) == w for attr, want in wants
            if want is not None]


def keep(items, predicates) -> list:
    return [x for x in items if all(p(x) for p in predicates)] if predicates else list(items)
