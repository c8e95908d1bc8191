"""Lists that follow ``next`` links and markers, page by page.

Pages are yielded as they arrive, so the GUI can merge each one while the next
is fetched; each page is small enough that parsing it holds the GIL only briefly
(a 26 MB body of 10,000 servers holds it for ~0.8 s; see DESIGN.md).
"""

from __future__ import annotations

from typing import Iterator
from urllib.parse import parse_qsl, urlsplit

from osdesk.api.errors import PaginationLoop

#: Default page size: ~500 servers parse in ~20 ms on the development machines.
DEFAULT_PAGE_SIZE = 500


def next_link(body: dict, key: str) -> str | None:
    """The ``rel=next`` href of a list body, in any of the shapes OpenStack uses.

    nova/neutron: ``<key>_links: [{"rel": "next", "href": ...}]``; glance: ``next``;
    keystone: ``links: {"next": ...}``.
    """
    links = body.get(f"{key}_links")
    if isinstance(links, list):
        for link in links:
            if isinstance(link, dict) and link.get("rel") == "next" and link.get("href"):
                return link["href"]
    nxt = body.get("next")
    if isinstance(nxt, str) and nxt:
        return nxt
    links = body.get("links")
    if isinstance(links, dict) and isinstance(links.get("next"), str):
        return links["next"]
    return None


def marker_of(href: str) -> str | None:
    return dict(parse_qsl(urlsplit(href).query)).get("marker")


def iter_pages(cloud, service_type: str, path: str, key: str, *, params: dict | None = None,
               page_size: int | None = DEFAULT_PAGE_SIZE, max_pages: int = 100000,
               **request_kwargs) -> Iterator[list[dict]]:
    """Yield each page's list of raw dicts until there is no ``next`` link.

    A next link with a marker is followed by sending that marker with our own
    parameters; one without (keystone's ``?page=2``) is requested as it is, below the
    service's endpoint. Raises :class:`PaginationLoop` if the cloud hands back a marker
    or such a link twice.
    """
    params = dict(params or {})
    if page_size:
        params.setdefault("limit", page_size)
    seen: set[str] = set()
    page_path, page_params = path, params
    memo = getattr(cloud, "page_memo", None)
    listing = None if memo is None else memo.listing(
        (service_type, path, key, _frozen(params), _frozen(request_kwargs)))
    complete = False
    try:
        for _ in range(max_pages):
            reuse = None if listing is None else listing.page(
                (page_path, _frozen(page_params)))
            if reuse is not None:
                request_kwargs["reuse"] = reuse
            body = cloud.json(service_type, "GET", page_path, params=page_params,
                              **request_kwargs)
            items = body.get(key, []) if isinstance(body, dict) else []
            yield items
            href = next_link(body, key) if isinstance(body, dict) else None
            if not href or not items:
                complete = True
                return
            page_path, page_params = _follow(cloud, service_type, path, params, href, seen)
    finally:
        if listing is not None:
            listing.finish(complete)
    raise PaginationLoop(f"Listing {path} did not end after {max_pages} pages.")


def _frozen(mapping: dict | None) -> tuple:
    """A mapping of request parameters as a hashable key (values as their repr)."""
    return tuple(sorted((k, repr(v)) for k, v in (mapping or {}).items() if k != "reuse"))


def _follow(cloud, service_type: str, path: str, params: dict, href: str,
            seen: set) -> tuple[str, dict | None]:
    """The path and parameters of the page ``href`` (a next link) names."""
    marker = marker_of(href)
    if marker is None:
        page_path, page_params = relative_link(href, cloud.endpoint(service_type)), None
        what = f"the next link {href!r}"
    else:
        page_path, page_params = path, dict(params, marker=marker)
        what = f"the page marker {marker!r}"
    if (marker or page_path) in seen:
        raise PaginationLoop(f"The {service_type} service returned {what} twice while "
                             f"listing {path}; stopped to avoid an endless loop.")
    seen.add(marker or page_path)
    return page_path, page_params


def relative_link(href: str, endpoint: str) -> str:
    """``href`` as a path (and query) below the versioned ``endpoint``.

    The link may name another host or scheme than the catalog (a proxy's, or keystone's
    own idea of its public URL); the part after the endpoint's path, or after its
    version segment, is what to request on our endpoint. A link that shares nothing
    with the endpoint's path is returned unchanged.
    """
    split = urlsplit(href)
    segments = [s for s in split.path.split("/") if s]
    base = [s for s in urlsplit(endpoint).path.split("/") if s]
    query = f"?{split.query}" if split.query else ""
    for size in range(len(base), 0, -1):  # the longest tail of the endpoint's path first
        tail = base[-size:]
        for at in range(len(segments) - size + 1):
            if segments[at:at + size] == tail:
                return "/" + "/".join(segments[at + size:]) + query
    if split.scheme and split.netloc:
        return href
    return "/" + "/".join(segments) + query


def list_all(cloud, service_type: str, path: str, key: str, **kwargs) -> list[dict]:
    out: list[dict] = []
    for page in iter_pages(cloud, service_type, path, key, **kwargs):
        out.extend(page)
    return out
