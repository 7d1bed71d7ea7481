"""The JSON contract of mail intake and attachments (README "JSON shapes"): keys are only
ever added, never renamed. Absent values are null, never missing keys."""

from __future__ import annotations

MAIL_COLUMNS = [
    "id", "message_id", "received_at", "sender", "subject", "size", "outcome", "reason",
    "request", "event_id", "source", "updated_at",
]
# What TSV/CSV lists carry.
MAIL_LIST_COLUMNS = ["id", "received_at", "sender", "subject", "outcome", "request", "reason"]
QUARANTINE_COLUMNS = ["id", "received_at", "sender", "subject", "outcome", "reason"]


def mail_dict(row: dict) -> dict:
    """One message of the intake log (`mail list|show`, `mail quarantine list|show|retry|drop`)."""
    return {
        "id": row["id"],
        "message_id": row.get("message_id"),
        "received_at": row["received_at"],
        "sender": row.get("sender"),
        "subject": row.get("subject"),
        "size": row["size"],
        "outcome": row["outcome"],
        "reason": row.get("reason"),
        "request": row.get("number"),
        "event_id": row.get("event_id"),
        "source": row.get("source"),
        "updated_at": row["updated_at"],
    }


def mail_detail_dict(view) -> dict:
    """`mail show --json`: the row, plus what the message says (null when it cannot be
    read) and its attachments."""
    p = view.parsed
    out = mail_dict(view.row)
    out.update({
        "from_name": p.from_name if p else None,
        "to": list(p.to) if p else [],
        "cc": list(p.cc) if p else [],
        "date": p.date if p else None,
        "in_reply_to": list(p.in_reply_to) if p else [],
        "references": list(p.references) if p else [],
        "text": p.text if p else None,
        "parse_problem": view.parse_problem,
        "attachments": [attachment_dict(a) for a in view.attachments],
    })
    return out


INTAKE_COLUMNS = ["source", "result", "mail_id", "outcome", "request", "reason"]


def intake_dict(result) -> dict:
    """One message of `mail import --json`: ``result`` is stored, duplicate (nothing new:
    the fields describe the message stored before) or temporary (nothing recorded; it
    comes again)."""
    return {
        "source": result.source,
        "result": result.result,
        "mail_id": result.mail_id,
        "outcome": result.outcome,
        "reason": result.reason,
        "request": result.number,
        "event_id": result.event_id,
        "sender": result.sender,
        "subject": result.subject,
    }


ATTACHMENT_COLUMNS = ["id", "request", "filename", "content_type", "size", "stored", "mail_id",
                      "event_id"]


def attachment_dict(row: dict) -> dict:
    stored = row.get("stored_name") is not None
    return {
        "id": row["id"],
        "request": row["number"],
        "event_id": row.get("event_id"),
        "mail_id": row.get("mail_id"),
        "filename": row["filename"],
        "content_type": row["content_type"],
        "size": row["size"],
        "sha256": row["sha256"] if stored and row.get("sha256") else None,
        "stored": stored,
        "internal": bool(row.get("internal")),
        "created_at": row["created_at"],
    }
