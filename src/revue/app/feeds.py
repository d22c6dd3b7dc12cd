"""The feeds followed: find one (a feed's address, or the one a home page advertises),
follow it, follow every feed of an OPML file, give them back as OPML.

Pull new entries (`pull_feeds`): they are stored as items like any add.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revue import urls
from revue.app.refresh import PRIVATE_FEED
from revue.errors import BadInput, RevueError
from revue.models import Feed, Item, NewItem, iso, new_item
from revue.store.db import Store

if TYPE_CHECKING:
    from revue.formats.feedparse import FeedEntry, ParsedFeed
    from revue.formats.imports.records import ImportRecord
    from revue.web.fetch import Fetcher, FetchSettings, RequestCallback

# How many of the feeds a home page advertises are tried before giving up.
MAX_CANDIDATES = 3


def discover_feed(
    url: str, settings: FetchSettings, *, on_request: RequestCallback | None = None
) -> tuple[str, ParsedFeed]:
    """The feed at `url` (its address after redirects, and the feed), or the first working
    one of those a home page advertises; raises BadInput. `url` is the curator's; a feed a
    public page advertises may reach public addresses only."""
    from revue.formats.feedparse import discover_feeds, parse_feed
    from revue.web.fetch import CURATOR, FROM_PUBLIC_PAGE, fetch_one

    result = fetch_one(url, settings, trust=CURATOR, on_request=on_request)
    if not result.ok:
        raise BadInput(f"feed {url}: {result.error}")
    try:
        return result.final_url or url, parse_feed(
            result.body, result.final_url or url, result.headers
        )
    except ValueError:
        pass
    trust = FROM_PUBLIC_PAGE if result.public_source else CURATOR
    for candidate in discover_feeds(result.body, result.final_url or url)[:MAX_CANDIDATES]:
        found = fetch_one(candidate, settings, trust=trust, on_request=on_request)
        if not found.ok:
            continue
        try:
            return found.final_url or candidate, parse_feed(found.body, candidate, found.headers)
        except ValueError:
            continue
    raise BadInput(f"feed {url}: not a feed, and the page links to no working feed")


@dataclass
class Followed:
    feed: Feed
    created: bool
    entries: int  # in the feed when it was found


def follow_feed(
    store: Store,
    url: str,
    settings: FetchSettings,
    *,
    now: dt.datetime,
    tags: Sequence[str] = (),
    match: str | None = None,
    on_request: RequestCallback | None = None,
) -> Followed:
    """Follow the feed `url` leads to (see discover_feed); a feed followed already is kept
    as it is. Raises BadInput for a URL that is not http(s) or leads to no feed."""
    feed_url, parsed = discover_feed(urls.validate(url), settings, on_request=on_request)
    feed, created = store.add_feed(
        {
            "url": feed_url,
            "title": parsed.title,
            "site_url": parsed.link,
            "tags": json.dumps(list(tags)),
            "match": match,
            "added_at": iso(now),
        }
    )
    return Followed(feed, created, len(parsed.entries))


def follow_all(
    store: Store, feeds: Iterable[tuple[str | None, str | None, str | None]], *, added_at: str
) -> int:
    """Follow each (url, title, site_url) whose URL is http(s); returns how many are new."""
    added = 0
    for url, title, site_url in feeds:
        if url and urls.is_http_url(url):
            _, created = store.add_feed(
                {
                    "url": url,
                    "title": title,
                    "site_url": site_url,
                    "tags": "[]",
                    "added_at": added_at,
                }
            )
            added += int(created)
    return added


def follow_records(store: Store, records: Iterable[ImportRecord], *, added_at: str) -> int:
    """Follow the feeds an OPML file's records list; returns how many are new."""
    listed = [(r.url, r.title, r.extra.get("site_url")) for r in records]
    return follow_all(store, listed, added_at=added_at)


@dataclass
class OpmlImport:
    listed: int  # feeds the file lists
    added: int  # of them, followed now
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): skipped
    # Problems worth a non-zero exit: outlines the reader lost, as the reader classes them
    # (`ImportResult.unreadable`); an entry that is not http(s) is only skipped.
    failures: int = 0


def import_opml(store: Store, data: bytes, *, name: str, now: dt.datetime) -> OpmlImport:
    """Follow every feed of the OPML document `data` (read from `name`); raises BadInput
    when it is not one."""
    from revue.formats.imports.opml import read_opml

    try:
        parsed = read_opml(data)
    except ValueError as exc:
        raise BadInput(f"OPML {name}: {exc}") from None
    followed = follow_records(store, parsed.records, added_at=iso(now))
    return OpmlImport(len(parsed.records), followed, parsed.errors, len(parsed.unreadable))


