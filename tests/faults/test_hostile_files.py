"""Hostile clouds.yaml, secure.yaml and openrc files, fuzzed with hypothesis.

Whatever the file holds, the importers never crash: they give valid profiles or
sentences saying what is wrong, and no sentence repeats a secret (errors end up in
the status bar and in message boxes). ``OSDESK_FAULTS_FUZZ_SCALE=10`` fuzzes harder.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from osdesk.profiles import (Profile, ProfileImportError, discover_clouds, parse_openrc)
from osdesk.profiles.cloudsyaml import ImportResult
from osdesk.profiles.openrc import OpenrcImport

pytestmark = pytest.mark.faults

SCALE = float(os.environ.get("OSDESK_FAULTS_FUZZ_SCALE", "1"))


def fuzz(examples: int):
    return settings(max_examples=max(1, int(examples * SCALE)), deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])


#: Every secret the fuzz puts in a file starts with this; no message may contain it.
MARK = "S3CRET"
SECRETS = st.text(max_size=12).map(lambda t: MARK + t)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


def leaks(texts) -> list[str]:
    return [t for t in texts if MARK in t]


def import_files(folder: Path, clouds: str | bytes, secure: str | bytes | None = None,
                 suffix: str = ".yaml") -> ImportResult:
    for old in folder.iterdir():
        old.unlink()
    config = folder / ("clouds" + suffix)
    (config.write_bytes if isinstance(clouds, bytes) else config.write_text)(clouds)
    if secure is not None:
        path = folder / ("secure" + suffix)
        (path.write_bytes if isinstance(secure, bytes) else path.write_text)(secure)
    result = discover_clouds([config], env={}, fetch_remote_profiles=False)
    check_result(result)
    return result


def check_result(result: ImportResult) -> None:
    assert isinstance(result, ImportResult)
    for profile, secret in result.profiles:
        assert isinstance(profile, Profile) and profile.problems() == []
        assert secret is None or (isinstance(secret, str) and secret)
    for sentence in result.errors + result.warnings:
        assert isinstance(sentence, str) and sentence.strip()
        assert "Traceback" not in sentence
    assert not leaks(result.errors + result.warnings), leaks(result.errors + result.warnings)


# ------------------------------------------------------------------ clouds.yaml
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=16),
    st.sampled_from(["https://k/v3", "http://", "https://[::1", "http://h:99999/v3", "password",
                     "v3applicationcredential", "token", "v3oidcpassword", "public",
                     "internalURL", "admin", "RegionOne", "{auth_url}", "{", "}", "{0}",
                     "vexxhost", "~/ca.pem", "/dev/null", "true", "0", "-1", "1e400", "nan",
                     "\x85", "\u2028", "é", "☁"]))
KEYS = st.one_of(st.text(max_size=8), st.sampled_from([
    "auth", "auth_url", "auth_type", "username", "user_id", "project_name", "project_id",
    "tenant_name", "domain_name", "domain_id", "user_domain_name", "project_domain_id",
    "application_credential_id", "application_credential_name", "region_name", "regions",
    "interface", "endpoint_type", "cacert", "verify", "insecure", "api_timeout", "timeout",
    "profile", "cloud", "networks", "name", "values", "identity_api_version"]))
SECRET_KEYS = st.sampled_from(["password", "application_credential_secret", "token",
                               "auth_token"])
YAMLISH = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(KEYS, children, max_size=4)),
    max_leaves=6)


@st.composite
def cloud_entries(draw):
    """One cloud: a plausible auth section with a secret, plus hostile extras."""
    auth = draw(st.dictionaries(KEYS, YAMLISH, max_size=3))
    if draw(st.booleans()):
        auth.setdefault("auth_url", draw(st.sampled_from(
            ["https://keystone.example.org:5000/v3", "http://127.0.0.1/identity", "keystone",
             "https://[::1]:5000/v3", "https://ключ.example/v3"])))
    for key in draw(st.lists(SECRET_KEYS, max_size=2)):
        auth[key] = draw(SECRETS)
    cloud = draw(st.dictionaries(KEYS, YAMLISH, max_size=3))
    cloud["auth"] = auth if draw(st.integers(0, 9)) else draw(YAMLISH)
    return cloud


CLOUD_NAMES = st.one_of(st.text(min_size=1, max_size=8), st.sampled_from(
    ["lab", "prod", "envvars", "defaults", "0", "☁", "a b", "{x}"]))


@fuzz(1000)
@given(st.dictionaries(CLOUD_NAMES, cloud_entries(), min_size=1, max_size=2))
def test_clouds_yaml_structures(folder, recorder, clouds):
    recorder.fuzzed("clouds.yaml")
    import_files(folder, yaml.safe_dump({"clouds": clouds}, allow_unicode=True))


@fuzz(2700)
@given(st.lists(st.one_of(st.sampled_from([
    "clouds:", "\n", "  ", "    ", "auth:", "lab:", "auth_url: https://k/v3", "username: u",
    f"password: {MARK}pw", f"token: {MARK}tk", "- ", "{", "}", "[", "]", ": ", '"', "'", "&a",
    "*a", "<<: *a", "!!python/object:os.system", "!!binary", "\t", "%YAML 1.1", "---", "...",
    "profile: x", "regions:", "verify: maybe", "api_timeout: -3", "? ", "|", ">", "#",
    "\ufeff", "\x00", "\x85"]), st.text(max_size=4)), max_size=40).map("".join))
def test_clouds_yaml_text(folder, recorder, text):
    recorder.fuzzed("clouds.yaml")
    import_files(folder, text)


@fuzz(400)
@given(st.binary(max_size=200))
def test_clouds_yaml_bytes(folder, recorder, data):
    recorder.fuzzed("clouds.yaml")
    import_files(folder, data)


@fuzz(400)
@given(YAMLISH)
def test_clouds_json_any_document(folder, recorder, document):
    recorder.fuzzed("clouds.yaml")
    import json
    import_files(folder, json.dumps(document), suffix=".json")


# ------------------------------------------------------------------ secure.yaml
VALID_CLOUDS = yaml.safe_dump({"clouds": {
    "lab": {"auth": {"auth_url": "https://keystone.example.org:5000/v3", "username": "u",
                     "project_name": "p", "user_domain_name": "Default",
                     "project_domain_name": "Default"}, "region_name": "RegionOne"},
    "ci": {"auth_type": "v3applicationcredential",
           "auth": {"auth_url": "https://keystone.example.org:5000/v3",
                    "application_credential_id": "abc"}}}})


@fuzz(500)
@given(st.dictionaries(st.one_of(st.sampled_from(["lab", "ci", "other"]), CLOUD_NAMES),
                       cloud_entries(), max_size=3))
def test_secure_yaml_structures(folder, recorder, secure):
    recorder.fuzzed("secure.yaml")
    result = import_files(folder, VALID_CLOUDS,
                          yaml.safe_dump({"clouds": secure}, allow_unicode=True))
    assert result.profiles or result.errors


@fuzz(800)
@given(st.one_of(st.text(max_size=80), YAMLISH.map(lambda d: yaml.safe_dump(d)),
                 st.binary(max_size=80)))
def test_secure_yaml_anything(folder, recorder, secure):
    recorder.fuzzed("secure.yaml")
    result = import_files(folder, VALID_CLOUDS, secure)
    # a broken secure.yaml never costs the clouds of a good clouds.yaml
    assert {p.name for p, _ in result.profiles} >= {"lab"} or result.errors


# ------------------------------------------------------------------------ openrc
SHELL = st.sampled_from([
    "export ", "unset ", "read -sr ", "declare -x ", "source ", ". ", "if [ -z ", " ]; then ",
    "; fi", "OS_AUTH_URL", "OS_USERNAME", "OS_PASSWORD", "OS_PROJECT_NAME", "OS_AUTH_TYPE",
    "OS_DOMAIN_ID", "OS_INSECURE", "OS_INTERFACE", "OS_API_TIMEOUT", "OS_TOKEN", "OS_CACERT",
    "OS_APPLICATION_CREDENTIAL_ID", "OS_APPLICATION_CREDENTIAL_SECRET", "OS_CLOUD", "=",
    "https://k/v3", "http://", "v3token", "token", "public", "internalURL", "true", "-1",
    "1e400", "nan", "$", "${", "}", "$(", ")", "`", "'", '"', "\\", "\n", "\r\n", " ", "\t",
    "#", ";", "&&", "|", "<", ">", "$'", "x", "é", "\x00", "{", "OS_PASSWORD_INPUT",
    f"OS_PASSWORD={MARK}", f"OS_PASSWORD='{MARK} x'", f'OS_APPLICATION_CREDENTIAL_SECRET="{MARK}"',
    f"OS_TOKEN={MARK}$HOME", "${OS_PASSWORD:-x}", "$OS_PASSWORD"])
SHELLISH = st.lists(st.one_of(SHELL, st.text(max_size=4)), max_size=40).map("".join)


def check_openrc(text) -> None:
    try:
        result = parse_openrc(text)
    except ProfileImportError as exc:
        message = str(exc)
        assert message.strip() and "Traceback" not in message
        assert MARK not in message, message
        return
    assert isinstance(result, OpenrcImport)
    profile, secret = result
    assert isinstance(profile, Profile) and profile.problems() == []
    assert secret is None or (isinstance(secret, str) and secret)
    assert all(isinstance(w, str) and MARK not in w for w in result.warnings), result.warnings


@fuzz(3200)
@given(SHELLISH)
def test_openrc_shell_like(recorder, text):
    recorder.fuzzed("openrc")
    check_openrc(text)


@fuzz(800)
@given(st.text(max_size=200))
def test_openrc_any_text(recorder, text):
    recorder.fuzzed("openrc")
    check_openrc(text)


@fuzz(400)
@given(st.binary(max_size=200))
def test_openrc_any_bytes(recorder, data):
    recorder.fuzzed("openrc")
    check_openrc(data)


def test_openrc_absurd_sizes(recorder):
    """A 5 MB line, 100,000 lines, deep nesting: an answer, not a hang or a crash."""
    cases = ["export OS_AUTH_URL=" + "a" * 5_000_000,
             "export OS_AUTH_URL=https://k/v3\n" * 100_000,
             "$(" * 10_000, "${" * 10_000, "'" + "x" * 1_000_000]
    for text in cases:
        recorder.fuzzed("openrc")
        check_openrc(text)


def test_clouds_yaml_absurd_sizes(folder, recorder):
    nested = "a: " + "[" * 5_000 + "]" * 5_000
    cases = [nested, "clouds:\n" + "".join(f"  c{i}:\n    auth: {{auth_url: 'https://k/v3', "
                                            f"username: u}}\n" for i in range(2_000)),
             "clouds: {lab: {auth: {auth_url: '" + "x" * 2_000_000 + "'}}}",
             "&a [*a]", "a: &a\n  b: *a\n"]
    for text in cases:
        recorder.fuzzed("clouds.yaml")
        import_files(folder, text)
