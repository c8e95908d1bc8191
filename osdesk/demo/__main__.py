"""``python -m osdesk.demo [--port P] [--servers N]``: run the demo cloud in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time

from .cloud import DemoCloud


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m osdesk.demo",
                                 description="Run the osdesk demo OpenStack cloud.")
    ap.add_argument("--port", type=int, default=0, help="TCP port (default: a free one)")
    ap.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    ap.add_argument("--servers", type=int, default=12, help="servers to pre-create")
    ap.add_argument("--speed", type=float, default=1.0, help="transition speed factor")
    ap.add_argument("--token-ttl", type=int, default=3600, help="token lifetime in seconds")
    ap.add_argument("--latency", type=float, default=0.0, help="delay added to every response")
    args = ap.parse_args(argv)
    t = time.time()
    demo = DemoCloud(servers=args.servers, host=args.host, port=args.port, speed=args.speed,
                     token_ttl=args.token_ttl).start()
    demo.set_latency(args.latency)
    print("osdesk demo cloud ready in %.2fs with %d servers" % (time.time() - t, args.servers))
    print("auth URL:  %s" % demo.auth_url)
    print("user:      %s / %s (domain %s), project %s" % (demo.USERNAME, demo.PASSWORD,
                                                          demo.USER_DOMAIN, demo.PROJECT_NAME))
    print("app cred:  %s / %s" % (demo.APP_CRED_ID, demo.APP_CRED_SECRET))
    sys.stdout.flush()
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    finally:
        demo.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
