"""A fake OpenStack cloud for the api tests, answered by ``responses`` with the
upstream sample bodies from ``shared/api-samples`` (hosts rewritten to ours).

:class:`FakeCloud` registers Keystone discovery and ``POST /v3/auth/tokens``, and the
version documents of nova, glance, neutron and cinder. Tests add the service calls they
exercise with :meth:`FakeCloud.add` and build a :class:`Cloud` with
:meth:`FakeCloud.cloud`.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import responses

from osdesk.api.calllog import CallLog
from osdesk.api.cloud import Cloud
from osdesk.profiles.profile import Profile


def _samples_root() -> Path:
    from tests.samples import SAMPLES
    return SAMPLES


SAMPLES = _samples_root()
KEYSTONE = "keystone/api-ref/source/v3/samples"
NOVA = "nova/doc/api_samples"
GLANCE = "glance/api-ref/source/v2/samples"
NEUTRON = "neutron/api-ref/source/v2/samples"
CINDER = "cinder/api-ref/source/v3/samples"

#: The password the tests log in with; it must never show up in a call record.
PASSWORD = "s3cr3t-Passw0rd-for-tests"


def sample_text(path: str) -> str:
    return (SAMPLES / path).read_text(encoding="utf-8")


def sample(path: str):
    """A sample body, parsed; a fresh copy every time so tests may edit it."""
    return json.loads(sample_text(path))


def index_rows(service: str | None = None, resource: str | None = None) -> list[dict]:
    """Rows of INDEX.tsv as dicts with ``op`` and ``direction`` split out."""
    with (SAMPLES / "INDEX.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    out = []
    for row in rows:
        if service and row["service"] != service:
            continue
        if resource and row["resource"] != resource:
            continue
        op, _, direction = row["operation"].rpartition("/")
        out.append(dict(row, op=op, direction=direction))
    return out


def http_transcript_headers(path: str) -> dict:
    """Headers of one of the ``.txt`` HTTP transcripts."""
    headers = {}
    for line in sample_text(path).splitlines()[1:]:
        if not line.strip():
            break
        name, _, value = line.partition(":")
        headers[name.strip()] = value.strip()
    return headers


#: The real token of keystone's HTTP transcript sample.
SAMPLE_TOKEN = http_transcript_headers(
    f"{KEYSTONE}/admin/auth-password-user-name-unscoped-response-HTTP.txt")["X-Subject-Token"]
#: Request id in the same transcript.
SAMPLE_REQUEST_ID = http_transcript_headers(
    f"{KEYSTONE}/admin/auth-password-user-name-unscoped-response-HTTP.txt")["x-openstack-request-id"]


def rewrite(data, mapping: dict[str, str]):
    """``data`` with every string prefix in ``mapping`` replaced (longest first)."""
    text = json.dumps(data)
    for old in sorted(mapping, key=len, reverse=True):
        text = text.replace(old, mapping[old])
    return json.loads(text)


# ------------------------------------------------------------------ endpoints
#: Catalog layouts: devstack puts every service under a path prefix on port 80,
#: classic deployments use one port per service.
STYLES = {
    "devstack": {"identity": "http://cloud.test/identity",
                 "compute_root": "http://cloud.test/compute",
                 "compute": "http://cloud.test/compute/v2.1",
                 "image": "http://cloud.test/image",
                 "network": "http://cloud.test/networking",
                 "volume": "http://cloud.test/volume"},
    "ports": {"identity": "http://cloud.test:5000",
              "compute_root": "http://cloud.test:8774",
              "compute": "http://cloud.test:8774/v2.1",
              "image": "http://cloud.test:9292",
              "network": "http://cloud.test:9696",
              "volume": "http://cloud.test:8776"},
}


def future_iso(seconds: float) -> str:
    when = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=seconds)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeCloud:
    """One fake cloud registered on a ``responses.RequestsMock``."""

    def __init__(self, rsps: responses.RequestsMock, style: str = "devstack"):
        self.rsps = rsps
        self.style = style
        urls = STYLES[style]
        self.identity_root = urls["identity"]
        self.compute_root = urls["compute_root"]
        self.compute_catalog = urls["compute"]
        self.image_root = urls["image"]
        self.network_root = urls["network"]
        self.volume_root = urls["volume"]
        # versioned endpoints, as discovery finds them
        self.identity = self.identity_root + "/v3"
        self.compute = self.compute_root + "/v2.1"
        self.image = self.image_root + "/v2"
        self.network = self.network_root + "/v2.0"
        #: nova's version document fields ("" = no microversions)
        self.compute_max = "2.104"
        self.compute_min = "2.1"
        #: token sample used for the answer to POST /auth/tokens
        self.token_sample = f"{KEYSTONE}/admin/auth-password-project-scoped-response.json"
        #: Cinder's endpoint carries the project id (the sample token's project)
        project = sample(self.token_sample)["token"]["project"]
        self.volume = f"{self.volume_root}/v3/{project['id']}"
        #: lifetime of each issued token in seconds, popped per token (last one sticks)
        self.token_lifetimes: list[float] = [3600.0]
        #: X-Subject-Token values, popped per token; later ones are derived from the last
        self.tokens: list[str] = [SAMPLE_TOKEN]
        self.issued: list[str] = []
        #: return 401 for token requests for which this returns True
        self.refuse_auth = lambda body: False
        #: answers a token request itself when it returns (status, headers, body)
        self.answer_auth = lambda body: None
        #: request bodies posted to /auth/tokens, parsed
        self.auth_bodies: list[dict] = []
        self._register_base()

    # ----------------------------------------------------------- discovery
    def _register_base(self):
        ks_map = {"http://example.com/identity": self.identity_root}
        versions = rewrite(sample(f"{KEYSTONE}/admin/identity-versions-response.json"), ks_map)
        version = rewrite(sample(f"{KEYSTONE}/admin/identity-version-response.json"), ks_map)
        for url in (self.identity_root, self.identity_root + "/"):
            self.rsps.add("GET", url, json=versions, status=300)
        for url in (self.identity, self.identity + "/"):
            self.rsps.add("GET", url, json=version, status=200)
        self.rsps.add_callback("POST", self.identity + "/auth/tokens", callback=self._token)

        for url in (self.compute_root, self.compute_root + "/"):
            self.rsps.add_callback("GET", url, callback=self._nova_versions)
        for url in (self.compute, self.compute + "/"):
            self.rsps.add_callback("GET", url, callback=self._nova_version)

        glance = rewrite(sample("glance/api-ref/source/versions/samples/image-versions-response.json"),
                         {"http://glance.openstack.example.org": self.image_root})
        for url in (self.image_root, self.image_root + "/"):
            self.rsps.add("GET", url, json=glance, status=300)

        neutron = rewrite(sample(f"{NEUTRON}/networks/versions-list-response.json"),
                          {"http://23.253.228.211:9696": self.network_root})
        for url in (self.network_root, self.network_root + "/"):
            self.rsps.add("GET", url, json=neutron, status=200)

        root = rewrite(sample(f"{CINDER}/versions/versions-response.json"),
                       {"http://127.0.0.1:45697": self.volume_root})
        for url in (self.volume_root, self.volume_root + "/"):
            self.rsps.add("GET", url, json=root, status=300)

    def _nova_map(self):
        return {"http://openstack.example.com": self.compute_root}

    def _edit_nova(self, version: dict) -> dict:
        if version["id"] == "v2.1":
            version["version"] = self.compute_max
            version["min_version"] = self.compute_min if self.compute_max else ""
        return version

    def _nova_versions(self, request):
        body = rewrite(sample(f"{NOVA}/versions/versions-get-resp.json"), self._nova_map())
        body["versions"] = [self._edit_nova(v) for v in body["versions"]]
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    def _nova_version(self, request):
        body = rewrite(sample(f"{NOVA}/versions/v21-version-get-resp.json"), self._nova_map())
        self._edit_nova(body["version"])
        return 200, {"Content-Type": "application/json"}, json.dumps(body)

    # -------------------------------------------------------------- tokens
    def catalog_map(self) -> dict[str, str]:
        """Catalog URL per service type; ``{project_id}`` is the token's project."""
        # Cinder: the sample catalog lists only its v2 and v1 endpoints; discovery finds v3
        return {"identity": self.identity_root, "compute": self.compute_catalog,
                "image": self.image_root, "network": self.network_root,
                "volumev2": self.volume_root + "/v2/{project_id}",
                "volume": self.volume_root + "/v1/{project_id}"}

    def token_body(self, requested: dict) -> dict:
        body = sample(self.token_sample)
        token = body["token"]
        lifetime = self.token_lifetimes.pop(0) if len(self.token_lifetimes) > 1 \
            else self.token_lifetimes[0]
        token["issued_at"] = future_iso(0)
        token["expires_at"] = future_iso(lifetime)
        scope = requested.get("auth", {}).get("scope")
        methods = requested.get("auth", {}).get("identity", {}).get("methods", [])
        if scope is None and "application_credential" not in methods:
            # an unscoped token: no project, no catalog
            token.pop("project", None)
            token.pop("catalog", None)
            token.pop("roles", None)
        elif scope and isinstance(scope.get("project"), dict) and scope["project"].get("id"):
            wanted = scope["project"]["id"]
            known = sample(f"{KEYSTONE}/admin/get-available-project-scopes-response.json")
            for project in known["projects"]:
                if project["id"] == wanted:
                    token["project"] = {"id": project["id"], "name": project["name"],
                                        "domain": {"id": project["domain_id"], "name": "Default"}}
                    break
            else:
                token["project"] = dict(token["project"], id=wanted)
        mapping = self.catalog_map()
        project_id = token.get("project", {}).get("id", "")
        for service in token.get("catalog", []):
            for endpoint in service["endpoints"]:
                if service["type"] in mapping:
                    endpoint["url"] = mapping[service["type"]].format(project_id=project_id)
                else:  # keep every other URL away from real hosts
                    endpoint["url"] = re.sub(r"^https?://[^/]+", "http://elsewhere.test",
                                             endpoint["url"])
        return body

    def _token(self, request):
        requested = json.loads(request.body or b"{}")
        self.auth_bodies.append(requested)
        headers = {"Content-Type": "application/json",
                   "x-openstack-request-id": SAMPLE_REQUEST_ID}
        answer = self.answer_auth(requested)
        if answer is not None:
            return answer
        if self.refuse_auth(requested):
            error = {"error": {"code": 401, "title": "Unauthorized",
                               "message": "The request you have made requires authentication."}}
            return 401, headers, json.dumps(error)
        body = self.token_body(requested)
        value = self.tokens.pop(0) if self.tokens else f"{self.issued[-1]}x"
        self.issued.append(value)
        headers["X-Subject-Token"] = value
        return 201, headers, json.dumps(body)

    # ------------------------------------------------------------- helpers
    def add(self, method: str, url: str, body=None, *, status: int = 200, headers=None,
            **kwargs):
        """Register a JSON answer (``body`` is dumped as is)."""
        if body is not None and "json" not in kwargs and "body" not in kwargs:
            kwargs["json"] = body
        self.rsps.add(method, url, status=status, headers=headers, **kwargs)

    def profile(self, **changes) -> Profile:
        base = Profile(name="testcloud", auth_url=self.identity_root, username="admin",
                       user_domain_name="Default", project_name="admin",
                       project_domain_name="Default", timeout=7)
        return base.copy(**changes)

    def cloud(self, profile: Profile | None = None, secret: str | None = PASSWORD,
              call_log: CallLog | None = None) -> Cloud:
        return Cloud(profile or self.profile(), secret, call_log=call_log or CallLog())

    def calls(self, method: str | None = None, url_prefix: str | None = None):
        out = []
        for call in self.rsps.calls:
            if method and call.request.method != method:
                continue
            if url_prefix and not call.request.url.startswith(url_prefix):
                continue
            out.append(call)
        return out

    def token_posts(self):
        return self.calls("POST", self.identity + "/auth/tokens")

    def last(self, method: str, url_prefix: str):
        found = self.calls(method, url_prefix)
        assert found, f"no {method} {url_prefix} was sent"
        return found[-1].request


