from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from revue.formats.imports import (
    FORMATS,
    ImportRecord,
    detect_format,
    parse_import,
    read_revue_export,
)

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
# The first three posts of the seed blog (the press reviews); its later posts are prose.
SEEDS = Path(__file__).parent / "fixtures" / "reviews" / "seed-000-first-three-posts.txt"
# A prose post as the blog's later ones are: a title, then paragraphs without a link.
PROSE_POST = """
ChatGPT, le nouveau casse-tête

Il faut applaudir les avancées de l’intelligence artificielle, mais aussi s’en inquiéter.

La technologie n’est pas neutre et le droit est toujours à la remorque des innovations.

Vingt ans après les moteurs de recherche, on commence à peine à en mesurer les effets.

Inexactitude et ambiguïté des réponses
"""


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def by_url(records: list[ImportRecord]) -> dict[str, ImportRecord]:
    return {r.url: r for r in records if r.url}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("firefox_bookmarks.html", "netscape"),
        ("chrome_bookmarks.html", "netscape"),
        ("buku_export.html", "netscape"),
        ("pocket_export.csv", "pocket-csv"),
        ("ril_export.html", "pocket-html"),
        ("pinboard_export.json", "pinboard"),
        ("raindrop_export.csv", "csv"),
        ("generic.csv", "csv"),
        ("links.txt", "links"),
        ("revue_export.json", "revue-json"),
    ],
)
def test_detect_format_from_content(name: str, expected: str) -> None:
    assert expected in FORMATS
    # The file name is misleading on purpose: content decides.
    assert detect_format(load(name), filename="export.txt") == expected
    if expected != "revue-json":  # streamed: see test_revue_json_streams_every_record...
        assert parse_import(load(name)).format == expected


def test_detect_opml_and_review_text() -> None:
    opml = (Path(__file__).parent / "fixtures" / "feeds" / "feeds.opml").read_bytes()
    assert detect_format(opml) == "opml"
    review = "Revue de presse marketing/techno du 8 septembre\n\nTitre https://a.example/x\n"
    assert detect_format(review.encode()) == "review-text"


