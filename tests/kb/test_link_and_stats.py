"""`isvc request resolve N --kb ID` and `isvc kb stats`."""

from __future__ import annotations

import pytest
from testkit import expect_error

from isvc.domain.kb import topic_words, topics


def new(isvc, title: str, when: str = "2026-11-23T09:30:00Z", who: str = "mihai") -> int:
    return int(isvc("--as", who, "request", "new", title, "--team", "it", "--no-suggest",
                    env={"ISVC_NOW": when}).stdout)


# -- resolve --kb -----------------------------------------------------------------------------

def test_resolve_kb_links_the_article_and_journals_it(kb, db):
    new(kb, "VPN password expired")
    result = kb("--as", "jim", "request", "resolve", 1, "-m", "See the article.", "--kb", 1)
    assert result.stderr == "#1 resolved, solved by KB #1.\n"
    assert db.query("SELECT article, kind, number, person FROM kb_events") == [(1, "linked", 1, "jim")]
    events = kb.json("--as", "jim", "request", "show", 1)["events"]
    assert events[-1] == {**events[-1], "kind": "link", "field": "kb", "from": None, "to": "1",
                          "message": "solved by KB #1: Reset your VPN password", "actor": "jim"}
    assert [e["kind"] for e in events] == ["filed", "status", "link"]
    assert events[1]["to"] == "resolved"
    shown = kb("--as", "jim", "request", "show", 1, env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "120"})
    assert "solved by KB #1: Reset your VPN password" in shown.stdout


def test_an_unknown_article_resolves_nothing(kb, db):
    new(kb, "VPN password expired")
    before = db.query("SELECT status, resolved_at FROM requests")
    expect_error(kb("--as", "jim", "request", "resolve", 1, "--kb", 9, code=None), 3,
                 "no KB article #9; see `isvc kb list --all`")
    assert db.query("SELECT status, resolved_at FROM requests") == before
    assert db.count("events") == 1
    assert db.count("kb_events") == 0


def test_only_who_may_resolve_links(kb, db):
    new(kb, "VPN password expired")
    expect_error(kb("--as", "ana", "request", "resolve", 1, "--kb", 1, code=None), 2,
                 "only members of team it, the assignee or an admin may resolve #1; you are ana")
    assert db.count("kb_events") == 0


def test_a_retired_article_can_still_be_linked(kb, db):
    new(kb, "VPN password expired")
    kb("--as", "jim", "kb", "retire", 1)
    kb("--as", "jim", "request", "resolve", 1, "--kb", 1)
    assert db.count("kb_events", "kind = 'linked'") == 1


def test_resolving_again_does_not_link_twice(kb, db):
    new(kb, "VPN password expired")
    kb("--as", "jim", "request", "resolve", 1, "--kb", 1)
    kb("--as", "mihai", "request", "reopen", 1, "-m", "Still broken")
    kb("--as", "jim", "request", "resolve", 1, "--kb", 1)
    assert db.count("kb_events", "kind = 'linked'") == 1
    assert db.count("events", "kind = 'link' AND field = 'kb'") == 1


def test_resolve_without_kb_is_unchanged(kb, db):
    new(kb, "VPN password expired")
    result = kb("--as", "jim", "request", "resolve", 1, "-m", "Done.")
    assert (result.stdout, result.stderr) == ("", "#1 resolved.\n")
    assert db.count("kb_events") == 0


def test_kb_goes_only_with_resolve(kb):
    from isvc.cli import _common
    from isvc.errors import InvalidInput
    from isvc.services import requests as svc

    new(kb, "VPN password expired")
    with pytest.raises(InvalidInput, match="only `resolve` links a knowledge-base article"):
        svc.transition(_common.desk(), 1, "ack", None, kb=1)


# -- stats -----------------------------------------------------------------------------------

