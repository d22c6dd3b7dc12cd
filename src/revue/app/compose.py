"""Compose a review: select the items of a date range, render them, hand the review to its
targets (its file in the reviews folder, then the folder's Atom feed), record it.

Invariants:
- Composing the same range again gives the same file (the items it published the first
  time are its own, not "already published").
- Compose writes no file itself: the targets do (publish/folder.py: written whole, under
  the compose lock beside the database, never over a hand edit without `force`;
  publish/atom.py).
- What a review published is recorded only after its file is in place.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from revue.clock import day_span
from revue.config import Config
from revue.errors import BadInput, StoreError
from revue.files import compose_lock, database_files, write_failure
from revue.models import DEAD_FAILURES, FailureKind, Item, Review, ReviewDoc
from revue.publish.base import Publication
from revue.review.outputs import OUTPUT_FORMATS
from revue.store.db import Store

# A page whose last fetch failed so (models.DEAD_FAILURES) is gone for good (a 5xx, a timeout
# or a wall may pass): left out of a review unless asked, with these words ("HTTP 404" for a
# page gone; "refused": an address the link may not reach, a public feed's link to a
# private address).
DEAD_WORDS: Mapping[FailureKind, str] = {
    FailureKind.DNS: "DNS lookup failed",
    FailureKind.UNREACHABLE: "connection refused",
    FailureKind.REFUSED: "refused",
}


@dataclass
class ComposeOptions:
    start: dt.date
    end: dt.date
    fmt: str = "md"
    style: str = "classic"
    lang: str = "fr"
    suffix: str | None = None
    out: str | None = None  # a folder, or "-" for stdout; None: config's reviews_dir
    dry_run: bool = False
    include_published: bool = False
    force: bool = False
    template: Path | None = None
    intro: str | None = None
    outro: str | None = None
    show_dates: bool | None = None
    summaries: bool | None = None  # None: the config's `summaries`
    include_failed: bool = False
    allow_empty: bool = False
    review: int | None = None  # recompose this review: its items, its title unless suffix


LANGS = ("fr", "en")


def compose_options(
    cfg: Config,
    start: dt.date,
    end: dt.date,
    *,
    recorded: Review | None = None,
    lang: str | None = None,
    style: str | None = None,
    **more: Any,
) -> ComposeOptions:
    """What `compose`, `revue week` and `publish` compose [start, end] with: the language and
    style asked, else those of the review composed again (when revue knows them), else the
    config's; `more` as ComposeOptions takes it. Raises BadInput naming a --lang that is
    neither fr nor en (the style is checked where it is rendered)."""
    from revue.review.render import STYLES

    chosen_lang = lang or _known(recorded.lang if recorded else None, LANGS) or cfg.lang
    if chosen_lang not in LANGS:
        raise BadInput(f"--lang {chosen_lang!r}: choose fr or en")
    chosen_style = style or _known(recorded.style if recorded else None, STYLES) or cfg.style
    return ComposeOptions(start=start, end=end, lang=chosen_lang, style=chosen_style, **more)


def _known(value: str | None, known: tuple[str, ...]) -> str | None:
    return value if value in known else None


@dataclass
class ComposeResult:
    text: str
    title: str
    items: list[Item]
    path: Path | None = None
    review_id: int | None = None
    unchanged: bool = False
    warnings: list[str] = field(default_factory=list)
    left_out: list[tuple[Item, str]] = field(default_factory=list)  # dead links and why
    skipped: list[Item] = field(default_factory=list)  # skipped in `revue week`: kept for later
    # Links shown with a stand-in title (no title from their page), and that stand-in.
    stand_ins: list[tuple[Item, str]] = field(default_factory=list)
    empty: bool = False  # nothing to publish: nothing rendered, written or recorded
    why_empty: str = ""  # then why, and which option changes it


def dead_reason(item: Item) -> str | None:
    """Why `item`'s page is gone for good (its last fetch: 404, 410, no such host, connection
    refused), or None. Blocked pages are not dead: the page is fine for a reader."""
    if item.kind != "link" or item.status != "failed":
        return None
    kind = item.failure
    if kind is FailureKind.GONE:
        return f"HTTP {item.http_status}"
    return DEAD_WORDS.get(kind) if kind in DEAD_FAILURES else None


@dataclass
class Selection:
    """The current state of the review of a range: what its post shows, in order, and what
    it leaves out. Compose, `revue week`, publish and `list --review` all read this one."""

    items: list[Item]  # in the post, in the review order (render groups the sections)
    skipped: list[Item] = field(default_factory=list)  # skipped in `revue week`
    left_out: list[tuple[Item, str]] = field(default_factory=list)  # dead links and why
    review: Review | None = None  # the range's recorded review, if composed already
    rows: list[Item] = field(default_factory=list)  # every candidate, in the review order


def select(
    store: Store,
    start: dt.date,
    end: dt.date,
    *,
    zone: dt.tzinfo,
    review: Review | None = None,
    include_published: bool = False,
    include_failed: bool = False,
) -> Selection:
    """The review of [start, end] as it stands now: the range's items not published by
    another review, in the order `revue move` gives them, less the ones skipped in `revue
    week` and the dead links (unless `include_failed`, or that review published them
    already: the curator kept them). `review` (its record, for --review N and publish)
    defaults to the range's recorded review. The days are the curator's, in `zone`. An
    imported review is history: its items as recorded."""
    if review is not None and (review.imported or review.kind):
        # A recap (kind) is its own choice of items, as recorded: none of its range's.
        items = store.review_items(int(review.id))
        return Selection(items=items, review=review, rows=list(items))
    existing = review or store.find_review(start.isoformat(), end.isoformat())
    review_id = int(existing.id) if existing else None
    # The curator's days, as the instants the store holds (clock.py).
    candidates = store.review_candidates(
        *day_span(start, end, zone),
        include_published=include_published,
        exclude_review=review_id,
    )
    own = store.review_item_ids(review_id) if review_id is not None else set()
    # Left out of this review, not deleted: they stay unpublished for a later one.
    skipped_ids = store.skipped_ids(review_id=review_id)
    chosen = Selection(items=[], review=existing, rows=candidates)
    for item in candidates:
        reason = dead_reason(item)
        if item.id in skipped_ids:
            chosen.skipped.append(item)
        elif reason is not None and not include_failed and item.id not in own:
            chosen.left_out.append((item, reason))
        else:
            chosen.items.append(item)
    return chosen


def why_nothing(
    store: Store, start: dt.date, end: dt.date, chosen: Selection, *, zone: dt.tzinfo
) -> str:
    """Why the review of [start, end] has nothing to publish, and which option changes it:
    its items went out in other reviews, were skipped or are dead, or there are none."""
    own = int(chosen.review.id) if chosen.review else None
    published = store.published_in_range(*day_span(start, end, zone), exclude_review=own)
    reasons: list[str] = []
    if published:
        count = sum(published.values())
        names = ", ".join(f"#{review}" for review in published)
        last = max(published)
        reasons.append(
            f"{count} item(s) of it already published by review {names} "
            f"(--include-published takes them again; --review {last} works on that review)"
        )
    if chosen.skipped:
        reasons.append(f"{len(chosen.skipped)} skipped in revue week (space keeps them)")
    if chosen.left_out:
        reasons.append(f"{len(chosen.left_out)} dead (--include-failed keeps them)")
    if not reasons:
        return "no link was added in it (revue add adds links)"
    return "; ".join(reasons)


def default_range(today: dt.date, days: int = 7) -> tuple[dt.date, dt.date]:
    """The last `days` days ending today (inclusive)."""
    return today - dt.timedelta(days=days - 1), today


@dataclass(frozen=True)
class DateRange:
    """A range of days a command works on, and how it was asked for."""

    start: dt.date
    end: dt.date
    review: Review | None = None  # --review N: that review's record
    since: Review | None = None  # --since-last: the review it follows

    @property
    def empty(self) -> bool:
        return self.end < self.start


def resolve_range(
    store: Callable[[], Store],
    *,
    today: dt.date,
    start: dt.date | None = None,
    end: dt.date | None = None,
    week: str | None = None,
    since_last: bool = False,
    review: int | None = None,
    days: int = 7,
) -> DateRange:
    """The range asked for by one of --from/--to, --week, --since-last or --review (the
    shared range options); by default the last `days` days ending on --to or today. `store`
    is opened only for --since-last and --review.

    --since-last runs from the day after the latest review's end to today (empty when that
    review already reaches today; the default range when there is no review yet). Raises
    BadInput naming the option and its value when they clash or do not make sense."""
    from revue.errors import NotFound
    from revue.review.datephrase import iso_week

    given = [
        name
        for name, on in (
            ("--from/--to", start is not None or end is not None),
            (f"--week {week}", week is not None),
            ("--since-last", since_last),
            (f"--review {review}", review is not None),
        )
        if on
    ]
    if len(given) > 1:
        raise BadInput(f"{' and '.join(given)}: choose one way to give the range")
    if week is not None:
        try:
            first, last = iso_week(week)
        except ValueError as exc:
            raise BadInput(f"--week {week!r}: {exc}") from None
        return DateRange(first, last)
    if review is not None:
        try:
            record = store().get_review(review)
        except NotFound:
            raise BadInput(f"--review {review}: no such review (see revue reviews)") from None
        if not record.start or not record.end:
            raise BadInput(f"--review {review}: its dates are unknown")
        first, last = review_span(record)
        return DateRange(first, last, review=record)
    if since_last:
        # A recap is no week: the next review follows the last weekly one.
        dated = [r for r in store().reviews() if r.end and not r.kind]
        if not dated:
            first, last = default_range(today, days)
            return DateRange(first, last)
        latest = max(dated, key=lambda r: (r.end, r.id))
        latest_end = review_span(latest)[1]
        if latest_end >= today:
            return DateRange(today + dt.timedelta(days=1), today, since=latest)
        return DateRange(latest_end + dt.timedelta(days=1), today, since=latest)
    last = end or today
    try:
        first = start or default_range(last, days)[0]
    except OverflowError:
        raise BadInput(
            f"--to {last}: the week before it is not in the calendar; give --from"
        ) from None
    if last < first:
        raise BadInput(f"--from {first} is after --to {last}")
    return DateRange(first, last)


def review_span(review: Review) -> tuple[dt.date, dt.date]:
    """The first and last days of a stored review. BadInput when they are unknown (a past
    review imported without dates); StoreError when they are not days (a row an older revue
    imported unchecked), naming the command that removes it."""
    days: list[dt.date] = []
    for name, value in (("start", review.start), ("end", review.end)):
        if value is None:
            raise BadInput(f"review #{review.id}: its dates are unknown")
        try:
            days.append(dt.date.fromisoformat(str(value)))
        except ValueError:
            raise StoreError(
                f"review #{review.id}: its {name} {str(value)[:40]!r} is not a date; "
                f"remove the review with `revue reviews rm {review.id}`"
            ) from None
    return days[0], days[1]


def file_name(end: dt.date, fmt: str, lang: str) -> str:
    stem = "revue-de-presse" if lang == "fr" else "press-review"
    return f"{end.isoformat()}-{stem}.{OUTPUT_FORMATS[fmt].extension}"


def build_doc(
    items: list[Item], opts: ComposeOptions, cfg: Config, *, title: str | None = None
) -> ReviewDoc:
    """The review to render; `title` (a recomposed review's own) wins over the date phrase."""
    from revue.review.datephrase import review_title

    lang = opts.lang
    suffix = opts.suffix if opts.suffix is not None else cfg.for_lang(lang, "suffix")
    if title is None:
        prefix = cfg.for_lang(lang, "title_prefix")
        title = review_title(opts.start, opts.end, lang=lang, prefix=prefix, suffix=suffix)
    return ReviewDoc(
        title=title,
        start=opts.start,
        end=opts.end,
        lang=opts.lang,
        items=items,
        sections=list(cfg.sections),
        default_hashtags=list(cfg.hashtags),
        intro=opts.intro if opts.intro is not None else cfg.for_lang(lang, "intro"),
        outro=opts.outro if opts.outro is not None else cfg.for_lang(lang, "outro"),
        paywall_marker=cfg.paywall_marker,
        show_dates=cfg.show_dates if opts.show_dates is None else opts.show_dates,
        stale_days=cfg.stale_days,
        zone=cfg.zone,
    )


def compose(store: Store, cfg: Config, opts: ComposeOptions, *, now: dt.datetime) -> ComposeResult:
    """Render the review of opts' range; write and record it (composed at `now`) unless
    dry-run or stdout."""
    from revue.publish.atom import FEED_NAME, AtomFeed
    from revue.publish.folder import ReviewFolder
    from revue.review.render import FORMATS, STYLES, render, stand_in_title
    from revue.templates import user_templates

    if opts.end < opts.start:
        raise BadInput(f"--from {opts.start} is after --to {opts.end}")
    if opts.fmt not in FORMATS:
        raise BadInput(f"unknown format {opts.fmt!r} (choose from {', '.join(FORMATS)})")
    if opts.style not in STYLES and opts.template is None:
        raise BadInput(f"unknown style {opts.style!r} (choose from {', '.join(STYLES)})")
    title: str | None = None
    # Review N (--review) or the range's own: its current state, as publish sends it.
    recorded = store.get_review(opts.review) if opts.review is not None else None
    if recorded is not None and recorded.kind:
        year = str(recorded.start or "")[:4]
        raise BadInput(
            f"--review {opts.review}: a recap, not a week's review (revue recap {year} "
            "composes it again)"
        )
    chosen = select(
        store,
        opts.start,
        opts.end,
        zone=cfg.zone,
        review=recorded,
        include_published=opts.include_published,
        include_failed=opts.include_failed,
    )
    existing = chosen.review
    items, left_out, skipped = chosen.items, chosen.left_out, chosen.skipped
    if recorded is not None:
        same_lang = opts.lang == (recorded.lang or opts.lang)
        if opts.suffix is None and same_lang and recorded.title:
            title = recorded.title
    doc = build_doc(items, opts, cfg, title=title)
    template_dirs = [Path(cfg.templates_dir).expanduser()] if cfg.templates_dir else []
    summaries = cfg.summaries if opts.summaries is None else opts.summaries
    text = render(
        doc,
        opts.fmt,
        opts.style,
        templates=user_templates(opts.template, template_dirs),
        options={"show_summary": summaries},
    )
    if not items and not opts.allow_empty:
        # Cron must not publish an empty review: nothing is written or recorded. (Rendered
        # all the same: a broken template is said now, not on the first busy week.)
        return ComposeResult(
            text="",
            title="",
            items=[],
            left_out=left_out,
            skipped=skipped,
            empty=True,
            why_empty=why_nothing(store, opts.start, opts.end, chosen, zone=cfg.zone),
        )
    result = ComposeResult(
        text=text,
        title=doc.title,
        items=items,
        left_out=left_out,
        skipped=skipped,
        stand_ins=[(i, shown) for i in items if (shown := stand_in_title(i)) is not None],
    )
    if opts.dry_run or opts.out == "-":
        return result
    folder = Path(opts.out or cfg.reviews_dir).expanduser()
    protect = database_files(store.path)
    publication = Publication(
        review_id=existing.id if existing else None,
        title=doc.title,
        text=text,
        fmt=opts.fmt,
        file_name=file_name(opts.end, opts.fmt, opts.lang),
    )
    lock = compose_lock(store.path)
    review_file = ReviewFolder(
        folder, lock=lock, known_hash=store.file_hash, protect=protect, force=opts.force
    )
    written = review_file.publish(publication)
    result.unchanged = written.action == "unchanged"
    path = folder / publication.file_name
    stamp = now.astimezone(dt.UTC).isoformat(timespec="seconds")
    record = {
        "title": doc.title,
        "start": opts.start.isoformat(),
        "end": opts.end.isoformat(),
        "lang": opts.lang,
        "style": opts.style,
        "format": opts.fmt,
        "path": written.path,
        "sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        "composed_at": stamp,
        "item_count": len(items),
        "imported": existing.imported if opts.review is not None and existing else 0,
    }
    try:
        result.review_id = store.record_review(
            record,
            [i.id for i in items],
            review_id=existing.id if existing else None,
            file={
                "path": record["path"],
                "format": opts.fmt,
                "sha256": record["sha256"],
                "written_at": stamp,
            },
            skipped=[i.id for i in skipped],
        )
    except StoreError:
        # Unrecorded, the new file would pass for a hand edit next time: put back what was there.
        review_file.undo()
        raise
    result.path = path
    feed = AtomFeed(
        folder,
        lock=lock,
        reviews=store.reviews,
        title=feed_title(opts.lang, cfg),
        now=stamp,
        protect=protect,
        zone=cfg.zone,
    )
    try:
        feed.publish(publication)
    except BadInput as exc:
        raise BadInput(f"review written and recorded, but not the feed: {exc.message}") from None
    except OSError as exc:
        raise write_failure(
            exc,
            f"{exc.filename or folder / FEED_NAME}: review written and recorded, but the "
            "feed could not be written",
        ) from None
    except ValueError as exc:
        raise BadInput(
            f"{folder / FEED_NAME}: review written and recorded, but the feed was not "
            f"written: {exc}"
        ) from None
    return result


def feed_title(lang: str, cfg: Config) -> str:
    prefix = cfg.for_lang(lang, "title_prefix")
    if prefix:
        return prefix
    return "Revue de presse" if lang == "fr" else "Press review"
