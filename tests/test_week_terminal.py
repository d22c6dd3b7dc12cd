"""`revue week` in a real terminal (tmux, 80×24, NO_COLOR): keys sent, screen read back,
then the store read through `revue list`. In CI tmux must be there (.ci/run installs it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from clihelp import run, run_json

TMUX = shutil.which("tmux")
WAIT_S = 30.0


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Callable[..., str]]:
    if TMUX is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is missing: .ci/run installs it")
        pytest.skip("tmux is not installed")
    # A server of our own (-L), without the user's configuration (-f /dev/null).
    socket = f"revue-test-{uuid.uuid4().hex[:8]}"

    def tmux_cmd(*args: str) -> str:
        done = subprocess.run(
            [TMUX, "-L", socket, "-f", "/dev/null", *args],
            capture_output=True,
            text=True,
            timeout=WAIT_S,
            check=True,
        )
        return done.stdout

    try:
        yield tmux_cmd
    finally:
        subprocess.run([TMUX, "-L", socket, "kill-server"], capture_output=True, timeout=WAIT_S)


def wait_for(capture: Callable[[], str], wanted: str) -> str:
    deadline = time.monotonic() + WAIT_S
    shown = capture()
    while wanted not in shown:
        if time.monotonic() > deadline:
            raise AssertionError(f"{wanted!r} never showed; the screen:\n{shown}")
        time.sleep(0.1)
        shown = capture()
    return shown


def test_reorder_two_items_in_a_real_terminal_and_quit(
    tmux: Callable[..., str], tmp_path: Path
) -> None:
    run("add", "--no-fetch", "https://a.example/un", "--title", "Premier article")
    run("add", "--no-fetch", "https://b.example/live", "--title", "[EN DIRECT] x [/y]")
    run("add", "--no-fetch", "https://c.example/trois", "--title", "Troisième")
    env = {
        "REVUE_DB": os.environ["REVUE_DB"],
        "REVUE_CONFIG": os.environ["REVUE_CONFIG"],
        "REVUE_REVIEWS_DIR": os.environ["REVUE_REVIEWS_DIR"],
        "NO_COLOR": "1",
        "TERM": "xterm-256color",
    }
    settings = " ".join(f"{k}={v}" for k, v in env.items())
    # The terminal's own size, not the COLUMNS the other tests pin (Textual reads it first).
    # The shell says how revue ended, and stays for the screen to be read.
    command = (
        f"env -u COLUMNS -u LINES -u DISPLAY -u WAYLAND_DISPLAY {settings} "
        f"{sys.executable} -m revue week; "
        "echo REVUE-EXIT=$?; sleep 60"
    )
    tmux("new-session", "-d", "-s", "week", "-x", "80", "-y", "24", command)

    def capture() -> str:
        return tmux("capture-pane", "-p", "-t", "week")

    first = wait_for(capture, "space keep/skip")
    lines = first.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)
    assert "✓ !unfetched Premier article" in first
    # Shown as written, on the list and in the preview: not read as markup.
    assert first.count("[EN DIRECT] x [/y]") == 2
    tmux("send-keys", "-t", "week", "J")  # the first item goes below the second
    moved = wait_for(capture, "#1 moved down")
    assert moved.index("[EN DIRECT] x [/y]") < moved.index("Premier article")
    # tmux as it comes drops a program's OSC 52: `y` does not claim the copy arrived.
    tmux("send-keys", "-t", "week", "y")
    copied = " ".join(wait_for(capture, "if your terminal").split())
    assert "if your terminal accepts OSC 52" in copied and "set-clipboard on" in copied
    tmux("send-keys", "-t", "week", "q")
    wait_for(capture, "REVUE-EXIT=0")
    assert [i["id"] for i in run_json("list", "--order", "review")] == [2, 1, 3]
    listed = run("list", "--order", "review").stdout.splitlines()
    assert [line.split("\t")[3] for line in listed] == [
        "[EN DIRECT] x [/y]",
        "Premier article",
        "Troisième",
    ]
