"""`isvc agreement`: what provider teams promise, and how well they keep it."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="Service agreements: first-response and resolution targets per priority, in business time.",
                  no_args_is_help=True)

_TARGETS_HELP = "priority=target for urgent, high, normal and low; targets like 90m, 4h, 2d (d = the calendar's business day)."


def _moved(moved: int) -> str:
    return f"; recomputed the clocks of {moved} open request(s)" if moved else ""


@app.command("add", epilog="Example: isvc agreement add it-standard --provider it --calendar office "
             "--response urgent=1h,high=4h,normal=1d,low=2d --resolution urgent=4h,high=2d,normal=5d,low=10d --notify +it")
def agreement_add(
    name: Annotated[str, typer.Argument(help="A short name, e.g. it-standard.")],
    provider: Annotated[str, typer.Option("--provider", help="The team that promises.")],
    calendar: Annotated[str, typer.Option("--calendar", help="The calendar its clocks run on.")],
    response: Annotated[str, typer.Option("--response", help="First-response targets: " + _TARGETS_HELP)],
    resolution: Annotated[str, typer.Option("--resolution", help="Resolution targets: " + _TARGETS_HELP)],
    customer: Annotated[Optional[str], typer.Option("--customer", help="Only for this customer team ('*' = everyone, the default).")] = None,
    at_risk: Annotated[int, typer.Option("--at-risk", help="Percent of a target after which a clock is at risk.")] = 80,
    notify: Annotated[list[str], typer.Option("--notify", help="Who hears about risks and breaches: a person or +team (repeat).")] = [],
    oncall_calendar: Annotated[Optional[str], typer.Option("--oncall-calendar", help="Calendar for urgent requests filed out of hours (often 24x7).")] = None,
    oncall: Annotated[Optional[str], typer.Option("--oncall", help="Who is on call: a person or +team.")] = None,
    pause_first_response: Annotated[bool, typer.Option("--pause-first-response", help="Waiting on the requester pauses the first-response clock too.")] = False,
    description: Annotated[Optional[str], typer.Option("--description", help="What the agreement covers.")] = None,
    json_: JsonOpt = False,
) -> None:
    """Add an agreement; open requests it now governs get their clocks."""
    from isvc.services import agreements as svc

    ag, moved = svc.add(desk(), name, provider, calendar, response, resolution, customer=customer,
                        at_risk=at_risk, notify=notify, oncall_calendar=oncall_calendar, oncall=oncall,
                        pause_first_response=pause_first_response, description=description)
    info(f"Added agreement {ag.name} for {ag.provider}{_moved(moved)}.")
    if json_:
        _print(ag)


def _print(ag) -> None:
    from isvc.domain.agreements import to_json
    from isvc.render.output import dump_json

    print(dump_json(to_json(ag)))


@app.command("edit", epilog="Example: isvc agreement edit it-standard --resolution urgent=4h,high=1d,normal=3d,low=10d")
def agreement_edit(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    provider: Annotated[Optional[str], typer.Option("--provider", help="New provider team.")] = None,
    calendar: Annotated[Optional[str], typer.Option("--calendar", help="New calendar.")] = None,
    response: Annotated[Optional[str], typer.Option("--response", help="New first-response targets.")] = None,
    resolution: Annotated[Optional[str], typer.Option("--resolution", help="New resolution targets.")] = None,
    customer: Annotated[Optional[str], typer.Option("--customer", help="New customer team ('*' = everyone).")] = None,
    at_risk: Annotated[Optional[int], typer.Option("--at-risk", help="New at-risk percent.")] = None,
    notify: Annotated[Optional[list[str]], typer.Option("--notify", help="Replace who is notified (repeat).")] = None,
    oncall_calendar: Annotated[Optional[str], typer.Option("--oncall-calendar", help="New on-call calendar.")] = None,
    oncall: Annotated[Optional[str], typer.Option("--oncall", help="New on-call person or +team.")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="New description.")] = None,
) -> None:
    """Change an agreement; the open requests it governs are recomputed from creation."""
    from isvc.services import agreements as svc

    ag, moved = svc.edit(desk(), name, provider=provider, calendar=calendar, response=response,
                         resolution=resolution, customer=customer, at_risk_percent=at_risk,
                         notify=notify or None, oncall_calendar=oncall_calendar, oncall=oncall,
                         description=description)
    info(f"Updated agreement {ag.name}{_moved(moved)}.")


@app.command("retire", epilog="Example: isvc agreement retire it-legacy")
def agreement_retire(name: Annotated[str, typer.Argument(help="Agreement name.")]) -> None:
    """Retire an agreement (kept for history; open requests fall back to another match)."""
    from isvc.services import agreements as svc

    ag, moved = svc.retire(desk(), name)
    info(f"Retired agreement {ag.name}{_moved(moved)}.")


def _targets(values: dict[str, int], day_minutes: int) -> str:
    from isvc.render.humanize import business_duration

    return "  ".join(f"{p} {business_duration(values[p], day_minutes)}" for p in ("urgent", "high", "normal", "low"))


@app.command("show", epilog="Example: isvc agreement show it-standard")
def agreement_show(
    name: Annotated[str, typer.Argument(help="Agreement name.")],
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Show an agreement: scope, calendar, targets, who hears about breaches."""
    from isvc.domain.agreements import to_json
    from isvc.render.output import emit_object
    from isvc.services import agreements as svc
    from isvc.store.sla import get_calendar_row

    d = desk()
    ag = svc.require_agreement(d, name)

    def human() -> None:
        from isvc.domain.calendar import describe_hours, parse_calendar
        from isvc.render.tables import key_values

        row = get_calendar_row(d.conn, ag.calendar)
        cal = parse_calendar(row["definition"])
        key_values(f"Agreement {ag.name}" + ("" if ag.active else " (retired)"), [
            ("provider", ag.provider),
            ("customers", ag.customer or "everyone"),
            ("calendar", f"{ag.calendar}: {describe_hours(cal)} {cal.tz}"),
            ("first response", _targets(ag.response, cal.day_minutes)),
            ("resolution", _targets(ag.resolution, cal.day_minutes)),
            ("at risk at", f"{ag.at_risk_percent}% of a target"),
            ("notify", ", ".join(ag.notify) or "—"),
            ("on call", f"{ag.oncall} on {ag.oncall_calendar} (urgent, out of hours)" if ag.oncall else "—"),
            ("description", ag.description or "—"),
        ])

    emit_object(to_json(ag), fmt(json_, format_), human,
                ["name", "provider", "customer", "calendar", "at_risk_percent"])


