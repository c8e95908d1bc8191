"""Hypothesis fuzzing of the importers: any input gives a valid result or a ProfileImportError.

``OSDESK_FUZZ_EXAMPLES=5000 pytest tests/profiles/test_profile_fuzz.py`` fuzzes harder.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osdesk.profiles import (
    Profile,
    ProfileImportError,
    discover_clouds,
    export_clouds_yaml,
    export_openrc,
    parse_openrc,
)
from osdesk.profiles.cloudsyaml import ImportResult
from osdesk.profiles.openrc import OpenrcImport
from osdesk.profiles.profile import AUTH_TYPES, INTERFACES

EXAMPLES = int(os.environ.get("OSDESK_FUZZ_EXAMPLES", "200"))

fuzz = settings(
    max_examples=EXAMPLES,
    deadline=None,  # no timing asserts
    database=None,  # leave no .hypothesis folder behind in the checkout
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# ------------------------------------------------------------------ openrc
SHELL_PIECES = st.sampled_from([
    "export ", "unset ", "read -sr ", "declare -x ", "source ", ". ", "if [ -z ", " ]; then ",
    "; fi", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_AUTH_TYPE",
    "OS_DOMAIN_ID", "OS_INSECURE", "OS_INTERFACE", "OS_API_TIMEOUT", "OS_TOKEN",
    "OS_APPLICATION_CREDENTIAL_ID", "OS_CLOUD", "=", "https://k/v3", "http://", "v3token",
    "token", "public", "internalURL", "true", "-1", "1e400", "nan", "$", "${", "}", "$(", ")",
    "`", "'", '"', "\\", "\n", "\r\n", " ", "\t", "#", ";", "&&", "|", "<", ">", "$'",
    "x", "é", "\x00", "{", "OS_PASSWORD_INPUT",
])
SHELLISH = st.lists(st.one_of(SHELL_PIECES, st.text(max_size=5)), max_size=40).map("".join)


def check_openrc(text) -> None:
    try:
        result = parse_openrc(text)
    except ProfileImportError as exc:
        assert str(exc).strip()
        return
    assert isinstance(result, OpenrcImport)
    profile, secret = result
    assert isinstance(profile, Profile) and profile.problems() == []
    assert secret is None or (isinstance(secret, str) and secret)
    assert all(isinstance(w, str) for w in result.warnings)


@fuzz
@given(st.text())
def test_parse_openrc_any_text(text):
    check_openrc(text)


@fuzz
@given(SHELLISH)
def test_parse_openrc_shell_like_text(text):
    check_openrc(text)


@fuzz
@given(st.binary())
def test_parse_openrc_any_bytes(data):
    check_openrc(data)


# -------------------------------------------------------------- clouds.yaml
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                    st.text(max_size=20),
                    st.sampled_from(["https://k/v3", "password", "v3applicationcredential",
                                     "token", "public", "internalURL", "RegionOne",
                                     "{auth_url}", "{", "vexxhost", "https://x.invalid",
                                     "~/ca.pem", "true", "0"]))
KEYS = st.one_of(st.text(max_size=10), st.sampled_from([
    "auth", "auth_url", "auth_type", "username", "user_id", "password", "project_name",
    "project_id", "tenant_name", "domain_name", "user_domain_name", "project_domain_id",
    "application_credential_id", "application_credential_secret", "token", "region_name",
    "regions", "interface", "endpoint_type", "cacert", "verify", "insecure", "api_timeout",
    "timeout", "profile", "cloud", "networks", "name", "values", "auth-url", "metrics",
]))
YAMLISH = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=6)),
    max_leaves=25,
)


def run_discover(config_text: str, secure_text: str | None = None) -> ImportResult:
    with tempfile.TemporaryDirectory() as tmp:
        clouds = Path(tmp) / "clouds.yaml"
        clouds.write_text(config_text, "utf-8")
        if secure_text is not None:
            (Path(tmp) / "secure.yaml").write_text(secure_text, "utf-8")
        result = discover_clouds([clouds], env={}, fetch_remote_profiles=False)
    check_result(result)
    return result


def check_result(result) -> None:
    assert isinstance(result, ImportResult)
    for profile, secret in result.profiles:
        assert isinstance(profile, Profile) and profile.problems() == []
        assert profile.source == "clouds.yaml" and profile.cloud_name == profile.name
        assert secret is None or isinstance(secret, str)
    assert all(isinstance(e, str) and e for e in result.errors)
    assert all(isinstance(w, str) for w in result.warnings)


@fuzz
@given(st.text())
def test_discover_any_text(text):
    run_discover(text)


@fuzz
@given(st.lists(st.one_of(st.sampled_from(["clouds:", "\n", "  ", "    ", "auth:", "lab:",
                                           "auth_url: https://k/v3", "username: u", "- ",
                                           "{", "}", "[", "]", ": ", '"', "'", "&a", "*a",
                                           "!!python/object:os.system", "\t", "%YAML 1.1",
                                           "---", "password: pw", "profile: x"]),
                          st.text(max_size=4)), max_size=40).map("".join))
def test_discover_yaml_like_text(text):
    run_discover(text)


@fuzz
@given(st.dictionaries(st.text(max_size=8), YAMLISH, max_size=4), YAMLISH)
def test_discover_arbitrary_structures(clouds, secure):
    run_discover(yaml.safe_dump({"clouds": clouds}),
                 yaml.safe_dump({"clouds": {name: secure for name in clouds}}))


@fuzz
@given(YAMLISH)
def test_discover_arbitrary_top_level(document):
    run_discover(yaml.safe_dump(document))


@fuzz
@given(st.dictionaries(st.sampled_from(["OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD",
                                        "OS_PROJECT_NAME", "OS_AUTH_TYPE", "OS_INTERFACE",
                                        "OS_INSECURE", "OS_API_TIMEOUT", "OS_REGION_NAME",
                                        "OS_CLOUD", "OS_CLOUD_NAME", "OS_DOMAIN_NAME",
                                        "OS_TOKEN", "OS_CLIENT_CONFIG_FILE"]),
                       st.one_of(st.text(max_size=12), st.just("https://k/v3")), max_size=8))
def test_discover_arbitrary_environment(env):
    with tempfile.TemporaryDirectory() as tmp:
        env = {k: v.replace("\x00", "") for k, v in env.items()}
        env.setdefault("OS_CLIENT_CONFIG_FILE", str(Path(tmp) / "none.yaml"))
        result = discover_clouds([], env=env, secure_files=[], fetch_remote_profiles=False)
    assert isinstance(result, ImportResult)
    for profile, _ in result.profiles:
        assert profile.problems() == []


# --------------------------------------------------------------- round trips
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
NAME_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=12) \
    .filter(str.strip)


@st.composite
def profiles(draw) -> Profile:
    auth_type = draw(st.sampled_from(AUTH_TYPES))
    fields = {name: draw(TEXT) for name in (
        "user_domain_name", "user_domain_id", "project_domain_name", "project_domain_id",
        "region_name", "cacert", "application_credential_name")}
    scope = draw(st.sampled_from(["project", "domain", "none"]))
    if scope == "project":
        fields["project_name"] = draw(NAME_TEXT)
        fields["project_id"] = draw(TEXT)
    elif scope == "domain":
        fields["domain_name"] = draw(NAME_TEXT)
        fields["domain_id"] = draw(TEXT)
    if auth_type == "password":
        fields["username"] = draw(NAME_TEXT)
    if auth_type == "v3applicationcredential":
        fields["application_credential_id"] = draw(NAME_TEXT)
    host = draw(st.from_regex(r"[a-z][a-z0-9-]{0,10}(\.[a-z]{2,5})?", fullmatch=True))
    path = draw(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zs")), max_size=10))
    profile = Profile(
        name=draw(NAME_TEXT), auth_url=f"https://{host}/{path}", auth_type=auth_type,
        interface=draw(st.sampled_from(INTERFACES)), verify=draw(st.booleans()),
        timeout=draw(st.floats(min_value=0.001, max_value=1e6)), **fields)
    # values that are only whitespace are dropped by both formats, like empty ones
    for name, value in list(vars(profile).items()):
        if isinstance(value, str) and name not in ("name", "id") and not value.strip():
            setattr(profile, name, "")
    return profile


@fuzz
@given(profiles(), st.one_of(st.none(), NAME_TEXT))
def test_openrc_round_trip(profile, secret):
    if profile.problems():
        return
    back, back_secret = parse_openrc(export_openrc(profile, secret), name=profile.name)
    # "~" in a CA path is expanded on import, as openstacksdk does when it uses it
    assert back == profile.copy(id=back.id, cacert=os.path.expanduser(profile.cacert))
    assert back_secret == secret


@fuzz
@given(profiles(), st.one_of(st.none(), NAME_TEXT))
def test_clouds_yaml_round_trip(profile, secret):
    if profile.problems():
        return
    result = run_discover(export_clouds_yaml(profile, secret))
    assert result.errors == []
    (back, back_secret), = result.profiles
    expected = profile.copy(id=back.id, source="clouds.yaml", cloud_name=profile.name,
                            cacert=os.path.expanduser(profile.cacert))
    assert back == expected
    assert back_secret == secret
