"""Cron-safe and lossless: the real command in separate processes, at once or failing.

Concurrent writers, `kill -9` mid-batch, the compose lock, backups while writing, newer and
damaged databases, bad config files, a full disk, and no prompt without a terminal. Every
failure must be one line on stderr naming the file, the documented exit code, no traceback,
and nothing written. The state a test starts from is set up in this process (CliRunner).
"""

from __future__ import annotations

import fcntl
import os
import re
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

import revue
from revue.errors import ExitCode
from revue.files import compose_lock
from revue.store.db import SCHEMA_VERSION

from clihelp import run as run_in_process
from loopback import LoopbackServer

SRC = str(Path(revue.__file__).resolve().parents[1])
SCHEMA_DB = Path(__file__).parent / "dbs" / "schema-7.db"
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ revue: ")
ROOT = os.geteuid() == 0


def child_env(**extra: str) -> dict[str, str]:
    """The test's environment (REVUE_DB etc. from conftest) with this worktree's code."""
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    env.update(extra)
    return env


def revue_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "revue", *args]


def run(
    *args: str,
    input: str | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60,
    preexec: Callable[[], None] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        revue_cmd(*args),
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env or child_env(),
        timeout=timeout,
        preexec_fn=preexec,
        cwd=cwd,
    )


def spawn(
    *args: str, env: dict[str, str] | None = None, stdin: int = subprocess.PIPE
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        revue_cmd(*args),
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env or child_env(),
    )


def one_error_line(proc: subprocess.CompletedProcess[str], *must_contain: str) -> str:
    """stderr is exactly one timestamped error line (no traceback) holding each string."""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert STAMP.match(line) and " error: " in line, line
    assert "Traceback" not in proc.stderr
    for text in must_contain:
        assert text in line, line
    return line


def db_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def count_items(path: Path) -> int:
    try:
        return int(db_rows(path, "SELECT count(*) FROM items")[0][0])
    except sqlite3.OperationalError:  # not created or not migrated yet
        return 0


def page(title: str) -> str:
    return f"<html><head><title>{title}</title></head><body><p>{title}</p></body></html>"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "revue.db"  # REVUE_DB (conftest)


# -- two writers at once -------------------------------------------------------------------


def test_several_processes_create_and_fill_a_new_database_at_once(db_path: Path) -> None:
    procs = []
    for p in range(4):
        links = "".join(f"https://p{p}.example/{n}\n" for n in range(40))
        proc = spawn("add", "-", "--no-fetch", "--tag", f"P{p}")
        procs.append((proc, links))
    outs = [proc.communicate(links, timeout=120) for proc, links in procs]
    for (proc, _), (_, err) in zip(procs, outs, strict=True):
        assert proc.returncode == ExitCode.OK, err
        assert "locked" not in err and "Traceback" not in err, err
    assert count_items(db_path) == 160
    assert db_rows(db_path, "PRAGMA journal_mode")[0][0] == "wal"
    per_tag = dict(
        db_rows(
            db_path,
            "SELECT t.name, count(*) FROM item_tags it JOIN tags t ON t.id = it.tag_id "
            "GROUP BY t.name",
        )
    )
    assert per_tag == {"P0": 40, "P1": 40, "P2": 40, "P3": 40}


OPEN_AT_ONCE = """
import os, sys
from pathlib import Path
from revue.store.db import Store
print("ready", flush=True)
os.read(int(sys.argv[2]), 1)  # blocks until the test closes the pipe's other end
store = Store.open(Path(sys.argv[1]))
store.add("https://same.example/" + sys.argv[3], now="2024-03-19T10:00:00+00:00")
print(store.conn.execute("PRAGMA journal_mode").fetchone()[0], store.count())
store.close()
"""


