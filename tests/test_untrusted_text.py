"""Issue 13, points 4 and 11-15: what any text from outside can do to a batch, the terminal,
the review and its feed. Hostile pages are served on 127.0.0.1; the real CLI runs.

- 4: lone surrogates (JSON-LD, oEmbed) are made valid Unicode where they enter, and one item's
  unexpected error fails that item alone.
- 11: titles are text on every console (no rich markup, no emoji codes), on a terminal too.
- 12: control characters are stripped where text enters; the feed is checked; bidi overrides
  never reach an output.
- 13: the curator's Markdown in a Markdown review: no raw HTML, links only to http(s).
- 14: decoded entities are text, not markup.
- 15: a page over the size cap, a gzip bomb and a NUL in <title> keep what they can.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import html
import json
import re
import xml.etree.ElementTree as ET
import zlib
from collections.abc import AsyncIterator, Callable, Iterable
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from markdown_it import MarkdownIt

from revue.app.refresh import fetch_items
from revue.errors import ExitCode
from revue.formats.feedparse import parse_feed
from revue.models import FetchResult, new_item
from revue.review.markup import markdown_to_html
from revue.store.db import Store
from revue.web.extract import extract
from revue.web.fetch import CURATOR, FetchSettings, Trust, fetch_one

from clihelp import run, run_json, run_on_terminal
from loopback import LoopbackServer

# C0 and C1 controls but tab and newline, DEL, and the bidi controls.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def page(head: str, body: str = "<p>Texte.</p>") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body>{body}</body></html>"


def reviews_dir(tmp_path: Path) -> Path:
    return tmp_path / "reviews"


def compose_files(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Compose today's review (Markdown unless told); its text and the feed's."""
    result = run("compose", *args)
    path = Path(result.stdout.strip().splitlines()[-1])
    return path.read_text(encoding="utf-8"), (reviews_dir(tmp_path) / "feed.xml").read_text(
        encoding="utf-8"
    )


# --------------------------------------------------------------------------- point 4


