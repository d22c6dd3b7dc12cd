"""Use cases of the curator's loop: add (store first, then fetch + extract + update) and refetch.

The store and the fetcher are passed in. Invariant: every URL is in the database, as
`pending`, before the first byte is fetched; a crash at any point after that loses nothing
that `revue fetch --pending` cannot complete.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from revue import urls
from revue.errors import BadInput, NotFound, RevueError
from revue.models import HTML_TYPES, FetchResult, Item, PageMeta, iso, note_body
from revue.store.db import AddOutcome, Store
from revue.web.oembed import apply_oembed, post_addresses

if TYPE_CHECKING:
    from revue.formats.feeds import FeedEntry
    from revue.web.fetch import Fetcher, FetchSettings, RequestCallback, Trust

HASHTAG = re.compile(r"(?<![\w&/])#([^\W\d_][\w-]*)", re.UNICODE)
# Wait before retrying a failed page: 1 h, 2 h, 4 h … capped at a week.
RETRY_BASE = dt.timedelta(hours=1)
RETRY_CAP = dt.timedelta(days=7)
# The `source` of an entry of a feed the curator's own network serves (not the public web).
PRIVATE_FEED = ":private"
# The `source` of a link that came by mail (`revue inbox pull`).
MAILED = "inbox"


@dataclass
class GivenLinks:
    """The links `add` was given, each once, in order, with the title its line gave (None
    for a URL on the command line), and the lines of a list that were not links."""

    links: list[tuple[str, str | None]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "standard input, line 9: not a link: …"


def checked_links(sources: Iterable[tuple[str, bytes | None, str]]) -> GivenLinks:
    """The links of `sources`: a (name, None, url) is one URL typed on the command line, a
    (name, bytes, "") a list of links read as `import` reads a links file (`www.…` is https,
    text after a URL is its title). A typed URL that is not one raises BadInput naming it
    (nothing is stored then); a bad line of a list is reported in `skipped`, the others kept."""
    from revue.formats.importers import parse_import

    given = GivenLinks()
    seen: set[str] = set()

    def keep(link: str, title: str | None) -> None:
        key = urls.dedup_key(link)
        if key not in seen:
            seen.add(key)
            given.links.append((link, title))

    for name, data, single in sources:
        if data is None:
            keep(urls.validate(urls.with_scheme(single.strip())), None)
            continue
        parsed = parse_import(data, format="links")
        problems = list(parsed.errors)
        for record in parsed.records:
            try:
                link = urls.validate(record.url or "")
            except BadInput as exc:
                problems.append((record.line or 0, exc.message))
                continue
            keep(link, record.title)
        given.skipped += [f"{name}, line {n}: {why}" for n, why in sorted(problems)]
    return given


def hashtags_in(text: str | None) -> list[str]:
    """Hashtags written in a comment (`#TikTok`), in order, each once."""
    seen: dict[str, str] = {}
    for tag in HASHTAG.findall(text or ""):
        seen.setdefault(tag.lower(), tag)
    return list(seen.values())


def edit_item(
    store: Store,
    item_id: int,
    fields: dict[str, Any],
    *,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> Item:
    """Change an item's curator fields (`revue edit`, the workbench): the hashtags written in
    a new note become its hashtags. Returns the item as stored."""
    if fields.get("note"):
        fields = {**fields, "note": note_body(fields["note"])}
    hashtags = hashtags_in(fields.get("note"))
    return store.update(
        item_id,
        fields,
        add_tags=[*add_tags, *hashtags],
        remove_tags=remove_tags,
        hashtags=hashtags,
    )


@dataclass
class Progress:
    """Callbacks the shell gives to follow a batch (all optional)."""

    stored: Callable[[AddOutcome], None] = lambda outcome: None
    fetched: Callable[[Item, Item | None], None] = lambda item, dup: None
    started: Callable[[int], None] = lambda total: None


@dataclass
class BatchReport:
    outcomes: list[AddOutcome] = field(default_factory=list)
    ok: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    merged: list[tuple[int, Item]] = field(default_factory=list)  # (removed id, kept item)

    @property
    def items(self) -> list[Item]:
        return [*self.ok, *self.failed]


def link_entry(
    link: str,
    curator: dict[str, Any],
    *,
    append_note: bool = False,
    title: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """What `Store.add_many` is given for one link the curator adds: their fields (a note
    typed as the review writes it, "= À suivre", without its "="; its hashtags as tags),
    and `title`, a title from elsewhere (a list's line, a mail's subject): the page's title
    until a fetch finds one (a title typed with --title is the curator's, and wins)."""
    curator = dict(curator)
    tags = list(curator.pop("tags", ()) or ())
    if curator.get("note") is not None:
        curator["note"] = note_body(curator["note"]) or None
    entry: dict[str, Any] = {
        "url": link,
        "tags": tags,
        "hashtags": hashtags_in(curator.get("note")),
        "replace_note": not append_note,
        **curator,
    }
    if source is not None:
        entry["source"] = source
    if title and not entry.get("title"):
        entry["extra"] = {"title": title}
    return entry


def store_links(
    store: Store,
    links: Sequence[str],
    *,
    now: dt.datetime,
    curator: dict[str, Any],
    progress: Progress | None = None,
    append_note: bool = False,
    titles: Sequence[str | None] = (),
) -> list[AddOutcome]:
    """Store the links (validated by the caller) with the curator's fields, in one
    transaction, before anything is fetched: once this returns, every link is on disk.

    A note typed as the review writes it ("= À suivre") is stored without its "=". On a link
    already here it replaces the item's note, or with `append_note` is added after it.
    `titles`, when given, are the links' own titles (from a list's lines), in order."""
    progress = progress or Progress()
    given = list(titles or ())
    entries = [
        link_entry(
            link,
            curator,
            append_note=append_note,
            title=given[n] if n < len(given) else None,
        )
        for n, link in enumerate(links)
    ]
    outcomes = store.add_many(entries, now=iso(now))
    for outcome in outcomes:
        progress.stored(outcome)
    return outcomes


def next_attempt(attempts: int, now: dt.datetime, retry_after: float | None = None) -> str:
    """When a page that failed `attempts` times may be tried again."""
    wait = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)
    if retry_after:
        wait = max(wait, dt.timedelta(seconds=retry_after))
    return iso(now + wait)


