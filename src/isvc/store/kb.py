"""Knowledge-base rows: articles, their versions, the FTS5 index, article events.

kb_fts is an external-content FTS5 table kept in step with kb_articles by triggers
(migration 0005): writing an article is writing its row, nothing more.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from typing import Any

from isvc.domain.kb import MARK_CLOSE, MARK_OPEN, quote_term

_ARTICLE = ("id, title, body, team, tags, version, active, author, created_at, updated_at")

# bm25 weights per column: title, body, tags. A word in the title counts ten times one in
# the body; tags three times.
BM25 = "bm25(kb_fts, 10.0, 1.0, 3.0)"
SNIPPET_TOKENS = 14


def any_active(conn: sqlite3.Connection) -> bool:
    """The cheap check `request new` makes before anything else of the KB is loaded."""
    return conn.execute("SELECT 1 FROM kb_articles WHERE active LIMIT 1").fetchone() is not None


def insert_article(conn: sqlite3.Connection, *, title: str, body: str, team: str | None,
                   tags: str, author: str, at: str) -> int:
    cur = conn.execute(
        "INSERT INTO kb_articles(title, body, team, tags, version, active, author, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, 1, 1, ?, ?, ?)",
        (title, body, team, tags, author, at, at),
    )
    return cur.lastrowid


def update_article(conn: sqlite3.Connection, article_id: int, **values: Any) -> None:
    cols = ", ".join(f"{k} = ?" for k in values)
    conn.execute(f"UPDATE kb_articles SET {cols} WHERE id = ?", (*values.values(), article_id))


def get_article(conn: sqlite3.Connection, article_id: int) -> dict | None:
    row = conn.execute(f"SELECT {_ARTICLE} FROM kb_articles WHERE id = ?", (article_id,)).fetchone()
    return dict(row) if row else None


def list_articles(conn: sqlite3.Connection, team: str | None, tags: Iterable[str],
                  include_retired: bool) -> list[dict]:
    sql = f"SELECT {_ARTICLE} FROM kb_articles WHERE 1"
    args: list = []
    if not include_retired:
        sql += " AND active"
    if team:
        sql += " AND team = ?"
        args.append(team)
    for tag in tags:
        sql += " AND instr(' ' || tags || ' ', ?) > 0"
        args.append(f" {tag} ")
    return [dict(r) for r in conn.execute(sql + " ORDER BY id", args)]


def insert_version(conn: sqlite3.Connection, article: dict, editor: str, at: str) -> None:
    conn.execute(
        "INSERT INTO kb_versions(article, version, title, body, team, tags, editor, edited_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (article["id"], article["version"], article["title"], article["body"], article["team"],
         article["tags"], editor, at),
    )


def get_version(conn: sqlite3.Connection, article_id: int, version: int) -> dict | None:
    row = conn.execute(
        "SELECT article, version, title, body, team, tags, editor, edited_at FROM kb_versions "
        "WHERE article = ? AND version = ?", (article_id, version),
    ).fetchone()
    return dict(row) if row else None


def versions(conn: sqlite3.Connection, article_id: int) -> list[dict]:
    return [dict(r) for r in conn.execute(
        "SELECT article, version, title, body, team, tags, editor, edited_at FROM kb_versions "
        "WHERE article = ? ORDER BY version", (article_id,))]


def search(conn: sqlite3.Connection, match: str, *, team: str | None, limit: int,
           with_teamless: bool = False) -> list[dict]:
    """Active articles matching an FTS5 expression, best first; ``snippet`` (from the body)
    and ``title_marked`` carry MARK_OPEN/MARK_CLOSE around the matched words. ``team``:
    only that team's articles, and the team-less ones too with ``with_teamless``."""
    sql = (
        f"SELECT a.id, a.title, a.team, a.tags, a.version, a.updated_at, {BM25} AS bm25, "
        f"snippet(kb_fts, 1, ?, ?, '…', {SNIPPET_TOKENS}) AS snippet, "
        "highlight(kb_fts, 0, ?, ?) AS title_marked "
        "FROM kb_fts JOIN kb_articles a ON a.id = kb_fts.rowid "
        "WHERE kb_fts MATCH ? AND a.active"
    )
    args: list = [MARK_OPEN, MARK_CLOSE, MARK_OPEN, MARK_CLOSE, match]
    if team:
        sql += " AND (a.team = ? OR a.team IS NULL)" if with_teamless else " AND a.team = ?"
        args.append(team)
    sql += " ORDER BY bm25, a.id LIMIT ?"
    args.append(limit)
    return [dict(r) for r in conn.execute(sql, args)]


