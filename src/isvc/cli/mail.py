"""`isvc mail`: take mail in, read the intake log, work the quarantine."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt, viewer_tz
from isvc.errors import ExitCode, IsvcError
from isvc.render.output import info

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Mail in: import messages (a file, an mbox, a Maildir, or a mail server's "
                  "pipe), read the intake log, work the quarantine.")
quarantine_app = typer.Typer(add_completion=False, no_args_is_help=True,
                             help="Messages the intake refused or held: read, retry, drop.",
                             epilog="Example: isvc mail quarantine list")
app.add_typer(quarantine_app, name="quarantine")

SQLITE_MAX_INT = 2**63 - 1
IdArg = Annotated[int, typer.Argument(help="Mail id (see `isvc mail list`).", min=1, max=SQLITE_MAX_INT)]
RawOpt = Annotated[bool, typer.Option("--raw", help="Write the original message, byte for byte, to stdout.")]


class MailUnavailable(IsvcError):
    """The desk cannot take mail right now: the mail server keeps it and retries (75)."""

    exit_code = ExitCode.TEMPORARY


def _intake_desk():
    """The desk, never created by a mail server's pipe: a wrong path must not swallow mail
    into a new empty file, so a missing database is a temporary failure (75)."""
    from isvc.errors import NotFound

    try:
        return desk(create=False)
    except NotFound as exc:
        raise MailUnavailable(f"{exc} (exit 75: the mail server keeps the message and retries)") from None


_WORDS = {
    "request": ("new request", "new requests"), "reply": ("reply", "replies"),
    "note": ("unverified note", "unverified notes"), "bounce": ("bounce", "bounces"),
    "held": ("held", "held"), "quarantined": ("quarantined", "quarantined"),
    "dropped": ("dropped", "dropped"), "duplicate": ("duplicate", "duplicates"),
    "temporary": ("temporary failure", "temporary failures"),
}


def _key(result) -> str:
    return result.result if result.result in ("duplicate", "temporary") else result.outcome


def _summary(results: list, source: str) -> str:
    if not results:
        return f"No new messages in {source}."
    counts: dict[str, int] = {}
    for r in results:
        counts[_key(r)] = counts.get(_key(r), 0) + 1
    parts = [f"{n} {_WORDS[k][0 if n == 1 else 1]}" for k, n in counts.items()]
    line = f"{len(results)} message{'s' if len(results) != 1 else ''}: " + ", ".join(parts)
    temporary = next((r for r in results if r.result == "temporary"), None)
    if temporary:
        line += f" (first failure: {temporary.reason}; those stay for the next run)"
    return line


def _one_line(r) -> str:
    mail = f"Mail {r.mail_id}"
    if r.result == "temporary":
        return f"Error: {r.reason}"
    if r.result == "duplicate":
        became = f"{r.outcome}" + (f" #{r.number}" if r.number else "")
        return f"{mail} was imported before ({became}); nothing new."
    if r.outcome == "request":
        extra = f" ({r.reason})" if r.reason else ""
        return f"{mail}: new request #{r.number} from {r.sender}{extra}."
    if r.outcome == "reply":
        return f"{mail}: reply from {r.sender} added to #{r.number}."
    if r.outcome == "note":
        return f"{mail}: {r.reason} on #{r.number}."
    if r.outcome == "bounce":
        return f"{mail}: delivery failure noted on #{r.number}."
    if r.outcome == "held":
        return f"{mail} held: {r.reason}; see `isvc mail quarantine list`."
    return f"{mail} quarantined: {r.reason}"


@app.command("import", epilog="Example: isvc mail import /var/mail/helpdesk/Maildir   ·   "
             "isvc mail import message.eml   ·   isvc mail import archive.mbox --json   ·   "
             "isvc mail import < message.eml")
def mail_import(
    source: Annotated[Optional[str], typer.Argument(help="A .eml file, an mbox file, a Maildir folder, or - for one message on stdin (the default).")] = None,
    format_: Annotated[Optional[str], typer.Option("--format", help="What SOURCE is: eml, mbox or maildir (default: detected).")] = None,
    keep: Annotated[bool, typer.Option("--keep", help="Leave a Maildir untouched (do not mark messages seen).")] = False,
    json_: JsonOpt = False,
) -> None:
    """Take mail in: each message becomes a request, a reply, a note, or waits in the quarantine.

    A mail server's pipe gives one message on stdin (an .eml file is one too). It exits 0 when the message is stored, held or a duplicate, and when it is quarantined as automatic mail (an auto-reply, bulk or list mail, a newsletter) or a bounce: a bounce of those would be automatic mail too, and could loop. It exits 65 when quarantined for any other reason (a limit, no team, a refused sender: the mail server bounces it), 75 on a temporary failure (the mail server retries). An mbox or a Maildir prints one summary line and exits 75 when a message must wait for the next run, else 0."""  # noqa: E501
    from pathlib import Path

    from isvc.errors import InvalidInput
    from isvc.render.mail_shapes import intake_dict
    from isvc.render.output import dump_json
    from isvc.services import mail as svc

    kind = svc.detect_kind(source, format_)
    if kind in ("stdin", "mbox-stdin") and sys.stdin.isatty():
        raise InvalidInput("isvc mail import reads a message from standard input, but it is a "
                           "terminal; give a file, an mbox or a Maildir folder, or pipe a message in")
    d = _intake_desk()
    cap = svc.limits_of(d).max_message_bytes
    handle = None
    try:
        if kind == "stdin":
            messages = iter([svc.read_stream(sys.stdin.buffer, cap)])
        elif kind == "eml":
            messages = iter([svc.read_file(Path(source), cap)])
        elif kind == "mbox-stdin":
            messages = svc.iter_mbox(sys.stdin.buffer, cap, "stdin")
        elif kind == "mbox":
            handle = open(source, "rb")
            messages = svc.iter_mbox(handle, cap, source)
        else:
            messages = svc.iter_maildir(Path(source), cap)
        results = list(svc.import_all(d, messages, keep=keep))
    except OSError as exc:
        raise MailUnavailable(f"cannot read {source or 'stdin'}: {exc.strerror or exc}") from None
    finally:
        if handle is not None:
            handle.close()
    if json_:
        print(dump_json([intake_dict(r) for r in results]))
    if kind in ("stdin", "eml"):
        result = results[0]
        if result.result == "temporary":
            raise MailUnavailable(result.reason)
        info(_one_line(result))
        code = result.exit_code
    else:
        info(_summary(results, source or "stdin"))
        code = ExitCode.TEMPORARY if any(r.result == "temporary" for r in results) else ExitCode.OK
    if code:
        raise typer.Exit(code)


