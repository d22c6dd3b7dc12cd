"""Facts from the raw body, scanned, not parsed: `<time>`,
bylines (`rel=author`, `/author/` links, byline classes), date-classed elements, `<img>`."""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable, Iterator

from revue.web.extract.dates import norm_date
from revue.web.extract.tags import element_text, finds, person, tag_at, tag_attrs
from revue.web.extract.text import TAG_RE, abs_url, clean

# Keywords located with str.find, then checked to sit in the right attribute of a tag:
# a regex over every tag of a 500 KB body costs milliseconds.
AUTHOR_HREF_KEYS = ("/author/", "/auteur/", "/authors/", "/auteurs/", "/journaliste/",
                    "/autor/", "/autoren/", "/autores/")  # fmt: skip
# field--name-uid: Drupal's author field.
AUTHOR_CLASS_KEYS = ("byline", "Byline", "author", "Author", "auteur", "signature",
                     "field--name-uid")  # fmt: skip
# Dates that are not the article's: a citation's access date, an update, a clock, a duration.
_NOT_DATE_CLASS_RE = re.compile(r"access|updat|modif|timeline|timer|zone|picker|read|run|dur", re.I)
DATE_CLASS_KEYS = ("timestamp", "published", "pubdate", "pub-date", "post-date", "entry-date",
                    "article-date", "date-publi", "publish-date", "publishdate", "posted-on",
                    "dateline", "field--name-created")  # fmt: skip
# Where a page's own date never is: comments, sidebars, "related" and "most read" boxes,
# navigation, the site's header (today's date) and footer (copyright years). Matched on a
# tag's class/id; `<aside>` and `<nav>` always, a `<footer>`/`<header>` unless it is the
# article's own (entry-footer, article__header...).
_ASIDE_RE = re.compile(
    r"comment|kommentar|commentaire|sidebar|side-bar|widget-area|widget_|related|similar|recommend|"
    r"teaser|most-?read|popular|meistgelesen|aehnlich|ähnlich|lire-aussi|a-lire|"
    r"colophon|copyright|site-?footer|page-?footer|global-?footer|site-?header|masthead|"
    r"header-?top|top-?bar|current-?date|date-du-jour|today|breadcrumb|newsletter",
    re.IGNORECASE,
)
_OWN_PART_RE = re.compile(r"entry|post|article|node|story|content|item", re.IGNORECASE)
# "Publié le 8 novembre 2023", "Veröffentlicht am 12. März 2021", "Posted on March 12th".
_PUBLISHED_PHRASE_RE = re.compile(
    r"(?:publié|mis en ligne|paru|posté)e?\s+le|publication\s*:|"
    r"veröffentlicht(?:\s+am)?|erschienen(?:\s+am)?|publiziert(?:\s+am)?|"
    r"\b(?:published|posted)(?:\s+on)?|\bpublicado(?:\s+el)?|pubblicato(?:\s+il)?",
    re.IGNORECASE,
)
_ASIDE_KEYS = ("comment", "Comment", "kommentar", "commentaire", "sidebar", "side-bar",
               "widget-area", "widget_", "related", "Related", "similar", "recommend", "teaser",
               "most-read", "mostread", "popular", "meistgelesen", "aehnlich", "ähnlich",
               "lire-aussi", "a-lire", "colophon", "copyright", "footer", "Footer", "header",
               "masthead", "top-bar", "topbar", "current-date", "date-du-jour", "today",
               "breadcrumb", "newsletter")  # fmt: skip
_STRUCTURE_TAGS = ("aside", "nav", "footer", "header")
# A clock's label: the date after it is today's (phpBB's header, news sites' top bars).
_CLOCK_RE = re.compile(
    r"aktuelle zeit|heute ist|it is currently|current time|today is|nous sommes le|"
    r"aujourd'hui|il est actuellement",
    re.IGNORECASE,
)
# Where a page's own date may be written in its text: a year, to skip the rest cheaply.
_YEAR_RE = re.compile(r"(?<!\d)(?:19[9]\d|20\d\d)(?!\d)")
# A text between tags: where a date near the headline is looked for.
_TEXT_NODE_RE = re.compile(r">([^<>]{6,160})<")
# Words of a sentence (not a dateline's): an event's date in the text is not the page's.
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
_HEADLINE_AFTER = 2500  # characters after the headline where its date may be
_HEADLINE_BEFORE = 700  # and before it (a date line above the title)
# Keys of a publication date in an inline script or a data attribute, found with str.find.
_SCRIPT_DATE_KEYS = ("ublish", "pubDate", "pubdate", "pub_date")
_SCRIPT_DATE_RE = re.compile(
    r"""(?:date_?|first_?)?(?:[pP]ublish(?:ed|ing)?(?:_?[dD]ate|_?[aA]t|_?[tT]ime)?|"""
    r"""[pP]ublication_?[dD]ate|pub_?[dD]ate)["']?\s*[:=]\s*["'](\d{4}-\d{2}-\d{2}[^"'<>]{0,30})["']"""
)


