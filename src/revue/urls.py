"""URLs: validate what the curator typed, clean what we store, and key what we deduplicate.

Pure. Invariants:
- `validate(url)` accepts only absolute http(s) URLs with a host; it raises `BadInput` otherwise.
- `clean(url)` is what we store and emit: lower-case scheme and host, the host in its ASCII
  (IDNA) form, no credentials (`user:pass@`), no default port, no fragment, no tracking
  parameters. It keeps the query order (some sites care).
- `normalize_escapes(url)` is how a page's URLs (canonical, image) are printed: one spelling
  of percent-escapes whatever the page wrote.
- `dedup_key(url)` is equal for two URLs of the same story: on top of `clean`, it drops
  `www.`/`m.`/`amp.` host prefixes, AMP path markers, a trailing slash, and sorts the query.
- A post on X, Bluesky or Mastodon (`social`) is cleaned to its platform's current form
  (x.com, no share parameters) and keyed by the post, whatever host or form it came under.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from dataclasses import dataclass
from urllib.parse import (
    parse_qs,
    parse_qsl,
    quote,
    unquote,
    unquote_to_bytes,
    urlencode,
    urlsplit,
    urlunsplit,
)

from revue.errors import BadInput

# Query parameters that identify a campaign or a click, never the page itself. Names that
# some sites use for content ("cid", "partner", "share") are not here: a cleaned link must
# still open the same page.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "li_fat_id",
        "igshid",
        "igsh",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_hsenc",
        "_hsmi",
        "hsctatracking",
        "oly_anon_id",
        "oly_enc_id",
        "rb_clickid",
        "s_cid",
        "vero_conv",
        "vero_id",
        "wickedid",
        "ncid",
        "ocid",
        "cmpid",
        "xtor",
        "at_medium",
        "at_campaign",
        "at_custom1",
        "taid",
        "sr_share",
        "ref_src",
        "ref_url",
        "ref",
        "spm",
        "smid",
        "campaign_id",
        "__twitter_impression",
        "_ga",
        "_gl",
        "feature",
        "si",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "matomo_", "hmb_", "ga_", "trk_", "sc_")

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_PREFIXES = ("www.", "m.", "mobile.", "amp.")
_AMP_PATH = re.compile(r"(/amp)(?=/|$)|(\.amp)(?=\.html?$|$)", re.IGNORECASE)


def is_tracking_param(name: str) -> bool:
    lower = name.lower()
    return lower in TRACKING_PARAMS or lower.startswith(TRACKING_PREFIXES)


_BLANK_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")  # str.isspace() or below U+0020


def validate(url: str) -> str:
    """Return the URL stripped of surrounding space, or raise BadInput naming it."""
    text = url.strip()
    if not text:
        raise BadInput("empty URL")
    if _BLANK_OR_CONTROL.search(text):  # one regex: imports validate millions of URLs
        raise BadInput(f"not a URL (contains spaces or control characters): {url!r}")
    if len(text) > 8192:
        raise BadInput(f"URL too long ({len(text)} characters)")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError as exc:
        raise BadInput(f"not a valid URL: {text!r} ({exc})") from None
    if parts.scheme.lower() not in _DEFAULT_PORTS:
        raise BadInput(f"not an http(s) URL: {text!r}")
    host = parts.hostname or ""
    if not host or ("." not in host and host != "localhost" and not _looks_like_ip(host)):
        raise BadInput(f"not a valid URL (no host): {text!r}")
    del port
    return text


def with_scheme(text: str) -> str:
    """`text`, with `https://` before an address written from its `www.` on (as people copy
    them from print): "www.ledevoir.com/x" -> "https://www.ledevoir.com/x"."""
    return "https://" + text if text[:4].lower() == "www." and len(text) > 4 else text


def _looks_like_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[0-9.]+|\[?[0-9a-fA-F:]+\]?", host))


# A URL that `clean` leaves as it is and whose key is its host (less a www./m. prefix) and
# path: lower-case scheme and host, no port, user, query or fragment, a path of characters
# that need no escape. Most imported links are like that; they skip urlsplit and quote.
_PLAIN = re.compile(r"(https?)://([a-z0-9-]+(?:\.[a-z0-9-]+)+)(/[A-Za-z0-9/._~!$&'()*+,;=:@-]*)?\Z")


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host: the only kind we store or emit."""
    if not url:
        return False
    if len(url) <= 8192 and _PLAIN.match(url):
        return True  # the common case, without urlsplit
    try:
        validate(url)
    except BadInput:
        return False
    return True


