"""What every command shares: global options, the desk, output options, messages."""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from typing import Annotated, Optional

import typer

from isvc.errors import InvalidInput


@dataclass
class GlobalOptions:
    db: str | None = None
    as_person: str | None = None


GLOBAL = GlobalOptions()
_DESK = None


def desk(create: bool = True):
    """Open the database, work out who is acting, read the config: once per process."""
    global _DESK
    if _DESK is None:
        from isvc import clock, config
        from isvc.paths import db_path
        from isvc.services.desk import Desk, resolve_actor
        from isvc.store.db import open_db

        cfg = config.load()
        conn = open_db(db_path(GLOBAL.db), create=create)
        try:
            login = getpass.getuser()
        except Exception:  # no login name (containers): fall back to a neutral handle
            login = "user"
        actor = resolve_actor(conn, cfg, GLOBAL.as_person, os.environ.get("ISVC_USER"), login)
        _DESK = Desk(conn=conn, actor=actor, now=clock.now(), config=cfg)
    return _DESK


def reset() -> None:
    """Forget the open desk (tests run many commands in one process)."""
    global _DESK
    if _DESK is not None:
        _DESK.conn.close()
    _DESK = None
    GLOBAL.db = None
    GLOBAL.as_person = None


def viewer_tz():
    from isvc.render.humanize import viewer_zone

    return viewer_zone(desk().config.get("tz"))


JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON (the documented shape).")]
FormatOpt = Annotated[
    Optional[str],
    typer.Option("--format", "-F", help="table, json, ndjson, csv or tsv (default: table on a terminal, tsv on a pipe)."),
]


def fmt(json_flag: bool, format_: str | None) -> str:
    from isvc.render.output import choose_format

    return choose_format(json_flag, format_)


def read_body(body: str | None, body_file: str | None) -> str:
    if body is not None and body_file is not None:
        raise InvalidInput("give --body or --body-file, not both")
    if body_file is None:
        return body or ""
    if body_file == "-":
        if sys.stdin.isatty():
            raise InvalidInput("--body-file - reads standard input, but it is a terminal; pipe the text in")
        return sys.stdin.read()
    try:
        with open(body_file, encoding="utf-8") as fh:
            return fh.read()
    except OSError as exc:
        raise InvalidInput(f"cannot read --body-file {body_file}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise InvalidInput(f"--body-file {body_file} is not UTF-8 text") from None


def interactive() -> bool:
    """Prompts only when both ends are a terminal; cron and pipes never wait."""
    return sys.stdin.isatty() and sys.stdout.isatty()


def can_ask() -> bool:
    """Questions while filing need a person at a terminal on stdin and stderr (where the
    questions go); stdout may be a pipe, as in `N=$(isvc request new ...)`."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def read_answer(prompt: str) -> str | None:
    """One line typed at the terminal, the prompt on stderr (typer.prompt(err=True) still
    writes the last character of its prompt to stdout, where `N=$(isvc request new ...)`
    would capture it). None at end of input."""
    sys.stderr.write(prompt)
    sys.stderr.flush()
    answer = sys.stdin.readline()
    if not answer:
        sys.stderr.write("\n")
        return None
    return answer.strip()


def ask(question: str) -> str:
    """A non-empty answer (an empty one is asked again); end of input gives up (exit 2)."""
    while True:
        answer = read_answer(f"{question}: ")
        if answer is None:
            raise InvalidInput("no answer given; nothing was filed")
        if answer:
            return answer


def report_problems(problems: list[str], ok: str) -> None:
    """A check's result for cron: one problem per line on stdout, a count on stderr and
    exit 4 when there are any; ``ok`` on stderr otherwise."""
    from isvc.errors import ExitCode
    from isvc.render.output import info

    for problem in problems:
        print(problem)
    if problems:
        info(f"{len(problems)} problem(s) found.")
        raise typer.Exit(ExitCode.CHECK_FAILED)
    info(ok)