def matched_terms(conn: sqlite3.Connection, article_ids: list[int],
                  terms: list[str]) -> dict[int, tuple[set[str], set[str]]]:
    """Per article, which of ``terms`` it matches (any column) and which its title matches:
    one small query per term, among the given articles only."""
    found: dict[int, tuple[set[str], set[str]]] = {i: (set(), set()) for i in article_ids}
    if not article_ids:
        return found
    marks = ", ".join("?" * len(article_ids))
    sql = ("SELECT rowid, highlight(kb_fts, 0, ?, ?) FROM kb_fts "
           f"WHERE kb_fts MATCH ? AND rowid IN ({marks})")
    for term in terms:
        args = (MARK_OPEN, MARK_CLOSE, quote_term(term), *article_ids)
        for rowid, title in conn.execute(sql, args):
            anywhere, in_title = found[rowid]
            anywhere.add(term)
            if title and MARK_OPEN in title:
                in_title.add(term)
    return found


def insert_event(conn: sqlite3.Connection, kind: str, at: str, *, article: int | None,
                 number: int | None = None, person: str | None = None,
                 query: str | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO kb_events(article, kind, number, person, query, at) VALUES (?, ?, ?, ?, ?, ?)",
        (article, kind, number, person, query, at),
    )
    return cur.lastrowid


def set_event_number(conn: sqlite3.Connection, event_ids: list[int], number: int) -> None:
    conn.executemany("UPDATE kb_events SET number = ? WHERE id = ?",
                     [(number, event_id) for event_id in event_ids])


def linked(conn: sqlite3.Connection, article_id: int, number: int) -> bool:
    return conn.execute(
        "SELECT 1 FROM kb_events WHERE article = ? AND kind = 'linked' AND number = ? LIMIT 1",
        (article_id, number),
    ).fetchone() is not None


def article_stats(conn: sqlite3.Connection, since: str) -> list[dict]:
    """Per article, its events at or after ``since``: active articles always, retired ones
    when something happened to them in the period."""
    rows = conn.execute(
        "SELECT a.id, a.title, a.team, a.active, "
        "count(CASE WHEN e.kind = 'view' THEN 1 END) AS views, "
        "count(CASE WHEN e.kind = 'suggested' THEN 1 END) AS suggested, "
        "count(CASE WHEN e.kind = 'deflected' THEN 1 END) AS deflected, "
        "count(CASE WHEN e.kind = 'linked' THEN 1 END) AS linked "
        "FROM kb_articles a LEFT JOIN kb_events e ON e.article = a.id AND e.at >= ? "
        "GROUP BY a.id HAVING a.active OR count(e.id) > 0 "
        "ORDER BY deflected + linked DESC, views DESC, a.id",
        (since,),
    )
    return [dict(r) for r in rows]


def linked_numbers(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute(
        "SELECT DISTINCT number FROM kb_events WHERE kind = 'linked' AND number IS NOT NULL")}


def request_titles_since(conn: sqlite3.Connection, since: str) -> list[tuple[int, str]]:
    return [(r[0], r[1]) for r in conn.execute(
        "SELECT number, title FROM requests WHERE created_at >= ? ORDER BY number", (since,))]
