"""Cron: `--quiet` prints nothing when all went well, failures are always on stderr,
`--verbose` shows each request, and the docs' crontab (docs/howto/cron.md) works with cron's bare environment.

Issue 13, points 16 and 17. Every run under test is a real process without a terminal, its
stdout and stderr read apart, against pages served on 127.0.0.1; the state they start from is
set up in this process.
"""

from __future__ import annotations

import asyncio
import os
import re
import shlex
import sqlite3
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import revue
from revue.errors import ExitCode
from revue.web.fetch import CURATOR, Fetcher, FetchSettings, RequestEvent

from clihelp import run as run_in_process
from loopback import LoopbackServer

SRC = str(Path(revue.__file__).resolve().parents[1])
# The Cron how-to (the README's Cron section moved there).
CRON_PAGE = Path(__file__).resolve().parents[1] / "docs" / "howto" / "cron.md"
STAMP = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ revue: "


def page(title: str) -> str:
    return (
        f"<html><head><title>{title}</title>"
        f'<meta property="og:description" content="À propos de {title}."></head>'
        f"<body><p>{title}</p></body></html>"
    )


def feed(base: str, *paths: str) -> str:
    items = "".join(f"<item><title>{p}</title><link>{base}{p}</link></item>" for p in paths)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Flux</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    )


@pytest.fixture
def site(server: LoopbackServer) -> LoopbackServer:
    for n in range(6):
        server.route(f"/p{n}", page(f"Page {n}"))
    server.route("/moved", status=301, headers={"Location": "/p0"})
    server.route("/gone", status=404, body="non")
    server.route("/flux", feed(server.base, "/p4", "/p5"), headers={"Content-Type": "application/rss+xml"})  # fmt: skip
    server.route("/broken-feed", "<html>not a feed</html>")
    return server


def revue_run(*args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    """`revue ARGS` in a process without a terminal (the environment of conftest)."""
    return subprocess.run(
        [sys.executable, "-m", "revue", *args],
        input=input,
        stdin=None if input is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": SRC},
        timeout=60,
    )


def silent(*args: str, input: str | None = None) -> None:
    proc = revue_run("--quiet", *args, input=input)
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), args


