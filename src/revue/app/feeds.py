"""The feeds followed: find one (a feed's address, or the one a home page advertises),
follow it, follow every feed of an OPML file, give them back as OPML.

Pulling new entries is curate's (`pull_feeds`): it stores items like any add.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revue import urls
from revue.errors import BadInput
from revue.models import iso
from revue.store.db import Store

if TYPE_CHECKING:
    from revue.formats.feeds import ParsedFeed
    from revue.web.fetch import FetchSettings, RequestCallback

# How many of the feeds a home page advertises are tried before giving up.
MAX_CANDIDATES = 3


def discover_feed(
    url: str, settings: FetchSettings, *, on_request: RequestCallback | None = None
) -> tuple[str, ParsedFeed]:
    """The feed at `url` (its address after redirects, and the feed), or the first working
    one of those a home page advertises; raises BadInput. `url` is the curator's; a feed a
    public page advertises may reach public addresses only."""
    from revue.formats.feeds import discover_feeds, parse_feed
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
    feed: dict[str, Any]
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


@dataclass
class OpmlImport:
    listed: int  # feeds the file lists
    added: int  # of them, followed now
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, reason): skipped

    @property
    def failures(self) -> int:
        """Problems worth a non-zero exit: an entry that is not http(s) is only skipped."""
        return sum(1 for _, reason in self.problems if not reason.startswith("not an http(s) URL"))


def import_opml(store: Store, data: bytes, *, name: str, now: dt.datetime) -> OpmlImport:
    """Follow every feed of the OPML document `data` (read from `name`); raises BadInput
    when it is not one."""
    from revue.formats.feeds import parse_opml

    problems: list[tuple[int, str]] = []
    try:
        entries = parse_opml(data, problems)
    except ValueError as exc:
        raise BadInput(f"OPML {name}: {exc}") from None
    listed = [(e.get("url"), e.get("title"), e.get("site_url")) for e in entries]
    return OpmlImport(len(entries), follow_all(store, listed, added_at=iso(now)), problems)


def feeds_opml(store: Store) -> str:
    """The feeds followed, as an OPML document."""
    from revue.formats.feeds import export_opml

    return export_opml(store.feeds())
