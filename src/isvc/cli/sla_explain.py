"""`isvc sla explain N`: how every due time of a request was computed."""

from __future__ import annotations

from typing import Annotated

import typer

from isvc.cli._common import JsonOpt, desk


def sla_explain(
    number: Annotated[int, typer.Argument(help="Request number.", min=1)],
    json_: JsonOpt = False,
) -> None:
    """Explain a request's clocks: where counting started, each segment, pause and closed spell."""
    d = desk()
    rx = explain_request(d, number)
    if json_:
        import sys

        from isvc.render.explain_view import explanation_json
        from isvc.render.output import dump_json

        sys.stdout.write(dump_json(explanation_json(rx)) + "\n")
        return
    from isvc.render.explain_view import render

    render(rx)


def explain_request(d, number: int):
    """Gather what the explanation needs (read-only) and build it.

    ``requests.show`` decides who may see the request (and raises NotFound, exit 3); the
    clocks' figures are ``sla.live``'s, so they agree with `request show` and the queue.
    """
    from datetime import date

    from isvc.domain import explain
    from isvc.domain.calendar import describe_hours
    from isvc.domain.timeutil import parse_iso
    from isvc.services import requests as svc
    from isvc.services.sla import live
    from isvc.store import requests as req_store
    from isvc.store import sla as store

    view = svc.show(d, number)
    req = view.request
    figures = live(d.conn, [number], d.now).get(number) or {}
    base = {"number": number, "title": req.title, "priority": req.priority.value,
            "status": req.status.value}
    if not figures:
        inputs = store.clock_inputs(d.conn, number) or {}
        stored = store.get_agreement(d.conn, inputs["agreement"]) if inputs.get("agreement") else None
        now_matching = store.matching_agreement(d.conn, req.team, inputs.get("customer"))
        message = explain.no_agreement_message(
            number, req.team, req.requester, inputs.get("customer"),
            agreement=inputs.get("agreement"),
            missing_calendar=(stored.calendar if stored else inputs.get("sla_calendar")),
            later_agreement=now_matching.name if now_matching else None)
        return explain.RequestExplanation(**base, agreement=None, calendar_name=None,
                                          calendar=None, hours=None, message=message)

    row, cal = figures["row"], figures["calendar"]
    ag = store.get_agreement(d.conn, row["agreement"])
    cal_row = store.get_calendar_row(d.conn, row["sla_calendar"]) or {}
    names = {}
    for day, name in (cal_row.get("holiday_names") or {}).items():
        try:
            names[date.fromisoformat(day)] = name
        except ValueError:
            continue
    waits = store.pauses_for(d.conn, [number])[number]  # the rows `live` paused the clocks with
    titles = {}
    for w in waits:
        other = w.get("on_request")
        if other and other not in titles:
            found = req_store.get_request(d.conn, other)
            if found is not None:
                titles[other] = found.title
    pauses = explain.pause_infos(waits, view.events, titles)
    created = parse_iso(row["created_at"])
    cancelled = row["status"] == "cancelled"
    fr_at = explain.stop_instant("first_response", row)
    if cancelled and not row.get("first_response_at"):
        fr_stop = explain.resolution_stop(fr_at, view.events, cancelled=True)
    else:
        fr_stop = explain.first_response_stop(fr_at, view.events)
    stops = {
        "first_response": fr_stop,
        "resolution": explain.resolution_stop(explain.stop_instant("resolution", row), view.events,
                                              cancelled=cancelled),
    }
    pause_fr = bool(ag and ag.pause_first_response)
    clocks = {}
    for clock, prefix in (("first_response", "fr"), ("resolution", "res")):
        st = figures.get(clock)
        if st is None:
            clocks[clock] = None
            continue
        clocks[clock] = explain.explain_clock(
            clock, cal, created, row[f"{prefix}_target"], d.now,
            stop=stops[clock], pauses=pauses,
            pauses_apply=clock == "resolution" or pause_fr,
            at_risk_percent=row.get("at_risk_percent") or 80, holiday_names=names, status=st,
            breach_recorded_at=parse_iso(row[f"{prefix}_breached_at"]) if row.get(f"{prefix}_breached_at") else None,
        )
    notes = []
    if ag is not None and row["sla_calendar"] != ag.calendar:
        notes.append(f"urgent and filed outside calendar \"{ag.calendar}\"'s hours: its clocks run on"
                     f" the on-call calendar \"{row['sla_calendar']}\"")
    return explain.RequestExplanation(
        **base, agreement=row["agreement"], calendar_name=row["sla_calendar"], calendar=cal,
        hours=describe_hours(cal), clocks=clocks, notes=tuple(notes))