def test_lone_surrogates_from_json_ld_and_oembed_do_not_stall_fetch(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """A "\\ud800" in a JSON-LD headline or an oEmbed answer crashed `revue fetch` before
    anything was saved, with no attempt counted: every cron run then failed the same way."""

    def oembed(h: BaseHTTPRequestHandler) -> None:
        asked = parse_qs(urlsplit(h.path).query).get("url", [""])[0]
        if not asked.endswith("/post"):
            h.send_error(404)
            return
        body = b'{"title": "Le fil \\ud800 du jour", "author_name": "Auteur \\udc00"}'
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    server.route("/oembed", handler=oembed)
    host = server.base.removeprefix("http://")
    (tmp_path / "config.toml").write_text(
        f'[fetch.oembed_endpoints]\n"{host}" = "{server.base}/oembed"\n', encoding="utf-8"
    )
    jsonld = '{"@type": "NewsArticle", "headline": "Titre \\ud800 cass\\u00e9"}'
    links = [
        server.route("/good", page("<title>Une bonne page</title>")),
        server.route("/ld", page(f'<script type="application/ld+json">{jsonld}</script>')),
        server.route("/post", page("<title>Post</title>")),
    ]
    run("add", "--no-fetch", *links)
    result = run("fetch")
    assert "internal error" not in result.stderr
    items = {item["original_url"]: item for item in run_json("list")}
    assert [items[link]["status"] for link in links] == ["ok", "ok", "ok"]
    assert items[links[0]]["title"] == "Une bonne page"
    assert items[links[1]]["title"] == "Titre \ufffd cassé"
    assert items[links[2]]["title"] == "Le fil \ufffd du jour"
    assert items[links[2]]["author"] == "Auteur \ufffd"
    # And everything composes: the review and its feed are valid UTF-8.
    review, feed = compose_files(tmp_path)
    assert "Titre \ufffd cassé" in review
    ET.fromstring(feed.encode("utf-8"))


class _Fetcher:
    """Hands out given results, the way Fetcher.fetch_many does, with no network."""

    def __init__(self, results: dict[str, FetchResult]) -> None:
        self.results = results

    async def __aenter__(self) -> _Fetcher:
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def fetch_many(
        self, urls: Iterable[str], *, trust: Trust | Callable[[str], Trust]
    ) -> AsyncIterator[FetchResult]:
        for url in urls:
            await asyncio.sleep(0)
            yield self.results[url]


def test_an_unexpected_error_on_one_item_fails_that_item_alone(tmp_path: Path) -> None:
    """Whatever goes wrong recording one page (here an oEmbed answer that reached the store
    uncleaned: sqlite cannot encode its lone surrogate) is that item's failure, with an
    attempt counted; the rest of the batch is saved."""
    store = Store.open(tmp_path / "batch.db")
    now = dt.datetime(2024, 3, 19, 12, tzinfo=dt.UTC)
    links = ["https://example.org/a", "https://example.org/bad", "https://example.org/c"]
    outcomes = store.add_many([new_item(link) for link in links], now=now.isoformat())
    html = b"<html><head><title>Fine</title></head></html>"
    results = {
        link: FetchResult(url=link, final_url=link, status=200, content_type="text/html", body=html)
        for link in links
    }
    results[links[1]].oembed = {"title": "Bad \ud800 post"}
    report = fetch_items(
        store, [o.item for o in outcomes], lambda: _Fetcher(results), clock=lambda: now
    )  # type: ignore[arg-type,return-value]
    assert [i.url for i in report.ok] == [links[0], links[2]]
    [bad] = report.failed
    stored = store.get(bad.id)
    assert stored.status == "failed" and stored.attempts == 1
    assert stored.error == "unexpected error: UnicodeEncodeError"
    assert stored.next_attempt_at is not None and stored.next_attempt_at > now.isoformat()
    assert [store.get(o.item.id).title for o in (outcomes[0], outcomes[2])] == ["Fine", "Fine"]
    store.close()


# --------------------------------------------------------------------------- point 11

LIVE = "[EN DIRECT] Le point sur l'IA [/mise à jour]"
TEST = "Un [test] :fire: [bold]titre[/bold]"


def add_titled(server: LoopbackServer) -> None:
    for path, title in (("/live", LIVE), ("/test", TEST)):
        url = server.route(path, page(f"<title>{title}</title>"))
        run("add", url, "--no-fetch", "--title", title, "--note", "[/x] note")


def test_titles_are_text_not_rich_markup_off_a_terminal(server: LoopbackServer) -> None:
    add_titled(server)
    for args in (("list",), ("search", "point"), ("show", "1"), ("show", "2")):
        result = run(*args)
        assert "internal error" not in result.stderr, args
    assert LIVE in run("show", "1").stdout and "[/x] note" in run("show", "1").stdout
    assert TEST in run("show", "2").stdout
    listed = run("list").stdout
    assert LIVE in listed and TEST in listed


def test_titles_are_text_on_a_terminal(server: LoopbackServer) -> None:
    """list, show and search draw rich tables on a terminal; fetch reports the page with
    its title: all of it printed as written ("[test]", ":fire:" and all)."""
    add_titled(server)
    for args in (("list",), ("search", "point"), ("show", "1"), ("show", "2"), ("fetch", "1")):
        code, screen = run_on_terminal(*args)
        assert "internal error" not in screen and "MarkupError" not in screen, (args, screen)
        assert code in (ExitCode.OK, ExitCode.PARTIAL), (args, code, screen)
    for args, expected in (
        (("list",), [LIVE, TEST]),
        (("search", "point"), [LIVE]),
        (("show", "2"), [TEST, "[/x] note"]),
        (("fetch", "1"), [LIVE]),
    ):
        _, screen = run_on_terminal(*args)
        plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen)
        for text in expected:
            assert text in plain, (args, text, plain)
        assert "🔥" not in plain