_LAZY_SRC = ("data-src", "data-lazy-src", "data-original", "data-lazy", "data-url")
_NOT_IMAGES = (".mp4", ".webm", ".m3u8", ".mov", ".pdf", ".html", ".php", ".js")


_ASIDE_WINDOW = 6000


def _rfinds(text: str, needle: str, lo: int, hi: int, limit: int = 4) -> list[int]:
    """The last `limit` positions of `needle` in text[lo:hi]."""
    out: list[int] = []
    while len(out) < limit:
        i = text.rfind(needle, lo, hi)
        if i < 0:
            break
        out.append(i)
        hi = i
    return out


def _sentence(text: str) -> bool:
    """A sentence of the text (an event's date), not a byline or a date line."""
    return text.rstrip().endswith((".", "!", "?")) and len(_WORD_RE.findall(text)) > 5


def in_ld_block(text: str, pos: int) -> bool:
    """Is `pos` in a JSON-LD block (read by its own sources, which may have chosen not to:
    a listing's items, a car's productionDate)?"""
    script = text.rfind("<script", 0, pos)
    return (
        script >= 0
        and "ld+json" in text[script : script + 80]
        and (text.find("</script", script, pos) < 0)
    )


def script_date(text: str, skip: Callable[[int], bool] = lambda pos: False) -> str | None:
    """The first ISO date given as a publication date in an inline script or a data
    attribute of `text` (`"publishDate": "2015-08-03..."`, `data-published="..."`)."""
    hits = sorted(pos for key in _SCRIPT_DATE_KEYS for pos in finds(text, key, 30))
    for pos in hits:
        m = _SCRIPT_DATE_RE.search(text, max(0, pos - 12), pos + 70)
        if m is None or in_ld_block(text, pos) or skip(pos):
            continue
        value = norm_date(m.group(1))
        if value:
            return value
    return None


