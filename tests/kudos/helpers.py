"""Helpers for the kudos tests: a direct database probe, sending, the error contract."""

from __future__ import annotations

import sqlite3


class Probe:
    """Plain sqlite3 reads of the desk's file, to prove what a command wrote (or did not)."""

    def __init__(self, path):
        self.path = path

    def query(self, sql: str, *args) -> list[tuple]:
        conn = sqlite3.connect(self.path)
        try:
            return conn.execute(sql, args).fetchall()
        finally:
            conn.close()

    def snapshot(self) -> dict[str, list[tuple]]:
        tables = ("kudos", "events", "audit_log", "settings", "requests", "people")
        return {t: self.query(f"SELECT * FROM {t} ORDER BY rowid") for t in tables}


def send(isvc, who: str, *args, **kw):
    return isvc("--as", who, "kudos", "send", *args, **kw)


def send_id(isvc, who: str, *args, **kw) -> int:
    return int(send(isvc, who, *args, **kw).stdout)


def error(result, code: int) -> str:
    """The one-line refusal on stderr, with its exit code and nothing on stdout."""
    assert result.exit_code == code, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return lines[0]


def resolved_request(isvc, *, requester="ana", team="it", assignee="jim") -> int:
    """A request filed by ``requester`` for ``team``, taken by ``assignee`` and resolved."""
    number = int(isvc("--as", requester, "request", "new", "Payroll export fails on 2nd run",
                      "--team", team).stdout)
    if assignee:
        isvc("--as", assignee, "request", "take", number)
        isvc("--as", assignee, "request", "resolve", number, "-m", "Fixed the export job.")
    else:
        isvc("--as", "jim", "request", "resolve", number, "-m", "Fixed the export job.")
    return number
