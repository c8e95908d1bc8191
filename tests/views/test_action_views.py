"""Every action a kind declares without a ``run`` has its dialog in the page's view class."""

from __future__ import annotations

from osdesk.kinds.registry import KINDS
from osdesk.views.action_views import DIALOGS
from osdesk.views.page_actions import PageActions


def test_every_declared_dialog_action_has_its_view():
    missing = []
    for kind in KINDS:
        if kind.key == "servers":  # the server menu runs its own (views/server_menu.py)
            continue
        cls = DIALOGS.get(kind.key, PageActions)
        for action in kind.actions:
            if action.run is not None:
                continue
            name = f"on_{action.key}" if action.page else f"ask_{action.key}"
            if not callable(getattr(cls, name, None)):
                missing.append(f"{kind.key}.{name}")
    assert missing == []


def test_kinds_without_dialogs_get_the_plain_page_actions():
    plain = {k.key for k in KINDS if k.actions and k.key not in DIALOGS and k.key != "servers"}
    assert plain == {"subnets"}
