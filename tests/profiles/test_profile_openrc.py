"""Tests of parse_openrc and export_openrc."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import pytest

from osdesk.profiles import ProfileImportError, export_openrc, parse_openrc

#: Horizon's "OpenStack RC File" (Identity v3), as downloaded from a dashboard.
HORIZON_RC = r'''#!/usr/bin/env bash
# To use an OpenStack cloud you need to authenticate against the Identity
# service named keystone, which returns a **Token** and **Service Catalog**.
# The catalog contains the endpoints for all services the user/tenant has
# access to - such as Compute, Image Service, Identity, Object Storage, Block
# Storage, and Networking (code-named nova, glance, keystone, swift,
# cinder, and neutron).
#
# *NOTE*: Using the 3 *Identity API* does not necessarily mean any other
# OpenStack API is version 3. For example, your cloud provider may implement
# Image API v1.1, Block Storage API v2, and Compute API v2.0. OS_AUTH_URL is
# only for the Identity API served through keystone.
export OS_AUTH_URL=http://192.168.56.10/identity/v3
# With the addition of Keystone we have standardized on the term **project**
# as the entity that owns the resources.
export OS_PROJECT_ID=9a1a4e1d0f3c4b3b8f4f1d3b5d2e6c7a
export OS_PROJECT_NAME="demo"
export OS_USER_DOMAIN_NAME="Default"
if [ -z "$OS_USER_DOMAIN_NAME" ]; then unset OS_USER_DOMAIN_NAME; fi
export OS_PROJECT_DOMAIN_ID="default"
if [ -z "$OS_PROJECT_DOMAIN_ID" ]; then unset OS_PROJECT_DOMAIN_ID; fi
# unset v2.0 items in case set
unset OS_TENANT_ID
unset OS_TENANT_NAME
# In addition to the owning entity (tenant), OpenStack stores the entity
# performing the action as the **user**.
export OS_USERNAME="admin"
# With Keystone you pass the keystone password.
echo "Please enter your OpenStack Password for project $OS_PROJECT_NAME as user $OS_USERNAME: "
read -sr OS_PASSWORD_INPUT
export OS_PASSWORD=$OS_PASSWORD_INPUT
# If your configuration has multiple regions, we set that information here.
# OS_REGION_NAME is optional and only valid in certain environments.
export OS_REGION_NAME="RegionOne"
# Don't leave a blank variable, unset it if it was empty
if [ -z "$OS_REGION_NAME" ]; then unset OS_REGION_NAME; fi
export OS_INTERFACE=public
export OS_IDENTITY_API_VERSION=3
'''

#: Horizon's application-credential RC file.
HORIZON_APP_CRED_RC = '''#!/usr/bin/env bash

export OS_AUTH_TYPE=v3applicationcredential
export OS_AUTH_URL=https://keystone.example.com/v3
export OS_IDENTITY_API_VERSION=3
export OS_REGION_NAME="RegionOne"
export OS_INTERFACE=public
export OS_APPLICATION_CREDENTIAL_ID=4f1c3d2e6a5b4c3d2e1f0a9b8c7d6e5f
export OS_APPLICATION_CREDENTIAL_SECRET=Xk2-vrA_9sLq
'''


def test_horizon_rc_with_password_prompt():
    profile, secret = result = parse_openrc(HORIZON_RC)
    assert secret is None
    assert (profile.auth_url, profile.auth_type, profile.username, profile.project_id,
            profile.project_name, profile.user_domain_name, profile.project_domain_id,
            profile.region_name, profile.interface) == (
        "http://192.168.56.10/identity/v3", "password", "admin",
        "9a1a4e1d0f3c4b3b8f4f1d3b5d2e6c7a", "demo", "Default", "default", "RegionOne",
        "public")
    assert profile.name == "demo @ 192.168.56.10"
    assert profile.source == "saved" and profile.problems() == []
    assert result.warnings == ["OS_PASSWORD is typed in when the file is sourced; "
                               "osdesk will ask for it instead."]


def test_plain_password_file():
    text = textwrap.dedent("""\
        export OS_AUTH_URL='https://keystone.example.com:5000/v3'
        export OS_USERNAME=alice
        export OS_PASSWORD='p@ss w0rd "quoted" $notavar'
        export OS_PROJECT_NAME="My Project"   # a comment after the value
        export OS_USER_DOMAIN_ID=default OS_PROJECT_DOMAIN_ID=default
        """)
    profile, secret = parse_openrc(text, name="Work")
    assert secret == 'p@ss w0rd "quoted" $notavar'
    assert (profile.name, profile.username, profile.project_name, profile.user_domain_id,
            profile.project_domain_id) == ("Work", "alice", "My Project", "default", "default")


def test_application_credential_rc():
    profile, secret = parse_openrc(HORIZON_APP_CRED_RC)
    assert profile.auth_type == "v3applicationcredential"
    assert profile.application_credential_id == "4f1c3d2e6a5b4c3d2e1f0a9b8c7d6e5f"
    assert secret == "Xk2-vrA_9sLq"
    assert profile.name == "keystone.example.com"


@pytest.mark.parametrize("line, expected", [
    ('export OS_PROJECT_NAME="a \\"b\\" \\$c \\\\ d"', 'a "b" $c \\ d'),
    ("export OS_PROJECT_NAME='it'\"'\"'s'", "it's"),
    ("export OS_PROJECT_NAME=a\\ b", "a b"),
    ("OS_PROJECT_NAME=bare; export OS_PROJECT_NAME", "bare"),
    ("export OS_PROJECT_NAME=\"line1\nline2\"", "line1\nline2"),
    ("export OS_PROJECT_NAME=con\\\ntinued", "continued"),
    ("declare -x OS_PROJECT_NAME=declared", "declared"),
    ('P=pre; export OS_PROJECT_NAME="${P}-$P"', "pre-pre"),
    ("export OS_PROJECT_NAME=$'ansi'", ""),
    ('export OS_PROJECT_NAME="$(hostname)"', ""),
    ("export OS_PROJECT_NAME=`hostname`", ""),
    ("export OS_PROJECT_NAME=$UNKNOWN_VAR", ""),
    ("export OS_PROJECT_NAME=first\nunset OS_PROJECT_NAME", ""),
    ("export OS_PROJECT_NAME=cost$", "cost$"),
])
def test_shell_quoting_and_expansion(line, expected):
    text = f"export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n{line}\n"
    profile, _ = parse_openrc(text)
    assert profile.project_name == expected


def test_crlf_line_endings_and_bom():
    text = "\ufeffexport OS_AUTH_URL=https://k/v3\r\nexport OS_USERNAME=u\r\n"
    profile, _ = parse_openrc(text)
    assert (profile.auth_url, profile.username) == ("https://k/v3", "u")


def test_commands_are_never_run(tmp_path):
    marker = tmp_path / "ran"
    text = (f"export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n"
            f"touch {marker}\nexport OS_PASSWORD=$(touch {marker}; echo pw)\n")
    result = parse_openrc(text)
    assert result.secret is None and not marker.exists()


def test_unresolved_values_are_explained():
    result = parse_openrc("export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n"
                          "export OS_REGION_NAME=$MY_REGION\n")
    assert result.profile.region_name == ""
    assert result.warnings == ["OS_REGION_NAME is built from $MY_REGION, which the file "
                               "does not set, so it was left out."]


def test_password_from_the_caller_environment_is_not_a_secret():
    _, secret = parse_openrc('export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n'
                             'export OS_PASSWORD="$MY_PASSWORD"\n')
    assert secret is None


def test_read_with_prompt_option():
    _, secret = parse_openrc('export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n'
                             'read -r -s -p "Password: " PW\nexport OS_PASSWORD="$PW"\n')
    assert secret is None


def test_v2_style_tenant_and_endpoint_type():
    # v2-era variable names still mean the project and interface on a v3 URL
    profile, _ = parse_openrc("export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n"
                              "export OS_TENANT_NAME=t\nexport OS_ENDPOINT_TYPE=internalURL\n"
                              "export OS_INSECURE=true\nexport OS_CACERT=/ca.pem\n")
    assert (profile.project_name, profile.interface, profile.verify, profile.cacert) == \
        ("t", "internal", False, "/ca.pem")


def test_token_rc_without_auth_type():
    profile, secret = parse_openrc("export OS_AUTH_URL=https://k/v3\nexport OS_TOKEN=gAAAA\n"
                                   "export OS_PROJECT_ID=p\n")
    assert (profile.auth_type, secret) == ("token", "gAAAA")


@pytest.mark.parametrize("text, words", [
    ("", "sets no OS_* variables"),
    ("hello world\n", "sets no OS_* variables"),
    (b"\xff\xfe", "not UTF-8"),
    ("export OS_USERNAME=u\n", "does not set OS_AUTH_URL"),
    ("export OS_AUTH_URL=$KEYSTONE\nexport OS_USERNAME=u\n", "built from $KEYSTONE"),
    ("export OS_CLOUD=mycloud\n", "clouds.yaml"),
    ("export OS_AUTH_URL='https://k/v3\nexport OS_USERNAME=u\n", "Line 1"),
    ('export OS_AUTH_URL=https://k\nexport OS_USERNAME="u\n', "Line 2"),
    ("export OS_AUTH_URL=https://k\nexport OS_PASSWORD=$(cat\n", "Line 2"),
    ("export OS_AUTH_URL=ftp://k\nexport OS_USERNAME=u\n", "http:// or https://"),
    ("export OS_AUTH_URL=https://k\n", "needs a user name"),
    ("export OS_AUTH_URL=https://k\nexport OS_USERNAME=u\nexport OS_AUTH_TYPE=v3oidcpassword\n",
     "v3oidcpassword"),
    ("export OS_AUTH_URL=https://k\nexport OS_USERNAME=u\nexport OS_INSECURE=maybe\n",
     "'insecure'"),
    (None, "must be text"),
])
def test_garbage_is_a_readable_import_error(text, words):
    with pytest.raises(ProfileImportError) as info:
        parse_openrc(text)
    message = str(info.value)
    assert words in message
    assert message[0].isupper() and message.endswith(".")


# ------------------------------------------------------------------ export
KINDS = {
    "password": dict(),
    "app credential": dict(auth_type="v3applicationcredential", username="",
                           user_domain_name="", project_name="", project_domain_name="",
                           application_credential_id="ac-id"),
    "token": dict(auth_type="token", username="", project_id="p-1"),
    "domain scope": dict(project_name="", project_domain_name="", domain_id="d-1"),
    "tls and odd text": dict(verify=False, cacert="/etc/ssl/my ca.pem", timeout=7.5,
                             interface="admin", project_name="it's \"$HOME\" `x`\nz"),
}


@pytest.mark.parametrize("changes", KINDS.values(), ids=KINDS.keys())
@pytest.mark.parametrize("with_secret", [False, True])
def test_export_then_parse_round_trip(make_profile, changes, with_secret):
    profile = make_profile(**changes)
    secret = "s3cr3t 'with' \"quotes\" $x" if with_secret else None
    text = export_openrc(profile, secret)

    back, back_secret = parse_openrc(text, name=profile.name)
    assert back == profile.copy(id=back.id)
    assert back_secret == secret


def test_export_without_secret_prompts_like_horizon(make_profile):
    text = export_openrc(make_profile(), None)
    assert "read -sr OS_PASSWORD_INPUT\n" in text
    assert 'export OS_PASSWORD="$OS_PASSWORD_INPUT"\n' in text
    assert "for project demo as user alice" in text


def test_export_contains_the_secret_only_when_asked(make_profile):
    profile = make_profile(auth_type="v3applicationcredential", application_credential_id="a")
    assert "hunter2" not in export_openrc(profile)
    assert "OS_APPLICATION_CREDENTIAL_SECRET=hunter2\n" in export_openrc(profile, "hunter2")
    assert "read -sr OS_APPLICATION_CREDENTIAL_SECRET_INPUT" in export_openrc(profile)


def test_export_name_cannot_break_out_of_the_comment(make_profile):
    text = export_openrc(make_profile(name="x\ntouch /tmp/pwned"))
    assert "\ntouch /tmp/pwned" not in text


def bash_env(script: str, stdin: str = "") -> dict[str, str]:
    bash = shutil.which("bash")
    assert bash, "bash is needed to check exported RC files"
    out = subprocess.run(
        [bash, "--noprofile", "--norc", "-c", 'source /dev/stdin <<<"$RC" && env -0',
         ], input=stdin, capture_output=True, text=True, check=True,
        env={"RC": script, "PATH": "/usr/bin:/bin", "OS_CLOUD": "stale",
             "OS_PROJECT_ID": "stale"})
    return dict(item.split("=", 1) for item in out.stdout.split("\0") if "=" in item)


def test_exported_file_works_in_bash(make_profile):
    """What bash makes of the file is what parse_openrc makes of it."""
    profile = make_profile(project_name="it's \"$HOME\" `x` $(y)", verify=False)
    env = bash_env(export_openrc(profile, "pw 'q' $x"))
    assert env["OS_PROJECT_NAME"] == profile.project_name
    assert env["OS_PASSWORD"] == "pw 'q' $x"
    assert env["OS_INSECURE"] == "true"
    assert "OS_CLOUD" not in env and "OS_PROJECT_ID" not in env  # stale values cleared


def test_exported_prompt_reads_the_password_in_bash(make_profile):
    script = export_openrc(make_profile())
    # NOTE: bash reads the script from a here-string, so `read` gets the real stdin
    bash = shutil.which("bash")
    out = subprocess.run([bash, "--noprofile", "--norc", "-c",
                          'eval "$RC" >/dev/null && printf %s "$OS_PASSWORD"'],
                         input="typed secret\n", capture_output=True, text=True, check=True,
                         env={"RC": script, "PATH": "/usr/bin:/bin"})
    assert out.stdout == "typed secret"


def test_os_domain_name_with_a_project_means_user_and_project_domain():
    profile, _ = parse_openrc("export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n"
                              "export OS_PROJECT_NAME=p\nexport OS_DOMAIN_NAME=Corp\n"
                              "export OS_PROJECT_DOMAIN_NAME=Other\n")
    assert (profile.user_domain_name, profile.project_domain_name, profile.domain_name) == \
        ("Corp", "Other", "")


def test_os_domain_name_alone_is_a_domain_scope():
    profile, _ = parse_openrc("export OS_AUTH_URL=https://k/v3\nexport OS_USERNAME=u\n"
                              "export OS_DOMAIN_NAME=Corp\n")
    assert (profile.scope, profile.domain_name, profile.user_domain_name) == \
        ("domain", "Corp", "")