def error_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr, each line checked to be a timestamped error (no warning, no traceback)."""
    lines = proc.stderr.splitlines()
    for line in lines:
        assert re.match(STAMP + "error: ", line), proc.stderr
    return lines


# -- point 16: --quiet, failures on stderr, --verbose ----------------------------------------


def test_quiet_prints_nothing_at_all_when_every_command_goes_well(
    site: LoopbackServer, tmp_path: Path
) -> None:
    url = site.url
    (tmp_path / "links.txt").write_text(f"{url('/p2')}\n{url('/p3')}\n", encoding="utf-8")
    (tmp_path / "feeds.opml").write_text(
        f'<opml version="2.0"><body><outline type="rss" xmlUrl="{url("/flux")}"/></body></opml>',
        encoding="utf-8",
    )
    silent("add", url("/p0"), "--note", "À lire")  # one link, fetched: it printed the item
    silent("add", url("/p0"))  # already here: it printed the item again
    silent("add", url("/p1"), url("/moved"))  # many links
    silent("add", "--no-fetch", url("/p5"))  # it printed "stored (not fetched)"
    silent("fetch")  # what cron runs
    silent("fetch", "1")  # one item re-fetched: it printed the item
    silent("import", str(tmp_path / "links.txt"))
    silent("feed", "add", url("/flux"))
    silent("feed", "import", str(tmp_path / "feeds.opml"))
    silent("feed", "pull")
    silent("compose")  # it printed the review's path
    silent("check")  # it printed one line a link
    silent("backup", str(tmp_path / "copy.db"))
    silent("export", "--format", "csv", "--out", str(tmp_path / "export.csv"))
    assert (tmp_path / "copy.db").exists() and (tmp_path / "export.csv").exists()
    assert len(list((tmp_path / "reviews").glob("*.md"))) == 1
    # What a command is for is still printed: --quiet silences reports, not answers.
    listed = revue_run("--quiet", "list", "--json")
    assert listed.returncode == ExitCode.OK and listed.stderr == "" and '"Page 0"' in listed.stdout
    exported = revue_run("--quiet", "export", "--format", "md")
    assert exported.returncode == ExitCode.OK and "Page 1" in exported.stdout


def test_a_failure_is_on_stderr_with_or_without_quiet(site: LoopbackServer) -> None:
    gone = site.url("/gone")
    for flags in (["--quiet"], []):
        proc = revue_run(*flags, "add", gone, "--note", "à revoir")
        assert proc.returncode == ExitCode.PARTIAL, proc.stderr
        assert proc.stdout == ""  # it was on stdout, and under --quiet nowhere else
        [line] = [x for x in proc.stderr.splitlines() if " error: " in x]
        assert gone in line and "HTTP 404" in line and "revue fetch 1" in line
    proc = revue_run("--quiet", "add", site.url("/p0"), site.url("/gone?b"), site.url("/p1"))
    assert proc.returncode == ExitCode.PARTIAL and proc.stdout == ""
    [line] = error_lines(proc)  # one line for the one that failed, none for the others
    assert "#3 failed" in line and "/gone?b" in line and "HTTP 404" in line
    proc = revue_run("--quiet", "fetch", "--all")  # it exited 1 in silence
    assert proc.returncode == ExitCode.PARTIAL and proc.stdout == ""
    assert len(error_lines(proc)) == 2 and "HTTP 404" in proc.stderr
    run_in_process("feed", "add", site.url("/flux"))
    site.route("/flux", "<html>no longer a feed</html>")
    proc = revue_run("--quiet", "feed", "pull", "--no-fetch")
    assert proc.returncode == ExitCode.PARTIAL and proc.stdout == ""
    [line] = error_lines(proc)
    assert "feed #1" in line
    # Dead links are left out of a review unless asked: these are there to be checked.
    run_in_process("compose", "--from", "2000-01-01", "--include-failed")
    proc = revue_run("--quiet", "check")
    assert (
        proc.returncode == ExitCode.PARTIAL and proc.stdout == ""
    )  # it printed its table, and no error
    lines = error_lines(proc)
    assert len(lines) == 2 and all("dead" in x and "web.archive.org" in x for x in lines)


def test_verbose_says_each_request_its_status_and_time(site: LoopbackServer) -> None:
    urls = [site.url("/moved"), site.url("/gone"), site.url("/p1")]
    default = revue_run("add", *urls)
    verbose = revue_run("--verbose", "add", site.url("/moved?again"), site.url("/p2"))
    assert default.returncode == ExitCode.PARTIAL and verbose.returncode == ExitCode.OK
    request = re.compile(STAMP + r"(GET|HEAD) (\S+) (\d{3}|[a-z][^\n]*?) in \d+\.\d{3} s$", re.M)
    assert not request.search(default.stderr)
    seen = {(m[1], m[2], m[3]) for m in request.finditer(verbose.stderr)}
    assert ("GET", site.url("/moved?again"), "301") in seen  # each hop of a redirect
    assert ("GET", site.url("/p0"), "200") in seen
    assert ("GET", site.url("/p2"), "200") in seen
    assert len(verbose.stderr.splitlines()) > len(default.stderr.splitlines())
    run_in_process("compose", "--include-failed")
    checked = revue_run("--verbose", "check")
    assert any(m[1] == "HEAD" and m[2] == site.url("/gone") and m[3] == "404"
               for m in request.finditer(checked.stderr))  # fmt: skip
    refused = revue_run("--verbose", "extract", "http://127.0.0.1:9/nothing-listens")
    assert request.search(refused.stderr)[3] == "connection refused"  # type: ignore[index]


def test_the_fetcher_reports_each_request_to_an_injected_callback(site: LoopbackServer) -> None:
    """fetch.py prints nothing: it hands each request to the caller's callback."""
    events: list[RequestEvent] = []

    async def fetch_all() -> None:
        async with Fetcher(FetchSettings(retries=0), on_request=events.append) as fetcher:
            await fetcher.fetch(site.url("/moved"), trust=CURATOR)
            await fetcher.head_or_get(site.url("/gone"), trust=CURATOR)
            await fetcher.fetch("http://127.0.0.1:9/", trust=CURATOR)

    asyncio.run(fetch_all())
    assert [(e.method, e.url, e.status, e.error) for e in events] == [
        ("GET", site.url("/moved"), 301, None),
        ("GET", site.url("/p0"), 200, None),
        ("HEAD", site.url("/gone"), 404, None),
        ("GET", "http://127.0.0.1:9/", None, "connection refused"),
    ]
    assert all(0 <= e.seconds < 60 for e in events)


