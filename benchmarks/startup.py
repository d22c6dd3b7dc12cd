"""Start-up time: median wall time of `revue --help` and `revue list` on a 1,000-item database,
and of `revue week` to its first screen on a week of 40 items.

Each run is a cold process (a new interpreter), stdout to a pipe. Target: under 150 ms.
`revue week` runs on a pseudo-terminal of 80x24; its time is from the start of the process
to the first screen drawn whole (the list and the preview: the post's title appears).
Target: under 500 ms.

    python benchmarks/startup.py [--items 1000] [--runs 15] [--week-items 40]
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


def make_week_db(path: Path, n: int) -> None:
    """`n` items added today, fetched, with notes: the week `revue week` opens on."""
    import datetime as dt

    from revue.models import PageMeta
    from revue.store.db import Store

    store = Store.open(path)
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for i in range(n):
        outcome = store.add(
            f"https://news{i % 7}.example/2024/article-{i}", now=now, note=f"commentaire {i}"
        )
        meta = PageMeta(title=f"Titre de l'article {i}", summary="Résumé " * 20, via="@site")
        store.record_fetch(outcome.item.id, status="ok", now=now, meta=meta)
    store.close()


def first_screen(cmd: list[str], env: dict[str, str], marker: bytes) -> float:
    """Seconds from the start of `cmd` on an 80x24 pseudo-terminal until `marker` is drawn;
    then `q` quits it."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdin=child, stdout=child, stderr=child)
    os.close(child)
    seen = b""
    try:
        while marker not in seen:
            ready, _, _ = select.select([main], [], [], 10)
            if not ready:
                raise RuntimeError(f"no first screen after 10 s: {seen[-300:]!r}")
            seen += os.read(main, 65536)
        elapsed = time.perf_counter() - start
        os.write(main, b"q")
        deadline = time.monotonic() + 10
        while proc.poll() is None and time.monotonic() < deadline:
            # Keep reading: a full pty buffer would block the app on its way out.
            if select.select([main], [], [], 0.05)[0]:
                try:
                    os.read(main, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(main)
    return elapsed


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
    parser.add_argument("--week-items", type=int, default=40)
    args = parser.parse_args()
    revue = shutil.which("revue") or str(Path(sys.executable).parent / "revue")
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        make_db(db, args.items)
        config = Path(tmp) / "empty.toml"  # the defaults (a REVUE_CONFIG file must exist)
        config.touch()
        env = {**os.environ, "REVUE_DB": str(db), "REVUE_CONFIG": str(config)}
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
        week_db = Path(tmp) / "week.db"
        make_week_db(week_db, args.week_items)
        week_env = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES", "NO_COLOR")}
        week_env.update(REVUE_DB=str(week_db), TERM="xterm-256color")
        # The preview's title: drawn once the list and the post are on the screen.
        marker = b"Revue de presse"
        times = [first_screen([revue, "week"], week_env, marker) for _ in range(args.runs + 1)]
        t = times[1:]
        label = f"revue week ({args.week_items})"
        print(
            f"{label:<22} {statistics.median(t) * 1000:>10.1f} "
            f"{min(t) * 1000:>8.1f} {max(t) * 1000:>8.1f}   to the first screen"
        )


if __name__ == "__main__":
    main()
