"""Keystone v3 (identity) client: projects and token information."""

from __future__ import annotations

from osdesk.api.errors import Forbidden
from osdesk.api.service import ServiceClient


class IdentityClient(ServiceClient):
    """Projects the user can reach, and what the current token says."""

    service_type = "identity"

    def my_projects(self) -> list[dict]:
        """``GET /v3/auth/projects``: the projects this token's user may scope to."""
        return self._json("GET", "/auth/projects")["projects"]

    def user_projects(self, user_id: str | None = None) -> list[dict]:
        user_id = user_id or self.cloud.access.user_id
        return self._json("GET", f"/users/{user_id}/projects")["projects"]

    def list_projects(self) -> list[dict]:
        """All projects (admin); a member falls back to the projects it can reach."""
        try:
            return self._json("GET", "/projects")["projects"]
        except Forbidden:
            return self.my_projects()

    def get_project(self, project_id: str) -> dict:
        return self._json("GET", f"/projects/{project_id}")["project"]

    def token_info(self) -> dict:
        return self.cloud.token_info()
