"""The chart primitives and the one escaping helper under them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from html_sample import PAYLOADS, Page
from isvc.render.svg import Markup, bar_chart, el, esc, heatmap, join, line_chart, num


# -- el: the escaping helper ------------------------------------------------------------

@pytest.mark.parametrize("payload", PAYLOADS)
def test_text_and_attributes_are_escaped(payload):
    markup = el("span", {"title": payload, "data-x": payload}, payload)
    assert payload not in markup or not re.search(r"[<>\"&]", payload)
    page = Page(markup)
    assert page.elements == [("span", {"title": payload, "data-x": payload})]
    assert page.text == payload


@given(st.text())
def test_any_text_round_trips_as_text_only(text):
    markup = el("p", {"title": text}, text, el("strong", {}, text))
    page = Page(markup)
    assert [tag for tag, _ in page.elements] == ["p", "strong"]
    assert page.elements[0][1]["title"] == text
    assert page.text == text + text
    assert markup.count("<") == 4


def test_only_markup_made_by_el_is_inserted_as_is():
    inner = el("b", {}, "x")
    assert isinstance(inner, Markup)
    assert el("p", {}, inner) == "<p><b>x</b></p>"
    assert el("p", {}, "<b>x</b>") == "<p>&lt;b&gt;x&lt;/b&gt;</p>"
    assert join(["<i>", inner, None, ["a&b"]]) == "&lt;i&gt;<b>x</b>a&amp;b"


def test_attribute_values_none_false_and_true():
    assert el("details", {"open": True, "hidden": False, "title": None}) == '<details open="open"></details>'
    assert el("meta", {"charset": "utf-8"}) == '<meta charset="utf-8">'
    assert el("rect", {"class_": "a", "data_count": 3}) == '<rect class="a" data-count="3"></rect>'


@pytest.mark.parametrize("name", ["onclick", "onload", "ONERROR", "x y", '"><script', "", "1a"])
def test_event_handlers_and_odd_attribute_names_are_refused(name):
    with pytest.raises(ValueError):
        el("div", {name: "x"})


@pytest.mark.parametrize("tag", ["script x", "<svg", "", "a>"])
def test_odd_tag_names_are_refused(tag):
    with pytest.raises(ValueError):
        el(tag)


def test_esc_none_is_empty_and_quotes_are_escaped():
    assert esc(None) == ""
    assert esc("\"'<>&") == "&quot;&#x27;&lt;&gt;&amp;"
    assert esc(3) == "3"


def test_numbers_are_rounded_to_one_decimal():
    assert [num(x) for x in (1.0, 1.25, 1.26, -0.04, 100, 2.50)] == ["1", "1.2", "1.3", "0", "100", "2.5"]


# -- the charts --------------------------------------------------------------------------

def _line(**kw):
    args = {"chart_id": "c", "title": "T", "desc": "D", "x_labels": ["a", "b", "c", "d"],
            "series": [{"name": "s", "values": [10, None, 30, 40], "class": 0}]}
    args.update(kw)
    return line_chart(**args)


def test_line_chart_has_title_desc_axes_and_breaks_at_gaps():
    svg = _line()
    page = Page(svg)
    (tag, attrs), = page.by_id("c")
    assert tag == "svg" and attrs["role"] == "img" and attrs["aria-label"] == "T"
    assert attrs["aria-labelledby"] == "c-title c-desc"
    assert page.by_id("c-title") and page.by_id("c-desc")
    paths = [a["d"] for a in page.tags("path")]
    # the None splits the series: one point alone (no path), then a run of two
    assert len(paths) == 1 and paths[0].count("L") == 1
    assert len(page.tags("circle")) == 3
    assert {"a", "d"} <= set(page.texts)  # first and last x labels always shown


def test_line_chart_is_deterministic_and_small():
    values = [i * 1.234567 for i in range(200)]
    a = _line(x_labels=[str(i) for i in range(200)],
              series=[{"name": "s", "values": values, "class": 1}], area=True)
    b = _line(x_labels=[str(i) for i in range(200)],
              series=[{"name": "s", "values": list(values), "class": 1}], area=True)
    assert a == b
    assert not re.search(r"\d\.\d\d", a)  # coordinates rounded
    assert len(a) < 30_000
    labels = [t for t in Page(a).texts if t.isdigit()]
    assert 2 <= len(labels) <= 16  # thinned so they never overlap


def test_line_chart_clamps_to_its_axis():
    svg = _line(series=[{"name": "s", "values": [150, -20, 50, 50]}], y_max=100)
    ys = [float(a["cy"]) for a in Page(svg).tags("circle")]
    assert min(ys) >= 14 and max(ys) <= 260 - 34


def test_empty_charts_say_so():
    for svg in (_line(series=[{"name": "s", "values": [None, None]}]), _line(x_labels=[]),
                bar_chart(chart_id="c", title="T", desc="D", labels=["a"], values=[0])):
        page = Page(svg)
        assert page.by_id("c") and "No data in this period" in page.text


def test_bar_chart_bars_and_tooltips():
    svg = bar_chart(chart_id="h", title="T", desc="D", labels=["<15m", "15–30m"], values=[3, 9],
                    tooltips=["a <b>", "b"])
    page = Page(svg)
    bars = [a for a in page.tags("rect") if "bar" in a.get("class", "")]
    assert len(bars) == 2
    assert float(bars[1]["height"]) == pytest.approx(3 * float(bars[0]["height"]), abs=0.2)
    assert "a <b>" in page.texts and "<15m" in page.texts


def test_heatmap_cells_carry_their_data_and_outline_business_hours():
    cells = [[d * 24 + h for h in range(24)] for d in range(7)]
    hours = [[d < 5 and 9 <= h < 17 for h in range(24)] for d in range(7)]
    svg = heatmap(chart_id="p", title="T", desc="D", cells=cells, highlighted=hours,
                  row_labels=["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
                  tooltip=lambda r, c, n, inside: f"{r}/{c}: {n}{' bh' if inside else ''}")
    page = Page(svg)
    rects = [a for a in page.tags("rect") if "data-count" in a]
    assert len(rects) == 168
    for a in rects:
        d, h = int(a["data-weekday"]), int(a["data-hour"])
        assert int(a["data-count"]) == cells[d][h]
        assert ("bh" in a["class"].split()) == hours[d][h]
    assert "0/0: 0" in page.texts and "0/9: 9 bh" in page.texts
    levels = {a["class"].split()[1] for a in rects}
    assert levels == {"h0", "h1", "h2", "h3", "h4", "h5"}


@pytest.mark.parametrize("top", [0, 1, 2, 3, 5, 7, 10, 25, 250, 1000])
def test_count_axes_step_by_whole_numbers(top):
    charts = [bar_chart(chart_id="b", title="T", desc="D", labels=["a", "b"], values=[top, 1]),
              line_chart(chart_id="l", title="T", desc="D", x_labels=["a", "b"],
                         series=[{"name": "s", "values": [top, 0]}], whole=True)]
    for svg in charts:
        y_labels = re.findall(r'<text class="tick" x="46" y="[^"]*" text-anchor="end">([^<]*)<', svg)
        assert len(y_labels) >= 2 and all(re.fullmatch(r"\d+", t) for t in y_labels), y_labels
        assert len(set(y_labels)) == len(y_labels), y_labels
        assert int(y_labels[-1]) >= top
