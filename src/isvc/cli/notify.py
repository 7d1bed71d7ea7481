"""`isvc notify`: deliver the outbox (cron), look after it, test the way out, webhooks."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Notifications: the outbox of mail and webhook messages, delivered at "
                  "least once by `isvc notify send` (cron, every minute).")
webhook_app = typer.Typer(add_completion=False, no_args_is_help=True,
                          help="Webhooks: where notices are POSTed as JSON (desk settings; "
                          "admins change them).",
                          epilog="Example: isvc notify webhook add chat https://hooks.example.com/x "
                          "--event breached --team it")
app.add_typer(webhook_app, name="webhook")

SQLITE_MAX_INT = 2**63 - 1
IdArg = Annotated[int, typer.Argument(help="Message id (see `isvc notify list`).", min=1,
                                      max=SQLITE_MAX_INT, metavar="ID")]


def _now():
    from isvc import clock

    return clock.now()


@app.command("send", epilog="Example (cron, every minute): isvc notify send   ·   "
             "isvc notify send --id 17 --json")
def notify_send(
    limit: Annotated[Optional[int], typer.Option("--limit", "-n", help="At most this many messages in this run.", min=1, max=SQLITE_MAX_INT)] = None,
    id_: Annotated[Optional[int], typer.Option("--id", help="Only this message, now (even if its next attempt is later).", min=1, max=SQLITE_MAX_INT, metavar="ID")] = None,
    json_: JsonOpt = False,
) -> None:
    """Deliver the messages that are due (mail over SMTP, webhooks over HTTP).

    Prints "sent N, failed N, waiting N" on stderr. Exits 0 even when some failed: they are retried (1 min, 5 min, 15 min, 1 h, 4 h, 12 h, then daily, up to notify.max_attempts); 75 when the database stayed busy."""  # noqa: E501
    from isvc.render.output import dump_json, warn
    from isvc.services.delivery import send_pending

    d = desk()
    report = send_pending(d.conn, d.config, _now, limit=limit, only_id=id_)
    for problem in report.problems:
        warn(problem)
    for a in report.attempts:
        if a.ok:
            continue
        then = "failed for good" if a.final else f"next attempt {a.next_attempt_at}"
        info(f"message {a.id} to {a.recipient}: {a.answer} ({then})")
    info(report.summary())
    if json_:
        from dataclasses import asdict

        print(dump_json({"sent": report.sent, "failed": report.failed,
                         "waiting": report.waiting, "problems": report.problems,
                         "attempts": [asdict(a) for a in report.attempts]}))


@app.command("list", epilog="Example: isvc notify list --status failed   ·   "
             "isvc notify list --request 412 --json")
def notify_list(
    status: Annotated[Optional[str], typer.Option("--status", "-s", help="pending, sending, sent, failed or dropped.")] = None,
    request: Annotated[Optional[int], typer.Option("--request", "-r", help="Only messages about this request.", min=1, max=SQLITE_MAX_INT, metavar="N")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", help="At most this many.", min=1, max=SQLITE_MAX_INT)] = 50,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List outbox messages, newest first (team members, admins)."""
    from isvc.cli._common import viewer_tz
    from isvc.render.notify_views import OUTBOX_COLUMNS, outbox_dict
    from isvc.render.output import emit_rows
    from isvc.services.delivery import manage

    d = desk()
    rows = [outbox_dict(r) for r in manage.list_messages(d, status=status, number=request,
                                                         limit=limit)]

    def table() -> None:
        from isvc.render.notify_views import outbox_table

        outbox_table(rows, d.now, viewer_tz())

    emit_rows(rows, fmt(json_, format_), OUTBOX_COLUMNS, table)


