"""Nova samples through ComputeClient: bodies come back exactly as sent, request
bodies have the shape of nova's request samples, at the sample's microversion."""

from __future__ import annotations

import pytest

from api_fakes import (NOVA, FakeCloud, body_of, index_rows, json_response, microversion_of, query_of,
                       sample, set_compute_max)
from osdesk.api.errors import OsdeskError

SERVER_ID = "9168b536-cd40-4630-b43f-b259807c6e87"


def _rows(resource, op_prefix, direction="response", exclude=()):
    rows = [r for r in index_rows("nova", resource)
            if r["direction"] == direction and r["op"].startswith(op_prefix)
            and not any(r["op"].startswith(e) for e in exclude)]
    assert rows, f"INDEX.tsv has no nova {resource} {op_prefix} {direction} rows"
    return rows


def _id(row):
    return f"{row['microversion'] or 'base'}:{row['path'].rsplit('/', 1)[-1]}"


# ---------------------------------------------------------------- servers
SERVER_LIST_ROWS = _rows("servers", "list", exclude=("list-security-groups",))


@pytest.mark.parametrize("row", SERVER_LIST_ROWS, ids=_id)
def test_server_list_returns_every_sample_server_unchanged(fake, row):
    expected_mv = set_compute_max(fake, row["microversion"])
    body = sample(row["path"])
    detail = row["op"].startswith("list-detail")
    path = "/servers/detail" if detail else "/servers"

    def answer(request):
        # a follow-up page (the sample's servers_links next) is empty
        if "marker" in query_of(request):
            return json_response({"servers": []})
        return json_response(body)

    fake.rsps.add_callback("GET", fake.compute + path, callback=answer)
    servers = fake.cloud().compute.list_servers(detail=detail)

    assert servers == sample(row["path"])["servers"]
    first = fake.calls("GET", fake.compute + path)[0].request
    assert microversion_of(first) == expected_mv
    assert first.headers["X-OpenStack-Nova-API-Version"] == expected_mv


@pytest.mark.parametrize("row", _rows("servers", "get"), ids=_id)
def test_get_server_returns_the_sample_server_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    body = sample(row["path"])
    server_id = body["server"]["id"]
    fake.add("GET", f"{fake.compute}/servers/{server_id}", body)

    assert fake.cloud().compute.get_server(server_id) == sample(row["path"])["server"]


#: create_server keyword ← key in nova's request body
CREATE_KEYS = ("name", "imageRef", "flavorRef", "networks", "key_name", "security_groups",
               "availability_zone", "user_data", "metadata", "min_count", "max_count",
               "block_device_mapping_v2")


def _create_args(server: dict) -> dict:
    args = {"name": server["name"], "image_id": server.get("imageRef"),
            "flavor_id": server["flavorRef"]}
    for key, kw in (("networks", "networks"), ("key_name", "key_name"),
                    ("availability_zone", "availability_zone"), ("user_data", "user_data"),
                    ("metadata", "metadata"), ("min_count", "min_count"),
                    ("max_count", "max_count"),
                    ("block_device_mapping_v2", "block_device_mapping_v2")):
        if key in server:
            args[kw] = server[key]
    if "security_groups" in server:
        args["security_groups"] = [g["name"] for g in server["security_groups"]]
    return args


def _create_response_for(row):
    folder = row["path"].rsplit("/", 1)[0]
    for other in index_rows("nova", "servers"):
        if (other["direction"] == "response" and other["op"] == row["op"]
                and other["path"].rsplit("/", 1)[0] == folder
                and other["microversion"] == row["microversion"]):
            return other["path"]
    return f"{NOVA}/servers/server-create-resp.json"


