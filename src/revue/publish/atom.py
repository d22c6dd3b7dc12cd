"""The reviews folder's Atom feed as a target: `feed.xml`, every review composed there.

Every text is cleaned of what XML cannot hold (control characters: a review file may have
been edited by hand), and the document is parsed back before it replaces the old one: an
ill-formed feed is never written (ValueError).
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from pathlib import Path

from revue.clock import local_instant
from revue.files import atomic_write
from revue.models import Review
from revue.publish.base import Publication, Result
from revue.publish.folder import compose_locked
from revue.review.outputs import OUTPUT_FORMATS
from revue.sanitize import clean_text

FEED_NAME = "feed.xml"
MAX_FEED_ENTRY_BYTES = 64 * 2**20
ATOM = "http://www.w3.org/2005/Atom"


class AtomFeed:
    """Rewrites `folder / feed.xml` from `reviews()` (the store's, newest first), under the
    compose lock `lock`, each time a review goes out; `now` stamps it. Its times are
    written in the curator's `zone` (the same instants, with the curator's offset)."""

    name = "feed"

    def __init__(
        self,
        folder: Path,
        *,
        lock: Path,
        reviews: Callable[[], list[Review]],
        title: str,
        now: str,
        protect: Sequence[Path] = (),
        zone: dt.tzinfo = dt.UTC,
    ) -> None:
        self.folder = folder
        self.lock = lock
        self.zone = zone
        self.site = str(folder / FEED_NAME)
        self.reviews = reviews
        self.title = title
        self.now = now
        self.protect = list(protect)

    def publish(self, review: Publication) -> Result:
        with compose_locked(self.lock, self.folder, self.protect):
            path = write_feed(
                self.folder,
                self.reviews(),
                now=self.now,
                title=self.title,
                protect=self.protect,
                zone=self.zone,
            )
        return Result(action="updated", path=str(path))


def write_feed(
    folder: Path,
    reviews: list[Review],
    *,
    now: str,
    title: str,
    protect: Sequence[Path] = (),
    zone: dt.tzinfo = dt.UTC,
) -> Path:
    """Atom feed of the reviews composed into `folder`, newest first, rewritten atomically.
    Raises ValueError rather than write an ill-formed feed."""
    ET.register_namespace("", ATOM)
    root = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(root, f"{{{ATOM}}}title").text = clean_text(title)
    ET.SubElement(root, f"{{{ATOM}}}id").text = f"urn:revue:reviews:{folder.resolve().name}"
    ET.SubElement(root, f"{{{ATOM}}}link", rel="self", href=FEED_NAME)
    ET.SubElement(root, f"{{{ATOM}}}updated").text = local_instant(now, zone)
    ET.SubElement(root, f"{{{ATOM}}}generator").text = "revue"
    resolved = folder.resolve()
    for review in reviews:
        path = Path(review.path) if review.path else None
        if path is None or path.parent != resolved or not path.is_file():
            continue
        if path.stat().st_size > MAX_FEED_ENTRY_BYTES:
            continue  # not a review revue wrote: left out rather than read into memory
        entry = ET.SubElement(root, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = clean_text(review.title or "")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:revue:review:{review.id}"
        updated = local_instant(review.composed_at, zone)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = updated
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=path.name)
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = "revue"
        ET.SubElement(
            entry, f"{{{ATOM}}}summary"
        ).text = f"{review.item_count} item(s), {review.start} → {review.end}"
        text = path.read_text(encoding="utf-8", errors="replace")
        fmt = OUTPUT_FORMATS.get(str(review.format))
        is_html = fmt is not None and fmt.html
        content = ET.SubElement(entry, f"{{{ATOM}}}content", type="html" if is_html else "text")
        content.text = clean_text(text)
    document = '<?xml version="1.0" encoding="utf-8"?>\n'
    document += ET.tostring(root, encoding="unicode", xml_declaration=False) + "\n"
    check_xml(document)
    target = folder / FEED_NAME
    atomic_write(target, document, protect=protect)
    return target


def check_xml(document: str) -> None:
    """Raise ValueError unless `document` is well-formed XML that UTF-8 can encode."""
    try:
        ET.fromstring(document.encode("utf-8"))
    except (ET.ParseError, UnicodeEncodeError) as exc:
        raise ValueError(f"it would not be well-formed XML ({exc})") from None
