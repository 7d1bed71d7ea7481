"""`isvc demo`: a realistic organisation in a throwaway database.

The demo is a list of build steps run in order inside ONE write transaction (a build that
fails or is interrupted leaves nothing half-made), then a list of tour steps that say what
to try next:

    BUILD_STEPS = [build_org, build_sla, build_requests, build_kudos]  # later issues append
    LIVE_STEPS = [build_catalog, build_mail]  # through the services, after the bulk load
    TOUR_STEPS = [tour_basics, tour_sla, tour_mail, tour_catalog, tour_kudos]

A build step takes the DemoContext, writes through the store (``isvc.store.bulk``: the
store is the only code that speaks SQL) and leaves what later steps need in
``ctx.facts``. A tour step returns TourStep rows (a command and what it shows); the CLI
prints them. Nothing here prints.

Requests are *simulated*, not faked: each one is filed at an arrival time and then lives
the life the services would give it (first reply or ack, assignment, work, waits on the
requester with a question and the answer that resumes it, internal notes, resolution,
closure by the requester or by the nightly autoclose, the odd reopen, cancellation and
follow-up), one journal event per command, stopped at the clock. Status, first-response,
resolution and closure stamps, ``waiting_on`` and the waits rows all come from replaying
those commands with the services' rules, so the data keeps their invariants.

Service agreements (``build_sla``, before the requests): an office calendar with a lunch
break, a back-office one, a 24x7 on-call one, Romanian public holidays from the `holidays`
package; an agreement per provider team and one for a customer team. Each request's
clock columns come from ``isvc.domain.clocks.compute`` -- the services' own computation --
on its simulated history (see _Clocks), in the same bulk insert. Teams work at their own
pace, drifting over the months, so compliance differs per agreement (~85-95%) and has a
trend; the showcase requests are placed in business time before the clock so that the
open ones show every state: on track, at risk, breached, paused.

Feedback and kudos (``build_kudos``, after the requests): company values and a weekly
allowance of 5 (desk settings, as `kudos values set` and `kudos policy` leave them); kudos
over the history, about one per 9 requests and at most ~one per person and week: thanks
at closure tied to a request (`request close N --thanks`: the close, then the kudos event
on its journal), help across teams, within a team, to whole teams, a couple private, one
retracted; never over a giver's weekly allowance, never to oneself. Most resolved
requests carry the requester's rating (mostly 4-5, lower when late, reopened or followed
up), a share the provider's rating of the request, each with its journal event. The
journal is append-only and its ids follow time, so those events are given while the
requests are simulated (_Feedback, from its own random streams) and go out with the
requests' own; build_kudos writes the kudos rows and the settings.

Scale (``--requests N``): the history spans ``history_days(N)`` -- 8 weeks up to 300
requests, then 8 weeks x (N/300)^0.45, so the desk grows busier as well as older:

    N            history       per working day    open at the end
    300          8 weeks       ~7                 a few dozen
    5,000        ~28 weeks     ~36                ~100 (2%)
    100,000      ~2.1 years    ~190               ~1,000
    1,000,000    ~5.9 years    ~650               ~3,000

Requests are open only while they are being worked (days, not months): anything filed
more than OPEN_WINDOW_DAYS before the clock is finished, so the backlog follows the last
weeks' volume and never the history's size. Arrivals follow business hours on working
days in Bucharest (Romanian public holidays included), with evenings, weekends, a summer
and a Christmas dip, and gentle growth.

Deterministic: the same --seed, N and clock (ISVC_NOW) build the same desk.
"""

from __future__ import annotations

import heapq
import json
import random
import shutil
import sqlite3
import tempfile
import time
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from math import exp, pi, sin
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from isvc.domain.lifecycle import COMMANDS
from isvc.domain.models import Status
from isvc.errors import InvalidInput
from isvc.store import bulk
from isvc.store.sla import CLOCK_COLUMNS

ZONE = "Europe/Bucharest"
OPEN_WINDOW_DAYS = 21        # filed before this many days ago: finished by now
AUTOCLOSE_DAYS = 5           # what `isvc request autoclose` closes, run by cron at 06:00
CHUNK = 5_000                # requests per executemany batch (all in one transaction)
DEMO_USER = "alina"          # who "you" are in the tour: an IT agent and desk admin
ADMINS = ("alina", "ioana")
AUTOMATION = "helpdesk"      # the service account cron runs as (autoclose)

Progress = Callable[[int, int], None]


def history_days(requests: int) -> int:
    """How far back the history goes: 8 weeks up to 300 requests, then growing as
    N^0.45 (100,000 -> ~2.1 years; 1,000,000 -> ~5.9 years)."""
    if requests <= 300:
        return 56
    return round(56 * (requests / 300) ** 0.45)


@dataclass
class TourStep:
    command: str
    shows: str


@dataclass
class DemoContext:
    conn: sqlite3.Connection
    now: datetime
    seed: int
    requests: int
    progress: Progress | None = None
    facts: dict = field(default_factory=dict)   # what steps learnt, for later steps and the tour
    live: int = 0      # requests LIVE_STEPS file through the services (the rest are bulk)

    def rng(self, step: str) -> random.Random:
        """Each step draws from its own stream: appending a step never changes the others."""
        return _Random(f"isvc-demo:{self.seed}:{step}")


@dataclass
class DemoResult:
    path: Path
    temporary: bool
    user: str
    seed: int
    requests: int
    history_days: int
    counts: dict
    open: int
    tour: list[TourStep]
    facts: dict
    seconds: float


def run_demo(*, requests: int, db: str | None, seed: int, now: datetime,
             progress: Progress | None = None) -> DemoResult:
    """Build the demo desk (in a new temporary folder unless ``db`` names a new or empty
    file) and return where it is and what to try. Refuses a ``db`` that holds data."""
    from isvc.store import directory
    from isvc.store.db import open_db

    if requests < 1:
        raise InvalidInput("--requests must be at least 1")
    started = time.perf_counter()
    path, temporary, created = _target(db)
    try:
        conn = open_db(path)
    except BaseException:
        _discard(path, temporary, created)
        raise
    try:
        ctx = DemoContext(conn=conn, now=now.astimezone(timezone.utc).replace(microsecond=0),
                          seed=seed, requests=requests, progress=progress)
        ctx.live = MAIL_REQUESTS if requests >= 50 else 0
        with bulk.load(conn):
            for step in BUILD_STEPS:
                step(ctx)
        for step in LIVE_STEPS:  # through the services, on the finished, indexed desk
            step(ctx)
        tour = [item for step in TOUR_STEPS for item in step(ctx)]
        counts = directory.counts(conn)
        open_total = sum(directory.open_counts_by_team(conn).values())
    except BaseException:
        conn.close()
        _discard(path, temporary, created)
        raise
    conn.close()
    return DemoResult(path=path, temporary=temporary, user=DEMO_USER, seed=seed,
                      requests=requests, history_days=history_days(requests), counts=counts,
                      open=open_total, tour=tour, facts=ctx.facts,
                      seconds=time.perf_counter() - started)


def _target(db: str | None) -> tuple[Path, bool, bool]:
    """(path, in a temporary folder we made, file created by us)."""
    from isvc.store.db import open_db

    if db is None:
        folder = Path(tempfile.mkdtemp(prefix="isvc-demo-"))
        return folder / "isvc.db", True, True
    path = Path(db).expanduser()
    if path.is_dir():
        raise InvalidInput(f"--db {db} is a folder; give a file name, e.g. {path / 'demo.db'}")
    if not path.exists():
        return path, False, True
    conn = open_db(path, create=False, migrate=False)
    try:
        if bulk.holds_data(conn):
            raise InvalidInput(
                f"{path} already holds data; the demo only writes to a new or empty file "
                "(leave out --db for a temporary one)")
    finally:
        conn.close()
    return path, False, False


def _discard(path: Path, temporary: bool, created: bool) -> None:
    """A failed build removes what it created (the rolled-back file), nothing else."""
    if temporary:
        shutil.rmtree(path.parent, ignore_errors=True)
    elif created:
        for candidate in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
            try:
                candidate.unlink()
            except FileNotFoundError:
                pass


# -- the organisation ----------------------------------------------------------------

# (handle, name, provides a service)
TEAMS = (
    ("it", "IT Service Desk", True),
    ("hr", "People & HR", True),
    ("facilities", "Facilities", True),
    ("purchasing", "Purchasing", True),
    ("payroll", "Payroll", True),
    ("platform", "Platform Engineering", True),
    ("engineering", "Product Engineering", False),
    ("sales", "Sales", False),
    ("finance", "Finance", False),
    ("marketing", "Marketing", False),
)

# (handle, name, teams: primary first). Several people sit in two teams.
PEOPLE = (
    ("alina", "Alina Radu", ("it", "platform")),
    ("jim", "Jim Ionescu", ("it",)),
    ("dragos", "Dragoș Marin", ("it",)),
    ("elena", "Elena Vasile", ("it",)),
    ("tom", "Tom Becker", ("it",)),
    ("ioana", "Ioana Constantinescu", ("hr",)),
    ("luiza", "Luiza Georgescu", ("hr",)),
    ("priya", "Priya Nair", ("hr", "payroll")),
    ("ana", "Ana Pop", ("payroll", "hr")),
    ("bogdan", "Bogdan Stoica", ("payroll",)),
    ("sorin", "Sorin Dobre", ("facilities", "purchasing")),
    ("gabriel", "Gabriel Munteanu", ("facilities",)),
    ("irina", "Irina Lungu", ("purchasing", "finance")),
    ("paul", "Paul Schneider", ("purchasing",)),
    ("vlad", "Vlad Petrescu", ("platform", "engineering")),
    ("nadia", "Nadia Haddad", ("platform",)),
    ("andrei", "Andrei Popa", ("engineering",)),
    ("carmen", "Carmen Iliescu", ("engineering",)),
    ("lucas", "Lucas Moreau", ("engineering",)),
    ("teodora", "Teodora Nistor", ("engineering",)),
    ("radu", "Radu Ciobanu", ("engineering",)),
    ("mihai", "Mihai Stan", ("sales",)),
    ("maria", "Maria Dumitrescu", ("sales",)),
    ("raluca", "Raluca Enache", ("sales",)),
    ("omar", "Omar Haddad", ("sales",)),
    ("cristian", "Cristian Barbu", ("finance",)),
    ("oana", "Oana Matei", ("finance",)),
    ("sofia", "Sofia Rossi", ("finance",)),
    ("diana", "Diana Ene", ("marketing",)),
    ("kenji", "Kenji Tanaka", ("marketing",)),
    ("bianca", "Bianca Toma", ("marketing",)),
    (AUTOMATION, "Helpdesk automation", ()),
)

# Who leads (and sometimes assigns) each provider team's queue.
LEADS = {"it": "alina", "hr": "ioana", "facilities": "sorin", "purchasing": "irina",
         "payroll": "ana", "platform": "vlad"}
# Whose approval a requester mentions ("my manager is ...").
MANAGERS = dict(LEADS, engineering="andrei", sales="maria", finance="cristian",
                marketing="diana")
# Colleagues from outside a team who sometimes take one of its requests (lateral help).
HELPERS = {"it": ("vlad", "nadia"), "platform": ("jim", "dragos"), "payroll": ("luiza",),
           "hr": ("bogdan",), "facilities": ("paul",), "purchasing": ("gabriel",)}
# Share of all requests each provider team receives.
VOLUME = {"it": 36, "facilities": 15, "hr": 13, "platform": 14, "payroll": 10, "purchasing": 9}
# Share filed by email (the rest from the command line).
MAIL_SHARE = {"it": 0.3, "facilities": 0.35, "hr": 0.4, "platform": 0.08, "payroll": 0.4,
              "purchasing": 0.3}

_FOLD = str.maketrans("ășțâîĂȘȚÂÎşţ", "astaiASTAIst")


def _email(name: str) -> str:
    first, *rest = name.lower().translate(_FOLD).split()
    return f"{first}.{'-'.join(rest)}@example.com" if rest else f"{first}@example.com"


def build_org(ctx: DemoContext) -> None:
    """Teams, people (several in two teams), the desk's admins, and the audit trail of it,
    dated a fortnight before the history starts."""
    from isvc.store import directory

    start = ctx.now - timedelta(days=history_days(ctx.requests) + 14)
    at = _iso(int(start.replace(hour=7, minute=0, second=0).timestamp()))
    founder = ADMINS[0]
    bulk.insert_teams(ctx.conn, [(handle, name, at) for handle, name, _ in TEAMS])
    people = []
    for handle, name, teams in PEOPLE:
        email = "helpdesk@example.com" if handle == AUTOMATION else _email(name)
        people.append((handle, name, email, teams[0] if teams else None, 1,
                       0 if handle == AUTOMATION else 1, at))
    bulk.insert_people(ctx.conn, people)
    bulk.insert_memberships(ctx.conn, [(h, t) for h, _, teams in PEOPLE for t in teams])
    audit = [(at, founder, "team.add", handle, json.dumps({"name": name}))
             for handle, name, _ in TEAMS]
    audit += [(at, founder, "person.add", p[0], json.dumps({"teams": list(teams), "email": p[2]}))
              for p, (_, _, teams) in zip(people, PEOPLE)]
    directory.set_setting(ctx.conn, "admins", list(ADMINS))
    audit.append((at, founder, "settings.set", "admins", json.dumps({"value": list(ADMINS)})))
    directory.set_setting(ctx.conn, "demo", {"seed": ctx.seed, "requests": ctx.requests,
                                             "user": DEMO_USER, "built_at": _iso_dt(ctx.now)})
    bulk.insert_audit(ctx.conn, audit)
    ctx.facts["org"] = {
        "teams": [t[0] for t in TEAMS],
        "providers": [t[0] for t in TEAMS if t[2]],
        "people": [p[0] for p in PEOPLE],
        "admins": list(ADMINS),
        "user": DEMO_USER,
        "automation": AUTOMATION,
        "created_at": at,
    }


# -- service agreements: business calendars and what each team promises ------------------
#
# The office works Mon-Fri in Bucharest with a lunch break; the back office (HR, Payroll,
# Purchasing) keeps plain 09:00-17:00; Platform's on-call runs round the clock. Romanian
# public holidays come from the `holidays` package for every year the history touches and
# the next one (as `isvc calendar add --country RO --years ...` would seed them), and
# Christmas Eve and New Year's Eve are half-days.

COUNTRY = "RO"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
# name -> (weekly hours of Mon-Fri or None for 24x7, half-day windows on Dec 24 and 31, what)
CALENDARS = {
    "office": ([["09:00", "12:30"], ["13:00", "17:30"]], [["09:00", "13:00"]],
               "IT, Facilities and Platform: Mon-Fri 09:00-17:30, lunch 12:30-13:00"),
    "back-office": ([["09:00", "17:00"]], [["09:00", "13:00"]],
                    "HR, Payroll and Purchasing: Mon-Fri 09:00-17:00"),
    "oncall": (None, None, "Platform on-call: round the clock"),
}


@dataclass(frozen=True)
class AgreementSpec:
    name: str
    provider: str
    calendar: str
    response: str
    resolution: str
    notify: tuple[str, ...]
    description: str
    customer: str | None = None
    oncall_calendar: str | None = None
    oncall: str | None = None
    at_risk: int = 80


AGREEMENTS = (
    AgreementSpec("it-standard", "it", "office", "urgent=1h,high=4h,normal=1d,low=2d",
                  "urgent=4h,high=2d,normal=5d,low=10d", ("alina",),
                  "IT Service Desk for everyone: laptops, accounts, network, software"),
    AgreementSpec("it-sales", "it", "office", "urgent=30m,high=2h,normal=4h,low=1d",
                  "urgent=4h,high=1d,normal=3d,low=5d", ("alina", "maria"),
                  "Sales works from customers' offices: faster answers from IT",
                  customer="sales"),
    AgreementSpec("facilities", "facilities", "office",
                  "urgent=30m,high=2h,normal=1d,low=2d", "urgent=4h,high=1d,normal=5d,low=10d",
                  ("sorin",), "The building: access, furniture, climate, moves"),
    AgreementSpec("platform", "platform", "office",
                  "urgent=30m,high=2h,normal=1d,low=3d", "urgent=4h,high=2d,normal=5d,low=10d",
                  ("vlad", "+platform"),
                  "CI, deploys, access and capacity for Product Engineering; urgent "
                  "requests out of hours go to the on-call engineer",
                  oncall_calendar="oncall", oncall="nadia"),
    AgreementSpec("hr", "hr", "back-office", "urgent=4h,high=1d,normal=2d,low=3d",
                  "urgent=2d,high=5d,normal=10d,low=15d", ("ioana",),
                  "Letters, leave, contracts and benefits"),
    AgreementSpec("payroll", "payroll", "back-office",
                  "urgent=2h,high=1d,normal=2d,low=3d", "urgent=1d,high=5d,normal=10d,low=15d",
                  ("ana",), "Payslips, overtime, deductions; corrections go into the next run"),
    AgreementSpec("purchasing", "purchasing", "back-office",
                  "urgent=4h,high=1d,normal=2d,low=3d", "urgent=2d,high=5d,normal=10d,low=20d",
                  ("irina",), "Orders, suppliers, licences and quotes", at_risk=75),
)


def _calendar_definitions(first: date, last: date) -> tuple[dict, dict[str, dict]]:
    """(holiday names by ISO date, {calendar name: TOML-shaped definition}) for the years
    ``first.year`` to ``last.year``."""
    from isvc.services.calendars import package_holidays

    names = package_holidays(COUNTRY, None, list(range(first.year, last.year + 1)))
    holidays = sorted(d.isoformat() for d in names)
    half_days = [date(y, m, d) for y in range(first.year, last.year + 1)
                 for m, d in ((12, 24), (12, 31))]
    out = {}
    for name, (hours, half, _) in CALENDARS.items():
        if hours is None:
            out[name] = {"tz": ZONE, "day_minutes": 1440,
                         "hours": {day: [["00:00", "24:00"]] for day in
                                   ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}}
            continue
        out[name] = {
            "tz": ZONE, "day_minutes": 480, "hours": {day: hours for day in WEEKDAYS},
            "holidays": holidays,
            # a half-day only on a working day that is no holiday (an override would open it)
            "overrides": {d.isoformat(): half for d in half_days
                          if d.weekday() < 5 and d not in names},
        }
    return {d.isoformat(): n for d, n in names.items()}, out


