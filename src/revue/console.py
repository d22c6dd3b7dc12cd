"""Terminal output: results on stdout, messages on stderr; colour and progress only on a terminal.

When stderr is not a terminal (cron), every message is one plain line with a UTC timestamp,
no colour, no progress bar, and nothing ever waits for an answer.

Levels: `--quiet` prints nothing on either stream when all went well, only errors (a failure
that makes the exit code non-zero is always an `error`, never a `warn`); `--verbose` adds
`detail` lines (each HTTP request with its status and time).

Most of what revue prints comes from outside (titles, errors quoting a page or a file), so
the consoles read no markup and no emoji codes: `[EN DIRECT] ... [/mise à jour]` and
`:fire:` print as written, everywhere (tables included). Strings pass through `plain`
(control characters and bidi overrides dropped) before they reach a screen or a log line.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from revue.sanitize import clean_text

if TYPE_CHECKING:
    from rich.console import Console

QUIET, NORMAL, VERBOSE = 0, 1, 2


@dataclass
class UI:
    stdout: IO[str]
    stderr: IO[str]
    level: int = NORMAL
    interactive: bool = False  # a person at a terminal: progress bars and prompts allowed
    no_color: bool = False
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))
    _out: Console | None = None
    _err: Console | None = None

    @property
    def out(self) -> Console:
        """Rich console on stdout (created on first use: rich costs 25 ms to import)."""
        if self._out is None:
            from rich.console import Console

            tty = _isatty(self.stdout)
            self._out = Console(
                file=self.stdout,
                no_color=self.no_color,
                highlight=False,
                soft_wrap=not tty,
                markup=False,
                emoji=False,
            )
        return self._out

    @property
    def err(self) -> Console:
        if self._err is None:
            from rich.console import Console

            self._err = Console(
                file=self.stderr,
                no_color=self.no_color or not _isatty(self.stderr),
                highlight=False,
                stderr=True,
                markup=False,
                emoji=False,
            )
        return self._err

    def _emit(self, style: str | None, prefix: str, message: str) -> None:
        message = plain(message)
        if self.interactive:
            # soft_wrap: the terminal wraps a long line, so an address in it copies whole.
            self.err.print(
                f"{prefix}{message}", style=style, markup=False, highlight=False, soft_wrap=True
            )
        else:
            stamp = self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
            line = " ".join(f"{prefix}{message}".split("\n"))
            self.stderr.write(f"{stamp} revue: {line}\n")
            self.stderr.flush()

    def info(self, message: str) -> None:
        if self.level >= NORMAL:
            self._emit(None, "", message)

    def detail(self, message: str) -> None:
        if self.level >= VERBOSE:
            self._emit("dim", "", message)

    def warn(self, message: str) -> None:
        if self.level >= NORMAL:
            self._emit("yellow", "warning: ", message)

    def error(self, message: str) -> None:
        self._emit("bold red", "error: ", message)

    def print(self, *objects: Any, **kwargs: Any) -> None:
        """What the command is for, on stdout (a table, an item): printed even with --quiet.
        Strings are text (no markup), made `plain`."""
        self.out.print(*_plain_strings(objects), **kwargs)

    def say(self, *objects: Any, **kwargs: Any) -> None:
        """A report on stdout of what was done (the page found, the file written): silent with
        --quiet, which cron uses so that a run that went well mails nothing."""
        if self.level >= NORMAL:
            self.out.print(*_plain_strings(objects), **kwargs)

    def raw(self, text: str) -> None:
        """Write text to stdout exactly as given (JSON, a review)."""
        self.stdout.write(text)
        self.stdout.flush()


def _plain_strings(objects: tuple[Any, ...]) -> list[Any]:
    return [plain(o) if isinstance(o, str) else o for o in objects]


def plain(text: object) -> str:
    """`text` fit for a terminal or a log line: valid Unicode, no control characters (an ESC
    sequence from a page could rewrite the screen) and no bidi overrides. Tabs and newlines
    are kept."""
    return clean_text(str(text), keep_bidi=False)


def make_ui(
    level: int = NORMAL,
    *,
    stdout: IO[str] | None = None,
    stderr: IO[str] | None = None,
    env: dict[str, str] | None = None,
) -> UI:
    env = dict(os.environ) if env is None else env
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    no_color = bool(env.get("NO_COLOR"))
    err_tty = _isatty(stderr)
    return UI(
        stdout=stdout,
        stderr=stderr,
        level=level,
        interactive=err_tty and _isatty(sys.stdin),
        no_color=no_color,
    )


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
