"""The demo cloud's initial content (deterministic)."""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import NamedTuple

from . import image as glance
from .compute_servers import HOSTS, _build_steps, run_steps
from . import network_model as neutron
from .compute_views import flavor_snapshot
from .keygen import fingerprint_of
from .state import NOSTATE, PAUSED_PS, SHUTDOWN, Port, ProjectCompute, Server
from .util import slaac_formatter, v4str

USERNAME = "demo"
PASSWORD = "osdesk-demo"
USER_DOMAIN = "Default"

DAY = 86400.0

# id, name, ram MiB, disk GiB, vcpus, extra_specs, description
FLAVORS = [
    ("1", "m1.tiny", 512, 1, 1, {}, None),
    ("2", "m1.small", 2048, 20, 1, {}, None),
    ("3", "m1.medium", 4096, 40, 2, {}, None),
    ("4", "m1.large", 8192, 80, 4, {"hw:cpu_policy": "shared", "hw:numa_nodes": "1"},
     "General purpose, 4 vCPU"),
    ("5", "m1.xlarge", 16384, 160, 8, {}, None),
    ("42", "m1.nano", 128, 1, 1, {}, None),
    ("84", "m1.micro", 192, 1, 1, {}, None),
    ("c1", "c1.xlarge.dedicated", 16384, 80, 8,
     {"hw:cpu_policy": "dedicated", "hw:mem_page_size": "large", "hw:numa_nodes": "1"},
     "Pinned CPUs and huge pages"),
    ("g1", "g1.large.gpu", 32768, 100, 8,
     {"resources:VGPU": "1", "trait:CUSTOM_NVIDIA_A10": "required"}, "One virtual GPU"),
]

#: precomputed data: per seeded image (generator seed, size, md5, sha512) of the generated
#: stream of image.py; the demo user's public key
_DATA = json.loads(Path(__file__).with_name("seed_data.json").read_text(encoding="utf-8"))
IMAGE_DATA = {key: tuple(row) for key, row in _DATA["image_data"].items()}
DEMO_PUBLIC_KEY = _DATA["demo_public_key"]

# role name, flavor id, image key, second NIC on backend?, extra security group?
ROLES = [
    ("web", "2", "ubuntu", False, True),
    ("api", "2", "ubuntu", False, True),
    ("db", "4", "golden", True, False),
    ("cache", "3", "ubuntu", False, False),
    ("worker", "3", "debian", True, False),
    ("batch", "1", "cirros", False, False),
]

# state pattern over (i-1) % 12
PATTERN = ["active", "active", "stopped", "active", "paused", "active", "active", "error",
           "active", "suspended", "locked", "active"]

NO_HOST_FAULT = "No valid host was found. There are not enough hosts available."
#: a seeded server of each still kind: (attributes, the action that put it there)
_KINDS = {"stopped": ({"vm_state": "stopped", "power_state": SHUTDOWN}, "stop"),
          "paused": ({"vm_state": "paused", "power_state": PAUSED_PS}, "pause"),
          "suspended": ({"vm_state": "suspended", "power_state": SHUTDOWN}, "suspend"),
          "locked": ({"locked": True, "locked_reason": "maintenance window"}, "lock"),
          "shelved": ({"vm_state": "shelved_offloaded", "power_state": NOSTATE, "host": None},
                      "shelve")}


class Variant(NamedTuple):
    """What sets one demo cloud apart from another one in the same process (``osdesk --demo``
    starts three): its own project, region, server names and addresses."""

    project: str = "demo"  # the demo user's own project, with the app credential and servers
    region: str = "RegionOne"
    prefix: str = ""  # before every server name ("r2-web-0001")
    net: int = 0  # private 10.<net>.0.0/16, public 172.24.<4 + net>.0/24


