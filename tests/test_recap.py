"""`revue star` / `unstar` and `revue recap YEAR` (issue 28, point 3): the year's best-of as a
review of its own, in every format and style, published through the same targets.

The year is tests/yeardata.py's: starred are A of days 10, 100, 200, 300 (published by the
reviews ending 12 January, 13 April, 20 July and 2 November 2025) and B of day 65 (in a week
without a review: never published, so never in the recap).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yeardata
from typer.testing import CliRunner

from revue.cli import app
from revue.cli.frame import Env
from revue.errors import ExitCode
from revue.review.outputs import FORMATS
from revue.store.db import Store

from fakewp import FakeWordPress


@pytest.fixture
def year(tmp_path: Path) -> dict[str, int]:
    (tmp_path / "config.toml").write_text(f'timezone = "{yeardata.ZONE}"\n', encoding="utf-8")
    return yeardata.make_year(tmp_path / "revue.db")


def revue(*args: str, code: int = ExitCode.OK) -> Any:
    result = CliRunner().invoke(
        app, list(args), obj=Env(clock=lambda: yeardata.TODAY), catch_exceptions=False
    )
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def test_star_and_unstar_are_stored_and_shown(year: dict[str, int]) -> None:
    a10 = str(year["a10"])
    shown = json.loads(revue("show", a10, "--json").stdout)
    assert shown["starred"] is True
    assert "was starred" in revue("star", a10).stderr
    assert f"#{a10} unstarred" in revue("unstar", a10).stderr
    assert json.loads(revue("show", a10, "--json").stdout)["starred"] is False
    # An unknown id changes nothing, the known ones included: exit 2, one line.
    err = revue("star", a10, "999999", code=ExitCode.BAD_INPUT).stderr
    assert "no item #999999" in err
    assert json.loads(revue("show", a10, "--json").stdout)["starred"] is False


def test_the_recap_is_the_years_starred_published_items(year: dict[str, int]) -> None:
    text = revue("recap", "2025", "--format", "text", "--dry-run").stdout
    assert text.splitlines()[0] == "Le meilleur de 2025"
    found = [line for line in text.splitlines() if "https://" in line]
    assert found == [
        "Revue du 12 janvier 2025: Article A 10 https://www.lapresse.ca/a/10",
        "Revue du 13 avril 2025: Article A 100 https://www.lapresse.ca/a/100",
        "Revue du 20 juillet 2025: Article A 200 https://www.lapresse.ca/a/200",
        "Revue du 2 novembre 2025: Article A 300 https://www.lapresse.ca/a/300",
    ]
    assert "/b/65" not in text  # starred, but no review published it
    top = revue("recap", "2025", "--top", "2", "--lang", "en", "--format", "md", "--dry-run")
    assert top.stdout.splitlines()[0] == "# The best of 2025"
    assert "Review of January 12, 2025: " in top.stdout and "/a/200" not in top.stdout


def test_the_recap_groups_by_tag_or_section(year: dict[str, int], tmp_path: Path) -> None:
    store = Store.open(tmp_path / "revue.db")
    store.update(year["a300"], {"section": "Mes entrevues"}, add_tags=["Radio"], remove_tags=["IA"])
    store.close()
    by_tag = revue("recap", "2025", "--format", "md", "--dry-run").stdout
    # IA holds three of the four: it comes first; each item under one heading.
    assert by_tag.index("## IA") < by_tag.index("/a/10") < by_tag.index("## Radio")
    assert by_tag.index("## Radio") < by_tag.index("/a/300")
    assert by_tag.count("## ") == 2
    by_section = revue("recap", "2025", "--by", "section", "--format", "md", "--dry-run").stdout
    assert "## IA" not in by_section
    assert by_section.index("/a/200") < by_section.index("## Mes entrevues")
    assert by_section.index("## Mes entrevues") < by_section.index("/a/300")


def test_every_format_and_style(year: dict[str, int]) -> None:
    for fmt in FORMATS:
        for style in ("classic", "linked"):
            out = revue("recap", "2025", "--format", fmt, "--style", style, "--dry-run").stdout
            # A fragment is the post's body: the blog shows the title (see publish below).
            assert ("Le meilleur de 2025" in out) == (fmt != "html-fragment"), (fmt, style)
            assert "Article A 100" in out, (fmt, style)
            # The linked style's text is what a reader sees: the titles (README).
            if (fmt, style) != ("text", "linked"):
                assert "https://www.lapresse.ca/a/100" in out, (fmt, style)
            assert "13 avril 2025" in out, (fmt, style)


def test_the_recap_is_a_review_that_leaves_the_weekly_ones_alone(
    year: dict[str, int], tmp_path: Path
) -> None:
    err = revue("recap", "2025").stderr
    assert "4 item(s): Le meilleur de 2025 (review #48)" in err
    path = tmp_path / "reviews" / "2025-le-meilleur-de-2025.md"
    assert path.read_text(encoding="utf-8").startswith("# Le meilleur de 2025")
    again = revue("recap", "2025", "--by", "section").stderr
    assert "(review #48)" in again  # the same recap, composed again
    err = revue("compose", "--review", "48", code=ExitCode.BAD_INPUT).stderr
    assert "a recap, not a week's review (revue recap 2025 composes it again)" in err
    listed = json.loads(revue("reviews", "--json").stdout)
    assert [r["id"] for r in listed].count(48) == 1
    # An item's review is still its weekly one; --since-last follows the last weekly review.
    a10 = json.loads(revue("show", str(year["a10"]), "--json").stdout)
    assert a10["review"] != 48
    items = json.loads(revue("list", "--since-last", "--json").stdout)
    assert {i["added_at"][:10] for i in items} >= {"2025-12-29", "2025-12-30"}
    # The stats count no recap as a review or a publication.
    stats = json.loads(
        revue("stats", "--from", "2025-01-01", "--to", "2025-12-31", "--json").stdout
    )
    assert stats["totals"]["reviews"] == 47 and stats["totals"]["published"] == 654


def test_nothing_starred_or_published_is_said(year: dict[str, int], tmp_path: Path) -> None:
    store = Store.open(tmp_path / "revue.db")
    store.set_starred([year[k] for k in ("a10", "a100", "a200", "a300")], False)
    store.close()
    err = revue("recap", "2025", code=ExitCode.BAD_INPUT).stderr
    assert "none of the 654 item(s) published in 2025 is starred" in err
    assert "revue star ID" in err
    assert "no weekly review of 2024" in revue("recap", "2024", code=ExitCode.BAD_INPUT).stderr
    assert "--by 'week'" in revue("recap", "2025", "--by", "week", code=ExitCode.BAD_INPUT).stderr
    assert not (tmp_path / "reviews").exists()


@pytest.fixture
def blog(year: dict[str, int], monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeWordPress]:
    fake = FakeWordPress().start()
    monkeypatch.setenv("REVUE_WORDPRESS_URL", fake.base)
    monkeypatch.setenv("REVUE_WORDPRESS_USER", "marie")
    monkeypatch.setenv("REVUE_WORDPRESS_PASSWORD", "abcd EFGH ijkl MNOP qrst UVWX")
    try:
        yield fake
    finally:
        fake.stop()


def test_publish_sends_the_recap(blog: FakeWordPress) -> None:
    revue("recap", "2025", "--style", "linked")
    assert "created draft #1" in revue("publish", "48").stderr
    post = blog.posts[1]
    assert post["title"] == "Le meilleur de 2025"
    assert 'href="https://www.lapresse.ca/a/300"' in post["content"]
    assert "Revue du 2 novembre 2025" in post["content"]
    assert "/b/65" not in post["content"] and "/a/11" not in post["content"]
    assert "updated draft #1" in revue("publish", "48").stderr


def test_the_star_goes_through_export_and_import(year: dict[str, int], tmp_path: Path) -> None:
    dump = tmp_path / "backup.json"
    dump.write_text(revue("export", "--format", "json").stdout, encoding="utf-8")
    data = json.loads(dump.read_text(encoding="utf-8"))
    assert sum(1 for i in data["items"] if i["starred"]) == 5
    assert [r.get("kind") for r in data["reviews"]].count(None) == 47
    fresh = tmp_path / "fresh.db"
    revue("--db", str(fresh), "import", str(dump))
    again = json.loads(
        revue(
            "--db", str(fresh), "stats", "--from", "2025-01-01", "--to", "2025-12-31", "--json"
        ).stdout
    )
    assert again["totals"]["starred"] == 5
    # Into a store that has the items already: the stars are kept (merged).
    revue("import", str(dump))
    store = Store.open(tmp_path / "revue.db")
    assert store.conn.execute("SELECT count(*) FROM items WHERE starred").fetchone()[0] == 5
    store.close()
