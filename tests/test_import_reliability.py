"""Import files that are big, deep, damaged, wrongly typed or not valid Unicode: every
readable record comes in, every skipped one is said, nothing said skipped is stored."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from revue.errors import ExitCode
from revue.formats.exporters import export_netscape
from revue.formats.feedparse import discover_feeds, parse_opml
from revue.formats.imports import check_revue_item, parse_import
from revue.models import Item
from revue.web.extract import extract

from clihelp import run, run_json


def chrome_bookmarks(count: int) -> str:
    """Chrome's export shape: <DT> never closed, no <DD>, folders as <H3> + <DL>."""
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
        '    <DT><H3 ADD_DATE="1694000000" PERSONAL_TOOLBAR_FOLDER="true">Bookmarks bar</H3>',
        "    <DL><p>",
    ]
    for i in range(count):
        if i == count // 2:
            lines += ["        <DT><H3>Veille</H3>", "        <DL><p>"]
        lines.append(
            f'        <DT><A HREF="https://a.example/{i}" ADD_DATE="1700000000" '
            f'TAGS="t{i % 3}">Titre {i}</A>'
        )
    lines += ["        </DL><p>", "    </DL><p>"]
    lines.append('    <DT><A HREF="https://b.example/last" ADD_DATE="1700000000">Last</A>')
    lines.append("</DL><p>")
    return "\n".join(lines) + "\n"


# ------------------------------------------------------------------ point 2: no silent truncation


@pytest.mark.parametrize("count", [5_000, 50_000])
def test_netscape_without_closed_dt_imports_every_bookmark_with_folders(count: int) -> None:
    result = parse_import(chrome_bookmarks(count).encode())
    assert result.errors == []
    assert len(result.records) == count + 1
    urls = [r.url for r in result.records]
    assert urls[0] == "https://a.example/0" and urls[-1] == "https://b.example/last"
    assert result.records[0].extra["folder"] == "Bookmarks bar"
    assert result.records[count - 1].extra["folder"] == "Bookmarks bar/Veille"
    assert result.records[count - 1].tags == [f"t{(count - 1) % 3}"]
    assert "folder" not in result.records[-1].extra  # back at the top after the </DL>s


def test_netscape_export_of_5000_items_reads_back_whole_through_the_cli(tmp_path: Path) -> None:
    items = [
        Item(id=i, url=f"https://a.example/{i}", title=f"T{i}", added_at="2024-03-12T10:00:00")
        for i in range(1, 5_001)
    ]
    items[4_999].note = "la dernière note"
    path = tmp_path / "bookmarks.html"
    path.write_text(export_netscape(items), encoding="utf-8")
    result = run("import", str(path), "--no-fetch")
    assert "5000 added" in result.stderr
    conn = sqlite3.connect(tmp_path / "revue.db")
    assert conn.execute("SELECT count(*) FROM items").fetchone() == (5_000,)
    assert conn.execute("SELECT note FROM items WHERE url = 'https://a.example/5000'").fetchone()[
        0
    ] == ("la dernière note")


def test_bookmarks_a_parser_could_not_reach_are_said_and_exit_1(tmp_path: Path) -> None:
    # An unclosed <script> hides the rest of the file from any HTML parser.
    path = tmp_path / "bookmarks.html"
    path.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        '<DT><A HREF="https://a.example/1">Un</A>\n<script>\n'
        '<DT><A HREF="https://a.example/2">Deux</A>\n'
        '<DT><A HREF="https://a.example/3">Trois</A>\n</DL><p>\n',
        encoding="utf-8",
    )
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "line 5: 2 bookmark(s) from here on could not be read" in result.stderr
    assert "could not be read" in result.stderr
    assert len(run_json("list")) == 1


def test_opml_nested_deeper_than_libxml2_default_or_with_huge_text_keeps_every_feed() -> None:
    deep = (
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + '<outline text="dossier">' * 300
        + '<outline xmlUrl="https://a.example/deep.xml" text="deep"/>'
        + "</outline>" * 300
        + '<outline xmlUrl="https://b.example/feed.xml" text="b"/></body></opml>'
    )
    assert [f["url"] for f in parse_opml(deep.encode())] == [
        "https://a.example/deep.xml",
        "https://b.example/feed.xml",
    ]
    huge = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>'
        + "x" * 11_000_000
        + '</title></head><body><outline xmlUrl="https://b.example/feed.xml" text="b"/>'
        + '<outline xmlUrl="feed://c.example/" text="c"/></body></opml>'
    )
    problems: list[tuple[int, str]] = []
    assert [f["url"] for f in parse_opml(huge.encode(), problems)] == ["https://b.example/feed.xml"]
    assert problems == [(1, "not an http(s) URL: feed://c.example/")]  # said, not dropped


