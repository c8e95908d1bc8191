"""Nova's volume attachments in the demo cloud (``os-volume_attachments``); booting from
a new volume is in ``compute_boot.py``, the volumes themselves in ``block_storage.py``."""

from __future__ import annotations

from . import block_storage as cinder
from .compute_boot import need_block_storage
from .compute_views import nova_error
from .http import Response, empty

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
