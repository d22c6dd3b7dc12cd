"""`revue stats` (issue 28, points 1 and 2): a curator's year in figures, in the terminal, in a
pipe, as JSON and as a page of charts a browser opens offline.

The year is tests/yeardata.py's, made with the Store; every figure asserted here follows by
hand from its rules (written there). "Today" is 10 January 2026 in Montréal.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import lxml.html
import pytest
import yeardata
from browser import find_chromium, load, screenshot
from typer.testing import CliRunner

from revue.cli import app
from revue.cli.frame import Env
from revue.errors import ExitCode

from clihelp import run_on_terminal

YEAR = ("--from", "2025-01-01", "--to", "2025-12-31")


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


def figures(*args: str) -> Any:
    return json.loads(revue("stats", *args, "--json").stdout)


def test_a_years_figures_are_exact(year: dict[str, int]) -> None:
    data = figures(*YEAR)
    assert data["from"] == "2025-01-01" and data["to"] == "2025-12-31"
    assert data["totals"] == {
        "items": 732,  # 730 links of the days, the one of 31 December evening, a text block
        "links": 731,
        "texts": 1,
        "published": 654,  # 730, less 5 skipped weeks (70) and 29-31 December (6)
        "starred": 5,
        "dead": 21,  # 13 A (404), 8 B (DNS)
        "dead_published": 20,  # B of day 201 went out in no review
        "reviews": 47,
        "late_reviews": 7,  # j = 0, 8, ..., 48
        "weeks_without_review": 6,  # 5 skipped, and 29 December - 4 January
    }
    assert [(s["name"], s["count"], s["published"]) for s in data["site"]] == [
        ("lapresse.ca", 365, 327),
        ("ledevoir.com", 243, 217),
        ("nytimes.com", 122, 110),
        ("bücher.example", 1, 0),
    ]
    assert [(t["name"], t["count"], t["published"]) for t in data["tag"]] == [
        ("IA", 183, 166),
        (yeardata.HOSTILE_TAG, 53, 47),
        (yeardata.HTML_TAG, 37, 37),
    ]
    assert data["tag"][0]["share"] == 0.25  # 183 of 732 items
    assert [(x["name"], x["count"]) for x in data["lang"]] == [("fr", 608), ("en", 122), ("?", 1)]
    assert {x["name"]: x["count"] for x in data["status"]} == {
        "ok": 699,
        "failed": 21,
        "blocked": 10,
        "pending": 1,
    }
    weeks = data["week"]
    assert len(weeks) == 53
    assert weeks[0] == {
        "week": "2025-W01",
        "first": "2025-01-01",
        "added": 10,
        "published": 10,
        "reviews": 1,
    }
    assert weeks[9] == {
        "week": "2025-W10",
        "first": "2025-03-03",
        "added": 14,
        "published": 0,
        "reviews": 0,
    }
    # The last week runs into 2026; its 31 December evening link (03:00 UTC) is 2025's.
    assert weeks[-1] == {
        "week": "2026-W01",
        "first": "2025-12-29",
        "added": 7,
        "published": 0,
        "reviews": 0,
    }
    assert sum(w["added"] for w in weeks) == 731
    assert sum(w["published"] for w in weeks) == 654
    assert data["tags_by_month"]["months"][0] == "2025-01"
    assert data["tags_by_month"]["tags"]["IA"][0] == 16  # the even days of January
    assert sum(data["tags_by_month"]["tags"]["IA"]) == 183
    assert data["rot"] == [
        {"age": "< 1 month", "reviews": 2, "links": 28, "dead": 2},
        {"age": "1-3 months", "reviews": 9, "links": 126, "dead": 3},
        {"age": "3-6 months", "reviews": 11, "links": 154, "dead": 4},
        {"age": "6-12 months", "reviews": 24, "links": 336, "dead": 9},
        {"age": "> 1 year", "reviews": 1, "links": 10, "dead": 2},
    ]


def test_the_days_are_the_curators(year: dict[str, int]) -> None:
    # 2025-01-01T03:00Z is 31 December 2024, 22:00 in Montréal.
    eve = figures("--from", "2024-12-31", "--to", "2024-12-31")
    assert eve["totals"]["links"] == 1
    assert [s["name"] for s in eve["site"]] == ["lapresse.ca"]
    # Without range options: this year so far (the clock says January 2026).
    assert figures()["totals"]["links"] == 0
    # --week and the other shared range options work as for list and compose.
    week = figures("--week", "2025-W02")
    assert week["totals"]["links"] == 14 and week["totals"]["published"] == 14


def test_one_view_with_by_and_the_numbers_in_a_pipe(year: dict[str, int]) -> None:
    only = figures(*YEAR, "--by", "tag")
    assert set(only) == {"from", "to", "totals", "tag"}
    out = revue("stats", *YEAR, "--by", "tag").stdout
    assert out.splitlines() == [
        "IA\t183\t166\t0.25",
        f"{yeardata.HOSTILE_TAG}\t53\t47\t0.0724",
        f"{yeardata.HTML_TAG}\t37\t37\t0.0505",
    ]
    lines = revue("stats", *YEAR).stdout.splitlines()
    assert "totals\tlinks\t731" in lines
    assert "site\tlapresse.ca\t365\t327\t0.4993" in lines
    assert "week\t2025-W10\t2025-03-03\t14\t0\t0" in lines
    assert "rot\t> 1 year\t1\t10\t2" in lines
    assert revue("stats", "--top", "1", *YEAR, "--by", "site").stdout == (
        "lapresse.ca\t365\t327\t0.4993\n"
    )


def test_bad_options_are_named(year: dict[str, int]) -> None:
    assert "--by 'month'" in revue("stats", "--by", "month", code=ExitCode.BAD_INPUT).stderr
    assert (
        "--from 2025-02-01 is after --to 2025-01-01"
        in revue(
            "stats", "--from", "2025-02-01", "--to", "2025-01-01", code=ExitCode.BAD_INPUT
        ).stderr
    )
    assert (
        "leave out --by"
        in revue("stats", "--html", "x.html", "--by", "tag", code=ExitCode.BAD_INPUT).stderr
    )


def test_no_database_is_refused(tmp_path: Path) -> None:
    assert "does not exist" in revue("stats", code=ExitCode.STORE).stderr
    assert not (tmp_path / "revue.db").exists()


def test_the_terminal_charts_read_at_80_columns_without_colour(year: dict[str, int]) -> None:
    code, screen = run_on_terminal("stats", *YEAR, env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert code == ExitCode.OK, screen
    text = re.sub(r"\x1b\[[0-9;]*m", "", screen)
    assert not re.search(r"\x1b\[3[0-9]", screen), "NO_COLOR: no colour"
    lines = text.replace("\r", "").splitlines()
    assert max(len(line) for line in lines) <= 80
    # The bars: the biggest site full, the others in proportion; labels printed as written.
    site = next(line for line in lines if line.startswith("lapresse.ca"))
    assert "█" * 30 in site and "365 50%" in site
    hostile = next(line for line in lines if line.startswith(yeardata.HOSTILE_TAG))
    assert "53 7%" in hostile
    assert any(line.startswith(yeardata.HTML_TAG) for line in lines)
    assert any(line.startswith("2025-W10") and "(no review)" in line for line in lines)
    assert "Dead links since publication" in text
    assert "731 link(s) added, 654 published (89%)" in text


def test_the_page_of_charts_is_standalone_and_escaped(year: dict[str, int], tmp_path: Path) -> None:
    page = tmp_path / "stats.html"
    out = revue("stats", *YEAR, "--html", str(page)).stdout
    assert out.strip() == str(page)
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    assert "https://" not in html
    # Every label from the data is text, never markup.
    assert "<b>Réseaux</b>" not in html and "&lt;b&gt;Réseaux&lt;/b&gt;" in html
    assert "[red]x[/red]" in html
    root = lxml.html.document_fromstring(html)
    sections = {s.get("id"): s for s in root.iter("section")}
    assert list(sections) == ["weeks", "sites", "tags", "langs", "rot"]
    assert all(s.find(".//svg") is not None for s in sections.values())
    weeks = sections["weeks"].findall(".//polyline")
    assert [len(p.get("points").split()) for p in weeks] == [53, 53]
    assert len(sections["tags"].findall(".//polyline")) == 3
    sites = [t.text_content() for t in sections["sites"].iter("text")]
    assert sites[:2] == ["lapresse.ca", "365 (50%)"]


def test_the_page_opens_in_a_browser_without_an_error(year: dict[str, int], tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        if os.environ.get("CI"):
            pytest.fail("CI must have chromium: .ci/run installs Debian's package")
        pytest.skip("no chromium on this machine")
    page = tmp_path / "stats.html"
    revue("stats", *YEAR, "--html", str(page))
    shown = load(chromium, page)
    assert shown.console == []
    root = lxml.html.document_fromstring(shown.dom)
    assert len(list(root.iter("svg"))) == 5
    assert "&lt;b&gt;Réseaux&lt;/b&gt;" in shown.dom or "<b>Réseaux</b>" not in shown.dom
    assert [b.tag for b in root.iter("b")] == []  # the hostile tag made no element
    png = tmp_path / "stats.png"
    screenshot(chromium, page, png, width=840, height=1900)
    assert png.stat().st_size > 10_000


def test_every_query_reads_the_range_through_an_index(year: dict[str, int], tmp_path: Path) -> None:
    # Flat in N without a timed test: no query of the stats or the recap reads a whole table
    # of items, tags or reviews; each finds the range's rows through an index.
    import datetime as dt

    from revue.app.recap import chosen_ids
    from revue.app.stats import stats
    from revue.store.db import Store

    store = Store.open(tmp_path / "revue.db")
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    zone = dt.UTC
    stats(store, dt.date(2025, 1, 1), dt.date(2025, 12, 31), zone=zone, today=dt.date(2026, 1, 10))
    chosen_ids(store, 2025, None)
    store.conn.set_trace_callback(None)
    queries = [sql for sql in seen if sql.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(queries) >= 9
    for sql in queries:
        plan = "\n".join(r[-1] for r in store.conn.execute("EXPLAIN QUERY PLAN " + sql))
        for table in (
            "items",
            "item_tags",
            "it",
            "tags",
            "t",
            "reviews",
            "r",
            "review_items",
            "ri",
        ):
            assert f"SCAN {table}\n" not in plan + "\n", (sql, plan)
        # Nor every item of a tag, whatever its day.
        assert "idx_item_tags_tag_id" not in plan, (sql, plan)
        # Items are found by their day, or one by one by their id.
        for line in plan.splitlines():
            if line.startswith("SEARCH items"):
                assert "idx_items_added_at" in line or "PRIMARY KEY" in line, (sql, plan)
    store.close()


def test_the_example_page_is_what_the_script_makes(year: dict[str, int], tmp_path: Path) -> None:
    page = tmp_path / "stats.html"
    revue("stats", *YEAR, "--html", str(page))
    committed = Path(__file__).resolve().parents[1] / "docs" / "stats-2025.html"
    assert page.read_text(encoding="utf-8") == committed.read_text(encoding="utf-8")
