"""Shared helpers of the benchmark scripts: the demo-cloud process, worker processes,
statistics, memory readings. Stdlib + requests only (imported by every worker)."""

from __future__ import annotations

import json
import os
import resource
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PYTHON = sys.executable
#: the nova microversion osdesk negotiates with the demo cloud (min(osdesk 2.100, demo 2.96))
MICROVERSION = "2.96"
#: osdesk's page size (osdesk.api.pagination.DEFAULT_PAGE_SIZE); the floor uses the same
PAGE_SIZE = 500


# ------------------------------------------------------------------ memory
def rss_bytes(pid: int | str = "self") -> int:
    """Current resident set size (VmRSS) of a process, in bytes."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss_bytes() -> int:
    """Peak RSS of this process so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def mib(n: float | None) -> float | None:
    return None if n is None else round(n / (1024 * 1024), 1)


# ------------------------------------------------------------------ statistics
def median(values):
    vals = [v for v in values if v is not None]
    return statistics.median(vals) if vals else None


def summary(values) -> dict:
    vals = [v for v in values if v is not None]
    if not vals:
        return {"n": 0, "median": None, "min": None, "max": None, "values": []}
    return {"n": len(vals), "median": statistics.median(vals), "min": min(vals),
            "max": max(vals), "values": vals}


def ratio(a, b):
    """a / b, None when either is missing."""
    if a is None or b in (None, 0):
        return None
    return a / b


# ------------------------------------------------------------------ environment
def isolated_env(tmp: str, extra: dict | None = None) -> dict:
    """An environment with its own HOME/config dirs (no user profiles, clouds.yaml or
    QSettings leak in), offscreen Qt, and no OS_* variables."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OS_")}
    home = os.path.join(tmp, "home")
    for d in (home, os.path.join(home, ".config"), os.path.join(home, ".cache"),
              os.path.join(tmp, "osdesk-config")):
        os.makedirs(d, exist_ok=True)
    env.update({"HOME": home, "XDG_CONFIG_HOME": os.path.join(home, ".config"),
                "XDG_CACHE_HOME": os.path.join(home, ".cache"),
                "OSDESK_CONFIG_DIR": os.path.join(tmp, "osdesk-config"),
                "QT_QPA_PLATFORM": "offscreen", "PYTHONDONTWRITEBYTECODE": "",
                "PYTHONPATH": ROOT + os.pathsep + env.get("PYTHONPATH", "")})
    env.pop("PYTHONDONTWRITEBYTECODE")
    if extra:
        env.update(extra)
    return env


def os_env(info: dict) -> dict:
    """OS_* variables for the openstack CLI against the demo cloud ``info``."""
    p = info["profile"]
    return {"OS_AUTH_URL": info["auth_url"], "OS_AUTH_TYPE": "password",
            "OS_USERNAME": p["username"], "OS_PASSWORD": info["password"],
            "OS_PROJECT_NAME": p["project_name"], "OS_USER_DOMAIN_NAME": p["user_domain_name"],
            "OS_PROJECT_DOMAIN_NAME": p["project_domain_name"],
            "OS_REGION_NAME": p["region_name"], "OS_INTERFACE": p["interface"],
            "OS_IDENTITY_API_VERSION": "3"}


# ------------------------------------------------------------------ demo cloud process
class DemoProcess:
    """``bench/demo_server.py`` in its own process (so its JSON work never competes for
    the GIL of the process being measured)."""

    def __init__(self, servers: int, tmp: str, speed: float = 1000.0, timeout: float = 180.0):
        self.servers = servers
        self.proc = subprocess.Popen(
            [PYTHON, os.path.join(HERE, "demo_server.py"), "--servers", str(servers),
             "--speed", str(speed)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            env=isolated_env(tmp), cwd=ROOT, text=True)
        line = _readline(self.proc, timeout)
        if not line:
            self.stop()
            raise RuntimeError(f"the demo cloud ({servers} servers) did not start")
        self.info = json.loads(line)
        import requests
        self.http = requests.Session()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def control(self, what: str, **params) -> dict:
        r = self.http.get(self.info["base_url"] + "/__bench__/" + what, params=params, timeout=30)
        return r.json()

    def stats(self) -> dict:
        return self.control("stats")

    def reset(self) -> dict:
        return self.control("reset")

    def token(self) -> str:
        return get_token(self.info, self.http)

    def warm(self) -> int:
        """List every server once at osdesk's microversion/page size (fills the demo's
        per-server JSON cache, which is what a real cloud's DB cache would be)."""
        return len(floor_list(self.info, self.http, self.token()))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.proc.stdin.close()
            except Exception:
                pass
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def _readline(proc, timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return ""
        ready, _, _ = select.select([proc.stdout], [], [], 0.5)
        if ready:
            return proc.stdout.readline()
    return ""


def get_token(info: dict, http) -> str:
    p = info["profile"]
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": p["username"], "domain": {"name": p["user_domain_name"]},
        "password": info["password"]}}},
        "scope": {"project": {"name": p["project_name"],
                              "domain": {"name": p["project_domain_name"]}}}}}
    r = http.post(info["auth_url"] + "/auth/tokens", json=body, timeout=30)
    r.raise_for_status()
    return r.headers["X-Subject-Token"]


