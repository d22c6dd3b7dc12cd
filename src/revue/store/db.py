"""The store: one SQLite file, opened in WAL mode with a busy timeout, migrated on open.

Invariants:
- Every multi-statement write runs inside `Store.write()`, which takes `BEGIN IMMEDIATE`
  (the write lock up front, so two processes queue on the busy timeout instead of failing
  with "database is locked" half-way). No network call ever happens inside it.
- A URL the curator gave is stored (status `pending`) before anything is fetched.
- Fields the curator typed (`user_fields`) are never overwritten by fetched metadata.
- One story is one item: every URL an item is known by is a row of `item_keys`.
- sqlite errors become `StoreError` (exit 3) naming the file.
"""

from __future__ import annotations

import contextlib
import errno
import json
import operator
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from revue import urls
from revue.errors import BadInput, NotFound, StoreError
from revue.files import new_file_mode, sync_folder, write_failure
from revue.models import EXTRA_PAGE_FIELDS, PAGE_FIELDS, Item, PageMeta

BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 16  # == len(migrations.NAMES); tests/test_db.py keeps the two equal
# Items hydrated a query: bounded memory and SQL variables (SQLite's limit is 32,766).
_CHUNK = 500
EDITABLE = ("title", "summary", "note", "lead", "quote", "section", "site_name", "via", "author")

_ITEM_COLUMNS = (
    "id, kind, url, original_url, title, summary, site_name, via, author, published, "
    "first_published, canonical, lang, image, note, lead, quote, section, status, error, http_status, "
    "content_type, paywalled, user_fields, added_at, fetched_at, attempts, next_attempt_at, "
    "position, starred"
)
_ITEM_COLUMN_NAMES = [c.strip() for c in _ITEM_COLUMNS.split(",")]
# The columns a bulk insert of new items sets (after the id); a new record always has kind,
# status and attempts, and may lack paywalled, whose default is 0.
_NEW_COLUMNS = [*(c for c in _ITEM_COLUMN_NAMES[1:] if c != "starred"), "source"]
_PAYWALLED = 1 + _NEW_COLUMNS.index("paywalled")
_ITEM_FIELDS = frozenset(_ITEM_COLUMN_NAMES[1:])
_POST_COLUMNS = (
    "review_id", "site", "post_id", "link", "status", "modified_gmt", "published_at",
    "content_sha256", "ref",
)  # fmt: skip
# The page's fields an item stores (all but its URL): a fetch sets them unless typed by hand.
_PAGE_COLUMNS = (*PAGE_FIELDS[1:], *EXTRA_PAGE_FIELDS)


@dataclass
class AddOutcome:
    item: Item
    created: bool
    merged_fields: list[str]  # curator fields (or tags) added to an existing item
    replaced_note: str | None = None  # the note a re-add replaced (`add` without --append-note)


def _wrap(path: Path, exc: sqlite3.Error) -> StoreError:
    text = str(exc)
    if isinstance(exc, sqlite3.DatabaseError) and (
        "not a database" in text or "malformed" in text or "file is encrypted" in text
    ):
        return StoreError(f"database {path}: not a revue database or damaged ({text})")
    if "readonly" in text or "read-only" in text:
        return StoreError(f"database {path}: read-only ({text})")
    if "disk" in text and ("full" in text or "I/O" in text):
        return StoreError(f"database {path}: disk problem ({text})")
    return StoreError(f"database {path}: {text}")


def _added_range(since: str | None, before: str | None) -> tuple[list[str], list[Any]]:
    """WHERE clauses for items added at stored instants in [since, before) (clock.day_span:
    the bounds of the curator's days, in UTC like the column), either open. On the column
    itself, never a function of it: the index on added_at serves the range."""
    where: list[str] = []
    params: list[Any] = []
    if since:
        where.append("added_at >= ?")
        params.append(since)
    if before:
        where.append("added_at < ?")
        params.append(before)
    return where, params


def _pk(value: Any) -> int:
    if value is None:
        raise StoreError("insert returned no row id")
    return int(value)


class _Inserted:
    def __init__(self, last_pk: int | None) -> None:
        self.last_pk = last_pk


class _Table:
    """The two writes revue needs, on plain sqlite3 (sqlite-utils costs 60 ms of start-up)."""

    def __init__(self, conn: sqlite3.Connection, name: str) -> None:
        self.conn = conn
        self.name = name

    def insert(self, record: dict[str, Any]) -> _Inserted:
        cols = ", ".join(f'"{c}"' for c in record)
        marks = ", ".join("?" * len(record))
        cur = self.conn.execute(
            f'INSERT INTO "{self.name}" ({cols}) VALUES ({marks})', list(record.values())
        )
        return _Inserted(cur.lastrowid)

    def update(self, pk: int, record: dict[str, Any]) -> None:
        if record:
            sets = ", ".join(f'"{c}" = ?' for c in record)
            self.conn.execute(
                f'UPDATE "{self.name}" SET {sets} WHERE id = ?', [*record.values(), pk]
            )


class _DB:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def table(self, name: str) -> _Table:
        return _Table(self.conn, name)


