"""Text from outside made safe to store and to print: the one function every entry calls.

Pure: no I/O. Text enters revue through web pages, oEmbed answers, feeds, import files,
the config, files given on the command line and the curator's own options; each of those
entries calls `clean_text` (or `clean_json` for parsed JSON) once, so that everything
stored and everything printed from it holds these invariants:

- Valid Unicode: a lone surrogate (JSON's `"\\ud800"`) cannot be encoded to UTF-8 and would
  fail the database, every file and the terminal; it becomes U+FFFD.
- No control characters: C0 controls, DEL and C1 controls are dropped (a NUL, an ESC
  sequence or a form feed would corrupt a terminal, a Markdown review and make an Atom feed
  ill-formed XML), except tab and newline; CR and CRLF become newline. The noncharacters
  U+FFFE and U+FFFF, which XML cannot hold, are dropped too.
- With `keep_bidi=False` (what pages, feeds and imports say), the bidirectional embedding,
  override and isolate controls (U+202A-U+202E, U+2066-U+2069) are dropped: a title could
  otherwise reverse the text printed after it in a terminal or a review.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = ["BIDI_CONTROLS", "clean_json", "clean_optional", "clean_text", "unaccented"]

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROLS_AND_BIDI = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff{BIDI_CONTROLS}]")
# Whether a string needs any work: most text needs none, and this is the fast path.
_ANY = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{BIDI_CONTROLS}]")


def clean_text(text: str, *, keep_bidi: bool = True) -> str:
    """`text` as valid Unicode without control characters (see the module's invariants).

    `keep_bidi=False` also drops bidirectional embedding, override and isolate controls: pass it
    for text from outside (pages, feeds, imports); the curator's own text keeps them.
    """
    if not _ANY.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return (_CONTROLS if keep_bidi else _CONTROLS_AND_BIDI).sub("", text)


def clean_optional(text: str | None, *, keep_bidi: bool = True) -> str | None:
    """`clean_text` for a value that may be None (None stays None)."""
    return None if text is None else clean_text(text, keep_bidi=keep_bidi)


def clean_json(value: Any, *, keep_bidi: bool = False, max_depth: int | None = 100) -> Any:
    """A parsed JSON value with every string in it (keys too) passed through `clean_text`.

    Containers nested deeper than `max_depth` levels are dropped (None): no real answer needs
    them; `max_depth=None` keeps them all. The walk is iterative: a document json.loads
    accepted may still be too deep for a recursive one.
    """

    def clean(text: str) -> str:
        return clean_text(text, keep_bidi=keep_bidi)

    if isinstance(value, str):
        return clean(value)
    if not isinstance(value, dict | list):
        return value
    root: Any = {} if isinstance(value, dict) else []
    stack: list[tuple[Any, Any, int]] = [(value, root, 0)]
    while stack:
        source, copy, depth = stack.pop()
        pairs = source.items() if isinstance(source, dict) else enumerate(source)
        for key, child in pairs:
            if max_depth is not None and depth + 1 > max_depth and not isinstance(child, str):
                out: Any = None
            elif isinstance(child, str):
                out = clean(child)
            elif isinstance(child, dict | list):
                out = {} if isinstance(child, dict) else []
                stack.append((child, out, depth + 1))
            else:
                out = child
            if isinstance(copy, dict):
                copy[clean(str(key))] = out
            else:
                copy.append(out)
    return root


def unaccented(text: str) -> str:
    """`text` without its accents ("Éric" -> "Eric", "ﬁ" -> "fi"): decomposed (NFKD) and its
    combining marks dropped. Case is left to the caller (lower() or casefold())."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))
