"""Plain data: what a page says, what a fetch returned, what an item and a review are.

Pure: no I/O, no clock. `Item.to_json()` is the JSON shape of an item (its first keys, in a fixed order, are those
scripts read; revue's own follow: docs/reference/json.md) and `PageMeta.to_json()` the page
part of it (what `revue extract --json` prints).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, Literal, Protocol, get_args

from revue.clock import local_day

# The page part of an item, in the fixed order of an item's JSON keys.
PAGE_FIELDS = (
    "url",
    "title",
    "summary",
    "site_name",
    "via",
    "author",
    "published",
    "lang",
    "image",
)
# Page fields stored on an item that are not among those fixed keys; in JSON they come right
# after them.
EXTRA_PAGE_FIELDS = ("first_published", "canonical")

# Fields the curator owns; a fetch never overwrites them once set by hand.
CURATOR_FIELDS = ("note", "lead", "quote", "section")

Status = Literal["pending", "ok", "failed", "blocked"]
# An item's fetch statuses, in order (what an import accepts in a `status` field).
STATUSES: tuple[Status, ...] = get_args(Status)

# Fetch failures that say the page will not come back: not retried on their own.
GONE_STATUSES = frozenset({404, 410})
NO_SUCH_HOST = "no such host"


class FailureKind(StrEnum):
    """Why a link failed, in one word every layer reads: the fetcher sets it on its result
    (`FetchResult.failure`) beside the sentence it writes for people (`error`); compose,
    stats and the fetch summary read the kind, never the sentence."""

    GONE = "gone"  # HTTP 404 or 410: the page is gone for good
    NO_HOST = "no host"  # the host's name does not exist
    DNS = "dns"  # the name could not be looked up
    UNREACHABLE = "unreachable"  # connection refused: nothing listens there
    REFUSED = "refused"  # an address the link may not reach (revue's address policy)
    HTTP = "http"  # any other error status (403, 500, 304, ...)
    TIMEOUT = "timeout"
    NETWORK = "network"  # reset, closed, TLS, protocol error, a body cut short, bad encoding
    REDIRECT = "redirect"  # a loop, too many, or to a bad address
    INVALID = "invalid"  # not an http(s) URL revue can ask
    BLOCKED = "blocked"  # a bot wall, a login or consent page
    EXTRACTION = "extraction"  # the page came and could not be read
    UNEXPECTED = "unexpected"  # an error nobody foresaw


# Failures that say the link is dead: a review leaves it out unless asked (a 5xx, a timeout
# or a wall may pass).
DEAD_FAILURES = frozenset(
    {FailureKind.GONE, FailureKind.DNS, FailureKind.UNREACHABLE, FailureKind.REFUSED}
)

# The fetcher's sentences, by the words they start with: read in `failure_of` only, for
# failures stored as a sentence (before kinds existed, or restored from an export).
_SENTENCES: tuple[tuple[str, FailureKind], ...] = (
    ("timeout", FailureKind.TIMEOUT),
    ("HTTP ", FailureKind.HTTP),
    (NO_SUCH_HOST, FailureKind.NO_HOST),
    ("DNS lookup failed", FailureKind.DNS),
    ("connection refused", FailureKind.UNREACHABLE),
    ("refused", FailureKind.REFUSED),
    ("redirect", FailureKind.REDIRECT),
    ("too many redirects", FailureKind.REDIRECT),
    ("bad redirect", FailureKind.REDIRECT),
    ("invalid URL", FailureKind.INVALID),
    ("unsupported scheme", FailureKind.INVALID),
    ("blocked", FailureKind.BLOCKED),
    ("extraction failed", FailureKind.EXTRACTION),
    ("unexpected error", FailureKind.UNEXPECTED),
)


def failure_of(error: str | None, http_status: int | None = None) -> FailureKind | None:
    """The kind of a failure stored as the fetcher's sentence (`error`) and the status of
    its last answer; None when there is neither."""
    if http_status in GONE_STATUSES:
        return FailureKind.GONE  # whatever came after the answer: the page said it is gone
    if error is None:
        return None
    for start, kind in _SENTENCES:
        if error.startswith(start):
            return kind
    return FailureKind.NETWORK


# Content types read as an HTML page (a missing one too); any other is a document.
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


# The classic style writes "Title URL = comment": a curator may type the "=" too (the README
# did), and notes appended by older versions hold one at each paragraph's start.
_NOTE_MARK = re.compile(r"^[ \t]*=(?!=)[ \t]*", re.MULTILINE)
_ONLY_HASHTAGS = re.compile(r"(?:#[^\W\d_][\w-]*[\s,;.]*)+", re.UNICODE)


def note_body(note: str | None) -> str:
    """A curator's note without the "= " a line starts with: what is stored and shown after
    the review's own "= "."""
    return _NOTE_MARK.sub("", note or "").strip()


