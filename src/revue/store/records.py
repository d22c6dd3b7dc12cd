"""The store's records beside items: reviews (what they published, their files, posts and
sends), stars, skips, the inbox's messages and candidates, feeds. Each write is one
transaction (`Records.write`)."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from revue.errors import NotFound
from revue.models import Feed, NewItem, Review, new_item
from revue.store.reads import Reads
from revue.store.schema import POST_COLUMNS
from revue.store.writes import AddOutcome, Transaction, transaction


class Records(Reads):
    """The reads, the write transaction, and the writes of every record but an item's."""

    def write(self) -> contextlib.AbstractContextManager[Transaction]:
        """One write transaction (see `writes.transaction`): all of it, or nothing."""
        return transaction(self)

    # -- reviews -------------------------------------------------------------------------

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
        with self.write() as tx:
            if review_id is None:
                review_id = tx.insert("reviews", review)
            else:
                tx.update("reviews", review_id, review)
                tx.execute("DELETE FROM review_items WHERE review_id = ?", [review_id])
            tx.insert_review_items(
                (review_id, item_id, pos) for pos, item_id in enumerate(item_ids)
            )
            if file is not None:
                record_file(tx, review_id, file)
            if skipped:
                tx.execute(
                    f"UPDATE skips SET review_id = ? WHERE review_id IS NULL AND item_id IN "
                    f"({','.join('?' * len(skipped))})",
                    [review_id, *skipped],
                )
            return review_id

    def record_post(self, record: dict[str, Any]) -> None:
        """Remember the post a review was last written to on a blog (replacing an older one)."""
        with self.write() as tx:
            insert_post(tx, [record.get(k) for k in POST_COLUMNS])

    def record_sent(
        self, review_id: int, site: str, addresses: Sequence[str], message_id: str, now: str
    ) -> None:
        """Remember that `addresses` received review `review_id` from `site` (one commit)."""
        with self.write() as tx:
            tx.executemany(
                "INSERT OR REPLACE INTO review_sends (review_id, site, address, message_id, "
                "sent_at) VALUES (?, ?, ?, ?, ?)",
                [(review_id, site, a.lower(), message_id, now) for a in addresses],
            )

    def forget_sent(self, review_id: int, site: str) -> None:
        """Forget whom review `review_id` was sent to by `site` (a --resend)."""
        with self.write() as tx:
            tx.execute(
                "DELETE FROM review_sends WHERE review_id = ? AND site = ?", [review_id, site]
            )

    def import_batch(
        self,
        entries: Sequence[NewItem],
        reviews: Sequence[tuple[dict[str, Any], Sequence[int]]],
        *,
        now: str,
    ) -> list[AddOutcome]:
        """Imported items and the past reviews that published them (by index into
        `entries`), in one transaction: all stored, or none."""
        with self.write() as tx:
            return _import_into(tx, entries, reviews, now=now)

    def import_batches(
        self,
        batches: Iterable[tuple[Sequence[NewItem], Sequence[tuple[dict[str, Any], Sequence[int]]]]],
        *,
        now: str,
        on_batch: Callable[[list[AddOutcome]], None],
    ) -> None:
        """`import_batch` of each (entries, reviews) batch as `batches` yields it, all in one
        transaction: all stored, or none (an exception from `batches` stores nothing). An
        import of any size holds one batch at a time; `on_batch` hears each one's outcomes."""
        with self.write() as tx:
            for entries, reviews in batches:
                on_batch(_import_into(tx, entries, reviews, now=now))

    def remove_review(self, review_id: int) -> Review:
        """Forget a review: its row, the order of its items, its files, its posts and the
        skips it honoured; never an item (they are the curator's, and become unpublished).
        Raises NotFound (and deletes nothing) for an unknown id. Returns the review's row."""
        with self.write() as tx:
            rows = self.query("SELECT * FROM reviews WHERE id = ?", [review_id])
            if not rows:
                raise NotFound(f"no review #{review_id} (see revue reviews)")
            for table in ("review_items", "review_files", "review_posts", "review_sends", "skips"):
                tx.execute(f"DELETE FROM {table} WHERE review_id = ?", [review_id])
            tx.execute("DELETE FROM reviews WHERE id = ?", [review_id])
            return Review.from_row(rows[0])

    # -- stars: the curator's picks for the year's recap ---------------------------------

    def set_starred(self, ids: Sequence[int], starred: bool) -> list[int]:
        """Star (or unstar) items; raises NotFound, changing nothing, when one is unknown.
        Returns the ids whose star changed."""
        with self.write() as tx:
            changed: list[int] = []
            for item_id in ids:
                row = tx.execute("SELECT starred FROM items WHERE id = ?", [item_id]).fetchone()
                if row is None:
                    raise NotFound(f"no item #{item_id}")
                if bool(row[0]) != starred:
                    changed.append(item_id)
            tx.executemany(
                "UPDATE items SET starred = ? WHERE id = ?",
                [(int(starred), item_id) for item_id in changed],
            )
            return changed

    # -- skips: items left out of the review being prepared ------------------------------

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
        with self.write() as tx:
            tx.require_item(item_id)
            tx.execute(
                "DELETE FROM skips WHERE item_id = ? AND (review_id IS NULL OR review_id IS ?)",
                [item_id, review_id],
            )
            if skipped:
                insert_skip(tx, [item_id, start, end, review_id, now])

    # -- the inbox -----------------------------------------------------------------------

    def file_message(
        self,
        record: dict[str, Any],
        *,
        items: Sequence[NewItem] = (),
        candidates: Sequence[dict[str, Any]] = (),
        now: str,
    ) -> tuple[list[AddOutcome], int]:
        """File one message in one transaction: its links as items (`add_many`'s entries)
        or as candidates, and its row in the inbox's record; all of it or nothing, so a pull
        interrupted anywhere files it whole when run again. Returns the items' outcomes and
        the number of new candidates (a story already a candidate or an item is not one)."""
        with self.write() as tx:
            outcomes = tx.add_many(items, now=now) if items else []
            fresh = 0
            for candidate in candidates:
                key = candidate["key"]
                if tx.item_of_key(key) is not None:
                    continue  # already an item: nothing to choose
                cursor = tx.execute(
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
            tx.execute(
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

    def keep_candidate(self, candidate_id: int, *, now: str) -> AddOutcome:
        """Make a candidate an item (stored pending, as `add` stores a link, added when its
        newsletter came), credited to it: `via « Name »`; the candidate remembers the item."""
        with self.write() as tx:
            row = tx.execute(
                "SELECT url, title, newsletter, item_id, found_at FROM candidates WHERE id = ?",
                [candidate_id],
            ).fetchone()
            if row is None:
                raise NotFound(f"no candidate #{candidate_id}")
            url, title, newsletter, item_id, found_at = row
            if item_id is not None:
                return AddOutcome(tx.get(int(item_id)), False, [])
            extra: dict[str, Any] = {"via": f"« {newsletter} »"}
            if title:
                extra["title"] = title  # the page's own title replaces it when fetched
            # Dated when the newsletter came: it stays in the range it was found for.
            outcome = tx.add(
                new_item(
                    url,
                    added_at=found_at,
                    source="inbox",
                    extra=extra,
                    own=("via",),  # curate.MAILED
                ),
                now=now,
            )
            tx.execute(
                "UPDATE candidates SET item_id = ? WHERE id = ?", [outcome.item.id, candidate_id]
            )
            return outcome

    # -- feeds ---------------------------------------------------------------------------

    def add_feed(self, record: dict[str, Any]) -> tuple[Feed, bool]:
        with self.write() as tx:
            row = tx.execute("SELECT id FROM feeds WHERE url = ?", [record["url"]]).fetchone()
            if row:
                return self.get_feed(int(row[0])), False
            return self.get_feed(tx.insert("feeds", record)), True

    def update_feed(self, feed_id: int, fields: dict[str, Any]) -> None:
        with self.write() as tx:
            tx.update("feeds", feed_id, fields)

    def remove_feed(self, feed_id: int) -> Feed:
        with self.write() as tx:
            feed = self.get_feed(feed_id)
            tx.execute("DELETE FROM feeds WHERE id = ?", [feed_id])
            return feed


# The rows a restore writes as a review's own writes do: one statement each.


def record_file(tx: Transaction, review_id: int, file: dict[str, Any]) -> None:
    """Remember the file written for review `review_id` (replacing the one at its path)."""
    tx.execute(
        "INSERT OR REPLACE INTO review_files (path, review_id, format, sha256, written_at) "
        "VALUES (?, ?, ?, ?, ?)",
        [file["path"], review_id, file.get("format"), file.get("sha256"), file.get("written_at")],
    )


def insert_post(tx: Transaction, values: Sequence[Any]) -> None:
    """A row of review_posts: the values of POST_COLUMNS, in order."""
    tx.execute(
        f"INSERT OR REPLACE INTO review_posts ({', '.join(POST_COLUMNS)}) "
        f"VALUES ({', '.join('?' * len(POST_COLUMNS))})",
        values,
    )


def insert_skip(tx: Transaction, values: Sequence[Any]) -> None:
    """A row of skips: item_id, start, end, review_id, skipped_at."""
    tx.execute(
        "INSERT INTO skips (item_id, start, end, review_id, skipped_at) VALUES (?, ?, ?, ?, ?)",
        values,
    )


def _import_into(
    tx: Transaction,
    entries: Sequence[NewItem],
    reviews: Sequence[tuple[dict[str, Any], Sequence[int]]],
    *,
    now: str,
) -> list[AddOutcome]:
    """Imported items and the past reviews that published them, inside `tx`."""
    outcomes = tx.add_many(entries, now=now)
    for record, indexes in reviews:
        ids = list(dict.fromkeys(outcomes[i].item.id for i in indexes))
        review_id = tx.insert("reviews", {**record, "imported": 1, "item_count": len(ids)})
        tx.insert_review_items((review_id, item_id, pos) for pos, item_id in enumerate(ids))
    return outcomes
