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

from isvc.errors import DatabaseBusy, ExitCode, IsvcError


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
            if (len(module.app.registered_commands) > 1 and not module.app.registered_groups
                    and module.app.registered_callback is None):  # a callback runs: build it whole
                command = LazySubGroup(cmd_name, module.app)
            else:
                command = typer.main.get_command(module.app)
                command.name = cmd_name
            self.commands[cmd_name] = command
        return self.commands[cmd_name]

    def invoke(self, ctx):
        try:
            try:
                result = super().invoke(ctx)
            except Exit as done:  # `sla check --notify` exits 4 after queueing breach notices
                if done.exit_code in (0, ExitCode.CHECK_FAILED):
                    _note_new_actor()
                    _send_immediately()
                raise
            _note_new_actor()
            _send_immediately()
            return result
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


class LazySubGroup(TyperGroup):
    """A noun's sub-app whose commands are built from their functions only when asked for:
    `isvc request new` converts one function's signature into a command, not nineteen."""

    def __init__(self, name: str, typer_app) -> None:
        from typer.main import get_command_name, solve_typer_info_defaults
        from typer.models import TyperInfo

        info = solve_typer_info_defaults(TyperInfo(typer_app))
        super().__init__(name=name, commands={}, help=info.help, epilog=info.epilog,
                         no_args_is_help=info.no_args_is_help,
                         context_settings=info.context_settings,
                         rich_markup_mode=typer_app.rich_markup_mode)
        self._app = typer_app
        self._infos = {(ci.name or get_command_name(ci.callback.__name__)): ci
                       for ci in typer_app.registered_commands}

    def list_commands(self, ctx) -> list[str]:
        return list(self._infos)

    def get_command(self, ctx, cmd_name):
        if cmd_name not in self.commands and cmd_name in self._infos:
            from typer.main import get_command_from_info

            self.commands[cmd_name] = get_command_from_info(
                self._infos[cmd_name], pretty_exceptions_short=self._app.pretty_exceptions_short,
                rich_markup_mode=self._app.rich_markup_mode)
        return self.commands.get(cmd_name)


def _note_new_actor() -> None:
    """Say so when a command added the acting person: a typo in --as must not pass unseen."""
    from isvc.cli import _common

    d = _common._DESK
    if d is not None and d.created_actor:
        sys.stderr.write(f"Note: {d.actor!r} was not on this desk and was added as a person "
                         f"(first use); if that is a typo, check --as / ISVC_USER.\n")


def _send_immediately() -> None:
    """Config notify.send_immediately: deliver what the command just queued, best effort
    (a problem is one warning line; the exit code stays; the rows stay for cron)."""
    from isvc.cli import _common

    d = _common._DESK
    if d is None or not d.queued_notifications:
        return
    if not (d.config.get("notify") or {}).get("send_immediately"):
        return
    try:
        from isvc import clock
        from isvc.services.delivery import send_queued

        report = send_queued(d, clock.now)
    except Exception as exc:  # best effort: cron delivers what is left
        sys.stderr.write(f"Warning: notifications not sent now ({exc}); "
                         "`isvc notify send` delivers them\n")
        return
    if report is None:
        return
    trouble = report.problems + [f"message {a.id} to {a.recipient}: {a.answer}"
                                 for a in report.attempts if not a.ok and not a.unreachable]
    if trouble:
        more = f" (and {len(trouble) - 1} more)" if len(trouble) > 1 else ""
        sys.stderr.write(f"Warning: {report.sent} notification(s) sent now; {trouble[0]}{more}; "
                         "`isvc notify send` retries\n")


def _fail(exc: IsvcError) -> None:
    sys.stderr.write(f"Error: {exc}\n")
    raise Exit(exc.exit_code)
