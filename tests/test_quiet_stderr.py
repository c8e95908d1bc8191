"""A bad auth URL is reported in the window (service and host); keystoneauth's own
discovery warning does not also reach stderr, unless --debug asks for everything."""

from __future__ import annotations

import logging

import pytest

from osdesk.api import Cloud, OsdeskError
from osdesk.app import configure_logging
from osdesk.profiles.profile import Profile


@pytest.fixture
def quiet_then_restored():
    ks = logging.getLogger("keystoneauth")
    level = ks.level
    yield ks
    ks.setLevel(level)


def test_a_failed_discovery_warns_nothing_on_stderr(quiet_then_restored, capfd, unused_port):
    configure_logging(debug=False)
    profile = Profile(name="bad", auth_url=f"http://127.0.0.1:{unused_port}/v3",
                      username="u", project_name="p", timeout=5)
    with pytest.raises(OsdeskError) as exc:
        Cloud(profile, "secret").authenticate()
    assert "127.0.0.1" in str(exc.value)  # the window's message names the host
    assert capfd.readouterr().err == ""
    configure_logging(debug=True)
    assert quiet_then_restored.getEffectiveLevel() == logging.INFO


@pytest.fixture
def unused_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