def test_processes_opening_a_new_database_at_the_same_instant_all_succeed(db_path: Path) -> None:
    # A start line: each process, revue imported, waits on one pipe; closing its only
    # writer wakes them all at once.
    gate, release = os.pipe()
    try:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", OPEN_AT_ONCE, str(db_path), str(gate), str(k)],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=child_env(),
                pass_fds=(gate,),
            )
            for k in range(6)
        ]
        for proc in procs:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n", proc.communicate(timeout=60)
    finally:
        os.close(release)
        os.close(gate)
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == ExitCode.OK, err
        assert out.split()[0] == "wal", out
    assert count_items(db_path) == 6
    assert db_rows(db_path, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert db_rows(db_path, "SELECT count(*) FROM _sqlite_migrations")[0][0] == SCHEMA_VERSION


def rss(base: str, n: int) -> str:
    items = "".join(
        f"<item><title>Entry {i}</title><link>{base}/entry/{i}</link></item>" for i in range(n)
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>F</title>{items}</channel></rss>'
    )


def test_cron_fetch_and_feed_pull_run_while_the_curator_adds(
    db_path: Path, server: LoopbackServer
) -> None:
    def slowish(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(0.02)  # keeps the fetch's writes spread over the adds' writes
        body = page(handler.path).encode()
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html; charset=utf-8")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    for n in range(30):
        server.route(f"/cron/{n}", handler=slowish)
        # The adders' links too: `fetch --pending` may start after they are stored and take
        # them (a dead address there would make it exit 1, rightly).
        for k in range(2):
            server.route(f"/u{k}/{n}", handler=slowish)
    server.route("/feed.xml", rss(server.base, 25), headers={"Content-Type": "application/rss+xml"})
    seeded = "".join(server.url(f"/cron/{n}") + "\n" for n in range(30))
    run_in_process("add", "-", "--no-fetch", input=seeded)
    run_in_process("feed", "add", server.url("/feed.xml"))

    none = subprocess.DEVNULL
    cron = [
        spawn("fetch", "--pending", stdin=none),
        spawn("feed", "pull", "--no-fetch", stdin=none),
    ]
    adders = [spawn("add", "-", "--no-fetch") for _ in range(2)]
    results = []
    for k, proc in enumerate(adders):
        links = "".join(server.url(f"/u{k}/{n}") + "\n" for n in range(30))
        results.append((proc, *proc.communicate(links, timeout=120)))
    results += [(proc, *proc.communicate(timeout=120)) for proc in cron]
    for proc, _, err in results:
        assert proc.returncode == ExitCode.OK, err
        assert "locked" not in err and "Traceback" not in err, err
    assert count_items(db_path) == 30 + 25 + 60
    statuses = dict(
        db_rows(db_path, "SELECT status, count(*) FROM items WHERE url LIKE '%/cron/%' GROUP BY 1")
    )
    assert statuses == {"ok": 30}


# -- killed mid-batch ----------------------------------------------------------------------


def test_kill_9_mid_batch_loses_no_acknowledged_link(db_path: Path, server: LoopbackServer) -> None:
    release = threading.Event()

    def held(handler: BaseHTTPRequestHandler) -> None:
        release.wait(20)  # the first run is killed while its fetches hang here
        body = page("Page " + handler.path).encode()
        try:
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html; charset=utf-8")
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            handler.wfile.write(body)
        except OSError:  # the killed process's connections are gone
            handler.close_connection = True

    links = [server.route(f"/k/{n}", handler=held) for n in range(200)]
    proc = spawn("--verbose", "add", "-")
    assert proc.stdin is not None
    proc.stdin.write("".join(link + "\n" for link in links))
    proc.stdin.close()
    try:
        deadline = time.monotonic() + 60
        # Mid-fetch: every link stored and at least one page requested.
        while count_items(db_path) < 200 or not server.requests:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "add never stored its 200 links"
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        release.set()
    assert proc.stdout is not None and proc.stderr is not None
    acknowledged = re.findall(r"#(\d+) stored: ", proc.stderr.read())
    proc.stdout.close()
    proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    rows = db_rows(db_path, "SELECT id, original_url, status FROM items ORDER BY id")
    assert len(rows) == 200
    assert {int(a) for a in acknowledged} <= {r[0] for r in rows}
    assert {r[1] for r in rows} == set(links)
    assert {r[2] for r in rows} <= {"pending", "ok"}

    done = run("fetch", "--pending")
    assert done.returncode == ExitCode.OK, done.stderr
    assert db_rows(db_path, "SELECT status, count(*) FROM items GROUP BY 1") == [("ok", 200)]


# -- compose is exclusive and atomic -------------------------------------------------------


@pytest.fixture
def reviews(tmp_path: Path) -> Path:
    return tmp_path / "reviews"  # REVUE_REVIEWS_DIR (conftest)


def test_a_second_compose_is_refused_clearly_while_one_writes(db_path: Path, reviews: Path) -> None:
    run_in_process("add", "https://a.example/1", "--no-fetch", "--title", "Un")
    reviews.mkdir()
    with open(compose_lock(db_path), "a+") as held:  # beside the database, not in the folder
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        loser = run("compose")
        assert loser.returncode == ExitCode.PARTIAL
        one_error_line(loser, "another revue compose", str(reviews))
        assert list(reviews.iterdir()) == []
        assert db_rows(db_path, "SELECT count(*) FROM reviews") == [(0,)]
    winner = run("compose")
    assert winner.returncode == ExitCode.OK, winner.stderr
    written = sorted(p.name for p in reviews.iterdir())
    assert not [n for n in written if n.endswith(".tmp")], written
    assert "feed.xml" in written and any(n.endswith("-revue-de-presse.md") for n in written)
    assert len(written) == 2  # the lock is not the blog's: it stays beside the database
    assert compose_lock(db_path).is_file()


def test_a_review_path_taken_by_a_folder_is_a_clean_error(db_path: Path, reviews: Path) -> None:
    run_in_process("add", "https://a.example/1", "--no-fetch", "--title", "Un")
    target = reviews / "2024-03-19-revue-de-presse.md"
    target.mkdir(parents=True)
    proc = run("compose", "--from", "2024-03-13", "--to", "2024-03-19", "--force", "--allow-empty")
    assert proc.returncode == ExitCode.BAD_INPUT
    one_error_line(proc, str(target))
    assert db_rows(db_path, "SELECT count(*) FROM reviews") == [(0,)]


# -- backup while another process writes ---------------------------------------------------


def test_backup_while_another_process_writes_is_consistent(db_path: Path, tmp_path: Path) -> None:
    run_in_process("add", "https://seed.example/", "--no-fetch")
    copies = []
    with spawn("add", "-", "--no-fetch") as writer:
        assert writer.stdin is not None and writer.stderr is not None
        writer.stdin.write("".join(f"https://w.example/{n}\n" for n in range(150)))
        writer.stdin.close()
        for k in range(3):
            target = tmp_path / f"backup-{k}.db"
            proc = run("--quiet", "backup", str(target))
            assert proc.returncode == ExitCode.OK, proc.stderr
            assert "locked" not in proc.stderr and proc.stderr == ""
            copies.append(target)
        err = writer.stderr.read()  # up to the writer's exit
    assert writer.returncode == ExitCode.OK, err
    for copy in copies:
        assert db_rows(copy, "PRAGMA integrity_check") == [("ok",)]
        n = count_items(copy)
        assert 1 <= n <= 151
        # Every item of the copy is whole: its key row is there too.
        assert db_rows(copy, "SELECT count(DISTINCT item_id) FROM item_keys")[0][0] == n
        run_in_process("--db", str(copy), "list", "--json")
    assert count_items(db_path) == 151


# -- upgrades and newer databases ----------------------------------------------------------


def test_the_kept_schema_7_database_upgrades_and_reads(db_path: Path) -> None:
    shutil.copy(SCHEMA_DB, db_path)
    listed = run("list", "--json")
    assert listed.returncode == ExitCode.OK, listed.stderr
    assert "OpenAI en vedette" in listed.stdout and "Veille" in listed.stdout
    run_in_process("reviews", "--json")
    assert "example.org/feed.xml" in run_in_process("feed", "list", "--json").stdout


def test_a_database_from_a_newer_revue_is_refused_untouched(db_path: Path) -> None:
    shutil.copy(SCHEMA_DB, db_path)
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()
    before = db_path.read_bytes()
    for args in (("list",), ("add", "https://new.example/", "--no-fetch")):
        proc = run(*args)
        assert proc.returncode == ExitCode.STORE
        one_error_line(proc, str(db_path), "newer revue")
    assert db_path.read_bytes() == before


# -- damage --------------------------------------------------------------------------------


def test_a_file_that_is_not_sqlite_is_refused_untouched(db_path: Path) -> None:
    db_path.write_text("title,url\nUn,https://a.example/\n", encoding="utf-8")
    before = db_path.read_bytes()
    for args in (("list",), ("add", "https://new.example/", "--no-fetch")):
        proc = run(*args)
        assert proc.returncode == ExitCode.STORE
        one_error_line(proc, str(db_path), "not a revue database")
    assert db_path.read_bytes() == before


def test_a_truncated_database_is_refused_untouched(db_path: Path) -> None:
    data = SCHEMA_DB.read_bytes()
    db_path.write_bytes(data[: len(data) // 2])
    before = db_path.read_bytes()
    for args in (("list",), ("add", "https://new.example/", "--no-fetch"), ("compose",)):
        proc = run(*args)
        assert proc.returncode == ExitCode.STORE, proc.stderr
        one_error_line(proc, str(db_path), "damaged")
    assert db_path.read_bytes() == before


@pytest.fixture
def make_read_only() -> Iterator[Callable[[Path], None]]:
    """Make a file or folder read-only for revue, root included.

    root ignores file modes, so as root the path is made immutable (`chattr +i`) instead,
    which refuses writes to everyone; the test is skipped where that is not supported.
    """
    frozen: list[Path] = []

    def freeze(path: Path) -> None:
        if not ROOT:
            path.chmod(0o555 if path.is_dir() else 0o444)
            return
        done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
        if done.returncode != 0:
            pytest.skip(f"running as root and chattr +i fails here: {done.stderr!r}")
        frozen.append(path)

    yield freeze
    for path in reversed(frozen):
        subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_read_only_database_reads_and_refuses_writes_cleanly(
    tmp_path: Path, make_read_only: Callable[[Path], None], where: str
) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "revue.db"
    shutil.copy(SCHEMA_DB, db)
    env = child_env(REVUE_DB=str(db))
    # Upgraded first: migrating is a write, which a read-only file refuses (exit 3 too).
    run_in_process("--db", str(db), "list")
    make_read_only(db if where == "file" else folder)
    before = db.read_bytes()
    proc = run("add", "https://new.example/", "--no-fetch", env=env)
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, str(db), "read-only")
    listed = run("list", "--json", env=env)
    if where == "file":  # reading still works
        assert listed.returncode == ExitCode.OK, listed.stderr
        assert "OpenAI en vedette" in listed.stdout
    else:  # SQLite cannot make its -wal and -shm files: not even reading
        assert listed.returncode == ExitCode.STORE, listed.stderr
        one_error_line(listed, str(db), "read-only folder")
    assert db.read_bytes() == before


def test_an_unwritable_reviews_folder_is_a_clean_error(
    db_path: Path, reviews: Path, make_read_only: Callable[[Path], None]
) -> None:
    run_in_process("add", "https://a.example/", "--no-fetch")
    reviews.mkdir()
    make_read_only(reviews)
    proc = run("compose")
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    one_error_line(proc, str(reviews))
    assert list(reviews.iterdir()) == []
    assert db_rows(db_path, "SELECT count(*) FROM reviews") == [(0,)]


def test_a_review_that_cannot_be_recorded_leaves_no_file_behind(
    db_path: Path, reviews: Path, make_read_only: Callable[[Path], None]
) -> None:
    run_in_process("add", "https://a.example/1", "--no-fetch", "--title", "Un")
    run_in_process("compose", "--out", str(reviews / "old"))
    first = next((reviews / "old").glob("*.md"))
    composed = first.read_bytes()
    run_in_process("add", "https://a.example/2", "--no-fetch", "--title", "Deux")
    make_read_only(db_path)
    for out in ("new", "old"):  # a new file, and a new version of a known one
        proc = run("compose", "--out", str(reviews / out))
        assert proc.returncode == ExitCode.STORE, proc.stderr
        one_error_line(proc, str(db_path), "read-only")
    assert list((reviews / "new").iterdir()) == []
    assert first.read_bytes() == composed
    assert not [p for p in (reviews / "old").iterdir() if p.name.endswith(".tmp")]


def file_size_limit(limit: int) -> Callable[[], None]:
    """A disk that fills up: writes past `limit` bytes in any file fail (EFBIG)."""

    def apply() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return apply


def test_a_full_disk_fails_cleanly_and_keeps_what_was_stored(db_path: Path) -> None:
    shutil.copy(SCHEMA_DB, db_path)
    run_in_process("list")
    before = db_rows(db_path, "SELECT id, url, status FROM items ORDER BY id")
    links = "".join(f"https://full.example/{n}/{'x' * 1500}\n" for n in range(300))
    limit = db_path.stat().st_size + 64 * 1024
    proc = run("add", "-", "--no-fetch", input=links, preexec=file_size_limit(limit))
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, str(db_path), "disk")
    after = db_rows(db_path, "SELECT id, url, status FROM items ORDER BY id")
    assert after[: len(before)] == before
    assert len(after) < len(before) + 300  # the disk did fill up mid-batch
    assert db_rows(db_path, "PRAGMA integrity_check") == [("ok",)]
    # Each link stored before the disk filled up is whole and listed.
    run_in_process("list", "--json")


def test_a_full_disk_while_writing_a_review_is_a_clean_error(db_path: Path, reviews: Path) -> None:
    links = "".join(f"https://a.example/{n}\n" for n in range(6))
    run_in_process("add", "-", "--no-fetch", "--note", "x" * 9000, input=links)
    # Room for SQLite's 32 KiB -shm file, not for the 54 KB review.
    proc = run("compose", preexec=file_size_limit(40_000))
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, str(reviews), "cannot write the review")
    assert list(reviews.iterdir()) == []  # no temp file
    assert db_rows(db_path, "SELECT count(*) FROM reviews") == [(0,)]
    run_in_process("compose")  # room again: it works


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('db = "unterminated\n', "not valid TOML"),
        ("lang = 3\n", "lang = 3"),
        ('stale_days = "thirty"\n', 'stale_days = "thirty"'),
        ("[fetch]\nconcurency = 4\n", "fetch"),
        (b"\xff\xfe lang".decode("latin-1"), "not valid TOML"),
    ],
)
def test_a_bad_config_file_is_one_line_and_writes_nothing(
    tmp_path: Path, db_path: Path, text: str, problem: str
) -> None:
    config = tmp_path / "config.toml"  # REVUE_CONFIG (conftest)
    config.write_text(text, encoding="latin-1")
    proc = run("add", "https://a.example/", "--title", "T")
    assert proc.returncode == ExitCode.STORE
    one_error_line(proc, str(config), problem)
    assert not db_path.exists()


