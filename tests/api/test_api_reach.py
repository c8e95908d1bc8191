"""What makes a server reachable, through the clients on the upstream samples: nova's
volume and interface attachments and server security groups, neutron's floating IPs,
security groups and their rules. Request bodies are the request samples (limited to
the fields osdesk sets), answers come back as the response samples."""

from __future__ import annotations

import pytest

from api_fakes import NEUTRON, NOVA, body_of, query_of, sample, sample_text
from osdesk.api.errors import Conflict, NotFound
from osdesk.api.network import item_key
from osdesk.rules.security_rules import quick_fields, rule_fields

SERVER_ID = "4b293d31-ebd5-4a7f-be03-874b90021e54"
ATTACH = f"{NOVA}/os-volume_attachments"
INTERFACES = f"{NOVA}/os-attach-interfaces"
FIPS = f"{NEUTRON}/floatingips"
GROUPS = f"{NEUTRON}/security-groups"


def only(body: dict, *keys: str) -> dict:
    """The one item of a request sample, with just ``keys``."""
    (key, item), = body.items()
    return {key: {k: item[k] for k in keys}}


# ------------------------------------------------------------ nova volumes
def test_list_volume_attachments_returns_the_sample(fake):
    url = f"{fake.compute}/servers/{SERVER_ID}/os-volume_attachments"
    fake.add("GET", url, sample(f"{ATTACH}/list-volume-attachments-resp.json"))

    attachments = fake.cloud().compute.list_volume_attachments(SERVER_ID)

    assert attachments == sample(f"{ATTACH}/list-volume-attachments-resp.json")["volumeAttachments"]


def test_attach_volume_posts_the_request_sample(fake):
    req = sample(f"{ATTACH}/attach-volume-to-server-req.json")["volumeAttachment"]
    url = f"{fake.compute}/servers/{SERVER_ID}/os-volume_attachments"
    fake.add("POST", url, sample(f"{ATTACH}/attach-volume-to-server-resp.json"))

    attachment = fake.cloud().compute.attach_volume(SERVER_ID, req["volumeId"], req["device"])

    assert body_of(fake.last("POST", url)) == sample(f"{ATTACH}/attach-volume-to-server-req.json")
    assert attachment == sample(f"{ATTACH}/attach-volume-to-server-resp.json")["volumeAttachment"]


def test_attach_volume_lets_nova_pick_the_device(devstack):
    req = sample(f"{ATTACH}/attach-volume-to-server-req.json")
    url = f"{devstack.compute}/servers/{SERVER_ID}/os-volume_attachments"
    devstack.add("POST", url, sample(f"{ATTACH}/attach-volume-to-server-resp.json"))

    devstack.cloud().compute.attach_volume(SERVER_ID, req["volumeAttachment"]["volumeId"])

    assert body_of(devstack.last("POST", url)) == only(req, "volumeId")


def test_detach_volume_deletes_the_attachment_of_that_volume(fake):
    volume_id = sample(f"{ATTACH}/attach-volume-to-server-req.json")["volumeAttachment"]["volumeId"]
    url = f"{fake.compute}/servers/{SERVER_ID}/os-volume_attachments/{volume_id}"
    fake.add("DELETE", url, status=202)

    assert fake.cloud().compute.detach_volume(SERVER_ID, volume_id) is None

    assert len(fake.calls("DELETE", url)) == 1


def test_detaching_a_volume_that_is_not_attached_says_so(devstack):
    volume_id = "227cc671-f30b-4488-96fd-7d0bf13648d8"
    message = f"volume_id not found: {volume_id}"
    devstack.add("DELETE", f"{devstack.compute}/servers/{SERVER_ID}/os-volume_attachments/"
                           f"{volume_id}", status=404,
                 json={"itemNotFound": {"code": 404, "message": message}})

    with pytest.raises(NotFound) as err:
        devstack.cloud().compute.detach_volume(SERVER_ID, volume_id)

    assert str(err.value) == f"{message} (HTTP 404)"


# --------------------------------------------------------- nova interfaces
def test_list_interfaces_returns_the_sample(fake):
    url = f"{fake.compute}/servers/{SERVER_ID}/os-interface"
    fake.add("GET", url, sample(f"{INTERFACES}/attach-interfaces-list-resp.json"))

    interfaces = fake.cloud().compute.list_interfaces(SERVER_ID)

    assert interfaces == \
        sample(f"{INTERFACES}/attach-interfaces-list-resp.json")["interfaceAttachments"]


