"""Fixtures for the demo-cloud tests: a running DemoCloud and keystoneauth sessions."""

from __future__ import annotations

import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from demo_helpers import glance, make_session, neutron, nova  # noqa: E402

from osdesk.demo import DemoCloud  # noqa: E402


@pytest.fixture(scope="module")
def demo():
    cloud = DemoCloud(servers=12, speed=50.0).start()
    yield cloud
    cloud.stop()


@pytest.fixture(scope="module")
def sess(demo):
    return make_session(demo)


@pytest.fixture(scope="module")
def compute(sess):
    return nova(sess)


@pytest.fixture(scope="module")
def image_api(sess):
    return glance(sess)


@pytest.fixture(scope="module")
def network_api(sess):
    return neutron(sess)