def meta_from_result(result: FetchResult) -> PageMeta:
    """Extract what the response says (HTML page, document, or social post's oEmbed)."""
    from revue.web.extract import extract, extract_document

    ctype = result.content_type or ""
    base = result.final_url or result.url
    if result.meta is not None:
        meta = result.meta  # the fetcher read the page already
    elif not ctype or ctype in HTML_TYPES or (ctype == "text/plain" and _looks_html(result.body)):
        meta = extract(result.body, base, result.headers)
    else:
        meta = extract_document(result.body, base, ctype)
    meta.content_type = ctype or meta.content_type
    if result.oembed:
        apply_oembed(meta, result.oembed)
    return meta


@dataclass
class Extracted:
    """What `revue extract` shows: the page's metadata, or why the page could not be read."""

    link: str  # the page's address, or its file's URI
    meta: PageMeta | None
    error: str | None = None


def extract_source(
    source: str,
    *,
    url: str | None = None,
    settings: FetchSettings | None = None,
    on_request: RequestCallback | None = None,
    read_file: Callable[[Path], bytes] = Path.read_bytes,
) -> Extracted:
    """The metadata of `source`: a URL to fetch, or a saved page's file (read through
    `read_file`), which came from `url` when given. Its address is the page's own when it
    declares an http(s) one, else where the fetch ended, cleaned of tracking parameters.
    Raises BadInput for a URL that is not one."""
    if source.lower().startswith(("http://", "https://")):
        from revue.web.fetch import CURATOR, DEFAULT_SETTINGS, fetch_one

        link = urls.validate(source)
        result = fetch_one(link, settings or DEFAULT_SETTINGS, trust=CURATOR, on_request=on_request)
        if not result.ok:
            return Extracted(link, None, result.error)
    else:
        path = Path(source)
        body = read_file(path)
        link = urls.validate(url) if url else path.resolve().as_uri()
        ctype = "application/pdf" if body[:5] == b"%PDF-" else "text/html"
        result = FetchResult(url=link, final_url=link, status=200, content_type=ctype, body=body)
    meta = meta_from_result(result)
    if meta.url and urls.is_http_url(meta.url):
        meta.url = urls.clean(meta.url)
    elif result.final_url and urls.is_http_url(result.final_url):
        meta.url = urls.clean(result.final_url)
    else:
        meta.url = None
    return Extracted(link, meta)