def test_stats_counts_each_kind_per_article_in_the_period(kb, db, monkeypatch):
    import isvc.cli.kb

    monkeypatch.setattr(isvc.cli.kb, "prompt_allowed", lambda: True)
    old = {"ISVC_NOW": "2026-06-01T09:00:00Z"}  # before the default 90 days
    kb("--as", "ana", "kb", "show", 1, env=old)
    kb("--as", "ana", "kb", "show", 1)
    kb("--as", "mihai", "kb", "show", 1)
    kb("--as", "mihai", "kb", "show", 3)
    # each offers 1 and 2 (shown: suggested); the first deflects on 1, the second files #1
    kb("--as", "mihai", "request", "new", "VPN password", "--team", "it", "-b", "VPN down",
       input="y\n1\n")
    kb("--as", "mihai", "request", "new", "VPN password", "--team", "it", "-b", "VPN down",
       input="n\n")
    kb("--as", "jim", "request", "resolve", 1, "--kb", 2)
    kb("--as", "jim", "kb", "retire", 6)
    data = kb.json("kb", "stats")
    assert data["since"] == "2026-08-25T09:30:00Z"
    assert data["articles"][:3] == [
        {"id": 1, "title": "Reset your VPN password", "team": "it", "active": True, "views": 2,
         "suggested": 2, "deflected": 1, "linked": 0},
        {"id": 2, "title": "Printer jams on floor 3", "team": "it", "active": True, "views": 0,
         "suggested": 2, "deflected": 0, "linked": 1},
        {"id": 3, "title": "Résumé templates", "team": "payroll", "active": True, "views": 1,
         "suggested": 0, "deflected": 0, "linked": 0},
    ]
    assert [a["id"] for a in data["articles"]] == [1, 2, 3, 4, 5]  # retired 6: nothing happened
    everything = kb.json("kb", "stats", "--since", "2026-01-01")
    assert everything["articles"][0]["views"] == 3
    tsv = kb("kb", "stats").stdout.splitlines()
    assert tsv[0] == "article\t1\tReset your VPN password\tit\ttrue\t2\t2\t1\t0"


def test_next_articles_group_titles_without_a_linked_article(kb):
    titles = ["VPN drops every hour", "vpn drops, every hour!!", "VPN drop every 2 hours",
              "Printer jam", "printer jams again", "Printer jams on floor 3 again",
              "Payslip missing", "Laptop won't boot", "laptops won't boot"]
    for i, title in enumerate(titles):
        new(kb, title, when=f"2026-11-2{i % 3}T09:00:00Z")
    new(kb, "Old: VPN drops every hour", when="2026-01-05T09:00:00Z")  # out of the period
    vpn = {"words": ["drops", "every", "hour", "vpn"], "count": 3, "example": 3,
           "example_title": "VPN drop every 2 hours", "numbers": [1, 2, 3]}
    laptop = {"words": ["boot", "laptop"], "count": 2, "example": 9,
              "example_title": "laptops won't boot", "numbers": [8, 9]}
    assert kb.json("kb", "stats")["next_articles"] == [vpn, laptop]
    kb("--as", "jim", "request", "resolve", 9, "--kb", 5)  # "laptops won't boot" is solved
    data = kb.json("kb", "stats")
    assert data["next_articles"] == [vpn]
    assert set(data) == {"since", "articles", "next_articles"}
    out = kb("kb", "stats").stdout.splitlines()
    assert "next\t3\t3\tdrops every hour vpn\tVPN drop every 2 hours" in out
    assert kb.json("kb", "stats", "--limit", "1")["next_articles"][0]["count"] == 3


def test_stats_on_a_terminal(kb):
    out = kb("kb", "stats", env={"ISVC_FORCE_TABLE": "1", "COLUMNS": "100", "NO_COLOR": "1"}).stdout
    assert "Articles · since 2026-08-25" in out
    assert "No repeated request titles without an article since 2026-08-25." in out


@pytest.mark.parametrize("title, words", [
    ("VPN drops: 3rd time!", {"vpn", "drop", "rd", "time"}),
    ("Re: Fwd: Résumé template", {"resume", "template"}),
    ("Laptop won't boot", {"laptop", "boot"}),
    ("Please help!!!", {"help"}),
    ("!!! 123", set()),
    ("Access to the buildings", {"access", "building"}),
])
def test_topic_words(title, words):
    assert topic_words(title) == frozenset(words)


def test_topics_rank_by_count_then_the_latest_example():
    rows = [(1, "printer jam"), (2, "VPN down"), (3, "Printer jams"), (4, "vpn down!"),
            (5, "payslip"), (6, "the VPN: down")]
    found = topics(rows)
    assert [(t.words, t.count, t.example, t.example_title) for t in found] == [
        (("down", "vpn"), 3, 6, "the VPN: down"), (("jam", "printer"), 2, 3, "Printer jams")]
    # spelled as most often written; a tie ("jam", "jams") goes to the shorter
    assert topics(rows, min_count=1, limit=1)[0].words == ("down", "vpn")
