"""Text as Markdown that every common dialect reads as that very text.

Pure: no I/O. Shared by the review's Markdown (review.markup) and the export's Markdown list
(formats.exporters): a title, a summary or a note from outside goes through `md_text`.

A Markdown review is pasted into blogs and sites whose engine is not CommonMark, so the
escaping is what they all agree on, not only what CommonMark allows:

- `<`, `>` and `&` are written as the entities `&lt;`, `&gt;`, `&amp;`, which every engine
  decodes; a backslash before `<` is an escape in CommonMark only (Python-Markdown, used by
  Pelican and MkDocs, passes `\\<svg onload=...>` through as HTML).
- The other characters that start markup (emphasis, code, links, strikethrough, tables) get
  a backslash, which CommonMark, GFM, Python-Markdown, mistune and marko all honour for
  them; `{` too, which Python-Markdown's attr_list reads as attributes (`{: onclick=...}`).
- Autolink triggers are broken: GFM links `www.` and `https://` in plain text and, in
  cmark-gfm, takes a following backslash into the link, so the next character is no longer
  escaped. `www\\.` and `https:&#47;/` show the same text and start no link.
- A character that would start a block at the start of the text (heading, list, quote,
  setext underline) is escaped.

A URL is written between angle brackets (`<url>`, `[text](<url>)`), where Python-Markdown
still reads links, code and attribute lists before it sees the autolink: `md_url`
percent-encodes the characters that start those.
"""

from __future__ import annotations

import re

__all__ = ["md_text", "md_url"]

_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
_BACKSLASHED = frozenset("\\`*[]~|{}")
_LEADING = frozenset("#-+=")
_ORDERED = re.compile(r"(\d{1,9})([.)])")
_AUTOLINK_WWW = re.compile(r"(?i)(www)\.")
_AUTOLINK_SCHEME = re.compile(r":/(?=/)")
# After the host (whose IPv6 literal keeps its brackets): what a dialect reads inside <...>.
_URL_AFTER_HOST = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*://[^/?#]*)(.*)$", re.DOTALL)
_URL_MARKUP = re.compile(r"[\[\]{}<>`\\ \"]")


def md_text(line: str) -> str:
    """`line` (one line, already cleaned) as Markdown inline text that reads back as `line`,
    anywhere on a line, in CommonMark, GFM, Python-Markdown, mistune and marko.

    French prose stays readable: `_` between two letters or digits cannot make emphasis and
    is left alone ("@lp_lapresse"); `!`, `(` and `.` are harmless once `[` is escaped.
    """
    out: list[str] = []
    last = len(line) - 1
    for i, char in enumerate(line):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _BACKSLASHED:
            out.append("\\" + char)
        elif char == "_":
            inside_word = 0 < i < last and line[i - 1].isalnum() and line[i + 1].isalnum()
            out.append(char if inside_word else "\\_")
        else:
            out.append(char)
    escaped = _AUTOLINK_SCHEME.sub(":&#47;", _AUTOLINK_WWW.sub(r"\1\\.", "".join(out)))
    if escaped[:1] in _LEADING:
        return "\\" + escaped
    ordered = _ORDERED.match(escaped)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{escaped[ordered.end() :]}"
    return escaped


def md_url(url: str) -> str:
    """`url` (an absolute URL) with `[`, `]`, `{`, `}`, `<`, `>`, backtick, backslash, space
    and `"` percent-encoded after its host: the same address, and nothing in it that a
    dialect reads as markup inside `<...>`."""
    match = _URL_AFTER_HOST.match(url)
    head, rest = match.groups() if match else ("", url)
    return head + _URL_MARKUP.sub(lambda m: f"%{ord(m.group()):02X}", rest)
