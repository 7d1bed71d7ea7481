"""The root app: global options, then one sub-app per noun."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli import _common
from isvc.cli._group import IsvcGroup

app = typer.Typer(
    cls=IsvcGroup,
    name="isvc",
    help="isvc: the internal service desk that lives in your terminal.\n\n"
    "Requests, service agreements counted in business time, and kudos, in one SQLite file.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
    epilog="Start with `isvc demo`; `isvc COMMAND --help` shows each command with an example.",
)


def _version(value: bool) -> None:
    if value:
        from isvc import __version__

        typer.echo(f"isvc {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[Optional[str], typer.Option("--db", help="Database file (default: $ISVC_DB, else isvc.db in the data directory).", metavar="PATH")] = None,
    as_person: Annotated[Optional[str], typer.Option("--as", help="Act as this person (default: $ISVC_USER, the config's user, the OS login).", metavar="PERSON")] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
) -> None:
    _common.GLOBAL.db = db
    _common.GLOBAL.as_person = as_person


# Sub-apps load on demand (see IsvcGroup): `isvc queue` never builds the request
# commands. Order here is the order of `isvc --help`.
COMMANDS: dict[str, str] = {
    "request": "isvc.cli.request",
    "reply": "isvc.cli.reply",
    "type": "isvc.cli.type_cmd",
    "queue": "isvc.cli.queue",
    "ripple": "isvc.cli.ripple",
    "agreement": "isvc.cli.agreement",
    "sla": "isvc.cli.sla",
    "calendar": "isvc.cli.calendar",
    "kudos": "isvc.cli.kudos",
    "satisfaction": "isvc.cli.satisfaction",
    "kb": "isvc.cli.kb",
    "customers": "isvc.cli.customers",
    "report": "isvc.cli.report",
    "mail": "isvc.cli.mail",
    "attachment": "isvc.cli.attachment",
    "notify": "isvc.cli.notify",
    "team": "isvc.cli.team",
    "person": "isvc.cli.person",
    "export": "isvc.cli.export",
    "db": "isvc.cli.db",
    "config": "isvc.cli.config_cmd",
    "demo": "isvc.cli.demo",
}
