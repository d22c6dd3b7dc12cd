"""Bytes to text the way a browser decodes a page: byte-order mark, HTTP charset,
`<meta charset>`, latin-1 labels read as windows-1252, UTF-8 when undeclared and valid."""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_HEADER_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.I)

# What browsers actually do with these labels (WHATWG Encoding standard).
_CHARSET_ALIASES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "windows-1252": "cp1252",
    "x-sjis": "shift_jis",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "iso-8859-9": "cp1254",
    "tis-620": "cp874",
    "ks_c_5601-1987": "euc-kr",
    "x-user-defined": "cp1252",
}


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when unknown."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _CHARSET_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    if name.startswith("utf-16") or name.startswith("utf-32"):
        # A <meta> cannot really declare UTF-16 (it would not be readable as ASCII);
        # browsers treat it as UTF-8.
        return "utf-8"
    return name


def decode_html(body: bytes, headers: Mapping[str, str] | None = None) -> str:
    """Decode an HTML body the way a browser would; never raises.

    Order: byte-order mark, the HTTP `Content-Type` charset, a `<meta charset>` or
    `<meta http-equiv=Content-Type>` in the first 4 KB. Latin-1 labels mean windows-1252.
    Undeclared: UTF-8 when the bytes are valid UTF-8 (or nearly), else windows-1252.
    """
    if not body:
        return ""
    try:
        if body.startswith(codecs.BOM_UTF8):
            return body[3:].decode("utf-8", errors="replace")
        if body.startswith(codecs.BOM_UTF16_LE) or body.startswith(codecs.BOM_UTF16_BE):
            return body.decode("utf-16", errors="replace")
        declared: str | None = None
        ctype = header(headers, "content-type")
        if ctype:
            m = _HEADER_CHARSET_RE.search(ctype)
            if m:
                declared = _codec(m.group(1))
        if declared is None:
            m2 = _META_CHARSET_RE.search(body[:4096])
            if m2:
                declared = _codec(m2.group(1).decode("ascii", "replace"))
        if declared is not None and declared != "utf-8":
            # Valid multi-byte UTF-8 is practically never legacy-encoded text: the page was
            # converted to UTF-8 and kept its old declaration (or the server default lies).
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return body.decode(declared, errors="replace")
            if not text.isascii():
                return text
            return body.decode(declared, errors="replace")
        if declared is not None:
            return body.decode(declared, errors="replace")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            text = body.decode("utf-8", errors="replace")
            # A stray bad byte in a UTF-8 page vs a whole page in windows-1252.
            if text.count("\ufffd") <= 2:
                return text
            return body.decode("cp1252", errors="replace")
    except Exception:  # defensive: a codec raising something unexpected
        return body.decode("utf-8", errors="replace")


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    if not headers:
        return None
    value = headers.get(name)
    if value is None:
        for key, val in headers.items():
            if key.lower() == name:
                return val
    return value
