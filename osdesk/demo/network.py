"""Neutron v2.0 (served under ``/networking``): collections driven by ``Collection`` specs.

Each collection is one ``Collection`` line in ``COLLECTIONS``; the generic handlers below
list (filters, sorting, paging, fields), show and update it.  The data helpers nova and
the seed use live in ``network_model``.
"""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import Callable, NamedTuple

from .http import Response, empty
from .identity import authenticate
from .image import glance_error as webob_error
from .network_model import (
    EXTENSIONS, QUOTA_DEFAULTS, _bad, _drop_server_caches, _invalid, add_router_interface,
    associate_fip, default_sg, delete_port_obj, find_sg, fip_view, make_floatingip, make_network,
    make_port, make_router, make_sg, make_sg_rule, make_subnet, net_visible, neutron_error,
    port_view, router_view, sg_view, std_view, subnet_view,
)
from .paging import TAG_PARAMS, NeutronPager, keep, tag_filters
from .routes import RouteTable
from .util import HttpError


def error_response(status: int, message: str | None = None, req=None):
    types = {400: "HTTPBadRequest", 403: "HTTPForbidden", 404: "HTTPNotFound",
             409: "HTTPConflict", 500: "HTTPInternalServerError", 503: "ServiceUnavailable"}
    msg = message or {500: "Request Failed: internal server error while processing your "
                           "request."}.get(status, "Error %d" % status)
    return Response(status, {"NeutronError": {"type": types.get(status, "HTTPError"),
                                              "message": msg, "detail": ""}})


# ----------------------------------------------------------------------------- collections

def owned(state, row, pid) -> bool:
    return project_of(row) == pid


def project_of(row) -> str:
    return row["project_id"] if isinstance(row, dict) else row.project_id


class Collection(NamedTuple):
    """One neutron collection: everything the generic handlers need to serve it.

    A read-only collection needs only the first four fields (and rows in its table).
    """

    url: str  # URL name, e.g. "security-groups"; the JSON plural is it with "_" for "-"
    member: str  # JSON singular, e.g. "security_group"
    store: str  # CloudState attribute with {id: row} (created on first use if missing)
    title: str  # for 404 texts: "<title> <id> could not be found."
    view: Callable = std_view  # (state, row) -> dict
    visible: Callable = owned  # (state, row, project_id) -> bool
    create: Callable | None = None  # (state, req, body[member]) -> Response
    update: Callable | None = None  # (state, req, id) -> Response; else generic on ``updatable``
    delete: Callable | None = None  # (state, req, row, id), checks and removes; answers 204
    updatable: tuple = ()  # keys a PUT copies from the body (generic update)
    on_update: Callable | None = None  # (state, req, row, attrs) after the copy
    select: Callable | None = None  # (state, req, project_id) -> rows: a faster list query

    @property
    def key(self) -> str:
        return self.url.replace("-", "_")


def table(state, spec: Collection) -> dict:
    return vars(state).setdefault(spec.store, {})


def _not_found(member: str, ident: str) -> HttpError:
    title = next(c.title for c in COLLECTIONS.values() if c.member == member)
    fault = "".join(w[:1].upper() + w[1:] for w in title.split()) + "NotFound"
    return neutron_error(404, fault, "%s %s could not be found." % (title, ident))


def _get_item(state, coll, ctx, ident):
    spec = COLLECTIONS[coll]
    row = table(state, spec).get(ident)
    if row is None or not spec.visible(state, row, ctx["project_id"]):
        raise _not_found(spec.member, ident)
    return row


# ----------------------------------------------------------------------------- list

_CONTROL = {"limit", "marker", "sort_key", "sort_dir", "page_reverse", "fields", *TAG_PARAMS}


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


def _pager(spec):
    return NeutronPager(lambda req, msg: _bad(msg, "InvalidInput"), "%s/networking/v2.0/",
                        not_int="Invalid input for limit. Reason: '%s' is not an integer.",
                        negative="Invalid input for limit. Reason: '%s' should be non-negative.",
                        missing=lambda marker: _not_found(spec.member, marker))


