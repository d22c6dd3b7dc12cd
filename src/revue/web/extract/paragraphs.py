"""The first real paragraph of a page, for a summary when the page declares none:
inside `<article>`/`<main>` when present; navigation, cookie banners, captions, newsletter
boxes and bylines skipped."""

from __future__ import annotations

import re
from typing import Any

from revue.web.extract.head import parse_html
from revue.web.extract.text import BODY_PARSE_CAP, clean, cut_sentence

_SKIP_TAGS = {"nav", "header", "footer", "aside", "figure", "figcaption", "form", "noscript",
              "script", "style", "button", "select", "label", "blockquote", "template"}  # fmt: skip
# Whole words where a longer word holds them: "ad-" is in "lead-text", "thread-", "upload-";
# "meta" in "metadata", "nav" in "canvas".
_SKIP_ATTR_RE = re.compile(
    r"cookie|consent|gdpr|banner|subscri|newsletter|promo(?!ted)|caption|credit|related|share|"
    r"social|footer|header|\bnav|menu|sidebar|breadcrumb|comment|advert|\bad\b|\bad-|paywall|"
    r"modal|popup|alert|disclaimer|byline|author|\bmeta\b|signup|login|tooltip|toolbar|legal",
    re.IGNORECASE,
)
# An article's own header holds its standfirst: not the site's.
_SITE_HEADER_RE = re.compile(r"site|page-header|masthead|global|top", re.IGNORECASE)
_OWN_HEADER_RE = re.compile(r"entry|post|article|node|story|content", re.IGNORECASE)
# Inline tags: a `<div>` holding only these and text is a paragraph written without `<p>`.
_INLINE = {"a", "b", "strong", "i", "em", "span", "br", "small", "mark", "abbr", "sup", "sub",
           "u", "q", "cite", "time"}  # fmt: skip
_BOILER_TEXT_RE = re.compile(
    r"\bcookies?\b|javascript|your browser|sign up|subscribe|abonnez|newsletter|log ?in|"
    r"connectez|all rights reserved|tous droits|©|copyright",
    re.IGNORECASE,
)


def _own_header(node: Any, attrs: str, in_article: bool) -> bool:
    """Is `node` the article's own header (its title and standfirst), not the site's?"""
    if _SITE_HEADER_RE.search(attrs):
        return False
    if node.tag == "header":
        return in_article or bool(_OWN_HEADER_RE.search(attrs))
    # "article-header", "entry-header": own, unless another of its marks is skipped.
    rest = " ".join(word for word in attrs.split() if "header" not in word.lower())
    return bool(_OWN_HEADER_RE.search(attrs)) and not _SKIP_ATTR_RE.search(rest)


def _skipped(el: Any, stop: Any, in_article: bool = False) -> bool:
    node = el
    while node is not None and node is not stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        attrs = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('role') or ''}"
        if (tag == "header" or "header" in attrs.lower()) and _own_header(node, attrs, in_article):
            node = node.getparent()
            continue
        if tag in _SKIP_TAGS:
            return True
        if attrs.strip() and _SKIP_ATTR_RE.search(attrs):
            return True
        if node.get("hidden") is not None or node.get("aria-hidden") == "true":
            return True
        node = node.getparent()
    return False


def first_paragraph(root: Any) -> str | None:
    scopes = [el for el in root.iter("article", "main") if isinstance(el.tag, str)]
    scopes.append(root)
    for scope in scopes[:4]:
        in_article = scope is not root
        for p in scope.iter("p", "div"):
            if p.tag == "div" and (
                not (p.text or "").strip()
                or any(not isinstance(c.tag, str) or c.tag not in _INLINE for c in p)
            ):
                continue  # a block of blocks, not a paragraph written without <p>
            try:
                text = clean(p.text_content())
            except ValueError:
                continue
            if not text or len(text) < 80 or len(text.split()) < 12:
                continue
            if _BOILER_TEXT_RE.search(text[:200]) and len(text) < 400:
                continue
            if _skipped(p, scope.getparent(), in_article):
                continue
            return cut_sentence(text)
    return None


_CONTENT_START_RE = re.compile(
    r"<(?:article|main)[\s>]|<[^>]+\bid=[\"'](?:content|main|bodyContent)"
)


def first_paragraph_in(rest: str, root: Any) -> str | None:
    """The first real paragraph of the body, parsing only a window of it."""
    if root is None:
        m = _CONTENT_START_RE.search(rest, 0, BODY_PARSE_CAP)
        start = m.start() if m else 0
        # A headline above the article (a hero block) may carry the standfirst.
        h1 = rest.find("<h1", 0, start)
        start = h1 if h1 >= 0 else start
        root = parse_html("<html><body>" + rest[start : start + 150_000])
        if root is None:
            return None
    return first_paragraph(root)
