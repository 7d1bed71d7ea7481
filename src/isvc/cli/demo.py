"""`isvc demo`: a realistic organisation in a throwaway database."""

from __future__ import annotations

import os

import sys
from contextlib import contextmanager
from typing import Annotated, Optional

import typer

EPILOG = "Example: isvc demo   ·   isvc demo --requests 100000 --db big.db -q"


def demo(
    requests: Annotated[int, typer.Option("--requests", help="How many requests to generate (the history stretches with the number: 8 weeks for 300, ~2 years for 100,000).", min=1)] = 300,
    db: Annotated[Optional[str], typer.Option("--db", help="Write the demo here (must be new or empty) instead of a temporary folder.", metavar="PATH")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (the same seed and clock build the same desk).")] = 7,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Build only; print where it is, show no views.")] = False,
) -> None:
    """Build a demo organisation (teams, people, requests over 8 weeks, agreements, kudos, ratings) and show the main views."""
    from isvc import clock
    from isvc.cli import _common
    from isvc.services.demo import CHUNK, run_demo

    # `isvc --db X demo` means `isvc demo --db X`; $ISVC_DB (your own desk) is never used.
    target = db or _common.GLOBAL.db
    with _progress(requests if requests > CHUNK else 0) as progress:
        result = run_demo(requests=requests, db=target, seed=seed, now=clock.now(),
                          progress=progress)
    _summary(result)
    if quiet:
        return
    _show_queue(result, "it")
    _show_agreements(result)
    _show_wall(result)
    _show_outbox(result)
    _write_html_report(result)
    _tour(result)


def _span(days: int) -> str:
    if days <= 91:
        return f"{round(days / 7)} weeks"
    if days < 730:
        return f"{round(days / 30.4)} months"
    return f"{days / 365.25:.1f} years"


def _summary(result) -> None:
    import shlex

    from isvc.render.output import info

    counts = result.counts
    path = shlex.quote(str(result.path.resolve()))
    noun = "request" if counts["requests"] == 1 else "requests"
    kudos = result.facts.get("kudos") or {}
    feedback = (f", {kudos['count']:,} kudos, {kudos['ratings']:,} ratings" if kudos else "")
    info(f"Built a demo desk in {result.seconds:.1f}s: {counts['teams']} teams, "
         f"{counts['people']} people, {counts['requests']:,} {noun} over "
         f"{_span(result.history_days)} ({result.open:,} open){feedback}, seed {result.seed}.")
    info(f"  {path}")
    info(f"Explore it from this shell; you act as {result.user} (IT Service Desk, a desk admin):")
    info(f"  export ISVC_DB={path} ISVC_USER={result.user}")
    info("(`unset ISVC_DB ISVC_USER` takes you back to your own desk.)")


def _show_queue(result, team: str) -> None:
    """The team's queue, exactly as `isvc queue TEAM` shows it (table on a terminal,
    TSV on a pipe): the due column shows each request's clock."""
    from isvc.cli.queue import queue

    _as_user(result, f"isvc queue {team}", lambda: queue(team, limit=15))


def _show_agreements(result) -> None:
    """`isvc agreement status`: how each team keeps its promises."""
    from isvc.cli.agreement import agreement_status

    _as_user(result, "isvc agreement status", lambda: agreement_status(None, since="30d"))


def _show_wall(result) -> None:
    """`isvc kudos wall --limit 3`: the newest thanks, as the wall shows them."""
    if not (result.facts.get("kudos") or {}).get("count"):
        return
    from isvc.cli.kudos import kudos_wall

    _as_user(result, "isvc kudos wall --limit 3",
             lambda: kudos_wall(team=None, since=None, limit=3, json_=False, format_=None))


def _show_outbox(result) -> None:
    """`isvc notify list --limit 8`: what the mail that came in and the clock check queued
    for `isvc notify send` (acknowledgements, replies, at-risk and breach notices)."""
    if not result.facts.get("mail"):
        return
    from isvc.cli.notify import notify_list

    _as_user(result, "isvc notify list --limit 8",
             lambda: notify_list(status=None, request=None, limit=8, json_=False, format_=None))


def _write_html_report(result) -> None:
    """`isvc report html`: the last 90 days as one page for a browser, written beside the
    demo's database (never over an existing file), and a tour line for IT's own."""
    import shlex

    from isvc.render.output import info
    from isvc.services.demo import TourStep

    folder = result.path.parent
    target = folder / ("report.html" if result.temporary else f"{result.path.stem}-report.html")
    if target.exists():
        info(f"\n(not writing the HTML report: {target} exists)")
        return

    def write() -> None:
        from isvc.cli._common import desk
        from isvc.render.html_report import render, summary_line
        from isvc.services import html_report

        data = html_report.collect(desk(), since="90d")
        page = render(data)
        size = html_report.write(target, page, force=False)
        info(summary_line(data, size, str(target)) + " Open it in a browser.")

    _as_user(result, f"isvc report html --since 90d --out {shlex.quote(str(target))}", write)
    it_page = shlex.quote(str(folder / "report-it.html"))
    step = TourStep(f"isvc report html --team it --since 30d --out {it_page}",
                    "IT's last 30 days as a page for a browser")
    after = [i for i, s in enumerate(result.tour) if s.command.startswith("isvc report")]
    result.tour.insert(after[-1] + 1 if after else len(result.tour), step)


def _as_user(result, command: str, show) -> None:
    """Run a view's command function on the demo desk as the demo user."""
    from isvc.cli import _common
    from isvc.render.output import info

    info(f"\n$ {command}")
    sys.stderr.flush()
    _common.reset()
    _common.GLOBAL.db = str(result.path)
    _common.GLOBAL.as_person = result.user
    try:
        show()
        sys.stdout.flush()
    finally:
        _common.reset()


def _tour(result) -> None:
    from isvc.render.output import info

    # a long command (the try-it line) does not push every comment to the right: its
    # comment goes on the line below
    # Under `uv run` (a checkout), isvc is not on PATH: print lines that work as they are.
    prefix = "uv run " if os.environ.get("UV_RUN_RECURSION_DEPTH") else ""
    commands = [prefix + step.command for step in result.tour]
    wide = _WIDE + len(prefix)
    width = max((len(c) for c in commands if len(c) <= wide), default=wide) + 2
    info("\nTry next (after the export line above):")
    for command, step in zip(commands, result.tour):
        if len(command) > wide:
            info(f"  {command}\n  {'':{width}}# {step.shows}")
        else:
            info(f"  {command.ljust(width)}# {step.shows}")


_WIDE = 48


@contextmanager
def _progress(total: int):
    """A progress bar on stderr for big builds, when stderr is a terminal."""
    if not total or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from isvc.render.console import console

    with Progress(TextColumn("Building the demo desk"), BarColumn(), MofNCompleteColumn(),
                  TimeElapsedColumn(), console=console(stderr=True), transient=True) as bar:
        task = bar.add_task("demo", total=total)
        yield lambda done, _total: bar.update(task, completed=done)


app = typer.Typer()
app.command("demo", epilog=EPILOG)(demo)
