"""The demo cloud in its own process, for the benchmarks: ``python -m osdesk.demo`` plus
a request/byte counter and a few remote controls under ``/__bench__/``.

    python bench/demo_server.py --servers N [--port P] [--speed S]

Prints one JSON line on stdout when ready::

    {"ready": true, "auth_url": ..., "base_url": ..., "password": ..., "profile": {...}}

then serves until SIGTERM/SIGINT (or stdin closes). Controls, all GET, 127.0.0.1 only:

    /__bench__/stats          {"requests": n, "bytes": n, "by_path": {...}}
    /__bench__/reset          zero the counters (answers the counters before the reset)
    /__bench__/hang?re=RX     DemoCloud.hang(RX)
    /__bench__/unhang         DemoCloud.unhang()
    /__bench__/settle         finish every pending server transition now
    /__bench__/rename?n=K&tag=T   rename the K newest servers (name + "-" + T): K changed rows

Nothing here changes osdesk: the counter wraps the demo's request handler in this
process only, and the controls are answered before the demo's router sees them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from osdesk.demo import DemoCloud  # noqa: E402
from osdesk.demo import http as demo_http  # noqa: E402
from osdesk.demo.http import Response  # noqa: E402

_PREFIX = "/__bench__/"
_lock = threading.Lock()
_stats = {"requests": 0, "bytes": 0, "by_path": {}}


def _category(path: str) -> str:
    """A coarse label for a request path: /compute/v2.1/servers/detail -> compute:servers/detail."""
    parts = [p for p in path.split("/") if p]
    if not parts:
        return "/"
    service = parts[0]
    rest = [p for p in parts[1:] if not re.match(r"^v\d", p)]
    rest = ["{id}" if re.match(r"^[0-9a-f-]{32,36}$", p) else p for p in rest]
    return service + ":" + "/".join(rest[:2])


def _install_counter(demo: DemoCloud) -> None:
    original_send = demo_http._Handler._send
    original_dispatch = demo_http._Handler._dispatch

    def _send(self, req, resp):
        if not req.path.startswith(_PREFIX):
            body = resp.body if resp.stream is None else None
            n = len(body or b"")
            cat = _category(req.path)
            mv = req.header("OpenStack-API-Version") or req.header("X-OpenStack-Nova-API-Version")
            if mv and cat.startswith("compute:servers"):
                cat += " [" + mv.replace("compute ", "") + "]"
            with _lock:
                _stats["requests"] += 1
                _stats["bytes"] += n
                slot = _stats["by_path"].setdefault(cat, [0, 0])
                slot[0] += 1
                slot[1] += n
        return original_send(self, req, resp)

    def _dispatch(self):
        if self.path.startswith(_PREFIX):
            req = demo_http.Request(self, self.command, self.path)
            resp = _control(demo, req)
            return original_send(self, req, resp)
        return original_dispatch(self)

    demo_http._Handler._send = _send
    for verb in ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"):
        setattr(demo_http._Handler, "do_" + verb, _dispatch)


def _json(obj, status=200) -> Response:
    return Response(status, json.dumps(obj).encode())


def _control(demo: DemoCloud, req) -> Response:
    what = req.path[len(_PREFIX):]
    if what == "stats":
        with _lock:
            return _json(json.loads(json.dumps(_stats)))
    if what == "reset":
        with _lock:
            before = json.loads(json.dumps(_stats))
            _stats.update({"requests": 0, "bytes": 0, "by_path": {}})
        return _json(before)
    if what == "hang":
        demo.hang(req.param("re") or ".")
        return _json({"hung": req.param("re")})
    if what == "unhang":
        demo.unhang()
        return _json({"unhung": True})
    if what == "settle":
        with demo.state.lock:
            demo.state.settle()
        return _json({"settled": True})
    if what == "rename":
        n = max(0, min(int(req.param("n") or 0), 100000))
        tag = req.param("tag") or "x"
        st = demo.state
        with st.lock:
            pc = st.compute[demo.PROJECT_ID]
            done = 0
            for seq in reversed(pc.seqs):
                if done >= n:
                    break
                srv = pc.by_seq[seq]
                base = srv.name.split("~", 1)[0]
                srv.name = f"{base}~{tag}"
                srv.touch(st.now())
                done += 1
        return _json({"renamed": done})
    return _json({"error": "unknown control " + what}, 404)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--servers", type=int, default=100)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--speed", type=float, default=1000.0,
                    help="transition speed (fast, so the BUILD server settles at once)")
    ap.add_argument("--max-seconds", type=float, default=3 * 3600,
                    help="exit after this long even if nobody stops us (bounded)")
    args = ap.parse_args(argv)
    t = time.time()
    demo = DemoCloud(servers=args.servers, host="127.0.0.1", port=args.port,
                     speed=args.speed).start()
    _install_counter(demo)
    fields = demo.profile_fields()
    fields.pop("password", None)
    print(json.dumps({"ready": True, "seconds": round(time.time() - t, 3), "pid": os.getpid(),
                      "auth_url": demo.auth_url, "base_url": demo.base_url,
                      "password": demo.PASSWORD, "profile": fields,
                      "servers": args.servers}), flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())

    def watch_stdin():  # the parent went away: stop too
        try:
            sys.stdin.read()
        except Exception:
            pass
        done.set()
    threading.Thread(target=watch_stdin, daemon=True).start()
    deadline = time.monotonic() + args.max_seconds
    try:
        while not done.wait(0.5) and time.monotonic() < deadline:
            pass
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
