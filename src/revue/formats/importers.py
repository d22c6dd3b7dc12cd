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

import bisect
import codecs
import csv
import datetime as dt
import html
import io
import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from revue import urls
from revue.clock import midday
from revue.monthnames import WIDE
from revue.sanitize import clean_text
from revue.urls import date_in_url

__all__ = [
    "FORMATS",
    "ImportRecord",
    "ImportResult",
    "ReviewRef",
    "detect_format",
    "parse_import",
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

MAX_TITLE = 1_000
MAX_TEXT = 10_000
MAX_URL = 8_000
MAX_TAG = 100
MAX_TAGS = 200


@dataclass
class ReviewRef:
    """The past review that published a record (from a review-text import)."""

    title: str  # "Revue de presse marketing/techno du 7 et 8 novembre"
    start: dt.date | None
    end: dt.date | None
    lang: str = "fr"
    style: str | None = None  # "classic" for a review read as text: `Title URL via @handle`


@dataclass
class ImportRecord:
    """One link to store. `url` is always an http(s) URL."""

    url: str | None
    title: str | None = None
    note: str | None = None  # comment / description / extended
    tags: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)  # tags that were written as #Hashtag
    added_at: str | None = None  # ISO 8601, UTC
    via: str | None = None
    quote: str | None = None
    lead: str | None = None
    section: str | None = None
    summary: str | None = None
    review: ReviewRef | None = None
    # Page fields that are the curator's words (a past review's title and via): kept on refetch.
    own: tuple[str, ...] = ()
    # Other stored fields read as they are, by name (site_name, author, published,
    # first_published, lang, status): a revue CSV export gives them back.
    stored: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # source line number, for messages
    extra: dict[str, Any] = field(default_factory=dict)


# Reasons for skipping an entry that was read whole: its link is of a kind revue does not
# store (javascript:, place:, a bookmarklet), or a line of prose holds no link at all.
_NOT_STORED = (
    "not an http(s) URL",
    "not a link",
    "no URL",
    "link outside any review",
    "URL too long",
)


@dataclass
class ImportResult:
    format: str
    records: list[ImportRecord]
    # (line number, reason); those lines were skipped. For JSON formats the number is the
    # record's position in its list, 0 when the message names its place itself.
    errors: list[tuple[int, str]]
    dump: dict[str, Any] | None = None  # the whole revue JSON export, for format "revue-json"

    @property
    def unreadable(self) -> list[tuple[int, str]]:
        """The skipped parts that could not be read (broken syntax, a field of the wrong
        type, text a parser lost), as opposed to entries read whole whose link revue does
        not store. An import with such parts did not bring the whole file in."""
        return [e for e in self.errors if not e[1].startswith(_NOT_STORED)]

    @property
    def position(self) -> str:
        """What `errors`' numbers count, for messages."""
        return "record" if self.format in ("pinboard", "revue-json") else "line"


# --------------------------------------------------------------------------- small helpers


def _clip(text: str | None, limit: int) -> str | None:
    """Strip, and cut pathological values; an empty string becomes None."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return text[:limit] if len(text) > limit else text


def _one_line(text: str | None, limit: int = MAX_TITLE) -> str | None:
    if text is None:
        return None
    return _clip(" ".join(text.split()), limit)


def _tags(values: Iterable[str]) -> list[str]:
    """Clean tags: stripped, bounded, no empties, first spelling of duplicates kept."""
    out: list[str] = []
    seen: set[str] = set()
    for value in values:
        tag = " ".join(value.split())[:MAX_TAG]
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            out.append(tag)
        if len(out) >= MAX_TAGS:
            break
    return out


_SPACE = re.compile(r"\s")  # what str.isspace() calls a blank
# An http(s) URL with a plain host name and nothing urlsplit could refuse or read otherwise:
# what the slow path below accepts too, decided by one regex.
_PLAIN_URL = re.compile(
    r"(?i:https?)://[A-Za-z0-9](?:[A-Za-z0-9.-]*)(?::[0-9]{1,5})?(?:[/?#]\S*)?\Z"
)


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be stored, or None when it is a usable http(s) URL."""
    if not url:
        return "no URL"
    if len(url) > MAX_URL:
        return "URL too long"
    if _PLAIN_URL.match(url):
        return None  # the common case, without urlsplit: imports check millions
    if _SPACE.search(url):  # a regex, not a loop over characters
        return "not an http(s) URL"
    try:
        parts = urlsplit(url)
    except ValueError:
        return "not an http(s) URL"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    return None


def _why(problem: str, url: str) -> str:
    return f"{problem}: {url[:80]}" if url else problem


_EPOCH_1601 = 11_644_473_600  # seconds between 1601-01-01 (WebKit epoch) and 1970-01-01


def _from_epoch(value: float) -> str | None:
    # Magnitude tells the unit: seconds until year 5138 stay below 1e11, and so on.
    if value < 1e11:
        seconds = value
    elif value < 1e14:
        seconds = value / 1e3
    elif value < 1e16:
        seconds = value / 1e6
    elif value < 1e18:
        seconds = value / 1e6 - _EPOCH_1601  # Chrome's internal WebKit microseconds
    else:
        return None
    if seconds <= 0:
        return None
    try:
        stamp = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).replace(microsecond=0)
    except (OverflowError, OSError, ValueError):
        return None
    if not 1990 <= stamp.year <= 2200:
        return None
    return stamp.isoformat()


_EPOCH_TEXT = re.compile(r"\d+(\.\d+)?")


def _to_iso(value: Any) -> str | None:
    """A date from an export (epoch number, ISO text, "2023-11-07 14:03") as ISO 8601 UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if _EPOCH_TEXT.fullmatch(text):
        return _from_epoch(float(text))
    try:
        parsed = dt.datetime.fromisoformat(text.replace(" UTC", "+00:00"))
    except ValueError:
        match = re.match(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})", text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
        try:
            parsed = dt.datetime(year, month, day)
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)  # exports without a zone are UTC in practice
    return parsed.astimezone(dt.UTC).replace(microsecond=0).isoformat()


_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_text(text: str) -> str:
    """`text` as valid Unicode: a lone surrogate (JSON's `"\\ud800"`, which no UTF-8
    encoder, SQLite's included, accepts) becomes U+FFFD. Text is repaired rather than its
    record refused: one bad character in a title should not cost the bookmark. Control
    characters and bidi overrides go too (`sanitize.clean_text`, the one gate of outside
    text): a NUL or an ESC in a note would reach the review and make its feed ill-formed."""
    return clean_text(text, bidi=False)


def _decode(data: bytes) -> str:
    """Bytes as text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252. A UTF-8 file
    with a few bad bytes stays UTF-8 (each bad byte becomes U+FFFD): read as Windows-1252,
    every accented letter of the file would be garbled for the sake of one byte."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise ValueError("not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8-sig", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    multibyte = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    if multibyte > bad:  # more well-formed UTF-8 sequences than broken ones
        return text
    return data.decode("cp1252", errors="replace")


def _line_of(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


# --------------------------------------------------------------------------- detection

_REVIEW_HEADER = re.compile(
    r"^\s*(?:revue de presse\b.*?\bdu\s+\d|.*\bpress review\b.*?\b[A-Z][a-z]+ \d)",
    re.IGNORECASE | re.MULTILINE,
)
_URL_COLUMNS = ("url", "link", "href", "uri", "address", "bookmark")
_DATE_COLUMNS = (
    "created",
    "created_at",
    "added",
    "added_at",
    "date_added",
    "time_added",
    "saved",
    "date",
    "timestamp",
)


def _delimiter(text: str) -> str:
    """The separator of a CSV file, read off its header line (spreadsheets in French locales
    write semicolons). csv.Sniffer is not used: on a header without quotes it guesses
    doublequote=False and then misreads every "" in the rows."""
    first = text.split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


def _column(name: str) -> str:
    """A header cell as a lookup key: "Date Added" -> "date_added"."""
    return re.sub(r"[\s-]+", "_", name.strip().strip('"').strip().lower())


def _csv_header(text: str) -> list[str] | None:
    first = text.split("\n", 1)[0].strip()
    if "," not in first and ";" not in first and "\t" not in first:
        return None
    try:
        row = next(csv.reader([first], delimiter=_delimiter(first)))
    except (csv.Error, StopIteration):
        return None
    names = [_column(c) for c in row]
    if any(name in _URL_COLUMNS for name in names):
        return names
    return None


def detect_format(data: bytes, filename: str | None = None) -> str:
    """Which of `FORMATS` the file is, read from its content; `filename` only breaks ties.

    Raises ValueError("not a text file") for binary data and for JSON of an unknown shape.
    """
    text = _decode(data)
    head = text[:4096].lstrip().lower()
    name = (filename or "").lower()
    if head.startswith(("{", "[")):
        parsed = _json(text)
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
    if _REVIEW_HEADER.search(text[:65536]):
        return "review-text"
    if name.endswith((".opml", ".xml")) and "<" in head[:100]:
        return "opml"
    return "links"


# --------------------------------------------------------------------------- plain links

_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"“”«»]+", re.IGNORECASE)


def _parse_links(text: str) -> ImportResult:
    """A list of links, one a line: the URL (an address from its `www.` on is https), then
    its title if the line goes on. Blank lines and `#` comments are skipped; a line that is
    not a link is reported (`not a link: 'pas une url'`) and skipped, the others kept.
    What `import` reads from a links file and `add -` / `add --file` from theirs."""
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url, _, rest = line.partition(" ")
        url = urls.with_scheme(url.strip("<>"))
        problem = _url_problem(url)
        if problem == "not an http(s) URL" and ":" not in url:
            errors.append((number, f"not a link: {line[:80]!r}"))  # prose, not an address
            continue
        if problem:
            errors.append((number, f"{problem}: {line[:80]}"))
            continue
        records.append(ImportRecord(url=url, title=_one_line(rest), line=number))
    return ImportResult("links", records, errors)


# --------------------------------------------------------------------------- Netscape HTML

# Read as a stream of tags, not as a tree: browsers (Chrome), buku and revue itself never
# close <DT>, and a tree-building HTML parser nests each unclosed <DT> in the previous one
# until its depth limit (libxml2: 256), silently dropping every bookmark after about 250.
# Events have no depth: a 50,000-bookmark file is read whole, folders being a plain stack.

# Tags that end the text of a <DD>: the note stops where the next bookmark or folder begins.
_NOTE_ENDS = frozenset({"dt", "dd", "dl", "a", "h1", "h2", "h3", "hr", "li", "ul", "ol"})
_ANCHOR_RE = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE)
_ANCHOR_WITH_HREF = re.compile(r"<a\s[^>]*?\bhref\s*=", re.IGNORECASE)
_COMMENT_RE = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)


