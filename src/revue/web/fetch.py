"""Fetch web pages with every limit enforced: with the modules beside it, the only place that
talks HTTP (httpx). Beside it: `limits` (the settings, the failures and their kinds, bounded
decoding), `addresses` (the address policy: `Trust` and the checked-address pool), `oembed`
(social posts' providers and answers) and `api` (`ApiClient`, for publish targets). The
fetcher's names callers use are importable from here.

Contract:

- `Fetcher.fetch(url)` returns a `FetchResult` and never raises (except `CancelledError`):
  every failure becomes a short `error` reason ("timeout after 20 s", "HTTP 404",
  "redirect loop", "connection reset", ...) and its kind, `failure` (a `models.FailureKind`:
  what other layers read). `error_kind()` groups reasons for the fetch summary.
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
import json
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Mapping
from http.cookiejar import DefaultCookiePolicy
from typing import Any
from urllib.parse import urlsplit

import httpx

from revue.models import GONE_STATUSES, HTML_TYPES, FailureKind, FetchResult
from revue.sanitize import clean_json
from revue.web.addresses import (
    _PUBLIC_ONLY,
    CURATOR,
    FROM_MAIL,
    FROM_NEWSLETTER,
    FROM_PUBLIC_FEED,
    FROM_PUBLIC_PAGE,
    FROM_PUBLIC_REDIRECT,
    Resolver,
    Trust,
    _answered_trust,
    _peer,
    _Refused,
    _TrustTransport,
    address_kind,
    system_resolve,
)
from revue.web.extract import extract
from revue.web.limits import (
    ACCEPT,
    ACCEPT_ENCODING,
    ACCEPT_LANGUAGE,
    DEFAULT_SETTINGS,
    HEAD_REFUSED,
    REDIRECT_STATUSES,
    RETRY_STATUSES,
    RETRY_UNSENT_STATUSES,
    FetchSettings,
    RequestCallback,
    RequestEvent,
    _Answer,
    _check_url,
    _Decoder,
    _Failure,
    _reason,
    _redirect_target,
    _secs,
    error_kind,
    media_type,
    parse_retry_after,
)
from revue.web.oembed import (
    DEFAULT_OEMBED_ENDPOINTS,
    OEMBED_MAX_BYTES,
    request_url,
    social_provider,
)

# What callers import from here: the fetcher's whole surface, wherever each piece lives.
__all__ = [
    "CURATOR",
    "DEFAULT_OEMBED_ENDPOINTS",
    "DEFAULT_SETTINGS",
    "FROM_MAIL",
    "FROM_NEWSLETTER",
    "FROM_PUBLIC_FEED",
    "FROM_PUBLIC_PAGE",
    "FROM_PUBLIC_REDIRECT",
    "REDIRECT_STATUSES",
    "FetchSettings",
    "Fetcher",
    "RequestCallback",
    "RequestEvent",
    "Resolver",
    "Trust",
    "address_kind",
    "error_kind",
    "fetch_one",
    "media_type",
    "parse_retry_after",
    "social_provider",
    "system_resolve",
]


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
            return FetchResult(url=url, error="invalid URL", failure=FailureKind.INVALID)
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
            result.failure = FailureKind.TIMEOUT
        except _Failure as f:
            result.error, result.failure = f.reason, f.kind
        except Exception as exc:  # an answer must never crash the caller with a traceback
            result.error = f"unexpected error: {type(exc).__name__}"
            result.failure = FailureKind.UNEXPECTED
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
            return FetchResult(
                url=url,
                error=f"unexpected error: {type(exc).__name__}",
                failure=FailureKind.UNEXPECTED,
            )

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
                    self._oembed(client, request_url(endpoint, url), where, deadline)
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
                # The post is known even if its page is a wall.
                result.error, result.failure = None, None
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
            result.failure = FailureKind.TIMEOUT
        except _Failure as f:
            result.error, result.failure = f.reason, f.kind
        except Exception as exc:  # untrusted input must never crash a batch
            result.error = f"unexpected error: {type(exc).__name__}"
            result.failure = FailureKind.UNEXPECTED
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
                raise _Failure("redirect loop", FailureKind.REDIRECT)
            if hops > s.max_redirects:
                raise _Failure("too many redirects", FailureKind.REDIRECT)
            seen.add(key)
            current = nxt

    def _finish(self, result: FetchResult, ans: _Answer) -> None:
        result.body = ans.body
        result.truncated = ans.truncated
        if not 200 <= ans.status < 300:
            result.error = f"HTTP {ans.status}"
            gone = ans.status in GONE_STATUSES
            result.failure = FailureKind.GONE if gone else FailureKind.HTTP

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
            raise _Failure("invalid URL", FailureKind.INVALID) from exc
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
            raise _Failure(error, FailureKind.REFUSED) from refused
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
