"""Glance v2 (image) client, with streamed upload and download."""

from __future__ import annotations

import hashlib
import os
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from osdesk.api.errors import ApiError, Cancelled, OsdeskError
from osdesk.api.pagination import DEFAULT_PAGE_SIZE, iter_pages
from osdesk.api.service import ServiceClient

#: Transfer chunk size: big enough to be efficient, small enough for smooth progress.
CHUNK = 1024 * 1024
#: Progress callbacks are rate-limited to this interval (seconds).
PROGRESS_INTERVAL = 0.1
JSON_PATCH = "application/openstack-images-v2.1-json-patch"

Progress = Callable[[int, int], None]  # (bytes done, total bytes or 0 when unknown)


class _ProgressReader:
    """A file-like body: requests sends it with a Content-Length and reads it in
    blocks, so the file is never in memory whole; each block reports progress
    and checks for cancellation."""

    def __init__(self, fileobj, total: int, progress: Progress | None,
                 cancel: threading.Event | None):
        self._f = fileobj
        self._total = total
        self._done = 0
        self._progress = progress
        self._cancel = cancel
        self._last = 0.0
        self.md5 = hashlib.md5(usedforsecurity=False)

    def __len__(self) -> int:
        return self._total

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            # read() means "everything that is left"; one block would silently cut the
            # upload short for a caller that reads the body in one go
            parts = []
            while True:
                part = self.read(CHUNK)
                if not part:
                    return b"".join(parts)
                parts.append(part)
        if self._cancel is not None and self._cancel.is_set():
            raise Cancelled("Upload cancelled.")
        chunk = self._f.read(min(size, CHUNK))
        if chunk:
            self._done += len(chunk)
            self.md5.update(chunk)
            now = time.monotonic()
            if self._progress and (now - self._last >= PROGRESS_INTERVAL or self._done >= self._total):
                self._last = now
                self._progress(self._done, self._total)
        return chunk


