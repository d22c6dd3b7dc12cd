"""Regenerate the example page of `revue stats --html` in docs/ (and its screenshot) from
tests/yeardata.py's year, made with the Store. Deterministic: a fixed clock. The screenshot
needs Chromium (Debian's `chromium`).

    python tests/make_stats_page.py
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from revue.errors import ExitCode

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import yeardata  # noqa: E402
from browser import find_chromium, screenshot  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from revue.cli import app  # noqa: E402
from revue.cli.frame import Env  # noqa: E402

OUT = HERE.parent / "docs"
PAGE = OUT / "stats-2025.html"
PNG = OUT / "stats-2025.png"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        config = folder / "config.toml"
        config.write_text(f'timezone = "{yeardata.ZONE}"\n', encoding="utf-8")
        os.environ["REVUE_CONFIG"] = str(config)
        os.environ["REVUE_DB"] = str(folder / "revue.db")
        yeardata.make_year(folder / "revue.db")
        args = ["stats", "--from", "2025-01-01", "--to", "2025-12-31", "--html", str(PAGE)]
        result = CliRunner().invoke(app, args, obj=Env(clock=lambda: yeardata.TODAY))
        if result.exit_code != ExitCode.OK:
            raise SystemExit(result.stderr)
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("no chromium: apt-get install chromium")
    screenshot(chromium, PAGE, PNG, width=840, height=1400)
    print(PAGE, PNG)


if __name__ == "__main__":
    main()