def tag_name(text: str) -> str:
    """A tag as it is stored: without its `#` and the spaces around it ("  #Web " -> "Web")."""
    return text.strip().lstrip("#").strip()


def unique_tags(names: Iterable[str]) -> Iterator[str]:
    """Each tag once, in order, its first spelling kept (tags compare case-insensitively);
    empty names are left out."""
    seen: set[str] = set()
    for name in names:
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            yield name


def only_hashtags(note: str | None) -> bool:
    """True for a note that is hashtags and nothing else ("#IA #TikTok"): a review shows it
    as tags, without the "= " that introduces a comment."""
    return bool(_ONLY_HASHTAGS.fullmatch(note_body(note)))


def iso(moment: dt.datetime) -> str:
    """`moment` as revue stores it: UTC, to the second."""
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds")


def page_day(value: str | None, zone: dt.tzinfo) -> dt.date | None:
    """The curator's day of a date a page gives: an instant with an offset in `zone`; a bare
    date, or a time without an offset (the publisher's own clock), as it is."""
    return local_day(value, zone, naive_is_utc=False)


@dataclass(slots=True)
class PageMeta:
    """Metadata extracted from one page. Every field is None when the page does not give it."""

    url: str | None = None  # canonical URL, cleaned of tracking parameters
    title: str | None = None
    summary: str | None = None
    site_name: str | None = None
    via: str | None = None  # "@handle" from twitter:site
    author: str | None = None
    # The page's date: its last update when it declares one, else its publication date.
    published: str | None = None  # ISO 8601 date or datetime
    lang: str | None = None  # BCP 47 tag
    image: str | None = None
    # After the fixed keys in JSON: when the page was first published, if it says so (the
    # stale-news flag looks at this one, an update does not make old news new).
    first_published: str | None = None
    # The address a syndicated copy declares for its original, on another site (the item
    # keeps the address it was added with).
    canonical: str | None = None
    # Not part of the page's JSON, but used by the curator's loop:
    paywalled: bool = False
    blocked: str | None = None  # why the page is a bot wall / consent / login page, if it is
    oembed_url: str | None = None  # <link rel=alternate type=application/json+oembed> (fetch)
    refresh_url: str | None = None  # <meta http-equiv=refresh> target (fetch follows it once)
    content_type: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*PAGE_FIELDS, *EXTRA_PAGE_FIELDS)}


@dataclass(slots=True)
class FetchResult:
    """The outcome of fetching one URL. `error` is a short reason when `ok` is False."""

    url: str  # the URL asked for
    final_url: str | None = None  # after redirects
    status: int | None = None  # HTTP status of the last response
    content_type: str | None = None  # media type only, lower case ("text/html")
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names
    # repr=False: asyncio.run formats a returned result; a body in it would cost 9x its size.
    body: bytes = field(default=b"", repr=False)  # possibly truncated to the byte cap
    error: str | None = None  # "timeout after 10 s", "HTTP 404", "redirect loop", ...
    retry_after: float | None = None  # seconds, when the server asked
    oembed: dict[str, Any] | None = None  # provider's oEmbed answer for social posts
    truncated: bool = False
    # What the final page says, when it is an HTML page read whole (status 200): extracted
    # once, where its meta refresh and oEmbed link are needed, and kept for the caller.
    meta: PageMeta | None = field(default=None, repr=False)
    # Whether the answer came from (or through) a public address: then the links it holds
    # (a feed's entries, a page's feeds) are the public web's, not the curator's.
    public_source: bool = True
    failure: FailureKind | None = None  # set with `error`: what kind of failure it is

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def permanent(self) -> bool:
        """A failure that trying again will not fix: the page is gone (404, 410) or its host
        does not exist. Not retried by `revue fetch` (a DNS failure of the moment is)."""
        return not self.ok and (self.status in GONE_STATUSES or self.failure is FailureKind.NO_HOST)


