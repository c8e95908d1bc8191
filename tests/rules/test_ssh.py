"""Connect (SSH) on the upstream samples: the login user of glance's images, the address of
nova's server, whether neutron's security groups admit SSH, and the commands run."""

from __future__ import annotations

import json
import os

import pytest

from osdesk.rules.security_rules import quick_fields
from osdesk.rules.ssh import (Address, addresses, command_text, key_file_for, login_user,
                              port_open, reach, ssh_argv, terminal_argv)
from tests.samples import SAMPLES


def sample(path: str):
    return json.loads((SAMPLES / path).read_text(encoding="utf-8"))


NOVA = "nova/doc/api_samples"
NEUTRON = "neutron/api-ref/source/v2/samples"
GLANCE = "glance/api-ref/source/v2/samples"
#: nova's server: one fixed address, 192.168.1.30 on "private"
SERVER = sample(f"{NOVA}/servers/server-get-resp.json")["server"]
#: neutron's default group: egress anywhere, ingress only from members of the group
DEFAULT = sample(f"{NEUTRON}/security-groups/security-group-show-response.json")["security_group"]
FIP = sample(f"{NEUTRON}/floatingips/floatingip-show-response.json")["floatingip"]
#: a rule as neutron answers it, turned into the quick SSH rule from anywhere
SSH_RULE = dict(sample(f"{NEUTRON}/security-groups/security-group-rule-create-response.json")[
    "security_group_rule"], remote_group_id=None, remote_address_group_id=None,
    **quick_fields("ssh", "0.0.0.0/0"))


def with_floating(server: dict, ip: str = FIP["floating_ip_address"]) -> dict:
    """The server after nova has seen a floating IP associated to its port."""
    (net, entries), = server["addresses"].items()
    fixed = entries[0]
    floating = dict(fixed, addr=ip, **{"OS-EXT-IPS:type": "floating"})
    return dict(server, addresses={net: entries + [floating]})


def group_with(*rules: dict) -> dict:
    return dict(DEFAULT, security_group_rules=DEFAULT["security_group_rules"] + list(rules))


# ----------------------------------------------------------- login user
def test_glance_sample_images_guess_cirros_or_nothing():
    images = {i["name"]: i for i in sample(f"{GLANCE}/images-list-response.json")["images"]}

    assert login_user(images["cirros-0.3.2-x86_64-disk"]) == "cirros"
    assert login_user(images["F17-x86_64-cfntools"]) == ""  # no word osdesk knows


def test_a_declared_login_user_wins_over_the_name():
    image = dict(sample(f"{GLANCE}/image-show-response.json"), os_admin_user=" admin ")
    assert login_user(image) == "admin"
    assert login_user(dict(image, os_admin_user="", default_user="centos")) == "centos"


def test_the_name_may_come_without_the_image():
    # a server whose image was deleted: only the name osdesk remembered
    assert login_user(None, "Ubuntu-24.04-Noble") == "ubuntu"
    assert login_user(None) == ""


@pytest.mark.parametrize("name, user", [
    ("CentOS-Stream-GenericCloud-9", "cloud-user"), ("rhel-9.4-x86_64-kvm", "cloud-user"),
    ("Rocky-9-GenericCloud-Base", "rocky"), ("AlmaLinux-9-GenericCloud", "almalinux"),
    ("debian-12-genericcloud-amd64", "debian"), ("Fedora-Cloud-Base-40", "fedora"),
    ("Arch-Linux-x86_64-cloudimg", "arch"), ("flatcar_production_openstack_image", "core"),
    ("FreeBSD-14.1-RELEASE-amd64", "freebsd"),
    # an aarch64 image is not Arch Linux
    ("openSUSE-Leap-15.6-aarch64", "opensuse"), ("SLES15-SP6-aarch64", "sles"),
    ("FreeBSD-14.1-RELEASE-aarch64", "freebsd"), ("my-app-aarch64", ""),
    # Fedora CoreOS logs in as core, not fedora
    ("fedora-coreos-40.20240504.3.0-openstack.x86_64", "core")])
def test_cloud_image_names_give_their_distributions_user(name, user):
    assert login_user({"name": name}) == user


# ------------------------------------------------------------- addresses
def test_the_sample_servers_only_address_is_its_fixed_one():
    assert addresses(SERVER) == [Address("192.168.1.30", "private", False)]


def test_a_floating_address_comes_first_then_ipv4_before_ipv6():
    server = with_floating(SERVER)
    (net, entries), = server["addresses"].items()
    v6 = dict(entries[0], addr="2001:db8::30", version=6)
    server = dict(server, addresses={"ipv6-net": [v6], net: entries + [{"addr": "not-an-ip"}]})

    found = addresses(server)

    assert [(a.ip, a.floating, a.version) for a in found] == [
        ("172.24.4.228", True, 4), ("192.168.1.30", False, 4), ("2001:db8::30", False, 6)]


# ------------------------------------------------------------ port 22
def test_neutrons_default_group_does_not_admit_ssh():
    # its ingress rules admit members of the group, not this computer
    assert not port_open([DEFAULT])
    assert not port_open([DEFAULT], 22, 6)


def test_the_quick_ssh_rule_opens_port_22_for_its_ip_version_only():
    group = group_with(SSH_RULE)
    assert port_open([group], 22, 4)
    assert not port_open([group], 22, 6)
    assert not port_open([group], 80, 4)


