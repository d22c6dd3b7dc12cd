"""An import file's bytes as text read a piece at a time: its encoding decided over the
whole file first (the same decision `_decode` takes on bytes held whole), then its text as
chunks or as physical lines, so that a reader holds one line or one chunk, not the file."""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import BinaryIO

READ_CHUNK = 1 << 16  # bytes a read: big enough for speed, small beside any file
_PIECE = 1 << 20  # bytes a read while the encoding is being decided
_REPLACEMENT = "\ufffd".encode()
_NOT_ASCII = re.compile("[^\x00-\x7f]")


def encoding_of(handle: BinaryIO) -> str:
    """The codec `_decode` would pick for the whole file (UTF-16 with its BOM, UTF-8 with or
    without one, else Windows-1252), read in pieces from where `handle` stands, which it
    leaves at the end. Raises ValueError("not a text file") for binary data."""
    first = handle.read(_PIECE)
    if first.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="replace")
    bad = multibyte = 0
    tail = b""  # the last bytes of the previous piece: a U+FFFD written in the file may span two
    piece = first
    while True:
        final = not piece
        if b"\x00" in piece:
            raise ValueError("not a text file")
        text = decoder.decode(piece, final=final)
        replaced = text.count("\ufffd") - (tail + piece).count(_REPLACEMENT)
        bad += replaced
        multibyte += len(_NOT_ASCII.findall(text)) - replaced
        if final:
            break
        tail = piece[-2:]
        piece = handle.read(_PIECE)
    if bad == 0 or multibyte > bad:  # more well-formed UTF-8 sequences than broken ones
        return "utf-8-sig"
    return "cp1252"


def text_chunks(handle: BinaryIO, encoding: str) -> Iterator[str]:
    """The file's text from its start, a chunk at a time, line breaks as they are written
    (the csv module and the line numbers of messages count them so); a byte the encoding
    refuses becomes U+FFFD."""
    handle.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    while piece := handle.read(READ_CHUNK):
        if text := decoder.decode(piece):
            yield text
    if text := decoder.decode(b"", final=True):
        yield text


def peek(chunks: Iterator[str], size: int) -> tuple[str, Iterator[str]]:
    """The first `size` characters of the text, and the text's chunks from its start."""
    read: list[str] = []
    length = 0
    for chunk in chunks:
        read.append(chunk)
        length += len(chunk)
        if length >= size:
            break
    head = "".join(read)
    return head[:size], chain([head], chunks)


_BREAK = re.compile(r"\r\n|\r|\n")


def physical_lines(chunks: Iterable[str]) -> Iterator[str]:
    """The lines of the text, each with its line break, split where the csv module splits
    them (\\r\\n, \\r or \\n): what `io.StringIO(text, newline="")` gives, from chunks. A
    line longer than a chunk is gathered in pieces, joined once."""
    pending: list[str] = []  # the line begun in the chunks before
    for chunk in chunks:
        if pending and pending[-1].endswith("\r"):  # held back: the half of a \r\n?
            if chunk.startswith("\n"):
                pending.append("\n")
                chunk = chunk[1:]
            yield "".join(pending)
            pending.clear()
        start = 0
        for match in _BREAK.finditer(chunk):
            end = match.end()
            if end == len(chunk) and match.group() == "\r":
                break  # a \r that ends the chunk may be the first half of \r\n
            pending.append(chunk[start:end])
            yield "".join(pending)
            pending.clear()
            start = end
        if start < len(chunk):
            pending.append(chunk[start:])
    if pending:
        yield "".join(pending)
