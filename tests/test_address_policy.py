"""No SSRF: what the public web says never leads revue to a loopback, private, link-local,
unique-local, multicast or unspecified address; what the curator types may go anywhere.

Tests have no internet: a second loopback address, 127.0.0.2, stands for it (the module's
test-only `TEST_PUBLIC_ADDRESSES`), and 127.0.0.1 is the curator's own machine, the address
a hostile feed or page would like revue to reach.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.errors import ExitCode
from revue.models import FailureKind
from revue.web import addresses, fetch
from revue.web.fetch import CURATOR, FROM_PUBLIC_FEED, Fetcher, FetchSettings, Trust

from clihelp import run, run_json
from loopback import LoopbackServer

PUBLIC = "127.0.0.2"
SECRET = "<html><head><title>Admin secrets</title></head><body>token=hunter2</body></html>"
STORY = "<html><head><title>A public story</title></head><body><p>Text.</p></body></html>"
SETTINGS = FetchSettings(retries=0, total_timeout=10)


@pytest.fixture
def internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    """A server "on the internet": 127.0.0.2, counted as public for this test only."""
    monkeypatch.setattr(addresses, "TEST_PUBLIC_ADDRESSES", frozenset({PUBLIC}))
    srv = LoopbackServer(host=PUBLIC).start()
    try:
        yield srv
    finally:
        srv.stop()


def rss(*links: str) -> str:
    # Short descriptions: not enough to stand for the page, so each entry's page is fetched.
    items = "".join(
        f"<item><title>Entry {n}</title><link>{link}</link><description>x</description></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>A public feed</title><link>http://{PUBLIC}/</link>{items}</channel></rss>"
    )


def feed_route(srv: LoopbackServer, *links: str) -> str:
    return srv.route("/feed.xml", rss(*links), headers={"Content-Type": "application/rss+xml"})


def by_url(items: list[dict[str, object]]) -> dict[object, dict[str, object]]:
    return {i["original_url"] or i["url"]: i for i in items}


def fetch_with(trust: Trust, url: str, **kwargs: object) -> fetch.FetchResult:
    async def go() -> fetch.FetchResult:
        async with Fetcher(SETTINGS, **kwargs) as fetcher:  # type: ignore[arg-type]
            return await fetcher.fetch(url, trust=trust)

    return asyncio.run(go())


# --- feeds ------------------------------------------------------------------------------------


def test_a_public_feeds_link_to_loopback_is_refused_not_retried_and_not_published(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    admin = server.route("/admin", SECRET)
    story = internet.route("/story", STORY)
    run("feed", "add", feed_route(internet, admin, story))
    pulled = run("feed", "pull", code=ExitCode.PARTIAL)  # one item failed
    assert server.routes["/admin"].hits == 0  # not a byte asked of the loopback server
    items = by_url(run_json("list"))
    assert items[admin]["status"] == "failed"
    assert items[admin]["error"] == (
        "refused: 127.0.0.1 is a loopback address (found in a public feed)"
    )
    assert "refused: 127.0.0.1 is a loopback address" in pulled.stderr
    # Entries on public addresses are fetched as ever.
    assert items[story]["status"] == "ok" and items[story]["title"] == "A public story"
    # cron does not try it again and again: the same name would be refused again.
    assert "nothing to fetch" in run("fetch").stderr
    assert server.routes["/admin"].hits == 0
    # The weekly review leaves it out, and never says what the loopback page holds.
    review = run("compose", "--out", "-").stdout
    assert "A public story" in review
    assert "Admin secrets" not in review and admin not in review


def test_the_curator_typing_the_same_loopback_link_fetches_it(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    """The origin of a request matters, not its address: refused from a public feed,
    fetched when the curator types it."""
    admin = server.route("/admin", SECRET)
    run("feed", "add", feed_route(internet, admin))
    run("feed", "pull", code=ExitCode.PARTIAL)
    assert server.routes["/admin"].hits == 0
    [item] = run_json("add", admin)
    assert item["status"] == "ok" and item["title"] == "Admin secrets"
    assert server.routes["/admin"].hits == 1


def test_the_entries_of_a_feed_the_curators_own_network_serves_are_theirs(
    server: LoopbackServer,
) -> None:
    """A feed on the curator's own network (here 127.0.0.1) lists their own pages."""
    page = server.route("/intranet/page", STORY)
    run("feed", "add", feed_route(server, page))
    run("feed", "pull")
    [item] = run_json("list")
    assert item["status"] == "ok" and item["title"] == "A public story"


