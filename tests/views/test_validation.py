"""Every form shows its problems one way (validation.FormProblems): nothing on a form that
opens empty, then, once a field is left or Enter is pressed, sentences for people in the
dialog's message line and the fields concerned outlined in red."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from osdesk.views.image_dialogs import CreateImageDialog
from osdesk.views.keypair_views import ImportKeyDialog
from osdesk.views.launch_dialog import LaunchDialog
from osdesk.views.network_dialogs import NetworkDialog
from osdesk.views.security_group_views import GroupDialog, RulesDialog
from osdesk.views.validation import outlined
from osdesk.views.volume_dialogs import CreateVolumeDialog

#: what a user never reads in a message: the library's words
LIBRARY_WORDS = ("does not appear to be", "ValueError", "Expected", "octet", "netmask",
                 "Port could not be cast", "Invalid IPv6 URL", "'")


def make(qtbot, cls, *args, **kwargs):
    dialog = cls(*args, **kwargs)
    qtbot.addWidget(dialog)
    return dialog


def leave(edit) -> None:
    """The user leaves a field (Tab or a click elsewhere finish the edit as Enter does)."""
    edit.editingFinished.emit()


def shown(dialog) -> bool:
    return dialog.problem.isVisibleTo(dialog)


def readable(text: str) -> None:
    assert text.strip()
    for words in LIBRARY_WORDS:
        assert words not in text, text


def test_a_new_form_opens_quiet_and_says_why_once_a_field_is_left(qtbot):
    dialog = make(qtbot, NetworkDialog)
    assert not dialog.ok.isEnabled()
    assert not shown(dialog) and not outlined(dialog.name_edit)
    assert "Give the network a name." in dialog.ok.toolTip()  # the disabled button says why
    qtbot.keyClicks(dialog.cidr_edit, "10.0.0")  # typing alone raises no red
    assert not shown(dialog)
    leave(dialog.cidr_edit)
    assert shown(dialog)
    assert outlined(dialog.cidr_edit) and not outlined(dialog.name_edit)  # not left yet
    assert "“10.0.0” is not a network in CIDR form. Enter a network in CIDR form, such as " \
           "192.168.1.0/24." in dialog.problem.text()
    qtbot.keyClicks(dialog.cidr_edit, ".0/24")  # once shown, fixing it clears it at once
    assert not outlined(dialog.cidr_edit)
    assert "CIDR" not in dialog.problem.text()


def test_enter_shows_every_problem_and_outlines_every_field(qtbot):
    dialog = make(qtbot, NetworkDialog)
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert shown(dialog)
    assert outlined(dialog.name_edit) and outlined(dialog.cidr_edit)
    assert dialog.problem.text().splitlines() == [
        "Give the network a name.", "Enter a network in CIDR form, such as 192.168.1.0/24."]


@pytest.mark.parametrize("cidr, ipv6, message", [
    ("", False, "Enter a network in CIDR form, such as 192.168.1.0/24."),
    ("  ", True, "Enter a network in CIDR form, such as fd00:10::/64."),
    ("10.0.0.0/33", False, "“10.0.0.0/33” is not a network in CIDR form. Enter a network "
                           "in CIDR form, such as 192.168.1.0/24."),
    ("banana", False, "“banana” is not a network in CIDR form."),
    ("10.0.0.5/24", False, "10.0.0.5/24 has host bits set: the network is 10.0.0.0/24."),
    ("fd00::/64", False, "fd00::/64 is an IPv6 range, but IPv4 is selected."),
])
def test_cidr_messages(qtbot, cidr, ipv6, message):
    dialog = make(qtbot, NetworkDialog, network_name="private")
    dialog.version_combo.setCurrentIndex(1 if ipv6 else 0)
    dialog.cidr_edit.setText(cidr)
    leave(dialog.cidr_edit)
    assert message in dialog.problem.text()
    readable(dialog.problem.text())
    assert outlined(dialog.cidr_edit)


@pytest.mark.parametrize("gateway, dns, message, field", [
    ("10.1.0", "", "Gateway “10.1.0” is not an IP address (such as 10.1.0.1), nor “none”.",
     "gateway_edit"),
    ("10.9.0.1", "", "Gateway 10.9.0.1 is not inside 10.1.0.0/24.", "gateway_edit"),
    ("", "1.1.1.1, dns.example", "DNS server “dns.example” is not an IP address "
                                 "(such as 1.1.1.1).", "dns_edit"),
])
def test_ip_address_messages(qtbot, gateway, dns, message, field):
    dialog = make(qtbot, NetworkDialog, network_name="private")
    dialog.cidr_edit.setText("10.1.0.0/24")
    dialog.gateway_edit.setText(gateway)
    dialog.dns_edit.setText(dns)
    leave(getattr(dialog, field))
    assert dialog.problem.text() == message
    assert outlined(getattr(dialog, field)) and not outlined(dialog.cidr_edit)
    assert not dialog.ok.isEnabled()


@pytest.mark.parametrize("ports, message", [
    ("abc", "“abc” is not a port or a range like 8000-8080."),
    ("0", "Ports are numbers from 1 to 65535."),
    ("22-70000", "Ports are numbers from 1 to 65535."),
    ("90-80", "The range 90-80 ends before it starts."),
    ("1-2-3", "“1-2-3” is not a port or a range like 8000-8080."),
])
def test_port_range_messages(qtbot, ports, message):
    added = []
    dialog = make(qtbot, RulesDialog, None, {"id": "g1", "name": "web"},
                  on_add=added.append, on_delete=lambda rule: None)
    dialog.ports_edit.setText(ports)
    dialog.add_button.click()
    assert not added
    assert dialog.problem.text() == message and shown(dialog)
    assert outlined(dialog.ports_edit) and not outlined(dialog.source_edit)
    dialog.ports_edit.setText("22")
    dialog.add_button.click()
    assert added and not shown(dialog) and not outlined(dialog.ports_edit)


def test_a_rule_source_that_is_no_range_is_said_so(qtbot):
    dialog = make(qtbot, RulesDialog, None, {"id": "g1", "name": "web"},
                  on_add=lambda fields: None, on_delete=lambda rule: None)
    for text, message in (("", "Say which addresses may connect (a range like "
                                "203.0.113.0/24)."),
                          ("10.0.0.0/40", "“10.0.0.0/40” is not an address range like "
                                          "203.0.113.0/24 or 2001:db8::/32.")):
        dialog.source_edit.setText(text)
        dialog.quick_buttons["ssh"].click()
        assert dialog.problem.text() == message
        assert outlined(dialog.source_edit)


@pytest.mark.parametrize("make_dialog, message, field", [
    (lambda: GroupDialog(None, "Create security group"), "Give the security group a name.",
     "name_edit"),
    (lambda: ImportKeyDialog(), "Give the key pair a name.", "name_edit"),
    (lambda: CreateImageDialog(), "Give the image a name.", "name_edit"),
    (lambda: NetworkDialog(), "Give the network a name.", "name_edit"),
])
def test_name_messages(qtbot, make_dialog, message, field):
    dialog = make_dialog()
    qtbot.addWidget(dialog)
    assert not shown(dialog)
    leave(getattr(dialog, field))
    assert dialog.problem.text().splitlines()[0] == message
    assert outlined(getattr(dialog, field))


def test_a_volume_too_long_a_name(qtbot):
    dialog = make(qtbot, CreateVolumeDialog, None, images=[], snapshots=[], types=[], zones=[])
    assert dialog.ok.isEnabled()  # a nameless volume is fine
    dialog.name_edit.setText("v" * 256)
    leave(dialog.name_edit)
    assert dialog.problem.text() == "A name is at most 255 characters."
    assert outlined(dialog.name_edit) and not dialog.ok.isEnabled()


def test_the_launch_dialog_opens_quiet_and_says_why_on_enter(qtbot):
    dialog = make(qtbot, LaunchDialog)
    assert not dialog.problems_label.isVisibleTo(dialog)
    assert not dialog.launch_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Return)
    assert dialog.problems_label.isVisibleTo(dialog)
    assert "The server needs a name." in dialog.problems_label.text()
    assert outlined(dialog.name_edit)
    readable(dialog.problems_label.text())


def test_every_form_uses_the_one_message_line(qtbot):
    """The same widget (object name "problems", the error tint) in every form dialog."""
    dialogs = [NetworkDialog(), GroupDialog(None, "Create security group"), ImportKeyDialog(),
               CreateImageDialog(), LaunchDialog(),
               CreateVolumeDialog(None, images=[], snapshots=[], types=[], zones=[]),
               RulesDialog(None, {"id": "g"}, on_add=print, on_delete=print)]
    sheets = set()
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        label = dialog.findChild(type(dialog.checker.label), "problems")
        assert label is dialog.checker.label
        sheets.add(label.styleSheet())
    assert len(sheets) == 1