def test_attach_an_existing_port_posts_the_request_sample(fake):
    req = sample(f"{INTERFACES}/attach-interfaces-create-req.json")
    url = f"{fake.compute}/servers/{SERVER_ID}/os-interface"
    fake.add("POST", url, sample(f"{INTERFACES}/attach-interfaces-create-resp.json"))

    (key, fields), = req.items()
    iface = fake.cloud().compute.attach_interface(SERVER_ID, port_id=fields["port_id"])

    sent = body_of(fake.last("POST", url))
    assert sent == sample(f"{INTERFACES}/attach-interfaces-create-req.json")
    assert iface == sample(f"{INTERFACES}/attach-interfaces-create-resp.json")[key]


def test_attach_a_network_sends_its_net_id_only(devstack):
    req = sample(f"{INTERFACES}/attach-interfaces-create-net_id-req.json")
    url = f"{devstack.compute}/servers/{SERVER_ID}/os-interface"
    devstack.add("POST", url, sample(f"{INTERFACES}/attach-interfaces-create-resp.json"))

    devstack.cloud().compute.attach_interface(
        SERVER_ID, network_id=req["interfaceAttachment"]["net_id"])

    # nova picks the fixed IP; osdesk sends none
    assert body_of(devstack.last("POST", url)) == only(req, "net_id")


def test_detach_interface_deletes_the_port_attachment(fake):
    port_id = sample(f"{INTERFACES}/attach-interfaces-create-req.json")["interfaceAttachment"][
        "port_id"]
    url = f"{fake.compute}/servers/{SERVER_ID}/os-interface/{port_id}"
    fake.add("DELETE", url, status=202)

    fake.cloud().compute.detach_interface(SERVER_ID, port_id)

    assert len(fake.calls("DELETE", url)) == 1


# --------------------------------------------------- nova security groups
@pytest.mark.parametrize("method, req", [
    ("add_security_group", "security-group-add-post-req.json"),
    ("remove_security_group", "security-group-remove-post-req.json")])
def test_server_security_group_actions_post_the_request_samples(fake, method, req):
    body = sample(f"{NOVA}/os-security-groups/{req}")
    (action,) = body
    url = f"{fake.compute}/servers/{SERVER_ID}/action"
    fake.add("POST", url, status=202)

    assert getattr(fake.cloud().compute, method)(SERVER_ID, body[action]["name"]) is None

    assert body_of(fake.last("POST", url)) == sample(f"{NOVA}/os-security-groups/{req}")


def test_removing_a_group_the_server_is_not_in_is_reported(devstack):
    message = "Security group test not associated with the instance " + SERVER_ID
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", status=404,
                 json={"itemNotFound": {"code": 404, "message": message}})

    with pytest.raises(NotFound, match="not associated with the instance"):
        devstack.cloud().compute.remove_security_group(SERVER_ID, "test")


# --------------------------------------------------- neutron floating IPs
@pytest.mark.parametrize("resource, key", [
    ("floatingips", "floatingip"), ("security-groups", "security_group"),
    ("security-group-rules", "security_group_rule"), ("networks", "network")])
def test_item_keys_are_the_keys_of_neutrons_samples(resource, key):
    assert item_key(resource) == key


def test_external_networks_are_asked_for_with_the_router_external_filter(fake):
    body = sample(f"{NEUTRON}/networks/networks-list-response.json")
    fake.add("GET", f"{fake.network}/networks", body)

    networks = fake.cloud().network.list_external_networks()

    assert networks == sample(f"{NEUTRON}/networks/networks-list-response.json")["networks"]
    assert query_of(fake.last("GET", f"{fake.network}/networks")) == \
        {"router:external": "true", "limit": "500"}


def test_create_floating_ip_sends_the_samples_fields_and_returns_the_answer(fake):
    req = sample(f"{FIPS}/floatingip-create-request.json")
    fields = req["floatingip"]
    fake.add("POST", f"{fake.network}/floatingips",
             sample(f"{FIPS}/floatingip-create-response.json"), status=201)

    fip = fake.cloud().network.create_floating_ip(
        fields["floating_network_id"], port_id=fields["port_id"],
        fixed_ip_address=fields["fixed_ip_address"], description=fields["description"])

    assert body_of(fake.last("POST", f"{fake.network}/floatingips")) == \
        only(req, "floating_network_id", "port_id", "fixed_ip_address", "description")
    assert fip == sample(f"{FIPS}/floatingip-create-response.json")["floatingip"]


