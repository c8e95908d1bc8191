"""A request that gets no (complete) answer names the service and the host it went to.

Each service runs on its own port here (the "ports" catalog layout), so an error that
named the auth URL's host for every failure would say ``cloud.test:5000`` for Nova.
"""

from __future__ import annotations

import socket
import ssl

import pytest
import requests
from urllib3.connection import HTTPConnection
from urllib3.exceptions import MaxRetryError, NameResolutionError, NewConnectionError, ProtocolError
from urllib3.exceptions import SSLError as Urllib3SSLError

from api_fakes import NOVA, FakeCloud, future_iso, sample
from osdesk.api.errors import ConnectionFailed, HostNotFound, RequestTimeout, TlsError

_CONN = HTTPConnection("cloud.test", 80)


def _connect_timeout():
    return requests.exceptions.ConnectTimeout(
        "HTTPConnectionPool(host='cloud.test'): Max retries exceeded (Caused by "
        "ConnectTimeoutError(<HTTPConnection>, 'Connection to cloud.test timed out. "
        "(connect timeout=7)'))")


def _read_timeout():
    return requests.exceptions.ReadTimeout("HTTPConnectionPool(host='cloud.test'): Read timed "
                                           "out. (read timeout=7)")


def _refused():
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason=NewConnectionError(
        _CONN, "Failed to establish a new connection: [Errno 111] Connection refused")))


def _reset():
    return requests.exceptions.ChunkedEncodingError(ProtocolError(
        "Connection broken: ConnectionResetError(104, 'Connection reset by peer')",
        ConnectionResetError(104, "Connection reset by peer")))


def _tls():
    return requests.exceptions.SSLError(MaxRetryError(None, "/", reason=Urllib3SSLError(
        ssl.SSLCertVerificationError(1, "[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify "
                                        "failed: self-signed certificate (_ssl.c:1006)"))))


def _dns():
    return requests.exceptions.ConnectionError(MaxRetryError(None, "/", reason=NameResolutionError(
        "cloud.test", _CONN, socket.gaierror(-2, "Name or service not known"))))


#: (id, exception factory, osdesk class, sentence with {where} for "<Service> at <host>")
KINDS = [
    ("connect-timeout", _connect_timeout, RequestTimeout, "{where} did not answer within 7 s ("),
    ("read-timeout", _read_timeout, RequestTimeout, "{where} did not answer within 7 s ("),
    ("refused", _refused, ConnectionFailed,
     "{where} refused the connection: nothing listens there."),
    ("reset", _reset, ConnectionFailed,
     "The connection to {where} broke in the middle of an answer ("),
    ("tls", _tls, TlsError, "TLS check failed for {where}: "),
    ("dns", _dns, HostNotFound, "The host name of {where} could not be resolved ("),
]

#: per service: its display name, the host of its endpoint, and the call that fails
SERVICES = {
    "identity": ("Identity (Keystone)", "cloud.test:5000",
                 lambda f: f.identity + "/projects", lambda c: c.identity.list_projects()),
    "compute": ("Compute (Nova)", "cloud.test:8774",
                lambda f: f.compute + "/servers/detail", lambda c: c.compute.list_servers()),
    "image": ("Image (Glance)", "cloud.test:9292",
              lambda f: f.image + "/images", lambda c: c.image.list_images()),
    "network": ("Network (Neutron)", "cloud.test:9696",
                lambda f: f.network + "/networks", lambda c: c.network.list_networks()),
}


@pytest.fixture
def ports(rsps) -> FakeCloud:
    return FakeCloud(rsps, "ports")


@pytest.mark.parametrize("service", sorted(SERVICES))
@pytest.mark.parametrize("case, make, cls, sentence", KINDS, ids=[k[0] for k in KINDS])
def test_a_failed_service_call_names_the_service_and_its_host(ports, service, case, make, cls,
                                                              sentence):
    label, host, url, call = SERVICES[service]
    ports.rsps.add("GET", url(ports), body=make())
    cloud = ports.cloud()
    cloud.authenticate()

    with pytest.raises(cls) as info:
        call(cloud)

    assert type(info.value) is cls
    assert sentence.format(where=f"{label} at {host}") in str(info.value)
    if service != "identity":
        assert "5000" not in str(info.value)  # not the auth URL's host


@pytest.mark.parametrize("case, make, cls, sentence", KINDS, ids=[k[0] for k in KINDS])
def test_a_failed_token_request_names_keystone_and_its_host(ports, case, make, cls, sentence):
    ports.rsps.replace("POST", ports.identity + "/auth/tokens", body=make())

    with pytest.raises(cls) as info:
        ports.cloud().authenticate()

    assert sentence.format(where="Identity (Keystone) at cloud.test:5000") in str(info.value)


def test_a_token_renewal_that_fails_inside_a_nova_call_names_keystone(ports):
    ports.add("GET", f"{ports.compute}/limits", sample(f"{NOVA}/limits/limit-get-resp.json"))
    cloud = ports.cloud()
    cloud.authenticate()
    # the token in hand has a minute left: the next Nova call renews it first
    cloud.session.auth.auth_ref._data["token"]["expires_at"] = future_iso(60)
    ports.rsps.replace("POST", ports.identity + "/auth/tokens", body=_read_timeout())

    with pytest.raises(RequestTimeout) as info:
        cloud.compute.limits()

    assert str(info.value).startswith("Identity (Keystone) at cloud.test:5000 did not answer "
                                      "within 7 s")


def test_devstack_paths_on_one_host_still_name_the_service(devstack):
    devstack.rsps.add("GET", devstack.compute + "/servers/detail", body=_read_timeout())
    cloud = devstack.cloud()

    with pytest.raises(RequestTimeout) as info:
        cloud.compute.list_servers()

    assert str(info.value).startswith("Compute (Nova) at cloud.test did not answer within 7 s")


@pytest.mark.parametrize("service_type, label", [
    ("identity", "Identity (Keystone)"), ("compute", "Compute (Nova)"),
    ("image", "Image (Glance)"), ("network", "Network (Neutron)"),
    ("block-storage", "Block Storage (Cinder)"), ("volumev3", "Block Storage (Cinder)"),
    ("volume", "Block Storage (Cinder)"), ("placement", "Placement"),
    ("object-store", "Object Storage (Swift)"), ("orchestration", "Orchestration (Heat)"),
    ("load-balancer", "Load Balancer (Octavia)"), ("baremetal-introspection",
                                                   "baremetal-introspection"),
])
def test_service_labels(service_type, label):
    from osdesk.api.failures import service_label

    assert service_label(service_type) == label
