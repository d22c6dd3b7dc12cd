"""The week's workbench (`revue week`): the review being prepared, one item a line.

Every decision of the full-screen app lives here, so that it is tested without a terminal:
which items are candidates and in which order, which are kept or skipped, what a line says,
how a move or an edit is stored, what the preview shows. The app (workbench.py) only draws
a `Workbench` and maps keys to its methods.

Invariants:
- Every change is stored at once, through the use cases the commands use (Store.move as
  `revue move`, add.edit_item as `revue edit`, compose as `revue compose`), each in its
  own transaction: quitting or a kill at any moment loses nothing and leaves nothing half
  written.
- A skipped item is marked, never deleted: compose leaves it out of this review and it stays
  unpublished for a later one.
- The preview is compose's own rendering of the range (a dry run): what `c` writes and `y`
  copies is what the preview shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from revue.app.add import edit_item
from revue.app.compose import (
    ComposeOptions,
    ComposeResult,
    DateRange,
    Selection,
    compose,
    compose_options,
    dead_reason,
    review_span,
    select,
    why_nothing,
)
from revue.clock import day_span
from revue.config import Config
from revue.errors import BadInput, NotFound
from revue.files import atomic_write, read_capped
from revue.models import Item, iso, note_body, only_hashtags, tag_name, unique_tags
from revue.store.db import Store

# What the preview shows, in the order `m` cycles through them.
PREVIEW_FORMATS = ("text", "md", "html-fragment")

# The keys, as the footer and `?` show them and the README lists them.
KEYS: tuple[tuple[str, str], ...] = (
    ("↑/↓", "move the cursor (it stops at the first and the last item)"),
    ("space", "keep or skip the item for this review (a toggle)"),
    ("a", "keep a newsletter's candidate: it becomes an item (space too)"),
    ("J / K", "move the item down / up"),
    ("e", "edit the note (enter saves, esc cancels)"),
    ("s", "set the section"),
    ("t", "edit the tags (comma-separated)"),
    ("*", "star the item for the year's recap, or take its star off (revue recap)"),
    ("m", "preview as text / Markdown / HTML fragment"),
    ("o", "open the link in the browser"),
    ("c", "compose: write the review file"),
    ("y", "copy the post to the clipboard"),
    ("< / >", "narrow / widen the list (the preview takes the rest; remembered)"),
    ("?", "list the keys"),
    ("q", "quit (everything is saved already)"),
)


# The list's share of the width, in percent: `<` and `>` change it by a step, within bounds
# that leave both sides readable. Remembered in a small file beside the database.
SPLIT_DEFAULT, SPLIT_STEP, SPLIT_MIN, SPLIT_MAX = 50, 5, 20, 80


def state_path(db: Path) -> Path:
    """Where the workbench remembers its layout: beside the database (one per database,
    like its locks), never in the blog's folder."""
    return db.with_name(db.stem + "-week.json")


def read_split(path: Path) -> int:
    """The remembered split, or the default (a missing, unreadable or odd file is not an
    error: the layout is a comfort)."""
    import json

    try:
        value = json.loads(read_capped(path, 4096) or b"{}").get("list_percent")
    except (OSError, ValueError, AttributeError):
        return SPLIT_DEFAULT
    if isinstance(value, int) and not isinstance(value, bool):
        return min(max(value, SPLIT_MIN), SPLIT_MAX)
    return SPLIT_DEFAULT


def write_split(path: Path, percent: int) -> bool:
    """Remember the split; False when the file cannot be written (said, not fatal)."""
    import json

    try:
        atomic_write(path, json.dumps({"list_percent": percent}) + "\n")
    except (OSError, BadInput):
        return False
    return True


def flat(text: str | None) -> str:
    """Text on one line (a note may hold paragraphs; a line of the list cannot)."""
    return " ".join((text or "").split())


def marks_of(item: Item, stale_days: int, zone: dt.tzinfo) -> tuple[str, ...]:
    """What the curator should notice before publishing: dead (left out of the post),
    blocked, not fetched yet, stale news, paywalled."""
    marks: list[str] = []
    if dead_reason(item) is not None:
        marks.append("dead")
    elif item.status == "blocked":
        marks.append("blocked")
    elif item.status == "pending" and item.kind == "link":
        marks.append("unfetched")
    if item.is_stale(stale_days, zone):
        marks.append("stale")
    if item.paywalled:
        marks.append("paywall")
    return tuple(marks)


