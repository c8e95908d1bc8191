"""Flavors (Nova): read-only sizes; the detail pane fetches extra specs when the list has none."""

from __future__ import annotations

from osdesk.api.collection import Collection
from osdesk.api.errors import OsdeskError
from osdesk.kinds.base import ResourceKind, one_page
from osdesk.kinds.columns import (ALIGN_RIGHT, Column, bool_column, number_column, size_column,
                                  text_column)
from osdesk.kinds.detail import none_row, text
from osdesk.rules.formats import fmt_gb, fmt_mb


def _swap_mb(row, ctx):
    swap = row.get("swap")
    if swap == "":  # nova sends "" for no swap
        return 0
    return swap if isinstance(swap, (int, float)) and not isinstance(swap, bool) else None


COLUMNS = [
    text_column("name", "Name", width_hint=16),
    number_column("vcpus", "vCPUs"),
    size_column("ram", "RAM", unit="MiB"),
    size_column("disk", "Disk", unit="GiB"),
    size_column("ephemeral", "Ephemeral", "OS-FLV-EXT-DATA:ephemeral", unit="GiB"),
    Column("swap", "Swap", _swap_mb, fmt=fmt_mb, align=ALIGN_RIGHT, width_hint=9,
           descending_first=True),
    bool_column("is_public", "Public", "os-flavor-access:is_public"),
    bool_column("disabled", "Disabled", "OS-FLV-DISABLED:disabled", visible_by_default=False),
    text_column("id", "ID", width_hint=12),
]


def _specs(specs: dict) -> list:
    return [(k, text(v), True) for k, v in sorted(specs.items())]


def details(raw, lookups, is_admin):
    rows = [("ID", raw.get("id"), True), ("Name", raw.get("name"), True),
            ("vCPUs", text(raw.get("vcpus")), False), ("RAM", fmt_mb(raw.get("ram")), False),
            ("Disk", fmt_gb(raw.get("disk")), False),
            ("Ephemeral", fmt_gb(raw.get("OS-FLV-EXT-DATA:ephemeral") or 0), False),
            ("Swap", fmt_mb(raw.get("swap") or 0), False),
            ("Public", text(raw.get("os-flavor-access:is_public")), False),
            ("Description", text(raw.get("description")), False)]
    specs = _specs(raw.get("extra_specs") or {})
    return [("Flavor", rows), ("Extra specs", specs or none_row("none visible"))]


def extra_specs(cloud, raw):
    if "extra_specs" in raw:
        return []
    try:
        specs = cloud.compute.flavor_extra_specs(raw["id"])
    except OsdeskError:  # policy may hide them from members
        return [("Extra specs", none_row("not visible to this user"))]
    return [("Extra specs", _specs(specs) or none_row("none"))]


KIND = ResourceKind(
    "flavors", "Flavors", "compute", COLUMNS,
    collection=Collection("compute", "/flavors/detail", "flavors", "flavor", "flavor"),
    list_pages=one_page(lambda cloud: cloud.compute.list_flavors()),
    details=details, extra=extra_specs, named_elsewhere=True, order=30)
