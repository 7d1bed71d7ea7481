"""Small, pure chart primitives for the HTML report, and the one escaping helper that every
piece of its markup goes through.

``el(tag, attrs, *children)`` is the only way markup is made: attribute values and text
children are always escaped (``html.escape`` with quotes), and only what ``el`` itself
returns (a ``Markup``) is inserted as is. Tag and attribute names are code, checked against
a plain pattern, never data. The charts are deterministic: the same figures give the same
bytes (no random ids, coordinates rounded to one decimal).

Colours are CSS classes (``s0`` .. ``s7`` for series, ``heat`` for the heatmap), so the page's
stylesheet chooses them for light, dark and print.
"""

from __future__ import annotations

import html
import math
import re
from typing import Callable, Iterable, Sequence

_NAME = re.compile(r"^[a-zA-Z][a-zA-Z0-9:-]*$")
SERIES_CLASSES = 8


class Markup(str):
    """Markup made by ``el`` (or a literal in code): inserted without escaping."""

    __slots__ = ()


def esc(value: object) -> str:
    """Text or an attribute value, escaped; None is empty."""
    return "" if value is None else html.escape(str(value), quote=True)


def _children(children: Iterable) -> Iterable[str]:
    for child in children:
        if child is None or child is False:
            continue
        if isinstance(child, Markup):
            yield child
        elif isinstance(child, (list, tuple)):
            yield from _children(child)
        else:
            yield esc(child)


def el(tag: str, attrs: dict | None = None, *children) -> Markup:
    """``<tag attr="value">children</tag>``, everything escaped that is not Markup.

    An attribute whose value is None or False is left out; True writes ``name="name"``.
    Void elements (``meta``, ``br``) take no children."""
    if not _NAME.match(tag):
        raise ValueError(f"bad tag name {tag!r}")
    parts = [f"<{tag}"]
    for name, value in (attrs or {}).items():
        name = name.rstrip("_").replace("_", "-")  # class_ -> class, data_count -> data-count
        if not _NAME.match(name) or name.lower().startswith("on"):
            raise ValueError(f"bad attribute name {name!r}")
        if value is None or value is False:
            continue
        if value is True:
            value = name
        parts.append(f' {name}="{esc(value)}"')
    if tag in ("meta", "br", "hr", "link", "img", "input", "col"):
        return Markup("".join(parts) + ">")
    return Markup("".join(parts) + ">" + "".join(_children(children)) + f"</{tag}>")


def join(parts: Iterable) -> Markup:
    """Several pieces as one (text parts escaped)."""
    return Markup("".join(_children(parts)))


def num(x: float) -> str:
    """A coordinate: at most one decimal, no trailing zeros (small, stable output)."""
    text = f"{x:.1f}"
    if text.endswith(".0"):
        text = text[:-2]
    return "0" if text == "-0" else text


