"""Where openstacksdk looks for clouds.yaml and secure.yaml, known without importing it.

openstacksdk's loader takes ~0.5 s to import (and PySide6, once loaded, reads the
source of every module imported after it): most people who start osdesk have no
clouds.yaml and no OS_* variables, and need not pay for it. These are the loader's
search folders (``openstack.config.loader.CONFIG_SEARCH_PATH``; a test holds the two
lists together), so "no file there" means the loader would find none either.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

__all__ = ["candidate_files", "nothing_to_read"]

_NAMES = ("clouds", "secure")
_SUFFIXES = (".yaml", ".yml", ".json")


def _folders(env: Mapping[str, str]) -> list[str]:
    home = os.path.expanduser("~")
    config_home = env.get("XDG_CONFIG_HOME") or os.path.join(home, ".config")
    real_home = env.get("SNAP_REAL_HOME")
    site = [d for d in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(os.pathsep) if d]
    return ([os.getcwd(), os.path.join(config_home, "openstack"),
             os.path.join(real_home or home, ".config", "openstack")]
            + [os.path.join(d, "openstack") for d in site] + ["/etc/openstack"])


def candidate_files(env: Mapping[str, str]) -> list[str]:
    """Every clouds.* and secure.* file the loader would look for, with the folders of
    ``env`` and of this process's environment (which the loader read when imported)."""
    folders = dict.fromkeys(_folders(env) + _folders(os.environ))
    return [os.path.join(folder, name + suffix) for folder in folders
            for name in _NAMES for suffix in _SUFFIXES]


def nothing_to_read(env: Mapping[str, str], auth_vars: set[str]) -> bool:
    """Whether the OpenStack configuration is surely empty: no OS_* variable describing
    a cloud (``auth_vars``), no file named by OS_CLIENT_CONFIG_FILE/OS_CLIENT_SECURE_FILE
    and no clouds or secure file in the loader's folders."""
    if auth_vars or env.get("OS_CLIENT_CONFIG_FILE") or env.get("OS_CLIENT_SECURE_FILE"):
        return False
    return not any(os.path.exists(path) for path in candidate_files(env))
