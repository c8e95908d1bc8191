"""Which view class runs each page's declared actions (k9s's registrar, for actions).

A kind whose actions all ``run`` on their own gets a plain :class:`PageActions`; a kind
with dialog actions is listed here with the class that provides ``ask_<key>`` /
``on_<key>``. Servers have their own menu (``server_menu.py``).
"""

from __future__ import annotations

from osdesk.views.address_actions import FloatingIpActions
from osdesk.views.page_actions import PageActions
from osdesk.views.resource_actions import ImageActions, KeypairActions, NetworkActions
from osdesk.views.security_group_views import SecurityGroupActions
from osdesk.views.volume_actions import SnapshotActions, VolumeActions

DIALOGS: dict[str, type[PageActions]] = {
    "images": ImageActions, "keypairs": KeypairActions, "networks": NetworkActions,
    "volumes": VolumeActions, "volume_snapshots": SnapshotActions,
    "floating_ips": FloatingIpActions, "security_groups": SecurityGroupActions,
}


def actions_for(window, page) -> PageActions:
    return DIALOGS.get(page.kind.key, PageActions)(window, page)
