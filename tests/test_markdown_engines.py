"""A Markdown review read by the engines blogs and sites use, not only CommonMark: every piece
of outside text (titles, notes, summaries, site names, handles, quotes, lead-ins, text blocks,
URLs, the export's list) must come out as text in each, never as a live element.

The engines run with raw HTML on and no link filter of their own (as the least careful blog
would): what they emit is parsed as HTML and every element must be one Markdown makes, with
no event attribute and no link to another scheme than http(s) or mailto.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import re
from collections.abc import Callable
from pathlib import Path

import cmarkgfm
import html5lib
import markdown
import marko
import mistune
import pytest
from cmarkgfm.cmark import Options
from markdown_it import MarkdownIt
from marko.ext.gfm import gfm

from revue.formats.exporters import export_markdown
from revue.models import Item, ReviewDoc
from revue.review.markup import md_escape, md_link, md_safe
from revue.review.render import render

from clihelp import run


def _markdown_it(preset: str, **options: object) -> Callable[[str], str]:
    engine = MarkdownIt(preset, {"html": True, **options})
    engine.validateLink = lambda url: True  # type: ignore[method-assign]
    return engine.render


ENGINES: dict[str, Callable[[str], str]] = {
    "CommonMark (markdown-it)": _markdown_it("commonmark"),
    "GFM (markdown-it, linkify)": _markdown_it("gfm-like", linkify=True),
    "GFM (cmark-gfm)": lambda md: cmarkgfm.github_flavored_markdown_to_html(
        md, options=Options.CMARK_OPT_UNSAFE
    ),
    "Python-Markdown": markdown.Markdown().convert,
    # Pelican's and MkDocs' extensions: attr_list (in extra) sets any attribute from "{...}".
    "Python-Markdown extra": lambda md: markdown.markdown(
        md, extensions=["extra", "toc", "sane_lists"]
    ),
    "mistune": mistune.create_markdown(
        escape=False, plugins=["strikethrough", "table", "url", "footnotes"]
    ),
    "marko": marko.Markdown().convert,
    "marko GFM": gfm.convert,
}

# What Markdown makes of text, links, code, lists, tables and footnotes: inert elements.
ELEMENTS = {
    "html", "head", "body", "p", "a", "em", "strong", "code", "pre", "br", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "del", "s", "img", "table",
    "thead", "tbody", "tr", "th", "td", "div", "sup", "dl", "dt", "dd", "abbr",
}  # fmt: skip
SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
ATTRIBUTES = {"href", "src", "alt", "title", "class", "id", "rel", "start", "align"}


def live_parts(html: str) -> list[str]:
    """What in `html` is not inert: an element or attribute Markdown does not make (an event
    attribute), a link or image to another scheme than http(s) or mailto (javascript:)."""
    found: list[str] = []
    for element in html5lib.parse(html, namespaceHTMLElements=False).iter():
        if not isinstance(element.tag, str):
            continue  # a comment
        if element.tag not in ELEMENTS:
            found.append(f"<{element.tag}>")
        for name, value in element.attrib.items():
            if name.lower() not in ATTRIBUTES:
                found.append(f"<{element.tag} {name}=...>")
            elif name in ("href", "src"):
                # As a browser reads it: without blanks and controls, before any scheme.
                target = re.sub(r"[\x00-\x20]", "", value).lower()
                scheme = SCHEME.match(target)
                if scheme and scheme.group(1) not in ("http", "https", "mailto"):
                    found.append(f"<{element.tag} {name}={value!r}>")
    return found


def assert_inert(md: str) -> None:
    for name, engine in ENGINES.items():
        html = engine(md)
        assert live_parts(html) == [], f"{name}:\n{md}\n---\n{html}"


# Text from outside that one engine or another reads as markup, HTML or a link.
HOSTILE = [
    "\\<svg onload=alert(1)>",
    "<svg onload=alert(1)>",
    "www.example.org\\<img src=x onerror=alert(1)//>",
    "https://example.org/\\<img src=x onerror=alert(1)//>",
    "WWW.example.org\\<img src=x onerror=alert(2)//>",
    "a@example.org\\<img src=x onerror=alert(3)//>",
    "\\\\<img src=x onerror=alert(4)>",
    "&lt;img src=x onerror=alert(5)&gt; &#60;img src=x onerror=alert(6)&#62;",
    "<!-- --><img src=x onerror=alert(7)> <?php ?>",
    "[x](javascript:alert(8)) ![i](javascript:alert(9)) <javascript:alert(10)>",
    "[x][r] [r]: javascript:alert(11)",
    "x {: onclick=alert(12) } [y](https://a.example/){: onmouseover=alert(13) }",
    "*em*{: onclick=alert(14)}",
    "`code`<img src=x onerror=alert(15)>`",
    "\\`<img src=x onerror=alert(16)>`",
    "www.example.org\\*<img src=x onerror=alert(17)>",
    "http://example.org/\\_<b onmouseover=alert(18)>x</b>",
    "```\n<div onclick=alert(19)>x</div>\n```",
    "```{ onclick=alert(20) }\nx\n```",
    "- a\n\n      <svg onload=alert(21)>",
    "`a\n\n<img src=x onerror=alert(22)>`",
    "<https://a.example/[x](javascript:alert(23))>",
    "[ok](https://a.example/[x](javascript:alert(24)))",
    "[ok](<https://a.example/{: onclick=alert(25)}>)",
    "> [r]: javascript:alert(26)\n\n[x][r]",
    "[^1]\n\n[^1]: <img src=x onerror=alert(27)>",
    "*[HTML]: <img src=x onerror=alert(28)>\n\nHTML",
    "\\\\`<img src=x onerror=alert(29)>`",
    "x<span\nonclick=alert(30)>y</span>",
    "<div>\n\n<img src=x onerror=alert(31)>\n\n</div>",
    "    <div onclick=alert(32)>x</div>",
    "![x](https://a.example/x.png){: onload=alert(33) }",
    '[x](https://a.example/ "t"){onclick=alert(34)}',
    "~~~\n<div onclick=alert(35)>\n\n</div>\n~~~",
    "> ```\n> <div onclick=alert(36)>\n> ```",
]


def hostile_doc(text: str) -> ReviewDoc:
    """A review whose every piece of outside text is `text`."""
    link = Item(
        id=1,
        url="https://a.example/" + text,
        title=text,
        summary=text,
        site_name=text,
        via=text,
        author=text,
        note=text,
        lead=text,
        quote=text + "\n\n" + text,
        section=text,
        tags=[text],
        hashtags=[text],
        published="2024-03-18",
    )
    handle = "x" + "".join(c for c in text if c.isalnum())[:20]
    social = Item(
        id=2, url=f"https://x.com/{handle}/status/1", title=text, summary=text + "\n" + text,
        via="@" + handle,
    )  # fmt: skip
    block = Item(id=3, url=None, kind="text", note=text + "\n\n" + text)
    titled_block = Item(id=4, url=None, kind="text", title=text)
    return ReviewDoc(
        title=text,
        start=dt.date(2024, 3, 18),
        end=dt.date(2024, 3, 24),
        lang="fr",
        items=[link, social, block, titled_block],
        sections=[text],
        default_hashtags=[text],
        intro=text + "\n\n" + text,
        outro=text,
        paywall_marker=text,
        show_dates=True,
    )


@pytest.mark.parametrize("text", HOSTILE)
@pytest.mark.parametrize("style", ["classic", "linked"])
def test_every_engine_reads_a_markdown_review_as_text(text: str, style: str) -> None:
    review = render(hostile_doc(text), "md", style, options={"show_summary": True})
    assert_inert(review)


@pytest.mark.parametrize("text", HOSTILE)
def test_every_engine_reads_each_escaped_piece_as_text(text: str) -> None:
    for md in (
        md_escape(text),
        md_link(text, "https://a.example/" + text),
        md_safe(text, inline=True),
        md_safe(text + "\n\n" + text),
        f"{md_escape(text)} {md_safe(text, inline=True)} {md_escape(text)}",
    ):
        assert_inert(md)


def test_every_engine_reads_random_punctuation_as_text() -> None:
    """Deterministic fuzz over the characters the dialects care about."""
    rng = random.Random(20261207)
    alphabet = "ab1 .-+#*_[](){}<>`!\\&|~=:/;@\n\t" + "w" * 3
    pieces = ["www.", "http://", "<img src=x onerror=alert(1)>", "javascript:x", "{: onclick=x}"]
    for _ in range(400):
        text = "".join(
            rng.choice(pieces) if rng.random() < 0.1 else rng.choice(alphabet)
            for _ in range(rng.randint(1, 40))
        )
        for md in (md_escape(text), md_safe(text, inline=True), md_safe(text)):
            assert_inert(md)


def test_every_engine_reads_the_markdown_export_as_text() -> None:
    for text in HOSTILE:
        item = Item(id=1, url="https://a.example/" + text, title=text, note=text)
        assert_inert(export_markdown([item]))


def test_a_composed_review_of_imported_bookmarks_is_inert_in_every_engine(tmp_path: Path) -> None:
    """The issue's two cases through the real CLI: a note from an imported bookmark's
    description, a title from the page (typed here), in a review composed on disk."""
    bookmarks = tmp_path / "shared.html"
    bookmarks.write_text(
        "<!DOCTYPE NETSCAPE-Bookmark-file-1><DL><p>\n"
        '<DT><A HREF="https://a.example/1">Un</A>\n'
        "<DD>\\&lt;svg onload=alert(1)&gt;\n"
        "</DL>\n",
        encoding="utf-8",
    )
    run("import", "--no-fetch", str(bookmarks))
    run("add", "--no-fetch", "https://b.example/2", "--title", HOSTILE[2])
    notes = {i["url"]: i["note"] for i in json.loads(run("list", "--json").stdout)}
    assert notes["https://a.example/1"] == HOSTILE[0]
    written = Path(run("compose").stdout.strip().splitlines()[-1])
    review = written.read_text(encoding="utf-8")
    assert_inert(review)
    assert "= &lt;svg onload=alert(1)>" in review and "www\\.example.org" in review
