"""Reading exports back, and the times the export desk's requests were filed at."""

from __future__ import annotations

import csv
import io
import json

EARLY = "2026-11-02T09:00:00Z"   # a Monday, three weeks before the pinned clock
MIDDLE = "2026-11-16T09:00:00Z"


def jsonl(text: str) -> list[dict]:
    """One object per line; lines end at \n only (a U+2028 inside a string is text)."""
    return [json.loads(line) for line in text.split("\n") if line]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def export(isvc, who: str, *args: str, code: int | None = 0, env=None):
    return isvc("--as", who, "export", *args, code=code, env=env)
