"""publish without a WordPress: the config, bad input, dry runs, and blogs that are not one.

(The end-to-end tests against a real WordPress are in test_wordpress_publish.py.)
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from clihelp import run, run_json
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
    assert body["tags"] == ["IA", "Veille"] and body["categories"] == ["Revues"]
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
    err = run("publish", code=3).stderr
    assert "REVUE_WORDPRESS_URL" in err and "[wordpress]" in err
    monkeypatch.setenv("REVUE_WORDPRESS_URL", "https://blog.example.org")
    assert "REVUE_WORDPRESS_USER" in run("publish", code=3).stderr
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "marie")
    err = run("publish", code=3).stderr
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
    err = run("publish", "--dry-run", code=3).stderr
    assert "password in clear" in err and "REVUE_WORDPRESS_PASSWORD" in err


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('url = "ftp://blog.example.org"', 'wordpress.url = "ftp://blog.example.org": not an'),
        ('url = "https://blog.example.org/?p=1"', "without ?query"),
        ("user = 12", "wordpress.user = 12: wrong type"),
        ('site = "x"', "unknown key 'wordpress.site'"),
    ],
)
def test_bad_wordpress_settings_name_the_key(
    review: Path, monkeypatch: pytest.MonkeyPatch, table: str, words: str
) -> None:
    given = dict(line.split(" = ", 1) for line in [table])
    settings = {"url": '"https://blog.example.org"', "user": '"marie"', **given}
    lines = "\n".join(f"{key} = {value}" for key, value in settings.items())
    review.write_text(f"[wordpress]\n{lines}\n", encoding="utf-8")
    assert words in run("publish", "--dry-run", code=3).stderr


def test_the_password_never_goes_over_plain_http_to_another_host(
    review: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blog_env(monkeypatch, "http://blog.example.org")
    assert "only over https" in run("publish", code=3).stderr


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
    assert words in run("publish", *args, "--dry-run", code=2).stderr


def test_no_review_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    blog_env(monkeypatch, "https://blog.example.org")
    assert "no reviews yet" in run("publish", code=2).stderr


def test_a_site_that_is_not_wordpress(
    review: Path, monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    server.route("/", body=b"<html><title>A shop</title></html>")
    blog_env(monkeypatch, server.base)
    err = run("publish", code=1).stderr
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
    err = run("publish", code=1).stderr
    assert "The REST API has been disabled on this site. (HTTP 401, rest_disabled)" in err


def test_tls_and_connection_errors_are_one_line(
    review: Path, monkeypatch: pytest.MonkeyPatch, server: LoopbackServer
) -> None:
    # https to a plain-http server: the TLS handshake fails.
    blog_env(monkeypatch, f"https://127.0.0.1:{server.port}")
    err = run("publish", code=1).stderr
    assert "TLS error" in err and len(err.strip().splitlines()) == 1
    server.stop()
    blog_env(monkeypatch, server.base)
    err = run("publish", code=1).stderr
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