def test_opml_feeds_a_parser_lost_are_said() -> None:
    lost = (
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + '<outline text="f">' * 3000
        + "</outline>" * 3000
        + '<outline xmlUrl="https://b.example/feed.xml" text="b"/></body></opml>'
    )
    result = parse_import(lost.encode(), format="opml")
    assert result.unreadable == [(1, "1 feed(s) after this line could not be read")]


def test_csv_quote_left_open_is_said_and_the_rows_it_swallowed_are_read() -> None:
    rows = ["url,title,note", "https://a.example/1,Un,n"]
    rows.append('https://a.example/2,"Deux sans fin,n')  # the quote is never closed
    rows += [f"https://b.example/{i},B{i},n" for i in range(3)]
    rows.append('https://c.example/1,Titre "cité",n')
    rows.append("https://c.example/2,Dernier," + '"x' * 0 + "fin")
    result = parse_import("\n".join(rows).encode())
    assert [r.url for r in result.records] == [
        "https://a.example/1",
        "https://b.example/0",
        "https://b.example/1",
        "https://b.example/2",
        "https://c.example/1",
        "https://c.example/2",
    ]
    assert result.unreadable == [
        (3, "bad CSV: a quote opened here is never closed (read again from line 4)")
    ]


def test_csv_cell_over_128_kb_is_read_and_cut_not_dropped() -> None:
    data = "url,title,note\nhttps://a.example/1,Un," + '"' + "x" * 200_000 + '"\n'
    result = parse_import(data.encode())
    assert result.errors == []
    assert result.records[0].note == "x" * 10_000


def test_review_text_line_of_hashtags_is_read_in_linear_time() -> None:
    # The former trailing-hashtag regex took minutes on such a line (quadratic search).
    line = "Titre https://a.example/x = " + "#a " * 200_000 + "!"
    data = f"Revue de presse du 12 mars au 19 mars 2024\n{line}\nFin https://a.example/y #IA\n"
    result = parse_import(data.encode(), format="review-text")
    assert [r.url for r in result.records] == ["https://a.example/x", "https://a.example/y"]
    assert result.records[1].hashtags == ["IA"]


def test_page_nested_deeper_than_256_levels_keeps_its_summary_and_feed_links() -> None:
    paragraph = "Un paragraphe assez long pour servir de résumé à cette page de test. " * 3
    page = (
        "<html><head><title>T</title>"
        + "<span>" * 400
        + '<meta property="og:title" content="Le vrai titre"></head><body>'
        + "<div>" * 400
        + f"<p>{paragraph}</p>"
        + "</div>" * 400
        + '<a href="/feed/">RSS</a></body></html>'
    )
    meta = extract(page.encode(), "https://a.example/x")
    assert meta.title == "Le vrai titre"
    assert (meta.summary or "").startswith("Un paragraphe assez long")
    assert discover_feeds(page.encode(), "https://a.example/") == ["https://a.example/feed/"]


# ------------------------------------------------------------------ point 7: wrong-typed fields

BAD_REVUE_ITEMS = [
    ({"id": 1, "url": 123}, "url is a number, not text"),
    ({"id": 1, "url": "https://a.example/1", "tags": 5}, "tags is a number, not a list of text"),
    ({"id": 1, "url": "https://a.example/1", "title": ["x"]}, "title is a list, not text"),
    ({"id": "x", "url": "https://a.example/1"}, "id is text, not a whole number"),
    ({"id": 1, "url": "https://a.example/1", "tags": [1]}, "tags holds a number, not text"),
    ({"id": 1, "url": "https://a.example/1", "attempts": "many"}, "attempts is text"),
    ({"id": 1, "url": "https://a.example/1", "note": {"a": 1}}, "note is an object, not text"),
    ({"id": 1, "url": "https://a.example/1", "status": "gone"}, "status is 'gone'"),
    (["https://a.example/1"], "not an item object"),
]


