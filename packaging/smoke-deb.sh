#!/usr/bin/env bash
# Smoke-test the built .deb: install it with apt (so its Depends are pulled in), start
# `/usr/bin/osdesk --demo` on a fresh Xvfb screen with a fresh HOME, wait for its main
# window, take a screenshot (dist/deb-smoke.png), close it, remove the package and check
# that nothing of it is left. Run as root (it installs and removes a package).
#
#   packaging/smoke-deb.sh [dist/osdesk_<version>_<arch>.deb]
#
# Exits non-zero if the install fails, the window does not appear within 60 s, the window
# is not the one the desktop entry describes (WM_CLASS), or the removal leaves files.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
APP_ID=io.github.osdesk.osdesk
WINDOW_TIMEOUT=${WINDOW_TIMEOUT:-60}
SHOT=$ROOT/dist/deb-smoke.png

if [ "$(id -u)" != 0 ]; then
    echo "smoke-deb.sh installs and removes a package: run it as root" >&2
    exit 1
fi
if [ $# -ge 1 ]; then
    DEB=$1
else
    DEB=$(ls -t dist/osdesk_*.deb 2>/dev/null | head -1 || true)
fi
[ -n "$DEB" ] && [ -f "$DEB" ] || { echo "no .deb: run packaging/build-deb.sh first" >&2; exit 1; }
DEB=$(realpath "$DEB")

T0=$(date +%s)
step() { printf '\n=== %s (%s, %ds)\n' "$*" "$(date +%H:%M:%S)" "$(( $(date +%s) - T0 ))"; }
fail=0
problem() { echo "FAIL: $*" >&2; fail=1; }

APP_PID=
XVFB_PID=
TMP=$(mktemp -d)
stop_pid() {  # stop_pid PID NAME: SIGTERM, then SIGKILL after 10 s
    local pid=$1 name=$2 i
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "$name (pid $pid) still running after 10 s: SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}
cleanup() {
    stop_pid "$APP_PID" osdesk
    stop_pid "$XVFB_PID" Xvfb
    rm -rf "$TMP"
}
trap cleanup EXIT

step "Tools: Xvfb, xwininfo/xprop (x11-utils), import (imagemagick)"
need=()
command -v Xvfb >/dev/null || need+=(xvfb)
command -v xwininfo >/dev/null && command -v xprop >/dev/null || need+=(x11-utils)
command -v import >/dev/null || need+=(imagemagick)
if [ "${#need[@]}" -gt 0 ]; then
    echo "installing: ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" \
        >/dev/null
fi

step "apt-get install $DEB"
if dpkg-query -W -f '${Status}' osdesk 2>/dev/null | grep -q 'ok installed'; then
    echo "osdesk is already installed: removing it first"
    apt-get remove -y -q osdesk >/dev/null
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$DEB" | tail -3
for f in /usr/bin/osdesk /opt/osdesk/osdesk /usr/share/applications/$APP_ID.desktop \
        /usr/share/metainfo/$APP_ID.metainfo.xml /usr/share/icons/hicolor/256x256/apps/$APP_ID.png \
        /usr/share/icons/hicolor/scalable/apps/$APP_ID.svg; do
    [ -e "$f" ] || problem "not installed: $f"
done
if command -v desktop-file-validate >/dev/null; then
    desktop-file-validate /usr/share/applications/$APP_ID.desktop || problem "desktop entry invalid"
fi
/usr/bin/osdesk --version || problem "osdesk --version failed"

step "Xvfb on a free display"
n=99
while [ -e /tmp/.X$n-lock ] || [ -e /tmp/.X11-unix/X$n ]; do n=$((n + 1)); done
export DISPLAY=:$n
Xvfb "$DISPLAY" -screen 0 1280x800x24 -nolisten tcp >"$TMP/xvfb.log" 2>&1 &
XVFB_PID=$!
for i in $(seq 1 100); do
    [ -e /tmp/.X11-unix/X$n ] && xwininfo -root >/dev/null 2>&1 && break
    kill -0 "$XVFB_PID" 2>/dev/null || { cat "$TMP/xvfb.log" >&2; echo "Xvfb died" >&2; exit 1; }
    sleep 0.1
done
echo "Xvfb pid $XVFB_PID on $DISPLAY"

step "/usr/bin/osdesk --demo (fresh HOME), waiting up to ${WINDOW_TIMEOUT}s for its window"
home=$TMP/home
mkdir -p "$home" "$TMP/runtime"
chmod 700 "$TMP/runtime"
# A clean environment: no QT_QPA_PLATFORM=offscreen from CI, no user config.
env -i PATH=/usr/bin:/bin HOME="$home" USER=root LANG=C.UTF-8 DISPLAY="$DISPLAY" \
    XDG_CONFIG_HOME="$home/.config" XDG_DATA_HOME="$home/.local/share" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$TMP/runtime" \
    /usr/bin/osdesk --demo >"$TMP/osdesk.log" 2>&1 &
APP_PID=$!
started=$(date +%s)
win=
while [ $(( $(date +%s) - started )) -lt "$WINDOW_TIMEOUT" ]; do
    kill -0 "$APP_PID" 2>/dev/null || break
    # The main window: titled "osdesk", then "<cloud> — osdesk", with a WM_CLASS (Qt's
    # 1x1 client leader, also titled "osdesk", has none), and mapped.
    for w in $(xwininfo -root -tree 2>/dev/null \
            | awk '/ "(osdesk|[^"]* — osdesk)": \("/ {print $1}'); do
        if xwininfo -id "$w" 2>/dev/null | grep -q 'Map State: IsViewable'; then
            win=$w
            break 2
        fi
    done
    sleep 0.5
done
if [ -z "$win" ]; then
    problem "no osdesk window within ${WINDOW_TIMEOUT}s"
    kill -0 "$APP_PID" 2>/dev/null || echo "osdesk exited early" >&2
    echo "--- osdesk output:" >&2; cat "$TMP/osdesk.log" >&2
else
    echo "window $win after $(( $(date +%s) - started ))s"
    # Let the demo cloud's servers load and the window settle before the screenshot.
    sleep 8
    xwininfo -id "$win" | sed -n 's/^xwininfo: //p; /Width\|Height\|Map State/p'
    xprop -id "$win" WM_CLASS _KDE_NET_WM_DESKTOP_FILE _GTK_APPLICATION_ID _NET_WM_PID \
        | sed 's/^/  /'
    wm_class=$(xprop -id "$win" WM_CLASS | sed -n 's/.*= "\([^"]*\)", "\([^"]*\)"/\2/p')
    expected=$(sed -n 's/^StartupWMClass=//p' /usr/share/applications/$APP_ID.desktop)
    echo "WM_CLASS class: $wm_class (desktop entry StartupWMClass: $expected)"
    [ "$wm_class" = "$expected" ] || problem "WM_CLASS $wm_class != StartupWMClass $expected"
    # /usr/bin/osdesk -> the PyInstaller one-folder bootloader, which runs Python in its
    # own process: the window's PID is the one we started (and will stop).
    wm_pid=$(xprop -id "$win" _NET_WM_PID | sed -n 's/.* = //p')
    [ "$wm_pid" = "$APP_PID" ] || problem "window belongs to pid $wm_pid, not osdesk's $APP_PID"
    kill -0 "$APP_PID" 2>/dev/null || problem "osdesk exited while its window was shown"
    mkdir -p "$(dirname "$SHOT")"
    import -window root "$SHOT" && echo "screenshot: $SHOT ($(du -h "$SHOT" | cut -f1))" \
        || problem "screenshot failed"
fi
if grep -q "Traceback\|ERROR" "$TMP/osdesk.log"; then
    problem "errors in osdesk's output"; cat "$TMP/osdesk.log" >&2
fi

step "Closing osdesk (pid $APP_PID) and Xvfb (pid $XVFB_PID)"
stop_pid "$APP_PID" osdesk
APP_PID=
stop_pid "$XVFB_PID" Xvfb
XVFB_PID=

step "apt-get remove osdesk"
DEBIAN_FRONTEND=noninteractive apt-get remove -y -q osdesk | tail -2
for f in /opt/osdesk /usr/bin/osdesk /usr/share/applications/$APP_ID.desktop \
        /usr/share/metainfo/$APP_ID.metainfo.xml \
        /usr/share/icons/hicolor/256x256/apps/$APP_ID.png; do
    if [ -e "$f" ] || [ -L "$f" ]; then problem "left after removal: $f"; fi
done
dpkg --purge osdesk >/dev/null  # the "removed, config remains" record: there is no config

step "Result"
if [ "$fail" = 0 ]; then
    echo "deb smoke test passed in $(( $(date +%s) - T0 ))s"
else
    echo "deb smoke test FAILED" >&2
fi
exit "$fail"
