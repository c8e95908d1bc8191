"""Neutron's data: the views, and the helpers that make networks, subnets, ports,
routers, security groups and floating IPs (the API handlers, nova and the seed use them)."""

from __future__ import annotations

import ipaddress

from .state import Port
from .util import HttpError, eui64, iso_z

#: neutron's extensions, "alias | name | description"; an indented line continues a row
_EXTENSIONS = """
agent | agent | The agent management extension.
allowed-address-pairs | Allowed Address Pairs | Provides allowed address pairs
auto-allocated-topology | Auto Allocated Topology Services | Auto Allocated Topology Services.
availability_zone | Availability Zone | The availability zone extension.
binding | Port Binding | Expose port bindings of a virtual port to external application
dhcp_agent_scheduler | DHCP Agent Scheduler | Schedule networks among dhcp agents
dns-integration | DNS Integration | Provides integration with DNS.
external-net | Neutron external network | Adds external network attribute to network resource.
ext-gw-mode | Neutron L3 Configurable external gateway mode | Extension of the router
    abstraction for specifying whether SNAT should occur on the external gateway
extra_dhcp_opt | Neutron Extra DHCP options | Extra options configuration for DHCP.
extraroute | Neutron Extra Route | Extra routes configuration for L3 router
fip-port-details | Floating IP Port Details Extension | Add port_details attribute to Floating
    IP resource
filter-validation | Filter parameters validation | Provides validation on filter parameters.
l3-ha | HA Router extension | Adds HA capability to routers.
multi-provider | Multi Provider Network | Expose mapping of virtual networks to multiple
    physical networks
net-mtu | Network MTU | Provides MTU attribute for a network resource.
network-ip-availability | Network IP Availability | Provides IP availability data for each
    network and subnet.
network_availability_zone | Network Availability Zone | Availability zone support for network.
pagination | Pagination support | Extension that indicates that pagination is enabled.
port-security | Port Security | Provides port security
project-id | project_id field enabled | Extension that indicates that project_id field is
    enabled.
provider | Provider Network | Expose mapping of virtual networks to physical networks
quotas | Quota management support | Expose functions for quotas management per tenant
quota_details | Quota details management support | Expose functions for quotas usage statistics
    per project
router | Neutron L3 Router | Router abstraction for basic L3 forwarding between L2 Neutron
    networks and access to external networks via a NAT gateway.
router_availability_zone | Router Availability Zone | Availability zone support for router.
security-group | security-group | The security groups extension.
sorting | Sorting support | Extension that indicates that sorting is enabled.
standard-attr-description | standard-attr-description | Extension to add descriptions to
    standard attributes
standard-attr-revisions | Resource revision numbers | This extension will display the revision
    number of neutron resources.
standard-attr-tag | Tag support for resources with standard attribute: port, subnet, subnetpool,
    network, security_group, router, floatingip, policy, trunk, network_segment_range | Enables
    to set tag on resources with standard attribute.
standard-attr-timestamp | Resource timestamps | Adds created_at and updated_at fields to all
    Neutron resources that have Neutron standard attributes.
stateful-security-group | Stateful security group | Indicates if the security group is stateful
    or not
subnet_allocation | Subnet Allocation | Enables allocation of subnets from a subnet pool
"""
EXTENSIONS = [tuple(row.split(" | ")) for row in
              _EXTENSIONS.replace("\n    ", " ").strip().splitlines()]

QUOTA_DEFAULTS = {"floatingip": 50, "network": 100, "port": 500, "rbac_policy": 10, "router": 10,
                  "security_group": 10, "security_group_rule": 100, "subnet": 100,
                  "subnetpool": -1}


def neutron_error(status: int, typ: str, message: str) -> HttpError:
    return HttpError(status, {"NeutronError": {"type": typ, "message": message, "detail": ""}})


def _bad(msg: str, typ: str = "HTTPBadRequest") -> HttpError:
    return neutron_error(400, typ, msg)


def _invalid(what: str, why: str) -> HttpError:
    """neutron's InvalidInput: about a field ("for mtu. Reason: ...") or the "operation"."""
    return _bad("Invalid input for %s%s%s" % (what, ": " if what == "operation" else
                                              ". Reason: ", why), "InvalidInput")


