"""Import: what an import file held (items, the past reviews that published them, feeds),
stored in one transaction; revue's own export restored as it is read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from revue import urls
from revue.app.add import hashtags_in
from revue.models import Item, NewItem, iso, new_item
from revue.store.db import AddOutcome, Store


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
    `imports.read_revue_export` and `Store.restore_stream`). Raises ValueError for a file
    that is not one, or is damaged; nothing is stored then."""
    from revue.formats.imports import read_revue_export

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


_IMPORT_BATCH = 5_000  # records stored at a time, inside the import's one transaction


def import_parsed(
    store: Store,
    parsed: Any,
    *,
    now: dt.datetime,
    extra_tags: Sequence[str] = (),
    keep_fresh: bool = True,
) -> ImportReport:
    """Store what an import file held, in one transaction: items (merged like any add), the
    past reviews that published them, feeds. (revue's own export: `import_revue_export`.)
    `parsed` is an `ImportStream` or an `ImportResult`: its records are stored as they are
    read, `_IMPORT_BATCH` at a time, so memory holds one batch whatever the file's size.
    `keep_fresh`: the new items are kept in `fresh`, to be fetched (an import that fetches
    nothing keeps none)."""
    stamp = iso(now)
    report = ImportReport(parsed.format)
    if parsed.format == "opml":
        from revue.app.feeds import follow_records

        report.feeds += follow_records(store, parsed.records, added_at=stamp)
        report.warnings = list(parsed.errors)
        report.skipped = len(parsed.errors)
        return report
    refused: list[tuple[int | None, str]] = []

    def stored(outcomes: list[AddOutcome]) -> None:
        created = [o for o in outcomes if o.created]
        report.added += len(created)
        report.merged += len(outcomes) - len(created)
        if keep_fresh:
            # An item restored with its fetch status (a revue CSV) is not fetched again.
            report.fresh += [o.item for o in created if o.item.status == "pending"]

    batches = _import_batches(parsed, extra_tags, stamp, refused, report)
    store.import_batches(batches, now=stamp, on_batch=stored)
    # The reader's reports first, in the file's order, then the records refused here.
    report.warnings = [*parsed.errors, *refused]
    report.skipped = len(report.warnings)
    return report


def _import_batches(
    parsed: Any,
    extra_tags: Sequence[str],
    stamp: str,
    refused: list[tuple[int | None, str]],
    report: ImportReport,
) -> Iterator[tuple[list[NewItem], list[tuple[dict[str, Any], list[int]]]]]:
    """The records of `parsed` as `Store.import_batches` takes them: (new items, past reviews
    with the positions of their items in the batch). Once a record names a past review, the
    rest of the file goes in one batch: a review is made of all its items."""
    batch: list[Any] = []
    reviewed = False
    for record in parsed.records:
        if not record.url or not urls.is_http_url(record.url):
            refused.append((record.line, "not an http(s) URL"))
            continue
        reviewed = reviewed or record.review is not None
        batch.append(record)
        if len(batch) >= _IMPORT_BATCH and not reviewed:
            yield _import_batch(batch, parsed.format, extra_tags, stamp, report)
            batch = []
    if batch:
        yield _import_batch(batch, parsed.format, extra_tags, stamp, report)


def _import_batch(
    records: list[Any], fmt: str, extra_tags: Sequence[str], stamp: str, report: ImportReport
) -> tuple[list[NewItem], list[tuple[dict[str, Any], list[int]]]]:
    entries: list[NewItem] = []
    for record in records:
        page = {
            **record.stored,
            "title": record.title,
            "summary": record.summary,
            "via": record.via,
        }
        entries.append(
            new_item(
                record.url.strip(),
                title=record.title if "title" in record.own else None,
                own=record.own,
                note=record.note,
                tags=[*record.tags, *extra_tags],
                hashtags=dict.fromkeys([*record.hashtags, *hashtags_in(record.note)]),
                section=record.section,
                lead=record.lead,
                quote=record.quote,
                added_at=record.added_at,
                source=f"import:{fmt}",
                extra={k: v for k, v in page.items() if v},
            )
        )
    # Past reviews: the items they published are marked, so compose never repeats them.
    reviews: dict[tuple[str, str], tuple[Any, list[int]]] = {}
    for position, record in enumerate(records):
        if record.review is not None:
            key = (record.review.title, str(record.review.end))
            reviews.setdefault(key, (record.review, []))[1].append(position)
    report.reviews += len(reviews)
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
    return entries, review_rows