def _sort(req, items):
    sort_keys, sort_dirs = req.params("sort_key"), req.params("sort_dir")
    if not sort_keys:
        items.sort(key=lambda x: x["id"])
        return
    if len(sort_dirs) not in (0, len(sort_keys)):
        raise _bad("The number of sort_keys and sort_dirs must be same")
    for k, d in reversed(list(zip(sort_keys, sort_dirs or ["asc"] * len(sort_keys)))):
        if d not in ("asc", "desc"):
            raise _bad("%s is invalid attribute for sort_dir" % d)
        if items and k not in items[0]:
            raise _bad("%s is invalid attribute for sort_key" % k)
        items.sort(key=lambda x: (x.get(k) is None, str(x.get(k))), reverse=(d == "desc"))


def _fields(req, view: dict) -> dict:
    fields = [f for v in req.params("fields") for f in v.split(",") if f]
    return {k: v for k, v in view.items() if k in fields} if fields else view


def list_rows(spec, state, req):
    pid = req.ctx["project_id"]
    rows = spec.select(state, req, pid) if spec.select is not None else [
        x for x in table(state, spec).values() if spec.visible(state, x, pid)]
    items = [spec.view(state, x) for x in rows]
    filters: dict[str, list[str]] = {}
    for k, v in req.query:
        if k not in _CONTROL:
            filters.setdefault(k, []).append(v)
    preds = [lambda i, k=k, vs=vs: _matches(i, k, vs) for k, vs in filters.items()]
    items = keep(items, preds + tag_filters(req, lambda i: i.get("tags", [])))
    _sort(req, items)
    items, links = _pager(spec).page(req, items, spec.url, spec.key)
    return Response(200, {spec.key: [_fields(req, i) for i in items], **links})


def show_row(spec, state, req, ident):
    row = _get_item(state, spec.url, req.ctx, ident)
    return Response(200, {spec.member: _fields(req, spec.view(state, row))})


def create_row(spec, state, req):
    return spec.create(state, req, _body(req, spec.member))


def _writable(state, spec, req, ident, verb):
    """The visible row; one that is only shared with the caller cannot be changed (403)."""
    row = _get_item(state, spec.url, req.ctx, ident)
    if project_of(row) != req.ctx["project_id"]:
        raise _policy("rule:%s_%s" % (verb, spec.member))
    return row


def delete_row(spec, state, req, ident):
    spec.delete(state, req, _writable(state, spec, req, ident, "delete"), ident)
    return empty()


def update_row(spec, state, req, ident):
    row = _writable(state, spec, req, ident, "update")
    attrs = _body(req, spec.member)
    for k in spec.updatable:
        if k in attrs:
            row[k] = attrs[k]
    if spec.on_update is not None:
        spec.on_update(state, req, row, attrs)
    row["revision_number"] += 1
    row["_updated"] = state.now()
    return Response(200, {spec.member: spec.view(state, row)})


# ----------------------------------------------------------------------------- quotas

def _count(state, pid, coll):
    return sum(1 for x in table(state, COLLECTIONS[coll]).values() if project_of(x) == pid)


def _check_quota(state, pid, coll, resource, extra=1):
    q = state.net_quota.setdefault(pid, dict(QUOTA_DEFAULTS))[resource]
    if q >= 0 and _count(state, pid, coll) + extra > q:
        raise neutron_error(409, "OverQuota", "Quota exceeded for resources: ['%s']." % resource)


# ----------------------------------------------------------------------------- mutating handlers

def _json(req):
    try:
        return req.json()
    except ValueError:
        raise _bad("Failed to parse request. Body contains invalid JSON")


def _body(req, member):
    data = _json(req)
    if not isinstance(data, dict) or not isinstance(data.get(member), dict):
        raise _bad("Resource body required")
    return data[member]


def _policy(rule: str) -> HttpError:
    return neutron_error(403, "PolicyNotAuthorized", "%s is disallowed by policy" % rule)


def _required(attrs: dict, key: str):
    if attrs.get(key) is None:
        raise _bad("Failed to parse request. Required attribute '%s' not specified" % key)
    return attrs[key]


