"""add --no-fetch, list, show, edit, rm, search: the curator's bookkeeping."""

import sqlite3
from pathlib import Path

import pytest

from revue.errors import ExitCode

from clihelp import run, run_json, run_on_terminal


def test_add_no_fetch_stores_pending_with_curator_fields() -> None:
    run(
        "add", "--no-fetch", "https://www.lapresse.ca/a.php?utm_source=tw",
        "--note", "Encore une connerie #TikTok", "--tag", "IA", "--section", "Mes entrevues",
        "--lead", "À lire:", "--quote", "« Une phrase »",
    )  # fmt: skip
    [item] = run_json("list")
    assert item["url"] == "https://www.lapresse.ca/a.php"
    assert item["original_url"] == "https://www.lapresse.ca/a.php?utm_source=tw"
    assert item["status"] == "pending"
    assert item["note"] == "Encore une connerie #TikTok"
    assert item["tags"] == ["IA", "TikTok"]  # the hashtag in the comment is a tag
    assert item["section"] == "Mes entrevues"
    assert item["lead"] == "À lire:" and item["quote"] == "« Une phrase »"
    spec_keys = [
        "id", "url", "original_url", "title", "summary", "site_name", "via", "author",
        "published", "lang", "image", "note", "lead", "quote", "section", "tags", "status",
        "error", "added_at", "fetched_at", "review",
    ]  # fmt: skip
    assert [k for k in item if k in spec_keys] == spec_keys


def test_bad_url_exits_2_and_stores_nothing(empty_db: Path) -> None:
    result = run("add", "--no-fetch", "https://ok.example/a", "not a url", code=ExitCode.BAD_INPUT)
    assert "not a url" in result.stderr
    assert run_json("list") == []


def test_bad_line_on_stdin_is_reported_and_skipped_the_others_stored() -> None:
    """`add -` reads its list as `import` does: a `www.` address is https, text after a URL
    is its title, a line that is not a link is reported with its number and skipped."""
    lines = (
        "https://a.example/1 Le titre du lien\n# c\n\nftp://b/\n"
        "www.ledevoir.com/societe/2026-12-13/article\npas une url\n"
    )
    result = run("add", "--no-fetch", "-", input=lines, code=ExitCode.PARTIAL)
    assert "standard input, line 4: not an http(s) URL: ftp://b/" in result.stderr
    assert "standard input, line 6: not a link: 'pas une url'" in result.stderr
    items = sorted(run_json("list"), key=lambda i: i["id"])
    assert [(i["url"], i["title"]) for i in items] == [
        ("https://a.example/1", "Le titre du lien"),
        ("https://www.ledevoir.com/societe/2026-12-13/article", None),
    ]
    # Only bad lines: nothing to add, exit 2.
    result = run("add", "--no-fetch", "-", input="pas une url\n", code=ExitCode.BAD_INPUT)
    assert "line 1: not a link: 'pas une url'" in result.stderr


def test_stdin_batch_dedups_tracking_variants() -> None:
    lines = "https://a.example/1?utm_source=x\nhttps://a.example/1\nhttps://a.example/2\n"
    run("add", "--no-fetch", "-", input=lines)
    assert sorted(i["url"] for i in run_json("list")) == [
        "https://a.example/1",
        "https://a.example/2",
    ]


def test_readding_reports_the_existing_item_and_keeps_new_text() -> None:
    run("add", "--no-fetch", "https://a.example/story")
    result = run(
        "add", "--no-fetch", "https://A.EXAMPLE/story?fbclid=1", "--note", "Mon avis", "-t", "X"
    )
    assert "already here: #1" in result.stderr
    [item] = run_json("list")
    assert item["note"] == "Mon avis" and item["tags"] == ["X"]


def test_show_edit_and_user_fields() -> None:
    run("add", "--no-fetch", "https://a.example/story", "-t", "IA")
    run(
        "edit",
        "1",
        "--title",
        "Mon titre",
        "--tag",
        "-IA",
        "--tag",
        "+Tech",
        "--note",
        "Bien #Veille",
    )
    item = run_json("show", "1")
    assert item["title"] == "Mon titre"
    assert item["tags"] == ["Tech", "Veille"]
    assert item["user_fields"] == ["title"]
    shown = run("show", "1")
    assert "title (yours)" in shown.stdout


def test_rm_needs_yes_without_a_terminal() -> None:
    run("add", "--no-fetch", "https://a.example/1")
    run("rm", "1", code=ExitCode.BAD_INPUT)
    assert len(run_json("list")) == 1
    run("rm", "1", "--yes")
    assert run_json("list") == []
    run("rm", "1", "--yes", code=ExitCode.BAD_INPUT)  # unknown id: bad input


