"""Neutron v2.0 (served under ``/networking``) and the port plumbing nova uses."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlencode

from .http import Response
from .identity import authenticate
from .image import glance_error as webob_error
from .state import Port
from .util import HttpError, eui64, iso_z

RESOURCES = {
    # collection: (member, state attribute)
    "networks": ("network", "networks"),
    "subnets": ("subnet", "subnets"),
    "ports": ("port", "ports"),
    "routers": ("router", "routers"),
    "security-groups": ("security_group", "security_groups"),
    "security-group-rules": ("security_group_rule", "sg_rules"),
    "floatingips": ("floatingip", "floatingips"),
}

EXTENSIONS = [
    ("agent", "agent", "The agent management extension."),
    ("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
    ("auto-allocated-topology", "Auto Allocated Topology Services",
     "Auto Allocated Topology Services."),
    ("availability_zone", "Availability Zone", "The availability zone extension."),
    ("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
    ("dhcp_agent_scheduler", "DHCP Agent Scheduler", "Schedule networks among dhcp agents"),
    ("dns-integration", "DNS Integration", "Provides integration with DNS."),
    ("external-net", "Neutron external network", "Adds external network attribute to network "
                                                 "resource."),
    ("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
     "Extension of the router abstraction for specifying whether SNAT should occur on the "
     "external gateway"),
    ("extra_dhcp_opt", "Neutron Extra DHCP options", "Extra options configuration for DHCP."),
    ("extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"),
    ("fip-port-details", "Floating IP Port Details Extension",
     "Add port_details attribute to Floating IP resource"),
    ("filter-validation", "Filter parameters validation", "Provides validation on filter "
                                                          "parameters."),
    ("l3-ha", "HA Router extension", "Adds HA capability to routers."),
    ("multi-provider", "Multi Provider Network", "Expose mapping of virtual networks to "
                                                 "multiple physical networks"),
    ("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
    ("network-ip-availability", "Network IP Availability", "Provides IP availability data for "
                                                           "each network and subnet."),
    ("network_availability_zone", "Network Availability Zone", "Availability zone support for "
                                                               "network."),
    ("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
    ("port-security", "Port Security", "Provides port security"),
    ("project-id", "project_id field enabled", "Extension that indicates that project_id field "
                                               "is enabled."),
    ("provider", "Provider Network", "Expose mapping of virtual networks to physical networks"),
    ("quotas", "Quota management support", "Expose functions for quotas management per tenant"),
    ("quota_details", "Quota details management support", "Expose functions for quotas usage "
                                                           "statistics per project"),
    ("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 "
                                    "Neutron networks and access to external networks via a NAT "
                                    "gateway."),
    ("router_availability_zone", "Router Availability Zone", "Availability zone support for "
                                                             "router."),
    ("security-group", "security-group", "The security groups extension."),
    ("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
    ("standard-attr-description", "standard-attr-description", "Extension to add descriptions "
                                                               "to standard attributes"),
    ("standard-attr-revisions", "Resource revision numbers", "This extension will display the "
                                                             "revision number of neutron "
                                                             "resources."),
    ("standard-attr-tag", "Tag support for resources with standard attribute: port, subnet, "
                          "subnetpool, network, security_group, router, floatingip, policy, "
                          "trunk, network_segment_range", "Enables to set tag on resources with "
                                                          "standard attribute."),
    ("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields "
                                                       "to all Neutron resources that have "
                                                       "Neutron standard attributes."),
    ("stateful-security-group", "Stateful security group", "Indicates if the security group is "
                                                           "stateful or not"),
    ("subnet_allocation", "Subnet Allocation", "Enables allocation of subnets from a subnet "
                                               "pool"),
]

QUOTA_DEFAULTS = {"floatingip": 50, "network": 100, "port": 500, "rbac_policy": 10, "router": 10,
                  "security_group": 10, "security_group_rule": 100, "subnet": 100,
                  "subnetpool": -1}


def neutron_error(status: int, typ: str, message: str) -> HttpError:
    return HttpError(status, {"NeutronError": {"type": typ, "message": message, "detail": ""}})


def error_response(status: int, message: str | None = None):
    types = {400: "HTTPBadRequest", 403: "HTTPForbidden", 404: "HTTPNotFound",
             409: "HTTPConflict", 500: "HTTPInternalServerError", 503: "ServiceUnavailable"}
    msg = message or {500: "Request Failed: internal server error while processing your "
                           "request."}.get(status, "Error %d" % status)
    return Response(status, {"NeutronError": {"type": types.get(status, "HTTPError"),
                                              "message": msg, "detail": ""}})


def _not_found(member: str, ident: str) -> HttpError:
    names = {"network": "Network", "subnet": "Subnet", "port": "Port", "router": "Router",
             "security_group": "Security group", "security_group_rule": "Security group rule",
             "floatingip": "Floating IP"}
    types = {"network": "NetworkNotFound", "subnet": "SubnetNotFound", "port": "PortNotFound",
             "router": "RouterNotFound", "security_group": "SecurityGroupNotFound",
             "security_group_rule": "SecurityGroupRuleNotFound",
             "floatingip": "FloatingIPNotFound"}
    return neutron_error(404, types[member], "%s %s could not be found." % (names[member], ident))


def _bad(msg: str, typ: str = "HTTPBadRequest") -> HttpError:
    return neutron_error(400, typ, msg)


# ----------------------------------------------------------------------------- views

def network_view(state, n: dict) -> dict:
    out = {k: v for k, v in n.items() if not k.startswith("_")}
    out["subnets"] = list(n["subnets"])
    out["tags"] = list(n["tags"])
    out["created_at"] = iso_z(n["_created"])
    out["updated_at"] = iso_z(n["_updated"])
    return out


def subnet_view(state, s: dict) -> dict:
    out = {k: v for k, v in s.items() if not k.startswith("_")}
    out["allocation_pools"] = [dict(p) for p in s["allocation_pools"]]
    out["dns_nameservers"] = list(s["dns_nameservers"])
    out["host_routes"] = [dict(r) for r in s["host_routes"]]
    out["tags"] = list(s["tags"])
    out["created_at"] = iso_z(s["_created"])
    out["updated_at"] = iso_z(s["_updated"])
    out["router:external"] = state.networks[s["network_id"]]["router:external"]
    return out


def port_view(state, p: Port) -> dict:
    net = state.networks.get(p.network_id, {})
    hostname = ""
    dns_assign = []
    if p.server is not None:
        hostname = p.server.hostname
    for sid, ip in p.fixed_ips:
        h = hostname or ("host-" + ip.replace(".", "-").replace(":", "-"))
        dns_assign.append({"hostname": h, "ip_address": ip, "fqdn": h + ".openstacklocal."})
    return {
        "admin_state_up": p.admin_state_up,
        "allowed_address_pairs": [],
        "binding:vnic_type": "normal",
        "created_at": iso_z(p.created),
        "data_plane_status": None,
        "description": p.description,
        "device_id": p.device_id,
        "device_owner": p.device_owner,
        "dns_assignment": dns_assign,
        "dns_domain": "",
        "dns_name": hostname,
        "extra_dhcp_opts": [],
        "fixed_ips": [{"ip_address": ip, "subnet_id": sid} for sid, ip in p.fixed_ips],
        "id": p.id,
        "ip_allocation": "immediate",
        "mac_address": p.mac,
        "name": p.name,
        "network_id": p.network_id,
        "port_security_enabled": p.port_security_enabled and net.get("port_security_enabled", True),
        "project_id": p.project_id,
        "revision_number": p.revision,
        "security_groups": list(p.security_groups),
        "status": p.current_status(),
        "tags": list(p.tags),
        "tenant_id": p.project_id,
        "updated_at": iso_z(p.updated),
        "qos_network_policy_id": None,
        "qos_policy_id": None,
        "propagate_uplink_status": False,
        "pvlan_type": "",
        "pvlan_community": "",
        "hardware_offload_type": "",
    }


def router_view(state, r: dict) -> dict:
    out = {k: v for k, v in r.items() if not k.startswith("_")}
    gw = r["external_gateway_info"]
    out["external_gateway_info"] = None if gw is None else {
        "enable_snat": gw["enable_snat"], "network_id": gw["network_id"],
        "external_fixed_ips": [dict(x) for x in gw["external_fixed_ips"]]}
    out["routes"] = [dict(x) for x in r["routes"]]
    out["tags"] = list(r["tags"])
    out["created_at"] = iso_z(r["_created"])
    out["updated_at"] = iso_z(r["_updated"])
    return out


def sg_rule_view(state, r: dict) -> dict:
    out = {k: v for k, v in r.items() if not k.startswith("_")}
    out["created_at"] = iso_z(r["_created"])
    out["updated_at"] = iso_z(r["_updated"])
    out["tags"] = list(r["tags"])
    return out


def sg_view(state, g: dict) -> dict:
    out = {k: v for k, v in g.items() if not k.startswith("_")}
    out["security_group_rules"] = [sg_rule_view(state, state.sg_rules[r]) for r in g["_rules"]
                                   if r in state.sg_rules]
    out["created_at"] = iso_z(g["_created"])
    out["updated_at"] = iso_z(g["_updated"])
    out["tags"] = list(g["tags"])
    return out


def fip_view(state, f: dict) -> dict:
    out = {k: v for k, v in f.items() if not k.startswith("_")}
    port = state.ports.get(f["port_id"]) if f["port_id"] else None
    out["port_details"] = None if port is None else {
        "status": port.current_status(), "name": port.name, "admin_state_up": port.admin_state_up,
        "network_id": port.network_id, "device_owner": port.device_owner,
        "mac_address": port.mac, "device_id": port.device_id}
    out["status"] = "ACTIVE" if port is not None else "DOWN"
    out["created_at"] = iso_z(f["_created"])
    out["updated_at"] = iso_z(f["_updated"])
    out["tags"] = list(f["tags"])
    out["port_forwardings"] = []
    return out


VIEWS = {"networks": network_view, "subnets": subnet_view, "ports": port_view,
         "routers": router_view, "security-groups": sg_view, "security-group-rules": sg_rule_view,
         "floatingips": fip_view}


# ----------------------------------------------------------------------------- visibility

def net_visible(n: dict, pid: str) -> bool:
    return n["project_id"] == pid or n["shared"] or n["router:external"]


def _visible_items(state, coll: str, ctx, req):
    pid = ctx["project_id"]
    if coll == "networks":
        return [n for n in state.networks.values() if net_visible(n, pid)]
    if coll == "subnets":
        return [s for s in state.subnets.values()
                if s["project_id"] == pid or state.networks[s["network_id"]]["shared"]]
    if coll == "ports":
        dev = req.params("device_id") if req is not None else []
        if dev:
            ids = [i for d in dev for i in state.ports_by_device.get(d, [])]
            return [state.ports[i] for i in ids if state.ports[i].project_id == pid]
        nets = req.params("network_id") if req is not None else []
        return [p for p in state.ports.values()
                if p.project_id == pid and (not nets or p.network_id in nets)]
    attr = RESOURCES[coll][1]
    return [x for x in getattr(state, attr).values() if x["project_id"] == pid]


def _get_item(state, coll, ctx, ident):
    member, attr = RESOURCES[coll]
    store = getattr(state, attr)
    item = store.get(ident)
    pid = ctx["project_id"]
    if item is None:
        raise _not_found(member, ident)
    if coll == "networks":
        ok = net_visible(item, pid)
    elif coll == "subnets":
        ok = item["project_id"] == pid or state.networks[item["network_id"]]["shared"]
    elif coll == "ports":
        ok = item.project_id == pid
    else:
        ok = item["project_id"] == pid
    if not ok:
        raise _not_found(member, ident)
    return item


# ----------------------------------------------------------------------------- list

_CONTROL = {"limit", "marker", "sort_key", "sort_dir", "page_reverse", "fields", "tags",
            "tags-any", "not-tags", "not-tags-any"}


def _matches(view: dict, key: str, values: list[str]) -> bool:
    if key == "fixed_ips":
        want = {}
        for v in values:
            k, _, val = v.partition("=")
            want.setdefault(k, set()).add(val)
        for fip in view.get("fixed_ips", []):
            if all(fip.get(k) in vals for k, vals in want.items() if k in ("ip_address",
                                                                          "subnet_id")):
                return True
        return False
    if key not in view:
        return True  # neutron ignores unknown filters for non-admin attributes
    actual = view[key]
    if isinstance(actual, list):
        return any(v in [str(a) for a in actual] for v in values)
    if isinstance(actual, bool):
        return str(actual).lower() in [v.lower() for v in values]
    if actual is None:
        return any(v in ("", "None", "null") for v in values)
    return str(actual) in values


def list_resources(state, req, coll: str):
    ctx = req.ctx
    member = RESOURCES[coll][0]
    view = VIEWS[coll]
    items = [view(state, x) for x in _visible_items(state, coll, ctx, req)]
    filters: dict[str, list[str]] = {}
    for k, v in req.query:
        if k not in _CONTROL:
            filters.setdefault(k, []).append(v)
    if filters:
        items = [i for i in items if all(_matches(i, k, vs) for k, vs in filters.items())]
    for tk in ("tags", "tags-any", "not-tags", "not-tags-any"):
        vals = [t for v in req.params(tk) for t in v.split(",") if t]
        if not vals:
            continue
        if tk == "tags":
            items = [i for i in items if all(t in i.get("tags", []) for t in vals)]
        elif tk == "tags-any":
            items = [i for i in items if any(t in i.get("tags", []) for t in vals)]
        elif tk == "not-tags":
            items = [i for i in items if not all(t in i.get("tags", []) for t in vals)]
        else:
            items = [i for i in items if not any(t in i.get("tags", []) for t in vals)]
    sort_keys = req.params("sort_key")
    sort_dirs = req.params("sort_dir")
    if sort_keys:
        if len(sort_dirs) not in (0, len(sort_keys)):
            raise _bad("The number of sort_keys and sort_dirs must be same")
        for i in range(len(sort_keys) - 1, -1, -1):
            k = sort_keys[i]
            d = sort_dirs[i] if sort_dirs else "asc"
            if d not in ("asc", "desc"):
                raise _bad("%s is invalid attribute for sort_dir" % d)
            if items and k not in items[0]:
                raise _bad("%s is invalid attribute for sort_key" % k)
            items.sort(key=lambda x: (x.get(k) is None, str(x.get(k))), reverse=(d == "desc"))
    else:
        items.sort(key=lambda x: x["id"])
    limit = req.param("limit")
    marker = req.param("marker")
    page_reverse = (req.param("page_reverse") or "").lower() == "true"
    links = []
    if marker:
        ids = [i["id"] for i in items]
        if marker not in ids:
            raise _not_found(member, marker)
        idx = ids.index(marker)
        items = items[:idx][::-1] if page_reverse else items[idx + 1:]
    if limit is not None:
        try:
            lim = int(limit)
        except ValueError:
            raise _bad("Invalid input for limit. Reason: '%s' is not an integer." % limit,
                       "InvalidInput")
        if lim < 0:
            raise _bad("Invalid input for limit. Reason: '%s' should be non-negative." % limit,
                       "InvalidInput")
        if lim > 0:
            more = len(items) > lim
            items = items[:lim]
            if page_reverse:
                items = items[::-1]
            base = "%s/networking/v2.0/%s" % (req.base, coll)
            keep = [(k, v) for k, v in req.query if k not in ("marker", "page_reverse")]
            if items and (more or page_reverse):
                links.append({"href": base + "?" + urlencode(
                    keep + [("marker", items[-1]["id"])]), "rel": "next"})
            if items and (marker or (page_reverse and more)):
                links.append({"href": base + "?" + urlencode(
                    keep + [("marker", items[0]["id"]), ("page_reverse", "True")]),
                    "rel": "previous"})
    fields = [f for v in req.params("fields") for f in v.split(",") if f]
    if fields:
        items = [{k: v for k, v in i.items() if k in fields} for i in items]
    body = {coll.replace("-", "_"): items}
    if links:
        body[coll.replace("-", "_") + "_links"] = links
    return Response(200, body)


def show_resource(state, req, coll: str, ident: str):
    item = _get_item(state, coll, req.ctx, ident)
    out = VIEWS[coll](state, item)
    fields = [f for v in req.params("fields") for f in v.split(",") if f]
    if fields:
        out = {k: v for k, v in out.items() if k in fields}
    return Response(200, {RESOURCES[coll][0]: out})


# ----------------------------------------------------------------------------- creation helpers

def _quota(state, pid, resource):
    return state.net_quota.setdefault(pid, dict(QUOTA_DEFAULTS))[resource]


def _count(state, pid, coll):
    if coll == "ports":
        return sum(1 for p in state.ports.values() if p.project_id == pid)
    return sum(1 for x in getattr(state, RESOURCES[coll][1]).values() if x["project_id"] == pid)


def _check_quota(state, pid, coll, resource, extra=1):
    q = _quota(state, pid, resource)
    if q >= 0 and _count(state, pid, coll) + extra > q:
        raise neutron_error(409, "OverQuota", "Quota exceeded for resources: ['%s']." % resource)


def make_network(state, *, project_id, name, shared=False, external=False, mtu=1442,
                 description="", created=None, is_default=False):
    now = state.now() if created is None else created
    nid = state.ids.uuid()
    n = {
        "admin_state_up": True, "availability_zone_hints": [], "availability_zones": ["nova"],
        "dns_domain": "", "id": nid, "ipv4_address_scope": None, "ipv6_address_scope": None,
        "l2_adjacency": True, "mtu": mtu, "name": name, "port_security_enabled": True,
        "project_id": project_id, "qos_policy_id": None, "revision_number": 1,
        "router:external": external, "shared": shared, "status": "ACTIVE", "subnets": [],
        "tags": [], "tenant_id": project_id, "description": description,
        "vlan_transparent": False, "qinq": False, "pvlan": False, "is_default": is_default,
        "_created": now, "_updated": now,
    }
    state.networks[nid] = n
    return n


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
    now = state.now() if created is None else created
    net = ipaddress.ip_network(cidr)
    if gateway_ip == "auto":
        gateway_ip = str(net.network_address + 1)
    sid = state.ids.uuid()
    s = {
        "name": name, "enable_dhcp": enable_dhcp, "network_id": network["id"], "segment_id": None,
        "project_id": network["project_id"], "tenant_id": network["project_id"],
        "dns_nameservers": list(dns_nameservers), "dns_publish_fixed_ip": False,
        "allocation_pools": allocation_pools or _pool_for(net, gateway_ip), "host_routes": [],
        "ip_version": ip_version, "gateway_ip": gateway_ip, "cidr": str(net), "id": sid,
        "description": description, "ipv6_address_mode": ipv6_mode, "ipv6_ra_mode": ipv6_mode,
        "revision_number": 0, "service_types": [], "subnetpool_id": None, "tags": [],
        "_created": now, "_updated": now,
    }
    state.subnets[sid] = s
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
        except ValueError:
            raise _bad("Invalid input for operation: IP address %s is not a valid IP for the "
                       "specified subnet." % wanted, "InvalidInput")
        if ip not in net:
            raise _bad("Invalid input for operation: IP address %s is not a valid IP for the "
                       "specified subnet." % wanted, "InvalidInput")
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
                        if ipaddr and ipaddress.ip_address(ipaddr) in ipaddress.ip_network(s["cidr"]):
                            sid = cand
                    if sid is None:
                        raise _bad("Invalid input for operation: IP address %s is not a valid IP "
                                   "for the specified subnet." % ipaddr, "InvalidInput")
                s = state.subnets.get(sid)
                if s is None or s["network_id"] != network["id"]:
                    raise _bad("Invalid input for operation: Failed to create port on network "
                               "%s, because fixed_ips included invalid subnet %s."
                               % (network["id"], sid), "InvalidInput")
                ips.append((sid, allocate_ip(state, s, mac, ipaddr)))
        else:
            for sid in network["subnets"]:
                s = state.subnets[sid]
                ips.append((sid, allocate_ip(state, s, mac)))
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
    for g in state.security_groups.values():
        if g["project_id"] == project_id and g["name"] == "default":
            return g
    return None


def make_sg(state, *, project_id, name, description="", default_rules=True, created=None):
    now = state.now() if created is None else created
    gid = state.ids.uuid()
    g = {"description": description, "id": gid, "name": name, "project_id": project_id,
         "revision_number": 1, "tags": [], "tenant_id": project_id, "stateful": True,
         "shared": False, "_rules": [], "_created": now, "_updated": now}
    state.security_groups[gid] = g
    for eth in ("IPv4", "IPv6"):
        make_sg_rule(state, g, direction="egress", ethertype=eth, created=now)
        if name == "default" and default_rules:
            make_sg_rule(state, g, direction="ingress", ethertype=eth, remote_group_id=gid,
                         created=now)
    return g


def make_sg_rule(state, group, *, direction, ethertype="IPv4", protocol=None, port_min=None,
                 port_max=None, remote_ip_prefix=None, remote_group_id=None, description="",
                 created=None):
    now = state.now() if created is None else created
    rid = state.ids.uuid()
    r = {"direction": direction, "ethertype": ethertype, "id": rid, "port_range_max": port_max,
         "port_range_min": port_min, "protocol": protocol, "remote_group_id": remote_group_id,
         "remote_ip_prefix": remote_ip_prefix, "remote_address_group_id": None,
         "normalized_cidr": remote_ip_prefix, "security_group_id": group["id"],
         "project_id": group["project_id"], "revision_number": 0, "tags": [],
         "tenant_id": group["project_id"], "description": description,
         "belongs_to_default_sg": group["name"] == "default", "_created": now, "_updated": now}
    state.sg_rules[rid] = r
    group["_rules"].append(rid)
    return r


def make_router(state, *, project_id, name, ext_net=None, created=None):
    now = state.now() if created is None else created
    rid = state.ids.uuid()
    gw = None
    if ext_net is not None:
        ips = []
        for sid in ext_net["subnets"]:
            ips.append({"ip_address": allocate_ip(state, state.subnets[sid], state.ids.mac()),
                        "subnet_id": sid})
        gw = {"enable_snat": True, "external_fixed_ips": ips, "network_id": ext_net["id"]}
    r = {"admin_state_up": True, "availability_zone_hints": [], "availability_zones": ["nova"],
         "description": "", "distributed": False, "external_gateway_info": gw,
         "flavor_id": None, "ha": False, "id": rid, "name": name, "revision_number": 3,
         "routes": [], "status": "ACTIVE", "project_id": project_id, "tenant_id": project_id,
         "service_type_id": None, "tags": [], "conntrack_helpers": [],
         "enable_ndp_proxy": None, "_created": now, "_updated": now}
    state.routers[rid] = r
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
    now = state.now() if created is None else created
    v4 = [state.subnets[s] for s in ext_net["subnets"] if state.subnets[s]["ip_version"] == 4]
    if not v4:
        raise _bad("Bad floatingip request: Network %s does not contain any IPv4 subnet."
                   % ext_net["id"])
    addr = allocate_ip(state, v4[0], None, address)
    fid = state.ids.uuid()
    f = {"floating_network_id": ext_net["id"], "router_id": None, "fixed_ip_address": None,
         "floating_ip_address": addr, "project_id": project_id, "tenant_id": project_id,
         "status": "DOWN", "port_id": None, "id": fid, "description": description,
         "dns_domain": "", "dns_name": "", "revision_number": 0, "tags": [],
         "qos_network_policy_id": None, "qos_policy_id": None, "_subnet": v4[0]["id"],
         "_created": now, "_updated": now}
    state.floatingips[fid] = f
    if port is not None:
        associate_fip(state, f, port)
    return f


def _router_for(state, port: Port):
    subnet_ids = {sid for sid, _ip in port.fixed_ips}
    for pid in state.ports:
        p = state.ports[pid]
        if p.device_owner == "network:router_interface" and \
                any(sid in subnet_ids for sid, _ in p.fixed_ips):
            return p.device_id
    return None


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
        router = _router_for(state, port)
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


# ----------------------------------------------------------------------------- mutating handlers

def _body(req, member):
    try:
        data = req.json()
    except ValueError:
        raise _bad("Failed to parse request. Body contains invalid JSON")
    if not isinstance(data, dict) or not isinstance(data.get(member), dict):
        raise _bad("Resource body required")
    return data[member]


def _no_admin_attr(req, attrs: dict, *names):
    for n in names:
        if attrs.get(n) and "admin" not in req.ctx["roles"]:
            raise neutron_error(403, "PolicyNotAuthorized",
                                "(rule:create_network and rule:create_network:%s) is disallowed "
                                "by policy" % n.replace(":", "_"))


def create_network(state, req):
    attrs = _body(req, "network")
    pid = req.ctx["project_id"]
    allowed = {"name", "admin_state_up", "shared", "router:external", "mtu", "dns_domain",
               "port_security_enabled", "description", "availability_zone_hints",
               "qos_policy_id", "project_id", "tenant_id", "pvlan", "vlan_transparent", "tags"}
    for k in attrs:
        if k not in allowed:
            raise _bad("Unrecognized attribute(s) '%s'" % k)
    _no_admin_attr(req, attrs, "shared", "router:external")
    name = attrs.get("name", "")
    if not isinstance(name, str) or len(name) > 255:
        raise _bad("Invalid input for name. Reason: '%s' is not a valid string." % name,
                   "InvalidInput")
    mtu = attrs.get("mtu", 1442)
    if not isinstance(mtu, int) or mtu < 68:
        raise _bad("Invalid input for mtu. Reason: '%s' is too small - must be at least '68'."
                   % mtu, "InvalidInput")
    _check_quota(state, pid, "networks", "network")
    n = make_network(state, project_id=pid, name=name, mtu=mtu,
                     description=attrs.get("description", ""))
    n["admin_state_up"] = bool(attrs.get("admin_state_up", True))
    n["port_security_enabled"] = bool(attrs.get("port_security_enabled", True))
    n["dns_domain"] = attrs.get("dns_domain", "")
    n["is_default"] = False
    return Response(201, {"network": network_view(state, n)})


def update_network(state, req, ident):
    n = _get_item(state, "networks", req.ctx, ident)
    if n["project_id"] != req.ctx["project_id"]:
        raise neutron_error(403, "PolicyNotAuthorized", "rule:update_network is disallowed by "
                                                        "policy")
    attrs = _body(req, "network")
    for k in ("name", "description", "admin_state_up", "mtu", "port_security_enabled",
              "dns_domain"):
        if k in attrs:
            n[k] = attrs[k]
    _no_admin_attr(req, attrs, "shared", "router:external")
    n["revision_number"] += 1
    n["_updated"] = state.now()
    if "name" in attrs:
        _drop_server_caches(state, lambda p: p.network_id == ident)
    return Response(200, {"network": network_view(state, n)})


def _drop_server_caches(state, port_filter):
    """Server JSON embeds network / security-group names: forget cached renderings."""
    for p in state.ports.values():
        if p.server is not None and port_filter(p):
            p.server.cache = {}


def delete_network(state, req, ident):
    n = _get_item(state, "networks", req.ctx, ident)
    if n["project_id"] != req.ctx["project_id"]:
        raise neutron_error(403, "PolicyNotAuthorized", "rule:delete_network is disallowed by "
                                                        "policy")
    in_use = [p for p in state.ports.values()
              if p.network_id == ident and p.device_owner != "network:dhcp"]
    if in_use:
        raise neutron_error(409, "NetworkInUse",
                            "Unable to complete operation on network %s. There are one or more "
                            "ports still in use on the network." % ident)
    for p in [p for p in state.ports.values() if p.network_id == ident]:
        state.remove_port(p.id)
    for sid in list(n["subnets"]):
        state.subnets.pop(sid, None)
        state.ip_used.pop(sid, None)
        state.ip_next.pop(sid, None)
    del state.networks[ident]
    return Response(204, None, content_type=None)


def create_subnet(state, req):
    attrs = _body(req, "subnet")
    pid = req.ctx["project_id"]
    net_id = attrs.get("network_id")
    if net_id is None:
        raise _bad("Failed to parse request. Required attribute 'network_id' not specified")
    if "ip_version" not in attrs:
        raise _bad("Failed to parse request. Required attribute 'ip_version' not specified")
    ipv = attrs["ip_version"]
    if isinstance(ipv, str) and ipv.isdigit():
        ipv = int(ipv)
    if ipv not in (4, 6):
        raise _bad("Invalid input for ip_version. Reason: %s is not in [4, 6]." % attrs["ip_version"],
                   "InvalidInput")
    net = state.networks.get(net_id) if isinstance(net_id, str) else None
    if net is None or not net_visible(net, pid):
        raise _not_found("network", str(net_id))
    if net["project_id"] != pid:
        raise neutron_error(403, "PolicyNotAuthorized",
                            "(rule:create_subnet and rule:create_subnet:network_owner) is "
                            "disallowed by policy")
    cidr = attrs.get("cidr")
    if cidr is None:
        raise _bad("Bad subnets request: a subnetpool must be specified in the absence of a "
                   "cidr.", "BadRequest")
    try:
        if not isinstance(cidr, str) or "/" not in cidr:
            raise ValueError
        iface = ipaddress.ip_interface(cidr)
    except ValueError:
        raise _bad("Invalid input for cidr. Reason: '%s' is not a valid IP subnet." % cidr,
                   "InvalidInput")
    parsed = iface.network
    if iface.ip != parsed.network_address:
        raise _bad("Invalid input for cidr. Reason: '%s' isn't a recognized IP subnet cidr, "
                   "'%s' is recommended." % (cidr, parsed), "InvalidInput")
    if parsed.version != ipv:
        raise _bad("Invalid input for operation: Cidr %s does not match ip_version %s."
                   % (cidr, ipv), "InvalidInput")
    if (ipv == 4 and parsed.prefixlen > 30) or (ipv == 6 and parsed.prefixlen > 126) or \
            parsed.prefixlen == 0:
        raise _bad("Invalid input for operation: Invalid CIDR %s for IPv%d subnet." % (cidr, ipv),
                   "InvalidInput")
    for sid in net["subnets"]:
        other = ipaddress.ip_network(state.subnets[sid]["cidr"])
        if other.version == parsed.version and other.overlaps(parsed):
            raise _bad("Invalid input for operation: Requested subnet with cidr: %s for network: "
                       "%s overlaps with another subnet." % (cidr, net_id), "InvalidInput")
    gw = attrs.get("gateway_ip", "auto")
    if gw not in ("auto", None):
        try:
            if ipaddress.ip_address(gw) not in parsed:
                raise ValueError
        except ValueError:
            raise _bad("Invalid input for operation: Gateway ip %s conflicts with allocation "
                       "pool %s." % (gw, parsed), "InvalidInput")
    pools = attrs.get("allocation_pools")
    if pools is not None:
        try:
            for p in pools:
                if ipaddress.ip_address(p["start"]) not in parsed or \
                        ipaddress.ip_address(p["end"]) not in parsed:
                    raise ValueError
        except (ValueError, KeyError, TypeError):
            raise _bad("The allocation pool %s spans beyond the subnet cidr %s." % (pools, parsed),
                       "OutOfBoundsAllocationPool")
    mode = attrs.get("ipv6_address_mode") or attrs.get("ipv6_ra_mode")
    if mode is not None and ipv == 4:
        raise _bad("Invalid input for operation: ipv6_ra_mode or ipv6_address_mode cannot be "
                   "set when enable_dhcp is set to False.", "InvalidInput")
    _check_quota(state, pid, "subnets", "subnet")
    s = make_subnet(state, network=net, name=attrs.get("name", ""), cidr=str(parsed),
                    ip_version=ipv, gateway_ip=gw, enable_dhcp=bool(attrs.get("enable_dhcp", True)),
                    dns_nameservers=attrs.get("dns_nameservers", []), ipv6_mode=mode,
                    description=attrs.get("description", ""), allocation_pools=pools)
    if attrs.get("host_routes"):
        s["host_routes"] = list(attrs["host_routes"])
    return Response(201, {"subnet": subnet_view(state, s)})


def update_subnet(state, req, ident):
    s = _get_item(state, "subnets", req.ctx, ident)
    attrs = _body(req, "subnet")
    for k in ("name", "description", "enable_dhcp", "dns_nameservers", "host_routes",
              "gateway_ip"):
        if k in attrs:
            s[k] = attrs[k]
    s["revision_number"] += 1
    s["_updated"] = state.now()
    return Response(200, {"subnet": subnet_view(state, s)})


def delete_subnet(state, req, ident):
    s = _get_item(state, "subnets", req.ctx, ident)
    if s["project_id"] != req.ctx["project_id"]:
        raise neutron_error(403, "PolicyNotAuthorized", "rule:delete_subnet is disallowed by "
                                                        "policy")
    users = [p for p in state.ports.values()
             if p.device_owner != "network:dhcp" and any(sid == ident for sid, _ in p.fixed_ips)]
    if users:
        raise neutron_error(409, "SubnetInUse",
                            "Unable to complete operation on subnet %s: One or more ports have an "
                            "IP allocation from this subnet." % ident)
    for p in [p for p in state.ports.values() if p.device_owner == "network:dhcp"]:
        if any(sid == ident for sid, _ in p.fixed_ips):
            p.fixed_ips = [(sid, ip) for sid, ip in p.fixed_ips if sid != ident]
            if not p.fixed_ips:
                state.remove_port(p.id)
    net = state.networks[s["network_id"]]
    if ident in net["subnets"]:
        net["subnets"].remove(ident)
    del state.subnets[ident]
    state.ip_used.pop(ident, None)
    state.ip_next.pop(ident, None)
    return Response(204, None, content_type=None)


def _resolve_sgs(state, pid, names_or_ids):
    out = []
    for ref in names_or_ids:
        g = state.security_groups.get(ref)
        if g is None or g["project_id"] != pid:
            g = next((x for x in state.security_groups.values()
                      if x["project_id"] == pid and x["name"] == ref), None)
        if g is None:
            raise _not_found("security_group", ref)
        out.append(g["id"])
    return out


def create_port(state, req):
    attrs = _body(req, "port")
    pid = req.ctx["project_id"]
    net_id = attrs.get("network_id")
    if net_id is None:
        raise _bad("Failed to parse request. Required attribute 'network_id' not specified")
    net = state.networks.get(net_id)
    if net is None or not net_visible(net, pid):
        raise _not_found("network", str(net_id))
    if net["router:external"] and net["project_id"] != pid:
        raise neutron_error(403, "PolicyNotAuthorized", "(rule:create_port and "
                            "rule:create_port:fixed_ips) is disallowed by policy")
    _check_quota(state, pid, "ports", "port")
    sgs = attrs.get("security_groups")
    if sgs is None:
        g = default_sg(state, pid)
        sgs = [g["id"]] if g else []
    else:
        sgs = _resolve_sgs(state, pid, sgs)
    port = make_port(state, network=net, project_id=pid, name=attrs.get("name", ""),
                     device_id=attrs.get("device_id", ""),
                     device_owner=attrs.get("device_owner", ""), security_groups=sgs,
                     fixed_ips=attrs.get("fixed_ips"), nova_created=False,
                     mac=attrs.get("mac_address"))
    port.description = attrs.get("description", "")
    port.admin_state_up = bool(attrs.get("admin_state_up", True))
    port.port_security_enabled = bool(attrs.get("port_security_enabled", True))
    return Response(201, {"port": port_view(state, port)})


def update_port(state, req, ident):
    p = _get_item(state, "ports", req.ctx, ident)
    attrs = _body(req, "port")
    if "name" in attrs:
        p.name = attrs["name"]
    if "description" in attrs:
        p.description = attrs["description"]
    if "admin_state_up" in attrs:
        p.admin_state_up = bool(attrs["admin_state_up"])
    if "port_security_enabled" in attrs:
        p.port_security_enabled = bool(attrs["port_security_enabled"])
    if "security_groups" in attrs:
        p.security_groups = _resolve_sgs(state, req.ctx["project_id"], attrs["security_groups"])
        if p.server is not None:
            p.server.touch(state.now())
    p.revision += 1
    p.updated = state.now()
    return Response(200, {"port": port_view(state, p)})


def delete_port(state, req, ident):
    p = _get_item(state, "ports", req.ctx, ident)
    if p.device_owner.startswith("network:"):
        raise neutron_error(409, "PortInUse" if p.device_owner != "network:router_interface"
                            else "L3PortInUse",
                            "Port %s cannot be deleted directly via the port API: has device "
                            "owner %s." % (ident, p.device_owner))
    delete_port_obj(state, ident)
    return Response(204, None, content_type=None)


def create_sg(state, req):
    attrs = _body(req, "security_group")
    pid = req.ctx["project_id"]
    name = attrs.get("name", "")
    if name == "default":
        raise neutron_error(409, "SecurityGroupDefaultAlreadyExists",
                            "Default security group already exists.")
    _check_quota(state, pid, "security-groups", "security_group")
    g = make_sg(state, project_id=pid, name=name, description=attrs.get("description", ""))
    g["stateful"] = bool(attrs.get("stateful", True))
    return Response(201, {"security_group": sg_view(state, g)})


def update_sg(state, req, ident):
    g = _get_item(state, "security-groups", req.ctx, ident)
    attrs = _body(req, "security_group")
    for k in ("name", "description", "stateful"):
        if k in attrs:
            g[k] = attrs[k]
    g["revision_number"] += 1
    g["_updated"] = state.now()
    if "name" in attrs:
        _drop_server_caches(state, lambda p: ident in p.security_groups)
    return Response(200, {"security_group": sg_view(state, g)})


def delete_sg(state, req, ident):
    g = _get_item(state, "security-groups", req.ctx, ident)
    if g["name"] == "default":
        raise neutron_error(409, "SecurityGroupCannotRemoveDefault",
                            "Insufficient rights for removing default security group.")
    if any(ident in p.security_groups for p in state.ports.values()):
        raise neutron_error(409, "SecurityGroupInUse",
                            "Security Group %s in use." % ident)
    for rid in g["_rules"]:
        state.sg_rules.pop(rid, None)
    del state.security_groups[ident]
    return Response(204, None, content_type=None)


def create_sg_rule(state, req):
    attrs = _body(req, "security_group_rule")
    pid = req.ctx["project_id"]
    gid = attrs.get("security_group_id")
    g = state.security_groups.get(gid) if gid else None
    if g is None or g["project_id"] != pid:
        raise _not_found("security_group", str(gid))
    direction = attrs.get("direction")
    if direction not in ("ingress", "egress"):
        raise _bad("Invalid input for direction. Reason: %s is not in valid_values." % direction,
                   "InvalidInput")
    eth = attrs.get("ethertype", "IPv4")
    if eth not in ("IPv4", "IPv6"):
        raise _bad("Invalid input for ethertype. Reason: %s is not in valid_values." % eth,
                   "InvalidInput")
    proto = attrs.get("protocol")
    pmin, pmax = attrs.get("port_range_min"), attrs.get("port_range_max")
    try:
        pmin = None if pmin is None else int(pmin)
        pmax = None if pmax is None else int(pmax)
    except (TypeError, ValueError):
        raise _bad("Invalid value for port %s." % (pmin,), "SecurityGroupInvalidPortValue")
    if pmin is not None and pmax is not None and pmin > pmax:
        raise _bad("For TCP/UDP protocols, port_range_min must be <= port_range_max",
                   "SecurityGroupInvalidPortRange")
    prefix = attrs.get("remote_ip_prefix")
    if prefix is not None:
        try:
            ipaddress.ip_network(prefix, strict=False)
        except ValueError:
            raise _bad("Invalid input for remote_ip_prefix. Reason: '%s' is not a valid IP "
                       "subnet." % prefix, "InvalidInput")
    for rid in g["_rules"]:
        r = state.sg_rules[rid]
        if (r["direction"], r["ethertype"], r["protocol"], r["port_range_min"],
                r["port_range_max"], r["remote_ip_prefix"], r["remote_group_id"]) == (
                direction, eth, proto, pmin, pmax, prefix, attrs.get("remote_group_id")):
            raise neutron_error(409, "SecurityGroupRuleExists",
                                "Security group rule already exists. Rule id is %s." % rid)
    _check_quota(state, pid, "security-group-rules", "security_group_rule")
    r = make_sg_rule(state, g, direction=direction, ethertype=eth, protocol=proto, port_min=pmin,
                     port_max=pmax, remote_ip_prefix=prefix,
                     remote_group_id=attrs.get("remote_group_id"),
                     description=attrs.get("description", ""))
    return Response(201, {"security_group_rule": sg_rule_view(state, r)})


def delete_sg_rule(state, req, ident):
    r = _get_item(state, "security-group-rules", req.ctx, ident)
    g = state.security_groups.get(r["security_group_id"])
    if g is not None and ident in g["_rules"]:
        g["_rules"].remove(ident)
    del state.sg_rules[ident]
    return Response(204, None, content_type=None)


def create_fip(state, req):
    attrs = _body(req, "floatingip")
    pid = req.ctx["project_id"]
    nid = attrs.get("floating_network_id")
    if nid is None:
        raise _bad("Failed to parse request. Required attribute 'floating_network_id' not "
                   "specified")
    net = state.networks.get(nid)
    if net is None or not net_visible(net, pid):
        raise _not_found("network", nid)
    if not net["router:external"]:
        raise _bad("Bad floatingip request: Network %s is not a valid external network." % nid,
                   "BadRequest")
    _check_quota(state, pid, "floatingips", "floatingip")
    port = None
    if attrs.get("port_id"):
        port = _get_item(state, "ports", req.ctx, attrs["port_id"])
    f = make_floatingip(state, project_id=pid, ext_net=net,
                        address=attrs.get("floating_ip_address"),
                        description=attrs.get("description", ""))
    if port is not None:
        try:
            associate_fip(state, f, port, attrs.get("fixed_ip_address"))
        except HttpError:
            state.floatingips.pop(f["id"], None)
            raise
    return Response(201, {"floatingip": fip_view(state, f)})


def update_fip(state, req, ident):
    f = _get_item(state, "floatingips", req.ctx, ident)
    attrs = _body(req, "floatingip")
    if "port_id" in attrs:
        port = None
        if attrs["port_id"]:
            port = _get_item(state, "ports", req.ctx, attrs["port_id"])
        associate_fip(state, f, port, attrs.get("fixed_ip_address"))
    if "description" in attrs:
        f["description"] = attrs["description"]
    return Response(200, {"floatingip": fip_view(state, f)})


def delete_fip(state, req, ident):
    f = _get_item(state, "floatingips", req.ctx, ident)
    if f["port_id"]:
        associate_fip(state, f, None)
    sub = f["_subnet"]
    state.ip_used.get(sub, set()).discard(int(ipaddress.ip_address(f["floating_ip_address"])))
    del state.floatingips[ident]
    return Response(204, None, content_type=None)


def create_router(state, req):
    attrs = _body(req, "router")
    pid = req.ctx["project_id"]
    _check_quota(state, pid, "routers", "router")
    ext = None
    gw = attrs.get("external_gateway_info")
    if gw:
        ext = state.networks.get(gw.get("network_id"))
        if ext is None or not ext["router:external"]:
            raise _not_found("network", str(gw.get("network_id")))
    r = make_router(state, project_id=pid, name=attrs.get("name", ""), ext_net=ext)
    r["description"] = attrs.get("description", "")
    return Response(201, {"router": router_view(state, r)})


def update_router(state, req, ident):
    r = _get_item(state, "routers", req.ctx, ident)
    attrs = _body(req, "router")
    for k in ("name", "description", "admin_state_up"):
        if k in attrs:
            r[k] = attrs[k]
    r["revision_number"] += 1
    r["_updated"] = state.now()
    return Response(200, {"router": router_view(state, r)})


def delete_router(state, req, ident):
    _get_item(state, "routers", req.ctx, ident)
    if state.ports_by_device.get(ident):
        raise neutron_error(409, "RouterInUse", "Router %s still has ports" % ident)
    r = state.routers.pop(ident)
    gw = r["external_gateway_info"]
    if gw:
        for x in gw["external_fixed_ips"]:
            state.ip_used.get(x["subnet_id"], set()).discard(
                int(ipaddress.ip_address(x["ip_address"])))
    return Response(204, None, content_type=None)


def _router_interface(state, req, ident, add: bool):
    r = _get_item(state, "routers", req.ctx, ident)
    try:
        data = req.json()
    except ValueError:
        raise _bad("Failed to parse request. Body contains invalid JSON")
    sid = data.get("subnet_id") if isinstance(data, dict) else None
    if not sid:
        raise _bad("Bad router request: Either subnet_id or port_id must be specified.")
    s = _get_item(state, "subnets", req.ctx, sid)
    if add:
        for pid in state.ports_by_device.get(ident, []):
            if any(x == sid for x, _ in state.ports[pid].fixed_ips):
                raise _bad("Bad router request: Router already has a port on subnet %s." % sid)
        port = add_router_interface(state, r, s)
    else:
        port = next((state.ports[p] for p in state.ports_by_device.get(ident, [])
                     if any(x == sid for x, _ in state.ports[p].fixed_ips)), None)
        if port is None:
            raise neutron_error(404, "RouterInterfaceNotFoundForSubnet",
                                "Router %s has no interface on subnet %s" % (ident, sid))
        state.remove_port(port.id)
        state.ip_used.setdefault(sid, set()).add(int(ipaddress.ip_address(s["gateway_ip"])))
    return Response(200, {"id": ident, "tenant_id": r["project_id"], "project_id": r["project_id"],
                          "port_id": port.id, "subnet_id": sid, "subnet_ids": [sid],
                          "network_id": s["network_id"]})


def get_quota(state, req, project_id, details=False):
    if project_id != req.ctx["project_id"] and "admin" not in req.ctx["roles"]:
        raise neutron_error(403, "HTTPForbidden", "Non-admin is not authorised to access quotas "
                                                  "for another project")
    q = state.net_quota.setdefault(project_id, dict(QUOTA_DEFAULTS))
    if not details:
        return Response(200, {"quota": dict(q)})
    used = {
        "network": _count(state, project_id, "networks"),
        "subnet": _count(state, project_id, "subnets"),
        "port": _count(state, project_id, "ports"),
        "router": _count(state, project_id, "routers"),
        "floatingip": _count(state, project_id, "floatingips"),
        "security_group": _count(state, project_id, "security-groups"),
        "security_group_rule": _count(state, project_id, "security-group-rules"),
        "rbac_policy": 0, "subnetpool": 0,
    }
    return Response(200, {"quota": {k: {"used": used.get(k, 0), "limit": v, "reserved": 0}
                                    for k, v in q.items()}})


def list_extensions(state, req):
    return Response(200, {"extensions": [
        {"updated": "2013-01-20T00:00:00-00:00", "name": name, "links": [], "alias": alias,
         "description": desc} for alias, name, desc in EXTENSIONS]})


def show_extension(state, req, alias):
    for a, name, desc in EXTENSIONS:
        if a == alias:
            return Response(200, {"extension": {"updated": "2013-01-20T00:00:00-00:00",
                                                "name": name, "links": [], "alias": a,
                                                "description": desc}})
    raise neutron_error(404, "HTTPNotFound", "Extension with alias %s does not exist" % alias)


# ----------------------------------------------------------------------------- routing

_MUTATORS = {
    "networks": (create_network, update_network, delete_network),
    "subnets": (create_subnet, update_subnet, delete_subnet),
    "ports": (create_port, update_port, delete_port),
    "routers": (create_router, update_router, delete_router),
    "security-groups": (create_sg, update_sg, delete_sg),
    "security-group-rules": (create_sg_rule, None, delete_sg_rule),
    "floatingips": (create_fip, update_fip, delete_fip),
}

_COLL_RX = re.compile(r"^/v2\.0/(%s)(?:\.json)?/?$" % "|".join(re.escape(c) for c in RESOURCES))
_ITEM_RX = re.compile(r"^/v2\.0/(%s)/([^/]+?)(?:\.json)?/?$" % "|".join(
    re.escape(c) for c in RESOURCES))
_IFACE_RX = re.compile(r"^/v2\.0/routers/([^/]+)/(add|remove)_router_interface/?$")
_QUOTA_RX = re.compile(r"^/v2\.0/quotas/([^/]+?)(/details)?(?:\.json)?/?$")
_EXT_RX = re.compile(r"^/v2\.0/extensions(?:/([^/]+))?/?$")


def _versions(base):
    return {"versions": [{"status": "CURRENT", "id": "v2.0",
                          "links": [{"href": base + "/networking/v2.0/", "rel": "self"}]}]}


def _resources(base):
    return {"resources": [{"links": [{"href": "%s/networking/v2.0/%s" % (base, c), "rel": "self"}],
                           "name": m, "collection": c} for c, (m, _a) in RESOURCES.items()]}


def _method_not_allowed(req):
    return webob_error(405, "The server could not comply with the request since it is either "
                       "malformed or otherwise incorrect.", req)


def handle(state, req, sub: str) -> Response:
    if sub in ("", "/"):
        return Response(200, _versions(req.base))
    if sub in ("/v2.0", "/v2.0/"):
        return Response(200, _resources(req.base))
    with state.lock:
        state.tick()
        authenticate(state, req)
        if req.ctx["project_id"] is None:
            raise neutron_error(403, "HTTPForbidden", "Project-scoped token required.")
        m = _COLL_RX.match(sub)
        if m:
            coll = m.group(1)
            if req.method == "GET":
                return list_resources(state, req, coll)
            if req.method == "POST":
                return _MUTATORS[coll][0](state, req)
            raise _method_not_allowed(req)
        m = _ITEM_RX.match(sub)
        if m:
            coll, ident = m.groups()
            if req.method == "GET":
                return show_resource(state, req, coll, ident)
            if req.method == "PUT" and _MUTATORS[coll][1]:
                return _MUTATORS[coll][1](state, req, ident)
            if req.method == "DELETE":
                return _MUTATORS[coll][2](state, req, ident)
            raise _method_not_allowed(req)
        m = _IFACE_RX.match(sub)
        if m and req.method == "PUT":
            return _router_interface(state, req, m.group(1), m.group(2) == "add")
        m = _QUOTA_RX.match(sub)
        if m and req.method == "GET":
            return get_quota(state, req, m.group(1), details=bool(m.group(2)))
        m = _EXT_RX.match(sub)
        if m and req.method == "GET":
            if m.group(1):
                return show_extension(state, req, m.group(1))
            return list_extensions(state, req)
    raise webob_error(404, "The resource could not be found.", req)
