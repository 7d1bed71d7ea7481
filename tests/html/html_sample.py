"""A realistic figures dict, shaped as ``services.html_report.collect`` returns it, for the
renderer's tests; and the hostile strings every text field is fed with."""

from __future__ import annotations

import copy
import re
from html.parser import HTMLParser
from datetime import date, timedelta

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</svg><script>alert(2)</script>",
    "javascript:alert(3)",
    "{{7*7}}",
    "'><svg onload=alert(4)>",
    "</style><style>body{display:none}</style>",
    "&lt;b&gt;already escaped&amp;",
)

WEEK_STARTS = [date(2026, 8, 24) + timedelta(days=7 * i) for i in range(14)]


def _weeks() -> list[dict]:
    out = []
    for i, monday in enumerate(WEEK_STARTS):
        start = "2026-08-25T06:30:00Z" if i == 0 else f"{monday - timedelta(days=1)}T21:00:00Z"
        end = ("2026-11-23T09:30:00Z" if i == len(WEEK_STARTS) - 1
               else f"{monday + timedelta(days=6)}T21:00:00Z")
        out.append({"start": start, "end": end,
                    "label_date": "2026-08-25" if i == 0 else monday.isoformat()})
    return out


def _week(resolved: int, met: int, responded: int, fr_met: int) -> dict:
    return {"resolved": resolved, "resolution_met": met,
            "resolution_met_pct": round(100 * met / resolved, 1) if resolved else None,
            "responded": responded, "first_response_met": fr_met,
            "first_response_met_pct": round(100 * fr_met / responded, 1) if responded else None}


def _agreement(name: str, shape: list[tuple[int, int]]) -> dict:
    weeks = [_week(r, m, r + 1, m + 1) if r else _week(0, 0, 0, 0) for r, m in shape]
    resolved = sum(w["resolved"] for w in weeks)
    met = sum(w["resolution_met"] for w in weeks)
    responded = sum(w["responded"] for w in weeks)
    fr_met = sum(w["first_response_met"] for w in weeks)
    return {"agreement": name, "resolved": resolved, "resolution_met": met,
            "resolution_met_pct": round(100 * met / resolved, 1) if resolved else None,
            "responded": responded, "first_response_met": fr_met,
            "first_response_met_pct": round(100 * fr_met / responded, 1) if responded else None,
            "weeks": weeks}


def _peak() -> dict:
    cells = [[(7 * d + 3 * h) % 11 + (25 if d < 5 and 9 <= h < 17 else 0) for h in range(24)]
             for d in range(7)]
    hours = [[d < 5 and 9 <= h < 17 for h in range(24)] for d in range(7)]
    total = sum(map(sum, cells))
    out = sum(cells[d][h] for d in range(7) for h in range(24) if not hours[d][h])
    return {"cells": cells, "business_hours": hours,
            "weekdays": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                         "Sunday"],
            "timezone": "Europe/Bucharest", "calendar": "office", "total": total,
            "out_of_hours": out, "out_of_hours_pct": round(100 * out / total, 1)}


def _backlog() -> list[dict]:
    rows, open_ = [], 40
    for i in range(91):
        day = date(2026, 8, 25) + timedelta(days=i)
        created, resolved = 8 + i % 5, 7 + (i * 3) % 6
        open_ = max(0, open_ + created - resolved)
        rows.append({"date": day.isoformat(), "open": open_, "created": created,
                     "resolved": resolved})
    return rows


