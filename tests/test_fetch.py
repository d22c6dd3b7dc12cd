"""fetch.py against a real loopback server: every limit, every misbehaviour, bounded time.

Retry waits go through an injected fake sleep that records the delays, so no test waits for
a backoff; the only real waits are the short deadlines of the hostile-server tests.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import random
import socket
import struct
import threading
import time
import tracemalloc
import zlib
from collections.abc import Coroutine, Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any, TypeVar

import httpx
import pytest

from revue import __version__
from revue.models import FetchResult
from revue.web.extract import extract, find_oembed_link, find_refresh
from revue.web.fetch import (
    CURATOR,
    Fetcher,
    FetchSettings,
    error_kind,
    fetch_one,
    parse_retry_after,
    social_provider,
)

from loopback import LoopbackServer

T = TypeVar("T")

HTML = b"<!doctype html><html><head><title>Bonjour</title></head><body><p>Salut</p></body></html>"


def run(coro: Coroutine[Any, Any, T]) -> T:
    out: list[T] = []

    async def main() -> None:  # returns None: asyncio.run reprs its main task's result on exit
        out.append(await coro)

    asyncio.run(main())
    return out[0]


class FakeSleep:
    """Records the delays asked for and returns at once."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, delay: float) -> None:
        self.delays.append(delay)
        await asyncio.sleep(0)


def fetch(url: str, settings: FetchSettings | None = None, **kw: Any) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(settings or FetchSettings(), **kw) as f:
            return await f.fetch(url, trust=CURATOR)

    return run(go())


def quiet_write(h: BaseHTTPRequestHandler, data: bytes) -> bool:
    """Write, and say False once the client has gone (it stopped reading: that is the point)."""
    try:
        h.wfile.write(data)
        h.wfile.flush()
        return True
    except OSError:
        h.close_connection = True
        return False


