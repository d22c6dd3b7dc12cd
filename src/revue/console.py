"""Terminal output: results on stdout, messages on stderr; colour and progress only on a terminal.

When stderr is not a terminal (cron), every message is one plain line with a UTC timestamp,
no colour, no progress bar, and nothing ever waits for an answer.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console

QUIET, NORMAL, VERBOSE = 0, 1, 2


@dataclass
class UI:
    out: Console  # results (tables, paths, JSON)
    err: Console  # messages, progress
    level: int = NORMAL
    interactive: bool = False  # a person at a terminal: progress bars and prompts allowed
    clock: Callable[[], dt.datetime] = field(default=lambda: dt.datetime.now(dt.UTC))

    def _emit(self, style: str | None, prefix: str, message: str) -> None:
        if self.interactive:
            self.err.print(f"{prefix}{message}", style=style, markup=False, highlight=False)
        else:
            stamp = self.clock().strftime("%Y-%m-%dT%H:%M:%SZ")
            self.err.print(
                f"{stamp} revue: {prefix}{message}", markup=False, highlight=False, soft_wrap=True
            )

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
        self.out.print(*objects, **kwargs)

    def raw(self, text: str) -> None:
        """Write text to stdout exactly as given (JSON, a review)."""
        self.out.file.write(text)
        self.out.file.flush()


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
    out = Console(file=stdout, no_color=no_color, highlight=False, soft_wrap=not _isatty(stdout))
    err = Console(file=stderr, no_color=no_color or not err_tty, highlight=False, stderr=True)
    return UI(out=out, err=err, level=level, interactive=err_tty and _isatty(sys.stdin))


def _isatty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
