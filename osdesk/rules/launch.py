"""Launch-instance rules: what makes a launch request valid, and its quota effect. No Qt."""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass, field

from osdesk.rules.formats import fmt_gb, fmt_mb

#: Nova's limit for user_data (base64-encoded, 65535 bytes in the database column).
MAX_USER_DATA_BYTES = 65535
#: Server names: nova accepts most printable text up to 255 characters; leading or
#: trailing spaces are refused.
MAX_NAME = 255
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass
class LaunchRequest:
    name: str = ""
    count: int = 1
    image: dict | None = None
    flavor: dict | None = None
    networks: list | str = field(default_factory=list)   # ids, or "auto" / "none"
    key_name: str | None = None
    security_groups: list[str] = field(default_factory=list)
    availability_zone: str | None = None
    user_data: str = ""
    metadata: dict = field(default_factory=dict)
    #: boot from a new volume of this many GiB made from the image (None: the flavor's disk)
    boot_volume_gib: int | None = None
    #: the boot volume goes when the server is deleted
    delete_volume_with_server: bool = True


def image_min_gib(image: dict | None) -> int:
    """The disk an image needs: its min_disk, or its size rounded up to whole GiB."""
    if not image:
        return 0
    return max(_int(image.get("min_disk")), (_int(image.get("size")) + 2**30 - 1) // 2**30)


def block_device_mapping(req: LaunchRequest) -> list[dict] | None:
    """Nova's ``block_device_mapping_v2`` for booting from a new volume, or None."""
    if not req.boot_volume_gib or not req.image:
        return None
    return [{"boot_index": 0, "uuid": req.image["id"], "source_type": "image",
             "destination_type": "volume", "volume_size": int(req.boot_volume_gib),
             "delete_on_termination": bool(req.delete_volume_with_server)}]


def boot_volume_problem(size: int | None, image: dict | None) -> str:
    if not size or image is None:
        return ""
    need = image_min_gib(image)
    if size < need:
        return (f"A boot volume of {size} GiB is too small for image {image.get('name')}; "
                f"it needs at least {need} GiB.")
    return ""


def _int(value) -> int:
    """A number from a cloud's answer, tolerating strings and junk ("10GB" → 10, None → 0)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return int(value)
    digits = re.match(r"\s*(\d+)", str(value or ""))
    return int(digits.group(1)) if digits else 0


def image_problem(image: dict | None) -> str:
    if image is None:
        return "Pick an image."
    status = image.get("status")
    if status != "active":
        return (f"Image {image.get('name') or image.get('id')} is {status}: only active "
                f"images can boot a server.")
    return ""


def flavor_problem(flavor: dict | None, image: dict | None, *, on_volume: bool = False) -> str:
    """Why ``flavor`` cannot boot ``image`` (too little disk or RAM), or "". Booting
    ``on_volume``, the flavor's disk does not matter."""
    if flavor is None:
        return "Pick a flavor."
    if image is None:
        return ""
    min_disk = _int(image.get("min_disk"))
    min_ram = _int(image.get("min_ram"))
    size_gb = (_int(image.get("size")) + 2**30 - 1) // 2**30
    disk = _int(flavor.get("disk"))
    ram = _int(flavor.get("ram"))
    if disk and not on_volume and disk < max(min_disk, size_gb):
        need = max(min_disk, size_gb)
        return (f"Flavor {flavor.get('name')} has a {disk} GiB disk; image "
                f"{image.get('name')} needs at least {need} GiB.")
    if ram < min_ram:
        return (f"Flavor {flavor.get('name')} has {ram} MiB of RAM; image "
                f"{image.get('name')} needs at least {min_ram} MiB.")
    return ""


def name_problem(name: str) -> str:
    if not name.strip():
        return "The server needs a name."
    if name != name.strip():
        return "The name must not start or end with spaces."
    if len(name) > MAX_NAME:
        return f"The name is {len(name)} characters long; at most {MAX_NAME} are allowed."
    if _CONTROL.search(name):
        return "The name must not contain control characters."
    return ""


def user_data_problem(text: str) -> str:
    size = len(base64.b64encode(text.encode("utf-8")))
    if size > MAX_USER_DATA_BYTES:
        return (f"User data is {size} bytes once base64-encoded; nova accepts at most "
                f"{MAX_USER_DATA_BYTES}.")
    return ""


def quota_effect(limits: dict | None, flavor: dict | None, count: int,
                 boot_volume_gib: int | None = None) -> list[tuple]:
    """[(label, used, after, max)] for instances, cores and RAM (max -1 = unlimited), and
    volumes and their GiB when booting from a new volume (Cinder's absolute-limit keys)."""
    if not limits:
        return []
    vcpus = _int((flavor or {}).get("vcpus"))
    ram = _int((flavor or {}).get("ram"))
    rows = [("Instances", "totalInstancesUsed", "maxTotalInstances", 1),
            ("vCPUs", "totalCoresUsed", "maxTotalCores", vcpus),
            ("RAM", "totalRAMUsed", "maxTotalRAMSize", ram)]
    if boot_volume_gib and "maxTotalVolumes" in limits:
        rows += [("Volumes", "totalVolumesUsed", "maxTotalVolumes", 1),
                 ("Volume storage", "totalGigabytesUsed", "maxTotalVolumeGigabytes",
                  int(boot_volume_gib))]
    out = []
    for label, used_key, max_key, per in rows:
        used = _int(limits.get(used_key))
        limit = _int(limits.get(max_key)) if limits.get(max_key) is not None else -1
        if isinstance(limits.get(max_key), (int, float)) and limits[max_key] < 0:
            limit = -1
        out.append((label, used, used + per * count, limit))
    return out


def quota_amount(label: str, value: int) -> str:
    """A quota row's number as people read it: RAM and volume storage with their unit
    ("2 GiB", as the flavors table shows them), counts as counts."""
    unit = QUOTA_UNITS.get(label)
    return unit(value) if unit is not None else f"{value:,}"


#: quota rows counted in a unit (nova's RAM in MiB, cinder's storage in GiB)
QUOTA_UNITS = {"RAM": fmt_mb, "Volume storage": fmt_gb}


def _in_sentence(label: str) -> str:
    """"Instances" -> "instances", but "RAM" and "vCPUs" stay as they are."""
    return label if label[1:2].isupper() or label[:1].islower() else label[0].lower() + label[1:]


def quota_problem(limits: dict | None, flavor: dict | None, count: int,
                  boot_volume_gib: int | None = None) -> str:
    for label, used, after, limit in quota_effect(limits, flavor, count, boot_volume_gib):
        if limit >= 0 and after > limit:
            return (f"Quota: {_in_sentence(label)} would go from {quota_amount(label, used)} "
                    f"to {quota_amount(label, after)}, over the limit of "
                    f"{quota_amount(label, limit)}.")
    return ""


def problems(req: LaunchRequest, limits: dict | None, *, networks_optional: bool) -> list[str]:
    """Every reason the launch would be refused, as sentences; empty when it may go."""
    out = [p for p in (name_problem(req.name), image_problem(req.image),
                       flavor_problem(req.flavor, req.image,
                                      on_volume=bool(req.boot_volume_gib)),
                       boot_volume_problem(req.boot_volume_gib, req.image),
                       user_data_problem(req.user_data) if req.user_data else "",
                       quota_problem(limits, req.flavor, req.count, req.boot_volume_gib))
           if p]
    if req.count < 1:
        out.append("Launch at least one server.")
    if not req.networks:
        out.append("Pick at least one network, or choose auto or none."
                   if networks_optional else "Pick at least one network.")
    for key in req.metadata:
        if not key or len(key) > 255:
            out.append("Metadata keys must be 1 to 255 characters long.")
            break
    return out