def _no_admin_attr(req, attrs: dict, *names):
    for n in names:
        if attrs.get(n) and "admin" not in req.ctx["roles"]:
            raise _policy("(rule:create_network and rule:create_network:%s)"
                          % n.replace(":", "_"))


def create_network(state, req, attrs):
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
        raise _invalid("name", "'%s' is not a valid string." % name)
    mtu = attrs.get("mtu", 1442)
    if not isinstance(mtu, int) or mtu < 68:
        raise _invalid("mtu", "'%s' is too small - must be at least '68'." % mtu)
    _check_quota(state, pid, "networks", "network")
    n = make_network(state, project_id=pid, name=name, mtu=mtu,
                     description=attrs.get("description", ""))
    n.update(admin_state_up=bool(attrs.get("admin_state_up", True)), dns_domain=attrs.get(
        "dns_domain", ""), port_security_enabled=bool(attrs.get("port_security_enabled", True)))
    return Response(201, {"network": std_view(state, n)})


def _network_updated(state, req, n, attrs):
    _no_admin_attr(req, attrs, "shared", "router:external")
    if "name" in attrs:
        _drop_server_caches(state, lambda p: p.network_id == n["id"])


def delete_network(state, req, n, ident):
    in_use = [p for p in state.ports.values()
              if p.network_id == ident and p.device_owner != "network:dhcp"]
    if in_use:
        raise neutron_error(409, "NetworkInUse",
                            "Unable to complete operation on network %s. There are one or more "
                            "ports still in use on the network." % ident)
    for p in [p for p in state.ports.values() if p.network_id == ident]:
        state.remove_port(p.id)
    for sid in list(n["subnets"]):
        _drop_subnet(state, sid)
    del state.networks[ident]


def _drop_subnet(state, sid):
    for table in (state.subnets, state.ip_used, state.ip_next):
        table.pop(sid, None)


def create_subnet(state, req, attrs):
    pid = req.ctx["project_id"]
    net_id = _required(attrs, "network_id")
    if "ip_version" not in attrs:
        raise _bad("Failed to parse request. Required attribute 'ip_version' not specified")
    ipv = attrs["ip_version"]
    if isinstance(ipv, str) and ipv.isdigit():
        ipv = int(ipv)
    if ipv not in (4, 6):
        raise _invalid("ip_version", "%s is not in [4, 6]." % attrs["ip_version"])
    net = state.networks.get(net_id) if isinstance(net_id, str) else None
    if net is None or not net_visible(net, pid):
        raise _not_found("network", str(net_id))
    if net["project_id"] != pid:
        raise _policy("(rule:create_subnet and rule:create_subnet:network_owner)")
    cidr = attrs.get("cidr")
    if cidr is None:
        raise _bad("Bad subnets request: a subnetpool must be specified in the absence of a "
                   "cidr.", "BadRequest")
    try:
        if not isinstance(cidr, str) or "/" not in cidr:
            raise ValueError
        iface = ipaddress.ip_interface(cidr)
    except ValueError:
        raise _invalid("cidr", "'%s' is not a valid IP subnet." % cidr)
    parsed = iface.network
    if iface.ip != parsed.network_address:
        raise _invalid("cidr", "'%s' isn't a recognized IP subnet cidr, '%s' is recommended."
                       % (cidr, parsed))
    if parsed.version != ipv:
        raise _invalid("operation", "Cidr %s does not match ip_version %s." % (cidr, ipv))
    if (ipv == 4 and parsed.prefixlen > 30) or (ipv == 6 and parsed.prefixlen > 126) or \
            parsed.prefixlen == 0:
        raise _invalid("operation", "Invalid CIDR %s for IPv%d subnet." % (cidr, ipv))
    for sid in net["subnets"]:
        other = ipaddress.ip_network(state.subnets[sid]["cidr"])
        if other.version == parsed.version and other.overlaps(parsed):
            raise _invalid("operation", "Requested subnet with cidr: %s for network: %s "
                                        "overlaps with another subnet." % (cidr, net_id))
    gw = attrs.get("gateway_ip", "auto")
    if gw not in ("auto", None):
        try:
            if ipaddress.ip_address(gw) not in parsed:
                raise ValueError
        except ValueError:
            raise _invalid("operation", "Gateway ip %s conflicts with allocation pool %s."
                           % (gw, parsed))
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
        raise _invalid("operation", "ipv6_ra_mode or ipv6_address_mode cannot be set when "
                                    "enable_dhcp is set to False.")
    _check_quota(state, pid, "subnets", "subnet")
    s = make_subnet(state, network=net, name=attrs.get("name", ""), cidr=str(parsed),
                    ip_version=ipv, gateway_ip=gw, enable_dhcp=bool(attrs.get("enable_dhcp", True)),
                    dns_nameservers=attrs.get("dns_nameservers", []), ipv6_mode=mode,
                    description=attrs.get("description", ""), allocation_pools=pools)
    if attrs.get("host_routes"):
        s["host_routes"] = list(attrs["host_routes"])
    return Response(201, {"subnet": subnet_view(state, s)})


