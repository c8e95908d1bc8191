"""``osdesk --install-desktop-entry``: the launcher entry, icons and metainfo for one user.

Stdlib only (no Qt): it runs before any QApplication exists. Everything written is
listed in a manifest, ``$XDG_DATA_HOME/osdesk/installed-files.txt``, and
:func:`uninstall` removes exactly what that manifest lists and nothing else.
Layout: the XDG Base Directory, Desktop Entry and Icon Theme specifications
(https://specifications.freedesktop.org/).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from osdesk.desktop.assets import resource

#: the reverse-DNS id: desktop file name, icon name and AppStream id alike;
#: app.py passes the same to QGuiApplication.setDesktopFileName()
APP_ID = "io.github.osdesk.osdesk"
#: hicolor sizes we ship PNGs for (resources/icons/osdesk-<size>.png)
ICON_SIZES = (16, 32, 48, 64, 128, 256)
#: the manifest, relative to the data home
MANIFEST = Path("osdesk") / "installed-files.txt"
_MANIFEST_HEADER = ("# Written by osdesk --install-desktop-entry;\n"
                    "# osdesk --uninstall-desktop-entry removes these files. Directories\n"
                    "# (ending in /) were created by it and are removed if empty.\n")
#: what uninstall() may ever remove, relative to the data home: a manifest line naming
#: anything else (edited by hand, or corrupt) is left alone.
_OURS = re.compile(r"(applications/%(id)s\.desktop"
                   r"|metainfo/%(id)s\.metainfo\.xml"
                   r"|icons/hicolor/(\d+x\d+|scalable)/apps/%(id)s\.(png|svg))"
                   % {"id": re.escape(APP_ID)})
#: the directories above those (and the manifest's); removed only if created by us and empty
_OUR_DIRS = re.compile(
    r"applications|metainfo|osdesk|icons(/hicolor(/(\d+x\d+|scalable)(/apps)?)?)?")


def default_data_home() -> Path:
    """``$XDG_DATA_HOME``, or ``~/.local/share`` when it is unset, empty or relative (per spec)."""
    env = os.environ.get("XDG_DATA_HOME", "")
    if env and os.path.isabs(env):
        return Path(env)
    return Path.home() / ".local" / "share"


def launcher_argv() -> list[str]:
    """How a desktop environment should start this osdesk: its absolute launcher if found."""
    if getattr(sys, "frozen", False):  # the PyInstaller bundle: the executable is osdesk itself
        return [sys.executable]
    # Next to the interpreter first: the launcher of *this* environment (venv, pipx),
    # not whichever osdesk comes first on PATH. Not resolved: a venv's python is a symlink.
    beside = Path(sys.executable).parent / "osdesk"
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    found = shutil.which("osdesk")
    if found:
        return [os.path.abspath(found)]
    return [sys.executable, "-m", "osdesk"]


def _exec_arg(arg: str) -> str:
    """Quote one argument for an ``Exec`` key (Desktop Entry spec, "The Exec key")."""
    if arg and not re.search(r"[\s\"'\\><~|&;$*?#()`%]", arg):
        return arg
    arg = arg.replace("%", "%%")
    return '"' + re.sub(r'(["`$\\])', r"\\\1", arg) + '"'


def _string_value(value: str) -> str:
    """Escape a value of type string (spec, "Possible value types")."""
    return (value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")
            .replace("\r", "\\r"))


def desktop_entry_text(argv: list[str] | None = None) -> str:
    """``resources/<id>.desktop`` with ``Exec``/``TryExec`` pointing at *argv*."""
    argv = launcher_argv() if argv is None else argv
    lines = []
    for line in resource(f"{APP_ID}.desktop").read_text(encoding="utf-8").splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + _string_value(" ".join(_exec_arg(a) for a in argv))
        elif line.startswith("TryExec="):
            line = "TryExec=" + _string_value(argv[0])
        lines.append(line)
    return "\n".join(lines) + "\n"


def planned_files(home: Path) -> dict[Path, bytes | Path]:
    """Destination → content (bytes) or the resource file to copy."""
    icons = home / "icons" / "hicolor"
    files: dict[Path, bytes | Path] = {
        home / "applications" / f"{APP_ID}.desktop": desktop_entry_text().encode("utf-8"),
        home / "metainfo" / f"{APP_ID}.metainfo.xml": resource(f"{APP_ID}.metainfo.xml"),
        icons / "scalable" / "apps" / f"{APP_ID}.svg": resource("osdesk.svg"),
    }
    for size in ICON_SIZES:
        files[icons / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = resource(
            f"icons/osdesk-{size}.png")
    return files


def install(data_home: Path | None = None) -> list[Path]:
    """Write the desktop entry, icons and metainfo; return every file written (manifest last)."""
    home = Path(data_home) if data_home is not None else default_data_home()
    plan = planned_files(home)
    for content in plan.values():  # fail before writing anything if the install is incomplete
        if isinstance(content, Path) and not content.is_file():
            raise FileNotFoundError(f"osdesk's resource {content} is missing: broken installation")
    old_files, old_dirs = _read_manifest(home)
    written: list[Path] = []
    created: list[Path] = []

    def record() -> None:
        created.extend(_makedirs((home / MANIFEST).parent))
        ours = [d for d in created if _is_our_dir(home, d)]  # not ~/.local, say
        files = written + [f for f in old_files if f not in written and f.exists()]
        _write_manifest(home, files, list(dict.fromkeys(old_dirs + ours)))

    try:
        for dest, content in plan.items():
            created.extend(_makedirs(dest.parent))
            data = content.read_bytes() if isinstance(content, Path) else content
            _write_atomically(dest, data)
            written.append(dest)
    except OSError:
        # Record what did get written, so that uninstall can take it back; the
        # original error is the one to report.
        if written or created:
            try:
                record()
            except OSError:
                pass
        raise
    record()
    _refresh_caches(home)
    return written + [home / MANIFEST]


def uninstall(data_home: Path | None = None) -> list[Path]:
    """Remove what the manifest lists, the manifest, and our directories if empty.

    Returns what was removed (directories too). Nothing installed: returns [].
    """
    home = Path(data_home) if data_home is not None else default_data_home()
    manifest = home / MANIFEST
    if not manifest.exists():
        return []
    files, dirs = _read_manifest(home)
    removed: list[Path] = []
    for path in files:
        if not _is_ours(home, path):
            print(f"osdesk: not removing {path}: not a file osdesk installs", file=sys.stderr)
            continue
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            pass
    manifest.unlink()
    removed.append(manifest)
    # Deepest first, so that a/b/c goes before a/b; only directories inside home that are
    # parents of something we install (or of the manifest), and only when empty.
    for d in sorted(dirs, key=lambda p: len(p.parts), reverse=True):
        if not _is_our_dir(home, d):
            continue
        try:
            d.rmdir()
            removed.append(d)
        except OSError:  # not empty (something else lives there) or already gone
            pass
    _refresh_caches(home)
    return removed


_uninstall = uninstall  # main()'s parameter hides the function


def main(uninstall: bool = False) -> int:
    """The command line's ``--install-desktop-entry`` / ``--uninstall-desktop-entry``."""
    home = default_data_home()
    try:
        if uninstall:
            paths = _uninstall(home)
            if not paths:
                print(f"Nothing to remove: there is no {home / MANIFEST}")
            for p in paths:
                print(f"removed {p}")
        else:
            for p in install(home):
                print(f"wrote {p}")
    except OSError as exc:
        action = "remove" if uninstall else "install"
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        print(f"osdesk: cannot {action} the desktop entry in {home}: "
              f"{exc.strerror or exc}{where}", file=sys.stderr)
        return 1
    return 0


