"""The page as a pure function of the figures: every chart, the words and tables beside
them, escaping of every value, nothing loaded from elsewhere."""

from __future__ import annotations

import copy
import json
import re

import pytest

from html_sample import PAYLOADS, Page, assert_safe_page, assert_self_contained, hostile, sample
from isvc.render.html_report import CHART_IDS, render, summary_line


@pytest.fixture(scope="module")
def page_text() -> str:
    return render(sample())


@pytest.fixture(scope="module")
def page(page_text) -> Page:
    return Page(page_text)


def test_every_chart_is_an_svg_with_a_title_and_a_description(page):
    for chart_id in CHART_IDS:
        (tag, attrs), = page.by_id(chart_id)
        assert tag == "svg" and attrs["role"] == "img" and attrs["aria-label"]
        assert page.by_id(f"{chart_id}-title")[0][0] == "title"
        assert page.by_id(f"{chart_id}-desc")[0][0] == "desc"


def test_header_and_headline_numbers(page):
    text = page.text
    assert page.tags("h1") and "Acme Service Desk" in text
    assert "25 Aug 2026 – 23 Nov 2026" in text and "(90 days)" in text
    assert "Mon 23 Nov 2026 11:30" in text and "Europe/Bucharest" in text  # generated, local
    for figure in ("812", "790", "57 open now", "88.1%", "93.4%", "42m", "5h", "4.21", "233 ratings"):
        assert figure in text, figure


def test_compliance_one_line_per_agreement_with_gaps_for_empty_weeks(page):
    svg_paths = [a for a in page.tags("path") if "line" in a.get("class", "").split()]
    # facilities starts in week 3: one run; it-standard: one run; payroll: three runs
    by_class = {}
    for a in svg_paths:
        by_class.setdefault(a["class"], 0)
        by_class[a["class"]] += 1
    assert by_class["line s0"] == 1 + 1  # facilities + the backlog line share the first colour
    assert by_class["line s1"] == 1 and by_class["line s2"] >= 2
    assert "facilities: 87.5% of 64 resolutions on time, lowest 50% in the week of 5 Oct" in page.text
    assert "it-standard" in page.text and "payroll" in page.text


def test_first_response_histogram_and_words(page):
    assert "338 first responses in the period; median 42m, 90% within 5h of business time" in page.text
    bars = [a for a in page.tags("rect") if "bar" in a.get("class", "").split()]
    assert len(bars) == 9 + 5  # nine buckets, five scores
    for label in ("<15m", "15–30m", "30m–1h", "4–8h", "40h+"):
        assert label in page.texts


def test_heatmap_cells_equal_the_peak_figures(page):
    data = sample()
    cells = [a for a in page.tags("rect") if "data-count" in a]
    assert len(cells) == 168
    for a in cells:
        assert int(a["data-count"]) == data["peak"]["cells"][int(a["data-weekday"])][int(a["data-hour"])]
    outlined = {(int(a["data-weekday"]), int(a["data-hour"])) for a in cells if "bh" in a["class"].split()}
    assert outlined == {(d, h) for d in range(5) for h in range(9, 17)}
    assert "Mon 09:00–10:00 · 30 requests · business hours" in page.texts


def test_csat_kudos_recurring_and_chains(page):
    text = page.text
    assert "Average 4.21 of 5 from 233 ratings; 84.5% rated 4 or 5." in text
    assert "Fixed before the payroll run, thanks!" in text
    assert "Jim Ionescu → Ana Pop" in text and "Maria Pop → Facilities (team)" in text
    assert "for #377" in text and "lateral help" in text
    assert "Printer on floor 2 jams" in text and "link to KB-17" in text and "article KB-17 Printer jams" in text
    assert "problem #812" in text and "IT Service Desk (8), Facilities (1)" in text
    assert "#412" in text and "3 requests long · 4 people waiting" in text
    items = [a for a in page.tags("span") if a.get("title") == "Desk for the new starter"]
    assert items, "each step of a chain names its request"


def test_every_chart_has_its_numbers_in_words_or_a_table(page):
    sections = [a["id"] for a in page.tags("section") if "id" in a]
    assert sections == ["compliance", "first-response", "peak", "backlog", "csat", "kudos",
                        "recurring", "chains"]
    assert len(page.tags("details")) == 5 and len(page.tags("table")) >= 7


def test_light_dark_and_print(page_text):
    assert "@media screen and (prefers-color-scheme:dark)" in page_text  # paper stays light
    assert "@media print" in page_text
    assert 'name="color-scheme" content="light dark"' in page_text


