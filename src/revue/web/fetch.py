"""Fetch web pages with every limit enforced: the only module that talks HTTP (httpx).

Contract:

- `Fetcher.fetch(url)` returns a `FetchResult` and never raises (except `CancelledError`):
  every failure becomes a short `error` reason ("timeout after 20 s", "HTTP 404",
  "redirect loop", "connection reset", ...). `error_kind()` groups reasons for summaries.
- Every page is bounded: connect and per-read timeouts, a TOTAL deadline around the whole page
  (redirects, retries and their waits, meta refresh and oEmbed included), a cap on body bytes
  counted after decompression (so a gzip bomb costs at most the cap), and a cap on redirects.
- Redirects are followed here, not by httpx, so that they can be capped, loop-checked,
  scheme-checked and recorded (`final_url`). A `<meta http-equiv=refresh>` is followed once.
- Cookies live for one page only (its redirect chain), are sent only where the cookie jar's
  domain rules allow, and never reach another page or host.
- Concurrency: at most `concurrency` pages at once and at most `per_host` at once per host
  (lower-cased netloc). Waiting for a slot does not eat into a page's deadline.
- Social posts (X/Twitter, YouTube, Vimeo, Bluesky, Mastodon) also get the provider's oEmbed
  answer in `FetchResult.oembed`; if the page fails but oEmbed answers, the result is ok.
- Every request carries a `Trust`, which decides the addresses it may reach (no SSRF): a URL
  the curator typed or configured may reach any address; one the public web gave (a public
  feed's entries, a public page's links and oEmbed link, a redirect or refresh from a public
  address) reaches public addresses only. A redirect keeps the curator's trust only when it
  came from an address that is not public (their own network). The check is made on the
  address connected to: the name is resolved once, every address checked, and a checked one
  connected to (no second lookup to rebind); TLS and the Host header still name the host.
  A refusal is the page's failure, "refused: 10.0.0.5 is a private address (...)".
- Every HTTP request (each redirect hop, retry and oEmbed call) is reported, once done, to the
  injected `on_request` callback as a `RequestEvent` (method, URL, status or reason, seconds):
  what `--verbose` prints. This module prints nothing itself.
- `Fetcher.request` (and `ApiClient`, its synchronous form) calls a web API with the same
  limits, deadline and report: a blog's REST API is as untrusted as any page.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import email.utils
import ipaddress
import json
import random
import re
import socket
import ssl
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from http.cookiejar import DefaultCookiePolicy
from types import MappingProxyType
from typing import Any
from urllib.parse import parse_qs, urlencode, urljoin, urlsplit

import httpcore
import httpx

from revue import __version__, urls
from revue.models import HTML_TYPES, NO_SUCH_HOST, FetchResult
from revue.sanitize import clean_json
from revue.web.extract import extract

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

ACCEPT_LANGUAGE = "fr-CA,fr;q=0.9,en;q=0.8"
ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
# Only what we decode ourselves, with a bound on output (httpx's decoders are unbounded
# per chunk: one 64 KB read of a gzip bomb would inflate to ~64 MB at once).
ACCEPT_ENCODING = "gzip, deflate"

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# 501/505/511 say "this will not work", retrying them is pointless.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504, 507, 508, 520, 521, 522, 523, 524})
# Those that say the request was not handled at all: safe to resend even a "create".
RETRY_UNSENT_STATUSES = frozenset({429, 503})
HEAD_REFUSED = frozenset({403, 405, 501})

OEMBED_MAX_BYTES = 256_000
READ_STEP = 65_536  # most bytes one decompression step may produce


@dataclass(frozen=True)
class FetchSettings:
    """Every limit of a fetch. config.py builds it from the [fetch] TOML table by field name."""

    connect_timeout: float = 5.0
    read_timeout: float = 10.0  # per read on the socket
    total_timeout: float = 20.0  # whole page: redirects, retries and their waits included
    max_bytes: int = 3_000_000  # cap on body bytes read, counted after decompression
    # Enough of an HTML page is in hand once `</head>` was seen and this much after it.
    after_head_bytes: int = 400_000
    max_redirects: int = 8
    concurrency: int = 16  # pages at once, all hosts together
    per_host: int = 4  # pages at once on one host
    retries: int = 2  # for connection errors, 5xx and 429
    backoff: float = 0.5  # base of exponential backoff, with jitter
    max_retry_after: float = 10.0  # cap on a Retry-After we honour
    user_agent: str = f"revue/{__version__} (+https://github.com/revue; press-review curator)"
    # Provider name ("twitter", "youtube", "vimeo", "bluesky", "mastodon") or host pattern
    # ("example.org" matches it and its subdomains, "127.0.0.1:8080") -> endpoint URL.
    # Merged over DEFAULT_OEMBED_ENDPOINTS; an empty endpoint turns a provider off.
    oembed_endpoints: Mapping[str, str] = field(default_factory=lambda: DEFAULT_OEMBED_ENDPOINTS)


DEFAULT_SETTINGS = FetchSettings()


@dataclass(frozen=True, slots=True)
class RequestEvent:
    """One HTTP request done: its answer's status, or the reason it got none."""

    method: str
    url: str
    status: int | None  # None: no answer (the reason is in `error`)
    seconds: float  # from sending the request to the end of its body (or the failure)
    error: str | None = None


