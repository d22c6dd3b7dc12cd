"""Files revue writes and reads beside its database (issue 13): nothing a path, a kill, an
endless stream or a typo can do loses data, eats the machine's memory, or ends as "internal
error".

Writers (export --out, compose's review and feed, backup) never replace the live database,
a FIFO or a device, write through symlinks, and put a file under its final name only once it
is whole. Readers (extract, add, compose --intro/--outro/--template, the config) stop at a
cap. Out-of-range ids, limits, years and dates, JSON nested too deep and failing templates are
bad input (exit 2) naming the value.
"""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import revue
from revue.errors import ExitCode
from revue.files import compose_lock

from clihelp import run, run_json, run_on_terminal

SRC = str(Path(revue.__file__).resolve().parents[1])
STAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ revue: error: ")
DEEP = 200_000


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


def limits(memory: int = 2**30, file_size: int | None = None) -> Callable[[], None]:
    """A child that cannot take the machine down: its address space is capped (an endless
    read fails there, not in the OOM killer); `file_size` makes the disk fill up (EFBIG)."""

    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        if file_size is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))

    return apply


def revue_proc(
    *args: str,
    stdin: Path | None = None,
    preexec: Callable[[], None] | None = None,
    env: dict[str, str] | None = None,
    code: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """`python -m revue ARGS` in a child with no terminal (or `python -c code ARGS`)."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "revue"]
    with open(stdin or os.devnull, "rb") as handle:
        return subprocess.run(
            [*command, *args],
            stdin=handle,
            capture_output=True,
            text=True,
            env=env or child_env(),
            timeout=120,
            preexec_fn=preexec or limits(),
        )


def one_error_line(proc: subprocess.CompletedProcess[str], *must_contain: str) -> str:
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert STAMP.match(lines[0]), lines[0]
    for text in must_contain:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def one_item_db(tmp_path: Path) -> Path:
    """The live database (REVUE_DB, conftest) holding one item."""
    run("add", "--no-fetch", "https://a.example/1", "--note", "À garder")
    return tmp_path / "revue.db"


def assert_intact(db: Path) -> None:
    assert [i["url"] for i in run_json("list")] == ["https://a.example/1"]
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


# -- point 1: a file written never replaces the database, a device, a FIFO or a symlink ----


@pytest.mark.parametrize(
    "name", ["revue.db", "revue.db-wal", "revue.db-shm", "revue.db-journal", "hard", "soft"]
)
def test_export_out_refuses_the_live_database_and_its_files(
    one_item_db: Path, tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    if name == "hard":
        os.link(one_item_db, target)
    elif name == "soft":
        target.symlink_to(one_item_db)
    result = run("export", "--out", str(target), code=ExitCode.BAD_INPUT)
    assert f"{target}: is revue's database file" in result.stderr
    assert_intact(one_item_db)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def make_device(path: Path) -> None:
    """A character device like /dev/full (1, 7), made in the test's folder."""
    try:
        os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("creating a device file needs root")


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_export_out_refuses_what_is_not_a_regular_file(
    one_item_db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / kind
    {"fifo": os.mkfifo, "device": make_device, "folder": os.mkdir}[kind](target)
    mode = target.lstat().st_mode
    result = run("export", "--out", str(target), code=ExitCode.BAD_INPUT)
    assert str(target) in result.stderr and "not a regular file" in result.stderr
    assert target.lstat().st_mode == mode  # still a FIFO, a device, a folder
    # Through a symlink too.
    link = tmp_path / "link"
    link.symlink_to(target)
    run("export", "--out", str(link), code=ExitCode.BAD_INPUT)
    assert link.is_symlink() and target.lstat().st_mode == mode


def test_export_out_writes_through_a_symlink_and_keeps_the_link(
    one_item_db: Path, tmp_path: Path
) -> None:
    (tmp_path / "site").mkdir()
    real = tmp_path / "site" / "links.json"
    real.write_text("old", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "latest.json"
    link.symlink_to(real)
    run("export", "--out", str(link))
    assert link.is_symlink() and link.resolve() == real
    assert [i["url"] for i in json.loads(real.read_text(encoding="utf-8"))["items"]] == [
        "https://a.example/1"
    ]
    assert stat.S_IMODE(real.stat().st_mode) == 0o600  # the file it replaced kept its mode
    # A dangling link: the file it names is created, the link stays.
    dangling = tmp_path / "next.csv"
    dangling.symlink_to(tmp_path / "site" / "next.csv")
    run("export", "--format", "csv", "--out", str(dangling))
    assert dangling.is_symlink() and "a.example/1" in (tmp_path / "site" / "next.csv").read_text()
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == ["links.json", "next.csv"]


def test_compose_writes_the_feed_through_a_symlink_and_never_over_the_database(
    one_item_db: Path, tmp_path: Path
) -> None:
    reviews = tmp_path / "reviews"  # REVUE_REVIEWS_DIR (conftest)
    reviews.mkdir()
    (tmp_path / "site").mkdir()
    published = tmp_path / "site" / "feed.xml"
    (reviews / "feed.xml").symlink_to(published)
    run("compose", "--from", "2020-01-01", "--to", "2030-01-01")
    assert (reviews / "feed.xml").is_symlink()
    assert "<feed" in published.read_text(encoding="utf-8")
    # A review's name that leads to the database is refused, --force or not.
    review = reviews / "2030-01-08-revue-de-presse.md"
    review.symlink_to(one_item_db)
    empty = ["--from", "2030-01-02", "--to", "2030-01-08", "--allow-empty"]
    result = run("compose", *empty, "--force", code=ExitCode.BAD_INPUT)
    assert "is revue's database file" in result.stderr
    assert review.is_symlink()
    assert_intact(one_item_db)
    assert [r["end"] for r in run_json("reviews")] == ["2030-01-01"]
    # Nor is the lock file a way to the database (closing it would drop SQLite's locks).
    review.unlink()
    compose_lock(one_item_db).unlink()
    compose_lock(one_item_db).symlink_to(one_item_db)
    result = run("compose", *empty, code=ExitCode.BAD_INPUT)
    assert "is revue's database file" in result.stderr
    assert_intact(one_item_db)


@pytest.mark.parametrize("kind", ["file", "database", "dangling", "fifo"])
def test_backup_onto_an_existing_path_is_bad_input(
    one_item_db: Path, tmp_path: Path, kind: str
) -> None:
    target = tmp_path / kind
    if kind == "file":
        target.write_bytes(b"precious")
    elif kind == "database":
        target = one_item_db
    elif kind == "dangling":
        target.symlink_to(tmp_path / "elsewhere.db")
    else:
        os.mkfifo(target)
    before = target.lstat()
    result = run("backup", str(target), code=ExitCode.BAD_INPUT)
    assert f"backup {target}: already exists" in result.stderr
    assert target.lstat().st_mode == before.st_mode
    assert not (tmp_path / "elsewhere.db").exists()
    if kind == "file":
        assert target.read_bytes() == b"precious"
    assert_intact(one_item_db)


# -- point 3: a killed backup leaves nothing under its final name -------------------------

KILL_ON_CLOSE = """
import os, signal, sqlite3, sys

folder = sys.argv[1]


class KilledWhileClosing(sqlite3.Connection):
    # The copy's pages are written, the process dies before anything else happens.
    def close(self):
        os.kill(os.getpid(), signal.SIGKILL)


real_connect = sqlite3.connect


def connect(database, *args, **kwargs):
    if os.path.dirname(os.path.abspath(str(database))) == folder:
        kwargs["factory"] = KilledWhileClosing
    return real_connect(database, *args, **kwargs)


sqlite3.connect = connect
from revue.cli import main

sys.argv = ["revue", "backup", os.path.join(folder, "copy.db")]
main()
"""


def test_a_backup_killed_mid_way_leaves_no_file_under_its_name(
    one_item_db: Path, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    proc = revue_proc(str(backups), code=KILL_ON_CLOSE)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    names = {p.name for p in backups.iterdir()}
    assert "copy.db" not in names and "copy.db-journal" not in names, names
    # The next backup to that name works and is whole.
    run("backup", str(backups / "copy.db"))
    conn = sqlite3.connect(backups / "copy.db")
    try:
        assert conn.execute("SELECT url FROM items").fetchall() == [("https://a.example/1",)]
    finally:
        conn.close()
    assert not [n for n in os.listdir(backups) if n.startswith("copy.db-")]


def test_a_backup_on_a_full_disk_is_exit_3_and_leaves_nothing(
    one_item_db: Path, tmp_path: Path
) -> None:
    backups = tmp_path / "backups"
    backups.mkdir()
    proc = revue_proc(
        "backup",
        str(backups / "copy.db"),
        preexec=limits(file_size=one_item_db.stat().st_size // 2),
    )
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, f"backup {backups / 'copy.db'}")
    assert list(backups.iterdir()) == []


# -- point 6: every file and stream read has a cap ----------------------------------------


@pytest.mark.parametrize(
    ("args", "stdin", "named"),
    [
        (["extract", "/dev/zero"], None, "/dev/zero"),
        (["add", "--file", "/dev/zero", "--no-fetch"], None, "/dev/zero"),
        # One endless line on stdin (no newline ever comes).
        (["add", "-", "--no-fetch"], Path("/dev/zero"), "standard input"),
    ],
)
def test_an_endless_input_stops_at_a_cap_with_a_clear_error(
    tmp_path: Path, args: list[str], stdin: Path | None, named: str
) -> None:
    proc = revue_proc(*args, stdin=stdin)
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    one_error_line(proc, named, "larger than")
    assert not (tmp_path / "revue.db").exists() or run_json("list") == []


@pytest.mark.parametrize("option", ["--intro", "--outro"])
@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_an_intro_or_outro_that_is_not_a_regular_file_is_refused_not_waited_for(
    tmp_path: Path, option: str, kind: str
) -> None:
    """A FIFO nobody writes to made `compose --intro` wait forever (at open); as --template,
    what is not a regular file is refused, and without opening it for good."""
    run("add", "--no-fetch", "https://a.example/1")
    target = {"fifo": tmp_path / "intro", "device": Path("/dev/zero"), "folder": tmp_path}[kind]
    if kind == "fifo":
        os.mkfifo(target)
    proc = revue_proc("compose", option, str(target), "--dry-run")
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    one_error_line(proc, f"{option} {target}", "not a regular file")


def test_a_huge_template_or_config_file_is_refused_not_read(tmp_path: Path, empty_db: Path) -> None:
    big = tmp_path / "big.md.j2"
    with open(big, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: 3 GB that take no room on disk
    proc = revue_proc("compose", "--template", str(big), "--dry-run")
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    one_error_line(proc, str(big), "larger than")
    proc = revue_proc("compose", "--template", "/dev/zero", "--dry-run")
    assert proc.returncode == ExitCode.BAD_INPUT, proc.stderr
    one_error_line(proc, "--template /dev/zero", "not a regular file")
    proc = revue_proc("list", env=child_env(REVUE_CONFIG="/dev/zero"))
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, "config /dev/zero", "larger than")


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("'a = ' + '[' * 200000 + ']' * 200000", "nested too deeply"),
        ("'note = \"' + 'x' * (2 * 2**20) + '\"'", "larger than 1 MB"),
    ],
)
def test_the_edit_form_read_back_is_bounded(
    one_item_db: Path, tmp_path: Path, written: str, said: str
) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        f"import sys, pathlib\npathlib.Path(sys.argv[1]).write_text({written})\n",
        encoding="utf-8",
    )
    code, screen = run_on_terminal("edit", "1", env={"EDITOR": f"{sys.executable} {editor}"})
    assert code == ExitCode.BAD_INPUT, screen
    assert "edit: the form" in screen and said in screen, screen
    assert run_json("show", "1")["note"] == "À garder"


# -- point 7: bad values are exit 2 naming them, never "internal error" -------------------

HUGE = "99999999999999999999999"


@pytest.mark.parametrize(
    "args",
    [
        ["show", HUGE],
        ["show", str(2**63)],
        ["edit", HUGE, "--note", "x"],
        ["rm", "1", HUGE, "--yes"],
        ["move", HUGE, "--before", "1"],
        ["move", "1", "--after", HUGE],
        ["fetch", HUGE],
        ["check", HUGE],
        ["feed", "rm", HUGE],
        ["feed", "pull", HUGE],
        ["list", "--limit", HUGE],
        ["list", "--limit", "-3"],
        ["import", "--year", HUGE, "/dev/null"],
    ],
)
def test_out_of_range_numbers_are_bad_input_naming_them(one_item_db: Path, args: list[str]) -> None:
    result = run(*args, code=ExitCode.BAD_INPUT)
    assert "internal error" not in result.stderr
    assert re.search(r"-3|" + HUGE + "|" + str(2**63), result.stderr), result.stderr
    assert_intact(one_item_db)


def test_list_limit_zero_lists_nothing(one_item_db: Path) -> None:
    assert run_json("list", "--limit", "0") == []
    assert len(run_json("list", "--limit", "1")) == 1


@pytest.mark.parametrize(
    "args",
    [
        ["compose", "--to", "0001-01-01"],
        ["compose", "--to", "0001-01-06", "--dry-run"],
    ],
)
def test_dates_at_the_edge_of_the_calendar_are_bad_input(
    one_item_db: Path, args: list[str]
) -> None:
    result = run(*args, code=ExitCode.BAD_INPUT)
    assert "--to 0001-01-0" in result.stderr and "internal error" not in result.stderr


def test_dates_at_the_edge_of_the_calendar_that_make_sense_work(one_item_db: Path) -> None:
    run("compose", "--from", "0001-01-01", "--to", "0001-01-01", "--dry-run")
    run("compose", "--from", "9999-12-31", "--to", "9999-12-31")
    run("compose", "--from", "0001-01-01", "--to", "9999-12-31", "--out", "-")
    assert run_json("list", "--from", "0001-01-01", "--to", "9999-12-31")
    run("export", "--from", "0001-01-01", "--to", "9999-12-31")


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("pinboard", "[" * DEEP + "]" * DEEP),
        ("revue-json", '{"format": "revue-export", "items": ' + "[" * DEEP + "]" * DEEP + "}"),
        ("auto", "[" * DEEP + "]" * DEEP),
    ],
)
def test_json_nested_too_deep_is_bad_input_naming_the_file(
    one_item_db: Path, tmp_path: Path, fmt: str, text: str
) -> None:
    path = tmp_path / "deep.json"
    path.write_text(text, encoding="utf-8")
    result = run("import", str(path), "--format", fmt, "--no-fetch", code=ExitCode.BAD_INPUT)
    assert f"import {path}: " in result.stderr and "nested too deeply" in result.stderr
    assert_intact(one_item_db)


