"""Running server actions on one or many servers, and following them until they settle.

Async, on the GUI's loop; the HTTP runs on the cloud's worker through the session.
QtCore-free: results are plain data the views turn into messages.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from osdesk.api import NotFound, OsdeskError
from osdesk.kinds.servers import TRANSITIONAL_SERVER_STATUSES
from osdesk.runtime.runner import Stale
from osdesk.rules.server_actions import ACTION_BY_KEY, availability, run_action

#: Poll interval while following a server, and how long to follow at most.
FOLLOW_INTERVAL = 1.0
FOLLOW_TIMEOUT = 600.0


@dataclass
class Outcome:
    server: dict
    ok: bool
    result: object = None
    error: str = ""
    skipped: bool = False

    @property
    def name(self) -> str:
        return self.server.get("name") or self.server.get("id", "?")


async def run_on_servers(session, action_key: str, servers: list[dict], *, is_admin=False,
                         **args) -> list[Outcome]:
    """Run an action on each server in turn; a failure never stops the others."""
    action = ACTION_BY_KEY[action_key]
    outcomes = []
    for server in servers:
        ok, why = availability(server, action, is_admin=is_admin)
        if not ok:
            outcomes.append(Outcome(server, False, error=why, skipped=True))
            continue
        try:
            result = await session.call(run_action, session.cloud.compute, action_key,
                                        server["id"], **args)
        except Stale:
            raise
        except OsdeskError as exc:
            outcomes.append(Outcome(server, False, error=str(exc)))
            continue
        outcomes.append(Outcome(server, True, result=result))
    return outcomes


def summarize(action_label: str, outcomes: list[Outcome]) -> tuple[str, bool]:
    """One line for the status bar, and whether anything failed."""
    done = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok and not o.skipped]
    skipped = [o for o in outcomes if o.skipped]
    parts = []
    label = action_label.rstrip("…").lower()
    if done:
        parts.append(f"{label}: {', '.join(o.name for o in done[:4])}"
                     f"{'…' if len(done) > 4 else ''} accepted")
    if failed:
        parts.append("failed: " + "; ".join(f"{o.name}: {o.error}" for o in failed[:3]))
    if skipped:
        parts.append("skipped: " + "; ".join(f"{o.name} ({o.error})" for o in skipped[:3]))
    return " — ".join(parts) or f"{label}: nothing to do", bool(failed)


def settled(server: dict) -> bool:
    return (not server.get("OS-EXT-STS:task_state")
            and server.get("status") not in TRANSITIONAL_SERVER_STATUSES)


async def follow(session, model, server_id: str, *, interval: float = FOLLOW_INTERVAL,
                 timeout: float = FOLLOW_TIMEOUT) -> dict | None:
    """Poll one server quickly until its task clears; keep its row current.

    Returns the settled server dict, or None when it is gone (deleted).
    """
    deadline = time.monotonic() + timeout
    server = None
    first = True
    while time.monotonic() < deadline:
        if not first:
            await asyncio.sleep(interval)
        first = False
        try:
            server = await session.call(session.cloud.compute.get_server, server_id)
        except NotFound:
            model.remove_key(server_id)
            return None
        except (Stale, asyncio.CancelledError):
            raise
        except OsdeskError:
            continue  # a passing error; keep following until the deadline
        model.upsert(server)
        if settled(server):
            # Nova clears task_state a moment before the status flips in some
            # transitions; one more read confirms.
            return server
    return server
