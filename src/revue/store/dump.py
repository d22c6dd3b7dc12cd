"""Dump and restore: everything in the store as revue's JSON export, and back, as
functions over `Store`'s public surface (its reads, and the transaction `Store.write` gives).

The export streams (a chunk of items at a time, inside one snapshot), and so does the
restore (one transaction, `RESTORE_BATCH` items an executemany into an empty store)."""

from __future__ import annotations

import contextlib
import json
import operator
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from revue import urls
from revue.models import (
    CURATOR_FIELDS,
    EVERY_ITEM,
    EXTRA_PAGE_FIELDS,
    PAGE_FIELDS,
    ItemQuery,
    new_item,
)
from revue.store.reads import item_where
from revue.store.records import Records, insert_post, insert_skip, record_file
from revue.store.schema import CHUNK, EXTRA_OK, ITEM_COLUMN_NAMES, POST_COLUMNS
from revue.store.writes import Transaction

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
    *((c, c) for c in CURATOR_FIELDS),
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
    store: Records,
    *,
    now: str,
    query: ItemQuery = EVERY_ITEM,
) -> Iterator[str]:
    """Everything in the store, losslessly, as JSON text written piece by piece: items
    (every field, tags, keys), reviews (their items, files and posts), feeds, skips;
    `query`'s filters (as `iter_items`) select the items only, in the order of their ids.

    The layout is `revue export --format json`'s: the top object indented by two spaces,
    one item (one review, one feed) a line, so a reader can take it a line at a time and
    `grep`/`diff` see one item a line. Memory stays flat whatever the number of items: the
    text goes out `CHUNK` items at a time, read inside one snapshot of the database."""
    header = {"format": DUMP_FORMAT, "version": DUMP_VERSION, "exported_at": now}
    where, params = item_where(query)
    sql = _DUMP_ITEM_SQL + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY id"
    conn = store.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # one snapshot: items, reviews and feeds of the same moment
    try:
        yield "{\n" + "".join(f'  "{k}": {_ENCODE(v)},\n' for k, v in header.items())
        items = ([r[0] for r in rows] for rows in store.chunks(sql, params, factory=None))
        yield from _json_list("items", items)
        yield ",\n"
        yield from _json_list("reviews", _pieces(_ENCODE(r) for r in _dump_reviews(store)))
        yield ",\n"
        yield from _json_list("feeds", _pieces(_ENCODE(f.to_json()) for f in store.feeds()))
        yield ",\n"
        yield from _json_list("skips", _pieces(_ENCODE(s) for s in store.iter_skips()))
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


def _pieces(elements: Iterable[str], size: int = CHUNK) -> Iterator[list[str]]:
    piece: list[str] = []
    for element in elements:
        piece.append(element)
        if len(piece) >= size:
            yield piece
            piece = []
    yield piece


def _dump_reviews(store: Records) -> Iterator[dict[str, Any]]:
    all_posts = store.review_posts()  # a few per review at most
    for review in store.iter_reviews():
        ids = store.review_item_order(review.id)
        files = store.review_files(review.id)
        # A post without its review's id: it is the review's own.
        posts = [
            {k: v for k, v in post.to_json().items() if k != "review_id"}
            for post in all_posts.get(review.id, [])
        ]
        yield {**review.to_json(), "items": ids, "files": files, "posts": posts}


def dump(store: Records, *, now: str) -> dict[str, Any]:
    """The whole export as one object (tests and small stores; `iter_dump` streams it)."""
    data: dict[str, Any] = json.loads("".join(iter_dump(store, now=now)))
    return data


