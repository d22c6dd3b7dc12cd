"""Send a review as an email newsletter, through SMTP (the standard library's smtplib).

Contract:

- One multipart/alternative message: `text/plain` (the review's `text` format, as the
  curator pastes it) and `text/html` (the review's HTML fragment made email-safe: inline
  styles, no external CSS, no script, only absolute http(s) and mailto links, a hidden
  preheader, readable without images, wrapped in a full document). Above Gmail's clipping
  limit (102 KB of HTML) the result carries a warning.
- Headers: `Subject` the review's title, `From`, `To` the list's own address (the readers
  are envelope recipients only: no `Bcc` header is ever written, so no reader sees
  another), `List-Id`, `List-Unsubscribe` when configured, a `Message-ID` that is recorded.
- Sent in batches of `batch_size` envelope recipients, each batch one SMTP transaction.
  After each batch the addresses that were accepted are recorded (`Publication.sends`)
  before the next goes: a send interrupted (a refusal, a lost connection, Ctrl-C) resumes
  with the addresses not yet sent, under the same Message-ID, and no one gets it twice.
  (A connection lost after the server took the message but before it said so leaves that
  one batch unrecorded: it is sent again on the resume. SMTP cannot tell.)
- Once per review: a review sent to the list is refused unless `resend`.
- The password (REVUE_SMTP_PASSWORD or the keyring, never the config) is sent only over TLS
  (`smtps://`, or `starttls = true`, with the system's certificates) or to this machine;
  without a password revue does not log in (a local relay). Every network step has the
  configured timeout.
- A dry run connects to nothing and shows the message (both parts), the server, the number
  of recipients and batches; never the password, never the readers' addresses.
"""

from __future__ import annotations

import re
import smtplib
import ssl
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formataddr, formatdate, make_msgid
from urllib.parse import urlsplit

from revue.errors import ConfigError, Conflict, Refused
from revue.publish.base import Publication, Result

GMAIL_CLIP = 102 * 1024  # bytes of HTML past which Gmail shows "[Message clipped]"
MAX_REASON = 200
_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\Z"
)
_UNSAFE_TAGS = ("script", "style", "link", "meta", "iframe", "object", "embed", "form", "base")
_STYLES = {
    "p": "margin:0 0 12px 0;line-height:1.5;",
    "h1": "font-size:22px;line-height:1.3;margin:0 0 16px 0;",
    "h2": "font-size:18px;line-height:1.3;margin:24px 0 8px 0;",
    "h3": "font-size:16px;line-height:1.3;margin:20px 0 8px 0;",
    "blockquote": "margin:0 0 12px 0;padding:0 0 0 12px;border-left:3px solid #cccccc;"
    "color:#444444;",
    "ul": "margin:0 0 12px 0;padding:0 0 0 20px;",
    "ol": "margin:0 0 12px 0;padding:0 0 0 20px;",
    "li": "margin:0 0 6px 0;line-height:1.5;",
    "a": "color:#1a5fb4;text-decoration:underline;",
    "img": "max-width:100%;height:auto;border:0;",
    "span": "",
    "time": "color:#555555;",
}
_BODY = "margin:0;padding:0;background-color:#ffffff;"
_CELL = (
    "padding:16px;font-family:Helvetica,Arial,sans-serif;font-size:16px;color:#1a1a1a;"
    "max-width:640px;"
)
_PREHEADER = (
    "display:none;font-size:1px;line-height:1px;max-height:0;max-width:0;opacity:0;"
    "overflow:hidden;mso-hide:all;color:#ffffff;"
)


@dataclass(frozen=True)
class MailSettings:
    """The SMTP server, the sender, the list and its readers."""

    smtp: str  # smtp://host[:port] or smtps://host[:port]
    sender: str  # the From address
    recipients: tuple[str, ...]
    list_address: str = ""  # the visible To; "": the sender's
    list_name: str | None = None
    unsubscribe: str | None = None  # a mailto: or https: address
    starttls: bool = False
    user: str | None = None  # the login; None: the sender's address
    password: str | None = field(default=None, repr=False)  # None: no login
    batch_size: int = 50
    timeout: float = 30.0

    @property
    def to(self) -> str:
        return self.list_address or self.sender


