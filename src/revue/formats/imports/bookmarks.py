"""Bookmarks files: the Netscape HTML every browser exports, and Pocket's HTML export."""

from __future__ import annotations

import html
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser

from revue.formats.imports.records import (
    MAX_TAG,
    MAX_TEXT,
    ImportRecord,
    _clip,
    _collapsed,
    _tags,
    _to_iso,
    _url_problem,
    _why,
)

# Tags that end the text of a <DD>: the note stops where the next bookmark or folder begins.
_NOTE_ENDS = frozenset({"dt", "dd", "dl", "a", "h1", "h2", "h3", "hr", "li", "ul", "ol"})


_ANCHOR_RE = re.compile(r"<a\b[^>]*>(.*?)</a\s*>", re.IGNORECASE)


_ANCHOR_WITH_HREF = re.compile(r"<a\s[^>]*?\bhref\s*=", re.IGNORECASE)


def _anchor_title(parsed: str, source: str) -> str | None:
    """The bookmark's title. Some exporters (buku among them) write titles unescaped, so
    "A <b> title" would lose "<b>" to the HTML parser: when the anchor's line (`source`)
    holds raw markup, its text is taken from the source instead, as the exporter meant it."""
    if "<" in source.split(">", 2)[-1]:
        match = _ANCHOR_RE.search(source)
        if match and "<" in match.group(1):
            return _collapsed(html.unescape(match.group(1)))
    return _collapsed(parsed)


# A start tag as bookmark files write it: a name, then name="value" attributes. Read by one
# regex, it gives what HTMLParser's general (and five times slower) reading gives; any
# other shape of tag is left to HTMLParser.
# Blanks are ASCII ones: where HTMLParser ends a tag's name.
_PLAIN_START = re.compile(
    r'<([a-zA-Z][a-zA-Z0-9]*)((?:[ \t\n\r\f]+[a-zA-Z_][-a-zA-Z0-9_]*="[^"]*")*)[ \t\n\r\f]*>'
)


# Elements whose text HTMLParser reads as text in some Python versions (script and style in
# all, title and textarea since 3.13.4): their start tags are left to it.
_RAW_TEXT = frozenset({"script", "style", "title", "textarea"})


_PLAIN_END = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)>")


_PLAIN_ATTR = re.compile(r'[ \t\n\r\f]+([a-zA-Z_][-a-zA-Z0-9_]*)="([^"]*)"')


