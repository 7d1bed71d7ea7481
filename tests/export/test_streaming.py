"""Exports stream: rows go out as the cursor reads them, so memory does not grow with the
table (the benchmark journal has close to a million events)."""

from __future__ import annotations

import sqlite3
import tracemalloc

import pytest

from isvc.cli import _common
from isvc.render.output import emit_rows
from isvc.services import export as svc

TEXT = "a journal line long enough to matter when it is held a hundred thousand times " * 3


class Sink:
    """Stands in for stdout or a file: counts what is written, keeps nothing."""

    def __init__(self) -> None:
        self.chars = 0
        self.lines = 0

    def write(self, text: str) -> int:
        self.chars += len(text)
        self.lines += text.count("\n")
        return len(text)


def add_events(path, count: int) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO events(number, at, actor, kind, message, internal) "
            "VALUES (1, '2026-11-20T10:00:00Z', 'jim', 'reply', ?, 0)",
            ((f"{i} {TEXT}",) for i in range(count)))
    conn.close()


def add_requests(path, count: int) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany(
            "INSERT INTO requests(title, body, status, priority, priority_rank, team, requester, "
            "created_at, updated_at) VALUES (?, ?, 'new', 'normal', 2, 'it', 'ana', "
            "'2026-11-20T10:00:00Z', '2026-11-20T10:00:00Z')",
            ((f"Request {i}", TEXT) for i in range(count)))
        conn.executemany("INSERT OR IGNORE INTO request_tags(number, tag) VALUES (?, 'bulk')",
                         ((n,) for n in range(1, count + 1, 7)))
    conn.close()


def peak_while_exporting(kind: str, fmt: str) -> tuple[int, Sink]:
    _common.reset()
    _common.GLOBAL.as_person = "boss"
    desk = _common.desk(create=False)
    plan = svc.export(desk, kind, fmt)
    sink = Sink()
    tracemalloc.start()
    try:
        emit_rows(plan.rows, {"jsonl": "ndjson"}.get(fmt, fmt), plan.columns, out=sink)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        _common.reset()
    return peak, sink


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "json"])
def test_memory_does_not_grow_with_the_journal(quick_desk, isvc_home, fmt):
    quick_desk("--as", "ana", "request", "new", "VPN drops", "--team", "it")
    path = isvc_home / "isvc.db"
    add_events(path, 2_000)
    small, sink = peak_while_exporting("events", fmt)
    assert sink.chars > 2_000 * len(TEXT)
    add_events(path, 18_000)  # ten times the journal
    large, sink = peak_while_exporting("events", fmt)
    assert sink.chars > 20_000 * len(TEXT)
    # Holding the rows would take 20,000 x ~1 kB = 20 MB; a stream holds one chunk.
    assert large < 2 * small + 200_000, (small, large)
    assert large < 4_000_000, large


def test_requests_stream_too(quick_desk, isvc_home):
    add_requests(isvc_home / "isvc.db", 1_000)
    small, _ = peak_while_exporting("requests", "jsonl")
    add_requests(isvc_home / "isvc.db", 9_000)
    large, sink = peak_while_exporting("requests", "jsonl")
    assert sink.lines == 10_000
    assert large < 2 * small + 200_000, (small, large)


def test_tags_and_watchers_are_looked_up_per_chunk_not_per_request(quick_desk, isvc_home, traced):
    from isvc.store.export import CHUNK

    add_requests(isvc_home / "isvc.db", 1_200)
    out = quick_desk("--as", "boss", "export", "requests").stdout
    assert out.count("\n") == 1_200
    assert out.count('"tags": ["bulk"]') == len(range(1, 1_201, 7))
    chunks = -(-1_200 // CHUNK)
    assert sum("FROM request_tags" in s for s in traced) == chunks
    assert sum("FROM watchers" in s for s in traced) == chunks
    assert sum(s.startswith("SELECT number, title") for s in traced) == 1


def test_one_read_snapshot_for_the_whole_export(quick_desk, traced):
    quick_desk("--as", "ana", "request", "new", "VPN drops", "--team", "it")
    traced.clear()
    quick_desk("--as", "boss", "export", "requests")
    begin = [i for i, s in enumerate(traced) if s == "BEGIN"]
    commit = [i for i, s in enumerate(traced) if s == "COMMIT"]
    reads = [i for i, s in enumerate(traced) if "FROM requests" in s or "FROM request_tags" in s]
    assert len(begin) == 1 and len(commit) == 1
    assert begin[0] < min(reads) and max(reads) < commit[0]
