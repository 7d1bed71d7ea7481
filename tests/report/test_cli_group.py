"""`isvc report` is a group that runs the benchmarks itself and holds the other reports."""

from __future__ import annotations

import sys
import types

import typer

from isvc.cli import app as app_module
from isvc.cli import report


def test_the_group_lists_peak(quick_desk):
    out = quick_desk("report", "--help").stdout
    assert "peak" in out and "--by" in out and "Example: isvc report" in out
    assert any(c.name == "peak" for c in report.app.registered_commands)


def test_a_noun_with_a_default_and_several_commands_keeps_its_default(isvc, monkeypatch):
    """The root loads a sub-app with many commands lazily, command by command; one whose
    callback runs by itself (as `isvc report` does) must be built whole instead."""
    noun = typer.Typer(add_completion=False)
    ran: list[str] = []

    @noun.callback(invoke_without_command=True)
    def default(ctx: typer.Context) -> None:
        """The default."""
        if ctx.invoked_subcommand is None:
            ran.append("default")

    @noun.command("one")
    def one() -> None:
        """One."""
        ran.append("one")

    @noun.command("two")
    def two() -> None:
        """Two."""
        ran.append("two")

    module = types.ModuleType("isvc_test_noun")
    module.app = noun
    monkeypatch.setitem(sys.modules, "isvc_test_noun", module)
    monkeypatch.setitem(app_module.COMMANDS, "noun", "isvc_test_noun")
    isvc("noun")
    isvc("noun", "two")
    assert ran == ["default", "two"]
