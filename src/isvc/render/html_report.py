"""The HTML report: one self-contained page from the figures ``services.html_report.collect``
gathers. ``render`` is a pure function of that dict (the same figures give the same bytes).

The page loads nothing: inline CSS with the system's fonts, inline SVG charts, no script,
and a Content-Security-Policy that forbids anything else. Every value comes through
``isvc.render.svg.el`` and is escaped there, in text and in attributes alike. It reads well
on a screen in light and dark, prints on paper, and says every chart's numbers in words or
a table as well (each chart also has a title and a description for screen readers).
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from isvc.render.humanize import plural
from isvc.render.svg import Markup, bar_chart, el, heatmap, join, line_chart

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CHART_IDS = ("chart-compliance", "chart-first-response", "chart-peak", "chart-backlog",
             "chart-csat-trend", "chart-csat-scores")

# Nothing may load or run but the page's own stylesheet.
CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

CSS = """
:root{color-scheme:light dark;--bg:#f6f7f9;--card:#fff;--fg:#1b1f24;--muted:#5b6470;
--line:#d9dde3;--grid:#e8ebef;--plot:#fbfcfd;--accent:#0b62c4;--good:#1a7f37;--bad:#c62828;
--heat:#0b62c4;--heat0:#eef1f5;--c0:#0072b2;--c1:#d55e00;--c2:#009e73;--c3:#cc79a7;
--c4:#e69f00;--c5:#56b4e9;--c6:#7a5195;--c7:#6b6b6b}
@media screen and (prefers-color-scheme:dark){:root{--bg:#111418;--card:#1a1f25;--fg:#e6e9ee;
--muted:#9aa4b0;--line:#2e353e;--grid:#262c33;--plot:#161a1f;--accent:#6cb2ff;--good:#56d37c;
--bad:#ff7b72;--heat:#4da3ff;--heat0:#20262d;--c0:#56b4e9;--c1:#ff8c42;--c2:#3ad19f;
--c3:#e59ccc;--c4:#f5c04a;--c5:#9ad3f5;--c6:#b79ce0;--c7:#a8a8a8}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,
"Segoe UI",Roboto,"Helvetica Neue",Arial,"Noto Sans",sans-serif;overflow-wrap:anywhere}
main{max-width:1000px;margin:0 auto;padding:24px 20px 40px}
header{margin-bottom:16px}
h1{font-size:1.7rem;margin:0 0 4px;line-height:1.2}
h2{font-size:1.2rem;margin:0 0 6px}
h3{font-size:1rem;margin:14px 0 6px}
p{margin:6px 0}
.meta,.muted,figcaption{color:var(--muted)}
.card{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:16px 18px;margin:14px 0;min-width:0}
.numbers{display:grid;grid-template-columns:repeat(auto-fit,minmax(140px,1fr));gap:10px;
margin:0;padding:0;list-style:none}
.numbers li{background:var(--card);border:1px solid var(--line);border-radius:10px;padding:10px 12px}
.numbers .label{display:block;color:var(--muted);font-size:.82rem}
.numbers .value{display:block;font-size:1.45rem;font-weight:650;font-variant-numeric:tabular-nums}
.numbers .sub{display:block;color:var(--muted);font-size:.8rem}
figure{margin:8px 0}
svg.chart{display:block;width:100%;height:auto;max-width:100%}
svg.chart text{font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;fill:var(--muted)}
svg.chart text.value{fill:var(--fg);font-weight:600}
svg.chart text.empty{font-size:14px}
.plot-bg{fill:var(--plot)}
.grid{stroke:var(--grid);stroke-width:1}
.axis{stroke:var(--line);stroke-width:1}
.line{fill:none;stroke-width:2.2;stroke-linejoin:round;stroke-linecap:round}
.area{stroke:none;fill-opacity:.18}
.dot{stroke:var(--card);stroke-width:1}
.bar{fill-opacity:.9}
.s0{stroke:var(--c0);fill:var(--c0);color:var(--c0)}.s1{stroke:var(--c1);fill:var(--c1);color:var(--c1)}
.s2{stroke:var(--c2);fill:var(--c2);color:var(--c2)}.s3{stroke:var(--c3);fill:var(--c3);color:var(--c3)}
.s4{stroke:var(--c4);fill:var(--c4);color:var(--c4)}.s5{stroke:var(--c5);fill:var(--c5);color:var(--c5)}
.s6{stroke:var(--c6);fill:var(--c6);color:var(--c6)}.s7{stroke:var(--c7);fill:var(--c7);color:var(--c7)}
path.line{fill:none}
.bar.s0,.bar.s1,.bar.s2,.bar.s3,.bar.s4,.bar.s5,.bar.s6,.bar.s7{stroke:none}
.cell{fill:var(--heat);stroke:none}
.cell.h0{fill:var(--heat0)}.cell.h1{fill-opacity:.18}.cell.h2{fill-opacity:.36}
.cell.h3{fill-opacity:.56}.cell.h4{fill-opacity:.78}.cell.h5{fill-opacity:1}
.cell.bh{stroke:var(--fg);stroke-width:1.4;stroke-opacity:.75}
.legend{display:flex;flex-wrap:wrap;gap:4px 16px;margin:6px 0 0;padding:0;list-style:none;
font-size:.85rem}
.legend li{display:flex;align-items:center;gap:6px;min-width:0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:3px;background:currentColor;
flex:none}
.swatch.outlined{background:var(--heat0);border:1.5px solid var(--fg)}
.swatch.heat{background:var(--heat)}
.legend .name{color:var(--fg)}
details{margin-top:8px}
summary{cursor:pointer;color:var(--accent)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.85rem;font-variant-numeric:tabular-nums;
margin-top:6px}
th,td{border-bottom:1px solid var(--line);padding:4px 6px;text-align:left;vertical-align:top}
th{color:var(--muted);font-weight:600}
td.n,th.n{text-align:right;white-space:nowrap}
td.dates{white-space:nowrap}
.heat-table td,.heat-table th{padding:2px 3px;font-size:.75rem}
.two{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:18px}
@media (max-width:760px){.two{grid-template-columns:minmax(0,1fr)}}
.kudos{display:grid;grid-template-columns:repeat(auto-fill,minmax(280px,1fr));gap:10px;
margin:0;padding:0;list-style:none}
.kudos li{border:1px solid var(--line);border-left:4px solid var(--c2);border-radius:8px;padding:8px 10px}
.kudos .who{font-weight:600}
.kudos blockquote,.comments blockquote{margin:4px 0 0;white-space:pre-line}
.comments{margin:0;padding:0;list-style:none}
.comments li{border-top:1px solid var(--line);padding:6px 0}
.tag{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 7px;
font-size:.78rem;color:var(--muted);margin-left:4px}
.chain{margin:0;padding-left:1.2em}
.chain li{margin:6px 0}
.chain .arrow{color:var(--muted);padding:0 4px}
.good{color:var(--good)}.bad{color:var(--bad)}
footer{color:var(--muted);font-size:.8rem;margin-top:24px}
@media print{
:root{--bg:#fff;--card:#fff;--fg:#000;--muted:#444;--line:#bbb;--grid:#e5e5e5;--plot:#fff;
--heat0:#f1f1f1}
body{background:#fff;font-size:11pt;-webkit-print-color-adjust:exact;print-color-adjust:exact}
main{max-width:none;padding:0}
.card,.numbers li,.kudos li{break-inside:avoid;page-break-inside:avoid;border-color:#bbb}
summary{color:#000}
h2{break-after:avoid}
@page{margin:14mm}
}
"""


# -- formatting ------------------------------------------------------------------------

def _zone(name: str | None):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _instant(iso: str | None):
    if not iso:
        return None
    return datetime.fromisoformat(iso.replace("Z", "+00:00"))


def fmt_int(n) -> str:
    return "—" if n is None else f"{int(n):,}"


def fmt_pct(p) -> str:
    if p is None:
        return "—"
    return f"{p:.1f}".removesuffix(".0") + "%"


def fmt_minutes(m) -> str:
    """Business time in hours and minutes (a business day's length differs by calendar)."""
    if m is None:
        return "—"
    m = int(m)
    hours, mins = divmod(m, 60)
    if hours and mins and hours < 10:
        return f"{hours}h {mins}m"
    if hours:
        return f"{hours}h"
    return f"{mins}m"


def fmt_avg(a) -> str:
    return "—" if a is None else f"{a:.2f}".rstrip("0").rstrip(".")


def _day(iso_date: str | None, with_year: bool = False) -> str:
    if not iso_date:
        return "—"
    d = date.fromisoformat(iso_date[:10])
    return d.strftime("%d %b %Y" if with_year else "%d %b").lstrip("0")


def _local_day(iso: str | None, tz, with_year: bool = False) -> str:
    dt = _instant(iso)
    return "—" if dt is None else _day(dt.astimezone(tz).date().isoformat(), with_year)


def _local_time(iso: str | None, tz) -> str:
    dt = _instant(iso)
    return "—" if dt is None else dt.astimezone(tz).strftime("%a %d %b %Y %H:%M")


def _team(data: dict, handle) -> str:
    if handle is None:
        return "—"
    return data.get("team_names", {}).get(handle, str(handle))


def _week_labels(data: dict) -> list[str]:
    return [_day(w["label_date"]) for w in data.get("weeks", [])]


def _numbers_table(head: list[str], rows: list[list], numeric: set[int] = frozenset(),
                   cls: str | None = None, caption: str | None = None) -> Markup:
    return el("div", {"class": "scroll"}, el(
        "table", {"class": cls},
        el("caption", {"class": "muted"}, caption) if caption else None,
        el("thead", {}, el("tr", {}, [el("th", {"scope": "col", "class": "n" if i in numeric else None}, h)
                                      for i, h in enumerate(head)])),
        el("tbody", {}, [el("tr", {}, [el("th" if i == 0 else "td",
                                          {"scope": "row" if i == 0 else None,
                                           "class": "n" if i in numeric else None}, cell)
                                       for i, cell in enumerate(row)]) for row in rows])))


def _details(label: str, *content) -> Markup:
    return el("details", {}, el("summary", {}, label), content)


def _section(section_id: str, title: str, *content) -> Markup:
    return el("section", {"class": "card", "id": section_id, "aria-labelledby": f"{section_id}-h"},
              el("h2", {"id": f"{section_id}-h"}, title), content)


# -- the sections ----------------------------------------------------------------------

def _header(data: dict, tz) -> Markup:
    period = (f"{_local_day(data.get('since'), tz, True)} – {_local_day(data.get('until'), tz, True)}")
    start, end = _instant(data.get("since")), _instant(data.get("until"))
    days = round((end - start).total_seconds() / 86400) if start and end else None
    team = data.get("team")
    return el("header", {},
              el("h1", {}, data.get("desk") or "Service desk"),
              el("p", {"class": "meta"},
                 "Service report",
                 f" · team {_team(data, team)}" if team else None,
                 " · ", el("time", {"datetime": data.get("since")}, period),
                 f" ({plural(days, 'day')})" if days is not None else None),
              el("p", {"class": "meta"}, "Generated ",
                 el("time", {"datetime": data.get("generated_at")},
                    _local_time(data.get("generated_at"), tz)),
                 f" ({data.get('timezone') or 'UTC'})"))


def _headline(data: dict) -> Markup:
    h = data.get("headline") or {}

    def item(label: str, value: str, sub: str | None = None) -> Markup:
        return el("li", {}, el("span", {"class": "label"}, label),
                  el("span", {"class": "value"}, value),
                  el("span", {"class": "sub"}, sub) if sub else None)

    csat_sub = f"of 5, {plural(h.get('csat_count'), 'rating')}" if h.get("csat_count") else "no ratings"
    return el("section", {"aria-label": "Headline numbers"}, el("ul", {"class": "numbers"},
        item("Created", fmt_int(h.get("created")), "requests filed"),
        item("Resolved", fmt_int(h.get("resolved")),
             f"{fmt_int(h.get('open'))} open now" if h.get("open") is not None else None),
        item("Compliance", fmt_pct(h.get("resolution_met_pct")),
             f"resolutions on time; first responses {fmt_pct(h.get('first_response_met_pct'))}"),
        item("Median first response", fmt_minutes(h.get("first_response_median_minutes")),
             f"business time; p90 {fmt_minutes(h.get('first_response_p90_minutes'))}"),
        item("CSAT", fmt_avg(h.get("csat_avg")), csat_sub),
        item("Out of hours", fmt_pct(h.get("out_of_hours_pct")), "of arrivals"),
    ))


def pct_axis(values: list[float]) -> tuple[int, int]:
    """The bottom of a percentage axis and its number of steps: from 0 by 25 when the
    values spread wide, else from a round number under the lowest, by 5 or 10, so that
    weeks of 85% and 95% do not sit on one line at the top."""
    if not values:
        return 0, 4
    bottom = max(0, int((min(values) - 2) // 10) * 10)
    span = 100 - bottom
    if span > 50:
        return 0, 4
    return bottom, span // 5 if span <= 20 else span // 10


def _compliance(data: dict) -> Markup:
    rows = data.get("compliance") or []
    labels = _week_labels(data)
    series = [{"name": r["agreement"], "class": i,
               "values": [w["resolution_met_pct"] for w in r["weeks"]]} for i, r in enumerate(rows)]
    words = []
    for r in rows:
        weekly = [(w["resolution_met_pct"], labels[i]) for i, w in enumerate(r["weeks"])
                  if w["resolution_met_pct"] is not None]
        low = min(weekly, key=lambda t: t[0]) if weekly else None
        words.append(f"{r['agreement']}: {fmt_pct(r['resolution_met_pct'])} of "
                     f"{plural(r['resolved'], 'resolution')} on time"
                     + (f", lowest {fmt_pct(low[0])} in the week of {low[1]}" if low else ""))
    desc = ("Share of resolutions on time per agreement and week. " + "; ".join(words) + "."
            if rows else "No resolution clock stopped in this period.")
    y_min, ticks = pct_axis([v for s in series for v in s["values"] if v is not None])
    chart = line_chart(chart_id="chart-compliance", title="Agreement compliance per week",
                       desc=desc, x_labels=labels, series=series, y_min=y_min, y_max=100,
                       ticks=ticks, y_fmt=lambda v: f"{v:.0f}%",
                       empty="No resolution clock stopped in this period")
    legend = el("ul", {"class": "legend", "aria-label": "Agreements"}, [
        el("li", {"class": f"s{i % 8}"}, el("span", {"class": "swatch", "aria-hidden": "true"}),
           el("span", {"class": "name"}, r["agreement"]),
           el("span", {"class": "muted"}, f"{fmt_pct(r['resolution_met_pct'])} · {fmt_int(r['resolved'])} resolved"))
        for i, r in enumerate(rows)])
    summary_rows = [[r["agreement"], fmt_int(r["resolved"]), fmt_pct(r["resolution_met_pct"]),
                     fmt_int(r["responded"]), fmt_pct(r["first_response_met_pct"])] for r in rows]
    weekly_rows = [[r["agreement"]] + [
        f"{fmt_pct(w['resolution_met_pct'])} ({w['resolved']})" if w["resolved"] else "—"
        for w in r["weeks"]] for r in rows]
    return _section(
        "compliance", "Agreement compliance",
        el("p", {"class": "muted"}, "Resolutions on time, per agreement and week "
           "(weeks start on Monday; the first and last may be partial)."),
        el("figure", {}, chart, legend),
        el("p", {}, "; ".join(words) + "." if rows else "No resolution clock stopped in this period."),
        _details("The numbers",
                 _numbers_table(["Agreement", "Resolved", "On time", "First responses", "On time"],
                                summary_rows, {1, 2, 3, 4}),
                 _numbers_table(["Agreement"] + labels, weekly_rows, set(range(1, len(labels) + 1)),
                                caption="Resolutions on time per week (resolved)")))


BUCKET_LABELS = {0: "<15m", 15: "15–30m", 30: "30m–1h", 60: "1–2h", 120: "2–4h", 240: "4–8h",
                 480: "8–16h", 960: "16–40h", 2400: "40h+"}


def _bucket_label(b: dict) -> str:
    if b["min_minutes"] in BUCKET_LABELS and (b["max_minutes"] is None) == (b["min_minutes"] == 2400):
        return BUCKET_LABELS[b["min_minutes"]]
    if b["max_minutes"] is None:
        return f"{fmt_minutes(b['min_minutes'])}+"
    return f"{fmt_minutes(b['min_minutes'])}–{fmt_minutes(b['max_minutes'])}"


def _first_response(data: dict) -> Markup:
    fr = data.get("first_response") or {"buckets": [], "count": 0}
    buckets = fr.get("buckets") or []
    labels = [_bucket_label(b) for b in buckets]
    counts = [b["count"] for b in buckets]
    total = fr.get("count") or 0
    tips = [f"{lab}: {plural(c, 'first response')}"
            + (f" ({fmt_pct(round(100 * c / total, 1))})" if total else "")
            for lab, c in zip(labels, counts)]
    words = (f"{plural(total, 'first response')} in the period; median {fmt_minutes(fr.get('median_minutes'))}, "
             f"90% within {fmt_minutes(fr.get('p90_minutes'))} of business time; "
             f"{fmt_pct(round(100 * (fr.get('met') or 0) / total, 1))} within the agreed target."
             if total else "No first response was given in this period.")
    chart = bar_chart(chart_id="chart-first-response", title="Time to first response",
                      desc=words, labels=labels, values=counts, tooltips=tips,
                      y_fmt=lambda v: f"{v:,.0f}", series_class=0,
                      empty="No first response in this period")
    rows = [[lab, fmt_int(c), fmt_pct(round(100 * c / total, 1)) if total else "—"]
            for lab, c in zip(labels, counts)]
    return _section("first-response", "Time to first response",
                    el("p", {"class": "muted"}, "First responses given in the period, by the "
                       "business time they took (counted on each agreement's calendar)."),
                    el("figure", {}, chart), el("p", {}, words),
                    _details("The numbers", _numbers_table(["Business time", "Requests", "Share"],
                                                           rows, {1, 2})))


def _peak(data: dict) -> Markup:
    peak = data.get("peak") or {}
    cells = peak.get("cells") or [[0] * 24 for _ in range(7)]
    hours = peak.get("business_hours")
    names = [str(w)[:3] for w in (peak.get("weekdays") or WEEKDAYS)]

    def tip(r: int, c: int, count: int, inside: bool) -> str:
        return (f"{names[r] if r < len(names) else r} {c:02d}:00–{(c + 1) % 24:02d}:00 · "
                f"{count:,} request{'s' if count != 1 else ''}"
                + (" · business hours" if inside else " · out of hours"))

    best = max(((cells[r][c], r, c) for r in range(len(cells)) for c in range(len(cells[r]))),
               default=(0, 0, 0))
    zone = peak.get("timezone")
    calendar = peak.get("calendar")
    words = (f"{plural(peak.get('total'), 'request')} arrived; {fmt_int(peak.get('out_of_hours'))} "
             f"({fmt_pct(peak.get('out_of_hours_pct'))}) out of business hours. Busiest hour: "
             f"{names[best[1]] if best[1] < len(names) else best[1]} {best[2]:02d}:00 with {fmt_int(best[0])}."
             if peak.get("total") else "No request arrived in this period.")
    where = ", ".join(x for x in (f"calendar {calendar}" if calendar else None,
                                  f"hours in {zone}" if zone else None) if x)
    chart = heatmap(chart_id="chart-peak", title="Arrivals by weekday and hour", desc=words,
                    cells=cells, highlighted=hours, row_labels=names, tooltip=tip)
    table_rows = [[names[r] if r < len(names) else str(r)] + [str(n) for n in cells[r]]
                  for r in range(len(cells))]
    return _section("peak", "Peak hours",
                    el("p", {"class": "muted"}, "When requests arrive, by weekday and hour"
                       + (f" ({where})" if where else "") + "."),
                    el("figure", {}, chart,
                       el("ul", {"class": "legend"},
                          el("li", {}, el("span", {"class": "swatch outlined", "aria-hidden": "true"}),
                             "business hours (outlined)"),
                          el("li", {}, el("span", {"class": "swatch heat", "aria-hidden": "true"}),
                             "darker: more arrivals"))),
                    el("p", {}, words),
                    _details("The numbers", _numbers_table(
                        ["Day"] + [f"{h:02d}" for h in range(24)], table_rows, set(range(1, 25)),
                        cls="heat-table")))


def _backlog(data: dict) -> Markup:
    points = data.get("backlog") or []
    labels = [_day(p.get("date")) for p in points]
    series = [{"name": "open", "class": 0, "values": [p.get("open") for p in points]}]
    created = sum(p.get("created") or 0 for p in points)
    resolved = sum(p.get("resolved") or 0 for p in points)
    words = (f"Open requests went from {fmt_int(points[0].get('open'))} on {labels[0]} to "
             f"{fmt_int(points[-1].get('open'))} on {labels[-1]}; peak "
             f"{fmt_int(max((p.get('open') or 0) for p in points))}. {fmt_int(created)} came in, "
             f"{fmt_int(resolved)} went out (resolved, cancelled or closed)."
             if points else "No backlog figures for this period.")
    chart = line_chart(chart_id="chart-backlog", title="Open requests over time", desc=words,
                       x_labels=labels, series=series, area=True, points=False, whole=True,
                       y_fmt=lambda v: f"{v:,.0f}", empty="No backlog figures for this period")
    rows = [[_day(p.get("date"), True), fmt_int(p.get("open")), fmt_int(p.get("created")),
             fmt_int(p.get("resolved"))] for p in points]  # "resolved": left the backlog
    return _section("backlog", "Backlog",
                    el("p", {"class": "muted"}, "Requests open at the end of each day."),
                    el("figure", {}, chart), el("p", {}, words),
                    _details("The numbers", _numbers_table(["Date", "Open", "In", "Out"],
                                                           rows, {1, 2, 3})))


def _stars(score: int) -> str:
    score = max(0, min(5, int(score)))
    return "★" * score + "☆" * (5 - score)


def _csat(data: dict, tz) -> Markup:
    c = data.get("csat") or {}
    labels = _week_labels(data)
    weekly = c.get("weeks") or []
    total = c.get("count") or 0
    words = (f"Average {fmt_avg(c.get('average'))} of 5 from {plural(total, 'rating')}; "
             f"{fmt_pct(c.get('csat_pct'))} rated 4 or 5." if total
             else "No requester rated a request in this period.")
    trend = line_chart(chart_id="chart-csat-trend", title="Average rating per week", desc=words,
                       x_labels=labels,
                       series=[{"name": "average", "class": 2, "values": [w["average"] for w in weekly]}],
                       y_min=1, y_max=5, y_fmt=lambda v: f"{v:.1f}".removesuffix(".0"),
                       width=480, height=240, empty="No ratings in this period")
    scores = c.get("scores") or [{"score": s, "count": 0} for s in range(1, 6)]
    dist_words = ", ".join(f"{s['count']:,} × {s['score']}" for s in scores)
    spread = bar_chart(chart_id="chart-csat-scores", title="Ratings by score",
                       desc=f"How many ratings of each score: {dist_words}.",
                       labels=[_stars(s["score"]) for s in scores], values=[s["count"] for s in scores],
                       tooltips=[f"{s['score']} of 5: {plural(s['count'], 'rating')}" for s in scores],
                       y_fmt=lambda v: f"{v:,.0f}", series_class=4, width=320, height=240,
                       empty="No ratings in this period")
    comments = c.get("comments") or []
    comment_list = el("ul", {"class": "comments"}, [
        el("li", {},
           el("span", {"aria-label": f"{cm['score']} of 5"}, _stars(cm["score"])), " ",
           el("strong", {}, f"#{cm['number']}"), " ", cm.get("title"),
           el("span", {"class": "tag"}, _team(data, cm.get("team"))),
           el("span", {"class": "muted"}, " · ", _local_day(cm.get("rated_at"), tz)),
           el("blockquote", {}, cm.get("comment"))) for cm in comments]) if comments else None
    week_rows = [[labels[i] if i < len(labels) else str(i), fmt_int(w["count"]), fmt_avg(w["average"]),
                  fmt_pct(w["csat_pct"])] for i, w in enumerate(weekly)]
    return _section("csat", "Customer satisfaction",
                    el("p", {"class": "muted"}, "The requesters' 1–5 ratings given in the period."),
                    el("div", {"class": "two"}, el("figure", {}, trend), el("figure", {}, spread)),
                    el("p", {}, words), el("p", {"class": "muted"}, "Scores: ", dist_words, "."),
                    el("h3", {}, "What requesters said") if comments else None, comment_list,
                    _details("The numbers", _numbers_table(["Week of", "Ratings", "Average", "4 or 5"],
                                                           week_rows, {1, 2, 3})))


def _kudos(data: dict, tz) -> Markup:
    items = data.get("kudos") or []
    if not items:
        return _section("kudos", "Kudos highlights", el("p", {}, "No public kudos in this period."))
    cards = []
    for k in items:
        to = k.get("to_name") or k.get("to")
        to_label = f"{to} (team)" if k.get("to_kind") == "team" else to
        cards.append(el("li", {},
                        el("div", {"class": "who"}, k.get("from_name") or k.get("from"), " → ", to_label),
                        el("div", {"class": "muted"},
                           _local_day(k.get("created_at"), tz),
                           el("span", {"class": "tag"}, k["value"]) if k.get("value") else None,
                           el("span", {"class": "tag"}, f"for #{k['request']}") if k.get("request") else None,
                           el("span", {"class": "tag"}, "lateral help") if k.get("lateral") else None),
                        el("blockquote", {}, k.get("message"))))
    return _section("kudos", "Kudos highlights",
                    el("p", {"class": "muted"}, "The newest public thanks in the period."),
                    el("ul", {"class": "kudos"}, cards))


def _text(value) -> str | None:
    """A free-form field from another report (a string, a number, or a small object)."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, dict):
        for key in ("text", "action", "title", "summary", "message"):
            if value.get(key):
                return str(value[key])
        return ", ".join(f"{k}: {v}" for k, v in value.items() if v is not None)
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _ref(value, prefix: str) -> str | None:
    """A request or article reference: a number, or an object naming one."""
    if value is None or value is False:
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return f"{prefix}{value}"
    if isinstance(value, dict):
        ident = value.get("number") or value.get("id")
        title = value.get("title")
        head = f"{prefix}{ident}" if ident is not None else None
        return " ".join(x for x in (head, str(title) if title else None) if x) or None
    return str(value)


def _recurring(data: dict, tz) -> Markup:
    groups = data.get("recurring") or []
    if not groups:
        return _section("recurring", "Top recurring problems",
                        el("p", {}, "No group of similar requests in this period."))
    rows = []
    for g in groups:
        teams = ", ".join(f"{_team(data, t.get('team'))} ({t.get('count')})" if isinstance(t, dict)
                          else _team(data, t) for t in (g.get("teams") or []))
        follow = [x for x in (("problem " + _ref(g.get("problem"), "#")) if _ref(g.get("problem"), "#") else None,
                              ("article " + _ref(g.get("kb_article"), "KB-")) if _ref(g.get("kb_article"), "KB-") else None)
                  if x]
        rows.append(el("tr", {},
                       el("td", {"class": "n"}, fmt_int(g.get("size"))),
                       el("td", {}, el("strong", {}, g.get("title")),
                          el("div", {"class": "muted"}, g.get("type")) if g.get("type") else None),
                       el("td", {}, teams or "—"),
                       el("td", {"class": "n"}, fmt_int(_count(g.get("requesters")))),
                       el("td", {"class": "dates"},
                          f"{_local_day(g.get('first_at'), tz)} – {_local_day(g.get('last_at'), tz)}"),
                       el("td", {"class": "n"}, fmt_int(_count(g.get("open")))),
                       el("td", {}, _text(g.get("suggestion")) or "—",
                          el("div", {"class": "muted"}, "; ".join(follow)) if follow else None)))
    head = ["Requests", "Problem", "Teams", "Requesters", "First – last", "Open", "Suggestion"]
    return _section("recurring", "Top recurring problems",
                    el("p", {"class": "muted"}, "Groups of similar requests: prevent them instead "
                       "of fixing them again."),
                    el("div", {"class": "scroll"}, el("table", {},
                        el("thead", {}, el("tr", {}, [el("th", {"scope": "col", "class": "n" if i in (0, 3, 5) else None}, h)
                                                      for i, h in enumerate(head)])),
                        el("tbody", {}, rows))))


def _count(value) -> int | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, dict)):
        return len(value)
    return int(value)


def _chains(data: dict) -> Markup:
    chains = data.get("chains") or []
    if not chains:
        return _section("chains", "Longest waiting chains",
                        el("p", {}, "No request is waiting on another one."))
    items = []
    for ch in chains:
        numbers = ch.get("numbers") or []
        teams = ch.get("teams") or []
        titles = ch.get("titles") or []
        steps = []
        for i, n in enumerate(numbers):
            if i:
                steps.append(el("span", {"class": "arrow", "aria-label": "holds up"}, "→"))
            title = titles[i] if i < len(titles) else None
            team = teams[i] if i < len(teams) else None
            steps.append(el("span", {"title": title}, el("strong", {}, f"#{n}"),
                            el("span", {"class": "tag"}, _team(data, team)) if team else None))
        waiting = ch.get("people_waiting")
        detail = [("→ " if i else "") + f"#{n} {titles[i]}" for i, n in enumerate(numbers)
                  if i < len(titles) and titles[i]]
        items.append(el("li", {}, el("div", {}, steps),
                        el("div", {"class": "muted"},
                           f"{plural(ch.get('length') or len(numbers), 'request')} long"
                           + (f" · {plural(waiting, 'person', 'people')} waiting"
                              if waiting is not None else "")),
                        el("div", {"class": "muted"}, " ".join(detail)) if detail else None))
    return _section("chains", "Longest waiting chains",
                    el("p", {"class": "muted"}, "Open requests waiting on each other, "
                       "longest first: each chain starts with the request that holds the "
                       "others up (#a → #b: #b waits on #a)."),
                    el("ol", {"class": "chain"}, items))


def render(data: dict) -> str:
    """The whole page, as text."""
    tz = _zone(data.get("timezone"))
    body = el("main", {},
              _header(data, tz),
              _headline(data),
              _compliance(data),
              _first_response(data),
              _peak(data),
              _backlog(data),
              _csat(data, tz),
              _kudos(data, tz),
              _recurring(data, tz),
              _chains(data),
              el("footer", {}, f"Made by isvc {data.get('version') or ''} from the desk's database; "
                 "internal notes and private kudos are never included."))
    head = el("head", {},
              el("meta", {"charset": "utf-8"}),
              el("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("meta", {"name": "color-scheme", "content": "light dark"}),
              el("meta", {"name": "generator", "content": "isvc"}),
              el("title", {}, f"{data.get('desk') or 'Service desk'} · service report"),
              el("style", {}, Markup(CSS)))
    return "<!doctype html>\n" + join([el("html", {"lang": "en"}, head, el("body", {}, body))]) + "\n"


def summary_line(data: dict, size: int, where: str) -> str:
    """One line for stderr: what the page covers and where it went."""
    tz = _zone(data.get("timezone"))
    h = data.get("headline") or {}
    period = f"{_local_day(data.get('since'), tz, True)} – {_local_day(data.get('until'), tz, True)}"
    kb = max(1, round(size / 1024))
    return (f"Wrote {where} ({kb:,} KB): {data.get('desk') or 'the desk'}, {period}: "
            f"{fmt_int(h.get('created'))} created, {fmt_int(h.get('resolved'))} resolved, "
            f"{fmt_pct(h.get('resolution_met_pct'))} on time; "
            f"{plural(len(data.get('compliance') or []), 'agreement')}, "
            f"{plural(len(data.get('recurring') or []), 'recurring problem')}, "
            f"{plural(len(data.get('chains') or []), 'waiting chain')}.")
