"""Checks, inside the frozen bundle, the things PyInstaller can silently leave out.

``packaging/osdesk.spec`` builds this next to ``osdesk`` from the same analysis (same
modules, data files and package metadata); ``packaging/build-deb.sh`` runs it from the
build tree and does not ship it. Each check prints one line; the exit status is the
number of failures. Runs offscreen, against the demo cloud on 127.0.0.1: no network.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

CHECKS = []


def check(fn):
    CHECKS.append(fn)
    return fn


@check
def package_metadata():
    # Read at import time (pbr/importlib.metadata): without the dist-info, importing fails.
    import importlib.metadata as md

    import keystoneauth1
    import openstack.version
    import os_service_types
    versions = {d: md.version(d) for d in ("keystoneauth1", "openstacksdk", "os-service-types",
                                           "stevedore", "keyring", "osdesk")}
    assert keystoneauth1.__version__ and openstack.version.__version__
    os_service_types.ServiceTypes()  # loads its service-types.json
    return ", ".join(f"{k} {v}" for k, v in versions.items())


@check
def keystoneauth_plugins_via_stevedore():
    from keystoneauth1 import loading
    names = set(loading.get_available_plugin_names())
    needed = {"password", "v3password", "token", "v3token", "v3applicationcredential",
              "v3totp", "v3oidcpassword", "none", "admin_token"}
    assert needed <= names, f"missing auth plugins: {sorted(needed - names)}"
    for name in needed:
        loading.get_plugin_loader(name).load_from_options  # noqa: B018 - imports the module
    return f"{len(names)} plugins"


@check
def openstacksdk_data_files():
    from openstack.config import loader, vendors
    config = loader.OpenStackConfig(config_files=[], vendor_files=[], load_yaml_config=False)
    assert config.get_cloud_names() is not None
    vendors.get_profile("ovh")  # openstack/config/vendors/*.json
    return "defaults.json, schema.json, vendors"


@check
def certifi_bundle():
    import certifi
    import requests.certs
    path = Path(certifi.where())
    assert path.is_file() and path.stat().st_size > 10_000, path
    assert Path(requests.certs.where()).is_file()
    return str(path)


@check
def keyring_backends():
    # Backends are found through keyring's entry points; SecretService (GNOME keyring,
    # KWallet 6) also needs secretstorage and jeepney. Whether one is *viable* depends on
    # the desktop session, which a build machine has none of.
    import importlib.metadata as md

    import jeepney  # noqa: F401
    import secretstorage  # noqa: F401
    eps = {ep.name: ep for ep in md.entry_points(group="keyring.backends")}
    assert {"SecretService", "KWallet", "libsecret"} <= set(eps), sorted(eps)
    eps["SecretService"].load().Keyring
    return ", ".join(sorted(eps))


@check
def resources():
    from osdesk.desktop.assets import resource, resource_dir
    for name in ("osdesk.svg", "io.github.osdesk.osdesk.desktop",
                 "io.github.osdesk.osdesk.metainfo.xml", "icons/osdesk-256.png"):
        assert resource(name).is_file(), resource(name)
    return str(resource_dir())


@check
def every_resource_kind():
    # the registry finds the kinds by listing osdesk/kinds: a kind module no other module
    # imports is bundled only because the spec collects the package's submodules
    from osdesk.kinds.registry import KIND_BY_KEY
    needed = {"servers", "images", "flavors", "keypairs", "volumes", "volume_snapshots",
              "networks", "subnets", "routers", "ports", "security_groups", "floating_ips",
              "projects"}
    assert needed <= set(KIND_BY_KEY), f"missing kinds: {sorted(needed - set(KIND_BY_KEY))}"


@check
def qt_icon_and_svg():
    from PySide6.QtGui import QImageReader
    from PySide6.QtWidgets import QApplication
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    formats = {bytes(f).decode() for f in QImageReader.supportedImageFormats()}
    assert {"svg", "png"} <= formats, formats
    from osdesk.views.icons import app_icon
    icon = app_icon()
    assert not icon.isNull() and not icon.pixmap(48, 48).isNull()
    return "svg+png image formats, app_icon()"


@check
def password_login_through_clouds_yaml():
    """clouds.yaml → openstacksdk's loader → keystoneauth plugin (stevedore) → login → servers."""
    from osdesk.api import Cloud
    from osdesk.demo import DemoCloud
    from osdesk.profiles.cloudsyaml import discover_clouds
    demo = DemoCloud(servers=3).start()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            clouds = Path(tmp) / "clouds.yaml"
            clouds.write_text(
                "clouds:\n"
                "  demo-password:\n"
                "    auth:\n"
                f"      auth_url: {demo.auth_url}\n"
                f"      username: {demo.USERNAME}\n"
                f"      password: {demo.PASSWORD}\n"
                f"      project_name: {demo.PROJECT_NAME}\n"
                f"      user_domain_name: {demo.USER_DOMAIN}\n"
                f"      project_domain_name: {demo.USER_DOMAIN}\n"
                "  demo-appcred:\n"
                "    auth_type: v3applicationcredential\n"
                "    auth:\n"
                f"      auth_url: {demo.auth_url}\n"
                f"      application_credential_id: {demo.APP_CRED_ID}\n"
                f"      application_credential_secret: {demo.APP_CRED_SECRET}\n")
            result = discover_clouds(config_files=[clouds], env={}, fetch_remote_profiles=False)
        assert not result.errors, result.errors
        assert len(result.profiles) == 2, result.profiles
        counts = []
        for profile, secret in result.profiles:
            cloud = Cloud(profile, secret)
            try:
                cloud.authenticate()
                counts.append(f"{profile.name}: {len(cloud.compute.list_servers())} servers")
            finally:
                cloud.close()
        return "; ".join(counts)
    finally:
        demo.stop()


def main() -> int:
    failures = 0
    for fn in CHECKS:
        try:
            detail = fn()
            print(f"ok   {fn.__name__}: {detail}")
        except Exception:
            failures += 1
            print(f"FAIL {fn.__name__}:\n{traceback.format_exc()}")
        sys.stdout.flush()
    print(f"bundle self-test: {len(CHECKS) - failures} passed, {failures} failed")
    return failures


if __name__ == "__main__":
    sys.exit(main())