# image key (IMAGE_DATA; None: no data yet), name, owner, days old, min_disk, min_ram, attributes,
# properties
IMAGES = [
    ("cirros", "cirros-0.6.2-x86_64-disk", "admin", 400, 1, 0, {"visibility": "public"},
     {"hw_rng_model": "virtio", "os_distro": "cirros", "os_version": "0.6.2", "os_type": "linux"}),
    ("ubuntu", "ubuntu-24.04-minimal-cloudimg-amd64", "admin", 380, 10, 1024,
     {"visibility": "public", "tags": ["lts"]},
     {"os_distro": "ubuntu", "os_version": "24.04", "os_type": "linux", "hw_disk_bus": "scsi",
      "hw_scsi_model": "virtio-scsi", "hw_qemu_guest_agent": "yes", "os_require_quiesce": "yes",
      "os_admin_user": "ubuntu"}),
    ("debian", "debian-12-genericcloud-amd64", "own", 360, 4, 512, {"status": "deactivated"},
     {"os_distro": "debian", "os_version": "12", "os_type": "linux",
      "description": "Deactivated while CVE-2024-3094 is investigated"}),
    ("golden", "golden-base-2024.06", "own", 200, 20, 2048,
     {"protected": True, "tags": ["golden", "approved"]},
     {"os_distro": "rocky", "os_version": "9.4", "os_type": "linux", "hw_qemu_guest_agent": "yes",
      "build_pipeline": "packer-1.11"}),
    ("snapshot", "web-0001-snapshot", "own", 30, 20, 512, {},
     {"image_type": "snapshot", "os_distro": "ubuntu", "os_version": "24.04",
      "image_location": "snapshot"}),
    (None, "windows-server-2022-upload", "own", 2, 40, 4096, {"disk_format": "raw"},
     {"os_type": "windows", "os_distro": "windows"}),
]


