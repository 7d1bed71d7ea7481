"""Helpers shared by the tests: a direct database probe and the error contract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

TABLES = ("settings", "teams", "people", "memberships", "requests", "request_tags", "watchers",
          "events", "waits", "links", "audit_log")

ISO_Z = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"


class DbProbe:
    """Plain sqlite3 reads of the desk's file, independent of isvc's store."""

    def __init__(self, path: Path):
        self.path = Path(path)

    def query(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def scalar(self, sql: str, *args):
        return self.query(sql, *args)[0][0]

    def count(self, table: str, where: str = "1", *args) -> int:
        return self.scalar(f"SELECT count(*) FROM {table} WHERE {where}", *args)

    def counts(self) -> dict[str, int]:
        return {table: self.count(table) for table in TABLES}



def expect_error(result, code: int, message: str) -> None:
    """The contract for a user error: the exit code, one `Error: ...` line on stderr,
    nothing on stdout, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""
    assert "Traceback" not in result.output


def expect_usage_error(result, *fragments: str) -> None:
    """Click/Typer usage errors (missing option, bad int): exit 2, said on stderr."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


class Recorder:
    """Stands in for a connection and keeps every (sql, parameters) the code runs through
    it, so tests check the statements really executed (plans, counts, parameters)."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.statements: list[tuple[str, object]] = []

    @property
    def sql(self) -> list[str]:
        return [sql for sql, _ in self.statements]

    def execute(self, sql, params=()):
        self.statements.append((sql, params))
        return self.conn.execute(sql, params)

    def __getattr__(self, name):
        return getattr(self.conn, name)