@pytest.mark.parametrize("row", _rows("servers", "create", direction="request"), ids=_id)
def test_create_server_posts_the_sample_request_shape(fake, row):
    mv = set_compute_max(fake, row["microversion"])
    request_sample = sample(row["path"])["server"]
    response_path = _create_response_for(row)
    fake.add("POST", f"{fake.compute}/servers", sample(response_path), status=202)

    answer = fake.cloud().compute.create_server(**_create_args(request_sample))

    posted = body_of(fake.last("POST", f"{fake.compute}/servers"))
    expected = {k: v for k, v in request_sample.items() if k in CREATE_KEYS}
    if "networks" not in expected and tuple(map(int, mv.split("."))) >= (2, 37):
        # a few upstream samples (v2.90, v2.94) omit the key nova requires from 2.37 on;
        # osdesk sends the CLI's default then
        expected["networks"] = "auto"
    assert posted == {"server": expected}
    assert answer == sample(response_path)


@pytest.mark.parametrize("networks", ["auto", "none"])
def test_create_server_sends_auto_or_none_networks_from_237(devstack, networks):
    set_compute_max(devstack, "2.37")
    req = sample(f"{NOVA}/servers/v2.37/server-create-req.json")["server"]
    devstack.add("POST", f"{devstack.compute}/servers",
                 sample(f"{NOVA}/servers/v2.37/server-create-resp.json"), status=202)

    devstack.cloud().compute.create_server(req["name"], req["imageRef"], req["flavorRef"],
                                           networks=networks)

    posted = body_of(devstack.last("POST", f"{devstack.compute}/servers"))
    assert posted == {"server": dict(req, networks=networks)}


@pytest.mark.parametrize("networks", ["auto", "none"])
def test_create_server_refuses_auto_or_none_networks_below_237(devstack, networks):
    set_compute_max(devstack, "2.36")
    req = sample(f"{NOVA}/servers/v2.37/server-create-req.json")["server"]
    devstack.add("POST", f"{devstack.compute}/servers", status=202)
    cloud = devstack.cloud()

    with pytest.raises(OsdeskError, match="2.37"):
        cloud.compute.create_server(req["name"], req["imageRef"], req["flavorRef"],
                                    networks=networks)
    assert devstack.calls("POST", f"{devstack.compute}/servers") == []


def test_create_server_below_237_sends_no_networks_key_when_none_given(devstack):
    set_compute_max(devstack, "2.19")
    req = sample(f"{NOVA}/servers/v2.19/server-create-req.json")["server"]
    devstack.add("POST", f"{devstack.compute}/servers",
                 sample(f"{NOVA}/servers/v2.19/server-create-resp.json"), status=202)

    devstack.cloud().compute.create_server(req["name"], req["imageRef"], req["flavorRef"])

    posted = body_of(devstack.last("POST", f"{devstack.compute}/servers"))
    assert "networks" not in posted["server"]


def test_create_server_rejects_a_networks_string_other_than_auto_or_none(devstack):
    set_compute_max(devstack, "2.100")
    with pytest.raises(OsdeskError, match="'private'"):
        devstack.cloud().compute.create_server("vm", "img", "1", networks="private")


# ---------------------------------------------------------------- actions
def _action_rows():
    return [r for r in index_rows("nova", "servers")
            if r["direction"] == "request" and r["op"].startswith("action:")]


def _null_action_rows():
    """Every action request sample whose body is ``{name: null}``."""
    out = []
    for row in _action_rows():
        body = sample(row["path"])
        name = row["op"].split(":", 1)[1].split(" ", 1)[0]
        if body == {name: None}:
            out.append(row)
    return out


NULL_ACTION_ROWS = _null_action_rows()


def test_null_body_action_samples_cover_the_simple_actions():
    names = {r["op"].split(":", 1)[1] for r in NULL_ACTION_ROWS}
    for name in ("os-start", "os-stop", "pause", "unpause", "suspend", "resume", "lock",
                 "unlock", "shelve", "unshelve", "unrescue", "confirmResize", "revertResize"):
        assert name in names


#: action name → the ComputeClient method that sends it with no arguments
WRAPPERS = {"os-start": "start", "os-stop": "stop", "pause": "pause", "unpause": "unpause",
            "suspend": "suspend", "resume": "resume", "lock": "lock", "unlock": "unlock",
            "shelve": "shelve", "unshelve": "unshelve", "unrescue": "unrescue",
            "confirmResize": "confirm_resize", "revertResize": "revert_resize"}


