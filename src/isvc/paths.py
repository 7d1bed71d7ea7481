"""Where isvc keeps its files.

``ISVC_HOME`` moves everything (the database, attachments, the config); tests use it.
Without it the database lives in the user data directory and the config in the user
config directory, as platformdirs defines them for the OS.
"""

from __future__ import annotations

import os
from pathlib import Path

APP = "isvc"


def _xdg(var: str, fallback: str) -> Path | None:
    """The XDG base directory on Linux and the BSDs, where platformdirs would answer the
    same; None elsewhere (macOS, Windows), which asks platformdirs. Saves its import on
    every command."""
    import sys

    if not (sys.platform.startswith("linux") or "bsd" in sys.platform):
        return None
    value = os.environ.get(var, "")
    base = Path(value) if os.path.isabs(value) else Path.home() / fallback
    return base / APP


def data_dir() -> Path:
    home = os.environ.get("ISVC_HOME")
    if home:
        return Path(home)
    xdg = _xdg("XDG_DATA_HOME", ".local/share")
    if xdg is not None:
        return xdg
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def config_path() -> Path:
    explicit = os.environ.get("ISVC_CONFIG")
    if explicit:
        return Path(explicit)
    home = os.environ.get("ISVC_HOME")
    if home:
        return Path(home) / "config.toml"
    xdg = _xdg("XDG_CONFIG_HOME", ".config")
    if xdg is not None:
        return xdg / "config.toml"
    import platformdirs

    return Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def db_path(flag: str | None = None) -> Path:
    """``--db`` wins, then ``ISVC_DB``, then ``isvc.db`` in the data directory."""
    if flag:
        return Path(flag)
    env = os.environ.get("ISVC_DB")
    if env:
        return Path(env)
    return data_dir() / "isvc.db"
