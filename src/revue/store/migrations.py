"""The schema, as append-only migrations (sqlite-utils `Migrations`).

Never edit a migration that has shipped: add a new one. Each one does one thing. They run
under the store's `BEGIN IMMEDIATE` write lock, so two processes opening a new database at
once do not race (see db.Store.migrate).
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("revue")


@migrations()
def m001_items(db: Database) -> None:
    db.table("items").create(
        {
            "id": int,
            "kind": str,  # "link" or "text"
            "url": str,
            "original_url": str,
            "title": str,
            "summary": str,
            "site_name": str,
            "via": str,
            "author": str,
            "published": str,
            "lang": str,
            "image": str,
            "note": str,
            "lead": str,
            "quote": str,
            "section": str,
            "status": str,  # pending | ok | failed | blocked
            "error": str,
            "http_status": int,
            "content_type": str,
            "paywalled": int,
            "user_fields": str,  # JSON list of page fields the curator typed
            "added_at": str,
            "fetched_at": str,
            "attempts": int,
            "next_attempt_at": str,
            "position": float,
            "source": str,  # "cli", "import:<format>", "feed:<id>"
        },
        pk="id",
        defaults={"kind": "link", "status": "pending", "attempts": 0, "paywalled": 0},
        not_null={"kind", "status", "added_at"},
    )
    db.table("items").create_index(["added_at"])
    db.table("items").create_index(["status", "next_attempt_at"])


@migrations()
def m002_item_keys(db: Database) -> None:
    # Every URL under which an item is known (as given, after redirects, canonical) maps to it.
    db.table("item_keys").create(
        {"key": str, "item_id": int},
        pk="key",
        foreign_keys=[("item_id", "items", "id")],
    )
    db.table("item_keys").create_index(["item_id"])


@migrations()
def m003_tags(db: Database) -> None:
    db.execute(
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE)"
    )
    db.table("item_tags").create(
        {"item_id": int, "tag_id": int, "hashtag": int},
        pk=("item_id", "tag_id"),
        foreign_keys=[("item_id", "items", "id"), ("tag_id", "tags", "id")],
        defaults={"hashtag": 0},
    )
    db.table("item_tags").create_index(["tag_id"])


@migrations()
def m004_reviews(db: Database) -> None:
    db.table("reviews").create(
        {
            "id": int,
            "title": str,
            "start": str,
            "end": str,
            "lang": str,
            "style": str,
            "format": str,
            "path": str,
            "sha256": str,  # of the file as written, to detect hand edits
            "composed_at": str,
            "item_count": int,
            "imported": int,
        },
        pk="id",
        defaults={"imported": 0},
    )
    db.table("review_items").create(
        {"review_id": int, "item_id": int, "position": int},
        pk=("review_id", "item_id"),
        foreign_keys=[("review_id", "reviews", "id"), ("item_id", "items", "id")],
    )
    db.table("review_items").create_index(["item_id"])


@migrations()
def m005_feeds(db: Database) -> None:
    db.table("feeds").create(
        {
            "id": int,
            "url": str,
            "title": str,
            "site_url": str,
            "tags": str,  # JSON list
            "match": str,
            "etag": str,
            "last_modified": str,
            "added_at": str,
            "pulled_at": str,
            "status": str,
            "error": str,
        },
        pk="id",
    )
    db.table("feeds").create_index(["url"], unique=True)


@migrations()
def m006_items_fts(db: Database) -> None:
    # sqlite-utils' own FTS layout, so `datasette revue.db` finds and searches it too.
    db.table("items").enable_fts(
        ["title", "summary", "note", "quote"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )


@migrations()
def m007_review_files(db: Database) -> None:
    # One review (a date range) may be written in several formats; each file's hash is kept
    # so that a file edited by hand is never silently overwritten.
    db.table("review_files").create(
        {"path": str, "review_id": int, "format": str, "sha256": str, "written_at": str},
        pk="path",
        foreign_keys=[("review_id", "reviews", "id")],
    )


@migrations()
def m008_first_published(db: Database) -> None:
    # `published` now holds the page's last update when it declares one; the first
    # publication date, which the stale-news flag compares, gets its own column.
    # Existing rows keep NULL: their `published` was the publication date.
    db.table("items").add_column("first_published", str)


@migrations()
def m009_review_posts(db: Database) -> None:
    # Where a review was published on a blog: publishing it again updates that post (never a
    # second one), and `modified_gmt` as the blog last reported it tells an edit made on the
    # blog since. One row per review and site.
    db.table("review_posts").create(
        {
            "review_id": int,
            "site": str,  # the blog's address as configured, without a trailing slash
            "post_id": int,
            "link": str,
            "status": str,  # draft, publish, future, ... as the blog last answered
            "modified_gmt": str,
            "published_at": str,  # when revue last wrote the post (UTC)
        },
        pk=("review_id", "site"),
        foreign_keys=[("review_id", "reviews", "id")],
    )


@migrations()
def m010_skips(db: Database) -> None:
    # An item left out of the review being prepared (`revue week`), not deleted: kept
    # unpublished for a later review. `start`/`end` are the range it was skipped from;
    # `review_id` is the review that honoured it, NULL until one is composed (so an item
    # has at most one pending skip, and one row for each review that left it out).
    db.table("skips").create(
        {"item_id": int, "start": str, "end": str, "review_id": int, "skipped_at": str},
        foreign_keys=[("item_id", "items", "id"), ("review_id", "reviews", "id")],
        not_null={"item_id", "start", "end", "skipped_at"},
    )
    db.table("skips").create_index(["item_id"])


@migrations()
def m011_canonical(db: Database) -> None:
    # A syndicated copy's declared original, on another site: the item keeps the address it
    # was added with and shows where the story comes from.
    db.table("items").add_column("canonical", str)


@migrations()
def m012_post_content_hash(db: Database) -> None:
    # A hash of the post's title and content as the blog held them after revue's last write:
    # an edit on the blog within the second of that write leaves `modified_gmt` as it was.
    db.table("review_posts").add_column("content_sha256", str)


# Keys that may be a social post's (X, Bluesky, Mastodon), found without reading every key.
_SOCIAL_LIKE = (
    "key LIKE '%/status/%' OR key LIKE '%/statuses/%' OR key LIKE 'bsky.app/%' OR key LIKE '%/@%'"
)


@migrations()
def m013_social_post_keys(db: Database) -> None:
    # A post on X, Bluesky or Mastodon is known by the post now, not by the address it was
    # shared under (twitter.com or x.com, "?s=20", /users/u/statuses/ID): each stored key of
    # one gains the post's key, so adding it again under another address finds the item, and
    # the item's address becomes the form a review publishes (x.com, no share parameters).
    from revue import urls

    # The earliest item gets the post's key when two were the same post (kept apart here).
    keys = db.execute(
        f"SELECT key, item_id FROM item_keys WHERE {_SOCIAL_LIKE} ORDER BY item_id"
    ).fetchall()
    db.conn.executemany(
        "INSERT OR IGNORE INTO item_keys (key, item_id) VALUES (?, ?)",
        [(post.key, item_id) for key, item_id in keys if (post := urls.social("https://" + key))],
    )
    like_url = _SOCIAL_LIKE.replace("key", "url")
    links = db.execute(f"SELECT id, url FROM items WHERE kind = 'link' AND ({like_url})").fetchall()
    db.conn.executemany(
        "UPDATE items SET url = ? WHERE id = ?",
        [(post.url, item_id) for item_id, url in links if (post := urls.social(url))],
    )


@migrations()
def m014_candidates(db: Database) -> None:
    # What `revue inbox pull` files. A newsletter's links are candidates for the week, not
    # items: one row a story (its final address's key), until the curator keeps it
    # (`item_id`). Each message read is recorded once, by where it was (the folder, its
    # UIDVALIDITY and the message's UID) and by its Message-ID, so that a pull run again
    # files nothing twice and reports a bad message once.
    db.table("candidates").create(
        {
            "id": int,
            "key": str,  # urls.dedup_key of `url`
            "url": str,  # the final address, tracking redirects unwrapped
            "title": str,  # the link's text in the newsletter
            "newsletter": str,  # its name ("Stratechery")
            "message_id": str,
            "found_at": str,
            "item_id": int,  # the item it became, once kept
        },
        pk="id",
        not_null={"key", "url", "newsletter", "found_at"},
        foreign_keys=[("item_id", "items", "id")],
    )
    db.table("candidates").create_index(["key"], unique=True)
    db.table("candidates").create_index(["found_at"])
    db.table("inbox_messages").create(
        {
            "folder": str,  # "imap://user@host:993/revue" or "maildir:/home/me/Mail/revue"
            "uidvalidity": int,  # 0 in a Maildir, whose keys never change
            "uid": str,
            "message_id": str,
            "subject": str,
            "kind": str,  # "mine", "newsletter", "ignored", "failed", "duplicate"
            "links": int,  # the items or candidates it gave
            "error": str,
            "filed_at": str,
        },
        pk=("folder", "uidvalidity", "uid"),
        not_null={"kind", "filed_at"},
    )
    db.table("inbox_messages").create_index(["message_id"])


@migrations()
def m015_publish_targets(db: Database) -> None:
    # Targets other than a blog: `ref` is a target's own name for what it made when it is
    # not a number (Buttondown's email id, the newsletter's Message-ID); `review_sends`
    # records each address the newsletter went to, batch by batch, so that an interrupted
    # send resumes without sending anyone twice. One row per review, target and address.
    db.table("review_posts").add_column("ref", str)
    db.table("review_sends").create(
        {
            "review_id": int,
            "site": str,  # the target, as in review_posts ("email:<list address>")
            "address": str,  # lower-cased
            "message_id": str,
            "sent_at": str,  # UTC
        },
        pk=("review_id", "site", "address"),
        foreign_keys=[("review_id", "reviews", "id")],
    )


@migrations()
def m016_starred(db: Database) -> None:
    # The curator's stars (`revue star`, `*` in `revue week`): the year's recap starts with
    # them. A review's kind tells a recap ("recap-tag", "recap-section": its grouping) from a
    # weekly review (NULL), which alone says when an item was published.
    db.execute("ALTER TABLE items ADD COLUMN starred INTEGER NOT NULL DEFAULT 0")
    db.execute("CREATE INDEX idx_items_starred ON items (starred) WHERE starred")
    db.table("reviews").add_column("kind", str)
    # `revue stats` reads a range of reviews by their last day.
    db.table("reviews").create_index(["end"])


NAMES = [m.name for m in migrations._migrations]
