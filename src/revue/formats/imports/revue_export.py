"""revue's own JSON export, read incrementally and checked record by record
(`read_revue_export`), whatever its size."""

from __future__ import annotations

import bisect
import codecs
import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from revue.formats.imports.records import (
    _SURROGATE,
    _check_entries,
    _decode,
    _json,
    _kind_of,
    _link_field,
    _text_field,
    _url_problem,
    _why,
    check_fields,
)
from revue.models import STATUSES
from revue.sanitize import clean_json


def check_revue_item(item: Any, *, text_is_clean: bool = False) -> dict[str, Any]:
    """One item of a revue export, checked field by field before anything is stored: the
    item with its text made valid Unicode and its URLs without credentials. Raises
    ValueError naming the first bad field (the caller reports the item and skips it).
    `text_is_clean`: the caller knows no string of the item needs `valid_text` (the
    streaming reader sees it in the item's JSON text), which spares the walk over them."""
    if not isinstance(item, dict):
        raise ValueError("not an item object")
    kind = item.get("kind") or ("link" if item.get("url") is not None else "text")
    if kind not in ("link", "text"):
        raise ValueError(f"kind is {str(kind)[:20]!r}, not link or text")
    checked = dict(item)
    if kind == "link":
        checked["url"] = _link_field(item, "url")
        if item.get("original_url") is not None:
            checked["original_url"] = _link_field(item, "original_url")
    elif item.get("url") is not None or item.get("original_url") is not None:
        raise ValueError("a text item has no url")
    checked["kind"] = kind
    check_fields(item, "item")
    status = item.get("status")
    if status is not None and status not in STATUSES:
        raise ValueError(f"status is {status[:20]!r}, not one of {', '.join(STATUSES)}")
    if text_is_clean:
        return checked
    result: dict[str, Any] = clean_json(checked, max_depth=None)
    return result


def _check_review(review: Any) -> dict[str, Any]:
    """One review of a revue export (see `check_revue_item`)."""
    if not isinstance(review, dict):
        raise ValueError("not a review object")
    check_fields(review, "review")
    if review.get("start") and review.get("end") and review["start"] > review["end"]:
        raise ValueError(f"start {review['start']} is after end {review['end']}")
    _check_entries(review, "files", "file")
    _check_entries(review, "posts", "post")
    result: dict[str, Any] = clean_json(dict(review), max_depth=None)
    return result


def _check_feed(feed: Any) -> dict[str, Any]:
    """One feed of a revue export (see `check_revue_item`). Its URL may carry credentials:
    a private feed needs them, and a feed's address is never published."""
    if not isinstance(feed, dict):
        raise ValueError("not a feed object")
    url = _text_field(feed, "url")
    if url is None or _SURROGATE.search(url) or _url_problem(url.strip()):
        raise ValueError(_why("not an http(s) URL", str(url or "")))
    check_fields(feed, "feed")
    result: dict[str, Any] = clean_json(dict(feed), max_depth=None)
    return result


def _check_skip(skip: Any) -> dict[str, Any]:
    """One skip of a revue export (an item left out of a review; see `check_revue_item`)."""
    if not isinstance(skip, dict):
        raise ValueError("not a skip object")
    check_fields(skip, "skip")
    if skip["start"] > skip["end"]:
        raise ValueError(f"start {skip['start']} is after end {skip['end']}")
    result: dict[str, Any] = clean_json(dict(skip), max_depth=None)
    return result


MAX_DUMP_ENTRY = 64 * 1024 * 1024  # characters of one item, review or feed


class _IdsSeen:
    """Item ids met so far, in a bit a number (a million ids: 125 KB, not a set's 60 MB);
    ids past the bits' reach, which no store hands out, go in a set."""

    _REACH = 1 << 27  # ids below this are bits: at most 16 MB

    def __init__(self) -> None:
        self._bits = bytearray()
        self._far: set[int] = set()

    def add(self, ident: int) -> bool:
        """Record `ident`; False if it was met before."""
        if ident < 0 or ident >= self._REACH:
            if ident in self._far:
                return False
            self._far.add(ident)
            return True
        byte, bit = divmod(ident, 8)
        if byte >= len(self._bits):
            self._bits.extend(bytes(max(byte + 1 - len(self._bits), len(self._bits))))
        if self._bits[byte] >> bit & 1:
            return False
        self._bits[byte] |= 1 << bit
        return True


def _bounded_int(digits: str) -> int:
    return int(digits) if len(digits) <= 100 else 2**300


_HUGE_INTS = json.JSONDecoder(parse_int=_bounded_int)