def seed(state, n_servers: int, variant: Variant = Variant()):
    now = state.now()
    ids = state.ids
    own = variant.project
    state.region = variant.region
    # ------------------------------------------------------------------ identity
    state.domains["default"] = {"id": "default", "name": "Default",
                                "description": "The default domain"}
    roles = {name: ids.hex() for name in ("admin", "member", "reader", "manager")}
    state.roles.update({rid: {"id": rid, "name": name} for name, rid in roles.items()})
    demo_uid, admin_uid = ids.hex(), ids.hex()
    state.users[demo_uid] = {"id": demo_uid, "name": USERNAME, "domain_id": "default",
                             "password": PASSWORD, "enabled": True, "email": "demo@example.org"}
    state.users[admin_uid] = {"id": admin_uid, "name": "admin", "domain_id": "default",
                              "password": ids.token()[7:39], "enabled": True}
    projects = {}
    for name, desc in ((own, "Demo project of the osdesk demo cloud"),
                       ("staging", "A second project, to try project switching"),
                       ("admin", "Bootstrap project for initializing the cloud."),
                       ("service", "")):
        pid = ids.hex()
        state.projects[pid] = {"id": pid, "name": name, "domain_id": "default",
                               "description": desc, "enabled": True, "tags": []}
        projects[name] = pid
    state.assignments += [(demo_uid, ("project", projects[p]), roles[r])
                          for p in (own, "staging") for r in ("member", "reader")]
    state.assignments.append((demo_uid, ("domain", "default"), roles["reader"]))
    state.assignments += [(admin_uid, ("project", projects[p]), roles["admin"])
                          for p in ("admin", own, "staging")]
    ac_id = ids.hex()
    state.app_creds[ac_id] = {"id": ac_id, "name": "osdesk-demo", "secret": "demo-app-cred-"
                              + ids.hex()[:16], "user_id": demo_uid,
                              "project_id": projects[own], "unrestricted": False,
                              "roles": [roles["member"], roles["reader"]],
                              "description": "Application credential of the demo user",
                              "expires": None}
    state.demo_user_id = demo_uid
    state.app_cred_id = ac_id
    # ------------------------------------------------------------------ flavors
    for fid, name, ram, disk, vcpus, specs, desc in FLAVORS:
        state.flavors[fid] = {"id": fid, "name": name, "ram": ram, "disk": disk, "vcpus": vcpus,
                              "ephemeral": 0, "swap": 0, "rxtx_factor": 1.0, "is_public": True,
                              "description": desc, "extra_specs": dict(specs)}
    # ------------------------------------------------------------------ images
    admin_p, demo_p = projects["admin"], projects[own]
    imgs = {}
    snapshot_owner = {"owner_user_name": USERNAME, "owner_project_name": own, "user_id": demo_uid}
    for key, name, owner, days, min_disk, min_ram, attrs, props in IMAGES:
        created = now - days * DAY
        attrs = {"visibility": "private", "disk_format": "qcow2",
                 "status": "active" if key else "queued", **attrs}
        img = glance.new_image(state, name=name, owner=admin_p if owner == "admin" else demo_p,
                               container_format="bare", min_disk=min_disk, min_ram=min_ram,
                               props=dict(props, **snapshot_owner) if key == "snapshot" else props,
                               created=created, **attrs)
        if key is not None:
            glance.set_generated_data(state, img, *IMAGE_DATA[key])
            img["updated_at"] = created + 40
            imgs[key] = img
    # ------------------------------------------------------------------ keypairs
    state.keypairs[demo_uid] = {"demo-key": {
        "name": "demo-key", "public_key": DEMO_PUBLIC_KEY,
        "fingerprint": fingerprint_of(DEMO_PUBLIC_KEY), "type": "ssh", "user_id": demo_uid,
        "created_at": now - 300 * DAY, "id": next(state.keypair_seq)}}
    # ------------------------------------------------------------------ networks
    t0 = now - 420 * DAY
    public = neutron.make_network(state, project_id=admin_p, name="public", external=True,
                                  mtu=1500, created=t0, is_default=True)
    v4_public = "172.24.%d" % (4 + variant.net)
    neutron.make_subnet(state, network=public, name="public-subnet", cidr=v4_public + ".0/24",
                        gateway_ip=v4_public + ".1", enable_dhcp=False, created=t0)
    neutron.make_subnet(state, network=public, name="ipv6-public-subnet",
                        cidr="2001:db8::/64", ip_version=6, gateway_ip="2001:db8::2",
                        enable_dhcp=False, created=t0)
    state.public_network_id = public["id"]
    for pid in projects.values():
        state.compute[pid] = ProjectCompute(pid)
        state.net_quota[pid] = dict(neutron.QUOTA_DEFAULTS)

    net_info = {}
    for pname, cidr, v6, backend in ((own, "10.%d.0.0/16" % variant.net, "fd5e:7a11:94ce::/64",
                                      "172.16.0.0/16"),
                                     ("staging", "10.20.0.0/24", None, None)):
        pid = projects[pname]
        tc = now - 410 * DAY
        sg = neutron.make_sg(state, project_id=pid, name="default",
                             description="Default security group", created=tc)
        web = neutron.make_sg(state, project_id=pid, name="web",
                              description="HTTP/HTTPS/SSH from anywhere", created=tc)
        for proto, port in (("tcp", 22), ("tcp", 80), ("tcp", 443), ("icmp", None)):
            neutron.make_sg_rule(state, web, direction="ingress", protocol=proto, port_min=port,
                                 port_max=port, remote_ip_prefix="0.0.0.0/0", created=tc)
        private = neutron.make_network(state, project_id=pid, name="private" if pname == own
                                       else "staging-net", created=tc)
        s4 = neutron.make_subnet(state, network=private, name="private-subnet", cidr=cidr,
                                 dns_nameservers=["1.1.1.1", "9.9.9.9"], created=tc)
        s6 = v6 and neutron.make_subnet(state, network=private, name="ipv6-private-subnet",
                                        cidr=v6, ip_version=6, ipv6_mode="slaac", created=tc)
        router = neutron.make_router(state, project_id=pid, name="router1", ext_net=public,
                                     created=tc)
        for subnet in filter(None, (s4, s6)):
            neutron.add_router_interface(state, router, subnet, created=tc)
        bnet = backend and neutron.make_network(state, project_id=pid, name="backend", created=tc,
                                                description="Database / storage traffic")
        bs4 = backend and neutron.make_subnet(state, network=bnet, name="backend-subnet",
                                              cidr=backend, gateway_ip=None, created=tc)
        net_info[pname] = (private, s4, s6, bnet, bs4, sg, web)

    # ------------------------------------------------------------------ servers
    _seed_servers(state, projects[own], demo_uid, n_servers, net_info[own], imgs,
                  prefix=None, now=now, name_prefix=variant.prefix)
    _seed_servers(state, projects["staging"], demo_uid, min(3, n_servers), net_info["staging"],
                  imgs, prefix="stg-app", now=now, name_prefix=variant.prefix)
    # a floating IP on the first web server, and a spare one
    pc = state.compute[demo_p]
    first = pc.by_seq.get(pc.seqs[0]) if pc.seqs else None
    if first is not None and first.port_ids:
        neutron.make_floatingip(state, project_id=demo_p, ext_net=public,
                                port=state.ports[first.port_ids[0]], created=now - 100 * DAY,
                                description="%s public address" % first.name)
        first.touch()
    neutron.make_floatingip(state, project_id=demo_p, ext_net=public,
                            created=now - 90 * DAY, description="spare")
    # quotas sized for the seeded data
    for pname in (own, "staging"):
        pc = state.compute[projects[pname]]
        n, cores, ram = pc.usage()
        pc.quota.update(instances=max(20, n + 20), cores=max(40, cores + 40),
                        ram=max(51200, ram + 65536))
        ports = sum(1 for p in state.ports.values() if p.project_id == projects[pname])
        state.net_quota[projects[pname]]["port"] = max(500, ports + 100)
    if "block-storage" in state.services:
        from .block_storage import seed_volumes
        pc = state.compute[demo_p]
        servers = [pc.by_seq[q] for q in pc.seqs if q in pc.by_seq]
        active = next((i for i in state.images.values() if i.get("status") == "active"
                       and i.get("name", "").startswith("ubuntu")), None)
        seed_volumes(state, demo_p, demo_uid, servers, active, now)
    state.projects_by_name = projects


