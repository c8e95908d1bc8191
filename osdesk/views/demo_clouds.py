"""``osdesk --demo``: three demo clouds side by side, each listed as a cloud of this run.

They differ in region, project, server names, counts and addresses, so that what is
across clouds (the "All clouds" inventory, search) has distinct things to find.  All
three run in this process (one HTTP thread each); they start together in well under
a tenth of a second and stop together.
"""

from __future__ import annotations

import dataclasses

from osdesk.profiles.profile import Profile

#: profile id, name, servers (of the count asked for), id seed, seed.Variant fields;
#: the first is the one ``open_demo`` opens
DEMO_CLOUDS = (
    ("demo", "Demo cloud", lambda n: n, 2024, {}),
    ("demo-regiontwo", "Demo — RegionTwo", lambda n: max(3, n // 2), 2025,
     {"region": "RegionTwo", "prefix": "r2-", "net": 1}),
    ("demo-ops", "Demo — ops project", lambda n: max(3, n // 4), 2026,
     {"project": "ops", "prefix": "ops-", "net": 2}),
)


def demo_profile(demo, profile_id: str, name: str) -> Profile:
    """The transient profile that signs in to ``demo`` (a ``DemoCloud``) as its user."""
    known = {f.name for f in dataclasses.fields(Profile)} - {"id", "source"}
    fields = {k: v for k, v in demo.profile_fields(name).items() if k in known}
    return Profile(id=profile_id, source="demo", **fields)


class DemoClouds:
    """The demo clouds of this run: started once, listed in the clouds sidebar, stopped
    together.  ``primary`` is the first (the one opened)."""

    def __init__(self):
        self.running: list = []  # DemoCloud, in DEMO_CLOUDS order

    @property
    def primary(self):
        return self.running[0] if self.running else None

    def start(self, clouds, servers: int = 40):
        """Start every demo cloud (once) and add each as a transient cloud of ``clouds``
        (the window's ``CloudActions``); → the primary one."""
        if not self.running:
            from osdesk.demo import DemoCloud
            from osdesk.demo.seed import Variant
            for profile_id, name, count, seed_value, variant in DEMO_CLOUDS:
                demo = DemoCloud(servers=count(servers), seed_value=seed_value,
                                 variant=Variant(**variant)).start()
                self.running.append(demo)
                clouds.add_transient_cloud(demo_profile(demo, profile_id, name), demo.PASSWORD)
        return self.primary

    def stop(self) -> None:
        running, self.running = self.running, []
        for demo in running:
            demo.stop()