@dataclass(frozen=True)
class Row:
    """One candidate item as the list shows it."""

    item: Item
    kept: bool  # not skipped by the curator
    marks: tuple[str, ...]
    in_post: bool  # the post shows it: kept, and alive (or published already)

    @property
    def section(self) -> str | None:
        return flat(self.item.section) or None

    def line(self) -> str:
        """One line: in the post (✓) or left out (✗: skipped, or dead), marks, section,
        title (or `site: words`), via and note. Plain text: the shell must not read it as
        markup."""
        parts = ["✓" if self.in_post else "✗"]
        if self.item.starred:
            parts.append("★")
        if self.marks:
            parts.append(" ".join(f"!{mark}" for mark in self.marks))
        if self.section:
            parts.append(f"‹{self.section}›")
        parts.append(flat(self.item.display_title()) or "(untitled)")
        if self.item.via:
            parts.append(f"via {flat(self.item.via)}")
        note = note_body(self.item.note)
        if note and self.item.kind == "link":
            parts.append(flat(note) if only_hashtags(note) else f"= {flat(note)}")
        return " ".join(parts)


@dataclass(frozen=True)
class CandidateRow:
    """A link of a newsletter (`revue inbox pull`), not an item until the curator keeps it."""

    id: int
    url: str
    title: str | None
    newsletter: str

    def line(self) -> str:
        return f"+ {flat(self.title) or flat(self.url)}"


def workbench_range(span: DateRange) -> tuple[dt.date, dt.date]:
    """The range `revue week` works on. When --since-last finds the latest review already
    reaching today, that review's own range: the curator is still polishing it (composing
    it again rewrites the same file)."""
    if span.empty and span.since is not None:
        return review_span(span.since)
    return span.start, span.end


def week_options(
    span: DateRange,
    cfg: Config,
    *,
    fmt: str | None = None,
    lang: str | None = None,
    style: str | None = None,
    include_published: bool = False,
) -> ComposeOptions:
    """What `revue week` composes: `span` (see workbench_range), in the language and style
    asked, else the recomposed review's, else the config's. Raises BadInput naming a bad
    --format, --lang or --style."""
    from revue.review.render import STYLES

    if fmt is not None and fmt not in PREVIEW_FORMATS:
        raise BadInput(f"--format {fmt!r}: choose {', '.join(PREVIEW_FORMATS)}")
    start, end = workbench_range(span)
    opts = compose_options(
        cfg,
        start,
        end,
        recorded=span.review,
        lang=lang,
        style=style,
        fmt=fmt or "text",
        include_published=include_published,
    )
    if opts.style not in STYLES:
        raise BadInput(f"--style {opts.style!r}: choose {' or '.join(STYLES)}")
    return opts


def parse_tags(typed: str) -> list[str]:
    """Tags typed in the workbench: comma-separated (a tag may hold spaces), `#` optional,
    each once (case-insensitively, as the store compares them)."""
    return list(unique_tags(tag_name(flat(part)) for part in typed.split(",")))


