"""The aggregates `revue stats` and `revue recap` read: SQL over indexed columns only.

Every query is bounded by the range asked for, through an index: items by `added_at`
(the stored instants of the curator's days, clock.day_span), reviews by their last day
(`end`), an item's reviews by `review_items(item_id)`, tags by `item_tags`' key. The cost
follows the range's items, never the store's: a year's figures read the year, whatever
the years before it hold. Weeks and months are given as bounds (the caller's curator's
days, converted to instants), so SQLite never does time-zone arithmetic.

A recap (`reviews.kind` set) publishes nothing anew: "published" means a weekly review's.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from revue import urls
from revue.models import FailureKind
from revue.store.reads import Reads

# An item a weekly review published (a recap repeats them: it is no publication).
PUBLISHED = (
    "EXISTS (SELECT 1 FROM review_items ri JOIN reviews r ON r.id = ri.review_id "
    "WHERE ri.item_id = items.id AND r.kind IS NULL)"
)
RANGE = "added_at >= :since AND added_at < :before"


@dataclass(frozen=True)
class Bounds:
    """One bucket of a series: its label, the stored instants [since, before) of its days,
    and its first and last days (ISO) for what is dated by day (a review's `end`)."""

    label: str
    since: str
    before: str
    first: str
    last: str


def dead_sql(kinds: Iterable[FailureKind]) -> str:
    """The SQL test of a dead link (its last fetch failed for good), from compose's rules:
    the kinds of failure (`models.failure_of`, the one reader of stored failures)."""
    names = ", ".join(f"'{k.value}'" for k in sorted(kinds)) or "NULL"
    return (
        "(items.kind = 'link' AND items.status = 'failed' AND "
        f"revue_failure(items.error, items.http_status) IN ({names}))"
    )


def _site(url: str | None) -> str:
    return urls.domain(url) if url else ""


def _rows(store: Reads, sql: str, params: dict[str, Any] | Sequence[Any]) -> list[Any]:
    store.conn.create_function("revue_site", 1, _site, deterministic=True)
    return [tuple(r) for r in store.query(sql, params)]


def totals(store: Reads, since: str, before: str, dead: str) -> dict[str, int]:
    """Items added in the range: links, text blocks, published, starred, dead, and dead
    after a review published them."""
    row = _rows(
        store,
        f"SELECT count(*), total(kind = 'link'), total(kind = 'text'), total({PUBLISHED}), "
        f"total(starred), total({dead}), total({dead} AND {PUBLISHED}) "
        f"FROM items WHERE {RANGE}",
        {"since": since, "before": before},
    )[0]
    names = ("items", "links", "texts", "published", "starred", "dead", "dead_published")
    return {name: int(value or 0) for name, value in zip(names, row, strict=True)}


def by_site(store: Reads, since: str, before: str, limit: int) -> list[tuple[str, int, int]]:
    """(site, links, published) of the range's links, most first, at most `limit`."""
    return _rows(
        store,
        f"SELECT revue_site(url) AS site, count(*) AS n, total({PUBLISHED}) FROM items "
        f"WHERE {RANGE} AND kind = 'link' GROUP BY site ORDER BY n DESC, site LIMIT :limit",
        {"since": since, "before": before, "limit": limit},
    )


def by_tag(store: Reads, since: str, before: str, limit: int) -> list[tuple[str, int, int]]:
    """(tag, items, published) of the range's items, most first, at most `limit`."""
    return _rows(
        store,
        f"SELECT t.name, count(*) AS n, total({PUBLISHED}) FROM items "
        "JOIN item_tags it ON it.item_id = items.id JOIN tags t ON t.id = it.tag_id "
        f"WHERE {RANGE} GROUP BY t.id ORDER BY n DESC, t.name LIMIT :limit",
        {"since": since, "before": before, "limit": limit},
    )


def by_column(store: Reads, since: str, before: str, expr: str) -> list[tuple[str, int, int]]:
    """(value of `expr`, links, published) of the range's links, most first."""
    return _rows(
        store,
        f"SELECT {expr} AS value, count(*) AS n, total({PUBLISHED}) FROM items "
        f"WHERE {RANGE} AND kind = 'link' GROUP BY value ORDER BY n DESC, value",
        {"since": since, "before": before},
    )


def _values(bounds: Sequence[Bounds]) -> tuple[str, list[Any]]:
    marks = ", ".join("(?, ?, ?, ?, ?)" for _ in bounds)
    params = [v for b in bounds for v in (b.label, b.since, b.before, b.first, b.last)]
    return f"WITH b(label, since, before, first, last) AS (VALUES {marks})", params


def series(store: Reads, bounds: Sequence[Bounds]) -> list[tuple[str, int, int, int]]:
    """Per bucket: (label, links added, links the weekly reviews ending in it published,
    those reviews). One index range per bucket, correlated: the buckets lead."""
    if not bounds:
        return []
    head, params = _values(bounds)
    return _rows(
        store,
        f"{head} SELECT b.label, "
        "(SELECT count(*) FROM items WHERE added_at >= b.since AND added_at < b.before "
        "AND kind = 'link'), "
        "(SELECT count(*) FROM reviews r JOIN review_items ri ON ri.review_id = r.id "
        "WHERE r.kind IS NULL AND r.end >= b.first AND r.end <= b.last), "
        "(SELECT count(*) FROM reviews r WHERE r.kind IS NULL "
        "AND r.end >= b.first AND r.end <= b.last) "
        "FROM b ORDER BY b.first",
        params,
    )


def tags_over_time(
    store: Reads, bounds: Sequence[Bounds], tags: Sequence[str]
) -> list[tuple[str, str, int]]:
    """(bucket label, tag, items) for the given tags, bucket by bucket."""
    if not bounds or not tags:
        return []
    head, params = _values(bounds)
    marks = ", ".join("?" * len(tags))
    return _rows(
        store,
        # CROSS JOIN keeps this order: each bucket's items by their index, then their tags
        # (left to itself, SQLite reads every item of a tag, whatever its day).
        f"{head} SELECT b.label, t.name, count(*) FROM b "
        "CROSS JOIN items ON items.added_at >= b.since AND items.added_at < b.before "
        "CROSS JOIN item_tags it ON it.item_id = items.id CROSS JOIN tags t ON t.id = it.tag_id "
        f"WHERE t.name IN ({marks}) GROUP BY b.label, t.id ORDER BY b.first, t.name",
        [*params, *tags],
    )


def reviews(store: Reads, first: str, last: str, dead: str) -> list[tuple[Any, ...]]:
    """The weekly reviews whose last day is in [first, last]: (id, start, end, composed_at,
    links published, of them dead now)."""
    return _rows(
        store,
        "SELECT r.id, r.start, r.end, r.composed_at, count(items.id), "
        f"total({dead}) FROM reviews r INDEXED BY idx_reviews_end "
        "LEFT JOIN review_items ri ON ri.review_id = r.id "
        "LEFT JOIN items ON items.id = ri.item_id "
        "WHERE r.kind IS NULL AND r.end >= ? AND r.end <= ? GROUP BY r.id ORDER BY r.end, r.id",
        [first, last],
    )


def recap_items(store: Reads, first: str, last: str) -> list[tuple[int, int, str]]:
    """The items the weekly reviews of [first, last] published: (item id, starred, the
    review's last day), each review it appeared in, starred first, in publication order."""
    return _rows(
        store,
        "SELECT items.id, items.starred, r.end FROM reviews r "
        "JOIN review_items ri ON ri.review_id = r.id JOIN items ON items.id = ri.item_id "
        "WHERE r.kind IS NULL AND r.end >= ? AND r.end <= ? "
        "ORDER BY items.starred DESC, r.end, ri.position",
        [first, last],
    )


def review_days(store: Reads, ids: Sequence[int]) -> dict[int, list[str]]:
    """The last days of the weekly reviews each item appeared in, earliest first."""
    out: dict[int, list[str]] = {}
    for at in range(0, len(ids), 500):
        chunk = list(ids[at : at + 500])
        for item_id, end in _rows(
            store,
            "SELECT ri.item_id, r.end FROM review_items ri JOIN reviews r ON r.id = ri.review_id "
            f"WHERE r.kind IS NULL AND ri.item_id IN ({', '.join('?' * len(chunk))}) "
            "ORDER BY r.end",
            chunk,
        ):
            out.setdefault(int(item_id), []).append(str(end))
    return out
