"""revue publish --to email: a real SMTP server (aiosmtpd) on 127.0.0.1 receives the
newsletter, and the tests read what arrived: both parts, every link, the headers, the
envelope of each batch, a resume after a refusal mid-way, --resend and --dry-run."""

from __future__ import annotations

import email
import socket
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup

from revue.errors import ExitCode

from clihelp import run, run_json

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

READERS = [
    "a@readers.example.net",
    "b@readers.example.net",
    "c@readers.example.net",
    "d@readers.example.net",
    "e@readers.example.net",
]
SECRET = "s3cret-smtp-Pa55"


@dataclass
class Inbox:
    """What the SMTP server received: one (envelope sender, recipients, message) a DATA."""

    messages: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse_once: set[str] = field(default_factory=set)  # a 451 for these, the first time
    logins: list[tuple[str, str]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "451 4.3.0 mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=default_policy)
        assert isinstance(message, EmailMessage)
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 2.0.0 queued"

    def received(self) -> list[str]:
        return sorted(r for _, rcpts, _ in self.messages for r in rcpts)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()

    def authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        assert isinstance(data, LoginPassword)
        inbox.logins.append((data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password.decode() == SECRET)

    port = _free_port()
    controller = aiosmtpd_controller.Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        authenticator=authenticate,
        auth_require_tls=False,  # this machine: revue may log in without TLS
    )
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def configure(tmp_path: Path, port: int, extra: str = "") -> Path:
    config = tmp_path / "config.toml"
    readers = ", ".join(f'"{r}"' for r in READERS)
    config.write_text(
        f"""[publish.email]
smtp = "smtp://127.0.0.1:{port}"
from = "revue@example.org"
list = "lecteurs@example.org"
list_name = "Revue de presse"
unsubscribe = "mailto:leave@example.org?subject=unsubscribe"
to = [{readers}]
batch_size = 2
timeout = 5.0
{extra}""",
        encoding="utf-8",
    )
    return config


@pytest.fixture
def review(tmp_path: Path) -> None:
    run(
        "add", "--no-fetch", "https://a.example/un", "--title", "Un <b>gras</b>", "--note", "= Bien"
    )
    run("add", "--no-fetch", "https://b.example/deux?x=1&y=2", "--title", "Deux")
    run("compose")


def test_the_newsletter_arrives_in_batches_with_both_parts(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    configure(tmp_path, port)
    result = run("publish", "--to", "email")
    assert "sent to 5 address(es) in 3 batch(es)" in result.stderr
    # Three SMTP transactions of at most two envelope recipients, each reader once.
    assert [len(rcpts) for _, rcpts, _ in inbox.messages] == [2, 2, 1]
    assert inbox.received() == sorted(READERS)
    assert inbox.logins == []  # no password configured: no login (a local relay)
    ids = {m["Message-ID"] for _, _, m in inbox.messages}
    assert len(ids) == 1
    sender, _, message = inbox.messages[0]
    assert sender == "revue@example.org"
    raw = message.as_string()
    # No reader is named in the message: not in To, not in a Bcc, nowhere.
    assert message["Bcc"] is None
    for reader in READERS:
        assert reader not in raw
    assert message["To"] == "Revue de presse <lecteurs@example.org>"
    assert message["From"] == "revue@example.org"
    assert message["Subject"].startswith("Revue de presse")
    assert message["List-Id"] == "Revue de presse <lecteurs.example.org>"
    assert message["List-Unsubscribe"] == "<mailto:leave@example.org?subject=unsubscribe>"
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(("plain",))
    html = message.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert "https://a.example/un" in text and "https://b.example/deux?x=1&y=2" in text
    page = html.get_content()
    assert len(page.encode()) < 102 * 1024
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find_all(["script", "style", "link"])
    hrefs = [a["href"] for a in soup.find_all("a")]
    assert hrefs == ["https://a.example/un", "https://b.example/deux?x=1&y=2"]
    assert all(a.get("style") for a in soup.find_all("a"))
    for tag in soup.find_all(["p", "h1"]):
        assert tag.get("style"), tag
    # A page's markup is text, escaped: never a tag in the newsletter.
    assert soup.find("b") is None and "Un <b>gras</b>" in soup.get_text()
    preheader = soup.body.find("div") if soup.body else None
    assert preheader is not None and "display:none" in preheader["style"]
    assert "Un" in preheader.get_text()
    # Recorded once: the Message-ID, per review and list.
    posts = run_json("reviews")[0]["posts"]
    assert [(p["site"], p["ref"], p["status"]) for p in posts] == [
        ("email:lecteurs@example.org", next(iter(ids)), "sent")
    ]


def test_sent_once_unless_resend(review: None, smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    configure(tmp_path, port)
    run("publish", "--to", "email")
    first = inbox.messages[0][2]["Message-ID"]
    err = run("publish", "--to", "email", code=ExitCode.PARTIAL).stderr
    assert "was sent to lecteurs@example.org" in err and "--resend" in err
    assert len(inbox.messages) == 3
    run("publish", "--to", "email", "--resend")
    assert len(inbox.messages) == 6
    assert inbox.received() == sorted(READERS * 2)
    second = inbox.messages[3][2]["Message-ID"]
    assert second != first
    assert run_json("reviews")[0]["posts"][0]["ref"] == second


def test_an_interrupted_send_resumes_without_sending_anyone_twice(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    configure(tmp_path, port)
    # The server refuses the 2nd batch's recipients once (a greylisting 451).
    inbox.refuse_once = {"c@readers.example.net", "d@readers.example.net"}
    err = run("publish", "--to", "email", code=ExitCode.PARTIAL).stderr
    assert "2 address(es) refused (c@readers.example.net: 451" in err
    assert "sent to 2 of 5" in err and "publish again" in err
    assert inbox.received() == ["a@readers.example.net", "b@readers.example.net"]
    assert run_json("reviews")[0]["posts"] == []  # not sent to the list yet
    out = run("publish", "--to", "email")
    assert "resuming an interrupted send: 2 address(es)" in out.stderr
    assert inbox.received() == sorted(READERS)  # each reader exactly once
    assert len({m["Message-ID"] for _, _, m in inbox.messages}) == 1
    assert "was sent to" in run("publish", "--to", "email", code=ExitCode.PARTIAL).stderr


def test_a_partly_refused_batch_records_who_got_it(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    configure(tmp_path, port)
    inbox.refuse_once = {"c@readers.example.net"}
    run("publish", "--to", "email", code=ExitCode.PARTIAL)
    assert inbox.received() == [
        "a@readers.example.net",
        "b@readers.example.net",
        "d@readers.example.net",
    ]
    run("publish", "--to", "email")
    assert inbox.received() == sorted(READERS)


def test_dry_run_sends_nothing_and_shows_no_secret_nor_reader(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    configure(tmp_path, port)
    monkeypatch.setenv("REVUE_SMTP_PASSWORD", SECRET)
    out = run("publish", "--to", "email", "--dry-run").stdout
    assert inbox.messages == [] and inbox.logins == []
    assert SECRET not in out and "password not shown" in out
    for reader in READERS:
        assert reader not in out
    assert "RCPT TO: 5 address(es) in 3 batch(es) of at most 2" in out
    assert "--- text/plain ---" in out and "--- text/html" in out
    assert "List-Id: Revue de presse <lecteurs.example.org>" in out
    assert run_json("reviews")[0]["posts"] == []


def test_the_password_logs_in_and_stays_out_of_logs_and_database(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, port = smtp
    configure(tmp_path, port, 'user = "marie"\n')
    monkeypatch.setenv("REVUE_SMTP_PASSWORD", SECRET)
    result = run("-v", "publish", "--to", "email")
    assert inbox.logins == [("marie", SECRET)]
    assert "SMTP password from REVUE_SMTP_PASSWORD" in result.stderr
    assert SECRET not in result.stdout + result.stderr
    with sqlite3.connect(tmp_path / "revue.db") as db:
        dump = "\n".join(db.iterdump())
    assert SECRET not in dump and "lecteurs@example.org" in dump


@pytest.mark.parametrize(
    ("extra", "env", "words"),
    [
        ('password = "x"\n', {}, "holds a password in clear"),
        (
            "",
            {"REVUE_SMTP_PASSWORD": SECRET, "SMTP": "smtp://mail.example.org:25"},
            "only over TLS",
        ),
        ("", {"SMTP": "smtp://marie:pw@127.0.0.1:25"}, "no user or password in the address"),
        ("", {"SMTP": "http://127.0.0.1:25"}, "give smtp://host:port"),
        ('to_file = "missing.txt"\n', {}, "missing.txt: cannot read"),
        ('starttls = "yes"\n', {}, 'publish.email.starttls = "yes": wrong type'),
        ('sender = "x"\n', {}, "unknown key 'publish.email.sender'"),
    ],
)
def test_bad_email_settings_are_config_errors(
    review: None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: str,
    env: dict[str, str],
    words: str,
) -> None:
    config = configure(tmp_path, 1, extra)
    if "SMTP" in env:
        text = config.read_text().replace("smtp://127.0.0.1:1", env.pop("SMTP"))
        config.write_text(text)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    err = run("publish", "--to", "email", code=ExitCode.STORE).stderr
    assert words in err
    assert SECRET not in err


def test_readers_from_a_file_and_bad_addresses(
    review: None, smtp: tuple[Inbox, int], tmp_path: Path
) -> None:
    inbox, port = smtp
    (tmp_path / "readers.txt").write_text(
        "# my readers\nx@example.org\n\nY@example.org\nx@EXAMPLE.org\n", encoding="utf-8"
    )
    config = configure(tmp_path, port, 'to_file = "readers.txt"\n')
    config.write_text(config.read_text().replace("to = [", "#to = ["))
    run("publish", "--to", "email")
    assert inbox.received() == ["Y@example.org", "x@example.org"]
    (tmp_path / "readers.txt").write_text("ok@example.org\nnot an address\n", encoding="utf-8")
    err = run("publish", "--to", "email", "--resend", code=ExitCode.STORE).stderr
    assert "readers.txt:2: 'not an address' is not an email address" in err


def test_a_large_review_warns_about_gmail_clipping(smtp: tuple[Inbox, int], tmp_path: Path) -> None:
    inbox, port = smtp
    urls = [f"https://news.example/{n}/" + "x" * 300 for n in range(200)]
    run("add", "--no-fetch", "-", input="\n".join(urls) + "\n")
    run("compose")
    configure(tmp_path, port)
    err = run("publish", "--to", "email").stderr
    assert "Gmail clips a message above 102 KB" in err
    assert len(inbox.messages) == 3


def test_unknown_targets_and_stray_options_are_bad_input(review: None) -> None:
    err = run("publish", "--to", "email,carrier-pigeon", code=ExitCode.BAD_INPUT).stderr
    assert "unknown target 'carrier-pigeon'" in err
    assert "wordpress, email, buttondown" in err
    assert "add --to email" in run("publish", "--resend", code=ExitCode.BAD_INPUT).stderr
    err = run("publish", "--to", "email", "--status", "publish", code=ExitCode.BAD_INPUT).stderr
    assert "add --to wordpress" in err
