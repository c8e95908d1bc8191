"""Neutron (network, API v2.0) client: raw dicts exactly as the API returned them."""

from __future__ import annotations

from typing import Iterator

from osdesk.api.pagination import DEFAULT_PAGE_SIZE, iter_pages
from osdesk.api.service import ServiceClient, given



def item_key(resource: str) -> str:
    """The JSON key of one item of a Neutron collection: "security-groups" -> "security_group"."""
    return resource[:-1].replace("-", "_") if resource.endswith("s") else resource


class NetworkClient(ServiceClient):
    """Networks, subnets, routers, ports, security groups, floating IPs, quotas."""

    service_type = "network"

    # ------------------------------------------------------------- generic
    def iter_pages(self, resource: str, *, filters: dict | None = None,
                   page_size: int | None = DEFAULT_PAGE_SIZE) -> Iterator[list[dict]]:
        key = resource.replace("-", "_")
        return iter_pages(self.cloud, "network", f"/{resource}", key, params=filters,
                          page_size=page_size)

    def list(self, resource: str, *, filters: dict | None = None,
             page_size: int | None = DEFAULT_PAGE_SIZE) -> list[dict]:
        out = []
        for page in self.iter_pages(resource, filters=filters, page_size=page_size):
            out.extend(page)
        return out

    def get(self, resource: str, item_id: str) -> dict:
        return self._json("GET", f"/{resource}/{item_id}")[item_key(resource)]

    def create(self, resource: str, fields: dict) -> dict:
        key = item_key(resource)
        return self._json("POST", f"/{resource}", json={key: fields}, ok=(201,))[key]

    def delete(self, resource: str, item_id: str) -> None:
        self.cloud.request("network", "DELETE", f"/{resource}/{item_id}", ok=(204,))

    # ------------------------------------------------------------ networks
    def list_networks(self, **kw):
        return self.list("networks", **kw)

    def get_network(self, network_id):
        return self.get("networks", network_id)

    def create_network(self, name: str, *, admin_state_up: bool = True, shared: bool | None = None,
                       mtu: int | None = None, **extra) -> dict:
        fields = dict(given(name=name, mtu=int(mtu) if mtu else None),
                      admin_state_up=admin_state_up)
        if shared is not None:
            fields["shared"] = shared
        return self.create("networks", dict(fields, **extra))

    def delete_network(self, network_id):
        self.delete("networks", network_id)

    # ------------------------------------------------------------- subnets
    def list_subnets(self, **kw):
        return self.list("subnets", **kw)

    def create_subnet(self, network_id: str, cidr: str, *, name: str = "", ip_version: int = 4,
                      gateway_ip: str | None | bool = True, enable_dhcp: bool = True,
                      dns_nameservers: list[str] | None = None,
                      allocation_pools: list[dict] | None = None, **extra) -> dict:
        """``gateway_ip``: True for Neutron's default, None/False for no gateway, or an address."""
        fields = dict(given(name=name, dns_nameservers=list(dns_nameservers or ()),
                            allocation_pools=allocation_pools),
                      network_id=network_id, cidr=cidr, ip_version=ip_version,
                      enable_dhcp=enable_dhcp)
        if gateway_ip is None or gateway_ip is False:
            fields["gateway_ip"] = None
        elif isinstance(gateway_ip, str):
            fields["gateway_ip"] = gateway_ip
        return self.create("subnets", dict(fields, **extra))

    def delete_subnet(self, subnet_id):
        self.delete("subnets", subnet_id)

    # ------------------------------------------------------ other resources
    def list_routers(self, **kw):
        return self.list("routers", **kw)

    def get_router(self, router_id):
        return self.get("routers", router_id)

    def list_ports(self, **kw):
        return self.list("ports", **kw)

    def list_security_groups(self, **kw):
        return self.list("security-groups", **kw)

    def list_floating_ips(self, **kw):
        return self.list("floatingips", **kw)

    def list_external_networks(self) -> list[dict]:
        """The networks floating IPs come from (``router:external``)."""
        return self.list("networks", filters={"router:external": "true"})

    # -------------------------------------------------------- floating IPs
    def create_floating_ip(self, network_id: str, *, port_id: str | None = None,
                           fixed_ip_address: str | None = None, description: str = "") -> dict:
        """Allocate an address from the external network ``network_id`` (and associate it
        at once when ``port_id`` is given)."""
        return self.create("floatingips", given(
            floating_network_id=network_id, port_id=port_id,
            fixed_ip_address=fixed_ip_address, description=description))

    def associate_floating_ip(self, floating_ip_id: str, port_id: str,
                              fixed_ip_address: str | None = None) -> dict:
        fields = given(port_id=port_id, fixed_ip_address=fixed_ip_address)
        return self._json("PUT", f"/floatingips/{floating_ip_id}",
                          json={"floatingip": fields})["floatingip"]

    def disassociate_floating_ip(self, floating_ip_id: str) -> dict:
        return self._json("PUT", f"/floatingips/{floating_ip_id}",
                          json={"floatingip": {"port_id": None}})["floatingip"]

    def delete_floating_ip(self, floating_ip_id: str) -> None:
        self.delete("floatingips", floating_ip_id)

    # ----------------------------------------------------- security groups
    def create_security_group(self, name: str, description: str = "") -> dict:
        return self.create("security-groups", {"name": name, "description": description})

    def update_security_group(self, group_id: str, **fields) -> dict:
        return self._json("PUT", f"/security-groups/{group_id}",
                          json={"security_group": fields})["security_group"]

    def delete_security_group(self, group_id: str) -> None:
        self.delete("security-groups", group_id)

    def list_security_group_rules(self, **kw) -> list[dict]:
        return self.list("security-group-rules", **kw)

    def create_security_group_rule(self, group_id: str, *, direction: str = "ingress",
                                   ethertype: str = "IPv4", protocol: str | None = None,
                                   port_range_min: int | None = None,
                                   port_range_max: int | None = None,
                                   remote_ip_prefix: str | None = None,
                                   remote_group_id: str | None = None,
                                   description: str = "") -> dict:
        """One rule; ``protocol`` None is any, a port range only for tcp/udp (and ICMP
        type/code in the same two fields)."""
        return self.create("security-group-rules", given(
            security_group_id=group_id, direction=direction, ethertype=ethertype,
            protocol=protocol, port_range_min=port_range_min, port_range_max=port_range_max,
            remote_ip_prefix=remote_ip_prefix, remote_group_id=remote_group_id,
            description=description))

    def delete_security_group_rule(self, rule_id: str) -> None:
        self.delete("security-group-rules", rule_id)

    def quotas(self, project_id: str, *, details: bool = True) -> dict:
        """Quota limits; with ``details`` each as ``{"limit", "used", "reserved"}``."""
        path = f"/quotas/{project_id}/details" if details else f"/quotas/{project_id}"
        return self._json("GET", path)["quota"]