def _netloc(scheme: str, host: str, port: int | None) -> str:
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        return f"{host}:{port}"
    return host


def ascii_host(host: str) -> str:
    """A host name as DNS and browsers send it: lower case, its Unicode labels in IDNA
    (UTS 46) form, so "Bücher.example" and "xn--bcher-kva.example" are one host. A name
    IDNA refuses is kept, in lower case (it will fail at fetch time, not here)."""
    host = host.lower()
    if host.isascii():
        return host
    import idna  # only for the rare non-ASCII host: no cost at start-up

    try:
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


def display_host(host: str) -> str:
    """A host as a reader reads it: IDNA labels (`xn--...`) back in Unicode."""
    if "xn--" not in host:
        return host
    import idna

    try:
        return str(idna.decode(host))
    except (idna.IDNAError, UnicodeError, ValueError):
        return host


def strip_credentials(url: str) -> str:
    """`url` without its `user:password@`: credentials are never stored, shown nor
    published (a review would hand them to every reader)."""
    if "@" not in url:
        return url  # no user part to take off (an import checks every link: no urlsplit)
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def clean(url: str) -> str:
    """The URL we store: normalised scheme/host/port, no credentials, no fragment, no
    tracking parameters; a social post in its platform's current form (`social`)."""
    post = social(url.strip())
    if post is not None:
        return post.url
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = ascii_host((parts.hostname or "").rstrip("."))
    try:
        port = parts.port
    except ValueError:
        port = None
    path = parts.path or "/"
    # Filter the raw pairs rather than re-encoding them: some sites care how a value is spelled.
    pairs = [p for p in parts.query.split("&") if p]
    kept = [p for p in pairs if not is_tracking_param(unquote(p.partition("=")[0]))]
    return urlunsplit((scheme, _netloc(scheme, host, port), path, "&".join(kept), ""))


def dedup_key(url: str) -> str:
    """A key equal for every URL of the same story (see the module docstring)."""
    post = social(url)
    if post is not None:
        return post.key
    parts = urlsplit(clean(url))
    host = parts.hostname or ""
    for prefix in _HOST_PREFIXES:
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
            break
    try:
        port = parts.port
    except ValueError:
        port = None
    path = quote(unquote(parts.path), safe="/:@!$&'()*+,;=-._~")
    path = _AMP_PATH.sub("", path)
    path = path.rstrip("/") or "/"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in {"amp", "outputtype", "output"} or v.lower() not in {"", "1", "amp"}
    )
    # http and https are one story; the key drops the scheme.
    return f"{_netloc('https', host, port)}{path}" + (f"?{urlencode(query)}" if query else "")


def stored_keys(url: str) -> tuple[str, list[str]]:
    """(`clean(url)`, the keys an item stored from `url` is known by): `dedup_key` of the URL
    as given and of its cleaned form (nearly always one key), computed once each."""
    plain = _PLAIN.match(url) if len(url) <= 8192 else None
    if (
        plain is not None
        and not _AMP_PATH.search(plain.group(3) or "")
        and not _maybe_social(plain)
    ):
        host = plain.group(2)
        path = plain.group(3) or "/"
        for prefix in _HOST_PREFIXES:
            if host.startswith(prefix) and host.count(".") >= 2:
                host = host[len(prefix) :]
                break
        return f"{plain.group(1)}://{plain.group(2)}{path}", [host + (path.rstrip("/") or "/")]
    cleaned = clean(url)
    return cleaned, list(dict.fromkeys([dedup_key(url), dedup_key(cleaned)]))


