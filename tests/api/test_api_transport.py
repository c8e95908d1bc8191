"""What the transport under keystoneauth sends and how it reads: the token is the only
credential, and a body is read in big pieces (each piece is a turn of the GIL)."""

from __future__ import annotations

from urllib.parse import urlsplit

import urllib3

from api_fakes import NOVA, sample
from osdesk.api import transport


def test_no_basic_auth_from_netrc_reaches_the_cloud(devstack, tmp_path, monkeypatch):
    """requests would add ``Authorization: Basic`` from ~/.netrc for a matching host;
    a cloud gets its Keystone token and nothing else."""
    host = urlsplit(devstack.compute).hostname
    netrc = tmp_path / "netrc"
    netrc.write_text(f"machine {host} login someone password hunter2\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    devstack.add("GET", f"{devstack.compute}/limits", sample(f"{NOVA}/limits/limit-get-resp.json"))
    cloud = devstack.cloud()
    cloud.compute.limits()
    sent = [c.request for c in devstack.rsps.calls]
    assert sent and all("Authorization" not in r.headers for r in sent)
    assert all("X-Auth-Token" in r.headers for r in sent if "/limits" in r.url)


def test_a_big_body_is_read_in_big_pieces_with_every_byte(devstack, monkeypatch):
    servers = {"servers": [{"id": f"{i:08d}", "name": "x" * 1500} for i in range(600)]}
    devstack.add("GET", f"{devstack.compute}/servers/detail", servers)
    reads = []
    real_read = urllib3.response.HTTPResponse.read

    def read(self, amt=None, *args, **kwargs):
        reads.append(amt)
        return real_read(self, amt, *args, **kwargs)
    monkeypatch.setattr(urllib3.response.HTTPResponse, "read", read)
    cloud = devstack.cloud()
    cloud.authenticate()
    reads.clear()
    body = cloud.json("compute", "GET", "/servers/detail")
    assert body == servers
    assert reads and all(amt is None or amt >= transport.BODY_PIECE_BYTES for amt in reads)
    assert len(reads) <= 3  # ~1 MB: one piece and the end (requests' 10 KiB took ~90)