def test_binary_and_bad_json_are_refused() -> None:
    with pytest.raises(ValueError, match="not a text file"):
        detect_format(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(ValueError, match="not a text file"):
        parse_import(b"https://a.example/\x00")
    with pytest.raises(ValueError, match="JSON"):
        parse_import(b'{"format": "revue-export", "items": [')
    with pytest.raises(ValueError, match="unknown shape"):
        parse_import(b'{"some": "thing"}')
    with pytest.raises(ValueError, match="unknown import format"):
        parse_import(b"https://a.example/", format="docx")


def test_firefox_bookmarks_keep_titles_tags_notes_dates_and_folders() -> None:
    result = parse_import(load("firefox_bookmarks.html"))
    records = by_url(result.records)
    presse = records[
        "https://www.lapresse.ca/affaires/techno/2023-11-06/premiere-conference-annuelle/"
        "openai-promet-des-superpouvoirs-pour-tous.php"
    ]
    assert (
        presse.title
        == "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous"
    )
    assert presse.tags == ["IA", "Analyweb"]
    assert presse.note == "À lire & à partager : la conférence DevDay"
    assert presse.added_at == "2023-11-07T14:23:00+00:00"
    assert presse.line == 17
    assert "folder" not in presse.extra  # at the top of the menu

    gpt = records[
        "https://ici.radio-canada.ca/nouvelle/2024794/openai-gpt-robots-conversationnels-personnalites"
    ]
    assert gpt.extra["folder"] == "Bookmarks Toolbar/Veille & IA"
    assert gpt.tags == ["IA", "ChatGPT", "radio-canada"]
    assert gpt.note == "Les GPT personnalisés\narrivent pour tout le monde"
    bdm = records["https://www.blogdumoderateur.com/chatgpt-permet-creer-chatbots-personnalises/"]
    assert bdm.note is None  # the previous bookmark's <DD> is not this one's
    assert bdm.extra["keyword"] == "bdm"
    assert records["https://refsicom.org/1197"].extra["folder"] == "Bookmarks Toolbar"
    assert records["https://support.mozilla.org/en-US/products/firefox"].extra["folder"] == (
        "Mozilla Firefox"
    )
    # Folder names are not tags.
    assert all("Mozilla Firefox" not in r.tags for r in result.records)
    # place: and javascript: bookmarks are reported with their line, not imported.
    assert [line for line, _ in result.errors] == [19, 20]
    assert all("not an http(s) URL" in reason for _, reason in result.errors)
    assert len(result.records) == 7


def test_chrome_bookmarks_and_date_magnitudes() -> None:
    result = parse_import(load("chrome_bookmarks.html"))
    records = by_url(result.records)
    mozilla = result.records[0]
    assert mozilla.title is not None and mozilla.title.startswith("Étude de la fondation Mozilla")
    assert mozilla.added_at == "2023-09-06T14:00:00+00:00"
    assert mozilla.extra["folder"] == "Bookmarks bar"
    epiceries = records[
        "https://ici.radio-canada.ca/nouvelle/2008756/oligopole-epiceries-alimentation-inflation-"
        "loblaw-sobeys-metro"
    ]
    assert epiceries.extra["folder"] == "Bookmarks bar/Épiceries"
    assert "l'intelligence artificielle" in (result.records[2].title or "")
    # A microsecond ADD_DATE is read as such, not as a date in the year 55,000.
    assert records["http://refsicom.org/1197"].added_at == "2023-11-08T14:00:00+00:00"
    assert result.errors == [(20, "not an http(s) URL: chrome://settings/")]


def test_buku_export() -> None:
    result = parse_import(load("buku_export.html"))
    assert [r.title for r in result.records] == [
        "Clubhouse n’est pas mort, et tente même une réanimation",
        "Chine: Tencent dévoile lui aussi un robot conversationnel | JDM",
        "Talk to your ex",
    ]
    assert result.records[0].tags == ["clubhouse", "médias sociaux", "audio"]
    assert result.records[0].note == "L’app audio revient avec la messagerie vocale"
    assert result.records[1].note is None
    assert result.records[2].note == "Une app douteuse & inquiétante"
    assert result.records[2].tags == []
    assert all(r.added_at == "2023-11-08T16:13:20+00:00" for r in result.records)


def test_pocket_csv() -> None:
    result = parse_import(load("pocket_export.csv"))
    first, meta, untitled, multi = result.records
    assert first.title == "Victoria’s Secret | Autopsie d’un changement d’image manqué"
    assert first.tags == ["mode", "marketing"]
    assert first.added_at == "2023-11-05T16:00:00+00:00"
    assert first.extra["status"] == "unread"
    assert meta.tags == ["vie privée", "meta", "Analyweb"]
    assert meta.extra["status"] == "archive"
    assert untitled.title is None  # Pocket writes the URL as the title of untitled items
    assert multi.title == "A title, with a comma and a line break"
    assert multi.line == 5
    assert result.errors == [(7, "not an http(s) URL: not-a-url")]


def test_pocket_html() -> None:
    result = parse_import(load("ril_export.html"))
    assert [r.extra["status"] for r in result.records] == ["unread", "unread", "archive"]
    moulins = result.records[0]
    assert moulins.title == "MRC Les Moulins | Double mandat pour la réalité mixte"
    assert moulins.tags == ["réalité mixte", "lapresse"]
    assert moulins.added_at == "2023-11-02T16:00:00+00:00"
    assert result.records[1].tags == []


def test_pinboard_json() -> None:
    result = parse_import(load("pinboard_export.json"))
    virgule, bdm = result.records
    assert virgule.title == (
        "« Jeu de la virgule » | « Cette pratique peut causer des dommages sérieux »"
    )
    assert virgule.note == "Encore une autre connerie dangereuse venant de Tiktok"
    assert virgule.tags == ["tiktok", "santé", "Analyweb"]
    assert virgule.added_at == "2023-11-08T15:02:11+00:00"
    assert virgule.extra == {"toread": False, "shared": True}
    assert bdm.note is None and bdm.tags == [] and bdm.extra["toread"] is True
    assert result.errors == [(3, "not an http(s) URL: ftp://files.example.com/x")]


def test_raindrop_csv() -> None:
    result = parse_import(load("raindrop_export.csv"))
    gpt, formula = result.records
    assert (
        gpt.title
        == "OpenAI lance les GPT, des robots conversationnels aux différentes personnalités"
    )
    assert gpt.note == "À citer dans la revue de lundi"
    assert (
        gpt.summary == "OpenAI a dévoilé lundi ses GPT, des versions personnalisables de ChatGPT."
    )
    assert gpt.tags == ["ia", "openai", "chatgpt"]
    assert gpt.added_at == "2023-11-07T14:23:00+00:00"
    assert gpt.extra["folder"] == "Veille/IA"
    # Doubled quotes inside a quoted cell are read as one quote.
    assert formula.title == '=HYPERLINK("http://evil.example","click")'
    assert result.errors == [(4, "no URL")]


def test_generic_csv_with_semicolons_and_odd_header_names() -> None:
    result = parse_import(load("generic.csv"))
    duproprio, clubhouse = result.records
    assert duproprio.title == "Application DuProprio : 100 000 téléchargements depuis janvier"
    assert duproprio.note == "Belle croissance"
    assert duproprio.tags == ["immobilier", "applications"]
    assert duproprio.added_at == "2023-09-02T00:00:00+00:00"
    assert clubhouse.added_at == "2023-09-07T10:30:00+00:00"
    assert clubhouse.note is None


def test_links_file() -> None:
    result = parse_import(load("links.txt"))
    assert [(r.line, r.url, r.title) for r in result.records] == [
        (
            2,
            "https://www.lapresse.ca/affaires/techno/2023-11-06/premiere-conference-annuelle/"
            "openai-promet-des-superpouvoirs-pour-tous.php",
            None,
        ),
        (4, "https://refsicom.org/1197", "La fin du journaliste et du journalisme?"),
        (5, "http://example.com/indented", None),
        (6, "https://www.example.com/no-scheme", None),  # written from its www.: https
    ]
    assert result.errors == [(7, "not an http(s) URL: javascript:alert(1)")]
    prose = parse_import(b"pas une url\n", format="links")
    assert prose.records == [] and prose.errors == [(1, "not a link: 'pas une url'")]


def test_revue_json_streams_every_record_of_the_dump() -> None:
    events = list(read_revue_export([load("revue_export.json")]))
    kinds = [kind for kind, _, _ in events]
    assert kinds[0] == "header" and "refused" not in kinds
    (feed,) = [record for kind, _, record in events if kind == "feed"]
    assert feed["url"] == "https://www.blogdumoderateur.com/feed/"
    items = [record for kind, _, record in events if kind == "item"]
    (link,) = [item for item in items if item["kind"] == "link"]
    assert [item["kind"] for item in items].count("text") == 1  # free text travels too
    assert link["via"] == "@lp_lapresse"
    assert link["tags"] == ["IA", "Analyweb"] and link["hashtags"] == ["Analyweb"]
    assert link["note"] == "À suivre"
    assert link["summary"] == "OpenAI a tenu sa première conférence."
    assert link["original_url"].endswith("?utm_source=x")
    assert link["site_name"] == "La Presse"
    (review,) = [record for kind, _, record in events if kind == "review"]
    assert link["review"] == review["id"]
    assert (review["start"], review["end"]) == ("2023-11-07", "2023-11-08")


def test_parse_import_leaves_revue_json_to_the_streaming_reader() -> None:
    assert detect_format(load("revue_export.json")) == "revue-json"
    with pytest.raises(ValueError, match="read_revue_export"):
        parse_import(load("revue_export.json"))


def test_opml_import_gives_feed_records() -> None:
    opml = (Path(__file__).parent / "fixtures" / "feeds" / "feeds.opml").read_bytes()
    result = parse_import(opml)
    assert result.format == "opml"
    assert [r.url for r in result.records] == [
        "https://www.lapresse.ca/affaires/techno/rss",
        "https://www.blogdumoderateur.com/feed/",
        "https://ici.radio-canada.ca/rss/4159",
    ]
    assert result.records[0].extra == {
        "kind": "feed",
        "site_url": "https://www.lapresse.ca/affaires/techno/",
    }


def test_pathological_fields_are_bounded() -> None:
    huge = "x" * 50_000
    html = (
        f'<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p><DT><A HREF="https://a.example/" '
        f'TAGS="{",".join(["t"] * 10) + "," + huge}">{huge}</A><DD>{huge}</DL>'
    )
    (record,) = parse_import(html.encode()).records
    assert record.title is not None and len(record.title) == 1_000
    assert record.note is not None and len(record.note) == 10_000
    assert record.tags == ["t", "x" * 100]  # duplicates merged, long tag cut
    long_url = "https://a.example/" + "a" * 9_000
    result = parse_import(f"{long_url}\n".encode(), format="links")
    assert result.records == [] and result.errors == [(1, f"URL too long: {long_url[:80]}")]


def test_windows_1252_and_utf16_files_decode() -> None:
    text = "https://a.example/ Café crème\n"
    assert parse_import(text.encode("cp1252")).records[0].title == "Café crème"
    assert parse_import(text.encode("utf-16")).records[0].title == "Café crème"


# --------------------------------------------------------------------------- past reviews


def test_review_text_date_phrases_and_items() -> None:
    text = """\
Revue de presse marketing/techno du 28 décembre au 3 janvier

À lire absolument:
Un titre https://news.example/2024/01/02/un-titre via RT@quelqu_un = Bon point #IA #Analyweb
« Une citation en exergue »

Revue de presse marketing/techno du 1er mars 2022

Titre seul sans lien
Autre https://news.example/autre
"""
    result = parse_import(text.encode())
    assert result.format == "review-text"
    first, second = result.records
    assert first.review is not None
    assert (first.review.start, first.review.end) == (dt.date(2023, 12, 28), dt.date(2024, 1, 3))
    assert first.lead == "À lire absolument:"
    assert first.title == "Un titre"
    assert first.via == "@quelqu_un"
    assert first.note == "Bon point"
    assert first.hashtags == ["IA", "Analyweb"] and first.tags == ["IA", "Analyweb"]
    assert first.quote == "« Une citation en exergue »"
    assert second.review is not None
    assert second.review.start == second.review.end == dt.date(2022, 3, 1)
    assert result.errors == [(9, "no URL: Titre seul sans lien")]


def test_review_text_year_parameter_is_a_fallback_after_urls() -> None:
    header = "Revue de presse marketing/techno du 12 mars au 19 mars\n\n"
    dated = header + "T https://x.example/2023/03/12/t\n"
    # The items' URLs say 2023: a --year for the file's other reviews does not re-date it.
    (record,) = parse_import(dated.encode(), year=2024).records
    assert record.review is not None
    assert (record.review.start, record.review.end) == (dt.date(2023, 3, 12), dt.date(2023, 3, 19))
    assert record.added_at == "2023-03-12T12:00:00+00:00"  # its URL's day, inside the range
    (record,) = parse_import(header.encode() + b"T https://x.example/t\n", year=2024).records
    assert record.review is not None and record.review.end == dt.date(2024, 3, 19)
    assert record.added_at == "2024-03-19T12:00:00+00:00"  # nothing better known: the last day
    # An old article linked again is no evidence of the review's year when one is given.
    old = header + "T https://x.example/2015/06/01/t\n"
    (record,) = parse_import(old.encode(), year=2024).records
    assert record.review is not None and record.review.end == dt.date(2024, 3, 19)
    assert record.added_at == "2024-03-19T12:00:00+00:00"
    (record,) = parse_import(header.encode() + b"T https://x.example/t\n").records
    assert record.review is not None and record.review.end is None and record.added_at is None


def test_english_review_header() -> None:
    text = "Marketing/tech press review, March 12 to March 19\n\nT https://x.example/2024-03-15/t\n"
    (record,) = parse_import(text.encode()).records
    assert record.review is not None
    assert (record.review.start, record.review.end) == (dt.date(2024, 3, 12), dt.date(2024, 3, 19))
    assert (record.review.lang, record.review.style) == ("en", "classic")


@pytest.fixture(scope="module")
def seeds() -> bytes:
    return SEEDS.read_bytes() + PROSE_POST.encode()


def test_seeds_three_reviews(seeds: bytes) -> None:
    result = parse_import(seeds)
    assert result.format == "review-text"
    reviews: dict[str, list[ImportRecord]] = {}
    for record in result.records:
        assert record.review is not None
        reviews.setdefault(record.review.title, []).append(record)
    titles = list(reviews)
    assert titles == [
        "Revue de presse marketing/techno du 12 mars au 19 mars et mes entrevues à CHOI RadioX "
        "et les éclaireurs du Numérique",
        "Revue de presse marketing/techno du 7 et 8 novembre",
        "Revue de presse marketing/techno du 8 septembre",
    ]
    march, november, september = (reviews[t] for t in titles)
    # The 2024 post lost its hyperlinks: one bare URL survives, its titles are errors.
    assert [r.url for r in march] == ["https://talktoyourex.com/"]
    assert march[0].review is not None and march[0].review.start is None
    assert (
        3,
        "no URL: An OpenAI spinoff has built an AI model that helps robots learn tasks like human",
    ) in result.errors
    assert len(november) == 10 and len(september) == 7
    ref = november[0].review
    assert ref is not None and (ref.start, ref.end) == (dt.date(2023, 11, 7), dt.date(2023, 11, 8))
    ref = september[0].review
    assert ref is not None and ref.start == ref.end == dt.date(2023, 9, 8)
    # Prose posts after the last review are not reported line by line.
    assert max(line for line, _ in result.errors) < 80


def test_seeds_item_details(seeds: bytes) -> None:
    records = parse_import(seeds).records
    openai = records[1]
    assert (
        openai.title
        == "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous"
    )
    assert openai.via == "@lp_lapresse"
    assert openai.hashtags == ["Analyweb"] and openai.tags == ["Analyweb"]
    assert openai.note is None

    virgule = next(r for r in records if r.url and "jeu-de-la-virgule" in r.url)
    assert (
        virgule.title
        == "« Jeu de la virgule » | « Cette pratique peut causer des dommages sérieux »"
    )
    assert virgule.note == "Encore une autre connerie dangereuse venant de Tiktok"
    assert virgule.via == "@lp_lapresse"
    assert virgule.quote is None  # a line starting with « that carries a URL is an item

    refsicom = next(r for r in records if r.url == "http://refsicom.org/1197")
    assert refsicom.lead == "Intéressante analyse à propos de la crise des médias:"
    assert refsicom.title is not None and refsicom.title.startswith("Éric Le Ray Penser les")
    assert refsicom.quote is not None
    assert refsicom.quote.startswith("“Au final, on veut limiter le lecteur")
    assert refsicom.hashtags == ["Analyweb"]

    victoria = [r for r in records if r.title and r.title.startswith("Victoria’s Secret")]
    assert len(victoria) == 2 and victoria[0].url == victoria[1].url

    # Titles with a colon of their own keep it: no false lead-ins.
    chine = next(r for r in records if r.url and "journaldemontreal" in r.url)
    assert chine.lead is None
    assert chine.title == "Chine: Tencent dévoile lui aussi un robot conversationnel | JDM"
    bdm = next(r for r in records if r.via == "@BlogModerateur")
    assert bdm.lead is None and bdm.title is not None and bdm.title.startswith("ChatGPT permet")


def test_revue_json_round_trip_of_a_minimal_dump() -> None:
    dump = {"format": "revue-export", "version": 1, "items": [{"url": "javascript:x"}, 5]}
    events = list(read_revue_export([json.dumps(dump).encode()]))
    assert events[1:] == [
        ("refused", 1, "not an http(s) URL: javascript:x"),
        ("refused", 2, "not an item object"),
    ]


def test_netscape_title_written_unescaped_by_its_exporter_is_kept_whole() -> None:
    # buku's export writes titles as they are: "A & B <c>" is text, not a <c> element.
    data = (
        b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n"
        b'<DT><A HREF="https://a.example/1" ADD_DATE="1700000000">A & B <c> fin</A>\n'
        b'<DT><A HREF="https://a.example/2">Normal &amp; escaped</A>\n</DL><p>\n'
    )
    result = parse_import(data)
    assert [r.title for r in result.records] == ["A & B <c> fin", "Normal & escaped"]


def test_netscape_tags_of_every_shape_read_alike() -> None:
    # Tags as bookmark files write them and tags of other shapes (spaces around "=",
    # single quotes, tabs, bare values, "</A >", a <script> whose text is not markup)
    # give the same bookmarks: the fast reading of plain tags and HTMLParser's agree.
    data = (
        b"<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><H3>Dossier &amp; co</H3>\n<DL><p>\n"
        b'<DT><A HREF="https://a.example/?a=1&amp;b=2" ADD_DATE="1700000000" '
        b'TAGS="x,&quot;y&quot;">Un</A>\n<DD>Note &eacute;crite\n'
        b"<DT><a href = 'https://a.example/2' tags=z>Deux</a >\n"
        b'<DT><A\tHREF="https://a.example/3"\n SHORTCUTURL="k">Trois</ A>\n'
        b'<script><A HREF="https://a.example/no">x</A></script>\n'
        b'</DL><p>\n<DT><A HREF="https://a.example/4" >Quatre</A>\n</DL><p>\n'
    )
    result = parse_import(data)
    assert [(r.url, r.title, r.tags, r.extra) for r in result.records] == [
        ("https://a.example/?a=1&b=2", "Un", ["x", '"y"'], {"folder": "Dossier & co"}),
        ("https://a.example/2", "Deux", ["z"], {"folder": "Dossier & co"}),
        ("https://a.example/3", "Trois", [], {"folder": "Dossier & co", "keyword": "k"}),
        ("https://a.example/4", "Quatre", [], {}),
    ]
    assert result.records[0].note == "Note écrite"
    assert result.records[0].added_at == "2023-11-14T22:13:20+00:00"
    assert [r.line for r in result.records] == [5, 7, 8, 12]


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        ("Revue de presse du 28 décembre 9999 au 3 janvier 10000", "of 10000 is not in"),
        ("Revue de presse du 3 janvier 10000", "of 10000 is not in"),
        ("Press review March 1, 123456789012345678901234567890", "of 10000 is not in"),
        ("Revue de presse du 31 février 2024", "day 31 of month 2 of 2024 is not in"),
        ("Revue de presse du 3 janvier 2024 au 2 janvier 2024", "ends (2024-01-02) before"),
    ],
)
def test_review_text_date_outside_the_calendar_leaves_the_review_undated(
    header: str, reason: str
) -> None:
    # Never a year cut to its first four digits (10000 read as 1000), nor a review that
    # ends before it starts: the header is reported and its items are kept, undated.
    result = parse_import(f"{header}\nUn titre https://a.example/x\n".encode())
    (record,) = result.records
    assert record.review is not None
    assert (record.review.start, record.review.end) == (None, None)
    assert record.added_at is None
    ((line, message),) = result.errors
    assert line == 1 and message.startswith("the review's dates: ") and reason in message