def test_a_config_nested_too_deep_is_a_config_error(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("a = " + "[" * DEEP + "]" * DEEP + "\n")
    result = run("list", code=ExitCode.STORE)
    assert f"config {tmp_path / 'config.toml'}" in result.stderr
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("files", "said"),
    [
        ({"t.md.j2": "# {{ title }}\n{{ 1/0 }}\n"}, "t.md.j2, line 2: ZeroDivisionError"),
        ({"t.md.j2": '{% extends "t.md.j2" %}'}, "t.md.j2: extends or includes itself"),
        ({"t.md.j2": '{% include "t.md.j2" %}'}, "t.md.j2: extends or includes itself"),
        (
            {"t.md.j2": '{% include "u.j2" %}', "u.j2": '{% include "t.md.j2" %}'},
            "extends or includes itself",
        ),
        ({"t.md.j2": "{{ title | nofilter }}"}, "t.md.j2, line 1: No filter named 'nofilter'"),
        ({"t.md.j2": "{{ title.upper(1, 2, 3) }}"}, "t.md.j2, line 1: TypeError"),
        ({"t.md.j2": "{{ items[99] }}"}, "t.md.j2"),
    ],
)
def test_a_template_that_fails_is_bad_input_naming_it(
    one_item_db: Path, tmp_path: Path, files: dict[str, str], said: str
) -> None:
    folder = tmp_path / "tpl"
    folder.mkdir()
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    result = run(
        "compose", "--template", str(folder / "t.md.j2"), "--dry-run", code=ExitCode.BAD_INPUT
    )
    assert said in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


def test_a_full_disk_during_export_out_is_exit_3_and_keeps_the_old_file(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/1", "--note", "x" * 200_000)
    out = tmp_path / "export.json"
    out.write_text("the previous export", encoding="utf-8")
    # Room for SQLite's 32 KiB -shm file, not for the 200 KB export.
    proc = revue_proc("export", "--out", str(out), preexec=limits(file_size=100_000))
    assert proc.returncode == ExitCode.STORE, proc.stderr
    one_error_line(proc, str(out), "File too large")
    assert out.read_text(encoding="utf-8") == "the previous export"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []
