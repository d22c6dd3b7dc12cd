"""What every import reader shares: the record it makes (`ImportRecord`, `ImportResult`),
the bounds and checks of untrusted text and URLs, dates from exports, the decoding of a
file's bytes, and the table of an export's fields (`RECORD_COLUMNS`, `check_fields`)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import islice
from typing import Any
from urllib.parse import urlsplit

from revue import urls
from revue.models import unique_tags
from revue.sanitize import clean_json, clean_text

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


class _Skipped:
    """What an import's `errors` say, for messages."""

    format: str
    # (line number, reason); those lines were skipped. For JSON formats the number is the
    # record's position in its list, 0 when the message names its place itself.
    errors: list[tuple[int, str]]

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


@dataclass
class ImportResult(_Skipped):
    """A file's records, all read."""

    format: str
    records: list[ImportRecord]
    errors: list[tuple[int, str]]


@dataclass
class ImportStream(_Skipped):
    """A file's records as they are read: `errors` fills up as `records` is consumed, and
    is whole once it is exhausted."""

    format: str
    records: Iterator[ImportRecord]
    errors: list[tuple[int, str]]


def _clip(text: str | None, limit: int) -> str | None:
    """Strip, and cut pathological values; an empty string becomes None."""
    if text is None:
        return None
    text = text.strip()
    if not text:
        return None
    return text[:limit] if len(text) > limit else text


def _collapsed(text: str | None, limit: int = MAX_TITLE) -> str | None:
    """`text` single-spaced and clipped to `limit` (None stays None)."""
    if text is None:
        return None
    return _clip(" ".join(text.split()), limit)


def _tags(values: Iterable[str]) -> list[str]:
    """Clean tags: stripped, bounded, no empties, first spelling of duplicates kept."""
    return list(islice(unique_tags(" ".join(v.split())[:MAX_TAG] for v in values), MAX_TAGS))


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
    return clean_text(text, keep_bidi=False)


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


_RECORD_TEXT = ("title", "note", "via", "quote", "lead", "section", "summary")


def valid_records(
    records: Iterable[ImportRecord], errors: list[tuple[int, str]]
) -> Iterator[ImportRecord]:
    """Every record's text as valid Unicode, whatever its format produced (see `valid_text`);
    a record whose URL is not valid Unicode is reported and skipped, not repaired. Those
    reports go to `errors` after the reader's own, once `records` is exhausted."""
    refused: list[tuple[int, str]] = []
    for record in records:
        if record.url is not None and _SURROGATE.search(record.url):
            refused.append((record.line or 0, "URL is not valid Unicode (a lone surrogate)"))
            continue
        for name in _RECORD_TEXT:
            value = getattr(record, name)
            if value is not None:
                setattr(record, name, valid_text(value))
        record.tags = [valid_text(t) for t in record.tags]
        record.hashtags = [valid_text(t) for t in record.hashtags]
        if record.extra:
            record.extra = clean_json(record.extra, max_depth=None)
        if record.review is not None:
            record.review.title = valid_text(record.review.title)
        yield record
    errors.extend(refused)