def test_text_stored_by_an_older_revue_never_drives_the_terminal(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """Text stored before it was cleaned where it enters: an escape sequence (here one that
    would set the terminal's title) or a bidi override in a title is never printed, on a
    terminal, in a pipe or in cron's log lines."""
    import sqlite3

    run("add", server.route("/old", page("<title>Nouveau</title>")), "--no-fetch")
    conn = sqlite3.connect(tmp_path / "revue.db")
    conn.execute(
        "UPDATE items SET title = ?, user_fields = ?",
        ["Vieux \x1b]0;pwned\x07titre \u202e[/b]", '["title"]'],
    )
    conn.commit()
    conn.close()
    for args in (("list",), ("show", "1"), ("search", "Vieux")):
        _, screen = run_on_terminal(*args)
        assert "Vieux" in screen and "\x1b]0;" not in screen and not BIDI.search(screen), args
        out = run(*args).stdout
        assert "Vieux" in out and not CONTROL.search(out.replace("\n", "").replace("\t", ""))
    fetched = run("fetch", "1")  # reports the page with its (kept) title
    log = fetched.stdout + fetched.stderr
    assert "Vieux" in log and "\x1b" not in log and not BIDI.search(log)


# --------------------------------------------------------------------------- point 12

DIRTY = "\x00NUL \x1b[31mESC\x1b[0m \x0cFF \x07BEL \x9bCSI \x1b]0;pwned\x07"


def test_control_characters_never_reach_the_review_or_its_feed(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # (A config holding a control character is refused, exit 3: see revue.config.)
    intro = tmp_path / "intro.md"
    intro.write_text(f"Bonjour {DIRTY}\n", encoding="utf-8")
    page_title = "Titre\x1b[2J de la page\x0c\u202e"
    url = server.route("/p", page(f"<title>{page_title}</title>"))
    run("add", url, "--note", f"Une note {DIRTY}")
    run("add", "--text", f"Un bloc {DIRTY}")
    pinboard = tmp_path / "pinboard.json"
    pinboard.write_text(
        json.dumps(
            [
                {
                    "href": "https://example.org/importe",
                    "description": "Importé \x1b[1m",
                    "extended": f"Note importée {DIRTY}",
                    "time": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "tags": "",
                }
            ]
        ),
        encoding="utf-8",
    )
    run("import", str(pinboard), "--no-fetch")
    for item in run_json("list"):
        for key in ("title", "note"):
            assert not CONTROL.search(item[key] or ""), (key, item[key])
    for fmt in ("md", "html"):
        review, feed = compose_files(tmp_path, "--intro", str(intro), "--format", fmt)
        assert not CONTROL.search(review.replace("\n", "").replace("\t", "")), fmt
        assert "Bonjour" in review and "Note importée" in review and "Un bloc" in review
        root = ET.fromstring(feed.encode("utf-8"))  # well-formed
        assert len(root.findall("{http://www.w3.org/2005/Atom}entry")) >= 1
    assert not BIDI.search(review)


def test_the_feed_is_checked_before_it_is_written() -> None:
    from revue.publish.atom import check_xml

    check_xml('<?xml version="1.0"?>\n<feed>ok</feed>')
    with pytest.raises(ValueError, match="well-formed"):
        check_xml("<feed>\x0c</feed>")
    with pytest.raises(ValueError, match="well-formed"):
        check_xml("<feed>\ud800</feed>")


def test_bidi_overrides_in_titles_are_neutralised_in_every_output(
    server: LoopbackServer, tmp_path: Path
) -> None:
    # From the page (stripped where it enters) and typed by hand (kept, but never printed).
    url = server.route("/bidi", page("<title>Avant \u202edroite à gauche\u202c après</title>"))
    run("add", url)
    assert run_json("show", "1")["title"] == "Avant droite à gauche après"
    run("edit", "1", "--title", "Tapé \u2067isolé\u2069 \u202dforcé\u202c")
    for fmt in ("md", "html", "html-fragment"):
        review, feed = compose_files(tmp_path, "--format", fmt)
        assert "isolé" in review and not BIDI.search(review), fmt
        assert not BIDI.search(feed), fmt
    for args in (("list",), ("show", "1")):
        assert not BIDI.search(run(*args).stdout)
        _, screen = run_on_terminal(*args)
        assert "isolé" in screen and not BIDI.search(screen), args


# --------------------------------------------------------------------------- point 13

COMMONMARK_HTML = MarkdownIt("commonmark", {"html": True})
COMMONMARK_HTML.validateLink = lambda url: True  # type: ignore[method-assign]


def links_and_html(markdown: str) -> tuple[list[str], list[str]]:
    """Every href/src and every raw HTML token a CommonMark renderer (HTML on) would emit."""
    hrefs: list[str] = []
    raw: list[str] = []
    stack = list(COMMONMARK_HTML.parse(markdown))
    while stack:
        token = stack.pop()
        if token.type in ("html_inline", "html_block"):
            raw.append(token.content)
        for attr in ("href", "src"):
            if token.attrGet(attr) is not None:
                hrefs.append(str(token.attrGet(attr)))
        stack.extend(token.children or [])
    return hrefs, raw


HOSTILE_NOTE = (
    '<img src=x onerror="alert(1)"> [clic](javascript:alert(1)) ![i](data:image/png;base64,x) '
    "<javascript:alert(2)> [ref] [ok](https://example.org/ok) `<b>code</b>` *gras*"
)


def test_notes_in_a_markdown_review_follow_the_html_rules(
    server: LoopbackServer, tmp_path: Path
) -> None:
    (tmp_path / "config.toml").write_text(
        'intro = "<script>alert(3)</script> [x](vbscript:y)\\n\\n[ref]: javascript:alert(4)"\n',
        encoding="utf-8",
    )
    url = server.route("/n", page("<title>Une page</title>"))
    run("add", url, "--note", HOSTILE_NOTE, "--lead", "<b>Lire</b> [ceci](file:///etc/passwd)")
    run("add", "--text", "<div onclick=x>bloc</div>\n\n[lien](javascript:alert(5))")
    for style in ("classic", "linked"):
        review, _ = compose_files(tmp_path, "--style", style)
        hrefs, raw = links_and_html(review)
        assert raw == [], raw
        assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs
        assert "https://example.org/ok" in hrefs and url in hrefs
        # Shown as the text that was written, not dropped.
        for text in ("<img src=x", "[clic](javascript:alert(1))", "<script>", "bloc</div>"):
            assert text in html.unescape(review.replace("\\", "")), text
        # A code span holding markup is written as its text: dialects do not agree on code.
        assert "&lt;b&gt;code&lt;/b&gt;" in review


@pytest.mark.parametrize(
    "markdown",
    [
        HOSTILE_NOTE,
        "[a](<javascript:x>) [b](java&#115;cript:x) [c](java\\script:x) [d](/relative)",
        "[a [b](javascript:x) c](https://example.org/)",
        "<!-- comment --> <?php x ?> <![CDATA[x]]> </p> a < b",
        "[ref]\n\n[ref]:\n  javascript:alert(1)",
        "```\n<b>fenced</b>\n```\n\n    <i>indented</i>\n\n<div>\nblock\n</div>",
        "[" * 5000 + "x](javascript:y)",
        "[a](" * 3000,
    ],
)
def test_md_safe_leaves_no_raw_html_and_no_other_link(markdown: str) -> None:
    from revue.review.markup import md_safe

    for inline in (False, True):
        safe = md_safe(markdown, inline=inline)
        hrefs, raw = links_and_html(safe)
        assert raw == [] and all(h.startswith(("http:", "https:", "mailto:")) for h in hrefs)


def test_md_safe_keeps_the_curators_markdown() -> None:
    from revue.review.markup import md_safe

    note = "*gras* [lien](https://example.org/a_(b)) <https://example.org> `x()` [m](mailto:a@b.c)"
    assert md_safe(note, inline=True) == note
    block = (
        "Titre\n\n- un\n- deux\n\n```\nf(x)\n```\n\n    <b>code</b>\n\n[r]: https://example.org/"
    )
    assert md_safe(block) == block
    # The same note in HTML: the two outputs agree.
    assert 'href="https://example.org/a_(b)"' in markdown_to_html(note, inline=True)


# --------------------------------------------------------------------------- point 14


@pytest.mark.parametrize(
    "head",
    [
        '<meta property="og:title" content="Why &lt;script&gt; tags break">',
        '<meta name="twitter:title" content="Why &lt;script&gt; tags break">',
        "<title>Why &lt;script&gt; tags break</title>",
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "Why &lt;script&gt; tags break"}</script>',
    ],
)
def test_decoded_entities_are_text_not_markup(head: str) -> None:
    meta = extract(page(head).encode(), "https://example.org/a")
    assert meta.title == "Why <script> tags break"


def test_decoded_entities_are_text_in_every_field() -> None:
    head = (
        '<meta property="og:description" content="Use &lt;b&gt; for bold, &lt;i&gt; too.">'
        '<meta name="author" content="Jean &lt;Pseudo&gt; Tremblay">'
        '<meta property="og:site_name" content="Le &lt;Site&gt;">'
    )
    meta = extract(page(head).encode(), "https://example.org/a")
    assert meta.summary == "Use <b> for bold, <i> too."
    assert meta.author == "Jean <Pseudo> Tremblay"
    assert meta.site_name == "Le <Site>"
    body = '<p itemprop="description">Le &lt;canvas&gt; <b>HTML</b> expliqué</p>'
    assert extract(page("", body).encode(), "https://example.org/a").summary == (
        "Le <canvas> HTML expliqué"
    )


def test_feed_titles_and_summaries_keep_decoded_tags_as_text() -> None:
    rss = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>Le &lt;fil&gt;</title>
<link>https://example.org/</link>
<item><title>Why &lt;script&gt; tags break</title><link>https://example.org/1</link>
<description>&lt;p&gt;Use &amp;lt;b&amp;gt; for bold&lt;/p&gt;</description></item>
</channel></rss>"""
    feed = parse_feed(rss, "https://example.org/feed")
    assert feed.title == "Le <fil>"
    [entry] = feed.entries
    assert entry.title == "Why <script> tags break"
    assert entry.summary == "Use <b> for bold"
    atom = b"""<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>F</title>
<entry><title type="html">Why &amp;lt;script&amp;gt; tags &lt;em&gt;break&lt;/em&gt;</title>
<link href="https://example.org/2"/></entry></feed>"""
    [entry] = parse_feed(atom, "https://example.org/feed").entries
    assert entry.title == "Why <script> tags break"


def test_a_title_mentioning_a_tag_reaches_the_review_escaped(
    server: LoopbackServer, tmp_path: Path
) -> None:
    url = server.route(
        "/t", page('<meta property="og:title" content="Why &lt;script&gt; tags break">')
    )
    run("add", url)
    assert run_json("show", "1")["title"] == "Why <script> tags break"
    review, _ = compose_files(tmp_path)
    assert "Why &lt;script&gt; tags break" in review
    html, _ = compose_files(tmp_path, "--format", "html")
    assert "Why &lt;script&gt; tags break" in html


# --------------------------------------------------------------------------- point 15


def test_a_page_over_the_size_cap_is_read_up_to_it_and_extracted(
    server: LoopbackServer,
) -> None:
    metas = "".join(
        f'<meta name="x-tracking-{n}" content="valeur-{n:06d}-abcdefghij">' for n in range(50_000)
    )
    body = page(
        '<title>Le direct | Site</title><meta property="og:title" content="Le direct">'
        '<meta property="og:description" content="Ce qui arrive.">' + metas
    )
    assert len(body) > 3_000_000
    url = server.route("/huge", body)
    result = fetch_one(url, FetchSettings(), trust=CURATOR)
    assert result.ok and result.truncated, result.error
    assert len(result.body) <= 3_000_000
    run("add", url)
    item = run_json("show", "1")
    assert item["status"] == "ok"
    assert item["title"] == "Le direct" and item["summary"] == "Ce qui arrive."


def test_a_gzip_bomb_keeps_the_title_of_its_first_kilobytes(server: LoopbackServer) -> None:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    head = b"<html><head><title>La bombe</title><meta name=description content=Boum>"
    zeros = bytes(1_000_000)
    bomb = compressor.compress(head) + b"".join(compressor.compress(zeros) for _ in range(50))
    bomb += compressor.flush()
    assert len(bomb) < 100_000
    assert gzip.decompress(bomb)[: len(head)] == head
    url = server.route("/bomb", bomb, headers={"Content-Encoding": "gzip"})
    run("add", url)
    item = run_json("show", "1")
    assert item["status"] == "ok" and item["title"] == "La bombe" and item["summary"] == "Boum"


def test_a_nul_inside_title_drops_the_nul_only(server: LoopbackServer) -> None:
    assert extract(page("<title>Bon\x00jour\x00</title>").encode(), "https://e.org/").title == (
        "Bonjour"
    )
    url = server.route("/nul", page("<title>Le\x00 titre\x00 entier</title>"))
    run("add", url)
    assert run_json("show", "1")["title"] == "Le titre entier"


def test_binary_junk_still_gives_no_title() -> None:
    junk = bytes(range(256)) * 20
    assert extract(junk, "https://example.org/file").title is None


def test_an_oembed_author_and_provider_are_bounded_names(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """An oEmbed answer of 200 KB names: stored whole before, now a name's size, one line."""
    huge = "Nom\n" + "x" * 100_000
    body = json.dumps({"title": "Un post", "author_name": huge, "provider_name": huge}).encode()
    server.route("/oembed", body.decode(), headers={"Content-Type": "application/json"})
    host = server.base.removeprefix("http://")
    (tmp_path / "config.toml").write_text(
        f'[fetch.oembed_endpoints]\n"{host}" = "{server.base}/oembed"\n', encoding="utf-8"
    )
    link = server.route("/post", page("<title>Post</title>"))
    run("add", link)
    (item,) = run_json("list")
    assert item["title"] == "Un post"
    for name in ("author", "site_name"):
        assert item[name].startswith("Nom x") and len(item[name]) <= 200, name
