"""Bulk add: `revue add -` of N URLs against the network floor and against buku (a script, not a test).

Usage (from the repository root):

    python benchmarks/bulk_add.py [--n 50 200 1000] [--sites 1 16] [--latency-ms 200]
                                  [--skip-buku] [--buku /work/venv-bench/bin/buku]

For each (sites, N) it starts a page server that is not part of this repository (the
benchmark machines keep it at `../shared/bench/pageserver.py`, beside the checkout; it serves
synthetic articles from 127.0.0.1) (port 0, realistic 150-400 KB
pages, `--latency-ms` before each answer, pages spread over `--sites` origins), then times:

- revue: `python -m revue add -` as a real subprocess (this worktree's `src` first on
  PYTHONPATH), a fresh database in a temp dir (REVUE_DB), REVUE_CONFIG pointing to an empty
  file (default settings: 16 pages at once, 4 per host), the URL list on stdin. Peak RSS is
  the child's own `ru_maxrss` from `os.wait4` (so the page server never counts).
- the floor: a bare `httpx.AsyncClient` in this process downloading the same URLs in full with
  the same limits (a global semaphore of 16 and one of 4 per host), nothing else done.
- buku (unless --skip-buku, only for N <= --buku-max-n): its bulk path, `buku --import` of a
  Markdown links file (stores without fetching) then `buku -u --threads 10` (fetches every
  title and description, 10 threads, buku's maximum). HOME and XDG_DATA_HOME point to a temp
  dir so no real file is touched. For N <= --buku-single-max-n also `buku -a URL` once per URL
  (one process per link, how one adds links by hand or with xargs).

Every run has a time limit and the page server is always stopped. The ratio matters more than
the seconds: these machines are shared and noisy. Targets: revue within 1.3x of the floor,
>= 20x faster than buku at N = 200, peak RSS < 150 MB at N = 1000.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
PAGESERVER = ROOT.parent / "shared" / "bench" / "pageserver.py"
CONCURRENCY, PER_HOST = 16, 4  # revue's defaults (FetchSettings), mirrored by the floor


@dataclass
class Row:
    n: int
    sites: int
    revue_s: float | None = None
    revue_ok: int = 0
    floor_s: float | None = None
    buku_s: float | None = None
    buku_titles: int = 0
    buku_single_s: float | None = None
    rss_mb: float | None = None
    note: str = ""


class PageServer:
    """pageserver.py as a subprocess; `urls` once ready; `stop()` always safe to call."""

    def __init__(self, n: int, sites: int, latency_ms: float, tmp: Path) -> None:
        self.urls_file = tmp / "urls.txt"
        self.proc = subprocess.Popen(
            [sys.executable, str(PAGESERVER), "-n", str(n), "--port", "0", "--sites", str(sites),
             "--latency-ms", str(latency_ms), "--urls-file", str(self.urls_file),
             "--max-seconds", "1800"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # generation takes ~20 ms a page
        if not line.startswith("ready"):
            self.stop()
            raise RuntimeError(f"pageserver did not start: {line!r}")
        self.ready = line.strip()
        self.urls = self.urls_file.read_text(encoding="utf-8").split()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_child(
    cmd: list[str], *, env: dict[str, str], stdin: Path | None, out: Path, timeout: float
) -> tuple[float, int, float]:
    """Run cmd; (wall seconds, exit code, peak RSS MB of that child). Killed past timeout."""
    with open(out, "wb") as sink, open(stdin or os.devnull, "rb") as source:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdin=source, stdout=sink, stderr=subprocess.STDOUT)
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - start > timeout:
                proc.send_signal(signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.01)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # already reaped by wait4
    return wall, proc.returncode, usage.ru_maxrss / 1024  # ru_maxrss is KiB on Linux


def run_revue(urls_file: Path, tmp: Path, timeout: float) -> tuple[float, int, float, int]:
    db = tmp / "revue.db"
    (tmp / "empty-config.toml").touch()  # the defaults (a REVUE_CONFIG file must exist)
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "REVUE_DB": str(db),
        "REVUE_CONFIG": str(tmp / "empty-config.toml"),
        "NO_COLOR": "1",
    }
    # A curator's database exists already: create it (and apply the schema) before timing,
    # so that the one-time migration of a brand-new file is not counted in every run.
    make = f"from pathlib import Path; from revue.store.db import Store; Store.open(Path({str(db)!r})).close()"
    subprocess.run([sys.executable, "-c", make], env=env, capture_output=True, check=True)
    wall, code, rss = run_child(
        [sys.executable, "-m", "revue", "add", "-"],
        env=env, stdin=urls_file, out=tmp / "revue.log", timeout=timeout,
    )  # fmt: skip
    if code not in (0, 1):
        tail = (tmp / "revue.log").read_text(errors="replace")[-2000:]
        raise RuntimeError(f"revue add exited {code}:\n{tail}")
    import sqlite3

    with sqlite3.connect(db) as conn:
        ok = conn.execute("SELECT count(*) FROM items WHERE status = 'ok'").fetchone()[0]
    return wall, code, rss, ok


async def floor(urls: list[str]) -> float:
    """A bare async client downloading every page in full with revue's limits."""
    import httpx

    glob = asyncio.Semaphore(CONCURRENCY)
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(PER_HOST))
    limits = httpx.Limits(max_connections=None, max_keepalive_connections=CONCURRENCY)

    async def one(client: httpx.AsyncClient, url: str) -> int:
        async with glob, hosts[urlsplit(url).netloc]:
            response = await client.get(url)
            return len(response.content) if response.status_code == 200 else -1

    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        start = time.perf_counter()
        sizes = await asyncio.gather(*(one(client, u) for u in urls))
        took = time.perf_counter() - start
    if min(sizes) < 0:
        raise RuntimeError("floor: some page did not answer 200")
    return took


