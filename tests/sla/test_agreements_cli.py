"""`isvc agreement add/edit/show/list/retire/import/export/lint`: the agreements an admin
keeps, the errors a typo gets, and which agreement a request ends up under."""

from __future__ import annotations

import pytest

from . import _support
from ._support import RESOLUTION, RESPONSE, at, file, show

sla_desk = _support.sla_desk  # the fixture

ADD = ("--as", "boss", "agreement", "add")


def agreement_of(isvc, number: int) -> str | None:
    return show(isvc, number, "2026-11-23T09:40:00Z")["agreement"]


def expect_refused(result, code: int, *fragments: str) -> None:
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr.startswith("Error: ")
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# -- add / show / list ----------------------------------------------------------------------

def test_add_then_show_and_list(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "calendar", "add", "long", "--tz", "UTC", "--hours", "mon-fri 08:00-18:00",
         "--day-minutes", "600")
    result = isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "long",
                  "--response", "urgent=15m,high=90m,normal=1d,low=2d",
                  "--resolution", "urgent=1h30m,high=1d,normal=3d,low=10d", "--at-risk", "75",
                  "--notify", "jim", "--notify", "+it", "--description", "Sales gets it faster")
    assert result.stderr.startswith("Added agreement it-sales for it")
    shown = isvc.json("agreement", "show", "it-sales")
    assert shown == {
        "name": "it-sales", "provider": "it", "customer": "sales", "calendar": "long",
        "at_risk_percent": 75,
        # d is the calendar's business day: 600 minutes here, not 480
        "response_minutes": {"low": 1200, "normal": 600, "high": 90, "urgent": 15},
        "resolution_minutes": {"low": 6000, "normal": 1800, "high": 600, "urgent": 90},
        "notify": ["jim", "+it"], "pause_first_response": False,
        "description": "Sales gets it faster", "active": True,
        "oncall_calendar": None, "oncall": None,  # null, never missing (JSON contract)
    }
    listed = isvc.json("agreement", "list")
    assert [(a["name"], a["customer"], a["calendar"]) for a in listed] == [
        ("it-sales", "sales", "long"), ("it-std", "*", "office")]
    assert listed[1]["response_minutes"] == {"low": 480, "normal": 240, "high": 60, "urgent": 30}
    # the human view names the calendar's hours
    text = isvc("agreement", "show", "it-sales", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}).stdout
    assert "Mon–Fri 08:00–18:00" in text and "sales" in text


@pytest.mark.parametrize("option, value, code, fragments", [
    ("--provider", "nope", 3, ["no team 'nope'"]),
    ("--customer", "nobody", 3, ["no team 'nobody'"]),
    ("--calendar", "nocal", 3, ["no calendar 'nocal'"]),
    ("--oncall-calendar", "nocal", 3, ["no calendar 'nocal'"]),
])
def test_add_refuses_unknown_references(sla_desk, option, value, code, fragments):
    isvc = sla_desk
    base = {"--provider": "it", "--customer": "sales", "--calendar": "office"}
    base[option] = value
    extra = ["--oncall", "jim"] if option == "--oncall-calendar" else []
    args = [a for k, v in base.items() for a in (k, v)]
    result = isvc(*ADD, "x", *args, *extra, "--response", RESPONSE, "--resolution", RESOLUTION,
                  code=None)
    expect_refused(result, code, *fragments)
    assert [a["name"] for a in isvc.json("agreement", "list", "--all")] == ["it-std"]