def _anchor_title(parsed: str, line: int | None, lines: list[str]) -> str | None:
    """The bookmark's title. Some exporters (buku among them) write titles unescaped, so
    "A <b> title" would lose "<b>" to the HTML parser: when the anchor's line holds raw
    markup, its text is taken from the source instead, as the exporter meant it."""
    if line and 0 < line <= len(lines) and "<" in lines[line - 1].split(">", 2)[-1]:
        match = _ANCHOR_RE.search(lines[line - 1])
        if match and "<" in match.group(1):
            return _one_line(html.unescape(match.group(1)))
    return _one_line(parsed)


# A start tag as bookmark files write it: a name, then name="value" attributes. Read by one
# regex, it gives what HTMLParser's general (and five times slower) reading gives; any
# other shape of tag is left to HTMLParser.
# Blanks are ASCII ones: where HTMLParser ends a tag's name.
_PLAIN_START = re.compile(
    r'<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_][-a-zA-Z0-9_]*="[^"]*")*)[ \t\n\r\f]*>'
)
# Elements whose text HTMLParser reads as text in some Python versions (script and style in
# all, title and textarea since 3.13.4): their start tags are left to it.
_RAW_TEXT = frozenset({"script", "style", "title", "textarea"})
_PLAIN_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>")
_PLAIN_ATTR = re.compile(r'[ \t\n\r\f]+([a-zA-Z_][-a-zA-Z0-9_]*)="([^"]*)"')