def test_search_finds_notes_and_lists_filters() -> None:
    run(
        "add",
        "--no-fetch",
        "https://a.example/1",
        "--note",
        "intelligence artificielle",
        "-t",
        "IA",
    )
    run("add", "--no-fetch", "https://a.example/2", "--note", "autre")
    assert [i["id"] for i in run_json("search", "artificielle")] == [1]
    assert [i["id"] for i in run_json("list", "--tag", "IA")] == [1]
    assert [i["id"] for i in run_json("list", "--status", "pending")] == [2, 1]
    run("list", "--from", "yesterday", code=ExitCode.BAD_INPUT)


def test_text_block_is_an_item_without_url() -> None:
    run("add", "--text", "Un mot sur la semaine #Edito")
    [item] = run_json("list")
    assert item["url"] is None and item["kind"] == "text" and item["tags"] == ["Edito"]


def test_db_option_and_not_a_database(tmp_path: Path) -> None:
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"garbage" * 1000)
    result = run("--db", str(bad), "list", code=ExitCode.STORE)
    assert "bad.db" in result.stderr
    assert bad.read_bytes() == b"garbage" * 1000
    good = tmp_path / "other.db"
    run("--db", str(good), "add", "--no-fetch", "https://a.example/1")
    assert sqlite3.connect(good).execute("SELECT count(*) FROM items").fetchone()[0] == 1


def test_broken_config_exits_3_naming_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"  # REVUE_CONFIG points here (conftest)
    cfg.write_text("hashtags = [\n")
    result = run("list", code=ExitCode.STORE)
    assert "config.toml" in result.stderr
    cfg.write_text('stale_days = "thirty"\n')
    result = run("list", code=ExitCode.STORE)
    assert "stale_days" in result.stderr


def test_a_bug_is_one_line_not_a_traceback(monkeypatch: pytest.MonkeyPatch, empty_db: Path) -> None:
    from revue.store.db import Store

    def broken(self: Store, *args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(Store, "iter_items", broken)
    result = run("list", code=ExitCode.PARTIAL)
    assert "internal error: ValueError: boom" in result.stderr
    assert "Traceback" not in result.stderr
    assert "Traceback" in run("-v", "list", code=ExitCode.PARTIAL).stderr


def test_global_options_may_follow_the_command(tmp_path: Path) -> None:
    """Scripts write `revue list --db x.db` as often as `revue --db x.db list`."""
    import json
    import subprocess
    import sys

    from revue.cli import hoist_globals

    assert hoist_globals(["list", "--db", "x.db", "--json", "-q"]) == [
        "--db", "x.db", "-q", "list", "--json",
    ]  # fmt: skip
    assert hoist_globals(["add", "--note", "n", "--", "--db"]) == [
        "add",
        "--note",
        "n",
        "--",
        "--db",
    ]
    db = tmp_path / "elsewhere.db"
    for args in (
        ["add", "--no-fetch", "https://a.example/1", f"--db={db}"],
        ["list", "--db", str(db), "--json"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "revue", *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == ExitCode.OK, proc.stderr
    assert [i["url"] for i in json.loads(proc.stdout)] == ["https://a.example/1"]


def test_edit_without_options_opens_the_editor_on_a_terminal(tmp_path: Path) -> None:
    """A real terminal (a pty) and a scripted $EDITOR that rewrites the form."""
    import sys

    run("add", "--no-fetch", "https://a.example/1", "--note", "avant", "-t", "IA")
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "t = t.replace('note = \"avant\"', 'note = \"après #Veille\"')\n"
        "t = t.replace('tags = [\"IA\"]', 'tags = [\"Tech\"]')\n"
        "p.write_text(t, encoding='utf-8')\n",
        encoding="utf-8",
    )
    code, _ = run_on_terminal(
        "edit", "1", env={"EDITOR": f"{sys.executable} {editor}", "TERM": "dumb"}
    )
    assert code == ExitCode.OK
    item = run_json("show", "1")
    assert item["note"] == "après #Veille"
    assert item["tags"] == ["Tech", "Veille"]


def test_readding_replaces_the_note_and_says_what_it_was() -> None:
    run("add", "--no-fetch", "https://a.example/story", "--note", "= À suivre #IA")
    [item] = run_json("list")
    assert item["note"] == "À suivre #IA"  # typed as the review writes it: stored without "="
    result = run("add", "--no-fetch", "https://a.example/story", "--note", "Les superpouvoirs")
    assert "note replaced (was: À suivre #IA)" in result.stderr
    [item] = run_json("list")
    assert item["note"] == "Les superpouvoirs"
    run("add", "--no-fetch", "https://a.example/story", "--note", "= et ça", "--append-note")
    [item] = run_json("list")
    assert item["note"] == "Les superpouvoirs\n\net ça"
    run("add", "--no-fetch", "https://a.example/story", "--note", "et ça", "--append-note")
    assert run_json("list")[0]["note"] == "Les superpouvoirs\n\net ça"  # joined once
    run("edit", "1", "--note", "= Revu")
    assert run_json("show", "1")["note"] == "Revu"
    out = run("compose", "--out", "-", "--format", "text").stdout
    assert "= Revu" in out and "= =" not in out
