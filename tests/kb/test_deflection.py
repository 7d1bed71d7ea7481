"""`isvc request new` offers matching articles before filing, on a terminal only.

In tests stdin is not a terminal: `prompt_allowed` is patched to say it is where a test
plays the person at the keyboard.
"""

from __future__ import annotations

import pytest

FILED = "Filed #1 for IT Service Desk (normal).\n"
OFFER = (
    "These articles may answer it already:\n"
    "  1. Reset your «VPN» «password»  (isvc kb show 1)\n"
    "     Open the self-service portal and choose Reset. «Passwords» «expire» every 90 days.\n"
    "  2. Printer jams on floor 3  (isvc kb show 2)\n"
    "     …If the «VPN» is «down» the printer still prints locally.\n"
    "Did one of these answer your question? [y/N]: "
)
WHICH = "Which one? [1-2] "


@pytest.fixture
def at_terminal(monkeypatch):
    import isvc.cli.kb

    monkeypatch.setattr(isvc.cli.kb, "prompt_allowed", lambda: True)


def kb_statements(statements: list[str]) -> list[str]:
    return [s for s in statements if "kb_" in s]


def new(isvc, *extra, input=None, code=0):
    return isvc("--as", "mihai", "request", "new", "VPN password expired", "--team", "it",
                "--body", "It says my passwords expire and the VPN is down", *extra, input=input,
                code=code)


def test_yes_files_nothing_and_records_the_deflection(kb, db, at_terminal):
    result = new(kb, input="y\n\n")  # Enter: the first one
    assert result.stdout == ""  # a script reading the number sees nothing
    assert result.stderr == OFFER + WHICH + "Glad it helped: nothing was filed.\n"
    assert db.count("requests") == 0
    assert db.query("SELECT article, kind, number, person, query, at FROM kb_events ORDER BY id") == [
        (1, "suggested", None, "mihai", "VPN password expired", "2026-11-23T09:30:00Z"),
        (2, "suggested", None, "mihai", "VPN password expired", "2026-11-23T09:30:00Z"),
        (1, "deflected", None, "mihai", "VPN password expired", "2026-11-23T09:30:00Z")]


def test_no_files_as_usual_and_records_the_suggestions(kb, db, at_terminal):
    result = new(kb, input="n\n")
    assert result.stdout == "1\n"
    assert result.stderr == OFFER + FILED
    assert db.count("requests") == 1
    assert db.query("SELECT article, kind, number, person, query FROM kb_events ORDER BY id") == [
        (1, "suggested", 1, "mihai", "VPN password expired"),
        (2, "suggested", 1, "mihai", "VPN password expired")]


def test_the_default_answer_is_no(kb, db, at_terminal):
    result = new(kb, input="\n")
    assert result.stdout == "1\n"
    assert db.count("kb_events", "kind = 'suggested'") == 2


def test_json_output_after_no_is_unchanged(kb, at_terminal):
    result = new(kb, "--json", input="n\n")
    assert result.stdout.startswith("{") and '"number": 1' in result.stdout


def test_at_most_three_articles_are_offered(kb, at_terminal):
    result = kb("--as", "mihai", "request", "new", "vpn laptop payslip meeting room", "--team", "it",
                input="n\n")
    assert result.stderr.count("(isvc kb show ") == 3


def test_off_a_terminal_nothing_changes(kb, db, traced):
    result = new(kb)
    assert (result.stdout, result.stderr) == ("1\n", FILED)
    assert kb_statements(traced) == []  # not even the cheap check
    assert db.count("kb_events") == 0


def test_no_suggest_skips_the_search_entirely(kb, db, traced, at_terminal):
    result = new(kb, "--no-suggest")
    assert (result.stdout, result.stderr) == ("1\n", FILED)
    assert kb_statements(traced) == []
    assert db.count("kb_events") == 0


def test_an_empty_kb_costs_one_cheap_query(quick_desk, db, traced, at_terminal):
    result = new(quick_desk)
    assert (result.stdout, result.stderr) == ("1\n", FILED)
    assert kb_statements(traced) == ["SELECT 1 FROM kb_articles WHERE active LIMIT 1"]


def test_no_matching_article_no_question(kb, db, at_terminal):
    result = kb("--as", "mihai", "request", "new", "Zebra crossing", "--team", "it")
    assert (result.stdout, result.stderr) == ("1\n", FILED)
    assert db.count("kb_events") == 0


def test_retired_articles_are_not_offered(kb, at_terminal):
    kb("--as", "jim", "kb", "retire", 1)
    result = new(kb, input="n\n")
    assert "Reset your" not in result.stderr
    assert "Which one?" not in result.stderr  # one article shown: no need to ask
    assert "Printer jams" in result.stderr


def test_an_existing_dedupe_key_ties_no_suggestion_to_the_request(kb, db, at_terminal):
    new(kb, "--dedupe-key", "k1", input="n\n")
    new(kb, "--dedupe-key", "k1", input="n\n")
    assert db.count("requests") == 1
    assert db.count("kb_events", "kind = 'suggested'") == 4  # shown twice: suggested twice
    assert db.count("kb_events", "kind = 'suggested' AND number = 1") == 2  # the first filing


def test_the_prompt_needs_stdin_and_stderr_terminals(monkeypatch):
    import sys

    from isvc.cli import kb

    class Tty:
        def __init__(self, tty):
            self.tty = tty

        def isatty(self):
            return self.tty

    for stdin, stderr, expected in ((True, True, True), (True, False, False), (False, True, False)):
        monkeypatch.setattr(sys, "stdin", Tty(stdin))
        monkeypatch.setattr(sys, "stderr", Tty(stderr))
        monkeypatch.setattr(sys, "stdout", Tty(False))  # `N=$(isvc request new ...)` still asks
        assert kb.prompt_allowed() is expected
