"""`isvc db`: the SQLite file itself."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import GLOBAL, FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="The database file: create, inspect, check, back up.", no_args_is_help=True)


@app.command("init", epilog="Example: isvc db init   ·   sudo -u helpdesk isvc --db /srv/isvc/isvc.db db init --shared helpdesk --admin ana")
def db_init(
    shared: Annotated[Optional[str], typer.Option("--shared", help="Make a desk shared by the members of this OS group (mode 0660, setgid folder).", metavar="GROUP")] = None,
    admin: Annotated[list[str], typer.Option("--admin", help="An admin of the shared desk (repeat).")] = [],
) -> None:
    """Create the database (or bring an old one up to date)."""
    import getpass

    from isvc import clock
    from isvc.domain.timeutil import to_iso
    from isvc.paths import db_path
    from isvc.services import database

    path = db_path(GLOBAL.db)
    existed = path.exists()
    from isvc import config

    login = getpass.getuser()
    actor = (config.load().get("os_users") or {}).get(login, login)
    conn = database.init(path, shared, admin, actor, to_iso(clock.now()))
    conn.close()
    what = "Updated" if existed else "Created"
    mode = f"shared with group {shared}" if shared else "personal, mode 0600"
    info(f"{what} {path} ({mode}).")


@app.command("status", epilog="Example: isvc db status --json")
def db_status(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """Where the database is, its schema version and what it holds."""
    from isvc.paths import db_path
    from isvc.render.output import emit_object
    from isvc.services import database

    d = desk(create=False)
    data = database.status(d.conn, db_path(GLOBAL.db))

    def human() -> None:
        from isvc.render.tables import key_values

        counts = ", ".join(f"{v} {k}" for k, v in data["counts"].items())
        key_values("isvc database", [
            ("path", data["path"]),
            ("schema", f"{data['schema_version']} (this isvc: {data['schema_version_supported']})"),
            ("sqlite", data["sqlite_version"] + f", {data['journal_mode']} journal"),
            ("size", f"{data['size_bytes'] / 1e6:.1f} MB"),
            ("mode", data["mode"] + (f", shared with group {data['shared_group']}" if data["shared_group"] else ", personal")),
            ("holds", counts),
            ("acting as", d.actor),
        ])

    emit_object(data, fmt(json_, format_), human,
                ["path", "schema_version", "sqlite_version", "journal_mode", "size_bytes", "mode", "shared_group"])


@app.command("check", epilog="Example (cron, weekly): isvc db check || mail -s 'isvc db check failed' ops@example.com")
def db_check() -> None:
    """Integrity and foreign-key checks; exit 4 when something is wrong."""
    from isvc.cli._common import report_problems
    from isvc.services import database

    report_problems(database.check(desk(create=False).conn),
                    "ok: integrity and foreign keys check out.")


@app.command("backup", epilog="Example (cron, nightly): isvc db backup /var/backups/isvc-$(date +%F).db")
def db_backup(
    dest: Annotated[str, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """A consistent copy of the database, safe while others write; the mail attachments
    folder is copied beside it as <backup name>-attachments/."""
    from isvc.services import attachments, database

    conn = desk(create=False).conn
    path = database.backup(conn, dest, force)
    info(f"Backed up to {path}.")
    copied = attachments.backup_files(conn, path)
    if copied:
        folder, count = copied
        info(f"Copied the attachments to {folder}/ ({count} new file{'s' if count != 1 else ''}).")
