"""Webhooks: desk settings (not config) naming where notices are POSTed as JSON.

The desk setting ``webhooks`` holds a list of
``{"name", "url", "events": [kinds], "teams": [handles], "secret_env": VAR | None}``.
An empty ``events`` list means every event kind; an empty ``teams`` list every team.
The secret itself never enters the database: ``secret_env`` names the environment
variable the sender reads it from when it signs a delivery.
"""

from __future__ import annotations

import os
import re
import sqlite3

from isvc.errors import InvalidInput, NotFound
from isvc.services.desk import Desk
from isvc.store import directory
from isvc.store.db import write

SETTING = "webhooks"

# The kinds of notice a webhook may subscribe to (`test` is always delivered to the hook
# `isvc notify test --webhook NAME` names, whatever it subscribes to).
EVENT_KINDS = ("ack", "reply", "resolved", "at_risk", "breached", "oncall", "reminder", "digest")

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def list_all(conn: sqlite3.Connection) -> list[dict]:
    """Every webhook, by name."""
    hooks = directory.get_setting(conn, SETTING, []) or []
    return sorted((_normal(h) for h in hooks), key=lambda h: h["name"])


def get(conn: sqlite3.Connection, name: str) -> dict | None:
    for hook in list_all(conn):
        if hook["name"] == name:
            return hook
    return None


def matching(conn: sqlite3.Connection, event: str, team: str | None) -> list[dict]:
    """The hooks subscribed to ``event`` for ``team`` (None: a notice about no one team,
    which only hooks for every team receive)."""
    found = []
    for hook in list_all(conn):
        if hook["events"] and event not in hook["events"]:
            continue
        if hook["teams"] and (team is None or team not in hook["teams"]):
            continue
        found.append(hook)
    return found


def add(desk: Desk, name: str, url: str, events: list[str] | None = None,
        teams: list[str] | None = None, secret_env: str | None = None) -> dict:
    from isvc.domain.models import check_handle
    from isvc.services.directory import require_team

    name = check_handle(name, "webhook name")
    url = check_url(url)
    kinds = check_events(events or [])
    if secret_env is not None:
        secret_env = secret_env.strip().lstrip("$")
        if not _ENV_NAME.match(secret_env):
            raise InvalidInput(f"--secret-env {secret_env!r} is not an environment variable name, "
                               "e.g. ISVC_HOOK_SECRET")
    with write(desk.conn):
        desk.require_admin("add webhooks")
        desk.ensure_actor()
        handles = _unique(require_team(desk, t) for t in _split(teams or []))
        hooks = list_all(desk.conn)
        if any(h["name"] == name for h in hooks):
            raise InvalidInput(f"webhook {name!r} already exists; remove it first "
                               f"(isvc notify webhook remove {name})")
        hook = {"name": name, "url": url, "events": kinds, "teams": handles,
                "secret_env": secret_env}
        directory.set_setting(desk.conn, SETTING, hooks + [hook])
        directory.audit(desk.conn, desk.now_iso, desk.actor, "webhook.add", name,
                        {"url": url, "events": kinds, "teams": handles, "secret_env": secret_env})
    return hook


def remove(desk: Desk, name: str) -> dict:
    with write(desk.conn):
        desk.require_admin("remove webhooks")
        desk.ensure_actor()
        hooks = list_all(desk.conn)
        found = [h for h in hooks if h["name"] == name]
        if not found:
            raise NotFound(f"no webhook {name!r}; see `isvc notify webhook list`")
        directory.set_setting(desk.conn, SETTING, [h for h in hooks if h["name"] != name])
        directory.audit(desk.conn, desk.now_iso, desk.actor, "webhook.remove", name,
                        {"url": found[0]["url"]})
    return found[0]


def secret_of(hook: dict) -> str | None:
    """The signing secret, from the environment variable the hook names (None: unsigned)."""
    var = hook.get("secret_env")
    if not var:
        return None
    return os.environ.get(var) or None


def check_url(url: str) -> str:
    from urllib.parse import urlsplit

    url = url.strip()
    if any(ord(c) < 33 or c == "\x7f" for c in url):
        raise InvalidInput(f"webhook URL {url!r} contains spaces or control characters")
    try:
        parts = urlsplit(url)
        parts.port
    except ValueError as exc:
        raise InvalidInput(f"webhook URL {url!r} is not a valid URL ({exc})") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidInput(f"webhook URL {url!r} must start with https:// or http:// and name "
                           "a host")
    return url


def check_events(events: list[str]) -> list[str]:
    kinds = _unique(e.strip().lower().replace("-", "_") for e in _split(events))
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        raise InvalidInput(f"unknown event {unknown[0]!r}; events: {', '.join(EVENT_KINDS)}")
    return kinds


def _split(values: list[str]) -> list[str]:
    return [item.strip() for value in values for item in value.split(",") if item.strip()]


def _unique(items) -> list[str]:
    out: list[str] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _normal(hook: dict) -> dict:
    return {"name": hook.get("name"), "url": hook.get("url"),
            "events": list(hook.get("events") or []), "teams": list(hook.get("teams") or []),
            "secret_env": hook.get("secret_env") or None}
