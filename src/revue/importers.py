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

import csv
import datetime as dt
import html
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import lxml.etree as _lxml_etree
import lxml.html as _lxml_html

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
    line: int | None = None  # source line number, for messages
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class ImportResult:
    format: str
    records: list[ImportRecord]
    errors: list[tuple[int, str]]  # (line number, reason); those lines were skipped
    dump: dict[str, Any] | None = None  # the whole revue JSON export, for format "revue-json"


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


def _url_problem(url: str) -> str | None:
    """Why `url` cannot be stored, or None when it is a usable http(s) URL."""
    if not url:
        return "no URL"
    if len(url) > MAX_URL:
        return "URL too long"
    if any(c.isspace() for c in url):
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


def _to_iso(value: Any) -> str | None:
    """A date from an export (epoch number, ISO text, "2023-11-07 14:03") as ISO 8601 UTC."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    text = str(value).strip()
    if not text:
        return None
    if re.fullmatch(r"\d+(\.\d+)?", text):
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


def _decode(data: bytes) -> str:
    """Bytes as text: UTF-8 (BOM or not), UTF-16 with a BOM, else Windows-1252."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\x00" in data:
        raise ValueError("not a text file")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
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
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        url, _, rest = line.partition(" ")
        url = url.strip("<>")
        problem = _url_problem(url)
        if problem:
            errors.append((number, f"{problem}: {line[:80]}"))
            continue
        records.append(ImportRecord(url=url, title=_one_line(rest), line=number))
    return ImportResult("links", records, errors)


# --------------------------------------------------------------------------- Netscape HTML


def _html_root(text: str) -> Any:
    try:
        return _lxml_html.document_fromstring(text)
    except (_lxml_etree.ParserError, ValueError) as exc:
        raise ValueError(f"unreadable HTML: {exc}") from None


def _own_text(element: Any) -> str:
    """The text of a <DD> up to the next bookmark: lxml may nest the following <DT> in it."""
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):
            parts.append(child.tail or "")
            continue
        if child.tag in ("dt", "dl", "dd", "h3", "a"):
            break
        parts.append(child.text_content())
        parts.append(child.tail or "")
    return "".join(parts)


def _folder_name(dl: Any) -> str | None:
    """The <H3> heading a <DL> belongs to: just before it, or last inside the <DT> before it
    (lxml nests unclosed <DT>s into each other, so the heading may sit deep)."""
    previous = dl.getprevious()
    while previous is not None and previous.tag == "p":
        previous = previous.getprevious()
    if previous is None:
        return None
    heading = previous if previous.tag == "h3" else None
    if heading is None:
        found = list(previous.iter("h3"))
        heading = found[-1] if found else None
    return _one_line(heading.text_content(), MAX_TAG) if heading is not None else None


def _folder_path(anchor: Any, cache: dict[Any, str | None]) -> list[str]:
    """Folder names from the outermost to the innermost <DL> holding `anchor`."""
    names: list[str] = []
    for dl in anchor.iterancestors("dl"):
        if dl not in cache:  # a folder's heading is looked up once, not once a bookmark
            cache[dl] = _folder_name(dl)
        name = cache[dl]
        if name:
            names.append(name)
    names.reverse()
    return names


_ANCHOR_RE = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE)


def _anchor_title(element: Any, lines: list[str]) -> str | None:
    """The bookmark's title. Some exporters (buku among them) write titles unescaped, so
    "A <b> title" would lose "<b>" to the HTML parser: when the anchor's line holds raw
    markup, its text is taken from the source instead, as the exporter meant it."""
    parsed = _one_line(element.text_content())
    line = element.sourceline
    if line and 0 < line <= len(lines) and "<" in lines[line - 1].split(">", 2)[-1]:
        match = _ANCHOR_RE.search(lines[line - 1])
        if match and "<" in match.group(1):
            return _one_line(html.unescape(match.group(1)))
    return parsed


