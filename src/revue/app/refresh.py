"""Refresh: fetch stored items, extract their pages and record each outcome (ok, failed
or blocked), with a retry time for a failure; and `revue extract`, which stores nothing.

The store and the fetcher are passed in; each link is fetched as trusted as its source.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from revue import urls
from revue.app.add import BatchReport, Progress
from revue.errors import NotFound, RevueError
from revue.models import HTML_TYPES, FetchResult, Item, PageMeta, iso
from revue.store.db import Store
from revue.web.oembed import apply_oembed, post_addresses

if TYPE_CHECKING:
    from revue.web.fetch import Fetcher, FetchSettings, RequestCallback, Trust

# Wait before retrying a failed page: 1 h, 2 h, 4 h … capped at a week.
RETRY_BASE = dt.timedelta(hours=1)
RETRY_CAP = dt.timedelta(days=7)
# The `source` of an entry of a feed the curator's own network serves (not the public web).
PRIVATE_FEED = ":private"
# The `source` of a link that came by mail (`revue inbox pull`).
MAILED = "inbox"


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
