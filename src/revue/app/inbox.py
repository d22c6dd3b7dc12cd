"""`revue inbox pull`: file the messages of the curator's mailbox that revue has not seen.

A mail the curator sent gives items (stored as `add` stores them, with the text typed
around each link as its note and the subject as a title until the page gives one); a
newsletter gives candidates for the week, under their final address, tracking redirects
unwrapped and the newsletter's own links left out (formats/mail.py says which).

Invariants:
- A message is filed in one transaction with its row in the inbox's record (folder,
  UIDVALIDITY, UID, Message-ID): a pull interrupted anywhere files it whole, or not at
  all, when run again; a message filed is never filed twice, even under another UID.
- It is flagged \\Seen (or moved) only after that transaction; one filed but left unflagged
  by an interruption is flagged by the next pull, not filed again.
- A message revue cannot read (malformed, too large, hostile) is recorded as failed and
  reported once, by its subject and Message-ID; it stays unread in the mailbox for the
  curator to see. The others are filed all the same.
- Nothing reaches the network for a mailed link but through the fetcher, with the trust
  of the public web (public addresses only): a From can be forged, so even the curator's
  mails are not the curator's word the way a typed link is.
- `dry_run` reads and reports, and writes nothing: no row, no flag.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from revue import urls
from revue.app.add import link_entry
from revue.app.refresh import MAILED
from revue.errors import BadInput
from revue.formats.mail import (
    BadMail,
    Mail,
    MailLink,
    curator_links,
    is_footer,
    kind_of,
    newsletter_links,
    newsletter_name,
    parse_mail,
    peek,
    title_of_subject,
    unwrap,
)
from revue.models import Item, NewItem, iso
from revue.store.db import Store

if TYPE_CHECKING:
    from revue.inboxes import Folder
    from revue.web.fetch import Fetcher

# What a message's record says it was: "filed" kinds are flagged when found unflagged.
FILED = ("mine", "newsletter", "duplicate")


@dataclass
class Filed:
    """One message read: what it was and what it gave (for --dry-run and -v)."""

    kind: str  # "mine", "newsletter", "duplicate", "ignored", "failed"
    subject: str
    message_id: str | None
    links: list[str] = field(default_factory=list)
    newsletter: str | None = None
    reason: str | None = None

    @property
    def named(self) -> str:
        return f"«{self.subject or '(no subject)'}» {self.message_id or '(no Message-ID)'}"


@dataclass
class InboxReport:
    messages: list[Filed] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)  # new items, to fetch
    links: int = 0
    candidates: int = 0
    reflagged: int = 0  # filed by an interrupted pull, flagged now

    def count(self, kind: str) -> int:
        return sum(1 for m in self.messages if m.kind == kind)

    @property
    def failed(self) -> list[Filed]:
        return [m for m in self.messages if m.kind == "failed"]

    def summary(self) -> str:
        mails, letters = self.count("mine"), self.count("newsletter")
        return (
            f"{_n(self.links, 'link')} from {_n(mails, 'mail')}, "
            f"{_n(self.candidates, 'candidate')} from {_n(letters, 'newsletter')}"
        )


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class InboxRules:
    me: tuple[str, ...]
    newsletters: tuple[str, ...]
    max_bytes: int


def pull_inbox(
    store: Store,
    folder: Folder,
    rules: InboxRules,
    fetcher_factory: Callable[[], Fetcher],
    *,
    clock: Callable[[], dt.datetime],
    dry_run: bool = False,
    on_message: Callable[[Filed], None] = lambda filed: None,
) -> InboxReport:
    """File every message of `folder` not recorded yet (see the module's invariants)."""
    report = InboxReport()
    seen = store.inbox_seen(folder.name, folder.uidvalidity)
    present = folder.uids()
    fresh = [uid for uid in present if uid not in seen]
    if not dry_run:
        # Filed by a pull that was stopped before it flagged (or moved) them: done now.
        unflagged = set(present) if folder.done_folder else folder.unseen()
        for uid, kind in seen.items():
            if kind in FILED and uid in unflagged:
                folder.done(uid)
                report.reflagged += 1
    for uid in fresh:
        filed, entries, candidates = _read_one(store, folder, uid, rules, fetcher_factory)
        if not dry_run:
            record = {
                "folder": folder.name,
                "uidvalidity": folder.uidvalidity,
                "uid": uid,
                "message_id": filed.message_id,
                "subject": filed.subject,
                "kind": filed.kind,
                "error": filed.reason,
            }
            outcomes, new = store.file_message(
                record, items=entries, candidates=candidates, now=iso(clock())
            )
            report.items += [o.item for o in outcomes if o.created]
            if filed.kind in FILED:
                folder.done(uid)
        else:
            new = len(candidates)
        if filed.kind == "mine":
            report.links += len(entries)
        elif filed.kind == "newsletter":
            report.candidates += new
        report.messages.append(filed)
        on_message(filed)
    return report


def _read_one(
    store: Store,
    folder: Folder,
    uid: str,
    rules: InboxRules,
    fetcher_factory: Callable[[], Fetcher],
) -> tuple[Filed, list[NewItem], list[dict[str, Any]]]:
    """What one message is, and the items or candidates it gives (nothing stored yet)."""
    size = folder.size(uid)
    if size is not None and size > rules.max_bytes:
        subject, message_id = peek(folder.head(uid))
        reason = f"larger than {rules.max_bytes:,} bytes ({size:,})"
        return Filed("failed", subject, message_id, reason=reason), [], []
    raw = folder.read(uid)
    try:
        mail = parse_mail(raw, max_bytes=rules.max_bytes)
    except BadMail as bad:
        subject, message_id = peek(raw)
        return Filed("failed", subject, message_id, reason=bad.reason), [], []
    if mail.message_id and store.inbox_known_id(mail.message_id):
        return Filed("duplicate", mail.subject, mail.message_id), [], []
    kind = kind_of(mail, rules.me, rules.newsletters)
    if kind == "mine":
        entries = _items_of(mail)
        filed = Filed("mine", mail.subject, mail.message_id, [e.url for e in entries])
        return filed, entries, []
    if kind == "newsletter":
        name = newsletter_name(mail)
        candidates = _candidates_of(mail, name, fetcher_factory)
        filed = Filed(
            "newsletter", mail.subject, mail.message_id, [c["url"] for c in candidates], name
        )
        return filed, [], candidates
    reason = f"from {mail.sender or 'nobody'}: neither [inbox] me nor a newsletter"
    return Filed("ignored", mail.subject, mail.message_id, reason=reason), [], []


def _items_of(mail: Mail) -> list[NewItem]:
    """The curator's links as `add` stores them: the note typed around each, the subject
    as the title until the page gives its own (when the mail holds one link)."""
    links: list[tuple[str, str]] = []
    for link in curator_links(mail):
        try:
            links.append((urls.validate(link.url), link.text))
        except BadInput:
            continue  # not a link revue can store: the mail's other links still are
    title = title_of_subject(mail.subject) if len(links) == 1 else None
    return [
        link_entry(url, {"note": note or None}, title=title, source=MAILED) for url, note in links
    ]


def _candidates_of(
    mail: Mail, name: str, fetcher_factory: Callable[[], Fetcher]
) -> list[dict[str, Any]]:
    """A newsletter's links under their final addresses: the target a tracking link
    names in itself, else where following it (HEAD, then GET when HEAD is refused) ends.
    A link that cannot be followed to its end is left out: its address may be a
    tracker's, and no tracking address is ever stored."""
    links = newsletter_links(mail)
    if not links:
        return []
    finals = asyncio.run(_follow_all(links, fetcher_factory))
    found: dict[str, dict[str, Any]] = {}
    for link, final in zip(links, finals, strict=True):
        if final is None or is_footer(final, link.text, mail.unsubscribe):
            continue
        try:
            cleaned, keys = urls.stored_keys(urls.validate(final))
        except BadInput:
            continue
        found.setdefault(
            keys[0],
            {"key": keys[0], "url": cleaned, "title": link.text or None, "newsletter": name},
        )
    return list(found.values())


async def _follow_all(
    links: list[MailLink], fetcher_factory: Callable[[], Fetcher]
) -> list[str | None]:
    from revue.web.fetch import FROM_NEWSLETTER, REDIRECT_STATUSES

    async with fetcher_factory() as fetcher:

        async def one(link: MailLink) -> str | None:
            start = unwrap(link.url)
            if not urls.is_http_url(start):
                return None
            result = await fetcher.head_or_get(start, trust=FROM_NEWSLETTER)
            if result.status is None or result.status in REDIRECT_STATUSES:
                # No answer, or a redirect not followed to its end (a loop, too many): the
                # target a wrapper named is still the article; a bare link may be a tracker.
                return start if start != link.url else None
            return unwrap(result.final_url or start)

        return list(await asyncio.gather(*(one(link) for link in links)))