# -- helpers -------------------------------------------------------------------------------

def _makedirs(path: Path) -> list[Path]:
    """``mkdir -p`` that returns the directories it created, outermost first."""
    missing = []
    p = path
    while not p.exists():
        missing.append(p)
        if p.parent == p:
            break
        p = p.parent
    created = []
    for d in reversed(missing):
        try:
            d.mkdir()
            created.append(d)
        except FileExistsError:
            pass
    return created


def _write_atomically(dest: Path, data: bytes) -> None:
    tmp = dest.with_name(f".{dest.name}.osdesk-tmp")
    try:
        tmp.write_bytes(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _write_manifest(home: Path, files: list[Path], dirs: list[Path]) -> None:
    lines = [str(f) for f in files] + [str(d) + "/" for d in dirs]
    _write_atomically(home / MANIFEST, (_MANIFEST_HEADER + "\n".join(lines) + "\n").encode())


def _read_manifest(home: Path) -> tuple[list[Path], list[Path]]:
    try:
        text = (home / MANIFEST).read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return [], []
    files, dirs = [], []
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        (dirs if line.endswith("/") else files).append(Path(line.rstrip("/")))
    return files, dirs


def _relative(home: Path, path: Path) -> str | None:
    try:
        rel = path.relative_to(home)
    except ValueError:
        return None
    return None if ".." in rel.parts else rel.as_posix()


def _is_ours(home: Path, path: Path) -> bool:
    rel = _relative(home, path)
    return rel is not None and bool(_OURS.fullmatch(rel))


def _is_our_dir(home: Path, path: Path) -> bool:
    """A directory install() may have created: inside home, above one of our files."""
    rel = _relative(home, path)
    return rel is not None and bool(_OUR_DIRS.fullmatch(rel))


def _refresh_caches(home: Path) -> None:
    """Keep existing desktop/icon caches current; never create one.

    A cache we created would be left behind by uninstall (so our directories could never
    go), and a stale ``icon-theme.cache`` hides icons that other programs install later
    without refreshing it. The desktop environments rescan these directories themselves.
    """
    apps = home / "applications"
    hicolor = home / "icons" / "hicolor"
    commands = []
    if (apps / "mimeinfo.cache").exists():
        commands.append(["update-desktop-database", "-q", str(apps)])
    if (hicolor / "icon-theme.cache").exists():
        commands.append(["gtk-update-icon-cache", "-q", "-t", "-f", str(hicolor)])
    for argv in commands:
        if shutil.which(argv[0]) is None:
            continue
        try:
            subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=30, check=False)
        except (OSError, subprocess.SubprocessError):
            pass  # a cache refresh is a courtesy; the files are in place either way
