"""Use case: the year's best-of, "Le meilleur de 2025" / "The best of 2025" (`revue recap`).

A recap is a review of its own: rendered by the same templates in every format and style,
written beside the weekly reviews, recorded in `reviews` (its `kind` says it is a recap and
how it groups: "recap-tag" or "recap-section"), and so published by `revue publish` like
any other. Its items are the ones the weekly reviews of the year published that the curator
starred (`revue star`), in the order they went out, at most `top`; each shows, as its
lead-in, the dates of the reviews it appeared in, under its tag (the recap's most used tag
among its own) or its section. A recap publishes nothing anew: an item's review stays its
weekly one, and `--since-last` follows the last weekly review.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from revue.config import Config
from revue.errors import BadInput, StoreError
from revue.files import compose_lock, database_files
from revue.models import Item, Review, ReviewDoc
from revue.publish.base import Publication
from revue.review.outputs import OUTPUT_FORMATS
from revue.store import stats as q
from revue.store.db import Store

KINDS = ("recap-tag", "recap-section")


@dataclass
class RecapOptions:
    year: int
    top: int | None = None
    by: str = "tag"  # or "section"
    fmt: str = "md"
    style: str = "classic"
    lang: str = "fr"
    out: str | None = None
    dry_run: bool = False
    force: bool = False


@dataclass
class RecapResult:
    text: str
    title: str
    items: list[Item]
    path: Path | None = None
    review_id: int | None = None


def recap_title(year: int, lang: str) -> str:
    return f"Le meilleur de {year}" if lang == "fr" else f"The best of {year}"


def file_name(year: int, fmt: str, lang: str) -> str:
    stem = "le-meilleur-de" if lang == "fr" else "the-best-of"
    return f"{year}-{stem}-{year}.{OUTPUT_FORMATS[fmt].extension}"


def chosen_ids(store: Store, year: int, top: int | None) -> list[int]:
    """The starred items the weekly reviews of `year` published, in the order they went out
    (an item in two reviews counts once, at its first), at most `top`. BadInput when there
    are none, saying how to star."""
    rows = q.recap_items(store, f"{year:04d}-01-01", f"{year:04d}-12-31")
    if not rows:
        raise BadInput(f"recap {year}: no weekly review of {year} published anything")
    starred = list(dict.fromkeys(int(item_id) for item_id, star, _ in rows if star))
    if not starred:
        published = len({item_id for item_id, _, _ in rows})
        raise BadInput(
            f"recap {year}: none of the {published} item(s) published in {year} is starred "
            "(revue star ID, or * in revue week, picks the best)"
        )
    return starred[:top] if top is not None else starred


def _lead(days: list[str], lang: str) -> str | None:
    from revue.review.datephrase import day_phrase

    phrases = [day_phrase(dt.date.fromisoformat(d), lang) for d in dict.fromkeys(days)]
    if not phrases:
        return None
    if lang == "fr":
        word = "Revue du " if len(phrases) == 1 else "Revues du "
        return word + " et du ".join(phrases)
    word = "Review of " if len(phrases) == 1 else "Reviews of "
    return word + " and ".join(phrases)


def recap_doc(
    store: Store, cfg: Config, ids: list[int], *, year: int, by: str, lang: str, title: str
) -> ReviewDoc:
    """The recap of the items `ids`, as the templates render it: grouped by tag (each under
    the recap's most used of its tags, most used first) or by section, each with the dates
    of the reviews it appeared in as its lead-in."""
    items = store.get_many(ids)
    days = q.review_days(store, ids)
    sections: list[str]
    if by == "tag":
        counts = Counter(t.casefold() for item in items for t in dict.fromkeys(item.tags))
        names: dict[str, str] = {}
        for item in items:
            for t in item.tags:
                names.setdefault(t.casefold(), t)

        def group(item: Item) -> str | None:
            if not item.tags:
                return None
            best = min(item.tags, key=lambda t: (-counts[t.casefold()], t.casefold()))
            return names[best.casefold()]

        grouped = [replace(item, section=group(item)) for item in items]
        used = Counter(item.section for item in grouped if item.section)
        sections = sorted(used, key=lambda s: (-used[s], s.casefold()))
    else:
        grouped = list(items)
        sections = list(cfg.sections)
    shown = [replace(item, lead=_lead(days.get(item.id, []), lang)) for item in grouped]
    return ReviewDoc(
        title=title,
        start=dt.date(year, 1, 1),
        end=dt.date(year, 12, 31),
        lang=lang,
        items=shown,
        sections=sections,
        default_hashtags=list(cfg.hashtags),
        paywall_marker=cfg.paywall_marker,
        show_dates=cfg.show_dates,
        stale_days=cfg.stale_days,
        zone=cfg.zone,
    )


def recorded_doc(store: Store, cfg: Config, review: Review) -> ReviewDoc:
    """A recorded recap as it stands now (publish sends this): its items, its grouping."""
    year = dt.date.fromisoformat(str(review.start)).year
    ids = [i.id for i in store.review_items(int(review.id))]
    by = str(review.kind).removeprefix("recap-")
    lang = review.lang or cfg.lang
    title = review.title or recap_title(year, lang)
    return recap_doc(store, cfg, ids, year=year, by=by, lang=lang, title=title)


def recap(store: Store, cfg: Config, opts: RecapOptions, *, now: dt.datetime) -> RecapResult:
    """Render the recap of `opts.year`; write and record it (at `now`) unless dry-run or
    stdout. Composing the same year again rewrites the same file and record."""
    from revue.publish.folder import ReviewFolder
    from revue.review.render import FORMATS, STYLES, render
    from revue.templates import user_templates

    if opts.fmt not in FORMATS:
        raise BadInput(f"unknown format {opts.fmt!r} (choose from {', '.join(FORMATS)})")
    if opts.style not in STYLES:
        raise BadInput(f"unknown style {opts.style!r} (choose from {', '.join(STYLES)})")
    ids = chosen_ids(store, opts.year, opts.top)
    title = recap_title(opts.year, opts.lang)
    doc = recap_doc(store, cfg, ids, year=opts.year, by=opts.by, lang=opts.lang, title=title)
    template_dirs = [Path(cfg.templates_dir).expanduser()] if cfg.templates_dir else []
    text = render(
        doc,
        opts.fmt,
        opts.style,
        templates=user_templates(dirs=template_dirs),
        options={"show_summary": cfg.summaries},
    )
    result = RecapResult(text=text, title=title, items=doc.items)
    if opts.dry_run or opts.out == "-":
        return result
    start, end = doc.start.isoformat(), doc.end.isoformat()
    existing = next(
        (found for kind in KINDS if (found := store.find_review(start, end, kind=kind))), None
    )
    folder = Path(opts.out or cfg.reviews_dir).expanduser()
    publication = Publication(
        review_id=existing.id if existing else None,
        title=title,
        text=text,
        fmt=opts.fmt,
        file_name=file_name(opts.year, opts.fmt, opts.lang),
    )
    review_file = ReviewFolder(
        folder,
        lock=compose_lock(store.path),
        known_hash=store.file_hash,
        protect=database_files(store.path),
        force=opts.force,
    )
    written = review_file.publish(publication)
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    record = {
        "title": title,
        "start": start,
        "end": end,
        "lang": opts.lang,
        "style": opts.style,
        "format": opts.fmt,
        "path": written.path,
        "sha256": digest,
        "composed_at": stamp,
        "item_count": len(ids),
        "imported": 0,
        "kind": f"recap-{opts.by}",
    }
    try:
        result.review_id = store.record_review(
            record,
            ids,
            review_id=existing.id if existing else None,
            file={"path": written.path, "format": opts.fmt, "sha256": digest, "written_at": stamp},
        )
    except StoreError:
        review_file.undo()
        raise
    result.path = folder / publication.file_name
    return result
