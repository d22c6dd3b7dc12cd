"""Every limit of a fetch, the failures it names, and the pieces of one bounded answer.

A failure is a short reason ("timeout after 20 s", "HTTP 404", "redirect loop", ...);
`error_kind()` groups reasons for summaries. Bodies are decoded with a bound on each step
(`_Decoder`), so a gzip bomb costs at most the cap."""

from __future__ import annotations

import datetime as dt
import email.utils
import socket
import ssl
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from revue import __version__
from revue.models import NO_SUCH_HOST, FailureKind
from revue.web.oembed import DEFAULT_OEMBED_ENDPOINTS

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

READ_STEP = 65_536  # most bytes one decompression step may produce


@dataclass(frozen=True)
class FetchSettings:
    """Every limit of a fetch. revue.config builds it from the [fetch] TOML table by field name."""

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

    def __init__(
        self,
        reason: str,
        kind: FailureKind = FailureKind.NETWORK,
        *,
        retryable: bool = False,
        unsent: bool = False,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.kind = kind
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


def _check_url(url: str) -> str:
    try:
        parts = urlsplit(url.strip())
    except ValueError as exc:
        raise _Failure("invalid URL", FailureKind.INVALID) from exc
    if parts.scheme.lower() not in ("http", "https"):
        raise _Failure(
            f"unsupported scheme {parts.scheme.lower()[:20] or 'none'}", FailureKind.INVALID
        )
    if not parts.netloc:
        raise _Failure("invalid URL", FailureKind.INVALID)
    return url.strip()


def _redirect_target(current: str, location: str) -> str:
    try:
        target = urljoin(current, location.strip())
        parts = urlsplit(target)
    except ValueError as exc:
        raise _Failure("bad redirect", FailureKind.REDIRECT) from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise _Failure(
            f"redirect to unsupported scheme {scheme[:20] or 'none'}", FailureKind.REDIRECT
        )
    if not parts.netloc:
        raise _Failure("bad redirect", FailureKind.REDIRECT)
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
        return _Failure(
            f"timeout after {_secs(s.connect_timeout)} s",
            FailureKind.TIMEOUT,
            retryable=True,
            unsent=True,
        )
    if isinstance(exc, httpx.TimeoutException):
        return _Failure(f"timeout after {_secs(s.read_timeout)} s", FailureKind.TIMEOUT)
    if isinstance(exc, httpx.ConnectError):
        if any(isinstance(e, socket.gaierror) and e.errno in _NO_NAME for e in chain):
            return _Failure(
                NO_SUCH_HOST, FailureKind.NO_HOST
            )  # the name does not exist: no retry, now or later
        if has(socket.gaierror) or "name or service" in text or "nodename" in text:
            return _Failure(
                "DNS lookup failed", FailureKind.DNS
            )  # retrying at once will not fix it
        if has(ssl.SSLError) or "certificate" in text:
            return _Failure("TLS error")
        if has(ConnectionRefusedError) or "refused" in text:
            return _Failure(
                "connection refused", FailureKind.UNREACHABLE, retryable=True, unsent=True
            )
        return _Failure("connection failed", retryable=True, unsent=True)
    if isinstance(exc, httpx.UnsupportedProtocol):
        return _Failure("unsupported scheme", FailureKind.INVALID)
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