def floor_list(info: dict, http, token: str, page_size: int = PAGE_SIZE,
               max_pages: int = 10000) -> list:
    """The floor: one GET per page (same URL, microversion and page size as osdesk) and a
    ``json.loads`` of the very bytes; nothing else."""
    headers = {"X-Auth-Token": token, "Accept": "application/json",
               "OpenStack-API-Version": f"compute {MICROVERSION}",
               "X-OpenStack-Nova-API-Version": MICROVERSION}
    url = f"{info['base_url']}/compute/v2.1/servers/detail?limit={page_size}"
    out: list = []
    for _ in range(max_pages):
        r = http.get(url, headers=headers, timeout=120)
        body = json.loads(r.content)
        items = body.get("servers", [])
        out.extend(items)
        links = body.get("servers_links") or []
        url = next((l["href"] for l in links if l.get("rel") == "next"), None)
        if not url or not items:
            break
    return out


# ------------------------------------------------------------------ worker processes
def run_worker(args: list[str], tmp: str, timeout: float, env_extra: dict | None = None) -> dict:
    """Run ``python bench/<script> args`` in a fresh process; its last stdout line is JSON."""
    proc = subprocess.Popen([PYTHON] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=isolated_env(tmp, env_extra), cwd=ROOT, text=True)
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate(timeout=30)
        return {"error": f"timed out after {timeout:.0f} s", "stderr": err[-2000:]}
    lines = [l for l in out.splitlines() if l.startswith("{")]
    if proc.returncode != 0 or not lines:
        return {"error": f"exit {proc.returncode}", "stderr": err[-3000:], "stdout": out[-1000:]}
    result = json.loads(lines[-1])
    if err.strip():
        result.setdefault("stderr_tail", err[-600:])
    return result


def timed_child(cmd: list[str], env: dict, timeout: float, stdout_path: str | None = None):
    """Wall time from spawn to exit, exit code and the child's own peak RSS (wait4)."""
    out = open(stdout_path, "wb") if stdout_path else subprocess.DEVNULL
    try:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                elapsed = time.perf_counter() - t0
                proc.returncode = os.waitstatus_to_exitcode(status)
                return {"seconds": elapsed, "rc": proc.returncode,
                        "peak_rss": usage.ru_maxrss * 1024}
            if time.monotonic() > deadline:
                proc.kill()
                proc.wait(timeout=30)
                return {"seconds": None, "rc": None, "error": f"timed out after {timeout:.0f} s"}
            time.sleep(0.002)
    finally:
        if stdout_path:
            out.close()


def make_tmp() -> str:
    return tempfile.mkdtemp(prefix="osdesk-bench-")


def rm_tmp(path: str) -> None:
    shutil.rmtree(path, ignore_errors=True)
