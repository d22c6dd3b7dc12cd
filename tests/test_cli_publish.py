"""publish without a real WordPress: the config, bad input, dry runs, blogs that are not one,
and a fake blog (tests/fakewp.py) for the hostile answers a real one never gives.

(The end-to-end tests against a real WordPress are in test_publish_wordpress.py.)
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from revue.errors import ExitCode

from clihelp import run, run_json
from fakewp import FakeWordPress, send
from loopback import LoopbackServer

SECRET = "abcd EFGH ijkl MNOP qrst UVWX"


@pytest.fixture
def review(tmp_path: Path) -> Path:
    run("add", "--no-fetch", "https://a.example/un", "--title", "Un", "--note", "= Bien #IA")
    run("add", "--no-fetch", "https://b.example/deux", "--title", "Deux", "--tag", "Veille")
    run("compose")
    config = tmp_path / "config.toml"
    config.write_text("[fetch]\nretries = 0\nconnect_timeout = 2.0\n", encoding="utf-8")
    return config


def blog_env(monkeypatch: pytest.MonkeyPatch, url: str, password: str | None = SECRET) -> None:
    monkeypatch.setenv("REVUE_WORDPRESS_URL", url)
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "marie")
    if password is not None:
        monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", password)


def test_dry_run_prints_the_request_without_the_password(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog_env(monkeypatch, "https://blog.example.org/")
    review.write_text(review.read_text() + '\n[wordpress]\ncategory = "Revues"\n', encoding="utf-8")
    out = run("publish", "--dry-run").stdout
    assert out.startswith("POST https://blog.example.org/wp-json/wp/v2/posts\n")
    assert "application password not shown" in out
    assert SECRET not in out and SECRET.replace(" ", "") not in out
    assert base64.b64encode(f"marie:{SECRET}".encode()).decode() not in out
    body = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert body["status"] == "draft" and body["title"].startswith("Revue de presse")
    # Only the hashtags the post shows: `--tag Veille` is the curator's own filing.
    assert body["tags"] == ["IA"] and body["categories"] == ["Revues"]
    # The slug revue looks up before creating: a lost answer never makes a second post.
    assert body["slug"].startswith("revue-de-presse") and body["slug"].endswith("-r1")
    assert 'href="https://a.example/un"' in body["content"]
    assert run_json("reviews")[0]["posts"] == []
    data = run_json("publish", "--dry-run")
    assert data["action"] == "dry-run" and data["request"] == out and data["post_id"] is None
    # No password is needed to see what would be sent.
    monkeypatch.delenv("REVUE_WORDPRESS_PASSWORD")
    assert run("publish", "--dry-run").stdout == out


def test_missing_blog_settings_are_config_errors(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    err = run("publish", code=ExitCode.STORE).stderr
    assert "REVUE_WORDPRESS_URL" in err and "[wordpress]" in err
    monkeypatch.setenv("REVUE_WORDPRESS_URL", "https://blog.example.org")
    assert "REVUE_WORDPRESS_USER" in run("publish", code=ExitCode.STORE).stderr
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "marie")
    err = run("publish", code=ExitCode.STORE).stderr
    # No keyring package in the test environment: the message says so, and what to do.
    assert "REVUE_WORDPRESS_PASSWORD" in err and "keyring set revue-wordpress marie" in err
    assert len(err.strip().splitlines()) == 1


def test_a_password_in_the_config_file_is_refused(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    review.write_text(
        '[wordpress]\nurl = "https://blog.example.org"\nuser = "marie"\npassword = "x"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", SECRET)
    err = run("publish", "--dry-run", code=ExitCode.STORE).stderr
    assert "password in clear" in err and "REVUE_WORDPRESS_PASSWORD" in err


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('url = "ftp://blog.example.org"', 'wordpress.url = "ftp://blog.example.org": not an'),
        ('url = "https://blog.example.org/?p=1"', "without ?query"),
        ("user = 12", "wordpress.user = 12: wrong type"),
        ('site = "x"', "unknown key 'wordpress.site'"),
        ('tags = "some"', 'wordpress.tags = "some": not offered'),
    ],
)
def test_bad_wordpress_settings_name_the_key(
    review: Path, monkeypatch: pytest.MonkeyPatch, table: str, words: str
) -> None:
    given = dict(line.split(" = ", 1) for line in [table])
    settings = {"url": '"https://blog.example.org"', "user": '"marie"', **given}
    lines = "\n".join(f"{key} = {value}" for key, value in settings.items())
    review.write_text(f"[wordpress]\n{lines}\n", encoding="utf-8")
    assert words in run("publish", "--dry-run", code=ExitCode.STORE).stderr


def test_the_password_never_goes_over_plain_http_to_another_host(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog_env(monkeypatch, "http://blog.example.org")
    assert "only over https" in run("publish", code=ExitCode.STORE).stderr


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--status", "future"], "needs --at"),
        (["--at", "2001-01-01T10:00"], "in the past"),
        (["--at", "next friday"], "not a date and time"),
        (["--at", "2099-01-01T10:00", "--status", "draft"], "--status future"),
        (["--status", "published"], "choose from draft, publish"),
        (["99"], "no review #99"),
    ],
)
def test_bad_input_is_exit_2(
    review: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], words: str
) -> None:
    blog_env(monkeypatch, "https://blog.example.org")
    assert words in run("publish", *args, "--dry-run", code=ExitCode.BAD_INPUT).stderr


def test_no_review_yet(monkeypatch: pytest.MonkeyPatch, empty_db: Path) -> None:
    blog_env(monkeypatch, "https://blog.example.org")
    assert "no reviews yet" in run("publish", code=ExitCode.BAD_INPUT).stderr


def test_a_site_that_is_not_wordpress(
    review: Path, monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    server.route("/", body=b"<html><title>A shop</title></html>")
    blog_env(monkeypatch, server.base)
    err = run("publish", code=ExitCode.PARTIAL).stderr
    assert "not a WordPress site" in err and "/wp-json/: HTTP 404" in err
    assert run_json("reviews")[0]["posts"] == []


def test_a_blog_whose_rest_api_is_turned_off_says_so_in_its_words(
    review: Path, monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    # What the "Disable REST API" plugins answer.
    refusal = json.dumps(
        {
            "code": "rest_disabled",
            "message": "The <strong>REST API</strong> has been disabled on this site.",
            "data": {"status": 401},
        }
    ).encode()
    for path in ("/wp-json/", "/"):
        server.route(path, status=401, body=refusal, headers={"Content-Type": "application/json"})
    blog_env(monkeypatch, server.base)
    err = run("publish", code=ExitCode.PARTIAL).stderr
    assert "The REST API has been disabled on this site. (HTTP 401, rest_disabled)" in err


def test_tls_and_connection_errors_are_one_line(
    review: Path, monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    # https to a plain-http server: the TLS handshake fails.
    blog_env(monkeypatch, f"https://127.0.0.1:{server.port}")
    err = run("publish", code=ExitCode.PARTIAL).stderr
    assert "TLS error" in err and len(err.strip().splitlines()) == 1
    server.stop()
    blog_env(monkeypatch, server.base)
    err = run("publish", code=ExitCode.PARTIAL).stderr
    assert "cannot connect" in err and len(err.strip().splitlines()) == 1


def test_publish_and_compose_review_n_read_the_reviews_current_state(
    review: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """After a compose, reordering, skipping, sectioning and notes (`revue move`, `revue week`
    without `c`) reach `compose --review N` and `publish` as they reach the workbench."""
    import datetime as dt

    from revue.app.compose import ComposeOptions
    from revue.app.week import Workbench
    from revue.config import load_config
    from revue.store.db import Store

    run("add", "--no-fetch", "https://c.example/trois", "--title", "Trois")
    run("compose")
    run("move", "3", "--before", "1")
    run("edit", "1", "--note", "Nouvelle note")
    run("edit", "3", "--section", "À lire")
    store = Store.open(tmp_path / "revue.db")
    span = run_json("reviews")[0]
    opts = ComposeOptions(
        start=dt.date.fromisoformat(span["start"]), end=dt.date.fromisoformat(span["end"])
    )
    bench = Workbench(store, load_config(), opts, clock=lambda: dt.datetime.now(dt.UTC))
    bench.toggle(2)  # skipped in the workbench, not composed again
    assert [r.item.id for r in bench.rows if r.in_post] == [1, 3]
    blog_env(monkeypatch, "https://blog.example.org/")
    out = run("publish", "--dry-run").stdout
    body = json.loads(out[out.index("{") : out.rindex("}") + 1])["content"]
    assert "b.example/deux" not in body and "Nouvelle note" in body
    assert body.index("a.example/un") < body.index("À lire") < body.index("c.example/trois")
    again = run("compose", "--review", "1", "--format", "md", "--out", "-").stdout
    assert "Deux" not in again and "Nouvelle note" in again
    assert again.index("Un") < again.index("À lire") < again.index("Trois")
    # Before the section, the order alone: Trois first, as `revue move` put it.
    run("edit", "3", "--section", "")
    again = run("compose", "--review", "1", "--format", "md", "--out", "-").stdout
    assert again.index("Trois") < again.index("Un")
    listed = run_json("list", "--review", "1", "--order", "review")
    assert [i["id"] for i in listed] == [3, 1]


# -- a fake blog -------------------------------------------------------------------------------


@pytest.fixture
def blog(review: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWordPress]:
    fake = FakeWordPress().start()
    blog_env(monkeypatch, fake.base)
    try:
        yield fake
    finally:
        fake.stop()


def with_fetch(config: Path, **limits: float) -> None:
    """Add [fetch] limits to the test config."""
    lines = "".join(f"{key} = {value}\n" for key, value in limits.items())
    config.write_text(config.read_text().replace("[fetch]\n", "[fetch]\n" + lines), "utf-8")


def one_line_error(err: str) -> str:
    assert len(err.strip().splitlines()) == 1, err
    assert "internal error" not in err and "Traceback" not in err, err
    return err


def test_publish_to_the_fake_blog_creates_then_updates(blog: FakeWordPress) -> None:
    err = run("publish").stderr
    assert "created draft #1" in err
    assert "updated draft #1" in run("publish").stderr
    assert list(blog.posts) == [1]
    assert run_json("reviews")[0]["posts"][0]["post_id"] == 1


def test_the_password_never_follows_a_redirect_to_another_host(
    blog: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = FakeWordPress().start()  # another port: another origin, as another host is
    try:

        def redirect(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
            if path == "/wp-json/":
                send(h, 302, {}, headers={"Location": f"{other.base}/wp-json/"})
                return True
            return False

        blog.hook = redirect
        err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
        assert f"redirects to {other.base}" in err and "only to " + blog.base in err
        assert other.signed() == [] and blog.signed() == [] and other.posts == {}
        assert run_json("reviews")[0]["posts"] == []
    finally:
        other.stop()


def test_a_redirect_stays_on_the_origin_or_goes_up_to_https_on_the_same_host() -> None:
    from revue.errors import Refused
    from revue.publish.wordpress import WordPress, WordPressSettings

    def follow(site: str, location: str) -> str:
        return WordPress(WordPressSettings(site, "marie"))._follow(site + "/wp-json/", location)

    assert follow("https://blog.example.org", "/blog/wp-json/") == (
        "https://blog.example.org/blog/wp-json/"
    )
    assert follow("http://blog.example.org", "https://blog.example.org/wp-json/") == (
        "https://blog.example.org/wp-json/"
    )
    for site, location in [
        ("https://blog.example.org", "http://blog.example.org/wp-json/"),  # down to http
        ("https://blog.example.org", "https://evil.example/wp-json/"),
        ("https://blog.example.org", "https://blog.example.org:8443/wp-json/"),
        ("http://blog.example.org", "https://www.blog.example.org/wp-json/"),
    ]:
        with pytest.raises(Refused, match="only to"):
            follow(site, location)


def test_a_blog_that_drips_its_answer_is_cut_at_the_total_deadline(
    blog: FakeWordPress, review: Path
) -> None:
    with_fetch(review, total_timeout=1, read_timeout=5)

    def drip(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        for _ in range(50):  # one byte every 0.2 s, 10 s at most
            h.wfile.write(b" ")
            h.wfile.flush()
            time.sleep(0.2)
        return True

    blog.hook = drip
    err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert "timeout after 1 s" in err


def test_a_huge_answer_is_cut_at_max_bytes(blog: FakeWordPress, review: Path) -> None:
    with_fetch(review, max_bytes=100_000)

    def huge(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        if path != "/wp-json/":
            return False
        h.send_response(200)
        h.send_header("Content-Type", "application/json")
        h.send_header("Content-Length", str(3 * 10**9))
        h.end_headers()
        h.wfile.write(b'{"namespaces": ["wp/v2"], "x": "')
        for _ in range(200):  # 13 MB at most: the client hangs up long before
            h.wfile.write(b"a" * 65536)
        return True

    blog.hook = huge
    err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert "larger than 100,000 bytes" in err


def answer_on(route: str, data: bytes, *, method: str = "GET", status: int = 200) -> Any:
    def hook(h: Any, m: str, path: str, query: Any, body: Any) -> bool:
        if m == method and path == "/wp-json" + route:
            send(h, status, raw=data)
            return True
        return False

    return hook


@pytest.mark.parametrize(
    ("route", "method", "data"),
    [
        ("/wp/v2/users/me", "GET", b"[" * 200_000 + b"]" * 200_000),
        ("/wp/v2/tags", "POST", b'{"id": "abc", "name": "IA"}'),
        ("/wp/v2/tags", "POST", b'{"id": null, "name": "IA"}'),
        ("/wp/v2/tags", "GET", b'[{"id": true, "name": "IA"}]'),
        ("/wp/v2/posts", "GET", b"[" * 500 + b"]" * 500),
    ],
)
def test_a_malformed_answer_is_one_line_and_exit_1(
    blog: FakeWordPress, route: str, method: str, data: bytes
) -> None:
    blog.hook = answer_on(route, data, method=method, status=201 if method == "POST" else 200)
    one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert run_json("reviews")[0]["posts"] == []


@pytest.mark.parametrize("post_id", [b"1180591620717411303424", b"true", b'"7"', b"0"])
def test_a_bad_post_id_after_a_create_never_leads_to_a_second_post(
    blog: FakeWordPress, post_id: bytes
) -> None:
    def bad_id(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        if method == "POST" and path == "/wp-json/wp/v2/posts":
            with blog.lock:
                post = blog.write_post(blog.next_id, body)  # the blog made the post...
                blog.next_id += 1
            data = json.dumps(blog.post_json(post)).replace(f'"id": {post["id"]}', '"id": ID')
            send(h, 201, raw=data.replace("ID", post_id.decode()).encode())  # ...and says this
            return True
        return False

    blog.hook = bad_id
    err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert "no valid post id" in err
    assert run_json("reviews")[0]["posts"] == []  # `true` is not post #1
    blog.hook = None
    err = run("publish").stderr
    assert "post #1 was made by an earlier publish" in err
    assert list(blog.posts) == [1]
    assert run_json("reviews")[0]["posts"][0]["post_id"] == 1


def test_a_lost_answer_never_duplicates_the_post(blog: FakeWordPress, review: Path) -> None:
    with_fetch(review, read_timeout=0.5)

    def late(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        if method == "POST" and path == "/wp-json/wp/v2/posts":
            with blog.lock:
                blog.write_post(blog.next_id, body)
                blog.next_id += 1
            time.sleep(2)  # the answer comes after revue stopped waiting
            return True
        return False

    blog.hook = late
    err = one_line_error(run("publish", "--status", "publish", code=ExitCode.PARTIAL).stderr)
    assert "timeout after 0.5 s" in err and "publishing again finds the post" in err
    assert run_json("reviews")[0]["posts"] == []
    blog.hook = None
    err = run("publish").stderr
    assert "post #1 was made by an earlier publish" in err and "publish #1" in err
    assert list(blog.posts) == [1] and blog.posts[1]["status"] == "publish"
    assert "updated publish #1" in run("publish").stderr
    assert list(blog.posts) == [1]


def test_an_edit_on_the_blog_within_the_second_is_seen(blog: FakeWordPress) -> None:
    run("publish")
    # The blog's modified_gmt is left as revue last saw it: an edit in the same second.
    blog.posts[1]["content"] = "Edited on the blog"
    err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert "edited on the blog" in err and "--force" in err
    assert blog.posts[1]["content"] == "Edited on the blog"
    run("publish", "--force")
    assert blog.posts[1]["content"] != "Edited on the blog"
    run("publish")  # revue's own write is not an edit


def test_verbose_logs_every_request_of_publish(blog: FakeWordPress) -> None:
    err = run("-v", "publish").stderr
    assert f"GET {blog.base}/wp-json/ 200 in " in err
    assert f"GET {blog.base}/wp-json/wp/v2/users/me?context=edit 200 in " in err
    assert f"POST {blog.base}/wp-json/wp/v2/posts 201 in " in err
    assert SECRET not in err


def test_only_the_hashtags_shown_become_wordpress_tags_unless_all(
    blog: FakeWordPress, review: Path
) -> None:
    run("publish")
    assert [blog.terms["tags"][t] for t in blog.posts[1]["tags"]] == ["IA"]
    review.write_text(review.read_text() + '\n[wordpress]\ntags = "all"\n', encoding="utf-8")
    run("publish")
    assert [blog.terms["tags"][t] for t in blog.posts[1]["tags"]] == ["IA", "Veille"]


def test_the_blog_address_loses_its_credentials(
    blog: FakeWordPress, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVUE_WORDPRESS_URL", f"http://bob:hunter2@127.0.0.1:{blog.port}/")
    result = run("publish", "--json")
    dry = run("publish", "--dry-run")
    listed = run("reviews", "--json").stdout
    for out in (result.stdout, result.stderr, dry.stdout, listed):
        assert "hunter2" not in out and "bob" not in out
    assert json.loads(listed)[0]["posts"][0]["site"] == blog.base


def test_the_blogs_link_and_status_are_cleaned_where_they_enter(blog: FakeWordPress) -> None:
    def dirty(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        if method == "POST" and path == "/wp-json/wp/v2/posts":
            with blog.lock:
                post = blog.post_json(blog.write_post(1, body))
            post["link"] = f"{blog.base}/?p=1\x1b[2J\u009b31m"
            post["status"] = "dr\u009baft"
            send(h, 201, post)
            return True
        return False

    blog.hook = dirty
    run("publish")
    out = run("reviews", "--json").stdout
    assert "\\u001b" not in out and "\u009b" not in out and "\\u009b" not in out
    post = json.loads(out)[0]["posts"][0]
    assert post["link"] == f"{blog.base}/?p=1[2J31m" and post["status"] == "draft"


@pytest.mark.parametrize(
    ("variable", "value", "words"),
    [
        ("REVUE_WORDPRESS_URL", "http://127.0.0.1:abc", "not a valid blog address"),
        ("REVUE_WORDPRESS_URL", "http://[::1", "not a valid blog address"),
        ("REVUE_WORDPRESS_PASSWORD", "abcd\udcff efgh", "not valid UTF-8"),
    ],
)
def test_bad_blog_settings_are_config_errors(
    blog: FakeWordPress, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, words: str
) -> None:
    monkeypatch.setenv(variable, value)
    err = one_line_error(run("publish", code=ExitCode.STORE).stderr)
    assert words in err


def test_at_year_one_is_bad_input(review: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blog_env(monkeypatch, "https://blog.example.org")
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # east of UTC: year 1 at midnight is year 0 in UTC
    time.tzset()
    try:
        err = run(
            "publish", "--at", "0001-01-01T00:00", "--dry-run", code=ExitCode.BAD_INPUT
        ).stderr
    finally:
        monkeypatch.undo()
        time.tzset()
    assert "--at" in err


def test_a_create_is_retried_only_when_the_blog_surely_did_not_take_it(
    blog: FakeWordPress, review: Path
) -> None:
    review.write_text("[fetch]\nretries = 2\nbackoff = 0\n", encoding="utf-8")
    answers = [500, 503]

    def failing(h: Any, method: str, path: str, query: Any, body: Any) -> bool:
        if method == "POST" and path == "/wp-json/wp/v2/posts" and answers:
            send(h, answers.pop(), {"code": "oops", "message": "Not now."})
            return True
        return False

    blog.hook = failing
    # A 503 (not handled) is sent again; the 500 after it may have made the post: not resent.
    err = one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    assert "Not now. (HTTP 500, oops)" in err
    assert sum(1 for m, path, _ in blog.requests if m == "POST" and path.endswith("/posts")) == 2
    # An idempotent request (a GET) is retried on a 500.
    blog.hook = answer_on("/wp/v2/users/me", b'{"code": "x", "message": "Down."}', status=500)
    before = len(blog.requests)
    one_line_error(run("publish", code=ExitCode.PARTIAL).stderr)
    asked = [path for _, path, _ in blog.requests[before:] if "/users/me" in path]
    assert len(asked) == 3
