"""Quota usage of the current project, from nova's limits, neutron's quota details and
cinder's quota set with usage. No Qt."""

from __future__ import annotations

from dataclasses import dataclass

from osdesk.api.errors import OsdeskError
from osdesk.rules.launch import quota_amount

#: (label, used key, limit key) in nova's absolute limits
COMPUTE = [("Instances", "totalInstancesUsed", "maxTotalInstances"),
           ("vCPUs", "totalCoresUsed", "maxTotalCores"),
           ("RAM", "totalRAMUsed", "maxTotalRAMSize"),
           ("Key pairs", None, "maxTotalKeypairs"),
           ("Server groups", "totalServerGroupsUsed", "maxServerGroups")]
#: (label, neutron quota key)
NETWORK = [("Networks", "network"), ("Subnets", "subnet"), ("Routers", "router"),
           ("Ports", "port"), ("Floating IPs", "floatingip"),
           ("Security groups", "security_group"), ("Security group rules", "security_group_rule")]

#: (label, cinder quota key)
BLOCK_STORAGE = [("Volumes", "volumes"), ("Volume storage", "gigabytes"),
                 ("Volume snapshots", "snapshots"), ("Backups", "backups")]


@dataclass
class Usage:
    service: str
    label: str
    used: int | None
    limit: int | None  # None or -1: unlimited

    @property
    def unlimited(self) -> bool:
        return self.limit is None or self.limit < 0

    @property
    def fraction(self) -> float:
        if self.unlimited or not self.limit or self.used is None:
            return 0.0
        return min(self.used / self.limit, 1.0)

    @property
    def text(self) -> str:
        used = "?" if self.used is None else quota_amount(self.label, self.used)
        return f"{used} of {'unlimited' if self.unlimited else quota_amount(self.label, self.limit)}"


def gather(cloud, project_id: str, keypair_count: int | None = None) -> tuple[list[Usage], list[str]]:
    """Usage rows and, per service that failed, a sentence why. Runs on the worker."""
    rows: list[Usage] = []
    problems: list[str] = []
    if cloud.has_service("compute"):
        try:
            limits = cloud.compute.limits()
            if keypair_count is None:
                keypair_count = len(cloud.compute.list_keypairs())
            for label, used_key, limit_key in COMPUTE:
                if limit_key not in limits:
                    continue
                used = limits.get(used_key) if used_key else keypair_count
                rows.append(Usage("compute", label, used, limits.get(limit_key)))
        except OsdeskError as exc:
            problems.append(f"Compute quota: {exc}")
    if cloud.has_service("network") and project_id:
        try:
            quota = cloud.network.quotas(project_id, details=True)
            for label, key in NETWORK:
                item = quota.get(key)
                if isinstance(item, dict):
                    rows.append(Usage("network", label, item.get("used"), item.get("limit")))
        except OsdeskError as exc:
            problems.append(f"Network quota: {exc}")
    if cloud.has_service("block-storage") and project_id:
        try:
            quota = cloud.block_storage.quotas(project_id)
            for label, key in BLOCK_STORAGE:
                item = quota.get(key)
                if isinstance(item, dict):
                    rows.append(Usage("block-storage", label, item.get("in_use"),
                                      item.get("limit")))
        except OsdeskError as exc:
            problems.append(f"Block storage quota: {exc}")
    return rows, problems