@pytest.mark.parametrize("response, fragments", [
    ("urgent=30m,high=2x,normal=4h,low=1d", ["--response high", '"2x"']),   # not a duration
    ("urgent=30m,high=0,normal=4h,low=1d", ["--response high", '"0"', "more than zero"]),
    ("urgent=30m,high=-1h,normal=4h,low=1d", ["--response high", '"-1h"']),
    ("urgent=30m,high=1.5h,normal=4h,low=1d", ["--response high", '"1.5h"']),  # fractional
    ("urgent=30m,high=1h,normal=4h,low=1d,bogus=3", ["--response", "bogus=3"]),
    ("urgent=30m,high=1h,normal=4h,high=2h,low=1d", ["--response", "high is given twice"]),
    ("urgent=30m,high=1h,normal=4h", ["--response", "no target for low"]),     # one missing
    ("urgent=30m high=1h", ["--response urgent", "30m high=1h"]),
])
def test_add_refuses_bad_targets_naming_the_bad_part(sla_desk, response, fragments):
    result = sla_desk(*ADD, "x", "--provider", "it", "--customer", "sales", "--calendar", "office",
                      "--response", response, "--resolution", RESOLUTION, code=None)
    expect_refused(result, 2, *fragments)
    assert [a["name"] for a in sla_desk.json("agreement", "list", "--all")] == ["it-std"]


def test_add_refuses_a_missing_resolution_priority_and_bad_at_risk(sla_desk):
    result = sla_desk(*ADD, "x", "--provider", "it", "--customer", "sales", "--calendar", "office",
                      "--response", RESPONSE, "--resolution", "urgent=2h,normal=2d,low=5d", code=None)
    expect_refused(result, 2, "--resolution", "no target for high")
    for bad in ("0", "101"):
        result = sla_desk(*ADD, "x", "--provider", "it", "--customer", "sales", "--calendar",
                          "office", "--response", RESPONSE, "--resolution", RESOLUTION,
                          "--at-risk", bad, code=None)
        expect_refused(result, 2, f"--at-risk {bad}")


def test_add_needs_an_admin_and_refuses_a_taken_name(sla_desk):
    result = sla_desk("--as", "jim", "agreement", "add", "x", "--provider", "it", "--customer",
                      "sales", "--calendar", "office", "--response", RESPONSE,
                      "--resolution", RESOLUTION, code=None)
    assert result.exit_code == 2 and "admin" in result.stderr
    result = sla_desk(*ADD, "it-std", "--provider", "it", "--customer", "sales", "--calendar",
                      "office", "--response", RESPONSE, "--resolution", RESOLUTION, code=None)
    expect_refused(result, 2, "'it-std' exists")


