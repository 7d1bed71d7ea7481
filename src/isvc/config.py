"""The TOML config: defaults < file < environment < flags.

``tomllib`` reads it; ``tomli_w`` (imported only when writing) writes it.
"""

from __future__ import annotations

import os
from copy import deepcopy
from pathlib import Path
from typing import Any

from isvc.errors import InvalidInput
from isvc.paths import config_path

DEFAULTS: dict[str, Any] = {
    "user": None,
    "tz": None,
    "admins": [],
    "os_users": {},
    # urgent_share_limit: the share of a requester's requests over 30 days that may be
    # urgent before `request new --priority urgent` asks for a --justify (after 5 requests)
    "requests": {"autoclose_days": 5, "default_priority": "normal", "urgent_share_limit": 0.2},
    # kudos: weekly giving allowance (0 = unlimited), whether --value is required, and
    # company values added to the desk's own list (`isvc kudos values set`)
    "kudos": {"allowance_per_week": 0, "require_value": False, "values": []},
    # mail intake (`isvc mail import`) and the From of outgoing mail
    "mail": {
        "address": "",                  # e.g. "IT Service Desk <helpdesk@example.com>"
        "tag": "[isvc #{number}]",      # in subjects; replies carrying it thread back
        "default_team": "",             # new requests no route or rule claims
        "routes": {},                   # "it@example.com" or "it@" -> team handle
        "rules": [],                    # [{subject|from = "regex", team = "..."}], in order
        "unknown_senders": "accept",    # accept | hold | refuse
        "unverified_replies": "note",   # note | quarantine
        "max_message_mb": 25,
        "max_attachment_mb": 10,
        "max_parts": 100,
        "max_header_kb": 256,
    },
    # outgoing mail; the password is read from the environment variable named here
    "smtp": {"host": "", "port": 587, "security": "starttls", "username": "",
             "password_env": "ISVC_SMTP_PASSWORD", "timeout": 30},
    # notifications: which events write to the outbox, and the reminder rules
    "notify": {
        "events": ["ack", "reply", "resolved", "at_risk", "breached", "oncall", "reminder",
                   "digest"],
        "send_immediately": False,      # deliver right after the change, besides cron
        "remind_after_days": 3,         # business days waiting on the requester
        "autoresolve_after_days": 0,    # further business days, then resolve (0 = never)
        "max_attempts": 8,
    },
}

# Keys `isvc config set` accepts, with the type each holds.
SETTABLE: dict[str, type] = {
    "user": str,
    "tz": str,
    "admins": list,
    "requests.autoclose_days": int,
    "requests.default_priority": str,
    "requests.urgent_share_limit": float,
    "kudos.allowance_per_week": int,
    "kudos.require_value": bool,
    "mail.address": str,
    "mail.tag": str,
    "mail.default_team": str,
    "mail.unknown_senders": str,
    "mail.unverified_replies": str,
    "mail.max_message_mb": int,
    "mail.max_attachment_mb": int,
    "mail.max_parts": int,
    "mail.max_header_kb": int,
    "smtp.host": str,
    "smtp.port": int,
    "smtp.security": str,
    "smtp.username": str,
    "smtp.password_env": str,
    "smtp.timeout": int,
    "notify.events": list,
    "notify.send_immediately": bool,
    "notify.remind_after_days": int,
    "notify.autoresolve_after_days": int,
    "notify.max_attempts": int,
}

# Keys that take one of a few words (`isvc config set` refuses anything else).
CHOICES: dict[str, tuple[str, ...]] = {
    "mail.unknown_senders": ("accept", "hold", "refuse"),
    "mail.unverified_replies": ("note", "quarantine"),
    "smtp.security": ("starttls", "ssl", "none"),
    "notify.events": ("ack", "reply", "resolved", "at_risk", "breached", "oncall", "reminder",
                      "digest"),
}
# Whole numbers with a range: (lowest, highest or None).
RANGES: dict[str, tuple[int, int | None]] = {
    "smtp.port": (1, 65535),
    "smtp.timeout": (1, None),
    "notify.max_attempts": (1, None),
    "mail.max_parts": (1, None),
    "mail.max_header_kb": (1, None),
}


