"""One story, one item, whatever the spelling: ids given twice, IDNA hosts, and credentials
that must never be stored nor published."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from revue import urls

from clihelp import run, run_json
from loopback import LoopbackServer

PAGE = (
    "<html><head><title>Page</title>{extra}</head>"
    "<body><p>Un paragraphe de texte assez long pour faire un résumé acceptable.</p></body></html>"
)


def test_rm_of_the_same_id_three_times_removes_and_reports_one() -> None:
    run("add", "--no-fetch", "https://a.example/1")
    run("add", "--no-fetch", "https://a.example/2")
    result = run("rm", "1", "1", "1", "--yes")
    assert "removed 1 item(s): #1" in result.stderr
    assert [i["id"] for i in run_json("list")] == [2]


def test_unicode_host_and_its_punycode_are_one_item_stored_in_ascii() -> None:
    assert urls.clean("http://Bücher.example/x") == "http://xn--bcher-kva.example/x"
    assert urls.dedup_key("http://bücher.example/") == urls.dedup_key(
        "http://xn--bcher-kva.example/"
    )
    assert urls.domain("http://www.xn--bcher-kva.example/x") == "bücher.example"
    run("add", "--no-fetch", "http://bücher.example/")
    second = run("add", "--no-fetch", "http://xn--bcher-kva.example/", "--note", "encore")
    assert "already" in second.stderr
    [item] = run_json("list")
    assert item["url"] == "http://xn--bcher-kva.example/"
    assert item["note"] == "encore"


def test_credentials_are_stripped_from_added_and_imported_links(tmp_path: Path) -> None:
    assert urls.clean("https://user:pa%40ss@a.example:8443/x") == "https://a.example:8443/x"
    run("add", "--no-fetch", "https://user:secret@a.example/1")
    links = tmp_path / "links.txt"
    links.write_text("https://bob:hunter2@b.example/2 Titre\n", encoding="utf-8")
    run("import", str(links), "--no-fetch")
    dump = tmp_path / "dump.json"
    dump.write_text(
        json.dumps(
            {
                "format": "revue-export",
                "version": 1,
                "items": [
                    {
                        "id": 1,
                        "url": "https://eve:pw@c.example/3",
                        "original_url": "https://eve:pw@c.example/3?utm_source=x",
                    }
                ],
            }
        ),
        encoding="utf-8",
    )
    run("import", str(dump), "--no-fetch")
    conn = sqlite3.connect(tmp_path / "revue.db")
    stored = " ".join(str(v) for row in conn.execute("SELECT * FROM items") for v in row)
    keys = " ".join(r[0] for r in conn.execute("SELECT key FROM item_keys"))
    for secret in ("secret", "hunter2", "eve:pw", "@"):
        assert secret not in stored and secret not in keys
    assert {i["url"] for i in run_json("list")} == {
        "https://a.example/1",
        "https://b.example/2",
        "https://c.example/3",
    }
    review = run("compose", "--from", "2000-01-01", "--to", "2100-01-01", "--out", "-").stdout
    assert "secret" not in review and "hunter2" not in review and "eve:" not in review


def test_credentials_from_a_redirect_or_canonical_link_are_not_stored(
    server: LoopbackServer, tmp_path: Path
) -> None:
    host = f"127.0.0.1:{server.port}"
    server.route("/final", PAGE.format(extra=""))
    server.route("/short", status=302, headers={"Location": f"http://joe:pw1@{host}/final"})
    canonical = f'<link rel="canonical" href="http://ann:pw2@{host}/canon">'
    server.route("/page", PAGE.format(extra=canonical))
    server.route("/canon", PAGE.format(extra=""))
    run("add", server.url("/short"), server.url("/page"))
    conn = sqlite3.connect(tmp_path / "revue.db")
    stored = " ".join(str(v) for row in conn.execute("SELECT * FROM items") for v in row)
    assert "pw1" not in stored and "pw2" not in stored
    assert {i["url"] for i in run_json("list")} == {server.url("/final"), server.url("/canon")}


def test_credentials_in_a_feed_entry_link_are_not_stored(
    server: LoopbackServer, tmp_path: Path
) -> None:
    host = f"127.0.0.1:{server.port}"
    rss = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>F</title>'
        f"<link>http://{host}/</link><item><title>Un article</title>"
        f"<link>http://kim:pw3@{host}/a/1</link><description>Texte.</description></item>"
        "</channel></rss>"
    )
    feed = server.route("/feed.xml", rss, headers={"Content-Type": "application/rss+xml"})
    server.route("/a/1", PAGE.format(extra=""))
    run("feed", "add", feed)
    run("feed", "pull", "--no-fetch")
    conn = sqlite3.connect(tmp_path / "revue.db")
    stored = " ".join(str(v) for row in conn.execute("SELECT * FROM items") for v in row)
    assert "pw3" not in stored
    assert [i["url"] for i in run_json("list")] == [server.url("/a/1")]


def test_a_social_post_shared_three_ways_is_one_item_published_on_x() -> None:
    for link in (
        "https://x.com/u/status/1?s=20",
        "https://x.com/u/status/1",
        "https://twitter.com/u/status/1?s=46&t=abc",
    ):
        run("add", "--no-fetch", link, "--title", "Un post")
    [item] = run_json("list")
    assert item["url"] == "https://x.com/u/status/1"
    out = run("compose", "--out", "-", "--format", "text").stdout
    assert "https://x.com/u/status/1" in out and "?s=" not in out and "twitter.com" not in out


def test_an_old_database_keys_its_social_posts_by_the_post(tmp_path: Path) -> None:
    """A database made before posts were keyed by the post: its items are found again under
    any address of theirs, and their address is the one a review publishes."""
    run("add", "--no-fetch", "https://a.example/1")  # makes the database, migrated
    db = tmp_path / "revue.db"
    conn = sqlite3.connect(db)
    old = "https://twitter.com/u/status/7?s=20"
    conn.execute(
        "INSERT INTO items (id, kind, url, original_url, status, added_at, attempts, user_fields)"
        " VALUES (2, 'link', ?, ?, 'pending', '2026-12-01T12:00:00+00:00', 0, '[]')",
        [old, old],
    )
    # The keys the previous version gave it (as given, and cleaned: the same here).
    conn.execute("INSERT INTO item_keys (key, item_id) VALUES ('twitter.com/u/status/7?s=20', 2)")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm013_social_post_keys'")
    conn.execute("PRAGMA user_version = 12")
    conn.commit()
    conn.close()
    result = run("add", "--no-fetch", "https://x.com/u/status/7", "--note", "vu")
    assert "already here: #2" in result.stderr
    item = run_json("show", "2")
    assert item["url"] == "https://x.com/u/status/7" and item["note"] == "vu"
    assert len(run_json("list")) == 2


def test_a_bluesky_post_under_its_handle_and_its_did_is_one_item_once_fetched(
    tmp_path: Path,
) -> None:
    """The address alone cannot tell a handle's DID; the post's oEmbed answer does (its
    `data-bluesky-uri` and its author's `@handle`): from then on both addresses are one item,
    published under the handle."""
    import datetime as dt

    from revue.app.refresh import record_result
    from revue.models import FetchResult
    from revue.store.db import Store

    did = "did:plc:tjf4apt65s75xiojhiqzvcan"
    embed = (
        f'<blockquote class="bluesky-embed" data-bluesky-uri="at://{did}/app.bsky.feed.post/3kq"'
        ' data-bluesky-cid="bafy"><p lang="fr">Un post sur la semaine</p>&mdash; Alice ('
        f'<a href="https://bsky.app/profile/{did}?ref_src=embed">@alice.bsky.social</a>) '
        f'<a href="https://bsky.app/profile/{did}/post/3kq?ref_src=embed">21 avril</a>'
        "</blockquote>"
    )
    now = dt.datetime(2026, 12, 7, 12, tzinfo=dt.UTC)
    store = Store.open(tmp_path / "bsky.db")
    by_did = f"https://bsky.app/profile/{did}/post/3kq?ref_src=embed"
    first = store.add(by_did, now=now.isoformat()).item
    page = FetchResult(
        url=by_did,
        final_url=by_did,
        status=200,
        content_type="text/html",
        body=b"<html><head><title>Bluesky</title></head></html>",
        oembed={"html": embed, "author_name": "Alice", "provider_name": "Bluesky Social"},
    )
    item, dup = record_result(store, first.id, page, now=now)
    assert dup is None and item.url == "https://bsky.app/profile/alice.bsky.social/post/3kq"
    again = store.add("https://bsky.app/profile/Alice.bsky.social/post/3kq", now=now.isoformat())
    assert not again.created and again.item.id == first.id
    # The other way round: added under the handle and under the DID, merged once fetched.
    store.remove([first.id])
    handle = store.add("https://bsky.app/profile/alice.bsky.social/post/3kq", now=now.isoformat())
    other = store.add(by_did, now=now.isoformat())
    assert handle.created and other.created
    item, dup = record_result(store, other.item.id, page, now=now)
    assert dup is not None and dup.id == handle.item.id
    store.close()
