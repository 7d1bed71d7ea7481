"""Pure domain logic: no clock, no files, no SQL, no Typer or Rich."""
