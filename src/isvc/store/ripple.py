"""The edges of the waiting graph: ``blocks`` links and open waits on another request.

``request wait N --on M`` stores both a link (M blocks N) and the wait (N's ``waiting_on``
is M); a pair found both ways is one edge to the callers (isvc.domain.ripple.Graph).
"""

from __future__ import annotations

import sqlite3
from typing import Iterable

from isvc.domain.models import OPEN_SQL, Request

# Open requests, from the partial index that holds only them (a few thousand of a
# million): the queue's graph never reads the history.
_OPEN = f"SELECT number FROM requests INDEXED BY requests_open_status WHERE status IN {OPEN_SQL}"
_CHUNK = 500   # numbers per IN (...) list


def _chunks(numbers: Iterable[int]) -> Iterable[list[int]]:
    numbers = sorted(set(numbers))
    for i in range(0, len(numbers), _CHUNK):
        yield numbers[i:i + _CHUNK]


def open_edges_sql() -> str:
    # "+src": src is checked against the list, not searched with it (searching both sides
    # would probe every pair of open requests)
    return (
        f"SELECT src, dst, 'blocks' FROM links WHERE kind = 'blocks' AND dst IN ({_OPEN}) "
        f"AND +src IN ({_OPEN}) "
        "UNION ALL "
        f"SELECT CAST(waiting_on AS INTEGER), number, 'waits_on' FROM requests "
        f"INDEXED BY requests_open_status WHERE status IN {OPEN_SQL} AND status = 'waiting' "
        f"AND waiting_on GLOB '[0-9]*' AND CAST(waiting_on AS INTEGER) IN ({_OPEN})"
    )


def open_edges(conn: sqlite3.Connection) -> list[tuple[int, int, str]]:
    """Every (src, dst, via) with both ends open: src blocks dst, or dst waits on src."""
    return [tuple(row) for row in conn.execute(open_edges_sql())]


def edges_around(conn: sqlite3.Connection, numbers: Iterable[int],
                 upstream: bool) -> list[tuple[int, int, str]]:
    """The edges into ``numbers`` (their blockers, upstream) or out of them (their
    waiters), whatever the other end's status."""
    out: list[tuple[int, int, str]] = []
    mine = "dst" if upstream else "src"
    for chunk in _chunks(numbers):
        marks = ",".join("?" * len(chunk))
        out += [tuple(row) for row in conn.execute(
            f"SELECT src, dst, 'blocks' FROM links WHERE kind = 'blocks' AND {mine} IN ({marks})",
            chunk)]
        if upstream:
            out += [(int(row[1]), row[0], "waits_on") for row in conn.execute(
                f"SELECT number, waiting_on FROM requests WHERE number IN ({marks}) "
                "AND status = 'waiting' AND waiting_on GLOB '[0-9]*'", chunk)]
        else:
            out += [(int(row[1]), row[0], "waits_on") for row in conn.execute(
                f"SELECT number, waiting_on FROM requests WHERE status = 'waiting' "
                f"AND waiting_on IN ({marks})", [str(n) for n in chunk])]
    return out


def statuses(conn: sqlite3.Connection, numbers: Iterable[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for chunk in _chunks(numbers):
        out.update(conn.execute(
            f"SELECT number, status FROM requests WHERE number IN ({','.join('?' * len(chunk))})",
            chunk).fetchall())
    return out


def requests_by_number(conn: sqlite3.Connection, numbers: Iterable[int]) -> dict[int, Request]:
    """The requests (with tags and watchers) of ``numbers``, a few queries per 500."""
    from isvc.store.requests import _REQUEST_COLUMNS, _hydrate

    out: dict[int, Request] = {}
    for chunk in _chunks(numbers):
        rows = conn.execute(
            f"SELECT {_REQUEST_COLUMNS} FROM requests WHERE number IN "
            f"({','.join('?' * len(chunk))})", chunk).fetchall()
        out.update((r.number, r) for r in _hydrate(conn, rows))
    return out
