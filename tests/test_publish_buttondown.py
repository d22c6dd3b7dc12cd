"""revue publish --to buttondown, against a local server that follows Buttondown's published
API reference (tests/fakebuttondown.py): a draft made, updated in place, never sent; the
token's errors, rate limiting with Retry-After, and the token kept out of everything."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from revue.errors import ExitCode

from clihelp import run, run_json
from fakebuttondown import TOKEN, FakeButtondown


@pytest.fixture
def api() -> Iterator[FakeButtondown]:
    fake = FakeButtondown().start()
    try:
        yield fake
    finally:
        fake.stop()


@pytest.fixture
def review(tmp_path: Path, api: FakeButtondown, monkeypatch: pytest.MonkeyPatch) -> Path:
    run("add", "--no-fetch", "https://a.example/un", "--title", "Un", "--note", "= Bien #IA")
    run("add", "--no-fetch", "https://b.example/deux", "--title", "Deux")
    run("compose")
    config = tmp_path / "config.toml"
    config.write_text(
        f'[fetch]\nretries = 0\n\n[publish.buttondown]\napi = "{api.base}"\n', encoding="utf-8"
    )
    monkeypatch.setenv("REVUE_BUTTONDOWN_TOKEN", TOKEN)
    return config


def posted(api: FakeButtondown) -> list[tuple[str, str, dict[str, object]]]:
    return [(m, p, b) for m, p, _, b in api.requests if m in ("POST", "PATCH")]


def test_a_draft_is_made_then_updated_in_place(review: Path, api: FakeButtondown) -> None:
    out = run("publish", "--to", "buttondown")
    assert len(api.emails) == 1
    email_id, email = next(iter(api.emails.items()))
    assert email["status"] == "draft"
    assert out.stdout.strip() == email["absolute_url"]
    assert f"created draft {email_id} on buttondown" in out.stderr
    [(method, path, body)] = posted(api)
    assert (method, path) == ("POST", "/v1/emails")
    # The status is sent every time, never left to the API's default.
    assert body["status"] == "draft"
    assert str(body["subject"]).startswith("Revue de presse")
    assert "https://a.example/un" in str(body["body"]) and "Bien" in str(body["body"])
    headers = api.requests[0][2]
    assert headers["Authorization"] == f"Token {TOKEN}"
    # Published again: the same email, updated (status draft once more), not a second one.
    run("add", "--no-fetch", "https://c.example/trois", "--title", "Trois")
    run("compose", "--force")
    out = run("publish", "--to", "buttondown")
    assert f"updated draft {email_id}" in out.stderr
    assert len(api.emails) == 1
    methods = [(m, p) for m, p, _, _ in api.requests[1:]]
    assert methods == [("GET", f"/v1/emails/{email_id}"), ("PATCH", f"/v1/emails/{email_id}")]
    assert posted(api)[-1][2]["status"] == "draft"
    posts = run_json("reviews")[0]["posts"]
    assert [(p["site"], p["ref"], p["status"]) for p in posts] == [
        ("buttondown", email_id, "draft")
    ]


def test_an_email_sent_or_deleted_on_buttondown_is_left_alone(
    review: Path, api: FakeButtondown
) -> None:
    run("publish", "--to", "buttondown")
    email_id = next(iter(api.emails))
    api.emails[email_id]["status"] = "sent"
    err = run("publish", "--to", "buttondown", code=ExitCode.PARTIAL).stderr
    assert f"email {email_id} is sent, not a draft" in err and "--new" in err
    assert api.emails[email_id]["status"] == "sent"
    assert not any(m == "PATCH" for m, _, _ in posted(api))
    out = run("publish", "--to", "buttondown", "--new")
    assert len(api.emails) == 2 and f"{email_id} left as it is (--new)" in out.stderr
    new_id = run_json("reviews")[0]["posts"][0]["ref"]
    del api.emails[new_id]
    err = run("publish", "--to", "buttondown", code=ExitCode.PARTIAL).stderr
    assert f"email {new_id} was deleted" in err


def test_a_wrong_token_is_one_line_and_never_shown(
    review: Path, api: FakeButtondown, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVUE_BUTTONDOWN_TOKEN", "not-the-token")
    err = run("-v", "publish", "--to", "buttondown", code=ExitCode.PARTIAL).stderr
    assert "Unauthorized (HTTP 401): wrong token?" in err
    assert "not-the-token" not in err
    assert api.emails == {}


def test_a_refused_field_says_buttondowns_detail(review: Path, api: FakeButtondown) -> None:
    def refuse(handler: object, method: str, path: str, body: object) -> bool:
        from fakebuttondown import send

        send(handler, 400, {"code": "subject_invalid", "detail": "Subject is too long."})  # type: ignore[arg-type]
        return True

    api.hook = refuse
    err = run("publish", "--to", "buttondown", code=ExitCode.PARTIAL).stderr
    assert "Subject is too long. (HTTP 400, subject_invalid)" in err


def test_rate_limiting_is_retried_after_its_wait_or_reported(
    review: Path, api: FakeButtondown
) -> None:
    review.write_text(review.read_text().replace("retries = 0", "retries = 2"))
    api.throttle = [0]  # one 429 with Retry-After: 0, then the API answers
    run("publish", "--to", "buttondown")
    assert len(api.emails) == 1  # the create refused with 429 was sent again, once
    assert [m for m, _, _, _ in api.requests] == ["POST", "POST"]
    review.write_text(review.read_text().replace("retries = 2", "retries = 0"))
    api.throttle = [120]
    err = run("publish", "--to", "buttondown", code=ExitCode.PARTIAL).stderr
    assert "(HTTP 429): rate limited; try again in 120 s" in err


def test_dry_run_sends_nothing_and_needs_no_token(
    review: Path, api: FakeButtondown, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = run("publish", "--to", "buttondown", "--dry-run").stdout
    assert api.requests == []
    assert out.startswith(f"POST {api.base}/v1/emails\n")
    assert "Authorization: Token (not shown)" in out and TOKEN not in out
    body = json.loads(out[out.index("{") : out.rindex("}") + 1])
    assert body["status"] == "draft"
    monkeypatch.delenv("REVUE_BUTTONDOWN_TOKEN")
    assert run("publish", "--to", "buttondown", "--dry-run").stdout == out
    assert (
        "REVUE_BUTTONDOWN_TOKEN" in run("publish", "--to", "buttondown", code=ExitCode.STORE).stderr
    )


def test_the_token_stays_out_of_the_logs_and_the_database(
    review: Path, api: FakeButtondown, tmp_path: Path
) -> None:
    result = run("-v", "publish", "--to", "buttondown")
    assert "Buttondown token from REVUE_BUTTONDOWN_TOKEN" in result.stderr
    assert f"{api.base}/v1/emails" in result.stderr  # -v logs the request...
    assert TOKEN not in result.stdout + result.stderr  # ...never its token
    with sqlite3.connect(tmp_path / "revue.db") as db:
        assert TOKEN not in "\n".join(db.iterdump())
    assert TOKEN not in run("export", "--format", "json").stdout


@pytest.mark.parametrize(
    ("table", "words"),
    [
        ('token = "x"', "holds a token in clear"),
        ('api = "http://api.example.org"', "only over https"),
        ('api = "ftp://api.example.org"', 'publish.buttondown.api = "ftp://api.example.org": not'),
        ('key = "x"', "unknown key 'publish.buttondown.key'"),
    ],
)
def test_bad_buttondown_settings_are_config_errors(
    review: Path, api: FakeButtondown, table: str, words: str
) -> None:
    review.write_text(f"[publish.buttondown]\n{table}\n", encoding="utf-8")
    err = run("publish", "--to", "buttondown", code=ExitCode.STORE).stderr
    assert words in err and TOKEN not in err
    assert api.requests == []


def test_several_targets_at_once(review: Path, api: FakeButtondown) -> None:
    review.write_text(review.read_text() + '\n[publish]\nto = ["buttondown"]\n')
    run("publish")  # the config's targets
    assert len(api.emails) == 1
    data = run_json("publish", "--to", "buttondown", "--to", "buttondown,")
    assert data["target"] == "buttondown" and data["action"] == "updated"
    review.write_text(review.read_text().replace('["buttondown"]', '["buttondown", "fax"]'))
    assert "[publish] to: unknown target 'fax'" in run("publish", code=ExitCode.STORE).stderr


def test_a_failing_target_does_not_stop_the_others(review: Path, api: FakeButtondown) -> None:
    review.write_text(
        review.read_text()
        + '\n[publish.email]\nsmtp = "smtp://127.0.0.1:9"\nfrom = "revue@example.org"\n'
        + 'to = ["reader@example.net"]\ntimeout = 5.0\n'
    )
    result = run("publish", "--to", "email,buttondown", code=ExitCode.PARTIAL)
    assert "email: smtp://127.0.0.1:9: cannot connect" in result.stderr
    assert len(api.emails) == 1  # the draft was made all the same
    posts = run_json("reviews")[0]["posts"]
    assert [p["site"] for p in posts] == ["buttondown"]
