"""The outbox and webhooks: JSON shapes, the list table, one message, the send summary."""

from __future__ import annotations

from datetime import datetime

from isvc.render.console import console
from isvc.render.humanize import local

OUTBOX_COLUMNS = ["id", "kind", "channel", "to", "request", "status", "attempts",
                  "next_attempt_at", "sent_at", "last_error"]
WEBHOOK_COLUMNS = ["name", "url", "events", "teams", "secret_env", "signed"]

STATUS_STYLE = {"pending": "cyan", "sending": "yellow", "sent": "green", "failed": "bold red",
                "dropped": "dim"}


def outbox_dict(row: dict) -> dict:
    """One outbox message (keys only ever added). ``next_attempt_at`` is set only while
    the message waits (pending or sending); ``payload`` is the JSON object it carries."""
    waiting = row["status"] in ("pending", "sending")
    return {
        "id": row["id"],
        "kind": row["kind"],
        "channel": row["channel"],
        "to": row["recipient"],
        "person": row["person"],
        "request": row["number"],
        "subject": row["subject"],
        "body": row["body"],
        "payload": row["payload"] or {},
        "message_id": row["message_id"],
        "dedupe_key": row["dedupe_key"],
        "status": row["status"],
        "attempts": row["attempts"],
        "next_attempt_at": row["next_attempt_at"] if waiting else None,
        "claimed_at": row["claimed_at"],
        "last_error": row["last_error"],
        "created_at": row["created_at"],
        "sent_at": row["sent_at"],
    }


def webhook_dict(hook: dict) -> dict:
    """A webhook; ``signed``: its secret's environment variable is set here and now."""
    import os

    var = hook.get("secret_env")
    return {"name": hook["name"], "url": hook["url"], "events": list(hook["events"]),
            "teams": list(hook["teams"]), "secret_env": var,
            "signed": bool(var and os.environ.get(var))}


def outbox_table(rows: list[dict], now: datetime, tz) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not rows:
        con.print("The outbox is empty here.", style="dim")
        return
    headers = ["id", "kind", "to", "#", "status", "next / sent", "subject / last error"]
    rows_cells = []
    for r in rows:
        when = r["sent_at"] if r["status"] == "sent" else r["next_attempt_at"]
        status = r["status"] + (f" ×{r['attempts']}" if r["attempts"] > 1 else "")
        to = r["to"] if r["channel"] == "mail" else f"webhook {r['to']}"
        failed = r["last_error"] and r["status"] != "sent"
        rows_cells.append((str(r["id"]), r["kind"], to[:30],
                           str(r["request"]) if r["request"] else "—", status,
                           local(when, tz) if when else "—",
                           r["last_error"] if failed else r["subject"], failed, r["status"]))
    # every column keeps its natural width; the subject (or why the last attempt failed),
    # what matters most, takes what is left
    widths = [max(len(h), *(len(c[i]) for c in rows_cells)) for i, h in enumerate(headers)]
    others = sum(widths[:-1]) + 3 * (len(headers) - 1)
    widths[-1] = max(12, min(widths[-1], con.width - others))
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=False)
    for header, width in zip(headers, widths):
        table.add_column(header, no_wrap=True, overflow="ellipsis", width=width,
                         justify="right" if header in ("id", "#") else "left",
                         style="bold" if header == "id" else None)
    for *cells, failed, status in rows_cells:
        # every cell as Text: a subject "[/x]" is shown as is, never read as Rich markup
        cells = [Text(c) for c in cells]
        cells[4] = Text(cells[4].plain, style=STATUS_STYLE.get(status, ""))
        cells[6] = Text(cells[6].plain, style="red" if failed else "")
        table.add_row(*cells)
    con.print(table)


def outbox_message(m: dict, tz) -> None:
    """One message in full: its headers, what happened to it, then the body."""
    from rich.text import Text

    con = console()
    pairs = [("To", f"{m['to']} ({m['channel']})"), ("Subject", m["subject"]),
             ("Kind", m["kind"]), ("Request", f"#{m['request']}" if m["request"] else "—"),
             ("Status", m["status"]), ("Attempts", str(m["attempts"])),
             ("Queued", local(m["created_at"], tz, with_year=True))]
    if m["next_attempt_at"]:
        pairs.append(("Next attempt", local(m["next_attempt_at"], tz, with_year=True)))
    if m["sent_at"]:
        pairs.append(("Sent", local(m["sent_at"], tz, with_year=True)))
    if m["last_error"]:
        pairs.append(("Last error", m["last_error"]))
    if m["message_id"]:
        pairs.append(("Message-ID", f"<{m['message_id']}>"))
    for key, value in pairs:
        line = Text(f"{key + ':':<14}", style="dim")
        line.append(value)
        con.print(line, soft_wrap=True)
    con.print()
    con.print(Text(m["body"]), soft_wrap=True)
    if m["payload"]:
        import json

        con.print()
        con.print(Text("payload " + json.dumps(m["payload"], ensure_ascii=False, sort_keys=True),
                       style="dim"), soft_wrap=True)


def webhook_table(hooks: list[dict]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not hooks:
        con.print("No webhooks; an admin adds one: isvc notify webhook add NAME URL", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    for column in ("name", "url", "events", "teams", "signed with"):
        table.add_column(column, overflow="fold")
    for h in hooks:
        secret = "—"
        if h["secret_env"]:
            secret = f"${h['secret_env']}" + ("" if h["signed"] else " (unset)")
        table.add_row(Text(h["name"]), Text(h["url"]), Text(", ".join(h["events"]) or "all"),
                      Text(", ".join(h["teams"]) or "all"), Text(secret))
    con.print(table)