@pytest.mark.parametrize("row", NULL_ACTION_ROWS, ids=_id)
def test_simple_action_body_equals_the_request_sample(fake, row):
    set_compute_max(fake, row["microversion"])
    name = row["op"].split(":", 1)[1]
    fake.add("POST", f"{fake.compute}/servers/{SERVER_ID}/action", status=202)
    compute = fake.cloud().compute

    result = (getattr(compute, WRAPPERS[name])(SERVER_ID) if name in WRAPPERS
              else compute.action(SERVER_ID, name))

    assert body_of(fake.last("POST", f"{fake.compute}/servers/{SERVER_ID}/action")) \
        == sample(row["path"])
    assert result == {}


def _path_op(path):
    for row in _action_rows():
        if row["path"] == path:
            return row["op"]
    raise AssertionError(f"{path} is not an action request in INDEX.tsv")


#: (sample path, microversion, call, keys of the sample osdesk never sends)
ACTION_CASES = [
    ("servers/server-action-reboot.json", "", lambda c: c.reboot(SERVER_ID, hard=True), ()),
    ("os-lock-server/v2.73/lock-server-with-reason.json", "2.73",
     lambda c: c.lock(SERVER_ID, reason="I don't want to work"), ()),
    ("os-shelve/v2.77/os-unshelve-az.json", "2.77",
     lambda c: c.unshelve(SERVER_ID, availability_zone="us-west"), ()),
    # osdesk lets nova generate the rescue password (shown once), never sets one
    ("os-rescue/server-rescue-req.json", "", lambda c: c.rescue(SERVER_ID), ("adminPass",)),
    ("os-rescue/server-rescue-req-with-image-ref.json", "",
     lambda c: c.rescue(SERVER_ID, "70a599e0-31e7-49b7-b260-868f441e862b"), ("adminPass",)),
    ("servers/server-action-resize.json", "", lambda c: c.resize(SERVER_ID, "2"),
     ("OS-DCF:diskConfig",)),
    ("servers/server-action-rebuild.json", "",
     lambda c: c.rebuild(SERVER_ID, "70a599e0-31e7-49b7-b260-868f441e862b", name="foobar"),
     ("accessIPv4", "accessIPv6", "OS-DCF:diskConfig", "adminPass", "metadata", "personality")),
    ("servers/server-action-create-image.json", "",
     lambda c: c.create_image(SERVER_ID, "foo-image", {"meta_var": "meta_val"}), ()),
    ("os-console-output/console-output-post-req.json", "",
     lambda c: c.console_output(SERVER_ID, 50), ()),
]


@pytest.mark.parametrize("path, mv, call, never_sent", ACTION_CASES,
                         ids=[c[0].rsplit("/", 1)[-1] for c in ACTION_CASES])
def test_action_body_equals_the_request_sample(fake, path, mv, call, never_sent):
    set_compute_max(fake, mv)
    name = _path_op(f"{NOVA}/{path}").split(":", 1)[1]
    expected = sample(f"{NOVA}/{path}")
    if never_sent:
        args = {k: v for k, v in expected[name].items() if k not in never_sent}
        expected = {name: args or None}
    ok_answer = {"os-getConsoleOutput": sample(f"{NOVA}/os-console-output/console-output-post-resp.json"),
                 "rescue": sample(f"{NOVA}/os-rescue/server-rescue.json")}.get(name)
    fake.add("POST", f"{fake.compute}/servers/{SERVER_ID}/action", ok_answer,
             status=200 if ok_answer else 202)

    call(fake.cloud().compute)

    assert body_of(fake.last("POST", f"{fake.compute}/servers/{SERVER_ID}/action")) == expected


def test_lock_reason_is_dropped_below_273(devstack):
    set_compute_max(devstack, "2.72")
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", status=202)

    devstack.cloud().compute.lock(SERVER_ID, reason="I don't want to work")

    assert body_of(devstack.last("POST", f"{devstack.compute}/servers/{SERVER_ID}/action")) \
        == sample(f"{NOVA}/os-lock-server/lock-server.json")


