"""What the `<head>` (and metas misplaced in the body) declare: metas by every
name/property/itemprop/http-equiv, links by rel, `<title>`, `<html lang>`, `<base>`; and the
values read from them: canonical URL, meta refresh, oEmbed link, Twitter handle."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import lxml.html
from lxml import etree

from revue.urls import is_home
from revue.web.extract.tags import BYLINE_RE, finds, tag_at, tag_attrs
from revue.web.extract.text import abs_url, clean


class Facts:
    """What the parsed part(s) of a page declare: metas, links, title, lang, base."""

    def __init__(self) -> None:
        self.meta: dict[str, str] = {}  # lower-cased name/property/itemprop -> first value
        self.more: dict[str, list[str]] = {}  # the same key's later values (several authors)
        self.links: dict[str, list[tuple[str, str, str]]] = {}  # rel -> [(href, type, title)]
        self.title: str | None = None
        self.lang: str | None = None
        self.base: str | None = None

    def add_meta(self, key: str, value: str) -> None:
        key = key.strip().lower()
        if key and value.strip():
            if key not in self.meta:
                self.meta[key] = value
            elif len(self.more.setdefault(key, [])) < 8:
                self.more[key].append(value)

    def collect(self, root: Any) -> None:
        for el in root.iter("meta", "link", "title", "html", "base"):
            tag = el.tag
            if tag == "meta":
                content = el.get("content")
                if content is None:
                    content = el.get("value")
                charset_only = content is None
                if charset_only:
                    continue
                for attr in ("property", "name", "itemprop", "http-equiv"):
                    key = el.get(attr)
                    if key:
                        for part in key.split():
                            if part.lower() == "refresh" and _in_noscript(el):
                                continue  # sends no-JS browsers to an error page
                            self.add_meta(part, content)
            elif tag == "link":
                href = el.get("href")
                rel = el.get("rel")
                if href and rel:
                    for part in rel.lower().split():
                        self.links.setdefault(part, []).append(
                            (href, (el.get("type") or "").lower(), el.get("title") or "")
                        )
            elif tag == "title":
                if self.title is None:
                    self.title = el.text_content()
            elif tag == "html":
                if self.lang is None:
                    self.lang = el.get("lang") or el.get("xml:lang")
            elif tag == "base" and self.base is None:
                self.base = el.get("href")

    def first(self, *keys: str) -> str | None:
        for key in keys:
            value = clean(self.meta.get(key))
            if value:
                return value
        return None


def parse_html(fragment: str) -> Any:
    """An lxml root for a (possibly partial) HTML text, or None."""
    if not fragment.strip():
        return None
    # huge_tree: without it libxml2 stops at 256 levels of nesting and drops the rest of the
    # page without an error (its summary paragraph, a <meta> after unclosed <span>s).
    # Size is bounded by the fetch's byte cap; a fresh parser per call is thread-safe.
    try:
        return lxml.html.document_fromstring(fragment, parser=_html_parser())
    except (etree.ParserError, ValueError, TypeError):
        try:
            return lxml.html.document_fromstring(
                fragment.encode("utf-8", "replace"), parser=_html_parser()
            )
        except Exception:
            return None


def _html_parser() -> Any:
    return lxml.html.HTMLParser(huge_tree=True)


_HEAD_END_RE = re.compile(r"</head\s*>|<body[\s>]", re.IGNORECASE)


def split_head(text: str) -> tuple[str, str]:
    """(head part, rest) at the first `</head>` (or `<body>`). Without either, all head."""
    m = _HEAD_END_RE.search(text, 0, 3_000_000)
    if not m:
        return text, ""
    return text[: m.start()], text[m.start() :]


_HANDLE_URL_RE = re.compile(
    r"^(?:https?://)?(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:#!/)?@?([^/?#\s]+)", re.I
)


def handle_from(value: str | None) -> str | None:
    if not value:
        return None
    text = value.strip()
    m = _HANDLE_URL_RE.match(text)
    if m:
        text = m.group(1)
    text = text.lstrip("@").strip()
    if not re.fullmatch(r"[A-Za-z0-9_]{1,30}", text):
        return None
    if text.isdigit():  # twitter:site:id spelled into twitter:site
        return None
    return "@" + text


def declared_url(candidates: Iterable[str], base: str) -> str | None:
    """The first of a page's declared addresses that is http(s) and not a stray home page."""
    fetched_home = is_home(base) if base else True
    for raw in candidates:
        url = abs_url(raw, base)
        if url is None:
            continue
        # A canonical to a home page (another site's, or ours when we are not on it) is a
        # CMS bug or a syndication redirect; trusting it would merge unrelated items.
        if is_home(url) and not fetched_home:
            continue
        return url
    return None


