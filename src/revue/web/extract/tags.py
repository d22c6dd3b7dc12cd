"""Raw tag scanning without a parse: the tag enclosing a position, its attributes, the
text of a short element. A parse of a 500 KB body costs 5-10 ms; `str.find` plus these costs a
fraction of that, and the facts looked for sit in the first tags that carry them."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator

from revue.web.extract.text import TAG_RE, clean

BYLINE_RE = re.compile(r"^(?:by|par|por)\s+", re.IGNORECASE)

ATTR_RE = re.compile(r"""([a-zA-Z_:][-a-zA-Z0-9_:.]*)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
TAGNAME_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9-]*)")


def tag_attrs(tag_text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in ATTR_RE.finditer(tag_text):
        name = m.group(1).lower()
        if name not in out:
            value = m.group(2) if m.group(2) is not None else m.group(3)
            if value is None:
                value = m.group(4) or ""
            out[name] = html.unescape(value)
    return out


def inner_text(fragment: str) -> str | None:
    return clean(TAG_RE.sub(" ", fragment))


def tag_at(text: str, pos: int) -> tuple[str, str, int] | None:
    """(tag name, attribute text, end of the start tag) of the tag enclosing `pos`."""
    lt = text.rfind("<", max(0, pos - 3000), pos)
    gt = text.find(">", pos)
    if lt < 0 or gt < 0 or text.find(">", lt, pos) >= 0:
        return None
    m = TAGNAME_RE.match(text, lt + 1)
    if not m:
        return None
    return m.group(1).lower(), text[m.end() : gt], gt + 1


def element_text(text: str, tag: str, start: int) -> str | None:
    """The text of the element whose start tag ends at `start` (bounded, tags removed)."""
    end = text.find("</" + tag, start, start + 600)
    chunk = text[start : end if end >= 0 else start + 300]
    return inner_text(chunk)


def finds(text: str, needle: str, limit: int, pos: int = 0) -> Iterator[int]:
    for _ in range(limit):
        i = text.find(needle, pos)
        if i < 0:
            return
        yield i
        pos = i + len(needle)


def person(text: str | None) -> str | None:
    """A plausible person or organisation name from a byline text, else None."""
    if not text:
        return None
    text = BYLINE_RE.sub("", text).strip(" ,;:|-–—·")
    if not text or text.startswith(("http://", "https://", "@")):
        return None
    if not 2 < len(text) <= 80 or len(text.split()) > 8 or "{" in text:
        return None
    return text
