"""Microdata (`itemprop`) from the raw body, scanned, not parsed: the first value of each
property, and the author's name (`itemprop=author` as text, or the `name` of its scope)."""

from __future__ import annotations

from revue.web.extract.dates import norm_date
from revue.web.extract.tags import element_text, finds, person, tag_at, tag_attrs
from revue.web.extract.text import abs_url, clean


class Microdata:
    """The page's microdata properties: first value of each, and the author's name."""

    def __init__(self, text: str) -> None:
        self.props: dict[str, str] = {}
        self.author_name: str | None = None
        pending_author = False
        for i in finds(text, "itemprop", 400):
            tag = tag_at(text, i)
            if tag is None:
                continue
            name, attr_text, end = tag
            attrs = tag_attrs(attr_text)
            value = next((attrs[a] for a in ("content", "datetime") if attrs.get(a)), None)
            if value is None and name == "abbr":  # <abbr itemprop=datePublished title=...>
                value = attrs.get("title") or None
            if value is None:
                value = next((attrs[a] for a in ("src", "href") if attrs.get(a)), None)
            if value is None and "itemscope" not in attrs:
                value = element_text(text, name, end)
            for prop in attrs.get("itemprop", "").split():
                if prop in ("author", "creator"):
                    if "itemscope" in attrs or not value or value.startswith("http"):
                        pending_author = True
                    elif self.author_name is None:
                        self.author_name = person(clean(value))
                elif prop == "name" and pending_author:
                    if self.author_name is None:
                        self.author_name = person(clean(value))
                    pending_author = False
                elif value and prop not in self.props:
                    self.props[prop] = value

    def date(self, *props: str) -> str | None:
        """The first of `props` that is present, as a date (a bad first one is not skipped)."""
        return norm_date(next((self.props[p] for p in props if self.props.get(p)), None))

    def image(self, base: str) -> str | None:
        return abs_url(self.props.get("image") or self.props.get("thumbnailUrl"), base)
