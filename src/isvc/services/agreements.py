"""Agreement use cases: add, edit, retire, import/export, lint, and the status table."""

from __future__ import annotations



from isvc.domain import agreements as dom
from isvc.domain.agreements import Agreement
from isvc.domain.metrics import quantile as _quantile
from isvc.domain.timeutil import parse_since, to_iso
from isvc.errors import InvalidInput, NotFound
from isvc.services import sla
from isvc.services.desk import Desk
from isvc.services.directory import require_person, require_team
from isvc.store import directory
from isvc.store import sla as store
from isvc.store.db import write


def require_agreement(desk: Desk, name: str, include_retired: bool = True) -> Agreement:
    ag = store.get_agreement(desk.conn, name)
    if ag is None or (not include_retired and not ag.active):
        from difflib import get_close_matches

        names = [a.name for a in store.list_agreements(desk.conn, True)]
        close = get_close_matches(name, names, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise NotFound(f"no agreement {name!r}{hint}; see `isvc agreement list`")
    return ag


def _require_calendar(desk: Desk, name: str) -> int:
    row = store.get_calendar_row(desk.conn, name)
    if row is None:
        raise NotFound(f"no calendar {name!r}; add one with `isvc calendar add {name} --tz ... --hours ...`")
    return int(row["definition"].get("day_minutes", 480))


def _check_target_handle(desk: Desk, handle: str, what: str) -> str:
    if handle.startswith("+"):
        return "+" + require_team(desk, handle)
    return require_person(desk, handle)


def _validate(desk: Desk, ag: Agreement) -> Agreement:
    """Every reference must exist; two active agreements may not cover the same scope."""
    provider = require_team(desk, ag.provider)
    customer = require_team(desk, ag.customer) if ag.customer else None
    _require_calendar(desk, ag.calendar)
    if ag.oncall_calendar:
        _require_calendar(desk, ag.oncall_calendar)
    if bool(ag.oncall_calendar) != bool(ag.oncall):
        raise InvalidInput("--oncall-calendar and --oncall go together: name the calendar and who is on call")
    notify = [_check_target_handle(desk, h, "--notify") for h in ag.notify]
    oncall = _check_target_handle(desk, ag.oncall, "--oncall") if ag.oncall else None
    dom.check_percent(ag.at_risk_percent)
    ag = ag.with_changes(provider=provider, customer=customer, notify=notify, oncall=oncall)
    if ag.active:
        for other in store.list_agreements(desk.conn):
            if other.name != ag.name and other.provider == ag.provider and other.customer == ag.customer:
                scope = f"customer {ag.customer}" if ag.customer else "every customer"
                raise InvalidInput(
                    f"agreement {other.name!r} already covers {ag.provider} for {scope}; "
                    f"edit it, retire it, or give a different --customer")
    return ag


def add(desk: Desk, name: str, provider: str, calendar: str, response: str, resolution: str, *,
        customer: str | None = None, at_risk: int = 80, notify: list[str] = (),
        oncall_calendar: str | None = None, oncall: str | None = None,
        pause_first_response: bool = False, description: str | None = None) -> tuple[Agreement, int]:
    name = dom.check_name(name)
    with write(desk.conn):
        desk.require_admin("add agreements")
        desk.ensure_actor()
        if store.get_agreement(desk.conn, name):
            raise InvalidInput(f"agreement {name!r} exists; change it with `isvc agreement edit {name}`")
        day = _require_calendar(desk, calendar)
        ag = Agreement(
            name=name, provider=provider, calendar=calendar,
            customer=None if customer in (None, "*", "") else customer,
            response=dom.parse_targets(response, day, "--response"),
            resolution=dom.parse_targets(resolution, day, "--resolution"),
            at_risk_percent=at_risk, notify=list(notify), oncall_calendar=oncall_calendar,
            oncall=oncall, pause_first_response=pause_first_response, description=description,
        )
        ag = _validate(desk, ag)
        store.save_agreement(desk.conn, ag, desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "agreement.add", name, dom.to_dict(ag))
        moved = sla.recompute_open(desk.conn, [ag.provider], desk.now)
    return ag, moved


def edit(desk: Desk, name: str, **changes) -> tuple[Agreement, int]:
    """Changes apply to the open requests the agreement governs, recomputed from creation."""
    with write(desk.conn):
        desk.require_admin("edit agreements")
        desk.ensure_actor()
        old = require_agreement(desk, name)
        calendar = changes.get("calendar") or old.calendar
        day = _require_calendar(desk, calendar)
        update = {k: v for k, v in changes.items() if v is not None and k not in ("response", "resolution", "customer")}
        if changes.get("response"):
            update["response"] = dom.parse_targets(changes["response"], day, "--response")
        if changes.get("resolution"):
            update["resolution"] = dom.parse_targets(changes["resolution"], day, "--resolution")
        if changes.get("customer") is not None:
            update["customer"] = None if changes["customer"] in ("*", "") else changes["customer"]
        if not update:
            raise InvalidInput("nothing to change; see `isvc agreement edit --help`")
        ag = _validate(desk, old.with_changes(**update))
        store.save_agreement(desk.conn, ag, desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "agreement.edit", name, dom.to_dict(ag))
        moved = sla.recompute_open(desk.conn, sorted({old.provider, ag.provider}), desk.now)
    return ag, moved


def retire(desk: Desk, name: str) -> tuple[Agreement, int]:
    with write(desk.conn):
        desk.require_admin("retire agreements")
        desk.ensure_actor()
        ag = require_agreement(desk, name)
        if not ag.active:
            raise InvalidInput(f"agreement {name!r} is already retired")
        ag = ag.with_changes(active=False)
        store.save_agreement(desk.conn, ag, desk.now_iso)
        directory.audit(desk.conn, desk.now_iso, desk.actor, "agreement.retire", name)
        moved = sla.recompute_open(desk.conn, [ag.provider], desk.now)
    return ag, moved


def import_file(desk: Desk, path: str) -> tuple[list[Agreement], int]:
    """A TOML file with one agreement, or several under [[agreement]]; all or nothing."""
    from isvc.tomlfiles import read_toml

    data = read_toml(path, "agreement file")
    items = data.get("agreement", [data]) if "agreement" in data else [data]
    if not isinstance(items, list):
        raise InvalidInput(f"{path}: use [[agreement]] tables for several agreements")
    saved = []
    with write(desk.conn):
        desk.require_admin("import agreements")
        desk.ensure_actor()
        providers = set()
        for i, item in enumerate(items, 1):
            ag = dom.from_dict(item, f"{path} agreement {i}",
                               day_minutes_of=lambda name: _require_calendar(desk, name))
            old = store.get_agreement(desk.conn, ag.name)
            ag = _validate(desk, ag)
            store.save_agreement(desk.conn, ag, desk.now_iso)
            directory.audit(desk.conn, desk.now_iso, desk.actor, "agreement.import", ag.name, dom.to_dict(ag))
            providers |= {ag.provider} | ({old.provider} if old else set())
            saved.append(ag)
        moved = sla.recompute_open(desk.conn, sorted(providers), desk.now)
    return saved, moved


def list_all(desk: Desk, include_retired: bool = False) -> list[Agreement]:
    return store.list_agreements(desk.conn, include_retired)


def lint(desk: Desk) -> list[str]:
    """Problems an admin should fix; `agreement lint` exits 4 when there are any."""
    problems = []
    active = store.list_agreements(desk.conn)
    seen: dict[tuple, str] = {}
    for ag in active:
        key = (ag.provider, ag.customer)
        if key in seen:
            problems.append(f"{ag.name} and {seen[key]} both cover {ag.provider} for "
                            f"{ag.customer or 'every customer'}")
        seen[key] = ag.name
        for prio in dom.PRIORITIES:
            if ag.response[prio] > ag.resolution[prio]:
                problems.append(f"{ag.name}: {prio} first response target is longer than its resolution target")
        ranks = [ag.resolution[p] for p in ("urgent", "high", "normal", "low")]
        if ranks != sorted(ranks):
            problems.append(f"{ag.name}: resolution targets do not grow from urgent to low")
        for handle in ag.notify + ([ag.oncall] if ag.oncall else []):
            if not handle.startswith("+"):
                person = directory.get_person(desk.conn, handle)
                if person and not person.active:
                    problems.append(f"{ag.name}: notifies {handle}, who is deactivated")
    covered = {ag.provider for ag in active if ag.customer is None}
    for team, count in directory.open_counts_by_team(desk.conn).items():
        if team not in covered and count:
            problems.append(f"team {team} has {count} open request(s) and no default agreement")
    from isvc.services.calendars import holiday_warnings

    used = {ag.calendar for ag in active} | {ag.oncall_calendar for ag in active if ag.oncall_calendar}
    for name, warning in sorted(holiday_warnings(desk.conn, desk.now).items()):
        if name in used:
            problems.append(f"calendar {name}: {warning}")
    return problems


def _pct(values: list[int]) -> float | None:
    return round(100 * sum(values) / len(values), 1) if values else None


def status(desk: Desk, name: str | None, since: str = "30d") -> list[dict]:
    """One row per agreement: open states now, compliance and times over the period, trend."""
    start = parse_since(since, desk.now)
    if start >= desk.now:
        raise InvalidInput("--since must be in the past")
    prev_start = start - (desk.now - start)
    agreements = [require_agreement(desk, name)] if name else store.list_agreements(desk.conn)
    states = store.open_states(desk.conn, desk.now_iso)
    rows = []
    for ag in agreements:
        cur = store.period_figures(desk.conn, ag.name, to_iso(start), desk.now_iso)
        prev = store.period_figures(desk.conn, ag.name, to_iso(prev_start), to_iso(start))
        now_pct, prev_pct = _pct(cur["res_met"]), _pct(prev["res_met"])
        state = states.get(ag.name, {"open": 0, "on_track": 0, "at_risk": 0, "breached": 0})
        rows.append({
            "agreement": ag.name,
            "provider": ag.provider,
            "open": state["open"],
            "on_track": state["on_track"],
            "at_risk": state["at_risk"],
            "breached": state["breached"],
            "first_response_met_pct": _pct(cur["fr_met"]),
            "resolution_met_pct": now_pct,
            "median_first_response_minutes": _quantile(cur["fr_elapsed"], 0.5),
            "p90_first_response_minutes": _quantile(cur["fr_elapsed"], 0.9),
            "median_resolution_minutes": _quantile(cur["res_elapsed"], 0.5),
            "p90_resolution_minutes": _quantile(cur["res_elapsed"], 0.9),
            "trend_pts": None if now_pct is None or prev_pct is None else round(now_pct - prev_pct, 1),
            "customer": ag.customer,
            "active": ag.active,
            "resolved_in_period": len(cur["res_met"]),
        })
    return rows



