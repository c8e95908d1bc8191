"""Cinder (block storage, API v3) client: raw dicts exactly as the API returned them.

The catalog lists Cinder as ``block-storage`` (and, on most clouds, ``volumev3``);
keystoneauth finds either under ``block-storage``. Its endpoint carries the project
id (``/v3/<project_id>``), so every path here is relative to it.
"""

from __future__ import annotations

from typing import Iterator

from osdesk.api.collection import Collection
from osdesk.api.pagination import DEFAULT_PAGE_SIZE
from osdesk.api.service import ServiceClient, given

SERVICE = "block-storage"
VOLUMES = Collection(SERVICE, "/volumes/detail", "volumes", "volume", "volume")
SNAPSHOTS = Collection(SERVICE, "/snapshots/detail", "snapshots", "snapshot", "volume snapshot")


class BlockStorageClient(ServiceClient):
    """Volumes, snapshots, volume types, availability zones and quotas."""

    service_type = SERVICE

    def _pages(self, collection: Collection, filters: dict | None,
               page_size: int | None) -> Iterator[list[dict]]:
        return collection.pages(self.cloud, filters=filters, page_size=page_size)

    # ---------------------------------------------------------------- volumes
    def iter_volume_pages(self, *, filters: dict | None = None,
                          page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[list[dict]]:
        return self._pages(VOLUMES, filters, page_size)

    def list_volumes(self, *, filters: dict | None = None,
                     page_size: int | None = DEFAULT_PAGE_SIZE) -> list[dict]:
        return [v for page in self._pages(VOLUMES, filters, page_size) for v in page]

    def get_volume(self, volume_id: str) -> dict:
        return VOLUMES.get(self.cloud, volume_id)

    def create_volume(self, size: int, *, name: str = "", description: str = "",
                      volume_type: str | None = None, availability_zone: str | None = None,
                      image_id: str | None = None, snapshot_id: str | None = None,
                      source_volid: str | None = None) -> dict:
        """A blank volume of ``size`` GiB, or one from an image, snapshot or volume."""
        volume = dict(size=int(size), **given(
            name=name, description=description, volume_type=volume_type,
            availability_zone=availability_zone, imageRef=image_id, snapshot_id=snapshot_id,
            source_volid=source_volid))
        return self._json("POST", "/volumes", json={"volume": volume}, ok=(202,))["volume"]

    def extend_volume(self, volume_id: str, new_size: int) -> None:
        self.cloud.request(SERVICE, "POST", f"/volumes/{volume_id}/action",
                           json={"os-extend": {"new_size": int(new_size)}}, ok=(202,))

    def update_volume(self, volume_id: str, **fields) -> dict:
        """Rename or describe: ``update_volume(id, name="data", description="…")``."""
        return self._json("PUT", f"/volumes/{volume_id}", json={"volume": fields})["volume"]

    def delete_volume(self, volume_id: str) -> None:
        VOLUMES.delete(self.cloud, volume_id)

    # -------------------------------------------------------------- snapshots
    def list_snapshots(self, *, filters: dict | None = None,
                       page_size: int | None = DEFAULT_PAGE_SIZE) -> list[dict]:
        return [s for page in self._pages(SNAPSHOTS, filters, page_size) for s in page]

    def get_snapshot(self, snapshot_id: str) -> dict:
        return SNAPSHOTS.get(self.cloud, snapshot_id)

    def create_snapshot(self, volume_id: str, *, name: str = "", description: str = "",
                        force: bool = False) -> dict:
        """``force`` snapshots an in-use volume (its data is crash-consistent only)."""
        snapshot = dict(given(volume_id=volume_id, name=name, description=description),
                        force=bool(force))
        return self._json("POST", "/snapshots", json={"snapshot": snapshot},
                          ok=(202,))["snapshot"]

    def delete_snapshot(self, snapshot_id: str) -> None:
        SNAPSHOTS.delete(self.cloud, snapshot_id)

    # ------------------------------------------------------------------ other
    def list_volume_types(self) -> list[dict]:
        return self._json("GET", "/types")["volume_types"]

    def availability_zones(self) -> list[dict]:
        return self._json("GET", "/os-availability-zone")["availabilityZoneInfo"]

    def quotas(self, project_id: str) -> dict:
        """Each quota as ``{"limit", "in_use", "reserved"}`` (``usage=true``)."""
        return self._json("GET", f"/os-quota-sets/{project_id}",
                          params={"usage": "true"})["quota_set"]
