"""In-memory state of the demo cloud: clock, timers, fault injection, data.

Everything the HTTP handlers read or change lives here and is guarded by
``CloudState.lock``.  Timers are *lazy*: a transition schedules events on one
heap, and ``tick()`` (run at the start of every request, under the lock) applies
the ones that are due.  No thread is spawned per server.
"""

from __future__ import annotations

import heapq
import ipaddress
import itertools
import re
import threading
import time
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from types import SimpleNamespace

from .util import IdFactory

# nova power states
NOSTATE, RUNNING, PAUSED_PS, SHUTDOWN, CRASHED, SUSPENDED_PS = 0, 1, 3, 4, 6, 7

# nova api/openstack/common.py _STATE_MAP (vm_state -> task_state -> status)
_RESIZING = dict.fromkeys(("resize_prep", "resize_migrating", "resize_migrated", "resize_finish"),
                          "RESIZE")
_REBUILDING = dict.fromkeys(("rebuilding", "rebuild_block_device_mapping", "rebuild_spawning"),
                            "REBUILD")
_STATE_MAP = {
    "active": {"default": "ACTIVE", "migrating": "MIGRATING", "updating_password": "PASSWORD",
               **dict.fromkeys(("rebooting", "reboot_pending", "reboot_started"), "REBOOT"),
               **dict.fromkeys(("rebooting_hard", "reboot_pending_hard", "reboot_started_hard"),
                               "HARD_REBOOT"), **_RESIZING, **_REBUILDING},
    "building": {"default": "BUILD"},
    "stopped": {"default": "SHUTOFF", **_RESIZING, **_REBUILDING},
    "resized": {"default": "VERIFY_RESIZE", "resize_reverting": "REVERT_RESIZE"},
    "paused": {"default": "PAUSED", "migrating": "MIGRATING"},
    "error": {"default": "ERROR", **_REBUILDING},
    **{vm: {"default": status} for vm, status in (
        ("suspended", "SUSPENDED"), ("rescued", "RESCUE"), ("deleted", "DELETED"),
        ("soft-delete", "SOFT_DELETED"), ("shelved", "SHELVED"),
        ("shelved_offloaded", "SHELVED_OFFLOADED"))},
}


@dataclass(slots=True, eq=False)
class Server:
    """One nova instance.  ``touch()`` after every change (drops cached JSON)."""

    id: str
    name: str
    project_id: str
    user_id: str
    seq: int
    created: float
    updated: float
    flavor: dict
    image_id: str | None
    vm_state: str = "active"
    power_state: int = RUNNING
    az: str = "nova"
    host: str | None = None
    hostname: str = ""
    key_name: str | None = None
    metadata: dict = field(default_factory=dict)
    tags: list = field(default_factory=list)
    description: str | None = None
    task_state: str | None = None
    launched_at: float | None = None
    disk_config: str = "MANUAL"
    pinned_az: str | None = None
    config_drive: str = ""
    access_ipv4: str = ""
    access_ipv6: str = ""
    user_data: str | None = None
    progress: int = 0
    net_ready: bool = True
    admin_pass: str | None = None
    # not constructor arguments
    old_flavor: dict | None = field(default=None, init=False)
    locked: bool = field(default=False, init=False)
    locked_reason: str | None = field(default=None, init=False)
    fault: dict | None = field(default=None, init=False)
    port_ids: list = field(default_factory=list, init=False)
    gen: int = field(default=0, init=False)
    cache: dict = field(default_factory=dict, init=False)
    actions: list | None = field(default=None, init=False)
    seed_kind: str | None = field(default=None, init=False)
    shelved_image_id: str | None = field(default=None, init=False)
    prev_vm_state: str | None = field(default=None, init=False)
    server_groups: list = field(default_factory=list, init=False)

    @property
    def status(self) -> str:
        m = _STATE_MAP.get(self.vm_state, {"default": "UNKNOWN"})
        return m.get(self.task_state or "default", m["default"])

    def touch(self, now: float | None = None):
        self.cache = {}
        if now is not None:
            self.updated = now


@dataclass(slots=True, eq=False)
class Port:
    """A neutron port (kept as an object: there is one per server NIC)."""

    id: str
    project_id: str
    network_id: str
    mac: str
    fixed_ips: list  # [(subnet id, address)]
    created: float
    updated: float | None = None  # None: created
    name: str = ""
    device_id: str = ""
    device_owner: str = ""
    status: str | None = None  # None: follow the server's power state
    security_groups: list = field(default_factory=list)
    server: Server | None = None
    host: str = ""
    nova_created: bool = True
    revision: int = field(default=1, init=False)
    admin_state_up: bool = field(default=True, init=False)
    description: str = field(default="", init=False)
    tags: list = field(default_factory=list, init=False)
    port_security_enabled: bool = field(default=True, init=False)

    def __post_init__(self):
        self.updated = self.created if self.updated is None else self.updated

    def current_status(self) -> str:
        if self.status is not None:
            return self.status
        srv = self.server
        if srv is None:
            return "DOWN"
        if not srv.net_ready:
            return "DOWN"
        return "ACTIVE" if srv.power_state in (RUNNING, PAUSED_PS) else "DOWN"


