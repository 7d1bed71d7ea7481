"""`isvc demo`: a realistic organisation in a throwaway database."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

EPILOG = "Example: isvc demo   ·   isvc demo --requests 100000 --db big.db"


def demo(
    requests: Annotated[int, typer.Option("--requests", help="How many requests to generate.", min=1)] = 300,
    db: Annotated[Optional[str], typer.Option("--db", help="Write the demo here (must be new or empty) instead of a temporary folder.", metavar="PATH")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed (the same seed builds the same desk).")] = 7,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Build only; show no views.")] = False,
) -> None:
    """Build a demo organisation (teams, people, requests over 8 weeks) and show the main views."""
    from isvc.services.demo import run_demo

    run_demo(requests=requests, db=db, seed=seed, quiet=quiet)


app = typer.Typer(add_completion=False)
app.command("demo", epilog=EPILOG)(demo)