def _looks_html(body: bytes) -> bool:
    head = body[:1024].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head"))


def _wall_reason(result: FetchResult) -> str | None:
    """Why a refused page (401/403/429/503…) is a bot wall or a login/consent page, if it is."""
    if result.status not in (401, 403, 429, 451, 503) or not result.body:
        return None
    if (result.content_type or "text/html") not in HTML_TYPES:
        return None
    from revue.web.extract import extract

    try:
        return extract(result.body, result.final_url or result.url, result.headers).blocked
    except Exception:  # a refused page's body is only a hint; never let it fail the item
        return None


def extract_result(result: FetchResult) -> PageMeta | Exception:
    """`meta_from_result`, or the exception it raised (extraction must never lose an item).

    Touches no store, so `fetch_items` runs it in a worker thread."""
    try:
        return meta_from_result(result)
    except Exception as exc:
        return exc


def record_result(
    store: Store,
    item_id: int,
    result: FetchResult,
    *,
    now: dt.datetime,
    extracted: PageMeta | Exception | None = None,
) -> tuple[Item, Item | None]:
    """Turn one fetch result into the item's new state (ok, failed or blocked).

    `extracted` is `extract_result(result)` when the caller already ran it; else it runs here."""
    current = store.get(item_id)
    attempts = current.attempts + 1

    def not_ok(
        status: str,
        error: str | None,
        retry_after: float | None = None,
        final_url: str | None = None,
    ) -> tuple[Item, Item | None]:
        return store.record_fetch(
            item_id,
            status=status,
            now=iso(now),
            error=error,
            http_status=result.status,
            content_type=result.content_type,
            final_url=final_url,
            # A page that is gone is not tried again (`revue fetch ID` or --force still do).
            next_attempt_at=None if result.permanent else next_attempt(attempts, now, retry_after),
        )

    if not result.ok:
        wall = _wall_reason(result)
        if wall:
            return not_ok("blocked", f"blocked: {wall} ({result.error})", result.retry_after)
        return not_ok("failed", result.error, result.retry_after)
    meta = extracted if extracted is not None else extract_result(result)
    if isinstance(meta, Exception):  # keep the item, with the reason
        return not_ok("failed", f"extraction failed: {type(meta).__name__}")
    if meta.blocked:
        return not_ok("blocked", f"blocked: {meta.blocked}", final_url=result.final_url)
    aliases = post_addresses(result.oembed) if result.oembed else []
    if aliases:
        meta.url = aliases[0]  # the post as people share it: under its author's handle
    return store.record_fetch(
        item_id,
        status="ok",
        now=iso(now),
        meta=meta,
        http_status=result.status,
        content_type=result.content_type,
        final_url=result.final_url,
        aliases=aliases,
    )


def record_unexpected(
    store: Store, item_id: int, result: FetchResult, exc: Exception, *, now: dt.datetime
) -> tuple[Item, None]:
    """Record an error nobody foresaw, while recording `result`, as the item's failure: an
    attempt is counted and a retry time set, like any other failure."""
    attempts = store.get(item_id).attempts + 1
    item, _ = store.record_fetch(
        item_id,
        status="failed",
        now=iso(now),
        error=f"unexpected error: {type(exc).__name__}",
        http_status=result.status,
        next_attempt_at=next_attempt(attempts, now),
    )
    return item, None


