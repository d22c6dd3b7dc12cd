"""`revue stats` and `revue recap` at scale: a year's figures on 10k, 100k and 1M items (a
script, not a test).

Usage (from the repository root):

    python benchmarks/stats_scale.py [--sizes 10000 100000] [--million] [--workdir DIR]

The databases are store_scale.py's (200 items a week, two tags each, 500 sites, one weekly
review a week but the last four), built the same way and cached in --workdir; every 50th
item is starred here. The work is always the last 52 weeks (some 10,400 items, the same at
every size): `stats --json` (every view), `stats --html`, `stats --by site`, and `recap` of
the last full calendar year (`--dry-run`), each timed in process (the typer app called here,
best of --repeat) and as a whole `python -m revue` process (start-up included).

Goal (issue 28): flat in N, and a year's stats well under a second at 1M.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import store_scale  # noqa: E402


def best_of(times: int, work: object) -> float:
    found = []
    for _ in range(times):
        began = time.perf_counter()
        work()  # type: ignore[operator]
        found.append(time.perf_counter() - began)
    return min(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--million", action="store_true", help="also 1,000,000 items")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / "revue-store-scale"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT / "src"))
    from typer.testing import CliRunner

    from revue.cli import app

    work = Path(args.workdir)
    work.mkdir(parents=True, exist_ok=True)
    config = work / "empty-config.toml"
    config.touch()
    os.environ["REVUE_CONFIG"] = str(config)
    os.environ["REVUE_REVIEWS_DIR"] = str(work / "reviews")
    last = store_scale.END.date() - dt.timedelta(days=1)  # the Sunday ending the data
    first = last - dt.timedelta(weeks=52) + dt.timedelta(days=1)
    year = str(last.year - 1)
    span = ["--from", str(first), "--to", str(last)]
    jobs = {
        "stats --json": ["stats", *span, "--json"],
        "stats --html": ["stats", *span, "--html", str(work / "stats.html")],
        "stats --by site": ["stats", *span, "--by", "site"],
        f"recap {year} --dry-run": ["recap", year, "--dry-run"],
    }
    sizes = sorted(set(args.sizes + ([1_000_000] if args.million else [])))
    results: dict[str, dict[int, tuple[float, float]]] = {name: {} for name in jobs}
    runner = CliRunner()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    for n in sizes:
        db = work / f"items-{n}.db"
        if not db.exists():
            print(f"building {db} ({n:,} items)...", flush=True)
            store_scale.build(n, db)
        conn = sqlite3.connect(db)
        with conn:
            # Migrate first (an older cached database): the store does it on open.
            conn.execute("SELECT 1")
        conn.close()
        from revue.store.db import Store

        Store.open(db).close()
        conn = sqlite3.connect(db)
        with conn:
            conn.execute("UPDATE items SET starred = (id % 50 = 0) WHERE starred != (id % 50 = 0)")
        conn.close()
        for name, argv in jobs.items():
            full = ["--db", str(db), *argv]

            def call(full: list[str] = full) -> None:
                result = runner.invoke(app, full, catch_exceptions=False)
                assert result.exit_code == 0, result.stderr

            inside = best_of(args.repeat, call)

            def process(full: list[str] = full, env: dict[str, str] = env) -> None:
                subprocess.run(
                    [sys.executable, "-m", "revue", *full],
                    env=env,
                    stdout=subprocess.DEVNULL,
                    check=True,
                )

            whole = best_of(args.repeat, process)
            results[name][n] = (inside, whole)
            print(f"N={n:>9,}  {name:<22} in process {inside:.3f} s  process {whole:.3f} s",
                  flush=True)  # fmt: skip
    print()
    print(f"the year {first} to {last} ({52 * store_scale.PER_WEEK:,} items) at each N:")
    print("| work | " + " | ".join(f"{n:,} items" for n in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for name, by_n in results.items():
        cells = [f"{by_n[n][0]:.3f} s ({by_n[n][1]:.2f} s whole)" for n in sizes]
        print(f"| {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
