"""Jekyll: the review as `_posts/YYYY-MM-DD-<slug>.md`, YAML front matter, the review's HTML.

The body is revue's HTML rendering of the review (escaped and checked, as a blog gets it),
which Jekyll's Markdown (kramdown) passes through as it is: kramdown's escapes are not
CommonMark's (`\\&` would show its backslash) and its `{::…}` extensions would act on text
from a page. `render_with_liquid: false` keeps Liquid from running a page's `{{ … }}`. A
draft is `published: false` (built with `jekyll build --unpublished`).
"""

from __future__ import annotations

from typing import Any

import yaml

from revue.publish.base import Publication
from revue.publish.static import Generator, Page, html_block, tags
from revue.review.markup import one_line


def front_matter(review: Publication, page: Page, layout: str = "post") -> str:
    meta: dict[str, Any] = {"title": one_line(page.title)}
    if layout:
        meta = {"layout": layout, **meta}
    if review.day is not None:
        meta["date"] = review.day
    meta |= {"slug": page.slug, "tags": tags(review)}
    if page.draft:
        meta["published"] = False
    meta["render_with_liquid"] = False
    text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=2**31)
    return f"---\n{text}---\n"


def body(review: Publication) -> str:
    return html_block(review.html)


def file_name(review: Publication, slug: str) -> str:
    day = review.day.isoformat() if review.day is not None else "1970-01-01"
    return f"{day}-{slug}.md"


def generator(layout: str = "post") -> Generator:
    return Generator(
        name="jekyll",
        folder="_posts",
        file_name=file_name,
        render=lambda review, page: f"{front_matter(review, page, layout)}\n{body(review)}",
        dated=True,
    )