def build_sla(ctx: DemoContext) -> None:
    """Calendars (one with a lunch break, one 24x7 for on-call) and an agreement for every
    provider team, plus a customer-specific one; set up with the organisation, so every
    request of the history has clocks."""
    from isvc.domain.agreements import Agreement, parse_targets, to_dict
    from isvc.domain.calendar import calendar_to_dict, parse_calendar
    from isvc.store import sla as sla_store

    at = ctx.facts["org"]["created_at"]
    founder = ADMINS[0]
    zone = ZoneInfo(ZONE)
    first = datetime.fromisoformat(at.replace("Z", "+00:00")).astimezone(zone).date()
    last = ctx.now.astimezone(zone).date().replace(month=12, day=31) + timedelta(days=1)
    holiday_names, definitions = _calendar_definitions(first, last)
    calendars = {}
    audit = []
    for name, definition in definitions.items():
        cal = parse_calendar(definition, source=f"calendar {name}")
        calendars[name] = cal
        names = {d: n for d, n in holiday_names.items() if date.fromisoformat(d) in cal.holidays}
        sla_store.save_calendar(ctx.conn, name, calendar_to_dict(cal), names, at)
        hours = CALENDARS[name][0]
        spec = ("mon-sun 00:00-24:00" if hours is None else
                "mon-fri " + ",".join(f"{a}-{b}" for a, b in hours))
        audit.append((at, founder, "calendar.add", name, json.dumps({
            "tz": ZONE, "hours": [spec], "day_minutes": cal.day_minutes,
            "country": COUNTRY if cal.holidays else None, "subdiv": None,
            "holidays": len(cal.holidays)})))
    agreements = {}
    for spec in AGREEMENTS:
        day = calendars[spec.calendar].day_minutes
        ag = Agreement(
            name=spec.name, provider=spec.provider, calendar=spec.calendar,
            customer=spec.customer,
            response=parse_targets(spec.response, day, "--response"),
            resolution=parse_targets(spec.resolution, day, "--resolution"),
            at_risk_percent=spec.at_risk, notify=list(spec.notify),
            oncall_calendar=spec.oncall_calendar, oncall=spec.oncall,
            description=spec.description)
        sla_store.save_agreement(ctx.conn, ag, at)
        audit.append((at, founder, "agreement.add", ag.name, json.dumps(to_dict(ag))))
        agreements[ag.name] = ag
    bulk.insert_audit(ctx.conn, audit)
    ctx.facts["sla"] = {
        "calendars": calendars,
        "agreements": agreements,
        # (provider, customer team or None) -> agreement, as store.sla.matching_agreement
        "scopes": {(ag.provider, ag.customer): ag for ag in agreements.values()},
    }


# -- time: epoch seconds, a business calendar over the history -----------------------

_DAY_PREFIX: dict[int, str] = {}
_TIME_SUFFIX: dict[int, str] = {}


def _iso(t: int) -> str:
    """Epoch seconds -> the stored form (2026-11-23T09:30:00Z); cached by day and by
    second of the day, as it runs ~9 times per request."""
    day, sec = divmod(t, 86400)
    prefix = _DAY_PREFIX.get(day)
    if prefix is None:
        prefix = _DAY_PREFIX[day] = time.strftime("%Y-%m-%d", time.gmtime(day * 86400))
    suffix = _TIME_SUFFIX.get(sec)
    if suffix is None:
        hour, rest = divmod(sec, 3600)
        suffix = _TIME_SUFFIX[sec] = f"T{hour:02d}:{rest // 60:02d}:{rest % 60:02d}Z"
    return prefix + suffix


def _iso_dt(dt: datetime) -> str:
    return _iso(int(dt.timestamp()))


FAR = 1 << 62


class _Random(random.Random):
    """random.Random with cheaper choice/randint (one random() each): the generator
    draws ~40 numbers per request. Deterministic for a seed, like its parent."""

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def randint(self, a: int, b: int) -> int:
        return a + int(self.random() * (b - a + 1))


def _normal_quantiles(n: int = 2048) -> list[float]:
    from statistics import NormalDist

    dist = NormalDist()
    return [dist.inv_cdf((i + 0.5) / n) for i in range(n)]


_Z: list[float] = []


def _office(ctx: DemoContext):
    """The office calendar the build_sla step stored (a plain Mon-Fri 09:00-17:30 without
    holidays when the build has no such step)."""
    sla = ctx.facts.get("sla")
    if sla:
        return sla["calendars"]["office"]
    from isvc.domain.calendar import parse_calendar

    return parse_calendar({"tz": ZONE, "hours": {d: CALENDARS["office"][0] for d in WEEKDAYS}})


class _WallClock:
    """Round-the-clock time for the on-call engineer: ``add`` counts every minute."""

    @staticmethod
    def add(t: int, minutes: int) -> int:
        return t + minutes * 60


class _Calendar:
    """When people work: the office calendar's days (holidays and half-days included),
    each from its opening to its closing, as arrays per local day, so the simulation's
    business-time arithmetic is integer work (no zoneinfo in the hot path). People answer
    through the lunch break now and then; the clocks, computed by the engine on each
    agreement's calendar, count only what the calendar says."""

    def __init__(self, first: date, last: date, office):
        from isvc.domain.calendar import windows_on

        zone = ZoneInfo(office.tz)
        self.dates: list[date] = []
        self.base: list[int] = []      # epoch of local midnight
        self.open: list[int] = []
        self.close: list[int] = []
        self.work: list[bool] = []
        day = first
        while day <= last:
            offset = int(datetime(day.year, day.month, day.day, 12, tzinfo=zone)
                         .utcoffset().total_seconds())
            base = int(datetime(day.year, day.month, day.day, tzinfo=timezone.utc).timestamp()) - offset
            windows = windows_on(office, day)
            self.dates.append(day)
            self.base.append(base)
            self.open.append(base + (windows[0][0] if windows else 540) * 60)
            self.close.append(base + (windows[-1][1] if windows else 1020) * 60)
            self.work.append(bool(windows))
            day += timedelta(days=1)

    def day(self, t: int) -> int:
        return max(0, bisect_right(self.base, t) - 1)

    def add(self, t: int, minutes: int) -> int:
        """``minutes`` of business time after ``t`` (0: the next business instant)."""
        need = minutes * 60
        base, opens, closes, work = self.base, self.open, self.close, self.work
        d = bisect_right(base, t) - 1
        n = len(base)
        while d < n:
            if work[d]:
                if t < opens[d]:
                    t = opens[d]
                if t < closes[d]:
                    avail = closes[d] - t
                    if need <= avail:
                        return t + need
                    need -= avail
            d += 1
            if d < n:
                t = base[d]
        return FAR

    def back(self, t: int, minutes: int) -> int:
        """``minutes`` of business time before ``t``."""
        need = minutes * 60
        d = self.day(t)
        while d >= 0:
            if self.work[d]:
                if t > self.close[d]:
                    t = self.close[d]
                if t > self.open[d]:
                    avail = t - self.open[d]
                    if need <= avail:
                        return t - need
                    need -= avail
            t = self.base[d]
            d -= 1
        return self.base[0]

    def workday_before(self, t: int, k: int) -> int:
        """The index of the k-th working day before the day of ``t``."""
        d = self.day(t)
        while k and d > 0:
            d -= 1
            if self.work[d]:
                k -= 1
        return d

    def at(self, d: int, hour: int, minute: int = 0) -> int:
        return self.base[d] + hour * 3600 + minute * 60

    def cron_after(self, t: int, hour: int = 6) -> int:
        """The first daily cron run (``hour`` local) at or after ``t``."""
        d = self.day(t)
        run = self.base[d] + hour * 3600
        if run < t:
            if d + 1 >= len(self.base):
                return FAR
            run = self.base[d + 1] + hour * 3600
        return run


# Arrivals by local hour: office hours with a morning and an after-lunch peak, some early
# and evening mail; weekends and holidays are flat and thin.
_HOURS_WORK = (0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.4, 3.5, 7.5, 9.0, 8.5,
               6.0, 6.5, 8.0, 7.5, 6.0, 3.5, 1.6, 1.1, 0.9, 0.6, 0.4, 0.3)
_HOURS_OFF = (0.2, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.4, 0.7, 1.0, 1.2, 1.2,
              1.2, 1.1, 1.1, 1.0, 1.0, 1.0, 1.0, 1.1, 1.1, 0.9, 0.6, 0.3)


def _cumulative(weights) -> list[float]:
    out, total = [], 0.0
    for w in weights:
        total += w
        out.append(total)
    return out


_CUM_WORK = _cumulative(_HOURS_WORK)
_CUM_OFF = _cumulative(_HOURS_OFF)


# -- what people write -----------------------------------------------------------------
#
# A template per kind of request: title and body variants, type, tags, custom fields, and
# what the provider and the requester say along the way. {placeholders} are filled per
# request (see _FILL), the same value wherever one request uses it.

@dataclass(frozen=True)
class Template:
    titles: tuple[str, ...]
    bodies: tuple[str, ...]
    type: str
    tags: tuple[str, ...]
    qa: tuple[tuple[str, str], ...]          # (the provider's question, the requester's answer)
    fixes: tuple[str, ...]
    notes: tuple[str, ...] = ()
    fields: tuple[tuple[str, str], ...] = ()
    priority: tuple[int, int, int, int] = (3, 17, 64, 16)   # urgent, high, normal, low

    @property
    def priority_cw(self) -> list[float]:
        return _cumulative(self.priority)


def T(titles, bodies, type, tags, qa, fixes, notes=(), fields=(), priority=(3, 17, 64, 16)):
    as_tuple = (lambda v: (v,) if isinstance(v, str) else tuple(v))
    return Template(as_tuple(titles), as_tuple(bodies), type, tuple(tags), tuple(qa),
                    as_tuple(fixes), as_tuple(notes), tuple(fields), priority)


