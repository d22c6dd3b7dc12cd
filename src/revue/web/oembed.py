"""oEmbed: which provider answers for a social post (read from `urls`' table of social
URL patterns), the request asked of it, and what its answer says about the post."""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any
from urllib.parse import urlencode, urlsplit

from revue import urls
from revue.models import PageMeta

# Provider name -> oEmbed endpoint. "{origin}" is replaced by the post's scheme://host, for
# providers that live on many hosts (Mastodon instances all serve /api/oembed).
DEFAULT_OEMBED_ENDPOINTS: Mapping[str, str] = MappingProxyType(
    {
        "twitter": "https://publish.twitter.com/oembed",
        "youtube": "https://www.youtube.com/oembed",
        "vimeo": "https://vimeo.com/api/oembed.json",
        "bluesky": "https://embed.bsky.app/oembed",
        "mastodon": "{origin}/api/oembed",
    }
)

OEMBED_MAX_BYTES = 256_000


def social_provider(url: str, endpoints: Mapping[str, str] | None = None) -> str | None:
    """The oEmbed provider of a social post URL: a key of `endpoints` or a provider name.

    Host-pattern keys of `endpoints` (those with a dot or a colon) win over the built-in
    rules, so a config (or a test) can route any host to an oEmbed endpoint.
    """
    try:
        parts = urlsplit(url)
        netloc = parts.netloc.lower()
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    for key in endpoints or ():
        if "." in key or ":" in key:
            pattern = key.lower()
            if netloc == pattern or host == pattern or host.endswith("." + pattern):
                return key
    post = urls.social(url)  # X, Bluesky, Mastodon, YouTube, Vimeo: the table urls.py keeps
    if post is not None:
        return post.platform
    return urls.video(url)


def request_url(endpoint: str, page_url: str) -> str:
    """What to ask `endpoint` about the post at `page_url`."""
    post = urls.social(page_url)
    if post is not None:
        page_url = post.url  # the form the platform knows (x.com, not a mirror's address)
    parts = urlsplit(page_url)
    endpoint = endpoint.replace("{origin}", f"{parts.scheme}://{parts.netloc}")
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + urlencode({"url": page_url, "format": "json"})


# --- what an answer says about the post ---------------------------------------------------

# Whitespace runs made one space; no-break spaces stay (French puts them before "?").
_RUNS = re.compile(r"[^\S\u00a0\u202f]+")
MAX_POST_TEXT = 5000  # a long post on Mastodon or Bluesky, whole; more is not a post


def _post_text(html: str) -> str | None:
    """The text of a social post's embed HTML (its first <p>): <br> as line breaks, the
    attached media's link (pic.twitter.com/…) left out; None when there is no text."""
    from bs4 import BeautifulSoup, Comment, NavigableString, Tag  # only for posts: not at start

    soup = BeautifulSoup(html[:20000], "lxml")
    para = soup.find("p")
    if not isinstance(para, Tag):
        return None
    for anchor in para.find_all("a"):
        if anchor.get_text().strip().startswith(("pic.twitter.com/", "pic.x.com/")):
            anchor.decompose()
    # Line breaks are the <br>s; newlines in the HTML source are mere spaces.
    chunks = []
    for node in para.descendants:
        if isinstance(node, NavigableString) and not isinstance(node, Comment):
            chunks.append(_RUNS.sub(" ", str(node)))
        elif getattr(node, "name", None) == "br":
            chunks.append("\n")
    lines = [line.strip() for line in "".join(chunks).split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text or None


# A name (an author, a site) from an oEmbed answer, which may be 200 KB: cut to a name's size.
MAX_OEMBED_NAME = 200


def _oembed_name(value: Any) -> str | None:
    """A name from an oEmbed answer on one line, bounded; None if it is not a non-blank string."""
    if not isinstance(value, str):
        return None
    return " ".join(value[: MAX_OEMBED_NAME * 4].split())[:MAX_OEMBED_NAME].strip() or None


def apply_oembed(meta: PageMeta, data: dict[str, Any]) -> None:
    """Social posts say little without JavaScript: oEmbed's title/text and author win."""
    title = data.get("title")
    text = None
    if not title and isinstance(data.get("html"), str):
        # A post's oEmbed (X, Bluesky) has no title: its text is the embed's first paragraph.
        text = _post_text(data["html"])
        title = text
    if isinstance(title, str) and title.strip():
        meta.title = " ".join(title.split())[:300]
        meta.blocked = None
    if text:
        # The post whole, its line breaks kept: a review quotes it as the real posts do.
        meta.summary = text[:MAX_POST_TEXT]
    author = _oembed_name(data.get("author_name"))
    if author:
        meta.author = author
    provider = _oembed_name(data.get("provider_name"))
    if provider and not meta.site_name:
        meta.site_name = provider
    author_url = data.get("author_url")
    if isinstance(author_url, str) and not meta.via:
        m = re.match(r"https?://(?:www\.)?(?:twitter|x)\.com/(\w{1,15})/?$", author_url)
        if m:
            meta.via = "@" + m.group(1)


def post_addresses(data: dict[str, Any]) -> list[str]:
    """The addresses a social post's oEmbed answer says the post has: for Bluesky, under
    its author's handle then under their DID (`data-bluesky-uri="at://did:…/…/ID"` and the
    `(@handle)` link of the embed). The address alone cannot tell that a handle and a DID
    are one author; this answer does, so both lead to one item. [] for any other post."""
    from bs4 import BeautifulSoup, Tag

    html = data.get("html")
    if not isinstance(html, str) or "data-bluesky-uri" not in html:
        return []
    soup = BeautifulSoup(html[:20000], "lxml")
    quote = soup.find(attrs={"data-bluesky-uri": True})
    uri = quote.get("data-bluesky-uri") if isinstance(quote, Tag) else None
    match = _AT_POST.fullmatch(uri) if isinstance(uri, str) else None
    if match is None:
        return []
    did, post = match.groups()
    found = [f"https://bsky.app/profile/{did}/post/{post}"]
    for anchor in soup.find_all("a"):
        handle = anchor.get_text().strip()
        href = anchor.get("href")
        if (
            isinstance(href, str)
            and href.startswith("https://bsky.app/profile/")
            and _HANDLE.fullmatch(handle)
        ):
            found.insert(0, f"https://bsky.app/profile/{handle[1:]}/post/{post}")
            break
    return [link for link in found if urls.social(link) is not None]


_AT_POST = re.compile(r"at://(did:[a-z0-9]+:[A-Za-z0-9._:%-]+)/app\.bsky\.feed\.post/(\w+)")
_HANDLE = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")