class Workbench:
    """The review of one range being prepared: rows in the post's order, the preview."""

    def __init__(
        self,
        store: Store,
        cfg: Config,
        opts: ComposeOptions,
        *,
        clock: Callable[[], dt.datetime],
    ) -> None:
        self.store = store
        self.cfg = cfg
        self.opts = replace(opts, review=None, dry_run=False, out=None)
        self.fmt = opts.fmt if opts.fmt in PREVIEW_FORMATS else PREVIEW_FORMATS[0]
        self.clock = clock
        self.zone = cfg.zone  # the curator's: the range's days are theirs
        self.rows: list[Row] = []
        self.candidates: list[CandidateRow] = []
        self.review_id: int | None = None
        self.chosen = Selection(items=[])
        self.state = state_path(store.path)
        self.split = read_split(self.state)
        self.reload()

    # -- reading -------------------------------------------------------------------------

    @property
    def start(self) -> str:
        return self.opts.start.isoformat()

    @property
    def end(self) -> str:
        return self.opts.end.isoformat()

    def reload(self) -> None:
        """Read the candidates again: the items of the range not published by another
        review, in the order the post shows them (sections grouped as render does)."""
        from revue.review.render import section_groups

        chosen = select(
            self.store,
            self.opts.start,
            self.opts.end,
            zone=self.zone,
            include_published=self.opts.include_published,
            include_failed=self.opts.include_failed,
        )
        self.chosen = chosen
        existing = chosen.review
        self.review_id = int(existing.id) if existing else None
        skipped = {item.id for item in chosen.skipped}
        shown = {item.id for item in chosen.items}
        ordered = [
            item for _, group in section_groups(chosen.rows, self.cfg.sections) for item in group
        ]
        self.rows = [
            Row(
                item,
                item.id not in skipped,
                marks_of(item, self.cfg.stale_days, self.zone),
                item.id in shown,
            )
            for item in ordered
        ]
        since, before = day_span(self.opts.start, self.opts.end, self.zone)
        self.candidates = [
            CandidateRow(int(c["id"]), c["url"], c["title"], c["newsletter"])
            for c in self.store.candidates(since, before)
        ]

    def candidate_groups(self) -> list[tuple[str, list[CandidateRow]]]:
        """The newsletters' candidates, a group a newsletter (by name), in the order found."""
        groups: dict[str, list[CandidateRow]] = {}
        for row in self.candidates:
            groups.setdefault(row.newsletter, []).append(row)
        return list(groups.items())

    def keep_candidate(self, candidate_id: int) -> Item:
        """Make a candidate an item of this review, credited `via « Newsletter »` and dated
        when its newsletter came (so it stays in this range); stored pending, its page
        fetched by the next `revue fetch`. Returns the item."""
        found = [c for c in self.candidates if c.id == candidate_id]
        if not found:
            raise NotFound(f"no candidate #{candidate_id} in this review")
        outcome = self.store.keep_candidate(candidate_id, now=iso(self.clock()))
        self.reload()
        return outcome.item

    def index_of(self, item_id: int) -> int:
        for index, row in enumerate(self.rows):
            if row.item.id == item_id:
                return index
        raise NotFound(f"no item #{item_id} in this review")

    def row(self, item_id: int) -> Row:
        return self.rows[self.index_of(item_id)]

    def heading(self) -> str:
        """The line above the list: the range, what is kept, skipped and dead, the format."""
        kept = sum(1 for r in self.rows if r.in_post)
        skipped = sum(1 for r in self.rows if not r.kept)
        dead = sum(1 for r in self.rows if r.kept and not r.in_post)
        bits = [f"{self.start} → {self.end}", f"{kept} in post"]
        if skipped:
            bits.append(f"{skipped} skipped")
        if dead:
            bits.append(f"{dead} dead")
        if self.candidates:
            bits.append(f"{len(self.candidates)} from newsletters")
        if self.review_id is not None:
            bits.append(f"review #{self.review_id}")
        bits.append(self.fmt)
        return " · ".join(bits)

    def link(self, item_id: int) -> str | None:
        """The address `o` opens (a text block has none)."""
        return self.row(item_id).item.url

    # -- changing (each change stored at once) ------------------------------------------

    def toggle(self, item_id: int) -> Row:
        """Keep a skipped item, or skip a kept one, for this review."""
        row = self.row(item_id)
        self.store.set_skipped(
            item_id,
            row.kept,
            start=self.start,
            end=self.end,
            now=iso(self.clock()),
            review_id=self.review_id,
        )
        self.reload()
        return self.row(item_id)

    def star(self, item_id: int) -> Row:
        """Star the item for the year's recap, or take its star off (`revue star`)."""
        self.store.set_starred([item_id], not self.row(item_id).item.starred)
        self.reload()
        return self.row(item_id)

    def move(self, item_id: int, step: int) -> str | None:
        """Move an item one place down (step 1) or up (-1) in its section; None when done,
        else why not (the post keeps sections together: `s` changes an item's section)."""
        index = self.index_of(item_id)
        other = index + (1 if step > 0 else -1)
        if not 0 <= other < len(self.rows):
            return f"#{item_id} is already {'last' if step > 0 else 'first'}"
        return self.drop(item_id, self.rows[other].item.id)

    def drop(self, item_id: int, onto: int) -> str | None:
        """Put an item in the place of another of its section (a mouse drag); None when
        done, else why not."""
        if onto == item_id:
            return None
        moving, target = self.row(item_id), self.row(onto)
        if moving.section != target.section:
            where = f"‹{moving.section}›" if moving.section else "no section"
            edge = "last" if self.index_of(onto) > self.index_of(item_id) else "first"
            return f"#{item_id} is the {edge} of {where}: s changes its section"
        if self.index_of(onto) > self.index_of(item_id):
            self.store.move(item_id, after=onto)
        else:
            self.store.move(item_id, before=onto)
        self.reload()
        return None

    def set_note(self, item_id: int, typed: str) -> bool:
        """The note typed on one line ('' clears it); a note of several paragraphs left as
        it was shows unchanged and is kept as it is. True if something changed."""
        return self._set(item_id, "note", typed)

    def set_section(self, item_id: int, typed: str) -> bool:
        """The section typed ('' clears it). True if something changed."""
        return self._set(item_id, "section", typed)

    def _set(self, item_id: int, name: str, typed: str) -> bool:
        item = self.row(item_id).item
        value = typed.strip()
        if value == flat(getattr(item, name)):
            return False
        edit_item(self.store, item_id, {name: value})
        self.reload()
        return True

    def set_tags(self, item_id: int, typed: str) -> bool:
        """The tags typed, comma-separated, replace the item's. True if something changed."""
        item = self.row(item_id).item
        wanted = parse_tags(typed)
        have = {t.casefold() for t in item.tags}
        want = {t.casefold() for t in wanted}
        add = [t for t in wanted if t.casefold() not in have]
        remove = [t for t in item.tags if t.casefold() not in want]
        if not add and not remove:
            return False
        edit_item(self.store, item_id, {}, add_tags=add, remove_tags=remove)
        self.reload()
        return True

    def tags_text(self, item_id: int) -> str:
        return ", ".join(self.row(item_id).item.tags)

    def resize(self, step: int) -> str:
        """Give the list a step more (1) or less (-1) of the width, and remember it; what
        to say."""
        wanted = min(max(self.split + step * SPLIT_STEP, SPLIT_MIN), SPLIT_MAX)
        if wanted == self.split:
            return f"the list is already at its {'widest' if step > 0 else 'narrowest'}"
        self.split = wanted
        kept = write_split(self.state, wanted)
        said = f"list {wanted}% of the width, preview {100 - wanted}%"
        return said if kept else f"{said} (not remembered: {self.state} cannot be written)"

    def cycle_format(self) -> str:
        at = PREVIEW_FORMATS.index(self.fmt) if self.fmt in PREVIEW_FORMATS else -1
        self.fmt = PREVIEW_FORMATS[(at + 1) % len(PREVIEW_FORMATS)]
        return self.fmt

    # -- the post ------------------------------------------------------------------------

    def _options(self, **changes: Any) -> ComposeOptions:
        return replace(self.opts, fmt=self.fmt, **changes)

    def post(self) -> str | None:
        """The post as compose would write it now, in the preview's format; None when
        nothing is left to publish."""
        result = compose(self.store, self.cfg, self._options(dry_run=True), now=self.clock())
        return None if result.empty else result.text

    def nothing_left(self) -> str:
        """Why there is no post: no item at all in the range, or every one left out."""
        if not self.rows:
            why = why_nothing(
                self.store, self.opts.start, self.opts.end, self.chosen, zone=self.zone
            )
            return f"no items from {self.start} to {self.end}: {why}"
        return "every item is skipped or dead"

    def preview(self) -> str:
        """What the preview shows: the post, or why there is none."""
        text = self.post()
        return f"(nothing to publish: {self.nothing_left()})" if text is None else text

    def compose(self) -> ComposeResult:
        """Write the review file as `revue compose` does, record it; rows read again (the
        range now has its review)."""
        result = compose(self.store, self.cfg, self._options(), now=self.clock())
        self.reload()
        return result

    def composed_message(self, result: ComposeResult) -> str:
        if result.empty:
            return f"nothing written: {self.nothing_left()}"
        how = "unchanged" if result.unchanged else "written"
        return f"{len(result.items)} item(s) {how}: {result.path}"