def _merge(base: dict, extra: dict) -> dict:
    out = deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def read_file(path: Path | None = None) -> dict:
    path = path or config_path()
    try:
        fh = open(path, "rb")
    except FileNotFoundError:
        return {}
    import tomllib  # only when there is a file to read

    try:
        with fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None
    _check_tables(data, DEFAULTS, path)
    return data


def _check_tables(data: dict, defaults: dict, path: Path, prefix: str = "") -> None:
    """A hand-edited file with ``smtp = "oops"`` where a table belongs: one line naming the
    section, never a traceback later."""
    for key, default in defaults.items():
        if not isinstance(default, dict) or key not in data:
            continue
        name = f"{prefix}{key}"
        if not isinstance(data[key], dict):
            raise InvalidInput(f"config [{name}] must be a table; fix {path}")
        _check_tables(data[key], default, path, f"{name}.")


def load() -> dict:
    config = _merge(DEFAULTS, read_file())
    if os.environ.get("ISVC_TZ"):
        config["tz"] = os.environ["ISVC_TZ"]
    return config


def get_key(config: dict, dotted: str) -> Any:
    node: Any = config
    for part in dotted.split("."):
        if not isinstance(node, dict) or part not in node:
            raise InvalidInput(f"unknown config key {dotted!r}; see `isvc config show`")
        node = node[part]
    return node


def _words(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}" if len(values) > 1 else values[0]


def coerce(dotted: str, raw: list[str]) -> Any:
    """The value `isvc config set KEY VALUE...` writes: of the key's type and, for keys
    with a few allowed words or a range, one of those (else InvalidInput naming them)."""
    value = _coerce(dotted, raw)
    choices = CHOICES.get(dotted)
    if choices is not None:
        items = value if isinstance(value, list) else [value]
        items = [str(item).strip().lower() for item in items]
        wrong = [item for item in items if item not in choices]
        if wrong:
            raise InvalidInput(f"config key {dotted!r} takes {_words(choices)}, not {wrong[0]!r}")
        value = list(dict.fromkeys(items)) if isinstance(value, list) else items[0]
    bounds = RANGES.get(dotted)
    if bounds is not None:
        low, high = bounds
        if value < low or (high is not None and value > high):
            span = f"from {low} to {high}" if high is not None else f"of at least {low}"
            raise InvalidInput(f"config key {dotted!r} takes a whole number {span}, not {value}")
    if dotted == "mail.tag":
        from isvc.domain.mailtag import check_tag_format

        check_tag_format(value)
    return value


def _coerce(dotted: str, raw: list[str]) -> Any:
    if dotted not in SETTABLE:
        known = ", ".join(sorted(SETTABLE))
        raise InvalidInput(f"config key {dotted!r} cannot be set; settable keys: {known}")
    kind = SETTABLE[dotted]
    if kind is list:
        return [item for value in raw for item in value.split(",") if item]
    if len(raw) != 1:
        raise InvalidInput(f"config key {dotted!r} takes one value")
    if kind is bool:
        word = raw[0].strip().lower()
        if word in ("true", "yes", "on", "1"):
            return True
        if word in ("false", "no", "off", "0"):
            return False
        raise InvalidInput(f"config key {dotted!r} takes true or false, not {raw[0]!r}")
    if kind is int:
        try:
            return int(raw[0])
        except ValueError:
            raise InvalidInput(f"config key {dotted!r} takes a whole number, not {raw[0]!r}") from None
    if kind is float:
        try:
            value = float(raw[0])
        except ValueError:
            value = -1.0
        if not 0 <= value <= 1:
            raise InvalidInput(f"config key {dotted!r} takes a share from 0 to 1 (e.g. 0.2), "
                               f"not {raw[0]!r}")
        return value
    return raw[0]


def write_key(dotted: str, value: Any, path: Path | None = None) -> Path:
    import tomli_w

    path = path or config_path()
    data = read_file(path)
    node = data
    parts = dotted.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_bytes(tomli_w.dumps(data).encode())
    os.replace(tmp, path)
    return path
