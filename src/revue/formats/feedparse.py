"""Feeds: parse RSS/Atom/RDF documents, find a page's feeds, filter entries, read/write OPML.

Contract:

- Pure: bytes in, data out. feedparser only ever sees the bytes (wrapped in a stream): given a
  string it may fetch a URL or open a local file, so it is never given one.
- Entry links are absolute http(s) URLs, resolved against the feed URL; an entry without one
  (javascript:, data:, mailto:, none at all) is dropped.
- Titles and summaries are plain text: HTML stripped, whitespace collapsed, bounded (titles
  1,000 characters, summaries about 500, cut at a word with "…").
- A malformed feed that still yields entries is returned with `bozo` set to the reason; a
  document that is not a feed at all raises ValueError naming why.
- OPML is read with a parser that resolves no entities and touches no network.
"""

from __future__ import annotations

import calendar
import datetime as dt
import html as _html
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
import lxml.etree as _lxml_etree
import lxml.html as _lxml_html

from revue.sanitize import clean_text, unaccented

__all__ = [
    "FeedEntry",
    "ParsedFeed",
    "discover_feeds",
    "export_opml",
    "good_enough",
    "matches",
    "parse_feed",
    "parse_opml",
]

MAX_TITLE = 1_000
MAX_SUMMARY = 500
MAX_ENTRIES = 1_000
GOOD_SUMMARY = 80  # characters of summary that make a fetch of the page unnecessary


@dataclass
class FeedEntry:
    url: str
    title: str | None = None
    summary: str | None = None
    published: str | None = None  # ISO 8601 UTC: <published>/<pubDate>, else <updated>
    updated: str | None = None  # ISO 8601 UTC: <updated>, when the entry gives one
    author: str | None = None
    tags: list[str] = field(default_factory=list)
    id: str | None = None


@dataclass
class ParsedFeed:
    title: str | None
    link: str | None  # the site's home page
    entries: list[FeedEntry]
    bozo: str | None = None  # why the document is malformed, when it is


# --------------------------------------------------------------------------- text helpers


def _html_parser() -> Any:
    """An HTML parser without libxml2's 256-level nesting limit, past which the rest of a
    document is dropped without an error. One per call: parsers are not shared by threads."""
    return _lxml_html.HTMLParser(huge_tree=True)


def _plain(value: str | None, limit: int, *, is_html: bool = True) -> str | None:
    """A feed's text as one line of plain text, cut at a word boundary near `limit`.

    `is_html`: the value is HTML (an RSS description, an Atom `type="html"` element): its
    tags are markup. Otherwise (feedparser says `text/plain`: an RSS or Atom text title,
    entities already decoded) every character is text: "Why <script> tags break" keeps its
    words. Either way what entities decode to is text, never parsed again.
    """
    if not value:
        return None
    text = clean_text(value, keep_bidi=False)
    if is_html and ("<" in text or "&" in text):
        try:
            text = _lxml_html.fragment_fromstring(
                text, create_parent="div", parser=_html_parser()
            ).text_content()
        except (_lxml_etree.ParserError, ValueError):
            text = _html.unescape(re.sub(r"<[^>]*>", " ", text))
    text = " ".join(text.split())
    if not text:
        return None
    if len(text) > limit:
        cut = text[:limit].rsplit(" ", 1)[0] or text[:limit]
        text = cut.rstrip(" ,;:.-–—") + "…"
    return text


def _collapse(text: str | None, limit: int) -> str | None:
    if not text:
        return None
    return " ".join(clean_text(text, keep_bidi=False).split())[:limit] or None


def _author(value: Any) -> str | None:
    """An entry's author as text. feedparser decodes its entities, except when it reads a
    malformed feed loosely; decoded entities are text either way (no tag is removed)."""
    if not isinstance(value, str):
        return None
    return _plain(_html.unescape(value) if "&" in value else value, 200, is_html=False)


def _is_html(detail: Any) -> bool:
    """Whether feedparser's `*_detail` says its value is HTML (absent: assume HTML)."""
    kind = detail.get("type") if isinstance(detail, Mapping) else None
    return not isinstance(kind, str) or "html" in kind or "xml" in kind


def _http_url(href: Any, base: str) -> str | None:
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname or len(url) > 8_000:
        return None
    return url


def _iso(parsed: Any) -> str | None:
    """feedparser's UTC struct_time as ISO 8601."""
    if not parsed:
        return None
    try:
        stamp = dt.datetime.fromtimestamp(calendar.timegm(parsed), tz=dt.UTC)
    except (OverflowError, OSError, ValueError, TypeError):
        return None
    return stamp.isoformat()


# --------------------------------------------------------------------------- parsing


def _entry_link(entry: Any, base: str) -> str | None:
    # FeedBurner hides the real article behind a redirect and keeps it in origlink.
    candidates: list[Any] = [entry.get("feedburner_origlink"), entry.get("link")]
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate":
            candidates.append(link.get("href"))
    guid = entry.get("id")
    if entry.get("guidislink") and guid:
        candidates.append(guid)
    for candidate in candidates:
        url = _http_url(candidate, base)
        if url:
            return url
    return None


