"""The README keeps up with the code: every command is documented and has help text."""

import re
from pathlib import Path

import typer

from revue.cli import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> list[str]:
    click_app = typer.main.get_command(app)
    names = []
    for name, cmd in click_app.commands.items():  # type: ignore[attr-defined]
        assert cmd.help, f"revue {name} has no help text"
        sub = getattr(cmd, "commands", None)
        if sub:
            names.append(name)
        else:
            names.append(name)
    return names


def test_every_command_is_in_the_readme() -> None:
    for name in commands():
        assert f"revue {name}" in README, f"revue {name} is not in README.md"


def test_ci_runs_the_readme_test_command_exactly() -> None:
    blocks = re.findall(r"```sh\n(.*?)```", README, flags=re.S)
    test_cmd = next(line for line in blocks[1].splitlines() if line and not line.startswith("#"))
    assert test_cmd in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