def test_the_page_runs_no_script_and_loads_nothing(page_text, page):
    assert_self_contained(page_text)
    assert not page.tags("script")
    (csp,) = [a for a in page.tags("meta") if a.get("http-equiv") == "Content-Security-Policy"]
    assert "default-src 'none'" in csp["content"] and "script-src" not in csp["content"]


def test_render_is_a_pure_function_of_json_figures(page_text):
    figures = json.loads(json.dumps(sample()))
    assert render(figures) == page_text
    assert render(sample()) == page_text


def test_the_page_stays_small(page_text):
    assert len(page_text.encode()) < 200_000
    big = sample()
    big["backlog"] = big["backlog"] * 8  # two years of days
    big["compliance"] = big["compliance"] * 10
    assert len(render(big).encode()) < 1_000_000


@pytest.mark.parametrize("payload", PAYLOADS)
def test_hostile_values_are_text_only(payload):
    text = render(hostile(payload))
    page = assert_safe_page(text, [payload])
    assert_self_contained(text)
    words = page.text
    assert words.count(payload) >= 10, "the payload shows, as text"
    titles = [a.get("title") for a in page.tags("span") if a.get("title")]
    assert payload in titles  # and as attribute values, escaped there too
    assert len(page.tags("svg")) == len(CHART_IDS)


def test_an_empty_desk_renders_every_section():
    empty = {"desk": "Empty", "since": "2026-08-25T09:30:00Z", "until": "2026-11-23T09:30:00Z",
             "generated_at": "2026-11-23T09:30:00Z", "timezone": "UTC", "headline": {},
             "weeks": [], "compliance": [], "first_response": {"count": 0, "buckets": []},
             "peak": {"cells": [[0] * 24 for _ in range(7)], "business_hours": None, "total": 0},
             "backlog": [], "csat": {"count": 0, "weeks": [], "scores": [], "comments": []},
             "kudos": [], "recurring": [], "chains": []}
    page = Page(render(empty))
    for chart_id in CHART_IDS:
        assert page.by_id(chart_id)
    text = page.text
    for words in ("No resolution clock stopped in this period", "No first response was given",
                  "No request arrived in this period", "No public kudos in this period",
                  "No group of similar requests", "No request is waiting on another one"):
        assert words in text
    assert "—" in text


def test_summary_line():
    line = summary_line(sample(), 91_000, "report.html")
    assert line == ("Wrote report.html (89 KB): Acme Service Desk, 25 Aug 2026 – 23 Nov 2026: "
                    "812 created, 790 resolved, 88.1% on time; 3 agreements, "
                    "2 recurring problems, 2 waiting chains.")
    assert "\n" not in line


def test_counts_of_one_are_singular():
    one = copy.deepcopy(sample())
    one["since"] = "2026-11-22T09:30:00Z"
    one["headline"]["csat_count"] = 1
    one["compliance"] = one["compliance"][:1]
    one["compliance"][0]["resolved"] = 1
    one["first_response"] = {"count": 1, "met": 1, "median_minutes": 10, "p90_minutes": 10,
                             "buckets": [{"min_minutes": 0, "max_minutes": 15, "count": 1}]}
    one["peak"].update(total=1, out_of_hours=1, out_of_hours_pct=100.0)
    one["csat"].update(count=1, average=5.0, csat_pct=100.0,
                       scores=[{"score": s, "count": int(s == 5)} for s in range(1, 6)])
    one["recurring"] = one["recurring"][:1]
    one["chains"] = [{"numbers": [420, 398], "length": 2, "teams": ["payroll", "it"],
                      "titles": ["Payroll export", "Badge readers down"], "people_waiting": 1}]
    page = Page(render(one))
    text = " ".join(page.texts)
    for words in ("(1 day)", "of 5, 1 rating", "of 1 resolution on time",
                  "1 first response in the period", "<15m: 1 first response",
                  "1 request arrived", "from 1 rating;", "5 of 5: 1 rating",
                  "2 requests long · 1 person waiting"):
        assert words in text, words
    plural_of_one = re.compile(r"(?<![\d,.])1 (days|ratings|resolutions|first responses|requests|"
                               r"people|agreements|recurring problems|waiting chains)\b")
    assert not plural_of_one.search(text), plural_of_one.search(text)
    line = summary_line(one, 2048, "r.html")
    assert line.endswith("; 1 agreement, 1 recurring problem, 1 waiting chain.")
    assert not plural_of_one.search(line)
