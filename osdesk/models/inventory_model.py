"""The inventory's tables: a kind's own columns behind Cloud, Project and Region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from osdesk.kinds.columns import Column, text_column
from osdesk.kinds.registry import KIND_BY_KEY
from osdesk.models.resource_model import ResourceTableModel


#: the fields each inventory row carries besides the cloud's own
CLOUD_FIELD, CLOUD_ID_FIELD = "osdesk:cloud", "osdesk:cloud_id"
PROJECT_FIELD, PROJECT_ID_FIELD, REGION_FIELD = "osdesk:project", "osdesk:project_id", "osdesk:region"


def row_key(row: dict) -> tuple:
    """(cloud, project, id): the same server id in two clouds is two rows."""
    return (row.get(CLOUD_ID_FIELD), row.get(PROJECT_ID_FIELD), row.get("id") or row.get("name"))


def own_fields(row: dict) -> dict:
    """The row as its cloud sent it (the inventory's own fields taken out)."""
    return {k: v for k, v in row.items() if not k.startswith("osdesk:")}


def _own_cloud_names(column: Column, contexts: Mapping) -> Column:
    """``column`` reading ids through the lookups of the row's own cloud (``contexts``:
    cloud id → LookupContext, filled as each cloud's images and networks are listed,
    before its servers), so a table of many clouds names each row's image and network,
    and no lookup change ever recomputes every row on the GUI thread."""
    get = column.get
    return replace(column, uses_context=False,
                   get=lambda row, ctx: get(row, contexts.get(row.get(CLOUD_ID_FIELD), ctx)),
                   tip=None if column.tip is None else (
                       lambda row, ctx, tip=column.tip:
                       tip(row, contexts.get(row.get(CLOUD_ID_FIELD), ctx))))


def inventory_columns(kind_key: str, contexts: Mapping | None = None) -> tuple[Column, ...]:
    """Cloud, Project and Region first, then the kind's own columns but its Project
    (the inventory's says which project the row was listed in)."""
    where = (text_column("cloud", "Cloud", CLOUD_FIELD, width_hint=16),
             text_column("inventory_project", "Project", PROJECT_FIELD, width_hint=14),
             text_column("region", "Region", REGION_FIELD, width_hint=10))
    contexts = {} if contexts is None else contexts
    own = tuple(_own_cloud_names(c, contexts) if c.uses_context else c
                for c in KIND_BY_KEY[kind_key].columns if c.key != "project")
    return where + own


def inventory_model(kind_key: str, contexts: Mapping | None = None,
                    parent=None) -> ResourceTableModel:
    """One kind's rows of every cloud, keyed by (cloud, project, id)."""
    return ResourceTableModel(inventory_columns(kind_key, contexts), key=row_key, parent=parent)
