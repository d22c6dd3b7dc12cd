from __future__ import annotations

import csv
import io

from markdown_it import MarkdownIt

from revue.formats.exporters import CSV_COLUMNS, export_csv, export_markdown, export_netscape
from revue.formats.imports import parse_import
from revue.models import Item


def items() -> list[Item]:
    return [
        Item(
            id=1,
            url="https://www.lapresse.ca/actualites/2023-11-08/jeu-de-la-virgule/"
            "cette-pratique-peut-causer-des-dommages-serieux.php",
            title="« Jeu de la virgule » | « Cette pratique peut causer des dommages sérieux »",
            summary="Un défi TikTok.",
            site_name="La Presse",
            via="@lp_lapresse",
            published="2023-11-08",
            first_published="2015-03-02",
            lang="fr",
            note="Encore une autre connerie dangereuse venant de Tiktok",
            tags=["TikTok", "santé"],
            hashtags=["Analyweb"],
            status="ok",
            added_at="2023-11-08T14:03:00+00:00",
            review=3,
        ),
        Item(
            id=2,
            url='https://evil.example/?q=<script>&a="b"',
            title='</A><script>alert(1)</script> "quoted" & [link](javascript:x) *bold* `code`',
            note="=HYPERLINK(\"http://evil.example\")\nsecond line <DT><A HREF='x'>",
            tags=["a,b", "-minus"],
            added_at="2023-11-07T09:00:00-05:00",
        ),
        Item(id=3, url=None, note="Un bloc de texte libre", kind="text", added_at="2023-11-08"),
        Item(id=4, url="javascript:alert(1)", title="Never emitted", added_at="2023-11-08"),
    ]


def test_csv_parses_back_with_the_csv_module() -> None:
    rows = list(csv.reader(io.StringIO(export_csv(items()), newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert len(rows) == 5  # every item, even without a link: the CSV is a backup
    first = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert first["title"].startswith("« Jeu de la virgule »")
    assert first["via"] == "'@lp_lapresse"  # defused like any cell starting with @
    assert first["tags"] == "TikTok,santé,Analyweb"
    assert first["review"] == "3"
    assert first["added_at"] == "2023-11-08T14:03:00+00:00"
    assert first["status"] == "ok"
    assert first["published"] == "2023-11-08" and first["first_published"] == "2015-03-02"
    # Columns added later come last: a reader by position finds the earlier ones in place.
    assert CSV_COLUMNS[:16][-2:] == ("review", "first_published")
    assert CSV_COLUMNS[16:] == ("lead", "quote", "hashtags")
    hostile = dict(zip(CSV_COLUMNS, rows[2], strict=True))
    # Formula-looking cells are defused; the line break survives inside the quoted cell.
    assert hostile["note"].startswith("'=HYPERLINK(")
    assert "\nsecond line" in hostile["note"]
    assert hostile["review"] == ""
    text = dict(zip(CSV_COLUMNS, rows[3], strict=True))
    assert text["url"] == "" and text["note"] == "Un bloc de texte libre"


def test_csv_round_trip_through_our_importer() -> None:
    result = parse_import(export_csv(items()).encode())
    assert result.format == "csv"
    # Line numbers count the line break inside the quoted note of row 2.
    assert result.errors == [(5, "no URL"), (6, "not an http(s) URL: javascript:alert(1)")]
    first, hostile = result.records
    assert first.via == "@lp_lapresse"  # the defusing quote is taken off again
    assert first.tags == ["TikTok", "santé", "Analyweb"]
    assert first.note == "Encore une autre connerie dangereuse venant de Tiktok"
    assert first.summary == "Un défi TikTok."
    assert first.added_at == "2023-11-08T14:03:00+00:00"
    assert hostile.note == "=HYPERLINK(\"http://evil.example\")\nsecond line <DT><A HREF='x'>"


def test_csv_injection_prefixes() -> None:
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx"):
        rows = list(csv.reader(io.StringIO(export_csv([Item(id=1, url=None, note=value)]))))
        assert rows[1][CSV_COLUMNS.index("note")] == "'" + value
    rows = list(csv.reader(io.StringIO(export_csv([Item(id=1, url=None, note="ok = fine")]))))
    assert rows[1][CSV_COLUMNS.index("note")] == "ok = fine"
    # A cell that starts with quotes before a formula sign gets one more: reversible.
    for value in ("'=1", "''-x", "'"):
        rows = list(csv.reader(io.StringIO(export_csv([Item(id=1, url=None, note=value)]))))
        assert rows[1][CSV_COLUMNS.index("note")] == ("'" + value if value != "'" else value)


def test_netscape_round_trip_through_our_importer() -> None:
    exported = export_netscape(items())
    assert exported.startswith("<!DOCTYPE NETSCAPE-Bookmark-file-1>")
    assert "<script>" not in exported and 'HREF="javascript' not in exported
    result = parse_import(exported.encode())
    assert result.format == "netscape"
    assert result.errors == []
    first, hostile = result.records
    assert first.url == items()[0].url
    assert first.title == items()[0].title
    assert first.tags == ["TikTok", "santé", "Analyweb"]
    assert first.note == "Encore une autre connerie dangereuse venant de Tiktok"
    assert first.added_at == "2023-11-08T14:03:00+00:00"
    assert hostile.url == 'https://evil.example/?q=<script>&a="b"'
    assert hostile.title == (
        '</A><script>alert(1)</script> "quoted" & [link](javascript:x) *bold* `code`'
    )
    assert hostile.note == "=HYPERLINK(\"http://evil.example\") second line <DT><A HREF='x'>"
    assert hostile.tags == ["a b", "-minus"]  # a comma inside a tag cannot split it
    assert hostile.added_at == "2023-11-07T14:00:00+00:00"


def test_markdown_list_is_escaped_and_renders_safely() -> None:
    text = export_markdown(items())
    lines = text.splitlines()
    assert len(lines) == 2  # no free text, no javascript: link
    assert lines[0] == (
        "- [« Jeu de la virgule » \\| « Cette pratique peut causer des dommages sérieux »]"
        "(<https://www.lapresse.ca/actualites/2023-11-08/jeu-de-la-virgule/"
        "cette-pratique-peut-causer-des-dommages-serieux.php>)"
        " — Encore une autre connerie dangereuse venant de Tiktok"
    )
    html = MarkdownIt("commonmark").render(text)
    assert "<script>" not in html
    assert "javascript:" not in html.split("href=")[-1].split(">")[0]
    assert html.count("<a href=") == 2
    assert html.count("<li>") == 2
    assert "<em>" not in html and "<code>" not in html
    assert "&lt;/A&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://evil.example/?q=%3Cscript%3E&amp;a=%22b%22"' in html


def test_markdown_of_nothing_is_empty() -> None:
    assert export_markdown([]) == ""
    assert export_markdown([Item(id=1, url=None)]) == ""
