"""Add: the links the curator gives, checked and stored before anything is fetched; edit.

Invariant: every URL is in the database, as `pending`, before the first byte is fetched; a
crash at any point after that loses nothing that `revue fetch --pending` cannot complete.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from revue import urls
from revue.errors import BadInput
from revue.models import Item, NewItem, iso, new_item, note_body, unique_tags
from revue.store.db import AddOutcome, Store

HASHTAG = re.compile(r"(?<![\w&/])#([^\W\d_][\w-]*)", re.UNICODE)


@dataclass
class GivenLinks:
    """The links `add` was given, each once, in order, with the title its line gave (None
    for a URL on the command line), and the lines of a list that were not links."""

    links: list[tuple[str, str | None]] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # "standard input, line 9: not a link: …"


def checked_links(sources: Iterable[tuple[str, bytes | None, str]]) -> GivenLinks:
    """The links of `sources`: a (name, None, url) is one URL typed on the command line, a
    (name, bytes, "") a list of links read as `import` reads a links file (`www.…` is https,
    text after a URL is its title). A typed URL that is not one raises BadInput naming it
    (nothing is stored then); a bad line of a list is reported in `skipped`, the others kept."""
    from revue.formats.imports import parse_import

    given = GivenLinks()
    seen: set[str] = set()

    def keep(link: str, title: str | None) -> None:
        key = urls.dedup_key(link)
        if key not in seen:
            seen.add(key)
            given.links.append((link, title))

    for name, data, single in sources:
        if data is None:
            keep(urls.validate(urls.with_scheme(single.strip())), None)
            continue
        parsed = parse_import(data, format="links")
        problems = list(parsed.errors)
        for record in parsed.records:
            try:
                link = urls.validate(record.url or "")
            except BadInput as exc:
                problems.append((record.line or 0, exc.message))
                continue
            keep(link, record.title)
        given.skipped += [f"{name}, line {n}: {why}" for n, why in sorted(problems)]
    return given


def hashtags_in(text: str | None) -> list[str]:
    """Hashtags written in a comment (`#TikTok`), in order, each once."""
    return list(unique_tags(HASHTAG.findall(text or "")))


def edit_item(
    store: Store,
    item_id: int,
    fields: dict[str, Any],
    *,
    add_tags: Sequence[str] = (),
    remove_tags: Sequence[str] = (),
) -> Item:
    """Change an item's curator fields (`revue edit`, the workbench): the hashtags written in
    a new note become its hashtags. Returns the item as stored."""
    if fields.get("note"):
        fields = {**fields, "note": note_body(fields["note"])}
    hashtags = hashtags_in(fields.get("note"))
    return store.update(
        item_id,
        fields,
        add_tags=[*add_tags, *hashtags],
        remove_tags=remove_tags,
        hashtags=hashtags,
    )


@dataclass
class Progress:
    """Callbacks the shell gives to follow a batch (all optional)."""

    stored: Callable[[AddOutcome], None] = lambda outcome: None
    fetched: Callable[[Item, Item | None], None] = lambda item, dup: None
    started: Callable[[int], None] = lambda total: None


@dataclass
class BatchReport:
    outcomes: list[AddOutcome] = field(default_factory=list)
    ok: list[Item] = field(default_factory=list)
    failed: list[Item] = field(default_factory=list)
    merged: list[tuple[int, Item]] = field(default_factory=list)  # (removed id, kept item)

    @property
    def items(self) -> list[Item]:
        return [*self.ok, *self.failed]


def link_entry(
    link: str,
    curator: dict[str, Any],
    *,
    append_note: bool = False,
    title: str | None = None,
    source: str | None = None,
) -> NewItem:
    """What `Store.add_many` is given for one link the curator adds: their fields (a note
    typed as the review writes it, "= À suivre", without its "="; its hashtags as tags),
    and `title`, a title from elsewhere (a list's line, a mail's subject): the page's title
    until a fetch finds one (a title typed with --title is the curator's, and wins)."""
    curator = dict(curator)
    tags = list(curator.pop("tags", ()) or ())
    if curator.get("note") is not None:
        curator["note"] = note_body(curator["note"]) or None
    if title and not curator.get("title"):
        curator["extra"] = {"title": title}
    return new_item(
        link,
        tags=tags,
        hashtags=hashtags_in(curator.get("note")),
        replace_note=not append_note,
        source=source,
        **curator,
    )


def store_links(
    store: Store,
    links: Sequence[str],
    *,
    now: dt.datetime,
    curator: dict[str, Any],
    progress: Progress | None = None,
    append_note: bool = False,
    titles: Sequence[str | None] = (),
) -> list[AddOutcome]:
    """Store the links (validated by the caller) with the curator's fields, in one
    transaction, before anything is fetched: once this returns, every link is on disk.

    A note typed as the review writes it ("= À suivre") is stored without its "=". On a link
    already here it replaces the item's note, or with `append_note` is added after it.
    `titles`, when given, are the links' own titles (from a list's lines), in order."""
    progress = progress or Progress()
    given = list(titles or ())
    entries = [
        link_entry(
            link,
            curator,
            append_note=append_note,
            title=given[n] if n < len(given) else None,
        )
        for n, link in enumerate(links)
    ]
    outcomes = store.add_many(entries, now=iso(now))
    for outcome in outcomes:
        progress.stored(outcome)
    return outcomes
