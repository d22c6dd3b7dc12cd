"""The store's writes: `Transaction`, one write transaction and what it can do to items,
their tags and keys. It owns the tag cache, which lives exactly as long as it does.

Plain sqlite3 rather than sqlite-utils' tables here (sqlite-utils runs the migrations only):
every command that writes comes through these methods, an import thousands of times, and
`Table.insert` costs about 6x a plain INSERT a row (50 µs against 8 here), besides the import
of sqlite-utils at start-up (60 ms on a quiet machine)."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from revue import urls
from revue.errors import NotFound, StoreError
from revue.models import CURATOR_FIELDS, Item, NewItem, tag_name
from revue.store.reads import Reads
from revue.store.schema import (
    CHUNK,
    EXTRA_OK,
    ITEM_FIELDS,
    NEW_COLUMNS,
    PAGE_COLUMNS,
    PAYWALLED_AT,
    wrap,
)


@dataclass
class AddOutcome:
    item: Item
    created: bool
    merged_fields: list[str]  # curator fields (or tags) added to an existing item
    replaced_note: str | None = None  # the note a re-add replaced (`add` without --append-note)


@contextlib.contextmanager
def transaction(reads: Reads) -> Iterator[Transaction]:
    """One write transaction holding SQLite's write lock from its first statement
    (`BEGIN IMMEDIATE`: two processes queue on the busy timeout instead of failing with
    "database is locked" half-way); committed when the block ends, rolled back if it raises."""
    conn, path = reads.conn, reads.path
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as exc:
        raise wrap(path, exc) from None
    try:
        yield Transaction(reads)
    except sqlite3.Error as exc:
        # A read-only file or a full disk shows up here, at the first write: name the file.
        if conn.in_transaction:
            with contextlib.suppress(sqlite3.Error):
                conn.execute("ROLLBACK")
        raise wrap(path, exc) from None
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise wrap(path, exc) from None


class Transaction:
    """The writes of one transaction (see `transaction`); its reads are the store's."""

    def __init__(self, reads: Reads) -> None:
        self.reads = reads
        self.conn = reads.conn
        # Tags named in this transaction (an import names the same few again and again);
        # forgotten with it, since a rollback may take the new ones back.
        self._tag_ids: dict[str, int] = {}  # tag name -> id
        self._tag_names: dict[int, str] = {}  # tag id -> its stored name

    # -- rows ----------------------------------------------------------------------------

    def execute(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.conn.executemany(sql, rows)

    def insert(self, table: str, record: dict[str, Any]) -> int:
        """Insert a row of `table` (its columns by name); its id."""
        cols = ", ".join(f'"{c}"' for c in record)
        marks = ", ".join("?" * len(record))
        cur = self.conn.execute(
            f'INSERT INTO "{table}" ({cols}) VALUES ({marks})', list(record.values())
        )
        if cur.lastrowid is None:
            raise StoreError("insert returned no row id")
        return int(cur.lastrowid)

    def update(self, table: str, row_id: int, record: dict[str, Any]) -> None:
        """Set columns of row `row_id` of `table`; nothing when `record` is empty."""
        if record:
            sets = ", ".join(f'"{c}" = ?' for c in record)
            self.conn.execute(
                f'UPDATE "{table}" SET {sets} WHERE id = ?', [*record.values(), row_id]
            )

    def get(self, item_id: int) -> Item:
        """The item as this transaction sees it."""
        return self.reads.get(item_id)

    # -- tags and keys -------------------------------------------------------------------

    def tag_id(self, name: str) -> int:
        """The id of tag `name`, created if new."""
        tag_id = self._tag_ids.get(name)
        if tag_id is None:
            self.conn.execute("INSERT OR IGNORE INTO tags (name) VALUES (?)", [name])
            row = self.conn.execute("SELECT id, name FROM tags WHERE name = ?", [name]).fetchone()
            tag_id = self._tag_ids[name] = int(row[0])
            self._tag_names[tag_id] = str(row[1])  # its first spelling (names are NOCASE)
        return tag_id

    def add_tags(
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
        for name in map(tag_name, [*tags, *hashtags]):
            if not name:
                continue
            tag_id = self.tag_id(name)
            is_hash = 1 if name.lower() in hashset else 0
            cur = self.conn.execute(
                "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
                [item_id, tag_id, is_hash],
            )
            if cur.rowcount:
                added.append(name)
            elif is_hash:
                self.conn.execute(
                    "UPDATE item_tags SET hashtag = 1 WHERE item_id = ? AND tag_id = ?",
                    [item_id, tag_id],
                )
            if rows is not None:
                rows[tag_id] = rows.get(tag_id, 0) | is_hash
        return added

    def remove_tags(self, item_id: int, tags: Iterable[str]) -> None:
        for name in tags:
            self.conn.execute(
                "DELETE FROM item_tags WHERE item_id = ? AND tag_id = "
                "(SELECT id FROM tags WHERE name = ?)",
                [item_id, tag_name(name)],
            )

    def tag_rows(self, tags: Iterable[str], hashtags: Iterable[str]) -> dict[int, int]:
        """The rows `add_tags` would attach to a new item: tag id -> hashtag flag, in order."""
        attached: dict[int, int] = {}
        hashtags = list(hashtags)
        hashset = {h.lower() for h in hashtags}
        for name in map(tag_name, [*tags, *hashtags]):
            if name:
                tag_id = self.tag_id(name)
                attached[tag_id] = attached.get(tag_id, 0) | (name.lower() in hashset)
        return attached

    def add_key(self, item_id: int, url: str | None) -> None:
        if url and urls.is_http_url(url):
            self.conn.execute(
                "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
                [urls.dedup_key(url), item_id],
            )

    def item_of_key(self, key: str) -> int | None:
        """The item a URL key (`urls.dedup_key`) is a key of, if any."""
        row = self.conn.execute("SELECT item_id FROM item_keys WHERE key = ?", [key]).fetchone()
        return int(row[0]) if row else None

    def insert_review_items(self, rows: Iterable[tuple[int, int, int]]) -> None:
        """Record that reviews published items: (review id, item id, position) rows; a row
        already there (the same item twice in a review) is kept as it was."""
        self.conn.executemany(
            "INSERT OR IGNORE INTO review_items (review_id, item_id, position) VALUES (?, ?, ?)",
            rows,
        )

    # -- items ---------------------------------------------------------------------------

    def add_many(self, entries: Sequence[NewItem], *, now: str) -> list[AddOutcome]:
        """`add` of each entry, in order, with the same outcome; the new items go in with
        one executemany a table (an import brings thousands), the merges one by one.

        Merges are done after the new items are stored: a merge only changes the item it
        merges into, so the order of the two does not change what is stored."""
        outcomes: list[AddOutcome | None] = [None] * len(entries)
        prepared = [urls.stored_keys(entry.url) for entry in entries]
        known: set[str] = set()
        for start in range(0, len(entries), CHUNK):
            wanted = json.dumps([keys[0] for _, keys in prepared[start : start + CHUNK]])
            known.update(
                r[0]
                for r in self.conn.execute(
                    "SELECT key FROM item_keys WHERE key IN (SELECT value FROM json_each(?))",
                    [wanted],
                )
            )
        row = self.conn.execute("SELECT max(id) FROM items").fetchone()
        next_id = int(row[0] or 0) + 1
        rows: list[list[Any]] = []
        key_rows: list[tuple[str, int]] = []
        tag_rows: list[tuple[int, int, int]] = []
        merges: list[int] = []
        for index, (entry, (cleaned, keys)) in enumerate(zip(entries, prepared, strict=True)):
            if keys[0] in known:
                merges.append(index)
                continue
            record = new_record(entry, cleaned, now=now)
            item_id = next_id
            next_id += 1
            row = [item_id, *map(record.get, NEW_COLUMNS)]
            if "paywalled" not in record:
                row[PAYWALLED_AT] = 0  # the column's default, as an insert without it gives
            rows.append(row)
            if urls.is_http_url(entry.url):
                key_rows.extend((k, item_id) for k in keys)
            known.update(keys)
            attached = self.tag_rows(entry.tags, entry.hashtags)
            tag_rows.extend((item_id, t, flag) for t, flag in attached.items())
            outcomes[index] = AddOutcome(self._stored_item(item_id, record, attached), True, [])
        conn = self.conn
        conn.executemany(
            f"INSERT INTO items (id, {', '.join(NEW_COLUMNS)}) "
            f"VALUES ({', '.join('?' * (len(NEW_COLUMNS) + 1))})",
            rows,
        )
        conn.executemany("INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)", key_rows)
        conn.executemany(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) VALUES (?, ?, ?)",
            tag_rows,
        )
        for index in merges:
            outcomes[index] = self.add(entries[index], now=now)
        return [o for o in outcomes if o is not None]

    def _stored_item(self, item_id: int, record: dict[str, Any], attached: dict[int, int]) -> Item:
        """A new item as a read would give it, without reading it back."""
        data = {k: v for k, v in record.items() if k in ITEM_FIELDS}
        raw = data.get("user_fields")
        data["user_fields"] = json.loads(raw) if raw and raw != "[]" else []
        data["paywalled"] = bool(data.get("paywalled"))
        data["attempts"] = data.get("attempts") or 0
        item = Item(id=item_id, **data)
        item.tags = [self._tag_names[t] for t in attached]
        item.hashtags = [self._tag_names[t] for t, flag in attached.items() if flag]
        return item

    def add(self, entry: NewItem, *, now: str) -> AddOutcome:
        """Store a link (pending) or, if the story is already here, merge the curator's text.

        `entry.own`: page fields given in `extra` that are the curator's (a past review's
        via): a new item lists them in `user_fields`, even empty, so a fetch leaves them as
        given.

        On a link already here, a note is added after the item's (an import merges what it
        brings), or with `replace_note` takes its place (the curator re-adding the link says
        what it is now: the outcome's `replaced_note` is the one it replaced)."""
        cleaned, keys = urls.stored_keys(entry.url)
        known = self.item_of_key(keys[0])
        if known is not None:
            curator = {
                "note": entry.note, "lead": entry.lead, "quote": entry.quote,
                "section": entry.section,
            }  # fmt: skip
            return self._merge_add(
                known, curator, title=entry.title, summary=entry.summary, tags=entry.tags,
                hashtags=entry.hashtags, replace_note=entry.replace_note,
            )  # fmt: skip
        record = new_record(entry, cleaned, now=now)
        item_id = self.insert("items", record)
        if urls.is_http_url(entry.url):
            self.conn.executemany(
                "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
                [(k, item_id) for k in keys],
            )
        attached: dict[int, int] = {}
        self.add_tags(item_id, entry.tags, entry.hashtags, rows=attached)
        # The new item as it was stored, without reading it back.
        return AddOutcome(self._stored_item(item_id, record, attached), True, [])

    def _merge_add(
        self,
        item_id: int,
        curator: dict[str, str | None],
        *,
        title: str | None,
        summary: str | None,
        tags: Sequence[str],
        hashtags: Sequence[str],
        replace_note: bool,
    ) -> AddOutcome:
        """`add` of a story stored already as item `item_id`: the curator's text merged in."""
        merged: list[str] = []
        current = self.conn.execute(
            f"SELECT {', '.join(CURATOR_FIELDS)}, title, summary, user_fields FROM items "
            "WHERE id = ?",
            [item_id],
        ).fetchone()
        updates: dict[str, Any] = {}
        replaced: str | None = None
        for i, name in enumerate(CURATOR_FIELDS):
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
        self.update("items", item_id, updates)
        merged += [f"#{t}" for t in self.add_tags(item_id, tags, hashtags)]
        return AddOutcome(self.get(item_id), False, merged, replaced)

    def add_text(self, text: str, *, now: str, raw: dict[str, Any]) -> int:
        """A free text block (an item with no URL); `raw` may give its section, tags,
        added_at, source and position. Its id."""
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
        item_id = self.insert("items", record)
        self.add_tags(item_id, raw.get("tags") or [])
        return item_id

    def merge(self, item_id: int, *, into: int) -> None:
        """Fold item `item_id` into the earlier item `into`: curator text, tags, keys, and
        the first publication date it lacks."""
        columns = ", ".join((*CURATOR_FIELDS, "first_published"))
        src = self.conn.execute(f"SELECT {columns} FROM items WHERE id = ?", [item_id]).fetchone()
        dst = self.conn.execute(f"SELECT {columns} FROM items WHERE id = ?", [into]).fetchone()
        updates: dict[str, Any] = {}
        for i, name in enumerate(CURATOR_FIELDS):
            if src[i] and not dst[i]:
                updates[name] = src[i]
            elif src[i] and dst[i] and src[i] not in dst[i] and name != "section":
                updates[name] = f"{dst[i]}\n\n{src[i]}"
        if src[4] and not dst[4]:
            # The kept item keeps its page fields, but a first publication date the duplicate
            # learnt (from its page or its feed) is what the stale-news flag needs.
            updates["first_published"] = src[4]
        self.update("items", into, updates)
        self.conn.execute(
            "INSERT OR IGNORE INTO item_tags (item_id, tag_id, hashtag) "
            "SELECT ?, tag_id, hashtag FROM item_tags WHERE item_id = ?",
            [into, item_id],
        )
        self.conn.execute(
            "UPDATE OR IGNORE item_keys SET item_id = ? WHERE item_id = ?", [into, item_id]
        )
        published = self.conn.execute(
            "SELECT review_id, position FROM review_items WHERE item_id = ?", [item_id]
        ).fetchall()
        self.insert_review_items((review, into, pos) for review, pos in published)
        self.conn.execute("UPDATE skips SET item_id = ? WHERE item_id = ?", [into, item_id])
        self.conn.execute("UPDATE candidates SET item_id = ? WHERE item_id = ?", [into, item_id])
        self.delete([item_id])

    def delete(self, ids: Sequence[int]) -> None:
        """Delete items and every row that names them."""
        # json_each: one SQL variable whatever the number of ids.
        listed = json.dumps([int(i) for i in ids])
        for table in ("item_tags", "item_keys", "review_items", "skips", "candidates"):
            self.conn.execute(
                f"DELETE FROM {table} WHERE item_id IN (SELECT value FROM json_each(?))", [listed]
            )
        self.conn.execute(
            "DELETE FROM items WHERE id IN (SELECT value FROM json_each(?))", [listed]
        )

    def require_item(self, item_id: int) -> None:
        """Raise NotFound unless item `item_id` exists."""
        if self.conn.execute("SELECT 1 FROM items WHERE id = ?", [item_id]).fetchone() is None:
            raise NotFound(f"no item #{item_id}")


def new_record(entry: NewItem, cleaned: str, *, now: str) -> dict[str, Any]:
    """The row of a new link item (its columns; the others keep their defaults); `cleaned`
    is its URL as stored (`urls.stored_keys`)."""
    curator = {
        "note": entry.note,
        "lead": entry.lead,
        "quote": entry.quote,
        "section": entry.section,
    }
    user_fields = [n for n, v in (("title", entry.title), ("summary", entry.summary)) if v]
    user_fields += [n for n in entry.own if n in PAGE_COLUMNS and n not in user_fields]
    record: dict[str, Any] = {
        "kind": "link",
        "url": cleaned,
        "original_url": urls.strip_credentials(entry.url),
        "title": entry.title,
        "summary": entry.summary,
        "status": "pending",
        "added_at": entry.added_at or now,
        "attempts": 0,
        "user_fields": json.dumps(user_fields) if user_fields else "[]",
        "source": entry.source,
        **{k: v for k, v in curator.items() if v},
    }
    if entry.extra:
        record.update({k: v for k, v in entry.extra.items() if k in EXTRA_OK})
    return record