class _BookmarkReader(HTMLParser):
    """Netscape bookmarks (and Pocket's HTML export) as `ImportRecord`s, tag by tag."""

    def __init__(self, fmt: str, lines: list[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.fmt = fmt
        self.lines = lines
        self.records: list[ImportRecord] = []
        self.errors: list[tuple[int, str]] = []
        self.anchor_lines: list[int] = []  # where each <A HREF> read starts
        self.folders: list[str | None] = []  # one entry per open <DL>: its <H3>, if any
        self.next_folder: str | None = None  # the last <H3>, naming the <DL> that follows
        self.heading: tuple[str, list[str]] | None = None  # open <H1>/<H3> and its text
        self.anchor: tuple[dict[str, str | None], int, list[str]] | None = None
        self.note: tuple[ImportRecord, list[str]] | None = None  # open <DD> and its text
        self.last: ImportRecord | None = None  # the bookmark a <DD> would describe
        self.pocket_status: str | None = None

    def parse_starttag(self, i: int) -> int:
        match = _PLAIN_START.match(self.rawdata, i)
        if match is None:
            return super().parse_starttag(i)
        tag = match.group(1).lower()
        if tag in self.CDATA_CONTENT_ELEMENTS or tag in _RAW_TEXT:
            return super().parse_starttag(i)
        self.lasttag = tag
        attrs: list[tuple[str, str | None]] = [
            (name.lower(), html.unescape(value) if value else value)
            for name, value in _PLAIN_ATTR.findall(match.group(2))
        ]
        self.handle_starttag(tag, attrs)
        return match.end()

    def parse_endtag(self, i: int) -> int:
        match = _PLAIN_END.match(self.rawdata, i)
        if match is None or self.cdata_elem is not None:
            return super().parse_endtag(i)
        self.handle_endtag(match.group(1).lower())
        self.clear_cdata_mode()
        return match.end()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOTE_ENDS:
            self._end_note()
        if tag == "a":
            self._end_anchor()
            self.next_folder = None
            line = self.getpos()[0]
            self.anchor = (dict(attrs), line, [])
        elif tag in ("h1", "h3"):
            self._end_anchor()
            self._end_heading()
            self.last = None
            self.heading = (tag, [])
        elif tag == "dl":
            self._end_anchor()
            self._end_heading()
            self.folders.append(self.next_folder)
            self.next_folder = None
        elif tag == "dd":
            self._end_anchor()
            if self.last is not None and self.last.note is None:
                self.note = (self.last, [])
            self.last = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_anchor()
        elif tag in ("h1", "h3"):
            self._end_heading()
        elif tag == "dd":
            self._end_note()
        elif tag == "dl":
            self._end_note()
            self._end_anchor()
            if self.folders:
                self.folders.pop()
            self.next_folder = None

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor[2].append(data)
        if self.heading is not None:
            self.heading[1].append(data)
        if self.note is not None:
            self.note[1].append(data)

    def finish(self) -> None:
        self.close()
        self._end_anchor()
        self._end_heading()
        self._end_note()

    def _end_note(self) -> None:
        if self.note is not None:
            record, parts = self.note
            record.note = _clip("".join(parts), MAX_TEXT)
            self.note = None

    def _end_heading(self) -> None:
        if self.heading is None:
            return
        tag, parts = self.heading
        self.heading = None
        text = "".join(parts)
        if tag == "h1":
            self.pocket_status = "archive" if "archive" in text.lower() else "unread"
        else:
            self.next_folder = _one_line(text, MAX_TAG)

    def _end_anchor(self) -> None:
        if self.anchor is None:
            return
        attrs, line, parts = self.anchor
        self.anchor = None
        self.last = None
        if "href" not in attrs:
            return
        self.anchor_lines.append(line)
        href = (attrs.get("href") or "").strip()
        if not href:
            return
        problem = _url_problem(href)
        if problem:
            self.errors.append((line, _why(problem, href)))
            return
        added = attrs.get("add_date") or attrs.get("time_added")
        record = ImportRecord(
            url=href,
            title=_anchor_title("".join(parts), line, self.lines),
            tags=_tags((attrs.get("tags") or "").split(",")),
            added_at=_to_iso(added),
            line=line,
        )
        if self.fmt == "netscape":
            folders = [name for name in self.folders if name]
            if folders:
                record.extra["folder"] = "/".join(folders)
            shortcut = attrs.get("shortcuturl")
            if shortcut:
                record.extra["keyword"] = shortcut[:MAX_TAG]
        elif self.pocket_status:
            record.extra["status"] = self.pocket_status
        self.records.append(record)
        self.last = record


def _unread_anchor(text: str, read_lines: list[int]) -> tuple[int, int] | None:
    """(line of the first one, how many): the <A HREF> tags of the source that the reader
    did not see. None when it saw them all. A safety net: whatever the parser's limits,
    an import never loses bookmarks without saying so."""
    source = _COMMENT_RE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found = [m.start() for m in _ANCHOR_WITH_HREF.finditer(source)]
    if len(found) <= len(read_lines):
        return None
    seen = Counter(read_lines)
    first: int | None = None
    for offset in found:
        line = _line_of(source, offset)
        if seen[line] > 0:
            seen[line] -= 1
        else:
            first = line
            break
    return (first or 0), len(found) - len(read_lines)


def _parse_netscape(text: str, fmt: str = "netscape") -> ImportResult:
    reader = _BookmarkReader(fmt, text.splitlines())
    reader.feed(text)
    reader.finish()
    errors = reader.errors
    unread = _unread_anchor(text, reader.anchor_lines)
    if unread is not None:
        line, count = unread
        errors.append((line, f"{count} bookmark(s) from here on could not be read"))
    return ImportResult(fmt, reader.records, sorted(errors, key=lambda e: e[0]))


# --------------------------------------------------------------------------- CSV exports


_ERR = "\x00error"  # key of a pseudo-row reporting a CSV syntax error


# The guard of a cell: one quote, then any quotes the text itself starts with, then a
# formula sign (revue's exporter adds one quote before "'=x" too, so "''=x" reads "'=x").
_FORMULA_GUARD = re.compile("''*[=+\\-@\t\r]")


def _undefuse(cell: str) -> str:
    """Take off the quote a CSV exporter (ours included) puts before =, +, -, @ so that a
    spreadsheet does not run the cell as a formula."""
    if _FORMULA_GUARD.match(cell):
        return cell[1:]
    return cell


_CSV_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CSV_FIELD_LIMIT = 256 * 1024 * 1024  # above any file import accepts: no cell is cut short


def _csv_rows(text: str) -> Iterator[tuple[int, int, dict[str, str]]]:
    """(first and last line numbers of the record, row keyed by lower-case column name)."""
    # The csv module's default cap (128 KB a cell) would report a long note as a broken row;
    # the cell is read whole and cut to size like any other text.
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [_column(c) for c in next(reader)]
    except (StopIteration, csv.Error):
        return
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, reader.line_num, {_ERR: str(exc)}
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            cells = {name: _undefuse(value) for name, value in zip(header, row, strict=False)}
            yield start, reader.line_num, cells
        start = reader.line_num + 1


def _row_url(
    line: str, delimiter: str, header: list[str], url_of: Callable[[dict[str, str]], str | None]
) -> str | None:
    """The usable link of one physical line read as a row on its own, if it holds one."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:
        return None
    url = (url_of(dict(zip(header, cells, strict=False))) or "").strip()
    return url if url and _url_problem(url) is None else None


def _swallowed_row(
    lines: list[str],
    start: int,
    end: int,
    header: list[str],
    url_of: Callable[[dict[str, str]], str | None],
) -> int | None:
    """The first line after `start` of a record spanning lines `start`..`end` that reads as
    a row of its own with a usable link: a quote left open has made it part of a cell, and
    the rows up to the next quote would vanish into one cell without a word. The last line
    closes the cell: it counts only when the record's own link came before the quote (a
    title cell breaking over lines legitimately ends with the rest of its row)."""
    delimiter = _delimiter(lines[0] if lines else "")
    end = min(end, len(lines))
    for number in range(start + 1, end + 1):
        if number == end and _row_url(lines[start - 1], delimiter, header, url_of) is None:
            break
        if _row_url(lines[number - 1], delimiter, header, url_of) is not None:
            return number
    return None


def _csv_links(
    text: str, errors: list[tuple[int, str]], url_of: Callable[[dict[str, str]], str | None]
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, row, URL) for each CSV row holding a usable link; a row that does not parse or
    whose URL is unusable goes to `errors` with its line number. A quote left open (which
    would make the rows after it one cell) is reported, and reading starts again at the
    first row it swallowed."""
    lines = _CSV_LINE_BREAK.split(text)  # as the csv module counts lines, not str.splitlines
    header = [_column(c) for c in next(csv.reader(lines[:1], delimiter=_delimiter(text)), [])]
    offset = 0  # lines of the file before the part being read (its header line aside)
    part = text
    while part:
        resume: int | None = None
        for line, last, row in _csv_rows(part):
            line, last = line + offset, last + offset
            if _ERR in row:
                errors.append((line, f"bad CSV: {row[_ERR]}"))
                continue
            if last > line:  # a cell holds line breaks: did an open quote swallow rows?
                resume = _swallowed_row(lines, line, last, header, url_of)
                if resume is not None:
                    errors.append(
                        (line, f"bad CSV: a quote opened here is never closed (read again "
                         f"from line {resume})")
                    )  # fmt: skip
                    break
            url = (url_of(row) or "").strip()
            problem = _url_problem(url)
            if problem:
                errors.append((line, _why(problem, url)))
                continue
            yield line, row, url
        if resume is None:
            return
        offset = resume - 2
        part = "\n".join([lines[0], *lines[resume - 1 :]])


def _pick(row: Mapping[str, str], *names: str) -> str | None:
    for name in names:
        value = row.get(name)
        if value is not None and value.strip():
            return value
    return None


def _split_tags(cell: str | None) -> list[str]:
    if not cell:
        return []
    for separator in ("|", ",", ";"):
        if separator in cell:
            return _tags(cell.split(separator))
    return _tags([cell])


def _parse_pocket_csv(text: str) -> ImportResult:
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for line, row, url in _csv_links(text, errors, lambda row: row.get("url")):
        title = _one_line(row.get("title"))
        record = ImportRecord(
            url=url,
            title=None if title == url else title,  # Pocket writes the URL when untitled
            tags=_tags((row.get("tags") or "").split("|")),
            added_at=_to_iso(row.get("time_added")),
            line=line,
        )
        if row.get("status"):
            record.extra["status"] = row["status"].strip()
        records.append(record)
    return ImportResult("pocket-csv", records, errors)


_STORED_COLUMNS = {  # column: longest value kept
    "site_name": MAX_TITLE,
    "author": MAX_TITLE,
    "published": 64,
    "first_published": 64,
    "lang": 35,
}
_STATUSES = ("pending", "ok", "failed", "blocked")


def _stored_fields(row: Mapping[str, str]) -> dict[str, str]:
    """The page fields and fetch status a revue CSV export carries, as they were stored."""
    out: dict[str, str] = {}
    for name, limit in _STORED_COLUMNS.items():
        value = _one_line(row.get(name), limit)
        if value:
            out[name] = value
    status = (row.get("status") or "").strip().lower()
    if status in _STATUSES:  # other tools' "unread" or "archive" are not a fetch status
        out["status"] = status
    return out


_CSV_FIELDS: dict[str, tuple[str, ...]] = {  # a record's field: its columns, first found wins
    "hashtag": ("hashtags",),
    "title": ("title", "name"),
    "note": ("note", "comment", "comments", "notes"),
    "summary": ("summary", "excerpt", "description"),
    "tag": ("tags", "tag", "labels", "keywords"),
    "date": _DATE_COLUMNS,
    "via": ("via",),
    "section": ("section",),
    "lead": ("lead",),
    "quote": ("quote",),
    "folder": ("folder", "collection"),
}


def _parse_csv(text: str) -> ImportResult:
    """Any CSV with a header naming a URL column (Raindrop, Instapaper, spreadsheets...)."""
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    # Each field's candidate columns narrowed to those the rows have (the header's), again
    # only when a row brings a new key: a million lookups of absent names cost more than
    # the rest of a row.
    columns: set[str] = set()
    names: dict[str, tuple[str, ...]] = {}
    for line, row, url in _csv_links(text, errors, lambda row: _pick(row, *_URL_COLUMNS)):
        if not columns.issuperset(row):
            columns.update(row)
            names = {
                field: present
                for field, candidates in _CSV_FIELDS.items()
                if (present := tuple(name for name in candidates if name in columns))
            }
        cell = {field: _pick(row, *candidates) for field, candidates in names.items()}.get
        hashtags = _split_tags(cell("hashtag"))
        record = ImportRecord(
            url=url,
            title=_one_line(cell("title")),
            note=_clip(cell("note"), MAX_TEXT),
            summary=_clip(cell("summary"), MAX_TEXT),
            tags=_split_tags(cell("tag")),
            hashtags=hashtags,
            added_at=_to_iso(cell("date")),
            via=_one_line(cell("via"), MAX_TAG),
            section=_one_line(cell("section"), MAX_TAG),
            lead=_one_line(cell("lead")),
            quote=_clip(cell("quote"), MAX_TEXT),
            stored=_stored_fields(row),
            line=line,
        )
        lone_description = "excerpt" not in row and "summary" not in row
        if record.note is None and record.summary is not None and lone_description:
            # A lone "description" column is the curator's text more often than the page's.
            record.note, record.summary = record.summary, None
        folder = _one_line(cell("folder"), MAX_TITLE)
        if folder:
            record.extra["folder"] = folder
        records.append(record)
    return ImportResult("csv", records, errors)


# --------------------------------------------------------------------------- JSON exports


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValueError(f"not valid JSON: {exc}") from None
    except RecursionError:
        # No export nests more than a few levels; thousands of brackets are an attack.
        raise ValueError("not valid JSON: nested too deeply") from None


def _kind_of(value: Any) -> str:
    """What a JSON value is, in the words of a message ("a number", "a list")."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _text_field(record: Mapping[str, Any], name: str) -> str | None:
    """`record[name]` when it is text or absent/null; ValueError naming the field if not."""
    value = record.get(name)
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"{name} is {_kind_of(value)}, not text")


def _int_field(record: Mapping[str, Any], name: str) -> int | None:
    value = record.get(name)
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    raise ValueError(f"{name} is {_kind_of(value)}, not a whole number")


# ------------------------------------------------------------------ the fields of an export

INT64_MAX = 2**63 - 1  # SQLite's INTEGER: a larger whole number cannot be stored at all


@dataclass(frozen=True)
class Column:
    """What one field of an export's record may hold, from the SQLite column it is stored in
    (tests/test_import_reliability.py holds this table to the schema the migrations make).

    `type`: "integer" (a whole number from `low` to `high`), "real" (a finite number),
    "text", "flag" (true/false or 0/1), "date" (YYYY-MM-DD: the days every command that
    composes or publishes reads), "texts" (a list of text) or "ids" (a list of item ids).
    A time (added_at, fetched_at...) is text: revue compares them as text and reads none
    without a fallback, so an odd one from an older export is kept. `required`: never null."""

    type: str
    low: int = 0
    high: int = INT64_MAX
    required: bool = False


_TEXT = Column("text")
_ID = Column("integer", 1)
_TEXTS = Column("texts")

_ITEM_TEXTS = (
    "kind", "url", "original_url", "title", "summary", "site_name", "via", "author", "published",
    "first_published", "canonical", "lang", "image", "note", "lead", "quote", "section",
    "status", "error", "content_type", "source", "review_date",
)  # fmt: skip
# Every field of every record of an export, by record: checked by `check_fields` alone, so a
# field is never stored without its type and range known. Fields absent from a table are
# not read by the restore (a key of the file never becomes SQL).
RECORD_COLUMNS: dict[str, dict[str, Column]] = {
    "item": {
        "id": Column("integer", 1, required=True),
        **dict.fromkeys(_ITEM_TEXTS, _TEXT),
        "http_status": Column("integer", 0, 999),
        "attempts": Column("integer", 0, 2**31 - 1),  # counted up by each fetch
        "paywalled": Column("flag"),
        "starred": Column("flag"),
        "position": Column("real"),
        "added_at": _TEXT,
        "fetched_at": _TEXT,
        "next_attempt_at": _TEXT,
        "review": _ID,  # the review that published it (an id of the file's reviews)
        **dict.fromkeys(("tags", "hashtags", "keys", "user_fields"), _TEXTS),
    },
    "review": {
        "id": Column("integer", 1, required=True),
        **dict.fromkeys(("title", "lang", "style", "format", "path", "sha256"), _TEXT),
        # Every command that composes or publishes reads them as days.
        "start": Column("date"),
        "end": Column("date"),
        "composed_at": _TEXT,
        "item_count": Column("integer"),
        "imported": Column("flag"),
        "kind": Column("text"),  # NULL: a weekly review; "recap-tag"/"recap-section": a recap
        "items": Column("ids"),
    },
    "file": {  # a file a review was written to
        "path": Column("text", required=True),
        "format": _TEXT,
        "sha256": _TEXT,
        "written_at": _TEXT,
    },
    "post": {  # where a review was published
        "site": Column("text", required=True),
        # A blog's post number, or `ref`: a target's own name for it (a newsletter's
        # Message-ID, a Buttondown email's id); a post with neither is left out.
        "post_id": Column("integer", 1),
        "ref": _TEXT,
        "link": _TEXT,
        "status": _TEXT,
        "modified_gmt": _TEXT,
        "content_sha256": _TEXT,
        "published_at": _TEXT,
    },
    "feed": {
        "id": _ID,
        **dict.fromkeys(
            ("url", "title", "site_url", "match", "etag", "last_modified", "status", "error"),
            _TEXT,
        ),
        "added_at": _TEXT,
        "pulled_at": _TEXT,
        "tags": _TEXTS,
    },
    "skip": {
        "item_id": Column("integer", 1, required=True),
        "start": Column("date", required=True),
        "end": Column("date", required=True),
        "review_id": _ID,
        "skipped_at": Column("text", required=True),
    },
}
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


def _plan(columns: Mapping[str, Column]) -> tuple[tuple[str, ...], tuple[Any, ...]]:
    """A table as `check_fields` walks it: the optional text fields (most of them, checked
    in one tight loop), then the others as (name, type, low, high, required, column)."""
    texts = tuple(n for n, c in columns.items() if c.type == "text" and not c.required)
    others = tuple(
        (n, c.type, c.low, c.high, c.required, c) for n, c in columns.items() if n not in texts
    )
    return texts, others


_PLANS = {record: _plan(columns) for record, columns in RECORD_COLUMNS.items()}


def check_fields(record: Mapping[str, Any], kind: str) -> None:
    """Each field of `record` (an "item", "review", "file", "post", "feed" or "skip" of an
    export) that `RECORD_COLUMNS[kind]` lists, checked to its column's type and range;
    ValueError naming the first bad one. The common cases are tested inline (a million items
    of thirty fields go through here); `_check_value` runs for the rest, to say what is
    wrong."""
    texts, others = _PLANS[kind]
    get = record.get
    for name in texts:
        value = get(name)
        if value is not None and value.__class__ is not str:
            _text_field(record, name)
    for name, type_, low, high, required, column in others:
        value = get(name)
        if value is None:
            if required:
                raise ValueError(f"{name} is missing")
            continue
        cls = value.__class__
        if type_ == "integer":
            if cls is int and low <= value <= high:
                continue
        elif type_ == "texts":
            if cls is list and all(t.__class__ is str for t in value):
                continue
        elif type_ == "flag" and cls is bool:
            continue
        _check_value(name, column, value)


def _number(value: int) -> str:
    return str(value) if value.bit_length() < 64 * 4 else "a number too large"


def _check_value(name: str, column: Column, value: Any) -> None:
    kind = column.type
    if kind == "text":
        _text_field({name: value}, name)
    elif kind == "integer":
        _int_field({name: value}, name)
        if not column.low <= value <= column.high:
            raise ValueError(f"{name} is {_number(value)}, not from {column.low} to {column.high}")
    elif kind == "real":
        if value.__class__ is bool or not isinstance(value, int | float):
            raise ValueError(f"{name} is {_kind_of(value)}, not a number")
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{name} is {value}, not a finite number")
        if isinstance(value, int) and not -INT64_MAX <= value <= INT64_MAX:
            raise ValueError(f"{name} is {_number(value)}, out of range")
    elif kind == "flag":
        if value not in (True, False) or isinstance(value, float):
            raise ValueError(f"{name} is {_kind_of(value)}, not true/false")
    elif kind == "date":
        text = _text_field({name: value}, name) or ""
        try:
            if not _ISO_DAY.match(text):
                raise ValueError
            dt.date.fromisoformat(text)
        except ValueError:
            raise ValueError(f"{name} is {text[:40]!r}, not a date (YYYY-MM-DD)") from None
    elif kind == "texts":
        _text_list_field({name: value}, name)
    elif kind == "ids":
        if not isinstance(value, list):
            raise ValueError(f"{name} is {_kind_of(value)}, not a list of ids")
        for entry in value:
            if entry.__class__ is not int:
                raise ValueError(f"{name} holds {_kind_of(entry)}, not an item id")
            if not 1 <= entry <= INT64_MAX:
                raise ValueError(f"{name} holds {_number(entry)}, not an item id")
    else:  # pragma: no cover - a table entry of an unknown type is a bug
        raise AssertionError(kind)


def _check_entries(record: Mapping[str, Any], name: str, kind: str) -> None:
    """`record[name]`, a list of sub-records (a review's files, its posts), each checked."""
    entries = record.get(name)
    if entries is None:
        return
    if not isinstance(entries, list):
        raise ValueError(f"{name} is {_kind_of(entries)}, not a list")
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise ValueError(f"{name} {number} is {_kind_of(entry)}, not an object")
        try:
            check_fields(entry, kind)
        except ValueError as exc:
            raise ValueError(f"{name} {number}: {exc}") from None


def _text_list_field(record: Mapping[str, Any], name: str) -> list[str]:
    value = record.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{name} is {_kind_of(value)}, not a list of text")
    for entry in value:
        if not isinstance(entry, str):
            raise ValueError(f"{name} holds {_kind_of(entry)}, not text")
    return value


def _link_field(record: Mapping[str, Any], name: str) -> str:
    """An http(s) URL from a JSON record: wrong types, lone surrogates (a repaired URL would
    be another address) and other schemes are refused with the field named."""
    url = _text_field(record, name)
    if url is None:
        raise ValueError(f"{name} is missing")
    if _SURROGATE.search(url):
        raise ValueError(f"{name} is not valid Unicode (a lone surrogate)")
    url = url.strip()
    problem = _url_problem(url)
    if problem:
        raise ValueError(_why(problem, url))
    return urls.strip_credentials(url)


def _valid_json_text(value: Any) -> Any:
    """A JSON value with every string made valid Unicode (see `valid_text`), iteratively:
    a document json.loads accepted may still be too deep for a recursive walk."""
    if isinstance(value, str):
        return valid_text(value)
    if not isinstance(value, list | dict):
        return value
    stack: list[Any] = [value]
    while stack:
        node = stack.pop()
        keys: Iterable[Any] = node.keys() if isinstance(node, dict) else range(len(node))
        for key in list(keys):
            child = node[key]
            if isinstance(child, str):
                node[key] = valid_text(child)
            elif isinstance(child, list | dict):
                stack.append(child)
        if isinstance(node, dict) and any(valid_text(k) != k for k in node):
            for key in [k for k in node if valid_text(k) != k]:
                node[valid_text(key)] = node.pop(key)
    return value


def _pinboard_record(entry: Any, index: int) -> ImportRecord:
    """One Pinboard bookmark; ValueError naming the field when it cannot be one."""
    if not isinstance(entry, dict):
        raise ValueError("not a bookmark object")
    url = _link_field(entry, "href")
    tags = entry.get("tags")
    # Pinboard writes a string; some tools that mimic it write a list.
    tag_list = tags.split() if isinstance(tags, str) else _text_list_field(entry, "tags")
    time = entry.get("time")
    if isinstance(time, bool) or not isinstance(time, str | int | float | None):
        raise ValueError(f"time is {_kind_of(time)}, not a date")
    record = ImportRecord(
        url=url,
        title=_one_line(valid_text(_text_field(entry, "description") or "")),
        note=_clip(valid_text(_text_field(entry, "extended") or ""), MAX_TEXT),
        tags=_tags(valid_text(t) for t in tag_list),
        added_at=_to_iso(time),
        line=index,  # the entry's position: JSON has no useful line numbers
    )
    for key in ("toread", "shared"):
        flag = entry.get(key)
        if flag is not None and not isinstance(flag, str | bool):
            raise ValueError(f"{key} is {_kind_of(flag)}, not yes/no")
        if key in entry:
            record.extra[key] = flag is True or str(flag).lower() == "yes"
    return record


def _parse_pinboard(text: str) -> ImportResult:
    data = _json(text)
    if not isinstance(data, list):
        raise ValueError("not a Pinboard export: expected a JSON list of bookmarks")
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for index, entry in enumerate(data, start=1):
        try:
            records.append(_pinboard_record(entry, index))
        except ValueError as exc:
            errors.append((index, str(exc)))
    return ImportResult("pinboard", records, errors)


def _text_or_none(value: Any, limit: int) -> str | None:
    return _clip(value, limit) if isinstance(value, str) else None


_ITEM_STATUSES = ("pending", "ok", "failed", "blocked")


def check_revue_item(item: Any, *, text_is_clean: bool = False) -> dict[str, Any]:
    """One item of a revue export, checked field by field before anything is stored: the
    item with its text made valid Unicode and its URLs without credentials. Raises
    ValueError naming the first bad field (the caller reports the item and skips it).
    `text_is_clean`: the caller knows no string of the item needs `valid_text` (the
    streaming reader sees it in the item's JSON text), which spares the walk over them."""
    if not isinstance(item, dict):
        raise ValueError("not an item object")
    kind = item.get("kind") or ("link" if item.get("url") is not None else "text")
    if kind not in ("link", "text"):
        raise ValueError(f"kind is {str(kind)[:20]!r}, not link or text")
    checked = dict(item)
    if kind == "link":
        checked["url"] = _link_field(item, "url")
        if item.get("original_url") is not None:
            checked["original_url"] = _link_field(item, "original_url")
    elif item.get("url") is not None or item.get("original_url") is not None:
        raise ValueError("a text item has no url")
    checked["kind"] = kind
    check_fields(item, "item")
    status = item.get("status")
    if status is not None and status not in _ITEM_STATUSES:
        raise ValueError(f"status is {status[:20]!r}, not one of {', '.join(_ITEM_STATUSES)}")
    if text_is_clean:
        return checked
    result: dict[str, Any] = _valid_json_text(checked)
    return result


def _check_review(review: Any) -> dict[str, Any]:
    """One review of a revue export (see `check_revue_item`)."""
    if not isinstance(review, dict):
        raise ValueError("not a review object")
    check_fields(review, "review")
    if review.get("start") and review.get("end") and review["start"] > review["end"]:
        raise ValueError(f"start {review['start']} is after end {review['end']}")
    _check_entries(review, "files", "file")
    _check_entries(review, "posts", "post")
    result: dict[str, Any] = _valid_json_text(dict(review))
    return result


def _check_feed(feed: Any) -> dict[str, Any]:
    """One feed of a revue export (see `check_revue_item`). Its URL may carry credentials:
    a private feed needs them, and a feed's address is never published."""
    if not isinstance(feed, dict):
        raise ValueError("not a feed object")
    url = _text_field(feed, "url")
    if url is None or _SURROGATE.search(url) or _url_problem(url.strip()):
        raise ValueError(_why("not an http(s) URL", str(url or "")))
    check_fields(feed, "feed")
    result: dict[str, Any] = _valid_json_text(dict(feed))
    return result


def _check_skip(skip: Any) -> dict[str, Any]:
    """One skip of a revue export (an item left out of a review; see `check_revue_item`)."""
    if not isinstance(skip, dict):
        raise ValueError("not a skip object")
    check_fields(skip, "skip")
    if skip["start"] > skip["end"]:
        raise ValueError(f"start {skip['start']} is after end {skip['end']}")
    result: dict[str, Any] = _valid_json_text(dict(skip))
    return result


def _review_refs(reviews: Iterable[Mapping[str, Any]]) -> dict[Any, ReviewRef]:
    refs: dict[Any, ReviewRef] = {}
    for review in reviews:

        def day(value: Any) -> dt.date | None:
            try:
                return dt.date.fromisoformat(str(value)[:10]) if value else None
            except ValueError:
                return None

        refs[review["id"]] = ReviewRef(
            title=str(review.get("title") or ""),
            start=day(review.get("start")),
            end=day(review.get("end")),
        )
    return refs


def _dump_list(dump: Mapping[str, Any], name: str) -> list[Any]:
    value = dump.get(name)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"not a revue export: {name} is {_kind_of(value)}, not a list")
    return value


def _parse_revue_json(text: str) -> ImportResult:
    dump = _json(text)
    if not isinstance(dump, dict) or dump.get("format") != "revue-export":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...}')
    version = dump.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"not a revue export: version is {_kind_of(version)}, not a number")
    items = _dump_list(dump, "items")
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    # Only what is checked reaches the store: the dump handed on holds the good entries.
    kept_items: list[dict[str, Any]] = []
    positions: list[int] = []
    ids: set[int] = set()
    for index, raw in enumerate(items, start=1):
        try:
            item = check_revue_item(raw)
        except ValueError as exc:
            errors.append((index, str(exc)))
            continue
        if item["id"] in ids:
            errors.append((index, f"id {item['id']} is used by an earlier item"))
            continue
        ids.add(item["id"])
        kept_items.append(item)
        positions.append(index)
    kept_reviews: list[dict[str, Any]] = []
    for index, raw in enumerate(_dump_list(dump, "reviews"), start=1):
        try:
            kept_reviews.append(_check_review(raw))
        except ValueError as exc:
            errors.append((0, f"review {index} of the file: {exc}"))
    kept_feeds: list[dict[str, Any]] = []
    for index, raw in enumerate(_dump_list(dump, "feeds"), start=1):
        try:
            kept_feeds.append(_check_feed(raw))
        except ValueError as exc:
            errors.append((0, f"feed {index} of the file: {exc}"))
    refs = _review_refs(kept_reviews)
    for index, item in zip(positions, kept_items, strict=True):
        if item["kind"] != "link":
            continue  # free-text items travel in `dump`; they are not links to import
        records.append(
            ImportRecord(
                url=item["url"],
                title=_text_or_none(item.get("title"), MAX_TITLE),
                note=_text_or_none(item.get("note"), MAX_TEXT),
                tags=_tags(item.get("tags") or []),
                hashtags=_tags(item.get("hashtags") or []),
                added_at=_to_iso(item.get("added_at")),
                via=_text_or_none(item.get("via"), MAX_TAG),
                quote=_text_or_none(item.get("quote"), MAX_TEXT),
                lead=_text_or_none(item.get("lead"), MAX_TITLE),
                section=_text_or_none(item.get("section"), MAX_TAG),
                summary=_text_or_none(item.get("summary"), MAX_TEXT),
                review=refs.get(item.get("review")),
                line=index,
                extra=dict(item),
            )
        )
    checked = {**dump, "items": kept_items, "reviews": kept_reviews, "feeds": kept_feeds}
    return ImportResult("revue-json", records, errors, dump=checked)