class _JsonText:
    """JSON text read a piece at a time from byte chunks; values decoded by the C scanner
    (`raw_decode`) straight from the buffer, which keeps only what is not consumed yet."""

    _WS = re.compile(r"[ \t\n\r]*")
    _SEP = re.compile(r"[ \t\n\r]*([,\]])")

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._utf8 = codecs.getincrementaldecoder("utf-8-sig")()
        self._json = json.JSONDecoder()
        self.buf = ""
        self.pos = 0
        self.eof = False
        self._lines = 0  # line breaks in the text already dropped from the buffer
        self._dropped = 0  # characters already dropped from the buffer
        # Where (counted from the start of the text) `_NEEDS_CLEANING` matched: each piece
        # is searched once as it comes, not each item's text again.
        self._marks: list[int] = []

    def line(self, pos: int | None = None) -> int:
        return self._lines + self.buf.count("\n", 0, self.pos if pos is None else pos) + 1

    def _more(self) -> bool:
        """Append the next piece of text; False once the input is over."""
        while not self.eof:
            chunk = next(self._chunks, None)
            try:
                text = self._utf8.decode(chunk or b"", final=chunk is None)
            except UnicodeDecodeError:
                raise ValueError(f"not UTF-8 text (near line {self.line()})") from None
            self.eof = chunk is None
            if text:
                self._lines += self.buf.count("\n", 0, self.pos)
                self._dropped += self.pos
                kept = len(self.buf) - self.pos
                self.buf = self.buf[self.pos :] + text
                self.pos = 0
                # From a few characters back: an escape may be cut between two pieces.
                seen = self._marks[-1] if self._marks else -1
                for match in _MAY_NEED_CLEANING.finditer(self.buf, max(kept - 8, 0)):
                    at = match.start()
                    if self._dropped + at > seen and _NEEDS_CLEANING.match(self.buf, at):
                        self._marks.append(self._dropped + at)
                return True
        return False

    def peek(self) -> str:
        """The next character after blanks ("" at the end), not consumed."""
        while True:
            match = self._WS.match(self.buf, self.pos)
            self.pos = match.end() if match else self.pos
            if self.pos < len(self.buf):
                return self.buf[self.pos]
            if not self._more():
                return ""

    def expect(self, char: str) -> None:
        found = self.peek()
        if found != char:
            shown = repr(found) if found else "the end of the file"
            raise ValueError(
                f"not valid JSON: expected {char!r}, found {shown} (line {self.line()})"
            )
        self.pos += 1

    def clean(self, start: int, end: int) -> bool:
        """Whether `buf[start:end]` holds nothing `_NEEDS_CLEANING` matches."""
        if not self._marks:
            return True
        at = bisect.bisect_left(self._marks, self._dropped + start)
        return at == len(self._marks) or self._marks[at] >= self._dropped + end

    def next_in_list(self) -> bool:
        """After an element of a list: True if another one follows (its comma consumed),
        False at the list's end (its bracket consumed)."""
        match = self._SEP.match(self.buf, self.pos)
        if match:  # the common case, without a call per blank and per character
            self.pos = match.end()
            return match.group(1) == ","
        if self.peek() == "]":
            self.pos += 1
            return False
        self.expect(",")
        return True

    def value(self) -> tuple[Any, int, int]:
        """The next value, and where its text is in `buf` (until the next read)."""
        match = self._WS.match(self.buf, self.pos)
        if match is None or match.end() >= len(self.buf):
            self.peek()
        else:
            self.pos = match.end()
        while True:
            error: json.JSONDecodeError | None = None
            try:
                try:
                    value, end = self._json.raw_decode(self.buf, self.pos)
                except json.JSONDecodeError:
                    raise
                except ValueError:
                    # A whole number of thousands of digits, which Python will not convert:
                    # read again with it as a number past every column, so that its record
                    # is refused, not the file.
                    value, end = _HUGE_INTS.raw_decode(self.buf, self.pos)
            except json.JSONDecodeError as exc:
                error, end = exc, -1
            except RecursionError:
                # No export nests more than a few levels; thousands of brackets are an attack.
                raise ValueError("not valid JSON: nested too deeply") from None
            # A value that ends where the buffer ends may be cut (a number, half a chunk
            # away from its last digits): complete values are followed by , ] or }.
            if error is None and (end < len(self.buf) or self.eof):
                start, self.pos = self.pos, end
                return value, start, end
            if error is not None and self.eof:
                raise ValueError(
                    f"not valid JSON: {error.msg} (line {self.line(error.pos)})"
                ) from None
            if len(self.buf) - self.pos > MAX_DUMP_ENTRY:
                raise ValueError(
                    f"an entry longer than {MAX_DUMP_ENTRY // 2**20} MB (line {self.line()})"
                )
            self._more()


# What, in JSON text, may decode to a character `valid_text` removes or replaces: escapes of
# control characters (\b \f \r, \u0000-\u001f, \u007f-\u009f), surrogates, U+FFFE/U+FFFF,
# bidi controls, and those characters written as they are. (A match may be a false alarm,
# such as an escaped backslash before "u0001": the check then just does its full walk.)
_NEEDS_CLEANING = re.compile(
    r"\\[bfr]|\\u(?:00[01]|007[fF]|00[89]|[dD][89a-fA-F]|[fF][fF][fF][eEfF]|202[a-eA-E]|206[6-9])"
    "|[\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]"
)


