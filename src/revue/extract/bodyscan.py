"""Facts from the raw body, scanned, not parsed: `<time>`,
bylines (`rel=author`, `/author/` links, byline classes), date-classed elements, `<img>`."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from revue.extract.dates import norm_date
from revue.extract.tags import element_text, finds, person, tag_at, tag_attrs
from revue.extract.text import abs_url

# Keywords located with str.find, then checked to sit in the right attribute of a tag:
# a regex over every tag of a 500 KB body costs milliseconds.
AUTHOR_HREF_KEYS = ("/author/", "/auteur/", "/authors/", "/auteurs/", "/journaliste/")
AUTHOR_CLASS_KEYS = ("byline", "Byline", "author", "Author", "auteur", "signature")
# Dates that are not the article's: a citation's access date, an update, a clock, a duration.
_NOT_DATE_CLASS_RE = re.compile(r"access|updat|modif|timeline|timer|zone|picker|read|run|dur", re.I)
DATE_CLASS_KEYS = ("timestamp", "published", "pubdate", "pub-date", "post-date", "entry-date",
                    "article-date", "date-publi", "publish-date", "publishdate", "posted-on",
                    "dateline")  # fmt: skip


_NOT_IMAGES = (".mp4", ".webm", ".m3u8", ".mov", ".pdf", ".html", ".php", ".js")


class BodyScan:
    """Regex facts from the raw body (no parse): `<time>`, bylines, dates, images.

    A parse of a 500 KB body costs 5-10 ms; these scans cost a fraction of that, and these
    fields are found in the first tags that carry them.
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def _tag_texts(self, keys: Iterable[str], attr: str, limit: int = 20) -> Iterator[str]:
        """Texts of the first elements whose `attr` contains one of `keys`, in page order."""
        positions = sorted(i for key in keys for i in finds(self.text, key, limit))
        seen = 0
        last_end = -1
        for pos in positions:
            if seen >= limit or pos < last_end:
                continue
            tag = tag_at(self.text, pos)
            if tag is None:
                continue
            attrs = tag_attrs(tag[1])
            if not any(key in attrs.get(attr, "") for key in keys):
                continue
            seen += 1
            last_end = tag[2]
            value = element_text(self.text, tag[0], tag[2])
            if value:
                yield value

    def person_in(self, keys: Iterable[str], attr: str) -> str | None:
        """The first plausible name in an element whose `attr` contains one of `keys`."""
        for value in self._tag_texts(keys, attr):
            name = person(value)
            if name:
                return name
        return None

    def rel_author(self) -> str | None:
        return self.person_in(("author",), "rel")

    def author_link(self) -> str | None:
        return self.person_in(AUTHOR_HREF_KEYS, "href")

    def byline(self) -> str | None:
        return self.person_in(AUTHOR_CLASS_KEYS, "class")

    def time_date(self) -> str | None:
        """The first `<time>`'s date (its `datetime`, else its text)."""
        # A <time> inside <article> is the article's; one before it may be a "today" widget.
        article = self.text.find("<article")
        for offset in (article, 0) if article > 0 else (0,):
            for i in finds(self.text, "<time", 30, offset):
                tag = tag_at(self.text, i + 1)
                if tag is None or tag[0] != "time":  # not <time-ago>, <timeline>...
                    continue
                value = norm_date(
                    tag_attrs(tag[1]).get("datetime") or element_text(self.text, "time", tag[2])
                )
                if value:
                    return value
        return None

    def class_date(self) -> str | None:
        """A date in an element classed as a publication date (`DATE_CLASS_KEYS`)."""
        for text in self._tag_texts(DATE_CLASS_KEYS, "class"):
            value = norm_date(text) if len(text) <= 80 else None
            if value:
                return value
        return None

    def dated_element(self) -> str | None:
        """A date written in an element whose class says date or time ("post-date",
        `<div class="time"><h2>July 05, 2017</h2>`): blogs that declare nothing else."""
        # str.find and a look back for `class=`: a regex over every class attribute of a
        # 400 KB page (Wikipedia) costs over 10 ms; this costs well under one.
        positions = sorted(i for key in ("date", "time") for i in finds(self.text, key, 300))
        tried = 0
        last_end = -1
        for pos in positions:
            if pos < last_end:
                continue
            attr = self.text.rfind("class=", max(0, pos - 100), pos)
            if attr < 0 or self.text.find(">", attr, pos) >= 0:
                continue
            tag = tag_at(self.text, pos)
            if tag is None:
                continue
            last_end = tag[2]
            classes = tag_attrs(tag[1]).get("class", "")
            if ("date" not in classes and "time" not in classes) or _NOT_DATE_CLASS_RE.search(
                classes
            ):
                continue
            text = element_text(self.text, tag[0], tag[2])
            value = norm_date(text) if text and len(text) <= 80 else None
            if value:
                return value
            tried += 1
            if tried >= 30:
                break
        return None

    def image(self, base: str) -> str | None:
        """The first `<img>` that is not an icon, a pixel or a video (in `<article>` first)."""
        article = self.text.find("<article")
        for offset in (article, 0) if article > 0 else (0,):
            for i in finds(self.text, "<img", 40, offset):
                url = self._img(i, base)
                if url:
                    return url
        return None

    def video_poster(self, base: str) -> str | None:
        for i in finds(self.text, "<video", 5):
            tag = tag_at(self.text, i + 1)
            url = abs_url(tag_attrs(tag[1]).get("poster"), base) if tag else None
            if url:
                return url
        return None

    def _img(self, pos: int, base: str) -> str | None:
        tag = tag_at(self.text, pos + 1)
        if tag is None:
            return None
        attrs = tag_attrs(tag[1])
        src = attrs.get("src") or attrs.get("data-src")
        if not src or attrs.get("aria-hidden") == "true":
            return None
        if src.split("?")[0].lower().endswith(_NOT_IMAGES):
            return None
        if any(
            v.isdigit() and int(v) < 40 for v in (attrs.get("width", ""), attrs.get("height", ""))
        ):
            return None  # tracking pixels, icons
        return abs_url(src, base)
