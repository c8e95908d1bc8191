#!/usr/bin/env bash
# Build the standalone osdesk bundle (PyInstaller, one folder) and a Debian package of it:
#   dist/osdesk_<version>_<arch>.deb
# installing /opt/osdesk/ (the bundle), /usr/bin/osdesk -> /opt/osdesk/osdesk, the desktop
# entry, icons and AppStream metainfo. Depends are worked out by dpkg-shlibdeps from the
# bundle's ELF files, so they are the system libraries the bundle really links to.
#
#   packaging/build-deb.sh         # build venv build/venv, work files build/pyinstaller, build/deb
#   PYTHON=python3.12 packaging/build-deb.sh    # a Python with a shared libpython
#   DEB_COMPRESS="-Zzstd -z3" packaging/build-deb.sh    # 1 minute faster, 15 MB bigger
#
# Needs (Debian): dpkg-dev (dpkg-shlibdeps) and the libraries the bundle links to
# (dpkg-shlibdeps must find them to name their packages): run as root, it installs what
# is missing; otherwise it says which packages to install.
set -euo pipefail
umask 022
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=${PYTHON:-python3}
VENV=$ROOT/build/venv
WORK=$ROOT/build/pyinstaller
PKG=$ROOT/build/deb/root
DIST=$ROOT/dist
APP_ID=io.github.osdesk.osdesk
export PIP_DISABLE_PIP_VERSION_CHECK=1

#: dpkg-deb compression; "-Zzstd -z3" builds in seconds (60 MB instead of 45 MB)
DEB_COMPRESS=${DEB_COMPRESS:--Zxz --threads-max=$(nproc)}

T0=$(date +%s)
STEP_NAME=
STEP_T=$T0
TIMINGS=()
step() {  # step NAME: ends the running step (recording its time) and starts NAME
    local now; now=$(date +%s)
    [ -z "$STEP_NAME" ] || TIMINGS+=("$(printf '%5ds  %s' "$((now - STEP_T))" "$STEP_NAME")")
    STEP_NAME=$*
    STEP_T=$now
    [ -z "$STEP_NAME" ] || printf '\n=== %s (%s)\n' "$STEP_NAME" "$(date +%H:%M:%S)"
}

# -- build requirements ---------------------------------------------------------------
#: Debian packages for the build: dpkg-shlibdeps, and the shared libraries that the
#: PySide6 wheel's Qt links to (the same ones the .deb will depend on).
BUILD_DEBS=(dpkg-dev libegl1 libgl1 libfontconfig1 libfreetype6 libdbus-1-3
    libglib2.0-0 libxkbcommon0 libxkbcommon-x11-0 libx11-6 libx11-xcb1 libxcb1
    libxcb-cursor0 libxcb-glx0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0
    libxcb-render0 libxcb-render-util0 libxcb-shape0 libxcb-shm0 libxcb-sync1 libxcb-util1
    libxcb-xfixes0 libxcb-xkb1 libwayland-client0 libwayland-cursor0 libwayland-egl1)
step "Build requirements"
missing=()
for p in "${BUILD_DEBS[@]}"; do
    dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "installing: ${missing[*]}"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >/dev/null || {
            apt-get update -qq
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
                "${missing[@]}" >/dev/null
        }
    else
        echo "missing Debian packages; run: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
fi

VERSION=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' osdesk/__init__.py)
ARCH=$(dpkg --print-architecture)
[ -n "$VERSION" ] || { echo "no __version__ in osdesk/__init__.py" >&2; exit 1; }
echo "osdesk $VERSION for $ARCH"

