"""Key pairs (Nova): identified by name; create (the private key saved once), import, delete."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.kinds.base import KindAction, ResourceKind, delete_action, one_page
from osdesk.kinds.columns import text_column, time_column
from osdesk.kinds.detail import text
from osdesk.rules.formats import fmt_time

COLUMNS = [
    text_column("name", "Name", width_hint=24),
    text_column("type", "Type", width_hint=6),
    text_column("fingerprint", "Fingerprint", width_hint=48),
    # Nova's list (GET /os-keypairs) has no created_at; only a key pair's own GET does,
    # so the column is empty unless a cloud adds it, and hidden until asked for
    time_column("created", "Created", "created_at", visible_by_default=False),
    text_column("user_id", "User", visible_by_default=False),
]


def details(raw, lookups, is_admin):
    rows = [("Name", raw.get("name"), True), ("Type", text(raw.get("type")), False),
            ("Fingerprint", text(raw.get("fingerprint")), True)]
    if raw.get("created_at"):  # Nova's list leaves it out; the extra call fetches the key pair
        rows.append(("Created", fmt_time(raw["created_at"]), False))
    rows.append(("Public key", text(raw.get("public_key")), True))
    return [("Key pair", rows)]


def full_keypair(cloud, raw):
    if "created_at" in raw:
        return []
    full = cloud.compute.get_keypair(raw["name"])
    return [("Details", [("Created", fmt_time(full.get("created_at")) or "—", False),
                         ("User", text(full.get("user_id")), True),
                         ("ID", text(full.get("id")), True)])]


ACTIONS = (
    KindAction("create", "Create key pair…", page=True, icon="add"),
    KindAction("import", "Import public key…", page=True, icon="import"),
    delete_action(run=lambda cloud, row: cloud.compute.delete_keypair(row["name"]),
                  consequence="Servers that use them keep their keys; new servers cannot."),
)

KIND = ResourceKind(
    "keypairs", "Key pairs", "compute", COLUMNS,
    collection=Collection("compute", "/os-keypairs", "keypairs", "keypair", "keypair"),
    list_pages=one_page(lambda cloud: cloud.compute.list_keypairs()),
    row_key="name", details=details, extra=full_keypair, actions=ACTIONS, order=40)
