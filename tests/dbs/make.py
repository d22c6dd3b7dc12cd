"""Make `schema-<N>.db`: a database written by this revue's schema, kept for upgrade tests.

Run it once per released schema (`python tests/dbs/make.py`) and commit the file it writes;
tests/test_db.py opens every tests/dbs/*.db with the current revue and checks it upgrades.
A few items with tags (one fetched, one pending, one failed, a text block), a composed
review that published two of them, and a feed: every table the schema has holds a row.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parents[1] / "src"))

from revue.app.compose import ComposeOptions, compose  # noqa: E402
from revue.config import Config  # noqa: E402
from revue.models import PageMeta  # noqa: E402
from revue.store.db import SCHEMA_VERSION, Store  # noqa: E402

NOW = "2024-03-19T10:00:00+00:00"


def make(target: Path) -> None:
    if target.exists():
        target.unlink()
    store = Store.open(target)
    a = store.add(
        "https://www.lapresse.ca/affaires/2024-03-18/openai.php?utm_source=x",
        now=NOW,
        note="= À suivre #IA",
        tags=["Veille", "IA"],
        hashtags=["IA"],
    ).item
    store.record_fetch(
        a.id,
        status="ok",
        now=NOW,
        meta=PageMeta(title="OpenAI en vedette", site_name="La Presse", lang="fr"),
        http_status=200,
        content_type="text/html",
    )
    b = store.add("https://example.org/pending", now=NOW, tags=["Veille"], title="À la main").item
    c = store.add("https://example.com/broken", now=NOW).item
    store.record_fetch(
        c.id,
        status="failed",
        now=NOW,
        error="HTTP 500",
        http_status=500,
        next_attempt_at="2024-03-19T11:00:00+00:00",
    )
    store.add_text("Un mot sur la semaine #Médias", now=NOW, section=None, tags=["Médias"])
    store.add_feed(
        {
            "url": "https://example.org/feed.xml",
            "title": "Example",
            "tags": '["Veille"]',
            "added_at": NOW,
        }
    )
    with tempfile.TemporaryDirectory() as out:
        result = compose(
            store,
            Config(),
            ComposeOptions(start=dt.date(2024, 3, 13), end=dt.date(2024, 3, 19), out=out),
            now=dt.datetime.fromisoformat(NOW),
        )
    assert result.review_id is not None and len(result.items) >= 2, result
    assert b.id
    store.conn.execute("VACUUM")
    store.close()


if __name__ == "__main__":
    make(HERE / f"schema-{SCHEMA_VERSION}.db")
    print(HERE / f"schema-{SCHEMA_VERSION}.db")