def source_trust(source: str | None) -> Trust:
    """Whose word a stored link is, from where it came (`Store.item_sources`): an entry of a
    public feed is the public web's, and so is a link mailed to revue's inbox (anyone can
    send a mail, and write the curator's address in its From); the rest is the curator's
    (typed, imported from their files, or an entry of a feed their own network serves)."""
    from revue.web.fetch import CURATOR, FROM_MAIL, FROM_PUBLIC_FEED

    if source and source.startswith("feed:") and not source.endswith(PRIVATE_FEED):
        return FROM_PUBLIC_FEED
    if source == MAILED:
        return FROM_MAIL
    return CURATOR


def items_trust(store: Store, items: Sequence[Item]) -> dict[int, Trust]:
    """`source_trust` of each item, by id."""
    sources = store.item_sources(item.id for item in items)
    return {item.id: source_trust(sources.get(item.id)) for item in items}


def fetch_items(
    store: Store,
    items: Sequence[Item],
    fetcher_factory: Callable[[], Fetcher],
    *,
    clock: Callable[[], dt.datetime],
    progress: Progress | None = None,
    typed: bool = False,
) -> BatchReport:
    """Fetch the items concurrently and record each outcome as it arrives. `typed`: the
    curator typed these links now (`revue add`), whatever their source; else each is as
    trusted as its source (see `source_trust`)."""
    from revue.web.fetch import CURATOR

    progress = progress or Progress()
    report = BatchReport()
    by_url: dict[str, list[int]] = {}
    trust_of = {item.id: CURATOR for item in items} if typed else items_trust(store, items)
    url_trust: dict[str, Trust] = {}
    for item in items:
        # The address the curator gave is the one known to work; the canonical one may not.
        link = item.original_url or item.url
        if link:
            by_url.setdefault(link, []).append(item.id)
            # One link for several items: the curator's if one of them is.
            if link not in url_trust or not trust_of[item.id].public_only:
                url_trust[link] = trust_of[item.id]
    progress.started(sum(len(v) for v in by_url.values()))
    if not by_url:
        return report

    async def run() -> None:
        async with fetcher_factory() as fetcher:
            async for result in fetcher.fetch_many(list(by_url), trust=url_trust.__getitem__):
                # Extraction (a few ms of CPU a page) runs off the event loop, so the
                # downloads in flight keep being read meanwhile; the store stays on this thread.
                extracted = await asyncio.to_thread(extract_result, result) if result.ok else None
                if result.ok:
                    result.body = b""  # extracted: don't hold it while recording
                for item_id in by_url.get(result.url, []):
                    try:
                        item, dup = record_result(
                            store, item_id, result, now=clock(), extracted=extracted
                        )
                    except NotFound:
                        continue  # removed by another process meanwhile: nothing to record
                    except RevueError:
                        raise  # the database itself failed: no later item could be saved
                    except Exception as exc:
                        # One bad page must not cost the rest of the batch its results, nor
                        # stall cron on it forever: it fails alone, with an attempt counted.
                        item, dup = record_unexpected(store, item_id, result, exc, now=clock())
                    if dup is not None:
                        report.merged.append((item_id, dup))
                    (report.ok if item.status == "ok" else report.failed).append(item)
                    progress.fetched(item, dup)

    asyncio.run(run())
    return report


@dataclass
class FeedOutcome:
    feed: dict[str, Any]
    status: str  # "ok", "not modified", "failed"
    error: str | None = None
    added: list[Item] = field(default_factory=list)
    merged: int = 0
    filtered: int = 0


def feed_entry_dates(entry: FeedEntry) -> dict[str, str | None]:
    """A feed entry's dates in an item's terms: the entry's publication date is the story's
    first publication (`first_published`), and `published` is the page's date, its last
    update when the feed gives one (the meaning `extract` gives it for a page)."""
    return {"first_published": entry.published, "published": entry.updated or entry.published}