def _entry_summary(entry: Any) -> str | None:
    summary = entry.get("summary")
    detail = entry.get("summary_detail")
    if not summary:
        for content in entry.get("content") or []:
            if content.get("value"):
                summary, detail = content["value"], content
                break
    return _plain(summary, MAX_SUMMARY, is_html=_is_html(detail))


def parse_feed(data: bytes, url: str, headers: Mapping[str, str] | None = None) -> ParsedFeed:
    """Parse feed bytes fetched from `url` (`headers`: the response's, for the charset).

    Raises ValueError when the document is not a feed (an HTML page, garbage, empty).
    """
    response_headers = {k.lower(): v for k, v in (headers or {}).items()}
    response_headers["content-location"] = url  # the base for relative links
    response_headers.setdefault("content-type", "application/xml")
    parsed = feedparser.parse(
        io.BytesIO(data),
        response_headers=response_headers,
        resolve_relative_uris=True,
        sanitize_html=True,
    )
    bozo: str | None = None
    if parsed.get("bozo"):
        exception = parsed.get("bozo_exception")
        bozo = (str(exception) or type(exception).__name__) if exception else "malformed feed"
    raw_entries = parsed.get("entries") or []
    if not raw_entries and (bozo or not parsed.get("version")):
        if not data.strip():
            raise ValueError("not a feed: the document is empty")
        head = data[:512].lstrip().lower()
        if head.startswith((b"<!doctype html", b"<html")):
            raise ValueError("not a feed: this is an HTML page (try discover_feeds on it)")
        raise ValueError(f"not a feed: {bozo or 'no RSS, Atom or RDF element found'}")
    info = parsed.get("feed") or {}
    entries: list[FeedEntry] = []
    for raw in raw_entries[:MAX_ENTRIES]:
        link = _entry_link(raw, url)
        if link is None:
            continue
        tags = [
            _collapse(str(tag.get("term") or tag.get("label") or ""), 100)
            for tag in raw.get("tags") or []
        ]
        entries.append(
            FeedEntry(
                url=link,
                title=_plain(
                    raw.get("title"), MAX_TITLE, is_html=_is_html(raw.get("title_detail"))
                ),
                summary=_entry_summary(raw),
                published=_iso(raw.get("published_parsed") or raw.get("updated_parsed")),
                # dict.get: feedparser's own get() answers `published` for a missing `updated`.
                updated=_iso(dict.get(raw, "updated_parsed")),
                author=_author(raw.get("author")),
                tags=[tag for tag in tags if tag],
                id=(clean_text(str(raw["id"]))[:2_000] if raw.get("id") else None),
            )
        )
    return ParsedFeed(
        title=_plain(info.get("title"), MAX_TITLE, is_html=_is_html(info.get("title_detail"))),
        link=_http_url(info.get("link"), url),
        entries=entries,
        bozo=bozo,
    )


# --------------------------------------------------------------------------- discovery

_FEED_TYPES = (
    "application/rss+xml",
    "application/atom+xml",
    "application/rdf+xml",
    "application/feed+json",
    "application/x.atom+xml",
)
_FEED_HREF = re.compile(
    r"(?:/feed/?|/rss/?|/atom/?|\.rss|\.atom|/(?:feed|rss|atom|index|rss2)\.xml|[?&]feed=rss2?)$",
    re.IGNORECASE,
)


def discover_feeds(html: bytes, base_url: str) -> list[str]:
    """Feed URLs a page advertises: <link rel=alternate> of a feed type, absolute, in page
    order, without duplicates; when it has none, anchors that look like feed links."""
    if not html.strip():
        return []
    try:
        root = _lxml_html.document_fromstring(html, parser=_html_parser())
    except (_lxml_etree.ParserError, ValueError):
        return []
    base = base_url
    for element in root.iter("base"):
        href = _http_url(element.get("href"), base_url)
        if href:
            base = href
        break
    found: list[str] = []

    def add(href: Any) -> None:
        url = _http_url(href, base)
        if url and url not in found:
            found.append(url)

    for link in root.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").lower().split(";")[0].strip()
        if "alternate" in rel and kind in _FEED_TYPES:
            add(link.get("href"))
    if found:
        return found
    for anchor in root.iter("a"):
        href = (anchor.get("href") or "").strip()
        if href and _FEED_HREF.search(href.split("#")[0]):
            add(href)
    return found


# --------------------------------------------------------------------------- filtering


def good_enough(entry: FeedEntry) -> bool:
    """Whether the entry carries a title and a real summary, so its page need not be fetched."""
    if not entry.title or not entry.summary:
        return False
    summary = entry.summary.strip()
    return len(summary) >= GOOD_SUMMARY and summary.casefold() != entry.title.casefold()