# -- cron ergonomics -----------------------------------------------------------------------


def test_quiet_prints_errors_only_and_logs_are_plain_timestamped_lines(db_path: Path) -> None:
    quiet = run("--quiet", "add", "https://a.example/1", "https://a.example/2", "--no-fetch")
    assert quiet.returncode == ExitCode.OK and quiet.stderr == ""
    again = run("--quiet", "add", "https://a.example/1", "--no-fetch")
    assert again.returncode == ExitCode.OK and again.stderr == ""
    bad = run("--quiet", "add", "not a url", "--no-fetch")
    assert bad.returncode == ExitCode.BAD_INPUT
    one_error_line(bad, "not a url")
    loud = run("--verbose", "add", "https://a.example/3", "--no-fetch")
    lines = loud.stderr.splitlines()
    assert lines and all(STAMP.match(line) for line in lines), loud.stderr
    assert "\x1b[" not in loud.stderr + loud.stdout
    colourless = run("add", "https://a.example/1", env=child_env(NO_COLOR="1"))
    assert "\x1b[" not in colourless.stderr + colourless.stdout


def test_nothing_waits_for_an_answer_without_a_terminal(db_path: Path, tmp_path: Path) -> None:
    run_in_process("add", "https://a.example/1", "--no-fetch")
    rm = run("rm", "1", timeout=20)
    assert rm.returncode == ExitCode.BAD_INPUT
    one_error_line(rm, "--yes")
    assert count_items(db_path) == 1
    marker = tmp_path / "editor-ran"
    editor = f"sh -c 'touch {marker}; sleep 30' --"
    edit = run("edit", "1", env=child_env(EDITOR=editor, VISUAL=editor), timeout=20)
    assert edit.returncode == ExitCode.BAD_INPUT
    one_error_line(edit, "no terminal")
    assert not marker.exists()
