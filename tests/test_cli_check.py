"""check: re-check a review's links (ok, moved, dead with a Wayback address, blocked)."""

from __future__ import annotations

import sqlite3
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from revue.app.check import classify, wayback_url
from revue.errors import ExitCode
from revue.models import FetchResult, Item

from clihelp import run, run_json, run_on_terminal
from loopback import LoopbackServer

PAGE = "<html><head><title>Page</title></head><body>Bonjour</body></html>"


def add(url: str, title: str) -> None:
    run("add", "--no-fetch", url, "--title", title)


def set_added(db: Path, item_id: int, when: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE items SET added_at = ? WHERE id = ?", [when, item_id])
    conn.commit()
    conn.close()


def redirect(location: str) -> dict[str, str]:
    return {"Location": location}


def head_refused(h: BaseHTTPRequestHandler) -> None:
    status, body = (405, b"") if h.command == "HEAD" else (200, PAGE.encode())
    h.send_response(status)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(len(body)))
    h.end_headers()
    if h.command != "HEAD":
        h.wfile.write(body)


def to_tracked_self(h: BaseHTTPRequestHandler) -> None:
    """Redirect /tracked to itself with tracking parameters: the same page."""
    if "?" in h.path:
        status, headers = 200, {"Content-Type": "text/html"}
    else:
        status, headers = 302, {"Location": h.path + "?utm_source=feed&fbclid=abc"}
    h.send_response(status)
    for key, value in headers.items():
        h.send_header(key, value)
    h.send_header("Content-Length", "0")
    h.end_headers()


@pytest.fixture
def review(server: LoopbackServer, tmp_path: Path) -> LoopbackServer:
    """A composed review of eight links, each answering differently."""
    server.route("/ok", PAGE)
    server.route("/gone404", status=404)
    server.route("/gone410", status=410)
    server.route("/old", status=301, headers=redirect("/new-home-of-story"))
    server.route("/new-home-of-story", PAGE)
    server.route("/tracked", handler=to_tracked_self)
    server.route("/head405", handler=head_refused)
    server.route("/forbidden", status=403)
    for path in ("/ok", "/gone404", "/gone410", "/old", "/tracked", "/head405", "/forbidden"):
        add(server.url(path), f"Titre {path}")
    set_added(tmp_path / "revue.db", 2, "2024-03-12T10:04:05+00:00")
    set_added(tmp_path / "revue.db", 3, "2024-03-13T23:30:00-04:00")
    run("compose", "--from", "2024-03-01")
    return server


def test_check_json_flags_dead_and_moved_links(review: LoopbackServer) -> None:
    data = run_json("check", code=ExitCode.PARTIAL)
    assert data["review"]["id"] == 1
    by_path = {link["url"].removeprefix(review.base): link for link in data["links"]}
    assert [link["id"] for link in data["links"]] == [1, 2, 3, 4, 5, 6, 7]
    assert {p: link["status"] for p, link in by_path.items()} == {
        "/ok": "ok",
        "/gone404": "dead",
        "/gone410": "dead",
        "/old": "moved",
        "/tracked": "ok",
        "/head405": "ok",
        "/forbidden": "blocked",
    }
    assert data["counts"] == {"ok": 3, "moved": 1, "blocked": 1, "dead": 2}
    gone = by_path["/gone404"]
    assert gone["http_status"] == 404 and gone["reason"] == "HTTP 404"
    assert gone["wayback_url"] == (
        f"https://web.archive.org/web/20240312100405/{review.url('/gone404')}"
    )
    # Added at 23:30 in Montréal is the next day in UTC: the Wayback stamp is UTC.
    assert by_path["/gone410"]["http_status"] == 410
    assert by_path["/gone410"]["wayback_url"] == (
        f"https://web.archive.org/web/20240314033000/{review.url('/gone410')}"
    )
    moved = by_path["/old"]
    assert moved["final_url"] == review.url("/new-home-of-story")
    assert moved["http_status"] == 200 and moved["wayback_url"] is None
    assert by_path["/tracked"]["final_url"].endswith("?utm_source=feed&fbclid=abc")
    assert by_path["/head405"]["http_status"] == 200
    assert by_path["/forbidden"]["http_status"] == 403
    assert by_path["/forbidden"]["wayback_url"] is None
    # HEAD first; GET only where HEAD was refused.
    methods = {(m, p) for m, p, _ in review.requests}
    assert ("HEAD", "/ok") in methods and ("GET", "/ok") not in methods
    assert ("HEAD", "/head405") in methods and ("GET", "/head405") in methods


