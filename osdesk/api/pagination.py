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

    Raises :class:`PaginationLoop` if the cloud hands back a marker twice.
    """
    params = dict(params or {})
    if page_size:
        params.setdefault("limit", page_size)
    seen: set[str] = set()
    for _ in range(max_pages):
        body = cloud.json(service_type, "GET", path, params=params, **request_kwargs)
        items = body.get(key, []) if isinstance(body, dict) else []
        yield items
        href = next_link(body, key) if isinstance(body, dict) else None
        if not href or not items:
            return
        marker = marker_of(href)
        if marker is None:
            # keystone-style next links carry no marker: nothing safe to follow.
            return
        if marker in seen:
            raise PaginationLoop(f"The {service_type} service returned the page marker "
                                 f"{marker!r} twice while listing {path}; stopped to avoid "
                                 f"an endless loop.")
        seen.add(marker)
        params = dict(params, marker=marker)
    raise PaginationLoop(f"Listing {path} did not end after {max_pages} pages.")


def list_all(cloud, service_type: str, path: str, key: str, **kwargs) -> list[dict]:
    out: list[dict] = []
    for page in iter_pages(cloud, service_type, path, key, **kwargs):
        out.extend(page)
    return out
