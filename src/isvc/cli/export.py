"""`isvc export`: requests, the journal, kudos and agreements as JSON Lines, CSV or JSON."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import desk

EPILOG = ("Example: isvc export requests --since 90d --format csv --out requests.csv   ·   "
          "isvc export events --team it --include-internal > it-journal.jsonl")

# The export formats by render.output's names (which calls JSON Lines ndjson).
_WRITER_FORMAT = {"jsonl": "ndjson", "csv": "csv", "json": "json"}


def export(
    kind: Annotated[str, typer.Argument(help="requests, events, kudos or agreements.", show_default=False)],
    since: Annotated[Optional[str], typer.Option("--since", help="Created (events: happened) since: 30d, 12h, 2w or a date.")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Created (events: happened) before: 30d, 12h, 2w or a date.")] = None,
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Requests and events of this provider team; kudos given or received by it; agreements it provides.")] = None,
    format_: Annotated[str, typer.Option("--format", "-F", help="jsonl (one object per line), csv (a header, then one row each) or json (one array).")] = "jsonl",
    include_internal: Annotated[bool, typer.Option("--include-internal", help="Events: add internal notes (of your teams' requests; every request's for an admin).")] = False,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="Write to this file (mode 0600), whole or not at all, instead of stdout.", metavar="FILE")] = None,
    force: Annotated[bool, typer.Option("--force", help="Let --out replace an existing file.")] = False,
) -> None:
    """Export a whole table for a spreadsheet or a warehouse, streamed row by row."""
    from isvc.services import export as svc

    d = desk()
    plan = svc.export(d, kind, format_, since=since, until=until, team=team,
                      include_internal=include_internal)
    target = _target(out, force)
    if target is None:
        try:
            _write(plan, None)
        except BrokenPipeError:
            raise  # the reader left (`| head`): not an error, the root command says so
        except OSError as exc:
            from isvc.errors import IsvcError

            raise IsvcError(f"cannot write to standard output: {exc.strerror or exc}") from None
        return
    count = _write_file(plan, target, out)
    from isvc.render.output import info

    info(f"Exported {plan.kind} to {out}: {count} row{'' if count == 1 else 's'}.")


def _target(out: str | None, force: bool):
    """The file --out names, checked before anything is read or written."""
    from isvc.errors import InvalidInput
    from isvc.files import output_target

    if (out is None or out == "-") and force:
        raise InvalidInput("--force goes with --out FILE (it lets the export replace FILE)")
    return None if out is None else output_target(out, force, example="requests.csv")


def _write(plan, out) -> int:
    from isvc.render.output import emit_rows

    count = 0

    def counted():
        nonlocal count
        for row in plan.rows:
            count += 1
            yield row

    try:
        emit_rows(counted(), _WRITER_FORMAT[plan.format], plan.columns, out=out)
    finally:
        plan.rows.close()  # ends the read snapshot even when the reader left early
    return count


def _write_file(plan, target, shown: str) -> int:
    """Stream into a temporary file beside ``target``, renamed over it at the end: a
    failure halfway leaves ``target`` as it was."""
    import io

    from isvc.errors import IsvcError
    from isvc.files import writing_atomically

    try:
        with writing_atomically(target, 0o600) as fh:
            text = io.TextIOWrapper(fh, encoding="utf-8", newline="")
            try:
                count = _write(plan, text)
            finally:
                text.detach()  # flushes; ``fh`` stays for the rename
    except OSError as exc:
        raise IsvcError(f"cannot write {shown}: {exc.strerror or exc}; nothing was written") from None
    return count


HELP = "\n\n".join([
    export.__doc__,
    "The columns are fixed and documented in the README; new ones are only ever "
    "added at the end.",
    "For desk admins and team members: a member exports their own teams' requests and "
    "journals, the kudos the wall shows them, and every agreement.",
    "In CSV, text cells starting with = + - @ tab, CR or ' get one ' in front, so that no "
    "spreadsheet runs them as formulas; drop one leading ' to read the text back.",
])

app = typer.Typer(add_completion=False)
app.command("export", help=HELP, epilog=EPILOG, no_args_is_help=True)(export)