def test_check_plain_lines_and_summary(review: LoopbackServer) -> None:
    result = run("check", "1", code=ExitCode.PARTIAL)
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(lines) == 7 and all(len(fields) == 7 for fields in lines)
    dead = [f for f in lines if f[1] == "dead"]
    assert [f[0] for f in dead] == ["2", "3"]
    assert dead[0][6].startswith("https://web.archive.org/web/20240312100405/")
    [moved] = [f for f in lines if f[1] == "moved"]
    assert moved[4] == review.url("/new-home-of-story")
    assert "7 link(s), 3 ok, 1 moved, 1 blocked, 2 dead" in result.stderr


def test_check_shows_a_progress_bar_on_a_terminal(review: LoopbackServer) -> None:
    code, screen = run_on_terminal("check")
    assert code == ExitCode.PARTIAL
    assert "checking" in screen and "━" in screen
    assert "7/7" in screen and "3 ok, 4 to look at" in screen
    assert "dead: " in screen and "archived: https://web.archive.org/web/20240312100405/" in screen


def test_check_all_alive_exits_zero(server: LoopbackServer) -> None:
    server.route("/ok", PAGE)
    add(server.url("/ok"), "Vivant")
    run("add", "--text", "Un mot sur la semaine")
    run("compose")
    data = run_json("check")
    assert [(link["id"], link["status"]) for link in data["links"]] == [(1, "ok")]
    result = run("check")
    assert "1 without a link skipped" in result.stderr


def test_check_unknown_review_and_no_review(empty_db: Path) -> None:
    result = run("check", code=ExitCode.BAD_INPUT)
    assert "no reviews yet" in result.stderr and "revue compose" in result.stderr
    add("https://a.example/1", "Premier")
    run("compose")
    result = run("check", "9", code=ExitCode.BAD_INPUT)
    assert "no review #9" in result.stderr


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (404, "HTTP 404", "dead"),
        (500, "HTTP 500", "dead"),
        (None, "timeout after 20 s", "dead"),
        (None, "DNS: name not found", "dead"),
        (401, "HTTP 401", "blocked"),
        (429, "HTTP 429", "blocked"),
        (999, "HTTP 999", "blocked"),
        (200, None, "ok"),
    ],
)
def test_classify(status: int | None, error: str | None, expected: str) -> None:
    item = Item(id=1, url="https://a.example/x", added_at="2024-03-12T10:00:00+00:00")
    result = FetchResult(url=item.url or "", status=status, error=error)
    check = classify(item, "https://a.example/x", result)
    assert check.status == expected
    assert (check.wayback_url is not None) == (expected == "dead")


def test_moved_is_another_page_not_another_spelling() -> None:
    item = Item(id=1, url="http://www.a.example/x?id=3", added_at="")
    url = item.url or ""

    def moved_to(final: str) -> str:
        return classify(item, url, FetchResult(url=url, final_url=final, status=200)).status

    assert moved_to("https://a.example/x?id=3&utm_medium=rss") == "ok"
    assert moved_to("https://a.example/x?id=4") == "moved"
    home = classify(item, url, FetchResult(url=url, final_url="https://a.example/", status=200))
    assert home.reason == "moved to the home page"


def test_wayback_url_without_a_usable_date() -> None:
    assert (
        wayback_url("https://a.example/x", "") == "https://web.archive.org/web/https://a.example/x"
    )
    assert wayback_url("https://a.example/x", "2024-03-12T10:00:00") == (
        "https://web.archive.org/web/20240312100000/https://a.example/x"
    )
