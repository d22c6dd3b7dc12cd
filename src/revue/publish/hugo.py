"""Hugo: the review as `content/posts/<slug>.md`, TOML front matter (`+++`, or YAML `---`
with `[publish.hugo] front_matter = "yaml"`), a Markdown body.

Hugo's Markdown (Goldmark) drops raw HTML by default, so the body is the review's Markdown
rendering (which holds none). Hugo reads shortcodes (`{{< … >}}`, `{{% … %}}`) anywhere in a
page before its Markdown: in text from a page they are broken with a Markdown escape
(`{\\{<`), which shows as the text that was written.
"""

from __future__ import annotations

import re
from typing import Any

import tomli_w
import yaml

from revue.publish.base import Publication
from revue.publish.static import Generator, Page, body_markdown, tags
from revue.review.markup import one_line

FRONT_MATTERS = ("toml", "yaml")
_SHORTCODE = re.compile(r"\{(?=\{\s*[<%])")


def front_matter(review: Publication, page: Page, syntax: str = "toml") -> str:
    """The page's front matter, delimiters included, written by a serializer."""
    meta: dict[str, Any] = {
        "title": one_line(page.title),
        "slug": page.slug,
        "draft": page.draft,
        "tags": tags(review),
    }
    if review.day is not None:
        meta = {"title": meta["title"], "date": review.day, **meta}
    if syntax == "yaml":
        text = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=2**31)
        return f"---\n{text}---\n"
    return f"+++\n{tomli_w.dumps(meta)}+++\n"


def body(review: Publication) -> str:
    return _SHORTCODE.sub(r"{\\", body_markdown(review))


def generator(syntax: str = "toml") -> Generator:
    return Generator(
        name="hugo",
        folder="content/posts",
        file_name=lambda review, slug: f"{slug}.md",
        render=lambda review, page: f"{front_matter(review, page, syntax)}\n{body(review)}",
    )
