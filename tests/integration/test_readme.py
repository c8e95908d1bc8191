"""The README's promises, run as written."""

from __future__ import annotations

import os
import pathlib
import re
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def readme_block(marker: str) -> str:
    match = re.search(rf"<!-- {marker} -->\s*```python\n(.*?)```", README, re.S)
    assert match, f"README has no python block after <!-- {marker} -->"
    return match.group(1)


@pytest.mark.realcloud
def test_the_readme_api_example_lists_the_servers_of_a_clouds_yaml_cloud(realcloud, tmp_path):
    code = readme_block("api-example")
    assert len(code.strip().splitlines()) == 8
    # the realcloud's clouds.yaml names its clouds realcloud-*; point the example at one
    code = code.replace('"mycloud"', '"realcloud-demo"')
    env = dict(os.environ, OS_CLIENT_CONFIG_FILE=realcloud["OS_CLIENT_CONFIG_FILE"],
               HOME=str(tmp_path))
    for key in [k for k in env if k.startswith("OS_") and k != "OS_CLIENT_CONFIG_FILE"]:
        del env[key]
    # a server to list, made with plain HTTP so the example is the only osdesk code here
    from osdesk.api import Cloud
    from tests.integration.helpers import demo_profile, unique
    cloud = Cloud(demo_profile(realcloud), realcloud["RC_DEMO_PASSWORD"])
    name = unique("readme")
    body = cloud.compute.create_server(name, realcloud["RC_IMAGE_ID"],
                                       realcloud["RC_FLAVOR_TINY_ID"],
                                       networks=[realcloud["RC_DEMO_NET_ID"]])
    try:
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                env=env, cwd=tmp_path, timeout=120)
        assert result.returncode == 0, result.stderr[-2000:]
        assert re.search(rf"^{name} (BUILD|ACTIVE)$", result.stdout, re.M), result.stdout
    finally:
        cloud.compute.delete_server(body["server"]["id"])


def test_the_readme_api_example_says_when_the_cloud_is_not_there(tmp_path):
    (tmp_path / "clouds.yaml").write_text(
        "clouds:\n  other:\n    auth:\n      auth_url: http://127.0.0.1:9/identity/v3\n"
        "      username: demo\n      password: x\n      project_name: demo\n"
        "      user_domain_name: Default\n      project_domain_name: Default\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    env.update(OS_CLIENT_CONFIG_FILE=str(tmp_path / "clouds.yaml"), HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", readme_block("api-example")],
                            capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 1
    assert "No cloud 'mycloud' in clouds.yaml (found: other)." in result.stderr
    assert "Traceback" not in result.stderr


def test_readme_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text()
    test_command = "python3 -m venv .venv && .venv/bin/pip install -e '.[test]' && " \
                   ".venv/bin/python -m pytest"
    assert test_command in README and test_command in ci
    assert "osdesk --demo" in README
