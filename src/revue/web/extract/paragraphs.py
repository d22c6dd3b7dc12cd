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
_SKIP_ATTR_RE = re.compile(
    r"cookie|consent|gdpr|banner|subscri|newsletter|promo(?!ted)|caption|credit|related|share|"
    r"social|footer|header|nav|menu|sidebar|breadcrumb|comment|advert|\bad\b|ad-|paywall|"
    r"modal|popup|alert|disclaimer|byline|author|meta|signup|login|tooltip|toolbar|legal",
    re.IGNORECASE,
)
_BOILER_TEXT_RE = re.compile(
    r"\bcookies?\b|javascript|your browser|sign up|subscribe|abonnez|newsletter|log ?in|"
    r"connectez|all rights reserved|tous droits|©|copyright",
    re.IGNORECASE,
)


def _skipped(el: Any, stop: Any) -> bool:
    node = el
    while node is not None and node is not stop:
        tag = node.tag if isinstance(node.tag, str) else ""
        if tag in _SKIP_TAGS:
            return True
        attrs = f"{node.get('class') or ''} {node.get('id') or ''} {node.get('role') or ''}"
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
        for p in scope.iter("p"):
            try:
                text = clean(p.text_content())
            except ValueError:
                continue
            if not text or len(text) < 80 or len(text.split()) < 12:
                continue
            if _BOILER_TEXT_RE.search(text[:200]) and len(text) < 400:
                continue
            if _skipped(p, scope.getparent()):
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
        root = parse_html("<html><body>" + rest[start : start + 150_000])
        if root is None:
            return None
    return first_paragraph(root)
