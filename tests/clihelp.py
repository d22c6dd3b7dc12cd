"""Run the real CLI in-process (typer's CliRunner), stdout and stderr apart."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from revue.cli import app
from revue.errors import ExitCode

runner = CliRunner()


def run(*args: str, input: str | None = None, code: int | None = ExitCode.OK) -> Any:
    result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
    if code is not None:
        assert result.exit_code == code, (
            f"exit {result.exit_code}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
        )
    return result


def run_json(*args: str, code: int | None = ExitCode.OK) -> Any:
    result = run(*args, "--json", code=code)
    return json.loads(result.stdout)


def run_on_terminal(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run `revue ARGS` in a subprocess on a real terminal (a pty): exit code and screen."""
    import os
    import pty
    import subprocess
    import sys
    import threading

    main, child = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(main, 4096)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    full_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "120", **(env or {})}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "revue", *args],
            stdin=child, stdout=child, stderr=child, env=full_env, timeout=60,
        )  # fmt: skip
    finally:
        os.close(child)
        reader.join(timeout=5)
        os.close(main)
    return proc.returncode, b"".join(chunks).decode("utf-8", "replace")
