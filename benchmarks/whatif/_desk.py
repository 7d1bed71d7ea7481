"""The desk `isvc` commands get (isvc.cli._common.desk), opened without importing Typer.

What-if prototypes for BENCHMARKS.md: how fast would a command be if isvc.cli.entry
answered it before importing Typer? They call the same services as the real commands;
when isvc's internal interfaces change and they break, the benchmark says "not measured".
"""

from __future__ import annotations

import getpass
import os


def open_desk():
    from isvc import clock, config
    from isvc.paths import db_path
    from isvc.services.desk import Desk, resolve_actor
    from isvc.store.db import open_db

    cfg = config.load()
    conn = open_db(db_path(None), create=False)
    try:
        login = getpass.getuser()
    except Exception:  # noqa: BLE001
        login = "user"
    actor = resolve_actor(conn, cfg, None, os.environ.get("ISVC_USER"), login)
    return Desk(conn=conn, actor=actor, now=clock.now(), config=cfg)