@app.command("list", epilog="Example: isvc mail list   ·   isvc mail list --outcome quarantined --json")
def mail_list(
    outcome: Annotated[Optional[str], typer.Option("--outcome", help="Only this outcome: request, reply, note, bounce, quarantined, held or dropped.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many, newest first.", max=SQLITE_MAX_INT)] = 50,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """The intake log: every message taken in and what it became (team members, admins)."""
    from isvc.render.mail_shapes import MAIL_LIST_COLUMNS, mail_dict
    from isvc.render.output import emit_rows
    from isvc.services import mail as svc

    d = desk()
    rows = svc.list_mail(d, outcome, limit)

    def table() -> None:
        from isvc.render.mail_views import mail_table

        mail_table(rows, viewer_tz())

    emit_rows([mail_dict(r) for r in rows], fmt(json_, format_), MAIL_LIST_COLUMNS, table)


def _show(mail_id: int, raw: bool, json_: bool, format_: str | None, quarantined_only: bool) -> None:
    from isvc.render.mail_shapes import MAIL_COLUMNS, mail_detail_dict
    from isvc.render.output import emit_object
    from isvc.services import mail as svc

    d = desk()
    if raw:
        if json_ or format_:
            from isvc.errors import InvalidInput

            raise InvalidInput("--raw writes the message itself; leave out --json/--format")
        data = svc.raw_bytes(d, mail_id, quarantined_only=quarantined_only)
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    view = svc.show(d, mail_id, quarantined_only=quarantined_only)

    def human() -> None:
        from isvc.render.mail_views import mail_view

        mail_view(view, viewer_tz())

    emit_object(mail_detail_dict(view), fmt(json_, format_), human, MAIL_COLUMNS)


@app.command("show", epilog="Example: isvc mail show 12   ·   isvc mail show 12 --raw > message.eml")
def mail_show(mail_id: IdArg, raw: RawOpt = False, json_: JsonOpt = False,
              format_: FormatOpt = None) -> None:
    """One message: its headers, what it became and why, its text and attachments."""
    _show(mail_id, raw, json_, format_, quarantined_only=False)


@quarantine_app.command("list", epilog="Example: isvc mail quarantine list   ·   isvc mail quarantine list --json")
def quarantine_list(
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many, newest first.", max=SQLITE_MAX_INT)] = 50,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Quarantined and held messages, with the reason (team members, admins)."""
    from isvc.render.mail_shapes import QUARANTINE_COLUMNS, mail_dict
    from isvc.render.output import emit_rows
    from isvc.services import mail as svc

    d = desk()
    rows = svc.quarantine(d, limit)

    def table() -> None:
        from isvc.render.mail_views import mail_table

        mail_table(rows, viewer_tz(), quarantine=True)

    emit_rows([mail_dict(r) for r in rows], fmt(json_, format_), QUARANTINE_COLUMNS, table)


@quarantine_app.command("show", epilog="Example: isvc mail quarantine show 12   ·   isvc mail quarantine show 12 --raw > message.eml")
def quarantine_show(mail_id: IdArg, raw: RawOpt = False, json_: JsonOpt = False,
                    format_: FormatOpt = None) -> None:
    """A quarantined or held message: headers, the reason, its text (--raw: the original bytes)."""
    _show(mail_id, raw, json_, format_, quarantined_only=True)


@quarantine_app.command("retry", epilog="Example: isvc config set mail.default_team it && isvc mail quarantine retry 12   ·   "
                        "isvc mail quarantine retry 14 --accept")
def quarantine_retry(
    mail_id: IdArg,
    accept: Annotated[bool, typer.Option("--accept", help="Take an unknown sender in (adds them as a person), whatever mail.unknown_senders says.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Take a quarantined, held or dropped message in again with the current config (admins).

    Its row is updated, never duplicated; exit 65 when it stays quarantined."""
    from isvc.render.mail_shapes import mail_dict
    from isvc.render.output import dump_json
    from isvc.services import mail as svc
    from isvc.store import mail as store

    d = desk()
    result = svc.retry(d, mail_id, accept=accept)
    if result.result == "temporary":
        raise MailUnavailable(result.reason)
    info(_one_line(result))
    if json_:
        print(dump_json(mail_dict(store.get(d.conn, mail_id))))
    if result.outcome == "quarantined":  # a person asks, not a mail server: 65 even if automatic
        raise typer.Exit(ExitCode.DATA_REFUSED)


@quarantine_app.command("drop", epilog="Example: isvc mail quarantine drop 12")
def quarantine_drop(mail_id: IdArg, json_: JsonOpt = False) -> None:
    """Mark a quarantined or held message dropped (admins); its raw bytes stay kept."""
    from isvc.render.mail_shapes import mail_dict
    from isvc.render.output import dump_json
    from isvc.services import mail as svc

    row = svc.drop(desk(), mail_id)
    info(f"Mail {mail_id} dropped; `isvc mail show {mail_id} --raw` still has it.")
    if json_:
        print(dump_json(mail_dict(row)))
