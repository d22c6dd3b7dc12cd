"""Mail as revue reads it (`revue inbox pull`): a message parsed, judged, and its links.

Pure: bytes in, facts out; no I/O. A message is untrusted input like a page: it is read
with the standard library's `email` (policy.default) within a size cap, and refused whole
(`BadMail`, one short reason) when it is malformed (a MIME structure the parser had to
guess, a charset nobody knows, a broken base64 body), larger than the cap, or hostile (HTML
with a script, a `javascript:` link): such a message is not worth the risk of reading half
of it. Every text taken from it is valid Unicode without control characters, and bounded.

Two kinds of messages give links:
- the curator's own (a phone's share sheet, a forward): each link with the text typed
  around it, the curator's note (`curator_links`);
- a newsletter: its links but its own (unsubscribe, view in browser, share, sponsor),
  recognised by the `List-Unsubscribe` header, the link's text and its path, never by its
  host alone, since they often go through the same tracker as the articles
  (`newsletter_links`). `target_in_url` reads the address a tracking link carries in
  itself; the others are followed by the caller.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field
from email import errors as mail_errors
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from urllib.parse import parse_qsl, unquote, urlsplit

from revue.sanitize import clean_text

MAX_PARTS = 200  # a real message has a handful; thousands are a parser's trap
MAX_TEXT = 2_000_000  # characters of one text part read
MAX_NOTE = 2000  # characters of a note taken from a mail
MAX_TITLE = 300  # characters of a title (a subject, a link's text)
MAX_LINKS = 500  # links read from one message

# Defects that mean the parser had to guess the message's structure or a body's bytes.
_SERIOUS = (
    mail_errors.StartBoundaryNotFoundDefect,
    mail_errors.MultipartInvariantViolationDefect,
    mail_errors.NoBoundaryInMultipartDefect,
    mail_errors.InvalidBase64CharactersDefect,
    mail_errors.InvalidBase64PaddingDefect,
    mail_errors.InvalidBase64LengthDefect,
    mail_errors.MissingHeaderBodySeparatorDefect,
)


class BadMail(Exception):
    """A message refused whole: `reason` says why, in a few words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class Mail:
    """What revue reads of one message."""

    message_id: str | None
    subject: str
    sender: str  # the From address, lower case
    sender_name: str
    list_id: str | None
    unsubscribe: list[str] = field(default_factory=list)  # List-Unsubscribe's http(s) links
    text: str | None = None  # the first text/plain part
    html: str | None = None  # the first text/html part


@dataclass(frozen=True)
class MailLink:
    url: str
    text: str  # the link's text (a newsletter's anchor), or the note typed around it


def _clean(text: str, limit: int) -> str:
    return " ".join(clean_text(text, keep_bidi=False).split())[:limit]


def header_text(message: Message, name: str) -> str:
    """A header's value as text, on one line; '' when missing or unreadable."""
    try:
        value = message.get(name)
    except Exception:  # a header the parser cannot make sense of is no header
        return ""
    return "" if value is None else _clean(str(value), 1000)


def peek(raw: bytes) -> tuple[str, str | None]:
    """The subject and Message-ID of a message that may be unreadable, to name it."""
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    except Exception:
        return "", None
    return header_text(message, "subject"), header_text(message, "message-id") or None


def parse_mail(raw: bytes, *, max_bytes: int) -> Mail:
    """The message `raw`; raises BadMail when it is too large, malformed or hostile."""
    if len(raw) > max_bytes:
        raise BadMail(f"larger than {max_bytes:,} bytes ({len(raw):,})")
    try:
        message = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as exc:  # the parser is meant not to raise; a bug must not stop a pull
        raise BadMail(f"unreadable ({type(exc).__name__})") from None
    assert isinstance(message, EmailMessage)
    parts = []
    for count, part in enumerate(message.walk()):
        if count >= MAX_PARTS:
            raise BadMail(f"more than {MAX_PARTS} MIME parts")
        parts.append(part)
    text: str | None = None
    html: str | None = None
    for part in parts:
        _check_defects(part)
        ctype = part.get_content_type()
        if ctype not in ("text/plain", "text/html") or part.is_attachment():
            continue
        try:
            content = part.get_content()
        except LookupError:
            charset = _clean(str(part.get_content_charset()), 60)
            raise BadMail(f"unknown charset {charset!r}") from None
        except Exception as exc:
            raise BadMail(f"a {ctype} part cannot be decoded ({type(exc).__name__})") from None
        _check_defects(part)  # decoding a body records its own defects
        if not isinstance(content, str):
            continue
        content = clean_text(content[:MAX_TEXT], keep_bidi=False)
        if ctype == "text/html":
            _check_html(content)
            html = html if html is not None else content
        elif text is None:
            text = content
    name, address = parseaddr(header_text(message, "from"))
    return Mail(
        message_id=header_text(message, "message-id") or None,
        subject=header_text(message, "subject")[:MAX_TITLE],
        sender=address.strip().lower(),
        sender_name=_clean(name, MAX_TITLE),
        list_id=header_text(message, "list-id") or None,
        unsubscribe=re.findall(r"<(https?://[^>\s]+)>", header_text(message, "list-unsubscribe")),
        text=text,
        html=html,
    )


