"""add and fetch against a real loopback server: the curator's loop end to end."""

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import html5lib
from pages import CLOUDFLARE, HOSTILE, JSONLD, LAPRESSE, RADIO_CANADA_1252

from revue.errors import ExitCode

from clihelp import run, run_json, run_on_terminal
from loopback import LoopbackServer


def test_add_fetches_extracts_and_prints_what_it_found(server: LoopbackServer) -> None:
    url = server.route("/lapresse", LAPRESSE.replace("{base}", server.base))
    result = run("add", url, "--note", "À suivre", "--tag", "IA")
    assert "OpenAI promet" in result.stdout and "via @lp_lapresse" in result.stdout
    [item] = run_json("list")
    assert item["title"] == (
        "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous"
    )
    assert item["url"] == f"{server.base}/affaires/techno/2023-11-06/openai.php"
    assert item["original_url"] == url
    assert item["via"] == "@lp_lapresse" and item["site_name"] == "La Presse"
    assert item["published"].startswith("2023-11-06") and item["lang"].startswith("fr")
    assert item["image"] == f"{server.base}/images/openai.jpg"
    assert item["status"] == "ok" and item["note"] == "À suivre" and item["tags"] == ["IA"]


def test_windows_1252_page_and_site_suffix(server: LoopbackServer) -> None:
    url = server.route("/rc", RADIO_CANADA_1252, headers={"Content-Type": "text/html"})
    run("add", url)
    [item] = run_json("list")
    assert (
        item["title"]
        == "Les applications de Meta seraient les plus gourmandes en données personnelles"
    )
    assert item["summary"].startswith("Une étude révèle")


def test_json_ld_graph(server: LoopbackServer) -> None:
    run("add", server.route("/bdm", JSONLD))
    [item] = run_json("list")
    assert item["title"].startswith("ChatGPT permet de créer")
    assert item["author"] == "Thomas Coëffé"
    assert item["published"].startswith("2023-11-07")


def test_404_is_kept_with_its_reason_and_retried(server: LoopbackServer) -> None:
    url = server.url("/later")
    result = run("add", url, "--note", "important", code=ExitCode.PARTIAL)
    assert "HTTP 404" in result.stderr and result.stdout == ""  # a failure, on stderr
    [item] = run_json("list")
    assert item["status"] == "failed" and item["error"] == "HTTP 404"
    assert item["note"] == "important"
    # Not due yet: cron's `fetch --failed` backs off.
    assert "nothing to fetch" in run("fetch", "--failed").stderr
    server.route("/later", LAPRESSE.replace("{base}", server.base))
    run("fetch", "--failed", "--force")
    [item] = run_json("list")
    assert item["status"] == "ok" and item["title"].startswith("Première conférence")


def test_redirect_and_canonical_reveal_the_same_story(server: LoopbackServer) -> None:
    page = LAPRESSE.replace("{base}", server.base)
    server.route("/affaires/techno/2023-11-06/openai.php", page)
    server.route(
        "/short", status=301, headers={"Location": "/affaires/techno/2023-11-06/openai.php"}
    )
    run("add", server.url("/affaires/techno/2023-11-06/openai.php?utm_medium=social"), "-t", "A")
    result = run("add", server.url("/short"), "--note", "vu deux fois", "-t", "B")
    assert "same story as #1" in result.stderr
    [item] = run_json("list")
    assert item["id"] == 1 and item["note"] == "vu deux fois" and item["tags"] == ["A", "B"]


def test_hostile_page_is_defused_in_every_output(server: LoopbackServer) -> None:
    url = server.route("/evil", HOSTILE)
    run("add", url)
    [item] = run_json("list")
    assert "alert" in item["title"]  # stored as the text the page gave, defused on output
    page = run("compose", "--format", "html", "--out", "-").stdout
    doc = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(page)
    assert doc.findall(".//script") == []
    assert all(a.get("href", "").startswith("http") for a in doc.iter("a"))
    md = run("compose", "--out", "-").stdout
    from markdown_it import MarkdownIt

    links = [
        c.attrs["href"]
        for t in MarkdownIt("commonmark").parse(md)
        if t.type == "inline"
        for c in t.children or []
        if c.type == "link_open"
    ]
    assert links == [url]


