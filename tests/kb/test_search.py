"""`isvc kb search`: ranking, snippets, accents and word forms, retired articles, and user
text that never reaches FTS5 as query syntax."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from testkit import expect_error

from isvc.domain import kb as rules
from isvc.errors import InvalidInput
from isvc.store.migrations import CATALOG_SQL

NOTHING = 'nothing to search for: give some words, e.g. isvc kb search "vpn password"'


def ids(isvc, *args) -> list[int]:
    return [h["id"] for h in isvc.json("kb", "search", *args)]


def test_a_title_match_beats_a_body_only_match(kb):
    hits = kb.json("kb", "search", "vpn")
    assert [h["id"] for h in hits] == [1, 2]  # 1: VPN in the title; 2: only in the body
    assert hits[0]["score"] > hits[1]["score"] > 0
    assert [h["rank"] for h in hits] == [1, 2]


def test_more_of_the_words_rank_higher_and_partial_matches_stay(kb):
    # an OR of the terms: 1 has vpn and password; 2 only vpn; 4 only "hours"
    found = ids(kb, "vpn password hours")
    assert found[0] == 1 and sorted(found[1:]) == [2, 4]


def test_tags_are_searched(kb):
    assert ids(kb, "printer") == [2]
    assert ids(kb, "network") == [1]


def test_the_hit_json_shape_and_snippets(kb):
    hit = kb.json("kb", "search", "passwords expire")[0]
    assert hit == {
        "rank": 1, "id": 1, "title": "Reset your VPN password", "team": "it", "tags": ["network"],
        "version": 1, "updated_at": "2026-11-23T09:30:00Z", "score": hit["score"],
        "snippet": "Open the self-service **portal** and choose *Reset*. «Passwords» «expire» "
                   "every 90 days.",
    }


def test_tsv_snippets_use_plain_markers(kb):
    assert kb("kb", "search", "tray").stdout.split("\t")[-1] == (
        "Open «tray» 2 and remove the paper. If the VPN is down the printer…\n")
    assert kb("kb", "search", "tray").stdout.split("\t")[:3] == ["2", "Printer jams on floor 3", "it"]


def test_on_a_terminal_matches_are_bold(kb):
    out = kb("kb", "search", "tray", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"}).stdout
    assert "\x1b[1;2mtray" in out or "\x1b[1mtray" in out
    assert "«" not in out


@pytest.mark.parametrize("query, found", [
    ("resume", [3]),        # "Résumé" in the title and body
    ("RÉSUMÉ", [3]),
    ("résumés", [3]),
    ("passwords", [1]),     # "password" in the title, "Passwords" in the body
    ("password", [1]),
    ("corrected", [4]),
    ("correction", [4]),    # "corrections" in the title
    ("laptop", [5]),        # "laptops" in the body, "laptop" in the title
])
def test_accents_and_word_forms(kb, query, found):
    assert ids(kb, query) == found


def test_retired_articles_are_not_found(kb):
    kb("--as", "jim", "kb", "retire", 1)
    assert ids(kb, "vpn") == [2]


def test_edited_text_is_searched_and_the_old_text_is_not(kb):
    kb("--as", "jim", "kb", "edit", 6, "--title", "Projector setup", "--body", "Use the HDMI cable.")
    assert ids(kb, "hdmi") == [6]
    assert ids(kb, "meeting") == []


def test_team_and_limit(kb):
    assert ids(kb, "vpn", "--team", "payroll") == []
    assert ids(kb, "vpn", "--team", "it", "--limit", "1") == [1]
    expect_error(kb("kb", "search", "vpn", "--team", "nope", code=None), 3,
                 "no team 'nope'; see `isvc team list`")


def test_no_match_says_so_on_stderr(kb):
    result = kb("kb", "search", "zebra")
    assert (result.stdout, result.stderr) == ("", "No article matches 'zebra'.\n")
    assert kb.json("kb", "search", "zebra") == []


@pytest.mark.parametrize("query", [
    '"', '"vpn', 'vpn"', '(vpn', 'vpn)', '((vpn', 'AND', 'vpn AND', 'OR OR', 'NOT vpn', 'vpn NOT',
    '*', 'vpn*', '*vpn', '-vpn', 'vpn -', ':', 'title:vpn', 'body:x', '{title}: vpn', 'NEAR(',
    'NEAR(vpn password', 'NEAR(vpn password, 2)', '^vpn', 'vpn + password', "it's", '\'"\'',
    '😀 vpn', '日本語', 'x' * 5000, 'vpn ' * 2000, '\\', '\x00vpn', 'a\tb\nc', 'é', 'e\u0301',
])
def test_odd_syntax_never_crashes(kb, query):
    result = kb("kb", "search", "--json", "--", query, code=None)
    if result.exit_code == 2:
        expect_error(result, 2, NOTHING)  # only punctuation: the one refusal there is
    else:
        assert result.exit_code == 0, result.output
        assert isinstance(json.loads(result.stdout), list)


def test_operators_are_words_not_syntax(kb):
    assert ids(kb, "NOT vpn") == [1, 2]        # not "everything without vpn"
    assert ids(kb, "title:booking") == [6]     # no column filter: "title" and "booking"
    assert ids(kb, "vpn*") == [1, 2]           # no prefix query


@pytest.mark.parametrize("query", ["", "   ", "!!!", "()", "* - : ^", "😀🎉", '""', "« »"])
def test_nothing_to_search_for(kb, query):
    expect_error(kb("kb", "search", query, code=None), 2, NOTHING)


# -- the query builder (pure) ------------------------------------------------------------------

def test_fts_query_quotes_terms_and_joins_them_with_or():
    assert rules.fts_query('NEAR(vpn "password" title:x)*') == '"near" OR "vpn" OR "password" OR "title" OR "x"'
    assert rules.fts_query("how do I reset the VPN") == '"reset" OR "vpn"'   # common words dropped
    assert rules.fts_query("how to") == '"how" OR "to"'                       # unless that is all
    assert rules.fts_query("Vpn vpn VPN") == '"vpn"'
    assert rules.fts_query("Résumé") == '"résumé"'
    assert rules.fts_query(" ".join(f"w{i}" for i in range(100))).count(" OR ") == rules.MAX_TERMS - 1


@pytest.fixture(scope="module")
def fts():
    """kb_fts as the migration creates it, in memory."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE teams (handle TEXT PRIMARY KEY)")
    conn.execute("CREATE TABLE requests (number INTEGER PRIMARY KEY)")
    start = CATALOG_SQL.index("CREATE TABLE kb_articles")
    end = CATALOG_SQL.index("-- Canned replies")
    conn.executescript(CATALOG_SQL[start:end])
    conn.execute("INSERT INTO kb_articles(title, body, author, created_at, updated_at) "
                 "VALUES ('Reset your VPN password', 'Passwords expire', 'x', 'now', 'now')")
    return conn


@settings(max_examples=400, deadline=None)
@given(st.text())
@example('"')
@example("NEAR(")
@example("a OR b AND NOT c")
@example("title:x")
@example("\ud7ff" * 3)
def test_any_text_is_a_valid_fts_query_or_nothing_to_search_for(fts, text):
    try:
        query = rules.fts_query(text)
    except InvalidInput as exc:
        assert str(exc) == NOTHING
        return
    fts.execute("SELECT rowid FROM kb_fts WHERE kb_fts MATCH ?", (query,)).fetchall()


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=300)
       | st.lists(st.sampled_from(['"', "(", ")", "*", "-", ":", "^", "+", "NEAR", "AND", "OR",
                                   "NOT", "title", "body", "tags", "vpn", "{", "}", ",", " ",
                                   "😀", "é"]), max_size=40).map("".join))
def test_the_search_service_raises_nothing_but_invalid_input(kb, text):
    from isvc.cli import _common
    from isvc.services import kb as svc

    try:
        hits = svc.search(_common.desk(), text)
    except InvalidInput as exc:
        assert str(exc) == NOTHING
    else:
        assert all(h.id in range(1, 7) for h in hits)
