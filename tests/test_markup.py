from __future__ import annotations

import random

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from revue.review.markup import (
    MAX_URL_LENGTH,
    html_text,
    markdown_to_html,
    md_escape,
    md_link,
    one_line,
    safe_url,
)

COMMONMARK = MarkdownIt("commonmark")

HOSTILE = [
    "[x](http://evil)",
    "![img](https://evil/x.png)",
    "<https://evil>",
    "https://evil.example",
    "<script>alert(1)</script>",
    "`code` and ``more``",
    "# Not a heading",
    "### also not",
    "| a | b |",
    "*emphasis* and _emphasis_ and **strong** and __strong__",
    "1. not a list",
    "2) not a list either",
    "- not a bullet",
    "+ nor this",
    "> not a quote",
    "---",
    "===",
    "***",
    "AT&amp;T &copy; &#65;",
    "trailing backslash \\",
    "a\\*b",
    "~~strike~~",
    "[ref]: https://evil",
    "[ref]",
    "line one\n\nline two\n# heading",
    "    indented code",
    "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous",
    "@lp_lapresse snake_case_name _leading trailing_",
    "x__y__z",
    "tab\there",
    "nul\x00and\x1bescape",
]


def inline_children(markdown: str) -> list[Token]:
    """The inline tokens of a one-paragraph document; fails if it is anything else."""
    tokens = COMMONMARK.parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
    return tokens[1].children or []


def literal_text(markdown: str) -> str:
    children = inline_children(markdown)
    assert all(t.type == "text" for t in children), [(t.type, t.content) for t in children]
    return "".join(t.content for t in children)


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_is_literal_text_anywhere_on_a_line(text: str) -> None:
    escaped = md_escape(text)
    assert "\n" not in escaped
    assert literal_text(escaped) == one_line(text)
    assert literal_text("before " + escaped + " after") == "before " + one_line(text) + " after"


def test_md_escape_random_punctuation() -> None:
    # Deterministic fuzz over the characters Markdown cares about.
    rng = random.Random(20240319)
    alphabet = "ab1 .-+#*_[]()<>`!\\&|~=:/;\n\t"
    for _ in range(1500):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16)))
        if not one_line(text):
            continue
        assert literal_text(md_escape(text)) == one_line(text), repr(text)


def test_md_escape_keeps_prose_readable() -> None:
    assert md_escape("@lp_lapresse") == "@lp_lapresse"
    assert md_escape("Vraiment! (oui)") == "Vraiment! (oui)"
    assert md_escape("# x") == "\\# x"
    assert md_escape("1. x") == "1\\. x"
    assert md_escape(None) == ""


def test_one_line() -> None:
    assert one_line("  a\n\n b\t c\r\n") == "a b c"
    assert one_line("«\u00a0guillemets\u00a0»") == "«\u00a0guillemets\u00a0»"  # kept
    assert one_line("a\u2028b") == "a b"
    assert one_line("bell\x07 nul\x00 \ud800surrogate") == "bell nul surrogate"
    assert one_line(None) == ""


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/a?b=1&c=2", "https://example.com/a?b=1&c=2"),
        ("HTTP://Example.com/", "http://Example.com/"),
        ("  https://example.com/x  ", "https://example.com/x"),
        ('https://example.com/a b<c>"d\\e', "https://example.com/a%20b%3Cc%3E%22d%5Ce"),
        ("https://example.com/(x)", "https://example.com/(x)"),
        ("https://example.com/été", "https://example.com/été"),
        ("https://example.com/\u200bx", "https://example.com/%E2%80%8Bx"),
        ("javascript:alert(1)", None),
        ("JavaScript:alert(1)", None),
        (" javascript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:x", None),
        ("file:///etc/passwd", None),
        ("mailto:a@b.c", None),
        ("ftp://example.com/", None),
        ("//example.com/x", None),
        ("/relative", None),
        ("https://", None),
        ("https:///path", None),
        ("http://[::1", None),
        ("https://example.com/\nx", None),
        ("https://example.com/\x00", None),
        ("https://example.com/\tx", None),
        ("", None),
        (None, None),
        ("https://example.com/" + "a" * MAX_URL_LENGTH, None),
    ],
)
def test_safe_url(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_md_link_is_one_link_with_literal_text() -> None:
    url = "https://example.com/a_(b)?q=1&r=2"
    children = inline_children(md_link("[x](http://evil) <b>", url))
    links = [t for t in children if t.type == "link_open"]
    assert len(links) == 1
    assert links[0].attrGet("href") == url
    text = "".join(t.content for t in children if t.type == "text")
    assert text == "[x](http://evil) <b>"


def test_md_link_without_a_safe_url_is_text() -> None:
    assert md_link("Titre", "javascript:alert(1)") == "Titre"
    assert md_link("Titre", None) == "Titre"
    # An empty label would be an invisible link: the URL is shown.
    # (The label's "://" written so that no GFM engine makes an autolink of it.)
    assert (
        md_link("", "https://example.com/") == "[https:&#47;/example.com/](<https://example.com/>)"
    )


def test_html_text() -> None:
    assert html_text("<script>\"x\" & 'y'</script>") == (
        "&lt;script&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/script&gt;"
    )
    assert html_text(None) == ""
    assert html_text("a\x00b") == "ab"


def test_markdown_to_html_allows_only_safe_links_and_no_raw_html() -> None:
    html = markdown_to_html(
        "*ok* [web](https://example.com/) [mail](mailto:a@example.com) "
        "[js](javascript:alert(1)) [data](data:text/html,x) [rel](/local) "
        "![img](data:image/png;base64,AAAA) <script>alert(1)</script> <b>bold</b>"
    )
    assert "<em>ok</em>" in html
    assert '<a href="https://example.com/">web</a>' in html
    assert '<a href="mailto:a@example.com">mail</a>' in html
    assert "javascript:" not in html.replace("[js](javascript:alert(1))", "")
    assert 'href="javascript' not in html and 'href="data' not in html
    assert 'href="/local"' not in html
    assert 'src="data' not in html
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<b>" not in html


def test_markdown_to_html_inline() -> None:
    assert markdown_to_html("Un *mot*\n\n# pas un titre", inline=True) == (
        "Un <em>mot</em> # pas un titre"
    )
    assert markdown_to_html(None) == ""
    assert markdown_to_html("Para") == "<p>Para</p>\n"