def _parse_netscape(text: str, fmt: str = "netscape") -> ImportResult:
    root = _html_root(text)
    lines = text.splitlines()
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    last: ImportRecord | None = None
    pocket_status: str | None = None
    folder_cache: dict[Any, str | None] = {}
    for element in root.iter():
        tag = element.tag
        if not isinstance(tag, str):
            continue
        if tag in ("h1", "h3"):
            last = None
            if tag == "h1":
                heading = (element.text_content() or "").strip().lower()
                pocket_status = "archive" if "archive" in heading else "unread"
            continue
        if tag == "dd":
            if last is not None and last.note is None:
                last.note = _clip(_own_text(element), MAX_TEXT)
            last = None
            continue
        if tag != "a":
            continue
        href = (element.get("href") or "").strip()
        line = element.sourceline
        if not href:
            last = None
            continue
        problem = _url_problem(href)
        if problem:
            errors.append((line or 0, _why(problem, href)))
            last = None
            continue
        added = element.get("add_date") or element.get("time_added")
        tags = element.get("tags") or ""
        record = ImportRecord(
            url=href,
            title=_anchor_title(element, lines),
            tags=_tags(tags.split(",")),
            added_at=_to_iso(added),
            line=line,
        )
        if fmt == "netscape":
            folders = _folder_path(element, folder_cache)
            if folders:
                record.extra["folder"] = "/".join(folders)
            shortcut = element.get("shortcuturl")
            if shortcut:
                record.extra["keyword"] = shortcut[:MAX_TAG]
        elif pocket_status:
            record.extra["status"] = pocket_status
        records.append(record)
        last = record
    return ImportResult(fmt, records, errors)


# --------------------------------------------------------------------------- CSV exports


_ERR = "\x00error"  # key of a pseudo-row reporting a CSV syntax error


def _undefuse(cell: str) -> str:
    """Take off the quote a CSV exporter (ours included) puts before =, +, -, @ so that a
    spreadsheet does not run the cell as a formula."""
    if len(cell) > 1 and cell[0] == "'" and cell[1] in "=+-@\t\r":
        return cell[1:]
    return cell


def _csv_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """(first line number of the record, row keyed by lower-case column name)."""
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
            yield start, {_ERR: str(exc)}
            start = reader.line_num + 1
            continue
        if any(cell.strip() for cell in row):
            yield start, {name: _undefuse(value) for name, value in zip(header, row, strict=False)}
        start = reader.line_num + 1


def _csv_links(
    text: str, errors: list[tuple[int, str]], url_of: Callable[[dict[str, str]], str | None]
) -> Iterator[tuple[int, dict[str, str], str]]:
    """(line, row, URL) for each CSV row holding a usable link; a row that does not parse or
    whose URL is unusable goes to `errors` with its line number."""
    for line, row in _csv_rows(text):
        if _ERR in row:
            errors.append((line, f"bad CSV: {row[_ERR]}"))
            continue
        url = (url_of(row) or "").strip()
        problem = _url_problem(url)
        if problem:
            errors.append((line, _why(problem, url)))
            continue
        yield line, row, url


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


def _parse_csv(text: str) -> ImportResult:
    """Any CSV with a header naming a URL column (Raindrop, Instapaper, spreadsheets...)."""
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for line, row, url in _csv_links(text, errors, lambda row: _pick(row, *_URL_COLUMNS)):
        record = ImportRecord(
            url=url,
            title=_one_line(_pick(row, "title", "name")),
            note=_clip(_pick(row, "note", "comment", "comments", "notes"), MAX_TEXT),
            summary=_clip(_pick(row, "excerpt", "description", "summary"), MAX_TEXT),
            tags=_split_tags(_pick(row, "tags", "tag", "labels", "keywords")),
            added_at=_to_iso(_pick(row, *_DATE_COLUMNS)),
            via=_one_line(_pick(row, "via"), MAX_TAG),
            section=_one_line(_pick(row, "section"), MAX_TAG),
            line=line,
        )
        if record.note is None and record.summary is not None and "excerpt" not in row:
            # A lone "description" column is the curator's text more often than the page's.
            record.note, record.summary = record.summary, None
        folder = _one_line(_pick(row, "folder", "collection"), MAX_TITLE)
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


