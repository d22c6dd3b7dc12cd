"""Each meaning is written once in src/: the others import it (issue 25)."""

from pathlib import Path

import pytest

from revue.models import CURATOR_FIELDS, STATUSES

SRC = Path(__file__).resolve().parents[1] / "src" / "revue"


def where(text: str) -> list[str]:
    return sorted(
        str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if text in p.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize(
    ("written", "home"),
    [
        ('"pending", "ok", "failed", "blocked"', "models.py"),
        ('"note", "lead", "quote", "section")', "models.py"),
        ("unicodedata.combining", "sanitize.py"),
    ],
)
def test_a_meaning_is_written_in_one_module(written: str, home: str | None) -> None:
    assert where(written) == ([home] if home else [])


def test_the_item_statuses_and_curator_fields() -> None:
    assert STATUSES == ("pending", "ok", "failed", "blocked")
    assert CURATOR_FIELDS == ("note", "lead", "quote", "section")
