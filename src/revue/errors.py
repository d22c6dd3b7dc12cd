"""Exit codes and the domain errors that carry them.

Invariant: every error a user can cause is a `RevueError` with an exit code; cli.py turns
it into one line on stderr. Nothing outside cli.py exits the process.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # the command ran, but some items failed (each reported)
    BAD_INPUT = 2  # usage error or bad input from the user
    STORE = 3  # database or config problem


class RevueError(Exception):
    """Base class: a message for the user and the exit code it deserves."""

    exit_code: ExitCode = ExitCode.BAD_INPUT

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadInput(RevueError):
    """The user gave something unusable: not a URL, an unreadable file, a bad date."""

    exit_code = ExitCode.BAD_INPUT


class NotFound(BadInput):
    """An id or review that does not exist."""


class StoreError(RevueError):
    """The database cannot be opened, read or written."""

    exit_code = ExitCode.STORE


class ConfigError(RevueError):
    """The config file does not parse or holds a wrong value."""

    exit_code = ExitCode.STORE


class Conflict(RevueError):
    """Another process holds a lock, or a file was edited by hand since it was written."""

    exit_code = ExitCode.PARTIAL


class Refused(RevueError):
    """A remote service (a blog) could not be reached or refused what revue asked."""

    exit_code = ExitCode.PARTIAL
