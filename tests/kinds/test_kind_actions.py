"""Actions declared by the kinds: which show, which are refused and why — Qt-free,
on the real Glance sample."""

from __future__ import annotations

import json

from osdesk.kinds.base import KindAction
from osdesk.kinds.images import KIND as IMAGES
from osdesk.kinds.keypairs import KIND as KEYPAIRS
from tests.samples import SAMPLES

GLANCE_IMAGE = json.loads((SAMPLES / "glance" / "api-ref" / "source" / "v2" / "samples"
                           / "image-show-response.json").read_text())


def shown(kind, rows) -> dict[str, str]:
    """The row actions a menu on ``rows`` shows, with the reason each is refused."""
    return {a.key: a.why_not(rows, kind.noun(1)) for a in kind.actions
            if not a.page and a.when(rows)}


def image(**changes) -> dict:
    return dict(GLANCE_IMAGE, **changes)


def test_an_active_image_can_do_everything_but_reactivate():
    menu = shown(IMAGES, [image(status="active", protected=False)])
    assert menu == {"deactivate": "", "edit": "", "download": "", "delete": ""}


def test_a_deactivated_image_offers_reactivate_instead_and_no_download():
    menu = shown(IMAGES, [image(status="deactivated", protected=False)])
    assert "deactivate" not in menu and menu["reactivate"] == ""
    assert menu["download"] == "needs active, image is deactivated"


def test_a_protected_image_is_not_deleted_and_says_how_to_allow_it():
    menu = shown(IMAGES, [image(status="active", protected=True)])
    assert menu["delete"] == "protected: unprotect it first (Edit…)"


def test_dialog_actions_take_one_row_at_a_time():
    two = [image(status="active", protected=False, id="a"),
           image(status="active", protected=False, id="b")]
    menu = shown(IMAGES, two)
    assert menu["edit"] == "one image at a time"
    assert menu["deactivate"] == "" and menu["delete"] == ""


def test_deletes_are_confirmed_and_page_actions_act_on_no_row():
    for kind in (IMAGES, KEYPAIRS):
        delete = next(a for a in kind.actions if a.key == "delete")
        assert delete.confirm == "always" and delete.consequence
    creates = [a for a in KEYPAIRS.actions if a.page]
    assert [a.label for a in creates] == ["Create key pair…", "Import public key…"]
    assert all(a.why_not([]) == "" for a in creates)


def test_an_action_with_no_gate_is_refused_only_for_too_many_rows():
    single = KindAction("rename", "Rename…", single=True)
    assert single.why_not([{}], "volume") == ""
    assert single.why_not([{}, {}], "volume") == "one volume at a time"