def _check_defects(part: Message) -> None:
    for defect in part.defects:
        if isinstance(defect, _SERIOUS):
            raise BadMail(f"malformed MIME ({type(defect).__name__.removesuffix('Defect')})")


_JS = re.compile(r"^\s*(?:javascript|vbscript)\s*:", re.IGNORECASE)


def _check_html(html: str) -> None:
    """Mail clients strip scripts: a message that brings one, or a javascript: link, is
    hostile, not a newsletter. Read as a browser would (bs4 decodes `&#106;avascript:`)."""
    from bs4 import BeautifulSoup, Tag

    soup = BeautifulSoup(html, "lxml")
    if soup.find("script") is not None:
        raise BadMail("hostile HTML (a script)")
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag):
            continue
        for name in ("href", "src", "action", "formaction", "xlink:href"):
            value = tag.get(name)
            if isinstance(value, str) and _JS.match(re.sub(r"[\x00-\x20]", "", value)):
                raise BadMail("hostile HTML (a javascript: link)")


# -- which kind of mail ----------------------------------------------------------------


def kind_of(mail: Mail, me: tuple[str, ...], newsletters: tuple[str, ...]) -> str:
    """ "mine" (the From is the curator's), "newsletter" (a sender of `newsletters`, an
    address or a domain, or a List-Id), or "ignored"."""
    if mail.sender and mail.sender in me:
        return "mine"
    domain = mail.sender.rpartition("@")[2]
    for entry in newsletters:
        entry = entry.lstrip("@")
        if mail.sender == entry or (domain and (domain == entry or domain.endswith("." + entry))):
            return "newsletter"
    return "newsletter" if mail.list_id else "ignored"


def newsletter_name(mail: Mail) -> str:
    """How the week names a newsletter: its sender's name, else its List-Id's, else its
    address's domain."""
    if mail.sender_name:
        return mail.sender_name
    if mail.list_id:
        described = [n for n, _ in getaddresses([mail.list_id]) if n.strip()]
        if described:
            return _clean(described[0], MAX_TITLE)
        return _clean(mail.list_id.strip("<> "), MAX_TITLE)
    return mail.sender.rpartition("@")[2] or mail.sender or "newsletter"


# -- links and the text around them ----------------------------------------------------

_URL = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\"»›…"
_FORWARD = re.compile(
    r"^\s*(?:-{2,}\s*(?:forwarded message|original message|message transféré|message d'origine"
    r"|mensaje reenviado)\s*-{2,}|begin forwarded message:|début du message réexpédié\s*:"
    r"|on .{4,200} wrote:|le .{4,200} a écrit\s*:)\s*$",
    re.IGNORECASE,
)
_SIGNATURE = re.compile(
    r"^\s*(?:--\s*|sent from my \w+.*|envoyé de mon \w+.*|get outlook for \w+.*)$", re.IGNORECASE
)
_PREFIX = re.compile(r"^\s*(?:(?:fwd?|tr|re|fw|wg|rv)\s*:\s*)+", re.IGNORECASE)


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break  # a Wikipedia address ending in ")"
        url = url[:-1]
    return url