TEMPLATES: dict[str, tuple[Template, ...]] = {
    "it": (
        T(("VPN drops every hour", "VPN disconnects when I switch networks",
           "VPN keeps reconnecting when working from home"),
          ("Since the update on {weekday} my VPN connection drops roughly every hour and I lose "
           "my remote desktop session. I'm working from {city} this week.",
           "The VPN disconnects every 40-60 minutes, always with 'gateway not responding'. "
           "Colleagues on the same floor don't seem to have it."),
          "it/network", ("vpn", "remote"),
          (("Which VPN client version do you have? (tray icon → About)", "Version 5.2.1."),
           ("Does it drop on the office Wi-Fi too, or only at home?",
            "Only at home, the office is fine.")),
          ("Updated your client to 5.2.3 and raised the gateway idle timeout; it should stay "
           "connected now.",
           "Reset your VPN profile and pushed the new client. Tell us if it drops again."),
          ("Client 5.2.1 has the known keep-alive bug; 5.2.3 fixes it.",
           "Same pattern as the gateway idle-timeout issue from last month."),
          (("asset", "{asset}"),)),
        T(("Laptop won't boot", "Laptop stuck on the logo screen",
           "Laptop won't start after the update"),
          ("My laptop ({asset}) stops at the logo this morning and goes no further. I tried "
           "holding the power button for 10 seconds. I have a client presentation at "
           "{hour}:00 — is there a loaner?",
           "After last night's update the laptop restarts in a loop. I have everything on "
           "OneDrive, but I need a machine today."),
          "it/hardware", ("laptop", "hardware"),
          (("Does it show an error code or blinking lights?", "Three amber blinks, then nothing."),
           ("Can you bring it to the IT room on floor 2?", "On my way down now.")),
          ("The SSD failed. Your profile is restored on a replacement laptop — collect it "
           "from the IT room on floor 2.",
           "A stalled BIOS update; reflashed it and it boots fine now. Loaner back when you "
           "can."),
          ("Warranty valid until next year; vendor case opened.",
           "Third one from this batch with the same SSD."),
          (("asset", "{asset}"),), (4, 30, 58, 8)),
        T(("MFA reset — new phone", "Lost my phone, can't log in (MFA)",
           "Authenticator app not working after phone swap"),
          ("I got a new phone over the weekend and the authenticator app didn't move over. "
           "I can't get into email or Jira. Could you reset my MFA?",
           "My phone was stolen yesterday. I'm locked out of everything that asks for MFA."),
          "it/access", ("mfa", "access"),
          (("To verify it's you: your employee ID, and who is your manager?",
            "Employee ID {empid}, my manager is {manager}."),),
          ("MFA reset done. Enrol the new phone at your next login; you have 24h.",
           "Old device removed and MFA reset — you can enrol the new phone now."),
          ("Identity confirmed by phone with the manager.",),
          (), (2, 35, 55, 8)),
        T(("Shared drive quota for {dept}", "{dept} shared drive is full"),
          ("The {dept} shared drive says it's out of space and nobody can save. We need maybe "
           "another 50 GB until we archive last year's files.",),
          "it/storage", ("storage", "quota"),
          (("Can you archive the 2024 exports first? They take 40 GB.",
            "Archived them, but we still need room for the quarter-end files."),),
          ("Raised the quota from 200 GB to 300 GB and set an alert at 90%.",),
          ("Most of it is duplicated video exports; suggested a cleanup.",),
          (("share", "{dept}"),)),
        T("New starter laptop for {newhire}",
          "{newhire} joins {dept} on {startdate}. Please prepare a laptop with the standard "
          "image plus {app}, and accounts in the {dept} groups.",
          "it/onboarding", ("onboarding", "laptop"),
          (("Will {newhire_first} need a docking station and a second monitor?",
            "Yes please, both."),),
          ("Laptop imaged and accounts created; it's in the IT room labelled with the name.",),
          (), (("start_date", "{startdate}"),), (0, 15, 75, 10)),
        T(("Printer on floor {floor} jams on every job", "Printer on floor {floor} offline"),
          ("The printer next to the kitchen on floor {floor} jams on every second page and "
           "shows 'paper path error'.",),
          "it/hardware", ("printer",),
          (("Is it the big Ricoh or the small HP?", "The big one by the window."),),
          ("Replaced the pick-up roller; test pages are fine.",
           "It had lost its network address after a power cut; back online."),
          (), (("floor", "{floor}"),), (1, 10, 60, 29)),
        T(("Install {app} on my laptop", "Licence for {app}"),
          ("I need {app} for the {project} project. My manager approved it.",),
          "it/software", ("software",),
          (("Which edition do you need — the free one or the team licence?",
            "The team licence please, we share files."),),
          ("Installed {app} with the team licence; it's in the Start menu.",),
          (), (("app", "{app}"),), (0, 8, 62, 30)),
        T(("Outlook won't sync the shared calendar", "Shared mailbox missing in Outlook"),
          ("Since {weekday} the {dept} shared calendar stopped syncing in Outlook; on the web "
           "it is fine.",),
          "it/software", ("email", "calendar"),
          (("Does it work if you remove and re-add the calendar?", "No, same thing."),),
          ("Rebuilt your Outlook profile; the shared calendar syncs again.",),
          ("Cached-mode corruption again.",)),
        T("Account locked after password change",
          ("I changed my password this morning and now my account is locked on every "
           "device.", "Locked out after the password change — probably the old password "
           "saved on my phone."),
          "it/access", ("access", "password"),
          (("Did you update the password on your phone's mail app?", "I hadn't — done now."),),
          ("Unlocked. The phone kept retrying the old password; updated it with you.",),
          (), (), (2, 30, 60, 8)),
        T(("Wi-Fi very slow in meeting room {room}", "No Wi-Fi in {room}"),
          ("Video calls in {room} freeze all the time; speed test shows under 2 Mbit/s.",),
          "it/network", ("wifi", "network"),
          (("Does it happen at a particular time of day?",
            "Mostly in the morning, when the room is full."),),
          ("Replaced the access point above {room}; 300 Mbit/s now.",),
          ("The AP firmware is two years old.",), (("room", "{room}"),)),
        T(("Second monitor flickering", "Docking station doesn't detect my monitor"),
          ("My second monitor flickers every few seconds when it's connected through the "
           "dock.",),
          "it/hardware", ("hardware", "monitor"),
          (("Have you tried another cable?", "Yes, same with the cable from the next desk."),),
          ("Swapped the dock; the monitor is stable now.",),
          (), (("asset", "{asset}"),), (0, 5, 60, 35)),
        T(("Suspicious email asking for my password", "Phishing: fake invoice email"),
          ("Got an email 'from the CEO' asking me to buy gift cards and send the codes. I "
           "didn't click anything.",
           "An 'invoice' from {supplier} with a link to a login page that isn't ours. I "
           "didn't enter anything."),
          "it/security", ("security", "phishing"),
          (("Could you forward it as an attachment, so we get the headers?", "Forwarded."),),
          ("Thanks for reporting — it was phishing. Sender blocked and the email removed "
           "from 14 other mailboxes.",),
          ("Same campaign hit finance last week.",), (), (10, 45, 40, 5)),
        T(("Headset not recognised in video calls", "Microphone not working in Teams"),
          ("My headset works for music but calls can't hear me.",),
          "it/hardware", ("audio",),
          (("Is it the USB or the Bluetooth one?", "USB."),),
          ("The app was using the laptop mic; set the headset as default device.",),
          (), (), (0, 5, 65, 30)),
        T("Access to {app} for {newhire}",
          "{newhire} started in {dept} and needs access to {app}, same rights as me.",
          "it/access", ("access",),
          (("Who approves {app} access for {dept}?", "{manager}, cc'd."),),
          ("Access granted; {newhire_first} can log in now.",),
          (), (("app", "{app}"),)),
    ),
    "hr": (
        T(("Employment certificate for a bank loan", "Adeverință de salariat for the bank"),
          ("The bank needs an employment certificate with my gross salary for the last six "
           "months, for a mortgage application. Could I have it by {weekday}?",),
          "hr/letters", ("letters",),
          (("Does the bank need it in Romanian only, or bilingual?",
            "Romanian is fine, signed and stamped."),),
          ("Signed; pick it up at reception, the scanned copy is in your inbox.",),
          (), (("purpose", "bank"),), (0, 15, 70, 15)),
        T("Parental leave from {startdate}",
          "We're expecting in {month}. I'd like to take parental leave from {startdate}. What "
          "documents do you need and how does it affect my contract?",
          "hr/leave", ("leave", "parental"),
          (("Could you send the birth certificate once you have it? The doctor's note is "
            "enough for now.", "Attached the doctor's note."),),
          ("Leave registered from {startdate}; the forms are with the county office.",),
          ("Check the payroll cut-off for the first month.",), (("start_date", "{startdate}"),)),
        T("Onboarding plan for {newhire}",
          "{newhire} joins {dept} on {startdate}. Can we get the onboarding plan, the buddy "
          "assignment and the first-week schedule ready?",
          "hr/onboarding", ("onboarding",),
          (("Who will be {newhire_first}'s buddy?", "{manager} volunteered."),),
          ("Plan and welcome pack sent; IT and Facilities are booked for day one.",),
          (), (("start_date", "{startdate}"),)),
        T(("Contract addendum for a four-day week", "Change of working hours"),
          ("I'd like to move to a four-day week from next month. My manager agreed; what "
           "happens next?",),
          "hr/contract", ("contract",),
          (("Which day would be your day off?", "Fridays."),),
          ("Addendum signed by both sides; it applies from the 1st.",)),
        T("Sick leave certificate for last week",
          "I was ill from {weekday} to Friday; the sick leave certificate is attached.",
          "hr/leave", ("leave", "medical"),
          (("The certificate's series number is unreadable — can you send a clearer scan?",
            "Sent a photo in better light."),),
          ("Recorded; payroll has it for this month.",)),
        T("Training budget for {course}",
          "I'd like to attend the {course} course next quarter; the cost is about {amount}.",
          "hr/training", ("training",),
          (("Is this in your development plan for this year?", "Yes, agreed in my review."),),
          ("Approved from the training budget; Purchasing will book it.",),
          (), (("course", "{course}"),), (0, 3, 60, 37)),
        T("Add my child to the medical subscription",
          "My daughter was born last month; I'd like to add her to the private medical "
          "subscription.",
          "hr/benefits", ("benefits", "medical"),
          (("Could you send a copy of the birth certificate?", "Attached."),),
          ("Added from the 1st of next month; the card comes by post.",)),
        T("Working remotely from {abroad} for two weeks",
          "I'd like to work from {abroad} for two weeks in {month}. Is that allowed and is "
          "there anything to file?",
          "hr/policy", ("remote", "policy"),
          (("Which dates exactly? We need them for the A1 form.", "From the 3rd to the 14th."),),
          ("Approved; the A1 certificate is requested, keep a copy with you.",)),
        T("Reference letter for a former employee",
          "A former colleague asked for a reference letter for a visa application.",
          "hr/letters", ("letters",),
          (("Did they give written consent for us to share their dates of employment?",
            "Yes, forwarded."),),
          ("Letter sent to them directly.",), (), (), (0, 5, 60, 35)),
        T("Job title change after promotion",
          "I was promoted last month but the title in the directory and my contract still "
          "shows the old one.",
          "hr/contract", ("contract",),
          (("Has your manager sent the promotion form?", "Sent it again today."),),
          ("Title updated in the contract addendum and the directory.",)),
    ),
    "facilities": (
        T(("Badge readers down at gate {gate}", "Badge reader not working at gate {gate}"),
          ("None of the badges work at gate {gate} since {hour}:00; people are queuing outside "
           "and security is letting them in by hand.",),
          "facilities/access", ("badge", "access"),
          (("Is the reader's light red or off?", "Off completely."),),
          ("Replaced the reader's power supply; gate {gate} works again.",),
          ("Controller board fried — vendor visit booked.",), (("gate", "{gate}"),),
          (25, 45, 28, 2)),
        T("Broken chair at desk {desk}",
          "The chair at desk {desk} lost a wheel and tilts to one side.",
          "facilities/furniture", ("furniture",),
          (("Is it the black Steelcase or the grey one?", "Grey."),),
          ("Replaced the chair.",), (), (("desk", "{desk}"),), (0, 5, 55, 40)),
        T(("AC not working in meeting room {room}", "Meeting room {room} far too hot"),
          ("It's 29 °C in {room} by noon and the AC panel shows an error.",),
          "facilities/hvac", ("hvac",),
          (("What error code does the panel show?", "E4."),),
          ("Refilled the refrigerant; 22 °C now.", "Reset the unit and cleaned the filter."),
          ("Third call for this unit this summer.",), (("room", "{room}"),), (3, 30, 60, 7)),
        T("Lights flickering in the floor {floor} kitchen",
          "Two ceiling lights in the kitchen on floor {floor} flicker all day.",
          "facilities/maintenance", ("lighting",),
          (("Is it the lights above the sink or by the window?", "Above the sink."),),
          ("Replaced both tubes and a ballast.",), (), (("floor", "{floor}"),), (0, 5, 55, 40)),
        T("Parking space for a visitor on {weekday}",
          "A client from {city} visits on {weekday}; could we reserve a visitor parking "
          "space from 9 to 13?",
          "facilities/parking", ("parking",),
          (("What's the car's registration number?", "B 123 XYZ."),),
          ("Space V3 reserved; security has the plate.",), (), (), (0, 10, 70, 20)),
        T("Desk move for the {dept} team to floor {floor}",
          "The {dept} team moves to floor {floor} at the end of the month: 8 desks, 2 "
          "monitors each, and the team printer.",
          "facilities/moves", ("move",),
          (("Can you send the seating plan?", "Attached, with the desk numbers."),),
          ("Move done over the weekend; IT reconnected the docks.",),
          ("Book IT for the Monday morning.",), (("floor", "{floor}"),)),
        T("Coffee machine on floor {floor} leaking",
          "The coffee machine on floor {floor} leaks water onto the floor.",
          "facilities/kitchen", ("kitchen",),
          (("Is it leaking from the front or underneath?", "Underneath."),),
          ("Supplier replaced the water pump.",), (), (("floor", "{floor}"),), (0, 20, 60, 20)),
        T("Spill on the carpet in {room}",
          "Someone spilled coffee on the carpet in {room}; it needs a proper clean before the "
          "client meeting.",
          "facilities/cleaning", ("cleaning",),
          (("Is the room free after 16:00?", "Yes."),),
          ("Cleaned this afternoon.",), (), (("room", "{room}"),)),
        T("Lost my access badge",
          "I lost my badge somewhere between the metro and the office. Please block it and "
          "issue a new one.",
          "facilities/access", ("badge",),
          (("Could you confirm the badge number on your old photo ID?", "It was {empid}."),),
          ("Old badge blocked; the new one is at reception.",), (), (), (2, 40, 50, 8)),
        T("Standing desk (doctor's recommendation)",
          "My doctor recommends a standing desk for my back; the note is attached.",
          "facilities/furniture", ("furniture", "ergonomics"),
          (("Would desk {desk} work, or do you need to stay where you are?",
            "Staying where I am would be best."),),
          ("Standing desk installed.",), (), (("desk", "{desk}"),), (0, 5, 70, 25)),
    ),
    "purchasing": (
        T("Purchase order for {qty} monitors",
          "We need {qty} 27-inch monitors for the new {dept} starters; budget is {amount}, "
          "cost centre {cost_center}.",
          "purchasing/order", ("po", "hardware"),
          (("Is {cost_center} the right cost centre for {dept}?", "Yes, confirmed with finance."),),
          ("PO issued to {supplier}; delivery in two weeks.",),
          ("Three quotes compared; {supplier} is 8% cheaper.",),
          (("amount", "{amount}"), ("cost_center", "{cost_center}"))),
        T("Onboard new supplier: {supplier}",
          "We'd like to buy from {supplier}. Could you onboard them as a supplier?",
          "purchasing/supplier", ("supplier",),
          (("Please send their fiscal code (CUI) and the signed GDPR annex.",
            "CUI RO{cui}; the annex is attached."),),
          ("{supplier} is set up in the ERP; POs can go out now.",),
          ("Checked the ANAF registry: active, VAT payer.",), (("supplier", "{supplier}"),)),
        T("Renew {app} licences ({qty} seats)",
          "Our {app} licences expire at the end of the month; we need {qty} seats again.",
          "purchasing/licence", ("licence", "renewal"),
          (("Do you still use all {qty} seats? The admin console shows fewer active.",
            "We can drop to fewer, let's go with what's active."),),
          ("Renewed for a year at the active seat count.",),
          (), (("app", "{app}"),), (0, 25, 60, 15)),
        T("Office supplies for floor {floor}",
          "Floor {floor} is out of notebooks, whiteboard markers and printer paper.",
          "purchasing/order", ("supplies",),
          (("Any particular brand of markers?", "Anything that isn't dry."),),
          ("Ordered; delivery on Thursday.",), (), (), (0, 5, 60, 35)),
        T("Tickets for {conference}",
          "Three of us would like to go to {conference}; can you buy the tickets?",
          "purchasing/order", ("travel", "events"),
          (("Who exactly? We need names for the invoice.", "Me, {manager} and one more TBC."),),
          ("Tickets bought; the invoice is with Finance.",), (), (("amount", "{amount}"),)),
        T("Quotes for a new meeting room screen",
          "The screen in {room} died. Could you get quotes for a 75-inch replacement?",
          "purchasing/quote", ("quote", "hardware"),
          (("Wall-mounted or on a stand?", "Wall-mounted, same place."),),
          ("Three quotes attached; the cheapest includes installation.",),
          (), (("room", "{room}"),)),
        T("PO number missing on {supplier} invoice",
          "{supplier} sent an invoice without our PO number; Finance won't pay it.",
          "purchasing/invoice", ("invoice",),
          (("Which month's delivery is it for?", "Last month's."),),
          ("Matched to the PO; Finance has it now.",), (), (("supplier", "{supplier}"),)),
    ),
    "payroll": (
        T(("Payslip for {month} shows the wrong gross", "Payslip error for {month}"),
          ("My payslip for {month} shows a lower gross than my contract. I think the raise "
           "from the review wasn't applied.",),
          "payroll/payslip", ("payslip",),
          (("Do you have the signed addendum with the new salary?", "Attached it."),),
          ("The raise wasn't entered in time; the difference is paid with next month's "
           "salary.",),
          ("HR sent the addendum after the cut-off.",), (("month", "{month}"),),
          (0, 30, 65, 5)),
        T(("Overtime from {month} missing", "Overtime not paid for {month}"),
          ("I worked 12 hours of approved overtime in {month} but it isn't on my payslip.",),
          "payroll/overtime", ("overtime",),
          (("Was the overtime approved in the timesheet by your manager?",
            "Yes, {manager} approved it on the 28th."),),
          ("Added to this month's run.",),
          ("Approval came after the cut-off again; ask managers to approve by the 25th.",),
          (("month", "{month}"),), (0, 25, 70, 5)),
        T("Meal voucher card not loaded for {month}",
          "My meal voucher card wasn't topped up for {month}.",
          "payroll/benefits", ("benefits", "vouchers"),
          (("Were you on leave part of the month?", "Three days, yes."),),
          ("Loaded the missing vouchers today.",), (), (("month", "{month}"),)),
        T("Change of bank account for salary",
          "I'm moving my salary to another bank; the new IBAN is in the attached letter.",
          "payroll/data", ("bank",),
          (("Please send the IBAN confirmation letter from the bank (signed PDF).",
            "Sent the signed PDF."),),
          ("Updated; this month's salary goes to the new account.",)),
        T("Personal deduction for a dependant",
          "My son was born in {month}; I'd like the personal tax deduction for a dependant.",
          "payroll/tax", ("tax",),
          (("We need the birth certificate and your spouse's statement.", "Both attached."),),
          ("Deduction applied from this month.",)),
        T("Bonus missing from payslip",
          "The quarterly bonus announced in {month} isn't on my payslip.",
          "payroll/payslip", ("payslip", "bonus"),
          (("Did your manager send the bonus list to HR?", "{manager} says yes, last week."),),
          ("It's in next month's run; the list arrived after the cut-off.",)),
        T("Income statement for {year}",
          "I need my annual income statement for {year} for a loan application.",
          "payroll/tax", ("tax", "letters"),
          (("Do you need it in English as well?", "Romanian is fine."),),
          ("Statement sent to your email.",), (), (("year", "{year}"),), (0, 10, 60, 30)),
        T("Timesheet approval stuck",
          "My timesheet for {month} still shows 'pending approval' and the cut-off is "
          "tomorrow.",
          "payroll/timesheets", ("timesheets",),
          (("Who is your approver in the system?", "{manager}."),),
          ("Approver fixed and the timesheet approved.",), (), (), (5, 40, 50, 5)),
    ),
    "platform": (
        T("CI runner {runner} out of disk",
          "Builds on {runner} fail with 'No space left on device' since this morning; the "
          "docker cache is probably full.",
          "platform/ci", ("ci",),
          (("Which pipelines are you blocked on?", "The {service} release pipeline."),),
          ("Pruned the docker cache and added a nightly cleanup job.",),
          ("Disk usage alert threshold was wrong, fixed.",), (("runner", "{runner}"),),
          (10, 55, 33, 2)),
        T("Read access to the staging database",
          "I need read access to the staging database to debug {service}.",
          "platform/access", ("access", "database"),
          (("Which schemas do you need, and for how long?",
            "Only the orders schema, until the end of the sprint."),),
          ("Read-only role granted until the end of the sprint.",),
          ("Access expires automatically; reminder set.",), (("service", "{service}"),)),
        T("New repository for {service}",
          "We're splitting {service} out; can we get a repository with the standard CI "
          "template?",
          "platform/repos", ("git",),
          (("Public templates or the internal base image?", "Internal base image."),),
          ("Repository created with CI and branch protection.",),
          (), (("service", "{service}"),), (0, 5, 70, 25)),
        T("Deploy to staging stuck at 'waiting for rollout'",
          "The {service} deploy to staging hangs at 'waiting for rollout' for 30 minutes, "
          "then times out.",
          "platform/deploy", ("deploy", "staging"),
          (("Has the readiness probe changed in this release?", "Yes, new health endpoint."),),
          ("The probe pointed at the old path; fixed the chart, rollout completes.",),
          ("Pods never got Ready: probe path 404.",), (("service", "{service}"),),
          (5, 45, 45, 5)),
        T("TLS certificate for {host} expires in 10 days",
          "Monitoring warns that the certificate for {host} expires in 10 days.",
          "platform/tls", ("tls",),
          (("Is {host} still in use, or can it go?", "Still used by two partners."),),
          ("Moved it to automatic renewal.",), (), (("host", "{host}"),), (5, 50, 40, 5)),
        T("More CPU quota for the {service} namespace",
          "{service} gets throttled at peak; can we raise the namespace CPU quota?",
          "platform/capacity", ("kubernetes", "quota"),
          (("Can you share the throttling graphs from last week?", "Linked the dashboard."),),
          ("Quota raised by 4 cores; requests tuned with the team.",),
          (), (("service", "{service}"),)),
        T("Rotate the {vendor} API key",
          "The {vendor} API key was in a screenshot shared in chat; it should be rotated.",
          "platform/secrets", ("secrets", "security"),
          (("Which services use it besides {service}?", "Only {service}."),),
          ("Key rotated and stored in the vault; the old one is revoked.",),
          (), (("vendor", "{vendor}"),), (10, 50, 35, 5)),
        T("Can't see {service} logs in Grafana",
          "The {service} logs stopped showing up in Grafana since {weekday}.",
          "platform/observability", ("observability",),
          (("Did the log format change in the last release?", "We switched to JSON logs."),),
          ("Updated the parser for JSON logs; back in Grafana.",),
          (), (("service", "{service}"),)),
        T("Disk alert on {host} fires every night",
          "The disk alert on {host} pages the on-call every night at 02:00, then clears.",
          "platform/alerts", ("alerts",),
          (("Does it line up with the backup job?", "Looks like it."),),
          ("Moved backups to a separate volume; no more pages.",),
          (), (("host", "{host}"),), (0, 30, 55, 15)),
    ),
}

FIRST_REPLIES = (
    "Hi {first}, thanks for the details — I'm looking at it now.",
    "Hi {first}, got it. I'll get back to you today.",
    "Thanks {first}, picking this up.",
    "Hi {first}, on it — I'll update you here as soon as I know more.",
    "Bună {first}, I've taken this one; more soon.",
)
ACKS = (
    "On it; I'll come back to you here.",
    "Picked up; first look within the hour.",
    "Acknowledged — we're on it, expect news tomorrow.",
    "Got it, I'll handle this one.",
)
STARTS = (
    "Starting on this now.",
    "Working on it — I'll report back here.",
    "On it right away.",
)
PROGRESS = (
    "Quick update: still on it, waiting for the supplier's reply.",
    "Halfway there; should be done tomorrow.",
    "Update: found the cause, fixing it now.",
    "Still on it — sorry for the wait, a few urgent ones came first.",
)
NOTES = (
    "Checked with {colleague}; they saw the same last month.",
    "Vendor case opened, reference {ref}.",
    "Low risk; can wait until after the release freeze.",
    "Requester also asked in chat; keeping the answer here for the record.",
    "Similar to #{dup}.",
)
GENERIC_QA = (
    ("Could you send a screenshot of what you see?", "Attached."),
    ("When did this start, roughly?", "Since {weekday} morning."),
    ("Is anyone else on your team affected?", "Not that I know of."),
)
NUDGES = ("Any news on this?", "Hi, any update? It's getting urgent on our side.",
          "Just checking this didn't get lost.")
THANKS = ("Works now, thank you!", "Confirmed, all good. Mulțumesc!", "Perfect, thanks a lot.",
          "Thanks, that solved it.")
CANCELS = ("No longer needed — sorted it out with my manager.",
           "Please cancel, I filed this twice by mistake.",
           "Never mind, I found the answer in the wiki.",
           "Cancelling: the project was postponed.")
REOPENS = ("Sorry, it's happening again since this morning.",
           "Still not right, unfortunately.", "Not fixed for me — same as before.")
GHOSTS = ("Resolving for now as we haven't heard back — reply here and it reopens.",
          "No answer for a week, so closing this out. Just reply if it's still needed.")
FOLLOW_UPS = ("Same problem again today, unfortunately.",
              "One more question about this one, if I may.",
              "It came back after the weekend.")

_CITIES = ("Cluj", "Brașov", "Iași", "Constanța", "Timișoara", "Sibiu", "Oradea")
_ABROAD = ("Lisbon", "Valencia", "Athens", "Vienna", "Porto", "Split")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
_ROOMS = ("Olt", "Mureș", "Siret", "Prut", "Bucegi", "Retezat", "Ceahlău", "Delta",
          "Herăstrău", "Cișmigiu")
_APPS = ("Figma", "Tableau", "Power BI", "Jira", "Salesforce", "Adobe Acrobat Pro",
         "DBeaver", "Docker Desktop", "Miro", "SAP GUI")
_NEWHIRES = ("Sara Lindqvist", "Matei Cojocaru", "Rareș Dinu", "Ilinca Voicu",
             "Daniel Okafor", "Ana-Maria Tudor", "Julien Martin", "Ștefan Neagu",
             "Alexandra Preda", "Mehmet Yilmaz")
_SUPPLIERS = ("Carpați Office Supply SRL", "Danube Print SRL", "Nordic Ergonomics AB",
              "Bucegi Catering SRL", "Delta IT Distribution SRL", "Vlasia Cleaning Services")
_CONFERENCES = ("DevOpsDays Bucharest", "JSHeroes", "Techsylvania", "a GDPR workshop")
_COURSES = ("AWS Solutions Architect", "advanced Excel", "public speaking",
            "Kubernetes administration", "project management")