def sample() -> dict:
    """Figures for a desk of a few teams over 90 days (the default period)."""
    return {
        "desk": "Acme Service Desk",
        "team": None,
        "team_names": {"it": "IT Service Desk", "facilities": "Facilities", "payroll": "Payroll",
                       "purchasing": "Purchasing"},
        "since": "2026-08-25T09:30:00Z",
        "until": "2026-11-23T09:30:00Z",
        "generated_at": "2026-11-23T09:30:00Z",
        "timezone": "Europe/Bucharest",
        "version": "0.1.0",
        "headline": {"created": 812, "resolved": 790, "open": 57, "resolution_met_pct": 88.1,
                     "first_response_met_pct": 93.4, "first_response_median_minutes": 42,
                     "first_response_p90_minutes": 300, "resolution_median_minutes": 900,
                     "csat_avg": 4.21, "csat_count": 233, "out_of_hours_pct": 12.5},
        "weeks": _weeks(),
        "compliance": [
            _agreement("facilities", [(0, 0)] * 2 + [(5, 4), (6, 6), (7, 5), (4, 4), (6, 3),
                                                      (8, 8), (5, 5), (6, 5), (7, 7), (4, 4),
                                                      (5, 4), (1, 1)]),
            _agreement("it-standard", [(9, 8), (12, 11), (10, 10), (11, 9), (13, 12), (9, 9),
                                       (12, 10), (10, 10), (14, 13), (11, 11), (12, 12),
                                       (10, 8), (13, 12), (2, 2)]),
            _agreement("payroll", [(3, 3), (0, 0), (4, 4), (2, 2), (5, 5), (3, 2), (0, 0),
                                   (4, 4), (3, 3), (2, 2), (4, 3), (3, 3), (2, 2), (0, 0)]),
        ],
        "first_response": {
            "count": 338, "met": 316, "median_minutes": 42, "p90_minutes": 300,
            "buckets": [{"min_minutes": lo, "max_minutes": hi, "count": n} for lo, hi, n in (
                (0, 15, 61), (15, 30, 58), (30, 60, 72), (60, 120, 55), (120, 240, 40),
                (240, 480, 29), (480, 960, 14), (960, 2400, 7), (2400, None, 2))]},
        "peak": _peak(),
        "backlog": _backlog(),
        "csat": {
            "count": 233, "average": 4.21, "csat_pct": 84.5,
            "scores": [{"score": s, "count": n} for s, n in ((1, 6), (2, 9), (3, 21), (4, 72),
                                                               (5, 125))],
            "weeks": [{"count": n, "average": a, "csat_pct": p} for n, a, p in (
                (8, 4.1, 75.0), (17, 4.3, 88.2), (15, 4.0, 80.0), (19, 4.4, 89.5),
                (0, None, None), (18, 4.2, 83.3), (16, 4.25, 87.5), (20, 4.1, 80.0),
                (17, 4.35, 88.2), (21, 4.3, 85.7), (19, 4.0, 78.9), (22, 4.4, 90.9),
                (24, 4.2, 83.3), (17, 4.3, 88.2))],
            "comments": [
                {"number": 771, "score": 5, "comment": "Fixed before the payroll run, thanks!",
                 "rated_at": "2026-11-20T14:00:00Z", "team": "it", "title": "VPN drops every hour"},
                {"number": 754, "score": 2, "comment": "Took three reminders.",
                 "rated_at": "2026-11-18T10:00:00Z", "team": "facilities",
                 "title": "Badge reader at gate B"},
            ]},
        "kudos": [
            {"id": 31, "from": "jim", "from_name": "Jim Ionescu", "to": "ana", "to_kind": "person",
             "to_name": "Ana Pop", "value": "ownership",
             "message": "Thanks for fixing the payroll export before the deadline.",
             "request": 377, "lateral": True, "giver_team": "it", "recipient_team": "payroll",
             "created_at": "2026-11-21T08:00:00Z"},
            {"id": 30, "from": "maria", "from_name": "Maria Pop", "to": "facilities",
             "to_kind": "team", "to_name": "Facilities", "value": "teamwork",
             "message": "The move to the 3rd floor went without a single lost box.",
             "request": None, "lateral": False, "giver_team": "sales",
             "recipient_team": "facilities", "created_at": "2026-11-18T12:00:00Z"},
        ],
        "recurring": [
            {"id": 1, "size": 9, "title": "Printer on floor 2 jams", "type": "it/printing",
             "teams": [{"team": "it", "count": 8}, {"team": "facilities", "count": 1}],
             "requesters": 6, "top_requesters": ["ana", "mihai"],
             "first_at": "2026-09-02T08:00:00Z", "last_at": "2026-11-20T09:00:00Z", "open": 2,
             "numbers": [301, 344, 402], "kb_article": {"id": 17, "title": "Printer jams"},
             "problem": None, "suggestion": "link to KB-17"},
            {"id": 2, "size": 5, "title": "VPN drops every hour", "type": "it/network",
             "teams": [{"team": "it", "count": 5}], "requesters": 4, "top_requesters": ["jim"],
             "first_at": "2026-10-01T08:00:00Z", "last_at": "2026-11-21T09:00:00Z", "open": 1,
             "numbers": [611, 700], "kb_article": None, "problem": 812,
             "suggestion": "problem #812 already open"},
        ],
        "chains": [
            {"numbers": [412, 415, 418], "length": 3, "teams": ["it", "facilities", "purchasing"],
             "titles": ["New starter laptop", "Desk for the new starter", "Order a desk"],
             "people_waiting": 4},
            {"numbers": [420, 398], "length": 2, "teams": ["payroll", "it"],
             "titles": ["Payroll export", "Badge readers down"], "people_waiting": 2},
        ],
    }


