"""Import: what an import file held (items, the past reviews that published them, feeds),
stored in one transaction; revue's own export restored as it is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from revue import urls
from revue.app.add import hashtags_in
from revue.models import Item, iso
from revue.store.db import Store


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
