"""Helpers shared by the demo-cloud tests (imported as ``demo_helpers``)."""

from __future__ import annotations

import json
import os
import time

import requests
from keystoneauth1 import adapter, session
from keystoneauth1.identity import v3

from tests.samples import SAMPLES as _SAMPLES

SAMPLES = str(_SAMPLES)


def sample(rel: str):
    """Load an upstream API sample (path relative to shared/api-samples)."""
    with open(os.path.join(SAMPLES, rel)) as f:
        return json.load(f)


def wait_for(fn, timeout: float = 20.0, interval: float = 0.02, what: str = "condition"):
    """Poll ``fn`` until it returns something truthy (no timing is asserted)."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        last = fn()
        if last:
            return last
        time.sleep(interval)
    raise AssertionError("timed out waiting for %s (last value: %r)" % (what, last))


def make_session(cloud, project_name="demo", **kw):
    auth = v3.Password(auth_url=cloud.auth_url, username=cloud.USERNAME,
                       password=cloud.PASSWORD, user_domain_name=cloud.USER_DOMAIN,
                       project_name=project_name, project_domain_name="Default", **kw)
    return session.Session(auth=auth)


def nova(sess, mv="2.96"):
    return adapter.Adapter(sess, service_type="compute", interface="public",
                           region_name="RegionOne", default_microversion=mv)


def glance(sess):
    return adapter.Adapter(sess, service_type="image", interface="public",
                           region_name="RegionOne")


def neutron(sess):
    return adapter.Adapter(sess, service_type="network", interface="public",
                           region_name="RegionOne")


def token_for(cloud, project="demo"):
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": cloud.USERNAME, "domain": {"name": "Default"}, "password": cloud.PASSWORD}}},
        "scope": {"project": {"name": project, "domain": {"name": "Default"}}}}}
    r = requests.post(cloud.auth_url + "/auth/tokens", json=body, timeout=30)
    assert r.status_code == 201, r.text
    return r.headers["X-Subject-Token"]


def server_status(api, sid):
    r = api.get("/servers/%s" % sid, raise_exc=False)
    if r.status_code == 404:
        return None
    return r.json()["server"]["status"]


def wait_status(api, sid, status, timeout=30.0):
    return wait_for(lambda: server_status(api, sid) == status, timeout=timeout,
                    what="server %s to become %s" % (sid, status))


def find_server(api, name):
    servers = api.get("/servers/detail").json()["servers"]
    for s in servers:
        if s["name"] == name:
            return s
    raise AssertionError("no server named %s" % name)


def boot(api, cloud, name, *, image="cirros-0.6.2-x86_64-disk", flavor="1", network="private",
         wait=True, **extra):
    """Create a server (through the API) and optionally wait until ACTIVE."""
    st = cloud.state
    img = next(i for i in st.images.values() if i["name"] == image)
    net = next(n for n in st.networks.values()
               if n["name"] == network and n["project_id"] == cloud.PROJECT_ID)
    body = {"server": {"name": name, "imageRef": img["id"], "flavorRef": flavor,
                       "networks": [{"uuid": net["id"]}], **extra}}
    r = api.post("/servers", json=body)
    assert r.status_code == 202, r.text
    sid = r.json()["server"]["id"]
    if wait:
        wait_status(api, sid, "ACTIVE")
    return sid
