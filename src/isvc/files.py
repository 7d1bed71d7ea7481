"""Writing a file whole or not at all: to a new temporary name beside it, then renamed over
the target (a reader sees the old file or the new one, never half of one)."""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator


def replace_atomically(target: Path, data: bytes, mode: int = 0o600, *,
                       durable: bool = False) -> None:
    """Write ``data`` to ``target`` with ``mode``, replacing a file or a symlink (never
    writing through one). ``durable`` syncs it to disk before the rename."""
    with writing_atomically(target, mode, durable=durable) as fh:
        fh.write(data)


@contextmanager
def writing_atomically(target: Path, mode: int = 0o600, *,
                       durable: bool = False) -> Iterator[BinaryIO]:
    """``replace_atomically`` for data written piece by piece: the file to write to; the
    target is replaced when the block ends, and left as it was if the block raises."""
    target = Path(target)
    tmp = target.parent / f".{target.name}.isvc-{os.getpid()}-{os.urandom(4).hex()}"
    fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, mode)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
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


def output_target(out: str, force: bool, example: str = "report.html") -> Path | None:
    """Where a command's ``--out`` writes (None: ``-``, standard output), checked before
    any work: never over an existing file without ``force``, and never over anything but
    a regular file (a device, a pipe or a link would be replaced by the rename)."""
    import stat

    from isvc.errors import InvalidInput

    if out == "-":
        return None
    if not out.strip():
        raise InvalidInput("--out needs a file name (or - for standard output)")
    path = Path(out).expanduser()
    if path.is_dir():
        raise InvalidInput(f"--out {out} is a folder; name a file in it, e.g. {path / example}")
    if not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise InvalidInput(f"--out {out}: {path.parent} {what}; choose another --out")
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return path
    if not stat.S_ISREG(mode):
        raise InvalidInput(f"--out {out} is not a regular file (a link, device or pipe); "
                           "write to a file, or use --out - for standard output")
    if not force:
        raise InvalidInput(f"{out} exists; add --force to replace it or choose another --out")
    return path
