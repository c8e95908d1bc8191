"""Which server actions are offered in which state, and the reason when not."""

import pytest

from osdesk.rules.server_actions import ACTIONS, ACTION_BY_KEY, availability, availability_for_many

STATUSES = ["ACTIVE", "SHUTOFF", "PAUSED", "SUSPENDED", "SHELVED", "SHELVED_OFFLOADED",
            "RESCUE", "VERIFY_RESIZE", "ERROR", "BUILD", "REBOOT"]

#: the actions each status allows (unlocked, no task): nova's check_instance_state
EXPECTED = {
    "ACTIVE": {"stop", "reboot_soft", "reboot_hard", "pause", "suspend", "shelve", "rescue",
               "resize", "rebuild", "create_image", "console_log", "console_url",
               "edit_metadata"},
    "SHUTOFF": {"start", "reboot_hard", "shelve", "rescue", "resize", "rebuild", "create_image",
                "console_log", "edit_metadata"},
    "PAUSED": {"unpause", "reboot_hard", "shelve", "create_image", "console_log",
               "edit_metadata"},
    "SUSPENDED": {"resume", "reboot_hard", "shelve", "create_image", "console_log",
                  "edit_metadata"},
    "SHELVED": {"unshelve"},
    "SHELVED_OFFLOADED": {"unshelve"},
    "RESCUE": {"stop", "unrescue", "console_log", "console_url"},
    "VERIFY_RESIZE": {"confirm_resize", "revert_resize", "console_log"},
    "ERROR": {"stop", "reboot_hard", "rescue", "rebuild", "console_log"},
    "BUILD": set(),
    "REBOOT": set(),
}
ALWAYS = {"lock", "rename", "delete"}


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
        if not ok and action.statuses is not None:
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
