"""Which server actions are offered in which state, and the reason when not."""

import pytest

from osdesk.rules.server_actions import ACTIONS, ACTION_BY_KEY, availability, availability_for_many

STATUSES = ["ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED",
            "RESCUE", "VERIFY_RESIZE", "ERROR", "BUILD", "REBOOT"]

#: the actions each status allows (unlocked, no task): nova's check_instance_state
EXPECTED = {
    "ACTIVE": {"stop", "reboot_soft", "reboot_hard", "pause", "suspend", "shelve", "rescue",
               "resize", "rebuild", "create_image", "console_log", "console_url",
               "edit_metadata", "attach_interface", "detach_interface", "attach_volume",
               "connect_ssh", "copy_ssh"},
    "SHUTOFF": {"start", "reboot_hard", "shelve", "rescue", "resize", "rebuild", "create_image",
                "console_log", "edit_metadata", "attach_interface", "detach_interface",
                "attach_volume"},
    "PAUSED": {"unpause", "reboot_hard", "shelve", "create_image", "console_log",
               "edit_metadata", "attach_interface", "detach_interface", "attach_volume"},
    "SUSPENDED": {"resume", "reboot_hard", "shelve", "create_image", "console_log",
                  "edit_metadata"},
    "SHELVED": {"unshelve", "attach_volume"},
    "SHELVED_OFFLOADED": {"unshelve", "attach_volume"},
    "RESCUE": {"stop", "unrescue", "console_log", "console_url", "connect_ssh", "copy_ssh"},
    "VERIFY_RESIZE": {"confirm_resize", "revert_resize", "console_log", "attach_volume"},
    "ERROR": {"stop", "reboot_hard", "rescue", "rebuild", "console_log"},
    "BUILD": set(),
    "REBOOT": set(),
}
#: (floating IPs and security groups are Neutron's: any state; disassociate and detach
#: volume need something attached, which these bare servers have not)
ALWAYS = {"lock", "rename", "delete", "associate_fip", "security_groups"}


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_offers_exactly_nova_s_actions(status):
    server = {"id": "s1", "status": status, "locked": False, "OS-EXT-STS:task_state": None}
    allowed = {a.key for a in ACTIONS if availability(server, a)[0]}
    assert allowed == EXPECTED[status] | ALWAYS


@pytest.mark.parametrize("status", STATUSES)
def test_disabled_items_name_the_needed_and_actual_state(status):
    server = {"id": "s1", "status": status, "locked": False}
    for action in ACTIONS:
        ok, why = availability(server, action)
        if not ok and action.statuses is not None and status not in action.statuses:
            assert why.startswith("needs ") and f"server is {status}" in why


def test_start_reason_reads_like_a_sentence():
    assert availability({"status": "ACTIVE"}, "start") == (False, "needs SHUTOFF, server is ACTIVE")


def test_locked_server_refuses_mutations_but_not_for_admins():
    server = {"id": "s1", "status": "ACTIVE", "locked": True}
    assert availability(server, "stop") == (False, "server is locked; unlock it first")
    assert availability(server, "delete")[0] is False
    assert availability(server, "unlock") == (True, "")
    assert availability(server, "lock") == (False, "already locked")
    assert availability(server, "console_log")[0] is True
    assert availability(server, "stop", is_admin=True) == (True, "")


def test_running_task_blocks_mutations():
    server = {"id": "s1", "status": "ACTIVE", "OS-EXT-STS:task_state": "powering-off"}
    ok, why = availability(server, "pause")
    assert not ok and "powering-off" in why


def test_many_servers_enable_when_any_can_and_name_the_skipped():
    a = {"id": "a", "name": "alpha", "status": "ACTIVE"}
    b = {"id": "b", "name": "beta", "status": "SHUTOFF"}
    ok, why = availability_for_many([a, b], ACTION_BY_KEY["stop"])
    assert ok and why == "skips beta"
    ok, why = availability_for_many([b, b], ACTION_BY_KEY["pause"])
    assert not ok and "needs ACTIVE, server is SHUTOFF" == why


def test_a_condition_is_the_reason_once_the_state_allows_the_action():
    server = {"id": "s1", "status": "ACTIVE", "addresses": {}}
    assert availability(server, "detach_volume") == (False, "no volume attached")
    assert availability(server, "disassociate_fip") == (False, "no floating IP")
    assert availability(dict(server, status="SUSPENDED"), "detach_volume") == (
        False, "needs ACTIVE or PAUSED or SHELVED or SHELVED_OFFLOADED or SHUTOFF or "
               "VERIFY_RESIZE, server is SUSPENDED")
    attached = dict(server, **{"os-extended-volumes:volumes_attached": [{"id": "v"}]})
    assert availability(attached, "detach_volume") == (True, "")