def test_rescue_returns_the_generated_admin_pass(devstack):
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action",
                 sample(f"{NOVA}/os-rescue/server-rescue.json"))

    assert devstack.cloud().compute.rescue(SERVER_ID) \
        == sample(f"{NOVA}/os-rescue/server-rescue.json")


def test_console_output_returns_the_output_text(devstack):
    resp = sample(f"{NOVA}/os-console-output/console-output-post-resp.json")
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", resp)

    assert devstack.cloud().compute.console_output(SERVER_ID, 50) == resp["output"]


def test_create_image_returns_the_image_id_from_the_245_body(devstack):
    set_compute_max(devstack, "2.45")
    resp = sample(f"{NOVA}/servers/v2.45/server-action-create-image-resp.json")
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", resp, status=202)

    assert devstack.cloud().compute.create_image(SERVER_ID, "foo-image") == resp


def test_create_image_reads_the_image_id_from_location_before_245(devstack):
    set_compute_max(devstack, "2.44")
    image_id = sample(f"{NOVA}/servers/v2.45/server-action-create-image-resp.json")["image_id"]
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/action", status=202,
                 headers={"Location": f"http://cloud.test/image/v2/images/{image_id}"})

    assert devstack.cloud().compute.create_image(SERVER_ID, "foo-image") == {"image_id": image_id}


# -------------------------------------------------------- remote consoles
#: (protocol, console_type, microversion, request sample, response sample)
MODERN_CONSOLES = [
    ("vnc", None, "2.6", "os-remote-consoles/v2.6/create-vnc-console-req.json",
     "os-remote-consoles/v2.6/create-vnc-console-resp.json"),
    ("rdp", None, "2.6", "os-remote-consoles/v2.6/create-rdp-console-req.json", None),
    ("mks", None, "2.8", "os-remote-consoles/v2.8/create-mks-console-req.json",
     "os-remote-consoles/v2.8/create-mks-console-resp.json"),
    ("spice", "spice-direct", "2.99", "os-remote-consoles/v2.99/create-spice-direct-console-req.json",
     "os-remote-consoles/v2.99/create-spice-direct-console-resp.json"),
]


@pytest.mark.parametrize("protocol, ctype, mv, req, resp", MODERN_CONSOLES,
                         ids=[c[3].rsplit("/", 1)[-1] for c in MODERN_CONSOLES])
def test_remote_console_uses_remote_consoles_from_26(fake, protocol, ctype, mv, req, resp):
    set_compute_max(fake, mv)
    url = f"{fake.compute}/servers/{SERVER_ID}/remote-consoles"
    answer = sample(f"{NOVA}/{resp}") if resp else {"remote_console": dict(
        sample(f"{NOVA}/{req}")["remote_console"], url="http://cloud.test:6083/?token=x")}
    fake.add("POST", url, answer)

    console = fake.cloud().compute.remote_console(SERVER_ID, protocol, ctype)

    sent = fake.last("POST", url)
    assert body_of(sent) == sample(f"{NOVA}/{req}")
    assert microversion_of(sent) == mv
    assert console == answer["remote_console"]


LEGACY_CONSOLES = [("vnc", "get-vnc-console-post"), ("spice", "get-spice-console-post"),
                   ("serial", "get-serial-console-post"), ("rdp", "get-rdp-console-post")]


@pytest.mark.parametrize("mv", ["2.5", ""])
@pytest.mark.parametrize("protocol, stem", LEGACY_CONSOLES, ids=[c[0] for c in LEGACY_CONSOLES])
def test_remote_console_uses_the_legacy_action_before_26(devstack, mv, protocol, stem):
    devstack.compute_max = mv  # "" = a cloud without microversions
    devstack.compute_min = ""
    url = f"{devstack.compute}/servers/{SERVER_ID}/action"
    resp = sample(f"{NOVA}/os-remote-consoles/{stem}-resp.json")
    devstack.add("POST", url, resp)

    console = devstack.cloud().compute.remote_console(SERVER_ID, protocol)

    assert body_of(devstack.last("POST", url)) == sample(f"{NOVA}/os-remote-consoles/{stem}-req.json")
    assert console == resp["console"]
    assert devstack.calls("POST", f"{devstack.compute}/servers/{SERVER_ID}/remote-consoles") == []


