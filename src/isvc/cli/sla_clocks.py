"""`isvc sla check` (cron) — registered on the `sla` sub-app."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt

CHECK_COLUMNS = ["number", "team", "clock", "state", "due_at", "overdue_minutes", "assignee"]


def sla_check(
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this provider team.")] = None,
    notify: Annotated[bool, typer.Option(
        "--notify", help="Also queue at-risk and breach notices (once per change), reminders to "
                         "requesters and automatic resolutions (config notify.*).")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List every request at risk or breached; exit 4 when something is breached (for cron)."""
    from isvc.errors import ExitCode
    from isvc.render.output import emit_rows, warn
    from isvc.services import sla
    from isvc.services.directory import require_team

    d = desk()
    if team:
        team = require_team(d, team)
    if notify:
        rows = _check_and_notify(d, team)
    else:
        rows = sla.check(d.conn, d.now, team)
    warnings = _holiday_warnings(d)
    for warning in warnings:
        warn(warning)

    def table() -> None:
        from isvc.cli._common import viewer_tz
        from isvc.domain.timeutil import parse_iso
        from isvc.render.sla_views import check_table

        tz = viewer_tz()  # one zone for every row, the viewer's, as in the queue
        for row in rows:
            row["due_local"] = parse_iso(row["due_at"]).astimezone(tz).strftime("%a %d %b %H:%M")
        check_table(rows, [])

    output = fmt(json_, format_)
    data = rows if output == "table" else [{k: r[k] for k in CHECK_COLUMNS + ["remaining_business_minutes"]} for r in rows]
    emit_rows(data, output, CHECK_COLUMNS, table)
    if any(r["state"] == "breached" for r in rows):
        raise typer.Exit(ExitCode.CHECK_FAILED)


def _check_and_notify(d, team: str | None) -> list[dict]:
    """`--notify`: the same rows, computed in the write that queues the notices; the
    summary goes to stderr."""
    from isvc.render.output import info, warn
    from isvc.services import notify

    done = notify.check(d, team)
    for warning in done.warnings:
        warn(warning)
    extra = [f"{len(done.reminded)} reminder(s)" if done.reminded else "",
             f"resolved automatically: {', '.join(f'#{n}' for n in done.resolved)}"
             if done.resolved else ""]
    info("; ".join([f"{done.queued} notice(s) queued"] + [e for e in extra if e]) + ".")
    return done.rows


def _holiday_warnings(d) -> list[str]:
    """Calendars in use whose holiday list runs out within 60 days."""
    from isvc.services.calendars import holiday_warnings
    from isvc.store.sla import list_agreements

    used = {ag.calendar for ag in list_agreements(d.conn)}
    return [f"calendar {name}: {text}" for name, text in sorted(holiday_warnings(d.conn, d.now).items())
            if name in used]


def register(app: typer.Typer) -> None:
    from isvc.cli.sla_explain import sla_explain

    app.command("explain", epilog="Example: isvc sla explain 412   ·   isvc sla explain 412 --json")(sla_explain)
    app.command("check", epilog="Example (cron, every 5 minutes): isvc sla check --notify --json > /var/lib/isvc/sla.json   ·   isvc sla check --team it")(sla_check)
