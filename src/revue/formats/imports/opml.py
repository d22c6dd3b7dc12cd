"""OPML: a list of feeds to follow."""

from __future__ import annotations

from revue.formats.imports.records import ImportRecord, ImportResult


def read_opml(data: bytes) -> ImportResult:
    """The feeds an OPML document lists, as records (`revue import` and `revue feed import`
    both read OPML here); raises ValueError when it is not OPML."""
    from revue.formats.feedparse import (
        parse_opml,
    )  # feedparse pulls feedparser in; only OPML needs it

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
