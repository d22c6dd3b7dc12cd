"""Pure parsers for the files a curator brings in: links files, bookmarks, services' exports,
revue's own JSON export and past reviews written as plain text.

Contract:

- Pure: a file's bytes in (`open_import` reads an open file a piece at a time: memory holds
  a line or a chunk, not the file), records out as they are read. No network, no database,
  no clock.
- `open_import` and `parse_import` raise `ValueError` only when the whole file is unusable (binary, bad JSON
  for a JSON format, not an OPML document...). A bad line or entry is skipped and reported in
  `errors` as `(line number, reason)`; it never stops the import.
- Every record has an http(s) URL (a record without one is an error, not a record).
- Untrusted text is bounded: titles are cut to 1,000 characters, notes and other long text to
  10,000, tags to 100 characters and 200 a record; a URL longer than 8,000 is refused.
- Dates come out as ISO 8601 in UTC (`2023-11-07T14:23:00+00:00`); epoch values are read in
  seconds, milliseconds or microseconds by their magnitude (exporters disagree).
- Nothing is deduplicated here: the store merges duplicates.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from revue.formats.imports.bookmarks import read_bookmarks
from revue.formats.imports.csvfiles import read_csv, read_pocket_csv
from revue.formats.imports.links import read_links
from revue.formats.imports.opml import read_opml
from revue.formats.imports.pinboard import _parse_pinboard
from revue.formats.imports.records import (
    RECORD_COLUMNS,
    Column,
    ImportRecord,
    ImportResult,
    ImportStream,
    ReviewRef,
    _decode,
    check_fields,
    valid_records,
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
from revue.formats.imports.sniff import HEAD, detect_format, format_of
from revue.formats.imports.source import encoding_of, peek, physical_lines, text_chunks

__all__ = [
    "FORMATS",
    "MAX_DUMP_ENTRY",
    "RECORD_COLUMNS",
    "Column",
    "ImportRecord",
    "ImportResult",
    "ImportStream",
    "ReviewRef",
    "check_fields",
    "check_revue_item",
    "detect_format",
    "format_of_file",
    "header_first",
    "looks_like_revue_export",
    "open_import",
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


_Errors = list[tuple[int, str]]

# The formats read as a stream: from the text's chunks, records handed on as they are read.
_STREAMED: dict[str, Callable[[Iterator[str], _Errors, _Options], Iterator[ImportRecord]]] = {
    "links": lambda text, errors, _: read_links(physical_lines(text), errors),
    "netscape": lambda text, errors, o: read_bookmarks(text, errors, o.format),
    "pocket-html": lambda text, errors, o: read_bookmarks(text, errors, o.format),
    "pocket-csv": lambda text, errors, _: read_pocket_csv(physical_lines(text), errors),
    "csv": lambda text, errors, _: read_csv(physical_lines(text), errors),
}
# The formats read whole: a JSON document, and past reviews, whose dates are read from the
# whole of each review. OPML (read from its bytes, in the encoding it declares) and revue's
# own export (restored as it is read: `read_revue_export`) are read apart.
_WHOLE: dict[str, Callable[[str, _Options], ImportResult]] = {
    "pinboard": lambda text, _: _parse_pinboard(text),
    "review-text": lambda text, o: _parse_review_text(text, o.year, o.zone),
}


def open_import(
    handle: BinaryIO,
    *,
    format: str = "auto",
    filename: str | None = None,
    year: int | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> ImportStream:
    """Read an import file from `handle` (a seekable binary file, read from its start), its
    records handed on as they are read. `format` is one of `FORMATS` or "auto" (see
    `detect_format`); `year` dates review headers written without one, and the items of a
    review known only by its days are dated noon of their day in `zone` (the curator's).
    Raises ValueError for an unusable file, before any record is read.

    Every text of the records is valid Unicode without control or bidi characters
    (`valid_text`): an import is text from outside, made safe once, here, where it enters."""
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"unknown import format {format!r} (known: {', '.join(FORMATS)})")
    if format == "opml":
        return _whole(read_opml(handle.read()))
    start = handle.tell()
    encoding = encoding_of(handle)
    handle.seek(start)
    head, chunks = peek(text_chunks(handle, encoding), HEAD)
    whole: list[str] = []

    def read_whole() -> str:
        if not whole:
            whole.append("".join(chunks))
        return whole[0]

    if format == "auto":
        format = format_of(head, filename, read_whole)
    if format == "opml":
        handle.seek(start)
        return _whole(read_opml(handle.read()))
    if format == "revue-json":
        # revue's own export is read as it is stored, a record at a time, and restored as
        # it is read: `read_revue_export`, not a list of records.
        raise ValueError("revue's own export is read by read_revue_export, not open_import")
    options = _Options(format, year, zone)
    if format in _WHOLE:
        return _whole(_WHOLE[format](read_whole(), options))
    errors: _Errors = []
    text: Iterator[str] = iter(whole) if whole else chunks
    return ImportStream(
        format, valid_records(_STREAMED[format](text, errors, options), errors), errors
    )


def format_of_file(handle: BinaryIO, filename: str | None = None) -> str:
    """`detect_format` of the file `handle` (seekable, read from its start, left there),
    from its first characters: only a JSON file is read whole (its shape is in its records).
    Raises ValueError as `detect_format` does."""
    start = handle.tell()
    head = handle.read(4 * HEAD)  # HEAD characters at most 4 bytes each

    def whole() -> str:
        return _decode(head + handle.read())

    try:
        return format_of(_decode(head)[:HEAD], filename, whole)
    finally:
        handle.seek(start)


def _whole(result: ImportResult) -> ImportStream:
    return ImportStream(result.format, valid_records(result.records, result.errors), result.errors)


def parse_import(
    data: bytes,
    *,
    format: str = "auto",
    filename: str | None = None,
    year: int | None = None,
    zone: dt.tzinfo = dt.UTC,
) -> ImportResult:
    """`open_import` of bytes held whole, its records all read."""
    stream = open_import(io.BytesIO(data), format=format, filename=filename, year=year, zone=zone)
    return ImportResult(stream.format, list(stream.records), stream.errors)
