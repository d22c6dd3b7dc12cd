"""Language tags -> BCP 47 ("fr_CA" -> "fr-CA")."""

from __future__ import annotations

import re
from typing import Any

_LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*$")


def norm_lang(value: Any) -> str | None:
    """A BCP 47 tag ("fr", "fr-CA", "zh-Hant") or None."""
    if not isinstance(value, str):
        return None
    text = value.strip().split(",")[0].split(";")[0].strip()
    if not _LANG_RE.match(text):
        return None
    parts = re.split(r"[-_]", text)
    primary = parts[0].lower()
    if primary in ("und", "zxx", "mul", "xx"):
        return None
    out = [primary]
    for part in parts[1:]:
        if len(part) == 2 and part.isalpha():
            out.append(part.upper())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        else:
            out.append(part.lower())
    return "-".join(out)
