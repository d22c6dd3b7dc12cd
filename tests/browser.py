"""Headless Chromium for tests and the example script: what a reader's browser makes of a page.

Only the `chromium` binary is needed (Debian's package): `--dump-dom` gives the document as
the browser built it, `--enable-logging=stderr` its console (every message a page logs, an
uncaught error included, is a line `INFO:CONSOLE...`), `--screenshot` a PNG.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
_CONSOLE = re.compile(r":CONSOLE[^\]]*\]\s*(.*)")
TIMEOUT_S = 60


def find_chromium() -> str | None:
    """The path of a Chromium binary, or None when the machine has none."""
    for name in NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class Page:
    dom: str  # the document the browser built, serialised
    console: list[str]  # what the page wrote to the console (errors included)


def _run(binary: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="revue-chromium-") as profile:
        return subprocess.run(
            [
                binary,
                "--headless",
                "--no-sandbox",  # tests run as root in CI containers
                "--disable-gpu",
                "--no-first-run",
                "--disable-extensions",
                f"--user-data-dir={profile}",
                *args,
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )


def load(binary: str, page: Path) -> Page:
    """Open `page` (a local file) and return its DOM and console messages."""
    done = _run(binary, ["--enable-logging=stderr", "--v=0", "--dump-dom", page.as_uri()])
    if done.returncode != 0 or "<html" not in done.stdout:
        raise RuntimeError(f"chromium failed on {page} (exit {done.returncode}): {done.stderr}")
    console = [m.group(1) for m in map(_CONSOLE.search, done.stderr.splitlines()) if m]
    return Page(done.stdout, console)


def screenshot(binary: str, page: Path, png: Path, width: int = 900, height: int = 1100) -> None:
    """A PNG of `page` as a browser window of width x height shows it."""
    done = _run(
        binary,
        [
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--window-size={width},{height}",
            f"--screenshot={png}",
            page.as_uri(),
        ],
    )
    if done.returncode != 0 or not png.exists():
        raise RuntimeError(f"chromium could not take a screenshot of {page}: {done.stderr}")
