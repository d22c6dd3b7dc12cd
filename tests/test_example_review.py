"""The example review in reviews/ is what tests/make_example_review.py makes of the saved
pages in tests/fixtures/pages/: regenerate it with that script when the output changes."""

from __future__ import annotations

import struct
from pathlib import Path

import make_example_review as example

REPO = Path(__file__).resolve().parents[1]


def test_the_committed_example_is_what_the_script_makes(tmp_path: Path) -> None:
    made = example.build(tmp_path)
    assert [p.name for p in made] == [f"{example.STEM}.md", f"{example.STEM}.html"]
    for path in made:
        committed = example.REVIEWS / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"{committed} is stale: run python tests/make_example_review.py"
        )
    assert sorted(p.name for p in example.REVIEWS.iterdir()) == sorted(p.name for p in made)


def test_the_example_links_to_the_pages_real_addresses() -> None:
    text = (example.REVIEWS / f"{example.STEM}.md").read_text(encoding="utf-8")
    assert "127.0.0.1" not in text and "localhost" not in text
    # Each page's own canonical address, not the one it was fetched from.
    assert "<https://www.engadget.com/2019-01-07-all-github-users-keep-code-private.html>" in text
    assert text.startswith("# Revue de presse marketing/techno du 9 février au 15 février\n")


def test_readme_shows_the_example_screenshot() -> None:
    png = example.SCREENSHOT.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert (width, height) == (900, 1100)
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert f"(docs/{example.SCREENSHOT.name})" in readme
    # The docs' home page too: the site is built from docs/, so the path is its own.
    assert example.SCREENSHOT.parent == REPO / "docs"
    home = (REPO / "docs" / "index.md").read_text(encoding="utf-8")
    assert f"({example.SCREENSHOT.name})" in home