class _BookmarkReader(HTMLParser):
    """Netscape bookmarks (and Pocket's HTML export) as `ImportRecord`s, tag by tag."""

    def __init__(self, fmt: str) -> None:
        super().__init__(convert_charrefs=True)
        self.fmt = fmt
        self.lines = _Lines()
        self.anchors = _AnchorScan()
        self.records: list[ImportRecord] = []  # read, not handed on yet
        self.errors: list[tuple[int, str]] = []
        self.anchor_lines: list[int] = []  # where each <A HREF> read starts
        self.folders: list[str | None] = []  # one entry per open <DL>: its <H3>, if any
        self.next_folder: str | None = None  # the last <H3>, naming the <DL> that follows
        self.heading: tuple[str, list[str]] | None = None  # open <H1>/<H3> and its text
        self.anchor: tuple[dict[str, str | None], int, list[str]] | None = None
        self.note: tuple[ImportRecord, list[str]] | None = None  # open <DD> and its text
        self.last: ImportRecord | None = None  # the bookmark a <DD> would describe
        self.pocket_status: str | None = None

    def parse_starttag(self, i: int) -> int:
        match = _PLAIN_START.match(self.rawdata, i)
        if match is None:
            return super().parse_starttag(i)
        tag = match.group(1).lower()
        if tag in self.CDATA_CONTENT_ELEMENTS or tag in _RAW_TEXT:
            return super().parse_starttag(i)
        self.lasttag = tag
        attrs: list[tuple[str, str | None]] = [
            (name.lower(), html.unescape(value) if value else value)
            for name, value in _PLAIN_ATTR.findall(match.group(2))
        ]
        self.handle_starttag(tag, attrs)
        return match.end()

    def parse_endtag(self, i: int) -> int:
        match = _PLAIN_END.match(self.rawdata, i)
        if match is None or self.cdata_elem is not None:
            return super().parse_endtag(i)
        self.handle_endtag(match.group(1).lower())
        self.clear_cdata_mode()
        return match.end()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _NOTE_ENDS:
            self._end_note()
        if tag == "a":
            self._end_anchor()
            self.next_folder = None
            line = self.getpos()[0]
            self.anchor = (dict(attrs), line, [])
        elif tag in ("h1", "h3"):
            self._end_anchor()
            self._end_heading()
            self.last = None
            self.heading = (tag, [])
        elif tag == "dl":
            self._end_anchor()
            self._end_heading()
            self.folders.append(self.next_folder)
            self.next_folder = None
        elif tag == "dd":
            self._end_anchor()
            if self.last is not None and self.last.note is None:
                self.note = (self.last, [])
            self.last = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._end_anchor()
        elif tag in ("h1", "h3"):
            self._end_heading()
        elif tag == "dd":
            self._end_note()
        elif tag == "dl":
            self._end_note()
            self._end_anchor()
            if self.folders:
                self.folders.pop()
            self.next_folder = None

    def handle_data(self, data: str) -> None:
        if self.anchor is not None:
            self.anchor[2].append(data)
        if self.heading is not None:
            self.heading[1].append(data)
        if self.note is not None:
            self.note[1].append(data)

    def finish(self) -> None:
        self.close()
        self._end_anchor()
        self._end_heading()
        self._end_note()

    def _end_note(self) -> None:
        if self.note is not None:
            record, parts = self.note
            record.note = _clip("".join(parts), MAX_TEXT)
            self.note = None

    def _end_heading(self) -> None:
        if self.heading is None:
            return
        tag, parts = self.heading
        self.heading = None
        text = "".join(parts)
        if tag == "h1":
            self.pocket_status = "archive" if "archive" in text.lower() else "unread"
        else:
            self.next_folder = _collapsed(text, MAX_TAG)

    def _end_anchor(self) -> None:
        if self.anchor is None:
            return
        attrs, line, parts = self.anchor
        self.anchor = None
        self.last = None
        if "href" not in attrs:
            return
        self.anchor_lines.append(line)
        href = (attrs.get("href") or "").strip()
        if not href:
            return
        problem = _url_problem(href)
        if problem:
            self.errors.append((line, _why(problem, href)))
            return
        added = attrs.get("add_date") or attrs.get("time_added")
        record = ImportRecord(
            url=href,
            title=_anchor_title("".join(parts), self.lines.get(line)),
            tags=_tags((attrs.get("tags") or "").split(",")),
            added_at=_to_iso(added),
            line=line,
        )
        if self.fmt == "netscape":
            folders = [name for name in self.folders if name]
            if folders:
                record.extra["folder"] = "/".join(folders)
            shortcut = attrs.get("shortcuturl")
            if shortcut:
                record.extra["keyword"] = shortcut[:MAX_TAG]
        elif self.pocket_status:
            record.extra["status"] = self.pocket_status
        self.records.append(record)
        self.last = record

    def read(self, text: str, *, final: bool = False) -> list[ImportRecord]:
        """Feed `text` (whole lines, but at the end), and hand on the bookmarks read that can
        change no more: the last one waits while a <DD> may still give it its note."""
        self.lines.add(text)
        self.anchors.feed(text, final=final)
        self.feed(text)
        if final:
            self.finish()
            done, self.records = self.records, []
            return done
        held = {id(self.last), id(self.note[0]) if self.note is not None else None}
        count = 0
        while count < len(self.records) and id(self.records[count]) not in held:
            count += 1
        done, self.records = self.records[:count], self.records[count:]
        # An anchor still open, and what the parser has not read yet, start on these lines.
        self.lines.forget_before(self.anchor[1] if self.anchor else self.getpos()[0])
        return done