class ProjectCompute:
    """Per-project nova data: servers ordered by creation sequence."""

    def __init__(self, project_id: str):
        self.project_id = project_id
        self.servers: dict[str, Server] = {}
        self.by_seq: dict[int, Server] = {}
        self.seqs: list[int] = []  # ascending creation order
        self.tombstones: dict[str, int] = {}  # deleted server id -> seq (markers stay valid)
        self.quota = {"instances": 10, "cores": 20, "ram": 51200, "key_pairs": 100,
                      "metadata_items": 128, "server_groups": 10, "server_group_members": 10}

    def add(self, srv: Server):
        self.servers[srv.id] = srv
        self.by_seq[srv.seq] = srv
        if not self.seqs or srv.seq > self.seqs[-1]:
            self.seqs.append(srv.seq)
        else:
            insort(self.seqs, srv.seq)

    def remove(self, srv: Server):
        self.servers.pop(srv.id, None)
        self.by_seq.pop(srv.seq, None)
        i = bisect_left(self.seqs, srv.seq)
        if i < len(self.seqs) and self.seqs[i] == srv.seq:
            del self.seqs[i]

    def usage(self):
        """→ (servers, cores, ram MiB) the project uses."""
        flavors = [s.flavor for s in self.servers.values()]
        return len(flavors), sum(f["vcpus"] for f in flavors), sum(f["ram"] for f in flavors)


