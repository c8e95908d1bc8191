"""Keystone v2.0 clouds are refused where they come in (clouds.yaml, OS_* variables, RC
files, the profile editor), with a sentence that says to use the v3 URL."""

from __future__ import annotations

import textwrap

import pytest

from osdesk.api.cloud import Cloud
from osdesk.api.errors import ConfigError
from osdesk.profiles import Profile, ProfileImportError, discover_clouds, parse_openrc

REFUSAL = "is not supported: osdesk speaks Keystone v3; use the cloud's v3 URL"


def test_clouds_yaml_refuses_each_v2_cloud_and_imports_the_others(tmp_path):
    clouds = tmp_path / "clouds.yaml"
    clouds.write_text(textwrap.dedent("""\
        clouds:
          lab:
            auth: {auth_url: "https://keystone.example.com:5000/v3", username: alice}
          oldurl:
            auth: {auth_url: "https://keystone.example.com:5000/v2.0/", username: bob,
                   tenant_name: t1}
          oldtype:
            auth_type: v2password
            auth: {auth_url: "https://keystone.example.com:5000", username: carol}
        """), "utf-8")

    result = discover_clouds([clouds], env={})

    assert [p.cloud_name for p, _ in result.profiles] == ["lab"]
    oldurl, oldtype = result.errors
    assert oldurl.startswith(f"The cloud 'oldurl' in {clouds} was not imported: ")
    assert "Keystone v2.0 (auth URL https://keystone.example.com:5000/v2.0/)" in oldurl
    assert REFUSAL in oldurl and "https://keystone.example.com:5000/v3" in oldurl
    assert oldtype.startswith(f"The cloud 'oldtype' in {clouds} was not imported: ")
    assert "Keystone v2.0 (auth_type v2password)" in oldtype and REFUSAL in oldtype


def test_os_variables_with_a_v2_url_are_refused(isolated_env):
    result = discover_clouds(env={"OS_AUTH_URL": "https://k:5000/v2.0", "OS_USERNAME": "u",
                                  "OS_TENANT_NAME": "t"})

    assert result.profiles == []
    assert len(result.errors) == 1 and REFUSAL in result.errors[0]


@pytest.mark.parametrize("rc, what", [
    ("export OS_AUTH_URL=https://k:5000/v2.0\nexport OS_USERNAME=u\nexport OS_TENANT_NAME=t\n",
     "auth URL https://k:5000/v2.0"),
    ("export OS_AUTH_URL=https://k:5000/\nexport OS_AUTH_TYPE=v2token\nexport OS_TOKEN=x\n",
     "auth_type v2token"),
])
def test_an_rc_file_for_keystone_v2_is_refused(rc, what):
    with pytest.raises(ProfileImportError) as info:
        parse_openrc(rc)

    assert f"Keystone v2.0 ({what})" in str(info.value)
    assert REFUSAL in str(info.value)


@pytest.mark.parametrize("url", ["https://k:5000/v2.0", "https://k:5000/v2.0/",
                                 "http://cloud.test/identity/v2.0"])
def test_a_v2_auth_url_is_a_profile_problem(url):
    profile = Profile(name="old", auth_url=url, username="u", project_name="p")

    problems = profile.problems()

    assert len(problems) == 1 and "Keystone v2.0" in problems[0] and REFUSAL in problems[0]
    with pytest.raises(ConfigError, match="osdesk speaks Keystone v3"):
        Cloud(profile, "pw")


@pytest.mark.parametrize("url", ["https://k:5000/v3", "https://k:5000", "https://k/identity",
                                 "https://k/v2.0x"])
def test_other_auth_urls_are_no_problem(url):
    assert Profile(name="ok", auth_url=url, username="u").problems() == []
