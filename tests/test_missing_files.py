"""A mistyped path is said, never taken for a new, empty one (issue 22, point 7).

`--db wrong/path list` or a mistyped REVUE_DB used to create folders and an empty database
and answer "no items", exit 0; a REVUE_CONFIG naming no file ran on the defaults. Now only
the commands that store data create a database (and say so, once); every other command
refuses one that does not exist; a config file named by REVUE_CONFIG must exist.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_completion import complete

from revue.errors import ExitCode

from clihelp import run, run_json
from loopback import LoopbackServer

# Every command that only reads or changes what is stored, with arguments it accepts.
READERS = [
    ["list"],
    ["show", "1"],
    ["search", "mot"],
    ["fetch"],
    ["edit", "1", "--title", "Titre"],
    ["rm", "1"],
    ["move", "1", "--before", "2"],
    ["compose"],
    ["compose", "--dry-run"],
    ["export"],
    ["backup", "copy.db"],
    ["reviews"],
    ["publish", "--dry-run"],
    ["share", "1"],
    ["check"],
    ["feed", "list"],
    ["feed", "rm", "1"],
    ["feed", "pull"],
    ["feed", "export"],
]


@pytest.mark.parametrize("args", READERS, ids=lambda a: " ".join(a))
def test_a_reading_command_refuses_a_database_that_does_not_exist(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    monkeypatch.setenv("REVUE_WORDPRESS_URL", "http://127.0.0.1:9/")  # publish gets that far
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "marie")
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", "abcd")
    typo = tmp_path / "wrong" / "path" / "revue.db"
    result = run("--db", str(typo), *args, code=ExitCode.STORE)
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and f"database {typo} does not exist" in lines[0], result.stderr
    assert not (tmp_path / "wrong").exists()  # no folder, no empty database left behind


def test_a_mistyped_revue_db_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run("add", "--no-fetch", "https://a.example/1")
    monkeypatch.setenv("REVUE_DB", str(tmp_path / "revu.db"))
    assert "revu.db does not exist" in run("list", code=ExitCode.STORE).stderr
    assert not (tmp_path / "revu.db").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--no-fetch", "https://a.example/1"],
        ["add", "--text", "Un mot"],
        ["import", "LINKS", "--no-fetch"],
        ["feed", "add", "FEED"],
        ["feed", "import", "OPML"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_the_commands_that_store_data_create_the_database_and_say_so_once(
    tmp_path: Path, server: LoopbackServer, args: list[str]
) -> None:
    feed = server.route(
        "/feed.xml",
        '<rss version="2.0"><channel><title>Le fil</title></channel></rss>',
        headers={"Content-Type": "application/rss+xml"},
    )
    links = tmp_path / "links.txt"
    links.write_text("https://b.example/2\n", encoding="utf-8")
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline type="rss" text="A" '
        'xmlUrl="https://a.example/feed.xml"/></body></opml>',
        encoding="utf-8",
    )
    given = {"LINKS": str(links), "OPML": str(opml), "FEED": feed}
    args = [given.get(a, a) for a in args]
    db = tmp_path / "new" / "folder" / "revue.db"
    first = run("--db", str(db), *args)
    assert db.is_file()
    assert first.stderr.count(f"created database {db}") == 1, first.stderr
    again = run("--db", str(db), *args)
    assert "created database" not in again.stderr
    run("--db", str(db), "list")  # a reader opens it now


def test_a_bad_add_creates_no_database(tmp_path: Path) -> None:
    run("add", "--no-fetch", "not a url", code=ExitCode.BAD_INPUT)
    assert not (tmp_path / "revue.db").exists()


def test_a_missing_revue_config_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_db: Path
) -> None:
    missing = tmp_path / "confg.toml"
    monkeypatch.setenv("REVUE_CONFIG", str(missing))
    for args in (["list"], ["add", "--no-fetch", "https://a.example/1"]):
        result = run(*args, code=ExitCode.STORE)
        assert f"config {missing} (named by REVUE_CONFIG): no such file" in result.stderr


def test_no_config_file_at_the_default_place_is_fine(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty_db: Path
) -> None:
    monkeypatch.delenv("REVUE_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    assert run_json("list") == []


@pytest.mark.parametrize("command", ["list", "export", "compose"])
def test_a_reversed_range_is_bad_input(command: str, empty_db: Path) -> None:
    result = run(command, "--from", "2024-03-19", "--to", "2024-03-12", code=ExitCode.BAD_INPUT)
    assert "--from 2024-03-19 is after --to 2024-03-12" in result.stderr


def test_completion_stays_silent_without_a_database_or_a_config(tmp_path: Path) -> None:
    db = tmp_path / "none" / "revue.db"
    gone = str(tmp_path / "no-config.toml")
    assert complete("revue list --tag ", REVUE_DB=str(db), REVUE_CONFIG=gone) == []
    assert not db.parent.exists()
