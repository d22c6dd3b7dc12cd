"""Exit codes and the domain errors that carry them.

Invariant: every error a user can cause is a `RevueError` with an exit code; the command
line (`cli/frame.py`, its one error boundary) turns it into one line on stderr. Nothing
outside `cli/` exits the process.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    PARTIAL = 1  # the command ran, but some items failed (each reported)
    BAD_INPUT = 2  # usage error or bad input from the user
    STORE = 3  # database or config problem


# What each exit code means to a curator or a script: the exit codes page of the docs is
# generated from this table and the error classes below.
MEANING: dict[ExitCode, str] = {
    ExitCode.OK: "success",
    ExitCode.PARTIAL: (
        "the command ran but some items failed (each reported on stderr), or a lock/hand-edit "
        "conflict; the blog could not be reached or refused (`publish`), a post edited or "
        "deleted on the blog; nothing could copy to the clipboard; `compose --strict` with a "
        "link shown under a stand-in title; `check` found a dead link"
    ),
    ExitCode.BAD_INPUT: (
        "usage error or bad input (not a URL, unreadable or too large a file, bad date, "
        "`--from` after `--to`, an id or number out of range, a template that fails, an output "
        "path that is the database or not a regular file, a review folder that cannot be "
        "written); nothing was written"
    ),
    ExitCode.STORE: (
        "database or config problem (no such database for a command that reads, a "
        "`REVUE_CONFIG` file that does not exist, not a database, damaged, read-only, newer "
        "schema, bad TOML, a bad config value), or a full disk"
    ),
}


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
