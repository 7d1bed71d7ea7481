"""The request state machine: which command may move a request from which status.

    new          -> acknowledged (ack), in_progress (start), waiting, resolved, cancelled
    acknowledged -> in_progress, waiting, resolved, cancelled
    in_progress  -> waiting, resolved, cancelled
    waiting      -> in_progress (resume, or a reply from whoever it waits on), resolved, cancelled
    resolved     -> closed (close, autoclose), in_progress (reopen, or a requester's reply)
    closed, cancelled: final
"""

from __future__ import annotations

from isvc.domain.models import Status
from isvc.errors import InvalidInput

S = Status

# command -> (target status, statuses it may be run from)
COMMANDS: dict[str, tuple[Status, tuple[Status, ...]]] = {
    "ack": (S.ACKNOWLEDGED, (S.NEW,)),
    "start": (S.IN_PROGRESS, (S.NEW, S.ACKNOWLEDGED)),
    "wait": (S.WAITING, (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS)),
    "resume": (S.IN_PROGRESS, (S.WAITING,)),
    "resolve": (S.RESOLVED, (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING)),
    "cancel": (S.CANCELLED, (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.WAITING)),
    "close": (S.CLOSED, (S.RESOLVED,)),
    "reopen": (S.IN_PROGRESS, (S.RESOLVED,)),
}

FINAL = (S.CLOSED, S.CANCELLED)


def allowed_commands(status: Status) -> list[str]:
    return [name for name, (_, sources) in COMMANDS.items() if status in sources]


def target_of(command: str, current: Status, number: int) -> Status:
    """The status ``command`` moves the request to, or a refusal naming what is allowed."""
    target, sources = COMMANDS[command]
    if current in sources:
        return target
    if current in FINAL:
        hint = "it is final; a new reply files a follow-up request"
    else:
        hint = "from there you can: " + ", ".join(allowed_commands(current))
    raise InvalidInput(f"cannot {command} #{number}: it is {current.label}; {hint}")


def all_transitions() -> set[tuple[Status, Status]]:
    return {(src, target) for target, sources in COMMANDS.values() for src in sources}