# -- (a) the build venv -----------------------------------------------------------------
step "Build venv: $VENV (pip install pyinstaller .)"
[ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
# (pip's notes about unusable find-links locations of a local pip.conf are noise here)
"$VENV/bin/pip" install -q 'pyinstaller>=6.10' . 2> >(grep -v '^WARNING: Location' >&2)
"$VENV/bin/python" -c 'import PyInstaller, osdesk; print("PyInstaller", PyInstaller.__version__)'

# -- (b) PyInstaller ----------------------------------------------------------------------
step "PyInstaller (packaging/osdesk.spec)"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN \
    --distpath "$WORK/dist" --workpath "$WORK/work" packaging/osdesk.spec
BUNDLE=$WORK/dist/osdesk
echo "bundle: $(du -sh "$BUNDLE" | cut -f1)"

step "Bundle self-test (packaging/bundle_selftest.py, frozen)"
selftest_home=$(mktemp -d)
HOME=$selftest_home XDG_CONFIG_HOME=$selftest_home/.config XDG_CACHE_HOME=$selftest_home/.cache \
    QT_QPA_PLATFORM=offscreen "$BUNDLE/osdesk-selftest"
rm -rf "$selftest_home"
"$BUNDLE/osdesk" --version

# -- (c) the package tree ----------------------------------------------------------------
step "Package tree: $PKG"
rm -rf "$PKG"
mkdir -p "$PKG/opt" "$PKG/usr/bin" "$PKG/usr/share/applications" "$PKG/usr/share/metainfo" \
    "$PKG/usr/share/doc/osdesk" "$PKG/DEBIAN"
cp -a "$BUNDLE" "$PKG/opt/osdesk"
rm "$PKG/opt/osdesk/osdesk-selftest"  # a build check, not for users
ln -s /opt/osdesk/osdesk "$PKG/usr/bin/osdesk"
sed -e 's|^Exec=.*|Exec=/usr/bin/osdesk|' -e 's|^TryExec=.*|TryExec=/usr/bin/osdesk|' \
    "resources/$APP_ID.desktop" >"$PKG/usr/share/applications/$APP_ID.desktop"
cp "resources/$APP_ID.metainfo.xml" "$PKG/usr/share/metainfo/"
for png in resources/icons/osdesk-*.png; do
    size=${png##*-}; size=${size%.png}
    install -D -m 644 "$png" "$PKG/usr/share/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
done
install -D -m 644 resources/osdesk.svg "$PKG/usr/share/icons/hicolor/scalable/apps/$APP_ID.svg"
cat >"$PKG/usr/share/doc/osdesk/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: osdesk
Source: https://github.com/osdesk/osdesk

Files: *
Copyright: osdesk developers
License: Apache-2.0
 On Debian systems the full text of the Apache License 2.0 is in
 /usr/share/common-licenses/Apache-2.0. /opt/osdesk/_internal holds Python, Qt (LGPL-3.0)
 and the Python packages osdesk uses, each under its own license (see their
 *.dist-info directories there).
EOF
chmod -R u+rwX,go+rX,go-w "$PKG"

step "Depends (dpkg-shlibdeps over the bundle's ELF files)"
mapfile -t elves < <(find "$PKG/opt/osdesk" -type f -exec sh -c \
    'for f; do [ "$(head -c4 "$f" | od -An -c | tr -d " ")" = "177ELF" ] && echo "$f"; done' _ {} +)
echo "${#elves[@]} ELF files"
shl=$ROOT/build/deb/shlibdeps
rm -rf "$shl"; mkdir -p "$shl/debian"
printf 'Source: osdesk\n\nPackage: osdesk\nArchitecture: any\n' >"$shl/debian/control"
# -l: the bundle's own libraries (Python, Qt, ICU) are found there and need no package;
# dpkg-shlibdeps warns that they have no shlibs information, which is expected.
(cd "$shl" && dpkg-shlibdeps -O --ignore-missing-info \
    -l"$PKG/opt/osdesk/_internal" -l"$PKG/opt/osdesk/_internal/PySide6/Qt/lib" \
    "${elves[@]}" >"$shl/substvars" 2>"$shl/warnings.txt") || {
    cat "$shl/warnings.txt" >&2; echo "dpkg-shlibdeps failed" >&2; exit 1; }
depends=$(sed -n 's/^shlibs:Depends=//p' "$shl/substvars")
[ -n "$depends" ] || { echo "dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# Not linked, but needed: Qt's xcb platform plugin renders text with fontconfig, which
# needs at least one font.
depends="$depends, fonts-dejavu-core | fonts-freefont-ttf | fonts-liberation2"
echo "Depends: $depends"

cat >"$PKG/DEBIAN/control" <<EOF
Package: osdesk
Version: $VERSION
Architecture: $ARCH
Maintainer: ${DEB_MAINTAINER:-osdesk developers <osdesk@users.noreply.github.com>}
Installed-Size: $(du -sk --exclude=DEBIAN "$PKG" | cut -f1)
Depends: $depends
Suggests: gnome-keyring | kwalletmanager
Section: net
Priority: optional
Homepage: https://github.com/osdesk/osdesk
Description: desktop client for OpenStack clouds
 osdesk manages the servers, images, networks and key pairs of OpenStack
 clouds from a desktop window and shows the API calls underneath. It imports
 clouds.yaml and openrc files and keeps secrets in the desktop's keyring.
 .
 This package is a self-contained build (Python, Qt and the Python libraries
 in /opt/osdesk); "osdesk --demo" tries it out with a built-in demo cloud.
EOF
for script in postinst postrm; do
    cat >"$PKG/DEBIAN/$script" <<'EOF'
#!/bin/sh
# Refresh the desktop-entry and icon caches. Debian's desktop-file-utils and
# gtk-update-icon-cache also do this through dpkg triggers; this covers systems without.
set -e
case "$1" in
    configure|remove|purge|abort-install|abort-upgrade)
        if command -v update-desktop-database >/dev/null 2>&1; then
            update-desktop-database -q /usr/share/applications || true
        fi
        if command -v gtk-update-icon-cache >/dev/null 2>&1 \
                && [ -f /usr/share/icons/hicolor/index.theme ]; then
            gtk-update-icon-cache -q -f /usr/share/icons/hicolor || true
        fi
        ;;
esac
exit 0
EOF
    chmod 755 "$PKG/DEBIAN/$script"
done
(cd "$PKG" && find opt usr -type f -exec md5sum {} + | sort -k2 >DEBIAN/md5sums)

# -- (d) the .deb ----------------------------------------------------------------------------
step "dpkg-deb --build"
mkdir -p "$DIST"
DEB=$DIST/osdesk_${VERSION}_${ARCH}.deb
# shellcheck disable=SC2086  # DEB_COMPRESS is a list of options
dpkg-deb --build --root-owner-group $DEB_COMPRESS "$PKG" "$DEB"
dpkg-deb --info "$DEB" | sed -n '/Package:/,/Description:/p'

step ""
printf '\nTimings:\n'
printf '%s\n' "${TIMINGS[@]}"
printf '%5ds  total\n' "$(( $(date +%s) - T0 ))"
printf 'bundle   %s, %s files (the .deb installs it without osdesk-selftest)\n' \
    "$(du -sh "$PKG/opt/osdesk" | cut -f1)" "$(find "$PKG/opt/osdesk" -type f | wc -l)"
printf 'package  %s (%s)\n' "$DEB" "$(du -h "$DEB" | cut -f1)"
