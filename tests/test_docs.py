"""The README is part of the product: its generated parts are current, every command is
documented with an example, the quick start is the two commands, the exit codes are all
there, and the JSON keys are all described.

When one of these fails after you changed a command, its help or a JSON shape, run
`uv run cog -r README.md` and commit the README with your change.
"""

from __future__ import annotations

import json
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


def test_every_documented_shape_has_a_sample():
    assert set(reference.sample_shapes()) == set(reference.KEY_NOTES), (
        "isvc.cli.reference.sample_shapes() and KEY_NOTES name different shapes: "
        f"{sorted(set(reference.sample_shapes()) ^ set(reference.KEY_NOTES))}")


@pytest.mark.parametrize("shape", sorted(reference.KEY_NOTES))
def test_every_json_key_is_described(shape):
    keys = set(reference.sample_keys(shape))
    notes = set(reference.KEY_NOTES[shape])
    assert keys - notes == set(), (
        f"{shape} keys without a description in isvc.cli.reference.KEY_NOTES: "
        f"{sorted(keys - notes)}")
    assert notes - keys == set(), (
        f"KEY_NOTES[{shape!r}] describes keys the shape no longer has: {sorted(notes - keys)}")


def test_the_request_sample_carries_both_clocks():
    sla = reference.sample_shapes()["request"]["sla"]
    assert set(sla) == {"first_response", "resolution"}
    for clock in sla.values():
        assert list(clock) == reference.sample_keys("sla_clock")
    # Figures from the engine, not typed in: 09:30 + 4h across the 13:00-14:00 break.
    assert sla["first_response"]["due_at"] == "2026-11-23T12:30:00Z"
    assert sla["first_response"]["state"] == "met"
    assert sla["resolution"]["state"] == "at_risk"


# -- the documented shapes are what the commands print ------------------------------------

LATER = "2026-11-23T12:00:00Z"  # Mon 14:00 in Bucharest: the urgent request below is breached


def _keys(obj: dict) -> list[str]:
    return list(obj.keys())


def test_the_commands_print_exactly_the_documented_keys(desk):
    """Every SLA shape, as the real commands print it, has the sample's keys in its order;
    the samples' keys are the ones KEY_NOTES describes (the tests above)."""
    isvc = desk
    calendar = str(ROOT / "examples" / "calendar.toml")
    isvc("--as", "boss", "calendar", "import", "office", calendar)
    isvc("--as", "boss", "calendar", "add", "oncall", "--tz", "Europe/Bucharest",
         "--hours", "mon-sun 00:00-24:00")
    isvc("--as", "boss", "agreement", "add", "it-standard", "--provider", "it",
         "--calendar", "office", "--response", "urgent=1h,high=4h,normal=1d,low=2d",
         "--resolution", "urgent=4h,high=2d,normal=5d,low=10d", "--notify", "+it",
         "--oncall-calendar", "oncall", "--oncall", "jim", "--description", "IT for everyone")
    number = isvc.json("--as", "ana", "request", "new", "Payroll server down", "--team", "it",
                       "--priority", "urgent")["number"]
    isvc("--as", "jim", "request", "wait", number)  # no message: the first response is still owed
    later = {"ISVC_NOW": LATER}

    expect = {shape: reference.sample_keys(shape) for shape in reference.KEY_NOTES}

    for args in (["request", "show", number], ["request", "list"], ["queue"]):
        out = isvc.json("--as", "jim", *args, env=later)
        req = out[0] if isinstance(out, list) else out
        extra = expect["queue_row"] if args == ["queue"] else []
        assert [k for k in _keys(req) if k != "events"] == expect["request"] + extra, args
        for clock in ("first_response", "resolution"):
            assert _keys(req["sla"][clock]) == expect["sla_clock"], (args, clock)

    rows = json.loads(isvc("--as", "jim", "sla", "check", "--json", env=later, code=4).stdout)
    assert rows and all(_keys(row) == expect["sla_check"] for row in rows), rows

    status = isvc.json("--as", "jim", "agreement", "status", env=later)
    assert [_keys(row) for row in status] == [expect["agreement_status"]]

    assert _keys(isvc.json("agreement", "show", "it-standard")) == expect["agreement"]
    assert [_keys(a) for a in isvc.json("agreement", "list")] == [expect["agreement"]]

    shown = isvc.json("calendar", "show", "office")
    assert _keys(shown) == expect["calendar"]
    assert _keys(shown["holidays"][0]) == _keys(reference.sample_shapes()["calendar"]["holidays"][0])
    listed = isvc.json("calendar", "list")
    assert listed and all(_keys(row) == expect["calendar_list"] for row in listed)

    explained = isvc.json("--as", "jim", "sla", "explain", number, env=later)
    assert _keys(explained) == expect["explain"]
    for clock in explained["clocks"].values():
        assert _keys(clock) == expect["explain_clock"]
        assert clock["lines"] and all(_keys(line) == expect["explain_line"] for line in clock["lines"])
    kinds = {line["kind"] for c in explained["clocks"].values() for line in c["lines"]}
    assert {"created", "counted", "paused", "now"} <= kinds, kinds

    for shape, args in reference.CALCULATOR_EXAMPLES.items():
        noun, verb, *rest = args
        out = isvc.json(noun, verb, "--calendar", calendar, *rest)
        assert _keys(out) == expect[shape], shape



