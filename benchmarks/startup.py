"""Start-up time: median wall time of `revue --help` and `revue list` on a 1,000-item database.

Each run is a cold process (a new interpreter), stdout to a pipe. Target: under 150 ms.

    python benchmarks/startup.py [--items 1000] [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_db(path: Path, n: int) -> None:
    from revue.models import PageMeta
    from revue.store.db import Store

    store = Store.open(path)
    for i in range(n):
        day = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
        outcome = store.add(
            f"https://news{i % 7}.example/2024/article-{i}",
            now=f"{day}T10:00:00+00:00",
            note=f"commentaire {i}",
            tags=["IA", "Tech"][: 1 + i % 2],
        )
        meta = PageMeta(title=f"Titre de l'article {i}", summary="Résumé " * 20, via="@site")
        store.record_fetch(outcome.item.id, status="ok", now=f"{day}T10:01:00+00:00", meta=meta)
    store.close()


def timed(cmd: list[str], env: dict[str, str], runs: int) -> list[float]:
    times = []
    for _ in range(runs + 1):  # one warm-up (page cache), not counted
        start = time.perf_counter()
        subprocess.run(
            cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True
        )
        times.append(time.perf_counter() - start)
    return times[1:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    revue = shutil.which("revue") or str(Path(sys.executable).parent / "revue")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        make_db(db, args.items)
        env = {**os.environ, "REVUE_DB": str(db), "REVUE_CONFIG": str(Path(tmp) / "none.toml")}
        # An installed revue runs from bytecode: write it, so that a sandbox's
        # PYTHONDONTWRITEBYTECODE does not make every run time the compiler instead.
        compileall.compile_dir(str(Path(__file__).resolve().parents[1] / "src"), quiet=1)
        print(f"revue start-up, {args.items}-item database, {args.runs} cold runs each")
        print(f"{'command':<22} {'median ms':>10} {'min ms':>8} {'max ms':>8}")
        for label, cmd in (
            ("revue --help", [revue, "--help"]),
            ("revue list", [revue, "list"]),
            ("revue list --json", [revue, "list", "--json"]),
            ("python -c pass", [sys.executable, "-c", "pass"]),
        ):
            t = timed(cmd, env, args.runs)
            print(
                f"{label:<22} {statistics.median(t) * 1000:>10.1f} "
                f"{min(t) * 1000:>8.1f} {max(t) * 1000:>8.1f}"
            )


if __name__ == "__main__":
    main()
