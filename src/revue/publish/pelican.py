"""Pelican: the review as `content/<slug>.md`, Pelican's Markdown metadata header (`Title:`,
`Date:`, `Tags:`, `Slug:`, `Status:`), then the review's HTML.

Pelican's Markdown (Python-Markdown) reads few backslash escapes (`\\<` shows a backslash and
then raw HTML), so the body is revue's HTML rendering of the review, escaped and checked,
which Python-Markdown passes through as it is. Pelican's themes print a title as HTML (the
default ones with `striptags` in `<title>`): it is written escaped, on one line. Tags are
split on ';' (Pelican's rule when one is there), so a tag may hold a comma.
"""

from __future__ import annotations

import html

from revue.publish.base import Publication
from revue.publish.static import Generator, Page, html_block
from revue.review.markup import one_line


def metadata(review: Publication, page: Page) -> str:
    tags = [t for t in (one_line(tag.replace(";", " ")) for tag in review.tags) if t]
    tag_line = "; ".join(tags)
    if len(tags) == 1:
        tag_line += ";"  # one tag holding a comma stays one tag
    lines = [f"Title: {html.escape(one_line(page.title), quote=False)}"]
    if review.day is not None:
        lines.append(f"Date: {review.day.isoformat()}")
    if tags:
        lines.append(f"Tags: {tag_line}")
    lines += [f"Slug: {page.slug}", f"Status: {'draft' if page.draft else 'published'}"]
    return "\n".join(lines) + "\n"


def body(review: Publication) -> str:
    return html_block(review.html)


def generator() -> Generator:
    return Generator(
        name="pelican",
        folder="content",
        file_name=lambda review, slug: f"{slug}.md",
        render=lambda review, page: f"{metadata(review, page)}\n{body(review)}",
    )
