"""The README keeps up with the code: every command is documented and has help text."""

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from revue.cli import app

from loopback import LoopbackServer

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


# -- the quickstart (issue 22, point 8) ---------------------------------------------------

INSTALL = "python3 -m venv .venv && . .venv/bin/activate && pip install -q -e . && "


def quickstart() -> str:
    """The README's first command, less the install this test's venv has done."""
    block = re.findall(r"```sh\n(.*?)```", README, flags=re.S)[0]
    [command] = [line for line in block.splitlines() if line and not line.startswith("#")]
    assert command.startswith(INSTALL), command
    return command.removeprefix(INSTALL)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("online", [True, False], ids=["online", "offline"])
def test_the_quickstart_shows_a_review_and_leaves_nothing_behind(
    tmp_path: Path, server: LoopbackServer, online: bool
) -> None:
    page = "<html><head><title>Example Domain</title></head><body><p>Un exemple.</p></body></html>"
    url = server.route("/", page) if online else f"http://127.0.0.1:{closed_port()}/"
    command = quickstart().replace("https://example.org/", url)
    # A new user's machine: a clone to run it in, a home with no revue data, a temp dir.
    machine = tmp_path / "machine"
    clone, home, tmp = machine / "clone", machine / "home", machine / "tmp"
    for folder in (clone, home, tmp):
        folder.mkdir(parents=True)
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("REVUE_", "XDG_")) and key not in ("HOME", "TMPDIR")
    }
    env.update(HOME=str(home), TMPDIR=str(tmp))
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    proc = subprocess.run(
        ["bash", "-c", command],
        cwd=clone,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    # Online, `add` shows the page it found first; then the review.
    assert re.search(r"^# Revue de presse marketing/techno du ", proc.stdout, re.M), proc.stdout
    assert f"<{url}> = À lire" in proc.stdout, proc.stdout
    assert ("Example Domain" in proc.stdout) == online
    left = [str(p) for p in machine.rglob("*") if p not in (clone, home, tmp)]
    assert left == []  # no database, review, feed or lock: in the clone, the home or /tmp
