"""The store at scale: indexed date ranges, no SQL variable per item, streamed dumps.

Speed is measured by benchmarks/store_scale.py; these tests check what makes it flat: the
query plans, SQLite's variable limit, and that streamed output is the same as whole output.
"""

import datetime as dt
import json
import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from revue.clock import day_span
from revue.formats import exporters
from revue.models import Item, ItemQuery
from revue.store.db import Store, dump

NOW = "2024-03-19T10:00:00+00:00"
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def fill(path: Path, n: int, *, per_day: int = 30) -> None:
    """n items added `per_day` a day from 2024-01-01, with tags, keys and a review a week:
    one executemany a table, so a test can afford tens of thousands."""
    Store.open(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("INSERT INTO tags (id, name) VALUES (?, ?)", [(1, "IA"), (2, "Vélo")])
        conn.executemany(
            "INSERT INTO items (id, url, original_url, title, note, status, added_at, user_fields,"
            " source) VALUES (?, ?, ?, ?, ?, 'ok', ?, '[]', 'test')",
            [
                (
                    i,
                    f"https://site{i % 7}.example/a/{i}",
                    f"https://site{i % 7}.example/a/{i}?utm_source=x",
                    f"Titre {i} « é » day{(i - 1) // per_day}",
                    "= note #IA" if i % 3 == 0 else None,
                    (START + dt.timedelta(seconds=(i - 1) * 86400 // per_day)).isoformat(),
                )
                for i in range(1, n + 1)
            ],
        )
        conn.executemany(
            "INSERT INTO item_keys (key, item_id) VALUES (?, ?)",
            [(f"site{i % 7}.example/a/{i}", i) for i in range(1, n + 1)],
        )
        conn.executemany(
            "INSERT INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
            [(i, 2 - i % 2, int(i % 3 == 0)) for i in range(1, n + 1)],
        )
        weeks = (n // per_day) // 7
        conn.executemany(
            "INSERT INTO reviews (id, title, start, end, composed_at, imported) "
            "VALUES (?, ?, ?, ?, ?, 0)",
            [
                (w + 1, f"Revue {w}", str((START + dt.timedelta(weeks=w)).date()),
                 str((START + dt.timedelta(weeks=w, days=6)).date()), NOW)
                for w in range(weeks)
            ],
        )  # fmt: skip
        conn.executemany(
            "INSERT INTO review_items (review_id, item_id, position) VALUES (?, ?, ?)",
            [
                (w + 1, i, position)  # positions 0, 1, 2... as compose records them
                for w in range(weeks)
                for position, i in enumerate(
                    range(w * 7 * per_day + 1, (w + 1) * 7 * per_day + 1, 5)
                )
            ],
        )
        conn.execute(
            "INSERT INTO feeds (id, url, title, tags) VALUES (1, 'https://f.example/rss', 'F', "
            "'[\"IA\"]')"
        )
    conn.close()


def plans(store: Store, call: object) -> list[str]:
    """EXPLAIN QUERY PLAN of every SELECT on items that `call()` ran, one text each."""
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        result = call()  # type: ignore[operator]
        if not isinstance(result, list):
            list(result)
    finally:
        store.conn.set_trace_callback(None)
    out = []
    for sql in seen:
        if sql.lstrip().upper().startswith("SELECT") and " items" in sql:
            rows = store.conn.execute("EXPLAIN QUERY PLAN " + sql).fetchall()
            out.append("\n".join(r[-1] for r in rows))
    assert out, seen
    return out


def test_a_weeks_queries_use_the_added_at_index(tmp_path: Path) -> None:
    fill(tmp_path / "r.db", 2_000)
    store = Store.open(tmp_path / "r.db")
    week = ("2024-02-05", "2024-02-11")
    since, before = day_span(dt.date(2024, 2, 5), dt.date(2024, 2, 11), dt.UTC)
    cases = {
        "list": lambda: store.list_items(ItemQuery(since=since, before=before)),
        "list --tag --unpublished": lambda: store.list_items(
            ItemQuery(since=since, before=before, tag="IA", unpublished=True)
        ),
        "compose": lambda: store.review_candidates(since, before),
        "compose --include-published": lambda: store.review_candidates(
            since, before, include_published=True
        ),
    }
    for name, call in cases.items():
        for plan in plans(store, call):
            assert "USING INDEX idx_items_added_at" in plan, (name, plan)
            # No whole table read, nor a list of every published item built to exclude them.
            assert "SCAN items" not in plan and "LIST SUBQUERY" not in plan, (name, plan)
    # The same rows as a comparison of the first 10 characters of added_at.
    expected = [
        r[0]
        for r in store.conn.execute(
            "SELECT id FROM items WHERE substr(added_at, 1, 10) BETWEEN ? AND ? "
            "ORDER BY added_at DESC, id DESC",
            week,
        )
    ]
    assert [i.id for i in store.list_items(ItemQuery(since=since, before=before))] == expected
    assert len(expected) == 7 * 30
    # Full-text search reads the index, never the table.
    for plan in plans(store, lambda: store.search("day40")):
        assert "SCAN items " not in plan + " ", plan
    assert {i.id for i in store.search("day40")} == set(range(1201, 1231))


def test_a_range_ending_on_the_last_day_there_is() -> None:
    from revue.store.reads import added_range as _added_range

    since, before = day_span(dt.date(2024, 3, 12), dt.date(2024, 3, 19), dt.UTC)
    assert _added_range(since, before) == (
        ["added_at >= ?", "added_at < ?"],
        ["2024-03-12T00:00:00+00:00", "2024-03-20T00:00:00+00:00"],
    )
    assert day_span(None, dt.date(9999, 12, 31), dt.UTC) == (None, None)
    assert _added_range(None, None) == ([], [])
    # The first day there is, east of Greenwich: its midnight is before the calendar.
    auckland = ZoneInfo("Pacific/Auckland")
    assert day_span(dt.date(1, 1, 1), dt.date(1, 1, 1), auckland)[0] is None


def test_more_items_than_sqlite_variables_list_and_export(tmp_path: Path) -> None:
    n = 33_000
    fill(tmp_path / "r.db", n, per_day=400)
    store = Store.open(tmp_path / "r.db")
    # The limit of a default SQLite build (some distributions raise it to 250,000).
    store.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 32_766)
    items = store.list_items(ItemQuery(order="id"))
    assert len(items) == n
    assert items[2].tags == ["IA"] and items[2].hashtags == ["IA"]
    assert items[1].tags == ["Vélo"] and items[1].hashtags == []
    assert items[0].review == 1 and items[1].review is None
    data = dump(store, now=NOW)
    assert len(data["items"]) == n and data["items"][-1]["id"] == n
    assert data["items"][0]["keys"] == ["site1.example/a/1"]
    csv_text = exporters.export_csv(store.list_items(ItemQuery(order="id")))
    assert csv_text.count("\r\n") == n + 1
    assert len(store.list_items(ItemQuery(ids=tuple(range(1, n + 1))))) == n
    store.remove(list(range(1, n + 1)))
    assert store.count() == 0


def test_the_dump_keeps_every_key_of_an_item_in_its_order(store_path: Path) -> None:
    store = Store.open(store_path)
    store.add("https://a.example/x?utm_source=y", now=NOW, tags=["b", "A"], hashtags=["IA"])
    store.add_text("Un bloc", now=NOW)
    data = dump(store, now=NOW)
    keys = [k for k in Item(id=1, url=None).to_json() if k != "review"]
    for item in data["items"]:
        assert list(item) == [*keys, "source", "keys"]
    first = data["items"][0]
    assert first["tags"] == ["b", "A", "IA"] and first["hashtags"] == ["IA"]
    assert first["keys"] == ["a.example/x"] and first["paywalled"] is False
    assert first["user_fields"] == [] and first["attempts"] == 0
    assert data["items"][1]["kind"] == "text" and data["items"][1]["url"] is None
    # The dump is the list of stored items, field by field.
    assert data["items"][0] | {"review": None} == store.get(1).to_json() | {
        "source": "cli",
        "keys": ["a.example/x"],
    }


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "r.db"


def test_the_export_is_one_item_a_line_and_reads_back_in_any_layout(tmp_path: Path) -> None:
    from revue.formats.imports import read_revue_export
    from revue.store.db import iter_dump

    fill(tmp_path / "r.db", 300)
    store = Store.open(tmp_path / "r.db")
    text = "".join(iter_dump(store, now=NOW))
    lines = text.splitlines()
    assert lines[:5] == [
        "{",
        '  "format": "revue-export",',
        '  "version": 1,',
        f'  "exported_at": "{NOW}",',
        '  "items": [',
    ]
    assert sum(1 for line in lines if line.startswith('    {"id":') and '"keys":' in line) == 300
    whole = json.loads(text)
    # Read back a few bytes at a time (a chunk ends inside numbers, strings, escapes), from
    # this layout and from an older export indented throughout: the same events.
    for layout in (text, json.dumps(whole, indent=2, ensure_ascii=True)):
        data = layout.encode("utf-8")
        chunks = [data[i : i + 7] for i in range(0, len(data), 7)]
        events = list(read_revue_export(chunks))
        assert events[0] == (
            "header",
            0,
            {k: whole[k] for k in ("format", "version", "exported_at")},
        )
        assert [v for k, _, v in events if k == "item"] == whole["items"]
        assert [v for k, _, v in events if k == "review"] == whole["reviews"]
        assert [v for k, _, v in events if k == "feed"] == whole["feeds"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"format": "revue-export", "items": [{"id": 1,', "not valid JSON"),
        ('{"format": "revue-export", "items": [] "feeds": []}', "expected ','"),
        ('{"items": [], "format": "revue-export"}', "not a revue export"),
        ('{"format": "other", "items": []}', "not a revue export"),
        ('[{"format": "revue-export"}]', "not a revue export"),
        ('{"format": "revue-export", "items": {}}', "items is an object, not a list"),
        ('{"format": "revue-export", "items": []} []', "more text after"),
    ],
)
def test_a_damaged_export_is_refused_by_the_reader(text: str, message: str) -> None:
    from revue.formats.imports import read_revue_export

    with pytest.raises(ValueError, match=message):
        list(read_revue_export([text.encode()]))


def test_restore_of_a_large_dump_into_an_empty_store_is_exact(tmp_path: Path) -> None:
    fill(tmp_path / "a.db", 3_000)
    source = Store.open(tmp_path / "a.db")
    data = dump(source, now=NOW)
    target = Store.open(tmp_path / "b.db")
    counts = target.restore(data, now=NOW)
    assert counts == {"added": 3_000, "merged": 0, "skipped": 0, "reviews": 14, "feeds": 1}
    again = dump(target, now=NOW)
    assert again == data


def test_the_reader_cleans_text_exactly_as_the_record_check_does() -> None:
    """The reader spares the check its walk over the strings of items whose JSON text holds
    nothing to clean; items that do are cleaned as a whole-file import cleans them."""
    from revue.formats.imports import check_revue_item, read_revue_export

    items: list[dict[str, object]] = [
        {"id": i, "url": f"https://a.example/{i}", "note": "ok é \t\n"} for i in range(1, 60)
    ]
    dirty = ["a \ud800 b", "ctrl \x85 \x7f", "bidi \u202e x", "cr\r\nlf", "nul \x00", "\ufffe"]
    for k, text in enumerate(dirty):
        items[5 + 9 * k]["title"] = text
    data = json.dumps({"format": "revue-export", "version": 1, "items": items}).encode()
    expected = [check_revue_item(i) for i in json.loads(data)["items"]]
    for size in (3, 7, 1000, len(data)):
        chunks = [data[i : i + size] for i in range(0, len(data), size)]
        got = [v for k, _, v in read_revue_export(chunks) if k == "item"]
        assert got == expected, size