RequestCallback = Callable[[RequestEvent], None]


class _Failure(Exception):
    """A page-level failure with its short reason; `retryable` for connection-level errors."""

    def __init__(self, reason: str, *, retryable: bool = False, unsent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable
        # The request surely never reached the server (no connection): even a request that
        # must not run twice (a blog's "create a post") may be sent again.
        self.unsent = unsent


@dataclass(slots=True)
class _Answer:
    """One HTTP response, its body read (capped) or not."""

    url: str
    status: int
    headers: dict[str, str]
    content_type: str | None
    body: bytes = b""
    truncated: bool = False
    retry_after: float | None = None
    peer: str | None = None  # the address that answered, when known


def _secs(value: float) -> str:
    return f"{value:g}"


def media_type(header: str | None) -> str | None:
    """`text/html; charset=utf-8` -> `text/html`; None when absent or blank."""
    if not header:
        return None
    kind = header.split(";", 1)[0].strip().lower()
    return kind or None


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP date), None if unusable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())


def error_kind(reason: str) -> str:
    """Group a failure reason for summaries: "timeout", "HTTP 404", "redirect loop", ..."""
    if reason.startswith("timeout"):
        return "timeout"
    if reason.startswith("HTTP "):
        return reason.split(" (", 1)[0]
    if reason.startswith("redirect to unsupported scheme") or reason.startswith(
        "unsupported scheme"
    ):
        return "unsupported scheme"
    return reason.split(":", 1)[0].strip()


# --- whose word a URL is: the addresses it may reach ------------------------------------------


@dataclass(frozen=True, slots=True)
class Trust:
    """Where a URL came from, which decides the addresses revue may connect to for it.

    The curator's (typed, configured, or given by a page their own network served): any
    address. The public web's: public addresses only; `origin` says how it came, for the
    refusal ("found in a public feed")."""

    public_only: bool
    origin: str


CURATOR = Trust(public_only=False, origin="typed by the curator")
FROM_PUBLIC_FEED = Trust(public_only=True, origin="found in a public feed")
FROM_PUBLIC_PAGE = Trust(public_only=True, origin="found on a public page")
FROM_PUBLIC_REDIRECT = Trust(public_only=True, origin="redirected by a public address")
# A newsletter's links, and any link that came by mail: anyone may send a mail (with any
# From), so they are the public web's.
FROM_NEWSLETTER = Trust(public_only=True, origin="found in a newsletter")
FROM_MAIL = Trust(public_only=True, origin="mailed to revue's inbox")

# Addresses counted as public although they are not: for tests only, which have no internet
# and let a second loopback address (127.0.0.2) stand for it. Tests set it on this module;
# no setting, option or environment variable reaches it.
TEST_PUBLIC_ADDRESSES: frozenset[str] = frozenset()

_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_UNIQUE_LOCAL = ipaddress.IPv6Network("fc00::/7")


def address_kind(address: str) -> str | None:
    """None for a public address, else what it is: "loopback", "private", "link-local",
    "unique-local", "multicast", "unspecified" or "reserved" (not routed on the internet)."""
    try:
        ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(
            address.split("%", 1)[0]
        )
    except ValueError:
        return "unknown"
    if isinstance(ip, ipaddress.IPv6Address):
        # An IPv4 address inside an IPv6 one reaches that IPv4 address: judged as it.
        if ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        elif ip.sixtofour is not None:
            ip = ip.sixtofour
        elif ip in _NAT64:
            ip = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if str(ip) in TEST_PUBLIC_ADDRESSES:
        return None
    if ip.is_unspecified:
        return "unspecified"
    if ip.is_loopback:
        return "loopback"
    if ip.is_link_local:  # 169.254.0.0/16 (cloud metadata), fe80::/10
        return "link-local"
    if ip.is_multicast:
        return "multicast"
    if isinstance(ip, ipaddress.IPv6Address) and ip in _UNIQUE_LOCAL:
        return "unique-local"
    if ip.is_private:
        return "private"
    if not ip.is_global:
        return "reserved"
    return None


def _answered_trust(trust: Trust, peer: str | None, public: Trust) -> Trust:
    """The trust of a URL an answer gave (its redirect, refresh or links): the curator's only
    when the curator's request was answered by an address that is not public (their own
    network); `public` else, and when the address is unknown."""
    if not trust.public_only and peer is not None and address_kind(peer) is not None:
        return trust
    return public


Resolver = Callable[[str, int], Awaitable[list[str]]]


