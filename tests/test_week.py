"""The workbench's decisions, without a terminal: skip marks, order, lines, edits, preview."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from revue.app.compose import ComposeOptions, DateRange
from revue.app.week import Workbench, marks_of, parse_tags, workbench_range
from revue.config import load_config
from revue.models import PageMeta, Review
from revue.store.db import Store

from clihelp import run, run_json

START, END = dt.date(2024, 3, 12), dt.date(2024, 3, 19)
NOW = dt.datetime(2024, 3, 19, 18, 0, tzinfo=dt.UTC)


def add(url: str, *args: str) -> None:
    run("add", "--no-fetch", url, *args)


def date_items(db: Path, day: str = "2024-03-14") -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE items SET added_at = ?", [f"{day}T10:00:00+00:00"])
    conn.commit()
    conn.close()


@pytest.fixture
def four_items_db(tmp_path: Path) -> Path:
    add("https://a.example/un", "--title", "Un", "--note", "Premier")
    add("https://a.example/deux", "--title", "Deux")
    add("https://a.example/trois", "--title", "Trois")
    add("https://a.example/entrevue", "--title", "Entrevue", "--section", "Mes entrevues")
    path = tmp_path / "revue.db"
    date_items(path)
    return path


def bench_for(db: Path, fmt: str = "text") -> Workbench:
    store = Store.open(db)
    opts = ComposeOptions(start=START, end=END, fmt=fmt)
    return Workbench(store, load_config(), opts, clock=lambda: NOW)


def ids(bench: Workbench) -> list[int]:
    return [row.item.id for row in bench.rows]


def test_a_skipped_item_is_left_out_of_that_review_and_stays_unpublished(
    four_items_db: Path, tmp_path: Path
) -> None:
    bench = bench_for(four_items_db)
    assert bench.toggle(2).kept is False
    assert "Deux" not in bench.preview()
    # The mark is stored at once: compose (the command) honours it, the item is not deleted.
    result = run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--format", "text")
    assert "skipped in revue week" in result.stderr and "#2" in result.stderr
    text = (tmp_path / "reviews" / "2024-03-19-revue-de-presse.txt").read_text()
    assert "Un" in text and "Deux" not in text
    unpublished = run_json("list", "--unpublished")
    assert [i["id"] for i in unpublished] == [2]
    # Composing the same range again still leaves it out (the skip is that review's now).
    run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--format", "text")
    assert "Deux" not in (tmp_path / "reviews" / "2024-03-19-revue-de-presse.txt").read_text()
    assert bench_for(four_items_db).row(2).kept is False
    # A later review of another range takes it: kept for later, not lost.
    later = run("compose", "--from", "2024-03-13", "--to", "2024-03-20", "--dry-run")
    assert "Deux" in later.stdout and "Un" not in later.stdout


def test_keeping_a_skipped_item_again_puts_it_back(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    bench.toggle(2)
    assert bench.toggle(2).kept is True
    assert "Deux" in bench.preview()
    assert Store.open(four_items_db).skipped_ids() == set()


def test_a_skip_made_after_composing_is_that_reviews_own(
    four_items_db: Path, tmp_path: Path
) -> None:
    bench = bench_for(four_items_db)
    result = bench.compose()
    assert result.review_id == 1 and bench.review_id == 1
    bench.toggle(3)
    again = bench.compose()
    assert [i.id for i in again.items] == [1, 2, 4]
    assert [i["id"] for i in run_json("list", "--unpublished")] == [3]
    assert bench_for(four_items_db).row(3).kept is False


def test_rows_follow_the_post_order_and_moves_stay_inside_a_section(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    # The section "Mes entrevues" comes after the items without a section, as in the post.
    assert ids(bench) == [1, 2, 3, 4]
    assert bench.move(3, -1) is None
    assert ids(bench) == [1, 3, 2, 4]
    assert bench.move(1, -1) == "#1 is already first"
    problem = bench.move(2, 1)
    assert problem == "#2 is the last of no section: s changes its section"
    assert ids(bench) == [1, 3, 2, 4]
    # The order is the store's, as `revue move` sets it: `revue list --order review` shows it.
    assert [i["id"] for i in run_json("list", "--order", "review")] == [1, 3, 2, 4]
    text = bench.preview()
    assert text.index("Trois") < text.index("Deux") < text.index("Entrevue")
    # A drag onto another row of the same section puts it there.
    assert bench.drop(1, 2) is None
    assert ids(bench) == [3, 2, 1, 4]


def test_notes_sections_and_tags_are_stored_as_revue_edit_stores_them(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    assert bench.set_note(2, "  Encore une connerie #TikTok ")
    item = run_json("show", "2")
    assert item["note"] == "Encore une connerie #TikTok"
    assert item["tags"] == ["TikTok"]  # hashtags in a note become tags, as with `edit`
    assert bench.set_note(2, "Encore une connerie #TikTok") is False
    assert bench.set_section(2, "Mes entrevues")
    assert ids(bench) == [1, 3, 4, 2] or ids(bench) == [1, 3, 2, 4]
    assert run_json("show", "2")["section"] == "Mes entrevues"
    assert bench.set_section(2, "")
    assert run_json("show", "2")["section"] is None
    assert bench.tags_text(2) == "TikTok"
    assert bench.set_tags(2, "IA, #Réseaux sociaux, ia")
    assert run_json("show", "2")["tags"] == ["IA", "Réseaux sociaux"]
    assert bench.set_tags(2, "ia, réseaux sociaux") is False


def test_a_note_of_several_paragraphs_left_untouched_is_kept_as_it_is(four_items_db: Path) -> None:
    run("edit", "1", "--note", "Premier paragraphe.\n\nSecond paragraphe.")
    bench = bench_for(four_items_db)
    assert "= Premier paragraphe. Second paragraphe." in bench.row(1).line()
    assert bench.set_note(1, "Premier paragraphe. Second paragraphe.") is False
    assert run_json("show", "1")["note"] == "Premier paragraphe.\n\nSecond paragraphe."


def test_a_line_is_text_with_its_marks(four_items_db: Path) -> None:
    store = Store.open(four_items_db)
    outcome = store.add(
        "https://b.example/live", now="2024-03-14T10:00:00+00:00", note="À [b]voir[/b]"
    )
    meta = PageMeta(
        title="[EN DIRECT] x [/y]",
        via="@lp_lapresse",
        published="2023-01-01",
        first_published="2023-01-01",
    )
    store.record_fetch(outcome.item.id, status="ok", now="2024-03-14T10:01:00+00:00", meta=meta)
    store.conn.execute("UPDATE items SET paywalled = 1 WHERE id = ?", [outcome.item.id])
    store.conn.commit()
    dead = store.add("https://b.example/gone", now="2024-03-14T10:00:00+00:00")
    store.record_fetch(
        dead.item.id,
        status="failed",
        now="2024-03-14T10:01:00+00:00",
        error="HTTP 404",
        http_status=404,
    )
    bench = bench_for(four_items_db)
    live = bench.row(outcome.item.id)
    assert live.line() == "✓ !stale !paywall [EN DIRECT] x [/y] via @lp_lapresse = À [b]voir[/b]"
    gone = bench.row(dead.item.id)
    assert gone.marks == ("dead",) and not gone.in_post
    assert gone.line() == "✗ !dead b.example: gone"
    assert "b.example/gone" not in bench.preview()  # dead links stay out, as in compose
    assert "dead" in bench.heading()
    blocked = store.get(1)
    blocked.status = "blocked"
    assert marks_of(blocked, 30, dt.UTC) == ("blocked",)
    assert bench.row(4).line() == "✓ !unfetched ‹Mes entrevues› Entrevue"


def test_the_preview_is_what_compose_writes_in_each_format(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    for fmt in ("md", "html-fragment", "text"):
        assert bench.cycle_format() == fmt
        dry = run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--format", fmt)
        written = Path(dry.stdout.strip()).read_text(encoding="utf-8")
        assert bench.preview() == written


def test_the_preview_says_when_nothing_is_left_to_publish(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    for item_id in ids(bench):
        bench.toggle(item_id)
    assert bench.preview() == "(nothing to publish: every item is skipped or dead)"
    result = bench.compose()
    assert result.empty and bench.composed_message(result).startswith("nothing written")


def test_since_last_reaching_today_opens_the_latest_review_range() -> None:
    latest = Review(id=3, start="2024-03-12", end="2024-03-19")
    span = DateRange(dt.date(2024, 3, 20), dt.date(2024, 3, 19), since=latest)
    assert workbench_range(span) == (START, END)
    assert workbench_range(DateRange(START, END)) == (START, END)


def test_tags_are_typed_comma_separated() -> None:
    assert parse_tags(" IA , #Réseaux  sociaux,,ia,") == ["IA", "Réseaux sociaux"]
    assert parse_tags("") == []


def test_skips_survive_export_and_import(four_items_db: Path, tmp_path: Path) -> None:
    bench = bench_for(four_items_db)
    bench.toggle(2)
    bench.compose()
    bench.toggle(3)  # after composing: review #1's own skip
    bench.store.set_skipped(4, True, start="2024-03-20", end="2024-03-26", now="x")  # pending
    dump = tmp_path / "backup.json"
    dump.write_text(run("export", "--format", "json").stdout, encoding="utf-8")
    other = tmp_path / "other.db"
    run("--db", str(other), "import", str(dump))
    rows = sqlite3.connect(other).execute("SELECT item_id, review_id FROM skips ORDER BY item_id")
    assert rows.fetchall() == [(2, 1), (3, 1), (4, None)]


def test_removing_or_merging_an_item_takes_its_skip_along(four_items_db: Path) -> None:
    bench = bench_for(four_items_db)
    bench.toggle(2)
    run("rm", "2", "--yes")
    assert Store.open(four_items_db).skipped_ids() == set()


def test_a_line_shows_one_equals_before_a_note_and_none_before_hashtags(
    four_items_db: Path,
) -> None:
    store = Store.open(four_items_db)
    day = "2024-03-14T10:00:00+00:00"
    # Stored by an older revue, "=" and all: the line shows one "=", not "= = …".
    old = store.add("https://b.example/ancienne-note", now=day, note="= À suivre #IA").item
    tags = store.add("https://b.example/seulement-tags", now=day, note="#IA #TikTok").item
    store.close()
    bench = bench_for(four_items_db)
    assert bench.row(old.id).line() == "✓ !unfetched b.example: ancienne note = À suivre #IA"
    assert bench.row(tags.id).line() == "✓ !unfetched b.example: seulement tags #IA #TikTok"
