"""Cinder v3 through ``cloud.block_storage`` on the upstream samples: the endpoint is found
by discovery from the catalog's volume entries, bodies come back exactly as Cinder sent
them, and request bodies use Cinder's own field names and values."""

from __future__ import annotations

import pytest
from responses import matchers

from api_fakes import CINDER, body_of, query_of, sample
from osdesk.api.errors import BadRequest, Conflict, NotFound

VOLUME_ID = sample(f"{CINDER}/volumes/volume-show-response.json")["volume"]["id"]
SNAPSHOT_ID = sample(f"{CINDER}/snapshots/snapshot-show-response.json")["snapshot"]["id"]


def test_the_endpoint_is_found_by_discovery_with_the_project_id(fake):
    # the sample catalog lists Cinder only as volumev2 (/v2/<project>) and volume (/v1/…)
    fake.add("GET", f"{fake.volume}/types",
             sample(f"{CINDER}/volume_type/volume-types-list-response.json"))
    cloud = fake.cloud()

    types = cloud.block_storage.list_volume_types()

    assert cloud.endpoint("block-storage") == fake.volume
    assert fake.volume.endswith("/v3/" + cloud.token_info()["project_id"])
    # Cinder's versions document (the real sample) was read at its root
    assert fake.volume_root + "/" in [c.request.url for c in fake.calls("GET")]
    assert [t["name"] for t in types] == ["vol-type-002", "vol-type-001", "__DEFAULT__"]


# ----------------------------------------------------------------- volumes
def test_list_volumes_reads_the_detailed_list_unchanged(fake):
    body = sample(f"{CINDER}/volumes/volumes-list-detailed-response.json")
    fake.add("GET", f"{fake.volume}/volumes/detail", body)

    volumes = fake.cloud().block_storage.list_volumes(filters={"status": "available"},
                                                      page_size=50)

    assert volumes == sample(f"{CINDER}/volumes/volumes-list-detailed-response.json")["volumes"]
    assert query_of(fake.last("GET", f"{fake.volume}/volumes/detail")) == \
        {"status": "available", "limit": "50"}


def test_volume_pages_follow_the_next_link_marker(devstack):
    first = sample(f"{CINDER}/volumes/volumes-list-detailed-response.json")
    (volume,) = first["volumes"]
    first["volumes_links"] = [{"rel": "next",
                               "href": f"{devstack.volume}/volumes/detail?limit=1&marker="
                                       f"{volume['id']}"}]
    second = {"volumes": [sample(f"{CINDER}/volumes/volume-show-response.json")["volume"]]}
    url = f"{devstack.volume}/volumes/detail"
    devstack.rsps.add("GET", url, json=second,
                      match=[matchers.query_param_matcher({"marker": volume["id"], "limit": "1"})])
    devstack.rsps.add("GET", url, json=first, match=[matchers.query_param_matcher({"limit": "1"})])

    pages = list(devstack.cloud().block_storage.iter_volume_pages(page_size=1))

    assert [[v["id"] for v in page] for page in pages] == [[volume["id"]], [VOLUME_ID]]


def test_get_volume_returns_the_sample_volume(fake):
    fake.add("GET", f"{fake.volume}/volumes/{VOLUME_ID}",
             sample(f"{CINDER}/volumes/volume-show-response.json"))

    volume = fake.cloud().block_storage.get_volume(VOLUME_ID)

    assert volume == sample(f"{CINDER}/volumes/volume-show-response.json")["volume"]


def test_a_blank_volume_sends_only_what_the_request_sample_sets(fake):
    req = sample(f"{CINDER}/volumes/volume-create-request.json")
    fake.add("POST", f"{fake.volume}/volumes",
             sample(f"{CINDER}/volumes/volume-create-response.json"), status=202)

    volume = fake.cloud().block_storage.create_volume(req["volume"]["size"])

    # the sample's nulls, empty metadata and multiattach=false are Cinder's defaults
    assert body_of(fake.last("POST", f"{fake.volume}/volumes")) == \
        {"volume": {k: v for k, v in req["volume"].items() if v}} == {"volume": {"size": 10}}
    assert volume == sample(f"{CINDER}/volumes/volume-create-response.json")["volume"]


