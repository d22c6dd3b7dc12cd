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
