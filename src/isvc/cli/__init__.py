"""The command line: a thin Typer sub-app per noun. Commands parse, call one service, render."""
