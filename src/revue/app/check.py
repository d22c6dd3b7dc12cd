"""Re-check the links of a composed review: which still work, which moved, which died.

Use case (like refresh): the store and a fetcher factory are passed in; nothing is written.

Contract:

- Every link item of the review is checked once, in the review's order, with
  `Fetcher.head_or_get` (HEAD, then GET when HEAD is refused); text blocks and non-http(s)
  addresses are skipped. At most `concurrency` checks run at once (a fixed pool of workers),
  and the fetcher's own global and per-host semaphores still apply inside each check.
- A link is `ok` (2xx, same page), `moved` (2xx, but the redirects ended on another page:
  compared with `urls.dedup_key`, so http->https, `www.` or a tracking parameter is not a
  move), `blocked` (401/403/407/429/999: the site refuses robots, so the link may well be
  alive: unknown, never counted as dead) or `dead` (404, 410, any other 4xx/5xx left after
  the fetcher's retries, DNS, connection or TLS failure, timeout, redirect loop).
- A dead link gets the Wayback Machine address of its page as of the moment it was added
  (`https://web.archive.org/web/<YYYYMMDDhhmmss>/<url>`, UTC); the Wayback Machine answers
  with the nearest capture it holds.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from revue import urls
from revue.errors import NotFound
from revue.models import FetchResult, Item, Review
from revue.store.db import Store

if TYPE_CHECKING:
    from revue.web.fetch import Fetcher, Trust

CheckStatus = Literal["ok", "moved", "blocked", "dead"]

# The site turns robots away (or rate-limits them): says nothing about the page itself.
# 999 is LinkedIn's answer to anything that is not a browser.
BLOCKED_STATUSES = frozenset({401, 403, 407, 429, 999})
WAYBACK = "https://web.archive.org/web/"


@dataclass(slots=True)
class LinkCheck:
    """The outcome of checking one item's link."""

    item: Item
    status: CheckStatus
    http_status: int | None = None  # of the last response; None when none came
    final_url: str | None = None  # where the redirects ended
    reason: str | None = None  # "HTTP 404", "timeout after 20 s", "moved to the home page", ...
    wayback_url: str | None = None  # set for dead links only

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.item.id,
            "url": self.item.url,
            "title": self.item.title,
            "added_at": self.item.added_at,
            "status": self.status,
            "http_status": self.http_status,
            "final_url": self.final_url,
            "reason": self.reason,
            "wayback_url": self.wayback_url,
        }


@dataclass
class CheckReport:
    review: Review  # the reviews row that was checked
    results: list[LinkCheck] = field(default_factory=list)
    skipped: list[Item] = field(default_factory=list)  # text blocks, non-http(s) addresses

    def count(self, status: CheckStatus) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def dead(self) -> list[LinkCheck]:
        return [r for r in self.results if r.status == "dead"]


def wayback_url(url: str, added_at: str | None) -> str:
    """The Wayback Machine address of `url` as of `added_at` (ISO 8601; naive means UTC).

    Without a usable date, the address without a timestamp (the latest capture)."""
    stamp = ""
    if added_at:
        try:
            moment = dt.datetime.fromisoformat(added_at.strip().replace("Z", "+00:00"))
        except ValueError:
            moment = None
        if moment is not None:
            if moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC)
            stamp = moment.strftime("%Y%m%d%H%M%S") + "/"
    return f"{WAYBACK}{stamp}{url}"


def classify(item: Item, url: str, result: FetchResult) -> LinkCheck:
    """Pure: what one `head_or_get` result says about the link `url` of `item`."""
    status = result.status
    final = result.final_url or url
    check = LinkCheck(item=item, status="ok", http_status=status, final_url=final)
    if status is not None and 200 <= status < 300 and result.error is None:
        if urls.dedup_key(final) != urls.dedup_key(url):
            check.status = "moved"
            # A story that now lands on the home page is usually gone, say so.
            check.reason = (
                "moved to the home page"
                if urls.is_home(final) and not urls.is_home(url)
                else "moved"
            )
        return check
    check.reason = result.error or (f"HTTP {status}" if status is not None else "no answer")
    if status in BLOCKED_STATUSES:
        check.status = "blocked"
        return check
    check.status = "dead"
    check.wayback_url = wayback_url(url, item.added_at)
    return check


def choose_review(store: Store, review_id: int | None) -> Review:
    """The review `review_id`, else the most recent one composed (else the most recent one
    imported). Raises NotFound (exit 2) for an unknown id or when there is no review yet."""
    if review_id is not None:
        return store.get_review(review_id)
    rows = store.reviews()  # newest range first
    if not rows:
        raise NotFound("no reviews yet: compose one first (revue compose)")
    composed = [r for r in rows if not r.imported]
    return (composed or rows)[0]


def split_checkable(items: Sequence[Item]) -> tuple[list[Item], list[Item]]:
    """(items with an http(s) link to check, items skipped: text blocks, other links)."""
    checkable: list[Item] = []
    skipped: list[Item] = []
    for item in items:
        ok = item.kind != "text" and urls.is_http_url(item.url)
        (checkable if ok else skipped).append(item)
    return checkable, skipped


def check_links(
    items: Sequence[Item],
    fetcher_factory: Callable[[], Fetcher],
    *,
    trust: Callable[[Item], Trust],
    progress: Callable[[LinkCheck], None] | None = None,
) -> tuple[list[LinkCheck], list[Item]]:
    """Check the links of `items` concurrently, each as trusted as `trust` says; results in
    the items' order, and the items skipped (no http(s) link). `progress` is called as each
    check finishes."""
    checkable, skipped = split_checkable(items)
    todo = [(i, item, item.url or "") for i, item in enumerate(checkable)]
    results: list[LinkCheck | None] = [None] * len(todo)
    if not todo:
        return [], skipped

    async def run() -> None:
        async with fetcher_factory() as fetcher:
            source = iter(todo)  # shared: each link goes to one worker

            async def worker() -> None:
                for index, item, url in source:
                    result = await fetcher.head_or_get(url, trust=trust(item))
                    check = classify(item, url, result)
                    results[index] = check
                    if progress is not None:
                        progress(check)

            workers = max(1, min(fetcher.settings.concurrency, len(todo)))
            await asyncio.gather(*(worker() for _ in range(workers)))

    asyncio.run(run())
    return [r for r in results if r is not None], skipped


def check_review(
    store: Store,
    review_id: int | None,
    fetcher_factory: Callable[[], Fetcher],
    *,
    progress: Callable[[LinkCheck], None] | None = None,
) -> CheckReport:
    """Check every link of a review (see the module docstring); writes nothing."""
    from revue.app.refresh import items_trust

    review = choose_review(store, review_id)
    items = store.review_items(int(review.id))
    trust = items_trust(store, items)
    results, skipped = check_links(
        items, fetcher_factory, trust=lambda item: trust[item.id], progress=progress
    )
    return CheckReport(review=review, results=results, skipped=skipped)