def test_overlapping_agreements_of_equal_specificity_are_refused_naming_the_other(sla_desk):
    isvc = sla_desk
    # a second default for it overlaps it-std
    result = isvc(*ADD, "it-other", "--provider", "it", "--calendar", "always",
                  "--response", RESPONSE, "--resolution", RESOLUTION, code=None)
    expect_refused(result, 2, "'it-std'", "every customer")
    result = isvc(*ADD, "it-other", "--provider", "it", "--customer", "*", "--calendar", "always",
                  "--response", RESPONSE, "--resolution", RESOLUTION, code=None)
    expect_refused(result, 2, "'it-std'")
    # a customer-specific one is more specific: fine; a second for the same customer is not
    isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    result = isvc(*ADD, "it-sales-2", "--provider", "it", "--customer", "sales", "--calendar",
                  "always", "--response", RESPONSE, "--resolution", RESOLUTION, code=None)
    expect_refused(result, 2, "'it-sales'", "customer sales")
    # edit cannot create the overlap either
    result = isvc("--as", "boss", "agreement", "edit", "it-sales", "--customer", "*", code=None)
    expect_refused(result, 2, "'it-std'")
    # another provider's default is no overlap
    isvc(*ADD, "payroll-std", "--provider", "payroll", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    assert [a["name"] for a in isvc.json("agreement", "list")] == [
        "it-sales", "it-std", "payroll-std"]


# -- which agreement applies ----------------------------------------------------------------

def test_the_customer_specific_agreement_wins_by_the_requesters_primary_team(sla_desk):
    isvc = sla_desk
    isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "always",
         "--response", "urgent=10m,high=20m,normal=1h,low=2h",
         "--resolution", "urgent=1h,high=2h,normal=4h,low=8h")
    # dana is in both teams, primary sales; emil too, primary payroll
    isvc("--as", "boss", "person", "add", "dana", "--name", "Dana", "--team", "payroll", "--team", "sales",
         "--primary", "sales")
    isvc("--as", "boss", "person", "add", "emil", "--name", "Emil", "--team", "sales", "--team", "payroll",
         "--primary", "payroll")
    when = "2026-11-23T09:30:00Z"
    n_mihai = file(isvc, when, "A", "--team", "it", who="mihai")   # sales
    n_ana = file(isvc, when, "B", "--team", "it", who="ana")       # payroll
    n_dana = file(isvc, when, "C", "--team", "it", who="dana")
    n_emil = file(isvc, when, "D", "--team", "it", who="emil")
    assert {n: agreement_of(isvc, n) for n in (n_mihai, n_ana, n_dana, n_emil)} == {
        n_mihai: "it-sales", n_ana: "it-std", n_dana: "it-sales", n_emil: "it-std"}
    # the clocks follow the agreement: 1h on 24x7 vs 4h in office hours
    assert show(isvc, n_mihai, when)["sla"]["first_response"]["due_at"] == "2026-11-23T10:30:00Z"
    assert show(isvc, n_ana, when)["sla"]["first_response"]["due_at"] == "2026-11-23T13:30:00Z"
    # a request to a team with no agreement has no clocks
    n_pay = file(isvc, when, "E", "--team", "payroll", who="mihai")
    data = show(isvc, n_pay, when)
    assert data["agreement"] is None and data["sla"] is None


def test_adding_a_customer_agreement_moves_the_open_requests_it_now_governs(sla_desk):
    isvc = sla_desk
    n = file(isvc, "2026-11-23T09:30:00Z", "A", "--team", "it")
    assert agreement_of(isvc, n) == "it-std"
    result = isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar",
                  "always", "--response", "urgent=10m,high=20m,normal=1h,low=2h",
                  "--resolution", "urgent=1h,high=2h,normal=4h,low=8h",
                  env=at("2026-11-23T09:35:00Z"))
    assert "recomputed the clocks of 1 open request(s)" in result.stderr
    data = show(isvc, n, "2026-11-23T09:36:00Z")
    assert data["agreement"] == "it-sales"
    assert data["sla"]["first_response"]["due_at"] == "2026-11-23T10:30:00Z"  # from creation


