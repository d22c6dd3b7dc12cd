"""import / export / backup through the real CLI, on real-world-shaped files."""

import gc
import json
import sqlite3
from pathlib import Path

import pytest

from revue.errors import ExitCode

from clihelp import run, run_json

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
# The first three posts of the seed blog, its press reviews.
SEEDS = Path(__file__).parent / "fixtures" / "reviews" / "seed-000-first-three-posts.txt"


def test_firefox_bookmarks_keep_titles_tags_notes_and_dates() -> None:
    result = run(
        "import", str(FIXTURES / "firefox_bookmarks.html"), "--no-fetch", "--tag", "Import"
    )
    assert "added" in result.stderr and "(netscape)" in result.stderr
    items = run_json("list")
    assert items, result.stderr
    assert all("Import" in i["tags"] for i in items)
    assert all(i["title"] for i in items)
    assert {i["status"] for i in items} == {"pending"}
    # Titles from a bookmark file are page fields: a later fetch may improve them.
    assert all(i["user_fields"] == [] for i in items)


def test_past_reviews_import_marks_items_published() -> None:
    result = run("import", str(SEEDS), "--no-fetch")
    assert "past review(s) recorded" in result.stderr
    items = run_json("list")
    urls = [i["url"] for i in items]
    assert len(urls) == len(set(urls))  # the Victoria's Secret duplicate is merged
    vs = [i for i in items if "victoria-s-secret" in i["url"]]
    assert len(vs) == 1
    assert vs[0]["via"] == "@lp_lapresse" and vs[0]["review"] is not None
    virgule = next(i for i in items if "jeu-de-la-virgule" in i["url"])
    assert "connerie dangereuse" in virgule["note"]
    assert "Analyweb" in virgule["tags"]
    reviews = run_json("reviews")
    assert any(r["start"] == "2023-11-07" and r["end"] == "2023-11-08" for r in reviews)
    assert any(r["start"] == "2023-09-08" for r in reviews)
    # Re-adding a published link warns with the review's date.
    again = run("add", "--no-fetch", vs[0]["url"] + "?utm_source=x")
    assert "already in the review of 8 novembre" in again.stderr
    # Compose never repeats them.
    out = run("compose", "--from", "2020-01-01", "--to", "2030-01-01", "--out", "-").stdout
    assert "victoria" not in out.lower()