class CloudState:
    """All demo-cloud data plus the knobs tests use to misbehave."""

    def __init__(self, *, speed: float = 1.0, token_ttl: int = 3600,
                 services=("identity", "compute", "image", "network"), seed: int = 2024):
        self.lock = threading.RLock()
        self.speed = float(speed) if speed and speed > 0 else 1.0
        self.token_ttl = token_ttl
        self.services = tuple(services)
        self.ids = IdFactory(seed)
        self.base_url = "http://127.0.0.1"
        self.region = "RegionOne"
        self._offset = 0.0
        self._frozen: float | None = None
        self._heap: list = []
        self._counter = itertools.count()
        self._seq = itertools.count(1)
        # fault injection
        self._failures: list[SimpleNamespace] = []
        self.latency = 0.0
        self._hangs: list[re.Pattern] = []
        self._hang_cond = threading.Condition()
        self.stopped = False
        self.request_count = 0
        # identity
        self.domains: dict[str, dict] = {}
        self.users: dict[str, dict] = {}
        self.projects: dict[str, dict] = {}
        self.roles: dict[str, dict] = {}
        self.assignments: list[tuple] = []  # (user_id, ("project"|"domain", id), role_id)
        self.app_creds: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.catalog_ids: dict = {}
        # compute
        self.flavors: dict[str, dict] = {}
        self.compute: dict[str, ProjectCompute] = {}
        self.server_index: dict[str, Server] = {}
        self.keypairs: dict[str, dict[str, dict]] = {}  # user_id -> name -> keypair
        self.keypair_seq = itertools.count(1)
        # image
        self.images: dict[str, dict] = {}
        self.image_data: dict[str, object] = {}
        self.image_data_cap = 64 * 1024 * 1024  # bytes kept in memory per upload
        self.image_disk_cap = 2 * 1024 * 1024 * 1024  # spooled to disk up to this
        self.tmpdir = None
        # network
        self.networks: dict[str, dict] = {}
        self.subnets: dict[str, dict] = {}
        self.ports: dict[str, Port] = {}
        self.ports_by_device: dict[str, list[str]] = {}
        self.routers: dict[str, dict] = {}
        self.security_groups: dict[str, dict] = {}
        self.sg_rules: dict[str, dict] = {}
        self.floatingips: dict[str, dict] = {}
        self.ip_used: dict[str, set] = {}  # subnet_id -> set of int addresses
        self.ip_next: dict[str, int] = {}
        self.net_quota: dict[str, dict] = {}

    # ------------------------------------------------------------------ clock
    def now(self) -> float:
        if self._frozen is not None:
            return self._frozen + self._offset
        return time.time() + self._offset

    def freeze_clock(self):
        """Stop the demo clock: nothing changes until ``advance()`` (deterministic tests)."""
        with self.lock:
            self._frozen = time.time()

    def unfreeze_clock(self):
        with self.lock:
            if self._frozen is not None:
                self._offset += self._frozen - time.time()
                self._frozen = None

    def advance(self, seconds: float):
        """Move the demo clock forward (expires tokens, finishes transitions)."""
        with self.lock:
            self._offset += seconds
            self.tick()

    def next_seq(self) -> int:
        return next(self._seq)

    # ------------------------------------------------------------------ timers
    def schedule(self, delay: float, fn, *, scaled: bool = True):
        """Run ``fn()`` (under the lock) once ``delay`` seconds have passed."""
        d = delay / self.speed if scaled else delay
        heapq.heappush(self._heap, (self.now() + d, next(self._counter), fn))

    def tick(self):
        """Apply every timer that is due.  Call with the lock held."""
        now = self.now()
        heap = self._heap
        while heap and heap[0][0] <= now:
            _, _, fn = heapq.heappop(heap)
            fn()

    def settle(self):
        """Finish every pending transition now (tests)."""
        with self.lock:
            while self._heap:
                due, _, fn = heapq.heappop(self._heap)
                if due > self.now():
                    self._offset += due - self.now()
                fn()

    # ------------------------------------------------------------------ faults
    def fail_next(self, path_regex: str, status: int = 500, body=None, *, method: str | None = None,
                  times: int = 1, headers: dict | None = None):
        """Make the next ``times`` requests whose path matches answer ``status``.

        ``body`` may be a dict/list (sent as JSON), str (text/plain) or bytes.
        With ``body=None`` a service-shaped error body is generated.
        """
        with self.lock:
            self._failures.append(SimpleNamespace(  # what router.injected() answers
                regex=re.compile(path_regex), status=status, body=body, headers=headers or {},
                method=method.upper() if method else None, remaining=times))

    def clear_failures(self):
        with self.lock:
            self._failures.clear()

    def take_failure(self, method: str, path: str):
        with self.lock:
            for f in self._failures:
                if f.method in (None, method) and f.regex.search(path):
                    f.remaining -= 1
                    if f.remaining <= 0:
                        self._failures.remove(f)
                    return f
        return None

    def set_latency(self, seconds: float):
        self.latency = max(0.0, float(seconds))

    def hang(self, path_regex: str):
        with self._hang_cond:
            self._hangs.append(re.compile(path_regex))

    def unhang(self, path_regex: str | None = None):
        with self._hang_cond:
            self._hangs = [r for r in self._hangs  # None: all of them
                           if path_regex is not None and r.pattern != path_regex]
            self._hang_cond.notify_all()

    def wait_if_hung(self, path: str) -> bool:
        """Block while ``path`` matches a hang pattern.  False if the cloud stopped."""
        with self._hang_cond:
            while not self.stopped and any(r.search(path) for r in self._hangs):
                self._hang_cond.wait(0.5)
            return not self.stopped

    def release_all(self):
        with self._hang_cond:
            self.stopped = True
            self._hang_cond.notify_all()

    # ------------------------------------------------------------------ helpers for tests
    def expire_tokens(self):
        """Make every issued token invalid server-side (as if it had expired)."""
        with self.lock:
            for t in self.tokens.values():
                t["expires"] = min(t["expires"], self.now() - 1)

    def project_id(self, name_or_id: str) -> str:
        if name_or_id in self.projects:
            return name_or_id
        for p in self.projects.values():
            if p["name"] == name_or_id:
                return p["id"]
        raise KeyError(name_or_id)

    def set_quota(self, project: str, **limits):
        """e.g. ``state.set_quota("demo", instances=5, cores=10)``."""
        with self.lock:
            pc = self.compute[self.project_id(project)]
            pc.quota.update(limits)

    def get_server(self, server_id: str) -> Server | None:
        with self.lock:
            self.tick()
            return self.server_index.get(server_id)

    def server_by_name(self, name: str, project: str = "demo") -> Server | None:
        with self.lock:
            self.tick()
            pc = self.compute[self.project_id(project)]
            return next((s for s in pc.servers.values() if s.name == name), None)

    # ------------------------------------------------------------------ ports index
    def _index(self, port: Port, add: bool):
        """Keep ``ports_by_device`` in step with ``port.device_id``."""
        if port.device_id:
            ids = self.ports_by_device.setdefault(port.device_id, [])
            if add:
                ids.append(port.id)
            elif port.id in ids:
                ids.remove(port.id)
            if not ids:
                del self.ports_by_device[port.device_id]

    def add_port(self, port: Port):
        self.ports[port.id] = port
        self._index(port, True)

    def remove_port(self, port_id: str):
        port = self.ports.pop(port_id, None)
        if port is not None:
            self._index(port, False)
            for sid, ip in port.fixed_ips:
                self.ip_used.get(sid, set()).discard(int(ipaddress.ip_address(ip)))
        return port

    def set_port_device(self, port: Port, device_id: str, owner: str):
        self._index(port, False)
        port.device_id, port.device_owner = device_id, owner
        self._index(port, True)