@dataclass(frozen=True)
class MailOptions:
    dry_run: bool = False
    resend: bool = False  # send again a review already sent to the list


def check_address(value: str, where: str) -> str:
    """An email address (local@domain, no display name), checked; ConfigError else."""
    address = value.strip()
    if not _ADDRESS.match(address):
        shown = "".join(c if c.isprintable() else "?" for c in address)[:80]
        raise ConfigError(f"{where}: {shown!r} is not an email address (name@example.org)")
    return address


def server_of(url: str, where: str = "[publish.email] smtp") -> tuple[str, str, int]:
    """(scheme, host, port) of `smtp://host[:port]` or `smtps://host[:port]`; ConfigError for
    anything else (a user or password in it, above all: those are never in the config)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise ConfigError(f"{where}: {url!r} is not a valid server address") from None
    scheme = parts.scheme.lower()
    if scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ConfigError(f"{where}: {url!r}: give smtp://host:port or smtps://host:port")
    if parts.username or parts.password:
        raise ConfigError(
            f"{where}: no user or password in the address: set user in [publish.email] and "
            "the password in REVUE_SMTP_PASSWORD or the keyring"
        )
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"{where}: {url!r}: give only the scheme, host and port")
    return scheme, parts.hostname, port or (465 if scheme == "smtps" else 25)


def read_recipients(lines: Sequence[str], where: str) -> list[str]:
    """The addresses of a list (one a line; blank lines and `#` comments skipped), each
    once (compared without case), checked; ConfigError naming the line of a bad one."""
    out: list[str] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        address = check_address(text, f"{where}:{number}")
        if address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    return out


def _is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _absolute(href: str) -> str | None:
    href = href.strip()
    try:
        parts = urlsplit(href)
    except ValueError:
        return None
    if parts.scheme.lower() in ("http", "https") and parts.hostname:
        return href
    if parts.scheme.lower() == "mailto" and "@" in parts.path:
        return href
    return None


def email_html(fragment: str, *, title: str, lang: str, preheader: str) -> str:
    """The review's HTML fragment as a whole email-safe document (see the module docstring)."""
    from bs4 import BeautifulSoup
    from bs4.element import Tag

    soup = BeautifulSoup(fragment, "html.parser")
    for name in _UNSAFE_TAGS:
        for tag in soup.find_all(name):
            tag.decompose()
    for tag in soup.find_all(True):
        assert isinstance(tag, Tag)
        for attr in list(tag.attrs):
            if attr.lower().startswith("on") or attr.lower() in ("style", "srcset"):
                del tag.attrs[attr]
        if tag.name == "a":
            href = _absolute(str(tag.get("href") or ""))
            if href is None:
                tag.unwrap()  # a link that leads nowhere from a mailbox stays as its words
                continue
            tag["href"] = href
        elif tag.name == "img":
            src = _absolute(str(tag.get("src") or ""))
            if src is None or not src.startswith("http"):
                tag.decompose()
                continue
            tag["src"] = src
            tag["alt"] = str(tag.get("alt") or "")  # a reader without images sees the words
        style = _STYLES.get(tag.name or "")
        if style:
            tag["style"] = style
    from html import escape

    body = str(soup).strip()
    head_title = escape(title)
    hidden = escape(preheader)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(lang or "fr")}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{head_title}</title>\n</head>\n"
        f'<body style="{_BODY}">\n'
        f'<div style="{_PREHEADER}">{hidden}</div>\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">'
        f'<tr><td style="{_CELL}">\n'
        f'<h1 style="{_STYLES["h1"]}">{head_title}</h1>\n'
        f"{body}\n"
        "</td></tr></table>\n</body>\n</html>\n"
    )


