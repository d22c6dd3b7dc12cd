"""A static site's source folder as a target: the review written as one page of its
generator (Hugo, Jekyll, Pelican), for the site's own build to turn into HTML.

Invariants:
- The page goes where its generator looks for posts, under the file name it expects
  (`Generator.file_name`); a review published again goes to the path recorded the first
  time (a title changed since does not make a second page).
- The page is written by the reviews folder's writer (`publish.folder.ReviewFolder`): under
  the compose lock, through a temporary file, and never over a page edited by hand since
  revue wrote it (the hash recorded with the post) without `force`.
- Every front-matter value goes through the generator's own syntax (a serializer, or the
  quoting its reader undoes): no title can end the front matter or add a key.
- A dry run writes nothing: it shows the path and the page.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from revue.errors import BadInput
from revue.publish.base import Publication, Result, slug_words
from revue.publish.folder import ReviewFolder
from revue.review.markup import one_line

MAX_SLUG = 80  # characters: a file name and an address stay readable
STATUSES = ("draft", "publish")


@dataclass(frozen=True, slots=True)
class Page:
    """What a generator's page says besides its body."""

    title: str
    slug: str
    draft: bool


@dataclass(frozen=True, slots=True)
class Generator:
    """One static site generator: where its posts go and how one is written."""

    name: str
    folder: str  # the posts' folder, relative to the site's
    file_name: Callable[[Publication, str], str]  # (review, slug) -> the page's file name
    render: Callable[[Publication, Page], str]  # the page's whole text
    dated: bool = False  # its file names start with the post's day (YYYY-MM-DD-)


def slugify(title: str) -> str:
    """The title as an address's last part: ASCII letters and digits joined by '-'."""
    slug = slug_words(title)
    if len(slug) > MAX_SLUG:
        slug = slug[:MAX_SLUG].rsplit("-", 1)[0] or slug[:MAX_SLUG]
    return slug or "review"


def body_markdown(review: Publication) -> str:
    """The review's Markdown without its first heading: the generator shows the title."""
    text = review.markdown.lstrip("\n")
    first, _, rest = text.partition("\n")
    if first.startswith("# "):
        text = rest.lstrip("\n")
    return text.rstrip("\n") + "\n"


def tags(review: Publication) -> list[str]:
    """The review's tags, each on one line (a front matter value never spans lines)."""
    return [tag for tag in (one_line(t) for t in review.tags) if tag]


def html_block(html: str) -> str:
    """The review's HTML as one raw block of a Markdown page: opened by an element at the
    start of a line (a user template's fragment may open with text), which Markdown passes
    through as it is."""
    html = html.strip()
    if not html.startswith("<div"):
        html = f'<div class="revue">\n{html}\n</div>'
    return html + "\n"


class StaticSite:
    """Writes the review as a page of `generator` in the site folder `site`. `lock` and
    `protect` are the compose lock and the database's files (see ReviewFolder)."""

    def __init__(
        self,
        generator: Generator,
        site: Path,
        *,
        lock: Path,
        protect: Sequence[Path] = (),
        status: str | None = None,
        draft: bool = True,
        force: bool = False,
        dry_run: bool = False,
    ) -> None:
        if status is not None and status not in STATUSES:
            raise BadInput(f"--status {status!r}: a {generator.name} page is draft or publish")
        site = site.expanduser()
        if not site.is_dir():
            raise BadInput(f"{generator.name} site {site}: no such folder")
        self.generator = generator
        self.name = generator.name
        self.root = site.resolve()
        self.site = f"{generator.name}:{self.root}"
        self.lock = lock
        self.protect = list(protect)
        self.status = status
        self.draft = draft
        self.force = force
        self.dry_run = dry_run
        self._writer: ReviewFolder | None = None

    def publish(self, review: Publication) -> Result:
        folder = self.root / self.generator.folder
        previous = review.previous
        name = None
        if previous and previous.link:
            recorded = Path(previous.link)
            # The page's first path, unless the record points out of this site's posts.
            if recorded.parent == folder.resolve():
                name = recorded.name
        slug = slugify(review.title)
        if name is None:
            name = self.generator.file_name(review, slug)
        else:
            day, slug = _parse_name(name, slug, dated=self.generator.dated)
            if day is not None:
                # A Jekyll post's day is in its name: the page keeps the one it was given.
                review = replace(review, day=day)
        if self.status is not None:
            draft = self.status == "draft"
        elif previous and previous.status in STATUSES:
            draft = previous.status == "draft"
        else:
            draft = self.draft
        page = self.generator.render(review, Page(title=review.title, slug=slug, draft=draft))
        path = folder / name
        status = "draft" if draft else "publish"
        if self.dry_run:
            return Result(
                action="dry-run", status=status, request=f"write {path}\n\n{page}", path=str(path)
            )

        def known_hash(written: str) -> str | None:
            if previous and previous.link == written:
                return previous.content_sha256
            return None

        self._writer = ReviewFolder(
            folder, lock=self.lock, known_hash=known_hash, protect=self.protect, force=self.force
        )
        written = self._writer.publish(replace(review, text=page, file_name=name))
        return Result(
            action=written.action,
            post_id=0,  # a page has no id: its path (the link) is what identifies it
            link=written.path,
            status=status,
            content_sha256=hashlib.sha256(page.encode("utf-8")).hexdigest(),
            path=written.path,
        )

    def undo(self) -> None:
        """Put back what the last publish replaced (it could not be recorded)."""
        if self._writer is not None:
            self._writer.undo()


def _parse_name(name: str, default: str, *, dated: bool) -> tuple[dt.date | None, str]:
    """The day (when `dated`, the name starts with it: YYYY-MM-DD-) and the slug of a page's
    file name."""
    stem = name.rsplit(".", 1)[0]
    day = None
    if dated and re.match(r"\d{4}-\d\d-\d\d-", stem):
        with contextlib.suppress(ValueError):
            day = dt.date.fromisoformat(stem[:10])
        stem = stem[11:]
    return day, stem or default