def _parse_pinboard(text: str) -> ImportResult:
    data = _json(text)
    if not isinstance(data, list):
        raise ValueError("not a Pinboard export: expected a JSON list of bookmarks")
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            errors.append((index, "not a bookmark object"))
            continue
        url = str(entry.get("href") or "").strip()
        problem = _url_problem(url)
        if problem:
            errors.append((index, _why(problem, url)))
            continue
        tags = entry.get("tags") or ""
        record = ImportRecord(
            url=url,
            title=_one_line(str(entry.get("description") or "")),
            note=_clip(str(entry.get("extended") or ""), MAX_TEXT),
            tags=_tags(tags.split() if isinstance(tags, str) else map(str, tags)),
            added_at=_to_iso(entry.get("time")),
            line=index,  # the entry's position: JSON has no useful line numbers
        )
        for key in ("toread", "shared"):
            if key in entry:
                record.extra[key] = str(entry[key]).lower() == "yes"
        records.append(record)
    return ImportResult("pinboard", records, errors)


def _text_or_none(value: Any, limit: int) -> str | None:
    return _clip(value, limit) if isinstance(value, str) else None


def _review_refs(dump: Mapping[str, Any]) -> dict[Any, ReviewRef]:
    refs: dict[Any, ReviewRef] = {}
    for review in dump.get("reviews") or []:
        if not isinstance(review, dict) or "id" not in review:
            continue

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


