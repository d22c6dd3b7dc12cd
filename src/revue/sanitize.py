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
- With `bidi=False` (what pages, feeds and imports say), the bidirectional embedding,
  override and isolate controls (U+202A-U+202E, U+2066-U+2069) are dropped: a title could
  otherwise reverse the text printed after it in a terminal or a review.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["BIDI_CONTROLS", "clean_json", "clean_optional", "clean_text"]

BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_CONTROLS_AND_BIDI = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff{BIDI_CONTROLS}]")
# Whether a string needs any work: most text needs none, and this is the fast path.
_ANY = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff{BIDI_CONTROLS}]")


def clean_text(text: str, *, bidi: bool = True) -> str:
    """`text` as valid Unicode without control characters (see the module's invariants).

    `bidi=False` also drops bidirectional embedding, override and isolate controls: pass it
    for text from outside (pages, feeds, imports); the curator's own text keeps them.
    """
    if not _ANY.search(text):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SURROGATE.sub("\ufffd", text)
    return (_CONTROLS if bidi else _CONTROLS_AND_BIDI).sub("", text)


def clean_optional(text: str | None, *, bidi: bool = True) -> str | None:
    """`clean_text` for a value that may be None (None stays None)."""
    return None if text is None else clean_text(text, bidi=bidi)


def clean_json(value: Any, *, bidi: bool = False, _depth: int = 0) -> Any:
    """A parsed JSON value with every string in it (keys too) passed through `clean_text`.

    Containers nested deeper than 100 levels are dropped (None): no real answer needs them.
    """
    if isinstance(value, str):
        return clean_text(value, bidi=bidi)
    if _depth > 100:
        return None
    if isinstance(value, dict):
        return {
            clean_text(str(k), bidi=bidi): clean_json(v, bidi=bidi, _depth=_depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [clean_json(v, bidi=bidi, _depth=_depth + 1) for v in value]
    return value