def delete_subnet(state, req, s, ident):
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
    _drop_subnet(state, ident)


def _resolve_sgs(state, pid, names_or_ids):
    groups = [(ref, find_sg(state, pid, ref)) for ref in names_or_ids]
    for ref, g in groups:
        if g is None:
            raise _not_found("security_group", ref)
    return [g["id"] for _ref, g in groups]


def create_port(state, req, attrs):
    pid = req.ctx["project_id"]
    net_id = _required(attrs, "network_id")
    net = state.networks.get(net_id)
    if net is None or not net_visible(net, pid):
        raise _not_found("network", str(net_id))
    if net["router:external"] and net["project_id"] != pid:
        raise _policy("(rule:create_port and rule:create_port:fixed_ips)")
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
    for key in ("name", "description", "admin_state_up", "port_security_enabled"):
        if key in attrs:
            value = attrs[key]
            setattr(p, key, value if key in ("name", "description") else bool(value))
    if "security_groups" in attrs:
        p.security_groups = _resolve_sgs(state, req.ctx["project_id"], attrs["security_groups"])
        if p.server is not None:
            p.server.touch(state.now())
    p.revision += 1
    p.updated = state.now()
    return Response(200, {"port": port_view(state, p)})


def delete_port(state, req, p, ident):
    if p.device_owner.startswith("network:"):
        raise neutron_error(409, "PortInUse" if p.device_owner != "network:router_interface"
                            else "L3PortInUse",
                            "Port %s cannot be deleted directly via the port API: has device "
                            "owner %s." % (ident, p.device_owner))
    delete_port_obj(state, ident)


def create_sg(state, req, attrs):
    pid = req.ctx["project_id"]
    name = attrs.get("name", "")
    if name == "default":
        raise neutron_error(409, "SecurityGroupDefaultAlreadyExists",
                            "Default security group already exists.")
    _check_quota(state, pid, "security-groups", "security_group")
    g = make_sg(state, project_id=pid, name=name, description=attrs.get("description", ""))
    g["stateful"] = bool(attrs.get("stateful", True))
    return Response(201, {"security_group": sg_view(state, g)})


def _sg_updated(state, req, g, attrs):
    if "name" in attrs:
        _drop_server_caches(state, lambda p: g["id"] in p.security_groups)


def delete_sg(state, req, g, ident):
    if g["name"] == "default":
        raise neutron_error(409, "SecurityGroupCannotRemoveDefault",
                            "Insufficient rights for removing default security group.")
    if any(ident in p.security_groups for p in state.ports.values()):
        raise neutron_error(409, "SecurityGroupInUse",
                            "Security Group %s in use." % ident)
    for rid in g["_rules"]:
        state.sg_rules.pop(rid, None)
    del state.security_groups[ident]


def create_sg_rule(state, req, attrs):
    pid = req.ctx["project_id"]
    gid = attrs.get("security_group_id")
    g = state.security_groups.get(gid) if gid else None
    if g is None or g["project_id"] != pid:
        raise _not_found("security_group", str(gid))
    direction = attrs.get("direction")
    if direction not in ("ingress", "egress"):
        raise _invalid("direction", "%s is not in valid_values." % direction)
    eth = attrs.get("ethertype", "IPv4")
    if eth not in ("IPv4", "IPv6"):
        raise _invalid("ethertype", "%s is not in valid_values." % eth)
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
            raise _invalid("remote_ip_prefix", "'%s' is not a valid IP subnet." % prefix)
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
    return Response(201, {"security_group_rule": std_view(state, r)})


