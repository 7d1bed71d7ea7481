"""The Rich views of mail intake: the intake log, the quarantine, one message, attachments."""

from __future__ import annotations

from isvc.render.console import console
from isvc.domain.mail import size_words
from isvc.render.humanize import local

OUTCOME_STYLE = {"request": "green", "reply": "cyan", "note": "dim", "bounce": "yellow",
                 "quarantined": "bold red", "held": "yellow", "dropped": "dim strike"}


def mail_table(rows: list[dict], tz, *, quarantine: bool = False) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not rows:
        con.print("The quarantine is empty." if quarantine else "No mail matches.", style="dim")
        return
    id_width = max(len(str(r["id"])) for r in rows)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, expand=True)
    table.add_column("id", justify="right", style="bold", no_wrap=True, min_width=max(2, id_width))
    table.add_column("received", no_wrap=True, min_width=15)
    table.add_column("sender", no_wrap=True, overflow="ellipsis", ratio=2, min_width=12)
    table.add_column("subject", no_wrap=True, overflow="ellipsis", ratio=3, min_width=12)
    if quarantine:
        table.add_column("reason", overflow="fold", ratio=4, min_width=20)
    else:
        table.add_column("outcome", no_wrap=True, min_width=11)
        table.add_column("request", justify="right", no_wrap=True, min_width=7)
    for row in rows:
        # what a sender wrote is Text, never Rich markup: "Re: [isvc #1] [/x]" shows as is
        cells = [str(row["id"]), local(row["received_at"], tz), Text(row["sender"] or "—"),
                 Text(row["subject"] or "(no subject)")]
        if quarantine:
            reason = row["reason"] or ""
            cells.append(Text(f"held: {reason}" if row["outcome"] == "held" else reason))
        else:
            cells.append(Text(row["outcome"], style=OUTCOME_STYLE.get(row["outcome"], "")))
            cells.append(f"#{row['number']}" if row["number"] else "—")
        table.add_row(*cells)
    con.print(table)


def mail_view(view, tz) -> None:
    from isvc.render.tables import key_values

    row, p = view.row, view.parsed
    pairs = [
        ("from", (f"{p.from_name} <{p.from_addr}>" if p and p.from_name else None)
         or row["sender"] or "—"),
    ]
    if p:
        pairs += [("to", ", ".join(p.to) or "—")]
        if p.cc:
            pairs.append(("cc", ", ".join(p.cc)))
        pairs.append(("date", local(p.date, tz, with_year=True) if p.date else "—"))
    pairs += [
        ("subject", row["subject"] or "(no subject)"),
        ("message-id", row["message_id"] or "—"),
        ("received", local(row["received_at"], tz, with_year=True) + f" from {row['source'] or '?'}"),
        ("size", size_words(row["size"])),
        ("outcome", row["outcome"] + (f" #{row['number']}" if row["number"] else "")),
    ]
    if row["reason"]:
        pairs.append(("reason", row["reason"]))
    if view.parse_problem:
        pairs.append(("cannot read", view.parse_problem))
    for a in view.attachments:
        where = "stored" if a["stored_name"] else "over limit"
        pairs.append(("attachment", f"{a['id']}: {a['filename']} ({a['content_type']}, "
                                    f"{size_words(a['size'])}, {where})"))
    key_values(f"mail {row['id']}", pairs)
    if p and p.text:
        console().print()
        print(p.text.rstrip("\n"))


def attachment_table(rows: list[dict]) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    con = console()
    if not rows:
        con.print("No attachments.", style="dim")
        return
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("id", justify="right", style="bold", no_wrap=True,
                     min_width=max(2, max(len(str(a["id"])) for a in rows)))
    table.add_column("filename", overflow="fold")
    table.add_column("type", no_wrap=True)
    table.add_column("size", justify="right", no_wrap=True)
    table.add_column("from", no_wrap=True)
    table.add_column("stored", no_wrap=True)
    for a in rows:
        origin = " ".join(x for x in (f"mail {a['mail_id']}" if a["mail_id"] else "",
                                      f"event {a['event_id']}" if a["event_id"] else "") if x)
        table.add_row(str(a["id"]), Text(a["filename"]), Text(a["content_type"]),
                      size_words(a["size"]),
                      origin or "—", "stored" if a["stored_name"] else "over limit",
                      style="dim" if not a["stored_name"] else "")
    con.print(table)