def test_a_feed_a_public_page_advertises_on_loopback_is_not_fetched(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    hidden = server.route("/feed.xml", rss(), headers={"Content-Type": "application/rss+xml"})
    home = internet.route(
        "/", f'<html><head><link rel="alternate" type="application/rss+xml" href="{hidden}">'
    )
    out = run("feed", "add", home, code=ExitCode.BAD_INPUT)
    assert "links to no working feed" in out.stderr
    assert server.routes["/feed.xml"].hits == 0


# --- redirects --------------------------------------------------------------------------------


def test_a_public_pages_redirect_to_loopback_is_refused_even_from_the_curators_link(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    """The curator typed a public address; where it redirects is the public host's word."""
    server.route("/admin", SECRET)
    go = internet.route("/go", status=302, headers={"Location": server.url("/admin")})
    [item] = run_json("add", go, code=ExitCode.PARTIAL)
    assert item["status"] == "failed"
    assert item["error"] == (
        "refused: 127.0.0.1 is a loopback address (redirected by a public address)"
    )
    assert server.routes["/admin"].hits == 0


@pytest.mark.parametrize(
    ("target", "refusal"),
    [
        ("http://10.0.0.5/", "10.0.0.5 is a private address"),
        ("http://192.168.1.1/", "192.168.1.1 is a private address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is a link-local address"),
        ("http://[fe80::1]/", "fe80::1 is a link-local address"),
        ("http://[fd00::1]/", "fd00::1 is a unique-local address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:127.0.0.1]/", "::ffff:127.0.0.1 is a loopback address"),
        ("http://224.0.0.1/", "224.0.0.1 is a multicast address"),
        ("http://0.0.0.0/", "0.0.0.0 is an unspecified address"),
        ("http://100.64.0.1/", "100.64.0.1 is a reserved address"),
    ],
)
def test_a_public_redirect_to_a_non_public_address_is_refused(
    internet: LoopbackServer, target: str, refusal: str
) -> None:
    url = internet.route("/go", status=301, headers={"Location": target})
    result = fetch_with(CURATOR, url)
    assert result.error == f"refused: {refusal} (redirected by a public address)"
    assert result.failure is FailureKind.REFUSED
    assert result.status == 301  # the last answer had; nothing was sent to the target


def test_a_curators_link_redirecting_within_their_own_network_is_followed(
    server: LoopbackServer,
) -> None:
    server.route("/intranet/old", status=302, headers={"Location": "/intranet/new"})
    server.route("/intranet/new", STORY)
    result = fetch_with(CURATOR, server.url("/intranet/old"))
    assert result.ok and result.final_url == server.url("/intranet/new")


# --- the address connected to -----------------------------------------------------------------


@contextlib.contextmanager
def twin_servers() -> Iterator[tuple[LoopbackServer, LoopbackServer]]:
    """A public server and a loopback one on the same port: a name that resolves to either
    is answered by one or the other, and each says which it is."""
    public = LoopbackServer(host=PUBLIC).start()
    try:
        private = LoopbackServer(port=public.port).start()
    except OSError:  # that port is taken on 127.0.0.1: the test cannot be set up
        public.stop()
        pytest.skip("no common free port")
    try:
        public.route("/page", STORY)
        private.route("/page", SECRET)
        yield public, private
    finally:
        private.stop()
        public.stop()


def test_dns_rebinding_revue_connects_to_the_address_it_checked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The name answers public when checked and loopback on any later lookup: revue looks it
    up once and connects to the address it checked; the Host header still names the host."""
    monkeypatch.setattr(addresses, "TEST_PUBLIC_ADDRESSES", frozenset({PUBLIC}))
    lookups: list[str] = []

    async def rebinding(host: str, port: int) -> list[str]:
        lookups.append(host)
        return [PUBLIC] if len(lookups) == 1 else ["127.0.0.1"]

    with twin_servers() as (public, private):
        url = f"http://rebind.test:{public.port}/page"
        result = fetch_with(FROM_PUBLIC_FEED, url, resolve=rebinding)
        assert result.ok and result.meta is not None
        assert result.meta.title == "A public story"
        assert lookups == ["rebind.test"]  # once
        assert private.routes["/page"].hits == 0
        [(_, _, headers)] = public.requests
        assert headers["Host"] == f"rebind.test:{public.port}"


def test_a_name_that_resolves_to_loopback_is_refused_and_a_mixed_one_reaches_its_public_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(addresses, "TEST_PUBLIC_ADDRESSES", frozenset({PUBLIC}))

    async def to_loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def mixed(host: str, port: int) -> list[str]:
        return ["127.0.0.1", PUBLIC]

    with twin_servers() as (public, private):
        url = f"http://evil.test:{public.port}/page"
        refused = fetch_with(FROM_PUBLIC_FEED, url, resolve=to_loopback)
        assert refused.error == (
            "refused: 127.0.0.1 is a loopback address (found in a public feed)"
        )
        reached = fetch_with(FROM_PUBLIC_FEED, url, resolve=mixed)
        assert reached.ok and reached.meta is not None
        assert reached.meta.title == "A public story"
        assert private.routes["/page"].hits == 0


def test_over_https_the_checked_address_is_connected_to_and_tls_still_names_the_host(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A certificate for rebind.test only: the TLS handshake with 127.0.0.2 succeeds only if
    revue sends the host's name (SNI) and verifies the certificate against it."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=rebind.test",
         "-addext", "subjectAltName=DNS:rebind.test"],
        check=True, capture_output=True,
    )  # fmt: skip
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the only authority trusted
    monkeypatch.setattr(addresses, "TEST_PUBLIC_ADDRESSES", frozenset({PUBLIC}))

    async def resolve(host: str, port: int) -> list[str]:
        return [PUBLIC] if host == "rebind.test" else ["127.0.0.1"]

    srv = LoopbackServer(host=PUBLIC)
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert, key)
    srv.httpd.socket = tls.wrap_socket(srv.httpd.socket, server_side=True)
    srv.start()
    try:
        srv.route("/page", STORY)
        result = fetch_with(
            FROM_PUBLIC_FEED, f"https://rebind.test:{srv.port}/page", resolve=resolve
        )
        assert result.ok and result.meta is not None
        assert result.meta.title == "A public story"
        assert srv.requests[-1][2]["Host"] == f"rebind.test:{srv.port}"
        # The same server by its address: the certificate does not name it, so TLS fails.
        by_address = fetch_with(FROM_PUBLIC_FEED, f"https://{PUBLIC}:{srv.port}/page")
        assert by_address.error == "TLS error"
    finally:
        srv.stop()


# --- oEmbed and check -------------------------------------------------------------------------


def test_an_oembed_endpoint_a_public_page_names_on_loopback_is_not_asked(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    """A Mastodon-shaped post on a public host: its own /api/oembed fails, and the page's
    <link> names an endpoint on loopback, which is public-only (it is the page's word)."""
    endpoint = server.route("/oembed", '{"title": "Admin secrets"}')
    post = internet.route(
        "/@alice/1234",
        '<html><head><title>Post</title><link rel="alternate" '
        f'type="application/json+oembed" href="{endpoint}?url=x"></head></html>',
    )
    result = fetch_with(CURATOR, post)
    assert result.ok and result.oembed is None
    assert server.routes["/oembed"].hits == 0


def test_check_refuses_a_public_link_that_now_redirects_to_loopback(
    internet: LoopbackServer, server: LoopbackServer
) -> None:
    story = internet.route("/story", STORY)
    server.route("/admin", SECRET)
    run("feed", "add", feed_route(internet, story))
    run("feed", "pull")
    run("compose")  # written and recorded
    internet.route("/story", status=302, headers={"Location": server.url("/admin")})
    [checked] = run_json("check", code=ExitCode.PARTIAL)["links"]
    assert checked["status"] == "dead"
    assert checked["reason"] == (
        "refused: 127.0.0.1 is a loopback address (redirected by a public address)"
    )
    assert server.routes["/admin"].hits == 0