# The characters a `_NEEDS_CLEANING` match starts with: a search for one of them is three
# times faster than the alternation's (a second a 100 MB export), which then runs only there.
_MAY_NEED_CLEANING = re.compile("[\\\\\x7f-\x9f\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


def read_revue_export(
    chunks: Iterable[bytes],
    check: Callable[..., dict[str, Any]] = check_revue_item,
) -> Iterator[tuple[str, int, Any]]:
    """revue's own export, read incrementally from byte chunks, whatever its size and layout
    (any valid JSON: the one-item-a-line export, or an older one indented throughout).

    Every record goes through the same checks as a whole-file import (`check` for items,
    `_check_review`, `_check_feed`) before it is handed on. Yields ("header", 0, {format,
    version, exported_at...}) before the first list, then ("item", n, item), ("review", n,
    review), ("feed", n, feed) and ("skip", n, skip) for the records of each list (n from 1),
    and ("refused", n, reason) for a record the checks refuse (n is 0 when the reason names
    its place). Raises ValueError for a file that is not a revue export or not valid JSON,
    when it gets there."""
    text = _JsonText(chunks)
    if text.peek() != "{":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...}')
    text.pos += 1
    header: dict[str, Any] = {}
    sent = False
    first = True
    ids = _IdsSeen()
    while text.peek() != "}":
        if not first:
            text.expect(",")
        first = False
        key, _, _ = text.value()
        if not isinstance(key, str):
            raise ValueError(f"not valid JSON: a key that is not a text (line {text.line()})")
        text.expect(":")
        if key not in _DUMP_LISTS:
            header[key], _, _ = text.value()
            continue
        if not sent:
            _check_header(header)
            yield "header", 0, header
            sent = True
        if text.peek() != "[":
            value = text.value()[0]
            if value is None:
                continue  # no such list
            raise ValueError(f"not a revue export: {key} is {_kind_of(value)}, not a list")
        text.pos += 1
        index = 0
        if text.peek() == "]":
            text.pos += 1
            continue
        kind, checker = _DUMP_LISTS[key]
        while True:
            value, start, end = text.value()
            index += 1
            try:
                if kind == "item":
                    # Most items hold no character valid_text would change: seen in their
                    # JSON text at C speed, which spares the check a walk over every string.
                    record = check(value, text_is_clean=text.clean(start, end))
                else:
                    record = checker(value) if checker is not None else value
            except ValueError as exc:
                if kind == "item":
                    yield "refused", index, str(exc)
                else:
                    yield "refused", 0, f"{kind} {index} of the file: {exc}"
            else:
                if kind == "item" and not ids.add(record["id"]):
                    yield "refused", index, f"id {record['id']} is used by an earlier item"
                else:
                    yield kind, index, record
            if not text.next_in_list():
                break
    text.pos += 1
    if text.peek():
        raise ValueError(f"not valid JSON: more text after the export (line {text.line()})")
    if not sent:
        _check_header(header)
        yield "header", 0, header


def _check_header(header: Mapping[str, Any]) -> None:
    if header.get("format") != "revue-export":
        raise ValueError('not a revue export: expected {"format": "revue-export", ...} first')
    version = header.get("version", 0)
    if isinstance(version, bool) or not isinstance(version, int):
        raise ValueError(f"not a revue export: version is {_kind_of(version)}, not a number")


# The lists of an export, read a record at a time: the event each record gives, its check.
_DUMP_LISTS: dict[str, tuple[str, Callable[[Any], dict[str, Any]] | None]] = {
    "items": ("item", check_revue_item),
    "reviews": ("review", _check_review),
    "feeds": ("feed", _check_feed),
    "skips": ("skip", _check_skip),
}


_REVUE_EXPORT_HEAD = re.compile(r'^\s*\{[^\[]*?"format"\s*:\s*"revue-export"')


def looks_like_revue_export(head: bytes) -> bool:
    """Whether a file that starts with `head` (its first few KB) is revue's own export."""
    return _REVUE_EXPORT_HEAD.match(head.decode("utf-8-sig", errors="replace")) is not None


def header_first(data: bytes) -> bytes:
    """An export held whole whose "format" comes after its lists (`read_revue_export` needs
    the header before the records): its keys put back in the order revue writes them. The
    file is already in memory, within the import cap; an export as revue writes it never
    comes here."""
    dump = _json(_decode(data))
    if not isinstance(dump, dict):
        return data
    head = {key: value for key, value in dump.items() if key not in _DUMP_LISTS}
    lists = {key: value for key, value in dump.items() if key in _DUMP_LISTS}
    return json.dumps({**head, **lists}).encode()
