"""The store's reads: queries on one connection, and the hydration of their rows into
`models.Item` (its tags and the review that published it), a chunk of ids at a time."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from revue import urls
from revue.errors import NotFound
from revue.models import EVERY_ITEM, FailureKind, Feed, Item, ItemQuery, Post, Review
from revue.store.schema import CHUNK, ITEM_COLUMNS, wrap


def added_range(since: str | None, before: str | None) -> tuple[list[str], list[Any]]:
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


def item_where(query: ItemQuery) -> tuple[list[str], list[Any]]:
    """The WHERE clauses (and their parameters) of `query`'s filters on `items`."""
    # Ranges on the column itself, never a function of it, so that idx_items_added_at
    # serves them: a week costs the same among a million items as among ten thousand.
    where, params = added_range(query.since, query.before)
    if query.tag:
        # Correlated: checked on the rows the date range selected, not built for them all.
        where.append(
            "EXISTS (SELECT 1 FROM item_tags it JOIN tags t ON t.id = it.tag_id "
            "WHERE it.item_id = items.id AND t.name = ?)"
        )
        params.append(query.tag.lstrip("#"))
    if query.status:
        where.append("status = ?")
        params.append(query.status)
    if query.unpublished:
        where.append("NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.item_id = items.id)")
    if query.ids is not None:
        # One SQL variable whatever the number of ids.
        where.append("id IN (SELECT value FROM json_each(?))")
        params.append(json.dumps([int(i) for i in query.ids]))
    return where, params


def row_to_item(row: sqlite3.Row | dict[str, Any]) -> Item:
    data = dict(row)
    data["paywalled"] = bool(data.get("paywalled"))
    data["starred"] = bool(data.get("starred"))
    raw = data.get("user_fields")
    data["user_fields"] = json.loads(raw) if raw and raw != "[]" else []
    data["attempts"] = data.get("attempts") or 0
    return Item(**data)


