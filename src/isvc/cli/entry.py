"""The console script. Answers --version before importing anything heavy."""

from __future__ import annotations

import sys


def main() -> None:
    if sys.argv[1:] == ["--version"]:
        from isvc import __version__

        sys.stdout.write(f"isvc {__version__}\n")
        return
    from isvc.cli.app import app

    app(prog_name="isvc")
