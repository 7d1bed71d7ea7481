"""One entry point picks the format; data goes to stdout, everything else to stderr."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Iterable, Sequence, TextIO

from isvc.errors import InvalidInput

FORMATS = ("table", "json", "ndjson", "csv", "tsv")


def choose_format(json_flag: bool, fmt: str | None) -> str:
    if fmt:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise InvalidInput(f"unknown format {fmt!r}; use one of: {', '.join(FORMATS)}")
        if json_flag and fmt != "json":
            raise InvalidInput("--json and --format disagree; give one of them")
        return fmt
    if json_flag:
        return "json"
    return "table" if sys.stdout.isatty() or os.environ.get("ISVC_FORCE_TABLE") else "tsv"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tsv_cell(value: Any) -> str:
    return _cell(value).replace("\t", " ").replace("\r", " ").replace("\n", " ")


# A spreadsheet reads a cell starting with one of these as a formula (OWASP, "CSV
# injection"); the quote is there so that every cell starting with one can be undone.
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "'")


def csv_safe(text: str) -> str:
    """Text for a CSV cell: one ``'`` in front when it starts with = + - @ tab CR (or ').

    A reader gets the original back by dropping one leading ``'``, when there is one.
    """
    return "'" + text if text.startswith(CSV_FORMULA_STARTS) else text


def _csv_cell(value: Any) -> str:
    """Numbers isvc computed stay numbers (-3 is minus three); any text is neutralised."""
    if value is None:
        return ""
    if isinstance(value, str):
        return csv_safe(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return csv_safe(_cell(value))


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


_encode = json.JSONEncoder(ensure_ascii=False).encode  # dump_json without the indent
_encode_str = json.encoder.encode_basestring  # what it does with a str (C when available)
_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}


def _json_scalar(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _encode_str(value)
    if kind is int:
        return int.__repr__(value)
    if value is None or kind is bool:
        return _JSON_CONSTANTS[value]
    return _encode(value)


def _json_element(row: Any) -> str:
    """``dump_json(row)`` indented one level, as inside an array. An object's scalar
    values are encoded directly; only nested lists and objects take json's indenting,
    which is slow (an export writes a million of these)."""
    if not isinstance(row, dict) or not row or not all(type(k) is str for k in row):
        return dump_json(row).replace("\n", "\n  ")
    parts = []
    for key, value in row.items():
        if isinstance(value, (dict, list, tuple)) and value:
            text = dump_json(value).replace("\n", "\n    ")
        else:
            text = _json_scalar(value)
        parts.append(f"    {_json_scalar(key)}: {text}")
    return "{\n" + ",\n".join(parts) + "\n  }"


def _write_json_array(rows: Iterable[Any], out: TextIO) -> None:
    """``dump_json(list(rows))`` and a newline, written one element at a time."""
    first = True
    for row in rows:
        out.write(("[\n  " if first else ",\n  ") + _json_element(row))
        first = False
    out.write("[]\n" if first else "\n]\n")


def emit_rows(rows: Iterable[dict], fmt: str, columns: Sequence[str],
              table: Callable[[], None] | None = None, out: TextIO | None = None) -> None:
    """A list: JSON array, one object per line, CSV with a header, TSV without one.

    ``rows`` may be an iterator: every format but ``table`` writes as it goes (to ``out``,
    default stdout) and never holds the whole list.
    """
    out = sys.stdout if out is None else out
    if fmt == "json":
        _write_json_array(rows, out)
    elif fmt == "ndjson":
        for row in rows:
            out.write(_encode(row) + "\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        # With "\n" as line end the csv module leaves a lone CR unquoted, and readers
        # split the row there: a row holding one is written with every cell quoted.
        quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for row in rows:
            cells = [_csv_cell(row.get(c)) for c in columns]
            (quoted if "\r" in "".join(cells) else writer).writerow(cells)
    elif fmt == "tsv" or table is None:
        for row in rows:
            out.write("\t".join(_tsv_cell(row.get(c)) for c in columns) + "\n")
    else:
        table()


def emit_object(obj: dict, fmt: str, human: Callable[[], None], columns: Iterable[str] | None = None) -> None:
    """One object: JSON for json/ndjson, key<TAB>value lines for tsv/csv, ``human`` for table."""
    out = sys.stdout
    if fmt == "json":
        out.write(dump_json(obj) + "\n")
    elif fmt == "ndjson":
        out.write(json.dumps(obj, ensure_ascii=False) + "\n")
    elif fmt in ("tsv", "csv"):
        keys = list(columns) if columns else [k for k, v in obj.items() if not isinstance(v, (dict, list)) or k in ("tags", "watchers", "members", "teams")]
        emit_rows([obj], fmt, keys)
    else:
        human()


def info(message: str) -> None:
    """Confirmations and hints: stderr, so stdout stays data."""
    sys.stderr.write(message.rstrip("\n") + "\n")


def warn(message: str) -> None:
    sys.stderr.write(f"Warning: {message}\n")