class Store:
    """All reads and writes of revue's data. Open with `Store.open(path)`."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.db = _DB(conn)
        self.path = path
        self._tag_ids: dict[str, int] = {}  # tag name -> id, inside one write transaction
        self._tag_names: dict[int, str] = {}  # tag id -> its stored name, likewise

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True, create: bool = True) -> Store:
        """Open (creating it if needed and `create`) and migrate; raises StoreError on any
        database problem, and when the file does not exist and not `create` (a mistyped
        path would otherwise become a second, empty database)."""
        try:
            if path.exists() and path.is_dir():
                raise StoreError(f"database {path}: is a directory")
            if not create and not path.exists():
                raise StoreError(
                    f"database {path} does not exist (check --db and REVUE_DB; "
                    "`revue add` or `revue import` creates it)"
                )
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"database {path}: cannot create its folder ({exc.strerror})"
            ) from None
        try:
            conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
            conn.execute("PRAGMA foreign_keys = ON")
            mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if mode != "wal":
                with contextlib.suppress(sqlite3.OperationalError):
                    # Fails on a read-only file: reading still works in its current mode.
                    conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            store = cls(conn, path)
            if migrate:
                store.migrate()
        except sqlite3.Error as exc:
            if (
                "unable to open" in str(exc)
                and path.exists()
                and not os.access(path.parent, os.W_OK)
            ):
                # WAL mode needs its -wal and -shm files beside the database.
                raise StoreError(
                    f"database {path}: read-only folder {path.parent} (revue needs to create "
                    f"{path.name}-wal and {path.name}-shm there)"
                ) from None
            raise _wrap(path, exc) from None
        return store

    def close(self) -> None:
        self.db.conn.close()

    def _applied_migrations(self) -> set[str]:
        try:
            rows = self.db.execute(
                "SELECT name FROM _sqlite_migrations WHERE migration_set = 'revue'"
            ).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return set()
            raise
        return {r[0] for r in rows}

    def migrate(self) -> None:
        """Apply pending migrations under the write lock; refuse a database from a newer revue.

        `PRAGMA user_version` holds the number of migrations applied, so an up-to-date
        database is recognised without loading the migration machinery (sqlite-utils).
        """
        version = int(self.db.execute("PRAGMA user_version").fetchone()[0])
        if version == SCHEMA_VERSION:
            return
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"database {self.path}: made by a newer revue (schema {version}, this revue "
                f"knows {SCHEMA_VERSION}); upgrade revue to use it"
            )
        from sqlite_utils import Database

        from revue.store.migrations import NAMES, migrations

        applied = self._applied_migrations()
        unknown = applied - set(NAMES)
        if unknown:
            raise StoreError(
                f"database {self.path}: made by a newer revue (schema {sorted(unknown)[-1]}); "
                "upgrade revue to use it"
            )
        database = Database(self.db.conn, execute_plugins=False)
        with self.write():
            # Another process may have migrated while we waited for the lock.
            if migrations.pending(database):
                migrations.apply(database)
            self.db.execute(f"PRAGMA user_version = {len(NAMES)}")

    @contextlib.contextmanager
    def write(self) -> Iterator[_DB]:
        """One write transaction holding SQLite's write lock from its first statement."""
        conn = self.db.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise _wrap(self.path, exc) from None
        self._tag_ids.clear()
        self._tag_names.clear()
        try:
            yield self.db
        except sqlite3.Error as exc:
            # A read-only file or a full disk shows up here, at the first write: name the file.
            if conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
            raise _wrap(self.path, exc) from None
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        finally:
            self._tag_ids.clear()
            self._tag_names.clear()
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise _wrap(self.path, exc) from None

    def _q(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        try:
            cur = self.db.conn.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()
        except sqlite3.Error as exc:
            raise _wrap(self.path, exc) from None

    # -- items: reading ------------------------------------------------------------------

    def _row_to_item(self, row: sqlite3.Row | dict[str, Any]) -> Item:
        data = dict(row)
        data["paywalled"] = bool(data.get("paywalled"))
        data["starred"] = bool(data.get("starred"))
        raw = data.get("user_fields")
        data["user_fields"] = json.loads(raw) if raw and raw != "[]" else []
        data["attempts"] = data.get("attempts") or 0
        return Item(**data)

    def _hydrate(self, items: list[Item]) -> list[Item]:
        """Give items their tags and publishing review, `_CHUNK` ids a query: one SQL
        variable an item would pass SQLite's limit (32,766 on a default build) at scale."""
        for start in range(0, len(items), _CHUNK):
            self._hydrate_chunk(items[start : start + _CHUNK])
        return items

    def _hydrate_chunk(self, items: list[Item]) -> None:
        if not items:
            return
        by_id = {i.id: i for i in items}
        marks = ",".join("?" * len(by_id))
        for row in self._q(
            f"SELECT it.item_id, t.name, it.hashtag FROM item_tags it JOIN tags t ON t.id = it.tag_id "
            f"WHERE it.item_id IN ({marks}) ORDER BY it.rowid",
            list(by_id),
        ):
            item = by_id[row["item_id"]]
            item.tags.append(row["name"])
            if row["hashtag"]:
                item.hashtags.append(row["name"])
        # The review that published it: a weekly one (a recap publishes nothing anew).
        for row in self._q(
            f"SELECT ri.item_id, r.id, r.end FROM review_items ri JOIN reviews r ON r.id = ri.review_id "
            f"WHERE ri.item_id IN ({marks}) AND r.kind IS NULL ORDER BY r.end DESC, r.id DESC",
            list(by_id),
        ):
            item = by_id[row["item_id"]]
            if item.review is None:
                item.review = row["id"]
                item.review_date = row["end"]

    def _rows(
        self, sql: str, params: Sequence[Any] = (), *, factory: Any = sqlite3.Row
    ) -> Iterator[list[Any]]:
        """The rows of a query, `_CHUNK` at a time, never all at once."""
        try:
            cur = self.db.conn.execute(sql, params)
            cur.row_factory = factory
            while rows := cur.fetchmany(_CHUNK):
                yield rows
        except sqlite3.Error as exc:
            raise _wrap(self.path, exc) from None

    def _iter_items(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Item]:
        """Hydrated items of a query on `items`, streamed: memory stays flat whatever their
        number. While the query is open its read transaction sees one snapshot (WAL), so
        the tags and reviews read between two chunks are those of the same moment."""
        for rows in self._rows(sql, params):
            yield from self._hydrate([self._row_to_item(r) for r in rows])

    def get(self, item_id: int) -> Item:
        rows = self._q(f"SELECT {_ITEM_COLUMNS} FROM items WHERE id = ?", [item_id])
        if not rows:
            raise NotFound(f"no item #{item_id}")
        return self._hydrate([self._row_to_item(rows[0])])[0]

    def get_many(self, ids: Iterable[int]) -> list[Item]:
        return [self.get(i) for i in ids]

    def item_sources(self, ids: Iterable[int]) -> dict[int, str]:
        """Where each item came from: "cli", "import:<format>", "feed:<id>" (an entry of a
        feed on the public web) or "feed:<id>:private" (of one the curator's network serves)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[int, str] = {}
        for at in range(0, len(wanted), _CHUNK):
            chunk = wanted[at : at + _CHUNK]
            rows = self._q(
                f"SELECT id, source FROM items WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            out.update((int(r["id"]), str(r["source"] or "cli")) for r in rows)
        return out

    def find_by_url(self, url: str) -> Item | None:
        rows = self._q("SELECT item_id FROM item_keys WHERE key = ?", [urls.dedup_key(url)])
        return self.get(rows[0]["item_id"]) if rows else None

    def list_items(self, **filters: Any) -> list[Item]:
        """`iter_items` (its filters, by name) as a list: for callers that want every row at once."""
        return list(self.iter_items(**filters))

    def iter_items(
        self,
        *,
        since: str | None = None,
        before: str | None = None,
        tag: str | None = None,
        status: str | None = None,
        unpublished: bool = False,
        ids: Sequence[int] | None = None,
        limit: int | None = None,
        order: str = "newest",
    ) -> Iterator[Item]:
        """Items filtered, streamed (what `list` and `export` print, whatever their number);
        `since`/`before` bound added_at: stored instants, [since, before) (clock.day_span)."""
        where, params = self._filters(since, before, tag, status, unpublished, ids)
        sql = f"SELECT {_ITEM_COLUMNS} FROM items"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += {
            "newest": " ORDER BY added_at DESC, id DESC",
            "id": " ORDER BY id",
        }.get(order, " ORDER BY coalesce(position, id) ASC, added_at ASC, id ASC")
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return self._iter_items(sql, params)

    def _filters(
        self,
        since: str | None,
        before: str | None,
        tag: str | None,
        status: str | None,
        unpublished: bool,
        ids: Sequence[int] | None,
    ) -> tuple[list[str], list[Any]]:
        where: list[str] = []
        params: list[Any] = []
        # Ranges on the column itself, never a function of it, so that idx_items_added_at
        # serves them: a week costs the same among a million items as among ten thousand.
        where, params = _added_range(since, before)
        if tag:
            # Correlated: checked on the rows the date range selected, not built for them all.
            where.append(
                "EXISTS (SELECT 1 FROM item_tags it JOIN tags t ON t.id = it.tag_id "
                "WHERE it.item_id = items.id AND t.name = ?)"
            )
            params.append(tag.lstrip("#"))
        if status:
            where.append("status = ?")
            params.append(status)
        if unpublished:
            where.append("NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.item_id = items.id)")
        if ids is not None:
            # One SQL variable whatever the number of ids.
            where.append("id IN (SELECT value FROM json_each(?))")
            params.append(json.dumps([int(i) for i in ids]))
        return where, params

    def search(self, query: str, *, limit: int = 100) -> list[Item]:
        """Full-text search (FTS5) over title, summary, note and quote, best match first."""
        terms = [t for t in query.replace('"', " ").split() if t]
        if not terms:
            return []
        # Each word quoted: punctuation in the user's query is text, not FTS syntax.
        match = " ".join(
            f'"{t}"*' if i == len(terms) - 1 else f'"{t}"' for i, t in enumerate(terms)
        )
        rows = self._q(
            f"SELECT {', '.join('items.' + c.strip() for c in _ITEM_COLUMNS.split(','))} "
            "FROM items JOIN items_fts ON items_fts.rowid = items.id "
            "WHERE items_fts MATCH ? ORDER BY rank LIMIT ?",
            [match, limit],
        )
        return self._hydrate([self._row_to_item(r) for r in rows])

    def count(self) -> int:
        return int(self._q("SELECT count(*) FROM items")[0][0])

    # -- items: writing ------------------------------------------------------------------

    def _tag_id(self, name: str) -> int:
        # Remembered for the transaction (an import names the same few tags again and
        # again); forgotten when it ends, since a rollback may take the new ones back.
        tag_id = self._tag_ids.get(name)
        if tag_id is None:
            self.db.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", [name])
            row = self.db.execute("SELECT id, name FROM tags WHERE name = ?", [name]).fetchone()
            tag_id = self._tag_ids[name] = int(row[0])
            self._tag_names[tag_id] = str(row[1])  # its first spelling (names are NOCASE)
        return tag_id

    def _add_tags(
        self,
        item_id: int,
        tags: Iterable[str],
        hashtags: Iterable[str] = (),
        rows: dict[int, int] | None = None,
    ) -> list[str]:
        """Attach tags (hashtags are tags shown as #tags); return those that were new.
        `rows`, when given, receives each tag attached (id -> hashtag flag), in order."""
        added: list[str] = []
        hashset = {h.lower() for h in hashtags}
        for name in [*tags, *hashtags]:
            name = name.strip().lstrip("#").strip()
            if not name:
                continue
            tag_id = self._tag_id(name)
            is_hash = 1 if name.lower() in hashset else 0
            cur = self.db.execute(
                "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
                [item_id, tag_id, is_hash],
            )
            if cur.rowcount:
                added.append(name)
            elif is_hash:
                self.db.execute(
                    "UPDATE item_tags SET hashtag = 1 WHERE item_id = ? AND tag_id = ?",
                    [item_id, tag_id],
                )
            if rows is not None:
                rows[tag_id] = rows.get(tag_id, 0) | is_hash
        return added

    def _remove_tags(self, item_id: int, tags: Iterable[str]) -> None:
        for name in tags:
            self.db.execute(
                "DELETE FROM item_tags WHERE item_id = ? AND tag_id = "
                "(SELECT id FROM tags WHERE name = ?)",
                [item_id, name.lstrip("#")],
            )

    def _add_key(self, item_id: int, url: str | None) -> None:
        if url and urls.is_http_url(url):
            self.db.execute(
                "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
                [urls.dedup_key(url), item_id],
            )

    def add(self, url: str, *, now: str, **fields: Any) -> AddOutcome:
        """Store a link (pending) or, if the story is already here, merge the curator's text.

        `fields` are `_add_locked`'s: note, tags, hashtags, section, title, summary, lead,
        quote, added_at, source, extra."""
        with self.write():
            return self._add_locked(url, now=now, **fields)

    def add_many(self, entries: Sequence[dict[str, Any]], *, now: str) -> list[AddOutcome]:
        """Several `add`s in one transaction (imports): all stored, or none."""
        with self.write():
            return self._add_many_locked(entries, now=now)

    def _add_many_locked(self, entries: Sequence[dict[str, Any]], *, now: str) -> list[AddOutcome]:
        """`_add_locked` of each entry, in order, with the same outcome; the new items go in
        with one executemany a table (an import brings thousands), the merges one by one.

        Merges are done after the new items are stored: a merge only changes the item it
        merges into, so the order of the two does not change what is stored."""
        outcomes: list[AddOutcome | None] = [None] * len(entries)
        prepared = [urls.stored_keys(entry["url"]) for entry in entries]
        known: set[str] = set()
        for start in range(0, len(entries), _CHUNK):
            wanted = json.dumps([keys[0] for _, keys in prepared[start : start + _CHUNK]])
            known.update(
                r[0]
                for r in self.db.execute(
                    "SELECT key FROM item_keys WHERE key IN (SELECT value FROM json_each(?))",
                    [wanted],
                )
            )
        row = self.db.execute("SELECT max(id) FROM items").fetchone()
        next_id = int(row[0] or 0) + 1
        rows: list[list[Any]] = []
        key_rows: list[tuple[str, int]] = []
        tag_rows: list[tuple[int, int, int]] = []
        merges: list[int] = []
        for index, (entry, (cleaned, keys)) in enumerate(zip(entries, prepared, strict=True)):
            if keys[0] in known:
                merges.append(index)
                continue
            fields = {
                k: v
                for k, v in entry.items()
                if k not in ("url", "tags", "hashtags", "replace_note")
            }
            record = self._new_record(entry["url"], cleaned, now=now, **fields)
            item_id = next_id
            next_id += 1
            row = [item_id, *map(record.get, _NEW_COLUMNS)]
            if "paywalled" not in record:
                row[_PAYWALLED] = 0  # the column's default, as an insert without it gives
            rows.append(row)
            if urls.is_http_url(entry["url"]):
                key_rows.extend((k, item_id) for k in keys)
            known.update(keys)
            attached = self._tag_rows(entry.get("tags") or (), entry.get("hashtags") or ())
            tag_rows.extend((item_id, t, flag) for t, flag in attached.items())
            outcomes[index] = AddOutcome(self._stored_item(item_id, record, attached), True, [])
        conn = self.db.conn
        conn.executemany(
            f"INSERT INTO items (id, {', '.join(_NEW_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(_NEW_COLUMNS) + 1))})",
            rows,
        )
        conn.executemany("INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)", key_rows)
        conn.executemany(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
            tag_rows,
        )
        for index in merges:
            outcomes[index] = self._add_locked(now=now, **entries[index])
        return [o for o in outcomes if o is not None]

    def _tag_rows(self, tags: Iterable[str], hashtags: Iterable[str]) -> dict[int, int]:
        """The rows `_add_tags` would attach to a new item: tag id -> hashtag flag, in order."""
        attached: dict[int, int] = {}
        hashtags = list(hashtags)
        hashset = {h.lower() for h in hashtags}
        for name in [*tags, *hashtags]:
            name = name.strip().lstrip("#").strip()
            if name:
                tag_id = self._tag_id(name)
                attached[tag_id] = attached.get(tag_id, 0) | (name.lower() in hashset)
        return attached

    def _stored_item(self, item_id: int, record: dict[str, Any], attached: dict[int, int]) -> Item:
        """A new item as a read would give it, without reading it back."""
        data = {k: v for k, v in record.items() if k in _ITEM_FIELDS}
        raw = data.get("user_fields")
        data["user_fields"] = json.loads(raw) if raw and raw != "[]" else []
        data["paywalled"] = bool(data.get("paywalled"))
        data["attempts"] = data.get("attempts") or 0
        item = Item(id=item_id, **data)
        item.tags = [self._tag_names[t] for t in attached]
        item.hashtags = [self._tag_names[t] for t, flag in attached.items() if flag]
        return item

    def _new_record(
        self,
        url: str,
        cleaned: str,
        *,
        now: str,
        note: str | None = None,
        section: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        lead: str | None = None,
        quote: str | None = None,
        added_at: str | None = None,
        source: str = "cli",
        extra: dict[str, Any] | None = None,
        own: Sequence[str] = (),
    ) -> dict[str, Any]:
        """The row of a new link item (its columns; the others keep their defaults)."""
        curator = {"note": note, "lead": lead, "quote": quote, "section": section}
        user_fields = [n for n, v in (("title", title), ("summary", summary)) if v]
        user_fields += [n for n in own if n in _PAGE_COLUMNS and n not in user_fields]
        record: dict[str, Any] = {
            "kind": "link",
            "url": cleaned,
            "original_url": urls.strip_credentials(url),
            "title": title,
            "summary": summary,
            "status": "pending",
            "added_at": added_at or now,
            "attempts": 0,
            "user_fields": json.dumps(user_fields) if user_fields else "[]",
            "source": source,
            **{k: v for k, v in curator.items() if v},
        }
        if extra:
            record.update({k: v for k, v in extra.items() if k in _EXTRA_OK})
        return record

    def _add_locked(
        self,
        url: str,
        *,
        now: str,
        note: str | None = None,
        tags: Sequence[str] = (),
        hashtags: Sequence[str] = (),
        section: str | None = None,
        title: str | None = None,
        summary: str | None = None,
        lead: str | None = None,
        quote: str | None = None,
        added_at: str | None = None,
        source: str = "cli",
        extra: dict[str, Any] | None = None,
        own: Sequence[str] = (),
        replace_note: bool = False,
    ) -> AddOutcome:
        """`own`: page fields given in `extra` that are the curator's (a past review's via):
        a new item lists them in `user_fields`, even empty, so a fetch leaves them as given.

        On a link already here, a note is added after the item's (an import merges what it
        brings), or with `replace_note` takes its place (the curator re-adding the link says
        what it is now: the outcome's `replaced_note` is the one it replaced)."""
        cleaned, keys = urls.stored_keys(url)
        key = keys[0]
        row = self.db.execute("SELECT item_id FROM item_keys WHERE key = ?", [key]).fetchone()
        curator = {"note": note, "lead": lead, "quote": quote, "section": section}
        if row:
            item_id = int(row[0])
            merged: list[str] = []
            current = self.db.execute(
                "SELECT note, lead, quote, section, title, summary, user_fields FROM items "
                "WHERE id = ?",
                [item_id],
            ).fetchone()
            updates: dict[str, Any] = {}
            replaced: str | None = None
            for i, name in enumerate(("note", "lead", "quote", "section")):
                new = curator[name]
                old = current[i]
                if name == "note" and new and old and replace_note:
                    if new.strip() != old.strip():
                        updates[name], replaced = new, old
                    continue
                if not new or (old and new.strip() in old):
                    continue
                updates[name] = new if not old or name == "section" else f"{old}\n\n{new}"
                merged.append(name)
            user_fields = json.loads(current[6] or "[]")
            for name, value, old in (
                ("title", title, current[4]),
                ("summary", summary, current[5]),
            ):
                if value and value != old:
                    updates[name] = value
                    if name not in user_fields:
                        user_fields.append(name)
                    merged.append(name)
            if "title" in updates or "summary" in updates:
                updates["user_fields"] = json.dumps(user_fields)
            if updates:
                self.db.table("items").update(item_id, updates)
            merged += [f"#{t}" for t in self._add_tags(item_id, tags, hashtags)]
            return AddOutcome(self._get_locked(item_id), False, merged, replaced)
        record = self._new_record(
            url,
            cleaned,
            now=now,
            title=title,
            summary=summary,
            added_at=added_at,
            source=source,
            extra=extra,
            own=own,
            **curator,
        )
        item_id = _pk(self.db.table("items").insert(record).last_pk)
        if urls.is_http_url(url):
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
                [(k, item_id) for k in keys],
            )
        attached: dict[int, int] = {}
        self._add_tags(item_id, tags, hashtags, rows=attached)
        # The new item as it was stored, without reading it back.
        return AddOutcome(self._stored_item(item_id, record, attached), True, [])

    def add_text(
        self, text: str, *, now: str, section: str | None = None, tags: Sequence[str] = ()
    ) -> Item:
        """A free text block: an item with no URL, placed in a review like any other."""
        with self.write():
            item_id = self._add_text_locked(text, now=now, raw={"section": section})
            self._add_tags(item_id, tags)
            return self._get_locked(item_id)

    def _add_text_locked(self, text: str, *, now: str, raw: dict[str, Any]) -> int:
        record = {
            "kind": "text",
            "url": None,
            "note": text,
            "section": raw.get("section"),
            "status": "ok",
            "added_at": raw.get("added_at") or now,
            "attempts": 0,
            "user_fields": "[]",
            "source": raw.get("source") or "cli",
            "position": raw.get("position"),
        }
        item_id = _pk(self.db.table("items").insert(record).last_pk)
        self._add_tags(item_id, raw.get("tags") or [])
        return item_id

    def _get_locked(self, item_id: int) -> Item:
        return self.get(item_id)

    def record_fetch(
        self,
        item_id: int,
        *,
        status: str,
        now: str,
        meta: PageMeta | None = None,
        error: str | None = None,
        http_status: int | None = None,
        content_type: str | None = None,
        final_url: str | None = None,
        next_attempt_at: str | None = None,
        aliases: Sequence[str] = (),
    ) -> tuple[Item, Item | None]:
        """Store a fetch's outcome. Page fields the curator typed are kept.

        Returns (item, duplicate_of): when the final or canonical URL (or one of `aliases`,
        other addresses the page says it has) shows the item is a story already stored
        under another URL, the item is merged into that earlier one, which is returned as
        `duplicate_of` (and as `item`).
        """
        with self.write():
            row = self.db.execute(
                "SELECT user_fields, attempts FROM items WHERE id = ?", [item_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"no item #{item_id}")
            user_fields = set(json.loads(row[0] or "[]"))
            updates: dict[str, Any] = {
                "status": status,
                "error": error,
                "http_status": http_status,
                "content_type": content_type,
                "fetched_at": now,
                "attempts": (row[1] or 0) + 1,
                "next_attempt_at": next_attempt_at,
            }
            if meta is not None:
                for name in _PAGE_COLUMNS:
                    value = getattr(meta, name)
                    if value is not None and name not in user_fields:
                        updates[name] = value
                updates["paywalled"] = int(meta.paywalled)
                if meta.url and "url" not in user_fields:
                    updates["url"] = urls.clean(meta.url)
            elif final_url and status == "ok":
                updates["url"] = urls.clean(final_url)
            self.db.table("items").update(item_id, updates)
            # Which stories are these URLs known as? Another item's key means a duplicate.
            other: int | None = None
            for candidate in (final_url, meta.url if meta else None, *aliases):
                if not candidate or not urls.is_http_url(candidate):
                    continue
                hit = self.db.execute(
                    "SELECT item_id FROM item_keys WHERE key = ?", [urls.dedup_key(candidate)]
                ).fetchone()
                if hit and hit[0] != item_id:
                    other = int(hit[0])
                    break
            if other is not None:
                self._merge_locked(item_id, into=other)
                merged = self._get_locked(other)
                return merged, merged
            self._add_key(item_id, final_url)
            if meta is not None:
                self._add_key(item_id, meta.url)
            for alias in aliases:
                self._add_key(item_id, alias)
            return self._get_locked(item_id), None

    def _merge_locked(self, item_id: int, *, into: int) -> None:
        """Fold item `item_id` into the earlier item `into`: curator text, tags, keys, and
        the first publication date it lacks."""
        columns = "note, lead, quote, section, first_published"
        src = self.db.execute(f"SELECT {columns} FROM items WHERE id = ?", [item_id]).fetchone()
        dst = self.db.execute(f"SELECT {columns} FROM items WHERE id = ?", [into]).fetchone()
        updates: dict[str, Any] = {}
        for i, name in enumerate(("note", "lead", "quote", "section")):
            if src[i] and not dst[i]:
                updates[name] = src[i]
            elif src[i] and dst[i] and src[i] not in dst[i] and name != "section":
                updates[name] = f"{dst[i]}\n\n{src[i]}"
        if src[4] and not dst[4]:
            # The kept item keeps its page fields, but a first publication date the duplicate
            # learnt (from its page or its feed) is what the stale-news flag needs.
            updates["first_published"] = src[4]
        if updates:
            self.db.table("items").update(into, updates)
        self.db.execute(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) "
            "SELECT ?, tag_id, hashtag FROM item_tags WHERE item_id = ?",
            [into, item_id],
        )
        self.db.execute(
            "UPDATE OR IGNORE item_keys SET item_id = ? WHERE item_id = ?", [into, item_id]
        )
        published = self.db.execute(
            "SELECT review_id, position FROM review_items WHERE item_id = ?", [item_id]
        ).fetchall()
        self._insert_review_items((review, into, pos) for review, pos in published)
        self.db.execute("UPDATE skips SET item_id = ? WHERE item_id = ?", [into, item_id])
        self.db.execute("UPDATE candidates SET item_id = ? WHERE item_id = ?", [into, item_id])
        self._delete_locked([item_id])

    def _delete_locked(self, ids: Sequence[int]) -> None:
        # json_each: one SQL variable whatever the number of ids.
        listed = json.dumps([int(i) for i in ids])
        for table in ("item_tags", "item_keys", "review_items", "skips", "candidates"):
            self.db.execute(
                f"DELETE FROM {table} WHERE item_id IN (SELECT value FROM json_each(?))", [listed]
            )
        self.db.execute("DELETE FROM items WHERE id IN (SELECT value FROM json_each(?))", [listed])

    def remove(self, ids: Sequence[int]) -> list[Item]:
        """Delete items; raises NotFound (and deletes nothing) if any id is unknown."""
        with self.write():
            items = [self._get_locked(i) for i in ids]
            self._delete_locked(list(ids))
            return items

    def update(
        self,
        item_id: int,
        fields: dict[str, Any],
        *,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        hashtags: Sequence[str] = (),
    ) -> Item:
        """Change curator fields (and page fields, which then become the curator's)."""
        with self.write():
            row = self.db.execute(
                "SELECT user_fields FROM items WHERE id = ?", [item_id]
            ).fetchone()
            if row is None:
                raise NotFound(f"no item #{item_id}")
            user_fields = json.loads(row[0] or "[]")
            updates = {k: (v if v != "" else None) for k, v in fields.items() if k in EDITABLE}
            for name in updates:
                if (name in PAGE_FIELDS or name in EXTRA_PAGE_FIELDS) and name not in user_fields:
                    user_fields.append(name)
            if updates:
                updates["user_fields"] = json.dumps(user_fields)
                self.db.table("items").update(item_id, updates)
            self._remove_tags(item_id, remove_tags)
            self._add_tags(item_id, add_tags, hashtags)
            return self._get_locked(item_id)

    def move(self, item_id: int, *, before: int | None = None, after: int | None = None) -> None:
        """Place an item just before or after another in the review order.

        The order key of an item is its position, else its id. Moving re-deals the existing
        keys to the new order, so items never moved keep their place relative to the others.
        """
        target = before if before is not None else after
        if target is None or target == item_id:
            raise BadInput("move: give --before ID or --after ID (another item)")
        with self.write():
            rows = self.db.execute(
                "SELECT id, coalesce(position, id) AS k FROM items ORDER BY k, id"
            ).fetchall()
            order = [int(r[0]) for r in rows]
            keys = [float(r[1]) for r in rows]
            for needed in (item_id, target):
                if needed not in order:
                    raise NotFound(f"no item #{needed}")
            order.remove(item_id)
            at = order.index(target) + (0 if before is not None else 1)
            order.insert(at, item_id)
            for position, moved_id in zip(keys, order, strict=True):
                self.db.execute("UPDATE items SET position = ? WHERE id = ?", [position, moved_id])

    def due_for_fetch(
        self,
        *,
        now: str,
        pending: bool = False,
        failed: bool = False,
        all_items: bool = False,
        force: bool = False,
        max_attempts: int = 5,
    ) -> list[Item]:
        """Items a `revue fetch` should try now, oldest first."""
        clauses: list[str] = []
        params: list[Any] = []
        if all_items:
            clauses.append("kind = 'link'")
        else:
            statuses = [s for s, on in (("pending", pending), ("failed", failed)) if on]
            if failed:
                statuses.append("blocked")
            clauses.append(f"status IN ({','.join('?' * len(statuses)) or 'NULL'})")
            params.extend(statuses)
            clauses.append("kind = 'link'")
            if not force:
                # A link refused by the address policy would be refused again: not retried.
                clauses.append("(error IS NULL OR error NOT LIKE 'refused:%')")
                # A failed item without a next attempt is gone for good (a 404): not retried.
                clauses.append(
                    "(next_attempt_at <= ? OR (next_attempt_at IS NULL AND status = 'pending'))"
                )
                params.append(now)
                clauses.append("(status = 'pending' OR attempts < ?)")
                params.append(max_attempts)
        rows = self._q(
            f"SELECT {_ITEM_COLUMNS} FROM items WHERE {' AND '.join(clauses)} ORDER BY id", params
        )
        return self._hydrate([self._row_to_item(r) for r in rows])

    # -- reviews -------------------------------------------------------------------------

    def review_candidates(
        self,
        since: str | None,
        before: str | None,
        *,
        include_published: bool = False,
        exclude_review: int | None = None,
    ) -> list[Item]:
        """Items added at instants in [since, before) (the curator's days of a review,
        clock.day_span), not yet published by another review (unless asked), and every item
        review `exclude_review` (this range's own) published already."""
        where, params = _added_range(since, before)
        sql = f"SELECT {_ITEM_COLUMNS} FROM items WHERE {' AND '.join(['1', *where])}"
        if not include_published:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.item_id = items.id "
                "AND ri.review_id IS NOT ?)"
            )
            params.append(exclude_review)
        sql += " ORDER BY coalesce(position, id) ASC, id ASC"
        rows = self._hydrate([self._row_to_item(r) for r in self._q(sql, params)])
        if exclude_review is not None:
            # Its own items stay its own, even if their day no longer falls in the range.
            # (A second query, by key: an OR here would scan every item.)
            found = {item.id for item in rows}
            own = sorted(self.review_item_ids(exclude_review) - found)
            if own:
                rows += self.get_many(own)
                rows.sort(key=lambda i: (i.position if i.position is not None else i.id, i.id))
        return rows

    def published_in_range(
        self, since: str | None, before: str | None, *, exclude_review: int | None = None
    ) -> dict[int, int]:
        """How many items added at instants in [since, before) each review (but
        `exclude_review`) published."""
        where, params = _added_range(since, before)
        rows = self._q(
            "SELECT ri.review_id, count(DISTINCT items.id) FROM items JOIN review_items ri "
            f"ON ri.item_id = items.id WHERE {' AND '.join(['1', *where])} "
            "AND ri.review_id IS NOT ? "
            "GROUP BY ri.review_id ORDER BY ri.review_id",
            [*params, exclude_review],
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def find_review(
        self, start: str, end: str, *, kind: str | None = None
    ) -> dict[str, Any] | None:
        """The composed review of exactly this range, whatever its formats: a weekly one,
        or the recap of that `kind`."""
        rows = self._q(
            "SELECT * FROM reviews WHERE start = ? AND end = ? AND imported = 0 "
            "AND kind IS ? ORDER BY id DESC LIMIT 1",
            [start, end, kind],
        )
        return dict(rows[0]) if rows else None

    def record_review(
        self,
        review: dict[str, Any],
        item_ids: Sequence[int],
        *,
        review_id: int | None = None,
        file: dict[str, Any] | None = None,
        skipped: Sequence[int] = (),
    ) -> int:
        """Insert or replace a review, the list of what it published, and the file written;
        the pending skips of `skipped` (the items it left out) become this review's."""
        with self.write():
            if review_id is None:
                review_id = _pk(self.db.table("reviews").insert(review).last_pk)
            else:
                self.db.table("reviews").update(review_id, review)
                self.db.execute("DELETE FROM review_items WHERE review_id = ?", [review_id])
            self._insert_review_items(
                (review_id, item_id, pos) for pos, item_id in enumerate(item_ids)
            )
            if file is not None:
                self.db.execute(
                    "INSERT OR REPLACE INTO review_files (path, review_id, format, sha256, "
                    "written_at) VALUES (?, ?, ?, ?, ?)",
                    [file["path"], review_id, file["format"], file["sha256"], file["written_at"]],
                )
            if skipped:
                self.db.execute(
                    f"UPDATE skips SET review_id = ? WHERE review_id IS NULL AND item_id IN "
                    f"({','.join('?' * len(skipped))})",
                    [review_id, *skipped],
                )
            return review_id

    def file_hash(self, path: str) -> str | None:
        """The hash of the review file revue last wrote at `path`, if any."""
        rows = self._q("SELECT sha256 FROM review_files WHERE path = ?", [path])
        return str(rows[0][0]) if rows else None

    def review_post(self, review_id: int, site: str) -> dict[str, Any] | None:
        """Where revue published review `review_id` on the blog `site`, if it did."""
        rows = self._q(
            "SELECT * FROM review_posts WHERE review_id = ? AND site = ?", [review_id, site]
        )
        return dict(rows[0]) if rows else None

    def review_posts(self) -> dict[int, list[dict[str, Any]]]:
        """Every recorded post, by review id (a review may be on several blogs)."""
        out: dict[int, list[dict[str, Any]]] = {}
        for row in self._q("SELECT * FROM review_posts ORDER BY review_id, site"):
            out.setdefault(int(row["review_id"]), []).append(dict(row))
        return out

    def record_post(self, record: dict[str, Any]) -> None:
        """Remember the post a review was last written to on a blog (replacing an older one)."""
        with self.write():
            self.db.execute(
                f"INSERT OR REPLACE INTO review_posts ({', '.join(_POST_COLUMNS)}) "
                f"VALUES ({', '.join('?' * len(_POST_COLUMNS))})",
                [record.get(k) for k in _POST_COLUMNS],
            )

    def sent_to(self, review_id: int, site: str) -> dict[str, str]:
        """The addresses review `review_id` was sent to by `site`, with each Message-ID."""
        rows = self._q(
            "SELECT address, message_id FROM review_sends WHERE review_id = ? AND site = ?",
            [review_id, site],
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def record_sent(
        self, review_id: int, site: str, addresses: Sequence[str], message_id: str, now: str
    ) -> None:
        """Remember that `addresses` received review `review_id` from `site` (one commit)."""
        with self.write():
            self.db.conn.executemany(
                "INSERT OR REPLACE INTO review_sends (review_id, site, address, message_id, "
                "sent_at) VALUES (?, ?, ?, ?, ?)",
                [(review_id, site, a.lower(), message_id, now) for a in addresses],
            )

    def forget_sent(self, review_id: int, site: str) -> None:
        """Forget whom review `review_id` was sent to by `site` (a --resend)."""
        with self.write():
            self.db.execute(
                "DELETE FROM review_sends WHERE review_id = ? AND site = ?", [review_id, site]
            )

    def import_batch(
        self,
        entries: Sequence[dict[str, Any]],
        reviews: Sequence[tuple[dict[str, Any], Sequence[int]]],
        *,
        now: str,
    ) -> list[AddOutcome]:
        """Imported items and the past reviews that published them (by index into
        `entries`), in one transaction: all stored, or none."""
        with self.write():
            return self._import_locked(entries, reviews, now=now)

    def import_batches(
        self,
        batches: Iterable[
            tuple[Sequence[dict[str, Any]], Sequence[tuple[dict[str, Any], Sequence[int]]]]
        ],
        *,
        now: str,
        on_batch: Callable[[list[AddOutcome]], None],
    ) -> None:
        """`import_batch` of each (entries, reviews) batch as `batches` yields it, all in one
        transaction: all stored, or none (an exception from `batches` stores nothing). An
        import of any size holds one batch at a time; `on_batch` hears each one's outcomes."""
        with self.write():
            for entries, reviews in batches:
                on_batch(self._import_locked(entries, reviews, now=now))

    def _import_locked(
        self,
        entries: Sequence[dict[str, Any]],
        reviews: Sequence[tuple[dict[str, Any], Sequence[int]]],
        *,
        now: str,
    ) -> list[AddOutcome]:
        outcomes = self._add_many_locked(entries, now=now)
        for record, indexes in reviews:
            ids = list(dict.fromkeys(outcomes[i].item.id for i in indexes))
            review_id = _pk(
                self.db.table("reviews")
                .insert({**record, "imported": 1, "item_count": len(ids)})
                .last_pk
            )
            self._insert_review_items((review_id, item_id, pos) for pos, item_id in enumerate(ids))
        return outcomes

    def _insert_review_items(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Record that reviews published items: (review id, item id, position) rows, inside
        a write; a row already there (the same item twice in a review) is kept as it was."""
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO review_items (review_id, item_id, position) VALUES (?, ?, ?)",
            rows,
        )

    def reviews(self) -> list[dict[str, Any]]:
        return [dict(r) for r in self._q("SELECT * FROM reviews ORDER BY end DESC, id DESC")]

    def get_review(self, review_id: int) -> dict[str, Any]:
        rows = self._q("SELECT * FROM reviews WHERE id = ?", [review_id])
        if not rows:
            raise NotFound(f"no review #{review_id}")
        return dict(rows[0])

    def remove_review(self, review_id: int) -> dict[str, Any]:
        """Forget a review: its row, the order of its items, its files, its posts and the
        skips it honoured; never an item (they are the curator's, and become unpublished).
        Raises NotFound (and deletes nothing) for an unknown id. Returns the review's row."""
        with self.write():
            rows = self._q("SELECT * FROM reviews WHERE id = ?", [review_id])
            if not rows:
                raise NotFound(f"no review #{review_id} (see revue reviews)")
            for table in ("review_items", "review_files", "review_posts", "review_sends", "skips"):
                self.db.execute(f"DELETE FROM {table} WHERE review_id = ?", [review_id])
            self.db.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            return dict(rows[0])

    def review_items(self, review_id: int) -> list[Item]:
        ids = [
            r[0]
            for r in self._q(
                "SELECT item_id FROM review_items WHERE review_id = ? ORDER BY position",
                [review_id],
            )
        ]
        return self.get_many(ids)

    def review_item_ids(self, review_id: int) -> set[int]:
        """The items review `review_id` published, as last recorded."""
        rows = self._q("SELECT item_id FROM review_items WHERE review_id = ?", [review_id])
        return {int(r[0]) for r in rows}

    # -- stars: the curator's picks for the year's recap --------------------------------------

    def set_starred(self, ids: Sequence[int], starred: bool) -> list[int]:
        """Star (or unstar) items; raises NotFound, changing nothing, when one is unknown.
        Returns the ids whose star changed."""
        with self.write():
            changed: list[int] = []
            for item_id in ids:
                row = self.db.execute(
                    "SELECT starred FROM items WHERE id = ?", [item_id]
                ).fetchone()
                if row is None:
                    raise NotFound(f"no item #{item_id}")
                if bool(row[0]) != starred:
                    changed.append(item_id)
            self.db.conn.executemany(
                "UPDATE items SET starred = ? WHERE id = ?",
                [(int(starred), item_id) for item_id in changed],
            )
            return changed

    # -- skips: items left out of the review being prepared --------------------------------

    def skipped_ids(self, *, review_id: int | None = None) -> set[int]:
        """Items skipped from the review being prepared: a pending skip (no review composed
        since), or one that review `review_id` (the same range, composed again) honoured."""
        rows = self._q(
            "SELECT DISTINCT item_id FROM skips WHERE review_id IS NULL OR review_id IS ?",
            [review_id],
        )
        return {int(r[0]) for r in rows}

    def set_skipped(
        self,
        item_id: int,
        skipped: bool,
        *,
        start: str,
        end: str,
        now: str,
        review_id: int | None = None,
    ) -> None:
        """Skip an item from the review of [start, end] (`review_id`: that range's recorded
        review, if composed already), or keep it again. Nothing is deleted but the mark."""
        with self.write():
            if self.db.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone() is None:
                raise NotFound(f"no item #{item_id}")
            self.db.execute(
                "DELETE FROM skips WHERE item_id = ? AND (review_id IS NULL OR review_id IS ?)",
                [item_id, review_id],
            )
            if skipped:
                self.db.execute(
                    "INSERT INTO skips (item_id, start, end, review_id, skipped_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [item_id, start, end, review_id, now],
                )

    # -- the inbox -----------------------------------------------------------------------

    def inbox_seen(self, folder: str, uidvalidity: int) -> dict[str, str]:
        """The folder's messages already handled (filed, ignored or failed): UID -> kind."""
        rows = self._q(
            "SELECT uid, kind FROM inbox_messages WHERE folder = ? AND uidvalidity = ?",
            [folder, uidvalidity],
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def inbox_known_id(self, message_id: str) -> bool:
        """Whether a message of this Message-ID was filed already (from any folder)."""
        rows = self._q(
            "SELECT 1 FROM inbox_messages WHERE message_id = ? AND kind != 'failed' LIMIT 1",
            [message_id],
        )
        return bool(rows)

    def file_message(
        self,
        record: dict[str, Any],
        *,
        items: Sequence[dict[str, Any]] = (),
        candidates: Sequence[dict[str, Any]] = (),
        now: str,
    ) -> tuple[list[AddOutcome], int]:
        """File one message in one transaction: its links as items (`add_many`'s entries)
        or as candidates, and its row in the inbox's record; all of it or nothing, so a pull
        interrupted anywhere files it whole when run again. Returns the items' outcomes and
        the number of new candidates (a story already a candidate or an item is not one)."""
        with self.write():
            outcomes = self._add_many_locked(items, now=now) if items else []
            fresh = 0
            for candidate in candidates:
                key = candidate["key"]
                if self.db.execute("SELECT 1 FROM item_keys WHERE key = ?", [key]).fetchone():
                    continue  # already an item: nothing to choose
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO candidates (key, url, title, newsletter, message_id, "
                    "found_at) VALUES (?, ?, ?, ?, ?, ?)",
                    [
                        key,
                        candidate["url"],
                        candidate.get("title"),
                        candidate["newsletter"],
                        record.get("message_id"),
                        now,
                    ],
                )
                fresh += cursor.rowcount
            self.db.execute(
                "INSERT OR REPLACE INTO inbox_messages (folder, uidvalidity, uid, message_id, "
                "subject, kind, links, error, filed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    record["folder"],
                    record["uidvalidity"],
                    record["uid"],
                    record.get("message_id"),
                    record.get("subject"),
                    record["kind"],
                    len(outcomes) + fresh,
                    record.get("error"),
                    now,
                ],
            )
            return outcomes, fresh

    def candidates(
        self, since: str | None = None, before: str | None = None
    ) -> list[dict[str, Any]]:
        """The candidates not items yet, found in [since, before) (stored instants), by
        newsletter then in the order they were found."""
        # A story the curator added since (by hand, from another newsletter) is no candidate.
        where = ["item_id IS NULL", "key NOT IN (SELECT key FROM item_keys)"]
        params: list[str] = []
        if since is not None:
            where.append("found_at >= ?")
            params.append(since)
        if before is not None:
            where.append("found_at < ?")
            params.append(before)
        rows = self._q(
            f"SELECT * FROM candidates WHERE {' AND '.join(where)} ORDER BY newsletter, id",
            params,
        )
        return [dict(r) for r in rows]

    def keep_candidate(self, candidate_id: int, *, now: str) -> AddOutcome:
        """Make a candidate an item (stored pending, as `add` stores a link, added when its
        newsletter came), credited to it: `via « Name »`; the candidate remembers the item."""
        with self.write():
            row = self.db.execute(
                "SELECT url, title, newsletter, item_id, found_at FROM candidates WHERE id = ?",
                [candidate_id],
            ).fetchone()
            if row is None:
                raise NotFound(f"no candidate #{candidate_id}")
            url, title, newsletter, item_id, found_at = row
            if item_id is not None:
                return AddOutcome(self._get_locked(int(item_id)), False, [])
            extra: dict[str, Any] = {"via": f"« {newsletter} »"}
            if title:
                extra["title"] = title  # the page's own title replaces it when fetched
            # Dated when the newsletter came: it stays in the range it was found for.
            outcome = self._add_locked(
                url,
                now=now,
                added_at=found_at,
                source="inbox",
                extra=extra,
                own=("via",),  # curate.MAILED
            )
            self.db.execute(
                "UPDATE candidates SET item_id = ? WHERE id = ?", [outcome.item.id, candidate_id]
            )
            return outcome

    # -- feeds ---------------------------------------------------------------------------

    def add_feed(self, record: dict[str, Any]) -> tuple[dict[str, Any], bool]:
        with self.write():
            row = self.db.execute("SELECT id FROM feeds WHERE url = ?", [record["url"]]).fetchone()
            if row:
                return self.get_feed(int(row[0])), False
            feed_id = _pk(self.db.table("feeds").insert(record).last_pk)
            return self.get_feed(feed_id), True

    def get_feed(self, feed_id: int) -> dict[str, Any]:
        rows = self._q("SELECT * FROM feeds WHERE id = ?", [feed_id])
        if not rows:
            raise NotFound(f"no feed #{feed_id}")
        feed = dict(rows[0])
        feed["tags"] = json.loads(feed.get("tags") or "[]")
        return feed

    def feeds(self) -> list[dict[str, Any]]:
        return [self.get_feed(int(r[0])) for r in self._q("SELECT id FROM feeds ORDER BY id")]

    def update_feed(self, feed_id: int, fields: dict[str, Any]) -> None:
        with self.write():
            self.db.table("feeds").update(feed_id, fields)

    def remove_feed(self, feed_id: int) -> dict[str, Any]:
        with self.write():
            feed = self.get_feed(feed_id)
            self.db.execute("DELETE FROM feeds WHERE id = ?", [feed_id])
            return feed

    def restore(self, data: dict[str, Any], *, now: str) -> dict[str, int]:
        """Load a dump held in memory (see `restore_stream`, which this feeds); its records go
        through the checks of `imports.read_revue_export` first."""
        if data.get("format") != DUMP_FORMAT or not isinstance(data.get("items"), list):
            raise ValueError("not a revue export (format revue-export)")
        return self.restore_stream(_dump_events(data), now=now)

    def restore_stream(
        self,
        events: Iterable[tuple[str, int, Any]],
        *,
        now: str,
        on_skip: Callable[[int, str], None] | None = None,
    ) -> dict[str, int]:
        """Load a dump as it is read (`imports.read_revue_export`'s events: items, then their
        reviews, feeds and skips). Into an empty store, ids and all are restored exactly,
        `_RESTORE_BATCH` items an executemany; otherwise items are merged by URL like any add,
        and reviews, feeds and skips are added with their items remapped. A record the reader
        refused is never stored (`on_skip` hears of it). All or nothing: one transaction.
        Returns counts (added, merged, skipped, reviews, feeds). Raises ValueError for a
        damaged dump (nothing is stored then)."""
        conn = self.db.conn
        cache = conn.execute("PRAGMA cache_size").fetchone()[0]
        # A larger page cache while the rows go in: with SQLite's default 2 MB, the pages of the
        # items, their keys, tags and full-text index spill to the WAL and are written there
        # again and again (twice the writes of a load table by table).
        conn.execute(f"PRAGMA cache_size = {-_RESTORE_CACHE_KB}")
        try:
            return self._restore_locked(events, now=now, on_skip=on_skip)
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache)}")

    def _restore_locked(
        self,
        events: Iterable[tuple[str, int, Any]],
        *,
        now: str,
        on_skip: Callable[[int, str], None] | None,
    ) -> dict[str, int]:
        with self.write():
            loader = _Restorer(self, now)
            try:
                for kind, index, value in events:
                    if kind == "header":
                        version = value.get("version", 0)
                        if version > DUMP_VERSION:
                            raise ValueError(f"made by a newer revue (export version {version})")
                    elif kind == "item":
                        loader.item(value)
                    elif kind == "refused":
                        loader.counts["skipped"] += 1
                        if on_skip is not None:
                            on_skip(index, str(value))
                    else:
                        loader.flush()
                        if kind == "review":
                            loader.review(value)
                        elif kind == "feed":
                            loader.feed(value)
                        elif kind == "skip":
                            loader.skip(value)
                loader.flush()
            except (KeyError, TypeError, sqlite3.IntegrityError) as exc:
                raise ValueError(f"damaged revue export ({type(exc).__name__}: {exc})") from None
            return loader.counts

    def backup(self, target: Path) -> None:
        """A consistent copy of the live database (SQLite's online backup API) in a new file.

        The copy is made under a temporary name in the target's folder and linked to its name
        only when whole: a kill leaves no file (and no -journal) under that name. Raises
        BadInput when the name is taken (by anything: a file, a link, a FIFO) or its folder
        cannot be written, StoreError when the database cannot be read or the disk is full."""
        if os.path.lexists(target):
            raise BadInput(f"backup {target}: already exists; choose a new file")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            try:
                os.fchmod(fd, new_file_mode())
            finally:
                os.close(fd)
        except OSError as exc:
            raise BadInput(f"backup {target}: cannot write ({exc.strerror or exc})") from None
        try:
            dest = sqlite3.connect(tmp)
            try:
                # No -journal beside the temporary copy: a kill leaves one file to sweep, not two.
                dest.execute("PRAGMA journal_mode = OFF")
                self.db.conn.backup(dest)
            finally:
                dest.close()
            with open(tmp, "rb") as handle:
                os.fsync(handle.fileno())
            try:
                # A hard link never replaces a name taken meanwhile (os.replace would).
                os.link(tmp, target)
            except FileExistsError:
                raise BadInput(f"backup {target}: already exists; choose a new file") from None
            except OSError as exc:
                if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                    raise
                os.replace(tmp, target)  # a file system without hard links
        except sqlite3.Error as exc:
            raise StoreError(f"backup {target}: {exc}") from None
        except OSError as exc:
            raise write_failure(exc, f"backup {target}: cannot write") from None
        finally:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        sync_folder(target.parent)


# Columns a restore or an import may set on a new item besides the curator's fields.
_EXTRA_OK = frozenset(_PAGE_COLUMNS) | {
    "status",
    "error",
    "http_status",
    "content_type",
    "paywalled",
    "fetched_at",
    "attempts",
    "next_attempt_at",
    "position",
    "user_fields",
    "kind",
}


DUMP_FORMAT = "revue-export"
DUMP_VERSION = 1


# An item of the export, written by SQLite itself (as fast as the sqlite3 shell's `-json`,
# which the same query with the lists of tags and keys costs): the keys and order of
# `Item.to_json()` without `review` (derived from reviews[].items), then `source` and
# `keys`. tests/test_db.py keeps the two in step.
_TAGS_OF = (
    "json((SELECT json_group_array(name) FROM (SELECT t.name FROM item_tags it "
    "JOIN tags t ON t.id = it.tag_id WHERE it.item_id = items.id{only} ORDER BY it.rowid)))"
)
_DUMP_ITEM_FIELDS: tuple[tuple[str, str], ...] = (
    *((c, c) for c in ("id", "url", "original_url", *PAGE_FIELDS[1:])),
    *((c, c) for c in ("note", "lead", "quote", "section")),
    ("tags", _TAGS_OF.format(only="")),
    *((c, c) for c in ("status", "error", "added_at", "fetched_at", *EXTRA_PAGE_FIELDS, "kind")),
    ("hashtags", _TAGS_OF.format(only=" AND it.hashtag")),
    *((c, c) for c in ("http_status", "content_type")),
    ("attempts", "coalesce(attempts, 0)"),
    ("next_attempt_at", "next_attempt_at"),
    ("paywalled", "json(CASE WHEN paywalled THEN 'true' ELSE 'false' END)"),
    ("user_fields", "json(CASE WHEN user_fields IS NULL OR user_fields = '' THEN '[]' "
                    "ELSE user_fields END)"),
    ("position", "position"),
    ("starred", "json(CASE WHEN starred THEN 'true' ELSE 'false' END)"),
    ("source", "source"),
    # In the order they were stored: a set, and no sort per item.
    ("keys", "json((SELECT json_group_array(key) FROM item_keys WHERE item_id = items.id))"),
)  # fmt: skip
_DUMP_ITEM_SQL = "SELECT json_object({}) FROM items".format(
    ", ".join(f"'{name}', {expr}" for name, expr in _DUMP_ITEM_FIELDS)
)
# One shared encoder: json.dumps builds a new one at every call that passes options.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def iter_dump(
    store: Store,
    *,
    now: str,
    since: str | None = None,
    before: str | None = None,
    tag: str | None = None,
    ids: Sequence[int] | None = None,
) -> Iterator[str]:
    """Everything in the store, losslessly, as JSON text written piece by piece: items
    (every field, tags, keys), reviews (their items, files and posts), feeds, skips;
    `since`/`before` (as `iter_items`), `tag` and `ids` filter the items only.

    The layout is `revue export --format json`'s: the top object indented by two spaces,
    one item (one review, one feed) a line, so a reader can take it a line at a time and
    `grep`/`diff` see one item a line. Memory stays flat whatever the number of items: the
    text goes out `_CHUNK` items at a time, read inside one snapshot of the database."""
    header = {"format": DUMP_FORMAT, "version": DUMP_VERSION, "exported_at": now}
    where, params = store._filters(since, before, tag, None, False, ids)
    sql = _DUMP_ITEM_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    conn = store.db.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: items, reviews and feeds of the same moment
    try:
        yield "{\n" + "".join(f'  "{k}": {_ENCODE(v)},\n' for k, v in header.items())
        items = ([r[0] for r in rows] for rows in store._rows(sql, params, factory=None))
        yield from _json_list("items", items)
        yield ",\n"
        yield from _json_list("reviews", _pieces(_ENCODE(r) for r in _dump_reviews(store)))
        yield ",\n"
        yield from _json_list("feeds", _pieces(_ENCODE(f) for f in store.feeds()))
        yield ",\n"
        skips = store._rows(
            "SELECT item_id, start, end, review_id, skipped_at FROM skips ORDER BY rowid"
        )
        yield from _json_list("skips", ([_ENCODE(dict(r)) for r in rows] for rows in skips))
        yield "\n}\n"
    finally:
        # Also when the export stopped half-way (a full disk) and the store is closed by now.
        with contextlib.suppress(sqlite3.Error):
            if own and conn.in_transaction:
                conn.execute("COMMIT")


def _json_list(name: str, pieces: Iterable[list[str]]) -> Iterator[str]:
    """`  "name": [` then one element a line, a piece of elements at a time, then `  ]`."""
    opened = False
    for piece in pieces:
        if piece:
            yield (",\n    " if opened else f'  "{name}": [\n    ') + ",\n    ".join(piece)
            opened = True
    yield "\n  ]" if opened else f'  "{name}": []'


def _pieces(elements: Iterable[str], size: int = _CHUNK) -> Iterator[list[str]]:
    piece: list[str] = []
    for element in elements:
        piece.append(element)
        if len(piece) >= size:
            yield piece
            piece = []
    yield piece


def _dump_reviews(store: Store) -> Iterator[dict[str, Any]]:
    all_posts = store.review_posts()  # a few per review at most
    for rows in store._rows("SELECT * FROM reviews ORDER BY id"):
        for row in rows:
            review = dict(row)
            ids = [
                int(r[0])
                for r in store._q(
                    "SELECT item_id FROM review_items WHERE review_id = ? ORDER BY position",
                    [review["id"]],
                )
            ]
            files = [
                dict(r)
                for r in store._q(
                    "SELECT path, format, sha256, written_at FROM review_files "
                    "WHERE review_id = ? ORDER BY path",
                    [review["id"]],
                )
            ]
            posts = [
                {k: post.get(k) for k in _POST_COLUMNS[1:]}
                for post in all_posts.get(review["id"], [])
            ]
            yield {**review, "items": ids, "files": files, "posts": posts}


def dump(store: Store, *, now: str) -> dict[str, Any]:
    """The whole export as one object (tests and small stores; `iter_dump` streams it)."""
    data: dict[str, Any] = json.loads("".join(iter_dump(store, now=now)))
    return data


_ITEM_DUMP_COLUMNS = [*(c.strip() for c in _ITEM_COLUMNS.split(",")), "source"]
_COL = {name: i for i, name in enumerate(_ITEM_DUMP_COLUMNS)}
_DUMP_ROW = operator.itemgetter(*_ITEM_DUMP_COLUMNS)
_RESTORE_BATCH = 2000  # items an executemany (about 4 MB of rows)
_RESTORE_CACHE_KB = 32 * 1024


def _dump_events(data: dict[str, Any]) -> Iterator[tuple[str, int, Any]]:
    """A dump held in memory as the events `imports.read_revue_export` yields."""
    from revue.formats.imports import read_revue_export

    # The same reader as a file's: one set of checks, one order of events.
    yield from read_revue_export([json.dumps(data).encode("utf-8")])


class _Restorer:
    """The writes of one restore, inside its transaction (see `restore_stream`)."""

    def __init__(self, store: Store, now: str) -> None:
        self.store = store
        self.db = store.db
        self.now = now
        self.counts = {"added": 0, "merged": 0, "skipped": 0, "reviews": 0, "feeds": 0}
        self.empty = self.db.execute("SELECT count(*) FROM items").fetchone()[0] == 0
        self.batch: list[dict[str, Any]] = []
        self.batch_keys: dict[str, int] = {}  # URL key -> item id, of the waiting batch's
        # Into an empty store, old item id -> the item it merged into: only items whose
        # record had no `keys` and met an earlier one's URL (an export's items never do).
        self.merged_into: dict[int, int] = {}
        self.review_map: dict[int, int] = {}  # old review id -> new (a few thousand)
        if not self.empty:
            # old item id -> new id, on disk rather than in a dict: a million entries would
            # not keep memory flat. Temporary: gone with the connection.
            self.db.execute(
                "CREATE TEMP TABLE IF NOT EXISTS restore_ids (old INTEGER PRIMARY KEY, new INTEGER)"
            )
            self.db.execute("DELETE FROM temp.restore_ids")
        self.feed_columns = {r[1] for r in self.db.execute("PRAGMA table_info(feeds)")}
        marks = ", ".join("?" * len(_ITEM_DUMP_COLUMNS))
        self.insert_item = f"INSERT INTO items ({', '.join(_ITEM_DUMP_COLUMNS)}) VALUES ({marks})"

    def new_id(self, old: int) -> int | None:
        """The id the item `old` of the dump has in the store, if it was stored."""
        if self.empty:
            if old in self.merged_into:
                return self.merged_into[old]
            found = self.db.execute("SELECT id FROM items WHERE id = ?", [old]).fetchone()
        else:
            found = self.db.execute(
                "SELECT new FROM temp.restore_ids WHERE old = ?", [old]
            ).fetchone()
        return int(found[0]) if found else None

    def item(self, raw: dict[str, Any]) -> None:
        if self.empty:
            if not raw.get("keys") and raw.get("kind") != "text" and raw.get("url"):
                # A record without the keys an export writes: its URL's, so that two such
                # records of one story make one item, as they would in a store with items.
                link = raw.get("original_url") or raw["url"]
                keys = urls.stored_keys(link)[1]
                known = self._known_item(keys)
                if known is not None:
                    self.flush()  # the item merged into may be waiting in the batch
                    self.merged_into[int(raw["id"])] = self._add_or_merge(raw)
                    return
                raw = {**raw, "keys": keys}
            for key in raw.get("keys") or ():
                self.batch_keys.setdefault(key, raw["id"])
            self.batch.append(raw)
            if len(self.batch) >= _RESTORE_BATCH:
                self.flush()
            return
        new_id = self._add_or_merge(raw)
        self.db.execute(
            "INSERT OR REPLACE INTO temp.restore_ids (old, new) VALUES (?, ?)",
            [int(raw["id"]), new_id],
        )

    def _known_item(self, keys: Sequence[str]) -> int | None:
        """The item (stored, or waiting in the batch) one of `keys` is a key of."""
        for key in keys:
            if key in self.batch_keys:
                return self.batch_keys[key]
            row = self.db.execute("SELECT item_id FROM item_keys WHERE key = ?", [key]).fetchone()
            if row:
                return int(row[0])
        return None

    def _add_or_merge(self, raw: dict[str, Any]) -> int:
        """Store the item of `raw` like any add (merged into the item its URL is known by);
        its id in the store."""
        if raw.get("kind") == "text" or not raw.get("url"):
            # A text block has no URL to merge on: the same text added at the same moment
            # is the same block (re-importing a backup must not duplicate it).
            same = self.db.execute(
                "SELECT id FROM items WHERE kind = 'text' AND note IS ? AND added_at = ?",
                [raw.get("note"), raw.get("added_at")],
            ).fetchone()
            if same:
                new_id = int(same[0])
                self.counts["merged"] += 1
            else:
                new_id = self.store._add_text_locked(raw.get("note") or "", now=self.now, raw=raw)
                self.counts["added"] += 1
        else:
            extra = {k: raw.get(k) for k in _EXTRA_OK if raw.get(k) is not None}
            extra["user_fields"] = json.dumps(raw.get("user_fields") or [])
            extra["paywalled"] = int(bool(raw.get("paywalled")))
            hashtags = raw.get("hashtags") or []
            outcome = self.store._add_locked(
                raw.get("original_url") or raw["url"],
                now=self.now,
                note=raw.get("note"),
                tags=[t for t in raw.get("tags") or [] if t not in hashtags],
                hashtags=hashtags,
                section=raw.get("section"),
                lead=raw.get("lead"),
                quote=raw.get("quote"),
                added_at=raw.get("added_at"),
                source=raw.get("source") or "import:revue-json",
                title=raw.get("title"),
                summary=raw.get("summary"),
                extra=extra,
            )
            new_id = outcome.item.id
            self.counts["added" if outcome.created else "merged"] += 1
        if raw.get("starred"):
            # A star is kept through a merge: the curator picked the story, whichever copy.
            self.db.execute("UPDATE items SET starred = 1 WHERE id = ?", [new_id])
        return new_id

    def flush(self) -> None:
        """Store the waiting items of an empty store: one executemany a table."""
        if not self.batch:
            return
        now = self.now
        rows = []
        keys: list[tuple[str, int]] = []
        tag_rows: list[tuple[int, int, int]] = []
        for raw in self.batch:
            item_id = raw["id"]
            user_fields = raw.get("user_fields")
            try:
                row = list(_DUMP_ROW(raw))  # one C call when the item has every field
            except KeyError:
                row = [raw.get(c) for c in _ITEM_DUMP_COLUMNS]
            row[_COL["user_fields"]] = json.dumps(user_fields) if user_fields else "[]"
            row[_COL["paywalled"]] = int(bool(raw.get("paywalled")))
            row[_COL["starred"]] = int(bool(raw.get("starred")))
            row[_COL["attempts"]] = raw.get("attempts") or 0
            row[_COL["kind"]] = raw.get("kind") or "link"
            row[_COL["status"]] = raw.get("status") or "pending"
            row[_COL["added_at"]] = raw.get("added_at") or now
            rows.append(row)
            keys.extend((key, item_id) for key in raw.get("keys") or ())
            tags = raw.get("tags") or []
            hashtags = raw.get("hashtags") or []
            if tags or hashtags:
                # The item's order of tags is kept; a tag written as #tag is flagged.
                extra = [h for h in hashtags if h not in tags]
                attached = self.store._tag_rows([*tags, *extra], hashtags)
                tag_rows.extend((item_id, t, flag) for t, flag in attached.items())
        self.batch = []
        self.batch_keys.clear()
        self.db.conn.executemany(self.insert_item, rows)
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)", keys
        )
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
            tag_rows,
        )
        self.counts["added"] += len(rows)

    def review(self, review: dict[str, Any]) -> None:
        record = {
            k: review.get(k)
            for k in [
                "title",
                "start",
                "end",
                "lang",
                "style",
                "format",
                "path",
                "sha256",
                "composed_at",
                "item_count",
                "imported",
                "kind",
            ]
        }
        record["imported"] = int(bool(record.get("imported")))
        if self.empty:
            record["id"] = int(review["id"])
        else:
            same = self.db.execute(
                "SELECT id FROM reviews WHERE title IS ? AND start IS ? AND end IS ? "
                "AND composed_at IS ?",
                [record["title"], record["start"], record["end"], record["composed_at"]],
            ).fetchone()
            if same:
                # This very review is here already (a backup imported twice).
                self.review_map[int(review["id"])] = int(same[0])
                return
        review_id = _pk(self.db.table("reviews").insert(record).last_pk)
        self.review_map[int(review["id"])] = review_id
        # Only items that were stored: a refused item is in no review.
        olds = [int(old) for old in review.get("items") or []]
        self.store._insert_review_items(
            (review_id, new, pos)
            for pos, old in enumerate(olds)
            if (new := self.new_id(old)) is not None
        )
        for f in review.get("files") or []:
            self.db.execute(
                "INSERT OR REPLACE INTO review_files (path, review_id, format, sha256, "
                "written_at) VALUES (?, ?, ?, ?, ?)",
                [f["path"], review_id, f.get("format"), f.get("sha256"), f.get("written_at")],
            )
        for post in review.get("posts") or []:
            # A post has a number (a blog's) or a target's own name for it (`ref`).
            if (
                isinstance(post, dict)
                and post.get("site")
                and (post.get("post_id") or post.get("ref"))
            ):
                self.db.execute(
                    f"INSERT OR REPLACE INTO review_posts ({', '.join(_POST_COLUMNS)}) "
                    f"VALUES ({', '.join('?' * len(_POST_COLUMNS))})",
                    [review_id, *(post.get(k) for k in _POST_COLUMNS[1:])],
                )
        self.counts["reviews"] += 1

    def feed(self, feed: dict[str, Any]) -> None:
        if self.db.execute("SELECT 1 FROM feeds WHERE url = ?", [feed["url"]]).fetchone():
            return
        # Only the table's own columns: a key of the file never becomes SQL.
        record = {
            k: v for k, v in feed.items() if k in self.feed_columns and (k != "id" or self.empty)
        }
        record["tags"] = json.dumps(feed.get("tags") or [])
        self.db.table("feeds").insert(record)
        self.counts["feeds"] += 1

    def skip(self, skip: Any) -> None:
        try:
            item = self.new_id(int(skip["item_id"]))
            old_review = skip.get("review_id")
            review_ref = self.review_map.get(int(old_review)) if old_review is not None else None
            span = (str(skip["start"]), str(skip["end"]), str(skip["skipped_at"]))
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(
                "skips: each entry must be an object with item_id, start, end, skipped_at"
            ) from None
        if item is None or (old_review is not None and review_ref is None):
            return
        if self.db.execute(
            "SELECT 1 FROM skips WHERE item_id = ? AND review_id IS ?", [item, review_ref]
        ).fetchone():
            return
        self.db.execute(
            "INSERT INTO skips (item_id, start, end, review_id, skipped_at) VALUES (?, ?, ?, ?, ?)",
            [item, span[0], span[1], review_ref, span[2]],
        )
