"""The base of the per-service clients: a service type and the cloud that carries the calls."""

from __future__ import annotations


class ServiceClient:
    """A thin client of one service of a :class:`~osdesk.api.cloud.Cloud`.

    Every call goes through the cloud's session (its token, endpoint, call log and
    error mapping); the client only knows paths and bodies.
    """

    #: the catalog's service type: "compute", "image", "network", "identity"
    service_type = ""

    def __init__(self, cloud):
        self.cloud = cloud

    def _json(self, method, path, **kwargs):
        """The parsed JSON answer of one call to this service."""
        return self.cloud.json(self.service_type, method, path, **kwargs)


def given(**fields) -> dict:
    """The fields that were given a value: optional request fields are left out when
    None or empty, as the CLI leaves out options nobody set."""
    return {k: v for k, v in fields.items() if v not in (None, "", [], {})}
