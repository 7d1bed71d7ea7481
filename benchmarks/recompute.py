"""In-process: recompute the clocks of N open requests, as after a calendar edit.

    uv run python benchmarks/recompute.py [N] [--runs 3]

Builds a scratch desk with N open requests (Bucharest office hours with a lunch break
and holidays, an agreement, 30% with a finished wait on the requester) through the
store, then times, in process:
- the due times themselves: every request's two clocks (due and at-risk instants, the
  breach and verdict rules) computed by `isvc.domain.clocks.compute` from inputs already
  read — the engine's part, what "recompute the due times" costs;
- `isvc.services.sla.recompute` over all of them, SQL included: the first run rewrites
  every row, the later ones find the clocks current.
Prints one JSON object: medians in seconds, wall and CPU.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from isvc.domain.agreements import Agreement
from isvc.domain.models import Person, Priority, Request, Status
from isvc.services import sla
from isvc.store import directory, requests as rq, sla as st
from isvc.store.db import open_db, write

NOW = datetime(2026, 11, 23, 9, 30, tzinfo=timezone.utc)


def iso(d: datetime) -> str:
    return d.strftime("%Y-%m-%dT%H:%M:%SZ")


def build(path: Path, n: int):
    conn = open_db(path)
    rnd = random.Random(1)
    with write(conn):
        directory.insert_team(conn, "it", "IT", iso(NOW))
        directory.insert_person(conn, Person("ana", "Ana"), iso(NOW))
        week = {d: [["09:00", "12:30"], ["13:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
        st.save_calendar(conn, "office", {"tz": "Europe/Bucharest", "hours": week,
                                          "holidays": ["2026-11-30", "2026-12-01", "2026-12-25"]}, {}, iso(NOW))
        st.save_agreement(conn, Agreement(
            "std", "it", "office", {"urgent": 60, "high": 240, "normal": 480, "low": 960},
            {"urgent": 240, "high": 960, "normal": 2400, "low": 4800}), iso(NOW))
        for _ in range(n):
            created = NOW - timedelta(minutes=rnd.randrange(0, 60 * 24 * 20))
            number = rq.insert_request(conn, Request(0, "t", "", Status.IN_PROGRESS, rnd.choice(list(Priority)),
                                                     "it", "ana", iso(created), iso(created)))
            if rnd.random() < 0.3:
                rq.open_wait(conn, number, iso(created + timedelta(hours=2)), "which one?",
                             ended_at=iso(created + timedelta(hours=20)))
    return conn


def time_compute(conn, numbers: list[int], runs: int) -> tuple[list[float], list[float]]:
    """The clock computation alone, on inputs read once, as recompute() builds them."""
    from isvc.domain import clocks
    from isvc.store import sla as store

    inputs = store.clock_inputs_many(conn, numbers)
    pauses = store.pauses_for(conn, numbers)
    cals = sla.calendars(conn)
    agreement = store.matching_agreement(conn, "it", None)
    prepared = [(clocks.ClockInput(
        created_at=row["created_at"], priority=row["priority"], status=row["status"],
        first_response_at=row["first_response_at"], resolved_at=row["resolved_at"],
        pauses=tuple((w["started_at"], w["ended_at"]) for w in pauses[n])), row)
        for n, row in inputs.items()]
    walls, cpus = [], []
    for i in range(runs):
        now = NOW + timedelta(minutes=10 + i)
        wall, cpu = time.perf_counter(), time.process_time()
        for inp, row in prepared:
            clocks.compute(inp, agreement, cals, now, old=row)
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("n", nargs="?", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        conn = build(Path(tmp) / "recompute.db", args.n)
        numbers = [row[0] for row in conn.execute("SELECT number FROM requests")]
        first: dict = {}
        walls, cpus = [], []
        for i in range(args.runs + 1):
            wall, cpu = time.perf_counter(), time.process_time()
            with write(conn):
                changed = sla.recompute(conn, numbers, NOW + timedelta(minutes=i))
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            if i == 0:
                first = {"wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "changed": changed}
            else:
                walls.append(wall)
                cpus.append(cpu)
        compute_walls, compute_cpus = time_compute(conn, numbers, args.runs)
        conn.close()
    print(json.dumps({"requests": args.n,
                      "compute_median_wall_s": round(statistics.median(compute_walls), 3),
                      "compute_median_cpu_s": round(statistics.median(compute_cpus), 3),
                      "first_run_writes_all": first,
                      "median_wall_s": round(statistics.median(walls), 3),
                      "median_cpu_s": round(statistics.median(cpus), 3), "runs": args.runs}))


if __name__ == "__main__":
    main()
