"""Which server actions Nova allows in which state, and why not otherwise.

The rules follow nova's ``check_instance_state`` / ``check_instance_lock``
decorators (nova/compute/api.py), expressed on the API's ``status`` values so the
menu can say "needs SHUTOFF, server is ACTIVE". No Qt here.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ServerAction:
    key: str            # stable id, also the ComputeClient method name
    label: str          # menu text
    statuses: frozenset | None  # allowed statuses; None = any
    mutating: bool = True       # refused while locked (unless admin) or while a task runs
    needs_input: bool = False   # asks for something first (flavor, image, name…)
    #: destructive: "always" asks first, "several" asks when run on more than one server
    confirm: str = ""
    #: what a confirmation says cannot be undone
    consequence: str = ""
    #: the status the server goes to (for following the row); None = unchanged
    target: str | None = None
    #: an extra condition on the server dict: (predicate, reason when false)
    condition: tuple | None = None
    #: works on one server at a time (asks for something specific to it, or shows it)
    single: bool = False
    #: where the menu shows it: "" at the top, "power" in the Power submenu, "power:pause"
    #: there after a separator; a separator stands between groups
    group: str = ""
    #: runs through its own dialogs (a floating IP, a volume, a terminal), not one Nova call
    flow: bool = False


def _s(*names):
    return frozenset(names)


def _locked(server):
    return bool(server.get("locked"))


#: nova's attach_volume/detach_volume check_instance_state (no SUSPENDED)
_VOLUME_STATES = _s("ACTIVE", "PAUSED", "SHUTOFF", "VERIFY_RESIZE", "SHELVED",
                    "SHELVED_OFFLOADED")


def _has_floating(server) -> bool:
    return any(entry.get("OS-EXT-IPS:type") == "floating"
               for entries in (server.get("addresses") or {}).values()
               if isinstance(entries, list) for entry in entries if isinstance(entry, dict))


def _has_volumes(server) -> bool:
    return bool(server.get("os-extended-volumes:volumes_attached"))


ACTIONS: list[ServerAction] = [
    ServerAction("connect_ssh", "Connect (SSH)", _s("ACTIVE", "RESCUE"), mutating=False,
                 single=True, flow=True),
    ServerAction("start", "Start", _s("SHUTOFF"), target="ACTIVE",
                 group="power"),
    ServerAction("stop", "Stop", _s("ACTIVE", "RESCUE", "ERROR"), target="SHUTOFF",
                 confirm="several", consequence="Their workloads stop until started again.",
                 group="power"),
    ServerAction("reboot_soft", "Reboot (soft)", _s("ACTIVE"), target="ACTIVE",
                 group="power"),
    ServerAction("reboot_hard", "Reboot (hard)",
                 _s("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "ERROR"), target="ACTIVE",
                 confirm="several", consequence="A hard reboot is a power cycle: unsaved data "
                                                "in memory is lost.",
                 group="power"),
    ServerAction("pause", "Pause", _s("ACTIVE"), target="PAUSED",
                 group="power:pause"),
    ServerAction("unpause", "Unpause", _s("PAUSED"), target="ACTIVE",
                 group="power:pause"),
    ServerAction("suspend", "Suspend", _s("ACTIVE"), target="SUSPENDED",
                 group="power:pause"),
    ServerAction("resume", "Resume", _s("SUSPENDED"), target="ACTIVE",
                 group="power:pause"),
    ServerAction("lock", "Lock", None, mutating=False,
                 condition=(lambda s: not _locked(s), "already locked"),
                 group="lifecycle"),
    ServerAction("unlock", "Unlock", None, mutating=False,
                 condition=(_locked, "not locked"),
                 group="lifecycle"),
    ServerAction("shelve", "Shelve", _s("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"),
                 target="SHELVED_OFFLOADED", confirm="several",
                 consequence="They are shut down and may move to another host when unshelved.",
                 group="lifecycle:shelve"),
    ServerAction("unshelve", "Unshelve", _s("SHELVED", "SHELVED_OFFLOADED"), target="ACTIVE",
                 group="lifecycle:shelve"),
    ServerAction("rescue", "Rescue", _s("ACTIVE", "SHUTOFF", "ERROR"), target="RESCUE",
                 group="lifecycle:shelve"),
    ServerAction("unrescue", "Unrescue", _s("RESCUE"), target="ACTIVE",
                 group="lifecycle:shelve"),
    ServerAction("resize", "Resize…", _s("ACTIVE", "SHUTOFF"), needs_input=True,
                 target="VERIFY_RESIZE", confirm="several",
                 consequence="Each server restarts on the new flavor.",
                 group="lifecycle:change", single=True),
    ServerAction("confirm_resize", "Confirm resize", _s("VERIFY_RESIZE"), target="ACTIVE",
                 group="lifecycle:change"),
    ServerAction("revert_resize", "Revert resize", _s("VERIFY_RESIZE"), target="ACTIVE",
                 group="lifecycle:change"),
    ServerAction("rebuild", "Rebuild…", _s("ACTIVE", "SHUTOFF", "ERROR"), needs_input=True,
                 confirm="always", target="ACTIVE",
                 consequence="Their disks are wiped and rewritten from the image.",
                 group="lifecycle:change", single=True),
    ServerAction("create_image", "Create snapshot…",
                 _s("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"), needs_input=True,
                 group="lifecycle:change", single=True),
    ServerAction("rename", "Rename…", None, needs_input=True, mutating=False,
                 group="lifecycle:edit", single=True),
    ServerAction("edit_metadata", "Edit metadata…", _s("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED"),
                 needs_input=True,
                 group="lifecycle:edit", single=True),
    ServerAction("associate_fip", "Associate floating IP…", None, mutating=False, single=True,
                 group="network", flow=True),
    ServerAction("disassociate_fip", "Disassociate floating IP", None, mutating=False,
                 single=True, group="network", flow=True,
                 condition=(_has_floating, "no floating IP")),
    ServerAction("attach_interface", "Attach interface…", _s("ACTIVE", "SHUTOFF", "PAUSED"), single=True,
                 group="network:interface", flow=True),
    ServerAction("detach_interface", "Detach interface…", _s("ACTIVE", "SHUTOFF", "PAUSED"), single=True,
                 group="network:interface", flow=True),
    ServerAction("security_groups", "Security groups…", None, mutating=False, single=True,
                 group="network:groups", flow=True),
    ServerAction("attach_volume", "Attach volume…", _VOLUME_STATES, single=True, group="storage",
                 flow=True),
    ServerAction("detach_volume", "Detach volume…", _VOLUME_STATES, single=True, group="storage",
                 flow=True, condition=(_has_volumes, "no volume attached")),
    ServerAction("copy_ssh", "Copy SSH command", _s("ACTIVE", "RESCUE"), mutating=False,
                 single=True, group="console", flow=True),
    ServerAction("console_log", "Console log…", _s("ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED",
                                                    "RESCUE", "ERROR", "VERIFY_RESIZE"),
                 mutating=False,
                 group="console:log", single=True),
    ServerAction("console_url", "Open console…", _s("ACTIVE", "RESCUE"), mutating=False,
                 group="console:log", single=True),
    ServerAction("delete", "Delete…", None, confirm="always",
                 consequence="Their disks are destroyed; this cannot be undone.",
                 group="delete"),
]
ACTION_BY_KEY = {a.key: a for a in ACTIONS}


def availability(server: dict, action: ServerAction | str, *, is_admin: bool = False
                 ) -> tuple[bool, str]:
    """(enabled, reason). The reason is empty when enabled."""
    if isinstance(action, str):
        action = ACTION_BY_KEY[action]
    status = server.get("status") or "UNKNOWN"
    task = server.get("OS-EXT-STS:task_state")
    if action.key == "delete":
        if _locked(server) and not is_admin:
            return False, "server is locked; unlock it first"
        return True, ""
    if action.mutating and task:
        return False, f"wait: task {task} is in progress"
    if action.mutating and _locked(server) and not is_admin:
        return False, "server is locked; unlock it first"
    if action.statuses is not None and status not in action.statuses:
        needs = " or ".join(sorted(action.statuses))
        return False, f"needs {needs}, server is {status}"
    if action.condition is not None:
        predicate, why = action.condition
        if not predicate(server):
            return False, why
    return True, ""


def availability_for_many(servers: list[dict], action: ServerAction | str, *,
                          is_admin: bool = False) -> tuple[bool, str]:
    """Enabled when the action is allowed for at least one selected server.

    The reason names the servers it would skip, so the user knows before clicking.
    """
    if not servers:
        return False, "nothing selected"
    results = [(s, availability(s, action, is_admin=is_admin)) for s in servers]
    allowed = [s for s, (ok, _) in results if ok]
    if not allowed:
        reasons = {why for _, (_, why) in results}
        return False, "; ".join(sorted(reasons))
    if len(allowed) < len(servers):
        skipped = [s.get("name") or s.get("id") for s, (ok, _) in results if not ok]
        return True, f"skips {', '.join(skipped[:5])}{'…' if len(skipped) > 5 else ''}"
    return True, ""


def needs_confirmation(action: ServerAction | str, count: int) -> bool:
    """Whether running ``action`` on ``count`` servers must be confirmed first."""
    if isinstance(action, str):
        action = ACTION_BY_KEY[action]
    return action.confirm == "always" or (action.confirm == "several" and count > 1)


def confirm_verb(action: ServerAction | str) -> str:
    """The verb a confirmation's button starts with: "Delete", "Reboot (hard)" → "Hard reboot"."""
    if isinstance(action, str):
        action = ACTION_BY_KEY[action]
    return {"reboot_hard": "Hard reboot"}.get(action.key, action.label.rstrip("…"))


def run_action(compute, action_key: str, server_id: str, **args):
    """Call the ComputeClient method for an action (on the cloud's worker thread)."""
    if action_key == "reboot_soft":
        return compute.reboot(server_id, hard=False)
    if action_key == "reboot_hard":
        return compute.reboot(server_id, hard=True)
    if action_key == "delete":
        return compute.delete_server(server_id)
    if action_key == "rename":
        return compute.rename_server(server_id, args["name"])
    if action_key == "resize":
        return compute.resize(server_id, args["flavor_id"])
    if action_key == "rebuild":
        return compute.rebuild(server_id, args["image_id"])
    if action_key == "create_image":
        return compute.create_image(server_id, args["name"])
    if action_key == "console_log":
        return compute.console_output(server_id, args.get("length"))
    if action_key == "console_url":
        return compute.remote_console(server_id, args.get("protocol", "vnc"))
    if action_key == "edit_metadata":
        return compute.replace_metadata(server_id, args["metadata"])
    return getattr(compute, action_key)(server_id)