def _parse_revue_json(text: str) -> ImportResult:
    dump = _json(text)
    if not isinstance(dump, dict) or dump.get("format") != "revue-export":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...}')
    items = dump.get("items") or []
    if not isinstance(items, list):
        raise ValueError("not a revue export: items is not a list")
    refs = _review_refs(dump)
    records: list[ImportRecord] = []
    errors: list[tuple[int, str]] = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            errors.append((index, "not an item object"))
            continue
        url = item.get("url")
        if not isinstance(url, str) or _url_problem(url):
            # Free-text items (url null) travel in `dump`; they are not links to import.
            if url is not None:
                errors.append((index, f"not an http(s) URL: {str(url)[:80]}"))
            continue
        tags = item.get("tags") if isinstance(item.get("tags"), list) else []
        hashtags = item.get("hashtags") if isinstance(item.get("hashtags"), list) else []
        records.append(
            ImportRecord(
                url=url,
                title=_text_or_none(item.get("title"), MAX_TITLE),
                note=_text_or_none(item.get("note"), MAX_TEXT),
                tags=_tags(str(t) for t in tags or []),
                hashtags=_tags(str(t) for t in hashtags or []),
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
    return ImportResult("revue-json", records, errors, dump=dump)


# --------------------------------------------------------------------------- OPML


def _parse_opml_records(data: bytes) -> ImportResult:
    from revue.feeds import parse_opml  # feeds pulls feedparser in; only OPML needs it here

    records = [
        ImportRecord(
            url=feed["url"],
            title=feed.get("title"),
            extra={"kind": "feed", "site_url": feed.get("site_url")},
        )
        for feed in parse_opml(data)
        if feed.get("url")
    ]
    return ImportResult("opml", records, [])


# --------------------------------------------------------------------------- past reviews

_MONTHS_FR = {
    "janvier": 1,
    "février": 2,
    "fevrier": 2,
    "mars": 3,
    "avril": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "août": 8,
    "aout": 8,
    "septembre": 9,
    "octobre": 10,
    "novembre": 11,
    "décembre": 12,
    "decembre": 12,
}
_MONTHS_EN = {
    name: number
    for number, name in enumerate(
        (
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ),
        start=1,
    )
}
_FR_MONTH = "|".join(sorted(_MONTHS_FR, key=len, reverse=True))
_EN_MONTH = "|".join(_MONTHS_EN)
_FR_DAY = rf"(\d{{1,2}})(?:er)?\s+({_FR_MONTH})(?:\s+(\d{{4}}))?"
_FR_RANGE = re.compile(
    rf"\bdu\s+(?:(\d{{1,2}})(?:er)?\s+(?:et|au)\s+)?{_FR_DAY}"
    rf"(?:\s+(?:au|et)\s+{_FR_DAY})?",
    re.IGNORECASE,
)
_EN_DAY = rf"({_EN_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?"
_EN_RANGE = re.compile(rf"{_EN_DAY}(?:\s*(?:to|-|–|and)\s*{_EN_DAY})?", re.IGNORECASE)
_HEADER_LINE = re.compile(r"^\s*(revue de presse\b|.*\bpress review\b)", re.IGNORECASE)

# (month, day, year or None) pairs for the start and the end of a review.
_Day = tuple[int, int, int | None]


def _header_days(line: str) -> tuple[_Day, _Day] | None:
    match = _FR_RANGE.search(line)
    if match:
        first_day, d1, m1, y1, d2, m2, y2 = match.groups()
        start: _Day = (_MONTHS_FR[m1.lower()], int(d1), int(y1) if y1 else None)
        if d2:  # "du 12 mars au 19 mars"
            end: _Day = (_MONTHS_FR[m2.lower()], int(d2), int(y2) if y2 else None)
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
    start = (_MONTHS_EN[m1.lower()], int(d1), int(y1) if y1 else None)
    if m2:
        return start, (_MONTHS_EN[m2.lower()], int(d2), int(y2) if y2 else None)
    return start, start


def _url_dates(urls: Iterable[str]) -> list[dt.date]:
    return [day for day in map(date_in_url, urls) if day is not None]


def _make_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve_dates(
    days: tuple[_Day, _Day] | None, year: int | None, urls: list[str]
) -> tuple[dt.date | None, dt.date | None]:
    """Dates of a review header: years written in it, else `year`, else the one closest to the
    dates found in its items' URLs, else unknown."""
    if days is None:
        return None, None
    (m1, d1, y1), (m2, d2, y2) = days
    end_year = y2 or y1 or year
    if end_year is None:
        dated = _url_dates(urls)
        if not dated:
            return None, None
        latest = max(dated)
        candidates = [
            (abs((end - latest).days), end.year)
            for y in (latest.year - 1, latest.year, latest.year + 1)
            if (end := _make_date(y, m2, d2)) is not None
        ]
        if not candidates:
            return None, None
        end_year = min(candidates)[1]
    # A range written without years across New Year starts the year before it ends.
    start_year = y1 or (end_year - 1 if (m1, d1) > (m2, d2) else end_year)
    return _make_date(start_year, m1, d1), _make_date(end_year, m2, d2)


_PROSE_RUN = 3  # lines without a URL in a row that end a review of linked items
_QUOTE_OPENERS = ("“", "«", '"', "„", "‘")
_VIA = re.compile(r"^via\s+(?:RT\s*)?(@\w+)\b", re.IGNORECASE)
_TRAILING_TAGS = re.compile(r"(?:^|\s)((?:#\w[\w-]*\s*)+)$")
_LEAD_SPLIT = re.compile(r"^([^:]{12,200}?[^\s:]):\s+(\S.*)$")


@dataclass
class _PendingReview:
    ref: ReviewRef
    days: tuple[_Day, _Day] | None
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
    tail = _TRAILING_TAGS.search(after)
    if tail:
        hashtags = [h.lstrip("#") for h in tail.group(1).split()]
        after = after[: tail.start()].strip()
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
        record.lead = _one_line(lead.group(1))
        before = lead.group(2)
    record.title = _one_line(before)
    record.hashtags = _tags(hashtags)
    record.tags = list(record.hashtags)
    return record


def _parse_review_text(text: str, year: int | None) -> ImportResult:
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
            current = _PendingReview(ReviewRef(_one_line(line) or "", None, None), days)
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
            pending_lead = line[:-1].strip()
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
        review.ref.start, review.ref.end = _resolve_dates(review.days, year, urls)
        records.extend(review.records)
    return ImportResult("review-text", records, errors)


# --------------------------------------------------------------------------- entry point


def parse_import(
    data: bytes,
    *,
    format: str = "auto",
    filename: str | None = None,
    year: int | None = None,
) -> ImportResult:
    """Parse an import file. `format` is one of `FORMATS` or "auto" (see `detect_format`);
    `year` dates review headers written without one. Raises ValueError for an unusable file."""
    if format == "auto":
        format = detect_format(data, filename)
    if format not in FORMATS:
        raise ValueError(f"unknown import format {format!r} (known: {', '.join(FORMATS)})")
    if format == "opml":
        return _parse_opml_records(data)
    text = _decode(data)
    if format == "links":
        return _parse_links(text)
    if format in ("netscape", "pocket-html"):
        return _parse_netscape(text, format)
    if format == "pocket-csv":
        return _parse_pocket_csv(text)
    if format == "csv":
        return _parse_csv(text)
    if format == "pinboard":
        return _parse_pinboard(text)
    if format == "revue-json":
        return _parse_revue_json(text)
    return _parse_review_text(text, year)