# --------------------------------------------------------------------------- revue JSON, streamed

MAX_DUMP_ENTRY = 64 * 1024 * 1024  # characters of one item, review or feed
_READ_CHUNK = 1 << 20


class _IdsSeen:
    """Item ids met so far, in a bit a number (a million ids: 125 KB, not a set's 60 MB);
    ids past the bits' reach, which no store hands out, go in a set."""

    _REACH = 1 << 27  # ids below this are bits: at most 16 MB

    def __init__(self) -> None:
        self._bits = bytearray()
        self._far: set[int] = set()

    def add(self, ident: int) -> bool:
        """Record `ident`; False if it was met before."""
        if ident < 0 or ident >= self._REACH:
            if ident in self._far:
                return False
            self._far.add(ident)
            return True
        byte, bit = divmod(ident, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
        if self._bits[byte] >> bit & 1:
            return False
        self._bits[byte] |= 1 << bit
        return True


def _bounded_int(digits: str) -> int:
    return int(digits) if len(digits) <= 100 else 2**300


_HUGE_INTS = json.JSONDecoder(parse_int=_bounded_int)


class _JsonText:
    """JSON text read a piece at a time from byte chunks; values decoded by the C scanner
    (`raw_decode`) straight from the buffer, which keeps only what is not consumed yet."""

    _WS = re.compile(r"[ \t\n\r]*")
    _SEP = re.compile(r"[ \t\n\r]*([,\]])")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._lines = 0  # line breaks in the text already dropped from the buffer
        self._dropped = 0  # characters already dropped from the buffer
        # Where (counted from the start of the text) `_NEEDS_CLEANING` matched: each piece
        # is searched once as it comes, not each item's text again.
        self._marks: list[int] = []

    def line(self, pos: int | None = None) -> int:
        return self._lines + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def _more(self) -> bool:
        """Append the next piece of text; False once the input is over."""
        while not self.eof:
            chunk = next(self._chunks, None)
            try:
                text = self._utf8.decode(chunk or b"", final=chunk is None)
            except UnicodeDecodeError:
                raise ValueError(f"not UTF-8 text (near line {self.line()})") from None
            self.eof = chunk is None
            if text:
                self._lines += self.buf.count("\n", 0, self.pos)
                self._dropped += self.pos
                kept = len(self.buf) - self.pos
                self.buf = self.buf[self.pos :] + text
                self.pos = 0
                # From a few characters back: an escape may be cut between two pieces.
                seen = self._marks[-1] if self._marks else -1
                for match in _MAY_NEED_CLEANING.finditer(self.buf, max(kept - 8, 0)):
                    at = match.start()
                    if self._dropped + at > seen and _NEEDS_CLEANING.match(self.buf, at):
                        self._marks.append(self._dropped + at)
                return True
        return False

    def peek(self) -> str:
        """The next character after blanks ("" at the end), not consumed."""
        while True:
            match = self._WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise ValueError(
                f"not valid JSON: expected {char!r}, found {shown} (line {self.line()})"
            )
        self.pos += 1

    def clean(self, start: int, end: int) -> bool:
        """Whether `buf[start:end]` holds nothing `_NEEDS_CLEANING` matches."""
        if not self._marks:
            return True
        at = bisect.bisect_left(self._marks, self._dropped + start)
        return at == len(self._marks) or self._marks[at] >= self._dropped + end

    def next_in_list(self) -> bool:
        """After an element of a list: True if another one follows (its comma consumed),
        False at the list's end (its bracket consumed)."""
        match = self._SEP.match(self.buf, self.pos)
        if match:  # the common case, without a call per blank and per character
            self.pos = match.end()
            return match.group(1) == ","
        if self.peek() == "]":
            self.pos += 1
            return False
        self.expect(",")
        return True

    def value(self) -> tuple[Any, int, int]:
        """The next value, and where its text is in `buf` (until the next read)."""
        match = self._WS.match(self.buf, self.pos)
        if match is None or match.end() >= len(self.buf):
            self.peek()
        else:
            self.pos = match.end()
        while True:
            error: json.JSONDecodeError | None = None
            try:
                try:
                    value, end = self._json.raw_decode(self.buf, self.pos)
                except json.JSONDecodeError:
                    raise
                except ValueError:
                    # A whole number of thousands of digits, which Python will not convert:
                    # read again with it as a number past every column, so that its record
                    # is refused, not the file.
                    value, end = _HUGE_INTS.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                error, end = exc, -1
            except RecursionError:
                # No export nests more than a few levels; thousands of brackets are an attack.
                raise ValueError("not valid JSON: nested too deeply") from None
            # A value that ends where the buffer ends may be cut (a number, half a chunk
            # away from its last digits): complete values are followed by , ] or }.
            if error is None and (end < len(self.buf) or self.eof):
                start, self.pos = self.pos, end
                return value, start, end
            if error is not None and self.eof:
                raise ValueError(
                    f"not valid JSON: {error.msg} (line {self.line(error.pos)})"
                ) from None
            if len(self.buf) - self.pos > MAX_DUMP_ENTRY:
                raise ValueError(
                    f"an entry longer than {MAX_DUMP_ENTRY // 2**20} MB (line {self.line()})"
                )
            self._more()


# What, in JSON text, may decode to a character `valid_text` removes or replaces: escapes of
# control characters (\b \f \r, \u0000-\u001f, \u007f-\u009f), surrogates, U+FFFE/U+FFFF,
# bidi controls, and those characters written as they are. (A match may be a false alarm,
# such as an escaped backslash before "u0001": the check then just does its full walk.)
_NEEDS_CLEANING = re.compile(
    r"\\[bfr]|\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]|[fF][fF][fF][eEfF]|202[a-eA-E]|206[6-9])"
    "|[\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)
# The characters a `_NEEDS_CLEANING` match starts with: a search for one of them is three
# times faster than the alternation's (a second a 100 MB export), which then runs only there.
_MAY_NEED_CLEANING = re.compile("[\\\\\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def read_revue_export(
    chunks: Iterable[bytes],
    check: Callable[..., dict[str, Any]] = check_revue_item,
) -> Iterator[tuple[str, int, Any]]:
    """revue's own export, read incrementally from byte chunks, whatever its size and layout
    (any valid JSON: the one-item-a-line export, or an older one indented throughout).

    Every record goes through the same checks as a whole-file import (`check` for items,
    `_check_review`, `_check_feed`) before it is handed on. Yields ("header", 0, {format,
    version, exported_at...}) before the first list, then ("item", n, item), ("review", n,
    review), ("feed", n, feed) and ("skip", n, skip) for the records of each list (n from 1),
    and ("refused", n, reason) for a record the checks refuse (n is 0 when the reason names
    its place). Raises ValueError for a file that is not a revue export or not valid JSON,
    when it gets there."""
    text = _JsonText(chunks)
    if text.peek() != "{":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...}')
    text.pos += 1
    header: dict[str, Any] = {}
    sent = False
    first = True
    ids = _IdsSeen()
    while text.peek() != "}":
        if not first:
            text.expect(",")
        first = False
        key, _, _ = text.value()
        if not isinstance(key, str):
            raise ValueError(f"not valid JSON: a key that is not a text (line {text.line()})")
        text.expect(":")
        if key not in _DUMP_LISTS:
            header[key], _, _ = text.value()
            continue
        if not sent:
            _check_header(header)
            yield "header", 0, header
            sent = True
        if text.peek() != "[":
            value = text.value()[0]
            if value is None:
                continue  # no such list
            raise ValueError(f"not a revue export: {key} is {_kind_of(value)}, not a list")
        text.pos += 1
        index = 0
        if text.peek() == "]":
            text.pos += 1
            continue
        kind, checker = _DUMP_LISTS[key]
        while True:
            value, start, end = text.value()
            index += 1
            try:
                if kind == "item":
                    # Most items hold no character valid_text would change: seen in their
                    # JSON text at C speed, which spares the check a walk over every string.
                    record = check(value, text_is_clean=text.clean(start, end))
                else:
                    record = checker(value) if checker is not None else value
            except ValueError as exc:
                if kind == "item":
                    yield "refused", index, str(exc)
                else:
                    yield "refused", 0, f"{kind} {index} of the file: {exc}"
            else:
                if kind == "item" and not ids.add(record["id"]):
                    yield "refused", index, f"id {record['id']} is used by an earlier item"
                else:
                    yield kind, index, record
            if not text.next_in_list():
                break
    text.pos += 1
    if text.peek():
        raise ValueError(f"not valid JSON: more text after the export (line {text.line()})")
    if not sent:
        _check_header(header)
        yield "header", 0, header


def _check_header(header: Mapping[str, Any]) -> None:
    if header.get("format") != "revue-export":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...} first')
    version = header.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"not a revue export: version is {_kind_of(version)}, not a number")


