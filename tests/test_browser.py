"""The standalone HTML review, as a reader's browser shows it (headless Chromium).

Skipped only where no Chromium is installed and this is not CI (`.ci/run` installs it).
"""

from __future__ import annotations

import os
from pathlib import Path

import lxml.html
import pytest
from browser import Page, find_chromium, load

from clihelp import run, run_json

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def chromium() -> str:
    found = find_chromium()
    if found is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs Debian's package")
        pytest.skip("no chromium on this machine (apt-get install chromium; .ci/run does)")
    return found


def links(page: Page) -> dict[str, str]:
    """href -> link text of every <a> the browser built."""
    root = lxml.html.document_fromstring(page.dom)
    return {a.get("href"): " ".join(a.text_content().split()) for a in root.iter("a")}


def heading_and_title(page: Page) -> tuple[str, str]:
    root = lxml.html.document_fromstring(page.dom)
    (h1,) = root.iter("h1")
    return " ".join(h1.text_content().split()), root.findtext(".//title")


def test_the_browser_check_sees_a_console_error(chromium: str, tmp_path: Path) -> None:
    # What the review tests rely on: an error on a page does reach us.
    broken = tmp_path / "broken.html"
    broken.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        "<script>undefinedFunction()</script></body></html>",
        encoding="utf-8",
    )
    page = load(chromium, broken)
    assert any("undefinedFunction is not defined" in line for line in page.console)


def test_a_composed_review_reads_right_in_a_browser(chromium: str, tmp_path: Path) -> None:
    added = {
        "https://a.example/1?x=1&y=2": "Premier <script>alert(1)</script> & « cité »",
        "https://a.example/2": 'Deuxième " onmouseover="alert(2)',
        "https://b.example/chemin/é": "Troisième [pas un lien](javascript:alert(3))",
    }
    for url, title in added.items():
        run("add", "--no-fetch", url, "--title", title, "--note", "Bien *vu* #IA")
    run("edit", "2", "--quote", "« Une citation <b>brute</b> »", "--lead", "À lire:")
    run("compose", "--from", "2000-01-01", "--to", "2100-01-01", "--format", "html")
    (review,) = run_json("reviews")
    page = load(chromium, Path(review["path"]))
    assert page.console == []
    assert heading_and_title(page) == (review["title"], review["title"])
    shown = links(page)
    stored = [item["url"] for item in run_json("list")]
    for url in stored:
        assert shown.get(url) == url, (url, shown)  # classic style: the address is the link
    assert set(shown) == set(stored)  # no other link: none from a title, none javascript:
    text = lxml.html.document_fromstring(page.dom).text_content()
    for title in added.values():
        assert " ".join(title.split()) in " ".join(text.split())  # shown as text, whole
    assert "<script" not in page.dom.split("<body", 1)[1]


def test_the_example_review_reads_right_in_a_browser(chromium: str) -> None:
    html = sorted((REPO / "reviews").glob("*.html"))
    assert html, "reviews/ holds the example review"
    page = load(chromium, html[-1])
    assert page.console == []
    markdown = html[-1].with_suffix(".md").read_text(encoding="utf-8")
    title = markdown.splitlines()[0].removeprefix("# ")
    assert heading_and_title(page) == (title, title)
    addresses = [part.split(">", 1)[0] for part in markdown.split(" <http")[1:]]
    shown = links(page)
    assert addresses and all("http" + a in shown for a in addresses)
    assert not any("127.0.0.1" in href for href in shown)
