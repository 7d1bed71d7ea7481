"""`isvc request list` and `isvc queue`: filters, sorting, limits, and every output format."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest

from testkit import expect_error

LIST_COLUMNS = ["number", "status", "priority", "team", "requester", "assignee", "created_at", "title"]
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def at(day: int, hour: int = 9, minute: int = 30) -> dict:
    return {"ISVC_NOW": f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00Z"}


@pytest.fixture
def filled(quick_desk, snapshot):
    """Eight requests over a week, in several teams, statuses and priorities.

    #1 it   low     new          ana   2026-11-16  tags vpn
    #2 it   urgent  in_progress  ana   2026-11-17  assignee jim
    #3 it   normal  waiting      mihai 2026-11-18  assignee alina
    #4 it   high    resolved     mihai 2026-11-19  assignee jim
    #5 payroll normal acknowledged mihai 2026-11-20 tags vpn, remote
    #6 it   normal  new          ana   2026-11-21  title "Zebra printer" body "toner"
    #7 it   high    cancelled    ana   2026-11-22
    #8 sales urgent closed       jim   2026-11-22
    """
    desk = quick_desk

    def build():
        def file(who, day, title, *args):
            desk("--as", who, "request", "new", title, *args, env=at(day))

        file("ana", 16, "VPN drops", "--team", "it", "--priority", "low", "--tag", "vpn")
        file("ana", 17, "Laptop dead", "--team", "it", "--priority", "urgent")
        file("mihai", 18, "Need a monitor", "--team", "it")
        file("mihai", 19, "Mail bounces", "--team", "it", "--priority", "high")
        file("mihai", 20, "Payslip wrong", "--team", "payroll", "--tag", "vpn", "--tag", "remote")
        file("ana", 21, "Zebra printer", "--team", "it", "--body", "out of toner 50% of the time")
        file("ana", 22, "Old request", "--team", "it", "--priority", "high")
        file("jim", 22, "Sales thing", "--team", "sales", "--priority", "urgent")
        desk("--as", "jim", "request", "assign", "2", "jim", env=at(22))
        desk("--as", "jim", "request", "start", "2", env=at(22))
        desk("--as", "alina", "request", "assign", "3", "alina", env=at(22))
        desk("--as", "alina", "request", "wait", "3", "-m", "which model?", env=at(22))
        desk("--as", "jim", "request", "assign", "4", "jim", env=at(22))
        desk("--as", "jim", "request", "resolve", "4", "-m", "fixed", env=at(22))
        desk("--as", "boss", "request", "ack", "5", env=at(22))
        desk("--as", "ana", "request", "cancel", "7", env=at(22))
        desk("--as", "boss", "request", "resolve", "8", "-m", "done", env=at(22))
        desk("--as", "boss", "request", "close", "8", env=at(22))

    snapshot("filled", build)
    return desk


def numbers(result) -> list[int]:
    return [row["number"] for row in json.loads(result.stdout)]


def listed(desk, *args, who="jim") -> list[int]:
    return numbers(desk("--as", who, "request", "list", *args, "--json"))


# -- request list ---------------------------------------------------------------------

def test_list_defaults_to_all_statuses_newest_first(filled):
    assert listed(filled) == [8, 7, 6, 5, 4, 3, 2, 1]


@pytest.mark.parametrize("args, expected", [
    (["--status", "open"], [6, 5, 3, 2, 1]),
    (["--status", "new,closed"], [8, 6, 1]),
    (["--status", "new", "--status", "waiting"], [6, 3, 1]),
    (["--status", "In Progress"], [2]),
    (["--status", "all"], [8, 7, 6, 5, 4, 3, 2, 1]),
    (["--team", "payroll"], [5]),
    (["--team", "payroll", "--team", "sales"], [8, 5]),
    (["--requester", "mihai"], [5, 4, 3]),
    (["--assignee", "jim"], [4, 2]),
    (["--unassigned", "--status", "open"], [6, 5, 1]),
    (["--priority", "urgent,high"], [8, 7, 4, 2]),
    (["-p", "low", "-p", "urgent"], [8, 2, 1]),
    (["--tag", "vpn"], [5, 1]),
    (["--tag", "VPN", "--tag", "remote"], [5]),
    (["--text", "printer"], [6]),
    (["--text", "50%"], [6]),          # LIKE wildcards are literal
    (["--text", "toner"], [6]),        # the body is searched too
    (["--since", "2026-11-21"], [8, 7, 6]),
    (["--until", "2026-11-18"], [2, 1]),
    (["--since", "3d"], [8, 7, 6, 5]),  # ISVC_NOW is 2026-11-23T09:30Z: #5 is exactly 3d old
    (["--since", "2026-11-18", "--until", "2026-11-20"], [4, 3]),
    (["--since", "2026-11-21T00:00:00Z"], [8, 7, 6]),
    (["--since", "2026-11-21T09:00:00+02:00"], [8, 7, 6]),
    (["--sort", "number"], [1, 2, 3, 4, 5, 6, 7, 8]),
    (["--sort", "priority,number"], [2, 8, 4, 7, 3, 5, 6, 1]),
    (["--sort", "-priority,-number"], [1, 6, 5, 3, 7, 4, 8, 2]),
    (["--sort", "title"], [2, 4, 3, 7, 5, 8, 1, 6]),
    (["--sort", "team,number"], [1, 2, 3, 4, 6, 7, 5, 8]),
    (["--sort", "created"], [1, 2, 3, 4, 5, 6, 7, 8]),
    (["--limit", "3"], [8, 7, 6]),
    (["-n", "2", "--sort", "number"], [1, 2]),
])
def test_list_filters_and_sorts(filled, args, expected):
    assert listed(filled, *args) == expected


def test_list_mine_and_me(filled):
    assert listed(filled, "--mine") == [4, 2]
    assert listed(filled, "--requester", "me", who="mihai") == [5, 4, 3]
    assert listed(filled, "--assignee", "me", who="alina") == [3]


@pytest.mark.parametrize("args, code, message", [
    (["--status", "bogus"], 2,
     "unknown status 'bogus'; use one of: new, acknowledged, in_progress, waiting, resolved, closed, cancelled"),
    (["--priority", "asap"], 2, "unknown priority 'asap'; use one of: low, normal, high, urgent"),
    (["--sort", "colour"], 2,
     ("unknown sort key 'colour'; use one of: number, created, updated, priority, status, team, "
      "title (prefix - to reverse)")),
    (["--sort", ","], 2, "--sort needs at least one key, e.g. --sort -created"),
    (["--team", "nope"], 3, "no team 'nope'; see `isvc team list`"),
    (["--requester", "zed"], 3, "no person 'zed'; see `isvc person list`"),
    (["--assignee", "zed"], 3, "no person 'zed'; see `isvc person list`"),
    (["--since", "yesterday"], 2,
     "--since 'yesterday' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (["--until", "2026-13-45"], 2,
     "--until '2026-13-45' is not understood; use a span like 30d, 12h, 2w or a date like 2026-11-01"),
    (["--since", "2026-11-21T00:00"], 2,
     "--since '2026-11-21T00:00' has no time zone; add an offset or Z, e.g. 2026-11-21T00:00Z"),
    (["--limit", "0"], 2, "--limit must be at least 1"),
    (["--mine", "--assignee", "jim"], 2, "give one of --assignee, --unassigned, --mine"),
    (["--format", "xml"], 2, "unknown format 'xml'; use one of: table, json, ndjson, csv, tsv"),
    (["--json", "--format", "csv"], 2, "--json and --format disagree; give one of them"),
])
def test_list_refuses_bad_input(filled, args, code, message):
    expect_error(filled("request", "list", *args, code=None), code, message)


def test_list_is_tsv_when_piped(filled):
    # CliRunner's stdout is not a terminal: TSV without a header, one row per request
    out = filled("request", "list", "--sort", "number").stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert len(rows) == 8 and all(len(row) == len(LIST_COLUMNS) for row in rows)
    assert rows[0] == ["1", "new", "low", "it", "ana", "", "2026-11-16T09:30:00Z", "VPN drops"]
    assert rows[1][:6] == ["2", "in_progress", "urgent", "it", "ana", "jim"]
    assert filled("request", "list", "--format", "tsv", "--sort", "number").stdout == out


def test_list_tsv_keeps_one_line_per_row(quick_desk):
    quick_desk("--as", "ana", "request", "new", "tab\there", "--team", "it")
    out = quick_desk("request", "list").stdout
    assert out.count("\n") == 1 and out.count("\t") == len(LIST_COLUMNS) - 1


def test_list_json_ndjson_csv_agree(filled):
    as_json = json.loads(filled("request", "list", "--json").stdout)
    assert json.loads(filled("request", "list", "--format", "json").stdout) == as_json
    nd = [json.loads(line) for line in filled("request", "list", "--format", "ndjson").stdout.splitlines()]
    assert nd == as_json
    rows = list(csv.reader(io.StringIO(filled("request", "list", "--format", "csv").stdout)))
    assert rows[0] == LIST_COLUMNS
    assert [int(r[0]) for r in rows[1:]] == [r["number"] for r in as_json]
    by_number = {r["number"]: r for r in as_json}
    for row in rows[1:]:
        original = by_number[int(row[0])]
        assert row == [str(original[c]) if original[c] is not None else "" for c in LIST_COLUMNS]


def test_list_csv_quotes_commas(quick_desk):
    quick_desk("--as", "ana", "request", "new", 'Printer, scanner and "fax"', "--team", "it")
    rows = list(csv.reader(io.StringIO(quick_desk("request", "list", "--format", "csv").stdout)))
    assert rows[1][-1] == 'Printer, scanner and "fax"'


def test_list_empty(quick_desk):
    assert quick_desk("request", "list", "--json").stdout.strip() == "[]"
    assert quick_desk("request", "list").stdout == ""
    assert quick_desk("request", "list", "--format", "csv").stdout == ",".join(LIST_COLUMNS) + "\n"


def test_list_table_on_a_terminal(filled):
    out = filled("request", "list", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "140"}).stdout
    text = ANSI.sub("", out)
    assert "Zebra printer" in text and "requester" in text
    assert "\t" not in text


# -- queue ----------------------------------------------------------------------------------

def queue_numbers(desk, *args, who="jim") -> list[int]:
    return numbers(desk("--as", who, "queue", *args, "--json"))


def test_queue_holds_open_requests_most_urgent_then_oldest(filled):
    # urgent #2, high (none open), normal #3 (18th) then #5 (20th) then #6 (21st), low #1
    assert queue_numbers(filled) == [2, 3, 5, 6, 1]
    assert queue_numbers(filled, "it") == [2, 3, 6, 1]
    assert queue_numbers(filled, "payroll") == [5]
    assert queue_numbers(filled, "sales") == []


def test_queue_options(filled):
    assert queue_numbers(filled, "--mine") == [2]
    assert queue_numbers(filled, "--mine", who="alina") == [3]
    assert queue_numbers(filled, "it", "--status", "waiting") == [3]
    assert queue_numbers(filled, "--status", "new") == [6, 1]
    assert queue_numbers(filled, "--limit", "2") == [2, 3]
    assert queue_numbers(filled, "-n", "1", "it") == [2]


@pytest.mark.parametrize("args, code, message", [
    (["nope"], 3, "no team 'nope'; see `isvc team list`"),
    (["--status", "closed"], 2,
     "the queue holds open requests; --status closed is not open (use `isvc request list --status closed`)"),
    (["--status", "bogus"], 2,
     "unknown status 'bogus'; use one of: new, acknowledged, in_progress, waiting, resolved, closed, cancelled"),
    (["--limit", "0"], 2, "--limit must be at least 1"),
    (["--format", "html"], 2, "unknown format 'html'; use one of: table, json, ndjson, csv, tsv"),
])
def test_queue_refuses_bad_input(filled, args, code, message):
    expect_error(filled("queue", *args, code=None), code, message)


def test_queue_is_tsv_when_piped(filled):
    out = filled("queue", "it").stdout
    rows = [line.split("\t") for line in out.splitlines()]
    assert [row[0] for row in rows] == ["2", "3", "6", "1"]
    assert rows[0] == ["2", "in_progress", "urgent", "it", "ana", "jim", "2026-11-17T09:30:00Z", "Laptop dead"]
    assert all(len(row) == len(LIST_COLUMNS) for row in rows)


def test_queue_formats(filled):
    as_json = json.loads(filled("queue", "--json").stdout)
    nd = [json.loads(line) for line in filled("queue", "--format", "ndjson").stdout.splitlines()]
    assert nd == as_json
    rows = list(csv.reader(io.StringIO(filled("queue", "--format", "csv").stdout)))
    assert rows[0] == LIST_COLUMNS and [int(r[0]) for r in rows[1:]] == [2, 3, 5, 6, 1]


def test_queue_table_shows_rows_and_status_counts(filled):
    out = filled("queue", "it", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "140"}).stdout
    text = ANSI.sub("", out)
    assert "IT Service Desk" in text
    assert "4 open" in text
    assert "Laptop dead" in text and "Need a monitor" in text
    assert "Payslip wrong" not in text and "Mail bounces" not in text
    assert "new 2" in text and "in progress 1" in text and "waiting 1" in text


def test_empty_queue(quick_desk):
    assert quick_desk("queue", "--json").stdout.strip() == "[]"
    assert quick_desk("queue").stdout == ""
    text = ANSI.sub("", quick_desk("queue", "it", env={"ISVC_FORCE_TABLE": "1"}).stdout)
    assert "Nothing open here." in text