# The lists of an export, read a record at a time: the event each record gives, its check.
_DUMP_LISTS: dict[str, tuple[str, Callable[[Any], dict[str, Any]] | None]] = {
    "items": ("item", check_revue_item),
    "reviews": ("review", _check_review),
    "feeds": ("feed", _check_feed),
    "skips": ("skip", _check_skip),
}


_REVUE_EXPORT_HEAD = re.compile(r'^\s*\{[^\[]*?"format"\s*:\s*"revue-export"')


def looks_like_revue_export(head: bytes) -> bool:
    """Whether a file that starts with `head` (its first few KB) is revue's own export."""
    return _REVUE_EXPORT_HEAD.match(head.decode("utf-8-sig", errors="replace")) is not None


def read_chunks(handle: Any, size: int = _READ_CHUNK) -> Iterator[bytes]:
    """The bytes of an open binary file, `size` at a time."""
    while chunk := handle.read(size):
        yield chunk


# --------------------------------------------------------------------------- OPML


def _parse_opml_records(data: bytes) -> ImportResult:
    from revue.formats.feeds import parse_opml  # feeds pulls feedparser in; only OPML needs it here

    errors: list[tuple[int, str]] = []
    records = [
        ImportRecord(
            url=feed["url"],
            title=feed.get("title"),
            extra={"kind": "feed", "site_url": feed.get("site_url")},
        )
        for feed in parse_opml(data, errors)
        if feed.get("url")
    ]
    return ImportResult("opml", records, errors)