def test_volume_sources_use_the_field_names_of_the_request_sample(devstack):
    req = sample(f"{CINDER}/volumes/volume-create-request.json")["volume"]
    devstack.add("POST", f"{devstack.volume}/volumes",
                 sample(f"{CINDER}/volumes/volume-create-response.json"), status=202)

    devstack.cloud().block_storage.create_volume(
        "20", name="data", description="logs", volume_type="vol-type-001",
        availability_zone="nova", image_id="img-1", snapshot_id="snap-1", source_volid="vol-1")

    sent = body_of(devstack.last("POST", f"{devstack.volume}/volumes"))["volume"]
    assert sent == {"size": 20, "name": "data", "description": "logs",
                    "volume_type": "vol-type-001", "availability_zone": "nova",
                    "imageRef": "img-1", "snapshot_id": "snap-1", "source_volid": "vol-1"}
    assert set(sent) <= set(req)  # no name Cinder does not know


def test_extend_posts_the_extend_request_sample(fake):
    url = f"{fake.volume}/volumes/{VOLUME_ID}/action"
    fake.add("POST", url, status=202)
    req = sample(f"{CINDER}/volume-extend-request.json")

    assert fake.cloud().block_storage.extend_volume(VOLUME_ID, req["os-extend"]["new_size"]) \
        is None

    assert body_of(fake.last("POST", url)) == sample(f"{CINDER}/volume-extend-request.json")


def test_update_sends_the_update_request_sample_and_returns_the_answer(fake):
    req = sample(f"{CINDER}/volumes/volume-update-request.json")
    answer = sample(f"{CINDER}/volumes/volume-update-response.json")
    url = f"{fake.volume}/volumes/{answer['volume']['id']}"
    fake.add("PUT", url, answer)

    volume = fake.cloud().block_storage.update_volume(answer["volume"]["id"], **req["volume"])

    assert body_of(fake.last("PUT", url)) == sample(f"{CINDER}/volumes/volume-update-request.json")
    assert volume == sample(f"{CINDER}/volumes/volume-update-response.json")["volume"]


def test_delete_volume_sends_delete_and_reports_cinders_refusal(devstack):
    url = f"{devstack.volume}/volumes/{VOLUME_ID}"
    devstack.add("DELETE", url, status=202)
    cloud = devstack.cloud()

    cloud.block_storage.delete_volume(VOLUME_ID)
    assert len(devstack.calls("DELETE", url)) == 1

    devstack.rsps.replace("DELETE", url, status=400, json={"badRequest": {
        "code": 400, "message": "Invalid volume: Volume status must be available or error or "
                                "error_restoring or error_extending or error_managing and "
                                "must not be migrating, attached, belong to a group, have "
                                "snapshots, awaiting a transfer, or be disassociated from "
                                "snapshots after volume transfer."}})
    with pytest.raises(BadRequest) as err:
        cloud.block_storage.delete_volume(VOLUME_ID)
    assert "Invalid volume: Volume status must be available" in str(err.value)
    assert "(HTTP 400)" in str(err.value)


def test_a_missing_volume_is_not_found_with_cinders_message(devstack):
    message = f"Volume {VOLUME_ID} could not be found."
    devstack.add("GET", f"{devstack.volume}/volumes/{VOLUME_ID}", status=404,
                 json={"itemNotFound": {"code": 404, "message": message}})

    with pytest.raises(NotFound) as err:
        devstack.cloud().block_storage.get_volume(VOLUME_ID)

    assert str(err.value) == f"{message} (HTTP 404)"