@pytest.mark.parametrize("change, opens", [
    ({"port_range_min": 20, "port_range_max": 30}, True),
    ({"port_range_min": None, "port_range_max": None}, True),  # every port
    ({"protocol": None, "port_range_min": None, "port_range_max": None}, True),  # any protocol
    ({"protocol": "6"}, True),  # TCP by number
    ({"protocol": "udp"}, False),
    ({"direction": "egress"}, False),
    ({"port_range_min": 2222, "port_range_max": 2222}, False),
    ({"ethertype": "IPv6"}, False),
    ({"remote_ip_prefix": None, "remote_group_id": DEFAULT["id"]}, False),
    ({"remote_group_id": DEFAULT["id"]}, True),  # a prefix as well: addresses are admitted
])
def test_which_rules_admit_tcp_22(change, opens):
    assert port_open([group_with(dict(SSH_RULE, **change))], 22, 4) is opens


def test_any_of_the_groups_may_open_the_port():
    assert port_open([DEFAULT, group_with(SSH_RULE)])
    assert not port_open([])


# ------------------------------------------------------------------ reach
def test_the_sample_server_in_the_default_group_has_both_problems():
    result = reach(SERVER, [DEFAULT])

    assert result.address == Address("192.168.1.30", "private", False)
    assert result.problems == (
        ("The server has no floating IP; its fixed address 192.168.1.30 on private is "
         "reachable only from inside the cloud's network.", "associate_fip"),
        ("No security group of the server admits SSH (TCP port 22) (groups: default).",
         "add_ssh"))


def test_a_floating_ip_and_an_ssh_rule_leave_nothing_in_the_way():
    result = reach(with_floating(SERVER), [group_with(SSH_RULE)])

    assert result.address == Address(FIP["floating_ip_address"], "private", True)
    assert result.problems == ()


def test_unknown_groups_are_not_blamed():
    assert reach(with_floating(SERVER), None).problems == ()


def test_a_server_without_addresses_says_so_and_nothing_else():
    result = reach(dict(SERVER, addresses={}), [DEFAULT])

    assert result.address is None
    assert result.problems == (("The server has no IP address yet.", ""),)


def test_groups_without_names_are_named_by_id_and_no_groups_is_none():
    unnamed = dict(DEFAULT, name="")
    server = with_floating(SERVER)

    assert reach(server, [unnamed]).problems[0][0].endswith(f"(groups: {DEFAULT['id']}).")
    assert reach(server, []).problems == (
        ("No security group of the server admits SSH (TCP port 22) (groups: none).", "add_ssh"),)


# ------------------------------------------------------------ commands
def test_ssh_argv_with_and_without_user_and_key():
    assert ssh_argv("cirros", "172.24.4.228") == ["ssh", "cirros@172.24.4.228"]
    assert ssh_argv("", "192.168.1.30", "/home/me/.ssh/k.pem") == \
        ["ssh", "-i", "/home/me/.ssh/k.pem", "192.168.1.30"]


def test_command_text_quotes_for_a_shell():
    assert command_text(ssh_argv("ubuntu", "2001:db8::30", "/home/me/my keys/k.pem")) == \
        "ssh -i '/home/me/my keys/k.pem' ubuntu@2001:db8::30"


def which_of(*installed: str):
    """A ``shutil.which`` that finds only ``installed`` (under /usr/bin)."""
    def which(name: str):
        base = name.rsplit("/", 1)[-1]
        return f"/usr/bin/{base}" if base in installed else None
    return which


SSH = ["ssh", "cirros@172.24.4.228"]


@pytest.mark.parametrize("terminal, argv", [
    ("kitty", ["kitty"] + SSH),  # runs its arguments as they are
    ("gnome-terminal", ["gnome-terminal", "--"] + SSH),
    ("/usr/bin/xfce4-terminal", ["/usr/bin/xfce4-terminal", "-x"] + SSH),
    ("wezterm", ["wezterm", "start", "--"] + SSH),
    ("xterm -fa Monospace", ["xterm", "-fa", "Monospace", "-e"] + SSH),
    ("urxvt", ["urxvt", "-e"] + SSH),  # a terminal osdesk does not know: -e
])
def test_the_users_terminal_comes_first(terminal, argv):
    which = which_of("kitty", "gnome-terminal", "xfce4-terminal", "wezterm", "xterm", "urxvt",
                     "x-terminal-emulator")
    assert terminal_argv(SSH, env={"TERMINAL": terminal}, which=which) == argv


def test_a_terminal_that_is_not_installed_falls_back_to_the_desktops_default():
    which = which_of("x-terminal-emulator", "xterm")
    assert terminal_argv(SSH, env={"TERMINAL": "nosuchterm"}, which=which) == \
        ["/usr/bin/x-terminal-emulator", "-e"] + SSH


@pytest.mark.parametrize("installed, argv", [
    (("konsole", "xterm"), ["/usr/bin/konsole", "-e"] + SSH),
    (("foot",), ["/usr/bin/foot"] + SSH),
    (("xterm",), ["/usr/bin/xterm", "-e"] + SSH),
])
def test_without_terminal_set_the_common_terminals_are_tried(installed, argv):
    assert terminal_argv(SSH, env={"TERMINAL": "  "}, which=which_of(*installed)) == argv


def test_no_terminal_at_all_is_none():
    assert terminal_argv(SSH, env={}, which=which_of()) is None


def test_the_remembered_key_comes_before_the_keypairs_pem():
    pem = os.path.expanduser("~/.ssh/mykey.pem")
    saved = "/home/me/.config/osdesk/keys/mykey"

    assert key_file_for("mykey", saved, exists={saved, pem}.__contains__) == saved
    assert key_file_for("mykey", saved, exists={pem}.__contains__) == pem
    assert key_file_for("mykey", None, exists={pem}.__contains__) == pem
    assert key_file_for("mykey", saved, exists=set().__contains__) is None


def test_a_server_without_a_keypair_uses_sshs_own_keys():
    # nova's sample server has key_name null
    assert SERVER["key_name"] is None
    assert key_file_for(SERVER["key_name"], "/some/key", exists=lambda path: True) is None