class BodyScan:
    """Regex facts from the raw body (no parse): `<time>`, bylines, dates, images.

    A parse of a 500 KB body costs 5-10 ms; these scans cost a fraction of that, and these
    fields are found in the first tags that carry them.
    """

    def __init__(self, text: str, site_root: str = "") -> None:
        self.text = text
        self.site_root = site_root  # "https://host/": a link there around an image is a logo
        self._aside_cache: dict[int, bool] = {}
        article = text.find("<article")
        if article < 0:
            article = text.find("<main")
        self.article = article
        self._article_end: int | None = None

    # ----------------------------------------------------------------- where not to look

    def _aside_at(self, pos: int) -> bool:
        """Is `pos` inside an element a page's own date is never in (`_ASIDE_RE`)? Its
        enclosing elements are looked for in the few KB before it, not in the whole page:
        a scan of a 400 KB page for every keyword costs ~10 ms, this a fraction of one."""
        if self._after_article(pos):
            return True  # what follows the article: related stories, comments, the footer
        lo = max(0, pos - _ASIDE_WINDOW)
        starts = {
            i + 1 for name in _STRUCTURE_TAGS for i in _rfinds(self.text, "<" + name, lo, pos)
        }
        starts |= {i for key in _ASIDE_KEYS for i in _rfinds(self.text, key, lo, pos)}
        for start in sorted(starts):
            tag = tag_at(self.text, start)
            if tag is None:
                continue
            name, attr_text, gt = tag
            attrs = tag_attrs(attr_text)
            marks = f"{attrs.get('class', '')} {attrs.get('id', '')} {attrs.get('role', '')}"
            if name in _STRUCTURE_TAGS:
                # An article's own header or footer: by its class, or by where it is
                # (`<article><header>`: the title, the byline and the date).
                own = name in ("footer", "header") and (
                    _OWN_PART_RE.search(marks) or self._in_article(start)
                )
                if own and not _ASIDE_RE.search(marks):
                    continue
            elif not (marks.strip() and _ASIDE_RE.search(marks)):
                continue
            begin = self.text.rfind("<", 0, start + 1)
            end = self._element_end(name, gt)
            if begin < self.article < end:
                continue  # a wrapper around the article
            if end > pos:
                return True
        return False

    def _in_article(self, pos: int) -> bool:
        return self.article < pos < self._end_of_article()

    def _after_article(self, pos: int) -> bool:
        """Is `pos` after the end of the page's `<article>` (not of a `<main>`, which may
        hold the related stories)?"""
        if self.article < 0 or not self.text.startswith("<article", self.article):
            return False
        return pos >= self._end_of_article()

    def _end_of_article(self) -> int:
        if self._article_end is None:
            tag = tag_at(self.text, self.article + 1) if self.article >= 0 else None
            self._article_end = self._element_end(tag[0], tag[2]) if tag else self.article
        return self._article_end

    def _element_end(self, name: str, pos: int) -> int:
        """Where the element whose start tag ends at `pos` closes (nesting counted, bounded)."""
        depth, i = 1, pos
        opening, closing = "<" + name, "</" + name
        for _ in range(400):
            close = self.text.find(closing, i)
            if close < 0:
                return len(self.text)
            nested = self.text.find(opening, i, close)
            while nested >= 0 and depth < 400:
                after = self.text[nested + len(opening) : nested + len(opening) + 1]
                if after in (" ", ">", "\t", "\n", "\r", "/"):
                    depth += 1
                nested = self.text.find(opening, nested + 1, close)
            depth -= 1
            i = close + len(closing)
            if depth <= 0:
                return i
        return len(self.text)

    def aside(self, pos: int) -> bool:
        if pos not in self._aside_cache:
            self._aside_cache[pos] = self._aside_at(pos)
        return self._aside_cache[pos]

    def _offsets(self) -> tuple[int, ...]:
        # The article's part first: a date before it may be a "today" widget.
        return (self.article, 0) if self.article > 0 else (0,)

    # ----------------------------------------------------------------- authors

    def _tag_texts(
        self, keys: Iterable[str], attr: str, limit: int = 20, offset: int = 0
    ) -> Iterator[tuple[int, dict[str, str], str]]:
        """(position, attributes, text) of the first elements whose `attr` contains one of
        `keys`, in page order from `offset`."""
        positions = sorted(i for key in keys for i in finds(self.text, key, limit, offset))
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
            if value or attrs.get("title") or attrs.get("datetime"):
                yield pos, attrs, value or ""

    def person_in(self, keys: Iterable[str], attr: str) -> str | None:
        """The first plausible name in an element whose `attr` contains one of `keys`
        (not in a comment or a sidebar)."""
        for pos, _attrs, value in self._tag_texts(keys, attr):
            name = person(value)
            if name and not self.aside(pos):
                return name
        return None

    def rel_author(self) -> str | None:
        return self.person_in(("author",), "rel")

    def author_link(self) -> str | None:
        return self.person_in(AUTHOR_HREF_KEYS, "href")

    def byline(self) -> str | None:
        return self.person_in(AUTHOR_CLASS_KEYS, "class")

    # ----------------------------------------------------------------- dates

    def time_date(self, month_first: bool = True) -> str | None:
        """The first `<time>`'s date (its `datetime`, else its text), not in a comment, a
        sidebar, a related box or the footer."""
        for offset in self._offsets():
            for i in finds(self.text, "<time", 30, offset):
                tag = tag_at(self.text, i + 1)
                if tag is None or tag[0] != "time":  # not <time-ago>, <timeline>...
                    continue
                attrs = tag_attrs(tag[1])
                if self.aside(i):
                    continue
                text = element_text(self.text, "time", tag[2])
                if not attrs.get("datetime") and text and _CLOCK_RE.search(text):
                    continue
                value = norm_date(attrs.get("datetime") or text, month_first)
                if value:
                    return value
        return None

    def class_date(self, month_first: bool = True) -> str | None:
        """A date in an element classed as a publication date (`DATE_CLASS_KEYS`): its
        `title` (`<abbr class=published title=...>`) or `datetime`, else its text."""
        for offset in self._offsets():
            for pos, attrs, text in self._tag_texts(DATE_CLASS_KEYS, "class", offset=offset):
                if self.aside(pos):
                    continue
                value = norm_date(attrs.get("datetime") or attrs.get("title") or "")
                if not value and len(text) <= 80 and not _CLOCK_RE.search(text):
                    value = norm_date(text, month_first)
                if value:
                    return value
        return None

    def phrase_date(self, month_first: bool = True) -> str | None:
        """A date written after "Publié le", "Veröffentlicht am", "Published on"... in the
        page's text (not in a comment, a sidebar or the footer)."""
        # Near the headline only: further down, "published" is a citation's or a quote's.
        h1 = self.text.find("<h1")
        starts = [h1] if h1 >= 0 else list(self._offsets())
        for offset in starts:
            end = offset + 8000
            for tried, m in enumerate(_PUBLISHED_PHRASE_RE.finditer(self.text, offset, end)):
                if tried >= 20:
                    break
                if self.text.rfind("<", m.start() - 200, m.start()) > self.text.rfind(
                    ">", m.start() - 200, m.start()
                ):
                    continue  # inside a tag's attributes
                if self.aside(m.start()):
                    continue
                text = clean(TAG_RE.sub(" ", self.text[m.end() : m.end() + 120]))
                value = norm_date(text[:60], month_first) if text else None
                if value:
                    return value
        return None

    def dated_element(self, month_first: bool = True) -> str | None:
        """A date written in an element whose class says date or time ("post-date",
        `<div class="time"><h2>July 05, 2017</h2>`): blogs that declare nothing else."""
        # str.find and a look back for `class=`: a regex over every class attribute of a
        # 400 KB page (Wikipedia) costs over 10 ms; this costs well under one.
        start = max(self.article, 0)
        positions = sorted(i for key in ("date", "time") for i in finds(self.text, key, 300, start))
        if start:
            positions += sorted(i for key in ("date", "time") for i in finds(self.text, key, 100))
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
            if self.aside(pos):
                continue
            classes = tag_attrs(tag[1]).get("class", "")
            if ("date" not in classes and "time" not in classes) or _NOT_DATE_CLASS_RE.search(
                classes
            ):
                continue
            text = element_text(self.text, tag[0], tag[2])
            value = (
                norm_date(text, month_first)
                if text and len(text) <= 80 and not _CLOCK_RE.search(text)
                else None
            )
            if value:
                return value
            tried += 1
            if tried >= 30:
                break
        return None

    def script_date(self) -> str | None:
        """An ISO date given as a publication date in an inline script or a data attribute
        (`"publishDate": "2015-08-03T..."`, `data-published="..."`), not in a related box."""
        return script_date(self.text, self.aside)

    def headline_date(self, title: str | None, month_first: bool = True) -> str | None:
        """A date written near the headline: in the byline or meta line after it (the
        first), else in a date line just above it (the nearest). The headline is where the
        page's title is written in the body (an `<h2>` or `<h3>` on many CMSs), else the
        first `<h1>`. Never in a sentence (an event's date), a clock's, nor in a comment,
        a sidebar, a related box, the site's header or footer."""
        anchor = self._headline(title)
        if anchor < 0:
            return None
        after = self._text_dates(anchor, anchor + _HEADLINE_AFTER, month_first)
        value = next(after, None)
        if value:
            return value
        before = list(self._text_dates(max(0, anchor - _HEADLINE_BEFORE), anchor, month_first))
        return before[-1] if before else None

    def _headline(self, title: str | None) -> int:
        if title and len(title) >= 8:
            key = title[:40]
            for spelling in (html.escape(key, quote=False), html.escape(key), key):
                at = self.text.find(">" + spelling)
                if at >= 0:
                    return at
        return self.text.find("<h1")

    def _text_dates(self, lo: int, hi: int, month_first: bool) -> Iterator[str]:
        for m in _TEXT_NODE_RE.finditer(self.text, lo, hi):
            raw = m.group(1)
            if not _YEAR_RE.search(raw):
                continue
            text = clean(html.unescape(raw)) or ""
            if _CLOCK_RE.search(text) or _sentence(text):
                continue
            tag = tag_at(self.text, m.start(1) - 1)
            if tag is not None and ("-" in tag[0] or tag[0] in ("script", "style")):
                # <relative-time>, <time-ago>: a widget's clock (GitHub's last commit); a
                # script's data is read by its own sources.
                continue
            value = norm_date(text, month_first)
            if value and not self.aside(m.start(1)):
                yield value

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
        src = attrs.get("src") or ""
        if not src or src.startswith("data:"):  # a lazy loader's placeholder
            src = next((attrs[k] for k in _LAZY_SRC if attrs.get(k)), src)
        if not src or attrs.get("aria-hidden") == "true":
            return None
        marks = f"{attrs.get('class', '')} {attrs.get('id', '')} {attrs.get('alt', '')}"
        if "logo" in marks.lower() or self._in_home_link(pos):
            return None
        if src.split("?")[0].lower().endswith(_NOT_IMAGES):
            return None
        if any(
            v.isdigit() and int(v) < 40 for v in (attrs.get("width", ""), attrs.get("height", ""))
        ):
            return None  # tracking pixels, icons
        return abs_url(src, base)

    def _in_home_link(self, pos: int) -> bool:
        """Is the image at `pos` inside a link to the home page (the site's logo)?"""
        a = self.text.rfind("<a ", max(0, pos - 600), pos)
        if a < 0 or self.text.find("</a", a, pos) >= 0:
            return False
        tag = tag_at(self.text, a + 1)
        if tag is None:
            return False
        attrs = tag_attrs(tag[1])
        href = attrs.get("href", "").strip()
        marks = f"{attrs.get('rel', '')} {attrs.get('class', '')}".lower()
        return href in ("/", self.site_root, self.site_root.rstrip("/")) or (
            "home" in marks or "logo" in marks
        )