def body_of(request):
    raw = request.body
    if isinstance(raw, bytes):
        raw = raw.decode("utf-8")
    return json.loads(raw)


def query_of(request) -> dict:
    return {k: v[0] if len(v) == 1 else v for k, v in parse_qs(urlsplit(request.url).query).items()}


def microversion_of(request) -> str | None:
    value = request.headers.get("OpenStack-API-Version")
    return value.split(" ", 1)[1] if value else None


# ---------------------------------------------------------- microversions
OSDESK_MAX = (2, 100)


def as_tuple(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    return int(major), int(minor or 0)


def set_compute_max(fake: FakeCloud, microversion: str) -> str:
    """Make nova advertise ``microversion`` as its maximum (base 2.1 when empty);
    return the microversion osdesk should then negotiate."""
    fake.compute_max = microversion or "2.1"
    best = min(OSDESK_MAX, as_tuple(fake.compute_max))
    return f"{best[0]}.{best[1]}"


def json_response(body, status: int = 200, headers: dict | None = None):
    """A ``responses`` callback answer."""
    out = {"Content-Type": "application/json"}
    out.update(headers or {})
    return status, out, json.dumps(body)


class Pages:
    """A ``responses`` callback answering each request with the body registered for its
    marker (None: the first page); ``seen`` holds each request's query."""

    def __init__(self, by_marker: dict):
        self.by_marker = by_marker
        self.seen: list[dict] = []

    def __call__(self, request):
        query = query_of(request)
        self.seen.append(query)
        return json_response(self.by_marker[query.get("marker")])
