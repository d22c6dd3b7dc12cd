"""The address policy: whose word a URL is (`Trust`), what kind of address an IP is, and
the connection pool that connects the public web's requests to checked public addresses only
(no SSRF, no DNS rebinding)."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any

import httpcore
import httpx

from revue.web.limits import FetchSettings

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
