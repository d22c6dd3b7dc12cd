from __future__ import annotations

from pathlib import Path

import pytest

from revue.formats.feedparse import (
    FeedEntry,
    discover_feeds,
    export_opml,
    good_enough,
    matches,
    parse_feed,
    parse_opml,
)

FIXTURES = Path(__file__).parent / "fixtures" / "feeds"
BDM = "https://www.blogdumoderateur.com/feed/"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss2() -> None:
    feed = parse_feed(load("rss2.xml"), BDM, {"Content-Type": "application/rss+xml; charset=UTF-8"})
    assert feed.title == "Blog du Modérateur"
    assert feed.link == "https://www.blogdumoderateur.com"
    assert feed.bozo is None
    first = feed.entries[0]
    assert (
        first.url == "https://www.blogdumoderateur.com/chatgpt-permet-creer-chatbots-personnalises/"
    )
    assert first.title == "ChatGPT permet de créer des chatbots personnalisés : comment ça marche"
    assert first.author == "Thomas Coëffé"
    assert first.tags == ["IA", "ChatGPT"]
    assert first.published == "2023-11-07T08:15:00+00:00"  # +0100 in the feed
    assert first.id == "https://www.blogdumoderateur.com/?p=284512"
    # HTML stripped, entities decoded, whitespace collapsed.
    assert first.summary is not None
    assert first.summary.startswith("OpenAI a présenté les GPTs, des versions personnalisées")
    assert "instructions & connaissances. L'article" in first.summary
    assert "<" not in first.summary


def test_rss2_relative_hostile_and_guid_links() -> None:
    feed = parse_feed(load("rss2.xml"), BDM)
    urls = [e.url for e in feed.entries]
    assert urls == [
        "https://www.blogdumoderateur.com/chatgpt-permet-creer-chatbots-personnalises/",
        "https://www.blogdumoderateur.com/2023/11/06/lien-relatif/",
        "https://www.blogdumoderateur.com/guid-permalink/",
    ]  # the javascript: entry is dropped
    assert all("script" not in (e.summary or "") for e in feed.entries)
    assert feed.entries[1].title is not None and "<" not in feed.entries[1].title


def test_atom() -> None:
    feed = parse_feed(load("atom.xml"), "https://example.org/atom.xml")
    assert feed.title == "Analyweb"
    assert feed.link == "https://example.org/"
    revue, sans_resume = feed.entries  # the data: link entry is dropped
    assert revue.url == "https://example.org/posts/revue-7-8-novembre"
    assert revue.title == "Revue de presse marketing/techno du 7 et 8 novembre"
    assert revue.author == "Michelle Blanc"
    assert revue.tags == ["Analyweb", "revue de presse"]
    assert revue.published == "2023-11-08T14:03:00+00:00"
    assert revue.summary == (
        "Les liens de la semaine : OpenAI, La Presse, Radio-Canada et le blogue du modérateur, "
        "avec mes commentaires."
    )
    assert revue.id == "tag:example.org,2023:post-1197"
    # Without a summary the content stands in, stripped.
    assert sans_resume.summary == "Seulement du contenu."
    assert sans_resume.published == "2023-11-09T08:00:00+00:00"


def test_rss1_rdf() -> None:
    feed = parse_feed(load("rss1.rdf"), "https://slashdot.example/index.rdf")
    assert feed.title == "Slashdot-like"
    (entry,) = feed.entries
    assert entry.url == "https://slashdot.example/story/23/11/07/1234/openai-devday"
    assert entry.author == "msmash"
    assert entry.published == "2023-11-07T01:00:00+00:00"
    assert entry.tags == ["ai"]


def test_malformed_feed_with_entries_is_parsed_with_a_reason() -> None:
    feed = parse_feed(load("malformed.xml"), "https://broken.example/rss")
    assert feed.bozo  # the reason, e.g. "not well-formed (invalid token)"
    assert feed.entries and feed.entries[0].url == "https://broken.example/first"
    assert feed.entries[0].title == "First story"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (FIXTURES.joinpath("garbage.txt").read_bytes(), "not a feed"),
        (FIXTURES.joinpath("page.html").read_bytes(), "HTML page"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "not a feed"),
    ],
)
def test_not_a_feed_raises(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_feed(data, "https://x.example/feed")


def test_valid_feed_without_entries_is_not_an_error() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Vide</title></channel></rss>'
    feed = parse_feed(data, "https://x.example/feed")
    assert feed.title == "Vide" and feed.entries == []


def test_summaries_are_capped_at_a_word() -> None:
    words = " ".join(["mot"] * 400)
    data = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title><item>'
        f"<title>Long</title><link>https://x.example/a</link><description>{words}</description>"
        "</item></channel></rss>"
    ).encode()
    (entry,) = parse_feed(data, "https://x.example/feed").entries
    assert entry.summary is not None
    assert len(entry.summary) <= 501 and entry.summary.endswith("mot…")


def test_parse_feed_never_reads_a_path_or_url() -> None:
    # Bytes that look like a local path or a URL are content, not something to open.
    with pytest.raises(ValueError):
        parse_feed(b"/etc/passwd", "https://x.example/feed")
    with pytest.raises(ValueError):
        parse_feed(b"http://127.0.0.1:9/feed", "https://x.example/feed")


