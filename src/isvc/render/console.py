"""Rich consoles, created only when a view needs one (Rich is slow to import)."""

from __future__ import annotations

import os


def console(stderr: bool = False):
    from rich.console import Console

    width = None
    if os.environ.get("ISVC_FORCE_TABLE"):
        width = int(os.environ.get("COLUMNS", "100"))
    # Rich honours NO_COLOR by itself; highlight=False keeps numbers in titles plain.
    return Console(stderr=stderr, highlight=False, width=width,
                   force_terminal=True if os.environ.get("ISVC_FORCE_TABLE") else None)


PRIORITY_STYLE = {"urgent": "bold red", "high": "red", "normal": "", "low": "dim"}
STATUS_STYLE = {
    "new": "bold cyan", "acknowledged": "cyan", "in_progress": "green", "waiting": "dim",
    "resolved": "blue", "closed": "dim", "cancelled": "dim strike",
}
