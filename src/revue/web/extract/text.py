"""Text and URL helpers every source uses: plain one-line text, cuts at a word or a
sentence, absolute http(s) URLs, a host's registrable name; the size limits of extraction."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from revue.models import PageMeta
from revue.sanitize import clean_text
from revue.urls import normalize_escapes

# Pages larger than this are cut before decoding: metadata is never that deep.
MAX_BYTES = 5_000_000
# The body is parsed only up to this many characters after </head>.
BODY_PARSE_CAP = 400_000
TITLE_MAX = 300
SUMMARY_TARGET = 300
DESCRIPTION_MAX = 1000

_WS_RE = re.compile(r"\s+")
TAG_RE = re.compile(r"</?[a-zA-Z][^<>]*>")
CTRL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u200b\u200e\u200f\ufeff]")
_ENTITY_RE = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|[a-zA-Z][a-zA-Z0-9]{1,31});")


def clean(value: Any, *, markup: bool = False) -> str | None:
    """Plain, single-line text: entities decoded (twice-encoded too), control characters
    removed, whitespace collapsed. None when nothing is left.

    What entities decode to is text, never markup: `Why &lt;script&gt; tags break` keeps
    its "<script>". Attribute values and a `<title>`'s text are text already (lxml read
    their markup); `markup=True` is for a value that is HTML source (JSON-LD strings, which
    CMSs fill with `<p>` and `<br>`): its tags are removed before entities are decoded.
    """
    if not isinstance(value, str):
        return None
    text = value
    if markup and "<" in text:
        text = TAG_RE.sub(" ", text)
    for _ in range(2):
        if "&" in text and _ENTITY_RE.search(text):
            text = html.unescape(text)
    text = CTRL_RE.sub("", text)
    text = _WS_RE.sub(" ", text).strip()
    return text or None


def cut_words(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


_SENTENCE_END_RE = re.compile(r"[.!?…»”\"')\]]\s")


def cut_sentence(text: str, target: int = SUMMARY_TARGET) -> str:
    """Cut near `target` chars at a sentence end when there is one, else at a word."""
    if len(text) <= target + target // 3:
        return text
    best = -1
    for m in _SENTENCE_END_RE.finditer(text, 0, target + target // 3):
        if m.start() + 1 >= target // 2:
            best = m.start() + 1
            if best >= target:
                break
    if best > 0:
        return text[:best].strip()
    return cut_words(text, target)


def norm_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def host_of(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def abs_url(value: Any, base: str) -> str | None:
    """An absolute http(s) URL, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if not value or value.startswith(("data:", "javascript:", "#")):
        return None
    value = CTRL_RE.sub("", value).replace(" ", "%20")
    try:
        url: str = urljoin(base, value) if base else value
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return normalize_escapes(url)


# Second-level labels under which a country code sits (co.uk, com.au, gouv.qc.ca...).
_SLD = {"co", "com", "net", "org", "gov", "gouv", "ac", "edu", "ne", "or", "qc", "on"}


def domain_label(url: str) -> str:
    """The registrable name of a host: "www.lapresse.ca" -> "lapresse"."""
    host = host_of(url)
    labels = [x for x in host.split(".") if x]
    if len(labels) < 2:
        return labels[0] if labels else ""
    i = len(labels) - 2
    while i > 0 and labels[i] in _SLD and len(labels[-1]) == 2:
        i -= 1
    return labels[i]


_ONE_LINE_FIELDS = ("title", "summary", "site_name", "via", "author", "lang", "blocked")


def finish_meta(meta: PageMeta) -> PageMeta:
    """Every text field as valid Unicode without control or bidi characters (sanitize.py):
    what a page says enters revue here, whatever path through the extractor it took."""
    for name in PageMeta.__slots__:
        value = getattr(meta, name)
        if isinstance(value, str):
            value = clean_text(value, keep_bidi=False)
            if name in _ONE_LINE_FIELDS:
                value = " ".join(value.split())
            setattr(meta, name, value or None)
    return meta
