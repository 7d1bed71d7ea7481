"""Fixes from a user trial of the knowledge base: who may write which article, which article
a deflection names, what counts as suggested, which articles are offered before filing,
what `kb stats` lists as the next articles to write, and help texts.

The desk is the `kb` fixture (see conftest.py): it: jim, alina, boss; payroll: ana; sales:
mihai; boss the only admin; articles 1-2 it, 3-4 payroll, 5-6 without a team.
"""

from __future__ import annotations

import re

import pytest
from testkit import expect_error

from isvc.domain import kb as rules

from .conftest import add_article


@pytest.fixture
def at_terminal(monkeypatch):
    import isvc.cli.kb

    monkeypatch.setattr(isvc.cli.kb, "prompt_allowed", lambda: True)


def new(isvc, title, team="it", body=None, input=None, code=0):
    args = ["--as", "mihai", "request", "new", title, "--team", team]
    if body is not None:
        args += ["--body", body]
    return isvc(*args, input=input, code=code)


def events(db) -> list[tuple]:
    return db.query("SELECT article, kind, number FROM kb_events ORDER BY id")


# -- 1. who may write which article ----------------------------------------------------------

def test_adding_to_a_team_needs_its_membership(kb, db):
    expect_error(kb("--as", "jim", "kb", "add", "--title", "Payslip dates", "--body", "x",
                    "--team", "payroll", code=None), 2,
                 "only members of team payroll or an admin may add KB articles to team payroll; "
                 "you are jim")
    assert db.count("kb_articles") == 6
    assert add_article(kb, "ana", "Payslip dates", "x", team="payroll") == 7
    assert add_article(kb, "boss", "Payslip PDF", "x", team="payroll") == 8  # an admin
    assert add_article(kb, "mihai", "Parking", "x") == 9  # no team: any team member


def test_editing_and_retiring_need_the_articles_team(kb, db):
    before = db.query("SELECT * FROM kb_articles")
    expect_error(kb("--as", "ana", "kb", "edit", 1, "--tag", "x", code=None), 2,
                 "only members of team it or an admin may edit KB #1; you are ana")
    expect_error(kb("--as", "jim", "kb", "retire", 3, code=None), 2,
                 "only members of team payroll or an admin may retire KB #3; you are jim")
    assert db.query("SELECT * FROM kb_articles") == before
    kb("--as", "alina", "kb", "edit", 1, "--tag", "x")  # another member of it
    kb("--as", "boss", "kb", "edit", 3, "--tag", "x")   # an admin, not in payroll
    kb("--as", "ana", "kb", "retire", 6)                # no team: any team member
    assert db.query("SELECT id, version, active FROM kb_articles WHERE id IN (1, 3, 6)") == [
        (1, 2, 1), (3, 2, 1), (6, 1, 0)]


def test_moving_an_article_needs_the_new_teams_membership(kb, db):
    expect_error(kb("--as", "jim", "kb", "edit", 1, "--team", "payroll", code=None), 2,
                 "only members of team payroll or an admin may move KB #1 to team payroll; "
                 "you are jim")
    expect_error(kb("--as", "ana", "kb", "edit", 5, "--team", "it", code=None), 2,
                 "only members of team it or an admin may move KB #5 to team it; you are ana")
    teams = "SELECT team FROM kb_articles WHERE id IN (1, 5) ORDER BY id"
    assert db.query(teams) == [("it",), (None,)]
    kb("--as", "ana", "kb", "edit", 5, "--team", "payroll")
    kb("--as", "boss", "kb", "edit", 1, "--team", "payroll")
    assert db.query(teams) == [("payroll",), ("payroll",)]


def test_on_a_desk_without_admins_everyone_writes(isvc):
    isvc("team", "add", "it")
    assert add_article(isvc, "solo", "Wifi", "Join corp.", team="it") == 1  # a personal desk
    isvc("--as", "solo", "kb", "edit", 1, "--tag", "wifi")
    isvc("--as", "solo", "kb", "retire", 1)


# -- 2. deflection: which article; every article shown is suggested ---------------------------

THREE = "vpn laptop meeting room"  # offers 6 and 5 (no team), then 1 (it), in this order


def test_a_yes_asks_which_one_and_records_that_one(kb, db, at_terminal):
    result = new(kb, THREE, input="y\n3\n")
    assert result.stdout == ""
    assert "  3. Reset your «VPN» password  (isvc kb show 1)\n" in result.stderr
    assert result.stderr.endswith("Did one of these answer your question? [y/N]: "
                                  "Which one? [1-3] Glad it helped: nothing was filed.\n")
    assert events(db) == [(6, "suggested", None), (5, "suggested", None),
                          (1, "suggested", None), (1, "deflected", None)]
    assert db.count("requests") == 0


def test_which_one_asks_again_after_a_bad_answer(kb, db, at_terminal):
    result = new(kb, THREE, input="y\n0\nlaptop\n4\n#2\n")
    assert result.stdout == ""
    assert result.stderr.count("Which one? [1-3] ") == 4
    assert result.stderr.count("Please answer a number from 1 to 3.\n") == 3
    assert events(db)[-1] == (5, "deflected", None)


