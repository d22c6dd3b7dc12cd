"""Which format an import file is, read from its content (`detect_format`)."""

from __future__ import annotations

import re
from collections.abc import Callable

from revue.formats.imports.csvfiles import _csv_header
from revue.formats.imports.records import _decode, _json

_REVIEW_HEADER = re.compile(
    r"^\s*(?:revue de presse\b.*?\bdu\s+\d|.*\bpress review\b.*?\b[A-Z][a-z]+ \d)",
    re.IGNORECASE | re.MULTILINE,
)


HEAD = 65536  # characters of a file's text its format is read from (a JSON file aside)


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Which of `FORMATS` the file is, read from its content; `filename` only breaks ties.

    Raises ValueError("not a text file") for binary data and for JSON of an unknown shape.
    """
    text = _decode(data)
    return format_of(text[:HEAD], filename, lambda: text)


def format_of(text: str, filename: str | None, whole: Callable[[], str]) -> str:
    """`detect_format` from the first `HEAD` characters of a file's text; `whole()` gives
    all of it, which a JSON file needs (its shape is read from its records)."""
    head = text[:4096].lstrip().lower()
    name = (filename or "").lower()
    if head.startswith(("{", "[")):
        parsed = _json(whole())
        if isinstance(parsed, dict) and parsed.get("format") == "revue-export":
            return "revue-json"
        if isinstance(parsed, list) and any(
            isinstance(entry, dict) and "href" in entry for entry in parsed[:20]
        ):
            return "pinboard"
        if isinstance(parsed, list) and not parsed:
            return "pinboard"
        raise ValueError("JSON file of an unknown shape (expected a revue or Pinboard export)")
    if "<opml" in head:
        return "opml"
    if "<!doctype netscape" in head:
        return "netscape"
    if "<" in head[:200] and ("pocket export" in head or "time_added=" in head):
        return "pocket-html"
    if re.search(r"<dl[\s>]", head) or head.startswith(("<!doctype html", "<html")):
        return "netscape"
    header = _csv_header(text)
    if header is not None:
        if "time_added" in header:
            return "pocket-csv"
        return "csv"
    if _REVIEW_HEADER.search(text[:HEAD]):
        return "review-text"
    if name.endswith((".opml", ".xml")) and "<" in head[:100]:
        return "opml"
    return "links"
