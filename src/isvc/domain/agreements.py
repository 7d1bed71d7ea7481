"""Service agreements: what a provider team promises, per priority, in business time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from isvc.domain.businesstime import parse_target
from isvc.domain.models import Priority, check_handle
from isvc.errors import InvalidInput

PRIORITIES = [p.value for p in Priority]


@dataclass(frozen=True)
class Agreement:
    name: str
    provider: str
    calendar: str
    response: dict[str, int]            # priority -> business minutes to first response
    resolution: dict[str, int]          # priority -> business minutes to resolution
    customer: str | None = None         # None: every customer team
    at_risk_percent: int = 80
    notify: list[str] = field(default_factory=list)
    oncall_calendar: str | None = None
    oncall: str | None = None
    pause_first_response: bool = False
    description: str | None = None
    active: bool = True

    def with_changes(self, **changes: Any) -> "Agreement":
        return replace(self, **changes)


def parse_targets(spec: str, day_minutes: int, what: str) -> dict[str, int]:
    """``urgent=1h,high=4h,normal=1d,low=2d`` -> minutes per priority (every priority needed)."""
    targets: dict[str, int] = {}
    for part in spec.split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().lower()
        if not sep or key not in PRIORITIES:
            raise InvalidInput(
                f"{what} {part!r}: use priority=target pairs, e.g. urgent=1h,high=4h,normal=1d,low=2d")
        if key in targets:
            raise InvalidInput(f"{what}: {key} is given twice")
        try:
            targets[key] = parse_target(value, day_minutes)
        except InvalidInput as exc:  # name the option and priority, not only the value
            raise InvalidInput(f"{what} {key}: {exc}") from None
    missing = [p for p in PRIORITIES if p not in targets]
    if missing:
        raise InvalidInput(f"{what} has no target for {', '.join(missing)}; give all of: {', '.join(PRIORITIES)}")
    return {p: targets[p] for p in PRIORITIES}


def check_percent(value: int) -> int:
    if not 1 <= value <= 100:
        raise InvalidInput(f"--at-risk {value}: give a percentage from 1 to 100")
    return value


def check_name(value: str) -> str:
    return check_handle(value, "agreement name")


def to_dict(ag: Agreement) -> dict:
    """The TOML form (targets as minutes: exact and round-trippable)."""
    data: dict[str, Any] = {
        "name": ag.name,
        "provider": ag.provider,
        "customer": ag.customer or "*",
        "calendar": ag.calendar,
        "at_risk_percent": ag.at_risk_percent,
        "response_minutes": dict(ag.response),
        "resolution_minutes": dict(ag.resolution),
        "notify": list(ag.notify),
        "pause_first_response": ag.pause_first_response,
    }
    if ag.oncall_calendar:
        data["oncall_calendar"] = ag.oncall_calendar
    if ag.oncall:
        data["oncall"] = ag.oncall
    if ag.description:
        data["description"] = ag.description
    return data


def to_json(ag: Agreement) -> dict:
    """The JSON shape: every key present (null when unset), unlike the TOML form."""
    return to_dict(ag) | {"oncall_calendar": ag.oncall_calendar, "oncall": ag.oncall,
                          "description": ag.description, "active": ag.active}


def from_dict(data: dict, source: str, day_minutes_of=lambda calendar: 480) -> Agreement:
    known = {"name", "provider", "customer", "calendar", "at_risk_percent", "response_minutes",
             "resolution_minutes", "response", "resolution", "notify", "oncall_calendar", "oncall",
             "pause_first_response", "description"}
    unknown = sorted(set(data) - known)
    if unknown:
        raise InvalidInput(f"{source}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(known))}")
    for key in ("name", "provider", "calendar"):
        if not isinstance(data.get(key), str):
            raise InvalidInput(f"{source}: {key} is required (a string)")

    def targets(key: str) -> dict[str, int]:
        if key + "_minutes" in data:
            raw = data[key + "_minutes"]
            if not isinstance(raw, dict) or sorted(raw) != sorted(PRIORITIES) or not all(
                    isinstance(v, int) and not isinstance(v, bool) and v > 0 for v in raw.values()):
                raise InvalidInput(f"{source}: {key}_minutes needs a positive whole number for each of {', '.join(PRIORITIES)}")
            return {p: raw[p] for p in PRIORITIES}
        if isinstance(data.get(key), str):
            return parse_targets(data[key], day_minutes_of(data["calendar"]), f"{source}: {key}")
        raise InvalidInput(f"{source}: {key}_minutes is required")

    customer = data.get("customer")
    return Agreement(
        name=check_name(data["name"]), provider=data["provider"],
        customer=None if customer in (None, "*", "") else customer, calendar=data["calendar"],
        response=targets("response"), resolution=targets("resolution"),
        at_risk_percent=check_percent(int(data.get("at_risk_percent", 80))),
        notify=list(data.get("notify", [])), oncall_calendar=data.get("oncall_calendar"),
        oncall=data.get("oncall"), pause_first_response=bool(data.get("pause_first_response", False)),
        description=data.get("description"),
    )
