"""Pure parsers for the files a curator brings in: links files, bookmarks, services' exports,
revue's own JSON export and past reviews written as plain text.

Contract:

- Pure: bytes in, `ImportResult` out. No network, no database, no clock.
- `parse_import` raises `ValueError` only when the whole file is unusable (binary, bad JSON
  for a JSON format, not an OPML document...). A bad line or entry is skipped and reported in
  `ImportResult.errors` as `(line number, reason)`; it never stops the import.
- Every record has an http(s) URL (a record without one is an error, not a record).
- Untrusted text is bounded: titles are cut to 1,000 characters, notes and other long text to
  10,000, tags to 100 characters and 200 a record; a URL longer than 8,000 is refused.
- Dates come out as ISO 8601 in UTC (`2023-11-07T14:23:00+00:00`); epoch values are read in
  seconds, milliseconds or microseconds by their magnitude (exporters disagree).
- Nothing is deduplicated here: the store merges duplicates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from revue.formats.imports.bookmarks import _parse_netscape
from revue.formats.imports.csvfiles import _parse_csv, _parse_pocket_csv
from revue.formats.imports.links import _parse_links
from revue.formats.imports.opml import _parse_opml_records
from revue.formats.imports.pinboard import _parse_pinboard
from revue.formats.imports.records import (
    RECORD_COLUMNS,
    Column,
    ImportRecord,
    ImportResult,
    ReviewRef,
    _decode,
    _valid_records,
    check_fields,
    valid_text,
)
from revue.formats.imports.review_text import _parse_review_text
from revue.formats.imports.revue_export import (
    MAX_DUMP_ENTRY,
    check_revue_item,
    header_first,
    looks_like_revue_export,
    read_revue_export,
)
from revue.formats.imports.sniff import detect_format

__all__ = [
    "FORMATS",
    "MAX_DUMP_ENTRY",
    "RECORD_COLUMNS",
    "Column",
    "ImportRecord",
    "ImportResult",
    "ReviewRef",
    "check_fields",
    "check_revue_item",
    "detect_format",
    "header_first",
    "looks_like_revue_export",
    "parse_import",
    "read_revue_export",
    "valid_text",
]

FORMATS: tuple[str, ...] = (
    "links",
    "netscape",
    "pocket-csv",
    "pocket-html",
    "pinboard",
    "csv",
    "revue-json",
    "review-text",
    "opml",
)


@dataclass(frozen=True)
class _Options:
    format: str
    year: int | None
    zone: dt.tzinfo


# Each text format's reader. OPML (bytes: its parser reads the encoding the XML declares)
# and revue's own export (streamed, see `read_revue_export`) are read apart.
_READERS: dict[str, Callable[[str, _Options], ImportResult]] = {
    "links": lambda text, _: _parse_links(text),
    "netscape": lambda text, o: _parse_netscape(text, o.format),
    "pocket-html": lambda text, o: _parse_netscape(text, o.format),
    "pocket-csv": lambda text, _: _parse_pocket_csv(text),
    "csv": lambda text, _: _parse_csv(text),
    "pinboard": lambda text, _: _parse_pinboard(text),
    "review-text": lambda text, o: _parse_review_text(text, o.year, o.zone),
}


def parse_import(
    data: bytes,
    *,
    format: str = "auto",
    filename: str | None = None,
    year: int | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> ImportResult:
    """Parse an import file. `format` is one of `FORMATS` or "auto" (see `detect_format`);
    `year` dates review headers written without one, and the items of a review known only by
    its days are dated noon of their day in `zone` (the curator's). Raises ValueError for
    an unusable file.

    Every text in the result is valid Unicode without control or bidi characters
    (`valid_text`): an import is text from outside, made safe once, here, where it enters."""
    if format == "auto":
        format = detect_format(data, filename)
    if format not in FORMATS:
        raise ValueError(f"unknown import format {format!r} (known: {', '.join(FORMATS)})")
    if format == "opml":
        return _valid_records(_parse_opml_records(data))
    if format == "revue-json":
        # revue's own export is read as it is stored, a record at a time, and restored as
        # it is read: `read_revue_export`, not a list of records.
        raise ValueError("revue's own export is read by read_revue_export, not parse_import")
    return _valid_records(_READERS[format](_decode(data), _Options(format, year, zone)))
