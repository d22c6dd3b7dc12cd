"""A curator's year, 2025, made with the Store as revue makes it: two links a day, the weekly
reviews (a few weeks skipped, a few late), links that died since, a few stars, hostile tags.

The figures the tests assert follow from these rules by hand (see tests/test_stats.py):

- day n (0 = 1 January 2025 .. 364), added at 15:00 UTC (the same day in Montréal):
  A https://www.lapresse.ca/a/n (lang fr-CA; tag IA when n is even; dead, HTTP 404, when
  n % 30 == 0), and B https://nytimes.com/b/n when n % 3 == 0 (lang en), else
  https://ledevoir.com/b/n (lang fr); B is tagged "[red]x[/red]" when n % 7 == 0 and
  "<b>Réseaux</b>" when n % 10 == 0; it is dead (DNS lookup failed) when n % 50 == 1 and
  blocked (HTTP 403) when n % 40 == 2;
- one more link at 2026-01-01T03:00Z (31 December 2025 in Montréal: in 2025), pending, on
  https://bücher.example/x; one at 2025-01-01T03:00Z (31 December 2024 there: not in 2025);
  a text block on 1 June 2025;
- the weekly review j (0..51) covers Monday 30 December 2024 + 7j to the Sunday after, and
  publishes every link of n = 7j-2 .. 7j+4 (alive when published); weeks j % 10 == 9 have
  no review; a review is composed the day after its Sunday, or three days after (late)
  when j % 8 == 0;
- starred: A of n = 10, 100, 200, 300 and B of n = 65 (a skipped week: never published).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from revue.models import new_item
from revue.store.db import Store

ZONE = "America/Montreal"
JAN1 = dt.date(2025, 1, 1)
# "Today" for the tests: 10 January 2026, noon in Montréal.
TODAY = dt.datetime(2026, 1, 10, 17, 0, tzinfo=dt.UTC)
HOSTILE_TAG = "[red]x[/red]"
HTML_TAG = "<b>Réseaux</b>"
STARRED_A = (10, 100, 200, 300)


def _stamp(day: dt.date, hour: int = 15) -> str:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC).isoformat(timespec="seconds")


def _entries() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for n in range(365):
        day = JAN1 + dt.timedelta(days=n)
        a_extra: dict[str, Any] = {"status": "ok", "lang": "fr-CA", "title": f"Article A {n}"}
        if n % 30 == 0:
            a_extra |= {"status": "failed", "http_status": 404, "error": "HTTP 404"}
        out.append(
            {
                "url": f"https://www.lapresse.ca/a/{n}",
                "added_at": _stamp(day),
                "tags": ["IA"] if n % 2 == 0 else [],
                "extra": a_extra,
            }
        )
        nyt = n % 3 == 0
        b_extra: dict[str, Any] = {"status": "ok", "lang": "en" if nyt else "fr"}
        b_extra["title"] = f"Article B {n}"
        if n % 50 == 1:
            b_extra |= {"status": "failed", "error": "DNS lookup failed"}
        if n % 40 == 2:
            b_extra |= {"status": "blocked", "http_status": 403, "error": "HTTP 403"}
        tags = [HOSTILE_TAG] if n % 7 == 0 else []
        tags += [HTML_TAG] if n % 10 == 0 else []
        host = "nytimes.com" if nyt else "ledevoir.com"
        out.append(
            {
                "url": f"https://{host}/b/{n}",
                "added_at": _stamp(day),
                "tags": tags,
                "extra": b_extra,
            }
        )
    out.append({"url": "https://bücher.example/x", "added_at": "2026-01-01T03:00:00+00:00"})
    out.append({"url": "https://www.lapresse.ca/before", "added_at": "2025-01-01T03:00:00+00:00"})
    return out


def make_year(path: Path) -> dict[str, int]:
    """Fill the store at `path` with the year; returns the ids of a few items by name."""
    store = Store.open(path)
    try:
        outcomes = store.add_many(
            [new_item(**e) for e in _entries()], now="2026-01-01T00:00:00+00:00"
        )
        ids = [o.item.id for o in outcomes]
        a = {n: ids[2 * n] for n in range(365)}
        b = {n: ids[2 * n + 1] for n in range(365)}
        store.add_text("Un mot sur l'été", now=_stamp(dt.date(2025, 6, 1)))
        monday = dt.date(2024, 12, 30)
        for j in range(52):
            if j % 10 == 9:
                continue
            first = monday + dt.timedelta(days=7 * j)
            last = first + dt.timedelta(days=6)
            days = [n for n in range(7 * j - 2, 7 * j + 5) if 0 <= n < 365]
            published = [x for n in days for x in (a[n], b[n])]
            composed = last + dt.timedelta(days=3 if j % 8 == 0 else 1)
            store.record_review(
                {
                    "title": f"Revue {j}",
                    "start": first.isoformat(),
                    "end": last.isoformat(),
                    "lang": "fr",
                    "style": "classic",
                    "format": "md",
                    "composed_at": _stamp(composed, 12),
                    "item_count": len(published),
                    "imported": 0,
                },
                published,
            )
        store.set_starred([a[n] for n in STARRED_A] + [b[65]], True)
        return {"a10": a[10], "a100": a[100], "a200": a[200], "a300": a[300], "b65": b[65]}
    finally:
        store.close()