@app.command("show", epilog="Example: isvc notify show 17   ·   isvc notify show 17 --json")
def notify_show(outbox_id: IdArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """Show one message in full: recipient, subject, body, attempts and the last error (team members, admins)."""  # noqa: E501
    from isvc.cli._common import viewer_tz
    from isvc.render.notify_views import OUTBOX_COLUMNS, outbox_dict, outbox_message
    from isvc.render.output import emit_object
    from isvc.services.delivery import manage

    message = outbox_dict(manage.get_message(desk(), outbox_id))
    emit_object(message, fmt(json_, format_), lambda: outbox_message(message, viewer_tz()),
                OUTBOX_COLUMNS + ["subject"])


@app.command("retry", epilog="Example: isvc notify retry 17 18   ·   isvc notify retry --failed")
def notify_retry(
    ids: Annotated[Optional[list[int]], typer.Argument(help="Message ids.", min=1, max=SQLITE_MAX_INT, metavar="ID...")] = None,
    failed: Annotated[bool, typer.Option("--failed", help="Every message that failed for good.")] = False,
) -> None:
    """Queue failed or dropped messages again (due now, attempts reset; admins)."""
    from isvc.services.delivery import manage

    done = manage.retry(desk(), list(ids or []), failed=failed)
    if not done:
        info("No failed messages.")
        return
    info(f"Queued again: {', '.join(map(str, done))}; `isvc notify send` delivers them.")


@app.command("drop", epilog="Example: isvc notify drop 17 18")
def notify_drop(
    ids: Annotated[list[int], typer.Argument(help="Message ids.", min=1, max=SQLITE_MAX_INT, metavar="ID...")],
) -> None:
    """Never send these messages (they are kept, marked dropped; admins)."""
    from isvc.services.delivery import manage

    done = manage.drop(desk(), list(ids))
    info(f"Dropped: {', '.join(map(str, done))}." if done else "Already dropped.")


@app.command("test", epilog="Example: isvc notify test --to jim@example.com   ·   "
             "isvc notify test --webhook chat")
def notify_test(
    to: Annotated[Optional[str], typer.Option("--to", help="Send a test mail to this address.", metavar="ADDRESS")] = None,
    webhook: Annotated[Optional[str], typer.Option("--webhook", help="POST a test message to this webhook.", metavar="NAME")] = None,
) -> None:
    """Send a test message right away and print the server's answer (admins).

    Exits 1 with the reason when it was not accepted.
    """
    from isvc.services.delivery import manage

    attempt = manage.send_test(desk(), _now, to=to, webhook=webhook)
    info(f"Test message {attempt.id} to {attempt.recipient} accepted: {attempt.answer}")


@app.command("digest", epilog="Example: isvc notify digest   ·   isvc notify digest --team it --force")
def notify_digest(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this team (default: every team).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Queue it even if today's was queued already.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Queue each team's digest for its members and digest webhooks.

    The digest lists open, breached, at-risk and unassigned requests; it is queued once per team and day unless --force. Prints one line per team."""  # noqa: E501
    from isvc.render.output import dump_json
    from isvc.services.notify import queue_digests

    results = queue_digests(desk(), team, force)
    for r in results:
        if r.get("skipped"):
            info(f"{r['team']}: skipped ({r['skipped']})")
        else:
            info(f"{r['team']}: queued {r['queued']} for {r['recipients']} recipient(s)")
    if not results:
        info("No teams.")
    if json_:
        print(dump_json(results))


# -- webhooks --------------------------------------------------------------------------


@webhook_app.command("add", epilog="Example: isvc notify webhook add chat "
                     "https://hooks.example.com/T0/B0/x --event breached --event at_risk "
                     "--team it --secret-env ISVC_CHAT_SECRET")
def webhook_add(
    name: Annotated[str, typer.Argument(help="A short name (a handle: lower case, digits, . _ -).")],
    url: Annotated[str, typer.Argument(help="Where to POST (https:// or http://).")],
    event: Annotated[list[str], typer.Option("--event", "-e", help="An event kind (repeat or comma-separate; default: every event): ack, reply, resolved, at_risk, breached, oncall, reminder, digest.")] = [],
    team: Annotated[list[str], typer.Option("--team", "-t", help="Only this team's notices (repeat; default: every team).")] = [],
    secret_env: Annotated[Optional[str], typer.Option("--secret-env", help="Sign deliveries with the secret in this environment variable (X-Isvc-Signature).", metavar="VAR")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add a webhook (admins). The secret stays in the environment, never in the database."""
    import os

    from isvc.render.notify_views import webhook_dict
    from isvc.render.output import dump_json, warn
    from isvc.services import webhooks

    hook = webhook_dict(webhooks.add(desk(), name, url, event, team, secret_env))
    info(f"Added webhook {hook['name']} for {', '.join(hook['events']) or 'every event'}"
         f" ({', '.join(hook['teams']) or 'every team'}).")
    if secret_env and not os.environ.get(hook["secret_env"]):
        warn(f"{hook['secret_env']} is not set here; deliveries wait (and are retried) until "
             "`isvc notify send` runs with it set, never unsigned")
    if json_:
        print(dump_json(hook))


@webhook_app.command("list", epilog="Example: isvc notify webhook list --json")
def webhook_list(json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """List the webhooks."""
    from isvc.render.notify_views import WEBHOOK_COLUMNS, webhook_dict
    from isvc.render.output import emit_rows
    from isvc.services import webhooks

    hooks = [webhook_dict(h) for h in webhooks.list_all(desk().conn)]

    def table() -> None:
        from isvc.render.notify_views import webhook_table

        webhook_table(hooks)

    emit_rows(hooks, fmt(json_, format_), WEBHOOK_COLUMNS, table)


@webhook_app.command("remove", epilog="Example: isvc notify webhook remove chat")
def webhook_remove(
    name: Annotated[str, typer.Argument(help="The webhook's name.")],
) -> None:
    """Remove a webhook (admins); its queued messages then fail ("no longer exists")."""
    from isvc.services import webhooks

    webhooks.remove(desk(), name)
    info(f"Removed webhook {name}.")
