"""Run the real CLI in-process (typer's CliRunner), stdout and stderr apart."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from revue.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None, code: int | None = 0) -> Any:
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, (
            f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def run_json(*args: str, code: int | None = 0) -> Any:
    result = run(*args, "--json", code=code)
    return json.loads(result.stdout)