class _Lines:
    """The source's lines by number (as HTMLParser counts them), from the oldest one a
    bookmark being read may still need on."""

    def __init__(self) -> None:
        self._lines: dict[int, str] = {}
        self._low = 1
        self._next = 1

    def add(self, text: str) -> None:
        for line in text.split("\n"):
            self._lines[self._next] = line
            self._next += 1
        self._next -= 1  # the text ends a line: its last piece is the next line's start

    def get(self, number: int) -> str:
        return self._lines.get(number, "")

    def forget_before(self, number: int) -> None:
        for old in range(self._low, number):
            self._lines.pop(old, None)
        self._low = max(self._low, number)


class _AnchorScan:
    """The lines where the source's <A HREF> tags start, comments left out, found as the
    text goes by: what the reader should have seen. A safety net: whatever the parser's
    limits, an import never loses bookmarks without saying so."""

    def __init__(self) -> None:
        self.lines: list[int] = []
        self._rest = ""  # text not scanned yet: after the last ">", or inside a comment
        self._line = 1  # the line `_rest` starts on
        self._in_comment = False

    def feed(self, text: str, *, final: bool = False) -> None:
        buf = self._rest + text
        pos = 0
        counted, line = 0, self._line
        while pos < len(buf):
            if self._in_comment:
                close = buf.find("-->", pos)
                if close < 0:
                    pos = len(buf) if final else max(pos, len(buf) - 2)
                    break
                pos = close + 3
                self._in_comment = False
                continue
            opening = buf.find("<!--", pos)
            if opening >= 0:
                stop = opening
            elif final:
                stop = len(buf)
            else:
                # No tag runs over a ">": the text after the last one may be a tag cut short.
                stop = max(pos, buf.rfind(">", pos) + 1)
            for match in _ANCHOR_WITH_HREF.finditer(buf, pos, stop):
                line += buf.count("\n", counted, match.start())
                counted = match.start()
                self.lines.append(line)
            pos = stop
            if opening < 0:
                break
            pos = opening + 4
            self._in_comment = True
        self._line = line + buf.count("\n", counted, pos)
        self._rest = buf[pos:]

    def unread(self, read_lines: list[int]) -> tuple[int, int] | None:
        """(line of the first one, how many): the <A HREF> tags of the source that the
        reader did not see. None when it saw them all."""
        if len(self.lines) <= len(read_lines):
            return None
        seen = Counter(read_lines)
        first: int | None = None
        for line in self.lines:
            if seen[line] > 0:
                seen[line] -= 1
            else:
                first = line
                break
        return (first or 0), len(self.lines) - len(read_lines)


def read_bookmarks(
    chunks: Iterable[str], errors: list[tuple[int, str]], fmt: str = "netscape"
) -> Iterator[ImportRecord]:
    """A Netscape bookmarks file (or Pocket's HTML export, `fmt` "pocket-html") read from its
    text's chunks, whole lines fed at a time; bookmarks handed on as they are read, the
    entries it skips reported in `errors` by line, in order, at the end."""
    reader = _BookmarkReader(fmt)
    rest = ""
    for chunk in chunks:
        buf = rest + chunk
        cut = buf.rfind("\n") + 1
        rest = buf[cut:]
        if cut:
            yield from reader.read(buf[:cut])
    yield from reader.read(rest, final=True)
    found = reader.errors
    unread = reader.anchors.unread(reader.anchor_lines)
    if unread is not None:
        line, count = unread
        found.append((line, f"{count} bookmark(s) from here on could not be read"))
    errors.extend(sorted(found, key=lambda e: e[0]))
