"""Write src/revue/monthnames.py: month names of many languages, from Babel's CLDR data.

Usage (from the repository root): python scripts/gen_monthnames.py

Why a generated module rather than Babel at run time: loading 20 locales costs about 150 ms,
and dates written in words are read while pages are extracted; a dict literal costs nothing.
tests/test_extract.py checks that the committed module is what this script writes today.
"""

from __future__ import annotations

import sys
import unicodedata
from pathlib import Path

from babel.dates import get_month_names

# Languages of the pages a curator reads, and their neighbours. Formats with numbers only
# (ja, zh, ko) are read by a pattern in extract.py, not by name.
LOCALES = ("en", "fr", "de", "es", "it", "pt", "nl", "ca", "sv", "da", "nb", "fi", "pl",
           "cs", "ro", "hu", "tr", "id", "ru", "uk", "el")  # fmt: skip
TARGET = Path(__file__).resolve().parents[1] / "src" / "revue" / "monthnames.py"


def fold(word: str) -> str:
    """Lower case without accents: "Février" -> "fevrier"."""
    decomposed = unicodedata.normalize("NFKD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).rstrip(".")


def build_table() -> dict[str, int]:
    """Every wide and abbreviated month name, both contexts, folded -> month number.

    A spelling that names two different months in two languages is left out."""
    table: dict[str, int] = {}
    clashes: set[str] = set()
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for number, name in get_month_names(width, context, locale=locale).items():
                    key = fold(str(name))
                    if len(key) < 3 or key in clashes:
                        continue
                    if table.setdefault(key, number) != number:
                        clashes.add(key)
                        del table[key]
    return dict(sorted(table.items()))


# The languages revue writes reviews in: their months' names as a review spells them.
WRITTEN = ("fr", "en")


def build_wide() -> dict[str, tuple[str, ...]]:
    """The wide month names of WRITTEN's languages, January first, as Babel spells them."""
    return {
        locale: tuple(
            str(name) for _, name in sorted(get_month_names("wide", locale=locale).items())
        )
        for locale in WRITTEN
    }


def render(table: dict[str, int]) -> str:
    lines = [
        '"""Month names (folded: lower case, no accents, no final dot) -> month number; and the',
        "months' names in the languages revue writes reviews in (WIDE).",
        "",
        "Generated from Babel's CLDR data by scripts/gen_monthnames.py; do not edit by hand.",
        f"Languages: {', '.join(LOCALES)}.",
        '"""',
        "",
        "MONTHS: dict[str, int] = {",
    ]
    lines += [f'    "{key}": {number},' for key, number in table.items()]
    lines.append("}")
    lines += ["", "WIDE: dict[str, tuple[str, ...]] = {"]
    for locale, names in build_wide().items():
        lines.append(f'    "{locale}": (')
        lines += [f'        "{name}",' for name in names]
        lines.append("    ),")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    TARGET.write_text(render(build_table()), encoding="utf-8")
    print(f"wrote {TARGET}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
