"""Use case: what the curator read over a range of days, in figures (`revue stats`).

Every figure is an SQL aggregate (store/stats.py) bounded by the range through an index:
the time it takes follows the range's items, not the store's. The days, weeks and months
are the curator's (clock.py): a week runs Monday to Sunday in their zone, and a bucket is
queried as the stored instants of its days.

Definitions the figures keep:
- added: links (not text blocks) added on the range's days;
- published: of those, the ones a weekly review published (a recap publishes nothing anew);
- a week's published: the links the weekly reviews whose last day falls in that week
  published (what went out that week), and those reviews;
- dead: a link whose last fetch failed for good, by compose's rule (404, 410, no such host,
  refused), which `revue fetch --all` (cron) refreshes;
- link rot: the weekly reviews of the range, by their age (today minus their last day), with
  the links they published and how many of those are dead now;
- late: a review composed two days or more after its last day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from revue.clock import day_start, local_day
from revue.models import DEAD_FAILURES
from revue.store import stats as q
from revue.store.db import Store

BY = ("site", "tag", "week", "lang", "status")
# Ages of a review, in days, and what they are called.
ROT_BUCKETS: tuple[tuple[int, str], ...] = (
    (30, "< 1 month"),
    (91, "1-3 months"),
    (182, "3-6 months"),
    (365, "6-12 months"),
    (10**6, "> 1 year"),
)
TAGS_OVER_TIME = 6  # the most used tags a page draws month by month
LATE_DAYS = 2


@dataclass(frozen=True)
class Count:
    name: str
    count: int
    published: int
    share: float  # of the range's links (items for tags), 0..1


@dataclass(frozen=True)
class Week:
    week: str  # ISO week, 2025-W03
    first: str  # its first day in the range
    added: int
    published: int
    reviews: int


@dataclass(frozen=True)
class Rot:
    age: str
    reviews: int
    links: int
    dead: int


@dataclass
class Stats:
    start: dt.date
    end: dt.date
    totals: dict[str, int]
    sites: list[Count] = field(default_factory=list)
    tags: list[Count] = field(default_factory=list)
    langs: list[Count] = field(default_factory=list)
    statuses: list[Count] = field(default_factory=list)
    weeks: list[Week] = field(default_factory=list)
    months: list[str] = field(default_factory=list)
    tags_by_month: dict[str, list[int]] = field(default_factory=dict)
    rot: list[Rot] = field(default_factory=list)

    def to_json(self, by: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "totals": self.totals,
        }
        views: dict[str, Any] = {
            "site": [asdict(c) for c in self.sites],
            "tag": [asdict(c) for c in self.tags],
            "week": [asdict(w) for w in self.weeks],
            "lang": [asdict(c) for c in self.langs],
            "status": [asdict(c) for c in self.statuses],
        }
        if by is not None:
            out[by] = views[by]
            return out
        out |= views
        out["tags_by_month"] = {"months": self.months, "tags": self.tags_by_month}
        out["rot"] = [asdict(r) for r in self.rot]
        return out


def _bounds(start: dt.date, end: dt.date, zone: dt.tzinfo, step: str) -> list[q.Bounds]:
    """The weeks (Monday to Sunday) or months of [start, end], clipped to it."""
    out: list[q.Bounds] = []
    first = start
    while first <= end:
        if step == "week":
            last = min(first + dt.timedelta(days=6 - first.weekday()), end)
            year, week, _ = first.isocalendar()
            label = f"{year}-W{week:02d}"
        else:
            following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            last = min(following - dt.timedelta(days=1), end)
            label = first.strftime("%Y-%m")
        since = day_start(first, zone)
        before = day_start(last + dt.timedelta(days=1), zone)
        if since is None or before is None:  # the calendar's edge
            break
        out.append(q.Bounds(label, since, before, first.isoformat(), last.isoformat()))
        first = last + dt.timedelta(days=1)
    return out


def _counts(rows: list[tuple[str, int, int]], whole: int) -> list[Count]:
    return [
        Count(str(name or "?"), int(n), int(p), round(n / whole, 4) if whole else 0.0)
        for name, n, p in rows
    ]


def stats(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    zone: dt.tzinfo,
    today: dt.date,
    top: int = 10,
    by: str | None = None,
) -> Stats:
    """The figures of the links added on the days [start, end] (the curator's, in `zone`);
    `by` computes only that view (and the totals)."""
    dead = q.dead_sql(DEAD_FAILURES)
    since = day_start(start, zone) or ""
    before = day_start(end + dt.timedelta(days=1), zone) or "9999"
    result = Stats(start, end, q.totals(store, since, before, dead))
    links = result.totals["links"]
    wanted = set(BY) if by is None else {by}
    if "site" in wanted:
        result.sites = _counts(q.by_site(store, since, before, top), links)
    if "tag" in wanted or by is None:
        result.tags = _counts(q.by_tag(store, since, before, top), result.totals["items"])
    if "lang" in wanted:
        expr = "lower(substr(coalesce(nullif(lang, ''), '?'), 1, 2))"
        result.langs = _counts(q.by_column(store, since, before, expr), links)
    if "status" in wanted:
        result.statuses = _counts(q.by_column(store, since, before, "status"), links)
    if "week" in wanted:
        bounds = _bounds(start, end, zone, "week")
        result.weeks = [
            Week(label, b.first, added, published, reviews)
            for (label, added, published, reviews), b in zip(
                q.series(store, bounds), bounds, strict=True
            )
        ]
    if by is None:
        months = _bounds(start, end, zone, "month")
        result.months = [m.label for m in months]
        names = [c.name for c in result.tags[:TAGS_OVER_TIME]]
        grid = {name: [0] * len(months) for name in names}
        at = {label: i for i, label in enumerate(result.months)}
        for label, name, n in q.tags_over_time(store, months, names):
            # Tags are unique without case: the stored name is the key given.
            for wanted_name in grid:
                if wanted_name.casefold() == str(name).casefold():
                    grid[wanted_name][at[label]] += int(n)
        result.tags_by_month = grid
        result.rot = rot(store, start, end, today=today, dead=dead, zone=zone)
        reviews = q.reviews(store, start.isoformat(), end.isoformat(), dead)
        result.totals["reviews"] = len(reviews)
        result.totals["late_reviews"] = sum(1 for r in reviews if _late(r[2], r[3], zone))
        result.totals["weeks_without_review"] = sum(
            1
            for w in result.weeks
            if w.reviews == 0 and dt.date.fromisoformat(w.first) + dt.timedelta(days=6) < today
        )
    return result


def _late(end: str | None, composed_at: str | None, zone: dt.tzinfo) -> bool:
    last = local_day(end, zone)
    made = local_day(composed_at, zone)
    return bool(last and made and (made - last).days >= LATE_DAYS)


def rot(
    store: Store, start: dt.date, end: dt.date, *, today: dt.date, dead: str, zone: dt.tzinfo
) -> list[Rot]:
    """The weekly reviews that ended in [start, end], by age, and their dead links now."""
    buckets = {label: [0, 0, 0] for _, label in ROT_BUCKETS}
    for _id, _start, last, _composed, links, dead_now in q.reviews(
        store, start.isoformat(), end.isoformat(), dead
    ):
        day = local_day(last, zone)
        if day is None:
            continue
        age = (today - day).days
        label = next(name for limit, name in ROT_BUCKETS if age < limit)
        bucket = buckets[label]
        bucket[0] += 1
        bucket[1] += int(links)
        bucket[2] += int(dead_now or 0)
    return [Rot(label, *values) for label, values in buckets.items()]


def write_page(figures: Stats, path: Path, *, generated: str, database: Path) -> Path:
    """Write the page of charts (`revue stats --html`) to `path`; never over the database."""
    from revue.files import atomic_write, database_files, write_failure
    from revue.formats.statspage import stats_page

    page = stats_page(figures.to_json(), generated=generated)
    try:
        return atomic_write(path, page, protect=database_files(database))
    except OSError as exc:
        raise write_failure(exc, f"--html {path}: cannot write") from None