# --------------------------------------------------------------- snapshots
def test_list_snapshots_reads_the_detailed_list_unchanged(fake):
    fake.add("GET", f"{fake.volume}/snapshots/detail",
             sample(f"{CINDER}/snapshots/snapshots-list-detailed-response.json"))

    snapshots = fake.cloud().block_storage.list_snapshots()

    assert snapshots == \
        sample(f"{CINDER}/snapshots/snapshots-list-detailed-response.json")["snapshots"]
    assert query_of(fake.last("GET", f"{fake.volume}/snapshots/detail")) == {"limit": "500"}


def test_get_snapshot_returns_the_sample_snapshot(fake):
    fake.add("GET", f"{fake.volume}/snapshots/{SNAPSHOT_ID}",
             sample(f"{CINDER}/snapshots/snapshot-show-response.json"))

    assert fake.cloud().block_storage.get_snapshot(SNAPSHOT_ID) == \
        sample(f"{CINDER}/snapshots/snapshot-show-response.json")["snapshot"]


def test_create_snapshot_sends_the_request_sample_without_metadata(fake):
    req = sample(f"{CINDER}/snapshots/snapshot-create-request.json")["snapshot"]
    fake.add("POST", f"{fake.volume}/snapshots",
             sample(f"{CINDER}/snapshots/snapshot-create-response.json"), status=202)

    snapshot = fake.cloud().block_storage.create_snapshot(
        req["volume_id"], name=req["name"], description=req["description"], force=req["force"])

    sent = body_of(fake.last("POST", f"{fake.volume}/snapshots"))
    req.pop("metadata")  # osdesk sets no snapshot metadata
    assert sent == {"snapshot": req}
    assert snapshot == sample(f"{CINDER}/snapshots/snapshot-create-response.json")["snapshot"]


def test_a_plain_snapshot_is_not_forced_and_has_no_empty_names(devstack):
    devstack.add("POST", f"{devstack.volume}/snapshots",
                 sample(f"{CINDER}/snapshots/snapshot-create-response.json"), status=202)

    devstack.cloud().block_storage.create_snapshot(VOLUME_ID)

    assert body_of(devstack.last("POST", f"{devstack.volume}/snapshots")) == \
        {"snapshot": {"volume_id": VOLUME_ID, "force": False}}


def test_delete_snapshot_of_a_busy_snapshot_is_a_conflict(devstack):
    url = f"{devstack.volume}/snapshots/{SNAPSHOT_ID}"
    devstack.add("DELETE", url, status=409, json={"conflictingRequest": {
        "code": 409, "message": "Snapshot is in use by a volume."}})

    with pytest.raises(Conflict, match="Snapshot is in use by a volume"):
        devstack.cloud().block_storage.delete_snapshot(SNAPSHOT_ID)
    assert len(devstack.calls("DELETE", url)) == 1


# -------------------------------------------------------- types, zones, quotas
def test_availability_zones_are_cinders_zone_list(fake):
    fake.add("GET", f"{fake.volume}/os-availability-zone",
             sample(f"{CINDER}/availability-zone-list-response.json"))

    zones = fake.cloud().block_storage.availability_zones()

    assert zones == [{"zoneState": {"available": True}, "zoneName": "nova"}]


def test_quotas_ask_for_usage_and_return_the_quota_set(fake):
    project = "a6944d763bf64ee6a275f1263fae0352"
    url = f"{fake.volume}/os-quota-sets/{project}"
    fake.add("GET", url, sample(f"{CINDER}/quota_sets/quotas-show-usage-response.json"))

    quotas = fake.cloud().block_storage.quotas(project)

    assert query_of(fake.last("GET", url)) == {"usage": "true"}
    assert quotas == sample(f"{CINDER}/quota_sets/quotas-show-usage-response.json")["quota_set"]
    assert quotas["volumes"] == {"in_use": 0, "limit": 10, "reserved": 0}
