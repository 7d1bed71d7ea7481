"""One entry point picks the format; data goes to stdout, everything else to stderr."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Callable, Iterable, Sequence

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


def dump_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def emit_rows(rows: Sequence[dict], fmt: str, columns: Sequence[str],
              table: Callable[[], None] | None = None) -> None:
    """A list: JSON array, one object per line, CSV with a header, TSV without one."""
    out = sys.stdout
    if fmt == "json":
        out.write(dump_json(list(rows)) + "\n")
    elif fmt == "ndjson":
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        import csv

        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
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