@pytest.mark.parametrize(("item", "reason"), BAD_REVUE_ITEMS)
def test_revue_json_wrong_typed_item_is_reported_with_its_position_and_skipped(
    tmp_path: Path, item: object, reason: str
) -> None:
    good = {"id": 7, "url": "https://ok.example/", "title": None, "tags": ["IA"]}
    dump = {"format": "revue-export", "version": 1, "items": [good, item]}
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert f"record 2: {reason}" in result.stderr
    assert "internal error" not in result.stderr and "datatype" not in result.stderr
    assert "1 added, 0 merged, 1 skipped" in result.stderr
    assert [i["url"] for i in run_json("list")] == ["https://ok.example/"]


BAD_PINBOARD = [
    ({"href": 123}, "href is a number, not text"),
    ({"href": "https://a.example/1", "tags": 5}, "tags is a number, not a list of text"),
    ({"href": "https://a.example/1", "description": ["x"]}, "description is a list, not text"),
    ({"href": "https://a.example/1", "extended": {"a": 1}}, "extended is an object, not text"),
    ({"href": "https://a.example/1", "time": [1]}, "time is a list, not a date"),
    ({"href": "https://a.example/1", "toread": 3}, "toread is a number, not yes/no"),
    ("https://a.example/1", "not a bookmark object"),
]


@pytest.mark.parametrize(("entry", "reason"), BAD_PINBOARD)
def test_pinboard_wrong_typed_bookmark_is_reported_and_skipped(
    tmp_path: Path, entry: object, reason: str
) -> None:
    path = tmp_path / "pinboard.json"
    good = {"href": "https://ok.example/", "description": None, "tags": "a b"}
    path.write_text(json.dumps([good, entry]), encoding="utf-8")
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert f"record 2: {reason}" in result.stderr
    assert "1 added, 0 merged, 1 skipped" in result.stderr
    assert [(i["url"], i["tags"]) for i in run_json("list")] == [
        ("https://ok.example/", ["a", "b"])
    ]


@pytest.mark.parametrize(
    ("dump", "field"),
    [
        ({"format": "revue-export", "version": "x", "items": []}, "version is text"),
        ({"format": "revue-export", "version": 1, "items": {"a": 1}}, "items is an object"),
        ({"format": "revue-export", "version": 1, "items": [], "feeds": 3}, "feeds is a number"),
    ],
)
def test_revue_json_unusable_shape_is_refused_with_exit_2_naming_the_field(
    tmp_path: Path, dump: dict[str, object], field: str
) -> None:
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    result = run("import", str(path), "--no-fetch", code=ExitCode.BAD_INPUT)
    assert field in result.stderr
    assert run_json("list") == []


def test_json_nested_200000_deep_is_refused_with_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "deep.json"
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    result = run("import", str(path), code=ExitCode.BAD_INPUT)
    assert "nested too deep" in result.stderr


def test_revue_json_bad_review_and_feed_are_skipped_the_items_kept(tmp_path: Path) -> None:
    dump = {
        "format": "revue-export",
        "version": 1,
        "items": [{"id": 1, "url": "https://a.example/1"}],
        "reviews": [{"id": 1, "title": "R", "items": ["un"]}],
        "feeds": [{"url": "javascript:alert(1)"}, {"url": "https://f.example/rss", "tags": []}],
    }
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "review 1 of the file: items holds text, not an item id" in result.stderr
    assert "feed 1 of the file: not an http(s) URL: javascript:alert(1)" in result.stderr
    assert len(run_json("list")) == 1
    assert [f["url"] for f in run_json("feed", "list")] == ["https://f.example/rss"]


# ------------------------------------------------------------------ point 8: skipped is not stored