def _feed_entries_to_add(
    feed: dict[str, Any], parsed: Any, *, public: bool
) -> tuple[list[dict[str, Any]], int]:
    """The entries to store; `public`: the feed came from the public web, so its entries'
    links may reach public addresses only (their `source` says so)."""
    from revue.formats.feeds import good_enough, matches

    source = f"feed:{feed['id']}" if public else f"feed:{feed['id']}{PRIVATE_FEED}"
    entries: list[dict[str, Any]] = []
    filtered = 0
    for entry in parsed.entries:
        if not urls.is_http_url(entry.url):
            continue
        if not matches(entry, feed.get("match")):
            filtered += 1
            continue
        extra: dict[str, Any] = {"author": entry.author, **feed_entry_dates(entry)}
        if good_enough(entry):
            # The feed says enough: no need to fetch the page.
            extra.update(title=entry.title, summary=entry.summary, status="ok")
        elif entry.title:
            extra["title"] = entry.title
        entries.append(
            {
                "url": entry.url,
                "tags": list(feed.get("tags") or []),
                "source": source,
                "extra": {k: v for k, v in extra.items() if v},
            }
        )
    return entries, filtered


def pull_feeds(
    store: Store,
    feeds: Sequence[dict[str, Any]],
    fetcher_factory: Callable[[], Fetcher],
    *,
    clock: Callable[[], dt.datetime],
) -> list[FeedOutcome]:
    """Fetch each feed (conditional GET), store its new entries; a broken feed spoils nothing."""
    from revue.formats.feeds import parse_feed
    from revue.web.fetch import CURATOR

    outcomes: list[FeedOutcome] = []

    async def one(fetcher: Fetcher, feed: dict[str, Any]) -> FeedOutcome:
        headers = {}
        if feed.get("etag"):
            headers["If-None-Match"] = feed["etag"]
        if feed.get("last_modified"):
            headers["If-Modified-Since"] = feed["last_modified"]
        # The feed's address is the curator's, who followed it; its entries may not be.
        result = await fetcher.fetch(feed["url"], trust=CURATOR, headers=headers)
        now = iso(clock())
        if result.status == 304:
            store.update_feed(feed["id"], {"pulled_at": now, "status": "ok", "error": None})
            return FeedOutcome(feed, "not modified")
        if not result.ok:
            store.update_feed(
                feed["id"], {"pulled_at": now, "status": "failed", "error": result.error}
            )
            return FeedOutcome(feed, "failed", result.error)
        try:
            parsed = parse_feed(result.body, result.final_url or feed["url"], result.headers)
        except ValueError as exc:
            reason = f"not a feed ({exc})"
            store.update_feed(feed["id"], {"pulled_at": now, "status": "failed", "error": reason})
            return FeedOutcome(feed, "failed", reason)
        entries, filtered = _feed_entries_to_add(feed, parsed, public=result.public_source)
        added = store.add_many(entries, now=now) if entries else []
        store.update_feed(
            feed["id"],
            {
                "pulled_at": now,
                "status": "ok",
                "error": parsed.bozo and f"malformed but read: {parsed.bozo}",
                "etag": result.headers.get("etag"),
                "last_modified": result.headers.get("last-modified"),
                "title": feed.get("title") or parsed.title,
            },
        )
        return FeedOutcome(
            feed,
            "ok",
            added=[o.item for o in added if o.created],
            merged=sum(1 for o in added if not o.created),
            filtered=filtered,
        )

    async def guarded(fetcher: Fetcher, feed: dict[str, Any]) -> FeedOutcome:
        try:
            return await one(fetcher, feed)
        except RevueError:
            raise
        except Exception as exc:
            # A feed nobody foresaw must not cost the other feeds their entries.
            reason = f"unexpected error: {type(exc).__name__}"
            store.update_feed(
                feed["id"], {"pulled_at": iso(clock()), "status": "failed", "error": reason}
            )
            return FeedOutcome(feed, "failed", reason)

    async def run() -> None:
        async with fetcher_factory() as fetcher:
            results = await asyncio.gather(*(guarded(fetcher, f) for f in feeds))
            outcomes.extend(results)

    asyncio.run(run())
    return outcomes


@dataclass
class ImportReport:
    format: str
    added: int = 0
    merged: int = 0
    skipped: int = 0
    reviews: int = 0
    feeds: int = 0
    fresh: list[Item] = field(default_factory=list)  # new items, to fetch
    warnings: list[tuple[int | None, str]] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.added} added, {self.merged} merged, {self.skipped} skipped"]
        if self.reviews:
            parts.append(f"{self.reviews} past review(s) recorded")
        if self.feeds:
            parts.append(f"{self.feeds} feed(s) added")
        return "; ".join(parts) + f" ({self.format})"


