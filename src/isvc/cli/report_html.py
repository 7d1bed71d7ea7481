"""`isvc report html`: the service report as one self-contained page for a browser."""

from __future__ import annotations

import sys
from typing import Annotated, Optional

import typer

from isvc.cli._common import desk

EPILOG = ("Example: isvc report html --out report.html   ·   "
          "isvc report html --out it.html --team it --since 30d --force")


def report_html(
    out: Annotated[str, typer.Option("--out", "-o", help="The file to write; - writes the page to standard output.", metavar="PATH")],
    since: Annotated[str, typer.Option("--since", help="The period: 90d, 12w or a date.")] = "90d",
    team: Annotated[Optional[str], typer.Option("--team", "-t", help="Only this provider team's requests.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the file if it exists.")] = False,
) -> None:
    """Write the service report as one HTML file a browser opens, offline.

    Agreement compliance per week, time to first response, the peak-hours
    heatmap, the backlog, customer satisfaction, kudos highlights, the top
    recurring problems and the longest waiting chains, under the headline
    numbers. The charts are inline SVG; the page loads nothing, runs no
    script, prints well and follows the reader's light or dark setting.
    Internal notes and private kudos are never in it. For desk admins and
    team members.

    Prints the file's path on stdout (the page itself with --out -) and a
    summary on stderr. An existing file is replaced only with --force, and
    whole or not at all.
    """
    from isvc.render.html_report import render, summary_line
    from isvc.render.output import info
    from isvc.services import html_report as svc

    d = desk()
    target = svc.check_target(out, force)
    data = svc.collect(d, since=since, team=team)
    page = render(data)
    if target is None:
        sys.stdout.write(page)
        sys.stdout.flush()
        info(summary_line(data, len(page.encode("utf-8")), "standard output"))
        return
    size = svc.write(target, page, force)
    print(target)
    info(summary_line(data, size, str(target)))


def register(app: typer.Typer) -> None:
    """Add `html` to the `report` group."""
    app.command("html", epilog=EPILOG)(report_html)
