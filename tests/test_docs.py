"""The README is part of the product: its generated parts are current, every command is
documented with an example, the quick start is the two commands, the exit codes are all
there, and the JSON keys are all described.

When one of these fails after you changed a command, its help or a JSON shape, run
`uv run cog -r README.md` and commit the README with your change.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import typer

from isvc.cli import reference
from isvc.errors import ExitCode

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
REGENERATE = "uv run cog -r README.md"
EXAMPLE_EPILOG = re.compile(r"^Examples?( \([^)]*\))?: \S")


def _readme() -> str:
    return README.read_text(encoding="utf-8")


def _section(text: str, heading: str) -> str:
    """The body of a `## heading` section, up to the next `## ` heading."""
    match = re.search(rf"^## {re.escape(heading)}\s*$(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {heading}' section"
    return match.group(1)


def _run_cog_check(path: Path, capsys) -> tuple[int, str]:
    from cogapp import Cog

    args = ["cog", "--check", "--diff", f"--check-fail-msg=run `{REGENERATE}`", str(path)]
    status = Cog().main(args)
    captured = capsys.readouterr()
    return status, captured.out + captured.err


# -- generated parts are current ------------------------------------------------------


def test_readme_generated_parts_are_current(capsys):
    status, output = _run_cog_check(README, capsys)
    assert status == 0, (
        f"README.md's generated parts are stale (cog --check exited {status}).\n"
        f"Run `{REGENERATE}` and commit the result.\n\n{output}"
    )


def test_cog_check_notices_a_stale_readme(tmp_path, capsys):
    """The check above can fail: a hand edit inside a generated block is caught."""
    stale = tmp_path / "README.md"
    shutil.copy(README, stale)
    text = stale.read_text(encoding="utf-8")
    marker = "### isvc request new\n"
    assert marker in text, f"README.md's reference has no {marker!r}; run `{REGENERATE}`"
    stale.write_text(text.replace(marker, marker + "\nA hand-written line cog did not make.\n", 1),
                     encoding="utf-8")
    status, _ = _run_cog_check(stale, capsys)
    assert status != 0


# -- every command is documented ------------------------------------------------------


def _undocumented(app: typer.Typer | None = None) -> list[str]:
    problems = []
    for doc in reference.leaf_commands(app):
        if not doc.help.strip():
            problems.append(f"{doc.path}: no help text (give the function a docstring)")
        if not EXAMPLE_EPILOG.match(doc.epilog):
            problems.append(f"{doc.path}: no 'Example: ...' epilog (got {doc.epilog!r})")
    return problems


def test_every_command_has_help_and_an_example():
    commands = reference.leaf_commands()
    assert len(commands) > 10, [c.path for c in commands]
    problems = _undocumented()
    assert not problems, "\n".join(problems)


def test_the_documentation_check_catches_a_bare_command():
    app = typer.Typer()

    @app.command("good", epilog="Example: demo good")
    def good() -> None:
        """Documented."""

    @app.command("bare")
    def bare() -> None:
        pass

    problems = _undocumented(app)
    assert any(p.startswith("isvc bare: no help") for p in problems), problems
    assert any(p.startswith("isvc bare: no 'Example") for p in problems), problems
    assert not any(p.startswith("isvc good") for p in problems), problems


def test_every_command_is_in_the_readme_reference():
    reference_text = _section(_readme(), "Command reference")
    missing = [doc.path for doc in reference.command_tree()[1:]
               if f"\n### {doc.path}\n" not in reference_text]
    assert not missing, f"not in README.md's command reference: {missing}; run `{REGENERATE}`"


def test_reference_is_plain_deterministic_markdown():
    first, second = reference.reference_markdown(), reference.reference_markdown()
    assert first == second
    assert "\x1b[" not in first, "ANSI escapes in the reference"
    markup = re.search(r"\[/?(bold|dim|red|green|yellow|cyan|italic|b|i)\]", first)
    assert not markup, f"Rich markup in the reference: {markup.group(0)}"
    assert "### isvc request new\n" in first
    assert "isvc request new [OPTIONS] TITLE" in first


# -- hand-written sections that must match the code -------------------------------------


def _fenced_commands(text: str) -> list[str]:
    commands = []
    for block in re.findall(r"^```[^\n]*\n(.*?)^```", text, re.M | re.S):
        for line in block.splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                commands.append(line)
    return commands


def test_quick_start_is_exactly_the_two_commands():
    commands = _fenced_commands(_section(_readme(), "Quick start"))
    assert commands == ["uv run isvc demo", "uv run pytest"], commands


def test_exit_code_table_lists_every_exit_code():
    section = _section(_readme(), "Exit codes")
    documented = [int(code) for code in re.findall(r"^\|\s*(\d+)\s*\|", section, re.M)]
    defined = sorted(value for name, value in vars(ExitCode).items()
                     if not name.startswith("_") and isinstance(value, int))
    assert sorted(documented) == defined, (
        f"README.md's exit codes {sorted(documented)} differ from isvc.errors.ExitCode {defined}")
    assert len(documented) == len(set(documented)), f"an exit code is listed twice: {documented}"


@pytest.mark.parametrize("shape", ["request", "event", "team", "person"])
def test_every_json_key_is_described(shape):
    sample = reference.sample_shapes()[shape]
    keys = set((sample[0] if isinstance(sample, list) else sample).keys())
    notes = set(reference.KEY_NOTES[shape])
    assert keys - notes == set(), (
        f"{shape} keys without a description in isvc.cli.reference.KEY_NOTES: "
        f"{sorted(keys - notes)}")
    assert notes - keys == set(), (
        f"KEY_NOTES[{shape!r}] describes keys the shape no longer has: {sorted(notes - keys)}")


def test_every_permission_rule_is_described():
    from isvc.services.access import RULES

    assert set(RULES) == set(reference.ACTION_NOTES), (
        f"isvc.cli.reference.ACTION_NOTES and services.access.RULES differ: "
        f"{sorted(set(RULES) ^ set(reference.ACTION_NOTES))}")


def test_readme_links_resolve():
    text = _readme()
    for target in ("CHANGELOG.md", "BENCHMARKS.md", "examples/config.toml", "examples/crontab"):
        assert f"]({target})" in text, f"README.md does not link {target}"
    for target in ("CHANGELOG.md", "examples/config.toml", "examples/crontab"):
        assert (ROOT / target).exists(), f"README.md links {target}, which does not exist"
    # BENCHMARKS.md is written by benchmarks/; the link may precede the first run.


def test_example_config_sets_every_config_key():
    import tomllib

    from isvc.config import DEFAULTS

    example = tomllib.loads((ROOT / "examples" / "config.toml").read_text(encoding="utf-8"))

    def keys(d: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in d.items():
            if isinstance(value, dict) and value and key != "os_users":
                out |= keys(value, f"{prefix}{key}.")
            else:
                out.add(prefix + key)
        return out

    missing = sorted(keys(DEFAULTS) - keys(example))
    assert not missing, f"examples/config.toml lacks {missing}"


def test_example_crontab_has_the_three_jobs_and_their_environment():
    crontab = (ROOT / "examples" / "crontab").read_text(encoding="utf-8")
    jobs = [line for line in crontab.splitlines() if re.match(r"^[\d*]", line)]
    assert any("isvc request autoclose" in job for job in jobs), jobs
    assert any("isvc db backup" in job for job in jobs), jobs
    assert any("isvc db check" in job for job in jobs), jobs
    for var in ("ISVC_DB=", "ISVC_USER="):
        assert re.search(rf"^{var}", crontab, re.M), f"examples/crontab does not set {var}"
    for job in jobs:
        assert "%" not in job.replace("\\%", ""), f"unescaped % in a crontab line: {job}"
