"""The saved-cloud profile: everything needed to reach a cloud except its secret."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass, field
from urllib.parse import urlsplit

#: Auth types osdesk understands (keystoneauth plugin names).
AUTH_TYPES = ("password", "v3applicationcredential", "token")
#: Endpoint interfaces of the Keystone catalog.
INTERFACES = ("public", "internal", "admin")
#: keystoneauth plugin names of Keystone v2.0, which osdesk does not speak.
KEYSTONE_V2_AUTH_TYPES = ("v2password", "v2token")


def keystone_v2(auth_url: str, auth_type: str = "") -> tuple[str, str] | None:
    """For a Keystone v2.0 cloud (an auth URL ending in /v2.0, or a v2 auth type): what
    says so ("Keystone v2.0 (auth URL …)") and what to do instead; None for any other.
    Keystone v2.0 was removed in Queens; osdesk logs in with v3 only."""
    try:
        v2_url = urlsplit(auth_url.strip()).path.rstrip("/").endswith("/v2.0")
    except ValueError:
        v2_url = False
    what = []
    if v2_url:
        what.append(f"auth URL {auth_url.strip()}")
    if auth_type.strip().lower() in KEYSTONE_V2_AUTH_TYPES:
        what.append(f"auth_type {auth_type.strip()}")
    if not what:
        return None
    advice = "osdesk speaks Keystone v3; use the cloud's v3 URL"
    if v2_url:
        advice += f" (probably {auth_url.strip().rstrip('/')[:-len('/v2.0')]}/v3)"
    return f"Keystone v2.0 ({' / '.join(what)})", advice


@dataclass
class Profile:
    """One cloud the user can open.

    Holds no secret: the password, application-credential secret or token lives
    in the keyring (or in memory for this run), keyed by ``id``.
    """

    name: str
    auth_url: str
    auth_type: str = "password"
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    # user (password auth; application credentials may name a user too)
    username: str = ""
    user_id: str = ""
    user_domain_name: str = ""
    user_domain_id: str = ""
    # project scope
    project_name: str = ""
    project_id: str = ""
    project_domain_name: str = ""
    project_domain_id: str = ""
    # domain scope (used when no project is given)
    domain_name: str = ""
    domain_id: str = ""
    # application credential
    application_credential_id: str = ""
    application_credential_name: str = ""
    # endpoints
    region_name: str = ""
    interface: str = "public"
    # TLS and timeouts
    cacert: str = ""
    verify: bool = True
    timeout: float = 30.0
    #: "saved" for osdesk's own store, "clouds.yaml" for entries read from the
    #: ecosystem's config (read-only in osdesk; they are edited in the file).
    source: str = "saved"
    #: the clouds.yaml key for source == "clouds.yaml"
    cloud_name: str = ""

    # ------------------------------------------------------------------ scope
    @property
    def scope(self) -> str:
        """"project", "domain" or "unscoped"."""
        if self.project_id or self.project_name:
            return "project"
        if self.domain_id or self.domain_name:
            return "domain"
        return "unscoped"

    @property
    def scope_label(self) -> str:
        """A short human label for the scope: project name or ``domain X``."""
        if self.scope == "project":
            return self.project_name or self.project_id
        if self.scope == "domain":
            return "domain " + (self.domain_name or self.domain_id)
        return "(unscoped)"

    @property
    def secret_kind(self) -> str:
        """What the secret of this profile is called in messages."""
        return {"password": "password",
                "v3applicationcredential": "application credential secret",
                "token": "token"}.get(self.auth_type, "secret")

    # ------------------------------------------------------------ validation
    def problems(self) -> list[str]:
        """Everything wrong with the profile, as sentences; empty when valid."""
        out = []
        if not self.name.strip():
            out.append("The cloud needs a name.")
        url = self.auth_url.strip()
        if not url:
            out.append("The auth URL is required.")
        elif not (url.startswith("http://") or url.startswith("https://")):
            out.append("The auth URL must start with http:// or https://.")
        elif " " in url:
            out.append("The auth URL must not contain spaces.")
        else:
            try:
                split = urlsplit(url)
                split.port  # noqa: B018 - raises ValueError for a port out of range
            except ValueError as exc:
                why = ("its port must be a number from 1 to 65535" if "Port" in str(exc)
                       else "check its host name or address")
                out.append(f"The auth URL is not a valid URL: {why}.")
            else:
                if not split.hostname:
                    out.append("The auth URL has no host name.")
                v2 = keystone_v2(url)
                if v2:
                    out.append(f"{v2[0]} is not supported: {v2[1]}.")
        if self.auth_type not in AUTH_TYPES:
            out.append(f"Unknown auth type {self.auth_type!r}; "
                       f"use one of {', '.join(AUTH_TYPES)}.")
        if self.auth_type == "password" and not (self.username or self.user_id):
            out.append("Password login needs a user name or user id.")
        if self.auth_type == "v3applicationcredential":
            if not self.application_credential_id and not (
                    self.application_credential_name and (self.username or self.user_id)):
                out.append("An application credential needs its id, "
                           "or its name together with the user.")
        if self.interface not in INTERFACES:
            out.append(f"Interface must be one of {', '.join(INTERFACES)}.")
        try:
            if float(self.timeout) <= 0:
                out.append("The request timeout must be positive.")
        except (TypeError, ValueError):
            out.append("The request timeout must be a number of seconds.")
        return out

    # --------------------------------------------------------- serialisation
    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Profile":
        """Build from a stored dict, ignoring keys this version does not know."""
        known = {f.name for f in dataclasses.fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in known}
        if "name" not in kwargs or "auth_url" not in kwargs:
            raise ValueError("a profile needs 'name' and 'auth_url'")
        return cls(**kwargs)

    def copy(self, **changes) -> "Profile":
        return dataclasses.replace(self, **changes)
