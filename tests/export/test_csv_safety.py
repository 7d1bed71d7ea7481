"""Spreadsheet formula injection: every CSV isvc writes neutralises text cells that start
with = + - @ tab or CR (OWASP), in one place (render.output), undone by dropping one '."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from isvc.render.output import CSV_FORMULA_STARTS, csv_safe, dump_json, emit_rows

from .helpers import csv_rows, export

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def written(values: list, columns=None) -> list[str]:
    """The cells of one CSV row emit_rows writes for ``values``, read back."""
    columns = columns or [f"c{i}" for i in range(len(values))]
    out = io.StringIO(newline="")
    emit_rows(iter([dict(zip(columns, values))]), "csv", columns, out=out)
    header, row = csv_rows(out.getvalue())
    assert header == columns
    return row


def undo(cell: str) -> str:
    return cell[1:] if cell.startswith("'") else cell


@pytest.mark.parametrize("text, cell", [
    ("=1+1", "'=1+1"),
    ("+cmd", "'+cmd"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("'quoted", "''quoted"),   # so that dropping one ' is always right
    ("plain = text", "plain = text"),
    (" =1+1", " =1+1"),
    ("", ""),
])
def test_the_listed_cases(text, cell):
    assert csv_safe(text) == cell
    assert written([text]) == [cell]
    assert undo(cell) == text


def test_numbers_isvc_wrote_stay_numbers():
    """-3 computed by isvc is minus three; the text "-3" (a title, say) is text."""
    assert written([-3, -2.5, "-3", True, None, 0]) == ["-3", "-2.5", "'-3", "true", "", "0"]


def test_lists_and_objects_are_text_too():
    assert written([["=a", "b"], {"k": "=v"}]) == ["'=a,b", '{"k": "=v"}']


@settings(max_examples=300)
@given(st.lists(st.text(), min_size=1, max_size=4))
def test_no_text_cell_starts_a_formula_and_every_one_reads_back(texts):
    cells = written(texts)
    for text, cell in zip(texts, cells):
        assert not cell.startswith(DANGEROUS), (text, cell)
        assert undo(cell) == text
        assert cell == text or cell == "'" + text  # at most the one quote is added


@given(st.text())
def test_csv_safe_on_its_own(text):
    safe = csv_safe(text)
    assert not safe.startswith(DANGEROUS)
    assert undo(safe) == text
    assert (safe != text) == text.startswith(CSV_FORMULA_STARTS)


JSONABLE = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: (st.lists(inner, max_size=3) | st.tuples(inner)
                   | st.dictionaries(st.text() | st.integers(), inner, max_size=3)),
    max_leaves=8,
)
ROWS = st.lists(st.dictionaries(st.text() | st.integers(), JSONABLE, max_size=4) | JSONABLE,
                max_size=4)


@settings(max_examples=300)
@given(ROWS)
def test_the_streamed_json_array_is_the_one_dump_json_writes(rows):
    out = io.StringIO()
    emit_rows(iter(rows), "json", [], out=out)
    assert out.getvalue() == dump_json(rows) + "\n"


def test_the_streamed_json_array_reads_back(xd):
    text = export(xd, "boss", "requests", "--format", "json").stdout
    assert text == dump_json(json.loads(text)) + "\n"


def test_an_export_neutralises_titles_and_fields(xd):
    rows = csv_rows(export(xd, "boss", "requests", "--format", "csv").stdout)
    third = dict(zip(rows[0], rows[3]))
    assert third["title"] == "'=1+1"
    assert third["fields"] == '{"cmd": "+cmd"}'  # starts with {: nothing to do
    for row in rows[1:]:
        assert not any(cell.startswith(DANGEROUS) for cell in row), row


def test_queue_csv_gets_the_same_treatment(xd):
    """One place for every CSV isvc writes: the queue's too."""
    xd("--as", "ana", "request", "new", "@SUM(A1:A9)", "--team", "it")
    rows = list(csv.reader(io.StringIO(xd("--as", "jim", "queue", "it", "--format", "csv").stdout)))
    titles = [dict(zip(rows[0], r))["title"] for r in rows[1:]]
    assert "'@SUM(A1:A9)" in titles and "'=1+1" in titles