def _nice_max(value: float) -> float:
    """A round axis top at or above ``value`` (1, 2, 2.5, 5 times a power of ten)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power


def _whole_ticks(ticks: int, span: float) -> int:
    """Steps of a whole number for an axis of counts (never 0.25 of a request): ``ticks``
    if that divides ``span``, else the nearest count of steps from 1 to 5 that does."""
    span = math.ceil(span)
    for candidate in sorted(range(1, 6), key=lambda t: (abs(t - ticks), -t)):
        if span % candidate == 0:
            return candidate
    return 1


def _frame(chart_id: str, title: str, desc: str, width: int, height: int, body: list) -> Markup:
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    return el("svg", {"id": chart_id, "class": "chart", "viewBox": f"0 0 {width} {height}",
                      "role": "img", "aria-labelledby": f"{title_id} {desc_id}",
                      "aria-label": title, "preserveAspectRatio": "xMidYMid meet"},
              el("title", {"id": title_id}, title), el("desc", {"id": desc_id}, desc), body)


def _empty(chart_id: str, title: str, message: str, width: int, height: int) -> Markup:
    return _frame(chart_id, title, message, width, height, [
        el("rect", {"class": "plot-bg", "x": 0, "y": 0, "width": width, "height": height}),
        el("text", {"class": "empty", "x": num(width / 2), "y": num(height / 2),
                    "text-anchor": "middle"}, message)])


def _label_every(count: int, room: float, label_width: float = 58) -> int:
    """Show every n-th x label so they do not overlap."""
    if count <= 0:
        return 1
    fits = max(1, int(room // label_width))
    return max(1, math.ceil(count / fits))


def _shown_labels(n: int, every: int) -> list[int]:
    """Every ``every``-th x label, the first and the last always (the last replaces the
    one before it, which would be too close)."""
    shown = list(range(0, n, every))
    if n > 1 and shown[-1] != n - 1:
        if len(shown) > 1:
            shown[-1] = n - 1
        else:
            shown.append(n - 1)
    return shown


def _y_axis(left: float, right: float, top: float, bottom: float, y_min: float, y_max: float,
            ticks: int, y_fmt: Callable[[float], str]) -> list:
    parts = []
    for i in range(ticks + 1):
        value = y_min + (y_max - y_min) * i / ticks
        y = bottom - (bottom - top) * i / ticks
        parts.append(el("line", {"class": "grid", "x1": num(left), "x2": num(right),
                                 "y1": num(y), "y2": num(y)}))
        parts.append(el("text", {"class": "tick", "x": num(left - 6), "y": num(y + 4),
                                 "text-anchor": "end"}, y_fmt(value)))
    return parts


def line_chart(*, chart_id: str, title: str, desc: str, x_labels: Sequence[str],
               series: Sequence[dict], y_min: float = 0, y_max: float | None = None,
               y_fmt: Callable[[float], str] = lambda v: f"{v:g}", ticks: int = 4,
               area: bool = False, points: bool | None = None, whole: bool = False,
               width: int = 720, height: int = 260,
               empty: str = "No data in this period") -> Markup:
    """Lines over shared x positions. ``series``: ``{"name", "values": [float | None],
    "class": int}``; a None value breaks the line. ``area`` fills under each series;
    ``whole``: the values are counts, so the axis has no fractional steps."""
    values = [v for s in series for v in s["values"] if v is not None]
    if not x_labels or not values:
        return _empty(chart_id, title, empty, width, height)
    top_value = y_max if y_max is not None else _nice_max(max(values))
    if top_value <= y_min:
        top_value = y_min + 1
    if whole:
        top_value = y_min + math.ceil(top_value - y_min)
        ticks = _whole_ticks(ticks, top_value - y_min)
    left, right, top, bottom = 52.0, width - 14.0, 14.0, height - 34.0
    n = len(x_labels)

    def x_at(i: int) -> float:
        return left + (right - left) * (i / (n - 1) if n > 1 else 0.5)

    def y_at(v: float) -> float:
        v = min(max(v, y_min), top_value)
        return bottom - (bottom - top) * (v - y_min) / (top_value - y_min)

    body: list = [el("rect", {"class": "plot-bg", "x": num(left), "y": num(top),
                              "width": num(right - left), "height": num(bottom - top)})]
    body += _y_axis(left, right, top, bottom, y_min, top_value, ticks, y_fmt)
    for i in _shown_labels(n, _label_every(n, right - left)):
        anchor = "middle" if n == 1 else "start" if i == 0 else "end" if i == n - 1 else "middle"
        body.append(el("text", {"class": "tick", "x": num(x_at(i)), "y": num(bottom + 18),
                                "text-anchor": anchor}, x_labels[i]))
    body.append(el("line", {"class": "axis", "x1": num(left), "x2": num(right),
                            "y1": num(bottom), "y2": num(bottom)}))
    show_points = points if points is not None else n <= 40
    for s in series:
        cls = f"s{s.get('class', 0) % SERIES_CLASSES}"
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(s["values"]):
            if v is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_at(i), y_at(v)))
        runs = [r for r in runs if r]
        if area:
            for run in runs:
                d = (f"M{num(run[0][0])} {num(bottom)}"
                     + "".join(f"L{num(x)} {num(y)}" for x, y in run)
                     + f"L{num(run[-1][0])} {num(bottom)}Z")
                body.append(el("path", {"class": f"area {cls}", "d": d}))
        for run in runs:
            if len(run) == 1:
                continue
            d = f"M{num(run[0][0])} {num(run[0][1])}" + "".join(
                f"L{num(x)} {num(y)}" for x, y in run[1:])
            body.append(el("path", {"class": f"line {cls}", "d": d}))
        if show_points:
            for i, v in enumerate(s["values"]):
                if v is None:
                    continue
                body.append(el("circle", {"class": f"dot {cls}", "cx": num(x_at(i)),
                                          "cy": num(y_at(v)), "r": 3},
                               el("title", {}, f"{s['name']} · {x_labels[i]}: {y_fmt(v)}")))
    return _frame(chart_id, title, desc, width, height, body)


def bar_chart(*, chart_id: str, title: str, desc: str, labels: Sequence[str],
              values: Sequence[float], tooltips: Sequence[str] | None = None,
              y_fmt: Callable[[float], str] = lambda v: f"{v:g}", ticks: int = 4,
              series_class: int = 0, width: int = 720, height: int = 260,
              empty: str = "No data in this period") -> Markup:
    """Vertical bars (a histogram when the labels are buckets), each value written above
    its bar; the values are counts."""
    if not labels or not any(values):
        return _empty(chart_id, title, empty, width, height)
    left, right, top, bottom = 52.0, width - 14.0, 20.0, height - 34.0
    top_value = math.ceil(_nice_max(max(values)))
    ticks = _whole_ticks(ticks, top_value)
    n = len(labels)
    slot = (right - left) / n
    bar = slot * 0.72
    body: list = [el("rect", {"class": "plot-bg", "x": num(left), "y": num(top),
                              "width": num(right - left), "height": num(bottom - top)})]
    body += _y_axis(left, right, top, bottom, 0, top_value, ticks, y_fmt)
    cls = f"s{series_class % SERIES_CLASSES}"
    for i, (label, value) in enumerate(zip(labels, values)):
        h = (bottom - top) * value / top_value
        x = left + slot * i + (slot - bar) / 2
        tip = tooltips[i] if tooltips else f"{label}: {y_fmt(value)}"
        body.append(el("rect", {"class": f"bar {cls}", "x": num(x), "y": num(bottom - h),
                                "width": num(bar), "height": num(h)}, el("title", {}, tip)))
        body.append(el("text", {"class": "value", "x": num(x + bar / 2), "y": num(bottom - h - 5),
                                "text-anchor": "middle"}, y_fmt(value)))
        body.append(el("text", {"class": "tick", "x": num(x + bar / 2), "y": num(bottom + 18),
                                "text-anchor": "middle"}, label))
    body.append(el("line", {"class": "axis", "x1": num(left), "x2": num(right),
                            "y1": num(bottom), "y2": num(bottom)}))
    return _frame(chart_id, title, desc, width, height, body)


def heatmap(*, chart_id: str, title: str, desc: str, cells: Sequence[Sequence[int]],
            highlighted: Sequence[Sequence[bool]] | None, row_labels: Sequence[str],
            tooltip: Callable[[int, int, int, bool], str], width: int = 720) -> Markup:
    """A grid of counts, rows by columns (weekdays by hours): each cell a ``rect`` with
    ``data-weekday``, ``data-hour``, ``data-count`` and a ``title``; ``highlighted`` cells
    (business hours) are outlined. Shade grows with the count (level classes h0 for none,
    h1..h5 on a square-root scale, so the quiet hours still show against the busy ones)."""
    rows, cols = len(cells), len(cells[0]) if cells else 24
    left, top, bottom_room = 46.0, 8.0, 26.0
    cell_w = (width - left - 8) / cols
    cell_h = 24.0
    height = int(top + rows * cell_h + bottom_room)
    peak = max((c for row in cells for c in row), default=0)
    body: list = []
    for r in range(rows):
        y = top + r * cell_h
        body.append(el("text", {"class": "tick", "x": num(left - 6), "y": num(y + cell_h / 2 + 4),
                                "text-anchor": "end"}, row_labels[r] if r < len(row_labels) else r))
        for c in range(cols):
            count = cells[r][c]
            level = 0 if count <= 0 or peak <= 0 else 1 + min(4, int(5 * math.sqrt(count / peak)))
            inside = bool(highlighted and highlighted[r][c])
            body.append(el(
                "rect",
                {"class": f"cell h{level}" + (" bh" if inside else ""),
                 "x": num(left + c * cell_w + 1), "y": num(y + 1),
                 "width": num(cell_w - 2), "height": num(cell_h - 2), "rx": 2,
                 "data-weekday": r, "data-hour": c, "data-count": count},
                el("title", {}, tooltip(r, c, count, inside))))
    for c in range(0, cols, 3):
        body.append(el("text", {"class": "tick", "x": num(left + c * cell_w + cell_w / 2),
                                "y": num(top + rows * cell_h + 17), "text-anchor": "middle"},
                       f"{c:02d}"))
    return _frame(chart_id, title, desc, width, height, body)