# ----------------------------------------------------------------------------- views

def std_view(state, item: dict, **extra) -> dict:
    """A stored row as neutron shows it: no ``_`` keys, lists copied, ``extra`` keys, then
    ``created_at``/``updated_at``.  The view of any plain collection."""
    out = {k: list(v) if isinstance(v, list) else v for k, v in item.items()
           if not k.startswith("_")}
    out.update(extra)
    out["created_at"] = iso_z(item["_created"])
    out["updated_at"] = iso_z(item["_updated"])
    return out


def subnet_view(state, s: dict) -> dict:
    out = std_view(state, s)
    out["allocation_pools"] = [dict(p) for p in s["allocation_pools"]]
    out["host_routes"] = [dict(r) for r in s["host_routes"]]
    out["router:external"] = state.networks[s["network_id"]]["router:external"]
    return out


def port_view(state, p: Port) -> dict:
    net = state.networks.get(p.network_id, {})
    hostname = p.server.hostname if p.server is not None else ""
    hosts = [(hostname or "host-" + ip.replace(".", "-").replace(":", "-"), ip)
             for _sid, ip in p.fixed_ips]
    dns_assign = [{"hostname": h, "ip_address": ip, "fqdn": h + ".openstacklocal."}
                  for h, ip in hosts]
    return {"admin_state_up": p.admin_state_up, "allowed_address_pairs": [],
            "binding:vnic_type": "normal", "created_at": iso_z(p.created),
            "data_plane_status": None, "description": p.description, "device_id": p.device_id,
            "device_owner": p.device_owner, "dns_assignment": dns_assign, "dns_domain": "",
            "dns_name": hostname, "extra_dhcp_opts": [],
            "fixed_ips": [{"ip_address": ip, "subnet_id": sid} for sid, ip in p.fixed_ips],
            "id": p.id, "ip_allocation": "immediate", "mac_address": p.mac, "name": p.name,
            "network_id": p.network_id,
            "port_security_enabled": p.port_security_enabled and net.get(
                "port_security_enabled", True),
            "project_id": p.project_id, "revision_number": p.revision,
            "security_groups": list(p.security_groups), "status": p.current_status(),
            "tags": list(p.tags), "tenant_id": p.project_id, "updated_at": iso_z(p.updated),
            "qos_network_policy_id": None, "qos_policy_id": None,
            "propagate_uplink_status": False, "pvlan_type": "", "pvlan_community": "",
            "hardware_offload_type": ""}


def router_view(state, r: dict) -> dict:
    out = std_view(state, r)
    gw = r["external_gateway_info"]
    out["external_gateway_info"] = None if gw is None else {
        "enable_snat": gw["enable_snat"], "network_id": gw["network_id"],
        "external_fixed_ips": [dict(x) for x in gw["external_fixed_ips"]]}
    out["routes"] = [dict(x) for x in r["routes"]]
    return out


def sg_view(state, g: dict) -> dict:
    return std_view(state, g, security_group_rules=[
        std_view(state, state.sg_rules[r]) for r in g["_rules"] if r in state.sg_rules])


def fip_view(state, f: dict) -> dict:
    port = state.ports.get(f["port_id"]) if f["port_id"] else None
    out = std_view(state, f, port_details=None if port is None else {
        "status": port.current_status(), "name": port.name, "admin_state_up": port.admin_state_up,
        "network_id": port.network_id, "device_owner": port.device_owner,
        "mac_address": port.mac, "device_id": port.device_id})
    out["status"] = "ACTIVE" if port is not None else "DOWN"
    out["port_forwardings"] = []
    return out


# ----------------------------------------------------------------------------- visibility

def net_visible(n: dict, pid: str) -> bool:
    return n["project_id"] == pid or n["shared"] or n["router:external"]


def _new_row(state, table: dict, project_id, created, revision, **fields) -> dict:
    """A new row of a neutron collection: a new id, the project (also as tenant_id), no tags,
    the revision number and the times (``created``; None: now)."""
    now = state.now() if created is None else created
    row = dict(fields, id=state.ids.uuid(), project_id=project_id, tenant_id=project_id, tags=[],
               revision_number=revision, _created=now, _updated=now)
    table[row["id"]] = row
    return row


