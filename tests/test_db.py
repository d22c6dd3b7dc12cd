import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from revue.errors import NotFound, StoreError
from revue.models import FailureKind, PageMeta, Post, failure_of, new_item
from revue.store.db import Store
from revue.store.migrations import NAMES

NOW = "2024-03-19T10:00:00+00:00"


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store.open(tmp_path / "r.db")


def columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def test_blank_database_migrates_to_the_exact_schema(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    Store.open(path).close()
    assert columns(path, "items") == [
        "id", "kind", "url", "original_url", "title", "summary", "site_name", "via", "author",
        "published", "lang", "image", "note", "lead", "quote", "section", "status", "error",
        "http_status", "content_type", "paywalled", "user_fields", "added_at", "fetched_at",
        "attempts", "next_attempt_at", "position", "source", "first_published", "canonical",
        "starred",
    ]  # fmt: skip
    assert columns(path, "item_tags") == ["item_id", "tag_id", "hashtag"]
    assert columns(path, "review_items") == ["review_id", "item_id", "position"]
    assert columns(path, "skips") == ["item_id", "start", "end", "review_id", "skipped_at"]
    assert "items_fts" in {
        r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")
    }
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    applied = [r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert applied == NAMES


def test_applying_twice_is_a_no_op(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Store.open(path).close()
    Store.open(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(NAMES)


def test_old_databases_upgrade(tmp_path: Path) -> None:
    for old in sorted((Path(__file__).parent / "dbs").glob("*.db")):
        copy = tmp_path / old.name
        copy.write_bytes(old.read_bytes())
        store = Store.open(copy)
        assert store.count() >= 1, old.name
        store.close()


def test_database_from_a_newer_revue_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) VALUES ('revue', 'm999_future', 'x')"
    )
    conn.execute("PRAGMA user_version = 999")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer revue"):
        Store.open(path)
    assert path.read_bytes() == before


def test_not_a_database_is_a_store_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("this is not sqlite\n" * 100)
    with pytest.raises(StoreError, match=r"notes\.db"):
        Store.open(path)
    assert path.read_text().startswith("this is not sqlite")


def test_two_processes_open_a_new_database_at_once(tmp_path: Path) -> None:
    path = tmp_path / "race.db"
    code = (
        "import sys; from pathlib import Path; from revue.store.db import Store; "
        "s = Store.open(Path(sys.argv[1])); "
        "[s.add(f'https://example.com/{sys.argv[2]}/{i}', now='2024-01-01T00:00:00+00:00') for i in range(30)]"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(path), str(n)], stderr=subprocess.PIPE)
        for n in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err.decode()
    store = Store.open(path)
    assert store.count() == 120


def test_add_dedups_and_merges_curator_text(store: Store) -> None:
    first = store.add(
        "https://www.lapresse.ca/a.php?utm_source=x", now=NOW, note="Bon", tags=["IA"]
    )
    again = store.add("http://lapresse.ca/a.php#x", now=NOW, note="Encore", tags=["Tech"])
    assert first.created and not again.created
    assert again.item.id == first.item.id
    assert again.item.note == "Bon\n\nEncore"
    assert again.item.tags == ["IA", "Tech"]
    assert store.count() == 1


def test_fetch_keeps_fields_the_curator_typed(store: Store) -> None:
    item = store.add("https://example.com/a", now=NOW, title="Mon titre").item
    store.record_fetch(item.id, status="ok", now=NOW, meta=PageMeta(title="Page", summary="S"))
    got = store.get(item.id)
    assert got.title == "Mon titre"
    assert got.summary == "S"
    assert got.user_fields == ["title"]


def test_canonical_url_reveals_a_duplicate_and_merges(store: Store) -> None:
    first = store.add("https://example.com/story", now=NOW, tags=["A"]).item
    other = store.add("https://short.example/xyz", now=NOW, note="mon avis", tags=["B"]).item
    meta = PageMeta(url="https://example.com/story?utm_source=rss", title="Story")
    kept, dup = store.record_fetch(other.id, status="ok", now=NOW, meta=meta)
    assert dup is not None and kept.id == first.id
    assert kept.note == "mon avis" and set(kept.tags) == {"A", "B"}
    with pytest.raises(NotFound):
        store.get(other.id)
    assert store.find_by_url("https://short.example/xyz").id == first.id  # type: ignore[union-attr]


def test_full_text_search_is_kept_in_sync(store: Store) -> None:
    a = store.add("https://example.com/1", now=NOW, note="intelligence artificielle").item
    store.add("https://example.com/2", now=NOW, note="autre chose")
    assert [i.id for i in store.search("artificielle")] == [a.id]
    assert [i.id for i in store.search("INTELLIGENCE")] == [a.id]
    assert [i.id for i in store.search("intel")] == [a.id]  # prefix on the last word
    assert store.search('"]*( OR') == []  # FTS syntax in a query is text
    store.update(a.id, {"note": "rien"})
    assert store.search("artificielle") == []
    store.remove([a.id])
    assert store.search("rien") == []


def test_remove_unknown_id_removes_nothing(store: Store) -> None:
    a = store.add("https://example.com/1", now=NOW).item
    with pytest.raises(NotFound):
        store.remove([a.id, 999])
    assert store.count() == 1


def test_schema_version_counts_the_migrations(tmp_path: Path) -> None:
    from revue.store.db import SCHEMA_VERSION

    assert len(NAMES) == SCHEMA_VERSION
    Store.open(tmp_path / "v.db").close()
    conn = sqlite3.connect(tmp_path / "v.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


# -- first_published (m008) -------------------------------------------------------------


def test_the_schema_7_database_gains_an_empty_first_published(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    copy.write_bytes((Path(__file__).parent / "dbs" / "schema-7.db").read_bytes())
    before = sqlite3.connect(copy).execute("SELECT count(*) FROM items").fetchone()[0]
    store = Store.open(copy)
    store.close()
    assert "first_published" in columns(copy, "items")
    conn = sqlite3.connect(copy)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(NAMES) >= 8
    rows = conn.execute("SELECT first_published FROM items").fetchall()
    assert len(rows) == before >= 1 and {r[0] for r in rows} == {None}
    assert "m008_first_published" in {
        r[0] for r in conn.execute("SELECT name FROM _sqlite_migrations")
    }
    # Later migrations too: an old database gains the workbench's skip marks, empty.
    assert conn.execute("SELECT count(*) FROM skips").fetchone()[0] == 0


def test_fetch_stores_both_dates_and_a_later_fetch_without_one_keeps_it(store: Store) -> None:
    item = store.add("https://example.com/a", now=NOW).item
    meta = PageMeta(title="A", published="2021-06-01", first_published="2015-03-02")
    got, _ = store.record_fetch(item.id, status="ok", now=NOW, meta=meta)
    assert (got.published, got.first_published) == ("2021-06-01", "2015-03-02")
    assert got.to_json()["first_published"] == "2015-03-02"
    # A page that no longer says when it first came out does not make the story new.
    again, _ = store.record_fetch(
        item.id, status="ok", now=NOW, meta=PageMeta(title="A", published="2022-01-01")
    )
    assert (again.published, again.first_published) == ("2022-01-01", "2015-03-02")


def test_a_merged_duplicate_gives_the_kept_item_its_first_publication(store: Store) -> None:
    first = store.add("https://example.com/story", now=NOW).item
    other = store.add("https://short.example/xyz", now=NOW).item
    meta = PageMeta(
        url="https://example.com/story", published="2021-06-01", first_published="2015-03-02"
    )
    kept, dup = store.record_fetch(other.id, status="ok", now=NOW, meta=meta)
    assert dup is not None and kept.id == first.id
    assert kept.first_published == "2015-03-02"


def test_a_restore_into_a_non_empty_store_keeps_first_published(store: Store) -> None:
    from revue.store.db import dump

    store.add("https://example.com/here", now=NOW)
    source = Store.open(store.path.with_name("src.db"))
    item = source.add("https://example.com/new", now=NOW).item
    meta = PageMeta(published="2021-06-01", first_published="2015-03-02")
    source.record_fetch(item.id, status="ok", now=NOW, meta=meta)
    counts = store.restore(dump(source, now=NOW), now=NOW)
    assert counts["added"] == 1
    got = store.find_by_url("https://example.com/new")
    assert got is not None
    assert (got.published, got.first_published) == ("2021-06-01", "2015-03-02")


def test_a_new_item_is_returned_as_a_read_would_give_it(store: Store) -> None:
    """add() builds the new item without reading it back: it must be the same item."""
    store.add("https://a.example/0", now=NOW, tags=["Vélo"])
    outcome = store.add(
        "https://www.a.example/1?utm_source=x#frag",
        now=NOW,
        note="= Bien #ia",
        tags=["vélo", "IA", "X"],
        hashtags=["ia"],
        title="Titre",
        section="S",
        added_at="2024-03-01T08:00:00+00:00",
        extra={"via": "@a", "position": 2.5, "paywalled": 1},
    )
    assert outcome.created
    assert outcome.item == store.get(outcome.item.id)
    assert outcome.item.tags == ["Vélo", "IA", "X"] and outcome.item.hashtags == ["IA"]
    text = store.add_text("Un bloc", now=NOW)
    assert text == store.get(text.id)


def test_add_many_stores_what_adds_one_by_one_would(tmp_path: Path) -> None:
    """The bulk path of imports: same items, ids, keys, tags and merges as one add each."""
    entries: list[dict[str, object]] = [
        {"url": "https://a.example/1", "tags": ["IA", "ia"], "hashtags": ["IA"], "note": "n1"},
        {"url": "https://www.a.example/1?utm_source=x", "note": "n2", "tags": ["Vélo"]},
        {"url": "https://b.example/x", "extra": {"title": "B", "via": "@b"}, "section": "S"},
        {"url": "https://old.example/", "note": "encore", "title": "Mon titre"},
        {"url": "https://c.example/amp/", "hashtags": ["#TikTok"], "added_at": NOW},
        {"url": "https://c.example/", "lead": "Lead"},
        {"url": "http://intranet/x"},  # stored, but no key: not a URL of the web
    ]

    def state(store: Store) -> list[object]:
        conn = store.conn
        return [
            conn.execute("SELECT * FROM items ORDER BY id").fetchall(),
            conn.execute("SELECT * FROM item_keys ORDER BY key").fetchall(),
            # Each item's tags in their order (tag ids may be dealt in another order).
            conn.execute(
                "SELECT it.item_id, t.name, it.hashtag FROM item_tags it JOIN tags t "
                "ON t.id = it.tag_id ORDER BY it.item_id, it.rowid"
            ).fetchall(),
            conn.execute("SELECT name FROM tags ORDER BY name").fetchall(),
        ]

    one, bulk = Store.open(tmp_path / "one.db"), Store.open(tmp_path / "bulk.db")
    for store in (one, bulk):
        store.add("https://old.example/", now=NOW, tags=["ia"])
    singles = [one.add(now=NOW, **e) for e in entries]  # type: ignore[arg-type]
    outcomes = bulk.add_many([new_item(**e) for e in entries], now=NOW)  # type: ignore[arg-type]
    assert state(bulk) == state(one)
    assert [(o.item, o.created) for o in outcomes] == [(o.item, o.created) for o in singles]
    assert [o.created for o in outcomes] == [True, False, True, False, True, False, True]


def test_a_syndicated_copy_keeps_its_original_apart(store: Store) -> None:
    item = store.add("https://www.copy.org/news/story", now=NOW).item
    meta = PageMeta(title="A", url="https://www.copy.org/news/story",
                    canonical="https://www.original.com/2024/06/29/story")  # fmt: skip
    got, _ = store.record_fetch(item.id, status="ok", now=NOW, meta=meta)
    assert got.url == "https://www.copy.org/news/story"
    assert got.canonical == "https://www.original.com/2024/06/29/story"
    assert got.to_json()["canonical"] == "https://www.original.com/2024/06/29/story"


# -- review_posts (m009) ----------------------------------------------------------------


def test_a_review_remembers_its_post_per_blog_and_a_dump_keeps_it(
    store: Store, tmp_path: Path
) -> None:
    from revue.store.db import dump

    assert columns(tmp_path / "r.db", "review_posts") == [
        "review_id", "site", "post_id", "link", "status", "modified_gmt", "published_at",
        "content_sha256", "ref",
    ]  # fmt: skip
    item = store.add("https://example.com/a", now=NOW).item
    review_id = store.record_review(
        {"title": "R", "start": "2024-03-12", "end": "2024-03-19", "composed_at": NOW},
        [item.id],
    )
    post = {
        "review_id": review_id,
        "site": "https://blog.example.org",
        "post_id": 41,
        "link": "https://blog.example.org/?p=41",
        "status": "draft",
        "modified_gmt": "2024-03-19T10:00:01",
        "published_at": NOW,
        "content_sha256": "ab" * 32,
        "ref": None,
    }
    store.record_post(post)
    store.record_post({**post, "post_id": 42, "status": "publish"})  # --new replaces it
    recorded = store.review_post(review_id, "https://blog.example.org")
    assert recorded == Post.from_row({**post, "post_id": 42, "status": "publish"})
    assert recorded.to_json() == {**post, "post_id": 42, "status": "publish"}
    assert store.review_post(review_id, "https://other.example") is None
    data = dump(store, now=NOW)
    assert [p["post_id"] for p in data["reviews"][0]["posts"]] == [42]
    other = Store.open(tmp_path / "other.db")
    other.restore(data, now=NOW)
    assert other.review_posts() == store.review_posts()


def test_the_schema_7_database_gains_review_posts(tmp_path: Path) -> None:
    copy = tmp_path / "old.db"
    copy.write_bytes((Path(__file__).parent / "dbs" / "schema-7.db").read_bytes())
    Store.open(copy).close()
    assert "post_id" in columns(copy, "review_posts")


def test_one_item_query_selects_for_list_and_export_alike(store: Store) -> None:
    import dataclasses
    import json

    from revue.models import ItemQuery
    from revue.store.db import iter_dump

    for n, day in enumerate(("2024-03-01", "2024-03-05", "2024-03-09")):
        tags = ["IA"] if n != 1 else ["Tech"]
        store.add(f"https://example.com/{n}", now=NOW, added_at=f"{day}T10:00:00+00:00", tags=tags)
    query = ItemQuery(since="2024-03-02T00:00:00+00:00", tag="IA", order="id")
    with pytest.raises(dataclasses.FrozenInstanceError):
        query.tag = "Tech"  # type: ignore[misc]
    assert [i.id for i in store.iter_items(query)] == [3]
    dumped = json.loads("".join(iter_dump(store, now=NOW, query=query)))
    assert [i["id"] for i in dumped["items"]] == [3]
    assert [i.id for i in store.list_items(ItemQuery(ids=(1, 3), order="position"))] == [1, 3]
    assert [i.id for i in store.list_items(ItemQuery(limit=2))] == [3, 2]


def test_reviews_and_posts_are_read_as_typed_records_printing_their_rows(store: Store) -> None:
    from revue.models import Review

    item = store.add("https://example.com/a", now=NOW).item
    review_id = store.record_review(
        {"title": "R", "start": "2024-03-12", "end": "2024-03-19", "composed_at": NOW}, [item.id]
    )
    store.record_post({"review_id": review_id, "site": "https://blog.example.org", "post_id": 7})
    review = store.get_review(review_id)
    assert isinstance(review, Review) and (review.start, review.end) == ("2024-03-12", "2024-03-19")
    assert store.reviews() == [review] == list(store.iter_reviews())
    row = dict(store.query("SELECT * FROM reviews")[0])
    assert review.to_json() == row and list(review.to_json()) == list(row)  # keys in order
    [post] = store.review_posts()[review_id]
    assert (post.site, post.post_id, post.link) == ("https://blog.example.org", 7, None)
    assert list(post.to_json()) == list(dict(store.query("SELECT * FROM review_posts")[0]))
    assert store.remove_review(review_id) == review


def test_a_feed_is_read_as_a_typed_record_printing_its_row(store: Store) -> None:
    from revue.models import Feed

    feed, created = store.add_feed(
        {"url": "https://example.com/feed.xml", "tags": '["IA", "Tech"]', "added_at": NOW}
    )
    assert created and isinstance(feed, Feed) and feed.tags == ("IA", "Tech")
    assert store.feeds() == [feed] == [store.get_feed(feed.id)]
    row = dict(store.query("SELECT * FROM feeds")[0])
    assert feed.to_json() == {**row, "tags": ["IA", "Tech"]} and list(feed.to_json()) == list(row)
    assert store.remove_feed(feed.id) == feed and store.feeds() == []


def test_a_link_is_retried_unless_its_failure_is_of_the_refused_kind(store: Store) -> None:
    # The store reads the failure's kind (`models.failure_of`), not the sentence's spelling.
    sentences = [
        "refused: 10.0.0.5 is a private address (found in a public feed)",
        "refused by the address policy",
        "connection refused",
        "timeout after 20 s",
    ]
    ids = {}
    for n, error in enumerate(sentences):
        item = store.add(f"https://example.com/{n}", now=NOW).item
        store.record_fetch(item.id, status="failed", now=NOW, error=error, next_attempt_at=NOW)
        ids[item.id] = error
    due = [ids[i.id] for i in store.due_for_fetch(now=NOW, failed=True)]
    assert due == [e for e in sentences if failure_of(e) is not FailureKind.REFUSED]
    assert due == ["connection refused", "timeout after 20 s"]
    assert len(store.due_for_fetch(now=NOW, failed=True, force=True)) == len(sentences)