@pytest.mark.parametrize("answers", ["y\n\n", "y\n"])  # Enter, end of input: the first
def test_which_one_defaults_to_the_first(kb, db, at_terminal, answers):
    result = new(kb, THREE, input=answers)
    assert result.stdout == ""
    assert "Glad it helped" in result.stderr
    assert events(db)[-1] == (6, "deflected", None)


def test_one_article_shown_needs_no_second_question(kb, db, at_terminal):
    result = new(kb, "Meeting room booking", input="y\n")
    assert "Which one?" not in result.stderr
    assert events(db) == [(6, "suggested", None), (6, "deflected", None)]


def test_a_no_ties_the_suggestions_to_the_request_filed(kb, db, at_terminal):
    assert new(kb, THREE, input="n\n").stdout == "1\n"
    assert events(db) == [(6, "suggested", 1), (5, "suggested", 1), (1, "suggested", 1)]


def test_stats_suggested_counts_every_time_an_article_was_shown(kb, at_terminal):
    new(kb, THREE, input="y\n2\n")
    new(kb, THREE, input="n\n")
    stats = {a["id"]: a for a in kb.json("kb", "stats")["articles"]}
    assert [(stats[i]["suggested"], stats[i]["deflected"]) for i in (6, 5, 1)] == [
        (2, 0), (2, 1), (2, 0)]
    assert stats[2]["suggested"] == 0


def test_nothing_of_the_offer_reaches_stdout(kb, at_terminal):
    result = new(kb, THREE, input="y\nx\n2\n")
    assert result.stdout == ""
    assert "Which one?" in result.stderr and "Please answer" in result.stderr


# -- 3. which articles are offered -------------------------------------------------------------

def test_only_the_request_teams_articles_and_the_team_less_ones(kb, at_terminal):
    payroll = new(kb, "VPN password expired and payslip corrections", team="payroll",
                  input="n\n").stderr
    assert "(isvc kb show 4)" in payroll
    assert "(isvc kb show 1)" not in payroll  # it's article, not payroll's
    it = new(kb, "VPN password expired and payslip corrections", input="n\n").stderr
    assert "(isvc kb show 1)" in it and "(isvc kb show 4)" not in it
    everyone = new(kb, "Meeting room booking", team="sales", input="n\n").stderr
    assert "(isvc kb show 6)" in everyone


def test_an_unknown_team_offers_nothing_and_filing_says_why(kb, db, at_terminal):
    result = new(kb, "VPN password expired", team="nope", code=None)
    assert "These articles" not in result.stderr
    assert "no team 'nope'" in result.stderr
    assert db.count("kb_events") == 0


def test_weak_matches_are_not_offered(kb, db, at_terminal):
    badge = add_article(kb, "boss", "Badge does not open a door",
                        "Reception on the ground floor re-activates badges; bring your ID.")
    result = new(kb, "Printer on floor 2 jams", input="n\n")
    assert "«Printer» «jams» on «floor» 3  (isvc kb show 2)" in result.stderr
    assert "Badge" not in result.stderr  # only "floor", in its body
    assert events(db) == [(2, "suggested", 1)]
    assert badge == 7
    # two of the request's words in its body are enough
    result = new(kb, "Nobody at reception on the ground level", input="n\n")
    assert "Badge does not open a door  (isvc kb show 7)" in result.stderr


def test_short_and_filler_words_suggest_nothing(kb, db, at_terminal):
    result = new(kb, "Need help again: it is not working on PC 2")
    assert "These articles" not in result.stderr
    assert db.count("kb_events") == 0


def test_suggestion_snippets_have_no_markdown_emphasis(kb, at_terminal):
    kb("--as", "jim", "kb", "edit", 1, "--body",
       "Use the `reset` button in the **portal**, then _wait_ (see my_file).")
    result = new(kb, "VPN password reset portal", input="n\n")
    line = next(s for s in result.stderr.splitlines() if "button" in s)
    assert line.strip() == "Use the «reset» button in the «portal», then wait (see my_file)."


def test_suggestion_terms_and_the_strength_rule():
    assert rules.suggestion_terms("Printer on floor 2 jams") == ["printer", "floor", "jams"]
    assert rules.suggestion_terms("Need help: it is not working again!") == []
    assert rules.suggestion_terms("VPN VPN pc") == ["vpn"]
    assert rules.strong_match(2, 0) and rules.strong_match(1, 1) and rules.strong_match(3, 2)
    assert not rules.strong_match(1, 0) and not rules.strong_match(0, 0)


@pytest.mark.parametrize("text, plain", [
    ("Open the **portal** and choose *Reset*.", "Open the portal and choose Reset."),
    ("__bold__ and _it_ and `code`", "bold and it and code"),
    ("…portal** and more", "…portal and more"),
    ("snake_case and file_name.txt stay", "snake_case and file_name.txt stay"),
    ("5 * 3 = 15", "5 * 3 = 15"),
    ("**\x02portal\x03** too", "\x02portal\x03 too"),
])
def test_strip_emphasis(text, plain):
    assert rules.strip_emphasis(text) == plain