_SERVICES = ("billing-api", "orders-service", "search-indexer", "notifications",
             "pricing-engine", "customer-portal")
_HOSTS = ("api.staging.example.com", "partners.example.com", "files.example.com",
          "metrics.example.com")
_VENDORS = ("payments provider", "SMS gateway", "maps", "email delivery")
_PROJECTS = ("Q4 pricing", "website relaunch", "customer portal", "annual report",
             "partner onboarding")


def _local_date(x: "_Text") -> datetime:
    return datetime.fromtimestamp(x.created, x.gen.zone)


def _start_date(x: "_Text") -> str:
    day = _local_date(x) + timedelta(days=x.rng.randint(7, 35))
    day += timedelta(days=(7 - day.weekday()) % 7)  # a Monday
    return f"{day:%A} {day.day} {day:%B}"


def _previous_month(x: "_Text") -> str:
    day = _local_date(x).replace(day=1) - timedelta(days=1)
    return f"{day:%B}"


_FILL: dict[str, Callable[["_Text"], str]] = {
    "dept": lambda x: x.gen.team_names[x.gen.primary[x.requester]],
    "city": lambda x: x.rng.choice(_CITIES),
    "abroad": lambda x: x.rng.choice(_ABROAD),
    "weekday": lambda x: x.rng.choice(_WEEKDAYS),
    "hour": lambda x: str(x.rng.randint(10, 16)),
    "asset": lambda x: f"LT-{x.rng.randint(1000, 9999)}",
    "floor": lambda x: str(x.rng.randint(1, 6)),
    "room": lambda x: x.rng.choice(_ROOMS),
    "gate": lambda x: x.rng.choice("ABC"),
    "desk": lambda x: f"{x.rng.randint(1, 6)}.{x.rng.randint(1, 40):02d}",
    "app": lambda x: x.rng.choice(_APPS),
    "newhire": lambda x: x.rng.choice(_NEWHIRES),
    "newhire_first": lambda x: x["newhire"].split()[0],
    "startdate": _start_date,
    "month": _previous_month,
    "year": lambda x: str(_local_date(x).year - 1),
    "empid": lambda x: f"E{x.rng.randint(10000, 99999)}",
    "manager": lambda x: x.gen.manager_of(x.requester, x.rng),
    "colleague": lambda x: x.gen.first[x.rng.choice(x.gen.agents[x.team][0])],
    "qty": lambda x: str(x.rng.randint(2, 20)),
    "amount": lambda x: f"{x.rng.randint(8, 240) * 100:,} RON",
    "cost_center": lambda x: f"CC-{x.rng.randint(100, 480)}",
    "supplier": lambda x: x.rng.choice(_SUPPLIERS),
    "cui": lambda x: str(x.rng.randint(10_000_000, 49_999_999)),
    "conference": lambda x: x.rng.choice(_CONFERENCES),
    "course": lambda x: x.rng.choice(_COURSES),
    "runner": lambda x: f"ci-runner-{x.rng.randint(1, 12):02d}",
    "service": lambda x: x.rng.choice(_SERVICES),
    "host": lambda x: x.rng.choice(_HOSTS),
    "vendor": lambda x: x.rng.choice(_VENDORS),
    "project": lambda x: x.rng.choice(_PROJECTS),
    "ref": lambda x: f"{x.rng.choice(('VND', 'CASE', 'SR'))}-{x.rng.randint(10000, 99999)}",
    "dup": lambda x: str(x.gen.recent_number(x.team, x.rng)),
}


class _Text(dict):
    """The placeholder values of one request, drawn on first use and then kept."""

    def __init__(self, gen: "_Generator", requester: str, created: int, team: str):
        super().__init__(first=gen.first[requester])
        self.gen, self.rng = gen, gen.rng
        self.requester, self.created, self.team = requester, created, team

    def __missing__(self, key: str) -> str:
        value = self[key] = _FILL[key](self)
        return value

    def __call__(self, text: str) -> str:
        return text.format_map(self)


# -- one request's life, replayed with the services' rules ----------------------------

class _Stop(Exception):
    """The next command would happen after the clock: the request is as it is now."""


_TARGETS = {name: (target.value, frozenset(s.value for s in sources))
            for name, (target, sources) in COMMANDS.items()}
_FINAL = frozenset({Status.CLOSED.value, Status.CANCELLED.value})


class _Sim:
    """One request and its journal. Each method is one service call (requests.py) at
    time ``t``, with the same effects on status, stamps, waits and the journal."""

    __slots__ = ("number", "team", "staff", "requester", "assignee", "status", "priority",
                 "created", "updated", "last", "now", "first_response", "resolved", "closed",
                 "waiting_on", "events", "waits", "watchers", "tags", "reprioritised",
                 "blocked")

    def __init__(self, number: int, team: str, staff: frozenset, requester: str, created: int,
                 now: int, priority: str, tags: list, watchers: list):
        self.number, self.team, self.staff, self.requester = number, team, staff, requester
        self.created = self.updated = self.last = created
        self.now, self.priority, self.tags, self.watchers = now, priority, tags, watchers
        self.assignee = self.first_response = self.resolved = self.closed = None
        self.waiting_on = None
        self.reprioritised = False
        self.status = "new"
        self.events: list[tuple] = []     # (t, row in bulk.EVENT_COLUMNS order)
        self.waits: list[list] = []       # [started, ended, reason, kind]
        self.blocked: list[list] = []     # waits on other requests, see wait_on

    @property
    def final(self) -> bool:
        return self.status in _FINAL

    def _event(self, t: int, actor: str, kind: str, field: str | None, from_: str | None,
               to: str | None, message: str | None, internal: int = 0) -> None:
        self.events.append((t, (self.number, _iso(t), actor, kind, field, from_, to, message,
                                internal)))

    def _at(self, t: int) -> int:
        if t < self.last:
            t = self.last
        if t > self.now:
            raise _Stop
        self.last = self.updated = t
        return t

    def _staff_reply(self, actor: str) -> bool:
        staff = actor in self.staff or actor == self.assignee
        return staff and (actor != self.requester or self.assignee == actor)

    def file(self, body: str) -> None:
        self._event(self.created, self.requester, "filed", None, None, "new", body or None)

    def reply(self, t: int, actor: str, message: str) -> None:
        t = self._at(t)
        self._event(t, actor, "reply", None, None, None, message)
        staff = self._staff_reply(actor)
        if self.status == "new" and staff:
            self.status = "acknowledged"
            self._event(t, actor, "status", None, "new", "acknowledged", "first reply")
        if staff and self.first_response is None:
            self.first_response = t
        if self.status == "waiting" and self.waiting_on == "requester" and actor == self.requester:
            self._apply(t, actor, "in_progress", None)
        elif self.status == "resolved" and actor == self.requester:
            self._apply(t, actor, "in_progress", None)

    def note(self, t: int, actor: str, message: str) -> None:
        t = self._at(t)
        self._event(t, actor, "note", None, None, None, message, 1)

    def command(self, t: int, actor: str, command: str, message: str | None = None) -> None:
        target, sources = _TARGETS[command]
        if self.status not in sources:
            raise AssertionError(f"#{self.number}: cannot {command} from {self.status}")
        self._apply(self._at(t), actor, target, message)

    def _apply(self, t: int, actor: str, target: str, message: str | None) -> None:
        if self.status == "waiting":
            self.waits[-1][1] = t
            self.waiting_on = None
        if target == "waiting":
            self.waits.append([t, None, message, "requester"])
            self.waiting_on = "requester"
        if target == "resolved":
            self.resolved = t
        if self.status == "resolved" and target == "in_progress":
            # reopened: the resolved spell is a pause of the same resolution clock
            self.waits.append([self.resolved, t, "resolved until reopened", "reopen"])
            self.resolved = None
        if target in _FINAL:
            self.closed = t
        self._event(t, actor, "status", None, self.status, target, message)
        if (target == "acknowledged" or (message and target != "cancelled")) \
                and self.first_response is None and self._staff_reply(actor):
            self.first_response = t
        self.status = target

    def wait_on(self, t: int, actor: str, other: "_Sim", message: str) -> None:
        """`request wait N --on M`: the link (M blocks N, journaled on both; M's side is
        written by build_requests), then the wait, which pauses N's resolution clock.
        Recorded in ``blocked`` as [t, other, actor, resumed at, resumed by, M's verdict]."""
        t = self._at(t)
        self._event(t, actor, "link", "blocks", None, str(other.number),
                    f"blocked by #{other.number}")
        self._event(t, actor, "link", "waiting_on", None, str(other.number),
                    f"waiting on #{other.number}")
        self._event(t, actor, "status", "request", self.status, "waiting", message)
        self.waits.append([t, None, message, "request"])
        self.waiting_on = str(other.number)
        self.status = "waiting"
        if message and self.first_response is None and self._staff_reply(actor):
            self.first_response = t
        self.blocked.append([t, other, actor, None, None, None])

    def resumed_by(self, t: int, actor: str, label: str) -> None:
        """The request waited on was resolved (or cancelled, closed) by ``actor`` at ``t``:
        this one resumes by itself (services.requests._resume_waiters)."""
        t = self._at(t)
        entry = self.blocked[-1]
        self._event(t, actor, "status", None, "waiting", "in_progress",
                    f"#{entry[1].number} {label}: resumed")
        self.waits[-1][1] = t
        self.waiting_on = None
        self.status = "in_progress"
        entry[3:] = [t, actor, label]

    def assign(self, t: int, actor: str, person: str) -> None:
        if person == self.assignee:
            return
        t = self._at(t)
        lateral = f"lateral help from outside team {self.team}" if person not in self.staff else None
        self._event(t, actor, "assigned", None, self.assignee, person, lateral)
        self.assignee = person

    def watch(self, t: int, actor: str, person: str) -> None:
        if person in self.watchers:
            return
        t = self._at(t)
        self._event(t, actor, "watch", None, None, person, None)
        self.watchers.append(person)

    def tag(self, t: int, actor: str, tag: str) -> None:
        if tag in self.tags:
            return
        t = self._at(t)
        self._event(t, actor, "edit", "tags", None, tag, None)
        self.tags.append(tag)

    def reprioritise(self, t: int, actor: str, priority: str) -> None:
        if priority == self.priority:
            return
        t = self._at(t)
        self._event(t, actor, "edit", "priority", self.priority, priority, None)
        self.priority = priority
        self.reprioritised = True


# agreement -> (how fast its requests are worked, as a factor of _RESPONSE and _WORK; the
# phase of its four-month drift)
PACE = {"it-standard": (0.9, 0.0), "it-sales": (0.45, 0.3), "facilities": (0.7, 0.55),
        "platform": (0.7, 0.8), "hr": (1.6, 0.15), "payroll": (1.8, 0.4),
        "purchasing": (1.7, 0.7)}
_RANK = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
# Waiting chains: a request of the first kind sometimes (the share) waits on a recent open
# request of one of the others (`request wait N --on M`): about 1.5% of all requests end
# up in a chain, more of the backlog (blocked requests stay open longer). A kind is a
# request type, or "type:tag" for the templates of that type with the tag.
DEPENDS = {
    "hr/onboarding": (("it/onboarding", "it/access"), 0.05),
    "it/onboarding": (("purchasing/order:hardware",), 0.07),
    "it/hardware:monitor": (("purchasing/order:hardware",), 0.05),
    "it/software:software": (("purchasing/licence",), 0.03),
    "platform/access": (("it/access",), 0.04),
    "facilities/moves": (("purchasing/order:supplies", "facilities/furniture"), 0.05),
    "purchasing/order:hardware": (("purchasing/quote",), 0.07),
    "purchasing/licence": (("purchasing/supplier",), 0.04),
}
_BLOCKER_KINDS = tuple(sorted({k for kinds, _ in DEPENDS.values() for k in kinds}))
_BLOCKER_TYPES = frozenset(k.partition(":")[0] for k in _BLOCKER_KINDS)


def _is_kind(kind: str, type_: str | None, tags) -> bool:
    want, _, tag = kind.partition(":")
    return want == type_ and (not tag or tag in tags)


_DONE = frozenset({"resolved", "cancelled", "closed"})
_VPN_WAIT = 240     # business minutes the VPN request waited for Mihai's answer
_PRIORITIES = ("urgent", "high", "normal", "low")
# business minutes: (median, spread, cap); urgent first responses are wall-clock (on call)
_RESPONSE = {"high": (25, 0.9, 240), "normal": (80, 1.0, 960), "low": (200, 1.0, 1440)}
_WORK = {"urgent": (120, 0.8, 600), "high": (360, 0.9, 1920), "normal": (900, 0.9, 3840),
         "low": (1500, 0.9, 4800)}