def _html_lines(html: str) -> list[list[tuple[str, str]]]:
    """The HTML's text as lines of tokens: ("text", words) and ("link", url, anchor text
    joined as "url\\0text")."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment

    soup = BeautifulSoup(html, "lxml")
    lines: list[list[tuple[str, str]]] = [[]]
    blocks = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "blockquote", "table"}

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Comment):
                continue
            if isinstance(child, NavigableString):
                lines[-1].append(("text", str(child)))
                continue
            if not isinstance(child, Tag) or child.name in ("style", "head", "title", "script"):
                continue
            if child.name == "a":
                href = child.get("href")
                label = child.get_text(" ", strip=True)
                if not label:
                    image = child.find("img")
                    alt = image.get("alt") if isinstance(image, Tag) else None
                    label = alt if isinstance(alt, str) else ""
                if isinstance(href, str) and href.strip().lower().startswith(("http:", "https:")):
                    lines[-1].append(("link", href.strip() + "\0" + label))
                else:
                    lines[-1].append(("text", label))
                continue
            if child.name in blocks:
                lines.append([])
            walk(child)
            if child.name in blocks:
                lines.append([])

    walk(soup)
    return [line for line in lines if line]


def _text_lines(text: str) -> list[list[tuple[str, str]]]:
    lines: list[list[tuple[str, str]]] = []
    for raw in text.splitlines():
        tokens: list[tuple[str, str]] = []
        at = 0
        found = [(m.start(), _trim(m.group())) for m in _URL.finditer(raw)]
        # A plain-text link's text is its line's: "Sponsored by Acme: https://…".
        label = _URL.sub(" ", raw).strip(" \t:-–—|•*") if found else ""
        for start, url in found:
            tokens.append(("text", raw[at:start]))
            tokens.append(("link", url + "\0" + label))
            at = start + len(url)
        tokens.append(("text", raw[at:]))
        lines.append(tokens)
    return lines


def _lines(mail: Mail, *, prefer_html: bool) -> list[list[tuple[str, str]]]:
    if mail.html is not None and (prefer_html or mail.text is None):
        return _html_lines(mail.html)
    return _text_lines(mail.text or "")


def _words(tokens: list[tuple[str, str]]) -> str:
    return " ".join(" ".join(v for k, v in tokens if k == "text").split())


def _link_of(token: str) -> tuple[str, str]:
    url, _, label = token.partition("\0")
    return url, _clean(label, MAX_TITLE)


def title_of_subject(subject: str) -> str | None:
    """A subject as a title: without its Fwd:/Re: prefixes; None when nothing is left."""
    title = _PREFIX.sub("", subject).strip()
    return title[:MAX_TITLE] or None


def curator_links(mail: Mail, unsubscribe: list[str] | None = None) -> list[MailLink]:
    """The links of a mail the curator sent, each with its note: the text the curator
    typed around it (all of it when there is one link; else the text on the link's line,
    with the lines between two links given to the next one). What is quoted or forwarded
    below the curator's text gives links only when the curator's text has none, and is
    never a note; a signature is not one either."""
    lines = _lines(mail, prefer_html=False)
    typed: list[list[tuple[str, str]]] = []
    forwarded: list[list[tuple[str, str]]] = []
    target = typed
    for tokens in lines:
        words = _words(tokens)
        if target is typed and _FORWARD.match(words):
            target = forwarded
            continue
        if target is typed and words.startswith(">") and not any(k == "link" for k, _ in tokens):
            continue
        target.append(tokens)
    # The signature: from a "-- " or "Sent from my iPhone" line on, the curator's text ends.
    for at, tokens in enumerate(typed):
        if _SIGNATURE.match(_words(tokens)) and not any(k == "link" for k, _ in tokens):
            typed = typed[:at]
            break
    found: list[MailLink] = []
    if any(k == "link" for tokens in typed for k, _ in tokens):
        pending: list[str] = []
        links_at: list[tuple[str, list[str]]] = []
        for tokens in typed:
            words = _words(tokens)
            urls_here = [_link_of(v)[0] for k, v in tokens if k == "link"]
            if not urls_here:
                if words:
                    pending.append(words)
                continue
            for n, url in enumerate(urls_here):
                links_at.append((url, [*pending, words] if n == 0 else [words]))
            pending = []
        if pending and links_at:
            links_at[-1][1].extend(pending)  # text after the last link is about it
        if len(links_at) == 1:
            every = [_words(t) for t in typed]
            links_at = [(links_at[0][0], every)]
        for url, notes in links_at:
            found.append(MailLink(url, _note(notes)))
    else:
        note = _note([_words(t) for t in typed])
        for tokens in forwarded:
            for k, v in tokens:
                if k == "link":
                    url, label = _link_of(v)
                    if not is_footer(url, label, unsubscribe or mail.unsubscribe):
                        found.append(MailLink(url, note))
    return _unique(found)


def _note(parts: list[str]) -> str:
    # What punctuation is left beside a link ("…/c)." less the link) is not a note.
    text = "\n".join(p for p in parts if any(c.isalnum() for c in p))
    return clean_text(text, keep_bidi=False).strip()[:MAX_NOTE]


def _unique(links: list[MailLink]) -> list[MailLink]:
    seen: set[str] = set()
    out: list[MailLink] = []
    for link in links:
        if link.url not in seen and len(link.url) <= 4000:
            seen.add(link.url)
            out.append(link)
    return out[:MAX_LINKS]


def newsletter_links(mail: Mail) -> list[MailLink]:
    """A newsletter's links, each with its text, but its own (see `is_footer`)."""
    found = [
        MailLink(*_link_of(v))
        for tokens in _lines(mail, prefer_html=True)
        for k, v in tokens
        if k == "link"
    ]
    return _unique([link for link in found if not is_footer(link.url, link.text, mail.unsubscribe)])