# -- 4. kb stats: the next articles to write ------------------------------------------------

def file_quietly(isvc, title: str) -> int:
    args = ("--as", "mihai", "request", "new", title, "--team", "it", "--no-suggest")
    return int(isvc(*args).stdout)


def test_topics_an_article_already_covers_are_left_out(kb):
    for title in ("Printer jams again", "printer jams again!",          # article 2
                  "Résumé template missing", "resume template missing",  # article 3
                  "Laptop won't boot", "laptops won't boot"):            # 5: only "laptop"
        file_quietly(kb, title)
    found = kb.json("kb", "stats")["next_articles"]
    assert [t["example_title"] for t in found] == ["laptops won't boot"]
    assert found[0]["words"] == ["boot", "laptop"]


def test_covered_topics_do_not_use_up_the_limit(kb):
    for title in ("Printer jams again",) * 3 + ("Badge reader broken",) * 2:
        file_quietly(kb, title)
    found = kb.json("kb", "stats", "--limit", "1")["next_articles"]
    assert [(t["count"], t["example_title"]) for t in found] == [(2, "Badge reader broken")]


def test_next_article_words_are_spelled_as_written(kb):
    for title in ("Office supplies ran out", "office supplies ran out!",
                  "Café machine broken", "cafe machine broken", "Café machines broken"):
        file_quietly(kb, title)
    found = {t["example_title"]: t["words"] for t in kb.json("kb", "stats")["next_articles"]}
    assert found == {"office supplies ran out!": ["office", "out", "ran", "supplies"],
                     "Café machines broken": ["broken", "café", "machine"]}
    tsv = kb("kb", "stats").stdout
    assert "next\t2\t2\toffice out ran supplies\toffice supplies ran out!" in tsv


def test_topics_group_by_key_and_show_the_most_common_spelling():
    rows = [(1, "Toner cartridges empty"), (2, "toner cartridge empty"),
            (3, "TONER CARTRIDGES EMPTY"), (4, "Résumé form"), (5, "resume forms")]
    first, second = rules.topics(rows)
    assert first.key == frozenset({"toner", "cartridge", "empty"})
    assert first.words == ("cartridges", "empty", "toner")
    assert second.key == frozenset({"resume", "form"})
    assert second.words == ("form", "resume")  # a tie: the shorter, then alphabetical


# -- 5. help texts ---------------------------------------------------------------------------

def _help(isvc, *args) -> str:
    return isvc(*args, "--help", env={"COLUMNS": "200", "NO_COLOR": "1"}).stdout


def test_kb_command_docstrings_have_no_hard_breaks_in_paragraphs():
    from isvc.cli.kb import app

    for command in app.registered_commands:
        doc = command.callback.__doc__ or ""
        for paragraph in re.split(r"\n\s*\n", doc.strip()):
            assert "\n" not in paragraph, (command.name, paragraph)


@pytest.mark.parametrize("args, text", [
    (("kb",), "Matched words are bold on a terminal and «between these marks» in TSV and JSON."),
    (("kb", "search"), "Search the active articles, best first (a word in the title counts "
                       "most). Matched words are bold"),
    (("kb", "stats"), "linked) and the next articles to write: the most frequent request titles"),
    (("type", "import"), "A TOML file of [[types]] tables"),
])
def test_help_renders_cleanly(isvc, args, text):
    assert text in _help(isvc, *args)


# -- 6. a long query is cut in the "no match" message -----------------------------------------

def test_no_match_quotes_at_most_60_characters_of_the_query(kb):
    query = "zebra crossing " * 20
    result = kb("kb", "search", query)
    assert result.stdout == ""
    quoted = re.fullmatch(r"No article matches '(.*)'\.\n", result.stderr).group(1)
    assert len(quoted) <= 60 and quoted.endswith("…")
    assert quoted.startswith("zebra crossing zebra")
    table = kb("kb", "search", query, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "200",
                                           "NO_COLOR": "1"}).stdout
    assert f"No article matches '{quoted}'." in table
    assert kb("kb", "search", "zebra").stderr == "No article matches 'zebra'.\n"


def test_a_one_word_topic_is_covered_by_an_article_with_that_word_in_its_title(kb):
    for title in ("Printers!", "printers", "Reception?", "reception"):
        file_quietly(kb, title)
    # "printers": article 2's title; "reception": nowhere in a title
    assert [t["words"] for t in kb.json("kb", "stats")["next_articles"]] == [["reception"]]
    add_article(kb, "boss", "Badge does not open a door", "Ask at reception.")
    assert [t["words"] for t in kb.json("kb", "stats")["next_articles"]] == [["reception"]]
    add_article(kb, "boss", "Reception hours", "Mon-Fri 8-18.")
    assert kb.json("kb", "stats")["next_articles"] == []