def import_revue_export(store: Store, chunks: Iterable[bytes], *, now: dt.datetime) -> ImportReport:
    """Restore revue's own export as it is read, whatever its size: memory stays flat (see
    `importers.read_revue_export` and `Store.restore_stream`). Raises ValueError for a file
    that is not one, or is damaged; nothing is stored then."""
    from revue.formats.importers import read_revue_export

    report = ImportReport("revue-json")
    counts = store.restore_stream(
        read_revue_export(chunks),
        now=iso(now),
        on_skip=lambda index, reason: report.warnings.append((index, reason)),
    )
    report.added, report.merged, report.skipped = (
        counts["added"],
        counts["merged"],
        counts["skipped"],
    )
    report.reviews, report.feeds = counts["reviews"], counts["feeds"]
    return report


def import_parsed(
    store: Store, parsed: Any, *, now: dt.datetime, extra_tags: Sequence[str] = ()
) -> ImportReport:
    """Store what an import file held, in one transaction: items (merged like any add), the
    past reviews that published them, feeds. Raises ValueError for an unusable revue dump."""
    stamp = iso(now)
    report = ImportReport(parsed.format, warnings=list(parsed.errors))
    report.skipped = len(parsed.errors)
    if parsed.format == "revue-json" and parsed.dump is not None:
        try:
            counts = store.restore(parsed.dump, now=stamp)
        except (KeyError, TypeError) as exc:
            raise ValueError(f"damaged revue export ({type(exc).__name__}: {exc})") from None
        report.added, report.merged = counts["added"], counts["merged"]
        report.reviews, report.feeds = counts["reviews"], counts["feeds"]
        return report
    if parsed.format == "opml":
        from revue.app.feeds import follow_all

        listed = [(r.url, r.title, r.extra.get("site_url")) for r in parsed.records]
        report.feeds += follow_all(store, listed, added_at=stamp)
        return report
    entries: list[dict[str, Any]] = []
    kept = []
    for record in parsed.records:
        if not record.url or not urls.is_http_url(record.url):
            report.warnings.append((record.line, "not an http(s) URL"))
            report.skipped += 1
            continue
        kept.append(record)
        page = {
            **record.stored,
            "title": record.title,
            "summary": record.summary,
            "via": record.via,
        }
        entries.append(
            {
                "url": record.url.strip(),
                "title": record.title if "title" in record.own else None,
                "own": record.own,
                "note": record.note,
                "tags": [*record.tags, *extra_tags],
                "hashtags": list(dict.fromkeys([*record.hashtags, *hashtags_in(record.note)])),
                "section": record.section,
                "lead": record.lead,
                "quote": record.quote,
                "added_at": record.added_at,
                "source": f"import:{parsed.format}",
                "extra": {k: v for k, v in page.items() if v},
            }
        )
    # Past reviews: the items they published are marked, so compose never repeats them.
    reviews: dict[tuple[str, str], tuple[Any, list[int]]] = {}
    positions = {id(r): n for n, r in enumerate(kept)}
    for record in kept:
        if record.review is not None:
            key = (record.review.title, str(record.review.end))
            reviews.setdefault(key, (record.review, []))[1].append(positions[id(record)])
    review_rows = [
        (
            {
                "title": ref.title,
                "start": ref.start.isoformat() if ref.start else None,
                "end": ref.end.isoformat() if ref.end else None,
                "lang": ref.lang,
                "style": ref.style,
                "format": "text",
                "composed_at": stamp,
            },
            entry_indexes,
        )
        for ref, entry_indexes in reviews.values()
    ]
    outcomes = store.import_batch(entries, review_rows, now=stamp)
    report.added = sum(1 for o in outcomes if o.created)
    report.merged = len(outcomes) - report.added
    report.reviews = len(review_rows)
    # An item restored with its fetch status (a revue CSV) is not fetched again.
    report.fresh = [o.item for o in outcomes if o.created and o.item.status == "pending"]
    return report