def test_allocating_without_a_port_sends_only_the_network(devstack):
    req = sample(f"{FIPS}/floatingip-create-request.json")
    devstack.add("POST", f"{devstack.network}/floatingips",
                 sample(f"{FIPS}/floatingip-create-response.json"), status=201)

    devstack.cloud().network.create_floating_ip(req["floatingip"]["floating_network_id"])

    assert body_of(devstack.last("POST", f"{devstack.network}/floatingips")) == \
        only(req, "floating_network_id")


#: (collection, request sample, response sample, the client call given the request's fields)
UPDATES = [
    ("floatingips", f"{FIPS}/floatingip-update-request.json",
     f"{FIPS}/floatingip-update-response.json",
     lambda network, item_id, fields: network.associate_floating_ip(item_id, fields["port_id"])),
    ("security-groups", f"{GROUPS}/security-group-update-request.json",
     f"{GROUPS}/security-group-update-response.json",
     lambda network, item_id, fields: network.update_security_group(item_id, **fields)),
]


@pytest.mark.parametrize("resource, request_sample, response_sample, call", UPDATES,
                         ids=[u[0] for u in UPDATES])
def test_updates_put_the_update_request_sample(fake, resource, request_sample, response_sample,
                                               call):
    (key, fields), = sample(request_sample).items()
    answer = sample(response_sample)
    url = f"{fake.network}/{resource}/{answer[key]['id']}"
    fake.add("PUT", url, answer)

    item = call(fake.cloud().network, answer[key]["id"], fields)

    assert body_of(fake.last("PUT", url)) == sample(request_sample)
    assert item == sample(response_sample)[key]


def test_associate_with_a_chosen_fixed_address(devstack):
    answer = sample(f"{FIPS}/floatingip-update-response.json")["floatingip"]
    url = f"{devstack.network}/floatingips/{answer['id']}"
    devstack.add("PUT", url, {"floatingip": answer})

    devstack.cloud().network.associate_floating_ip(answer["id"], answer["port_id"],
                                                   answer["fixed_ip_address"])

    assert body_of(devstack.last("PUT", url)) == {"floatingip": {
        "port_id": "fc861431-0e6c-4842-a0ed-e2363f9bc3a8", "fixed_ip_address": "10.0.0.4"}}


def test_disassociate_puts_the_disassociate_request_sample(fake):
    answer = sample(f"{FIPS}/floatingip-disassociate-response.json")
    url = f"{fake.network}/floatingips/{answer['floatingip']['id']}"
    fake.add("PUT", url, answer)

    fip = fake.cloud().network.disassociate_floating_ip(answer["floatingip"]["id"])

    assert body_of(fake.last("PUT", url)) == \
        sample(f"{FIPS}/floatingip-disassociate-request.json")
    assert fip == sample(f"{FIPS}/floatingip-disassociate-response.json")["floatingip"]
    assert fip["port_id"] is None and fip["fixed_ip_address"] is None


def test_release_deletes_the_floating_ip(fake):
    fip_id = sample(f"{FIPS}/floatingip-show-response.json")["floatingip"]["id"]
    url = f"{fake.network}/floatingips/{fip_id}"
    fake.add("DELETE", url, status=204)

    fake.cloud().network.delete_floating_ip(fip_id)

    assert len(fake.calls("DELETE", url)) == 1


# ------------------------------------------------ neutron security groups
def test_create_security_group_sends_name_and_description(fake):
    req = sample(f"{GROUPS}/security-group-create-request.json")
    fake.add("POST", f"{fake.network}/security-groups",
             sample(f"{GROUPS}/security-group-create-response.json"), status=201)

    group = fake.cloud().network.create_security_group(req["security_group"]["name"],
                                                       req["security_group"]["description"])

    # stateful is Neutron's default; osdesk does not send it
    assert body_of(fake.last("POST", f"{fake.network}/security-groups")) == \
        only(req, "name", "description")
    assert group == sample(f"{GROUPS}/security-group-create-response.json")["security_group"]


def test_delete_security_group_sends_the_sample_delete(fake):
    # security-group-delete-request-json-http.txt: DELETE /v2.0/security-groups/<id> → 204
    request_line = sample_text(f"{GROUPS}/security-group-delete-request-json-http.txt")
    method, path = request_line.splitlines()[0].split()
    group_id = path.rsplit("/", 1)[-1]
    url = f"{fake.network}/security-groups/{group_id}"
    fake.add("DELETE", url, status=204)

    fake.cloud().network.delete_security_group(group_id)

    sent = fake.last("DELETE", url)
    assert sent.method == method and sent.url.endswith(path)