@app.command("list", epilog="Example: isvc agreement list --all")
def agreement_list(
    all_: Annotated[bool, typer.Option("--all", help="Include retired agreements.")] = False,
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """List agreements."""
    from isvc.domain.agreements import to_json
    from isvc.render.output import emit_rows
    from isvc.services import agreements as svc

    d = desk()
    ags = svc.list_all(d, all_)

    def table() -> None:
        from rich import box
        from rich.table import Table

        from isvc.render.console import console

        t = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for col in ("agreement", "provider", "customers", "calendar", "response (u/h/n/l)", "resolution (u/h/n/l)"):
            t.add_column(col)
        from isvc.render.humanize import business_duration
        from isvc.store.sla import get_calendar_row

        for ag in ags:
            row = get_calendar_row(d.conn, ag.calendar)
            day = int(row["definition"].get("day_minutes", 480)) if row else 480
            t.add_row(ag.name + ("" if ag.active else " (retired)"), ag.provider, ag.customer or "everyone",
                      ag.calendar,
                      " / ".join(business_duration(ag.response[p], day) for p in ("urgent", "high", "normal", "low")),
                      " / ".join(business_duration(ag.resolution[p], day) for p in ("urgent", "high", "normal", "low")))
        console().print(t)

    emit_rows([to_json(a) for a in ags], fmt(json_, format_),
              ["name", "provider", "customer", "calendar", "at_risk_percent", "active"], table)


@app.command("import", epilog="Example: isvc agreement import agreements/it.toml")
def agreement_import(path: Annotated[str, typer.Argument(help="A TOML file: one agreement, or several as [[agreement]].")]) -> None:
    """Create or replace agreements from TOML (all or nothing)."""
    from isvc.services import agreements as svc

    saved, moved = svc.import_file(desk(), path)
    info(f"Imported {len(saved)} agreement(s): {', '.join(a.name for a in saved)}{_moved(moved)}.")


@app.command("export", epilog="Example: isvc agreement export it-standard > agreements/it.toml   ·   isvc agreement export --all")
def agreement_export(
    name: Annotated[Optional[str], typer.Argument(help="Agreement name (omit with --all).")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every active agreement, as [[agreement]] tables.")] = False,
) -> None:
    """Print agreements as TOML, ready for version control and `agreement import`."""
    import tomli_w

    from isvc.domain.agreements import to_dict
    from isvc.errors import InvalidInput
    from isvc.services import agreements as svc

    d = desk()
    if bool(name) == all_:
        raise InvalidInput("give an agreement name or --all")
    if all_:
        print(tomli_w.dumps({"agreement": [to_dict(a) for a in svc.list_all(d)]}), end="")
    else:
        print(tomli_w.dumps(to_dict(svc.require_agreement(d, name))), end="")


@app.command("lint", epilog="Example (cron, weekly): isvc agreement lint || echo 'fix the agreements'")
def agreement_lint() -> None:
    """Check agreements for overlaps, odd targets, uncovered teams, stale holidays; exit 4 on problems."""
    from isvc.cli._common import report_problems
    from isvc.services import agreements as svc

    report_problems(svc.lint(desk()), "ok: no problems found.")


STATUS_COLUMNS = ["agreement", "provider", "open", "on_track", "at_risk", "breached",
                  "first_response_met_pct", "resolution_met_pct", "median_first_response_minutes",
                  "p90_first_response_minutes", "median_resolution_minutes", "p90_resolution_minutes",
                  "trend_pts"]


@app.command("status", epilog="Example: isvc agreement status   ·   isvc agreement status it-standard --since 90d --json")
def agreement_status(
    name: Annotated[Optional[str], typer.Argument(help="One agreement (default: all active).")] = None,
    since: Annotated[str, typer.Option("--since", help="The period: 30d, 12w, or a date; compared with the period before it.")] = "30d",
    json_: JsonOpt = False,
    format_: FormatOpt = None,
) -> None:
    """Each agreement's open requests by state, compliance, response and resolution times, trend."""
    from isvc.render.output import emit_rows
    from isvc.services import agreements as svc

    d = desk()
    rows = svc.status(d, name, since)

    def table() -> None:
        from isvc.render.sla_views import agreement_status_table

        agreement_status_table(rows, since, d)

    emit_rows(rows, fmt(json_, format_), STATUS_COLUMNS, table)