def _maybe_social(plain: re.Match[str]) -> bool:
    """Whether a plain URL may be a social post, whose key is not its host and path: a
    quick look (hosts of the table, a Mastodon-like path) before `social` reads it."""
    host = plain.group(2)
    path = plain.group(3) or ""
    bare = host[4:] if host.startswith("www.") else host
    return bare in X_HOSTS or bare in BLUESKY_HOSTS or "/@" in path or "/statuses/" in path


def domain(url: str) -> str:
    """The host without `www.`, for display ("lapresse.ca"; "bücher.example", not its
    `xn--` form)."""
    host = display_host((urlsplit(url).hostname or "").lower())
    return host[4:] if host.startswith("www.") else host


def _slug_text(segment: str) -> str:
    """A path segment percent-decoded as UTF-8 (accents and apostrophes as the address has
    them), else as windows-1252 (older sites), without control characters."""
    raw = unquote_to_bytes(segment)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    # Controls, bidi overrides and undecodable bytes end a word: never part of a title.
    return "".join(c if c.isprintable() and c != "\ufffd" else " " for c in text)


def path_words(url: str) -> str:
    """Words of the URL's last meaningful path segment, for a title-less item's placeholder."""
    try:
        segments = [s for s in urlsplit(url).path.split("/") if s]
    except ValueError:
        return ""
    for segment in reversed(segments):
        stem = re.sub(r"\.(s?html?|php|aspx?|jsp)$", "", _slug_text(segment), flags=re.IGNORECASE)
        words = re.split(r"[-_+.\s]+", stem)
        words = [w for w in words if w and not w.isdigit()]
        if len(words) >= 2 or (words and len(words[0]) > 3):
            return " ".join(words)
    return ""


_URL_DATE_RE = re.compile(
    r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)"
)


def date_in_url(url: str) -> dt.date | None:
    """The date a URL's path carries ("/2023/11/08/", "/2023-11-08-titre"), if any."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return None
    m = _URL_DATE_RE.search(path)
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None


# Second-level labels under which a country code sits (co.uk, com.au, gouv.qc.ca...).
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "gouv", "ac", "edu", "ne", "or", "qc", "on"}


def registrable_domain(url: str) -> str:
    """The part of a host one owner registers: "www.lapresse.ca" -> "lapresse.ca",
    "news.bbc.co.uk" -> "bbc.co.uk" (an approximation of the public-suffix list)."""
    try:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    labels = [x for x in host.split(".") if x]
    if len(labels) <= 2 or _looks_like_ip(host):
        return host
    keep = 3 if labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    return ".".join(labels[-keep:])


# One owner, two registrable domains: an address on one is the same site as on the other.
_SAME_OWNER = {"twitter.com": "x.com", "youtu.be": "youtube.com", "redd.it": "reddit.com",
               "fb.com": "facebook.com", "instagr.am": "instagram.com"}  # fmt: skip


def site_owner(url: str) -> str:
    """`registrable_domain`, with a site's other domains mapped to one ("twitter.com" and
    "x.com" are one site); "" for a machine rather than a site (an IP address, localhost).

    A page served from a bare address (a mirror, a staging server, a saved copy served
    locally) that names its canonical address is that site's page, not a syndicated copy:
    the address a review should link to is the one the page declares."""
    domain = registrable_domain(url)
    if domain == "localhost" or _looks_like_ip(domain):
        return ""
    return _SAME_OWNER.get(domain, domain)


def is_home(url: str) -> bool:
    """True for a site's home page ("https://example.com/", no path, no query)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.path in ("", "/") and not parts.query


