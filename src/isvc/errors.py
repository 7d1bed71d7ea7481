"""Errors a user can cause, each with the exit code the README documents.

Domain and service code raise these; the CLI's one wrapper prints ``Error: ...`` on
stderr and exits with ``exit_code``. A user never sees a traceback for one of them.
"""

from __future__ import annotations


class ExitCode:
    OK = 0
    RUNTIME = 1
    USAGE = 2
    NOT_FOUND = 3
    CHECK_FAILED = 4
    DATA_REFUSED = 65
    TEMPORARY = 75
    INTERRUPTED = 130


class IsvcError(Exception):
    """Base class: a runtime error (exit 1)."""

    exit_code = ExitCode.RUNTIME


class InvalidInput(IsvcError):
    """Bad option values, bad data in a file, a refused transition (exit 2)."""

    exit_code = ExitCode.USAGE


class PermissionDenied(InvalidInput):
    """The acting person may not do this; the message names who may (exit 2)."""


class NotFound(IsvcError):
    """An unknown request number, person, team, calendar... (exit 3)."""

    exit_code = ExitCode.NOT_FOUND


class DatabaseBusy(IsvcError):
    """The database stayed locked past the busy timeout: retry later (exit 75)."""

    exit_code = ExitCode.TEMPORARY


class SchemaTooNew(IsvcError):
    """The database was written by a newer isvc (exit 1)."""
