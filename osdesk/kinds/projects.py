"""Projects (Keystone): the ones the user can open (``/auth/projects``)."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import ResourceKind, one_page
from osdesk.kinds.columns import Column, bool_column, text_column

COLUMNS = [
    text_column("name", "Name", width_hint=20),
    Column("domain", "Domain",
           lambda row, ctx: (ctx.domain_names.get(row.get("domain_id"))
                             or row.get("domain_id")) or None,
           uses_context=True, width_hint=14),
    bool_column("enabled", "Enabled"),
    text_column("description", "Description", width_hint=30),
    text_column("id", "ID", width_hint=32),
]

KIND = ResourceKind(
    "projects", "Projects", "identity", COLUMNS,
    collection=Collection("identity", "/auth/projects", "projects", "project"),
    list_pages=one_page(lambda cloud: cloud.identity.my_projects()), order=110,
    section="Project")
