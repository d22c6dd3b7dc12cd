"""Escaping for Markdown and HTML, and the only gate links go through.

Pure: no I/O. Untrusted text in (what a web page says), safe text out.

Invariants:

- `md_escape(s)` parsed as CommonMark inline content, anywhere on a line (including at its
  start), gives back exactly the text `one_line(s)`: no link, emphasis, code, HTML, entity or
  block structure can come out of it.
- `safe_url(u)` returns an absolute http(s) URL with no whitespace, control characters, `<`,
  `>`, `"` or backslash, or None. Every href revue emits has gone through it.
- `markdown_to_html` is for the curator's own Markdown (notes, intro): raw HTML is not
  passed through and links go only to http(s) or mailto.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

__all__ = [
    "html_text",
    "markdown_to_html",
    "md_escape",
    "md_link",
    "one_line",
    "safe_url",
]

# Longer URLs are refused: no real article needs them and they bloat every output.
MAX_URL_LENGTH = 4096

# Characters that are never allowed in text revue writes: C0/C1 controls (except the
# whitespace ones, which one_line collapses), lone surrogates (they cannot be encoded to
# UTF-8) and Unicode noncharacters (HTML parse errors).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]"
)
# Whitespace runs to collapse. No-break spaces are kept: French typography puts them
# inside « guillemets » and before ":" and they never break a line.
_SPACES = re.compile(r"[^\S\u00a0\u202f\u2007]+")

# Always escaped: these start links, images' brackets, emphasis, code spans, autolinks and
# raw HTML, entities, escapes, GFM strikethrough and table cells.
_ALWAYS = frozenset("\\`*[]<>&~|")
# Escaped when they open the text: they would start a block (heading, list, quote,
# setext underline, thematic break).
_LEADING = frozenset("#-+=>")
_ORDERED = re.compile(r"(\d{1,9})([.)])")


def _clean(text: str) -> str:
    return _FORBIDDEN.sub("", text)


def one_line(text: str | None) -> str:
    """`text` on one line: whitespace runs (newlines, tabs) become one space, ends trimmed.

    Control characters, lone surrogates and noncharacters are dropped. None gives "".
    """
    if not text:
        return ""
    return _SPACES.sub(" ", _clean(text)).strip()


def md_escape(text: str | None) -> str:
    """`text` as literal Markdown inline text, on one line (see the module's invariant).

    Escapes only what CommonMark (and GFM's strikethrough and tables) could interpret, so
    French prose stays readable: `_` between two letters or digits cannot make emphasis and
    is left alone ("@lp_lapresse"); `!` and `(` are harmless once `[` is escaped.
    """
    line = one_line(text)
    out: list[str] = []
    last = len(line) - 1
    for i, char in enumerate(line):
        if char in _ALWAYS:
            out.append("\\" + char)
        elif char == "_":
            inside_word = 0 < i < last and line[i - 1].isalnum() and line[i + 1].isalnum()
            out.append(char if inside_word else "\\_")
        else:
            out.append(char)
    escaped = "".join(out)
    if escaped[:1] in _LEADING:
        return "\\" + escaped
    ordered = _ORDERED.match(escaped)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{escaped[ordered.end() :]}"
    return escaped


def safe_url(url: str | None) -> str | None:
    """`url` if it is an absolute http(s) URL with a host, made safe to emit; else None.

    Leading and trailing whitespace is trimmed; inner spaces, `<`, `>`, `"`, backslash and
    other Unicode spaces or format characters are percent-encoded (UTF-8); a URL holding a
    control character (a newline, a NUL) or longer than MAX_URL_LENGTH is refused. The scheme
    is lower-cased; nothing else is changed.
    """
    if not url:
        return None
    url = url.strip()
    if not url or len(url) > MAX_URL_LENGTH:
        return None
    out: list[str] = []
    for char in url:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in "\ufffe\uffff":
            return None
        if char in ' <>"\\`' or category in ("Zs", "Zl", "Zp", "Cf"):
            out.append(quote(char, safe=""))
        else:
            out.append(char)
    cleaned = "".join(out)
    try:
        parts = urlsplit(cleaned)
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    scheme_end = cleaned.index(":")
    return cleaned[:scheme_end].lower() + cleaned[scheme_end:]


def md_link(text: str | None, url: str | None) -> str:
    """A Markdown link `[text](<url>)` with `text` escaped; just the escaped text when `url`
    is not a safe http(s) URL (see `safe_url`)."""
    label = md_escape(text)
    href = safe_url(url)
    if href is None:
        return label
    # The angle-bracket destination allows parentheses; safe_url removed < > and spaces.
    # An empty label would make an invisible link: show the URL instead.
    return f"[{label or md_escape(href)}](<{href}>)"


def html_text(text: str | None) -> Markup:
    """`text` escaped for HTML (None gives an empty string); control characters dropped."""
    return escape(_clean(text or ""))


class _SafeMarkdown(MarkdownIt):
    """CommonMark with raw HTML off and links only to absolute http(s) or mailto targets."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False})

    def validateLink(self, url: str) -> bool:  # markdown-it's hook, hence the name
        lowered = url.strip().lower()
        if lowered.startswith("mailto:"):
            return "\n" not in url and len(url) > len("mailto:")
        return safe_url(url) is not None and lowered.startswith(("http:", "https:"))


_MARKDOWN = _SafeMarkdown()


def markdown_to_html(md: str | None, *, inline: bool = False) -> Markup:
    """The curator's Markdown as HTML: CommonMark, raw HTML shown as text, links restricted.

    `inline=True` renders inline content only (no <p>), for a note inside an item's
    paragraph; the text is put on one line first so it cannot start a block.
    """
    if not md:
        return Markup("")
    if inline:
        return Markup(_MARKDOWN.renderInline(one_line(md)))
    return Markup(_MARKDOWN.render(_clean(md)))
