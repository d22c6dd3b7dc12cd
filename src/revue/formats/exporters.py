"""Exports of stored items to formats other tools read: CSV, Netscape bookmarks, Markdown.

Contract:

- Pure: items in, text out. No I/O, no clock. Each format has a streaming form
  (`iter_csv`, `iter_netscape`, `iter_markdown`: any iterable of items in, pieces of text
  out, a few hundred items a piece) that an export of a million items writes as it goes.
- CSV: UTF-8 text with a header row and these columns, in this order:
  id, url, title, summary, site_name, via, author, published, lang, note,
  tags (comma separated), section, status, added_at, review (the publishing review's id),
  first_published, lead, quote, hashtags (those of the tags shown as #hashtags).
  `revue import` of that file gives every field back (the review's id excepted: the CSV
  does not carry the review itself).
  A text cell starting with = + - @ (or a tab or carriage return), after any ', gets a
  leading ' so that a spreadsheet shows it instead of running it as a formula (CSV
  injection); the importer takes exactly that one off.
- Netscape bookmarks: the format browsers, Pinboard and buku import. ADD_DATE in epoch
  seconds, TAGS="a,b", the note in <DD>; every text and attribute is HTML-escaped and every
  line break in them removed, so that a title cannot open a tag or end its line.
- Markdown: "- [title](<url>) — note", one line an item, titles and notes escaped.
- Only http(s) links are ever written: an item without one is left out of the bookmark and
  Markdown exports (the CSV keeps every row, it is a backup).
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from collections.abc import Iterable, Iterator
from urllib.parse import quote, urlsplit

from revue.mdtext import md_text, md_url
from revue.models import Item

__all__ = [
    "CSV_COLUMNS",
    "export_csv",
    "export_markdown",
    "export_netscape",
    "iter_csv",
    "iter_markdown",
    "iter_netscape",
]

_PIECE = 500  # items a piece of streamed text

CSV_COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "title",
    "summary",
    "site_name",
    "via",
    "author",
    "published",
    "lang",
    "note",
    "tags",
    "section",
    "status",
    "added_at",
    "review",
    # Added after the first release, so at the end: a reader by position is not shifted.
    "first_published",
    "lead",
    "quote",
    "hashtags",
)

# A formula sign, after any quotes: a cell that starts with our own guard gets one more, so
# that the importer, which takes one off, gives back what was written ("'=x" stays "'=x").
_FORMULA_START = re.compile("'*[=+\\-@\t\r]")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ",".join(str(v) for v in value)
    text = str(value)
    if _FORMULA_START.match(text):
        return "'" + text
    return text


def _all_tags(item: Item) -> list[str]:
    """Tags, then hashtags that are not already among them."""
    seen = {t.casefold() for t in item.tags}
    return list(item.tags) + [h for h in item.hashtags if h.casefold() not in seen]


def export_csv(items: Iterable[Item]) -> str:
    """All items as CSV text (columns in `CSV_COLUMNS`), one row an item."""
    return "".join(iter_csv(items))


def iter_csv(items: Iterable[Item]) -> Iterator[str]:
    """`export_csv`, a piece at a time."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for count, item in enumerate(items, start=1):
        row = {name: getattr(item, name) for name in CSV_COLUMNS if name != "tags"}
        row["tags"] = _all_tags(item)
        writer.writerow([_cell(row[name]) for name in CSV_COLUMNS])
        if count % _PIECE == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def _http(url: str | None) -> str | None:
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return url


def _epoch(stamp: str | None) -> int | None:
    if not stamp:
        return None
    try:
        parsed = dt.datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return int(parsed.timestamp())


def _line(text: str | None) -> str:
    return " ".join((text or "").split())


def _esc(text: str | None) -> str:
    return html.escape(_line(text), quote=True)


def export_netscape(items: Iterable[Item]) -> str:
    """Items with an http(s) URL as a Netscape bookmark file (what browsers import)."""
    return "".join(iter_netscape(items))


def iter_netscape(items: Iterable[Item]) -> Iterator[str]:
    """`export_netscape`, a piece at a time."""
    lines = [
        "<!DOCTYPE NETSCAPE-Bookmark-file-1>",
        "<!-- This is an automatically generated file. -->",
        '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
        "<TITLE>Bookmarks</TITLE>",
        "<H1>Bookmarks</H1>",
        "<DL><p>",
    ]
    for item in items:
        url = _http(item.url)
        if url is None:
            continue
        attrs = [f'HREF="{_esc(url)}"']
        added = _epoch(item.added_at)
        if added is not None:
            attrs.append(f'ADD_DATE="{added}"')
        tags = [_line(t).replace(",", " ") for t in _all_tags(item)]
        if tags:
            attrs.append(f'TAGS="{_esc(",".join(t for t in tags if t))}"')
        lines.append(f"    <DT><A {' '.join(attrs)}>{_esc(item.title or url)}</A>")
        if item.note and _line(item.note):
            lines.append(f"    <DD>{_esc(item.note)}")
        if len(lines) >= _PIECE:
            yield "\n".join(lines) + "\n"
            lines = []
    lines.append("</DL><p>")
    yield "\n".join(lines) + "\n"


def _md_escape(text: str | None) -> str:
    """One line of Markdown text that renders as `text`, never as markup, in every common
    dialect (revue.mdtext). Our text never starts a line ("- [" and " — " come first)."""
    return md_text(_line(text))


def _md_url(url: str) -> str:
    # Inside <...> a link destination cannot hold spaces, < or >; percent-encode them, and
    # what a dialect would read as markup there.
    return md_url(quote(url, safe="!#$%&'()*+,/:;=?@[]~-._"))


def export_markdown(items: Iterable[Item]) -> str:
    """Items with an http(s) URL as a Markdown list: "- [title](<url>) — note"."""
    return "".join(iter_markdown(items))


def iter_markdown(items: Iterable[Item]) -> Iterator[str]:
    """`export_markdown`, a piece at a time (nothing at all for no item)."""
    lines: list[str] = []
    for item in items:
        url = _http(item.url)
        if url is None:
            continue
        line = f"- [{_md_escape(item.title or url)}](<{_md_url(url)}>)"
        if item.note and _line(item.note):
            line += f" — {_md_escape(item.note)}"
        lines.append(line + "\n")
        if len(lines) >= _PIECE:
            yield "".join(lines)
            lines = []
    if lines:
        yield "".join(lines)