class ImageClient(ServiceClient):
    """Images: list, get, create, upload, download, (de)activate, update, delete."""

    service_type = "image"

    def iter_image_pages(self, *, filters: dict | None = None,
                         page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[list[dict]]:
        return iter_pages(self.cloud, "image", "/images", "images", params=filters,
                          page_size=page_size)

    def list_images(self, *, filters: dict | None = None,
                    page_size: int | None = DEFAULT_PAGE_SIZE) -> list[dict]:
        out = []
        for page in self.iter_image_pages(filters=filters, page_size=page_size):
            out.extend(page)
        return out

    def get_image(self, image_id: str) -> dict:
        return self._json("GET", f"/images/{image_id}")

    def create_image(self, name: str, *, disk_format: str = "raw", container_format: str = "bare",
                     visibility: str | None = None, min_disk: int | None = None,
                     min_ram: int | None = None, protected: bool | None = None,
                     tags: list[str] | None = None, **properties) -> dict:
        body = {"name": name, "disk_format": disk_format, "container_format": container_format}
        if visibility:
            body["visibility"] = visibility
        if min_disk is not None:
            body["min_disk"] = int(min_disk)
        if min_ram is not None:
            body["min_ram"] = int(min_ram)
        if protected is not None:
            body["protected"] = bool(protected)
        if tags:
            body["tags"] = list(tags)
        body.update(properties)
        return self._json("POST", "/images", json=body, ok=(201,))

    def upload(self, image_id: str, path: str | os.PathLike, *, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> str:
        """PUT the file's bytes, streamed from disk. Returns the local MD5 hex digest."""
        path = Path(path)
        total = path.stat().st_size
        for attempt in (1, 2):
            with path.open("rb") as f:
                reader = _ProgressReader(f, total, progress, cancel)
                try:
                    self.cloud.request("image", "PUT", f"/images/{image_id}/file", data=reader,
                                       headers={"Content-Type": "application/octet-stream"},
                                       ok=(201, 204), allow_reauth=False)
                except OsdeskError as exc:
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("Upload cancelled.") from None
                    if attempt == 1 and getattr(exc, "status", None) == 401:
                        # The token was refused (expired or revoked while the file went
                        # out). keystoneauth's own retry would re-send the reader it has
                        # already used up; log in again and send the file from the start.
                        self.cloud.invalidate()
                        continue
                    raise
            break
        if progress:
            progress(total, total)
        return reader.md5.hexdigest()

    def create_and_upload(self, name: str, path: str | os.PathLike, *,
                          progress: Progress | None = None,
                          cancel: threading.Event | None = None, **create_args) -> dict:
        """Create an image and upload its file; on failure or cancel, delete the half-made image.

        If that deletion fails too, the error says which image was left behind.
        """
        image = self.create_image(name, **create_args)
        try:
            local = self.upload(image["id"], path, progress=progress, cancel=cancel)
            uploaded = self.get_image(image["id"])
            remote = uploaded.get("checksum")
            if remote and remote != local:  # Glance's checksum is the MD5 of what it stored
                raise OsdeskError(
                    f"The uploaded image's checksum ({remote}) differs from the file's "
                    f"({local}): the data changed on the way or while it was read. "
                    f"The image was deleted; upload it again.")
        except OsdeskError as exc:
            try:
                self.delete_image(image["id"])
            except OsdeskError as cleanup:
                exc.message += (f" The half-made image {image['id']} could not be deleted "
                                f"({cleanup}); delete it by hand.")
                exc.args = (exc.message,)
            raise
        return uploaded

    def download(self, image_id: str, path: str | os.PathLike, *,
                 progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> str:
        """Stream the image data to ``path`` (via a temp file). Returns the MD5 hex digest.

        Checks the digest against the ``Content-MD5`` header when the cloud sends one.
        """
        path = Path(path)
        tmp = path.with_name(f".{path.name}.part")
        resp = self.cloud.request("image", "GET", f"/images/{image_id}/file", stream=True,
                                  ok=(200, 204))
        total = int(resp.headers.get("Content-Length") or 0)
        md5 = hashlib.md5(usedforsecurity=False)
        done, last = 0, 0.0
        try:
            with tmp.open("wb") as out:
                for chunk in resp.iter_content(CHUNK):
                    if cancel is not None and cancel.is_set():
                        raise Cancelled("Download cancelled.")
                    out.write(chunk)
                    md5.update(chunk)
                    done += len(chunk)
                    now = time.monotonic()
                    if progress and now - last >= PROGRESS_INTERVAL:
                        last = now
                        progress(done, total)
            expected = resp.headers.get("Content-MD5")
            if expected and expected != md5.hexdigest():
                raise OsdeskError(f"The downloaded data does not match its checksum "
                                  f"(got {md5.hexdigest()}, the cloud says {expected}).")
            os.replace(tmp, path)
        except BaseException as exc:
            tmp.unlink(missing_ok=True)
            if isinstance(exc, OsdeskError) or not isinstance(exc, Exception):
                raise
            raise OsdeskError(f"Download of image {image_id} failed: {exc}") from None
        finally:
            resp.close()
        if progress:
            progress(done, total)
        return md5.hexdigest()

    def deactivate(self, image_id: str) -> None:
        self.cloud.request("image", "POST", f"/images/{image_id}/actions/deactivate", ok=(204,))

    def reactivate(self, image_id: str) -> None:
        self.cloud.request("image", "POST", f"/images/{image_id}/actions/reactivate", ok=(204,))

    def update(self, image_id: str, patch: list[dict]) -> dict:
        """Apply a JSON patch (``[{"op": "replace", "path": "/name", "value": ...}]``)."""
        return self._json("PATCH", f"/images/{image_id}", json=patch,
                          headers={"Content-Type": JSON_PATCH})

    def delete_image(self, image_id: str) -> None:
        try:
            self.cloud.request("image", "DELETE", f"/images/{image_id}", ok=(204,))
        except ApiError as exc:
            if exc.status == 403 and "protected" in (exc.detail or "").lower():
                exc.message = (f"Image {image_id} is protected and cannot be deleted; "
                               f"unprotect it first. (HTTP 403)"
                               + (f" (Request-ID: {exc.request_id})" if exc.request_id else ""))
                exc.args = (exc.message,)
            raise


def patch_ops(old: dict, new: dict) -> list[dict]:
    """The JSON patch that turns ``old`` properties into ``new`` (top-level keys)."""
    ops = []
    for key, value in new.items():
        if key not in old:
            ops.append({"op": "add", "path": f"/{key}", "value": value})
        elif old[key] != value:
            ops.append({"op": "replace", "path": f"/{key}", "value": value})
    for key in old:
        if key not in new:
            ops.append({"op": "remove", "path": f"/{key}"})
    return ops
