"""The output seam: a target takes a review ready to go out and says where it went.

Pure: no I/O here. A target (the review's file in the reviews folder, the folder's Atom feed,
a blog) is one module of this package implementing `Target`; the use case (`revue.app.publish`) builds the
`Publication` from the store and records the `Result`, so a target never touches the store.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from revue.errors import Refused

Action = Literal["created", "updated", "unchanged", "dry-run"]


@dataclass(frozen=True, slots=True)
class PostRecord:
    """Where a target last put a review, as revue recorded it."""

    post_id: int
    link: str | None = None
    status: str | None = None
    modified_gmt: str | None = None  # as the target reported it after revue's last write
    content_sha256: str | None = None  # of the title and content it held after that write
    ref: str | None = None  # the target's own name for it when not a number (a Message-ID)


class SendLog(Protocol):
    """Who already received a review from a target that sends it to people (the newsletter),
    kept in the store as each batch goes: an interrupted send resumes without sending
    anyone twice."""

    def sent(self) -> dict[str, str]:
        """Each address already sent to (lower-cased), with the Message-ID it was sent."""
        ...

    def record(self, addresses: Sequence[str], message_id: str) -> None:
        """Remember that `addresses` received the message `message_id` (committed at once)."""
        ...

    def forget(self) -> None:
        """Forget every send of this review (a --resend starts again)."""
        ...


@dataclass(frozen=True, slots=True)
class Publication:
    """A review ready to go out: everything a target needs, nothing it must look up."""

    review_id: int | None  # None: a review not recorded yet (its file goes out first)
    title: str
    html: str = ""  # the review's HTML fragment, in its style (untrusted fields escaped)
    tags: tuple[str, ...] = ()  # the review's tags and hashtags, each once, without '#'
    previous: PostRecord | None = None  # where this target last put this review
    text: str = ""  # the review rendered in `fmt`, for a target that keeps it as it is
    fmt: str = ""  # a name of review.render.OUTPUT_FORMATS
    file_name: str = ""  # the name of the review's file, for a target that writes one
    markdown: str = ""  # the review's Markdown (the md format), for a static site's page
    day: dt.date | None = None  # the review's day: its last, or today when that is to come
    lang: str = ""  # the review's language ("fr", "en")
    sends: SendLog | None = None  # who already received it (a target that sends to people)


@dataclass(slots=True)
class Result:
    """What a target did. `request` is filled on a dry run: what would have been sent."""

    action: Action
    post_id: int | None = None
    link: str | None = None
    status: str | None = None
    modified_gmt: str | None = None
    content_sha256: str | None = None  # of the post's title and content after revue's write
    request: str | None = None
    notes: list[str] = field(default_factory=list)  # things the curator should know
    path: str | None = None  # the file a target wrote
    ref: str | None = None  # the target's own name for what it made when not a number

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "post_id": self.post_id,
            "link": self.link,
            "status": self.status,
            "modified_gmt": self.modified_gmt,
            "notes": list(self.notes),
            **({"request": self.request} if self.request is not None else {}),
            **({"path": self.path} if self.path is not None else {}),
            **({"ref": self.ref} if self.ref is not None else {}),
        }


class Target(Protocol):
    """One output. `site` names where it publishes (the key its records are kept under:
    a blog's address, "email:<list address>", "buttondown"). A target may also have `fmt`,
    a name of review.render.OUTPUT_FORMATS: the review then comes rendered in it as
    `Publication.text`."""

    name: str
    site: str

    def publish(self, review: Publication) -> Result:
        """Send the review; raise a RevueError (exit 1 for a refusal or a conflict)."""
        ...


class BadAnswer(Refused):
    """The target answered nonsense (exit 1). `result` is what it surely did, to record
    all the same (a post updated whose answer is malformed), or None."""

    def __init__(self, message: str, result: Result | None = None) -> None:
        super().__init__(message)
        self.result = result


def slug_words(title: str) -> str:
    """A title as an address's words: ASCII letters and digits, lower case, joined by '-'
    (accents folded away, every other character a separator). Each target bounds its length."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
