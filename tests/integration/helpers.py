"""Helpers for the tests against the real services."""

from __future__ import annotations

import time
import uuid

from osdesk.profiles.profile import Profile


def demo_profile(rc: dict, **changes) -> Profile:
    fields = dict(name="realcloud-demo", auth_url=rc["OS_AUTH_URL"], auth_type="password",
                  username=rc["RC_DEMO_USERNAME"], user_domain_name="Default",
                  project_name=rc["RC_DEMO_PROJECT_NAME"], project_domain_name="Default",
                  region_name=rc.get("OS_REGION_NAME", "RegionOne"), timeout=60)
    fields.update(changes)
    return Profile(**fields)


def unique(prefix: str) -> str:
    return f"osdesk-test-{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(fn, predicate, timeout=120.0, interval=0.5):
    """Poll ``fn()`` until ``predicate(value)``; return the value."""
    deadline = time.monotonic() + timeout
    value = None
    while time.monotonic() < deadline:
        value = fn()
        if predicate(value):
            return value
        time.sleep(interval)
    raise AssertionError(f"condition not reached in {timeout}s; last value: {value!r}")