def _fold(text: str) -> str:
    """Case- and accent-insensitive form: "Éric" and "eric" compare equal."""
    return unaccented(text.casefold())


_TERM = re.compile(r'(-?)"([^"]*)"|(-?)(\S+)')


def matches(entry: FeedEntry, words: str | None) -> bool:
    """The per-feed keyword filter over title, summary and tags.

    `words` holds terms: a word, a "quoted phrase", or either prefixed with - to exclude.
    True when no excluded term occurs and, if any included term is given, at least one does.
    Matching is whole-word, ignoring case and accents. Empty `words` matches everything.
    """
    if not words or not words.strip():
        return True
    haystack = _fold(" ".join([entry.title or "", entry.summary or "", " ".join(entry.tags)]))
    include: list[str] = []
    exclude: list[str] = []
    for match in _TERM.finditer(words):
        negative = bool(match.group(1) or match.group(3))
        term = match.group(2) if match.group(2) is not None else match.group(4)
        words_in_term = _fold(term).split()
        if not words_in_term:
            continue
        (exclude if negative else include).append(r"\s+".join(map(re.escape, words_in_term)))

    def found(pattern: str) -> bool:
        return re.search(rf"(?<!\w){pattern}(?!\w)", haystack) is not None

    if any(found(p) for p in exclude):
        return False
    return not include or any(found(p) for p in include)


# --------------------------------------------------------------------------- OPML


_OUTLINE_WITH_URL = re.compile(rb"<outline\s[^>]*?\bxmlurl\s*=", re.IGNORECASE)
_XML_COMMENT = re.compile(rb"<!--.*?(?:-->|$)", re.DOTALL)


def parse_opml(
    data: bytes, problems: list[tuple[int, str]] | None = None
) -> list[dict[str, str | None]]:
    """Feeds listed in an OPML file: [{"url", "title", "site_url"}], in document order.

    Outlines without an http(s) xmlUrl are skipped; those whose xmlUrl is of another kind,
    and any feed outline the parser could not read, are told in `problems` as (line, why).
    Raises ValueError if it is not OPML.
    """
    # huge_tree: libxml2's default limits (256 levels of folders, 10 MB of text in a node)
    # would end the document early without an error under recover=True. The file's size is
    # capped by the caller; entities are never expanded.
    parser = _lxml_etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=True, recover=True
    )
    try:
        root = _lxml_etree.fromstring(data, parser)
    except (_lxml_etree.XMLSyntaxError, ValueError) as exc:
        raise ValueError(f"not an OPML file: {exc}") from None
    if root is None or not isinstance(root.tag, str) or root.tag.lower() != "opml":
        raise ValueError("not an OPML file: no <opml> root element")
    feeds: list[dict[str, str | None]] = []
    seen: set[str] = set()
    read = 0
    last_line = 0
    for outline in root.iter("outline"):
        attrs = {str(k).lower(): v for k, v in outline.attrib.items()}
        last_line = outline.sourceline or last_line
        if "xmlurl" not in attrs:
            continue  # a folder
        read += 1
        url = _http_url(attrs.get("xmlurl"), "")
        if url is None:
            if problems is not None and (attrs.get("xmlurl") or "").strip():
                problems.append((last_line, f"not an http(s) URL: {attrs['xmlurl'][:80]}"))
            continue
        if url in seen:
            continue
        seen.add(url)
        feeds.append(
            {
                "url": url,
                # OPML attributes are plain text, not HTML: "<tags>" in a title is literal.
                "title": _collapse(attrs.get("title") or attrs.get("text"), MAX_TITLE),
                "site_url": _http_url(attrs.get("htmlurl"), ""),
            }
        )
    if problems is not None:
        written = len(_OUTLINE_WITH_URL.findall(_XML_COMMENT.sub(b"", data)))
        if written > read:
            problems.append(
                (last_line, f"{written - read} feed(s) after this line could not be read")
            )
    return feeds


def export_opml(feeds: Sequence[Mapping[str, Any]], title: str = "revue feeds") -> str:
    """An OPML 2.0 document listing `feeds` (mappings with url, title, site_url).

    Only http(s) URLs are written; everything is XML-escaped by the serializer.
    """
    opml = ET.Element("opml", version="2.0")
    head = ET.SubElement(opml, "head")
    ET.SubElement(head, "title").text = _xml_safe(title)
    body = ET.SubElement(opml, "body")
    for feed in feeds:
        url = _http_url(feed.get("url"), "")
        if url is None:
            continue
        name = _xml_safe(str(feed.get("title") or url))
        outline = ET.SubElement(body, "outline", type="rss", text=name, title=name, xmlUrl=url)
        site = _http_url(feed.get("site_url"), "")
        if site:
            outline.set("htmlUrl", site)
    ET.indent(opml)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(opml, "unicode") + "\n"


def _xml_safe(text: str) -> str:
    """Drop the control characters XML 1.0 cannot hold at all (escaping cannot save them)."""
    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", text)