@pytest.mark.parametrize("empty", [True, False])
def test_revue_json_links_said_skipped_are_not_stored(tmp_path: Path, empty: bool) -> None:
    if not empty:
        run("add", "--no-fetch", "https://already.example/")
    dump = {
        "format": "revue-export",
        "version": 1,
        "items": [
            {"id": 1, "url": "https://a.example/1"},
            {"id": 2, "url": "javascript:alert(1)"},
            {"id": 3, "url": "file:///etc/passwd"},
            {"id": 4, "url": "data:text/html,hi"},
            {"id": 5, "url": "https://a.example/5", "original_url": "javascript:x"},
            {"id": 6, "kind": "text", "url": None, "note": "Un bloc"},
        ],
        "reviews": [{"id": 1, "title": "R", "start": "2024-03-12", "items": [1, 2, 6]}],
    }
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    result = run("import", str(path), "--no-fetch")
    assert "2 added, 0 merged, 4 skipped" in result.stderr
    urls = {i["url"] for i in run_json("list")} - {"https://already.example/"}
    assert urls == {"https://a.example/1", None}  # the text block travels too
    conn = sqlite3.connect(tmp_path / "revue.db")
    stored = [r[0] for r in conn.execute("SELECT coalesce(url, '') FROM items")]
    assert not any(u.startswith(("javascript:", "file:", "data:")) for u in stored)


def test_check_revue_item_takes_one_record_and_names_the_bad_field() -> None:
    assert check_revue_item({"id": 3, "url": "https://u:p@a.example/x", "title": "T\ud800"}) == {
        "id": 3,
        "url": "https://a.example/x",
        "title": "T\ufffd",
        "kind": "link",
    }
    with pytest.raises(ValueError, match="hashtags is true/false, not a list of text"):
        check_revue_item({"id": 3, "url": "https://a.example/x", "hashtags": True})


# ------------------------------------------------------------------ point 9: valid Unicode


def test_lone_surrogates_in_pinboard_are_repaired_in_text_and_skipped_in_urls(
    tmp_path: Path,
) -> None:
    path = tmp_path / "pinboard.json"
    path.write_text(
        '[{"href": "https://a.example/1", "description": "Titre \\ud800 cassé",'
        ' "extended": "note \\udc00", "tags": "ok \\ud83d"},'
        ' {"href": "https://a.example/\\ud800"},'
        ' {"href": "https://a.example/3", "description": "emoji \\ud83d\\ude00"}]',
        encoding="utf-8",
    )
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "record 2: href is not valid Unicode (a lone surrogate)" in result.stderr
    assert "codec" not in result.stderr
    items = {i["url"]: i for i in run_json("list")}
    first = items["https://a.example/1"]
    assert first["title"] == "Titre \ufffd cassé" and first["note"] == "note \ufffd"
    assert first["tags"] == ["ok", "\ufffd"]
    assert items["https://a.example/3"]["title"] == "emoji 😀"  # a real pair is one character
    assert len(items) == 2


def test_lone_surrogate_in_revue_json_is_repaired_everywhere_it_is_text(tmp_path: Path) -> None:
    path = tmp_path / "dump.json"
    path.write_text(
        '{"format": "revue-export", "version": 1, "items": ['
        '{"id": 1, "url": "https://a.example/1", "title": "\\ud800", "tags": ["x\\udfff"]},'
        '{"id": 2, "url": "https://a.example/\\udfff"},'
        '{"id": 3, "kind": "text", "note": "bloc \\ud800"}],'
        '"reviews": [{"id": 1, "title": "Revue \\ud800", "items": [1]}]}',
        encoding="utf-8",
    )
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "record 2: url is not valid Unicode" in result.stderr
    items = run_json("list")
    assert {i["title"] for i in items if i["url"]} == {"\ufffd"}
    assert any(i["note"] == "bloc \ufffd" for i in items)
    assert [r["title"] for r in run_json("reviews")] == ["Revue \ufffd"]


def test_utf8_file_with_one_bad_byte_stays_utf8(tmp_path: Path) -> None:
    links = "https://a.example/1 Café crème\nhttps://a.example/2 Bad \xff byte\n"
    data = links.encode("utf-8").replace(b"\xc3\xbf", b"\xff")
    result = parse_import(data, format="links")
    assert [r.title for r in result.records] == ["Café crème", "Bad \ufffd byte"]
    csv_data = ("url,title\nhttps://a.example/1,Été\nhttps://a.example/2,x\x80y\n").encode()
    csv_data = csv_data.replace("\x80".encode(), b"\x80")
    assert [r.title for r in parse_import(csv_data).records] == ["Été", "x\ufffdy"]
    # A file written in Windows-1252 is still read as such.
    assert parse_import("https://a.example/ Café".encode("cp1252")).records[0].title == "Café"


