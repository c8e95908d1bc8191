"""Nova's side of block storage in the demo cloud: volume attachments
(``os-volume_attachments``), booting from a new volume (``block_device_mapping_v2``) and
what happens to a deleted server's volumes.  The volumes themselves are in
``block_storage.py``."""

from __future__ import annotations

from . import block_storage as cinder
from .compute_views import nova_error
from .http import Response, empty
from .util import HttpError


def need_block_storage(state) -> None:
    if "block-storage" not in state.services:
        raise nova_error(400, "Block Device Mapping is Invalid: failed to get volume: this "
                              "demo cloud has no block storage service.")


def boot_volume(state, req, bdm: list, flavor: dict):
    """The root volume a server boots from: ``(image id, size, delete_on_termination)``
    checked as nova and cinder would, or None when the server boots from its image."""
    root = next((b for b in bdm if isinstance(b, dict) and str(b.get("boot_index")) == "0"
                 and b.get("destination_type") == "volume"), None)
    if root is None:
        return None
    need_block_storage(state)
    if root.get("source_type") != "image" or not root.get("uuid"):
        raise nova_error(400, "Block Device Mapping is Invalid: this demo cloud boots new "
                              "volumes from an image only.")
    try:
        size = int(root.get("volume_size") or 0)
    except (TypeError, ValueError):
        size = 0
    if size < 1:
        raise nova_error(400, "Block Device Mapping is Invalid: Boot sequence for the instance "
                              "and image/block device mapping combination is not valid.")
    img = state.images.get(root["uuid"])
    if img is None or img["status"] != "active":
        raise nova_error(400, "Image %s could not be found." % root["uuid"])
    if flavor["ram"] < (img["min_ram"] or 0):
        raise nova_error(400, "Flavor's memory is too small for requested image.")
    need = max(int(img.get("min_disk") or 0), -(-int(img.get("size") or 0) // 2 ** 30))
    if size < need:
        raise nova_error(400, "Volume is smaller than the minimum size specified in image "
                              "metadata. Volume size is %d bytes, minimum size is %d bytes."
                         % (size * 2 ** 30, need * 2 ** 30))
    try:
        cinder.check_quota(state, req.ctx["project_id"], volumes_more=1, gigabytes_more=size)
    except HttpError as exc:  # cinder's 413, as nova relays it
        raise nova_error(403, exc.body["overLimit"]["message"])
    return root["uuid"], size, bool(root.get("delete_on_termination"))


def make_boot_volume(state, srv, boot) -> None:
    image_id, size, delete = boot
    img = state.images[image_id]
    vol = cinder.new_volume(state, srv.project_id, srv.user_id, size,
                            image={"image_id": image_id, "image_name": img.get("name") or ""},
                            status="available")
    vol["boot"], vol["delete_on_termination"] = True, delete
    cinder.attach(state, vol, srv.id, "/dev/vda", at_once=True)


def release_volumes(state, srv) -> None:
    """A deleted server's volumes: the ones to delete with it go, the rest are free again."""
    for vol in cinder.attached_to(state, srv.id):
        if vol.get("delete_on_termination"):
            cinder.volumes(state).pop(vol["id"], None)
        else:
            cinder.detach(state, vol, srv.id, at_once=True)


#: vm_states in which nova attaches or detaches a volume (check_instance_state)
_ATTACHABLE = ("active", "paused", "stopped", "resized", "soft-delete", "shelved",
               "shelved_offloaded")


def _attachment_view(vol: dict, server_id: str) -> dict:
    att = next(a for a in vol["attachments"] if a["server_id"] == server_id)
    return {"id": vol["id"], "volumeId": vol["id"], "serverId": server_id,
            "device": att["device"], "tag": None,
            "delete_on_termination": bool(vol.get("delete_on_termination"))}


def _next_device(state, server_id: str) -> str:
    taken = {a["device"] for v in cinder.attached_to(state, server_id)
             for a in v["attachments"] if a["server_id"] == server_id}
    return next("/dev/vd%s" % c for c in "bcdefghijklmnopqrstuvwxyz" if "/dev/vd%s" % c
                not in taken)


def list_attachments(state, req, srv):
    return Response(200, {"volumeAttachments": [
        _attachment_view(v, srv.id) for v in cinder.attached_to(state, srv.id)]})


def attach_volume(state, req, srv):
    need_block_storage(state)
    body = req.json(None)
    att = body.get("volumeAttachment") if isinstance(body, dict) else None
    if not isinstance(att, dict) or not att.get("volumeId"):
        raise nova_error(400, "Invalid input for field/attribute volumeAttachment. Value: %r. "
                              "'volumeId' is a required property" % (att,))
    if srv.vm_state not in _ATTACHABLE or srv.task_state:
        raise nova_error(409, "Cannot 'attach_volume' instance %s while it is in vm_state %s"
                         % (srv.id, srv.vm_state))
    vol = cinder.volumes(state).get(att["volumeId"])
    if vol is None or vol["project_id"] != srv.project_id:
        raise nova_error(404, "Volume %s could not be found." % att["volumeId"])
    if vol["status"] != "available":
        raise nova_error(400, "Invalid input received: Invalid volume: Volume %s status must "
                              "be available or downloading to reserve, but the current status "
                              "is %s." % (vol["id"], vol["status"]))
    cinder.attach(state, vol, srv.id, att.get("device") or _next_device(state, srv.id))
    srv.touch()
    return Response(200, {"volumeAttachment": _attachment_view(vol, srv.id)})


def detach_volume(state, req, srv, vid):
    vol = next((v for v in cinder.attached_to(state, srv.id) if v["id"] == vid), None)
    if vol is None:
        raise nova_error(404, "Volume %s is not attached to server %s." % (vid, srv.id))
    if vol.get("boot"):
        raise nova_error(400, "Cannot detach a root device volume")
    cinder.detach(state, vol, srv.id)
    srv.touch()
    return empty(202)
