"""`isvc config`: the TOML config file."""

from __future__ import annotations

from typing import Annotated

import typer

from isvc.cli._common import JsonOpt
from isvc.render.output import info

app = typer.Typer(add_completion=False, help="The config file (TOML): defaults < file < environment < flags.", no_args_is_help=True)


@app.command("show", epilog="Example: isvc config show --json")
def config_show(json_: JsonOpt = False) -> None:
    """Print the effective config and where the file is."""
    from isvc import config
    from isvc.paths import config_path
    from isvc.render.output import dump_json

    data = config.load()
    _note_desk_settings()
    if json_:
        print(dump_json(data))
        return
    info(f"# {config_path()}")
    import tomli_w

    print(tomli_w.dumps({k: v for k, v in data.items() if v is not None}), end="")


@app.command("get", epilog="Example: isvc config get requests.autoclose_days")
def config_get(key: Annotated[str, typer.Argument(help="A dotted key.")]) -> None:
    """Print one value."""
    from isvc import config
    from isvc.render.output import dump_json

    value = config.get_key(config.load(), key)
    # a bool is an int to Python: print it as TOML and JSON write it (true, false)
    print(value if isinstance(value, (str, int)) and not isinstance(value, bool)
          else dump_json(value))


@app.command("set", epilog="Example: isvc config set admins ana jim   ·   isvc config set tz Europe/Bucharest")
def config_set(
    key: Annotated[str, typer.Argument(help="A dotted key (see `isvc config show`).")],
    values: Annotated[list[str], typer.Argument(help="The value (several for lists).")],
) -> None:
    """Set a value in the config file."""
    from isvc import config

    value = config.coerce(key, values)
    if key == "tz":
        from isvc.render.humanize import viewer_zone

        viewer_zone(value)
    if key == "requests.default_priority":
        from isvc.domain.models import parse_priority

        value = parse_priority(value).value  # refuse now, not on every later `request new`
    path = config.write_key(key, value)
    shown = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    info(f"Set {key} = {shown} in {path}.")


@app.command("path", epilog="Example: $EDITOR $(isvc config path)")
def config_path_cmd() -> None:
    """Print the config file's path."""
    from isvc.paths import config_path

    print(config_path())


def _note_desk_settings() -> None:
    """Settings kept in the desk itself win over this file: say which, on stderr."""
    from isvc.cli._common import GLOBAL
    from isvc.paths import db_path

    path = db_path(GLOBAL.db)
    if not path.exists():
        return
    from isvc.services.database import desk_settings

    found = desk_settings(path)
    if found:
        info(f"# the desk {path} has its own settings, which win over this file: "
             + ", ".join(f"{k} = {v!r}" for k, v in found.items()))