def test_netscape_character_reference_to_a_surrogate_becomes_valid_text() -> None:
    data = (
        b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        b'<DT><A HREF="https://a.example/1">A &#xD800; B</A>\n<DD>note &#55296;\n</DL>\n'
    )
    (record,) = parse_import(data).records
    assert record.title == "A \ufffd B" and record.note == "note \ufffd"
    record.title.encode("utf-8")


# ------------------------------------- issue 23, point 7: every field checked to its column

BIG = 2**63  # one past SQLite's INTEGER


def test_the_table_of_export_fields_is_the_schema_the_migrations_make(tmp_path: Path) -> None:
    from revue.formats.imports import RECORD_COLUMNS
    from revue.store.db import Store

    store = Store.open(tmp_path / "schema.db")
    sql_type = {"integer": "INTEGER", "flag": "INTEGER", "real": "REAL", "text": "TEXT"}
    sql_type |= {"date": "TEXT", "texts": "TEXT"}
    tables = {
        "item": "items", "review": "reviews", "file": "review_files",
        "post": "review_posts", "feed": "feeds", "skip": "skips",
    }  # fmt: skip
    # Fields of an export that are no column: lists kept in tables of their own, and the
    # review an item is in (review_items).
    not_columns = {"tags", "hashtags", "keys", "items", "review", "review_date"}
    for record, table in tables.items():
        schema = {r[1]: r[2] for r in store.conn.execute(f"PRAGMA table_info({table})")}
        fields = RECORD_COLUMNS[record]
        for name, column in fields.items():
            if name not in schema:
                assert name in not_columns, (table, name)
                continue
            assert schema[name] == sql_type[column.type], (table, name)
        # Every column the restore writes from the file is checked (a post's review_id and
        # an item's FTS rowid are the store's own).
        assert set(schema) - set(fields) <= {"review_id"}, table
    store.close()


def _dump(**lists: object) -> dict[str, object]:
    return {"format": "revue-export", "version": 1, **lists}


ITEM = {"id": 1, "url": "https://ok.example/"}
REVIEW = {"id": 1, "title": "R", "start": "2024-03-11", "end": "2024-03-17", "items": [1]}
BAD_RECORDS = [
    ("items", {"id": 2, "url": "https://b.example/", "http_status": BIG},
     f"record 2: http_status is {BIG}, not from 0 to 999"),
    ("items", {"id": BIG, "url": "https://b.example/"}, f"record 2: id is {BIG}"),
    ("items", {"id": 2, "url": "https://b.example/", "attempts": BIG}, "record 2: attempts is"),
    ("items", {"id": 2, "url": "https://b.example/", "review": 2**64}, "record 2: review is"),
    ("items", {"id": 2, "url": "https://b.example/", "position": 2**70}, "record 2: position is"),
    ("items", {"id": 2, "url": "https://b.example/", "canonical": {"a": 1}},
     "record 2: canonical is an object, not text"),
    ("items", {"id": 2, "url": "https://b.example/", "added_at": 20240312},
     "record 2: added_at is a number, not text"),
    ("items", {"id": 2, "url": "https://b.example/", "paywalled": "yes"},
     "record 2: paywalled is text, not true/false"),
    ("reviews", {**REVIEW, "id": 2, "start": "soon"},
     "review 2 of the file: start is 'soon', not a date (YYYY-MM-DD)"),
    ("reviews", {**REVIEW, "id": 2, "end": "2024-03-01"}, "review 2 of the file: start 2024"),
    ("reviews", {**REVIEW, "id": BIG}, "review 2 of the file: id is"),
    ("reviews", {**REVIEW, "id": 2, "items": [BIG]}, "review 2 of the file: items holds"),
    ("reviews", {**REVIEW, "id": 2, "item_count": BIG}, "review 2 of the file: item_count is"),
    ("reviews", {**REVIEW, "id": 2, "posts": [{"site": "https://blog.example", "post_id": "abc"}]},
     "review 2 of the file: posts 1: post_id is text, not a whole number"),
    ("reviews", {**REVIEW, "id": 2, "posts": [{"site": {"a": 1}, "post_id": 3}]},
     "review 2 of the file: posts 1: site is an object, not text"),
    ("reviews", {**REVIEW, "id": 2, "posts": [{"site": "https://blog.example", "post_id": BIG}]},
     "review 2 of the file: posts 1: post_id is"),
    ("reviews", {**REVIEW, "id": 2, "files": [{"format": "md"}]},
     "review 2 of the file: files 1: path is missing"),
    ("feeds", {"id": BIG, "url": "https://f.example/rss"}, "feed 2 of the file: id is"),
    ("feeds", {"url": "https://f.example/rss", "pulled_at": [1]}, "feed 2 of the file: pulled_at"),
    ("skips", {"item_id": BIG, "start": "2024-03-11", "end": "2024-03-17",
               "skipped_at": "2024-03-12T08:00:00"}, "skip 2 of the file: item_id is"),
    ("skips", {"item_id": 1, "start": "x", "end": "2024-03-17",
               "skipped_at": "2024-03-12T08:00:00"}, "skip 2 of the file: start is 'x'"),
]  # fmt: skip


