"""The root command class: turns IsvcError into one line on stderr and its exit code."""

from __future__ import annotations

import sqlite3
import sys

from typer.core import TyperGroup
from typer.exceptions import Exit

from isvc.errors import DatabaseBusy, IsvcError


class IsvcGroup(TyperGroup):
    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except IsvcError as exc:
            _fail(exc)
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if "locked" in text or "busy" in text:
                _fail(DatabaseBusy(f"the database stayed busy ({text}); try again"))
            raise
        except BrokenPipeError:
            # `isvc request list | head`: the reader left; that is not an error
            sys.stderr.close()
            raise Exit(0)


def _fail(exc: IsvcError) -> None:
    sys.stderr.write(f"Error: {exc}\n")
    raise Exit(exc.exit_code)
