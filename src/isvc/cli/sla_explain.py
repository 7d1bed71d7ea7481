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
    from isvc.errors import IsvcError

    desk()
    raise IsvcError("sla explain is being written")