_ITEM_DUMP_COLUMNS = [*ITEM_COLUMN_NAMES, "source"]
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

    def __init__(self, tx: Transaction, now: str) -> None:
        self.tx = tx
        self.now = now
        self.counts = {"added": 0, "merged": 0, "skipped": 0, "reviews": 0, "feeds": 0}
        self.empty = self.tx.execute("SELECT count(*) FROM items").fetchone()[0] == 0
        self.batch: list[dict[str, Any]] = []
        self.batch_keys: dict[str, int] = {}  # URL key -> item id, of the waiting batch's
        # Into an empty store, old item id -> the item it merged into: only items whose
        # record had no `keys` and met an earlier one's URL (an export's items never do).
        self.merged_into: dict[int, int] = {}
        self.review_map: dict[int, int] = {}  # old review id -> new (a few thousand)
        if not self.empty:
            # old item id -> new id, on disk rather than in a dict: a million entries would
            # not keep memory flat. Temporary: gone with the connection.
            self.tx.execute(
                "CREATE TEMP TABLE IF NOT EXISTS restore_ids (old INTEGER PRIMARY KEY, new INTEGER)"
            )
            self.tx.execute("DELETE FROM temp.restore_ids")
        self.feed_columns = {r[1] for r in self.tx.execute("PRAGMA table_info(feeds)")}
        marks = ", ".join("?" * len(_ITEM_DUMP_COLUMNS))
        self.insert_item = f"INSERT INTO items ({', '.join(_ITEM_DUMP_COLUMNS)}) VALUES ({marks})"

    def new_id(self, old: int) -> int | None:
        """The id the item `old` of the dump has in the store, if it was stored."""
        if self.empty:
            if old in self.merged_into:
                return self.merged_into[old]
            found = self.tx.execute("SELECT id FROM items WHERE id = ?", [old]).fetchone()
        else:
            found = self.tx.execute(
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
        self.tx.execute(
            "INSERT OR REPLACE INTO temp.restore_ids (old, new) VALUES (?, ?)",
            [int(raw["id"]), new_id],
        )

    def _known_item(self, keys: Sequence[str]) -> int | None:
        """The item (stored, or waiting in the batch) one of `keys` is a key of."""
        for key in keys:
            if key in self.batch_keys:
                return self.batch_keys[key]
            known = self.tx.item_of_key(key)
            if known is not None:
                return known
        return None

    def _add_or_merge(self, raw: dict[str, Any]) -> int:
        """Store the item of `raw` like any add (merged into the item its URL is known by);
        its id in the store."""
        if raw.get("kind") == "text" or not raw.get("url"):
            # A text block has no URL to merge on: the same text added at the same moment
            # is the same block (re-importing a backup must not duplicate it).
            same = self.tx.execute(
                "SELECT id FROM items WHERE kind = 'text' AND note IS ? AND added_at = ?",
                [raw.get("note"), raw.get("added_at")],
            ).fetchone()
            if same:
                new_id = int(same[0])
                self.counts["merged"] += 1
            else:
                new_id = self.tx.add_text(raw.get("note") or "", now=self.now, raw=raw)
                self.counts["added"] += 1
        else:
            extra = {k: raw.get(k) for k in EXTRA_OK if raw.get(k) is not None}
            extra["user_fields"] = json.dumps(raw.get("user_fields") or [])
            extra["paywalled"] = int(bool(raw.get("paywalled")))
            hashtags = raw.get("hashtags") or []
            entry = new_item(
                raw.get("original_url") or raw["url"],
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
            outcome = self.tx.add(entry, now=self.now)
            new_id = outcome.item.id
            self.counts["added" if outcome.created else "merged"] += 1
        if raw.get("starred"):
            # A star is kept through a merge: the curator picked the story, whichever copy.
            self.tx.execute("UPDATE items SET starred = 1 WHERE id = ?", [new_id])
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
                attached = self.tx.tag_rows([*tags, *extra], hashtags)
                tag_rows.extend((item_id, t, flag) for t, flag in attached.items())
        self.batch = []
        self.batch_keys.clear()
        self.tx.executemany(self.insert_item, rows)
        self.tx.executemany("INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)", keys)
        self.tx.executemany(
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
            same = self.tx.execute(
                "SELECT id FROM reviews WHERE title IS ? AND start IS ? AND end IS ? "
                "AND composed_at IS ?",
                [record["title"], record["start"], record["end"], record["composed_at"]],
            ).fetchone()
            if same:
                # This very review is here already (a backup imported twice).
                self.review_map[int(review["id"])] = int(same[0])
                return
        review_id = self.tx.insert("reviews", record)
        self.review_map[int(review["id"])] = review_id
        # Only items that were stored: a refused item is in no review.
        olds = [int(old) for old in review.get("items") or []]
        self.tx.insert_review_items(
            (review_id, new, pos)
            for pos, old in enumerate(olds)
            if (new := self.new_id(old)) is not None
        )
        for f in review.get("files") or []:
            record_file(self.tx, review_id, f)
        for post in review.get("posts") or []:
            # A post has a number (a blog's) or a target's own name for it (`ref`).
            if (
                isinstance(post, dict)
                and post.get("site")
                and (post.get("post_id") or post.get("ref"))
            ):
                insert_post(self.tx, [review_id, *(post.get(k) for k in POST_COLUMNS[1:])])
        self.counts["reviews"] += 1

    def feed(self, feed: dict[str, Any]) -> None:
        if self.tx.execute("SELECT 1 FROM feeds WHERE url = ?", [feed["url"]]).fetchone():
            return
        # Only the table's own columns: a key of the file never becomes SQL.
        record = {
            k: v for k, v in feed.items() if k in self.feed_columns and (k != "id" or self.empty)
        }
        record["tags"] = json.dumps(feed.get("tags") or [])
        self.tx.insert("feeds", record)
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
        if self.tx.execute(
            "SELECT 1 FROM skips WHERE item_id = ? AND review_id IS ?", [item, review_ref]
        ).fetchone():
            return
        insert_skip(self.tx, [item, span[0], span[1], review_ref, span[2]])


def restore(store: Records, data: dict[str, Any], *, now: str) -> dict[str, int]:
    """Load a dump held in memory (see `restore_stream`, which this feeds); its records go
    through the checks of `imports.read_revue_export` first."""
    if data.get("format") != DUMP_FORMAT or not isinstance(data.get("items"), list):
        raise ValueError("not a revue export (format revue-export)")
    return restore_stream(store, _dump_events(data), now=now)


def restore_stream(
    store: Records,
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
    conn = store.conn
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    # A larger page cache while the rows go in: with SQLite's default 2 MB, the pages of the
    # items, their keys, tags and full-text index spill to the WAL and are written there
    # again and again (twice the writes of a load table by table).
    conn.execute(f"PRAGMA cache_size = {-_RESTORE_CACHE_KB}")
    try:
        with store.write() as tx:
            return _load(_Restorer(tx, now), events, on_skip)
    finally:
        conn.execute(f"PRAGMA cache_size = {int(cache)}")


def _load(
    loader: _Restorer,
    events: Iterable[tuple[str, int, Any]],
    on_skip: Callable[[int, str], None] | None,
) -> dict[str, int]:
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