def _seed_servers(state, pid, uid, n, nets, imgs, *, prefix, now, name_prefix=""):
    if n <= 0:
        return
    ids = state.ids
    private, s4, s6, bnet, bs4, sg, web = nets
    pc = state.compute[pid]
    span = min(n * 3600.0, 180 * DAY)
    step = span / n
    width = max(4, len(str(n)))
    slaac = slaac_formatter(ipaddress.ip_network(s6["cidr"])) if s6 else None
    used4 = state.ip_used[s4["id"]]
    used_b = state.ip_used[bs4["id"]] if bs4 else None
    next4 = int(ipaddress.ip_network(s4["cidr"]).network_address) + 10
    nextb = int(ipaddress.ip_network(bs4["cidr"]).network_address) + 10 if bs4 else 10
    snaps = {fid: flavor_snapshot(f) for fid, f in state.flavors.items()}
    for i in range(1, n + 1):
        role = ("app", "2", "cirros", False, False) if prefix else ROLES[(i - 1) % len(ROLES)]
        name = "%s%s-%0*d" % (name_prefix, prefix or role[0], width, i)
        kind = "active" if prefix else "build" if i == n else "shelved" if i % 97 == 50 else \
            PATTERN[(i - 1) % len(PATTERN)]
        created = now - span + (i - 1) * step
        seq = state.next_seq()
        img = imgs[role[2]]
        host = HOSTS[seq % len(HOSTS)]
        srv = Server(  # active and running unless its kind says otherwise
            id=ids.uuid(), name=name, project_id=pid, user_id=uid, seq=seq, created=created,
            updated=created + 45, flavor=snaps[role[1]], image_id=img["id"],
            key_name=None if role[0] == "batch" else "demo-key",
            metadata={"role": role[0], "env": "staging" if prefix else "production"},
            tags=["prod"] if (not prefix and i % 3 == 0) else [], host=host, hostname=name,
            launched_at=created + 38)
        state.server_index[srv.id] = srv
        pc.add(srv)
        if kind == "error":
            srv.vm_state, srv.power_state, srv.host, srv.launched_at = "error", NOSTATE, None, None
            srv.fault = {"code": 500, "created": created + 6, "message": NO_HOST_FAULT,
                         "details": ""}
            continue
        # ports (fast path: sequential addresses, SLAAC v6)
        sg_ids = [sg["id"]] + ([web["id"]] if role[4] else [])
        while next4 in used4:
            next4 += 1
        used4.add(next4)
        mac = ids.mac()
        fixed = [(s4["id"], v4str(next4))]
        if slaac is not None:
            fixed.append((s6["id"], slaac(mac)))
        nics = [(private, mac, fixed, sg_ids)]
        if role[3] and bnet is not None:
            while nextb in used_b:
                nextb += 1
            used_b.add(nextb)
            nics.append((bnet, None, [(bs4["id"], v4str(nextb))], [sg["id"]]))
        for net, mac, fixed, groups in nics:  # the backend's MAC is drawn after its id
            port = Port(id=ids.uuid(), project_id=pid, network_id=net["id"], mac=mac or ids.mac(),
                        fixed_ips=fixed, device_id=srv.id, device_owner="compute:nova",
                        security_groups=groups, created=created + 2, updated=created + 30,
                        server=srv, host=host)
            state.add_port(port)
            srv.port_ids.append(port.id)
        if kind in _KINDS:
            attrs, srv.seed_kind = _KINDS[kind]
            for k, v in attrs.items():
                setattr(srv, k, v)
            srv.updated = created + step / 2
        elif kind == "build":
            srv.created = srv.updated = now
            srv.launched_at = srv.host = None
            run_steps(state, srv, _build_steps(state, srv, host))  # its first step: not networked
        state.ip_next[s4["id"]] = next4 + 1
        if bs4 is not None:
            state.ip_next[bs4["id"]] = nextb + 1
