"""osdesk's config folder is made private (0700) before anything else writes into it, so
the profile store has no mode to warn about on a first start."""

from __future__ import annotations

import os
import stat

from osdesk.profiles.store import ProfileStore, make_private_dir


def test_a_new_config_folder_is_0700_even_under_a_lax_umask(tmp_path):
    old = os.umask(0o022)
    try:
        folder = tmp_path / "config" / "osdesk"
        make_private_dir(folder)
    finally:
        os.umask(old)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    # Qt's settings file lands beside; the store then saves without a warning
    (folder / "osdesk.conf").write_text("[General]\n")
    store = ProfileStore(folder)
    store.save([])
    assert store.warnings == []


def test_an_existing_folder_is_left_as_the_user_made_it(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)
    make_private_dir(folder)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
