"""One item as a social post, `Title URL via @handle = comment #hashtags`, within a platform's limit.

Pure: no I/O. Each platform counts as its server does:

- mastodon: 500 grapheme clusters; every URL counts 23, a mention `@user@server` counts as
  `@user` (Mastodon's StatusLengthValidator).
- bluesky: 300 grapheme clusters (and at most 3,000 UTF-8 bytes), the URL counted in full:
  that is the text the post record holds, whatever the app shows.
- x: 280 in twitter-text's weighted count: the text in NFC, every URL 23, an emoji (a whole
  sequence: ZWJ family, flag, skin tone, keycap) 2, any other character 1 in the Latin,
  Greek, Cyrillic, Hebrew, Arabic, ... ranges (U+0000-U+10FF, general punctuation) and 2
  elsewhere (CJK, ...).

Grapheme clusters are Unicode's extended grapheme clusters (UAX #29), from the `regex`
module's `\\X`: `e` + a combining acute is one, a family emoji joined by ZWJ is one, a flag
is one.

Too long, the comment is shortened first, then the title, each at a grapheme boundary (at a
word's end when one is near) with an ellipsis; then hashtags are dropped, the config's
generic ones before the item's own. A post on X, Bluesky or Mastodon is shared the other way
round: the curator's words and tags first, then `via RT@handle`, the post's text quoted and
its URL; there the quoted text is shortened first. The URL and the handle are never cut: a
post that cannot fit them raises BadInput.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

import regex

from revue.errors import BadInput
from revue.models import Item, ReviewDoc, note_body
from revue.review.markup import markdown_to_html, one_line

ELLIPSIS = "…"
URL_WEIGHT = 23
# twitter-text v3: code points weighing 1 (weight 100 of a scale of 100); all others 2.
_X_LIGHT = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))
_GRAPHEME = regex.compile(r"\X")
_EMOJI = regex.compile(r"\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20e3|\ufe0f")
_MENTION = re.compile(r"(?<![\w@])(@\w+)@[\w.-]+\w")
_TAGS = re.compile(r"<[^>]*>")
# A cut this close to a word's end moves back to it.
_WORD_SLACK = 15


@dataclass(frozen=True, slots=True)
class Platform:
    name: str
    limit: int
    unit: str  # what the limit counts, as the message says it
    count: Callable[[str, tuple[str, ...]], int]  # (text, the URLs in it) -> length
    max_bytes: int | None = None


def graphemes(text: str) -> list[str]:
    """The text's extended grapheme clusters (what a reader sees as one character)."""
    return list(_GRAPHEME.findall(text))


def _without_urls(text: str, urls: tuple[str, ...]) -> tuple[str, int]:
    """The text with each URL cut out and how many there were."""
    found = 0
    for url in sorted(set(urls), key=len, reverse=True):
        n = text.count(url)
        if n:
            found += n
            text = text.replace(url, "\x00")
    return text, found


def mastodon_length(text: str, urls: tuple[str, ...] = ()) -> int:
    rest, n = _without_urls(text, urls)
    rest = _MENTION.sub(r"\1", rest)
    return len(graphemes(rest.replace("\x00", ""))) + URL_WEIGHT * n


def bluesky_length(text: str, urls: tuple[str, ...] = ()) -> int:
    return len(graphemes(text))


def _x_weight(cluster: str) -> int:
    if _EMOJI.search(cluster):
        return 2
    return sum(1 if any(lo <= ord(c) <= hi for lo, hi in _X_LIGHT) else 2 for c in cluster)


def x_length(text: str, urls: tuple[str, ...] = ()) -> int:
    rest, n = _without_urls(unicodedata.normalize("NFC", text), urls)
    return sum(_x_weight(g) for g in graphemes(rest.replace("\x00", ""))) + URL_WEIGHT * n


PLATFORMS = {
    "mastodon": Platform("mastodon", 500, "characters", mastodon_length),
    "bluesky": Platform("bluesky", 300, "graphemes", bluesky_length, max_bytes=3000),
    "x": Platform("x", 280, "characters", x_length),
}


@dataclass(frozen=True, slots=True)
class Post:
    """The parts of a social post about one link."""

    title: str
    url: str
    via: str = ""  # "@handle" or a name; "RT@handle" for a social post
    comment: str = ""
    hashtags: tuple[str, ...] = ()
    generic: frozenset[str] = frozenset()  # of `hashtags`, the config's: dropped first
    quote: str = ""  # a social post's text, quoted after the curator's words
    social: bool = False
    lang: str = "fr"

    def text(self) -> str:
        tags = " ".join("#" + tag for tag in self.hashtags)
        via = f"via {self.via}" if self.via else ""
        if self.social:
            quoted = ""
            if self.quote:
                quoted = f"« {self.quote} »" if self.lang == "fr" else f"“{self.quote}”"
            parts: tuple[str, ...] = (self.comment, tags, via, quoted, self.url)
        else:
            comment = f"= {self.comment}" if self.comment else ""
            parts = (self.title, self.url, via, comment, tags)
        return " ".join(part for part in parts if part)


def note_text(note: str | None) -> str:
    """The curator's Markdown note as plain text on one line, its leading '=' removed."""
    note = note_body(note)
    rendered = markdown_to_html(note, inline=True)
    return one_line(html.unescape(_TAGS.sub("", str(rendered))))


