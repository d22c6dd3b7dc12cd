"""Regenerate reviews/2023-11-08-revue-de-presse.md (and .html) with revue itself.

Pages are served on 127.0.0.1 by the test suite's loopback server (tests/pages.py); revue
adds, fetches, extracts and composes them exactly as it would real links. Deterministic:
a fixed port and a fixed clock.

    python tests/make_example_review.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from pages import JSONLD, LAPRESSE, RADIO_CANADA_1252  # noqa: E402

from revue.compose import ComposeOptions, compose  # noqa: E402
from revue.config import Config  # noqa: E402
from revue.curate import fetch_items, store_links  # noqa: E402
from revue.db import Store  # noqa: E402
from revue.fetch import Fetcher, FetchSettings  # noqa: E402

from loopback import LoopbackServer  # noqa: E402

PORT = 48123
INTERVIEW = """<html lang="fr"><head><title>Mon entrevue à CHOI Radio X - CHOI 98.1</title>
<meta property="og:title" content="Michelle Blanc : TikTok est le média social le plus addictif">
<meta property="og:site_name" content="CHOI 98.1 Radio X">
<meta property="og:description" content="Entrevue du matin sur les réseaux sociaux et les jeunes.">
</head><body></body></html>"""


def main() -> None:
    server = LoopbackServer(port=PORT).start()
    base = server.base
    server.route("/affaires/techno/2023-11-06/openai.php", LAPRESSE.replace("{base}", base))
    server.route(
        "/nouvelle/2024874/applications-meta",
        RADIO_CANADA_1252,
        headers={"Content-Type": "text/html"},
    )
    server.route("/chatgpt-permet-creer-chatbots-personnalises/", JSONLD)
    server.route("/entrevue", INTERVIEW)
    day = dt.datetime(2023, 11, 8, 14, 0, tzinfo=dt.UTC)
    out = HERE.parent / "reviews"
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "example.db")
        links = [
            (
                f"{base}/affaires/techno/2023-11-06/openai.php?utm_source=twitter",
                {"note": "À suivre de près #IA"},
            ),
            (
                f"{base}/nouvelle/2024874/applications-meta",
                {
                    "quote": "« Les applications de Meta récoltent plus de données que toutes les autres. »"
                },
            ),
            (
                f"{base}/chatgpt-permet-creer-chatbots-personnalises/",
                {"lead": "Intéressant pour les entreprises:"},
            ),
            (f"{base}/entrevue", {"section": "Mes entrevues", "note": "Mon entrevue de ce matin"}),
        ]
        for link, curator in links:
            store_links(store, [link], now=day, curator=curator)
        settings = FetchSettings()
        fetch_items(store, store.list_items(), lambda: Fetcher(settings), clock=lambda: day)
        cfg = Config(hashtags=["Analyweb"], sections=["Mes entrevues"], reviews_dir=str(out))
        for fmt in ("md", "html"):
            opts = ComposeOptions(
                start=dt.date(2023, 11, 7), end=dt.date(2023, 11, 8), fmt=fmt, force=True
            )
            result = compose(store, cfg, opts, now=day)
            print(result.path)
        store.close()
    (out / "feed.xml").unlink(missing_ok=True)  # the feed names temporary database ids
    (out / ".revue-compose.lock").unlink(missing_ok=True)
    server.stop()


if __name__ == "__main__":
    main()