# -- point 17: the docs' crontab under cron's environment ------------------------------


def crontab_lines() -> list[tuple[str, str]]:
    """(schedule, command) of each line of the Cron page's crontab."""
    text = CRON_PAGE.read_text(encoding="utf-8")
    block = re.search(r"```cron\n(.*?)```", text, re.S)
    assert block, "the Cron page has a ```cron block"
    lines = []
    for line in block[1].splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            fields = line.split(None, 5)
            assert len(fields) == 6, line
            lines.append((" ".join(fields[:5]), fields[5]))
    return lines


def as_cron_runs_it(command: str, venv_bin: Path) -> str:
    """The command as cron hands it to /bin/sh: the page's example path replaced by this
    virtual environment's, `\\%` made `%` (a bare `%` would cut the line: none may be left)."""
    command, n = re.subn(r"\S*/\.venv/bin/", str(venv_bin) + "/", command)
    assert n == 1, f"the crontab line names the command by its full path: {command}"
    assert not re.search(r"(?<!\\)%", command), command
    return command.replace("\\%", "%")


def test_the_readme_crontab_runs_under_cron_silently(site: LoopbackServer, tmp_path: Path) -> None:
    venv_bin = Path(sysconfig.get_path("scripts"))
    assert (venv_bin / "revue").exists(), "revue is installed in the test environment"
    home = tmp_path / "home"
    (home / "backups").mkdir(parents=True)  # made once, as the page says
    env_i = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", "SHELL=/bin/sh", "LOGNAME=cron"]

    def cron(command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*env_i, "/bin/sh", "-c", command],
            cwd=home, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    # The curator's day, in the same bare environment: links stored, a feed followed.
    revue = shlex.quote(str(venv_bin / "revue"))
    for setup in (
        f"{revue} add --no-fetch {site.url('/p0')} {site.url('/p1')}",
        f"{revue} feed add {site.url('/flux')}",
    ):
        done = cron(setup)
        assert done.returncode == ExitCode.OK, done.stderr
    db = home / ".local" / "share" / "revue" / "revue.db"
    assert db.exists()

    lines = crontab_lines()
    assert [c.split("--quiet", 1)[1].split()[0] for _, c in lines] == [
        "fetch", "feed", "compose", "backup",
    ]  # fmt: skip
    for schedule, command in lines:
        proc = cron(as_cron_runs_it(command, venv_bin))
        assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), (schedule, command)

    conn = sqlite3.connect(db)
    statuses = dict(conn.execute("SELECT url, status FROM items").fetchall())
    conn.close()
    assert statuses == {site.url(f"/p{n}"): "ok" for n in (0, 1, 4, 5)}  # fetched and pulled
    assert len(list((home / "reviews").glob("*-revue-de-presse.md"))) == 1
    assert len(list((home / "backups").glob("revue-????-??-??.db"))) == 1
    # And a plain `revue`, as the README once had it, is what cron could not find.
    assert cron("revue --quiet fetch").returncode == 127
