"""Escaping for Markdown and HTML, and the only gate links go through.

Pure: no I/O. Untrusted text in (what a web page says), safe text out.

Invariants:

- `md_escape(s)` parsed as inline content, anywhere on a line (including at its start), by
  CommonMark, GFM (markdown-it, cmark-gfm), Python-Markdown, mistune or marko, gives back
  the text `one_line(s)`: no link, emphasis, code, HTML, entity or block structure can come
  out of it (see `revue.mdtext`).
- `safe_url(u)` returns an absolute http(s) URL with no whitespace, control characters, `<`,
  `>`, `"` or backslash, or None. Every href revue emits has gone through it.
- `markdown_to_html` is for the curator's own Markdown (notes, intro): raw HTML is not
  passed through and links go only to http(s) or mailto.
- `md_safe` applies the same rules to that Markdown when the output is Markdown (a note may
  come from an import or a feed): parsed as CommonMark with raw HTML enabled (as a blog's
  renderer would), its result holds no raw HTML and no link or image but to http(s) or
  mailto. Raw HTML and other links are escaped, so they show as the text that was written;
  `<` as `&lt;`, `{` backslashed and bare URLs broken, so that the other dialects
  (Python-Markdown, GFM, mistune, marko) find no HTML, attribute list or autolink either.
  They do not agree on code: a code span holding `<`, `[`, `{` or `&` is written as its
  escaped text, and such a code block, unless indented at the top level, makes the whole
  text plain text.
- No output holds a bidi embedding, override or isolate control (U+202A-U+202E,
  U+2066-U+2069): a title's could reverse the text after it.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, urlsplit

from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from revue.mdtext import md_text, md_url

__all__ = [
    "html_text",
    "markdown_to_html",
    "md_autolink",
    "md_escape",
    "md_link",
    "md_safe",
    "one_line",
    "safe_url",
]

# Longer URLs are refused: no real article needs them and they bloat every output.
MAX_URL_LENGTH = 4096

# Characters that are never allowed in text revue writes: C0/C1 controls (except the
# whitespace ones, which one_line collapses), lone surrogates (they cannot be encoded to
# UTF-8), Unicode noncharacters (HTML parse errors) and bidi embeddings, overrides and
# isolates (a title's U+202E would reverse the rest of its line).
_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    "\u202a-\u202e\u2066-\u2069]"
)
# Whitespace runs to collapse. No-break spaces are kept: French typography puts them
# inside « guillemets » and before ":" and they never break a line.
_SPACES = re.compile(r"[^\S\u00a0\u202f\u2007]+")


def _clean(text: str) -> str:
    # A form feed is whitespace to Markdown and HTML, but XML (the review's feed) refuses it.
    return _FORBIDDEN.sub("", text).replace("\x0c", " ")


def one_line(text: str | None) -> str:
    """`text` on one line: whitespace runs (newlines, tabs) become one space, ends trimmed.

    Control characters, lone surrogates and noncharacters are dropped. None gives "".
    """
    if not text:
        return ""
    return _SPACES.sub(" ", _clean(text)).strip()


def md_escape(text: str | None) -> str:
    """`text` as literal Markdown inline text, on one line, in every common dialect (see the
    module's invariant and `mdtext.md_text`)."""
    return md_text(one_line(text))


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
    # The angle-bracket destination allows parentheses; safe_url removed < > and spaces,
    # md_url what Python-Markdown would read in it. An empty label would make an invisible
    # link: show the URL instead.
    return f"[{label or md_escape(href)}](<{md_url(href)}>)"


def md_autolink(url: str | None) -> str:
    """`<url>` for a safe http(s) URL (see `safe_url`), with what a dialect would read as
    markup inside percent-encoded; "" otherwise."""
    href = safe_url(url)
    return f"<{md_url(href)}>" if href else ""


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


# -- the curator's Markdown, in a Markdown output --------------------------------------------

# CommonMark autolinks: <scheme:...> and <user@host>.
_AUTOLINK = re.compile(r"<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\x00-\x20]*)>")
_EMAIL_AUTOLINK = re.compile(
    r"<[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*>"
)
# What another dialect could read as markup in text CommonMark reads as code.
_MARKUP_IN_CODE = re.compile(r"[<\[{&]")
_BACKSLASH_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
# Longer Markdown is shown as plain text: no note or intro is that long, and parsing hostile
# text of that size (50,000 "[") costs seconds.
MAX_MARKDOWN = 20_000
# CommonMark renderers stop nesting parentheses in a link destination at 32 levels.
_MAX_PAREN_DEPTH = 32


class _TooComplex(Exception):
    """The text would cost more than linear time to scan: escape it whole instead."""


def _link_ok(destination: str) -> bool:
    """Whether a link destination, as written in Markdown, leads to http(s) or mailto."""
    import html

    target = html.unescape(_BACKSLASH_ESCAPE.sub(r"\1", destination)).strip()
    if target[:7].lower() == "mailto:":
        return len(target) > 7 and not any(c.isspace() or c in '<>"' for c in target)
    return safe_url(target) is not None


class _Scan:
    """One linear pass over Markdown text: where each code span and each `[...]` ends.

    Approximates CommonMark (what it misses is caught by `md_safe`'s check of its result),
    in linear time whatever the input: no nested rescans of hostile runs of `[` or `` ` ``.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        # Destinations are scanned from every "](": a hostile text could make their scans
        # overlap; past this budget it is escaped whole.
        self.budget = 8 * len(text) + 10_000
        self.code_end: dict[int, int] = {}  # a backtick run's start -> its code span's end
        self.close: dict[int, int] = {}  # a "[" -> its "]"
        runs: list[tuple[int, int]] = []
        pos = 0
        while True:
            pos = text.find("`", pos)
            if pos < 0:
                break
            end = pos
            while end < len(text) and text[end] == "`":
                end += 1
            runs.append((pos, end - pos))
            pos = end
        following: dict[int, int] = {}  # size -> start of the next run of that size
        for start, size in reversed(runs):
            if size in following:
                self.code_end[start] = following[size] + size
            following[size] = start
        stack: list[int] = []
        pos = 0
        length = len(text)
        while pos < length:
            char = text[pos]
            if char == "\\":
                pos += 2
                continue
            if char == "`":
                run = pos
                while run < length and text[run] == "`":
                    run += 1
                pos = self.code_end.get(pos, run)
                continue
            if char == "[":
                stack.append(pos)
            elif char == "]" and stack:
                self.close[stack.pop()] = pos
            elif char == "\n" and text.startswith("\n", pos + 1):
                stack.clear()  # a blank line ends the paragraph and its brackets
            pos += 1

    def destination(self, at: int) -> tuple[str, int] | None:
        """The link destination starting at `at` (after spaces) and where it ends."""
        text = self.text
        pos = at
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if text.startswith("\n", pos):
            pos += 1
            while pos < len(text) and text[pos] in " \t":
                pos += 1
        if text.startswith("<", pos):
            close = text.find(">", pos)
            if close < 0 or "\n" in text[pos:close]:
                return None
            return text[pos + 1 : close], close + 1
        start = pos
        depth = 0
        limit = min(len(text), pos + MAX_URL_LENGTH + 1)
        while pos < limit:
            self.budget -= 1
            if self.budget < 0:
                raise _TooComplex
            char = text[pos]
            if char == "\\":
                pos += 2
                continue
            if char.isspace() or ord(char) < 0x20:
                break
            if char == "(":
                depth += 1
                if depth > _MAX_PAREN_DEPTH:
                    return None
            elif char == ")":
                if depth == 0:
                    break
                depth -= 1
            pos += 1
        return text[start:pos], pos


def _neutralise(text: str) -> str:
    """`text` (Markdown outside code blocks) with raw HTML and links (or images, or link
    definitions) to anything but http(s) and mailto escaped, so they show as written."""
    scan = _Scan(text)
    out: list[str] = []
    keep: dict[int, int] = {}  # the "]" of a link kept -> the end of its "(destination)"
    pos = 0
    length = len(text)
    while pos < length:
        char = text[pos]
        if pos in keep:
            out.append(text[pos : keep[pos]])
            pos = keep.pop(pos)
        elif char == "\\":
            # "\<" is a literal "<" in CommonMark only: Python-Markdown keeps the backslash
            # and reads the tag after it.
            out.append("&lt;" if text.startswith("<", pos + 1) else text[pos : pos + 2])
            pos += 2
        elif char == "{":
            out.append("\\{")  # Python-Markdown's attr_list: "{: onclick=...}"
            pos += 1
        elif char == "`":
            run = pos
            while run < length and text[run] == "`":
                run += 1
            # A code span shows its content as text already; unclosed backticks are text.
            end = scan.code_end.get(pos, run)
            code = text[pos:end]
            if end > run and _MARKUP_IN_CODE.search(code):
                # Dialects do not agree on code spans (Python-Markdown may open one inside a
                # run of backticks, or start a heading on the next line; marko lets HTML
                # win): one holding markup is written as its text, escaped.
                out.append(md_text(one_line(code[run - pos : len(code) - (run - pos)])))
            else:
                out.append(code)
            pos = end
        elif char == "<":
            auto = _AUTOLINK.match(text, pos) or _EMAIL_AUTOLINK.match(text, pos)
            if auto and auto.re is _EMAIL_AUTOLINK:
                out.append(auto.group(0))
                pos = auto.end()
            elif auto and _link_ok(auto.group(1)):
                # What Python-Markdown would read inside it (a link, an attribute list)
                # percent-encoded: the same address.
                out.append(f"<{md_url(auto.group(1))}>")
                pos = auto.end()
            else:
                out.append("&lt;")  # raw HTML, a comment, another scheme: shown as text
                pos += 1
        elif char == "[" and pos in scan.close:
            close = scan.close[pos]
            target: tuple[str, int] | None = None
            if text.startswith("(", close + 1):
                target = scan.destination(close + 2)
                if target is not None:
                    keep[close] = target[1]
            elif text.startswith(":", close + 1) and _line_start(text, pos):
                target = scan.destination(close + 2) or ("", close + 2)  # a definition
                if target[0]:
                    keep[close] = target[1]
            if target is not None and not _link_ok(target[0]):
                keep.pop(close, None)
                out.append("\\[")
            else:
                out.append("[")
            pos += 1
        elif char == ":" and text.startswith("//", pos + 1):
            # A bare URL is text (as in the HTML output): a GFM or mistune autolink would
            # also take the backtick after it, and the code span it opened, as the link's.
            out.append(":&#47;")
            pos += 2
        elif char in "wW" and text[pos : pos + 4].lower() == "www.":
            out.append(text[pos : pos + 3] + "\\.")
            pos += 4
        elif char == "[":
            # Unmatched, so text anyway: escaped, it costs a renderer no bracket search
            # (50,000 of them take markdown-it seconds).
            out.append("\\[")
            pos += 1
        else:
            out.append(char)
            pos += 1
    return "".join(out)


def _line_start(text: str, pos: int) -> bool:
    """Whether only up to three spaces precede `pos` on its line (where a definition starts)."""
    start = text.rfind("\n", 0, pos) + 1
    return pos - start <= 3 and not text[start:pos].strip(" ")


_PERMISSIVE = MarkdownIt("commonmark", {"html": True})
_PERMISSIVE.validateLink = lambda url: True  # type: ignore[method-assign]


def _is_safe(md: str) -> bool:
    """Whether `md`, read as CommonMark with raw HTML on, holds no raw HTML and no link or
    image to anything but http(s) or mailto; and no code that another dialect might read
    as text holds markup. Only an indented code block at the top level is code to every
    dialect: Python-Markdown without extensions has no fences (and reads a block tag inside
    one as HTML), and indents list items by four spaces where CommonMark counts columns."""
    stack = list(_PERMISSIVE.parse(md))
    while stack:
        token = stack.pop()
        if token.type in ("html_block", "html_inline"):
            return False
        unsure = token.type == "fence" or (token.type == "code_block" and token.level > 0)
        if unsure and _MARKUP_IN_CODE.search(token.content + token.info):
            return False
        for attr in ("href", "src"):
            value = token.attrGet(attr)
            if value is not None and not _link_ok(str(value)):
                return False
        stack.extend(token.children or [])
    return True


def md_safe(md: str | None, *, inline: bool = False) -> str:
    """The curator's Markdown for a Markdown output, under the rules `markdown_to_html`
    applies to HTML: raw HTML shown as text, links only to http(s) or mailto (others shown
    as the text that was written). Code spans and code blocks are left as they are.

    `inline=True` puts the text on one line first (a note inside an item's paragraph).
    Whatever would slip past the escaping is caught by parsing the result: the text is then
    escaped whole, as plain text (see the module's invariant).
    """
    if not md:
        return ""
    text = one_line(md) if inline else _clean(md).strip("\n")
    try:
        if len(text) > MAX_MARKDOWN:
            raise _TooComplex
        safe = _neutralise_blocks(text, inline)
        if _is_safe(safe):
            return safe
    except _TooComplex:
        pass
    if inline:
        return md_escape(text)
    return "\n\n".join(md_escape(p) for p in re.split(r"\n\s*\n", text) if p.strip())


def _neutralise_blocks(text: str, inline: bool) -> str:
    """`_neutralise` over everything but code blocks (fenced or indented): those are text
    already, and a backslash would show there."""
    if inline:
        return _neutralise(text)
    lines = text.split("\n")
    parts: list[str] = []
    start = 0
    for token in _PERMISSIVE.parse(text):
        if token.type in ("fence", "code_block") and token.map:
            first, last = token.map
            if first > start:
                parts.append(_neutralise("\n".join(lines[start:first])))
            parts.append("\n".join(lines[first:last]))
            start = last
    if start < len(lines):
        parts.append(_neutralise("\n".join(lines[start:])))
    return "\n".join(parts)
