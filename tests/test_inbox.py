"""`revue inbox pull` against a real IMAP server (dovecot on 127.0.0.1) and a real Maildir:
the curator's mails become items, newsletters' links candidates under their final address,
a bad message is reported once and the rest filed, a second pull files nothing again."""

from __future__ import annotations

import base64
import json
import mailbox
import os
import sqlite3
from collections.abc import Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from dovecot import PACKAGE, Dovecot, missing

from revue.errors import ExitCode
from revue.formats.mail import BadMail, is_footer, parse_mail, target_in_url, unwrap
from revue.web import addresses

from clihelp import run, run_json
from loopback import LoopbackServer

PUBLIC = "127.0.0.2"  # the tests' "internet" (see test_address_policy.py)
ME = "me@example.org"


@pytest.fixture
def imap() -> Iterator[Dovecot]:
    absent = missing()
    if absent:
        reason = (
            f"a real IMAP server is needed: {', '.join(absent)} missing (apt-get install {PACKAGE})"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the IMAP tests: {reason}")
        pytest.skip(reason)
    server = Dovecot().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[LoopbackServer]:
    """The web the mails link to, "on the internet" (a newsletter's links may reach only
    public addresses)."""
    monkeypatch.setattr(addresses, "TEST_PUBLIC_ADDRESSES", frozenset({PUBLIC}))
    srv = LoopbackServer(host=PUBLIC).start()
    try:
        yield srv
    finally:
        srv.stop()


def page(title: str | None) -> str:
    head = f"<title>{title}</title>" if title else ""
    return f"<html><head>{head}</head><body><p>Some text.</p></body></html>"


def redirect(to: str, status: int = 302) -> dict[str, object]:
    return {"status": status, "headers": {"Location": to}}


def head_refused_then(to: str):  # type: ignore[no-untyped-def]
    """A tracker that refuses HEAD (405) and redirects a GET."""

    def handle(h: BaseHTTPRequestHandler) -> None:
        if h.command == "HEAD":
            h.send_response(405)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        h.send_response(302)
        h.send_header("Location", to)
        h.send_header("Content-Length", "0")
        h.end_headers()

    return handle


def b64(url: str) -> str:
    return base64.urlsafe_b64encode(url.encode()).decode().rstrip("=")


def serve(web: LoopbackServer) -> dict[str, str]:
    """The pages and the trackers the mails below link to."""
    u = web.url
    web.route("/shared", page(None))  # a page without a title: the subject stands in
    web.route("/forwarded-1", page("The forwarded story"))
    web.route("/forwarded-2", page("Its companion piece"))
    for name in ("a", "b", "c", "d", "e"):
        web.route(f"/story-{name}", page(f"Story {name.upper()}"))
    web.route("/track/click", **redirect(u("/story-a?utm_source=mailchimp&utm_medium=email")))
    web.route("/track/click2", handler=head_refused_then(u("/story-b")))
    web.route("/track/view", **redirect(u("/campaign/view")))
    web.route("/t/xyz", **redirect(u("/bounce"), 301))
    web.route("/bounce", **redirect(u("/story-e")))
    for footer in ("/unsubscribe/123", "/unsub/list-header", "/manage/prefs"):
        web.route(footer, page("You are unsubscribed"))
    return {
        "tracker_a": u("/track/click?u=abc&id=1&e=ff"),
        "tracker_b": u("/track/click2?u=abc&id=2"),
        "view": u("/track/view?u=abc&id=99"),
        "short": u("/t/xyz"),
        "unsub_header": u("/unsub/list-header"),
        "unsub": u("/unsubscribe/123"),
    }


def mail(
    sender: str,
    subject: str,
    msgid: str,
    *,
    text: str | None = None,
    html: str | None = None,
    headers: dict[str, str] | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "revue@example.org"
    msg["Subject"] = subject
    msg["Message-ID"] = msgid
    for name, value in (headers or {}).items():
        msg[name] = value
    if text is not None:
        msg.set_content(text)
    if html is not None:
        if text is None:
            msg.set_content(html, subtype="html")
        else:
            msg.add_alternative(html, subtype="html")
    return bytes(msg)


def messages(web: LoopbackServer) -> list[bytes]:
    """A phone share, a forwarded article, three real-shaped newsletters with tracking links
    and footers, and the bad ones: a malformed MIME part, a script, a bad charset, 5 MB."""
    u, t = web.url, serve(web)
    substack = json.dumps({"e": u("/story-c"), "p": 1, "s": 2}).encode()
    substack_link = (
        "https://substack.com/redirect/2/"
        + base64.urlsafe_b64encode(substack).decode().rstrip("=")
        + ".SIGNATURE"
    )
    share = "https://platformer.substack.com/p/the-story?utm_source=substack&action=share"
    ck = f"{u('/ck')}/abc123/def456/"
    return [
        mail(
            f"Me <{ME}>",
            "Le titre partagé",
            "<share@phone>",
            text=f"= Un bon résumé #IA\n{u('/shared')}\n\nEnvoyé de mon iPhone\n",
        ),
        mail(
            f"Me <{ME}>",
            "Fwd: The forwarded story",
            "<fwd@me>",
            text=(
                "Regarde ça #Climat\n\n"
                "---------- Forwarded message ---------\n"
                "From: A Friend <friend@example.net>\nSubject: The forwarded story\n\n"
                f"Read this: {u('/forwarded-1')} and then {u('/forwarded-2')}.\n"
            ),
        ),
        mail(
            "Stratechery <newsletter@stratechery.com>",
            "The week in tech",
            "<mc-1@stratechery.com>",
            headers={"List-Unsubscribe": f"<{t['unsub_header']}>, <mailto:u@stratechery.com>"},
            html=(
                f'<p><a href="{t["view"]}">View this email in your browser</a></p>'
                f'<h2><a href="{t["tracker_a"]}">Story A: chips</a></h2>'
                f'<p>More: <a href="{t["tracker_b"]}">Story B, HEAD refused</a></p>'
                f'<p><a href="{t["unsub_header"]}">click here</a> to stop.</p>'
                f'<p><a href="{u("/manage/prefs")}">Update your preferences</a></p>'
                '<p><a href="mailto:ben@stratechery.com">Reply</a></p>'
            ),
        ),
        mail(
            "Platformer <platformer@substack.com>",
            "Platformer: the news",
            "<ss-1@substack.com>",
            headers={"List-Id": "Platformer <platformer.substack.com>"},
            html=(
                f'<a href="{substack_link}">Story C, behind a Substack redirect</a>'
                f'<a href="{t["tracker_a"]}">Story A again</a>'
                f'<a href="{share}">Share</a>'
                '<a href="https://substack.com/app-link/post?publication_id=1&action=like">Like</a>'
            ),
        ),
        mail(
            "Money Stuff <noreply@convertkit-mail.com>",
            "Money Stuff: banks",
            "<ck-1@convertkit-mail.com>",
            headers={"List-Id": "<money.convertkit-mail.com>"},
            text=(
                f"Story D: {ck}{b64(u('/story-d'))}\n"
                f"Story E (a short link): {t['short']}\n"
                f"Sponsored by Acme: {ck}{b64('http://acme.invalid/')}\n"
                f"Unsubscribe: {t['unsub']}\n"
            ),
        ),
        (
            b"From: Me <me@example.org>\r\nSubject: Broken one\r\nMessage-ID: <broken@me>\r\n"
            b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="NOPE"\r\n\r\n'
            b"--ELSEWHERE\r\nContent-Type: text/plain\r\n\r\nhttp://example.org/x\r\n"
        ),
        mail(
            "Evil <evil@stratechery.com>",
            "Scripted",
            "<script@evil>",
            html='<p><a href="http://example.org/">x</a></p><script>alert(1)</script>',
        ),
        mail(
            "Evil <evil@stratechery.com>",
            "JS link",
            "<js@evil>",
            html='<p><a href=" jav&#x09;ascript:alert(1)">x</a><a href="javascript:alert(1)">y</a></p>',
        ),
        (
            b"From: Me <me@example.org>\r\nSubject: Bad charset\r\nMessage-ID: <charset@me>\r\n"
            b'MIME-Version: 1.0\r\nContent-Type: text/plain; charset="x-no-such-charset"\r\n\r\n'
            b"http://example.org/y\r\n"
        ),
        _huge(),
        mail(
            "Someone <someone@spam.example>", "Win a prize", "<spam@x>", text="http://spam.example/"
        ),
    ]


def _huge() -> bytes:
    msg = EmailMessage()
    msg["From"] = f"Me <{ME}>"
    msg["Subject"] = "A photo"
    msg["Message-ID"] = "<huge@me>"
    msg.set_content("http://example.org/photo")
    msg.add_attachment(os.urandom(5 * 2**20), maintype="image", subtype="jpeg", filename="a.jpg")
    return bytes(msg)


def configure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str) -> None:
    (tmp_path / "config.toml").write_text(
        f'[inbox]\n{table}\nme = ["{ME}"]\nnewsletters = ["stratechery.com"]\n'
    )
    monkeypatch.setenv("REVUE_IMAP_PASSWORD", Dovecot.password)


def connect_db(tmp_path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(tmp_path / "revue.db")
    conn.row_factory = sqlite3.Row
    return conn


BAD = ("<broken@me>", "<script@evil>", "<js@evil>", "<charset@me>", "<huge@me>")


def test_pull_files_mails_and_newsletters_once_from_a_real_imap_server(
    imap: Dovecot, web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap.deliver("revue", *messages(web))
    configure(tmp_path, monkeypatch, f'url = "{imap.url()}"\nuser = "{imap.user}"')

    first = run("inbox", "pull", code=ExitCode.PARTIAL)
    assert "3 links from 2 mails, 5 candidates from 3 newsletters" in first.stdout
    # Each bad message named on stderr by its subject and Message-ID, the rest filed.
    for subject, msgid in zip(
        ("Broken one", "Scripted", "JS link", "Bad charset", "A photo"), BAD, strict=True
    ):
        assert f"skipped «{subject}» {msgid}" in first.stderr
    assert "malformed MIME" in first.stderr
    assert "hostile HTML (a script)" in first.stderr
    assert "hostile HTML (a javascript: link)" in first.stderr
    assert "unknown charset 'x-no-such-charset'" in first.stderr
    assert "larger than 2,000,000 bytes" in first.stderr
    assert "left alone «Win a prize»" in first.stderr

    conn = connect_db(tmp_path)
    items = {r["url"]: r for r in conn.execute("SELECT * FROM items")}
    shared, fwd1, fwd2 = (web.url(p) for p in ("/shared", "/forwarded-1", "/forwarded-2"))
    assert set(items) == {shared, fwd1, fwd2}
    # The note typed around the link, "=" and hashtags as on the command line.
    assert items[shared]["note"] == "Un bon résumé #IA"
    assert items[shared]["title"] == "Le titre partagé"  # the page has none
    assert items[fwd1]["title"] == "The forwarded story"  # the page's own
    assert items[fwd1]["note"] == items[fwd2]["note"] == "Regarde ça #Climat"
    assert all(r["status"] == "ok" for r in items.values())
    tags = {r[0] for r in conn.execute("SELECT name FROM tags")}
    assert {"IA", "Climat"} <= tags

    candidates = {r["url"]: r for r in conn.execute("SELECT * FROM candidates")}
    assert set(candidates) == {web.url(f"/story-{n}") for n in "abcde"}
    assert candidates[web.url("/story-a")]["newsletter"] == "Stratechery"
    assert candidates[web.url("/story-c")]["newsletter"] == "Platformer"
    assert candidates[web.url("/story-d")]["newsletter"] == "Money Stuff"
    assert candidates[web.url("/story-a")]["title"] == "Story A: chips"
    assert candidates[web.url("/story-e")]["title"] == "Story E (a short link)"
    # No footer link was ever requested (following an unsubscribe link unsubscribes).
    asked = [path for _, path, _ in web.requests]
    assert not [p for p in asked if "unsub" in p or "manage" in p or "view" in p], asked
    # The HEAD refused was retried as a GET.
    assert ("HEAD", "/track/click2?u=abc&id=2") in [(m, p) for m, p, _ in web.requests]
    assert ("GET", "/track/click2?u=abc&id=2") in [(m, p) for m, p, _ in web.requests]

    # Filed messages are flagged \Seen; the bad ones stay unread for the curator to see.
    flags = imap.flags("revue")
    for msgid, flagged in flags.items():
        assert ("\\Seen" in flagged) == (msgid not in (*BAD, "<spam@x>")), (msgid, flagged)

    second = run("inbox", "pull", code=ExitCode.OK)
    assert "0 links from 0 mails, 0 candidates from 0 newsletters" in second.stdout
    assert second.stderr == ""
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM candidates").fetchone()[0] == 5

    # Quiet when all went well.
    quiet = run("--quiet", "inbox", "pull")
    assert (quiet.stdout, quiet.stderr) == ("", "")


def test_dry_run_files_and_flags_nothing(
    imap: Dovecot, web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap.deliver("revue", *messages(web)[:3])
    configure(tmp_path, monkeypatch, f'url = "{imap.url()}"\nuser = "{imap.user}"')
    result = run("inbox", "pull", "--dry-run")
    assert "would file 3 links from 2 mails, 2 candidates from 1 newsletter" in result.stdout
    assert web.url("/story-a") in result.stdout
    assert "track" not in result.stdout
    assert all("\\Seen" not in f for f in imap.flags("revue").values())
    assert not (tmp_path / "revue.db").exists()  # a dry run creates no database either
    run("add", "--no-fetch", web.url("/elsewhere"))
    assert "would file 3 links" in run("inbox", "pull", "--dry-run").stdout
    conn = connect_db(tmp_path)
    for table in ("candidates", "inbox_messages"):
        assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 1
    # The real pull then files them all, in silence with --quiet when all went well.
    quiet = run("--quiet", "inbox", "pull")
    assert (quiet.stdout, quiet.stderr) == ("", "")
    assert conn.execute("SELECT count(*) FROM items WHERE status = 'ok'").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM candidates").fetchone()[0] == 2


def test_done_folder_moves_filed_messages(
    imap: Dovecot, web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    imap.deliver("revue", *messages(web)[:1], messages(web)[5])
    table = f'url = "{imap.url()}"\nuser = "{imap.user}"\ndone_folder = "revue-done"'
    configure(tmp_path, monkeypatch, table)
    run("inbox", "pull", "--no-fetch", code=ExitCode.PARTIAL)
    assert set(imap.flags("revue")) == {"<broken@me>"}  # the bad one stays
    assert imap.flags("revue-done") == {"<share@phone>": {"\\Seen"}}
    run("inbox", "pull", code=ExitCode.OK)


def test_an_interrupted_pull_loses_nothing_and_files_nothing_twice(
    web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = tmp_path / "Mail"
    maildir = mailbox.Maildir(box, create=True)
    for raw in messages(web)[:5]:
        maildir.add(raw)
    configure(tmp_path, monkeypatch, f'maildir = "{box}"')
    from revue.store.db import Store

    real = Store.file_message
    calls = []

    def interrupted(self: Store, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # ^C while the third message is filed
        return real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Store, "file_message", interrupted)
    run("inbox", "pull", "--no-fetch", code=130)
    monkeypatch.setattr(Store, "file_message", real)
    conn = connect_db(tmp_path)
    assert conn.execute("SELECT count(*) FROM inbox_messages").fetchone()[0] == 2
    # A message filed but left unflagged (stopped right after its transaction): the next
    # pull flags it and does not file it again.
    cur = box / "cur"
    for name in os.listdir(cur):
        os.rename(cur / name, box / "new" / name.split(":")[0])
    run("inbox", "pull", "--no-fetch")
    # Each message filed once, whichever two the first pull filed before it stopped.
    assert tuple(conn.execute("SELECT count(*), sum(links) FROM inbox_messages").fetchone()) == (
        5,
        8,
    )
    assert conn.execute("SELECT count(*) FROM items").fetchone()[0] == 3
    assert conn.execute("SELECT count(*) FROM candidates").fetchone()[0] == 5
    assert os.listdir(box / "new") == []
    assert all(name.endswith(":2,S") for name in os.listdir(cur))


def test_maildir_pull(web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "Mail").mkdir()
    box = tmp_path / "Mail" / "revue"
    maildir = mailbox.Maildir(box, create=True)
    for raw in messages(web):
        maildir.add(raw)
    configure(tmp_path, monkeypatch, 'maildir = "' + str(box) + '"')
    first = run("inbox", "pull", code=ExitCode.PARTIAL)
    assert "3 links from 2 mails, 5 candidates from 3 newsletters" in first.stdout
    assert "skipped «Broken one» <broken@me>" in first.stderr
    seen = [n for n in os.listdir(box / "cur") if n.endswith(":2,S")]
    assert len(seen) == 5 + 1 - 1  # the 5 newsletters and mails, not the spam nor the bad
    # The same mail again (same Message-ID, another file): flagged, not filed twice.
    maildir.add(messages(web)[0])
    second = run("inbox", "pull", code=ExitCode.OK)
    assert "0 links from 0 mails" in second.stdout and second.stderr == ""
    assert len(os.listdir(box / "new")) == len(BAD) + 1  # the bad ones and the spam, unread
    assert len([n for n in os.listdir(box / "cur") if n.endswith(":2,S")]) == 6


def test_the_config_keeps_passwords_off_the_network_and_out_of_the_file(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[inbox]\nurl = "imap://mail.example.org/revue"\nuser = "me"\n')
    result = run("inbox", "pull", code=ExitCode.STORE)
    assert "imap:// sends the password in clear" in result.stderr
    config.write_text('[inbox]\nurl = "imaps://mail.example.org/revue"\npassword = "x"\n')
    assert "holds a password in clear" in run("inbox", "pull", code=ExitCode.STORE).stderr
    config.write_text('[inbox]\nurl = "imaps://mail.example.org/revue"\nuser = "me"\n')
    result = run("inbox", "pull", code=ExitCode.BAD_INPUT)
    assert "REVUE_IMAP_PASSWORD" in result.stderr
    assert not (tmp_path / "revue.db").exists()
    config.write_text('[inbox]\nurl = "imaps://mail.example.org/revue"\ndone_folder = "Archivé"\n')
    assert "inbox.done_folder" in run("inbox", "pull", code=ExitCode.STORE).stderr
    config.write_text("")
    assert "no mailbox to read" in run("inbox", "pull", code=ExitCode.BAD_INPUT).stderr


def test_tracking_links_name_their_targets() -> None:
    payload = base64.urlsafe_b64encode(json.dumps({"e": "https://example.org/a"}).encode())
    substack = f"https://substack.com/redirect/2/{payload.decode().rstrip('=')}.sig"
    assert target_in_url(substack) == "https://example.org/a"
    ck = "https://click.convertkit-mail.com/abc/def/" + b64("https://example.org/b?x=1")
    assert target_in_url(ck) == "https://example.org/b?x=1"
    revue = "https://www.getrevue.co/api/v2/click?url=https%3A%2F%2Fexample.org%2Fc"
    assert target_in_url(revue) == "https://example.org/c"
    # Mailchimp and t.co say nothing: they are followed.
    assert target_in_url("https://x.us1.list-manage.com/track/click?u=1&id=2&e=3") is None
    assert target_in_url("https://t.co/AbCdEf123") is None
    assert unwrap(f"https://t.example/r?url={ck}") == "https://example.org/b?x=1"


def test_footer_links_are_known_by_header_text_and_path_not_host() -> None:
    tracker = "https://x.us1.list-manage.com/track/click?u=1&id=2"
    assert is_footer(tracker, "Unsubscribe from this list", [])
    assert is_footer(tracker, "View this email in your browser", [])
    assert is_footer(tracker, "click here", [tracker])
    assert is_footer("https://example.org/unsubscribe/1", "", [])
    assert is_footer("https://example.org/p/x?action=share", "", [])
    assert not is_footer(tracker, "Nvidia's market share grows", [])
    assert not is_footer("https://example.org/2024/share-of-voice", "", [])


def test_a_hostile_or_huge_message_is_refused_whole() -> None:
    with pytest.raises(BadMail, match="larger than"):
        parse_mail(b"x" * 2000, max_bytes=1000)
    for href in (b"JaVaScRiPt:x()", b"&#106;avascript:x()", b" java\tscript:x()"):
        html = b'From: a@b\r\nContent-Type: text/html\r\n\r\n<a href="' + href + b'">x</a>'
        with pytest.raises(BadMail, match="javascript"):
            parse_mail(html, max_bytes=10_000)


def test_week_shows_the_candidates_by_newsletter_and_a_keeps_one(
    web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import asyncio
    import datetime as dt

    from revue.app.compose import ComposeOptions
    from revue.app.week import Workbench
    from revue.config import load_config
    from revue.store.db import Store
    from revue.workbench import WeekApp

    box = tmp_path / "Mail"
    maildir = mailbox.Maildir(box, create=True)
    for raw in messages(web)[:5]:
        maildir.add(raw)
    configure(tmp_path, monkeypatch, f'maildir = "{box}"')
    run("inbox", "pull")

    now = dt.datetime.now(dt.UTC)
    store = Store.open(tmp_path / "revue.db")
    opts = ComposeOptions(start=now.date() - dt.timedelta(days=6), end=now.date(), fmt="text")
    bench = Workbench(store, load_config(), opts, clock=lambda: dt.datetime.now(dt.UTC))
    groups = {name: [c.url for c in rows] for name, rows in bench.candidate_groups()}
    assert groups == {
        "Money Stuff": [web.url("/story-d"), web.url("/story-e")],
        "Platformer": [web.url("/story-c")],
        "Stratechery": [web.url("/story-a"), web.url("/story-b")],
    }
    assert "5 from newsletters" in bench.heading()
    app = WeekApp(bench)
    shown: list[str] = []

    async def main() -> None:
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause()
            shown.append("\n".join(s.text for s in app.screen._compositor.render_strips()))
            # The three items, then "── Money Stuff ──", then its first link: kept.
            await pilot.press("down", "down", "down", "down", "a")
            await pilot.pause()
            shown.append("\n".join(s.text for s in app.screen._compositor.render_strips()))

    asyncio.run(main())
    assert "── Money Stuff ──" in shown[0] and "+ Story D" in shown[0]
    assert "via « Money Stuff »" in shown[1]
    assert "+ Story D" not in shown[1]
    kept = [i for i in run_json("list") if i["url"] == web.url("/story-d")]
    assert kept and kept[0]["via"] == "« Money Stuff »"
    # Fetched by the next `revue fetch`: its page's title, the newsletter's credit kept.
    run("fetch")
    item = run_json("show", str(kept[0]["id"]))
    assert (item["title"], item["via"]) == ("Story D", "« Money Stuff »")
    assert len(store.candidates()) == 4


def test_a_mailed_link_reaches_public_addresses_only(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A From can be forged: a mail "from the curator" linking to their own network (here
    127.0.0.1) does not make revue fetch it, as a typed link would."""
    server.route("/admin", page("Router admin"))
    box = tmp_path / "Mail"
    mailbox.Maildir(box, create=True).add(
        mail(f"Me <{ME}>", "Look", "<forged@x>", text=server.url("/admin"))
    )
    configure(tmp_path, monkeypatch, f'maildir = "{box}"')
    result = run("inbox", "pull", code=ExitCode.PARTIAL)
    assert "1 link from 1 mail" in result.stdout
    assert server.routes["/admin"].hits == 0
    item = run_json("list")[0]
    assert item["status"] == "failed" and item["url"] == server.url("/admin")


def test_a_maildir_done_folder_gets_the_filed_mails(
    web: LoopbackServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    box = tmp_path / "Mail"
    maildir = mailbox.Maildir(box, create=True)
    for raw in messages(web)[:2]:
        maildir.add(raw)
    maildir.add(messages(web)[5])  # the broken one stays where it is
    configure(tmp_path, monkeypatch, f'maildir = "{box}"\ndone_folder = "filed"')
    from revue.inboxes import MaildirFolder

    # Stopped right after the first mail is filed, before it is moved: the next pull moves
    # it (read or not), and files it no second time.
    real = MaildirFolder.done

    def interrupted(self: MaildirFolder, uid: str) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(MaildirFolder, "done", interrupted)
    run("inbox", "pull", "--no-fetch", code=130)
    monkeypatch.setattr(MaildirFolder, "done", real)
    for name in os.listdir(box / "new"):  # read on the phone meanwhile
        os.rename(box / "new" / name, box / "cur" / f"{name}:2,S")
    assert "2 links from 1 mail" in run("inbox", "pull", "--no-fetch", code=ExitCode.PARTIAL).stdout
    assert len(maildir) == 1
    done = maildir.get_folder("filed")
    assert sorted(str(m["Message-ID"]) for m in done) == ["<fwd@me>", "<share@phone>"]
    assert all("S" in m.get_flags() for m in done)


def test_each_link_of_a_mail_gets_the_text_typed_on_its_line() -> None:
    from revue.formats.mail import curator_links

    raw = mail(
        f"Me <{ME}>",
        "Three links",
        "<three@me>",
        text=(
            "Pour lundi:\n"
            "https://example.org/a = Le premier #IA\n"
            "https://example.org/b\n"
            "Le troisième, enfin\n"
            "https://example.org/c).\n"
            "-- \nMarie\nhttps://example.org/signature\n"
        ),
    )
    links = curator_links(parse_mail(raw, max_bytes=100_000))
    assert [(link.url, link.text) for link in links] == [
        ("https://example.org/a", "Pour lundi:\n= Le premier #IA"),
        ("https://example.org/b", ""),
        ("https://example.org/c", "Le troisième, enfin"),
    ]
