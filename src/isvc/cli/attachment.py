"""`isvc attachment`: the files that came with a request's mail."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from isvc.cli._common import FormatOpt, JsonOpt, desk, fmt
from isvc.render.output import info

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Attachments: the files that came with a request's mail "
                  "(`isvc request attachments N` lists them).")

SQLITE_MAX_INT = 2**63 - 1
IdArg = Annotated[int, typer.Argument(help="Attachment id (see `isvc request attachments N`).", min=1, max=SQLITE_MAX_INT)]


@app.command("show", epilog="Example: isvc attachment show 7 --json")
def attachment_show(attachment_id: IdArg, json_: JsonOpt = False, format_: FormatOpt = None) -> None:
    """One attachment: its name, type, size, and the mail and event it came with."""
    from isvc.render.mail_shapes import ATTACHMENT_COLUMNS, attachment_dict
    from isvc.render.output import emit_object
    from isvc.services import attachments as svc

    row = svc.get(desk(), attachment_id)
    data = attachment_dict(row)

    def human() -> None:
        from isvc.domain.mail import size_words
        from isvc.render.tables import key_values

        key_values(f"attachment {row['id']}", [
            ("file name", row["filename"]),
            ("type", row["content_type"]),
            ("size", size_words(row["size"])),
            ("request", f"#{row['number']}"),
            ("from", f"mail {row['mail_id']}, event {row['event_id']}"),
            ("stored", "yes" if row["stored_name"] else
             f"no: over the size limit; the raw mail keeps it (isvc mail show {row['mail_id']} --raw)"),
            ("sha256", data["sha256"] or "—"),
        ])

    emit_object(data, fmt(json_, format_), human, ATTACHMENT_COLUMNS)


@app.command("save", epilog="Example: isvc attachment save 7   ·   isvc attachment save 7 --out ~/Downloads/   ·   "
             "isvc attachment save 7 --out screenshot.png --force")
def attachment_save(
    attachment_id: IdArg,
    out: Annotated[Optional[str], typer.Option("--out", "-o", help="The file (or folder) to write; default: the original file name, made safe, in the current folder.", metavar="PATH")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
) -> None:
    """Save an attachment to a file; never overwrites one without --force."""
    from isvc.services import attachments as svc

    saved = svc.save(desk(), attachment_id, out, force)
    info(f"Saved attachment {attachment_id} ({saved.attachment['filename']}) to {saved.path}.")