@pytest.mark.parametrize("empty", [True, False])
@pytest.mark.parametrize(("kind", "bad", "reason"), BAD_RECORDS)
def test_revue_json_field_out_of_its_column_is_reported_by_number_and_skipped(
    tmp_path: Path, kind: str, bad: dict[str, object], reason: str, empty: bool
) -> None:
    if not empty:
        run("add", "--no-fetch", "https://already.example/")
    good = {
        "items": ITEM,
        "reviews": REVIEW,
        "feeds": {"id": 1, "url": "https://g.example/rss"},
        "skips": {"item_id": 1, "start": "2024-03-18", "end": "2024-03-24",
                  "skipped_at": "2024-03-19T08:00:00"},
    }  # fmt: skip
    lists: dict[str, list[object]] = {name: [record] for name, record in good.items()}
    lists[kind].append(bad)
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(_dump(**lists)), encoding="utf-8")
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert reason in result.stderr
    # Bad input, not a database error ("created database" is the one line an empty store adds).
    said = result.stderr.replace("created database", "")
    assert "internal error" not in said and "database" not in said
    assert "1 skipped" in result.stderr
    # The good records of every list are in; the bad one is not.
    assert "https://ok.example/" in {i["url"] for i in run_json("list")}
    assert [r["start"] for r in run_json("reviews")] == ["2024-03-11"]
    assert len(run_json("feed", "list")) == 1
    conn = sqlite3.connect(tmp_path / "revue.db")
    assert conn.execute("SELECT count(*) FROM skips").fetchone()[0] == 1
    conn.close()


def _import_review_with_everything(tmp_path: Path) -> None:
    review = {
        **REVIEW,
        "items": [1, 2],
        "files": [{"path": str(tmp_path / "r.md"), "format": "md", "sha256": "0" * 64}],
        "posts": [{"site": "https://blog.example", "post_id": 7, "link": "https://blog.example/p"}],
    }
    dump = _dump(
        items=[ITEM, {"id": 2, "url": "https://two.example/"}],
        reviews=[review],
        skips=[{"item_id": 2, "start": "2024-03-11", "end": "2024-03-17", "review_id": 1,
                "skipped_at": "2024-03-12T08:00:00"}],
    )  # fmt: skip
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    run("import", str(path), "--no-fetch")


