"""The store: one SQLite file, opened in WAL mode with a busy timeout, migrated on open.

`Store` is the facade the other layers call; its parts live by role beside it: `schema`
(columns, connection, migration), `reads` (queries, items hydrated), `writes` (the write
transaction, which owns the tag cache), `records` (reviews, posts, sends, stars, skips, the
inbox, candidates, feeds) and `dump` (the export and the restore, over the public surface).

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
import os
import sqlite3
import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from revue import urls
from revue.errors import BadInput, NotFound, StoreError
from revue.files import new_file_mode, sync_folder, write_failure
from revue.models import EXTRA_PAGE_FIELDS, PAGE_FIELDS, Item, NewItem, PageMeta, new_item
from revue.store import dump as _dump
from revue.store.dump import DUMP_FORMAT, DUMP_VERSION, dump, iter_dump
from revue.store.records import Records
from revue.store.schema import (
    BUSY_TIMEOUT_S,
    EDITABLE,
    PAGE_COLUMNS,
    SCHEMA_VERSION,
    apply_migrations,
    check_version,
    connect,
    opening_error,
)
from revue.store.writes import AddOutcome

__all__ = [
    "BUSY_TIMEOUT_S",
    "DUMP_FORMAT",
    "DUMP_VERSION",
    "SCHEMA_VERSION",
    "AddOutcome",
    "Store",
    "dump",
    "iter_dump",
]


class Store(Records):
    """All reads and writes of revue's data. Open with `Store.open(path)`."""

    # -- opening -------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, *, migrate: bool = True, create: bool = True) -> Store:
        """Open (creating it if needed and `create`) and migrate; raises StoreError on any
        database problem, and when the file does not exist and not `create` (a mistyped
        path would otherwise become a second, empty database)."""
        conn = connect(path, create=create)
        store = cls(conn, path)
        if migrate:
            try:
                store.migrate()
            except sqlite3.Error as exc:
                raise opening_error(path, exc) from None
        return store

    def close(self) -> None:
        self.conn.close()

    def migrate(self) -> None:
        """Apply pending migrations under the write lock; refuse a database from a newer revue."""
        if check_version(self.conn, self.path):
            with self.write():
                apply_migrations(self.conn)

    # -- items ---------------------------------------------------------------------------

    def add(self, url: str, *, now: str, **fields: Any) -> AddOutcome:
        """Store a link (pending) or, if the story is already here, merge the curator's text.

        `fields` are `models.NewItem`'s: note, tags, hashtags, section, title, summary,
        lead, quote, added_at, source, extra, own, replace_note."""
        entry = new_item(url, **fields)
        with self.write() as tx:
            return tx.add(entry, now=now)

    def add_many(self, entries: Sequence[NewItem], *, now: str) -> list[AddOutcome]:
        """Several `add`s in one transaction (imports): all stored, or none."""
        with self.write() as tx:
            return tx.add_many(entries, now=now)

    def add_text(
        self, text: str, *, now: str, section: str | None = None, tags: Sequence[str] = ()
    ) -> Item:
        """A free text block: an item with no URL, placed in a review like any other."""
        with self.write() as tx:
            item_id = tx.add_text(text, now=now, raw={"section": section})
            tx.add_tags(item_id, tags)
            return tx.get(item_id)

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
        with self.write() as tx:
            row = tx.execute(
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
                for name in PAGE_COLUMNS:
                    value = getattr(meta, name)
                    if value is not None and name not in user_fields:
                        updates[name] = value
                updates["paywalled"] = int(meta.paywalled)
                if meta.url and "url" not in user_fields:
                    updates["url"] = urls.clean(meta.url)
            elif final_url and status == "ok":
                updates["url"] = urls.clean(final_url)
            tx.update("items", item_id, updates)
            # Which stories are these URLs known as? Another item's key means a duplicate.
            other: int | None = None
            for candidate in (final_url, meta.url if meta else None, *aliases):
                if not candidate or not urls.is_http_url(candidate):
                    continue
                hit = tx.item_of_key(urls.dedup_key(candidate))
                if hit is not None and hit != item_id:
                    other = hit
                    break
            if other is not None:
                tx.merge(item_id, into=other)
                merged = tx.get(other)
                return merged, merged
            tx.add_key(item_id, final_url)
            if meta is not None:
                tx.add_key(item_id, meta.url)
            for alias in aliases:
                tx.add_key(item_id, alias)
            return tx.get(item_id), None

    def remove(self, ids: Sequence[int]) -> list[Item]:
        """Delete items; raises NotFound (and deletes nothing) if any id is unknown."""
        with self.write() as tx:
            items = [tx.get(i) for i in ids]
            tx.delete(list(ids))
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
        with self.write() as tx:
            row = tx.execute("SELECT user_fields FROM items WHERE id = ?", [item_id]).fetchone()
            if row is None:
                raise NotFound(f"no item #{item_id}")
            user_fields = json.loads(row[0] or "[]")
            updates = {k: (v if v != "" else None) for k, v in fields.items() if k in EDITABLE}
            for name in updates:
                if (name in PAGE_FIELDS or name in EXTRA_PAGE_FIELDS) and name not in user_fields:
                    user_fields.append(name)
            if updates:
                updates["user_fields"] = json.dumps(user_fields)
                tx.update("items", item_id, updates)
            tx.remove_tags(item_id, remove_tags)
            tx.add_tags(item_id, add_tags, hashtags)
            return tx.get(item_id)

    def move(self, item_id: int, *, before: int | None = None, after: int | None = None) -> None:
        """Place an item just before or after another in the review order.

        The order key of an item is its position, else its id. Moving re-deals the existing
        keys to the new order, so items never moved keep their place relative to the others.
        """
        target = before if before is not None else after
        if target is None or target == item_id:
            raise BadInput("move: give --before ID or --after ID (another item)")
        with self.write() as tx:
            rows = tx.execute(
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
                tx.execute("UPDATE items SET position = ? WHERE id = ?", [position, moved_id])

    # -- dump, restore, backup ------------------------------------------------------------

    def restore(self, data: dict[str, Any], *, now: str) -> dict[str, int]:
        """`dump.restore`: a dump held in memory, loaded."""
        return _dump.restore(self, data, now=now)

    def restore_stream(
        self,
        events: Iterable[tuple[str, int, Any]],
        *,
        now: str,
        on_skip: Callable[[int, str], None] | None = None,
    ) -> dict[str, int]:
        """`dump.restore_stream`: a dump loaded as it is read, in one transaction."""
        return _dump.restore_stream(self, events, now=now, on_skip=on_skip)

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
                self.conn.backup(dest)
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