def make_network(state, *, project_id, name, shared=False, external=False, mtu=1442,
                 description="", created=None, is_default=False):
    return _new_row(
        state, state.networks, project_id, created, 1, admin_state_up=True,
        availability_zone_hints=[], availability_zones=["nova"], dns_domain="",
        ipv4_address_scope=None, ipv6_address_scope=None, l2_adjacency=True, mtu=mtu, name=name,
        port_security_enabled=True, qos_policy_id=None, status="ACTIVE", subnets=[],
        shared=shared, description=description, vlan_transparent=False, qinq=False,
        pvlan=False, is_default=is_default, **{"router:external": external})


def _pool_for(net: ipaddress._BaseNetwork, gateway):
    first = int(net.network_address) + 1
    last = int(net.broadcast_address) - 1 if net.version == 4 else int(net.broadcast_address)
    gw = int(ipaddress.ip_address(gateway)) if gateway else None
    if gw == first:
        first += 1
    cls = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    return [{"start": str(cls(first)), "end": str(cls(last))}]


def make_subnet(state, *, network, name, cidr, ip_version=4, gateway_ip="auto",
                enable_dhcp=True, dns_nameservers=(), ipv6_mode=None, description="",
                allocation_pools=None, created=None, with_dhcp_port=True):
    net = ipaddress.ip_network(cidr)
    if gateway_ip == "auto":
        gateway_ip = str(net.network_address + 1)
    s = _new_row(state, state.subnets, network["project_id"], created, 0, name=name,
                 enable_dhcp=enable_dhcp, network_id=network["id"], segment_id=None,
                 dns_nameservers=list(dns_nameservers), dns_publish_fixed_ip=False,
                 allocation_pools=allocation_pools or _pool_for(net, gateway_ip), host_routes=[],
                 ip_version=ip_version, gateway_ip=gateway_ip, cidr=str(net),
                 description=description, ipv6_address_mode=ipv6_mode, ipv6_ra_mode=ipv6_mode,
                 service_types=[], subnetpool_id=None)
    sid, now = s["id"], s["_created"]
    network["subnets"].append(sid)
    state.ip_used[sid] = set()
    if gateway_ip:
        state.ip_used[sid].add(int(ipaddress.ip_address(gateway_ip)))
    if enable_dhcp and with_dhcp_port and ipv6_mode != "slaac" and ip_version == 4:
        dhcp = None
        for pid in state.ports_by_device.get("dhcp-" + network["id"], []):
            dhcp = state.ports[pid]
        if dhcp is None:
            dhcp = Port(id=state.ids.uuid(), project_id=network["project_id"],
                        network_id=network["id"], mac=state.ids.mac(), fixed_ips=[],
                        device_id="dhcp-" + network["id"], device_owner="network:dhcp",
                        status="ACTIVE", created=now, updated=now, host="network-01",
                        nova_created=False)
            state.add_port(dhcp)
        dhcp.fixed_ips.append((sid, allocate_ip(state, s)))
    return s


def allocate_ip(state, subnet: dict, mac: str | None = None, wanted: str | None = None) -> str:
    sid = subnet["id"]
    used = state.ip_used.setdefault(sid, set())
    net = ipaddress.ip_network(subnet["cidr"])
    if wanted:
        try:
            ip = ipaddress.ip_address(wanted)
            if ip not in net:
                raise ValueError(wanted)
        except ValueError:
            raise _invalid("operation", "IP address %s is not a valid IP for the specified "
                                        "subnet." % wanted)
        if int(ip) in used:
            raise neutron_error(409, "IpAddressAlreadyAllocated",
                                "IP address %s already allocated in subnet %s" % (wanted, sid))
        used.add(int(ip))
        return str(ip)
    if subnet["ip_version"] == 6 and subnet["ipv6_address_mode"] in ("slaac",
                                                                    "dhcpv6-stateless") and mac:
        addr = eui64(net, mac)
        used.add(int(ipaddress.ip_address(addr)))
        return addr
    cls = ipaddress.IPv4Address if net.version == 4 else ipaddress.IPv6Address
    for pool in subnet["allocation_pools"]:
        start = int(ipaddress.ip_address(pool["start"]))
        end = int(ipaddress.ip_address(pool["end"]))
        nxt = state.ip_next.get(sid, start)
        if not (start <= nxt <= end):
            nxt = start
        span = end - start + 1
        for k in range(min(span, 1 << 20)):
            cand = start + (nxt - start + k) % span
            if cand not in used:
                used.add(cand)
                state.ip_next[sid] = cand + 1
                return str(cls(cand))
    raise neutron_error(409, "IpAddressGenerationFailure",
                        "No more IP addresses available on network %s." % subnet["network_id"])