def test_retire_falls_back_to_the_provider_default(sla_desk):
    isvc = sla_desk
    isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "always",
         "--response", "urgent=10m,high=20m,normal=1h,low=2h",
         "--resolution", "urgent=1h,high=2h,normal=4h,low=8h")
    n = file(isvc, "2026-11-23T09:30:00Z", "A", "--team", "it")
    assert agreement_of(isvc, n) == "it-sales"
    result = isvc("--as", "boss", "agreement", "retire", "it-sales", env=at("2026-11-23T09:35:00Z"))
    assert "Retired agreement it-sales" in result.stderr
    data = show(isvc, n, "2026-11-23T09:36:00Z")
    assert data["agreement"] == "it-std"
    assert data["sla"]["first_response"]["target_minutes"] == 240
    assert data["sla"]["first_response"]["due_at"] == "2026-11-23T13:30:00Z"
    # kept for history: only in list --all, shown as retired
    assert [a["name"] for a in isvc.json("agreement", "list")] == ["it-std"]
    listed = {a["name"]: a["active"] for a in isvc.json("agreement", "list", "--all")}
    assert listed == {"it-sales": False, "it-std": True}
    assert isvc.json("agreement", "show", "it-sales")["active"] is False
    expect_refused(isvc("--as", "boss", "agreement", "retire", "it-sales", code=None), 2,
                   "already retired")
    # the scope is free again
    isvc(*ADD, "it-sales-2", "--provider", "it", "--customer", "sales", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    # retiring the last one leaves the request without clocks
    isvc("--as", "boss", "agreement", "retire", "it-sales-2")
    isvc("--as", "boss", "agreement", "retire", "it-std", env=at("2026-11-23T09:40:00Z"))
    data = show(isvc, n, "2026-11-23T09:41:00Z")
    assert data["agreement"] is None and data["sla"] is None


def test_edit_and_its_errors(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "agreement", "edit", "it-std", "--at-risk", "50",
         "--response", "urgent=15m,high=1h,normal=2h,low=1d")
    shown = isvc.json("agreement", "show", "it-std")
    assert shown["at_risk_percent"] == 50
    assert shown["response_minutes"]["normal"] == 120
    assert shown["resolution_minutes"]["normal"] == 960  # untouched
    expect_refused(isvc("--as", "boss", "agreement", "edit", "it-sdt", "--at-risk", "60", code=None),
                   3, "no agreement 'it-sdt'", "did you mean 'it-std'")
    expect_refused(isvc("--as", "boss", "agreement", "edit", "it-std", code=None), 2, "nothing to change")
    expect_refused(isvc("--as", "boss", "agreement", "edit", "it-std", "--calendar", "nocal", code=None),
                   3, "no calendar 'nocal'")
    expect_refused(isvc("--as", "boss", "agreement", "edit", "it-std", "--resolution", "urgent=2h",
                        code=None), 2, "no target for")
    expect_refused(isvc("agreement", "show", "nope", code=None), 3, "no agreement 'nope'")


# -- import / export -------------------------------------------------------------------------

def _fresh_desk(isvc, home) -> dict:
    """An empty desk in another ISVC_HOME with the same teams, people and calendars."""
    env = {"ISVC_HOME": str(home)}
    for team in ("it", "payroll", "sales"):
        isvc("team", "add", team, "--name", team.title(), env=env)
    for handle, team in (("jim", "it"), ("boss", "it"), ("ana", "payroll"), ("mihai", "sales")):
        isvc("person", "add", handle, "--name", handle.title(), "--team", team, env=env)
    isvc("config", "set", "admins", "boss", env=env)
    return env


def test_export_all_then_import_into_a_fresh_desk_round_trips(sla_desk, tmp_path):
    isvc = sla_desk
    isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "office",
         "--response", "urgent=15m,high=90m,normal=1d,low=2d",
         "--resolution", "urgent=1h30m,high=1d,normal=3d,low=10d", "--at-risk", "70",
         "--notify", "jim", "--notify", "+it", "--oncall-calendar", "always", "--oncall", "jim",
         "--pause-first-response", "--description", "Sales, with \"quotes\" and ünicode")
    isvc(*ADD, "payroll-std", "--provider", "payroll", "--calendar", "always",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    isvc(*ADD, "old", "--provider", "sales", "--calendar", "office",
         "--response", RESPONSE, "--resolution", RESOLUTION)
    isvc("--as", "boss", "agreement", "retire", "old")
    before = isvc.json("agreement", "list")
    assert [a["name"] for a in before] == ["it-sales", "it-std", "payroll-std"]

    exported = tmp_path / "agreements.toml"
    exported.write_text(isvc("agreement", "export", "--all").stdout, encoding="utf-8")
    one = isvc("agreement", "export", "it-sales").stdout
    assert 'name = "it-sales"' in one and "[[agreement]]" not in one

    env = _fresh_desk(isvc, tmp_path / "fresh")
    for cal in ("office", "always"):
        path = tmp_path / f"{cal}.toml"
        path.write_text(isvc("calendar", "export", cal).stdout, encoding="utf-8")
        isvc("--as", "boss", "calendar", "import", cal, str(path), env=env)
    result = isvc("--as", "boss", "agreement", "import", str(exported), env=env)
    assert "Imported 3 agreement(s)" in result.stderr
    assert isvc.json("agreement", "list", env=env) == before
    # and importing the same file again changes nothing
    isvc("--as", "boss", "agreement", "import", str(exported), env=env)
    assert isvc.json("agreement", "list", env=env) == before
    again = isvc("agreement", "export", "--all", env=env).stdout
    assert again == exported.read_text(encoding="utf-8")


def test_import_is_all_or_nothing_and_names_the_bad_part(sla_desk, tmp_path):
    isvc = sla_desk
    good = ('name = "a"\nprovider = "payroll"\ncalendar = "office"\n'
            'response = "urgent=1h,high=2h,normal=4h,low=1d"\n'
            'resolution = "urgent=4h,high=1d,normal=2d,low=5d"\n')
    path = tmp_path / "two.toml"
    path.write_text("[[agreement]]\n" + good + "\n[[agreement]]\n"
                    + good.replace('"a"', '"b"').replace("payroll", "sales").replace("office", "nocal"),
                    encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 3,
                   "no calendar 'nocal'")
    assert [a["name"] for a in isvc.json("agreement", "list", "--all")] == ["it-std"]

    path.write_text(good + 'colour = "red"\n', encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 2, "'colour'")
    path.write_text(good.replace("normal=4h,", ""), encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 2,
                   "no target for normal")
    path.write_text('name = "a"\nprovider = "payroll"\ncalendar = "office"\n'
                    '[response_minutes]\nurgent = 30\nhigh = 0\nnormal = 240\nlow = 480\n'
                    '[resolution_minutes]\nurgent = 60\nhigh = 120\nnormal = 960\nlow = 2400\n',
                    encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 2,
                   "response_minutes")
    path.write_text("name = ", encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 2,
                   "not valid TOML")
    # the overlap check applies to imports too
    path.write_text(good.replace("payroll", "it"), encoding="utf-8")
    expect_refused(isvc("--as", "boss", "agreement", "import", str(path), code=None), 2, "'it-std'")
    assert [a["name"] for a in isvc.json("agreement", "list", "--all")] == ["it-std"]
    expect_refused(isvc("agreement", "export", code=None), 2, "--all")


# -- lint ------------------------------------------------------------------------------------

def test_lint_is_quiet_on_a_sound_desk(sla_desk):
    result = sla_desk("agreement", "lint")
    assert result.stdout == ""
    assert "ok" in result.stderr


def test_lint_finds_problems_and_exits_4(sla_desk):
    isvc = sla_desk
    isvc("--as", "boss", "person", "add", "olga", "--name", "Olga", "--team", "it")
    isvc(*ADD, "it-sales", "--provider", "it", "--customer", "sales", "--calendar", "office",
         # normal: first response (3d) longer than resolution (2d); low resolves before normal
         "--response", "urgent=30m,high=1h,normal=3d,low=1d",
         "--resolution", "urgent=2h,high=1d,normal=2d,low=1d", "--notify", "olga")
    isvc("--as", "boss", "person", "deactivate", "olga")
    # payroll has an open request and no default agreement
    file(isvc, "2026-11-23T09:30:00Z", "Payslip", "--team", "payroll")
    # office's holidays run out within 60 days
    isvc("--as", "boss", "calendar", "holiday", "add", "office", "2026-12-25")
    result = isvc("agreement", "lint", code=4)
    problems = result.stdout.splitlines()
    assert "it-sales: normal first response target is longer than its resolution target" in problems
    assert "it-sales: resolution targets do not grow from urgent to low" in problems
    assert "team payroll has 1 open request(s) and no default agreement" in problems
    assert any(p.startswith("calendar office: holidays end on 2026-12-25") for p in problems)
    assert "it-sales: notifies olga, who is deactivated" in problems
    assert f"{len(problems)} problem(s)" in result.stderr
