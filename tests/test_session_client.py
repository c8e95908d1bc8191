"""A cloud session makes its API client (and loads the HTTP stack) on first use, not when
it is made: opening a cloud shows the window and a returning user's last rows first. A
misconfigured profile is still refused at once, and a session never used closes quietly."""

from __future__ import annotations

import pytest

from osdesk.api import CallLog, ConfigError
from osdesk.profiles.profile import Profile
from osdesk.runtime.runner import Runner
from osdesk.runtime.session import CloudSession


def profile(**changes) -> Profile:
    fields = dict(id="p", name="Lab", auth_url="http://127.0.0.1:9/identity/v3",
                  username="alice", project_name="demo")
    fields.update(changes)
    return Profile(**fields)


def test_the_client_is_made_on_first_use(qapp):
    runner = Runner()
    try:
        session = CloudSession(profile(), "secret", runner, CallLog())
        assert session._cloud is None and session.token_expires_in() is None
        cloud = session.cloud
        assert cloud is session.cloud and cloud.profile.name == "Lab"
        session.close()
    finally:
        runner.shutdown()


def test_a_session_never_used_closes_without_a_client(qapp):
    runner = Runner()
    try:
        session = CloudSession(profile(), "secret", runner, CallLog())
        session.close()
        assert session.closed and session._cloud is None
    finally:
        runner.shutdown()


def test_a_misconfigured_profile_is_refused_at_once(qapp):
    bad = profile(auth_url="")
    assert bad.problems()
    runner = Runner()
    try:
        with pytest.raises(ConfigError):
            CloudSession(bad, "secret", runner, CallLog())
    finally:
        runner.shutdown()