_ESCAPES_RE = re.compile(r"(?:%[0-9A-Fa-f]{2})+")
# What decodeURI leaves encoded: an escape of one of these changes the URL's structure.
_RESERVED = frozenset(";/?:@&=+$,#")
# Runs of slashes in a path, except after a scheme ("/fetch/https://a.com/b.jpg" is an
# image proxy's argument): servers (nginx's merge_slashes) read them as one.
_SLASHES_RE = re.compile(r"(?<![a-zA-Z][a-zA-Z0-9+.-]:)/{2,}")
_PRINTABLE = string.punctuation  # quote() then encodes only spaces, controls and non-ASCII


def _decode_run(m: re.Match[str]) -> str:
    raw = m.group(0)
    try:
        text = bytes.fromhex(raw.replace("%", "")).decode("utf-8")
    except UnicodeDecodeError:
        return raw.upper()
    out = []
    pos = 0
    for ch in text:
        size = len(ch.encode("utf-8")) * 3
        out.append(raw[pos : pos + size] if ch in _RESERVED or ord(ch) < 32 else ch)
        pos += size
    return "".join(out)


def normalize_escapes(url: str) -> str:
    """`url` with its path's escapes decoded except those of reserved characters (what
    JavaScript's decodeURI, normalize-url and so most extractors do: `%7E` -> `~`, a
    double-encoded `%253A` -> `%3A`), runs of slashes in the path made one, then spaces,
    controls and non-ASCII characters of the path and query percent-encoded in UTF-8
    (`é` -> `%C3%A9`). Never raises."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = _ESCAPES_RE.sub(_decode_run, parts.path) if "%" in parts.path else parts.path
    if "//" in path:
        path = _SLASHES_RE.sub("/", path)
    path = quote(path, safe=_PRINTABLE)
    query = quote(parts.query, safe=_PRINTABLE)
    if path == parts.path and query == parts.query:
        return url
    return urlunsplit((parts.scheme, parts.netloc, path, query, parts.fragment))


# --- social posts ---------------------------------------------------------------------------
# The one table of the posts revue knows as such: which hosts are one platform, what a post's
# address is there, the form a review publishes and the key one post is known by whatever
# address it was shared under; and the videos an oEmbed provider answers for.
# `web.oembed.social_provider` reads it too.

# X answers on all of these; the mirrors (fxtwitter, vxtwitter, fixupx, ...) serve the same
# post under the same path, and their pages name the x.com/twitter.com post as canonical.
X_HOSTS = frozenset(
    {
        "x.com",
        "twitter.com",
        "mobile.twitter.com",
        "mobile.x.com",
        "fxtwitter.com",
        "vxtwitter.com",
        "fixupx.com",
        "fixvx.com",
        "twittpr.com",
    }
)
BLUESKY_HOSTS = frozenset({"bsky.app"})
# /user/status/id, /i/web/status/id, /user/statuses/id, and what follows (/photo/1, ...).
_X_POST = re.compile(r"^/(?:(\w{1,15})|i/web)/status(?:es)?/(\d+)(?:/|$)")
_BLUESKY_POST = re.compile(r"^/profile/([^/]+)/post/(\w+)(?:/|$)")
# /@user/id, /@user@other.instance/id (a remote post as this instance shows it), and the
# ActivityPub form /users/user/statuses/id, which the instance redirects to /@user/id.
_MASTODON_POST = re.compile(
    r"^/(?:@([\w.-]+)(?:@([\w.-]+))?/(\d+)|users/([\w.-]+)/statuses/(\d+))/?$"
)


# What every post address above holds somewhere: a cheap test before reading one.
_POST_HINT = re.compile(r"/status|/post/|/@")


@dataclass(frozen=True, slots=True)
class SocialPost:
    """A post on X, Bluesky or Mastodon, read from its address alone."""

    platform: str  # "twitter", "bluesky" or "mastodon" (the oEmbed provider's name)
    author: str  # "@pika_labs", "@alice.bsky.social", "@bob@mastodon.social"; "" if unnamed
    url: str  # the platform's current form: x.com, no share parameters ("?s=20&t=…")
    key: str  # equal for every address of the post (dedup_key's answer for it)


def social(url: str | None) -> SocialPost | None:
    """The post `url` is the address of, or None for any other address.

    X: every host above is x.com and a post is its id (`x.com/i/status/ID` is the same post
    under any handle). Bluesky: a handle and its DID are two keys until a fetch tells which
    DID a handle is (`bsky.app/profile/did:plc:…/post/ID`). Mastodon: `/users/u/statuses/ID`
    is `/@u/ID` on the same instance. The query (share parameters) is never part of a post."""
    if not url or not _POST_HINT.search(url):
        return None  # most addresses: no urlsplit (dedup_key and clean ask for each one)
    try:
        parts = urlsplit(url)
        host = ascii_host((parts.hostname or "").rstrip("."))
        port = parts.port
    except ValueError:
        return None
    bare = host[4:] if host.startswith("www.") else host
    path = parts.path or "/"
    if bare in X_HOSTS:
        match = _X_POST.match(path)
        if not match:
            return None
        user, post = match.group(1) or "i", match.group(2)
        author = "" if user == "i" else "@" + user
        return SocialPost(
            "twitter", author, f"https://x.com/{user}/status/{post}", f"x.com/i/status/{post}"
        )
    if bare in BLUESKY_HOSTS:
        match = _BLUESKY_POST.match(path)
        if not match:
            return None
        actor, post = unquote(match.group(1)), match.group(2)
        author = "" if actor.startswith("did:") else "@" + actor
        tail = f"/profile/{actor}/post/{post}"
        return SocialPost("bluesky", author, f"https://bsky.app{tail}", f"bsky.app{tail.lower()}")
    match = _MASTODON_POST.match(path)
    if not match:
        return None
    user = match.group(1) or match.group(4)
    post = match.group(3) or match.group(5)
    remote = f"@{match.group(2)}" if match.group(2) else ""
    scheme = parts.scheme.lower() if parts.scheme.lower() in _DEFAULT_PORTS else "https"
    tail = f"/@{user}{remote}/{post}"
    return SocialPost(
        "mastodon",
        f"@{user}@{match.group(2) or bare}",
        f"{scheme}://{_netloc(scheme, host, port)}{tail}",
        f"{_netloc('https', bare, port)}{tail.lower()}",
    )


def social_post(url: str | None) -> str | None:
    """The author's handle when `url` is a post on X/Twitter, Bluesky or Mastodon
    ("@pika_labs", "@alice.bsky.social", "@bob@mastodon.social"); "" for such a post whose
    address does not name its author (a Bluesky DID); None for any other address."""
    post = social(url)
    return None if post is None else post.author


_YOUTUBE_HOSTS = frozenset({"youtube.com", "m.youtube.com", "music.youtube.com"})
_YOUTUBE_PATH = re.compile(r"^/(?:shorts|live|embed)/[\w-]+")
_VIMEO_PATH = re.compile(r"^/(?:(?:channels|groups)/[^/]+/(?:videos/)?|video/)?\d+")


def video(url: str) -> str | None:
    """ "youtube" or "vimeo" when `url` is a video's page on one, else None."""
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        return None
    bare = host[4:] if host.startswith("www.") else host
    path = parts.path or "/"
    if bare in _YOUTUBE_HOSTS and (
        (path == "/watch" and "v" in parse_qs(parts.query)) or _YOUTUBE_PATH.match(path)
    ):
        return "youtube"
    if bare == "youtu.be" and len(path) > 1:
        return "youtube"
    if bare in {"vimeo.com", "player.vimeo.com"} and _VIMEO_PATH.match(path):
        return "vimeo"
    return None
