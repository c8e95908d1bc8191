"""``osdesk --demo`` offers three demo clouds: listed in the sidebar, each with its own
servers (names, region, project), all stopped with the window."""

from __future__ import annotations

import pytest
import requests

from tests.gui.conftest import run, until

PROFILES = {"demo": "Demo cloud", "demo-regiontwo": "Demo — RegionTwo",
            "demo-ops": "Demo — ops project"}


def sidebar_names(window) -> list[str]:
    model = window.clouds_model
    return [model.profile_at(row).name for row in range(model.rowCount())]


def shown_servers(window, loop, profile_id: str, count: int) -> set[str]:
    """Open the demo cloud ``profile_id`` and wait for its ``count`` servers."""
    window.open_profile(window.clouds.transient(profile_id))
    page = window.pages["servers"]
    run(loop, until(lambda: window.session is not None
                    and window.session.profile.id == profile_id
                    and page.feed.state == "ready" and page.model.rowCount() == count))
    return {page.model.raw_at(row)["name"] for row in range(count)}


def test_the_demo_offers_three_clouds_each_with_its_own_servers(window, loop):
    primary = window.open_demo(servers=8)
    assert primary is window.demos.primary and primary.PROJECT_NAME == "demo"
    assert sidebar_names(window) == list(PROFILES.values())
    assert window.open_demo(servers=8) is primary  # started once
    assert sidebar_names(window) == list(PROFILES.values())
    main = shown_servers(window, loop, "demo", 8)
    region_two = shown_servers(window, loop, "demo-regiontwo", 4)
    ops = shown_servers(window, loop, "demo-ops", 3)
    assert "web-0001" in main and "r2-web-0001" in region_two and "ops-web-0001" in ops
    assert not (main & region_two) and not (main & ops) and not (region_two & ops)
    assert "ops" in window.status_cloud.text()
    clouds = window.demos.running
    assert [c.REGION for c in clouds] == ["RegionOne", "RegionTwo", "RegionOne"]
    assert [c.PROJECT_NAME for c in clouds] == ["demo", "demo", "ops"]
    assert len({c.port for c in clouds}) == 3


def test_closing_the_window_stops_every_demo_cloud(window, loop):
    window.open_demo(servers=3)
    clouds = list(window.demos.running)
    for cloud in clouds:
        assert requests.get(cloud.base_url + "/identity", timeout=5).status_code == 300
    window.shutdown()
    assert window.demos.running == []
    for cloud in clouds:
        with pytest.raises(requests.ConnectionError):
            requests.get(cloud.base_url + "/identity", timeout=5)