def test_the_insight_commands_print_exactly_the_documented_keys(snapshot, isvc, isvc_home):
    """Reports, ripple and recurring problems on the demo desk (waiting chains, ratings,
    a history) print the documented shapes, nested objects included."""
    snapshot("docs-demo", lambda: isvc("demo", "--db", isvc_home / "isvc.db", "-q"))
    expect = {shape: reference.sample_keys(shape) for shape in reference.KEY_NOTES}
    admin = ("--as", "alina")

    report = isvc.json(*admin, "report", "--since", "30d")
    assert _keys(report) == expect["report"]
    assert report["rows"] and all(_keys(r) == expect["report_row"] for r in report["rows"])
    assert _keys(report["total"]) == expect["report_row"]
    assert _keys(report["backlog"][0]) == _keys(reference.sample_shapes()["report"]["backlog"][0])
    assert _keys(isvc.json(*admin, "report", "peak")) == expect["report_peak"]
    groups = isvc.json(*admin, "report", "recurring")
    assert groups and all(_keys(g) == expect["recurring"] for g in groups)

    rows = isvc.json(*admin, "ripple", "--team", "purchasing")
    assert rows and all(_keys(r) == expect["ripple_team"] for r in rows)
    tree = isvc.json(*admin, "ripple", str(rows[0]["number"]))
    assert _keys(tree) == expect["ripple"]
    assert _keys(tree["counts"]) == _keys(reference.sample_shapes()["ripple"]["counts"])
    nodes = [tree["request"], *tree["upstream"], *tree["downstream"]]
    assert tree["downstream"] and all(_keys(n) == expect["ripple_node"] for n in nodes)

    queue = isvc.json(*admin, "queue", "purchasing")
    assert queue and all(_keys(r) == expect["request"] + expect["queue_row"] for r in queue)
    assert any(r["blocks"] > 0 for r in queue)

# -- the README's commands exist -------------------------------------------------------

_GLOBAL_WITH_VALUE = {"--as", "--db"}


def _isvc_invocations(text: str) -> list[list[str]]:
    """The words after each `isvc` in the fenced code blocks (global options dropped)."""
    found = []
    for block in re.findall(r"^\s*```[^\n]*\n(.*?)^\s*```", text, re.M | re.S):
        for line in block.splitlines():
            line = line.split(" #", 1)[0].lstrip("$ ").strip()
            if line.startswith("#"):
                continue
            words = line.split()
            for i, word in enumerate(words):
                if word != "isvc":
                    continue
                rest = words[i + 1:]
                while rest and rest[0] in _GLOBAL_WITH_VALUE:
                    rest = rest[2:]
                found.append(rest)
    return found


def _unknown_commands(invocations: list[list[str]]) -> list[str]:
    known = {doc.path: doc for doc in reference.command_tree()}
    problems = []
    for words in invocations:
        path = "isvc"
        for word in words:
            if f"{path} {word}" in known:
                path = f"{path} {word}"
                continue
            if known[path].is_group and re.fullmatch(r"[a-z][a-z-]*", word):
                problems.append(f"isvc {' '.join(words)}: no command {path} {word}")
            break
    return problems


