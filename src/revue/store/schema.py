"""The schema's side of the store: its version, the columns the other modules name, the
connection (WAL, busy timeout, foreign keys) and the migrations run on open."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from pathlib import Path

from revue.errors import StoreError
from revue.models import EXTRA_PAGE_FIELDS, PAGE_FIELDS, failure_of

BUSY_TIMEOUT_S = 30.0
SCHEMA_VERSION = 16  # == len(migrations.NAMES); tests/test_db.py keeps the two equal
# Items hydrated a query: bounded memory and SQL variables (SQLite's limit is 32,766).
CHUNK = 500
EDITABLE = ("title", "summary", "note", "lead", "quote", "section", "site_name", "via", "author")

ITEM_COLUMNS = (
    "id, kind, url, original_url, title, summary, site_name, via, author, published, "
    "first_published, canonical, lang, image, note, lead, quote, section, status, error, http_status, "
    "content_type, paywalled, user_fields, added_at, fetched_at, attempts, next_attempt_at, "
    "position, starred"
)
ITEM_COLUMN_NAMES = [c.strip() for c in ITEM_COLUMNS.split(",")]
# The columns a bulk insert of new items sets (after the id); a new record always has kind,
# status and attempts, and may lack paywalled, whose default is 0.
NEW_COLUMNS = [*(c for c in ITEM_COLUMN_NAMES[1:] if c != "starred"), "source"]
PAYWALLED_AT = 1 + NEW_COLUMNS.index("paywalled")  # in a row of (id, *NEW_COLUMNS)
ITEM_FIELDS = frozenset(ITEM_COLUMN_NAMES[1:])
POST_COLUMNS = (
    "review_id", "site", "post_id", "link", "status", "modified_gmt", "published_at",
    "content_sha256", "ref",
)  # fmt: skip
# The page's fields an item stores (all but its URL): a fetch sets them unless typed by hand.
PAGE_COLUMNS = (*PAGE_FIELDS[1:], *EXTRA_PAGE_FIELDS)
# Columns a restore or an import may set on a new item besides the curator's fields.
EXTRA_OK = frozenset(PAGE_COLUMNS) | {
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


def wrap(path: Path, exc: sqlite3.Error) -> StoreError:
    """A sqlite error as the StoreError (exit 3) that names the file and what is wrong."""
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


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """The database's connection (creating the file if needed and `create`); raises
    StoreError on any database problem, and when the file does not exist and not `create`
    (a mistyped path would otherwise become a second, empty database)."""
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
        raise StoreError(f"database {path}: cannot create its folder ({exc.strerror})") from None
    try:
        conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S)
        conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        # The kind of a stored failure, for queries: `models.failure_of` is its one reader.
        conn.create_function("revue_failure", 2, failure_kind, deterministic=True)
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal":
            with contextlib.suppress(sqlite3.OperationalError):
                # Fails on a read-only file: reading still works in its current mode.
                conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    except sqlite3.Error as exc:
        raise opening_error(path, exc) from None
    return conn


def failure_kind(error: str | None, http_status: int | None) -> str | None:
    """`models.failure_of` as SQL's `revue_failure(error, http_status)`: the kind's name."""
    kind = failure_of(error, http_status)
    return None if kind is None else kind.value


def opening_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """What went wrong opening (or migrating) the database at `path`."""
    if "unable to open" in str(exc) and path.exists() and not os.access(path.parent, os.W_OK):
        # WAL mode needs its -wal and -shm files beside the database.
        return StoreError(
            f"database {path}: read-only folder {path.parent} (revue needs to create "
            f"{path.name}-wal and {path.name}-shm there)"
        )
    return wrap(path, exc)


def schema_version(conn: sqlite3.Connection) -> int:
    """The number of migrations applied, as `PRAGMA user_version` records it."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def applied_migrations(conn: sqlite3.Connection) -> set[str]:
    try:
        rows = conn.execute(
            "SELECT name FROM _sqlite_migrations WHERE migration_set = 'revue'"
        ).fetchall()
    except sqlite3.OperationalError as exc:
        if "no such table" in str(exc):
            return set()
        raise
    return {r[0] for r in rows}


def check_version(conn: sqlite3.Connection, path: Path) -> bool:
    """Whether migrations are pending; raises StoreError for a database of a newer revue.

    `PRAGMA user_version` holds the number of migrations applied, so an up-to-date
    database is recognised without loading the migration machinery (sqlite-utils)."""
    version = schema_version(conn)
    if version == SCHEMA_VERSION:
        return False
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"database {path}: made by a newer revue (schema {version}, this revue "
            f"knows {SCHEMA_VERSION}); upgrade revue to use it"
        )
    from revue.store.migrations import NAMES

    unknown = applied_migrations(conn) - set(NAMES)
    if unknown:
        raise StoreError(
            f"database {path}: made by a newer revue (schema {sorted(unknown)[-1]}); "
            "upgrade revue to use it"
        )
    return True


def apply_migrations(conn: sqlite3.Connection) -> None:
    """Apply the pending migrations; inside the caller's write transaction (another process
    may have migrated while it waited for the lock, so they are looked up again here)."""
    from sqlite_utils import Database

    from revue.store.migrations import NAMES, migrations

    database = Database(conn, execute_plugins=False)
    if migrations.pending(database):
        migrations.apply(database)
    conn.execute(f"PRAGMA user_version = {len(NAMES)}")