# ------------------------------------------------------- instance actions
@pytest.mark.parametrize("row", _rows("instance-actions", "list"), ids=_id)
def test_instance_actions_returns_the_sample_list_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    fake.add("GET", f"{fake.compute}/servers/{SERVER_ID}/os-instance-actions", sample(row["path"]))

    assert fake.cloud().compute.instance_actions(SERVER_ID) \
        == sample(row["path"])["instanceActions"]


# ------------------------------------------------------------------ flavors
@pytest.mark.parametrize("row", _rows("flavors", "list"), ids=_id)
def test_flavor_list_returns_the_sample_flavors_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    detail = row["op"].startswith("list-detail")
    fake.add("GET", fake.compute + ("/flavors/detail" if detail else "/flavors"),
             sample(row["path"]))

    assert fake.cloud().compute.list_flavors(detail=detail) == sample(row["path"])["flavors"]


@pytest.mark.parametrize("row", _rows("flavors", "get"), ids=_id)
def test_get_flavor_returns_the_sample_flavor_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    body = sample(row["path"])
    fake.add("GET", f"{fake.compute}/flavors/{body['flavor']['id']}", body)

    assert fake.cloud().compute.get_flavor(body["flavor"]["id"]) == sample(row["path"])["flavor"]


def test_flavor_extra_specs_returns_the_sample_specs_unchanged(fake):
    path = f"{NOVA}/flavor-extra-specs/flavor-extra-specs-list-resp.json"
    fake.add("GET", f"{fake.compute}/flavors/1/os-extra_specs", sample(path))

    assert fake.cloud().compute.flavor_extra_specs("1") == sample(path)["extra_specs"]


# ---------------------------------------------------------------- keypairs
@pytest.mark.parametrize("row", _rows("keypairs", "list"), ids=_id)
def test_keypair_list_is_unwrapped_from_the_sample(fake, row):
    set_compute_max(fake, row["microversion"])
    body = sample(row["path"])

    def answer(request):
        if "marker" in query_of(request):
            return json_response({"keypairs": []})
        return json_response(body)

    fake.rsps.add_callback("GET", f"{fake.compute}/os-keypairs", callback=answer)

    keypairs = fake.cloud().compute.list_keypairs()

    assert keypairs == [item["keypair"] for item in sample(row["path"])["keypairs"]]


@pytest.mark.parametrize("row", _rows("keypairs", "get"), ids=_id)
def test_get_keypair_returns_the_sample_keypair_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    body = sample(row["path"])
    name = body["keypair"]["name"]
    fake.add("GET", f"{fake.compute}/os-keypairs/{name}", body)

    assert fake.cloud().compute.get_keypair(name) == sample(row["path"])["keypair"]


#: (microversion advertised, request sample, response sample, microversion sent)
KEYPAIR_CREATE = [
    ("", "os-keypairs/keypairs-post-req.json", "os-keypairs/keypairs-post-resp.json", None),
    ("2.2", "os-keypairs/v2.2/keypairs-post-req.json", "os-keypairs/v2.2/keypairs-post-resp.json",
     "2.2"),
    ("2.91", "os-keypairs/v2.2/keypairs-post-req.json", "os-keypairs/v2.35/keypairs-post-resp.json",
     "2.91"),
    ("2.92", "os-keypairs/v2.2/keypairs-post-req.json", "os-keypairs/v2.35/keypairs-post-resp.json",
     "2.91"),
    ("2.104", "os-keypairs/v2.2/keypairs-post-req.json",
     "os-keypairs/v2.35/keypairs-post-resp.json", "2.91"),
]


@pytest.mark.parametrize("mv, req, resp, sent_mv", KEYPAIR_CREATE,
                         ids=[f"{c[0] or 'none'}->{c[3]}" for c in KEYPAIR_CREATE])