def test_reviews_rm_forgets_a_review_its_order_files_posts_and_skips_never_items(
    tmp_path: Path,
) -> None:
    _import_review_with_everything(tmp_path)
    assert [r["id"] for r in run_json("reviews")] == [1]
    refused = run("reviews", "rm", "1", code=ExitCode.BAD_INPUT)  # not on a terminal, no --yes
    assert "--yes" in refused.stderr
    assert (
        run("reviews", "rm", "99", "--yes", code=ExitCode.BAD_INPUT).stderr.count("no review #99")
        == 1
    )
    done = run("reviews", "rm", "1", "--yes")
    assert "removed review #1" in done.stderr and "https://blog.example/p" in done.stderr
    assert run_json("reviews") == []
    items = run_json("list")
    assert sorted(i["url"] for i in items) == ["https://ok.example/", "https://two.example/"]
    assert all(i["review"] is None for i in items)
    conn = sqlite3.connect(tmp_path / "revue.db")
    for table in ("review_items", "review_files", "review_posts", "skips"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0, table
    conn.close()


def test_a_review_row_with_dates_that_are_not_dates_is_reported_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A row an older revue imported unchecked.
    run("add", "--no-fetch", "https://a.example/1")
    conn = sqlite3.connect(tmp_path / "revue.db")
    conn.execute(
        "INSERT INTO reviews (id, title, start, end, format, imported) "
        "VALUES (7, 'R', 'soon', 'later', 'text', 1)"
    )
    conn.execute("INSERT INTO review_items VALUES (7, 1, 0)")
    conn.commit()
    conn.close()
    monkeypatch.setenv("REVUE_WORDPRESS_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "curator")
    for args in (
        ("compose", "--since-last"),
        ("compose", "--review", "7"),
        ("publish", "7", "--dry-run"),
        ("publish", "--dry-run"),
    ):
        result = run(*args, code=ExitCode.STORE)
        assert "review #7: its start 'soon' is not a date" in result.stderr, args
        assert "revue reviews rm 7" in result.stderr and "internal error" not in result.stderr
    run("reviews", "rm", "7", "--yes")
    assert "1 item(s)" in run("compose", "--since-last").stderr


def test_week_says_which_review_row_is_bad(tmp_path: Path) -> None:
    from clihelp import run_on_terminal

    run("add", "--no-fetch", "https://a.example/1")
    conn = sqlite3.connect(tmp_path / "revue.db")
    conn.execute("INSERT INTO reviews (id, start, end) VALUES (3, '2024-01-01', 'later')")
    conn.commit()
    conn.close()
    code, screen = run_on_terminal("week")
    assert code == ExitCode.STORE, screen
    assert "review #3: its end 'later' is not a date" in screen
    assert "revue reviews rm 3" in screen


def test_restore_into_an_empty_store_merges_records_without_keys_by_url(tmp_path: Path) -> None:
    items = [
        {"id": n, "url": f"https://d.example/{n % 50}", "tags": [f"t{n % 3}"]}
        for n in range(1, 2001)
    ]
    review = {**REVIEW, "items": [1, 51, 2]}
    skip = {"item_id": 101, "start": "2024-03-18", "end": "2024-03-24",
            "skipped_at": "2024-03-19T08:00:00"}  # fmt: skip
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(_dump(items=items, reviews=[review], skips=[skip])), "utf-8")
    result = run("import", str(path), "--no-fetch")
    assert "50 added, 1950 merged, 0 skipped" in result.stderr
    stored = run_json("list")
    assert len(stored) == 50
    assert all(sorted(i["tags"]) == ["t0", "t1", "t2"] for i in stored)
    conn = sqlite3.connect(tmp_path / "revue.db")
    # Item 51 of the file is item 1's story: the review lists it once; the skip of item 101
    # (also item 1's story) follows it there.
    assert conn.execute("SELECT item_id FROM review_items ORDER BY position").fetchall() == [
        (1,),
        (2,),
    ]
    assert conn.execute("SELECT item_id FROM skips").fetchall() == [(1,)]
    conn.close()


def test_a_number_of_thousands_of_digits_costs_its_record_not_the_file(tmp_path: Path) -> None:
    # Python refuses to convert it (int_max_str_digits): json.loads raises ValueError.
    huge = "9" * 5000
    path = tmp_path / "dump.json"
    path.write_text(
        '{"format": "revue-export", "version": 1, "items": ['
        '{"id": 1, "url": "https://ok.example/"}, '
        f'{{"id": 2, "url": "https://b.example/", "attempts": {huge}}}]}}',
        encoding="utf-8",
    )
    result = run("import", str(path), "--no-fetch", code=ExitCode.PARTIAL)
    assert "record 2: attempts is a number too large" in result.stderr
    assert [i["url"] for i in run_json("list")] == ["https://ok.example/"]


def test_revue_json_whose_format_key_comes_late_is_restored_all_the_same(tmp_path: Path) -> None:
    # Read whole, then found by its content: the streaming reader restores it like any export.
    dump = {"items": [{"id": 1, "url": "https://late.example/"}], "format": "revue-export"}
    path = tmp_path / "dump.json"
    path.write_text(json.dumps(dump), encoding="utf-8")
    result = run("import", str(path), "--no-fetch")
    assert "1 added, 0 merged, 0 skipped (revue-json)" in result.stderr
    assert [i["url"] for i in run_json("list")] == ["https://late.example/"]
