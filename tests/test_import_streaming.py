"""Imports read as a stream: records come as the file is read, and go into the store a batch
at a time inside the import's one transaction, so an import's memory does not grow with its
file (benchmarks/store_scale.py measures it at 100k items)."""

from __future__ import annotations

import html
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from revue.errors import ExitCode
from revue.formats.imports import open_import

from clihelp import run, run_json

SRC = str(Path(__file__).resolve().parents[1] / "src")
FORMATS = ["csv", "netscape", "links"]


def write_file(folder: Path, fmt: str, count: int, *, first: int = 0) -> Path:
    """`count` links with a title, two tags and a note, as a `fmt` file."""
    path = folder / f"items-{count}.{fmt}"
    with path.open("w", encoding="utf-8", newline="") as out:
        if fmt == "csv":
            out.write("url,title,note,tags,created\r\n")
        elif fmt == "netscape":
            out.write("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n")
        for n in range(first, first + count):
            url, title = f"https://site{n % 97}.example/article/{n}", f"Titre numéro {n} é"
            if fmt == "csv":
                out.write(f'{url},"{title}","Une note, {n}","Sujet{n % 7},Autre"\r\n')
            elif fmt == "netscape":
                out.write(
                    f'<DT><A HREF="{url}" ADD_DATE="1700000000" TAGS="Sujet{n % 7},Autre">'
                    f"{html.escape(title)}</A>\n<DD>Une note, {n}\n"
                )
            else:
                out.write(f"{url} {title}\n")
        if fmt == "netscape":
            out.write("</DL><p>\n")
    return path


@pytest.mark.parametrize("fmt", FORMATS)
def test_records_come_before_the_file_is_read_through(tmp_path: Path, fmt: str) -> None:
    path = write_file(tmp_path, fmt, 20_000)
    size = path.stat().st_size
    assert size > 1_000_000
    with path.open("rb") as handle:
        stream = open_import(handle)
        first = next(stream.records)
        # The encoding is read over the whole file first; the text is then read from its
        # start a chunk at a time: the first record is out long before the end.
        assert handle.tell() < size / 4
        assert first.url == "https://site0.example/article/0"
        assert first.title == "Titre numéro 0 é"
        assert sum(1 for _ in stream.records) == 19_999
    assert stream.errors == []


def peak_rss_mb(db: Path, path: Path) -> float:
    """Peak resident memory of `revue import PATH --no-fetch` in a child process."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-m", "revue", "--db", str(db), "import", str(path), "--no-fetch"]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode()  # to its end: the child has finished writing
    proc.stderr.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode == ExitCode.OK, stderr
    return usage.ru_maxrss / 1024  # KB on Linux


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_imports_memory_does_not_grow_with_its_file(tmp_path: Path, fmt: str) -> None:
    # 40,000 items held until the end cost the whole-file readers well over 100 MB more
    # than 500 (about 3.5 KB an item); read and stored a batch at a time, a few MB.
    small = peak_rss_mb(tmp_path / "small.db", write_file(tmp_path, fmt, 500))
    big = peak_rss_mb(tmp_path / "big.db", write_file(tmp_path, fmt, 40_000))
    assert big - small < 40, (small, big)
    conn = sqlite3.connect(tmp_path / "big.db")
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (40_000,)
    conn.close()


def test_duplicates_across_batches_merge_as_in_one(tmp_path: Path) -> None:
    path = write_file(tmp_path, "csv", 12_000)
    with path.open("a", encoding="utf-8", newline="") as out:  # the first link again, retagged
        out.write('https://site0.example/article/0,"Titre",,"Encore"\r\n')
    result = run("import", str(path), "--no-fetch")
    assert "12000 added, 1 merged, 0 skipped (csv)" in result.stderr
    (item,) = [i for i in run_json("list", "--tag", "Encore")]
    assert item["url"] == "https://site0.example/article/0"
    assert sorted(item["tags"]) == ["Autre", "Encore", "Sujet0"]


def test_a_failure_in_a_later_batch_stores_nothing(tmp_path: Path, empty_db: Path) -> None:
    # Everything is stored in one transaction: the batches before the failure go too.
    path = write_file(tmp_path, "links", 12_000)
    conn = sqlite3.connect(empty_db)
    conn.execute(
        "CREATE TRIGGER boom BEFORE INSERT ON items WHEN NEW.url LIKE '%/article/11000' "
        "BEGIN SELECT RAISE(ABORT, 'boom'); END"
    )
    conn.commit()
    conn.close()
    result = run("import", str(path), "--no-fetch", code=None)
    assert result.exit_code != ExitCode.OK
    conn = sqlite3.connect(empty_db)
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (0,)
    conn.close()


def test_an_import_piped_on_standard_input_is_read_the_same(tmp_path: Path) -> None:
    # A pipe cannot be read twice: it is copied to a temporary file (on disk), read from there.
    path = write_file(tmp_path, "netscape", 300)
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run(
        [sys.executable, "-m", "revue", "import", "-", "--no-fetch"],
        input=path.read_bytes(),
        capture_output=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == ExitCode.OK, proc.stderr
    assert b"300 added, 0 merged, 0 skipped (netscape)" in proc.stderr
    notes = {i["url"]: i["note"] for i in run_json("list")}
    assert notes["https://site8.example/article/299"] == "Une note, 299"