def make_port(state, *, network, project_id, device_id="", device_owner="", name="",
              security_groups=(), fixed_ips=None, created=None, server=None, status=None,
              nova_created=True, mac=None):
    now = state.now() if created is None else created
    mac = mac or state.ids.mac()
    ips = []
    try:
        if fixed_ips:
            for spec in fixed_ips:
                sid = spec.get("subnet_id")
                ipaddr = spec.get("ip_address")
                if sid is None:
                    for cand in network["subnets"]:
                        s = state.subnets[cand]
                        if ipaddr and \
                                ipaddress.ip_address(ipaddr) in ipaddress.ip_network(s["cidr"]):
                            sid = cand
                    if sid is None:
                        raise _invalid("operation", "IP address %s is not a valid IP for "
                                                    "the specified subnet." % ipaddr)
                s = state.subnets.get(sid)
                if s is None or s["network_id"] != network["id"]:
                    raise _invalid("operation", "Failed to create port on network %s, because "
                                   "fixed_ips included invalid subnet %s." % (network["id"], sid))
                ips.append((sid, allocate_ip(state, s, mac, ipaddr)))
        else:
            for sid in network["subnets"]:
                ips.append((sid, allocate_ip(state, state.subnets[sid], mac)))
    except HttpError:
        for sid, ip in ips:
            state.ip_used[sid].discard(int(ipaddress.ip_address(ip)))
        raise
    port = Port(id=state.ids.uuid(), project_id=project_id, network_id=network["id"], name=name,
                mac=mac, fixed_ips=ips, device_id=device_id, device_owner=device_owner,
                security_groups=list(security_groups), created=now, updated=now, server=server,
                status=status, host="", nova_created=nova_created)
    state.add_port(port)
    return port


def delete_port_obj(state, port_id: str):
    port = state.remove_port(port_id)
    if port is None:
        return
    for f in state.floatingips.values():
        if f["port_id"] == port_id:
            f.update(port_id=None, fixed_ip_address=None, router_id=None, _updated=state.now())
    srv = port.server
    if srv is not None and port_id in srv.port_ids:
        srv.port_ids.remove(port_id)
        srv.touch(state.now())


def default_sg(state, project_id):
    return next((g for g in state.security_groups.values()
                 if g["project_id"] == project_id and g["name"] == "default"), None)


def find_sg(state, project_id, ref):
    """The project's security group with id or name ``ref`` (None if there is none)."""
    g = state.security_groups.get(ref)
    if g is not None and g["project_id"] == project_id:
        return g
    return next((x for x in state.security_groups.values()
                 if x["project_id"] == project_id and x["name"] == ref), None)


def make_sg(state, *, project_id, name, description="", default_rules=True, created=None):
    g = _new_row(state, state.security_groups, project_id, created, 1, description=description,
                 name=name, stateful=True, shared=False, _rules=[])
    gid, now = g["id"], g["_created"]
    for eth in ("IPv4", "IPv6"):
        make_sg_rule(state, g, direction="egress", ethertype=eth, created=now)
        if name == "default" and default_rules:
            make_sg_rule(state, g, direction="ingress", ethertype=eth, remote_group_id=gid,
                         created=now)
    return g