def delete_sg_rule(state, req, r, ident):
    g = state.security_groups.get(r["security_group_id"])
    if g is not None and ident in g["_rules"]:
        g["_rules"].remove(ident)
    del state.sg_rules[ident]


def create_fip(state, req, attrs):
    pid = req.ctx["project_id"]
    nid = _required(attrs, "floating_network_id")
    net = state.networks.get(nid)
    if net is None or not net_visible(net, pid):
        raise _not_found("network", nid)
    if not net["router:external"]:
        raise _bad("Bad floatingip request: Network %s is not a valid external network." % nid,
                   "BadRequest")
    _check_quota(state, pid, "floatingips", "floatingip")
    port = attrs.get("port_id") and _get_item(state, "ports", req.ctx, attrs["port_id"])
    f = make_floatingip(state, project_id=pid, ext_net=net,
                        address=attrs.get("floating_ip_address"),
                        description=attrs.get("description", ""))
    if port:
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
        port = attrs["port_id"] and _get_item(state, "ports", req.ctx, attrs["port_id"])
        associate_fip(state, f, port or None, attrs.get("fixed_ip_address"))
    if "description" in attrs:
        f["description"] = attrs["description"]
    return Response(200, {"floatingip": fip_view(state, f)})


def delete_fip(state, req, f, ident):
    if f["port_id"]:
        associate_fip(state, f, None)
    sub = f["_subnet"]
    state.ip_used.get(sub, set()).discard(int(ipaddress.ip_address(f["floating_ip_address"])))
    del state.floatingips[ident]


def create_router(state, req, attrs):
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


def delete_router(state, req, _row, ident):
    if state.ports_by_device.get(ident):
        raise neutron_error(409, "RouterInUse", "Router %s still has ports" % ident)
    r = state.routers.pop(ident)
    gw = r["external_gateway_info"]
    if gw:
        for x in gw["external_fixed_ips"]:
            state.ip_used.get(x["subnet_id"], set()).discard(
                int(ipaddress.ip_address(x["ip_address"])))


def _router_interface(state, req, ident, add: bool):
    r = _get_item(state, "routers", req.ctx, ident)
    data = _json(req)
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
    # a collection's quota resource is its member name (rbac_policy, subnetpool: none used)
    used = {c.member: _count(state, project_id, c.url) for c in _COLLECTIONS}
    return Response(200, {"quota": {k: {"used": used.get(k, 0), "limit": v, "reserved": 0}
                                    for k, v in q.items()}})


_EXTENSION_VIEWS = {alias: {"updated": "2013-01-20T00:00:00-00:00", "name": name, "links": [],
                            "alias": alias, "description": desc} for alias, name, desc in EXTENSIONS}


def extensions(state, req, alias=None):
    """All of neutron's extensions, or (``alias``) one."""
    if alias is None:
        return Response(200, {"extensions": list(_EXTENSION_VIEWS.values())})
    if alias not in _EXTENSION_VIEWS:
        raise neutron_error(404, "HTTPNotFound", "Extension with alias %s does not exist" % alias)
    return Response(200, {"extension": _EXTENSION_VIEWS[alias]})


# ----------------------------------------------------------------------------- routing

def _ports_query(state, req, pid):
    """Ports by device (the index nova keeps) or by network, before the generic filters."""
    dev = req.params("device_id")
    if dev:
        ids = [i for d in dev for i in state.ports_by_device.get(d, [])]
        return [state.ports[i] for i in ids if state.ports[i].project_id == pid]
    nets = req.params("network_id")
    return [p for p in state.ports.values()
            if p.project_id == pid and (not nets or p.network_id in nets)]


