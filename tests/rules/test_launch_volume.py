"""Booting from a new volume: the block device mapping nova gets, the size check, the
flavor's disk no longer in the way, and the volume quota effect."""

from __future__ import annotations

import json

from osdesk.rules.launch import (LaunchRequest, block_device_mapping, boot_volume_problem,
                                 flavor_problem, problems, quota_effect)
from tests.samples import SAMPLES

NOVA = SAMPLES / "nova" / "doc" / "api_samples"
GLANCE = SAMPLES / "glance" / "api-ref" / "source" / "v2" / "samples"
IMAGE = dict(json.loads((GLANCE / "image-show-response.json").read_text()), status="active",
             min_disk=8, size=3 * 2 ** 30)
TINY = {"id": "1", "name": "m1.tiny", "vcpus": 1, "ram": 512, "disk": 1}
LIMITS = {"totalInstancesUsed": 1, "maxTotalInstances": 10, "totalCoresUsed": 1,
          "maxTotalCores": 20, "totalRAMUsed": 512, "maxTotalRAMSize": 51200,
          "totalVolumesUsed": 3, "maxTotalVolumes": 10, "totalGigabytesUsed": 990,
          "maxTotalVolumeGigabytes": 1000}


def test_the_mapping_is_nova_s_boot_from_a_new_volume():
    req = LaunchRequest(name="v", image=IMAGE, flavor=TINY, boot_volume_gib=20,
                        delete_volume_with_server=False)
    assert block_device_mapping(req) == [{
        "boot_index": 0, "uuid": IMAGE["id"], "source_type": "image",
        "destination_type": "volume", "volume_size": 20, "delete_on_termination": False}]
    assert block_device_mapping(LaunchRequest(image=IMAGE, flavor=TINY)) is None


def test_the_volume_not_the_flavor_must_hold_the_image():
    assert "needs at least 8 GiB" in flavor_problem(TINY, IMAGE)
    assert flavor_problem(TINY, IMAGE, on_volume=True) == ""
    assert boot_volume_problem(5, IMAGE) == ("A boot volume of 5 GiB is too small for image "
                                             f"{IMAGE['name']}; it needs at least 8 GiB.")
    assert boot_volume_problem(8, IMAGE) == ""


def test_a_boot_volume_counts_against_the_volume_quota():
    rows = quota_effect(LIMITS, TINY, 1, boot_volume_gib=20)
    assert ("Volumes", 3, 4, 10) in rows and ("Volume storage", 990, 1010, 1000) in rows
    assert [r[0] for r in quota_effect(LIMITS, TINY, 1)] == ["Instances", "vCPUs", "RAM"]
    req = LaunchRequest(name="v", image=IMAGE, flavor=TINY, networks="auto",
                        boot_volume_gib=20)
    assert ("Quota: volume storage would go from 990 GiB to 1010 GiB, over the limit of 1000 GiB."
            in problems(req, LIMITS, networks_optional=True))


def test_quota_amounts_carry_the_unit_the_flavors_table_uses():
    from osdesk.rules.launch import quota_amount
    from osdesk.rules.quotas import Usage
    assert quota_amount("RAM", 2048) == "2 GiB"
    assert quota_amount("RAM", 512) == "512 MiB"
    assert quota_amount("Volume storage", 1000) == "1000 GiB"
    assert quota_amount("Instances", 12000) == "12,000"
    assert Usage("compute", "RAM", 142336, 204800).text == "139 GiB of 200 GiB"
