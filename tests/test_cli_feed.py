"""feed add/list/rm/pull/import/export against feeds served on 127.0.0.1."""

from http.server import BaseHTTPRequestHandler
from pathlib import Path

from revue.errors import ExitCode

from clihelp import run, run_json
from loopback import LoopbackServer

LONG = "Une analyse détaillée de la semaine en intelligence artificielle et en marketing numérique."


def rss(base: str, n: int = 3) -> str:
    items = "".join(
        f"<item><title>Article {i} sur l'IA</title><link>{base}/a/{i}</link>"
        f"<description>{LONG} Numéro {i}.</description>"
        f"<pubDate>Mon, 06 Nov 2023 1{i}:00:00 GMT</pubDate></item>"
        for i in range(n)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Le fil</title><link>{base}/</link>{items}"
        "<item><title>Sport</title><link>" + base + "/sport</link>"
        "<description>Le match de hockey d'hier soir a été long et serré jusqu'à la fin.</description></item>"
        "</channel></rss>"
    )


def test_feed_add_from_home_page_and_pull(server: LoopbackServer) -> None:
    feed_url = server.route(
        "/feed.xml", rss(server.base), headers={"Content-Type": "application/rss+xml"}
    )
    home = server.route(
        "/",
        '<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head></html>',
    )
    run("feed", "add", home, "--tag", "Veille", "--match", "IA")
    [feed] = run_json("feed", "list")
    assert feed["url"] == feed_url and feed["title"] == "Le fil" and feed["tags"] == ["Veille"]
    result = run("feed", "pull")
    assert "3 new" in result.stderr and "1 filtered out" in result.stderr
    items = run_json("list")
    assert sorted(i["title"] for i in items) == [
        "Article 0 sur l'IA",
        "Article 1 sur l'IA",
        "Article 2 sur l'IA",
    ]
    # Good enough entries are used without fetching the pages (none are served).
    assert {i["status"] for i in items} == {"ok"}
    assert all(i["tags"] == ["Veille"] for i in items)
    # Pulling again adds nothing.
    result = run("feed", "pull")
    assert "0 new, 3 already here" in result.stderr
    assert len(run_json("list")) == 3


def test_conditional_get_uses_etag(server: LoopbackServer) -> None:
    body = rss(server.base, 1).encode()

    def handler(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            h.send_response(304)
            h.send_header("ETag", '"v1"')
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("ETag", '"v1"')
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)

    url = server.route("/feed", handler=handler)
    run("feed", "add", url)
    run("feed", "pull", "--no-fetch")
    result = run("feed", "pull", "--no-fetch")
    assert "not modified" in result.stderr
    sent = [hdrs.get("If-None-Match") for _, path, hdrs in server.requests if path == "/feed"]
    assert sent[-1] == '"v1"'


def test_broken_feed_is_reported_and_the_others_go_on(
    server: LoopbackServer, tmp_path: Path
) -> None:
    good = server.route(
        "/good.xml", rss(server.base, 2), headers={"Content-Type": "application/rss+xml"}
    )
    bad = server.route(
        "/bad.xml", rss(server.base, 1), headers={"Content-Type": "application/rss+xml"}
    )
    run("feed", "add", good)
    run("feed", "add", bad)
    server.route("/bad.xml", status=410)
    result = run("feed", "pull", code=ExitCode.PARTIAL)
    assert "HTTP 410" in result.stderr
    assert len(run_json("list")) == 3  # the good feed's entries (and the bad one's: same links)
    feeds = {f["url"]: f for f in run_json("feed", "list")}
    assert feeds[bad]["status"] == "failed" and feeds[good]["status"] == "ok"


def test_feed_add_rejects_what_is_not_a_feed(server: LoopbackServer) -> None:
    page = server.route("/page", "<html><head><title>Pas de fil</title></head></html>")
    result = run("feed", "add", page, code=ExitCode.BAD_INPUT)
    assert "not a feed" in result.stderr
    run("feed", "add", "ftp://example.com/feed", code=ExitCode.BAD_INPUT)
    assert run_json("feed", "list") == []


def test_opml_round_trip_and_rm(server: LoopbackServer, tmp_path: Path) -> None:
    url = server.route(
        "/feed.xml", rss(server.base), headers={"Content-Type": "application/rss+xml"}
    )
    run("feed", "add", url)
    opml = run("feed", "export").stdout
    assert "<opml" in opml and url in opml
    run("feed", "rm", "1")
    assert run_json("feed", "list") == []
    path = tmp_path / "feeds.opml"
    path.write_text(opml, encoding="utf-8")
    run("feed", "import", str(path))
    assert [f["url"] for f in run_json("feed", "list")] == [url]
    run("feed", "rm", "99", code=ExitCode.BAD_INPUT)


def test_a_feed_entry_first_published_long_ago_is_stale(server: LoopbackServer) -> None:
    atom = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f'<title>Le fil</title><link href="{server.base}/"/>'
        f'<entry><title>Une vieille nouvelle</title><link href="{server.base}/vieille"/>'
        f"<id>{server.base}/vieille</id><summary>{LONG}</summary>"
        "<published>2015-03-02T08:00:00Z</published>"
        "<updated>2015-03-05T08:00:00Z</updated></entry></feed>"
    )
    feed = server.route("/atom.xml", atom, headers={"Content-Type": "application/atom+xml"})
    run("feed", "add", feed)
    run("feed", "pull")
    [item] = run_json("list")
    assert item["status"] == "ok"  # the feed said enough: the page was not fetched
    assert item["first_published"] == "2015-03-02T08:00:00+00:00"
    assert item["published"] == "2015-03-05T08:00:00+00:00"
    assert "stale" in run("list").stdout


def test_feed_import_exits_partial_only_for_outlines_it_could_not_read(tmp_path: Path) -> None:
    skipped = tmp_path / "skipped.opml"
    skipped.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline xmlUrl="ftp://a.example/feed" text="a"/>'
        '<outline xmlUrl="https://b.example/feed.xml" text="b"/></body></opml>',
        encoding="utf-8",
    )
    result = run("feed", "import", str(skipped))  # a link revue does not follow: skipped
    assert "not an http(s) URL: ftp://a.example/feed (skipped)" in result.stderr
    lost = tmp_path / "lost.opml"
    lost.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        + '<outline text="f">' * 3000
        + "</outline>" * 3000
        + '<outline xmlUrl="https://c.example/feed.xml" text="c"/></body></opml>',
        encoding="utf-8",
    )
    result = run("feed", "import", str(lost), code=ExitCode.PARTIAL)
    assert "could not be read (skipped)" in result.stderr