_REFRESH_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)?\s*[;,]?\s*(?:url\s*=\s*)?(['\"]?)(.+?)\2\s*$", re.I)
# A refresh in the body counts too (browsers follow it), in the first 64 KB.
REFRESH_SCAN_CHARS = 65_536
_NOSCRIPT_RE = re.compile(r"<noscript\b.*?(?:</noscript\s*>|$)|<!--.*?(?:-->|$)", re.I | re.S)


def refresh_target(content: str | None) -> str | None:
    """The address of a `<meta http-equiv=refresh>` content when it names one and waits under
    a minute ("0; URL='/x'", "5;https://a/b"); None for a plain reload timer."""
    if not content:
        return None
    if "url" not in content.lower() and ";" not in content:
        return None
    m = _REFRESH_RE.match(content)
    if not m or not m.group(3):
        return None
    if m.group(1) and float(m.group(1)) > 60:
        return None
    return m.group(3).strip()


def body_refresh(rest: str) -> str | None:
    """The content of a `<meta http-equiv=refresh>` in the start of the body, if any."""
    window = rest[:REFRESH_SCAN_CHARS]
    if "efresh" not in window:
        return None
    window = _NOSCRIPT_RE.sub("", window)
    for i in finds(window, "<meta", 200):
        tag = tag_at(window, i + 1)
        if tag is None:
            continue
        attrs = tag_attrs(tag[1])
        if attrs.get("http-equiv", "").strip().lower() == "refresh":
            return attrs.get("content")
    return None


def _in_noscript(el: Any) -> bool:
    node = el.getparent()
    while node is not None:
        if node.tag == "noscript":
            return True
        node = node.getparent()
    return False


def oembed_link(facts: Facts) -> str | None:
    """The href of `<link rel=alternate type=application/json+oembed>`, as written."""
    for rel in ("alternate", "alternative"):
        for href, typ, _ in facts.links.get(rel, []):
            if "json+oembed" in typ:
                return href
    return None


DESCRIPTION_KEYS = (
    "og:description", "twitter:description", "description", "dc.description",
    "dcterms.description", "dc.description.abstract", "sailthru.description",
    "parsely-description", "abstract", "summary",
)  # fmt: skip
AUTHOR_KEYS = ("author", "article:author", "parsely-author", "sailthru.author", "byl",
                "dc.creator", "dcterms.creator", "citation_author", "cxenseparse:author",
                "og:article:author", "book:author")  # fmt: skip
DATE_KEYS = ("article:published_time", "og:article:published_time", "parsely-pub-date",
              "sailthru.date", "dc.date.issued", "dc.date", "dcterms.created",
              "dcterms.issued", "dcterms.date", "citation_publication_date",
              "citation_date", "date", "pubdate", "publish-date", "publish_date",
              "publishdate", "article.published", "datepublished", "article_date_original",
              "cxenseparse:recs:publishtime", "og:published_time", "release_date",
              "video:release_date")  # fmt: skip
# Declared updates. Not og:updated_time nor http-equiv last-modified: those change with every
# cache refresh or comment, not with the article.
MODIFIED_KEYS = ("article:modified_time", "og:modified_time", "datemodified",
                  "dcterms.modified", "dc.date.modified")  # fmt: skip


def name_meta(value: str | None) -> str | None:
    """A name from a meta that should hold one (publisher): not a URL, not a sentence."""
    if not value or value.startswith(("http://", "https://", "/")) or len(value) > 60:
        return None
    return value


def author_from_meta(facts: Facts) -> str | list[str] | None:
    """The first author meta that names someone; several when the meta is repeated."""
    for key in AUTHOR_KEYS:
        names = []
        for raw in (facts.meta.get(key), *facts.more.get(key, ())):
            value = clean(raw)
            if not value or value.startswith(("http://", "https://", "@")):
                continue
            value = BYLINE_RE.sub("", value).strip(" ,;:|-–—·")
            if value and len(value) <= 120 and value not in names:
                names.append(value)
        if names:
            return names if len(names) > 1 else names[0]
    return None