def hostile(payload: str) -> dict:
    """The sample with ``payload`` in every text a database could hold."""
    data = copy.deepcopy(sample())
    p = payload
    data["desk"] = f"Desk {p}"
    data["team"] = "it"
    data["team_names"] = {k: f"{v} {p}" for k, v in data["team_names"].items()}
    data["team_names"][p] = p
    for row in data["compliance"]:
        row["agreement"] = f"{row['agreement']} {p}"
    data["peak"]["calendar"] = p
    data["peak"]["timezone"] = p
    data["peak"]["weekdays"] = [p] * 7
    for c in data["csat"]["comments"]:
        c["comment"], c["title"], c["team"] = p, f"{c['title']} {p}", p
    for k in data["kudos"]:
        k.update(from_name=p, to_name=p, value=p, message=f"Thanks {p}", to=p, **{"from": p})
    for g in data["recurring"]:
        g.update(title=p, type=p, teams=[{"team": p, "count": 3}], suggestion=p,
                 kb_article={"id": 17, "title": p})
    data["recurring"][1]["suggestion"] = {"text": p}
    for ch in data["chains"]:
        ch["titles"] = [p] * len(ch["numbers"])
        ch["teams"] = [p] * len(ch["numbers"])
    data["timezone"] = p
    data["version"] = p
    data["generated_at"] = "2026-11-23T09:30:00Z"
    return data


# Every element the page makes itself; anything else in a parsed page came from data.
PAGE_ELEMENTS = frozenset({
    "html", "head", "meta", "title", "style", "body", "main", "header", "footer", "section",
    "h1", "h2", "h3", "p", "time", "ul", "ol", "li", "span", "div", "strong", "blockquote",
    "figure", "details", "summary", "table", "caption", "thead", "tbody", "tr", "th", "td",
    "svg", "desc", "rect", "text", "line", "path", "circle",
})


URL_ATTRIBUTES = frozenset({"href", "src", "srcset", "action", "formaction", "xlink:href",
                            "poster", "background", "data", "codebase", "cite", "ping"})


class Page(HTMLParser):
    """A parsed page: its elements with their attributes, and its text (unescaped)."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.style_text: list[str] = []
        self._in_style = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_startendtag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        (self.style_text if self._in_style else self.texts).append(data)

    @property
    def text(self) -> str:
        return "".join(self.texts)

    def tags(self, name: str) -> list[dict]:
        return [attrs for tag, attrs in self.elements if tag == name]

    def by_id(self, element_id: str) -> list[tuple[str, dict]]:
        return [(tag, attrs) for tag, attrs in self.elements if attrs.get("id") == element_id]


def assert_safe_page(page_text: str, payloads=PAYLOADS) -> Page:
    """No script, no event handler, no element or URL the page did not make itself, and
    each payload only as escaped text."""
    page = Page(page_text)
    tags = {tag for tag, _ in page.elements}
    assert "script" not in tags
    assert tags <= PAGE_ELEMENTS, tags - PAGE_ELEMENTS
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            # no attribute that follows a URL at all, so a "javascript:" value is only text
            assert name not in URL_ATTRIBUTES, (tag, name, value)
            if name == "style" or (value or "").lower().lstrip().startswith("javascript:"):
                assert name in ("title", "aria-label", "data-label"), (tag, name, value)
    assert len(page.tags("style")) == 1
    assert "<" not in "".join(page.style_text)  # the stylesheet is the page's own, whole
    for payload in payloads:
        if "<" in payload or '"' in payload:
            assert payload not in page_text, payload
    return page


def assert_self_contained(page_text: str) -> None:
    """Nothing loads from elsewhere: no remote src/href, no @import, no url() outside."""
    lowered = page_text.lower()
    assert not re.search(r"""(?:src|href|srcset|xlink:href)\s*=\s*["']?\s*(?:https?:)?//""", lowered)
    assert "@import" not in lowered
    for target in re.findall(r"url\(\s*['\"]?([^'\")]*)", lowered):
        assert target.startswith(("#", "data:")), target
    assert "<link" not in lowered and "<iframe" not in lowered and "<object" not in lowered