# A newsletter's own links, by their text: anywhere in it for the unambiguous words, at its
# start for the short ones an article's title may hold ("market share").
_FOOTER_ANYWHERE = re.compile(
    r"unsubscribe|d[ée]sabonn|d[ée]sinscri|opt[ -]?out|email preferences|manage (?:your )?"
    r"(?:subscription|preferences|email)|update (?:your )?(?:preferences|profile)|view (?:this )?"
    r"(?:e-?mail|newsletter|post|issue|it)? ?(?:online|in (?:your |a |the )?browser)|"
    r"(?:web|online|browser) version|version (?:web|en ligne|navigateur)|voir (?:la version|"
    r"en ligne|dans (?:le|votre) navigateur)|afficher dans (?:le|votre) navigateur|"
    r"read (?:it )?online|forward (?:this|to a friend)|become a (?:paid )?(?:subscriber|member)|"
    r"upgrade to paid|sponsored by|advertise (?:with|in)|annoncer dans",
    re.IGNORECASE,
)
_FOOTER_START = re.compile(
    r"^(?:share|partager|tweet|transf[ée]rer|sponsor|advertise|publicit[ée]|subscribe|"
    r"s'abonner|abonnez|like|comment|restack|reply|r[ée]pondre|privacy|terms|"
    r"preferences|pr[ée]f[ée]rences)\b",
    re.IGNORECASE,
)
_FOOTER_PATH = re.compile(
    r"(?:^|/)(?:unsubscribe|unsub|optout|opt-out|opt_out|preferences|email-preferences|"
    r"manage|manage-subscription|subscription|subscriptions|subscribe|share|sharer(?:\.php)?|"
    r"sharearticle|intent|sponsor|sponsors|sponsorship|advertise|advertising|webview|"
    r"web-version|view-in-browser|view-online|browser-view|app-link|forward)(?:/|$|\.)",
    re.IGNORECASE,
)
_FOOTER_QUERY = re.compile(r"(?:^|&)action=(?:share|unsubscribe|manage|comment|like|restack)\b")


def is_footer(url: str, text: str, unsubscribe: list[str]) -> bool:
    """Whether a link is the newsletter's own (unsubscribe, view in browser, share, sponsor):
    the List-Unsubscribe header names it, its text says it, or its path does."""
    if url in unsubscribe:
        return True
    if text and (_FOOTER_ANYWHERE.search(text) or _FOOTER_START.match(text.strip())):
        return True
    parts = urlsplit(url)
    return bool(_FOOTER_PATH.search(parts.path) or _FOOTER_QUERY.search(parts.query))


# -- tracking links --------------------------------------------------------------------

_TARGET_PARAMS = (
    "url", "u", "target", "redirect", "redirect_url", "redirect_uri", "r", "link", "dest",
    "destination", "to", "goto", "l", "href", "out",
)  # fmt: skip
_B64 = re.compile(r"^[A-Za-z0-9_\-+/=]{16,}$")


def _decoded(segment: str) -> bytes | None:
    try:
        padded = segment + "=" * (-len(segment) % 4)
        return base64.urlsafe_b64decode(padded.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return None


def _http(value: str | None) -> str | None:
    if value and re.match(r"https?://[^\s/]+", value, re.IGNORECASE) and len(value) <= 4000:
        return value if value.isprintable() else None
    return None


def target_in_url(url: str) -> str | None:
    """The address a tracking link carries in itself, when it does: a query parameter
    holding an http(s) address (`?url=`, getrevue.co, Buttondown), a Substack
    `/redirect/2/<payload>.<signature>` whose payload's "e" is the target, a path segment
    that is the target in base64 (ConvertKit). None when the link does not say (Mailchimp's
    list-manage.com, t.co, Beehiiv): then only following it tells."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    for name, value in parse_qsl(parts.query, keep_blank_values=False):
        if name.lower() in _TARGET_PARAMS:
            for candidate in (value, unquote(value)):
                if found := _http(candidate):
                    return found
    segments = [s for s in parts.path.split("/") if s]
    if "redirect" in segments:
        after = segments[segments.index("redirect") + 1 :]
        for segment in after:
            payload = _decoded(segment.split(".")[0])
            if payload and payload.startswith(b"{"):
                try:
                    data = json.loads(payload)
                except ValueError:
                    continue
                if isinstance(data, dict) and (found := _http(str(data.get("e") or ""))):
                    return found
    for segment in reversed(segments):
        if _B64.match(segment):
            raw = _decoded(segment)
            if raw and raw[:8].lower().startswith((b"http://", b"https://")):
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    continue
                if found := _http(text):
                    return found
    return None


def unwrap(url: str) -> str:
    """`url` with every tracking wrapper that names its target taken off (a wrapped
    wrapper too, a few levels deep)."""
    for _ in range(5):
        inner = target_in_url(url)
        if inner is None or inner == url:
            return url
        url = inner
    return url