def test_json_export_import_round_trip_is_exact(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/1?utm_source=x", "--note", "Bien #IA", "-t", "X")
    run("add", "--no-fetch", "https://a.example/2", "--title", "Mon titre", "--quote", "« q »")
    run("add", "--text", "Un bloc de texte")
    run("compose", "--format", "html")
    run("edit", "2", "--section", "Mes entrevues")
    # As a fetch of an updated page leaves them: the page's date and its first publication.
    conn = sqlite3.connect(tmp_path / "revue.db")
    with conn:
        conn.execute(
            "UPDATE items SET published = '2024-03-17T09:00:00+00:00', "
            "first_published = '2015-03-02T08:00:00-05:00' WHERE id = 2"
        )
    conn.close()
    first = run("export", "--format", "json").stdout
    assert json.loads(first)["items"][1]["first_published"] == "2015-03-02T08:00:00-05:00"
    dump_file = tmp_path / "dump.json"
    dump_file.write_text(first, encoding="utf-8")
    other = tmp_path / "other.db"
    run("--db", str(other), "import", str(dump_file), "--no-fetch")
    second = run("--db", str(other), "export", "--format", "json").stdout
    a, b = json.loads(first), json.loads(second)
    a.pop("exported_at"), b.pop("exported_at")
    assert a == b
    # Importing the same dump into the same database merges everything.
    result = run("import", str(dump_file), "--no-fetch")
    assert "0 added, 3 merged" in result.stderr  # two links and the text block
    assert len(run_json("list")) == 3
    assert len(run_json("reviews")) == 1  # and the review is not repeated either


CSV_FIELDS = (
    "url", "title", "summary", "site_name", "via", "author", "published", "first_published",
    "lang", "note", "lead", "quote", "section", "tags", "hashtags", "status", "added_at",
)  # fmt: skip


def test_csv_export_import_round_trip_gives_every_field_back(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/1", "--title", "Un titre, « cité »",
        "--note", "= Bien vu #IA", "-t", "Veille", "--section", "Mes entrevues",
        "--lead", "À lire:", "--quote", "« Une phrase.\n\nUne autre. »")  # fmt: skip
    run("add", "--no-fetch", "https://a.example/2")
    run("add", "--no-fetch", "https://a.example/3", "--title", "=HYPERLINK(1)")
    # A title that starts with the guard itself keeps it: the guard is undone exactly once.
    run("add", "--no-fetch", "https://a.example/4", "--title", "'=x", "--note", "''+y")
    conn = sqlite3.connect(tmp_path / "revue.db")
    with conn:  # as a fetch leaves them
        conn.execute(
            "UPDATE items SET summary = 'Ce que la page dit.', site_name = 'La Presse', "
            "via = '@lp_lapresse', author = 'Karim B.', published = '2024-03-17T09:00:00+00:00', "
            "first_published = '2015-03-02T08:00:00-05:00', lang = 'fr-CA', status = 'ok' "
            "WHERE id IN (1, 2)"
        )
        conn.execute("UPDATE items SET status = 'failed' WHERE id IN (3, 4)")
    conn.close()
    first = run("export", "--format", "csv").stdout
    exported = tmp_path / "items.csv"
    exported.write_text(first, encoding="utf-8")
    other = ["--db", str(tmp_path / "other.db")]
    result = run(*other, "import", str(exported))
    assert "4 added" in result.stderr
    # Both ways: the file read back writes the same file, and the items are the same items.
    assert run(*other, "export", "--format", "csv").stdout == first
    before = [{k: i[k] for k in CSV_FIELDS} for i in run_json("list")]
    after = [{k: i[k] for k in CSV_FIELDS} for i in run_json(*other, "list")]
    assert after == before
    summary_only = next(i for i in after if i["url"] == "https://a.example/2")
    assert summary_only["summary"] == "Ce que la page dit." and summary_only["note"] is None
    # A summary is not the curator's comment: the review does not publish it as "= …".
    review = run(*other, "compose", "--from", "2000-01-01", "--to", "2100-01-01", "--out", "-")
    assert "= Ce que la page dit." not in review.stdout
    assert {i["status"] for i in after} == {"ok", "failed"}  # restored, so not fetched again


def test_revue_csv_imported_then_exported_is_the_same_file() -> None:
    source = FIXTURES / "revue_export.csv"
    run("import", str(source))  # statuses ok and blocked: restored, nothing fetched
    assert run("export", "--format", "csv").stdout == source.read_text(encoding="utf-8")
    first = run_json("show", "1")
    assert first["summary"] == "OpenAI a tenu lundi sa première conférence."
    assert (first["note"], first["lead"], first["hashtags"]) == (
        "= À suivre #IA",
        "À lire:",
        ["IA"],
    )
    assert first["tags"] == ["Veille", "IA"] and first["quote"] == '“Une phrase, "citée".”'


def test_netscape_and_csv_exports_read_back(tmp_path: Path) -> None:
    import csv
    import io

    run("add", "--no-fetch", "https://a.example/1", "--title", "Un <titre> & co", "-t", "IA")
    run("add", "--no-fetch", "https://a.example/2", "--title", "=cmd()")
    html = run("export", "--format", "netscape").stdout
    assert html.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    bookmarks = tmp_path / "b.html"
    bookmarks.write_text(html, encoding="utf-8")
    run("--db", str(tmp_path / "o.db"), "import", str(bookmarks), "--no-fetch")
    back = run_json("--db", str(tmp_path / "o.db"), "list")
    assert sorted(i["title"] for i in back) == ["=cmd()", "Un <titre> & co"]
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv").stdout)))
    assert {r["url"] for r in rows} == {"https://a.example/1", "https://a.example/2"}
    assert all(not r["title"].startswith("=") for r in rows)  # no formula injection


def test_bad_import_file_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    run("import", str(tmp_path / "missing.txt"), code=ExitCode.BAD_INPUT)
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = run("import", str(binary), code=ExitCode.BAD_INPUT)
    assert "x.bin" in result.stderr
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "revue-export", "items": [', encoding="utf-8")
    run("import", str(broken), "--format", "revue-json", code=ExitCode.BAD_INPUT)
    assert run_json("list") == []


def test_import_gives_the_cycle_collector_back_whatever_the_file(tmp_path: Path) -> None:
    # The collector is paused while a whole file is read and stored (see gc_paused):
    # the process gets it back after, as after a refused file.
    links = tmp_path / "links.txt"
    links.write_text("https://a.example/1\nhttps://user:secret@b.example/2\n", encoding="utf-8")
    run("import", str(links), "--no-fetch")
    assert gc.isenabled()
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    run("import", str(binary), code=ExitCode.BAD_INPUT)
    assert gc.isenabled()
    assert sorted(i["original_url"] for i in run_json("list")) == [
        "https://a.example/1",
        "https://b.example/2",
    ]


def test_links_file_reports_bad_lines_and_keeps_the_good(tmp_path: Path) -> None:
    links = tmp_path / "links.txt"
    links.write_text(
        "# mes liens\nhttps://a.example/1\n\nnot a url\nhttps://a.example/1?utm_source=x\n",
        encoding="utf-8",
    )
    result = run("import", str(links), "--no-fetch")
    assert "line 4" in result.stderr
    assert "1 added, 1 merged" in result.stderr
    assert len(run_json("list")) == 1


def test_backup_is_a_consistent_copy(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/1")
    target = tmp_path / "copy.db"
    run("backup", str(target))
    conn = sqlite3.connect(target)
    assert conn.execute("SELECT url FROM items").fetchall() == [("https://a.example/1",)]
    run("backup", str(target), code=ExitCode.BAD_INPUT)  # never overwrites


def test_opml_through_import_adds_feeds_not_items() -> None:
    opml = Path(__file__).parent / "fixtures" / "feeds" / "feeds.opml"
    result = run("import", str(opml), "--no-fetch")
    assert "feed(s) added" in result.stderr
    assert run_json("list") == []
    assert len(run_json("feed", "list")) >= 1


def tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row revue keeps, table by table, in a stable order."""
    conn = sqlite3.connect(path)
    out = {
        "items": conn.execute("SELECT * FROM items ORDER BY id").fetchall(),
        "tags": conn.execute(
            "SELECT it.item_id, t.name, it.hashtag FROM item_tags it JOIN tags t "
            "ON t.id = it.tag_id ORDER BY it.item_id, it.rowid"
        ).fetchall(),
        "keys": conn.execute("SELECT * FROM item_keys ORDER BY key").fetchall(),
        "reviews": conn.execute("SELECT * FROM reviews ORDER BY id").fetchall(),
        "review_items": conn.execute("SELECT * FROM review_items ORDER BY 1, 2").fetchall(),
        "review_files": conn.execute("SELECT * FROM review_files ORDER BY 1").fetchall(),
        "feeds": conn.execute("SELECT * FROM feeds ORDER BY id").fetchall(),
    }
    conn.close()
    return out


def test_export_import_round_trip_of_thousands_of_items_streams_back_every_row(
    tmp_path: Path,
) -> None:
    from test_db_scale import fill

    source = tmp_path / "revue.db"
    fill(source, 3_000)
    run("add", "--text", "Un bloc de texte", "--tag", "Vélo")  # a text block too
    run("feed", "add", "https://feed.example/rss", code=None)  # no network: may fail, fine
    dump_file = tmp_path / "dump.json"
    run("export", "--format", "json", "--out", str(dump_file))
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(dump_file), "--no-fetch")
    assert "3001 added, 0 merged, 0 skipped" in result.stderr
    assert tables(other) == tables(source)
    again = run("--db", str(other), "export", "--format", "json").stdout
    first = dump_file.read_text(encoding="utf-8")
    assert again.split("\n", 4)[4] == first.split("\n", 4)[4]  # all but exported_at
    # Every format streams the same text the whole-list writers give.
    for fmt, whole in (
        ("csv", "export_csv"),
        ("netscape", "export_netscape"),
        ("md", "export_markdown"),
    ):
        from revue.formats import exporters
        from revue.models import ItemQuery
        from revue.store.db import Store

        store = Store.open(source)
        expected = getattr(exporters, whole)(store.list_items(ItemQuery(order="id")))
        store.close()
        assert run("export", "--format", fmt).stdout_bytes.decode() == expected, fmt


def test_list_json_streams_the_same_text_as_one_json_dump(tmp_path: Path) -> None:
    from test_db_scale import fill

    fill(tmp_path / "revue.db", 450)
    items = run_json("list")
    assert len(items) == 450 and items[0]["id"] == 450
    assert run("list", "--json").stdout == json.dumps(items, ensure_ascii=False, indent=2) + "\n"
    assert run("list", "--json", "--from", "2030-01-01").stdout == "[]\n"
    lines = run("list").stdout.splitlines()
    assert len(lines) == 450 and lines[0].startswith("450\t")


def test_revue_json_import_skips_bad_items_and_stores_none_of_them(tmp_path: Path) -> None:
    good = {"id": 1, "url": "https://a.example/1", "title": "Bon", "tags": ["IA"]}
    bad = [
        {"id": 2, "url": "javascript:alert(1)", "title": "JS"},
        {"id": 3, "url": "data:text/html,<script>x</script>", "title": "Data"},
        {"id": 4, "url": "https://a.example/4", "title": 12},
        {"id": 5, "url": "https://a.example/5", "tags": "IA"},
        {"id": 6, "url": "https://a.example/6", "original_url": "javascript:x"},
        {"id": True, "url": "https://a.example/7"},
        "not an item",
    ]
    text = json.dumps(
        {
            "format": "revue-export",
            "version": 1,
            "items": [good, *bad],
            "reviews": [
                {
                    "id": 1,
                    "title": "R",
                    "start": "2024-03-12",
                    "end": "2024-03-19",
                    "items": [2, 1],
                    "files": [],
                }
            ],
        },
    )
    # A lone surrogate, which SQLite cannot store: escaped in JSON, it decodes to one.
    text = text.replace(
        '"not an item"', '{"id": 9, "url": "https://a.example/9", "note": "\\ud800"}'
    )
    path = tmp_path / "dump.json"
    path.write_text(text, encoding="utf-8")
    other = tmp_path / "other.db"
    # Records of the wrong type are parts that could not be read: exit 1, like a whole read.
    result = run("--db", str(other), "import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "2 added, 0 merged, 6 skipped" in result.stderr
    for reason in ("javascript:alert(1)", "data:text/html", "record 4: title is a number",
                   "tags is text", "javascript:x", "id is true/false"):  # fmt: skip
        assert reason in result.stderr, reason
    conn = sqlite3.connect(other)
    assert conn.execute("SELECT id, url, note FROM items ORDER BY id").fetchall() == [
        (1, "https://a.example/1", None),
        (9, "https://a.example/9", "\ufffd"),  # a lone surrogate in a note is made valid
    ]
    # The review keeps the stored item only.
    assert conn.execute("SELECT review_id, item_id FROM review_items").fetchall() == [(1, 1)]
    # Into a store that has items already (the merge path) they are not stored either.
    run("add", "--no-fetch", "https://b.example/")
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "2 added, 0 merged, 6 skipped" in result.stderr
    urls = {i["url"] for i in run_json("list")}
    assert urls == {"https://b.example/", "https://a.example/1", "https://a.example/9"}


def test_revue_json_import_has_no_size_cap_but_other_formats_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from test_db_scale import fill

    import revue.cli.transfer

    fill(tmp_path / "revue.db", 200)
    dump_file = tmp_path / "dump.json"
    run("export", "--format", "json", "--out", str(dump_file))
    csv_file = tmp_path / "items.csv"
    run("export", "--format", "csv", "--out", str(csv_file))
    assert dump_file.stat().st_size > 65536 and csv_file.stat().st_size > 20_000
    monkeypatch.setattr(revue.cli.transfer, "MAX_IMPORT_BYTES", 20_000)
    other = tmp_path / "other.db"
    result = run("--db", str(other), "import", str(dump_file), "--no-fetch")
    assert "200 added" in result.stderr
    result = run(
        "--db", str(tmp_path / "third.db"), "import", str(csv_file), code=ExitCode.BAD_INPUT
    )
    assert "larger than" in result.stderr
    # A damaged export stops the import with nothing stored, however far it got.
    cut = tmp_path / "cut.json"
    cut.write_bytes(dump_file.read_bytes()[: dump_file.stat().st_size // 2])
    result = run("--db", str(tmp_path / "fourth.db"), "import", str(cut), code=ExitCode.BAD_INPUT)
    assert "not valid JSON" in result.stderr
    assert sqlite3.connect(tmp_path / "fourth.db").execute(
        "SELECT count(*) FROM items"
    ).fetchone() == (0,)
