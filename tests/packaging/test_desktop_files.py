"""The desktop entry, AppStream metainfo and icons, and ``--install-desktop-entry``.

desktop-file-validate and appstreamcli are what distributions and Flathub run on these
files; CI installs them (Debian packages desktop-file-utils and appstream), and a machine
without them fails here rather than passing untested.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path

import pytest

import osdesk
from osdesk.desktop import entry as desktop_entry
from osdesk.desktop.entry import APP_ID, ICON_SIZES, MANIFEST

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = ROOT / "resources"
DESKTOP = RESOURCES / f"{APP_ID}.desktop"
METAINFO = RESOURCES / f"{APP_ID}.metainfo.xml"


def tool(name: str, debian_package: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed: apt-get install {debian_package}")
    return path


def validate_desktop(path: Path) -> None:
    result = subprocess.run([tool("desktop-file-validate", "desktop-file-utils"), str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    # Hints are not failures, but our files have none: keep it that way.
    assert "error" not in result.stdout and "warning" not in result.stdout, result.stdout


def desktop_keys(text: str) -> dict[str, str]:
    return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)


def tree(root: Path) -> set[str]:
    """Every file and directory under root, as relative paths (directories end in /)."""
    return {p.relative_to(root).as_posix() + ("/" if p.is_dir() else "")
            for p in root.rglob("*")}


def expected_files(home: Path) -> set[Path]:
    icons = home / "icons" / "hicolor"
    return ({home / "applications" / f"{APP_ID}.desktop",
             home / "metainfo" / f"{APP_ID}.metainfo.xml",
             icons / "scalable" / "apps" / f"{APP_ID}.svg",
             home / MANIFEST}
            | {icons / f"{s}x{s}" / "apps" / f"{APP_ID}.png" for s in (16, 32, 48, 64, 128, 256)})


# -- the files in resources/ -----------------------------------------------------------

def test_desktop_file_is_valid():
    validate_desktop(DESKTOP)


def test_metainfo_is_valid():
    result = subprocess.run([tool("appstreamcli", "appstream"), "validate", "--no-net",
                             str(METAINFO)], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    # Infos are allowed: AppStream 0.16 (Debian 12) does not know <developer> yet, and
    # 1.0 calls <developer_name>, which 0.16 needs, deprecated.
    problems = [line for line in result.stdout.splitlines() if re.match(r"[EW]: ", line)]
    assert not problems, result.stdout


def test_ids_and_version_agree():
    """One id everywhere: the desktop file's name, the metainfo, the icon, and the name
    app.py gives Qt (Wayland app_id, _GTK_APPLICATION_ID); the metainfo's newest release
    is the package version."""
    keys = desktop_keys(DESKTOP.read_text(encoding="utf-8"))
    assert keys["Icon"] == APP_ID
    assert keys["StartupWMClass"] == "osdesk"  # Qt's WM_CLASS class: the application name
    meta = ET.parse(METAINFO).getroot()
    assert meta.findtext("id") == APP_ID
    assert meta.findtext("launchable") == DESKTOP.name
    assert meta.find("releases/release").get("version") == osdesk.__version__
    assert f'setDesktopFileName("{APP_ID}")' in (ROOT / "osdesk" / "app.py").read_text()


def test_icon_pngs_have_their_sizes_and_match_the_svg(qapp, tmp_path):
    from PySide6.QtGui import QImage

    spec = importlib.util.spec_from_file_location("render_icons",
                                                  ROOT / "packaging" / "render_icons.py")
    render_icons = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(render_icons)
    assert tuple(render_icons.SIZES) == ICON_SIZES
    fresh = {p.name: p for p in render_icons.render(out_dir=tmp_path)}
    for size in ICON_SIZES:
        committed = QImage(str(RESOURCES / "icons" / f"osdesk-{size}.png"))
        assert not committed.isNull(), size
        assert (committed.width(), committed.height()) == (size, size)
        # Re-rendered from the SVG, within anti-aliasing differences between Qt versions:
        # catches an SVG edited without running packaging/render_icons.py.
        assert _mean_difference(committed, QImage(str(fresh[f"osdesk-{size}.png"]))) < 4.0, size


def _mean_difference(a, b) -> float:
    from PySide6.QtGui import QImage
    a = a.convertToFormat(QImage.Format.Format_RGBA8888)
    b = b.convertToFormat(QImage.Format.Format_RGBA8888)
    assert a.size() == b.size()
    da, db = bytes(a.constBits()), bytes(b.constBits())
    return sum(abs(x - y) for x, y in zip(da, db)) / len(da)


def test_app_icon_is_not_null(qapp):
    from osdesk.views.icons import app_icon
    icon = app_icon()
    assert not icon.isNull()
    sizes = {s.width() for s in icon.availableSizes()}
    assert set(ICON_SIZES) <= sizes
    assert not icon.pixmap(48, 48).isNull()


# -- install() / uninstall() -------------------------------------------------------------

def test_install_writes_exactly_the_expected_files(qapp, tmp_path):
    from PySide6.QtGui import QImage
    from PySide6.QtSvg import QSvgRenderer

    home = tmp_path / "share"
    written = desktop_entry.install(home)
    assert set(written) == expected_files(home)
    assert len(written) == len(set(written))
    assert {home / p.rstrip("/") for p in tree(home) if not p.endswith("/")} == set(written)

    entry = home / "applications" / f"{APP_ID}.desktop"
    validate_desktop(entry)
    keys = desktop_keys(entry.read_text(encoding="utf-8"))
    launcher = keys["Exec"].split()[0]
    assert os.path.isabs(launcher) and os.access(launcher, os.X_OK), keys["Exec"]
    assert keys["TryExec"] == launcher
    for size in ICON_SIZES:
        image = QImage(str(home / f"icons/hicolor/{size}x{size}/apps/{APP_ID}.png"))
        assert (image.width(), image.height()) == (size, size)
    assert QSvgRenderer(str(home / f"icons/hicolor/scalable/apps/{APP_ID}.svg")).isValid()
    assert (home / "metainfo" / f"{APP_ID}.metainfo.xml").read_bytes() == METAINFO.read_bytes()

    manifest = (home / MANIFEST).read_text(encoding="utf-8").splitlines()
    listed = {Path(line) for line in manifest if line and not line.startswith("#")
              and not line.endswith("/")}
    assert listed == set(written) - {home / MANIFEST}


def test_uninstall_removes_exactly_what_install_wrote(tmp_path):
    home = tmp_path / "share"
    # Someone else's files in the very directories we install into.
    foreign = ["applications/org.example.Other.desktop",
               "icons/hicolor/48x48/apps/org.example.Other.png",
               "icons/hicolor/scalable/apps/io.github.osdesk.osdesk-symbolic.svg",
               "metainfo/org.example.Other.metainfo.xml",
               "osdesk/profiles.json"]  # the app's own data dir is the manifest's too
    for rel in foreign:
        (home / rel).parent.mkdir(parents=True, exist_ok=True)
        (home / rel).write_text(rel)
    before = tree(home)

    written = desktop_entry.install(home)
    removed = desktop_entry.uninstall(home)

    assert set(written) <= set(removed)
    assert tree(home) == before
    for rel in foreign:
        assert (home / rel).read_text() == rel
    # Directories install() created and nothing else uses are gone, the others kept.
    extra = set(removed) - set(written)
    assert all(p.is_relative_to(home) and not p.exists() for p in extra)
    assert home / "icons/hicolor/16x16/apps" in extra
    assert (home / "osdesk").is_dir()
    assert desktop_entry.uninstall(home) == []


def test_install_twice_then_uninstall_leaves_nothing(tmp_path):
    home = tmp_path / "share"
    desktop_entry.install(home)
    desktop_entry.install(home)
    desktop_entry.uninstall(home)
    # The data home itself stays: install() had to create it here, but it is the user's.
    assert tree(tmp_path) == {"share/"}


def test_uninstall_only_removes_files_osdesk_installs(tmp_path, capsys):
    home = tmp_path / "share"
    desktop_entry.install(home)
    outside = tmp_path / "precious.txt"
    outside.write_text("keep")
    other = home / "applications" / "org.example.Other.desktop"
    other.write_text("keep")
    with (home / MANIFEST).open("a", encoding="utf-8") as f:
        f.write(f"{outside}\n{other}\n{home}/../precious.txt\n{tmp_path}/\n")
    desktop_entry.uninstall(home)
    assert outside.read_text() == "keep" and other.read_text() == "keep"
    assert tmp_path.is_dir()
    assert "not removing" in capsys.readouterr().err


def test_exec_of_a_launcher_in_a_path_with_spaces_is_quoted(tmp_path):
    argv = ["/opt/my apps/$HOME/osdesk", "-m", "50%"]
    text = desktop_entry.desktop_entry_text(argv)
    keys = desktop_keys(text)
    assert keys["Exec"] == r'"/opt/my apps/\\$HOME/osdesk" -m "50%%"'
    assert keys["TryExec"] == "/opt/my apps/$HOME/osdesk"
    path = tmp_path / f"{APP_ID}.desktop"
    path.write_text(text, encoding="utf-8")
    validate_desktop(path)


def _run_osdesk(args, data_home: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, XDG_DATA_HOME=str(data_home), HOME=str(tmp_path / "home"))
    return subprocess.run([sys.executable, "-m", "osdesk", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_command_line_install_and_uninstall_print_each_path(tmp_path):
    home = tmp_path / "share"
    result = _run_osdesk(["--install-desktop-entry"], home, tmp_path)
    assert result.returncode == 0, result.stderr
    printed = {Path(line.removeprefix("wrote ")) for line in result.stdout.splitlines()}
    assert printed == expected_files(home)
    assert all(p.is_file() for p in printed)

    result = _run_osdesk(["--uninstall-desktop-entry"], home, tmp_path)
    assert result.returncode == 0, result.stderr
    removed = {Path(line.removeprefix("removed ")) for line in result.stdout.splitlines()}
    assert expected_files(home) <= removed
    assert tree(home) == set()


def test_command_line_install_into_an_unwritable_place_fails_clearly(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = _run_osdesk(["--install-desktop-entry"], blocker / "share", tmp_path)
    assert result.returncode == 1
    assert "cannot install the desktop entry" in result.stderr
    assert "Traceback" not in result.stderr


# -- the wheel ---------------------------------------------------------------------------

def test_wheel_ships_the_resources(tmp_path):
    try:
        import hatchling  # noqa: F401
    except ImportError:
        pytest.fail("hatchling is not installed: pip install -e '.[test]' (it is in the "
                    "test extra, to build the wheel without network)")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                             "--no-build-isolation", "--no-index", "-q", "-w", str(tmp_path),
                             str(ROOT)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    (wheel,) = tmp_path.glob("osdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {"osdesk/desktop/entry.py", "osdesk/desktop/assets.py",
                "osdesk/resources/osdesk.svg", f"osdesk/resources/{APP_ID}.desktop",
                f"osdesk/resources/{APP_ID}.metainfo.xml",
                "osdesk/demo/console_log.txt", "osdesk/demo/seed_data.json"}  # the demo's data
    expected |= {f"osdesk/resources/icons/osdesk-{s}.png" for s in ICON_SIZES}
    assert expected <= names, sorted(expected - names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "[gui_scripts]" in text and "osdesk = osdesk.__main__:main" in text


# -- packaging/ ----------------------------------------------------------------------------

@pytest.mark.parametrize("script", ["build-deb.sh", "smoke-deb.sh"])
def test_packaging_scripts_parse(script):
    path = ROOT / "packaging" / script
    assert os.access(path, os.X_OK), f"{path} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_readme_and_ci_name_one_list_of_qt_libraries():
    import re
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"sudo apt-get install (.*?)\n```", readme, re.S).group(1)
    ci = (ROOT / ".ci" / "run").read_text()
    qt_libs = re.search(r'QT_LIBS="([^"]*)"', ci).group(1)
    assert block.replace("\\\n", " ").split() == qt_libs.split()
    assert "$QT_LIBS" in ci