def send_head(h: BaseHTTPRequestHandler, status: int = 200, **headers: str) -> None:
    h.send_response(status)
    for k, v in headers.items():
        h.send_header(k.replace("_", "-"), v)
    h.end_headers()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """conftest's server, polled every 20 ms instead of 500 ms so stopping it is quick."""
    srv = LoopbackServer()
    thread = threading.Thread(
        target=srv.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield srv
    finally:
        srv.stop()
        thread.join(2)


# --- the basics -------------------------------------------------------------------------------


def test_html_page_ok_with_headers_sent(server: LoopbackServer) -> None:
    url = server.route("/page", HTML, headers={"X-Thing": "yes"})
    r = fetch(url)
    assert r.ok, r.error
    assert (r.status, r.content_type, r.body, r.final_url) == (200, "text/html", HTML, url)
    assert r.headers["x-thing"] == "yes" and not r.truncated
    sent = {k.lower(): v for k, v in server.requests[-1][2].items()}
    assert "revue" in sent["user-agent"] and __version__ in sent["user-agent"]
    assert sent["accept-language"] == "fr-CA,fr;q=0.9,en;q=0.8"
    assert "cookie" not in sent


@pytest.mark.parametrize(
    ("ctype", "body"),
    [
        ("application/pdf", b"%PDF-1.4\n%%EOF\n"),
        ("image/png", b"\x89PNG\r\n\x1a\n" + bytes(100)),
        ("application/json", b'{"a": 1}'),
        ("text/plain; charset=utf-8", b"plain text"),
        ("text/html; charset=utf-8", b""),
    ],
)
def test_non_html_and_empty_bodies_are_ok(server: LoopbackServer, ctype: str, body: bytes) -> None:
    r = fetch(server.route("/doc", body, headers={"Content-Type": ctype}))
    assert r.ok, r.error
    assert r.content_type == ctype.split(";")[0]
    assert r.body == body


@pytest.mark.parametrize("status", [401, 403, 404, 410, 451])
def test_client_errors_fail_once_with_status(server: LoopbackServer, status: int) -> None:
    url = server.route("/e", b"<html><head></head>nope</html>", status=status)
    sleep = FakeSleep()
    r = fetch(url, sleep=sleep)
    assert (r.ok, r.error, r.status) == (False, f"HTTP {status}", status)
    assert r.body  # kept for the lead's blocked-page detection
    assert server.routes["/e"].hits == 1 and sleep.delays == []


def test_bad_urls_fail_without_raising() -> None:
    assert fetch("ftp://example.org/x").error == "unsupported scheme ftp"
    assert fetch("not a url").error == "unsupported scheme none"
    assert fetch("http://").error == "invalid URL"


def test_connection_refused_is_retried_then_fails() -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    sleep = FakeSleep()
    r = fetch(f"http://127.0.0.1:{port}/", sleep=sleep)
    assert r.error == "connection refused"
    assert len(sleep.delays) == 2


def test_every_failure_carries_its_kind_and_a_stored_sentence_reads_back_as_it(
    server: LoopbackServer,
) -> None:
    """The fetcher names each failure's kind on its result; a failure stored as its sentence
    (an item, an export restored) is read back as the same kind by `failure_of`, the one
    reader of those sentences."""
    from revue.models import FailureKind, failure_of

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    closed = sock.getsockname()[1]
    sock.close()
    server.route("/loop", status=302, headers={"Location": "/loop"})
    cases = {
        server.route("/gone", b"<html><head></head>gone</html>", status=404): FailureKind.GONE,
        server.route("/g410", b"<html><head></head>gone</html>", status=410): FailureKind.GONE,
        server.route("/down", b"<html><head></head>later</html>", status=500): FailureKind.HTTP,
        server.url("/loop"): FailureKind.REDIRECT,
        f"http://127.0.0.1:{closed}/": FailureKind.UNREACHABLE,
        "ftp://example.org/x": FailureKind.INVALID,
        "http://": FailureKind.INVALID,
    }
    settings = FetchSettings(retries=0)
    for url, kind in cases.items():
        r = fetch(url, settings, sleep=FakeSleep())
        assert (r.ok, r.failure) == (False, kind), (url, r.error)
        assert failure_of(r.error, r.status) is kind, r.error
    ok = fetch(server.route("/fine", HTML))
    assert (ok.failure, failure_of(ok.error, ok.status)) == (None, None)


def test_fetch_one_sync_helper(server: LoopbackServer) -> None:
    r = fetch_one(server.route("/one", HTML), trust=CURATOR)
    assert r.ok and r.body == HTML


# --- hostile servers --------------------------------------------------------------------------


def test_slow_drip_ends_at_total_deadline(server: LoopbackServer) -> None:
    def drip(h: BaseHTTPRequestHandler) -> None:
        send_head(h, Content_Type="text/html", Content_Length="1000")
        for _ in range(100):  # ends by itself even if nobody notices
            if not quiet_write(h, b"x"):
                return
            time.sleep(0.05)

    url = server.route("/drip", handler=drip)
    settings = FetchSettings(total_timeout=1.0, read_timeout=0.5)
    start = time.monotonic()
    r = fetch(url, settings)
    assert r.error == "timeout after 1 s"
    assert time.monotonic() - start < 4


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections and never answers."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
                held.append(conn)
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join(1)
        for conn in held:
            conn.close()
        listener.close()


def test_accept_and_never_answer_times_out(silent_server: str) -> None:
    sleep = FakeSleep()
    start = time.monotonic()
    r = fetch(silent_server, FetchSettings(read_timeout=0.3, total_timeout=1.5), sleep=sleep)
    assert r.error == "timeout after 0.3 s"
    assert sleep.delays == []  # a silent server is not hammered with retries
    assert time.monotonic() - start < 4


def test_total_deadline_applies_when_reads_never_time_out(silent_server: str) -> None:
    r = fetch(silent_server, FetchSettings(read_timeout=5, total_timeout=0.5))
    assert r.error == "timeout after 0.5 s"


def _big(h: BaseHTTPRequestHandler, head: bytes, size: int) -> None:
    send_head(h, Content_Type="text/html", Content_Length=str(len(head) + size))
    if not quiet_write(h, head):
        return
    block = b"<p>" + b"a" * 65_529 + b"</p>"
    for _ in range(size // len(block)):
        if not quiet_write(h, block):
            return


def test_ten_megabyte_page_is_truncated_not_failed(server: LoopbackServer) -> None:
    head = b"<html><head><title>Big</title></head><body>"
    url = server.route("/big", handler=lambda h: _big(h, head, 10_000_000))
    settings = FetchSettings(max_bytes=1_000_000, after_head_bytes=200_000)
    r = fetch(url, settings)
    assert r.ok, r.error
    assert r.truncated
    assert r.body.startswith(head)
    assert len(r.body) <= 200_000 + len(head) + 65_536  # stopped early, well under the cap


def test_huge_page_without_a_head_end_is_read_up_to_the_cap(server: LoopbackServer) -> None:
    # Not "too large": what arrived is extracted (test_untrusted_text covers the title).
    url = server.route("/nohead", handler=lambda h: _big(h, b"<html><head>", 10_000_000))
    r = fetch(url, FetchSettings(max_bytes=500_000))
    assert r.ok and r.truncated, r.error
    assert len(r.body) <= 500_000


def test_large_non_html_is_capped_and_ok(server: LoopbackServer) -> None:
    blob = bytes(2_000_000)
    r = fetch(
        server.route("/blob", blob, headers={"Content-Type": "application/pdf"}),
        FetchSettings(max_bytes=300_000),
    )
    assert r.ok and r.truncated and len(r.body) == 300_000


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = bytes(1_000_000)
    parts = [comp.compress(zeros) for _ in range(50)]  # 50 MB of zeros
    return b"".join([*parts, comp.flush()])


def test_gzip_bomb_costs_at_most_the_cap(server: LoopbackServer, gzip_bomb: bytes) -> None:
    assert len(gzip_bomb) < 100_000
    url = server.route(
        "/bomb", gzip_bomb, headers={"Content-Encoding": "gzip", "Content-Type": "text/plain"}
    )
    tracemalloc.start()
    try:
        r = fetch(url, FetchSettings(max_bytes=1_000_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert r.ok and r.truncated
    assert len(r.body) == 1_000_000
    assert peak < 3_500_000, peak  # never inflated the 50 MB


def test_gzip_and_deflate_bodies_are_decoded(server: LoopbackServer) -> None:
    gz = server.route("/gz", gzip.compress(HTML), headers={"Content-Encoding": "gzip"})
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    deflated = raw.compress(HTML) + raw.flush()
    df = server.route("/df", deflated, headers={"Content-Encoding": "deflate"})
    zl = server.route("/zl", zlib.compress(HTML), headers={"Content-Encoding": "deflate"})
    for url in (gz, df, zl):
        r = fetch(url)
        assert r.ok and r.body == HTML, (url, r.error)
    bad = server.route("/badgz", b"not gzip at all", headers={"Content-Encoding": "gzip"})
    assert fetch(bad).error == "bad content encoding"
    br = server.route("/br", b"xx", headers={"Content-Encoding": "br"})
    assert fetch(br).error == "unsupported content encoding br"


def test_truncated_chunked_body_fails(server: LoopbackServer) -> None:
    def chunked(h: BaseHTTPRequestHandler) -> None:
        send_head(h, Content_Type="text/html", Transfer_Encoding="chunked")
        quiet_write(h, b"10\r\n<html><head></he\r\n")
        h.close_connection = True  # and never send the last chunk

    r = fetch(server.route("/chunked", handler=chunked))
    assert r.error == "incomplete body"


def test_body_cut_after_a_complete_head_keeps_the_page(server: LoopbackServer) -> None:
    def cut(h: BaseHTTPRequestHandler) -> None:
        send_head(h, Content_Type="text/html; charset=utf-8", Transfer_Encoding="chunked")
        part = b"<html><head><title>Le titre</title></head><body><p>D\xc3\xa9but"
        quiet_write(h, f"{len(part):x}\r\n".encode() + part + b"\r\n")
        h.close_connection = True  # and never send the rest

    r = fetch(server.route("/cut", handler=cut))
    assert r.ok and r.truncated
    assert extract(r.body, r.final_url or "").title == "Le titre"


def test_connection_reset_is_retried_then_fails(server: LoopbackServer) -> None:
    def reset(h: BaseHTTPRequestHandler) -> None:
        h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        h.connection.close()
        h.close_connection = True

    sleep = FakeSleep()
    r = fetch(server.route("/reset", handler=reset), sleep=sleep)
    assert r.error in {"connection reset", "connection closed"}
    assert server.routes["/reset"].hits == 3
    assert len(sleep.delays) == 2


# --- redirects --------------------------------------------------------------------------------


def test_redirect_chain_records_final_url(server: LoopbackServer) -> None:
    final = server.route("/final", HTML)
    server.route("/r3", status=301, headers={"Location": final})
    server.route("/r2", status=307, headers={"Location": "/r3"})
    start = server.route("/r1", status=302, headers={"Location": server.url("/r2")})
    r = fetch(start)
    assert r.ok and r.final_url == final and r.url == start and r.body == HTML


def test_relative_redirect(server: LoopbackServer) -> None:
    target = server.route("/a/b/target", HTML)
    r = fetch(server.route("/a/c/start", status=303, headers={"Location": "../b/target"}))
    assert r.ok and r.final_url == target


def test_redirect_loop(server: LoopbackServer) -> None:
    server.route("/loop1", status=302, headers={"Location": "/loop2"})
    server.route("/loop2", status=302, headers={"Location": "/loop1"})
    r = fetch(server.url("/loop1"))
    assert r.error == "redirect loop"
    assert server.routes["/loop1"].hits == 1


def test_too_many_redirects(server: LoopbackServer) -> None:
    for i in range(6):
        server.route(f"/hop{i}", status=301, headers={"Location": f"/hop{i + 1}"})
    server.route("/hop6", HTML)
    r = fetch(server.url("/hop0"), FetchSettings(max_redirects=3))
    assert r.error == "too many redirects"
    assert fetch(server.url("/hop0"), FetchSettings(max_redirects=6)).ok


def test_redirect_to_ftp_is_a_failure(server: LoopbackServer) -> None:
    url = server.route("/toftp", status=302, headers={"Location": "ftp://example.org/file"})
    r = fetch(url)
    assert r.error == "redirect to unsupported scheme ftp"
    assert error_kind(r.error) == "unsupported scheme"


def test_redirect_without_location_is_an_http_error(server: LoopbackServer) -> None:
    assert fetch(server.route("/noloc", status=302)).error == "HTTP 302"
    assert fetch(server.route("/choices", HTML, status=300)).error == "HTTP 300"


def test_cookies_live_within_one_page_only(server: LoopbackServer) -> None:
    def set_cookie(h: BaseHTTPRequestHandler) -> None:
        send_head(h, 302, Location="/landing", Set_Cookie="consent=yes; Path=/", Content_Length="0")

    server.route("/consent", handler=set_cookie)
    server.route("/landing", HTML)

    async def go() -> None:
        async with Fetcher() as f:
            assert (await f.fetch(server.url("/consent"), trust=CURATOR)).ok
            assert (await f.fetch(server.url("/landing"), trust=CURATOR)).ok

    run(go())
    cookies = [{k.lower(): v for k, v in r[2].items()}.get("cookie") for r in server.requests]
    assert cookies == [None, "consent=yes", None]


# --- status codes and retries -----------------------------------------------------------------


def test_500_retries_with_backoff_then_fails(server: LoopbackServer) -> None:
    url = server.route("/boom", b"oops", status=500)
    sleep = FakeSleep()
    r = fetch(url, FetchSettings(retries=2, backoff=0.5), sleep=sleep, rng=random.Random(1))
    assert (r.error, r.status) == ("HTTP 500", 500)
    assert server.routes["/boom"].hits == 3
    assert len(sleep.delays) == 2
    assert 0.25 <= sleep.delays[0] <= 0.75 and 0.5 <= sleep.delays[1] <= 1.5


def _sequence(*answers: tuple[int, dict[str, str], bytes]) -> Any:
    calls = iter(answers)

    def handler(h: BaseHTTPRequestHandler) -> None:
        status, headers, body = next(calls)
        send_head(h, status, Content_Length=str(len(body)), **headers)
        quiet_write(h, body)

    return handler


def test_503_then_200_recovers(server: LoopbackServer) -> None:
    url = server.route("/flaky", handler=_sequence((503, {}, b"busy"), (200, {}, HTML)))
    sleep = FakeSleep()
    r = fetch(url, sleep=sleep)
    assert r.ok and r.body == HTML and r.status == 200
    assert len(sleep.delays) == 1


@pytest.mark.parametrize(("retry_after", "expected"), [("3", 3.0), ("120", 10.0), ("0", 0.0)])
def test_429_honours_retry_after_capped(
    server: LoopbackServer, retry_after: str, expected: float
) -> None:
    url = server.route(
        "/limited",
        handler=_sequence((429, {"Retry_After": retry_after}, b""), (200, {}, HTML)),
    )
    sleep = FakeSleep()
    r = fetch(url, sleep=sleep)
    assert r.ok
    assert sleep.delays == [expected]


def test_retry_wait_beyond_the_deadline_gives_up_at_once(server: LoopbackServer) -> None:
    url = server.route("/later", status=429, headers={"Retry-After": "8"})
    sleep = FakeSleep()
    r = fetch(url, FetchSettings(total_timeout=5), sleep=sleep)
    assert (r.error, r.retry_after) == ("HTTP 429", 8.0)
    assert sleep.delays == [] and server.routes["/later"].hits == 1


def test_parse_retry_after_http_date() -> None:
    import datetime as dt

    now = dt.datetime(2024, 3, 19, 12, 0, 0, tzinfo=dt.UTC)
    assert parse_retry_after("Tue, 19 Mar 2024 12:00:30 GMT", now) == 30.0
    assert parse_retry_after("Tue, 19 Mar 2024 11:00:00 GMT", now) == 0.0
    assert parse_retry_after("soon", now) is None
    assert parse_retry_after(None, now) is None


# --- meta refresh -----------------------------------------------------------------------------


def _refresh_page(target: str) -> bytes:
    return (
        f'<html><head><meta http-equiv="Refresh" content="0; URL={target}"></head></html>'.encode()
    )


def test_meta_refresh_followed_once(server: LoopbackServer) -> None:
    second = server.route("/second", _refresh_page("/third"))
    server.route("/third", HTML)
    r = fetch(server.route("/first", _refresh_page("/second")))
    assert r.ok and r.final_url == second  # the second refresh is not followed
    assert server.routes["/third"].hits == 0


def test_the_page_is_read_once_and_its_metadata_kept(server: LoopbackServer) -> None:
    # The refresh in the body is found by the same reading that gives the title.
    body = (b"<html><head><title>Avant</title></head><body>"
            b'<meta http-equiv="refresh" content="0;url=/after"></body></html>')  # fmt: skip
    after = server.route("/after", HTML)
    r = fetch(server.route("/before", body))
    assert r.ok and r.final_url == after
    assert r.meta is not None and r.meta.title == "Bonjour" and r.meta.url == after


def test_meta_refresh_in_noscript_is_ignored(server: LoopbackServer) -> None:
    page = b'<html><head><noscript><meta http-equiv="refresh" content="0;url=/nojs"></noscript>'
    url = server.route("/js", page + b"</head></html>")
    r = fetch(url)
    assert r.ok and r.final_url == url


def test_refresh_to_a_missing_page_fails_like_a_redirect(server: LoopbackServer) -> None:
    r = fetch(server.route("/ref404", _refresh_page("/missing")))
    assert r.error == "HTTP 404"  # followed like a redirect: its result is the page's


def test_find_refresh_variants() -> None:
    assert find_refresh(b'<meta http-equiv="refresh" content="5;url=\'/x\'">') == "/x"
    assert find_refresh(b'<meta http-equiv=refresh content="0;https://a.b/c">') == "https://a.b/c"
    assert find_refresh(b'<meta http-equiv="refresh" content="300">') is None
    assert find_refresh(b'<meta http-equiv="refresh" content="600; url=/x">') is None
    assert find_refresh(b"<!-- <meta http-equiv=refresh content='0;url=/x'> -->") is None


# --- concurrency ------------------------------------------------------------------------------


def test_per_host_limit(server: LoopbackServer) -> None:
    lock = threading.Lock()
    state = {"now": 0, "max": 0}

    def counted(h: BaseHTTPRequestHandler) -> None:
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
        time.sleep(0.05)
        with lock:
            state["now"] -= 1
        send_head(h, Content_Type="text/html", Content_Length=str(len(HTML)))
        quiet_write(h, HTML)

    server.route("/c", handler=counted)
    urls = [server.url(f"/c?i={i}") for i in range(24)]

    async def go() -> list[FetchResult]:
        async with Fetcher(FetchSettings(concurrency=16, per_host=3)) as f:
            return [r async for r in f.fetch_many(urls, trust=CURATOR)]

    results = run(go())
    assert sorted(r.url for r in results) == sorted(urls)
    assert all(r.ok for r in results)
    assert state["max"] == 3


def test_fetch_many_mixes_good_and_bad(server: LoopbackServer, silent_server: str) -> None:
    good = [server.route(f"/good{i}", HTML) for i in range(5)]
    bad = [
        server.route("/gone", status=410),
        server.url("/missing"),
        "ftp://example.org/",
        silent_server,
    ]
    server.route("/loopy", status=302, headers={"Location": "/loopy"})
    bad.append(server.url("/loopy"))

    async def go() -> dict[str, FetchResult]:
        settings = FetchSettings(read_timeout=0.3, total_timeout=1, concurrency=4)
        async with Fetcher(settings, sleep=FakeSleep()) as f:
            return {r.url: r async for r in f.fetch_many(iter(good + bad), trust=CURATOR)}

    results = run(go())
    assert set(results) == set(good + bad)
    assert all(results[u].ok and results[u].body == HTML for u in good)
    assert [results[u].error for u in bad] == [
        "HTTP 410",
        "HTTP 404",
        "unsupported scheme ftp",
        "timeout after 0.3 s",
        "redirect loop",
    ]


def test_fetch_many_stops_cleanly_when_the_caller_stops(server: LoopbackServer) -> None:
    server.route("/p", HTML)
    urls = (server.url(f"/p?i={i}") for i in range(1000))

    async def go() -> int:
        seen = 0
        async with Fetcher(FetchSettings(concurrency=4)) as f:
            gen = f.fetch_many(urls, trust=CURATOR)
            async for _ in gen:
                seen += 1
                if seen == 10:
                    break
            await gen.aclose()  # type: ignore[attr-defined]
        return seen

    assert run(go()) == 10
    assert server.routes["/p"].hits < 40  # URLs are pulled lazily, not all at once


def test_head_or_get_falls_back_to_get(server: LoopbackServer) -> None:
    def no_head(h: BaseHTTPRequestHandler) -> None:
        status = 405 if h.command == "HEAD" else 200
        send_head(h, status, Content_Type="text/html", Content_Length=str(len(HTML)))
        if h.command == "GET":
            quiet_write(h, HTML)

    plain = server.route("/plain", HTML)
    picky = server.route("/picky", handler=no_head)

    async def go() -> tuple[FetchResult, FetchResult]:
        async with Fetcher() as f:
            return await f.head_or_get(plain, trust=CURATOR), await f.head_or_get(
                picky, trust=CURATOR
            )

    a, b = run(go())
    assert a.ok and a.status == 200 and a.body == b""
    assert b.ok and b.status == 200 and b.body == b""
    assert [m for m, p, _ in server.requests] == ["HEAD", "HEAD", "GET"]


# --- oEmbed -----------------------------------------------------------------------------------


class ToLoopback(httpx.AsyncBaseTransport):
    """Sends every request, whatever its host, to the loopback server: no internet, ever."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inner = httpx.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(scheme="http", host="127.0.0.1", port=self.port)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


OEMBED = {"type": "video", "title": "Un chat", "author_name": "Chaîne", "html": "<iframe>"}


def test_youtube_oembed(server: LoopbackServer) -> None:
    server.route("/watch", HTML)
    server.route("/oembed", json.dumps(OEMBED), headers={"Content-Type": "application/json"})
    r = fetch("https://www.youtube.com/watch?v=abc123", transport=ToLoopback(server.port))
    assert r.ok and r.oembed == OEMBED and r.body == HTML
    paths = sorted(p for _, p, _ in server.requests)
    assert paths[0].startswith("/oembed?url=https%3A%2F%2Fwww.youtube.com%2Fwatch%3Fv%3Dabc123")
    assert "format=json" in paths[0]


def test_x_post_behind_a_wall_is_ok_through_oembed(server: LoopbackServer) -> None:
    server.route("/jack/status/20", b"<html>login</html>", status=403)
    server.route("/oembed", json.dumps(OEMBED), headers={"Content-Type": "application/json"})
    r = fetch("https://x.com/jack/status/20", transport=ToLoopback(server.port))
    assert r.ok and r.status == 403 and r.oembed == OEMBED


def test_mastodon_oembed_on_any_host(server: LoopbackServer) -> None:
    url = server.route("/@alice/109876543210", HTML)
    server.route("/api/oembed", json.dumps(OEMBED), headers={"Content-Type": "application/json"})
    r = fetch(url)
    assert r.ok and r.oembed == OEMBED


def test_discovered_oembed_link_is_used(server: LoopbackServer) -> None:
    page = (
        b'<html><head><link rel="alternate" type="application/json+oembed" '
        b'href="/custom-oembed?u=1"></head></html>'
    )
    url = server.route("/users/bob/statuses/42", page)
    server.route("/custom-oembed", json.dumps(OEMBED))
    r = fetch(url)  # /api/oembed is a 404 here: the page's own link is the fallback
    assert r.ok and r.oembed == OEMBED


def test_configured_host_pattern_and_failing_oembed(server: LoopbackServer) -> None:
    url = server.route("/anything", HTML)
    server.route("/broken", b"not json", headers={"Content-Type": "application/json"})
    settings = FetchSettings(oembed_endpoints={"127.0.0.1": server.url("/broken")})
    r = fetch(url, settings)
    assert r.ok and r.oembed is None  # a failing oEmbed does not fail the page
    assert server.routes["/broken"].hits == 1


def test_social_provider_detection() -> None:
    assert social_provider("https://twitter.com/jack/status/20") == "twitter"
    assert social_provider("https://x.com/jack/status/20?s=1") == "twitter"
    assert social_provider("https://x.com/jack") is None
    assert social_provider("https://fxtwitter.com/jack/status/20") == "twitter"  # a mirror
    assert social_provider("https://mobile.twitter.com/jack/status/20") == "twitter"
    assert social_provider("https://bsky.app/profile/did:plc:abc/post/3k") == "bluesky"
    assert social_provider("https://www.youtube.com/watch?v=abc") == "youtube"
    assert social_provider("https://youtube.com/shorts/abc") == "youtube"
    assert social_provider("https://youtu.be/abc") == "youtube"
    assert social_provider("https://www.youtube.com/@chan") is None
    assert social_provider("https://vimeo.com/123456") == "vimeo"
    assert social_provider("https://bsky.app/profile/a.bsky.social/post/3k") == "bluesky"
    assert social_provider("https://mastodon.social/@gargron/109876543") == "mastodon"
    assert social_provider("https://medium.com/@author/some-story-1a2b") is None
    assert social_provider("https://www.lapresse.ca/affaires/2023-11-06/x.php") is None
    assert social_provider("http://h.example:81/x", {"h.example:81": "http://o/"}) == (
        "h.example:81"
    )


def test_find_oembed_link() -> None:
    head = b"<link type='application/json+oembed' rel='alternate' href='https://a/o?x=1&amp;y=2'>"
    assert find_oembed_link(head) == "https://a/o?x=1&y=2"
    assert find_oembed_link(b"<link rel=stylesheet href=x.css>") is None


def test_error_kind_groups_reasons() -> None:
    assert error_kind("timeout after 20 s") == "timeout"
    assert error_kind("timeout after 0.3 s") == "timeout"
    assert error_kind("HTTP 404") == "HTTP 404"
    assert error_kind("redirect loop") == "redirect loop"
    assert error_kind("unsupported scheme ftp") == "unsupported scheme"
    assert error_kind("unexpected error: KeyError") == "unexpected error"


def test_fetch_many_reraises_a_failing_url_source(server: LoopbackServer) -> None:
    server.route("/p", HTML)

    def urls() -> Iterator[str]:
        yield server.url("/p")
        raise OSError("the links file went away")

    async def go() -> list[FetchResult]:
        async with Fetcher(FetchSettings(concurrency=2)) as f:
            return [r async for r in f.fetch_many(urls(), trust=CURATOR)]

    with pytest.raises(OSError, match="went away"):
        run(go())


def test_a_host_that_does_not_exist_is_a_permanent_failure_a_resolver_down_is_not() -> None:
    """NXDOMAIN says the link is dead: `revue fetch` leaves it alone. A resolver that did not
    answer (EAI_AGAIN: the network is down) is tried again later, like a 503; so is a 400."""
    import socket

    import httpx

    from revue.models import FailureKind, FetchResult, failure_of
    from revue.web.fetch import DEFAULT_SETTINGS, _reason

    def failure(code: int) -> Any:
        try:
            try:
                raise socket.gaierror(code, "lookup")
            except socket.gaierror as exc:
                raise httpx.ConnectError("lookup") from exc
        except httpx.ConnectError as exc:
            return _reason(exc, DEFAULT_SETTINGS, before_response=True)

    assert failure(socket.EAI_NONAME).reason == "no such host"
    assert failure(socket.EAI_AGAIN).reason == "DNS lookup failed"
    assert failure(socket.EAI_NONAME).kind is FailureKind.NO_HOST
    for status, error, gone in [
        (404, "HTTP 404", True),
        (410, "HTTP 410", True),
        (None, "no such host", True),
        (None, "DNS lookup failed", False),
        (503, "HTTP 503", False),
        (400, "HTTP 400", False),
        (200, None, False),
    ]:
        # As the fetcher sets it: the kind beside the sentence.
        result = FetchResult(url="https://a.example/", status=status, error=error)
        result.failure = failure_of(error, status)
        assert result.permanent is gone
