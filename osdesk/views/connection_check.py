"""The "Test connection" of the cloud dialog: one login off the GUI thread, and its summary."""

from __future__ import annotations

import datetime as dt
import html

from osdesk.api.calllog import default_log
from osdesk.profiles.profile import Profile


def relative_time(seconds: float) -> str:
    """``3599.9`` → ``"in 59 min"``; negative values → ``"… ago"``.

    Truncates: a token is never said to live longer than it does.
    """
    future = seconds >= 0
    s = int(abs(seconds))
    if s < 60:
        text = f"{s} s"
    elif s < 3600:
        text = f"{s // 60} min"
    elif s < 86400:
        hours, minutes = divmod(s // 60, 60)
        text = f"{hours} h {minutes} min" if minutes else f"{hours} h"
    else:
        days = s // 86400
        text = f"{days} day" + ("" if days == 1 else "s")
    return f"in {text}" if future else f"{text} ago"


def _scope_row(info: dict) -> tuple[str, str]:
    esc = html.escape
    if info.get("project_name") or info.get("project_id"):
        project = info.get("project_name") or info.get("project_id")
        if info.get("project_domain_name"):
            project += f" (domain {info['project_domain_name']})"
        return ("Project", esc(project))
    if info.get("domain_name") or info.get("domain_id"):
        return ("Domain", esc(info.get("domain_name") or info.get("domain_id")))
    return ("Scope", "unscoped (no project or domain)")


def _expiry_text(expires, now: dt.datetime | None) -> str:
    if not isinstance(expires, dt.datetime):
        return "unknown"
    if expires.tzinfo is None:
        expires = expires.replace(tzinfo=dt.timezone.utc)
    now = now or dt.datetime.now(dt.timezone.utc)
    local = expires.astimezone()
    left = relative_time((expires - now).total_seconds())
    return html.escape(f"{local:%Y-%m-%d %H:%M} ({left})")


def token_summary_html(info: dict, now: dt.datetime | None = None) -> str:
    """Rich text for a successful login: user, scope, roles, expiry, services."""
    esc = html.escape
    user = info.get("user_name") or info.get("user_id") or "?"
    if info.get("user_domain_name"):
        user += f" (domain {info['user_domain_name']})"
    services = info.get("services") or []
    rows = [("User", esc(user)), _scope_row(info),
            ("Roles", esc(", ".join(info.get("roles") or []) or "none")),
            ("Token expires", _expiry_text(info.get("expires_at"), now)),
            ("Services", esc(", ".join(services)) if services
             else "none (the token has no catalog)")]
    body = "<br>".join(f"<b>{k}:</b> {v}" for k, v in rows)
    return f"<b>Connected.</b><br>{body}"


def login_once(profile: Profile, secret: str | None) -> dict:
    """Worker-thread half of "Test connection": log in once, return token info."""
    from osdesk.api.cloud import Cloud

    # NOTE: the app's default call log, so the console shows the test's calls.
    cloud = Cloud(profile, secret, call_log=default_log)
    try:
        return cloud.authenticate()
    finally:
        cloud.close()
