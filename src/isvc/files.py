"""Writing a file whole or not at all: to a new temporary name beside it, then renamed over
the target (a reader sees the old file or the new one, never half of one)."""

from __future__ import annotations

import os
from pathlib import Path


def replace_atomically(target: Path, data: bytes, mode: int = 0o600, *,
                       durable: bool = False) -> None:
    """Write ``data`` to ``target`` with ``mode``, replacing a file or a symlink (never
    writing through one). ``durable`` syncs it to disk before the rename."""
    tmp = target.parent / f".{target.name}.isvc-{os.getpid()}-{os.urandom(4).hex()}"
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)  # the umask may have narrowed it
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