def run_buku(buku: str, urls: list[str], tmp: Path, timeout: float) -> tuple[float, int]:
    """buku's bulk path: import a links file (no fetch), then refresh all titles (fetch)."""
    home = tmp / "buku-home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    links = tmp / "links.md"
    links.write_text("".join(f"<{u}>\n" for u in urls), encoding="utf-8")
    start = time.perf_counter()
    _, code, _ = run_child(
        [buku, "--nostdin", "--tacit", "--nc", "-i", str(links)],
        env=env, stdin=None, out=tmp / "buku-import.log", timeout=timeout,
    )  # fmt: skip
    if code != 0:
        raise RuntimeError(f"buku --import exited {code}")
    _, code, _ = run_child(
        [buku, "--nostdin", "--tacit", "--nc", "-u", "--threads", "10"],
        env=env, stdin=None, out=tmp / "buku-refresh.log", timeout=timeout,
    )  # fmt: skip
    wall = time.perf_counter() - start
    return wall, _buku_titles(home)


def run_buku_single(buku: str, urls: list[str], tmp: Path, timeout: float) -> float | None:
    """`buku -a URL` once per URL, one after the other (each fetches its page's title)."""
    home = tmp / "buku-single"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")}
    start = time.perf_counter()
    for url in urls:
        left = timeout - (time.perf_counter() - start)
        if left <= 0:
            return None
        run_child(
            [buku, "--nostdin", "--tacit", "--nc", "-a", url],
            env=env, stdin=None, out=tmp / "buku-single.log", timeout=left,
        )  # fmt: skip
    return time.perf_counter() - start


def _buku_titles(home: Path) -> int:
    import sqlite3

    dbs = list(home.rglob("bookmarks.db"))
    if not dbs:
        return 0
    with sqlite3.connect(dbs[0]) as conn:
        return conn.execute("SELECT count(*) FROM bookmarks WHERE metadata != ''").fetchone()[0]


def measure(n: int, sites: int, args: argparse.Namespace) -> Row:
    row = Row(n, sites)
    with tempfile.TemporaryDirectory(prefix="revue-bulk-") as name:
        tmp = Path(name)
        server = PageServer(n, sites, args.latency_ms, tmp)
        try:
            print(f"  {server.ready}", file=sys.stderr)
            # Floor first: it also warms the server's sockets path, and it is the reference.
            row.floor_s = asyncio.run(floor(server.urls))
            wall, _code, rss, ok = run_revue(server.urls_file, tmp, args.timeout)
            row.revue_s, row.rss_mb, row.revue_ok = wall, rss, ok
            if ok != n:
                row.note = f"revue: {n - ok} not ok"
            if not args.skip_buku and n <= args.buku_max_n:
                row.buku_s, row.buku_titles = run_buku(args.buku, server.urls, tmp, args.timeout)
                if n <= args.buku_single_max_n:
                    row.buku_single_s = run_buku_single(args.buku, server.urls, tmp, args.timeout)
        finally:
            server.stop()
    return row


def fmt(value: float | None, spec: str = ".2f") -> str:
    return "-" if value is None else format(value, spec)


def main() -> None:
    # An installed revue runs from bytecode: write it once, so that a sandbox's
    # PYTHONDONTWRITEBYTECODE does not make every run time the compiler instead.
    compileall.compile_dir(str(ROOT / "src"), quiet=1)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, nargs="+", default=[50, 200, 1000])
    parser.add_argument("--sites", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--latency-ms", type=float, default=200)
    parser.add_argument("--skip-buku", action="store_true")
    parser.add_argument("--buku", default="/work/venv-bench/bin/buku")
    parser.add_argument("--buku-max-n", type=int, default=200, help="buku is slow: cap its N")
    parser.add_argument("--buku-single-max-n", type=int, default=50,
                        help="`buku -a` per URL only up to this N")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=600, help="limit per timed run (s)")
    args = parser.parse_args()

    rows = []
    for sites in args.sites:
        for n in args.n:
            print(f"N={n} sites={sites} ...", file=sys.stderr)
            rows.append(measure(n, sites, args))

    print(f"\nrevue add - vs bare httpx floor vs buku; latency {args.latency_ms:g} ms, "
          f"{CONCURRENCY} at once, {PER_HOST} per host; python {sys.version.split()[0]}")  # fmt: skip
    head = ("N", "sites", "revue s", "floor s", "ratio", "buku s", "speedup",
            "buku -a s", "speedup", "RSS MB", "revue ok", "buku titled")  # fmt: skip
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in rows:
        ratio = r.revue_s / r.floor_s if r.revue_s and r.floor_s else None
        speed = r.buku_s / r.revue_s if r.buku_s and r.revue_s else None
        speed1 = r.buku_single_s / r.revue_s if r.buku_single_s and r.revue_s else None
        cells = (str(r.n), str(r.sites), fmt(r.revue_s), fmt(r.floor_s), fmt(ratio),
                 fmt(r.buku_s), fmt(speed, ".1f") + ("x" if speed else ""),
                 fmt(r.buku_single_s), fmt(speed1, ".1f") + ("x" if speed1 else ""),
                 fmt(r.rss_mb, ".0f"), f"{r.revue_ok}/{r.n}",
                 f"{r.buku_titles}/{r.n}" if r.buku_s else "-")  # fmt: skip
        print("| " + " | ".join(cells) + " |" + (f" {r.note}" if r.note else ""))


if __name__ == "__main__":
    main()