@dataclass(slots=True)
class Item:
    """One stored item: a link (or a free text block when `url` is None)."""

    id: int
    url: str | None
    original_url: str | None = None
    title: str | None = None
    summary: str | None = None
    site_name: str | None = None
    via: str | None = None
    author: str | None = None
    published: str | None = None  # the page's date: its last update, else its publication
    lang: str | None = None
    image: str | None = None
    first_published: str | None = None  # when the page was first published, if it says so
    canonical: str | None = None  # the original a syndicated copy declares, on another site
    note: str | None = None
    lead: str | None = None
    quote: str | None = None
    section: str | None = None
    tags: list[str] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)  # tags shown as #hashtags
    status: str = "pending"
    error: str | None = None
    http_status: int | None = None
    content_type: str | None = None
    added_at: str = ""
    fetched_at: str | None = None
    attempts: int = 0
    next_attempt_at: str | None = None
    review: int | None = None  # id of the review that published it
    review_date: str | None = None  # that review's end date
    kind: str = "link"  # "link" or "text"
    position: float | None = None
    paywalled: bool = False
    user_fields: list[str] = field(default_factory=list)  # page fields typed by the curator
    starred: bool = False  # the curator's pick for the year's recap (`revue star`)

    @property
    def failure(self) -> FailureKind | None:
        """Why the last fetch failed; None unless the item failed or is blocked."""
        if self.status == "blocked":
            return FailureKind.BLOCKED
        if self.status != "failed":
            return None
        return failure_of(self.error, self.http_status)

    def to_json(self) -> dict[str, Any]:
        """The fixed keys in their order, then revue's own after them (docs/reference/json.md)."""
        out: dict[str, Any] = {
            "id": self.id,
            "url": self.url,
            "original_url": self.original_url,
        }
        for name in PAGE_FIELDS[1:]:
            out[name] = getattr(self, name)
        for name in ("note", "lead", "quote", "section", "tags", "status", "error"):
            out[name] = getattr(self, name)
        out["added_at"] = self.added_at
        out["fetched_at"] = self.fetched_at
        out["review"] = self.review
        for name in EXTRA_PAGE_FIELDS:
            out[name] = getattr(self, name)
        out["kind"] = self.kind
        out["hashtags"] = self.hashtags
        out["http_status"] = self.http_status
        out["content_type"] = self.content_type
        out["attempts"] = self.attempts
        out["next_attempt_at"] = self.next_attempt_at
        out["paywalled"] = self.paywalled
        out["user_fields"] = self.user_fields
        out["position"] = self.position
        out["starred"] = self.starred
        return out

    def display_title(self) -> str:
        """Its title, else (blocked or not yet fetched) the domain and the URL path's words."""
        if self.title:
            return self.title
        if self.kind == "text":
            return (self.note or "").split("\n", 1)[0][:80]
        if not self.url:
            return ""
        from revue.urls import domain, path_words

        words = path_words(self.url)
        return f"{domain(self.url)}: {words}" if words else domain(self.url)

    def first_date(self, zone: dt.tzinfo) -> dt.date | None:
        """The day the story first came out: `first_published`, else `published`, else None
        (also for a date that does not parse). A time with an offset is read as a day of
        `zone` (the curator's); a bare date or a time without one is the page's day as is."""
        return page_day(self.first_published, zone) or page_day(self.published, zone)

    def is_stale(self, stale_days: int, zone: dt.tzinfo) -> bool:
        """Old news: first published more than `stale_days` (at least 0) days before the
        curator's day (in `zone`) it was added on. An update does not make old news new, so
        `published` (the page's last update) counts only when the page gives no first
        publication date."""
        first = self.first_date(zone)
        added = local_day(self.added_at, zone)
        return bool(first and added and (added - first).days > max(stale_days, 0))

    @classmethod
    def field_names(cls) -> list[str]:
        return [f.name for f in fields(cls)]


class Row(Protocol):
    """A row read from the store, by column name: a `sqlite3.Row`, or a dict (models is
    pure: it does not import sqlite3)."""

    def keys(self) -> Any: ...

    def __getitem__(self, key: str, /) -> Any: ...