class Reads:
    """Every read of the store, on its connection (`Store` adds the writes)."""

    def __init__(self, conn: sqlite3.Connection, path: Path) -> None:
        self.conn = conn
        self.path = path

    def query(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[sqlite3.Row]:
        """The rows of a query (by name and by index); sqlite errors name the file."""
        try:
            cur = self.conn.execute(sql, params)
            cur.row_factory = sqlite3.Row
            return cur.fetchall()
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None

    def chunks(
        self, sql: str, params: Sequence[Any] = (), *, factory: Any = sqlite3.Row
    ) -> Iterator[list[Any]]:
        """The rows of a query, `CHUNK` at a time, never all at once."""
        try:
            cur = self.conn.execute(sql, params)
            cur.row_factory = factory
            while rows := cur.fetchmany(CHUNK):
                yield rows
        except sqlite3.Error as exc:
            raise wrap(self.path, exc) from None

    # -- items ---------------------------------------------------------------------------

    def hydrate(self, items: list[Item]) -> list[Item]:
        """Give items their tags and publishing review, `CHUNK` ids a query: one SQL
        variable an item would pass SQLite's limit (32,766 on a default build) at scale."""
        for start in range(0, len(items), CHUNK):
            self._hydrate_chunk(items[start : start + CHUNK])
        return items

    def _hydrate_chunk(self, items: list[Item]) -> None:
        if not items:
            return
        by_id = {i.id: i for i in items}
        marks = ",".join("?" * len(by_id))
        for row in self.query(
            f"SELECT it.item_id, t.name, it.hashtag FROM item_tags it JOIN tags t ON t.id = it.tag_id "
            f"WHERE it.item_id IN ({marks}) ORDER BY it.rowid",
            list(by_id),
        ):
            item = by_id[row["item_id"]]
            item.tags.append(row["name"])
            if row["hashtag"]:
                item.hashtags.append(row["name"])
        # The review that published it: a weekly one (a recap publishes nothing anew).
        for row in self.query(
            f"SELECT ri.item_id, r.id, r.end FROM review_items ri JOIN reviews r ON r.id = ri.review_id "
            f"WHERE ri.item_id IN ({marks}) AND r.kind IS NULL ORDER BY r.end DESC, r.id DESC",
            list(by_id),
        ):
            item = by_id[row["item_id"]]
            if item.review is None:
                item.review = row["id"]
                item.review_date = row["end"]

    def _items(self, sql: str, params: Sequence[Any] = ()) -> list[Item]:
        return self.hydrate([row_to_item(r) for r in self.query(sql, params)])

    def _iter_items(self, sql: str, params: Sequence[Any] = ()) -> Iterator[Item]:
        """Hydrated items of a query on `items`, streamed: memory stays flat whatever their
        number. While the query is open its read transaction sees one snapshot (WAL), so
        the tags and reviews read between two chunks are those of the same moment."""
        for rows in self.chunks(sql, params):
            yield from self.hydrate([row_to_item(r) for r in rows])

    def get(self, item_id: int) -> Item:
        rows = self.query(f"SELECT {ITEM_COLUMNS} FROM items WHERE id = ?", [item_id])
        if not rows:
            raise NotFound(f"no item #{item_id}")
        return self.hydrate([row_to_item(rows[0])])[0]

    def get_many(self, ids: Iterable[int]) -> list[Item]:
        return [self.get(i) for i in ids]

    def item_sources(self, ids: Iterable[int]) -> dict[int, str]:
        """Where each item came from: "cli", "import:<format>", "feed:<id>" (an entry of a
        feed on the public web) or "feed:<id>:private" (of one the curator's network serves)."""
        wanted = list(dict.fromkeys(ids))
        out: dict[int, str] = {}
        for at in range(0, len(wanted), CHUNK):
            chunk = wanted[at : at + CHUNK]
            rows = self.query(
                f"SELECT id, source FROM items WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            out.update((int(r["id"]), str(r["source"] or "cli")) for r in rows)
        return out

    def find_by_url(self, url: str) -> Item | None:
        rows = self.query("SELECT item_id FROM item_keys WHERE key = ?", [urls.dedup_key(url)])
        return self.get(rows[0]["item_id"]) if rows else None

    def list_items(self, query: ItemQuery = EVERY_ITEM) -> list[Item]:
        """`iter_items` as a list: for callers that want every row at once."""
        return list(self.iter_items(query))

    def iter_items(self, query: ItemQuery = EVERY_ITEM) -> Iterator[Item]:
        """The items `query` selects, in its order, streamed (what `list` and `export`
        print, whatever their number)."""
        where, params = item_where(query)
        sql = f"SELECT {ITEM_COLUMNS} FROM items"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += {
            "newest": " ORDER BY added_at DESC, id DESC",
            "id": " ORDER BY id",
            "position": " ORDER BY coalesce(position, id) ASC, added_at ASC, id ASC",
        }[query.order]
        if query.limit is not None:
            sql += f" LIMIT {int(query.limit)}"
        return self._iter_items(sql, params)

    def search(self, query: str, *, limit: int = 100) -> list[Item]:
        """Full-text search (FTS5) over title, summary, note and quote, best match first."""
        terms = [t for t in query.replace('"', " ").split() if t]
        if not terms:
            return []
        # Each word quoted: punctuation in the user's query is text, not FTS syntax.
        match = " ".join(
            f'"{t}"*' if i == len(terms) - 1 else f'"{t}"' for i, t in enumerate(terms)
        )
        return self._items(
            f"SELECT {', '.join('items.' + c.strip() for c in ITEM_COLUMNS.split(','))} "
            "FROM items JOIN items_fts ON items_fts.rowid = items.id "
            "WHERE items_fts MATCH ? ORDER BY rank LIMIT ?",
            [match, limit],
        )

    def count(self) -> int:
        return int(self.query("SELECT count(*) FROM items")[0][0])

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
                clauses.append(f"revue_failure(error, http_status) IS NOT '{FailureKind.REFUSED}'")
                # A failed item without a next attempt is gone for good (a 404): not retried.
                clauses.append(
                    "(next_attempt_at <= ? OR (next_attempt_at IS NULL AND status = 'pending'))"
                )
                params.append(now)
                clauses.append("(status = 'pending' OR attempts < ?)")
                params.append(max_attempts)
        return self._items(
            f"SELECT {ITEM_COLUMNS} FROM items WHERE {' AND '.join(clauses)} ORDER BY id", params
        )

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
        where, params = added_range(since, before)
        sql = f"SELECT {ITEM_COLUMNS} FROM items WHERE {' AND '.join(['1', *where])}"
        if not include_published:
            sql += (
                " AND NOT EXISTS (SELECT 1 FROM review_items ri WHERE ri.item_id = items.id "
                "AND ri.review_id IS NOT ?)"
            )
            params.append(exclude_review)
        sql += " ORDER BY coalesce(position, id) ASC, id ASC"
        rows = self._items(sql, params)
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
        where, params = added_range(since, before)
        rows = self.query(
            "SELECT ri.review_id, count(DISTINCT items.id) FROM items JOIN review_items ri "
            f"ON ri.item_id = items.id WHERE {' AND '.join(['1', *where])} "
            "AND ri.review_id IS NOT ? "
            "GROUP BY ri.review_id ORDER BY ri.review_id",
            [*params, exclude_review],
        )
        return {int(r[0]): int(r[1]) for r in rows}

    def find_review(self, start: str, end: str, *, kind: str | None = None) -> Review | None:
        """The composed review of exactly this range, whatever its formats: a weekly one,
        or the recap of that `kind`."""
        rows = self.query(
            "SELECT * FROM reviews WHERE start = ? AND end = ? AND imported = 0 "
            "AND kind IS ? ORDER BY id DESC LIMIT 1",
            [start, end, kind],
        )
        return Review.from_row(rows[0]) if rows else None

    def file_hash(self, path: str) -> str | None:
        """The hash of the review file revue last wrote at `path`, if any."""
        rows = self.query("SELECT sha256 FROM review_files WHERE path = ?", [path])
        return str(rows[0][0]) if rows else None

    def review_files(self, review_id: int) -> list[dict[str, Any]]:
        """The files revue wrote for review `review_id`, by path."""
        rows = self.query(
            "SELECT path, format, sha256, written_at FROM review_files "
            "WHERE review_id = ? ORDER BY path",
            [review_id],
        )
        return [dict(r) for r in rows]

    def review_post(self, review_id: int, site: str) -> Post | None:
        """Where revue published review `review_id` on the blog `site`, if it did."""
        rows = self.query(
            "SELECT * FROM review_posts WHERE review_id = ? AND site = ?", [review_id, site]
        )
        return Post.from_row(rows[0]) if rows else None

    def review_posts(self) -> dict[int, list[Post]]:
        """Every recorded post, by review id (a review may be on several blogs)."""
        out: dict[int, list[Post]] = {}
        for row in self.query("SELECT * FROM review_posts ORDER BY review_id, site"):
            out.setdefault(int(row["review_id"]), []).append(Post.from_row(row))
        return out

    def sent_to(self, review_id: int, site: str) -> dict[str, str]:
        """The addresses review `review_id` was sent to by `site`, with each Message-ID."""
        rows = self.query(
            "SELECT address, message_id FROM review_sends WHERE review_id = ? AND site = ?",
            [review_id, site],
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def reviews(self) -> list[Review]:
        rows = self.query("SELECT * FROM reviews ORDER BY end DESC, id DESC")
        return [Review.from_row(r) for r in rows]

    def iter_reviews(self) -> Iterator[Review]:
        """Every review, oldest id first, streamed."""
        for rows in self.chunks("SELECT * FROM reviews ORDER BY id"):
            yield from (Review.from_row(r) for r in rows)

    def get_review(self, review_id: int) -> Review:
        rows = self.query("SELECT * FROM reviews WHERE id = ?", [review_id])
        if not rows:
            raise NotFound(f"no review #{review_id}")
        return Review.from_row(rows[0])

    def review_item_order(self, review_id: int) -> list[int]:
        """The ids of the items review `review_id` published, in its order."""
        rows = self.query(
            "SELECT item_id FROM review_items WHERE review_id = ? ORDER BY position", [review_id]
        )
        return [int(r[0]) for r in rows]

    def review_items(self, review_id: int) -> list[Item]:
        return self.get_many(self.review_item_order(review_id))

    def review_item_ids(self, review_id: int) -> set[int]:
        """The items review `review_id` published, as last recorded."""
        rows = self.query("SELECT item_id FROM review_items WHERE review_id = ?", [review_id])
        return {int(r[0]) for r in rows}

    # -- skips, the inbox, candidates, feeds ---------------------------------------------

    def skipped_ids(self, *, review_id: int | None = None) -> set[int]:
        """Items skipped from the review being prepared: a pending skip (no review composed
        since), or one that review `review_id` (the same range, composed again) honoured."""
        rows = self.query(
            "SELECT DISTINCT item_id FROM skips WHERE review_id IS NULL OR review_id IS ?",
            [review_id],
        )
        return {int(r[0]) for r in rows}

    def iter_skips(self) -> Iterator[dict[str, Any]]:
        """Every skip, in the order they were made, streamed."""
        for rows in self.chunks(
            "SELECT item_id, start, end, review_id, skipped_at FROM skips ORDER BY rowid"
        ):
            yield from (dict(r) for r in rows)

    def inbox_seen(self, folder: str, uidvalidity: int) -> dict[str, str]:
        """The folder's messages already handled (filed, ignored or failed): UID -> kind."""
        rows = self.query(
            "SELECT uid, kind FROM inbox_messages WHERE folder = ? AND uidvalidity = ?",
            [folder, uidvalidity],
        )
        return {str(r[0]): str(r[1]) for r in rows}

    def inbox_known_id(self, message_id: str) -> bool:
        """Whether a message of this Message-ID was filed already (from any folder)."""
        rows = self.query(
            "SELECT 1 FROM inbox_messages WHERE message_id = ? AND kind != 'failed' LIMIT 1",
            [message_id],
        )
        return bool(rows)

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
        rows = self.query(
            f"SELECT * FROM candidates WHERE {' AND '.join(where)} ORDER BY newsletter, id",
            params,
        )
        return [dict(r) for r in rows]

    def get_feed(self, feed_id: int) -> Feed:
        rows = self.query("SELECT * FROM feeds WHERE id = ?", [feed_id])
        if not rows:
            raise NotFound(f"no feed #{feed_id}")
        return Feed.from_row(rows[0])

    def feeds(self) -> list[Feed]:
        return [self.get_feed(int(r[0])) for r in self.query("SELECT id FROM feeds ORDER BY id")]