def make_sg_rule(state, group, *, direction, ethertype="IPv4", protocol=None, port_min=None,
                 port_max=None, remote_ip_prefix=None, remote_group_id=None, description="",
                 created=None):
    r = _new_row(state, state.sg_rules, group["project_id"], created, 0, direction=direction,
                 ethertype=ethertype, port_range_max=port_max, port_range_min=port_min,
                 protocol=protocol, remote_group_id=remote_group_id,
                 remote_ip_prefix=remote_ip_prefix, remote_address_group_id=None,
                 normalized_cidr=remote_ip_prefix, security_group_id=group["id"],
                 description=description, belongs_to_default_sg=group["name"] == "default")
    group["_rules"].append(r["id"])
    return r


def make_router(state, *, project_id, name, ext_net=None, created=None):
    r = _new_row(state, state.routers, project_id, created, 3, admin_state_up=True,
                 availability_zone_hints=[], availability_zones=["nova"], description="",
                 distributed=False, external_gateway_info=None, flavor_id=None, ha=False,
                 name=name, routes=[], status="ACTIVE", service_type_id=None,
                 conntrack_helpers=[], enable_ndp_proxy=None)
    if ext_net is not None:
        ips = [{"ip_address": allocate_ip(state, state.subnets[sid], state.ids.mac()),
                "subnet_id": sid} for sid in ext_net["subnets"]]
        r["external_gateway_info"] = {"enable_snat": True, "external_fixed_ips": ips,
                                      "network_id": ext_net["id"]}
    return r


def add_router_interface(state, router, subnet, created=None):
    net = state.networks[subnet["network_id"]]
    ip = subnet["gateway_ip"]
    port = Port(id=state.ids.uuid(), project_id=router["project_id"], network_id=net["id"],
                mac=state.ids.mac(), fixed_ips=[(subnet["id"], ip)], device_id=router["id"],
                device_owner="network:router_interface", status="ACTIVE",
                created=created or state.now(), updated=created or state.now(),
                host="network-01", nova_created=False)
    state.add_port(port)
    return port


def make_floatingip(state, *, project_id, ext_net, port=None, address=None, description="",
                    created=None):
    v4 = [state.subnets[s] for s in ext_net["subnets"] if state.subnets[s]["ip_version"] == 4]
    if not v4:
        raise _bad("Bad floatingip request: Network %s does not contain any IPv4 subnet."
                   % ext_net["id"])
    addr = allocate_ip(state, v4[0], None, address)
    f = _new_row(state, state.floatingips, project_id, created, 0,
                 floating_network_id=ext_net["id"], router_id=None, fixed_ip_address=None,
                 floating_ip_address=addr, status="DOWN", port_id=None, description=description,
                 dns_domain="", dns_name="", qos_network_policy_id=None, qos_policy_id=None,
                 _subnet=v4[0]["id"])
    if port is not None:
        associate_fip(state, f, port)
    return f


def associate_fip(state, f, port: Port | None, fixed_ip=None):
    old = state.ports.get(f["port_id"]) if f["port_id"] else None
    if port is None:
        f.update(port_id=None, fixed_ip_address=None, router_id=None)
    else:
        v4 = [ip for _sid, ip in port.fixed_ips if ":" not in ip]
        if fixed_ip is None:
            if not v4:
                raise _bad("Bad floatingip request: Port %s does not have any IPv4 address."
                           % port.id)
            fixed_ip = v4[0]
        subnets = {sid for sid, _ip in port.fixed_ips}
        router = next((p.device_id for p in state.ports.values()  # the router of its subnet
                       if p.device_owner == "network:router_interface"
                       and any(sid in subnets for sid, _ in p.fixed_ips)), None)
        if router is None:
            raise neutron_error(404, "ExternalGatewayForFloatingIPNotFound",
                                "External network %s is not reachable from subnet %s.  "
                                "Therefore, cannot associate Port %s with a Floating IP."
                                % (f["floating_network_id"], port.fixed_ips[0][0], port.id))
        f.update(port_id=port.id, fixed_ip_address=fixed_ip, router_id=router)
    f["_updated"] = state.now()
    f["revision_number"] += 1
    for p in (old, port):
        if p is not None and p.server is not None:
            p.server.touch(state.now())


def _drop_server_caches(state, port_filter):
    """Server JSON embeds network / security-group names: forget cached renderings."""
    for p in state.ports.values():
        if p.server is not None and port_filter(p):
            p.server.cache = {}