@dataclass(frozen=True, slots=True)
class Review:
    """One composed (or imported) review, as the store records it: a row of `reviews`."""

    id: int
    title: str | None = None
    start: str | None = None  # its first day, ISO
    end: str | None = None  # its last day, ISO
    lang: str | None = None
    style: str | None = None
    format: str | None = None
    path: str | None = None  # the file composed last
    sha256: str | None = None
    composed_at: str | None = None
    item_count: int | None = None
    imported: int = 0  # 1 for a past review read from a file: never composed again
    kind: str | None = None  # None for a weekly review, "recap-<by>" for a year's recap

    @classmethod
    def from_row(cls, row: Row) -> Review:
        return cls(**dict(row))

    def to_json(self) -> dict[str, Any]:
        """The row as `--json` and the export print it: every column, in the table's order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Post:
    """Where a review was last written on a blog (`site`): a row of `review_posts`."""

    review_id: int
    site: str
    post_id: int | None = None
    link: str | None = None
    status: str | None = None
    modified_gmt: str | None = None
    published_at: str | None = None
    content_sha256: str | None = None  # of the content last sent
    ref: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Post:
        return cls(**dict(row))

    def to_json(self) -> dict[str, Any]:
        """The row as `--json` and the export print it: every column, in the table's order."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True, slots=True)
class Feed:
    """A feed revue follows (`revue feed`): a row of `feeds`, its tags read from their JSON."""

    id: int
    url: str
    title: str | None = None
    site_url: str | None = None
    tags: tuple[str, ...] = ()  # given to every item the feed brings
    match: str | None = None  # only entries whose text matches (see `feed add --match`)
    etag: str | None = None
    last_modified: str | None = None
    added_at: str | None = None
    pulled_at: str | None = None
    status: str | None = None  # of the last pull: "ok", "not modified", "failed"
    error: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Feed:
        data = dict(row)
        data["tags"] = tuple(json.loads(data.get("tags") or "[]"))
        return cls(**data)

    def to_json(self) -> dict[str, Any]:
        """The row as `--json` and the export print it: every column, in the table's order,
        the tags as a list."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["tags"] = list(self.tags)
        return out


# The orders `ItemQuery.order` names: the newest added first, a review's order (its
# position, then when added), or by id (what an export writes).
ItemOrder = Literal["newest", "position", "id"]


@dataclass(frozen=True, slots=True)
class NewItem:
    """A link to store, as `Store.add` and `add_many` are given it (`new_item` builds it):
    the curator's fields, and in `extra` page fields from elsewhere (a feed's title, an
    export's stored columns). `own`: those of `extra` that are the curator's (a past
    review's via); `replace_note`: on a link already here, the note replaces the item's
    rather than being added after it."""

    url: str
    note: str | None = None
    tags: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    section: str | None = None
    title: str | None = None
    summary: str | None = None
    lead: str | None = None
    quote: str | None = None
    added_at: str | None = None
    source: str = "cli"
    extra: dict[str, Any] | None = None
    own: tuple[str, ...] = ()
    replace_note: bool = False


def new_item(
    url: str,
    *,
    tags: Iterable[str] = (),
    hashtags: Iterable[str] = (),
    own: Iterable[str] = (),
    source: str | None = None,
    **fields: Any,
) -> NewItem:
    """A `NewItem`: its lists as tuples, a missing source the CLI's."""
    return NewItem(
        url,
        tags=tuple(tags),
        hashtags=tuple(hashtags),
        own=tuple(own),
        source=source or "cli",
        **fields,
    )


@dataclass(frozen=True, slots=True)
class ItemQuery:
    """Which items `list` and `export` read, and in what order: built once by the CLI from
    its options, read by the store. `since`/`before` bound added_at: stored instants,
    [since, before) (clock.day_span), either open; `ids` (review N's items) when given."""

    since: str | None = None
    before: str | None = None
    tag: str | None = None
    status: str | None = None
    unpublished: bool = False
    ids: tuple[int, ...] | None = None
    limit: int | None = None
    order: ItemOrder = "newest"


EVERY_ITEM = ItemQuery()  # no filter, newest first


@dataclass(slots=True)
class ReviewDoc:
    """Everything a template needs to render one review. Built by compose, rendered by render."""

    title: str
    start: dt.date
    end: dt.date
    lang: str  # "fr" or "en"
    items: list[Item]
    sections: list[str] = field(default_factory=list)  # configured order of named sections
    default_hashtags: list[str] = field(default_factory=list)  # e.g. ["Analyweb"]
    intro: str | None = None  # Markdown
    outro: str | None = None  # Markdown
    paywall_marker: str | None = None  # e.g. "(abonnés)"
    show_dates: bool = False  # show the publication date next to each link
    stale_days: int = 30
    zone: dt.tzinfo = dt.UTC  # the curator's: the day each item was added on is theirs
    generator: str = "revue"