async def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of `host` (the system's resolver), each once, in its order."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class _Refused(Exception):
    """Raised where a connection would be made to an address the request may not reach."""

    def __init__(self, address: str, kind: str) -> None:
        article = "an" if kind in ("unspecified", "unknown") else "a"  # "a unique-local"
        super().__init__(f"{address} is {article} {kind} address")
        self.address = address
        self.kind = kind


class _PublicOnlyBackend(httpcore.AsyncNetworkBackend):
    """Connects to public addresses only: resolves the name once, checks each address, and
    connects to a checked one by its address, so that no second lookup can answer otherwise
    (DNS rebinding). httpcore takes the TLS server name (SNI, certificate) and the Host
    header from the URL, not from the address connected to, so both still name the host."""

    def __init__(self, resolve: Resolver) -> None:
        self._resolve = resolve
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            async with asyncio.timeout(timeout):
                addresses = await self._resolve(host, port)
        except TimeoutError as exc:
            raise httpcore.ConnectTimeout(f"lookup of {host} timed out") from exc
        except OSError as exc:
            raise httpcore.ConnectError(str(exc)) from exc
        allowed = [a for a in addresses if address_kind(a) is None]
        if not allowed:
            if not addresses:
                raise httpcore.ConnectError(f"no address for {host}")
            raise _Refused(addresses[0], address_kind(addresses[0]) or "unknown")
        failure: httpcore.ConnectError | httpcore.ConnectTimeout | None = None
        for address in allowed:
            try:
                return await self._inner.connect_tcp(
                    address,
                    port,
                    timeout=timeout,
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        assert failure is not None
        raise failure

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("no Unix socket for the public web")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


_PUBLIC_ONLY = "revue.public_only"  # the request extension naming its pool


class _TrustTransport(httpx.AsyncBaseTransport):
    """Two connection pools that never mix: the curator's (any address) and the public
    web's (public addresses only, see `_PublicOnlyBackend`). Each request goes to the pool
    its trust names, so a connection opened for the curator's intranet page is never reused
    for a public feed's link. A request without a trust is the public web's."""

    def __init__(self, settings: FetchSettings, resolve: Resolver) -> None:
        limits = httpx.Limits(
            max_connections=2 * settings.concurrency + 4,
            max_keepalive_connections=settings.concurrency,
        )
        self._curator = httpx.AsyncHTTPTransport(http1=True, http2=False, retries=0, limits=limits)
        self._public = httpx.AsyncHTTPTransport(http1=True, http2=False, retries=0, limits=limits)
        # httpx takes no network backend: its pool is made again, the same but for that.
        self._public._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            http1=True,
            http2=False,
            retries=0,
            network_backend=_PublicOnlyBackend(resolve),
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        public = request.extensions.get(_PUBLIC_ONLY, True)
        return await (self._public if public else self._curator).handle_async_request(request)

    async def aclose(self) -> None:
        try:
            await self._curator.aclose()
        finally:
            await self._public.aclose()


def _peer(response: httpx.Response) -> str | None:
    """The address that answered, when the connection tells (an injected transport won't)."""
    stream = response.extensions.get("network_stream")
    try:
        addr = stream.get_extra_info("server_addr") if stream is not None else None
    except Exception:  # an odd stream says nothing: unknown, so counted as public
        return None
    if isinstance(addr, tuple) and addr and isinstance(addr[0], str):
        return addr[0]
    return None


# --- social posts -----------------------------------------------------------------------------

_YOUTUBE_HOSTS = {"youtube.com", "m.youtube.com", "music.youtube.com"}
_YOUTUBE_PATH = re.compile(r"^/(?:shorts|live|embed)/[\w-]+")
_VIMEO_PATH = re.compile(r"^/(?:(?:channels|groups)/[^/]+/(?:videos/)?|video/)?\d+")


def _strip_www(host: str) -> str:
    return host[4:] if host.startswith("www.") else host


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
    post = urls.social(url)  # X, Bluesky, Mastodon: the table urls.py keeps for revue
    if post is not None:
        return post.platform
    bare = _strip_www(host)
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


def _oembed_request_url(endpoint: str, page_url: str) -> str:
    post = urls.social(page_url)
    if post is not None:
        page_url = post.url  # the form the platform knows (x.com, not a mirror's address)
    parts = urlsplit(page_url)
    endpoint = endpoint.replace("{origin}", f"{parts.scheme}://{parts.netloc}")
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + urlencode({"url": page_url, "format": "json"})


# --- bounded decompression --------------------------------------------------------------------


class _Decoder:
    """Content-Encoding decoder whose output per step is bounded (zlib's max_length)."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._z: Any = None
        self._first = True
        if encoding == "gzip" or encoding == "x-gzip":
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
        elif encoding not in ("", "identity"):
            raise _Failure(f"unsupported content encoding {encoding[:20]}")

    def decode(self, data: bytes, room: int) -> Iterator[bytes]:
        """Yield decoded pieces of `data`, each at most READ_STEP bytes, stopping once the
        caller stops asking (the rest of the compressed input is then never inflated)."""
        if self._z is None:
            yield data
            return
        pending = data
        while pending and not self._z.eof:
            try:
                out = self._z.decompress(pending, max(1, min(room, READ_STEP)))
            except zlib.error as exc:
                if self.encoding == "deflate" and self._first:
                    # Some servers send raw deflate without the zlib header.
                    self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                    self._first = False
                    continue
                raise _Failure("bad content encoding") from exc
            self._first = False
            pending = self._z.unconsumed_tail
            if out:
                yield out
            elif not pending:
                break


# --- the fetcher ------------------------------------------------------------------------------


class _HostSlot:
    """The per-host semaphore a page currently holds; switching hosts releases the old one."""

    def __init__(self, fetcher: Fetcher) -> None:
        self._fetcher = fetcher
        self._held: asyncio.Semaphore | None = None
        self._key: str | None = None

    async def hold(self, url: str) -> None:
        key = _host_key(url)
        if key == self._key:
            return
        self.release()
        sem = self._fetcher._host_semaphore(key)
        await sem.acquire()
        self._held, self._key = sem, key

    def release(self) -> None:
        if self._held is not None:
            self._held.release()
        self._held, self._key = None, None


def _host_key(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""


class Fetcher:
    """Fetches pages for one batch: one AsyncClient (connection reuse) shared by all of them.

    Use as `async with Fetcher(settings) as f:`; `fetch` also works outside the block (it then
    opens a client for that one call). `transport`, `sleep` and `resolve` (the name lookup
    of public-only requests) are injected for tests.
    """

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_SETTINGS,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: random.Random | None = None,
        on_request: RequestCallback | None = None,
        resolve: Resolver = system_resolve,
    ) -> None:
        self.settings = settings
        self._resolve = resolve
        self._on_request = on_request
        self._transport = transport
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._client: httpx.AsyncClient | None = None
        self._global = asyncio.Semaphore(max(1, settings.concurrency))
        self._hosts: dict[str, asyncio.Semaphore] = {}
        merged = dict(DEFAULT_OEMBED_ENDPOINTS)
        merged.update(settings.oembed_endpoints)
        self._endpoints = {k: v for k, v in merged.items() if v}

    # -- client lifecycle --

    def _new_client(self) -> httpx.AsyncClient:
        s = self.settings
        transport = self._transport or _TrustTransport(s, self._resolve)
        client = httpx.AsyncClient(
            transport=transport,
            follow_redirects=False,
            timeout=httpx.Timeout(
                connect=s.connect_timeout, read=s.read_timeout, write=s.read_timeout, pool=None
            ),
            headers={
                "User-Agent": s.user_agent,
                "Accept": ACCEPT,
                "Accept-Language": ACCEPT_LANGUAGE,
                "Accept-Encoding": ACCEPT_ENCODING,
            },
        )
        # The shared jar keeps nothing: cookies live in each page's own jar (see _page).
        client.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
        return client

    async def __aenter__(self) -> Fetcher:
        if self._client is None:
            self._client = self._new_client()
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._client is not None:
            client, self._client = self._client, None
            await client.aclose()

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[httpx.AsyncClient]:
        if self._client is not None:
            yield self._client
            return
        async with self._new_client() as client:
            yield client

    def _host_semaphore(self, key: str) -> asyncio.Semaphore:
        sem = self._hosts.get(key)
        if sem is None:
            sem = self._hosts[key] = asyncio.Semaphore(max(1, self.settings.per_host))
        return sem

    # -- public API --

    async def fetch(
        self, url: str, *, trust: Trust, headers: Mapping[str, str] | None = None
    ) -> FetchResult:
        """GET one page with every limit; never raises (except CancelledError).

        `trust` says whose word `url` is (see `Trust`). `headers` are added to the request
        (a feed's If-None-Match / If-Modified-Since); a 304 answer then comes back with
        status 304 and error "HTTP 304"."""
        async with self._global, self._session() as client:
            return await self._fetch(client, url, trust, keep_body=True, headers=headers)

    async def head_or_get(self, url: str, *, trust: Trust) -> FetchResult:
        """Check a link: HEAD, then GET if HEAD is refused (403/405/501). No body is kept."""
        async with self._global, self._session() as client:
            result = await self._fetch(client, url, trust, keep_body=False, method="HEAD")
            if result.status in HEAD_REFUSED:
                result = await self._fetch(client, url, trust, keep_body=False)
            return result

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> FetchResult:
        """One call to a web API (a blog's REST API), bounded like a page: the total deadline
        (retries and their waits included), `max_bytes` of body, reported to `on_request`.

        Never raises (except CancelledError). Redirects are not followed: the caller decides
        where its credentials may go. `error` is set only when no answer came (a 404 is an
        answer); `truncated` when the body was cut at `max_bytes`. `idempotent=False` (a POST
        that creates) is resent only when it surely was not received (see `_send`)."""
        s = self.settings
        try:
            full = str(httpx.URL(url, params=params)) if params else _check_url(url)
        except (httpx.InvalidURL, ValueError, _Failure):
            return FetchResult(url=url, error="invalid URL")
        wanted = {"Accept": "application/json", **(headers or {})}
        content = None
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False).encode("utf-8")
            wanted["Content-Type"] = "application/json"
        result = FetchResult(url=full, final_url=full)
        deadline = asyncio.get_running_loop().time() + s.total_timeout
        try:
            async with self._session() as client, asyncio.timeout_at(deadline):
                ans = await self._send(
                    client,
                    method,
                    full,
                    httpx.Cookies(),
                    # The blog's address is the curator's configuration; no redirect is
                    # followed here, so no other address is reached.
                    trust=CURATOR,
                    cap=s.max_bytes,
                    deadline=deadline,
                    headers=wanted,
                    content=content,
                    idempotent=idempotent,
                )
        except TimeoutError:
            result.error = f"timeout after {_secs(s.total_timeout)} s"
        except _Failure as f:
            result.error = f.reason
        except Exception as exc:  # an answer must never crash the caller with a traceback
            result.error = f"unexpected error: {type(exc).__name__}"
        else:
            result.status = ans.status
            result.headers = ans.headers
            result.content_type = ans.content_type
            result.body = ans.body
            result.truncated = ans.truncated
            result.retry_after = ans.retry_after
        return result

    async def fetch_many(
        self, urls: Iterable[str], *, trust: Trust | Callable[[str], Trust]
    ) -> AsyncIterator[FetchResult]:
        """Fetch many URLs, yielding results as they complete; `trust` is one for all, or
        each URL's.

        At most `concurrency` workers pull URLs lazily from `urls`, and at most `concurrency`
        finished results wait for the caller, so memory stays flat however many URLs there are.
        """
        n = max(1, self.settings.concurrency)
        queue: asyncio.Queue[FetchResult | None] = asyncio.Queue(maxsize=n)
        source = iter(urls)

        errors: list[Exception] = []

        async def worker(client: httpx.AsyncClient) -> None:
            try:
                for url in source:  # shared iterator: each URL goes to one worker
                    whose = trust if isinstance(trust, Trust) else trust(url)
                    async with self._global:
                        result = await self._fetch(client, url, whose, keep_body=True)
                    await queue.put(result)
            except Exception as exc:  # the caller's iterable failed; re-raised to the caller
                errors.append(exc)
            # Not in a finally: a cancelled worker must not block on a full queue.
            await queue.put(None)

        async with self._session() as client:
            workers = [asyncio.create_task(worker(client)) for _ in range(n)]
            try:
                done = 0
                while done < n:
                    item = await queue.get()
                    if item is None:
                        done += 1
                    else:
                        yield item
                if errors:
                    raise errors[0]
            finally:
                for task in workers:
                    task.cancel()
                # Workers blocked on a full queue are cancelled, not left behind.
                await asyncio.gather(*workers, return_exceptions=True)

    # -- one page --

    async def _fetch(
        self,
        client: httpx.AsyncClient,
        url: str,
        trust: Trust,
        *,
        keep_body: bool,
        method: str = "GET",
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        try:
            return await self._fetch_unguarded(
                client, url, trust, keep_body=keep_body, method=method, headers=headers
            )
        except Exception as exc:  # the "never raises" promise; CancelledError still passes
            return FetchResult(url=url, error=f"unexpected error: {type(exc).__name__}")

    async def _fetch_unguarded(
        self,
        client: httpx.AsyncClient,
        url: str,
        trust: Trust,
        *,
        keep_body: bool,
        method: str,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        provider = social_provider(url, self._endpoints) if keep_body else None
        endpoint = self._endpoints.get(provider) if provider else None
        slot = _HostSlot(self)
        # Waiting for a host slot is queueing, not the page's time: the deadline starts after.
        await slot.hold(url)
        deadline = asyncio.get_running_loop().time() + self.settings.total_timeout
        oembed_task: asyncio.Task[dict[str, Any] | None] | None = None
        try:
            if endpoint:
                # A configured endpoint is the curator's; one on the post's own host is as
                # trusted as the post's URL.
                where = trust if "{origin}" in endpoint else CURATOR
                oembed_task = asyncio.create_task(
                    self._oembed(client, _oembed_request_url(endpoint, url), where, deadline)
                )
            result = await self._page(
                client, url, trust, slot, deadline, keep_body, method, headers
            )
            slot.release()
            oembed = await oembed_task if oembed_task else None
            link = result.meta.oembed_url if result.meta else None
            if oembed is None and provider and link:
                # A Mastodon instance (or any provider) may advertise its own endpoint: a
                # link of the page, as trusted as the page's links.
                where = FROM_PUBLIC_PAGE if result.public_source else trust
                oembed = await self._oembed(client, link, where, deadline)
            if oembed is not None:
                result.oembed = oembed
                result.error = None  # the post is known even if its page is a wall
            return result
        finally:
            slot.release()
            if oembed_task and not oembed_task.done():
                oembed_task.cancel()

    async def _page(
        self,
        client: httpx.AsyncClient,
        url: str,
        trust: Trust,
        slot: _HostSlot,
        deadline: float,
        keep_body: bool,
        method: str,
        headers: Mapping[str, str] | None = None,
    ) -> FetchResult:
        result = FetchResult(url=url)
        try:
            async with asyncio.timeout_at(deadline):
                await self._follow(
                    client, result, trust, slot, deadline, keep_body, method, headers
                )
        except TimeoutError:
            result.error = f"timeout after {_secs(self.settings.total_timeout)} s"
        except _Failure as f:
            result.error = f.reason
        except Exception as exc:  # untrusted input must never crash a batch
            result.error = f"unexpected error: {type(exc).__name__}"
        return result

    async def _follow(
        self,
        client: httpx.AsyncClient,
        result: FetchResult,
        trust: Trust,
        slot: _HostSlot,
        deadline: float,
        keep_body: bool,
        method: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        s = self.settings
        cookies = httpx.Cookies()  # this page's own jar
        current = _check_url(result.url)
        result.final_url = current
        seen = {(current, 0)}
        hops = 0
        refreshed = False
        while True:
            await slot.hold(current)
            ans = await self._send(
                client,
                method,
                current,
                cookies,
                trust=trust,
                cap=s.max_bytes if keep_body else 0,
                deadline=deadline,
                headers=headers,
            )
            # What this answer leads to (its redirect, refresh, links) is as trusted as
            # where it came from.
            trust = _answered_trust(trust, ans.peer, FROM_PUBLIC_REDIRECT)
            result.public_source = trust.public_only
            result.final_url = current
            result.status = ans.status
            result.headers = ans.headers
            result.content_type = ans.content_type
            result.retry_after = ans.retry_after
            target: str | None = None
            if ans.status in REDIRECT_STATUSES and "location" in ans.headers:
                target = ans.headers["location"]
                if ans.status == 303 and method != "HEAD":
                    method = "GET"
            elif (
                keep_body
                and ans.status == 200
                and (ans.content_type in HTML_TYPES or ans.content_type is None)
            ):
                # The page is read once, here: its meta refresh and oEmbed link come from the
                # extraction the caller gets in `result.meta` (off the event loop: a few ms).
                meta = await asyncio.to_thread(extract, ans.body, current, ans.headers)
                target = None if refreshed else meta.refresh_url
                if target is not None:
                    refreshed = True
                    try:
                        nxt = _redirect_target(current, target)
                    except _Failure:
                        target = None
                    else:
                        if nxt == current:
                            target = None
                if target is None:
                    self._finish(result, ans)
                    result.meta = meta
                    return
            else:
                self._finish(result, ans)
                return
            nxt = _redirect_target(current, target)
            hops += 1
            key = (nxt, len(cookies.jar))
            if key in seen:
                raise _Failure("redirect loop")
            if hops > s.max_redirects:
                raise _Failure("too many redirects")
            seen.add(key)
            current = nxt

    def _finish(self, result: FetchResult, ans: _Answer) -> None:
        result.body = ans.body
        result.truncated = ans.truncated
        if not 200 <= ans.status < 300:
            result.error = f"HTTP {ans.status}"

    async def _send(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        cookies: httpx.Cookies,
        *,
        trust: Trust,
        cap: int,
        deadline: float,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        idempotent: bool = True,
    ) -> _Answer:
        """One request with retries (connection errors, 5xx, 429), waits within the deadline.

        A request that must not run twice (`idempotent=False`: a POST that creates) is sent
        again only when it surely was not received: no connection, or 429 / 503 (refused
        before any work)."""
        s = self.settings
        loop = asyncio.get_running_loop()
        retry_on = RETRY_STATUSES if idempotent else RETRY_UNSENT_STATUSES
        attempt = 0
        while True:
            last = attempt >= s.retries
            delay: float
            try:
                ans = await self._send_once(
                    client,
                    method,
                    url,
                    cookies,
                    trust=trust,
                    cap=cap,
                    last=last,
                    headers=headers,
                    content=content,
                    retry_on=retry_on,
                )
            except _Failure as f:
                if not f.retryable or last or not (idempotent or f.unsent):
                    raise
                delay = self._backoff(attempt)
                failure: _Failure | None = f
            else:
                if ans.status not in retry_on or last:
                    return ans
                failure = None
                if ans.retry_after is not None:
                    delay = min(ans.retry_after, s.max_retry_after)
                else:
                    delay = self._backoff(attempt)
            if loop.time() + delay >= deadline:
                # Waiting would outlive the page's deadline: give the answer we have now.
                if failure is not None:
                    raise failure
                return ans
            await self._sleep(delay)
            attempt += 1

    def _backoff(self, attempt: int) -> float:
        return float(self.settings.backoff * (2**attempt) * (0.5 + self._rng.random()))

    async def _send_once(
        self,
        client: httpx.AsyncClient,
        method: str,
        url: str,
        cookies: httpx.Cookies,
        *,
        trust: Trust,
        cap: int,
        last: bool,
        headers: Mapping[str, str] | None = None,
        content: bytes | None = None,
        retry_on: frozenset[int] = RETRY_STATUSES,
    ) -> _Answer:
        try:
            request = client.build_request(
                method,
                url,
                cookies=cookies,
                headers=headers,
                content=content,
                extensions={_PUBLIC_ONLY: trust.public_only},
            )
        except (httpx.InvalidURL, ValueError) as exc:
            raise _Failure("invalid URL") from exc
        started = asyncio.get_running_loop().time()
        status: int | None = None
        error = "cut off"  # by the page's deadline, or the batch cancelled, unless set below
        try:
            response = await client.send(request, stream=True)
            status = response.status_code
            try:
                cookies.extract_cookies(response)
                headers = {k.lower(): v for k, v in response.headers.items()}
                ans = _Answer(
                    url=url,
                    status=response.status_code,
                    headers=headers,
                    content_type=media_type(headers.get("content-type")),
                    retry_after=parse_retry_after(
                        headers.get("retry-after"), dt.datetime.now(dt.UTC)
                    ),
                    peer=_peer(response),
                )
                skip = (
                    method == "HEAD"
                    or cap <= 0
                    or ans.status in REDIRECT_STATUSES
                    or (ans.status in retry_on and not last)
                )
                if not skip:
                    await self._read_body(response, ans, cap)
                error = ""
                return ans
            finally:
                await response.aclose()
        except httpx.HTTPError as exc:
            failure = _reason(exc, self.settings, before_response=status is None)
            error = failure.reason
            raise failure from exc
        except _Refused as refused:
            # Not retried: the same name would lead to the same address.
            error = f"refused: {refused} ({trust.origin})"
            raise _Failure(error) from refused
        except _Failure as failure:
            error = failure.reason
            raise
        finally:
            self._report(method, url, started, status, error or None)

    def _report(
        self, method: str, url: str, started: float, status: int | None, error: str | None
    ) -> None:
        if self._on_request is not None:
            seconds = asyncio.get_running_loop().time() - started
            self._on_request(RequestEvent(method, url, status, seconds, error))

    async def _read_body(self, response: httpx.Response, ans: _Answer, cap: int) -> None:
        """Read at most `cap` decoded bytes (and `cap` raw bytes); stop early once an HTML
        head is complete and `after_head_bytes` follow it."""
        encoding = response.headers.get("content-encoding", "").strip().lower()
        decoder = _Decoder(encoding.split(",")[-1].strip())
        is_html = ans.content_type in HTML_TYPES or ans.content_type is None
        buf = bytearray()
        raw = 0
        head_end = -1
        stop = False
        try:
            async for chunk in response.aiter_raw():
                raw += len(chunk)
                for piece in decoder.decode(chunk, cap - len(buf)):
                    start = max(0, len(buf) - 8)
                    buf += piece[: cap - len(buf)]
                    if is_html and head_end < 0:
                        window = bytes(buf[start:]).lower()
                        at = window.find(b"</head>")
                        if at < 0:
                            at = window.find(b"<body")
                        if at >= 0:
                            head_end = start + at
                    if len(buf) >= cap or (
                        head_end >= 0 and len(buf) - head_end >= self.settings.after_head_bytes
                    ):
                        stop = True
                        break
                if stop or raw >= cap:
                    ans.truncated = True
                    break
        except (httpx.RemoteProtocolError, httpx.ReadError):
            # A connection cut mid-body: a page whose whole <head> arrived still has its
            # title and metadata, which is all revue reads. Anything else has failed.
            if not (is_html and head_end >= 0 and ans.status == 200):
                raise
            ans.truncated = True
        # A page over the cap whose head never ends (50,000 <meta> tags, a gzip bomb after
        # its <title>) is still a page: what arrived is extracted, marked truncated.
        ans.body = bytes(buf)

    async def _oembed(
        self, client: httpx.AsyncClient, url: str, trust: Trust, deadline: float
    ) -> dict[str, Any] | None:
        """The provider's oEmbed JSON object, or None on any failure (bounded like a page)."""
        if urlsplit(url).scheme not in ("http", "https"):
            return None
        slot = _HostSlot(self)
        try:
            async with asyncio.timeout_at(deadline):
                cookies = httpx.Cookies()
                current = url
                for _ in range(self.settings.max_redirects + 1):
                    await slot.hold(current)
                    ans = await self._send_once(
                        client,
                        "GET",
                        current,
                        cookies,
                        trust=trust,
                        cap=OEMBED_MAX_BYTES,
                        last=True,
                    )
                    if ans.status in REDIRECT_STATUSES and "location" in ans.headers:
                        current = _redirect_target(current, ans.headers["location"])
                        trust = _answered_trust(trust, ans.peer, FROM_PUBLIC_REDIRECT)
                        continue
                    if ans.status != 200 or ans.truncated:
                        return None
                    # Made valid Unicode here, where it enters: a "\ud800" in a JSON string
                    # would fail the database later, far from its cause.
                    data = clean_json(json.loads(ans.body))
                    return data if isinstance(data, dict) else None
                return None
        except Exception:  # TimeoutError, _Failure, bad JSON...: the page stands without it
            return None
        finally:
            slot.release()


class ApiClient:
    """Synchronous calls to a web API for a command that talks to one (`revue publish`):
    `Fetcher.request` run on one event loop that lives as long as the `with` block, so the
    calls share a connection and keep every limit of the fetcher."""

    def __init__(
        self,
        settings: FetchSettings = DEFAULT_SETTINGS,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_request: RequestCallback | None = None,
    ) -> None:
        self.settings = settings
        self._fetcher = Fetcher(settings, transport=transport, on_request=on_request)
        self._runner: asyncio.Runner | None = None

    def __enter__(self) -> ApiClient:
        self._runner = asyncio.Runner()
        self._runner.run(self._fetcher.__aenter__())
        return self

    def __exit__(self, *exc: object) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            try:
                runner.run(self._fetcher.__aexit__())
            finally:
                runner.close()

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, str] | None = None,
        json_body: Any = None,
        headers: Mapping[str, str] | None = None,
        idempotent: bool = True,
    ) -> FetchResult:
        """See `Fetcher.request`."""
        if self._runner is None:
            raise RuntimeError("ApiClient.request outside its `with` block")
        return self._runner.run(
            self._fetcher.request(
                method,
                url,
                params=params,
                json_body=json_body,
                headers=headers,
                idempotent=idempotent,
            )
        )


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise _Failure("invalid URL") from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise _Failure(f"unsupported scheme {parts.scheme.lower()[:20] or 'none'}")
    if not parts.netloc:
        raise _Failure("invalid URL")
    return url.strip()


def _redirect_target(current: str, location: str) -> str:
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
    except ValueError as exc:
        raise _Failure("bad redirect") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _Failure(f"redirect to unsupported scheme {scheme[:20] or 'none'}")
    if not parts.netloc:
        raise _Failure("bad redirect")
    return target


def _chain(exc: BaseException) -> list[BaseException]:
    out: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(out) < 10:
        out.append(cur)
        cur = cur.__cause__ or cur.__context__
    return out


# getaddrinfo's answers for a name that does not exist (NXDOMAIN, or no address for it), as
# opposed to EAI_AGAIN, a resolver that did not answer (the network being down).
_NO_NAME = frozenset(
    code
    for code in (getattr(socket, "EAI_NONAME", None), getattr(socket, "EAI_NODATA", None))
    if code
)


def _reason(exc: httpx.HTTPError, s: FetchSettings, *, before_response: bool) -> _Failure:
    """A short reason for an httpx error; connection-level errors before a response retry."""
    chain = _chain(exc)
    text = " ".join(str(e) for e in chain).lower()

    def has(*kinds: type[BaseException]) -> bool:
        return any(isinstance(e, kinds) for e in chain)

    if isinstance(exc, httpx.ConnectTimeout):
        return _Failure(f"timeout after {_secs(s.connect_timeout)} s", retryable=True, unsent=True)
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(f"timeout after {_secs(s.read_timeout)} s")
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, socket.gaierror) and e.errno in _NO_NAME for e in chain):
            return _Failure(NO_SUCH_HOST)  # the name does not exist: no retry, now or later
        if has(socket.gaierror) or "name or service" in text or "nodename" in text:
            return _Failure("DNS lookup failed")  # retrying at once will not fix it
        if has(ssl.SSLError) or "certificate" in text:
            return _Failure("TLS error")
        if has(ConnectionRefusedError) or "refused" in text:
            return _Failure("connection refused", retryable=True, unsent=True)
        return _Failure("connection failed", retryable=True, unsent=True)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure("unsupported scheme")
    if isinstance(exc, httpx.DecodingError):
        return _Failure("bad content encoding")
    if isinstance(exc, httpx.RemoteProtocolError | httpx.ReadError | httpx.WriteError):
        if not before_response:
            return _Failure("incomplete body")
        if has(ConnectionResetError) or "reset" in text:
            return _Failure("connection reset", retryable=True)
        if "without sending" in text or "disconnected" in text:
            return _Failure("connection closed", retryable=True)
        if isinstance(exc, httpx.RemoteProtocolError):
            return _Failure("protocol error")
        return _Failure("connection reset", retryable=True)
    return _Failure(type(exc).__name__)


def fetch_one(
    url: str,
    settings: FetchSettings = DEFAULT_SETTINGS,
    *,
    trust: Trust,
    on_request: RequestCallback | None = None,
) -> FetchResult:
    """Fetch one URL synchronously (for scripts and the CLI; not from inside an event loop)."""

    out: list[FetchResult] = []

    async def run() -> None:
        # Returning None, not the result: Python 3.11's asyncio.run reprs the main task on
        # exit (signal handler check), which would format the whole body several times over.
        async with Fetcher(settings, on_request=on_request) as fetcher:
            out.append(await fetcher.fetch(url, trust=trust))

    asyncio.run(run())
    return out[0]