def test_deleting_a_group_in_use_is_a_conflict_with_neutrons_message(devstack):
    group_id = "85cc3048-abc3-43cc-89b3-377341426ac5"
    message = f"Security Group {group_id} in use."
    devstack.add("DELETE", f"{devstack.network}/security-groups/{group_id}", status=409,
                 json={"NeutronError": {"type": "SecurityGroupInUse", "message": message,
                                        "detail": ""}})

    with pytest.raises(Conflict) as err:
        devstack.cloud().network.delete_security_group(group_id)

    assert str(err.value) == f"{message} (HTTP 409)"


def test_list_rules_returns_the_sample_rules(fake):
    url = f"{fake.network}/security-group-rules"
    fake.add("GET", url, sample(f"{GROUPS}/security-group-rules-list-response.json"))
    group_id = "85cc3048-abc3-43cc-89b3-377341426ac5"

    rules = fake.cloud().network.list_security_group_rules(filters={"security_group_id": group_id})

    assert rules == \
        sample(f"{GROUPS}/security-group-rules-list-response.json")["security_group_rules"]
    assert query_of(fake.last("GET", url)) == {"security_group_id": group_id, "limit": "500"}


def test_create_rule_sends_the_request_sample_fields(fake):
    req = sample(f"{GROUPS}/security-group-rule-create-request.json")
    rule = req["security_group_rule"]
    url = f"{fake.network}/security-group-rules"
    fake.add("POST", url, sample(f"{GROUPS}/security-group-rule-create-response.json"),
             status=201)

    created = fake.cloud().network.create_security_group_rule(
        rule["security_group_id"], direction=rule["direction"], ethertype=rule["ethertype"],
        protocol=rule["protocol"], port_range_min=rule["port_range_min"],
        port_range_max=rule["port_range_max"], remote_group_id=rule["remote_group_id"])

    # remote address groups are not offered by osdesk
    assert body_of(fake.last("POST", url)) == \
        only(req, "direction", "port_range_min", "ethertype", "port_range_max", "protocol",
             "remote_group_id", "security_group_id")
    assert created == \
        sample(f"{GROUPS}/security-group-rule-create-response.json")["security_group_rule"]


def test_a_quick_ssh_rule_is_sent_as_neutron_reads_it(devstack):
    group_id = "a7734e61-b545-452d-a3cd-0189cbd9747a"
    url = f"{devstack.network}/security-group-rules"
    devstack.add("POST", url, sample(f"{GROUPS}/security-group-rule-create-response.json"),
                 status=201)

    devstack.cloud().network.create_security_group_rule(group_id,
                                                        **quick_fields("ssh", "203.0.113.7/24"))

    assert body_of(devstack.last("POST", url)) == {"security_group_rule": {
        "security_group_id": group_id, "direction": "ingress", "ethertype": "IPv4",
        "protocol": "tcp", "port_range_min": 22, "port_range_max": 22,
        "remote_ip_prefix": "203.0.113.0/24", "description": "SSH (TCP 22)"}}


def test_an_any_protocol_rule_sends_no_protocol_ports_or_description(devstack):
    group_id = "a7734e61-b545-452d-a3cd-0189cbd9747a"
    url = f"{devstack.network}/security-group-rules"
    devstack.add("POST", url, sample(f"{GROUPS}/security-group-rule-create-response.json"),
                 status=201)

    devstack.cloud().network.create_security_group_rule(
        group_id, **rule_fields("any", "22", "2001:db8::/32", direction="egress"))

    # null would be accepted too, but an absent key is what the CLI sends for "any"
    assert body_of(devstack.last("POST", url)) == {"security_group_rule": {
        "security_group_id": group_id, "direction": "egress", "ethertype": "IPv6",
        "remote_ip_prefix": "2001:db8::/32"}}


def test_delete_rule_sends_delete(fake):
    rule_id = sample(f"{GROUPS}/security-group-rule-create-response.json")[
        "security_group_rule"]["id"]
    url = f"{fake.network}/security-group-rules/{rule_id}"
    fake.add("DELETE", url, status=204)

    fake.cloud().network.delete_security_group_rule(rule_id)

    assert len(fake.calls("DELETE", url)) == 1