def test_discover_feeds_from_link_elements() -> None:
    found = discover_feeds(load("page.html"), "https://blog.example/fr/article")
    # <base href> applies, duplicates and javascript: are dropped, page order is kept,
    # and anchors are ignored once <link> elements were found.
    assert found == [
        "https://blog.example/fr/feed/",
        "https://blog.example/atom.xml",
        "https://blog.example/fr/comments/feed/",
    ]


def test_discover_feeds_falls_back_to_anchors() -> None:
    found = discover_feeds(load("page_anchors.html"), "https://blog.example/fr/article")
    assert found == ["https://blog.example/feed", "https://other.example/rss.xml"]


def test_discover_feeds_on_junk() -> None:
    assert discover_feeds(b"", "https://x.example/") == []
    assert discover_feeds(b"\x00\x01\x02", "https://x.example/") == []


def entry(title: str, summary: str | None = None, tags: list[str] | None = None) -> FeedEntry:
    return FeedEntry(
        url="https://x.example/a",
        title=title,
        summary=summary,
        published=None,
        author=None,
        tags=tags or [],
        id=None,
    )


def test_good_enough() -> None:
    assert not good_enough(entry("Titre"))
    assert not good_enough(entry("Titre", "Court."))
    long = "Un résumé qui dit vraiment de quoi parle l'article, avec assez de mots pour servir."
    assert good_enough(entry("Titre", long))
    assert not good_enough(entry(long, long))
    assert not good_enough(FeedEntry("https://x.example/", None, long, None, None, [], None))


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        (None, True),
        ("", True),
        ("ia", True),  # case-insensitive
        ("IA chatgpt", True),  # any word
        ("régulation", True),  # accent-insensitive both ways: text has "regulation"
        ("Reseaux", True),  # text has "réseaux"
        ("ai", False),  # whole word: "aide" and "maison" do not match
        ("reg", False),
        ('"intelligence artificielle"', True),
        ('"artificielle intelligence"', False),
        ("ia -tiktok", False),  # an exclusion wins
        ('-"médias sociaux"', False),
        ("-crypto", True),  # only exclusions: everything else passes
        ("marketing", True),  # tags count
    ],
)
def test_matches(words: str | None, expected: bool) -> None:
    item = entry(
        "L'IA et la régulation des réseaux",
        "L'intelligence   artificielle aide TikTok et les médias sociaux à la maison; regulation.",
        ["Marketing"],
    )
    assert matches(item, words) is expected


def test_parse_opml() -> None:
    feeds = parse_opml(load("feeds.opml"))
    assert feeds == [
        {
            "url": "https://www.lapresse.ca/affaires/techno/rss",
            "title": "La Presse - Techno",
            "site_url": "https://www.lapresse.ca/affaires/techno/",
        },
        {
            "url": "https://www.blogdumoderateur.com/feed/",
            "title": "Blog du Modérateur",
            "site_url": "https://www.blogdumoderateur.com",
        },
        {
            "url": "https://ici.radio-canada.ca/rss/4159",
            "title": "Radio-Canada & Info",
            "site_url": None,
        },
    ]


def test_parse_opml_refuses_other_documents_and_entities() -> None:
    with pytest.raises(ValueError, match="OPML"):
        parse_opml(b"<rss/>")
    with pytest.raises(ValueError, match="OPML"):
        parse_opml(b"not xml at all")
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<opml><body><outline text="&x;" xmlUrl="https://a.example/feed"/></body></opml>'
    )
    (feed,) = parse_opml(xxe)
    assert "root:" not in (feed["title"] or "")


def test_opml_round_trip_and_escaping() -> None:
    feeds = [
        {"url": "https://a.example/feed?x=1&y=2", "title": 'Quotes " & <tags>', "site_url": None},
        {"url": "https://b.example/rss", "title": None, "site_url": "https://b.example/"},
        {"url": "javascript:alert(1)", "title": "dropped"},
        {"url": "https://c.example/atom", "title": "Ctrl\x01 char\nand newline"},
    ]
    text = export_opml(feeds, title="Mes flux & co")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert "javascript" not in text
    back = parse_opml(text.encode())
    assert back == [
        {"url": "https://a.example/feed?x=1&y=2", "title": 'Quotes " & <tags>', "site_url": None},
        {
            "url": "https://b.example/rss",
            "title": "https://b.example/rss",
            "site_url": "https://b.example/",
        },
        {"url": "https://c.example/atom", "title": "Ctrl char and newline", "site_url": None},
    ]
    assert parse_opml(export_opml(parse_opml(load("feeds.opml"))).encode()) == parse_opml(
        load("feeds.opml")
    )


def test_external_entities_are_not_resolved() -> None:
    data = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<rss version="2.0"><channel><title>T</title><item><title>&x;</title>'
        b"<link>https://a.example/</link><description>d &x;</description></item></channel></rss>"
    )
    (entry,) = parse_feed(data, "https://a.example/feed").entries
    assert "root:" not in (entry.title or "") + (entry.summary or "")