def post_for(item: Item, default_hashtags: list[str], lang: str = "fr") -> Post:
    """The item as the classic style writes it (same title, handle and hashtags as a review).
    Raises BadInput for a text block or a link that is not http(s)."""
    import datetime as dt

    from revue.review.render import template_context

    if item.kind == "text":
        raise BadInput(f"#{item.id} is a text block, not a link: nothing to share")
    day = dt.date(2000, 1, 1)  # the context's dates play no part in one item's line
    doc = ReviewDoc(
        title="", start=day, end=day, lang=lang, items=[item], default_hashtags=default_hashtags
    )
    entry = template_context(doc)["items"][0]
    if not entry["url_safe"]:
        raise BadInput(f"#{item.id}: {item.url!r} is not an http(s) link")
    hashtags = tuple(entry["hashtags"])
    own = {tag.casefold() for tag in entry["own_hashtags"]}
    generic = frozenset(tag for tag in hashtags if tag.casefold() not in own)
    if entry["is_social"]:
        # As the review shows it: "via RT@handle", the post's text as a quote.
        return Post(
            title="",
            url=entry["url_safe"],
            via=entry["label"].removeprefix("via ").strip(),
            comment=note_text(item.note),
            hashtags=hashtags,
            generic=generic,
            quote=one_line(" ".join(entry["quote_paragraphs"])),
            social=True,
            lang=lang,
        )
    return Post(
        title=entry["title_text"],
        url=entry["url_safe"],
        via=entry["via_text"],
        comment=note_text(item.note),
        hashtags=hashtags,
        generic=generic,
    )


def fits(post: Post, platform: Platform) -> bool:
    text = post.text()
    if platform.max_bytes is not None and len(text.encode("utf-8")) > platform.max_bytes:
        return False
    return platform.count(text, (post.url,)) <= platform.limit


def length(post: Post, platform: Platform) -> int:
    return platform.count(post.text(), (post.url,))


def shorten(text: str, keep: int) -> str:
    """The first `keep` graphemes of `text` and an ellipsis (a word's end when one is near);
    "" when keep is 0, `text` itself when it has no more than `keep`."""
    parts = graphemes(text)
    if keep >= len(parts):
        return text
    if keep <= 0:
        return ""
    head = parts[:keep]
    if not parts[keep].isspace():
        for back in range(1, min(_WORD_SLACK, keep - 1) + 1):
            if head[keep - back].isspace():
                head = head[: keep - back]
                break
    cut = "".join(head).rstrip(" \t,;:-–—")
    return cut + ELLIPSIS if cut else ELLIPSIS


def _longest(make: Callable[[int], Post], total: int, platform: Platform) -> Post | None:
    """The post with the most graphemes kept (1..total-1) that fits, by binary search."""
    lo, hi, best = 1, total - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        post = make(mid)
        if fits(post, platform):
            best, lo = post, mid + 1
        else:
            hi = mid - 1
    return best


def fit(post: Post, platform: Platform) -> Post:
    """`post` made to fit the platform: the comment shortened, then the title, then hashtags
    dropped from the end. Raises BadInput when the URL and handle alone do not fit."""
    if fits(post, platform):
        return post
    if post.social:
        # The curator's words and tags matter more than the text they comment on.
        quote = graphemes(post.quote)
        if quote:
            best = _longest(
                lambda k: _with(post, quote=shorten(post.quote, k)), len(quote), platform
            )
            if best is not None:
                return best
            post = _with(post, quote="")
        post = _drop_tags(post, platform, only_generic=True)
        if fits(post, platform):
            return post
    comment = graphemes(post.comment)
    if comment:
        best = _longest(
            lambda k: _with(post, comment=shorten(post.comment, k)), len(comment), platform
        )
        if best is not None:
            return best
        post = _with(post, comment="")
        if fits(post, platform):
            return post
    title = graphemes(post.title)
    if title:
        best = _longest(lambda k: _with(post, title=shorten(post.title, k)), len(title), platform)
        if best is not None:
            return best
        post = _with(post, title="")
    post = _drop_tags(post, platform, only_generic=False)
    if not fits(post, platform):
        raise BadInput(
            f"the link and its handle alone are longer than {platform.name}'s "
            f"{platform.limit} {platform.unit} ({length(post, platform)})"
        )
    return post


def _drop_tags(post: Post, platform: Platform, *, only_generic: bool) -> Post:
    """Hashtags dropped from the end until the post fits: the config's generic ones first
    (`#Analyweb` says less about a link than its own `#TikTok`), then, unless
    `only_generic`, the item's own."""
    for generic_pass in (True, False):
        if not generic_pass and only_generic:
            break
        while not fits(post, platform):
            droppable = [
                i for i, tag in enumerate(post.hashtags) if not generic_pass or tag in post.generic
            ]
            if not droppable:
                break
            at = droppable[-1]
            post = _with(post, hashtags=post.hashtags[:at] + post.hashtags[at + 1 :])
    return post


def _with(post: Post, **changes: object) -> Post:
    from dataclasses import replace

    return replace(post, **changes)  # type: ignore[arg-type]