def test_create_keypair_lets_nova_generate_the_key(devstack, mv, req, resp, sent_mv):
    if mv:
        set_compute_max(devstack, mv)
    else:
        devstack.compute_max = devstack.compute_min = ""
    devstack.add("POST", f"{devstack.compute}/os-keypairs", sample(f"{NOVA}/{resp}"))
    name = sample(f"{NOVA}/{req}")["keypair"]["name"]

    keypair = devstack.cloud().compute.create_keypair(name)

    sent = devstack.last("POST", f"{devstack.compute}/os-keypairs")
    assert body_of(sent) == sample(f"{NOVA}/{req}")
    assert microversion_of(sent) == sent_mv
    assert keypair == sample(f"{NOVA}/{resp}")["keypair"]
    assert keypair["private_key"].startswith("-----BEGIN")


@pytest.mark.parametrize("mv, req, resp", [
    ("", "os-keypairs/keypairs-import-post-req.json", "os-keypairs/keypairs-import-post-resp.json"),
    ("2.2", "os-keypairs/v2.2/keypairs-import-post-req.json",
     "os-keypairs/v2.2/keypairs-import-post-resp.json"),
], ids=["base", "2.2"])
def test_import_keypair_posts_the_sample_request(fake, mv, req, resp):
    if mv:
        set_compute_max(fake, mv)
    else:
        fake.compute_max = fake.compute_min = ""
    fake.add("POST", f"{fake.compute}/os-keypairs", sample(f"{NOVA}/{resp}"))
    kp = sample(f"{NOVA}/{req}")["keypair"]

    result = fake.cloud().compute.import_keypair(kp["name"], kp["public_key"] + "\n",
                                                 key_type=kp.get("type"))

    assert body_of(fake.last("POST", f"{fake.compute}/os-keypairs")) == sample(f"{NOVA}/{req}")
    assert result == sample(f"{NOVA}/{resp}")["keypair"]


def test_delete_keypair_quotes_a_name_with_a_space(fake):
    name = sample(f"{NOVA}/os-keypairs/v2.92/keypairs-import-post-resp.json")["keypair"]["name"]
    fake.add("DELETE", f"{fake.compute}/os-keypairs/me.and.myself@this.nice.domain.com%20mooh.",
             status=202)

    fake.cloud().compute.delete_keypair(name)

    assert len(fake.calls("DELETE", f"{fake.compute}/os-keypairs/")) == 1


# ------------------------------------------------------------------ limits
@pytest.mark.parametrize("row", _rows("limits", "get"), ids=_id)
def test_limits_returns_the_sample_absolute_limits_unchanged(fake, row):
    set_compute_max(fake, row["microversion"])
    fake.add("GET", f"{fake.compute}/limits", sample(row["path"]))

    assert fake.cloud().compute.limits() == sample(row["path"])["limits"]["absolute"]


def test_mks_console_below_28_is_refused_without_a_request(devstack):
    set_compute_max(devstack, "2.7")
    devstack.add("POST", f"{devstack.compute}/servers/{SERVER_ID}/remote-consoles", {})
    cloud = devstack.cloud()

    with pytest.raises(OsdeskError, match="2.8"):
        cloud.compute.remote_console(SERVER_ID, "mks")

    assert devstack.calls("POST", f"{devstack.compute}/servers/{SERVER_ID}") == []


def test_compute_catalog_url_with_a_project_id_keeps_it_in_calls(rsps):
    # keystone's own sample catalog: http://host:8774/v2.1/<project id>
    fake = FakeCloud(rsps, "ports")
    project_id = sample(fake.token_sample)["token"]["project"]["id"]
    fake.compute_catalog = f"http://cloud.test:8774/v2.1/{project_id}"
    body = sample(f"{NOVA}/servers/v2.73/servers-details-resp.json")
    fake.add("GET", f"http://cloud.test:8774/v2.1/{project_id}/servers/detail", body)
    cloud = fake.cloud()

    assert cloud.compute.list_servers() == body["servers"]
    assert cloud.compute_microversion == "2.100"