# --------------------------------------------------------------------------- past reviews


def _names(lang: str) -> dict[str, int]:
    """A language's month names (monthnames.WIDE), lower case, with and without accents."""
    names = [name.lower() for name in WIDE[lang]]
    return {
        **{name: n for n, name in enumerate(names, start=1)},
        **{_unaccented(name): n for n, name in enumerate(names, start=1)},
    }


def _unaccented(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_MONTHS_FR = _names("fr")
_MONTHS_EN = _names("en")
_FR_MONTH = "|".join(sorted(_MONTHS_FR, key=len, reverse=True))
_EN_MONTH = "|".join(_MONTHS_EN)
# A year is every digit written ("10000" is not read as 1000); `_year` bounds it.
_FR_DAY = rf"(\d{{1,2}})(?:er)?\s+({_FR_MONTH})(?:\s+(\d{{4,}}))?"
_FR_RANGE = re.compile(
    rf"\bdu\s+(?:(\d{{1,2}})(?:er)?\s+(?:et|au)\s+)?{_FR_DAY}"
    rf"(?:\s+(?:au|et)\s+{_FR_DAY})?",
    re.IGNORECASE,
)
_EN_DAY = rf"({_EN_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4,}}))?"
_EN_RANGE = re.compile(rf"{_EN_DAY}(?:\s*(?:to|-|–|and)\s*{_EN_DAY})?", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^\s*(revue de presse\b|.*\bpress review\b)", re.IGNORECASE)

# (month, day, year or None) pairs for the start and the end of a review.
_Day = tuple[int, int, int | None]


def _year(digits: str | None) -> int | None:
    """A year as written; past the calendar's (a long run of digits) as 10000, which no date
    takes, rather than converting thousands of digits."""
    if not digits:
        return None
    return int(digits) if len(digits) <= 4 else 10_000


def _header_days(line: str) -> tuple[_Day, _Day] | None:
    match = _FR_RANGE.search(line)
    if match:
        first_day, d1, m1, y1, d2, m2, y2 = match.groups()
        start: _Day = (_MONTHS_FR[m1.lower()], int(d1), _year(y1))
        if d2:  # "du 12 mars au 19 mars"
            end: _Day = (_MONTHS_FR[m2.lower()], int(d2), _year(y2))
            return start, end
        if first_day:  # "du 7 et 8 novembre": the month is written once, after the second day
            return (start[0], int(first_day), start[2]), start
        return start, start
    if not re.search(r"press review", line, re.IGNORECASE):
        return None
    match = _EN_RANGE.search(line)
    if not match:
        return None
    m1, d1, y1, m2, d2, y2 = match.groups()
    start = (_MONTHS_EN[m1.lower()], int(d1), _year(y1))
    if m2:
        return start, (_MONTHS_EN[m2.lower()], int(d2), _year(y2))
    return start, start


def _url_dates(urls: Iterable[str]) -> list[dt.date]:
    return [day for day in map(date_in_url, urls) if day is not None]


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


_URL_EVIDENCE_DAYS = 45  # a weekly review links recent pages; an older date proves nothing


def _nearest_end(latest: dt.date, month: int, day: int) -> tuple[int, int] | None:
    """(distance in days, year) of the `month`/`day` closest to `latest`, a year either way."""
    candidates = [
        (abs((end - latest).days), end.year)
        for y in (latest.year - 1, latest.year, latest.year + 1)
        if (end := _make_date(y, month, day)) is not None
    ]
    return min(candidates) if candidates else None


def _resolve_dates(
    days: tuple[_Day, _Day] | None, year: int | None, urls: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """Dates of a review header: years written in it, else the year closest to the dates in
    its items' URLs (`/2023-11-06/`), else `year`, else unknown. `year` is a fallback: one
    file holds reviews of several years, and a URL's date says which one each is; a URL date
    far from the header's day and month (an old article linked again) is no evidence when
    `year` is given. ValueError when a day written is not in the calendar (31 February, the
    year 10000): the review is then undated, never half dated."""
    if days is None:
        return None, None
    (m1, d1, y1), (m2, d2, y2) = days
    end_year = y2 or y1
    if end_year is None:
        dated = _url_dates(urls)
        nearest = _nearest_end(max(dated), m2, d2) if dated else None
        if nearest is not None and (year is None or nearest[0] <= _URL_EVIDENCE_DAYS):
            end_year = nearest[1]
        else:
            end_year = year
    if end_year is None:
        return None, None
    # A range written without years across New Year starts the year before it ends.
    start_year = y1 or (end_year - 1 if (m1, d1) > (m2, d2) else end_year)
    start, end = _make_date(start_year, m1, d1), _make_date(end_year, m2, d2)
    if start is None or end is None:
        day, month, year_ = (d1, m1, start_year) if start is None else (d2, m2, end_year)
        raise ValueError(f"day {day} of month {month} of {year_} is not in the calendar")
    if start > end:
        raise ValueError(f"the review ends ({end}) before it starts ({start})")
    return start, end


def _day_in_review(url: str | None, start: dt.date | None, end: dt.date) -> dt.date:
    """The day an item of a past review was added: its URL's date when that falls inside the
    review's range, else the review's last day (the day it was published, at the latest)."""
    found = _url_dates([url]) if url else []
    if found and start is not None and start <= found[0] <= end:
        return found[0]
    return end


_PROSE_RUN = 3  # lines without a URL in a row that end a review of linked items
_QUOTE_OPENERS = ("“", "«", '"', "„", "‘")
_VIA = re.compile(r"^via\s+(?:RT\s*)?(@\w+)\b", re.IGNORECASE)
_HASHTAG_TOKEN = re.compile(r"#\w[\w-]*\s*")
_LEAD_SPLIT = re.compile(r"^([^:]{12,200}?[^\s:]):\s+(\S.*)$")


def _trailing_hashtags(text: str) -> int | None:
    """Where the run of `#hashtags` ending `text` starts (at its start or after a space),
    or None. Read backwards, token by token: a regex searching for such a run tries every
    start and takes minutes on one long line of hashtags (`#a #a ... !`)."""
    pos = len(text)
    start: int | None = None
    while pos > 0:
        mark = text.rfind("#", 0, pos)
        if mark < 0 or not _HASHTAG_TOKEN.fullmatch(text, mark, pos):
            break
        if mark == 0 or text[mark - 1].isspace():
            start = mark
        pos = mark
    return start


@dataclass
class _PendingReview:
    ref: ReviewRef
    days: tuple[_Day, _Day] | None
    line: int = 0  # of its header
    records: list[ImportRecord] = field(default_factory=list)


def _parse_item_line(line: str, number: int) -> ImportRecord | None:
    """`Title URL via @handle = comment #hashtag` -> a record; None when there is no URL."""
    match = _URL_IN_TEXT.search(line)
    if not match:
        return None
    url = match.group(0).rstrip(".,;:!?)»”")
    before = line[: match.start()].strip()
    after = line[match.start() + len(url) :].strip()
    record = ImportRecord(url=url, line=number)
    hashtags: list[str] = []
    tail = _trailing_hashtags(after)
    if tail is not None:
        hashtags = [h.lstrip("#") for h in after[tail:].split()]
        after = after[:tail].strip()
    via = _VIA.match(after)
    if via:
        record.via = via.group(1)
        after = after[via.end() :].strip()
    if after.startswith("="):
        after = after[1:].strip()
    record.note = _clip(after, MAX_TEXT)
    lead = _LEAD_SPLIT.match(before)
    # "Lead-in: Title": only a sentence-long prefix glued to its colon, so that titles like
    # "Chine: Tencent…" or French-spaced "DuProprio : 100 000…" stay whole.
    if lead and len(lead.group(1).split()) >= 4 and not before.startswith(_QUOTE_OPENERS):
        record.lead = _one_line(lead.group(1) + ":")  # as written: the review shows it so
        before = lead.group(2)
    record.title = _one_line(before)
    if record.title:
        # The post as published: its title, and its via or the lack of one.
        record.own = ("title", "via")
    record.hashtags = _tags(hashtags)
    record.tags = list(record.hashtags)
    return record


def _parse_review_text(text: str, year: int | None, zone: dt.tzinfo) -> ImportResult:
    reviews: list[_PendingReview] = []
    errors: list[tuple[int, str]] = []
    current: _PendingReview | None = None
    last_item: ImportRecord | None = None  # the item the previous non-blank line was
    pending_lead: str | None = None
    run: list[int] = []  # indexes in `errors` of the current run of lines without a URL
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        if _HEADER_LINE.match(line) and (days := _header_days(line)) is not None:
            lang = "fr" if _FR_RANGE.search(line) else "en"
            ref = ReviewRef(_one_line(line) or "", None, None, lang=lang, style="classic")
            current = _PendingReview(ref, days, line=number)
            reviews.append(current)
            last_item, pending_lead, run = None, None, []
            continue
        if current is None:
            if _URL_IN_TEXT.search(line):
                errors.append((number, "link outside any review"))
            continue
        has_url = _URL_IN_TEXT.search(line) is not None
        if last_item is not None and not has_url and line.startswith(_QUOTE_OPENERS):
            last_item.quote = _clip(line, MAX_TEXT)
            last_item = None
            continue
        if not has_url and line.endswith(":") and len(line) <= MAX_TITLE:
            pending_lead = line
            last_item = None
            continue
        record = _parse_item_line(line, number)
        if record is None:
            errors.append((number, f"no URL: {line[:80]}"))
            last_item, pending_lead = None, None
            run.append(len(errors) - 1)
            if len(current.records) >= 2 and len(run) >= _PROSE_RUN:
                # A review of linked items followed by paragraphs without links: the review
                # is over and a blog post of prose begins; its lines are not bad items.
                del errors[run[0] :]
                current, run = None, []
            continue
        run = []
        if pending_lead and record.lead is None:
            record.lead = _one_line(pending_lead)
        pending_lead = None
        record.review = current.ref
        current.records.append(record)
        last_item = record
    records: list[ImportRecord] = []
    for review in reviews:
        urls = [r.url for r in review.records if r.url]
        try:
            start, end = _resolve_dates(review.days, year, urls)
        except ValueError as exc:
            # Its items are kept; the dates are what is skipped (the review is undated).
            errors.append((review.line, f"the review's dates: {exc}"))
            start, end = None, None
        review.ref.start, review.ref.end = start, end
        if end is not None:
            # Dated inside the review's range, so that composing that range gives it back.
            for record in review.records:
                day = _day_in_review(record.url, start, end)
                # Noon of the curator's day: their range of that day finds it.
                record.added_at = midday(day, zone)
        records.extend(review.records)
    return ImportResult("review-text", records, errors)


# --------------------------------------------------------------------------- entry point


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
    text = _decode(data)
    if format == "links":
        result = _parse_links(text)
    elif format in ("netscape", "pocket-html"):
        result = _parse_netscape(text, format)
    elif format == "pocket-csv":
        result = _parse_pocket_csv(text)
    elif format == "csv":
        result = _parse_csv(text)
    elif format == "pinboard":
        result = _parse_pinboard(text)
    elif format == "revue-json":
        result = _parse_revue_json(text)
    else:
        result = _parse_review_text(text, year, zone)
    return _valid_records(result)


_RECORD_TEXT = ("title", "note", "via", "quote", "lead", "section", "summary")


def _valid_records(result: ImportResult) -> ImportResult:
    """Every record's text as valid Unicode, whatever its format produced (see `valid_text`);
    a record whose URL is not valid Unicode is reported and skipped, not repaired."""
    kept: list[ImportRecord] = []
    for record in result.records:
        if record.url is not None and _SURROGATE.search(record.url):
            result.errors.append((record.line or 0, "URL is not valid Unicode (a lone surrogate)"))
            continue
        for name in _RECORD_TEXT:
            value = getattr(record, name)
            if value is not None:
                setattr(record, name, valid_text(value))
        record.tags = [valid_text(t) for t in record.tags]
        record.hashtags = [valid_text(t) for t in record.hashtags]
        if record.extra:
            record.extra = _valid_json_text(record.extra)
        if record.review is not None:
            record.review.title = valid_text(record.review.title)
        kept.append(record)
    result.records = kept
    return result