def feeds_opml(store: Store) -> str:
    """The feeds followed, as an OPML document."""
    from revue.formats.feedparse import export_opml

    return export_opml([feed.to_json() for feed in store.feeds()])


# --- pulling new entries ----------------------------------------------------------------------


@dataclass
class FeedOutcome:
    feed: Feed
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


def _feed_entries_to_add(feed: Feed, parsed: Any, *, public: bool) -> tuple[list[NewItem], int]:
    """The entries to store; `public`: the feed came from the public web, so its entries'
    links may reach public addresses only (their `source` says so)."""
    from revue.formats.feedparse import good_enough, matches

    source = f"feed:{feed.id}" if public else f"feed:{feed.id}{PRIVATE_FEED}"
    entries: list[NewItem] = []
    filtered = 0
    for entry in parsed.entries:
        if not urls.is_http_url(entry.url):
            continue
        if not matches(entry, feed.match):
            filtered += 1
            continue
        extra: dict[str, Any] = {"author": entry.author, **feed_entry_dates(entry)}
        if good_enough(entry):
            # The feed says enough: no need to fetch the page.
            extra.update(title=entry.title, summary=entry.summary, status="ok")
        elif entry.title:
            extra["title"] = entry.title
        entries.append(
            new_item(
                entry.url,
                tags=feed.tags,
                source=source,
                extra={k: v for k, v in extra.items() if v},
            )
        )
    return entries, filtered


def pull_feeds(
    store: Store,
    feeds: Sequence[Feed],
    fetcher_factory: Callable[[], Fetcher],
    *,
    clock: Callable[[], dt.datetime],
) -> list[FeedOutcome]:
    """Fetch each feed (conditional GET), store its new entries; a broken feed spoils nothing."""
    from revue.formats.feedparse import parse_feed
    from revue.web.fetch import CURATOR

    outcomes: list[FeedOutcome] = []

    async def one(fetcher: Fetcher, feed: Feed) -> FeedOutcome:
        headers = {}
        if feed.etag:
            headers["If-None-Match"] = feed.etag
        if feed.last_modified:
            headers["If-Modified-Since"] = feed.last_modified
        # The feed's address is the curator's, who followed it; its entries may not be.
        result = await fetcher.fetch(feed.url, trust=CURATOR, headers=headers)
        now = iso(clock())
        if result.status == 304:
            store.update_feed(feed.id, {"pulled_at": now, "status": "ok", "error": None})
            return FeedOutcome(feed, "not modified")
        if not result.ok:
            store.update_feed(
                feed.id, {"pulled_at": now, "status": "failed", "error": result.error}
            )
            return FeedOutcome(feed, "failed", result.error)
        try:
            parsed = parse_feed(result.body, result.final_url or feed.url, result.headers)
        except ValueError as exc:
            reason = f"not a feed ({exc})"
            store.update_feed(feed.id, {"pulled_at": now, "status": "failed", "error": reason})
            return FeedOutcome(feed, "failed", reason)
        entries, filtered = _feed_entries_to_add(feed, parsed, public=result.public_source)
        added = store.add_many(entries, now=now) if entries else []
        store.update_feed(
            feed.id,
            {
                "pulled_at": now,
                "status": "ok",
                "error": parsed.bozo and f"malformed but read: {parsed.bozo}",
                "etag": result.headers.get("etag"),
                "last_modified": result.headers.get("last-modified"),
                "title": feed.title or parsed.title,
            },
        )
        return FeedOutcome(
            feed,
            "ok",
            added=[o.item for o in added if o.created],
            merged=sum(1 for o in added if not o.created),
            filtered=filtered,
        )

    async def guarded(fetcher: Fetcher, feed: Feed) -> FeedOutcome:
        try:
            return await one(fetcher, feed)
        except RevueError:
            raise
        except Exception as exc:
            # A feed nobody foresaw must not cost the other feeds their entries.
            reason = f"unexpected error: {type(exc).__name__}"
            store.update_feed(
                feed.id, {"pulled_at": iso(clock()), "status": "failed", "error": reason}
            )
            return FeedOutcome(feed, "failed", reason)

    async def run() -> None:
        async with fetcher_factory() as fetcher:
            results = await asyncio.gather(*(guarded(fetcher, f) for f in feeds))
            outcomes.extend(results)

    asyncio.run(run())
    return outcomes
