"""Saved clouds: profiles, their store, their secrets, and clouds.yaml/openrc import and export."""

from osdesk.profiles.cloudsyaml import (
    ImportResult,
    ProfileImportError,
    discover_clouds,
    export_clouds_yaml,
)
from osdesk.profiles.openrc import OpenrcImport, export_openrc, parse_openrc
from osdesk.profiles.profile import Profile
from osdesk.profiles.secrets import SecretLocation, SecretStore
from osdesk.profiles.store import ProfileStore, ProfileStoreError

__all__ = [
    "ImportResult",
    "OpenrcImport",
    "Profile",
    "ProfileImportError",
    "ProfileStore",
    "ProfileStoreError",
    "SecretLocation",
    "SecretStore",
    "discover_clouds",
    "export_clouds_yaml",
    "export_openrc",
    "parse_openrc",
]
