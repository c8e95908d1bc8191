"""Tests of the clouds.yaml / secure.yaml / OS_* import and the clouds.yaml export."""

from __future__ import annotations

import json
import os
import textwrap
import uuid
from pathlib import Path

import pytest
import yaml

from osdesk.profiles import Profile, discover_clouds, export_clouds_yaml
from osdesk.profiles.cloudsyaml import CLOUDS_YAML_NAMESPACE, clouds_yaml_profile_id


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


def by_name(result) -> dict:
    return {p.cloud_name: (p, secret) for p, secret in result.profiles}


LAB = """\
    clouds:
      lab:
        auth:
          auth_url: https://keystone.example.com:5000/v3
          username: alice
          user_domain_name: Default
          project_name: demo
          project_domain_name: Default
        region_name: RegionOne
        interface: internal
    """


# -------------------------------------------------------------- discovery
def test_clouds_yaml_with_secure_yaml_merge(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", LAB)
    write(tmp_path / "secure.yaml", """\
        clouds:
          lab:
            auth:
              password: hunter2
        """)
    result = discover_clouds([clouds], env={})

    assert result.errors == [] and result.warnings == []
    assert result.files == [str(clouds), str(tmp_path / "secure.yaml")]
    (profile, secret), = result.profiles
    assert secret == "hunter2"
    assert profile == Profile(
        name="lab", auth_url="https://keystone.example.com:5000/v3", auth_type="password",
        id=clouds_yaml_profile_id("lab"), username="alice", user_domain_name="Default",
        project_name="demo", project_domain_name="Default", region_name="RegionOne",
        interface="internal", source="clouds.yaml", cloud_name="lab")


def test_ids_are_stable_and_derived_from_the_name(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", LAB)
    first = discover_clouds([clouds], env={}).profiles[0][0].id
    again = discover_clouds([clouds], env={}).profiles[0][0].id
    assert first == again == uuid.uuid5(CLOUDS_YAML_NAMESPACE, "clouds.yaml:lab").hex
    assert clouds_yaml_profile_id("lab2") != first


def test_standard_search_path_is_used(isolated_env):
    write(isolated_env / ".config" / "openstack" / "clouds.yaml", LAB)
    result = discover_clouds(env={})
    assert [p.cloud_name for p, _ in result.profiles] == ["lab"]
    assert result.files == [str(isolated_env / ".config" / "openstack" / "clouds.yaml")]


def test_current_directory_comes_first_in_the_search_path(isolated_env):
    write(isolated_env / ".config" / "openstack" / "clouds.yaml", LAB)
    write(isolated_env / "clouds.yaml", LAB.replace("lab:", "here:"))
    assert [p.cloud_name for p, _ in discover_clouds(env={}).profiles] == ["here"]


def test_os_client_config_file_is_honoured(isolated_env, tmp_path):
    write(isolated_env / ".config" / "openstack" / "clouds.yaml", LAB)
    override = write(tmp_path / "elsewhere" / "my-clouds.yaml",
                     LAB.replace("lab:", "override:"))
    secure = write(tmp_path / "elsewhere" / "my-secure.yaml", """\
        clouds:
          override:
            auth: {password: from-override}
        """)
    result = discover_clouds(env={"OS_CLIENT_CONFIG_FILE": str(override),
                                  "OS_CLIENT_SECURE_FILE": str(secure)})
    assert [(p.cloud_name, s) for p, s in result.profiles] == [("override", "from-override")]
    assert result.errors == []


def test_env_defaults_to_os_environ(monkeypatch, tmp_path):
    override = write(tmp_path / "c.yaml", LAB)
    monkeypatch.setenv("OS_CLIENT_CONFIG_FILE", str(override))
    assert [p.cloud_name for p, _ in discover_clouds().profiles] == ["lab"]


def test_application_credential_cloud(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          ci:
            auth_type: v3applicationcredential
            auth:
              auth_url: https://keystone.example.com/v3
              application_credential_id: 21dced0fd20347869b93710d2b98aae0
              application_credential_secret: app-secret
            region_name: RegionTwo
        """)
    (profile, secret), = discover_clouds([clouds], env={}).profiles
    assert profile.auth_type == "v3applicationcredential"
    assert profile.application_credential_id == "21dced0fd20347869b93710d2b98aae0"
    assert profile.scope == "unscoped" and profile.username == ""
    assert secret == "app-secret"


def test_domain_scoped_cloud(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          admin:
            auth:
              auth_url: https://keystone.example.com/v3
              username: admin
              user_domain_id: default
              domain_name: Engineering
              password: pw
        """)
    (profile, secret), = discover_clouds([clouds], env={}).profiles
    assert profile.scope == "domain" and profile.domain_name == "Engineering"
    assert profile.user_domain_id == "default" and secret == "pw"


def test_domain_with_project_means_user_and_project_domain(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          p:
            auth:
              auth_url: https://k/v3
              username: u
              project_name: demo
              domain_name: Corp
        """)
    (profile, _), = discover_clouds([clouds], env={}).profiles
    assert profile.scope == "project"
    assert (profile.user_domain_name, profile.project_domain_name, profile.domain_name) == \
        ("Corp", "Corp", "")


def test_legacy_spellings(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          old:
            auth:
              auth_url: https://k/v3
              username: bob
              tenant_name: t1
              tenant_id: 1234
            endpoint_type: adminURL
            insecure: true
            cacert: ~/ca.pem
            api_timeout: 12
        """)
    (profile, _), = discover_clouds([clouds], env={}).profiles
    assert (profile.project_name, profile.project_id) == ("t1", "1234")
    assert profile.interface == "admin"
    assert profile.verify is False
    assert profile.cacert == str(Path("~/ca.pem").expanduser())
    assert profile.timeout == 12.0


def test_verify_false_and_token_auth(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          tok:
            auth_type: v3token
            auth:
              auth_url: https://k/v3
              token: gAAAA-token
              project_id: p1
            verify: false
            timeout: 5
        """)
    (profile, secret), = discover_clouds([clouds], env={}).profiles
    assert (profile.auth_type, secret, profile.verify, profile.timeout) == \
        ("token", "gAAAA-token", False, 5.0)


def test_per_cloud_problems_are_errors_and_others_still_import(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", textwrap.dedent(LAB) + textwrap.indent(
        textwrap.dedent("""\
            sso:
              auth_type: v3oidcpassword
              auth: {auth_url: https://k/v3, username: u}
            nourl:
              auth: {username: x}
            badiface:
              auth: {auth_url: https://k/v3, username: u}
              interface: sideways
            """), "  "))
    result = discover_clouds([clouds], env={})
    assert [p.cloud_name for p, _ in result.profiles] == ["lab"]
    sso, nourl, badiface = result.errors
    assert "'sso'" in sso and str(clouds) in sso and "v3oidcpassword" in sso
    assert "'nourl'" in nourl and "auth URL is required" in nourl
    assert "'badiface'" in badiface and "sideways" in badiface


def test_several_regions_take_the_first_with_a_warning(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          multi:
            auth: {auth_url: https://k/v3, username: u}
            regions: [north, south]
        """)
    result = discover_clouds([clouds], env={})
    assert result.profiles[0][0].region_name == "north"
    assert result.warnings == ["Cloud 'multi' lists several regions (north, south); "
                               "osdesk uses the first."]


BROKEN = {
    "unclosed quote": ('clouds:\n  lab:\n    auth:\n      password: "hunter2\n'
                       '      username: x\n', "line 4"),
    "bad indent": ("clouds:\n  lab:\n    auth:\n      auth_url: https://k\n"
                   "     password: hunter2\n", "line 5"),
    "tab": "clouds:\n  lab:\n\tauth: {password: hunter2}\n",
}


@pytest.mark.parametrize("content", BROKEN.values(), ids=BROKEN.keys())
def test_broken_yaml_is_a_clear_error(tmp_path, content):
    content, line = content if isinstance(content, tuple) else (content, "line 3")
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(content)
    result = discover_clouds([clouds], env={})
    assert result.profiles == []
    error, = result.errors
    assert str(clouds) in error and "not valid YAML" in error and line in error
    assert "hunter2" not in error  # the offending line is not quoted


def test_broken_file_falls_back_to_the_next_one_like_the_cli(isolated_env):
    write(isolated_env / "clouds.yaml", "clouds: {lab: [\n")
    write(isolated_env / ".config" / "openstack" / "clouds.yaml", LAB)
    result = discover_clouds(env={})
    assert [p.cloud_name for p, _ in result.profiles] == ["lab"]
    assert len(result.errors) == 1 and str(isolated_env / "clouds.yaml") in result.errors[0]


@pytest.mark.parametrize("content, words", [
    ("- a\n- b\n", "does not hold a mapping"),
    ("clouds: [1, 2]\n", "'clouds' section"),
    ("clouds:\n  1: {}\n", "not text"),
    ('{"clouds": ', "not valid"),
])
def test_wrong_shapes_are_clear_errors(tmp_path, content, words):
    clouds = tmp_path / ("clouds.json" if content.startswith("{") else "clouds.yaml")
    clouds.write_text(content)
    result = discover_clouds([clouds], env={})
    assert result.profiles == []
    assert len(result.errors) == 1 and words in result.errors[0]
    assert str(clouds) in result.errors[0]


@pytest.mark.parametrize("cloud, words", [
    ("5", "is a number"),
    ("{auth: [1]}", "'auth' is a list"),
    ('{auth: {auth_url: "https://{x}/v3", username: u}}', "placeholder {x}"),
    ("{auth: {auth_url: 7}}", "auth_url is a number"),
    ("{auth: {auth_url: https://k, username: true}}", "'username' must be text"),
    ("{auth: {auth_url: https://k, username: u}, verify: [1]}", "'verify'"),
    ("", "no settings"),
])
def test_malformed_clouds_are_explained(tmp_path, cloud, words):
    clouds = write(tmp_path / "clouds.yaml", f"clouds:\n  odd: {cloud}\n")
    result = discover_clouds([clouds], env={})
    assert result.profiles == []
    assert len(result.errors) == 1 and words in result.errors[0]
    assert "'odd'" in result.errors[0]


@pytest.fixture
def no_network(monkeypatch):
    import requests

    def refuse(*args, **kwargs):
        raise AssertionError("network used")

    monkeypatch.setattr(requests, "get", refuse)


@pytest.mark.parametrize("vendor, url", [
    ("https://cloud.example.com", "https://cloud.example.com"),
    ("vexxhost", "https://vexxhost.com"),  # bundled, but points at its well-known URL
])
def test_remote_vendor_profile_is_not_fetched_when_not_allowed(tmp_path, no_network,
                                                               vendor, url):
    clouds = write(tmp_path / "clouds.yaml", f"""\
        clouds:
          remote:
            profile: {vendor}
            auth: {{username: u}}
        """)
    result = discover_clouds([clouds], env={}, fetch_remote_profiles=False)
    assert result.profiles == []
    assert result.errors == [f"The cloud 'remote' in {clouds} was not imported: its vendor "
                             f"profile comes from {url}, and fetching it was not allowed."]


def test_failed_vendor_fetch_is_an_error(tmp_path, monkeypatch):
    import requests

    def offline(*args, **kwargs):
        raise requests.ConnectionError("Name or service not known")

    monkeypatch.setattr(requests, "get", offline)
    clouds = write(tmp_path / "clouds.yaml", "clouds:\n  remote: {profile: vexxhost}\n")
    result = discover_clouds([clouds], env={})
    assert result.profiles == []
    assert "could not be fetched (Name or service not known" in result.errors[0]


def test_bundled_vendor_profile_fills_in_the_auth_url(tmp_path, no_network):
    clouds = write(tmp_path / "clouds.yaml", """\
        clouds:
          switch:
            profile: switchengines
            auth: {username: u, project_name: p}
        """)
    result = discover_clouds([clouds], env={}, fetch_remote_profiles=False)
    (profile, _), = result.profiles
    assert profile.auth_url == "https://keystone.cloud.switch.ch:5000/v3"
    assert profile.region_name == "LS"
    assert "several regions (LS, ZH)" in result.warnings[0]


def test_vendor_that_shut_down_is_explained(tmp_path, no_network):
    clouds = write(tmp_path / "clouds.yaml", "clouds:\n  beta: {profile: betacloud}\n")
    result = discover_clouds([clouds], env={}, fetch_remote_profiles=False)
    assert result.profiles == []
    assert "no longer exists" in result.errors[0] and "'beta'" in result.errors[0]


def test_no_configuration_at_all_gives_nothing(isolated_env):
    result = discover_clouds(env={})
    assert result.profiles == [] and result.errors == [] and result.files == []


# ----------------------------------------------------------------- OS_* env
OS_ENV = {
    "OS_AUTH_URL": "https://keystone.example.com/v3",
    "OS_USERNAME": "eve",
    "OS_PASSWORD": "env-pw",
    "OS_PROJECT_NAME": "ops",
    "OS_USER_DOMAIN_NAME": "Default",
    "OS_PROJECT_DOMAIN_ID": "default",
    "OS_REGION_NAME": "RegionOne",
    "OS_INTERFACE": "public",
    "OS_IDENTITY_API_VERSION": "3",
}


def test_os_envvars_cloud(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", LAB)
    result = discover_clouds([clouds], env=OS_ENV)
    clouds_by_name = by_name(result)
    assert set(clouds_by_name) == {"lab", "envvars"}
    profile, secret = clouds_by_name["envvars"]
    assert secret == "env-pw"
    assert (profile.name, profile.id, profile.source) == \
        ("envvars", clouds_yaml_profile_id("envvars"), "clouds.yaml")
    assert (profile.auth_url, profile.username, profile.project_name, profile.user_domain_name,
            profile.project_domain_id, profile.region_name) == \
        ("https://keystone.example.com/v3", "eve", "ops", "Default", "default", "RegionOne")


def test_os_envvars_application_credential_is_recognised_without_auth_type(isolated_env):
    env = {"OS_AUTH_URL": "https://k/v3", "OS_APPLICATION_CREDENTIAL_ID": "ac",
           "OS_APPLICATION_CREDENTIAL_SECRET": "acs"}
    (profile, secret), = discover_clouds(env=env).profiles
    assert (profile.auth_type, secret) == ("v3applicationcredential", "acs")


def test_os_envvars_selectors_alone_make_no_cloud(isolated_env):
    result = discover_clouds(env={"OS_CLOUD": "lab", "OS_REGION_NAME": "r"})
    assert result.profiles == [] and result.errors == []


def test_os_envvars_without_auth_url_is_an_error(isolated_env):
    result = discover_clouds(env={"OS_USERNAME": "eve"})
    assert result.profiles == []
    assert result.errors == ["The cloud from the OS_* environment variables was not "
                             "imported: the auth URL is required."]


def test_os_envvars_are_not_read_from_the_process_when_env_is_given(monkeypatch, isolated_env):
    for key, value in OS_ENV.items():
        monkeypatch.setenv(key, value)
    assert discover_clouds(env={}).profiles == []
    assert [p.name for p, _ in discover_clouds().profiles] == ["envvars"]


# ------------------------------------------------------------------- export
PROFILES = {
    "password": dict(),
    "app credential": dict(auth_type="v3applicationcredential", username="",
                           user_domain_name="", project_name="", project_domain_name="",
                           application_credential_id="ac-id"),
    "app credential by name": dict(auth_type="v3applicationcredential",
                                   application_credential_name="ci", project_name=""),
    "token": dict(auth_type="token", username="", project_id="p-1"),
    "domain scope": dict(project_name="", project_domain_name="", domain_id="d-1"),
    "tls": dict(verify=False, cacert="/etc/ssl/ca.pem", timeout=7.5, interface="internal"),
    "ids and braces": dict(username="", user_id="u-1", auth_url="https://k/{v3}",
                           region_name="r{1}"),
}


@pytest.mark.parametrize("changes", PROFILES.values(), ids=PROFILES.keys())
@pytest.mark.parametrize("with_secret", [False, True])
def test_export_then_import_round_trip(tmp_path, make_profile, changes, with_secret):
    profile = make_profile(**changes)
    assert profile.problems() == []
    secret = "s3cret-{value}" if with_secret else None
    text = export_clouds_yaml(profile, secret)
    clouds = write(tmp_path / "clouds.yaml", text)

    result = discover_clouds([clouds], env={})
    assert result.errors == []
    (back, back_secret), = result.profiles
    assert back == profile.copy(id=clouds_yaml_profile_id("lab"), source="clouds.yaml",
                                cloud_name="lab")
    assert back_secret == secret


def test_export_has_no_secret_unless_asked(make_profile):
    profile = make_profile()
    text = export_clouds_yaml(profile)
    auth = yaml.safe_load(text)["clouds"]["lab"]["auth"]
    assert not {"password", "token", "application_credential_secret"} & set(auth)

    with_secret = yaml.safe_load(export_clouds_yaml(profile, "hunter2"))
    assert with_secret["clouds"]["lab"]["auth"]["password"] == "hunter2"
    app = profile.copy(auth_type="v3applicationcredential", application_credential_id="x")
    auth = yaml.safe_load(export_clouds_yaml(app, "hunter2"))["clouds"]["lab"]["auth"]
    assert auth["application_credential_secret"] == "hunter2" and "password" not in auth


def test_export_of_an_imported_cloud_keeps_its_clouds_yaml_name(make_profile):
    profile = make_profile(name="Shown name", source="clouds.yaml", cloud_name="key")
    assert list(yaml.safe_load(export_clouds_yaml(profile))["clouds"]) == ["key"]


def test_a_cloud_named_envvars_is_imported_when_no_os_variables_are_set(tmp_path):
    """openstacksdk itself refuses such a file; osdesk keeps the cloud."""
    clouds = write(tmp_path / "clouds.yaml", LAB.replace("lab:", "envvars:"))
    result = discover_clouds([clouds], env={})
    assert [p.cloud_name for p, _ in result.profiles] == ["envvars"]
    assert result.errors == []


def test_clash_between_file_cloud_and_os_variables_keeps_the_file_cloud(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", LAB.replace("lab:", "mine:"))
    result = discover_clouds([clouds], env=OS_ENV | {"OS_CLOUD_NAME": "mine"})
    (profile, secret), = result.profiles
    assert (profile.cloud_name, profile.username, secret) == ("mine", "alice", None)
    assert result.errors == [f"The cloud from the OS_* environment variables was not "
                             f"imported: {clouds} also defines a cloud named 'mine'. Set "
                             f"OS_CLOUD_NAME to another name to import both."]


def test_os_cloud_name_renames_the_environment_cloud(tmp_path):
    clouds = write(tmp_path / "clouds.yaml", LAB)
    result = discover_clouds([clouds], env=OS_ENV | {"OS_CLOUD_NAME": "from-env"})
    assert sorted(p.cloud_name for p, _ in result.profiles) == ["from-env", "lab"]


def test_the_private_loader_methods_osdesk_overrides_still_exist():
    """cloudsyaml.EnvLoader overrides three private methods of openstacksdk's loader; the
    pin in pyproject.toml (openstacksdk 4.x) keeps them, and this fails first if an
    openstacksdk release renames one (the override would then be skipped silently)."""
    import inspect

    from openstack.config import loader
    for name, params in (("_get_envvar", ["self", "key", "default"]),
                         ("_get_os_environ", ["self", "envvar_prefix"]),
                         ("_load_yaml_json_file", ["self", "filelist"])):
        method = getattr(loader.OpenStackConfig, name)
        assert list(inspect.signature(method).parameters) == params, name


def _python(code: str, home: Path, **env_extra) -> str:
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("OS_", "XDG_", "SNAP_"))}
    env.update(HOME=str(home), PYTHONPATH=str(Path(__file__).resolve().parents[2]), **env_extra)
    out = subprocess.run([sys.executable, "-c", code], cwd=home, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout.split("\n")[0]


@pytest.mark.parametrize("xdg", [{}, {"XDG_CONFIG_HOME": "/x/conf", "XDG_CONFIG_DIRS": "/a/b:/c"}])
def test_the_cheap_search_path_covers_openstacksdks(tmp_path, xdg):
    """Without a file in these folders (and no OS_* cloud) openstacksdk's loader is not
    imported: they must be every folder the loader looks in (in a process of its own:
    the loader reads its folders once, when imported)."""
    code = ("import os, json; from openstack.config import loader; "
            "from osdesk.profiles.config_paths import candidate_files; "
            "print(json.dumps([loader.CONFIG_FILES + loader.SECURE_FILES, "
            "candidate_files(os.environ)]))")
    theirs, ours = json.loads(_python(code, tmp_path, **xdg))
    # platformdirs joins several site folders with ':' (the loader then looks in
    # "<first>:...:<last>/clouds.yaml"): each folder on its own is looked at here
    theirs = {os.path.join(d, os.path.basename(p)) for p in theirs
              for d in os.path.dirname(p).split(os.pathsep)}
    assert theirs <= set(ours), sorted(theirs - set(ours))


@pytest.mark.parametrize("with_file", [False, True])
def test_no_configuration_no_openstacksdk_import(tmp_path, with_file):
    """A start with no clouds.yaml and no OS_* variables does not import openstacksdk
    (~0.5 s of the GIL, while the first rows are shown); with a clouds.yaml it does."""
    home = tmp_path / "home"
    (home / ".config").mkdir(parents=True)
    if with_file:
        write(home / ".config" / "openstack" / "clouds.yaml", LAB)
    code = ("import sys; from osdesk.profiles import discover_clouds; r = discover_clouds(); "
            "print('openstack' in sys.modules, [p.cloud_name for p, _ in r.profiles])")
    assert _python(code, home) == ("True ['lab']" if with_file else "False []")