def preheader_of(text: str, title: str, limit: int = 140) -> str:
    """The line a mailbox shows after the subject: the review's first words after its title."""
    # A mailbox's preview line reads words, not addresses.
    words = " ".join(w for w in text.split() if not w.lower().startswith(("http://", "https://")))
    one_title = " ".join(title.split())
    if words.startswith(one_title):
        words = words[len(one_title) :].lstrip(" =-#:")
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


def _header_text(text: str) -> str:
    """`text` fit for a mail header: unprintable characters are spaces, single-spaced."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())


def _list_id(settings: MailSettings) -> str:
    local, _, domain = settings.to.partition("@")
    name = settings.list_name or settings.to
    return f"{_header_text(name)} <{local}.{domain}>"


def build_message(
    review: Publication, settings: MailSettings, html: str, message_id: str
) -> EmailMessage:
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = _header_text(review.title)
    msg["From"] = settings.sender
    msg["To"] = formataddr((_header_text(settings.list_name or ""), settings.to))
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = message_id
    msg["List-Id"] = _list_id(settings)
    if settings.unsubscribe:
        msg["List-Unsubscribe"] = f"<{settings.unsubscribe}>"
    msg["Auto-Submitted"] = "auto-generated"
    text = review.text if review.text.endswith("\n") else review.text + "\n"
    # Quoted-printable: every line stays short and 7-bit, whatever the server accepts.
    msg.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    msg.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return msg


def _batches(items: Sequence[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error
        text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
        reason = f"{exc.smtp_code} {_header_text(text)}"
    elif isinstance(exc, TimeoutError):
        reason = "timeout"
    elif isinstance(exc, ConnectionRefusedError):
        reason = "connection refused"
    elif isinstance(exc, ssl.SSLError):
        reason = f"TLS: {_header_text(exc.reason or str(exc))}"
    else:
        reason = _header_text(str(exc)) or type(exc).__name__
    return reason[:MAX_REASON]


class Newsletter:
    """The review as an email to a list of readers (see the module docstring)."""

    name = "email"
    fmt = "text"

    def __init__(self, settings: MailSettings, options: MailOptions | None = None) -> None:
        self.settings = settings
        self.options = options or MailOptions()
        self.site = f"email:{settings.to.lower()}"
        self.scheme, self.host, self.port = server_of(settings.smtp)

    def _check_sendable(self) -> None:
        s = self.settings
        tls = self.scheme == "smtps" or s.starttls
        if s.password and not tls and not _is_loopback(self.host):
            raise ConfigError(
                f"{s.smtp}: revue sends the SMTP password only over TLS (smtps://, or "
                "starttls = true) or to this machine"
            )

    def publish(self, review: Publication) -> Result:
        s = self.settings
        fragment_text = preheader_of(review.text, review.title)
        html = email_html(
            review.html, title=review.title, lang=review.lang, preheader=fragment_text
        )
        notes: list[str] = []
        size = len(html.encode("utf-8"))
        if size > GMAIL_CLIP:
            notes.append(
                f"the HTML part is {size / 1024:,.0f} KB: Gmail clips a message above 102 KB "
                "(shorten the review, or leave out summaries)"
            )
        if self.options.dry_run:
            return self._dry_run(review, html, notes)
        if not s.recipients:
            raise ConfigError("no readers to send to: set to or to_file in [publish.email]")
        self._check_sendable()
        previous = review.previous
        if previous is not None and not self.options.resend:
            when = f" on {previous.modified_gmt}" if previous.modified_gmt else ""
            raise Conflict(
                f"review #{review.review_id} was sent to {s.to}{when} "
                f"({previous.ref or 'no Message-ID'}); use --resend to send it again"
            )
        sends = review.sends
        if sends is not None and self.options.resend:
            sends.forget()
        already = sends.sent() if sends is not None else {}
        domain = s.sender.rpartition("@")[2]
        message_id = next(iter(already.values()), None) or make_msgid("revue", domain=domain)
        pending = [a for a in s.recipients if a.lower() not in already]
        if already and pending:
            notes.append(
                f"resuming an interrupted send: {len(already)} address(es) already have it"
            )
        data = build_message(review, s, html, message_id).as_bytes()
        sent = self._send(pending, data, message_id, review) if pending else 0
        batches = -(-sent // s.batch_size) if sent else 0
        if pending:
            notes.append(f"sent to {sent} address(es) in {batches} batch(es) through {s.smtp}")
        else:
            notes.append(f"every reader already had it ({len(already)} address(es))")
        return Result(
            action="created",
            ref=message_id,
            status="sent",
            notes=notes,
        )

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        context = ssl.create_default_context()
        client: smtplib.SMTP
        if self.scheme == "smtps":
            client = smtplib.SMTP_SSL(self.host, self.port, timeout=s.timeout, context=context)
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=s.timeout)
        try:
            client.ehlo()
            if s.starttls:
                client.starttls(context=context)
                client.ehlo()
            if s.password:
                client.login(s.user or s.sender, s.password)
        except BaseException:
            client.close()
            raise
        return client

    def _send(self, pending: list[str], data: bytes, message_id: str, review: Publication) -> int:
        """Send to `pending` batch by batch, recording each batch; the number sent. Refused
        (exit 1) at the first batch that fails, after recording what went."""
        s = self.settings
        sends = review.sends
        done = 0
        total = len(pending)
        rest = "; publish again to send to the rest (no one gets it twice)"
        try:
            client = self._connect()
        except (smtplib.SMTPException, OSError) as exc:
            what = "login" if isinstance(exc, smtplib.SMTPAuthenticationError) else "connect"
            raise Refused(f"{s.smtp}: cannot {what} ({_reason(exc)})") from None
        try:
            for batch in _batches(pending, s.batch_size):
                try:
                    refused = dict(client.sendmail(s.sender, batch, data))
                except smtplib.SMTPRecipientsRefused as exc:
                    refused = dict(exc.recipients)
                except (smtplib.SMTPException, OSError) as exc:
                    raise Refused(
                        f"{s.smtp}: {_reason(exc)}; sent to {done} of {total} address(es)" + rest
                    ) from None
                accepted = [a for a in batch if a not in refused]
                if sends is not None and accepted:
                    sends.record(accepted, message_id)
                done += len(accepted)
                if refused:
                    first, (code, message) = next(iter(refused.items()))
                    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else ""
                    raise Refused(
                        f"{s.smtp}: {len(refused)} address(es) refused ({first}: {code} "
                        f"{_header_text(text)[:MAX_REASON]}); sent to {done} of {total}" + rest
                    )
        finally:
            try:
                client.quit()
            except (smtplib.SMTPException, OSError):
                client.close()
        return done

    def _dry_run(self, review: Publication, html: str, notes: list[str]) -> Result:
        s = self.settings
        count = len(s.recipients)
        batches = -(-count // s.batch_size) if count else 0
        login = (
            f"login as {s.user or s.sender}, password not shown"
            if s.password
            else "no login (no password configured)"
        )
        tls = "TLS" if self.scheme == "smtps" else ("STARTTLS" if s.starttls else "no TLS")
        message = build_message(review, s, html, make_msgid("dry-run", domain="invalid"))
        headers = "".join(
            f"{k}: {v}\n" if k.lower() != "message-id" else f"{k}: (made when it is sent)\n"
            for k, v in message.items()
            if k.lower() != "date"
        )
        lines = [
            f"SMTP {s.smtp} ({tls}; {login})",
            f"MAIL FROM: {s.sender}",
            f"RCPT TO: {count} address(es) in {batches} batch(es) of at most {s.batch_size} "
            "(envelope only: the message names none of them)",
            "",
            headers.rstrip("\n"),
            "",
            "--- text/plain ---",
            review.text.rstrip("\n"),
            f"--- text/html ({len(html.encode('utf-8')):,} bytes) ---",
            html.rstrip("\n"),
        ]
        if review.previous is not None and not self.options.resend:
            lines.append(f"# already sent to {s.to}: refused without --resend")
        return Result(action="dry-run", request="\n".join(lines) + "\n", notes=notes)
