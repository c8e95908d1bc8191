"""What each resource page lists and how: the service behind it and its list call.

No Qt here: a page asks its :class:`ResourceKind` for pages of raw dicts, on the
cloud's worker thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from osdesk.api.pagination import DEFAULT_PAGE_SIZE

#: Nova statuses in which a server is still moving; rows in them refresh fast.
TRANSITIONAL_SERVER_STATUSES = frozenset({
    "BUILD", "REBOOT", "HARD_REBOOT", "RESIZE", "REVERT_RESIZE", "MIGRATING", "REBUILD",
    "PASSWORD", "RESCUE_PENDING", "DELETING", "SHELVING", "UNSHELVING"})
TRANSITIONAL_IMAGE_STATUSES = frozenset({"queued", "saving", "importing", "uploading",
                                         "pending_delete"})


@dataclass(frozen=True)
class ResourceKind:
    key: str
    title: str
    service_type: str
    pages: Callable[[object], Iterable[list[dict]]]  # cloud -> iterator of pages
    #: True when a row is still changing (refresh fast while any row is)
    busy: Callable[[dict], bool] = lambda row: False
    read_only: bool = True

    def noun(self, count: int) -> str:
        """"1 server", "3 floating IPs": the title in running text, singular for one."""
        plural = self.title[0].lower() + self.title[1:]
        return plural[:-1] if count == 1 and plural.endswith("s") else plural


def _server_busy(row: dict) -> bool:
    return (row.get("status") in TRANSITIONAL_SERVER_STATUSES
            or bool(row.get("OS-EXT-STS:task_state")))


def _one_page(fetch):
    def pages(cloud):
        yield fetch(cloud)
    return pages


KINDS: list[ResourceKind] = [
    ResourceKind("servers", "Servers", "compute",
                 lambda c: c.compute.iter_server_pages(page_size=DEFAULT_PAGE_SIZE),
                 busy=_server_busy, read_only=False),
    ResourceKind("images", "Images", "image", lambda c: c.image.iter_image_pages(),
                 busy=lambda r: r.get("status") in TRANSITIONAL_IMAGE_STATUSES, read_only=False),
    ResourceKind("flavors", "Flavors", "compute", _one_page(lambda c: c.compute.list_flavors())),
    ResourceKind("keypairs", "Key pairs", "compute",
                 _one_page(lambda c: c.compute.list_keypairs()), read_only=False),
    ResourceKind("networks", "Networks", "network", lambda c: c.network.iter_pages("networks"),
                 read_only=False),
    ResourceKind("subnets", "Subnets", "network", lambda c: c.network.iter_pages("subnets")),
    ResourceKind("routers", "Routers", "network", lambda c: c.network.iter_pages("routers")),
    ResourceKind("projects", "Projects", "identity",
                 _one_page(lambda c: c.identity.my_projects())),
    ResourceKind("security_groups", "Security groups", "network",
                 lambda c: c.network.iter_pages("security-groups")),
    ResourceKind("floating_ips", "Floating IPs", "network",
                 lambda c: c.network.iter_pages("floatingips")),
]
KIND_BY_KEY = {k.key: k for k in KINDS}