_COLLECTIONS = [
    Collection("networks", "network", "networks", "Network",
               visible=lambda state, n, pid: net_visible(n, pid), create=create_network,
               delete=delete_network, on_update=_network_updated,
               updatable=("name", "description", "admin_state_up", "mtu",
                          "port_security_enabled", "dns_domain")),
    Collection("subnets", "subnet", "subnets", "Subnet", subnet_view, lambda state, s, pid:
               s["project_id"] == pid or state.networks[s["network_id"]]["shared"],
               create_subnet, delete=delete_subnet,
               updatable=("name", "description", "enable_dhcp", "dns_nameservers",
                          "host_routes", "gateway_ip")),
    Collection("ports", "port", "ports", "Port", port_view, create=create_port,
               update=update_port, delete=delete_port, select=_ports_query),
    Collection("routers", "router", "routers", "Router", router_view, create=create_router,
               delete=delete_router, updatable=("name", "description", "admin_state_up")),
    Collection("security-groups", "security_group", "security_groups", "Security group",
               sg_view, create=create_sg, delete=delete_sg, on_update=_sg_updated,
               updatable=("name", "description", "stateful")),
    Collection("security-group-rules", "security_group_rule", "sg_rules",
               "Security group rule", create=create_sg_rule, delete=delete_sg_rule),
    Collection("floatingips", "floatingip", "floatingips", "Floating IP", fip_view,
               create=create_fip, update=update_fip, delete=delete_fip),
]
COLLECTIONS = {c.url: c for c in _COLLECTIONS}


def _versions(base):
    return {"versions": [{"status": "CURRENT", "id": "v2.0",
                          "links": [{"href": base + "/networking/v2.0/", "rel": "self"}]}]}


def _spec_routes(spec):
    """The five routes of a collection; the generic handlers get the spec first."""
    update = spec.update or (functools.partial(update_row, spec) if spec.updatable else None)
    coll, item = r"/v2\.0/%s(?:\.json)?" % re.escape(spec.url), \
        r"/v2\.0/%s/([^/]+?)(?:\.json)?" % re.escape(spec.url)
    create = spec.create and functools.partial(create_row, spec)
    delete = spec.delete and functools.partial(delete_row, spec)
    routes = [("GET", coll, functools.partial(list_rows, spec)), ("POST", coll, create),
              ("GET", item, functools.partial(show_row, spec)), ("PUT", item, update),
              ("DELETE", item, delete)]
    return [r for r in routes if r[2] is not None]


_COLLECTION_ROUTES = RouteTable([r for c in _COLLECTIONS for r in _spec_routes(c)],
                                not_allowed=lambda req, methods: webob_error(
                                    405, "The server could not comply with the request since it "
                                    "is either malformed or otherwise incorrect.", req))
#: anything else: a method that does not fit answers 404, as neutron's routes do
_OTHER_ROUTES = RouteTable([
    *[("PUT", r"/v2\.0/routers/([^/]+)/%s_router_interface" % verb,
       functools.partial(_router_interface, add=verb == "add")) for verb in ("add", "remove")],
    ("GET", r"/v2\.0/quotas/([^/]+?)(?:\.json)?", get_quota),
    ("GET", r"/v2\.0/quotas/([^/]+?)/details(?:\.json)?",
     functools.partial(get_quota, details=True)),
    ("GET", r"/v2\.0/extensions", extensions),
    ("GET", r"/v2\.0/extensions/([^/]+)", extensions),
])


def handle(state, req, sub: str) -> Response:
    if sub in ("", "/"):
        return Response(200, _versions(req.base))
    if sub in ("/v2.0", "/v2.0/"):
        return Response(200, {"resources": [
            {"links": [{"href": "%s/networking/v2.0/%s" % (req.base, url), "rel": "self"}],
             "name": c.member, "collection": url} for url, c in COLLECTIONS.items()]})
    with state.lock:
        authenticate(state, req, lambda: neutron_error(
            403, "HTTPForbidden", "Project-scoped token required."))
        found = _COLLECTION_ROUTES.find(req, sub) or _OTHER_ROUTES.find(req, sub)
        if found is not None:
            fn, args = found
            return fn(state, req, *args)
    raise webob_error(404, "The resource could not be found.", req)