class _Generator:
    """Streams the requests of the demo in creation order, each simulated up to now."""

    def __init__(self, ctx: DemoContext, rng: random.Random):
        self.ctx, self.rng = ctx, rng
        if not _Z:
            _Z.extend(_normal_quantiles())
        self.zone = ZoneInfo(ZONE)
        self.now = int(ctx.now.timestamp())
        self.days = history_days(ctx.requests)
        self.start = self.now - self.days * 86400
        self.window = self.now - OPEN_WINDOW_DAYS * 86400
        first = datetime.fromtimestamp(self.start, self.zone).date() - timedelta(days=1)
        last = datetime.fromtimestamp(self.now, self.zone).date() + timedelta(days=120)
        self.cal = _Calendar(first, last, _office(ctx))
        self.team_names = {h: n for h, n, _ in TEAMS}
        self.first = {h: n.split()[0] for h, n, _ in PEOPLE}
        self.primary = {h: (teams[0] if teams else None) for h, _, teams in PEOPLE}
        members: dict[str, list[str]] = {}
        for handle, _, teams in PEOPLE:
            for team in teams:
                members.setdefault(team, []).append(handle)
        self.members = members
        self.staff = {team: frozenset(members[team]) for team in VOLUME}
        self.teams = sorted(VOLUME)
        self.team_cw = _cumulative(VOLUME[t] for t in self.teams)
        # agents: (handles, cumulative weights); the lead takes fewer requests
        self.agents = {}
        self.requesters = {}
        for team in self.teams:
            handles = members[team]
            self.agents[team] = (handles, _cumulative(1 if h == LEADS[team] else 3 for h in handles))
            # the platform team serves engineers; everyone else serves everyone
            people = [h for h, _, teams in PEOPLE if teams and team not in teams
                      and (team != "platform" or "engineering" in teams)]
            self.requesters[team] = (people, _cumulative(1 for _ in people))
        self.priority_cw = {id(t): t.priority_cw for ts in TEMPLATES.values() for t in ts}
        self.recent: dict[str, list[int]] = {team: [] for team in self.teams}
        self.by_tag: dict[str, int] = {}
        self.pending: list[tuple] = []   # follow-ups waiting for their time: (t, seq, number)
        self.last_pushed = 0
        self.seq = 0
        # the agreements (build_sla): which applies to whom, and the clocks' calendars
        sla = ctx.facts.get("sla") or {}
        self.calendars = sla.get("calendars", {})
        self.scopes = sla.get("scopes", {})
        self.explain = None          # (rank, number): the request `sla explain` shows best
        # waiting chains: recent requests of the kinds others wait on (see wait_for)
        self.chain_rng = ctx.rng("chains")
        self.blockers: dict[str, list[tuple]] = {}
        self.depends = {id(t): next((v for k, v in DEPENDS.items() if _is_kind(k, t.type, t.tags)),
                                    ((), 0.0)) for ts in TEMPLATES.values() for t in ts}
        self.chain: dict[str, _Sim] = {}     # the showcase chain's requests, by story

    # -- small helpers

    def manager_of(self, person: str, rng: random.Random) -> str:
        manager = MANAGERS[self.primary[person]]
        if manager == person:
            manager = "andrei" if person != "andrei" else "maria"
        return self.first[manager]

    def recent_number(self, team: str, rng: random.Random) -> int:
        numbers = self.recent[team]
        return rng.choice(numbers) if numbers else 1

    def minutes(self, spec: tuple[int, float, int]) -> int:
        """A log-normal draw (median, spread) capped at ``cap`` minutes."""
        median, spread, cap = spec
        z = _Z[int(self.rng.random() * len(_Z))]
        return max(1, min(cap, int(median * exp(spread * z))))

    def consider_for_explain(self, sim: _Sim, preferred: bool = False) -> None:
        """`sla explain` reads best for a request that waited on its requester and whose
        clock ran across a weekend; among those, the ``preferred`` one (the
        VPN request the tour shows first), an open one, then the latest."""
        if sim.status == "cancelled" or not any(
                w[3] == "requester" and w[1] is not None for w in sim.waits):
            return
        cal = self.cal
        end = sim.resolved if sim.resolved is not None else self.now
        if all(cal.dates[d].weekday() < 5 for d in range(cal.day(sim.created), cal.day(end) + 1)):
            return
        rank = (preferred, sim.status not in _FINAL and sim.status != "resolved", sim.created)
        if self.explain is None or rank >= self.explain[0]:
            self.explain = (rank, sim.number)

    # -- clocks: what the services store on the request (isvc.domain.clocks.compute)

    def clock_job(self, sim: _Sim) -> tuple:
        """What _Clocks.row needs of a simulated request."""
        ag = self.agreement(sim.team, sim.requester) if self.scopes else None
        mode = _REPLAY if sim.reprioritised else _CANCELLED if sim.status == "cancelled" else 0
        events = None
        if mode and ag is not None:
            events = tuple((t, row[3], row[4], row[5], row[6], row[2], row[7])
                           for t, row in sim.events)
        return (ag.name if ag else None, sim.created, sim.status, sim.priority,
                sim.first_response, sim.resolved,
                tuple((started, ended, kind) for started, ended, _, kind in sim.waits),
                events, mode)

    # -- arrivals

    def arrivals(self, stories: list[tuple[int, Callable]]):
        """Creation instants, oldest first: N minus the stories spread over the days by
        weight, then placed in the day by the hour profile; stories merged in."""
        rng, cal = self.rng, self.cal
        n = self.ctx.requests - len(stories) - self.ctx.live
        first_day = cal.day(self.start)
        last_day = cal.day(self.now)
        weights = []
        for d in range(first_day, last_day + 1):
            day = cal.dates[d]
            w = 1.0 if cal.work[d] else 0.07
            if day.month == 8 or (day.month == 12 and day.day >= 20):
                w *= 0.6
            w *= 0.8 + 0.4 * (d - first_day) / max(1, last_day - first_day)   # growth
            w *= rng.uniform(0.75, 1.25)
            lo = max(cal.base[d], self.start)
            hi = min(cal.base[d + 1], self.now + 1)
            w *= self._hour_mass(d, lo, hi) / self._hour_mass(d, cal.base[d], cal.base[d + 1])
            weights.append(w)
        total = sum(weights) or 1.0
        story_iter = iter(sorted(stories, key=lambda s: s[0]))
        story = next(story_iter, None)
        cum, given = 0.0, 0
        for i, d in enumerate(range(first_day, last_day + 1)):
            cum += weights[i]
            count = round(cum * n / total) - given
            given += count
            lo = max(cal.base[d], self.start)
            hi = min(cal.base[d + 1], self.now + 1)
            times = sorted(self._place(d, lo, hi) for _ in range(count)) if count else []
            for t in times:
                while story is not None and story[0] <= t:
                    yield story
                    story = next(story_iter, None)
                yield t, None
        while story is not None:
            yield story
            story = next(story_iter, None)

    def _hour_mass(self, d: int, lo: int, hi: int) -> float:
        weights = _HOURS_WORK if self.cal.work[d] else _HOURS_OFF
        base = self.cal.base[d]
        mass = 0.0
        for hour, w in enumerate(weights):
            a, b = max(lo, base + hour * 3600), min(hi, base + hour * 3600 + 3600)
            if b > a:
                mass += w * (b - a) / 3600
        return mass or 1e-9

    def _place(self, d: int, lo: int, hi: int) -> int:
        cal, rng = self.cal, self.rng
        cum = _CUM_WORK if cal.work[d] else _CUM_OFF
        base = cal.base[d]
        for _ in range(20):
            hour = bisect_right(cum, rng.random() * cum[-1])
            t = base + hour * 3600 + rng.randrange(3600)
            if lo <= t < hi:
                return t
        return rng.randrange(lo, hi)

    # -- one request

    def natural(self, number: int, created: int) -> tuple[_Sim, Template, _Text, str, str, dict]:
        rng = self.rng
        team = self.teams[bisect_right(self.team_cw, rng.random() * self.team_cw[-1])]
        tpl = rng.choice(TEMPLATES[team])
        people, cw = self.requesters[team]
        requester = people[bisect_right(cw, rng.random() * cw[-1])]
        cw = self.priority_cw[id(tpl)]
        priority = _PRIORITIES[bisect_right(cw, rng.random() * cw[-1])]
        x = _Text(self, requester, created, team)
        title = x(rng.choice(tpl.titles))
        body = x(rng.choice(tpl.bodies))
        channel = "mail" if rng.random() < MAIL_SHARE[team] else "cli"
        if channel == "mail":
            body = f"Hi {self.team_names[team]},\n\n{body}\n\nThanks,\n{x['first']}"
        fields = {key: x(value) for key, value in tpl.fields}
        watchers = []
        if rng.random() < 0.08:
            mates = [h for h in self.members.get(self.primary[requester], ()) if h != requester]
            if mates:
                watchers.append(rng.choice(mates))
        sim = _Sim(number, team, self.staff[team], requester, created, self.now, priority,
                   list(tpl.tags), watchers)
        sim.file(body)
        return sim, tpl, x, title, channel, fields

    def live(self, sim: _Sim, tpl: Template, x: _Text) -> _Sim:
        """Simulate until the clock; requests older than the open window always finish
        (a second, brisker life replaces one that would still be open)."""
        snapshot = (list(sim.events), list(sim.tags), list(sim.watchers), sim.priority)
        try:
            self._life(sim, tpl, x, hurry=False)
        except _Stop:
            pass
        if sim.created < self.window and not sim.final:
            sim.events, sim.tags, sim.watchers, sim.priority = (
                list(snapshot[0]), list(snapshot[1]), list(snapshot[2]), snapshot[3])
            sim.status, sim.waits, sim.waiting_on, sim.blocked = "new", [], None, []
            sim.assignee = sim.first_response = sim.resolved = sim.closed = None
            sim.last = sim.updated = sim.created
            try:
                self._life(sim, tpl, x, hurry=True)
            except _Stop:
                pass
        return sim

    def agreement(self, team: str, requester: str):
        """The agreement store.sla.matching_agreement finds: for the requester's team, else
        the provider's default."""
        scopes = self.scopes
        return scopes.get((team, self.primary[requester])) or scopes.get((team, None))

    def pace(self, s: _Sim) -> float:
        """How fast the team works this request, as a factor of the usual times: each
        agreement's own pace (Sales' requests jump IT's queue; HR and Payroll take their
        time), drifting +-20% over four-month cycles (holidays, a colleague on leave, a
        new hire settling in), so the months differ and `agreement status` has a trend."""
        ag = self.agreement(s.team, s.requester)
        if ag is None:
            return 1.0
        base, phase = PACE.get(ag.name, (1.0, 0.0))
        return base * (1 + 0.2 * sin(2 * pi * (s.created / (120 * 86400) + phase)))

    def on_call(self, s: _Sim) -> bool:
        """An urgent request filed out of hours whose agreement has an on-call calendar:
        the on-call engineer works it round the clock (and its clocks run on that
        calendar)."""
        if s.priority != "urgent":
            return False
        ag = self.agreement(s.team, s.requester)
        if ag is None or not ag.oncall_calendar:
            return False
        from isvc.domain.clocks import choose_calendar

        created = datetime.fromtimestamp(s.created, timezone.utc)
        return choose_calendar(ag, "urgent", created, self.calendars) != ag.calendar

    def _life(self, s: _Sim, tpl: Template, x: _Text, hurry: bool) -> None:
        rng = self.rng
        cal = _WallClock if self.on_call(s) else self.cal
        c, req, team = s.created, s.requester, s.team
        if not hurry and rng.random() < 0.025:      # withdrawn before anyone answered
            s.command(cal.add(c, rng.randint(5, 400)), req, "cancel", rng.choice(CANCELS))
            return
        handles, cw = self.agents[team]
        agent = handles[bisect_right(cw, rng.random() * cw[-1])]
        if not hurry and rng.random() < 0.025 and team in HELPERS:
            helper = rng.choice(HELPERS[team])       # lateral help: they take it themselves
            if helper != req:
                agent = helper
        if cal is _WallClock:                       # the on-call engineer takes it
            oncall = self.agreement(team, req).oncall
            if oncall in self.first and oncall != req:
                agent = oncall
        x["agent"] = self.first[agent]
        response, pace = 0, 1.0
        if s.priority == "urgent":
            t = c + rng.randint(240, 2400)           # on call, even out of hours
        else:
            pace = self.pace(s)
            response = max(1, int(self.minutes(_RESPONSE[s.priority]) * pace))
            if hurry:
                response = min(120, response)
            t = cal.add(c, response)
        style = rng.random()
        lead = LEADS[team]
        if agent in s.staff and agent != lead and style < 0.25:
            s.assign(min(t, cal.add(c, rng.randint(2, 40))), lead, agent)
            style = 1.0                               # assigned: nobody takes it again
        if not hurry and response > 360 and rng.random() < 0.35:
            s.reply(cal.add(c, response * 2 // 3), req, rng.choice(NUDGES))
        if style < 0.92 or agent not in s.staff:
            s.assign(t, agent, agent)
        t += rng.randint(20, 300)
        first = rng.random()
        if first < 0.55:
            s.reply(t, agent, x(rng.choice(FIRST_REPLIES)))
        elif first < 0.85:
            s.command(t, agent, "ack", x(rng.choice(ACKS)))
        else:
            s.command(t, agent, "start", x(rng.choice(STARTS)))
        if s.status == "acknowledged":
            s.command(cal.add(s.last, rng.randint(5, 240)), agent, "start")
        work = self.minutes(_WORK[s.priority])
        if s.priority != "urgent":
            work = max(5, int(work * pace))
        if hurry:
            work = min(work, 480)
        roll = rng.random()
        waits = 0 if hurry else 1 if roll < 0.32 else 2 if roll < 0.4 else 0
        qas = list(tpl.qa) + [rng.choice(GENERIC_QA)]
        for i in range(waits):
            t = cal.add(s.last, max(5, work // (waits + 2)))
            if rng.random() < 0.25:
                s.note(t, agent, x(rng.choice(tpl.notes or NOTES)))
            question, answer = qas[min(i, len(qas) - 1)]
            s.command(t + rng.randint(30, 900), agent, "wait", x(question))
            roll = rng.random()
            if roll < 0.5:
                t = cal.add(s.last, self.minutes((90, 1.0, 480)))
            elif roll < 0.94:
                t = cal.add(s.last, rng.randint(480, 1440))
            else:                                     # never answered
                s.command(cal.add(s.last, rng.randint(5 * 480, 8 * 480)), agent, "resolve",
                          rng.choice(GHOSTS))
                self._close(s, hurry)
                return
            s.reply(t, req, x(answer))
        if not hurry:
            self.wait_for(s, tpl, agent, cal)
        half = cal.add(s.last, work // 2)
        if not hurry:
            if rng.random() < 0.3:
                s.note(half, agent, x(rng.choice(tpl.notes + NOTES)))
            if rng.random() < 0.2:
                s.reply(half + rng.randint(60, 1800), agent, rng.choice(PROGRESS))
            if rng.random() < 0.06:
                s.tag(half, agent, rng.choice(("recurring", "needs-vendor", "docs", "quick-win")))
            if rng.random() < 0.04 and s.priority in ("normal", "high"):
                s.reprioritise(half, agent, "high" if s.priority == "normal" else "normal")
            if rng.random() < 0.05:
                mates = [h for h in self.members.get(self.primary[req], ()) if h != req]
                if mates:
                    who = rng.choice(mates)
                    s.watch(half, who, who)
            if rng.random() < 0.015:                  # cancelled while being worked
                if rng.random() < 0.5:
                    s.command(half + 600, agent, "cancel", f"Duplicate of #{x['dup']}, "
                              "continuing there.")
                else:
                    s.command(half + 600, req, "cancel", rng.choice(CANCELS))
                return
        s.command(cal.add(s.last, max(5, work - work // 2)), agent, "resolve",
                  x(rng.choice(tpl.fixes)))
        if not hurry and rng.random() < 0.04:        # the requester says it isn't fixed
            s.reply(cal.add(s.last, rng.randint(30, 1200)), req, rng.choice(REOPENS))
            s.command(cal.add(s.last, self.minutes((180, 0.8, 960))), agent, "resolve",
                      x(rng.choice(tpl.fixes)))
        self._close(s, hurry)

    def _close(self, s: _Sim, hurry: bool) -> None:
        rng, cal = self.rng, self.cal
        auto = cal.cron_after(s.resolved + AUTOCLOSE_DAYS * 86400)
        if rng.random() < 0.35:
            t = cal.add(s.resolved, rng.randint(5, 900))
            if t < auto:
                thanks = rng.choice(THANKS) if rng.random() < 0.6 else None
                s.command(t, s.requester, "close", thanks)
                return
        s.command(auto, AUTOMATION, "close",
                  f"closed automatically {AUTOCLOSE_DAYS} days after resolution")
        if not hurry and rng.random() < 0.025:
            when = cal.add(s.closed, rng.randint(60, 2400))
            if when <= self.now:
                self.seq += 1
                heapq.heappush(self.pending, (when, self.seq, s.number))
                self.last_pushed = s.number

    # -- waiting chains: work that cannot go on before another team's request is done

    def offer(self, sim: _Sim, type_: str | None, title: str) -> None:
        """A simulated request others may come to wait on, when it is of a kind they do
        (DEPENDS), with when and by whom it was first resolved, cancelled or closed."""
        if type_ not in _BLOCKER_TYPES:
            return
        kinds = [k for k in _BLOCKER_KINDS if _is_kind(k, type_, sim.tags)]
        if not kinds:
            return
        done = next(((t, row[2], row[6]) for t, row in sim.events
                     if row[3] == "status" and row[6] in _DONE), None)
        for kind in kinds:
            pool = self.blockers.setdefault(kind, [])
            pool.append((sim, title, done))
            if len(pool) > 40:
                del pool[0]

    def wait_for(self, s: _Sim, tpl: Template, agent: str, cal) -> None:
        """Now and then the work needs another request done first (a laptop for a new
        starter needs the purchase order, the order needs the supplier's quote): the
        agent waits on a recent open one of that kind, and the request resumes by itself
        when that one is resolved. One already waiting is the likelier pick, so chains
        grow. Its own random stream: the rest of the history stays as it was."""
        kinds, share = self.depends.get(id(tpl), ((), 0.0))
        rng = self.chain_rng
        if s.created >= self.window:
            share *= 8          # recent: what is still open when the desk is opened
        if not kinds or rng.random() >= share:
            return
        t = cal.add(s.last, rng.randint(15, 180))
        if t > self.now:
            return
        picks, weights = [], []
        for kind in kinds:
            for other, title, done in self.blockers.get(kind, ()):
                if other.created < t and (done is None or done[0] > t):
                    waiting = any(b[0] <= t and (b[3] is None or b[3] > t) for b in other.blocked)
                    picks.append((other, title, done))
                    weights.append(12 if waiting else 1)
        if not picks:
            return
        other, title, done = rng.choices(picks, weights)[0]
        s.wait_on(t, agent, other, f"Waiting on #{other.number} ({self.team_names[other.team]}: "
                  f"{title}) before we can go on.")
        if done is None or done[0] > self.now:
            raise _Stop
        s.resumed_by(done[0], done[1], done[2])

    # -- the showcase: the mockups' requests, placed in business time before the clock so
    # that, whatever the day and hour of the build, each clock is in the state it shows:
    # the VPN at risk, the drive quota paused, the badge readers and the payroll export
    # breached, the new starter's laptop on track; and the printer, whose requester's
    # reply after closure files a follow-up.

    def _clock_calendar(self, team: str, requester: str):
        """The calendar the request's clocks run on (None without agreements)."""
        ag = self.agreement(team, requester)
        return self.calendars.get(ag.calendar) if ag else None

    def badd(self, cal, t: int, minutes: int) -> int:
        """``minutes`` of business time after ``t`` on the clocks' calendar."""
        if cal is None or minutes <= 0:
            return self.cal.add(t, max(0, minutes))
        from isvc.domain.businesstime import due

        return int(due(cal, datetime.fromtimestamp(t, timezone.utc), minutes).timestamp())

    def bback(self, cal, t: int, minutes: int) -> int:
        """The latest instant with ``minutes`` of business time between it and ``t``."""
        if cal is None:
            return self.cal.back(t, minutes)
        from isvc.domain.businesstime import elapsed_minutes

        end = datetime.fromtimestamp(t, timezone.utc)

        def enough(k: int) -> bool:
            start = datetime.fromtimestamp(t - 60 * k, timezone.utc)
            return elapsed_minutes(cal, start, end) >= minutes

        lo, hi = 0, max(minutes, 1440)
        while not enough(hi):
            lo, hi = hi, hi * 2
        while hi - lo > 1:          # the fewest whole minutes back that hold enough
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if enough(mid) else (mid, hi)
        return t - 60 * hi

    def _targets(self, team: str, requester: str, priority: str) -> tuple[int, int]:
        """(first response, resolution) business minutes; a working day's worth of each
        without agreements."""
        ag = self.agreement(team, requester)
        return (ag.response[priority], ag.resolution[priority]) if ag else (480, 960)

    def stories(self) -> list[tuple[int, Callable]]:
        if self.ctx.requests < 50:
            return []
        cal, now = self.cal, self.now
        out = []
        _, vpn = self._targets("it", "mihai", "high")
        # at risk: 86% of the resolution target used, besides a half-day wait on Mihai
        out.append((self.bback(self._clock_calendar("it", "mihai"), now,
                               vpn * 86 // 100 + _VPN_WAIT), self._story_vpn))
        out.append((self.bback(self._clock_calendar("it", "maria"), now, 150), self._story_quota))
        d5 = cal.workday_before(now, 5)
        out.append((cal.at(d5, 8, 50), self._story_badges))
        starter, _ = self._targets("it", "ioana", "normal")
        out.append((self.bback(self._clock_calendar("it", "ioana"), now, starter * 35 // 100),
                    self._story_new_starter))
        _, export = self._targets("it", "ana", "high")
        out.append((self.bback(self._clock_calendar("it", "ana"), now, export + 100),
                    self._story_payroll_export))
        out.append((cal.at(cal.workday_before(now, 12), 10, 15), self._story_printer))
        # a waiting chain (`isvc ripple`): engineers wait on Platform's new CI runners,
        # which wait on IT racking the build servers, which wait on Purchasing's order,
        # which waits on the supplier quotes (at risk: 85% of the target used)
        purchasing = self._clock_calendar("purchasing", "dragos")
        _, quote = self._targets("purchasing", "dragos", "high")
        t = self.bback(purchasing, now, quote * 85 // 100)
        out.append((t, self._story_quote))
        t = self.badd(purchasing, t, 90)
        out.append((t, self._story_order))
        t = self.badd(self._clock_calendar("it", "vlad"), t, 240)
        out.append((t, self._story_rack))
        platform = self._clock_calendar("platform", "andrei")
        out.append((self.badd(platform, t, 300), self._story_runners))
        out.append((self.badd(platform, t, 420), self._story_gpu_tests))
        # distinct instants, all inside the history and before the clock
        seen, kept = set(), []
        for t, fn in out:
            if self.start <= t < now and t not in seen:
                seen.add(t)
                kept.append((t, fn))
        return kept

    def _story_vpn(self, number: int, c: int):
        """The request of the `request show` mockup: a reply, a wait on the requester,
        the answer that resumes it, an internal note. In progress, at risk."""
        related = self.by_tag.get("vpn")
        cal = self._clock_calendar("it", "mihai")
        body = ("Hi IT Service Desk,\n\nSince the update my VPN drops every hour, and I lose "
                "the CRM session each time. It happens at home and at the client's office.\n\n"
                "Thanks,\nMihai")
        s = _Sim(number, "it", self.staff["it"], "mihai", c, self.now, "high", ["remote", "vpn"],
                 ["maria"])
        s.file(body)
        s.assign(self.badd(cal, c, 40), "jim", "jim")
        s.reply(self.badd(cal, c, 42), "jim", "Hi Mihai, looking at it now. Which client version "
                "do you have?")
        asked = 150
        s.command(self.badd(cal, c, asked), "jim", "wait", "Which VPN client version?")
        s.reply(self.badd(cal, c, asked + _VPN_WAIT), "mihai", "Version 5.2.1")
        note = (f"Same as #{related} — the gateway's idle timeout" if related
                else "Looks like the gateway's idle timeout")
        s.note(self.badd(cal, c, asked + _VPN_WAIT + 11), "jim", note)
        return s, "VPN drops every hour", "it/network", "mail", {"asset": "LT-4471"}

    def _story_quota(self, number: int, c: int):
        """Waiting on Maria: its resolution clock is paused."""
        cal = self._clock_calendar("it", "maria")
        s = _Sim(number, "it", self.staff["it"], "maria", c, self.now, "normal",
                 ["quota", "storage"], [])
        s.file("The Sales shared drive is full and nobody can save the quarter-end "
               "forecasts. Can we get more space today?")
        s.assign(self.badd(cal, c, 35), "alina", "alina")
        s.reply(self.badd(cal, c, 40), "alina", "Hi Maria, I can see it: 199 GB of 200 used.")
        s.command(self.badd(cal, c, 90), "alina", "wait",
                  "Can you archive the 2024 exports first? They take 40 GB.")
        return s, "Shared drive quota for Sales", "it/storage", "cli", {"share": "Sales"}

    def _story_badges(self, number: int, c: int):
        """Urgent, answered in minutes, still not fixed a week later: breached."""
        cal = self.cal
        s = _Sim(number, "facilities", self.staff["facilities"], "raluca", c, self.now, "urgent",
                 ["access", "badge"], ["omar"])
        s.file("None of the badges work at gate B since 08:30; people are queuing outside and "
               "security is letting them in by hand.")
        d = cal.day(c)
        s.assign(cal.at(d, 9, 2), "sorin", "sorin")
        s.command(cal.at(d, 9, 5), "sorin", "ack", "On my way to gate B.")
        s.command(cal.at(d, 9, 30), "sorin", "start")
        s.note(cal.at(d, 11, 15), "sorin", "Controller board fried — vendor visit booked.")
        s.reply(cal.at(d, 11, 20), "sorin", "Gate B runs on a temporary controller; badges work "
                "but the turnstile is slow until the vendor replaces the board.")
        return s, "Badge readers down at gate B", "facilities/access", "cli", {"gate": "B"}

    def _story_new_starter(self, number: int, c: int):
        """Nobody has answered yet; the first-response clock is on track."""
        s = _Sim(number, "it", self.staff["it"], "ioana", c, self.now, "normal",
                 ["laptop", "onboarding"], ["luiza"])
        s.file("Sara Lindqvist joins Marketing next Monday. Please prepare a laptop with the "
               "standard image plus Figma, and accounts in the Marketing groups.")
        return (s, "New starter laptop for Sara Lindqvist", "it/onboarding", "mail",
                {"start_date": "next Monday"})

    def _story_printer(self, number: int, c: int):
        """Fixed in an hour, closed by the nightly autoclose; the requester's reply a
        week later files a linked follow-up (every demo has one)."""
        cal = self.cal
        s = _Sim(number, "it", self.staff["it"], "oana", c, self.now, "normal", ["printer"], [])
        s.file("The printer next to the kitchen on floor 3 is offline for everyone since this "
               "morning.")
        try:
            s.assign(cal.add(c, 18), "tom", "tom")
            s.reply(cal.add(c, 20), "tom", "Hi Oana, on my way up.")
            s.command(cal.add(c, 80), "tom", "resolve",
                      "It had lost its network address after a power cut; back online.")
            s.command(cal.cron_after(s.resolved + AUTOCLOSE_DAYS * 86400), AUTOMATION, "close",
                      f"closed automatically {AUTOCLOSE_DAYS} days after resolution")
        except _Stop:
            return s, "Printer on floor 3 offline", "it/hardware", "cli", {"floor": "3"}
        when = cal.at(cal.workday_before(self.now, 2), 9, 40)
        if s.closed < when <= self.now:
            self.seq += 1
            heapq.heappush(self.pending, (when, self.seq, number))
            self.last_pushed = number
        return s, "Printer on floor 3 offline", "it/hardware", "cli", {"floor": "3"}

    def _chain_story(self, number: int, c: int, team: str, requester: str, priority: str,
                     tags: list, watchers: list, body: str, agent: str, ack: str,
                     on: str | None, why: str):
        """One request of the showcase chain: filed, taken, acknowledged, then waiting on
        the request of the story ``on`` (``why``: the wait's message, {n} its number)."""
        cal = self._clock_calendar(team, requester)
        s = _Sim(number, team, self.staff[team], requester, c, self.now, priority, tags,
                 watchers)
        other = self.chain.get(on) if on else None
        s.file(body.format(n=other.number if other else "the other request"))
        try:
            s.assign(self.badd(cal, c, 15), agent, agent)
            s.command(self.badd(cal, c, 25), agent, "ack", ack)
            if other is not None:
                s.wait_on(self.badd(cal, c, 60), agent, other, why.format(n=other.number))
            else:
                s.command(self.badd(cal, c, 40), agent, "start")
        except _Stop:
            pass
        return s

    def _story_quote(self, number: int, c: int):
        """The deepest blocker of the chain: Purchasing waits for supplier quotes."""
        s = self._chain_story(
            number, c, "purchasing", "dragos", "high", ["quote", "hardware"], [],
            "Platform needs two GPU build servers for CI (2x L40S, 256 GB RAM, 4 TB NVMe). "
            "Please get at least two quotes; Cristian approves the budget.",
            "paul", "Asked three suppliers; the last quote is promised for this week.", None, "")
        self.chain["quote"] = s
        return s, "Quotes for two GPU build servers", "purchasing/quote", "cli", {}

    def _story_order(self, number: int, c: int):
        s = self._chain_story(
            number, c, "purchasing", "dragos", "normal", ["po", "hardware"], [],
            "Please raise the purchase order for the two GPU build servers once the quotes "
            "in #{n} are in: the cheaper offer that meets the spec. Cost centre IT-OPS.",
            "irina", "Will do as soon as the quotes are in.", "quote",
            "Waiting on #{n}: we order from the best of the quotes.")
        self.chain["order"] = s
        return s, "Purchase order: two GPU build servers", "purchasing/order", "cli", {}

    def _story_rack(self, number: int, c: int):
        """The middle of the chain (the tour's `isvc ripple`)."""
        s = self._chain_story(
            number, c, "it", "vlad", "high", ["hardware", "servers"], ["nadia"],
            "Please rack the two new GPU build servers, cable them to the build VLAN and "
            "give Platform remote access. They are being ordered in #{n}.",
            "dragos", "I'll rack them the day they arrive.", "order",
            "The servers are on order (#{n}); waiting for them to arrive.")
        self.chain["rack"] = s
        return s, "Rack and cable the new GPU build servers", "it/hardware", "cli", {}

    def _story_runners(self, number: int, c: int):
        s = self._chain_story(
            number, c, "platform", "andrei", "high", ["ci"], ["carmen", "lucas"],
            "Release builds queue for 40 minutes. We need the GPU runners on the new build "
            "servers before the 4.2 release.",
            "nadia", "The GPU runners go on the new build servers.", "rack",
            "Waiting on IT to rack the new build servers (#{n}).")
        return s, "More CI runners for the release branch", "platform/ci", "cli", {}

    def _story_gpu_tests(self, number: int, c: int):
        s = self._chain_story(
            number, c, "platform", "teodora", "normal", ["ci", "gpu"], [],
            "The GPU integration tests time out on the shared runners; they need dedicated "
            "GPU runners.",
            "vlad", "They will run on the new GPU runners.", "rack",
            "Needs the new build servers IT is racking (#{n}).")
        return s, "GPU integration tests time out", "platform/ci", "cli", {}

    def _story_payroll_export(self, number: int, c: int):
        """Acknowledged at once, then stuck with the vendor: resolution overdue."""
        cal = self._clock_calendar("it", "ana")
        s = _Sim(number, "it", self.staff["it"], "ana", c, self.now, "high", ["payroll"], [])
        s.file("The payroll export to the bank fails on the second run with 'duplicate batch "
               "id'. The first run works. We pay salaries on Friday.")
        s.command(self.badd(cal, c, 15), "elena", "ack",
                  "Looking into it with the payroll vendor's logs.")
        return s, "Payroll export fails on 2nd run", "it/software", "cli", {}

    # -- follow-ups

    def follow_up(self, number: int, created: int, old: dict) -> _Sim:
        """A requester replied to a closed request: the reply files a new one, linked."""
        message = self.rng.choice(FOLLOW_UPS)
        s = _Sim(number, old["team"], self.staff[old["team"]], old["requester"], created,
                 self.now, old["priority"], list(old["tags"]), [])
        s.file(message)
        s._event(created, old["requester"], "link", "follow_up", None, str(old["number"]),
                 f"follow-up to #{old['number']} (closed)")
        return s


_REPLAY, _CANCELLED = 1, 2     # clock jobs that need more than the final state


def _caused(reply: tuple, event: tuple) -> bool:
    """Whether ``event`` is part of the ``reply`` before it (one command, one recompute):
    the first staff reply acknowledges, the requester's reply resumes a wait or reopens.
    Events are (t, kind, field, from, to, actor, message)."""
    return (reply[1] == "reply" and event[1] == "status" and event[0] == reply[0]
            and event[5] == reply[5]
            and ((event[3], event[4], event[6]) == ("new", "acknowledged", "first reply")
                 or (event[3] in ("waiting", "resolved") and event[4] == "in_progress")))


class _Clocks:
    """Each request's clock columns (store.sla.CLOCK_COLUMNS) as the services would have
    left them, recomputed at the clock (as a calendar edit would): isvc.domain.clocks.compute
    on the request's final state and pauses (its waits rows: waits on the requester, and
    the resolved spells before reopens).

    The services recompute at every event that can move a clock, each time from the
    values stored before, so a breach recorded while a clock ran stays recorded. For most
    histories one computation from the final state gives the same columns: a due time that
    passed before an event did so with the pauses known then, and later pauses cannot
    move it. Two kinds differ and are replayed: a priority change (the old target's breach
    stays; replayed event by event) and a cancellation (the clocks stop without a verdict,
    keeping a breach an earlier event recorded; computed once more as they were just
    before). tests/test_demo.py replays every journal and compares.

    Jobs are tuples from _Generator.clock_job: (agreement, created, status, priority,
    first response, resolved, waits (started, ended, kind), events (t, kind, field, from,
    to, actor, message) or None, mode); instants are epoch seconds. ~60 us a request:
    about a third of a big build.
    """

    def __init__(self, calendars: dict, agreements: dict, now: datetime):
        self.calendars, self.agreements, self.now = calendars, agreements, now

    def rows(self, jobs: list[tuple]) -> list[tuple]:
        return [self.row(job) for job in jobs]

    def row(self, job: tuple) -> tuple:
        from isvc.domain.clocks import compute

        name, _, status, priority, _, resolved, _, _, mode = job
        ag = self.agreements.get(name) if name else None
        old = None
        if ag is not None and mode == _REPLAY:
            old = self._replay(job, ag)
        elif ag is not None and mode == _CANCELLED:
            old = self._before_cancel(job, ag)
        values = compute(self._input(job, None, status, priority, resolved), ag,
                         self.calendars, self.now, old)
        return tuple(values[c] for c in CLOCK_COLUMNS)

    @staticmethod
    def _input(job: tuple, t: int | None, status: str, priority: str, resolved: int | None):
        """What the clocks are computed from, as known at ``t`` (None: now): a wait still
        open at ``t`` has no end yet; a reopen's pause exists from the reopening."""
        from isvc.domain.clocks import ClockInput

        _, created, _, _, fr, _, waits, _, _ = job
        pauses = []
        for started, ended, kind in waits:
            if t is None:
                pauses.append((_iso(started), None if ended is None else _iso(ended)))
            elif kind == "reopen":
                if ended <= t:
                    pauses.append((_iso(started), _iso(ended)))
            elif started <= t:
                pauses.append((_iso(started),
                               _iso(ended) if ended is not None and ended <= t else None))
        return ClockInput(
            created_at=_iso(created), priority=priority, status=status,
            first_response_at=_iso(fr) if fr is not None and (t is None or fr <= t) else None,
            resolved_at=_iso(resolved) if resolved is not None else None,
            pauses=tuple(pauses))

    def _at(self, job: tuple, ag, t: int, status: str, priority: str, resolved: int | None,
            old: dict | None) -> dict:
        from isvc.domain.clocks import compute

        return compute(self._input(job, t, status, priority, resolved), ag, self.calendars,
                       datetime.fromtimestamp(t, timezone.utc), old)

    def _replay(self, job: tuple, ag) -> dict | None:
        """The columns after the last event, recomputed as the services do
        (services.sla.recompute) after each command that can move them: filing, a public
        reply (with the status change it causes), a status change, a priority edit."""
        events = job[7]
        priority = next((e[3] for e in events if e[1] == "edit" and e[2] == "priority"), job[3])
        status, resolved, old, moved = "new", None, None, False
        for i, (t, kind, field, from_, to, _, _) in enumerate(events):
            if kind == "status":
                if to == "resolved":
                    resolved = t
                elif from_ == "resolved":
                    resolved = None
                status, moved = to, True
            elif kind in ("filed", "reply"):
                moved = True
            elif kind == "edit" and field == "priority":
                priority, moved = to, True
            if moved and (i + 1 == len(events) or not _caused(events[i], events[i + 1])):
                moved = False
                if status in ("resolved", "closed") and old and old["res_met"] is not None:
                    continue   # a stopped resolution clock keeps its verdict
                old = self._at(job, ag, t, status, priority, resolved, old)
        return old

    def _before_cancel(self, job: tuple, ag) -> dict | None:
        """The columns after the last event before the cancellation that recomputed them.
        The clocks ran until then, so one computation at that instant records what every
        earlier one did (a breach is a due time that passed while they ran)."""
        status, t = "new", None
        for at, kind, _, _, to, _, _ in job[7]:
            if kind == "status":
                if to == "cancelled":
                    break
                status, t = to, at
            elif kind in ("filed", "reply"):
                t = at
        if t is None:
            return None
        # a request is cancelled only while open (never while resolved)
        return self._at(job, ag, t, status, job[3], None, None)


class _Timeline:
    """Journal events and waits from many requests, released in time order.

    Each request's rows are known when it is simulated, but they happen over its life;
    they are released once the next request's creation instant passes them, so event ids
    follow time across the whole desk, as they do when the services write them. Rows
    sit in buckets of 2^BITS seconds, sorted when the bucket is released (cheaper than
    a heap: one append per row).
    """

    BITS = 9

    def __init__(self) -> None:
        self.buckets: dict[int, list[tuple]] = {}
        self.next_key = None        # the first bucket not yet released
        self.seq = 0

    def add(self, t: int, row: tuple) -> None:
        self.seq += 1
        key = t >> self.BITS
        bucket = self.buckets.get(key)
        if bucket is None:
            self.buckets[key] = [(t, self.seq, row)]
        else:
            bucket.append((t, self.seq, row))

    def release(self, until: int, events: list, waits: list) -> None:
        """Move every row strictly before ``until``'s bucket to the insert buffers (no
        row can arrive there any more: new rows are never older than ``until``)."""
        end = until >> self.BITS
        key = self.next_key if self.next_key is not None else end
        if self.buckets and key < end:
            if len(self.buckets) < end - key:
                keys = sorted(k for k in self.buckets if k < end)
            else:
                keys = [k for k in range(key, end) if k in self.buckets]
            for k in keys:
                for _, _, row in sorted(self.buckets.pop(k)):
                    (events if len(row) == 9 else waits).append(row)
        self.next_key = end

    def release_all(self, events: list, waits: list) -> None:
        if self.buckets:
            self.release(max(self.buckets) + 1 << self.BITS, events, waits)


# -- feedback: ratings both ways, and thanks at closure ------------------------------------
#
# Given while the requests are simulated (build_requests calls _Feedback for each one, from
# its own random streams): the journal is append-only and its ids follow time, so these
# events go out with the request's own, through the timeline. A kudos event names its
# kudos id, and ids follow time too; so the colleagues' kudos (not tied to a request) are
# planned first, and each thanks is numbered as the timeline releases it. build_kudos,
# after, writes the kudos rows and the settings.

VALUES = ("ownership", "teamwork", "customer-first", "craft", "candour")
ALLOWANCE = 5                # kudos.allowance_per_week: the organisation's weekly allowance
KUDOS_PER_REQUESTS = 9       # about one kudos per 9 requests (per 8 closed) ...
KUDOS_PER_WEEK = 30          # ... and no more than about one per person and week
THANKS_SHARE = 0.4           # of the kudos: thanks at closure, tied to the request
REQUESTER_CLOSES = 0.35      # share of requests their requester closes (_Generator._close)
# Share of resolved requests whose requester rates the service (engineers rate least).
RESPONSE_RATE = {"it": 0.72, "facilities": 0.66, "hr": 0.62, "payroll": 0.68,
                 "purchasing": 0.58, "platform": 0.55}
# Share of resolved requests the provider rates as a request ("was everything there?").
PROVIDER_RATES = {"it": 0.3, "facilities": 0.2, "hr": 0.3, "payroll": 0.35,
                  "purchasing": 0.3, "platform": 0.45}
# Customer teams whose requests often lack something (one more question, half the time).
_VAGUE = {"sales": 0.5, "marketing": 0.4, "finance": 0.15}

# Requester's score (weights of 1..5) by friction: reopened, came back as a follow-up, late
# against the agreement, needed several answers from them; thanked at closing.
_SERVICE = (_cumulative((3, 4, 9, 30, 54)), _cumulative((7, 9, 18, 34, 32)),
            _cumulative((12, 16, 24, 28, 20)), _cumulative((22, 22, 24, 20, 12)))
_SERVICE_THANKED = _cumulative((0, 0, 2, 18, 80))
# Provider's score of the request by how many questions it took.
_QUALITY = (_cumulative((1, 3, 10, 38, 48)), _cumulative((3, 10, 35, 35, 17)),
            _cumulative((10, 25, 35, 22, 8)))

SERVICE_COMMENTS = {
    5: ("Quick and friendly, thank you!", "Sorted before I had finished my coffee.",
        "Clear updates all the way through.", "Exactly what I needed, first time.",
        "{first} explained what went wrong and how to avoid it — really helpful."),
    4: ("Good, though it took a couple of days.",
        "All fine in the end; a heads-up on the timing would have helped.",
        "Solved; the first suggestion didn't work but the second did."),
    3: ("Solved, but I had to chase it.", "OK in the end, but it took longer than I expected.",
        "Fixed, though I didn't notice it was waiting on me."),
    2: ("Took over a week and I had to ask twice for an update.",
        "The fix only lasted a day, so I had to reopen it."),
    1: ("Closed without really fixing it; I had to write again.",
        "Days without an answer, then it was closed."),
}
RERATE_COMMENTS = ("Works for now; let's see if it holds.", "Better, but not quite there yet.")
RERATED_COMMENTS = ("Still working fine a few days on — thanks!",
                    "It has held up since, so I'm upgrading my rating.")
QUALITY_COMMENTS = {
    5: ("Everything we needed was in the first message.",
        "Screenshots and the asset tag up front — made it quick."),
    4: ("Clear; only one detail was missing.", "Good description, one quick question."),
    3: ("Had to ask for the details before we could start.",
        "The manager's approval was missing at first."),
    2: ("Took two rounds of questions to learn what was needed.",
        "No error message or screenshot; lots of back and forth."),
    1: ("Nothing to go on until we called; please use the request template.",),
}
# `request close N --thanks "..."`: to the assignee, by the team that served it ...
THANKS_KUDOS = {
    "it": ("Thanks {first} for sorting this out so quickly — I was back at work within the hour.",
           "{first}, thank you for explaining what went wrong and how to avoid it next time.",
           "Thanks {first} for keeping me posted the whole way; it made the wait easy."),
    "hr": ("Thanks {first} for handling this with so much care — the paperwork felt easy.",
           "Thanks {first} for the quick turnaround; I had everything the next morning."),
    "payroll": ("Thanks {first} for getting to the bottom of my payslip and fixing it in this "
                "month's run.",
                "Thanks {first} for explaining every line — I finally understand my payslip."),
    "facilities": ("Thanks {first} for coming by within minutes and fixing it on the spot.",
                   "Thanks {first} — everything was ready before the client arrived."),
    "purchasing": ("Thanks {first} for chasing the supplier until it arrived on time.",
                   "Thanks {first} for finding a cheaper offer and still making the deadline."),
    "platform": ("Thanks {first} for unblocking our release in the middle of the sprint.",
                 "Thanks {first} for pairing with us on this and for the clear write-up after."),
}
# ... and to the team when nobody owns the request
TEAM_THANKS = ("Thanks to everyone in {team} for sorting this out so quickly.",
               "Thank you {team} — fixed faster than I could have hoped.")

# Kudos between colleagues: help across teams (by the receiver's team), within a team, to a
# whole team, and private ones.
LATERAL_KUDOS = {
    "it": ("Thanks {first} for setting up the screen in {room} ten minutes before the client "
           "pitch.",
           "Thanks {first} for staying late to get our new starter's laptop ready; day one went "
           "smoothly.",
           "{first}, thank you for showing our whole team the password manager — no more sticky "
           "notes."),
    "hr": ("Thanks {first} for walking me through the parental leave paperwork; it felt much "
           "less daunting.",
           "Thanks {first} for organising the onboarding week; our new hires loved the buddy "
           "lunches."),
    "payroll": ("Thanks {first} for going through my overtime line by line and explaining the "
                "difference.",
                "Thanks {first} for double-checking the bank export file with us — we caught the "
                "bad column before the bank did."),
    "facilities": ("Thanks {first} for rearranging {room} for the all-hands at short notice.",
                   "Thanks {first} for sorting out the standing desk so fast; my back thanks you "
                   "too."),
    "purchasing": ("Thanks {first} for getting three quotes in a day — we made the budget "
                   "deadline.",
                   "Thanks {first} for chasing the supplier until the monitors arrived before "
                   "the new starters."),
    "platform": ("Thanks {first} for pairing with us on the flaky deploy; we learnt a lot about "
                 "readiness probes.",
                 "Thanks {first} for the late-night rollback; customers never noticed a thing."),
    "engineering": ("Thanks {first} for the little script that saves us an hour of report "
                    "formatting every Monday.",
                    "Thanks {first} for explaining the pricing engine to us in plain words."),
    "sales": ("Thanks {first} for bringing the customer's feedback straight to us; it shaped the "
              "next release.",
              "Thanks {first} for introducing us to the supplier's account manager; the renewal "
              "went much smoother."),
    "finance": ("Thanks {first} for untangling the cost centres before quarter end.",
                "Thanks {first} for approving the invoices the same day so the supplier could "
                "ship."),
    "marketing": ("Thanks {first} for the onboarding poster — new starters actually read it.",
                  "Thanks {first} for rewriting our how-to pages; far fewer questions since."),
}
TEAMMATE_KUDOS = (
    "Thanks {first} for covering my queue on Friday afternoon so I could make it to the school "
    "play.",
    "Thanks {first} for the thorough review; the handover notes are much clearer now.",
    "Thanks {first} for swapping on-call with me at short notice.",
    "Thanks {first} for the honest feedback on my draft; it is a much better proposal now.",
    "Thanks {first} for mentoring our new colleague through their first month.",
)
TEAM_KUDOS = {
    "facilities": ("Thanks for the office move over the weekend — everything was plugged in and "
                   "working on Monday.",
                   "Thanks for keeping the building cool through the heatwave."),
    "it": ("Thanks for the smooth laptop refresh; not a single lost file.",
           "Thanks for the phishing drill and the clear follow-up — we all learnt something."),
    "payroll": ("Thanks for getting the bonus run right on the first try this quarter.",),
    "hr": ("Thanks for the wellbeing week; the workshops were genuinely useful.",),
    "purchasing": ("Thanks for renegotiating the coffee contract; the new beans are great.",),
    "platform": ("Thanks for the zero-downtime database upgrade last night.",),
}
_TEAM_WEIGHTS = (("facilities", 3), ("it", 3), ("payroll", 2), ("hr", 2), ("platform", 2),
                 ("purchasing", 1))
PRIVATE_KUDOS = (
    "Thanks {first} for listening yesterday and for the honest advice; it helped more than you "
    "know.",
    "Thanks {first} for backing me up in that difficult customer call.",
)
# (value, weight) per kind of kudos; None: no value named
_KUDOS_VALUES = {
    "thanks": (("customer-first", 4), ("ownership", 2), ("craft", 2), (None, 2)),
    "lateral": (("teamwork", 4), ("customer-first", 2), ("ownership", 2), ("craft", 1), (None, 1)),
    "teammate": (("teamwork", 35), ("ownership", 25), ("candour", 15), ("craft", 15), (None, 10)),
    "team": (("teamwork", 3), ("ownership", 3), ("customer-first", 2), ("craft", 1), (None, 1)),
    "private": (("candour", 5), ("teamwork", 3), (None, 2)),
}

_PRIMARY = {h: (teams[0] if teams else None) for h, _, teams in PEOPLE}
_TEAMS_OF = {h: frozenset(teams) for h, _, teams in PEOPLE}
_FIRST = {h: n.split()[0] for h, n, _ in PEOPLE}
_COLLEAGUES = tuple(h for h, _, teams in PEOPLE if teams)   # active people (not the automation)


def _weighted(rng: random.Random, pairs: tuple) -> object:
    total = sum(w for _, w in pairs)
    x = rng.random() * total
    for item, w in pairs:
        x -= w
        if x < 0:
            return item
    return pairs[-1][0]


def _score(rng: random.Random, cw: list[float]) -> int:
    return 1 + bisect_right(cw, rng.random() * cw[-1])


def _kudos(t: int, giver: str, to_kind: str, handle: str, message: str, value: str | None, *,
           request: int | None = None, request_team: str | None = None,
           private: bool = False) -> dict:
    """One kudos as services.kudos.give records it (primary teams when given, lateral by
    isvc.domain.kudos.is_lateral); its id comes when all are known (build_kudos)."""
    from isvc.domain.kudos import is_lateral

    giver_team = _PRIMARY[giver]
    recipient_team = _PRIMARY[handle] if to_kind == "person" else handle
    return {"t": t, "giver": giver, "recipient": handle, "to_kind": to_kind,
            "message": message, "value": value, "request": request,
            "lateral": is_lateral(to_kind, giver_team, recipient_team, request_team,
                                  _TEAMS_OF[giver]),
            "private": private, "giver_team": giver_team, "recipient_team": recipient_team,
            "retracted": None}


def _label(k: dict) -> str:
    return k["recipient"] if k["to_kind"] == "person" else f"+{k['recipient']}"


class _Giving:
    """Kudos given per person and giving week, kept within the allowance. Weeks start
    Monday 00:00 in Bucharest; kudos are given in office hours, so the weeks are the
    same in UTC. The demo user keeps two of the current week's for the tour's try-it line."""

    def __init__(self, cal: _Calendar, now: int):
        self.cal = cal
        self.counts: dict[tuple[str, date], int] = {}
        self.this_week = self.week(now)

    def week(self, t: int) -> date:
        day = self.cal.dates[self.cal.day(t)]
        return day - timedelta(days=day.weekday())

    def take(self, giver: str, t: int) -> bool:
        key = (giver, self.week(t))
        limit = ALLOWANCE - 2 if giver == DEMO_USER and key[1] == self.this_week else ALLOWANCE
        used = self.counts.get(key, 0)
        if used >= limit:
            return False
        self.counts[key] = used + 1
        return True


class _Feedback:
    """What requesters and providers say about finished requests, as the services record it:

    - the requester's rating of the service (`request rate N 1-5 [-m]`, a public
      ``rating`` event, field ``requester``) on most resolved and closed requests, after
      the last resolution: right after closing it, or in the days after; mostly 4-5, lower
      when the request was reopened, came back as a follow-up or took long; a few rated
      twice (the second replaces the first; both journaled, the second "from" the first);
    - the provider's rating of the request (`request rate N --as-provider`, an internal
      event, field ``provider``) on a share, by whoever resolved it: lower when the team
      had to ask for what was missing, and for customer teams that often leave things out;
    - thanks at closure (`request close N --thanks "..."`): some requesters who close their
      own request thank its assignee (its team when nobody owns it): the close event
      without a message and, at the same instant, a ``kudos`` event whose field is the
      kudos id, given when the timeline releases it (``number``).

    A rating moves the request's updated_at, a kudos does not (as the services do).
    """

    def __init__(self, ctx: DemoContext, gen: "_Generator"):
        self.rng, self.gen, self.now = ctx.rng("feedback"), gen, gen.now
        self.giving = _Giving(gen.cal, gen.now)
        total = min(ctx.requests / KUDOS_PER_REQUESTS, KUDOS_PER_WEEK * gen.days / 7)
        # the share of requesters' closes that thank (~90% of the requests end closed)
        self.p_thanks = THANKS_SHARE * total / (REQUESTER_CLOSES * 0.9 * ctx.requests)
        # the colleagues' kudos, in time order (they take their allowance first)
        self.planned = _plan_kudos(ctx, gen.cal, self.giving,
                                   round((1 - THANKS_SHARE) * total))
        self.next_planned, self.next_id = 0, 1
        self.thanks: dict[int, dict] = {}  # request number -> its thanks, until numbered
        self.ratings: list[tuple] = []     # bulk.RATING_COLUMNS; build_requests flushes them
        self.kudos: list[dict] = []        # every kudos, numbered, for build_kudos
        self.rated = 0
        self.shown = None                  # the latest request closed with public thanks, rated

    def number(self, events: list[tuple]) -> None:
        """Kudos ids into the thanks' events among ``events`` (released, in time order):
        every kudos is numbered in time order, a planned one before a thanks of the same
        second."""
        if not self.thanks:
            return
        for i, row in enumerate(events):
            if row[3] == "kudos":
                k = self.thanks.pop(row[0])
                self._number_until(k["t"])
                self._number(k)
                events[i] = row[:4] + (str(k["id"]),) + row[5:]

    def _number(self, k: dict) -> None:
        k["id"] = self.next_id
        self.next_id += 1
        self.kudos.append(k)

    def _number_until(self, t: int) -> None:
        planned = self.planned
        while self.next_planned < len(planned) and planned[self.next_planned]["t"] <= t:
            self._number(planned[self.next_planned])
            self.next_planned += 1

    def facts(self) -> dict:
        """For build_kudos, once every request's events are out."""
        assert not self.thanks, "every thanks is numbered as its event is released"
        self._number_until(FAR)
        return {"kudos": self.kudos, "thanks": sum(k["request"] is not None for k in self.kudos),
                "ratings": self.rated, "shown": self.shown}

    def request(self, sim: _Sim, follow_up: bool) -> list[tuple]:
        """Feedback on one simulated request (``follow_up``: its requester will write
        again after closure). Takes the message off a close that thanks; returns the
        journal events to add after the request's own, as (t, row)."""
        if sim.resolved is None or sim.status not in ("resolved", "closed"):
            return []
        extra: list[tuple] = []
        closing = self._requester_close(sim)
        thanked = closing is not None and self._thanks(sim, closing, extra)
        if self._rate_service(sim, closing, follow_up, thanked, extra) and thanked \
                and not self.thanks[sim.number]["private"]:
            self.shown = sim.number
        self._rate_request(sim, extra)
        for t, row in extra:
            if row[3] == "rating" and t > sim.updated:
                sim.updated = t
        return extra

    @staticmethod
    def _requester_close(sim: _Sim) -> tuple[int, int] | None:
        """(index, instant) of the close event when the requester closed it."""
        for i in range(len(sim.events) - 1, 0, -1):
            t, row = sim.events[i]
            if row[3] == "status" and row[6] == "closed":
                return (i, t) if row[2] == sim.requester else None
        return None

    def _thanks(self, sim: _Sim, closing: tuple[int, int], extra: list) -> bool:
        rng = self.rng
        i, t = closing
        row = sim.events[i][1]
        if rng.random() >= self.p_thanks * (1.4 if row[7] else 0.4):  # "Works now, thanks!"
            return False
        giver, owner = sim.requester, sim.assignee
        if owner is not None and owner in _FIRST and _PRIMARY[owner] and owner != giver:
            to_kind, handle = "person", owner
            message = rng.choice(THANKS_KUDOS[sim.team]).format(first=_FIRST[owner])
        else:
            to_kind, handle = "team", sim.team
            message = rng.choice(TEAM_THANKS).format(team=self.gen.team_names[sim.team])
        value = _weighted(rng, _KUDOS_VALUES["thanks"])
        private = rng.random() < 0.05
        if not self.giving.take(giver, t):
            return False
        k = _kudos(t, giver, to_kind, handle, message, value, request=sim.number,
                   request_team=sim.team, private=private)
        self.thanks[sim.number] = k
        sim.events[i] = (t, row[:7] + (None,) + row[8:])    # --thanks instead of -m
        extra.append((t, (sim.number, _iso(t), giver, "kudos", None, None,
                          None if private else _label(k), None if private else message,
                          int(private))))
        return True

    def _rate(self, sim: _Sim, side: str, t: int, rater: str, score: int,
              comment: str | None, previous: int | None, extra: list) -> None:
        extra.append((t, (sim.number, _iso(t), rater, "rating", side,
                          None if previous is None else str(previous), str(score), comment,
                          int(side == "provider"))))

    def _rate_service(self, sim: _Sim, closing, follow_up: bool, thanked: bool,
                      extra: list) -> bool:
        rng = self.rng
        if rng.random() >= (0.95 if thanked else RESPONSE_RATE.get(sim.team, 0.6)):
            return False
        # right after closing it (always, when closing with thanks: the same happy moment)
        if closing is not None and (rng.random() < 0.7 or thanked):
            t = closing[1] + rng.randint(20, 900)
        else:
            t = self.gen.cal.add(sim.resolved, rng.randint(10, 1800))   # in the days after
        if t > self.now:
            return False
        # late against the agreement's resolution target (a business minute is ~252 s of
        # the week: 5 days of 8 hours in 7 days)
        took = (sim.resolved - sim.created) / (252 * self.gen._targets(
            sim.team, sim.requester, sim.priority)[1])
        friction = (2 * any(w[3] == "reopen" for w in sim.waits) + 2 * follow_up
                    + (took > 0.8) + (took > 1.3)
                    + (sum(w[3] == "requester" for w in sim.waits) >= 2))
        score = _score(rng, _SERVICE_THANKED if thanked else _SERVICE[min(friction, 3)])
        comment = None
        if rng.random() < (0.3 if score >= 4 else 0.6):
            who = _FIRST.get(sim.assignee or "", "The team")
            comment = rng.choice(SERVICE_COMMENTS[score]).format(first=who)
        previous = None
        if score >= 4 and rng.random() < 0.04:      # rated at once, then again once it held
            again = t + rng.randint(3600, 5 * 86400)
            if again <= self.now:
                previous = score - 1 - (rng.random() < 0.4)
                self._rate(sim, "requester", t, sim.requester, previous,
                           rng.choice(RERATE_COMMENTS), None, extra)
                t, comment = again, rng.choice(RERATED_COMMENTS)
        self._rate(sim, "requester", t, sim.requester, score, comment, previous, extra)
        self.ratings.append((sim.number, "requester", score, comment, sim.requester, _iso(t)))
        self.rated += 1
        return True

    def _rate_request(self, sim: _Sim, extra: list) -> None:
        rng = self.rng
        if rng.random() >= PROVIDER_RATES.get(sim.team, 0.3):
            return
        rater = next((row[2] for _, row in reversed(sim.events)
                      if row[3] == "status" and row[6] == "resolved"), None)
        if rater is None or rater == sim.requester or rater not in _FIRST:
            return
        t = sim.resolved + rng.randint(60, 5400)     # as they resolve it
        if t > self.now:
            return
        asked = sum(w[3] == "requester" for w in sim.waits)
        if rng.random() < _VAGUE.get(_PRIMARY[sim.requester], 0.0):
            asked += 1
        score = _score(rng, _QUALITY[min(asked, 2)])
        comment = rng.choice(QUALITY_COMMENTS[score]) if rng.random() < 0.35 else None
        self._rate(sim, "provider", t, rater, score, comment, None, extra)
        self.ratings.append((sim.number, "provider", score, comment, rater, _iso(t)))
        self.rated += 1


def build_requests(ctx: DemoContext) -> None:
    """N requests with their journals and clocks, simulated up to the clock and
    bulk-inserted in chunks (all inside the one transaction of the build)."""
    sla = ctx.facts.get("sla") or {}
    clocks = _Clocks(sla.get("calendars", {}), sla.get("agreements", {}), ctx.now)
    gen = _Generator(ctx, ctx.rng("requests"))
    feedback = _Feedback(ctx, gen)
    conn = ctx.conn
    requests_buf: list[tuple] = []
    jobs: list[tuple] = []              # the clock jobs of requests_buf's rows
    tags_buf: list[tuple] = []
    watchers_buf: list[tuple] = []
    links_buf: list[tuple] = []
    events_buf: list[tuple] = []
    waits_buf: list[tuple] = []
    timeline = _Timeline()
    closed_info: dict[int, dict] = {}   # what a follow-up needs of a closed request
    touched: dict[int, int] = {}        # updated_at moved by a later wait on the request
    showcase: dict[str, int] = {}
    explain_since = gen.now - 30 * 86400

    def flush() -> None:
        # requests first (with their clocks): the events and waits released so far point
        # at them
        bulk.insert_requests(conn, [row + clock for row, clock in
                                    zip(requests_buf, clocks.rows(jobs))])
        bulk.insert_tags(conn, tags_buf)
        bulk.insert_watchers(conn, watchers_buf)
        bulk.insert_links(conn, links_buf)
        feedback.number(events_buf)
        bulk.insert_events(conn, events_buf)
        bulk.insert_waits(conn, waits_buf)
        bulk.insert_ratings(conn, feedback.ratings)
        for buf in (requests_buf, jobs, tags_buf, watchers_buf, links_buf, events_buf, waits_buf,
                    feedback.ratings):
            buf.clear()

    total = ctx.requests
    busiest = (0, 1)
    number = 0
    for created, story in gen.arrivals(gen.stories()):
        timeline.release(created, events_buf, waits_buf)
        number += 1
        type_ = None
        if story is not None:
            sim, title, type_, channel, fields = story(number, created)
            showcase[story.__name__.removeprefix("_story_")] = number
            # what a follow-up's life draws on: the template of its kind of request
            tpl = max(TEMPLATES[sim.team], key=lambda t: (t.type == type_,
                                                          bool(set(t.tags) & set(sim.tags))))
        elif gen.pending and gen.pending[0][0] <= created:
            _, _, old_number = heapq.heappop(gen.pending)
            old = closed_info.pop(old_number)
            sim = gen.follow_up(number, created, old)
            tpl, x = old["tpl"], _Text(gen, old["requester"], created, old["team"])
            title = old["title"] if old["title"].lower().startswith("follow-up") \
                else f"Follow-up: {old['title']}"
            title, type_, channel, fields = title[:200], old["type"], old["channel"], {}
            links_buf.append((number, old_number, "follow_up", _iso(created), sim.requester))
            timeline.add(created, (old_number, _iso(created), sim.requester, "link", "follow_up",
                                   None, str(number), f"a reply after closed filed #{number}", 0))
            gen.live(sim, tpl, x)
        else:
            sim, tpl, x, title, channel, fields = gen.natural(number, created)
            type_ = tpl.type
            gen.live(sim, tpl, x)
        follow_up = gen.last_pushed == number     # its requester will reply after closure
        if follow_up:
            closed_info[number] = {
                "number": number, "team": sim.team, "requester": sim.requester,
                "priority": sim.priority, "tags": sorted(sim.tags), "tpl": tpl,
                "title": title, "type": type_, "channel": channel}
        for tag in sim.tags:
            gen.by_tag[tag] = number
        recent = gen.recent[sim.team]
        recent.append(number)
        if len(recent) > 30:
            del recent[0]
        if story is None and len(sim.events) > busiest[0]:
            busiest = (len(sim.events), number)
        feedback_events = feedback.request(sim, follow_up)   # before the row: updated_at
        requests_buf.append((
            number, title, sim.events[0][1][7] or "", sim.status, sim.priority,
            _RANK[sim.priority], sim.team, type_, sim.requester, sim.assignee,
            json.dumps(fields, sort_keys=True) if fields else "{}", channel,
            sim.waiting_on, _iso(created), _iso(sim.updated),
            _iso(sim.first_response) if sim.first_response is not None else None,
            _iso(sim.resolved) if sim.resolved is not None else None,
            _iso(sim.closed) if sim.closed is not None else None,
        ))
        jobs.append(gen.clock_job(sim))
        if created >= explain_since and (story is None or story == gen._story_vpn):
            gen.consider_for_explain(sim, preferred=story is not None)
        tags_buf.extend((number, tag) for tag in sorted(set(sim.tags)))
        watchers_buf.extend((number, who) for who in sorted(set(sim.watchers)))
        gen.offer(sim, type_, title)
        for t, other, actor, _, _, _ in sim.blocked:   # the waited-on side, journaled first
            links_buf.append((other.number, number, "blocks", _iso(t), actor))
            timeline.add(t, (other.number, _iso(t), actor, "link", "blocks", None, str(number),
                             f"blocks #{number}", 0))
            if t > touched.get(other.number, other.updated):
                touched[other.number] = t
        for t, row in sim.events:
            timeline.add(t, row)
        for _, other, _, resumed, by, _ in sim.blocked:
            if resumed is not None:
                timeline.add(resumed, (other.number, _iso(resumed), by, "link", "waiting_on",
                                       None, str(number), f"resumed #{number}", 0))
        for t, row in feedback_events:      # after the request's own: a kudos follows its close
            timeline.add(t, row)
        for started, ended, reason, kind in sim.waits:
            on = next((b[1].number for b in sim.blocked if b[0] == started), None) \
                if kind == "request" else None
            timeline.add(started, (number, _iso(started), None if ended is None else _iso(ended),
                                   on, reason, kind))
        if number % CHUNK == 0:
            flush()
            if ctx.progress:
                ctx.progress(number, total)
    timeline.release_all(events_buf, waits_buf)
    flush()
    if touched:
        from isvc.store.requests import update_request

        for n, t in sorted(touched.items()):
            update_request(conn, n, updated_at=_iso(t))
    if ctx.progress:
        ctx.progress(number, total)
    ctx.facts["requests"] = {
        "count": number, "history_days": gen.days, "showcase": showcase,
        "interesting": showcase.get("vpn", busiest[1]),
        "explain": gen.explain[1] if gen.explain else showcase.get("vpn", busiest[1]),
        "explain_weekend": gen.explain is not None,
        "ripple": showcase.get("rack"),      # the middle of the showcase waiting chain
    }
    ctx.facts["feedback"] = feedback.facts()   # for build_kudos, which takes it


# -- kudos -------------------------------------------------------------------------------

def build_kudos(ctx: DemoContext) -> None:
    """The company values and the weekly allowance (set up with the organisation), and
    the kudos of the history, numbered in time order: the thanks at closure and the
    colleagues' kudos _Feedback planned and gave while the requests were simulated (see
    _plan_kudos). The retraction is in the audit log, as `kudos retract` leaves it."""
    from isvc.services.kudos import VALUES_SETTING
    from isvc.store import directory

    feedback = ctx.facts.pop("feedback", None)
    if feedback is None:
        return
    conn = ctx.conn
    at, founder = ctx.facts["org"]["created_at"], ADMINS[0]
    directory.set_setting(conn, VALUES_SETTING, list(VALUES))
    directory.set_setting(conn, "kudos.allowance_per_week", ALLOWANCE)  # `kudos policy`
    audit = [(at, founder, "kudos.values", VALUES_SETTING,
              json.dumps({"from": [], "to": list(VALUES)})),
             (at, founder, "kudos.policy", "kudos",
              json.dumps({"allowance_per_week": ALLOWANCE, "require_value": None}))]
    given = feedback["kudos"]
    rows = []
    for k in given:
        gone = k["retracted"]
        rows.append((k["id"], k["giver"], k["recipient"], k["to_kind"], k["message"],
                     k["value"], k["request"], int(k["lateral"]), int(k["private"]),
                     k["giver_team"], k["recipient_team"], _iso(k["t"]),
                     _iso(gone) if gone else None, k["giver"] if gone else None))
        if gone:
            audit.append((_iso(gone), k["giver"], "kudos.retract", f"kudos #{k['id']}",
                          json.dumps({"to": _label(k), "request": k["request"],
                                      "given_at": _iso(k["t"])})))
    bulk.insert_kudos(conn, rows)
    bulk.insert_audit(conn, audit)
    ctx.facts["kudos"] = {
        "values": list(VALUES), "allowance_per_week": ALLOWANCE, "count": len(given),
        "thanks": feedback["thanks"], "lateral": sum(k["lateral"] for k in given),
        "private": sum(k["private"] for k in given),
        "retracted": sum(k["retracted"] is not None for k in given),
        "thanked": feedback["shown"],
        "ratings": feedback["ratings"],
    }


def _plan_kudos(ctx: DemoContext, cal: _Calendar, giving: _Giving, count: int) -> list[dict]:
    """The kudos not tied to a request, in time order, from their own random stream: a
    few showcase ones in the last days, then colleagues' kudos up to ``count`` over the
    history's working days: across teams (lateral), within a team, to whole teams, a
    couple private, and one sent to the wrong colleague and retracted minutes later.
    Each within its giver's weekly allowance; nobody thanks themselves."""
    rng = ctx.rng("kudos")
    now = int(ctx.now.timestamp())
    start = now - history_days(ctx.requests) * 86400
    given = []
    if ctx.requests >= 50:          # the stories they speak of (see _Generator.stories)
        given += _showcase_kudos(cal, giving, start, now)
    workdays = [d for d in range(cal.day(start), cal.day(now) + 1) if cal.work[d]]
    n = max(0, count - len(given))
    private = min(n, 2 if n < 60 else round(0.03 * n))
    for i in range(n):
        kind = ("private" if rng.random() * (n - i) < private else
                _weighted(rng, (("lateral", 35), ("teammate", 40), ("team", 25))))
        for _ in range(20):
            k = _colleague_kudos(rng, kind, cal, workdays, start, now)
            if k is not None and giving.take(k["giver"], k["t"]):
                given.append(k)
                private -= kind == "private"
                break
    retracted = _retracted(rng, given, giving, start)
    if retracted is not None:
        given.append(retracted)
    given.sort(key=lambda k: k["t"])   # stable: ties keep the order they were planned in
    return given


def _at_work(rng: random.Random, cal: _Calendar, workdays: list[int], start: int,
             now: int) -> int | None:
    """An instant in office hours on a working day of the history."""
    for _ in range(20):
        t = cal.base[rng.choice(workdays)] + rng.randint(9 * 3600 + 600, 17 * 3600 + 1800)
        if start <= t <= now:
            return t
    return None


def _colleague_kudos(rng: random.Random, kind: str, cal: _Calendar, workdays: list[int],
                     start: int, now: int) -> dict | None:
    t = _at_work(rng, cal, workdays, start, now) if workdays else None
    if t is None:
        return None
    giver = rng.choice(_COLLEAGUES)
    value = _weighted(rng, _KUDOS_VALUES[kind])
    if kind == "team":
        team = _weighted(rng, _TEAM_WEIGHTS)
        if team in _TEAMS_OF[giver] and rng.random() < 0.85:
            return None                        # mostly from the teams they served
        return _kudos(t, giver, "team", team, rng.choice(TEAM_KUDOS[team]), value)
    mine = _PRIMARY[giver]
    if kind == "lateral":
        pool = [h for h in _COLLEAGUES if _PRIMARY[h] != mine]
    elif kind == "teammate":
        pool = [h for h in _COLLEAGUES if _PRIMARY[h] == mine and h != giver]
    else:
        pool = [h for h in _COLLEAGUES if h != giver]
    if not pool:
        return None
    to = rng.choice(pool)
    if kind == "lateral":
        message = rng.choice(LATERAL_KUDOS[_PRIMARY[to]])
    else:
        message = rng.choice(TEAMMATE_KUDOS if kind == "teammate" else PRIVATE_KUDOS)
    message = message.format(first=_FIRST[to], room=rng.choice(_ROOMS))
    return _kudos(t, giver, "person", to, message, value, private=kind == "private")


def _showcase_kudos(cal: _Calendar, giving: _Giving, start: int, now: int) -> list[dict]:
    """The newest kudos on the wall the tour shows: the badge outage's team thanks, an
    IT engineer thanking Payroll for help with the bank export, a teammate's thanks."""
    badges = cal.workday_before(now, 5)
    last = cal.workday_before(now, 1)
    planned = [
        _kudos(cal.at(badges, 15, 10), "raluca", "team", "facilities",
               "Thanks for getting everyone through gate B by hand while the readers were down "
               "— nobody missed the 9:30 client call.", "customer-first"),
        _kudos(cal.at(last, 16, 20), "elena", "person", "bogdan",
               "Thanks Bogdan for going through the bank's export logs with me — we found the "
               "duplicate batch id pattern in an hour.", "teamwork"),
        _kudos(cal.at(last, 17, 5), "jim", "person", "tom",
               "Thanks Tom for taking my queue this afternoon so I could get to my daughter's "
               "school play.", "teamwork"),
    ]
    return [k for k in planned if start <= k["t"] <= now and giving.take(k["giver"], k["t"])]


def _retracted(rng: random.Random, given: list[dict], giving: _Giving,
               start: int) -> dict | None:
    """A kudos first sent to the wrong colleague (the right one's teammate) and retracted
    by its giver minutes later, before the right one went out."""
    candidates = [k for k in given if k["to_kind"] == "person" and k["request"] is None
                  and not k["private"] and k["lateral"]]
    rng.shuffle(candidates)
    for k in candidates:
        wrong = [h for h in _COLLEAGUES if _PRIMARY[h] == _PRIMARY[k["recipient"]]
                 and h not in (k["recipient"], k["giver"])]
        t = k["t"] - rng.randint(8, 30) * 60
        if not wrong or t < start or not giving.take(k["giver"], t):
            continue
        twin = _kudos(t, k["giver"], "person", rng.choice(wrong), k["message"], k["value"])
        twin["retracted"] = k["t"] - rng.randint(1, 5) * 60
        return twin
    return None


# -- the tour ---------------------------------------------------------------------------

def tour_basics(ctx: DemoContext) -> list[TourStep]:
    facts = ctx.facts["requests"]
    number = facts["interesting"]
    return [
        TourStep(f"isvc request show {number}",
                 "one request's journal: first reply, a wait on the requester, the answer "
                 "that resumes it, an internal note"),
        TourStep("isvc queue --mine", f"what {DEMO_USER} (you, in this demo) is working on"),
        TourStep("isvc request list --status waiting", "everything waiting on a requester"),
        TourStep("isvc request list --team payroll --since 14d", "a fortnight of Payroll's requests"),
        TourStep("isvc queue hr", "People & HR's queue"),
        TourStep("isvc team list", "teams with their members and open requests"),
        TourStep("isvc person list", f"who is who ({' and '.join(ADMINS)} are admins)"),
        TourStep("isvc db status", "the file and what it holds"),
    ]


def tour_sla(ctx: DemoContext) -> list[TourStep]:
    if "sla" not in ctx.facts:
        return []
    facts = ctx.facts["requests"]
    number = facts["explain"]
    story = ("how its due times were computed: business hours, the weekend, the wait on "
             "the requester" if facts.get("explain_weekend") else "how its due times were computed")
    return [
        TourStep("isvc agreement status",
                 "each agreement: open requests on track, at risk, breached; compliance, trend"),
        TourStep(f"isvc sla explain {number}", story),
        TourStep("isvc sla check", "for cron: clocks at risk or breached (exit 4 if breached)"),
        TourStep("isvc calendar show office", "office hours with a lunch break; public holidays"),
        TourStep("isvc agreement show platform", "targets, and who is on call out of hours"),
    ]


TRY_KUDOS = 'isvc kudos send @ana "Thanks for walking me through my payslip" --value teamwork'


def tour_kudos(ctx: DemoContext) -> list[TourStep]:
    facts = ctx.facts.get("kudos")
    if not facts:
        return []
    steps = [
        TourStep("isvc kudos wall", "the thanks, newest first: for what, which value, across "
                 "which teams"),
        TourStep("isvc kudos leaderboard --by team",
                 "kudos received and given per team, and the share that crossed teams"),
        TourStep("isvc satisfaction",
                 "CSAT per provider team; how complete each customer team's requests are"),
    ]
    if facts["thanked"]:
        steps.append(TourStep(f"isvc request show {facts['thanked']}",
                              "closed with thanks: the kudos on its journal, and a rating"))
    steps.append(TourStep(TRY_KUDOS, "try it: thank a colleague (5 a week; isvc kudos allowance)"))
    return steps


BUILD_STEPS: list[Callable[[DemoContext], None]] = [build_org, build_sla, build_requests,
                                                    build_kudos]


MAIL_REQUESTS = 2  # the demo mails that file requests (services/demo_mail.py)


def build_mail(ctx: DemoContext) -> None:
    """Mail in and notifications out, through the real intake (a desk of 50 requests or
    more: the mails speak of its people and requests)."""
    if not ctx.live:
        return
    from isvc.services.demo_mail import build_mail as build

    build(ctx)


def build_catalog(ctx: DemoContext) -> None:
    """Request types, knowledge-base articles and canned replies (services/demo_catalog.py)."""
    from isvc.services.demo_catalog import build_catalog as build

    build(ctx)


LIVE_STEPS: list[Callable[[DemoContext], None]] = [build_catalog, build_mail]
def tour_mail(ctx: DemoContext) -> list[TourStep]:
    facts = ctx.facts.get("mail")
    if not facts:
        return []
    return [
        TourStep("isvc mail list", "the mail taken in and what each became: requests, a "
                 "threaded reply, a quarantined auto-reply"),
        TourStep(f"isvc request show {facts['docking']}",
                 "filed by mail, a question, the answer that came back by mail and resumed it"),
        TourStep(f"isvc request attachments {facts['quote']}", "the supplier's quote, "
                 f"saved with isvc attachment save ID"),
        TourStep("isvc mail quarantine list", "what the intake kept out, and why"),
        TourStep("isvc notify list --status pending", "the outbox: what `isvc notify send` "
                 "delivers (configure [smtp] first)"),
    ]


def tour_catalog(ctx: DemoContext) -> list[TourStep]:
    if "catalog" not in ctx.facts:
        return []
    return [
        TourStep('isvc kb search "vpn password"', "the knowledge base: ranked answers with "
                 "the words found; `request new` offers them before filing"),
        TourStep("isvc type show purchasing/order", "what a purchase order must carry up front"),
        TourStep("isvc reply list", "canned replies that open, do and close politely"),
        TourStep("isvc customers --team it", "who asks IT for what: volume, urgent share, "
                 "needs-info round-trips"),
    ]


def tour_insight(ctx: DemoContext) -> list[TourStep]:
    """Waiting chains, the reports and the export (the HTML report: `report_file`)."""
    facts = ctx.facts["requests"]
    steps = []
    if facts.get("ripple"):
        steps += [
            TourStep(f"isvc ripple {facts['ripple']}", "a waiting chain across four teams: "
                     "what it waits on, who waits on it, the critical path marked"),
            TourStep("isvc ripple --team purchasing", "Purchasing's requests that others wait "
                     "on, most waited on first"),
        ]
    steps += [
        TourStep("isvc report", "the last 30 days per team: volume in and out, first response, "
                 "handling and resolution times, compliance, reopens, CSAT, lateral help"),
        TourStep("isvc report peak --team it", "when IT's requests arrive (weekday x hour) "
                 "against its office hours, and the share out of hours"),
        TourStep("isvc report recurring", "similar requests grouped, with what to do: "
                 "an article, or a problem request (--open-problem ID)"),
        TourStep("isvc export requests --since 7d --format csv", "a week of requests for a "
                 "spreadsheet (formula-safe CSV)"),
    ]
    return steps


TOUR_STEPS: list[Callable[[DemoContext], list[TourStep]]] = [tour_basics, tour_sla, tour_mail,
                                                             tour_catalog, tour_insight,
                                                             tour_kudos]
