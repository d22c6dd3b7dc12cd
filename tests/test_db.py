import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from revue.db import Store
from revue.errors import NotFound, StoreError
from revue.migrations import NAMES
from revue.models import PageMeta

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
        "attempts", "next_attempt_at", "position", "source", "first_published",
    ]  # fmt: skip
    assert columns(path, "item_tags") == ["item_id", "tag_id", "hashtag"]
    assert columns(path, "review_items") == ["review_id", "item_id", "position"]
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
        "import sys; from pathlib import Path; from revue.db import Store; "
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
    from revue.db import SCHEMA_VERSION

    assert len(NAMES) == SCHEMA_VERSION
    Store.open(tmp_path / "v.db").close()
    conn = sqlite3.connect(tmp_path / "v.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