def test_title_typed_by_hand_survives_refetch(server: LoopbackServer) -> None:
    url = server.route("/lapresse", LAPRESSE.replace("{base}", server.base))
    run("add", url, "--title", "Mon titre à moi")
    run("fetch", "--all")
    item = run_json("show", "1")
    assert item["title"] == "Mon titre à moi" and item["user_fields"] == ["title"]
    assert item["via"] == "@lp_lapresse"  # the rest still comes from the page


def test_bot_wall_is_blocked_not_a_title(server: LoopbackServer) -> None:
    url = server.route(
        "/nouvelles/les-robots-prennent-le-pouvoir",
        CLOUDFLARE,
        status=403,
        headers={"Server": "cloudflare", "cf-mitigated": "challenge"},
    )
    run("add", url, code=ExitCode.PARTIAL)
    [item] = run_json("list")
    assert item["status"] == "blocked" and "HTTP 403" in item["error"]
    assert item["title"] is None
    listed = run("list").stdout
    assert "robots prennent le pouvoir" in listed and "Just a moment" not in listed


def test_bot_wall_with_200_status_is_blocked(server: LoopbackServer) -> None:
    run("add", server.route("/art/le-titre-reel", CLOUDFLARE), code=ExitCode.PARTIAL)
    [item] = run_json("list")
    assert item["status"] == "blocked" and item["error"].startswith("blocked")
    assert item["title"] is None


def test_many_urls_from_stdin_fetch_concurrently(server: LoopbackServer) -> None:
    lines = []
    for n in range(12):
        page = LAPRESSE.replace("{base}", server.base).replace(
            "/affaires/techno/2023-11-06/openai.php", f"/a/{n}"
        )
        lines.append(server.route(f"/a/{n}", page.replace("pour tous", f"n°{n}")))
    lines.append(server.url("/gone"))
    result = run("add", "-", input="\n".join(lines) + "\n", code=ExitCode.PARTIAL)
    assert "12 ok, 1 failed" in result.stderr
    assert len(run_json("list", "--status", "ok")) == 12


def test_add_json_prints_the_items(server: LoopbackServer) -> None:
    url = server.route("/lapresse", LAPRESSE.replace("{base}", server.base))
    [item] = run_json("add", url)
    assert item["via"] == "@lp_lapresse"


def test_extract_prints_page_fields_and_stores_nothing(
    server: LoopbackServer, tmp_path: Path, empty_db: Path
) -> None:
    url = server.route("/lapresse", LAPRESSE.replace("{base}", server.base))
    data = json.loads(run("extract", url, "--json").stdout)
    # The page's fixed keys in their order, then revue's own (docs/reference/json.md).
    assert list(data) == [
        "url", "title", "summary", "site_name", "via", "author", "published", "lang", "image",
        "first_published", "canonical",
    ]  # fmt: skip
    assert data["url"] == f"{server.base}/affaires/techno/2023-11-06/openai.php"
    saved = tmp_path / "page.html"
    saved.write_bytes(RADIO_CANADA_1252)
    data = json.loads(run("extract", str(saved), "--url", "https://ici.radio-canada.ca/n/1").stdout)
    assert data["title"].endswith("données personnelles")
    assert run_json("list") == []


