"""A REST collection as OpenStack services spell it: where it lives and how its JSON reads.

openstacksdk's ``Resource`` classes declare ``base_path``, ``resources_key`` and
``resource_key``; :class:`Collection` is the same three facts plus the noun the
``openstack`` command uses for it, so one declaration serves the list call, the
show/delete calls and the "copy as ``openstack``" text of the API console.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from osdesk.api.pagination import DEFAULT_PAGE_SIZE, iter_pages


@dataclass(frozen=True)
class Collection:
    service_type: str  #: catalog type: "compute", "network", "volumev3" …
    path: str  #: below the service's endpoint: "/floatingips", "/servers/detail"
    key: str  #: the list body's key: "floatingips"
    item: str  #: a single item's key: "floatingip"; "" when the body is the item (Glance)
    cli_noun: str = ""  #: ``openstack <noun> list``: "floating ip"; "" when there is none
    #: the options of ``openstack <noun> create`` read from a POST's item ("" for none)
    cli_create: Callable[[dict], str] | None = None

    @property
    def head(self) -> str:
        """The first path segment, as the call log splits URLs: "floatingips"."""
        return self.path.strip("/").split("/")[0]

    def item_path(self, item_id: str) -> str:
        return f"/{self.head}/{item_id}"

    def pages(self, cloud, *, filters: dict | None = None,
              page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[list[dict]]:
        """The list, page by page, following markers or ``next`` links."""
        return iter_pages(cloud, self.service_type, self.path, self.key, params=filters,
                          page_size=page_size)

    def get(self, cloud, item_id: str) -> dict:
        body = cloud.json(self.service_type, "GET", self.item_path(item_id))
        return body[self.item] if self.item else body

    def delete(self, cloud, item_id: str) -> None:
        cloud.request(self.service_type, "DELETE", self.item_path(item_id), ok=(202, 204))