def test_every_isvc_command_in_the_readme_exists():
    invocations = _isvc_invocations(_readme())
    assert len(invocations) > 50, len(invocations)
    assert any(words[:2] == ["sla", "explain"] for words in invocations)
    problems = _unknown_commands(invocations)
    assert not problems, "\n".join(problems)


def test_the_readme_command_check_catches_a_typo():
    assert _unknown_commands([["sla", "explian", "2"]]) == ["isvc sla explian 2: no command isvc sla explian"]
    assert _unknown_commands([["queue", "it"], ["--version"], ["sla", "due", "--calendar", "x"]]) == []


def test_every_permission_rule_is_described():
    from isvc.services.access import RULES

    assert set(RULES) == set(reference.ACTION_NOTES), (
        f"isvc.cli.reference.ACTION_NOTES and services.access.RULES differ: "
        f"{sorted(set(RULES) ^ set(reference.ACTION_NOTES))}")


def test_readme_links_resolve():
    text = _readme()
    examples = ("examples/config.toml", "examples/crontab", "examples/calendar.toml",
                "examples/agreements.toml")
    for target in ("CHANGELOG.md", "BENCHMARKS.md", *examples):
        assert f"]({target})" in text, f"README.md does not link {target}"
    for target in ("CHANGELOG.md", *examples):
        assert (ROOT / target).exists(), f"README.md links {target}, which does not exist"
    # BENCHMARKS.md is written by benchmarks/; the link may precede the first run.


def _github_anchor(heading: str, seen: dict[str, int]) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens,
    a repeated anchor numbered."""
    anchor = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
    count = seen.get(anchor, 0)
    seen[anchor] = count + 1
    return anchor if count == 0 else f"{anchor}-{count}"


def test_readme_anchors_resolve():
    text = _readme()
    prose = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)
    seen: dict[str, int] = {}
    anchors = {_github_anchor(h, seen) for h in re.findall(r"^#{1,6} (.+)$", prose, re.M)}
    links = set(re.findall(r"\]\(#([^)]+)\)", text))
    assert links, "no internal links found"
    missing = sorted(links - anchors)
    assert not missing, f"README.md links to anchors no heading makes: {missing}"


def test_example_config_sets_every_config_key():
    import tomllib

    from isvc.config import DEFAULTS

    example = tomllib.loads((ROOT / "examples" / "config.toml").read_text(encoding="utf-8"))

    def keys(d: dict, prefix: str = "") -> set[str]:
        out = set()
        for key, value in d.items():
            if isinstance(value, dict) and value and key not in ("os_users", "routes"):
                out |= keys(value, f"{prefix}{key}.")
            else:
                out.add(prefix + key)
        return out

    missing = sorted(keys(DEFAULTS) - keys(example))
    assert not missing, f"examples/config.toml lacks {missing}"


def test_example_crontab_has_the_jobs_and_their_environment():
    crontab = (ROOT / "examples" / "crontab").read_text(encoding="utf-8")
    jobs = [line for line in crontab.splitlines() if re.match(r"^[\d*]", line)]
    assert any("isvc request autoclose" in job for job in jobs), jobs
    assert any("isvc db backup" in job for job in jobs), jobs
    assert any("isvc db check" in job for job in jobs), jobs
    # the mail and notification recipes: intake every minute, clocks every 5 minutes,
    # delivery every minute, the digest at 08:30 on business days
    assert any(job.startswith("* * * * *") and "isvc mail import" in job for job in jobs), jobs
    assert any(job.startswith("*/5 ") and "isvc sla check --notify" in job for job in jobs), jobs
    assert any(job.startswith("* * * * *") and "isvc notify send" in job for job in jobs), jobs
    assert any(job.startswith("30 8 * * 1-5") and "isvc notify digest" in job for job in jobs), jobs
    for var in ("ISVC_DB=", "ISVC_USER="):
        assert re.search(rf"^{var}", crontab, re.M), f"examples/crontab does not set {var}"
    for job in jobs:
        assert "%" not in job.replace("\\%", ""), f"unescaped % in a crontab line: {job}"
