"""`revue --help` says where the manual is; each command's help ends with one example, and
that example is a command line revue accepts (its options and arguments parse)."""

from __future__ import annotations

import shlex

import click
import pytest
import typer.main

from revue.cli import app


def commands() -> list[tuple[list[str], click.Command]]:
    root = typer.main.get_command(app)
    found: list[tuple[list[str], click.Command]] = []

    def walk(path: list[str], command: click.Command) -> None:
        found.append((path, command))
        # typer's groups are groups of its own click, not of the click imported here.
        for name, sub in getattr(command, "commands", {}).items():
            walk([*path, name], sub)

    walk([], root)
    return found


def test_the_main_help_says_where_the_manual_is() -> None:
    root = typer.main.get_command(app)
    assert "docs/" in (root.epilog or "") and "--help" in (root.epilog or "")


@pytest.mark.parametrize(
    ("path", "command"),
    [c for c in commands() if c[0]],
    ids=lambda v: " ".join(v) if isinstance(v, list) else "",
)
def test_each_command_has_one_example_that_parses(path: list[str], command: click.Command) -> None:
    epilog = command.epilog or ""
    lines = [line.strip() for line in epilog.splitlines() if line.strip().startswith("revue ")]
    assert len(lines) == 1, f"revue {' '.join(path)}: one example in its help"
    words = shlex.split(lines[0].split(" > ")[0])[1:]  # a redirection is the shell's
    assert words[: len(path)] == path, lines[0]
    args = [w for w in words[len(path) :] if w not in ("--quiet", "-q", "--verbose", "-v")]
    # Parsing alone: options and arguments are checked, nothing runs.
    command.make_context(" ".join(["revue", *path]), args)
