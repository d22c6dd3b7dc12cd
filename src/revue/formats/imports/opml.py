"""OPML: a list of feeds to follow."""

from __future__ import annotations

from revue.formats.imports.records import ImportRecord, ImportResult


def _parse_opml_records(data: bytes) -> ImportResult:
    from revue.formats.feeds import parse_opml  # feeds pulls feedparser in; only OPML needs it here

    errors: list[tuple[int, str]] = []
    records = [
        ImportRecord(
            url=feed["url"],
            title=feed.get("title"),
            extra={"kind": "feed", "site_url": feed.get("site_url")},
        )
        for feed in parse_opml(data, errors)
        if feed.get("url")
    ]
    return ImportResult("opml", records, errors)