def test_cron_process_logs_plain_timestamped_lines(server: LoopbackServer, tmp_path: Path) -> None:
    """A real subprocess with no terminal: one line per event, a timestamp, no colour codes."""
    url = server.url("/nothing-here")
    proc = subprocess.run(
        [sys.executable, "-m", "revue", "add", url],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert proc.returncode == ExitCode.PARTIAL, proc.stderr
    assert "\x1b[" not in proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line[:4].isdigit() and line[10] == "T" and "revue:" in line


def test_slow_page_keeps_the_item_pending_then_failed(
    server: LoopbackServer, tmp_path: Path
) -> None:
    import time

    def drip(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.end_headers()
        for _ in range(20):
            try:
                h.wfile.write(b" ")
                h.wfile.flush()
            except OSError:
                return
            time.sleep(0.2)

    (tmp_path / "config.toml").write_text("[fetch]\ntotal_timeout = 1.0\nretries = 0\n")
    url = server.route("/drip", handler=drip)
    started = time.monotonic()
    result = run("add", url, code=ExitCode.PARTIAL)
    assert time.monotonic() - started < 10
    assert "timeout" in result.stderr
    [item] = run_json("list")
    assert item["status"] == "failed" and "timeout" in item["error"]


def test_pdf_and_image_links_get_titles_and_content_types(server: LoopbackServer) -> None:
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Title": "Rapport annuel sur les médias 2023"})
    buf = io.BytesIO()
    writer.write(buf)
    pdf = server.route(
        "/docs/rapport.pdf", buf.getvalue(), headers={"Content-Type": "application/pdf"}
    )
    png = server.route(
        "/img/graphique-des-ventes.png",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        headers={"Content-Type": "image/png"},
    )
    empty = server.route("/vide", b"")
    run("add", pdf, png, empty)
    items = {i["url"]: i for i in run_json("list")}
    assert items[pdf]["title"] == "Rapport annuel sur les médias 2023"
    assert items[pdf]["content_type"] == "application/pdf"
    assert items[png]["title"] and "graphique" in items[png]["title"].lower()
    assert items[png]["content_type"] == "image/png"
    assert items[empty]["status"] == "ok"


def test_mastodon_status_uses_the_instance_oembed(server: LoopbackServer) -> None:
    oembed = json.dumps(
        {
            "type": "rich",
            "html": "<blockquote><p>Les robots conversationnels ne sont pas conscients.</p></blockquote>",
            "author_name": "Michelle Blanc",
            "author_url": f"{server.base}/@michelleblanc",
            "provider_name": "Mastodon",
        }
    )
    server.route("/api/oembed", oembed, headers={"Content-Type": "application/json"})
    url = server.route(
        "/@michelleblanc/111222333", "<html><head><title>Mastodon</title></head></html>"
    )
    run("add", url)
    item = run_json("show", "1")
    assert item["title"] == "Les robots conversationnels ne sont pas conscients."
    assert item["author"] == "Michelle Blanc" and item["site_name"] == "Mastodon"


def test_oembed_endpoint_is_configurable(server: LoopbackServer, tmp_path: Path) -> None:
    oembed = json.dumps({"title": "Les robots et nous", "author_name": "Chaîne Techno"})
    server.route("/oembed", oembed, headers={"Content-Type": "application/json"})
    host = server.base.removeprefix("http://")
    (tmp_path / "config.toml").write_text(
        f'[fetch.oembed_endpoints]\n"{host}" = "{server.base}/oembed"\n', encoding="utf-8"
    )
    url = server.route("/watch", "<html><head><title>- YouTube</title></head></html>")
    run("add", url)
    item = run_json("show", "1")
    assert item["title"] == "Les robots et nous" and item["author"] == "Chaîne Techno"
    asked = [path for _, path, _ in server.requests if path.startswith("/oembed")]
    assert asked and "format=json" in asked[0]


def test_failed_links_back_off_and_stop_after_max_attempts(
    server: LoopbackServer, tmp_path: Path
) -> None:
    import sqlite3

    (tmp_path / "config.toml").write_text("max_attempts = 2\n", encoding="utf-8")
    url = server.route("/never", status=400)  # a refusal that may pass: retried, backing off
    run("add", url, code=ExitCode.PARTIAL)
    [item] = run_json("list")
    assert item["attempts"] == 1 and item["next_attempt_at"] > item["fetched_at"]
    db = tmp_path / "revue.db"

    def make_due() -> None:
        conn = sqlite3.connect(db)
        conn.execute("UPDATE items SET next_attempt_at = '2000-01-01T00:00:00+00:00'")
        conn.commit()
        conn.close()

    make_due()
    run("fetch", "--failed", code=ExitCode.PARTIAL)
    second = run_json("show", "1")
    assert second["attempts"] == 2
    from datetime import datetime

    def wait(it: dict[str, str]) -> float:
        start = datetime.fromisoformat(it["fetched_at"])
        return (datetime.fromisoformat(it["next_attempt_at"]) - start).total_seconds()

    assert wait(second) == 2 * wait(item)  # the wait doubles
    make_due()
    assert "nothing to fetch" in run("fetch", "--failed").stderr  # gave up after 2
    run("fetch", "--failed", "--force", code=ExitCode.PARTIAL)  # unless asked
    assert run_json("show", "1")["attempts"] == 3


def test_progress_bar_on_a_terminal(server: LoopbackServer, tmp_path: Path) -> None:
    """On a real terminal (a pty) a batch shows rich's progress bar, then the summary."""
    links = tmp_path / "links.txt"
    links.write_text(
        "\n".join(
            server.route(f"/p/{n}", LAPRESSE.replace("{base}", server.base)) for n in range(6)
        )
        + "\n"
        + server.url("/missing")
        + "\n",
        encoding="utf-8",
    )
    code, screen = run_on_terminal("add", "--file", str(links))
    assert code == ExitCode.PARTIAL  # one link failed
    assert "fetching" in screen and "━" in screen  # the bar was drawn
    assert "6 ok, 1 failed" in screen


def test_a_batch_on_a_terminal_prints_each_link_after_the_bar(server: LoopbackServer) -> None:
    """Once the bar is gone, a line per link, in the order given: its id and title, or why
    it failed."""
    import re

    links = [
        server.route(f"/a/{n}", f"<html><head><title>Article {n}</title></head></html>")
        for n in range(3)
    ]
    code, screen = run_on_terminal("add", links[0], server.url("/missing"), *links[1:])
    assert code == ExitCode.PARTIAL and "━" in screen  # the bar was drawn
    after = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", screen[screen.rindex("━") :])
    lines = [line.strip() for line in after.splitlines() if line.strip()]
    missing = server.url("/missing")
    assert lines[1:] == [
        "#1 Article 0",
        f"error: #2 failed: {missing}: HTTP 404 "
        "(kept; gone, not tried again on its own; retry with: revue fetch 2)",
        "#3 Article 1",
        "#4 Article 2",
        "3 ok, 1 failed (1 HTTP 404)",
    ], after


def test_cron_does_not_retry_a_page_that_is_gone_nor_report_one_with_a_typed_title(
    server: LoopbackServer, tmp_path: Path
) -> None:
    """A 404 or 410 is said once, then left alone: not retried every hour until
    max_attempts, mailing an error each time. An item the curator gave a title to is shown
    right whatever its page does: its failure is no error for cron."""
    import sqlite3

    gone = server.route("/gone", status=410)
    run("add", server.url("/missing"), gone, code=ExitCode.PARTIAL)
    titled = server.route("/busy", status=400)
    result = run("add", titled, "--title", "Titre à la main")  # exit 0: not an error
    assert "shown with your title" in result.stderr and "error" not in result.stderr
    conn = sqlite3.connect(tmp_path / "revue.db")
    conn.execute("UPDATE items SET next_attempt_at = '2000-01-01T00:00:00+00:00' WHERE id = 3")
    conn.commit()
    conn.close()
    hits = server.routes["/gone"].hits
    result = run("--quiet", "fetch")  # cron: the titled item is retried, quietly
    assert result.stdout == "" and result.stderr == ""
    assert server.routes["/gone"].hits == hits and server.routes["/busy"].hits == 2
    items = {i["id"]: i for i in run_json("list")}
    assert [items[n]["attempts"] for n in (1, 2, 3)] == [1, 1, 2]
    assert items[1]["next_attempt_at"] is None and items[2]["next_attempt_at"] is None
    assert "nothing to fetch" in run("fetch", "--failed").stderr
    run("fetch", "2", code=ExitCode.PARTIAL)  # asked by id, it is tried again
    assert server.routes["/gone"].hits == hits + 1


def test_hashtags_in_the_comment_become_tags_and_stay_in_the_comment() -> None:
    run(
        "add",
        "--no-fetch",
        "https://a.example/1",
        "--title",
        "T",
        "--note",
        "Encore une connerie #TikTok",
    )
    [item] = run_json("list")
    assert item["tags"] == ["TikTok"] and item["note"] == "Encore une connerie #TikTok"
    assert [i["id"] for i in run_json("list", "--tag", "TikTok")] == [1]
    md = run("compose", "--out", "-").stdout
    assert md.count("#TikTok") == 1
