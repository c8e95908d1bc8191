"""Fixtures of the api tests: a ``responses`` mock and a fake cloud on it."""

from __future__ import annotations

import sys
from pathlib import Path

_HERE = Path(__file__).resolve().parent
for _path in (str(_HERE.parents[1]), str(_HERE)):  # the checkout (osdesk) and api_fakes
    if _path not in sys.path:
        sys.path.insert(0, _path)

import pytest  # noqa: E402
import responses  # noqa: E402

from api_fakes import STYLES, FakeCloud  # noqa: E402


@pytest.fixture
def rsps():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture(params=sorted(STYLES))
def fake(request, rsps) -> FakeCloud:
    """A fake cloud in each catalog style."""
    return FakeCloud(rsps, request.param)


@pytest.fixture
def devstack(rsps) -> FakeCloud:
    """A fake cloud in the devstack style only, for tests where layout does not matter."""
    return FakeCloud(rsps, "devstack")

