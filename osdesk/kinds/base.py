"""What a resource kind declares: one :class:`ResourceKind` per module of this package.

No Qt here. A kind says where its rows come from (a :class:`Collection`, or its own
``pages`` for services with their own paging), how they read (columns, row key,
detail sections), what a user can do with them (actions, with the reason when not)
and how the rest of the app refers to them (title, nouns, API spellings). The
window, the console's "copy as ``openstack``" and the lookups are built from these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from osdesk.api.collection import Collection
from osdesk.kinds.columns import Column
from osdesk.kinds.detail import Sections, generic_sections

Rows = list  # list[dict]: the selected rows, raw as the API gave them


@dataclass(frozen=True)
class KindAction:
    """Something a user can do to rows of a kind (a menu entry), declared Qt-free.

    ``gate(rows)`` returns why the action cannot run on these rows ("" when it can;
    the entry shows disabled with the reason), ``when(rows)`` whether it shows at all;
    ``run(cloud, row)`` is the per-row API call of a simple action, made on the
    cloud's worker; actions without ``run`` need a dialog, which the page's view
    provides under the same ``key``. ``page`` actions (Create…) act on no row.
    """

    key: str
    label: str
    gate: Callable[[Rows], str] = lambda rows: ""
    #: the entry shows only for rows where this holds (Reactivate for a deactivated image)
    when: Callable[[Rows], bool] = lambda rows: True
    run: Callable[[object, dict], object] | None = None
    #: "always" asks first, "several" when run on more than one row, "" never
    confirm: str = ""
    consequence: str = ""  #: what a confirmation says cannot be undone
    single: bool = False  #: one row at a time
    page: bool = False  #: a toolbar action of the page, not of rows
    icon: str | None = None
    separator_before: bool = False

    def why_not(self, rows: Rows, noun: str = "row") -> str:
        if self.single and len(rows) != 1:
            return f"one {noun} at a time"
        return self.gate(rows) if rows or self.page else ""


def delete_action(collection: Collection | None = None, *, run=None, consequence: str = "",
                  gate: Callable[[Rows], str] = lambda rows: "",
                  label: str = "Delete…") -> KindAction:
    """"Delete…" with a confirmation naming the rows: the one action most kinds share
    (floating IPs say "Release…")."""
    if run is None and collection is not None:
        def run(cloud, row, _c=collection):
            return _c.delete(cloud, row["id"])
    return KindAction("delete", label, gate=gate, run=run, confirm="always",
                      consequence=consequence, icon="delete", separator_before=True)


@dataclass(frozen=True)
class ResourceKind:
    key: str  #: stable id: page object names, saved column state, ``last_page``
    title: str  #: "Floating IPs"
    service_type: str
    columns: list[Column]
    collection: Collection | None = None
    #: cloud -> iterator of pages of raw dicts; default: the collection's paged list
    list_pages: Callable[[object], Iterable[list[dict]]] | None = None
    row_key: str = "id"  #: the field that identifies a row (Nova key pairs: "name")
    #: detail sections from the raw dict: ``details(raw, lookups, is_admin)``
    details: Callable[..., Sections] = generic_sections
    #: more sections that need calls, made on the worker: ``extra(cloud, raw)``
    extra: Callable[[object, dict], Sections] | None = None
    #: True when a row is still changing (the page refreshes fast while any row is)
    busy: Callable[[dict], bool] = lambda row: False
    actions: tuple = ()
    #: other tables show these rows' names in place of their ids (reload after a change)
    named_elsewhere: bool = False
    #: cloud -> pages with at least id and name, for those lookups; default: ``pages``
    names: Callable[[object], Iterable[list[dict]]] | None = None
    #: extra spellings that find this kind (API URL names); the collection's are added
    aliases: tuple[str, ...] = field(default=())
    #: the page's place in the sidebar (lower first), and the heading it stands under
    order: int = 100
    section: str = "Compute"

    @property
    def read_only(self) -> bool:
        return not self.actions

    def pages(self, cloud) -> Iterable[list[dict]]:
        if self.list_pages is not None:
            return self.list_pages(cloud)
        if self.collection is None:
            raise TypeError(f"kind {self.key!r} declares neither a collection nor list_pages")
        return self.collection.pages(cloud)

    def name_pages(self, cloud) -> Iterable[list[dict]]:
        """The rows other tables name these by (a lighter list where one exists)."""
        return self.names(cloud) if self.names is not None else self.pages(cloud)

    def noun(self, count: int) -> str:
        """"1 server", "3 floating IPs": the title in running text, singular for one."""
        plural = self.title[0].lower() + self.title[1:]
        return plural[:-1] if count == 1 and plural.endswith("s") else plural

    def spellings(self) -> set[str]:
        names = {self.key, *self.aliases}
        if self.collection is not None:
            names |= {self.collection.key, self.collection.head}
        return names

    def sections(self, raw: dict, lookups=None, *, is_admin: bool = False) -> Sections:
        return self.details(raw, lookups, is_admin)

    def extra_sections(self, cloud, raw: dict) -> Sections:
        return self.extra(cloud, raw) if self.extra is not None else []


def one_page(fetch: Callable[[object], list[dict]]):
    """``list_pages`` for a call that returns the whole list at once."""
    def pages(cloud):
        yield fetch(cloud)
    return pages
