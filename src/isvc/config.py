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
    "requests": {"autoclose_days": 5, "default_priority": "normal"},
    # kudos: weekly giving allowance (0 = unlimited), whether --value is required, and
    # company values added to the desk's own list (`isvc kudos values set`)
    "kudos": {"allowance_per_week": 0, "require_value": False, "values": []},
}

# Keys `isvc config set` accepts, with the type each holds.
SETTABLE: dict[str, type] = {
    "user": str,
    "tz": str,
    "admins": list,
    "requests.autoclose_days": int,
    "requests.default_priority": str,
    "kudos.allowance_per_week": int,
    "kudos.require_value": bool,
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
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"config file {path} is not valid TOML ({exc}); fix or remove it") from None


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


def coerce(dotted: str, raw: list[str]) -> Any:
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
