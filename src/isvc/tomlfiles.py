"""Reading TOML files a user names (calendar and agreement imports): one error style."""

from __future__ import annotations

from pathlib import Path

from isvc.errors import InvalidInput


def read_toml(path: str | Path, what: str) -> dict:
    """The file's tables, or InvalidInput naming the file and what is wrong with it."""
    import tomllib

    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except OSError as exc:
        raise InvalidInput(f"cannot read {what} {path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InvalidInput(f"{path}: not valid TOML ({exc})") from None
