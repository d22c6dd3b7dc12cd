"""The output formats of a review, in one table: what `--format` offers, the file's extension,
the built-in template, whether a browser shows it. Light: read at every start-up (the
`--format` help) without loading the renderer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    """One output format of a review: the one table `--format`, file names and `--open` read."""

    name: str
    extension: str  # of the review's file
    template: str | None  # the built-in template; None: not rendered through one (json)
    html: bool = False  # a browser shows it; escaped as HTML


OUTPUT_FORMATS = {
    f.name: f
    for f in (
        Format("md", "md", "review.md.j2"),
        Format("text", "txt", "review.txt.j2"),
        Format("html", "html", "review.html.j2", html=True),
        Format("html-fragment", "html", "review.fragment.html.j2", html=True),
        Format("json", "json", None),
    )
}
FORMATS = tuple(OUTPUT_FORMATS)
