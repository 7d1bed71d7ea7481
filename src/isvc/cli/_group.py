"""The root command class.

- Loads each noun's sub-app only when it is invoked (or listed by --help), so a hot
  command like `isvc queue` pays for its own module and nothing else.
- Turns IsvcError into one line on stderr and its exit code: no tracebacks for users.
"""

from __future__ import annotations

import importlib
import sqlite3
import sys

from typer.core import TyperGroup
from typer.exceptions import Exit

from isvc.errors import DatabaseBusy, IsvcError


class IsvcGroup(TyperGroup):
    def _lazy(self) -> dict[str, str]:
        from isvc.cli.app import COMMANDS

        return COMMANDS

    def list_commands(self, ctx) -> list[str]:
        names = [n for n in self._lazy() if self.get_command(ctx, n) is not None]
        return names + [n for n in super().list_commands(ctx) if n not in self._lazy()]

    def get_command(self, ctx, cmd_name):
        module_name = self._lazy().get(cmd_name)
        if module_name is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name not in self.commands:
            import typer.main

            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as exc:
                if exc.name != module_name:
                    raise
                return None  # a noun not built into this install
            command = typer.main.get_command(module.app)
            command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

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
