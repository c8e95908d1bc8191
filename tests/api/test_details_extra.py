"""The detail pane's extra calls (a kind's ``extra``) on the real samples."""

from __future__ import annotations

from api_fakes import NOVA, sample
from osdesk.kinds.keypairs import KIND as KEYPAIRS
from osdesk.rules.formats import (LookupContext)


def test_a_key_pair_s_created_time_comes_from_its_own_get(devstack):
    # Nova's list leaves created_at out; the key pair's own GET has it
    listed = sample(f"{NOVA}/os-keypairs/keypairs-list-resp.json")["keypairs"][0]["keypair"]
    assert "created_at" not in listed
    full = sample(f"{NOVA}/os-keypairs/keypairs-get-resp.json")
    name = listed["name"]
    devstack.add("GET", f"{devstack.compute}/os-keypairs/{name}", full)

    extra = KEYPAIRS.extra_sections(devstack.cloud(), listed)

    [(title, rows)] = extra
    shown = {label: value for label, value, _copy in rows}
    assert shown["User"] == "fake" and shown["ID"] == "1"
    assert shown["Created"].startswith("2014-05-07")
    # and the list row alone does not claim an empty "Created"
    main = KEYPAIRS.sections(listed, LookupContext())
    assert "Created" not in {label for _t, rs in main for label, _v, _c in rs}


def test_no_extra_call_when_the_row_already_has_its_created_time(devstack):
    full = sample(f"{NOVA}/os-keypairs/keypairs-get-resp.json")["keypair"]

    assert KEYPAIRS.extra_sections(devstack.cloud(), full) == []
    main = KEYPAIRS.sections(full, LookupContext())
    assert "Created" in {label for _t, rs in main for label, _v, _c in rs}


def test_field_names_read_as_labels():
    from osdesk.kinds.detail import label
    assert label("id") == "ID"
    assert label("os_hash_value") == "OS hash value"
    assert label("min_ram") == "Min RAM"
    assert label("provider:network_type") == "Provider network type"
    assert label("is_domain") == "Is domain"
