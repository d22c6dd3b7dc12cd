"""Regenerate the example review in reviews/ (Markdown, HTML, and a screenshot of the HTML)
with revue itself, from pages saved from their sites (tests/fixtures/pages/).

Each page is stored under the address it was fetched from and read as revue reads any
fetched page: the review links to the page's own canonical address, shows its title and
`via @handle`, with a curator's comments, a lead-in, a quote and a section. Deterministic:
a fixed clock and no network. The screenshot needs Chromium (Debian's `chromium`).

    python tests/make_example_review.py
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from browser import find_chromium, screenshot  # noqa: E402

from revue.app.add import store_links  # noqa: E402
from revue.app.compose import ComposeOptions, compose  # noqa: E402
from revue.app.refresh import record_result  # noqa: E402
from revue.config import Config  # noqa: E402
from revue.models import FetchResult  # noqa: E402
from revue.store.db import Store  # noqa: E402

PAGES = HERE / "fixtures" / "pages"
REVIEWS = HERE.parent / "reviews"
START, END = dt.date(2024, 2, 9), dt.date(2024, 2, 15)
STEM = f"{END.isoformat()}-revue-de-presse"
# The screenshot the README and the docs show; the docs site is built from docs/.
SCREENSHOT = HERE.parent / "docs" / "example-review.png"

# (saved page, the address it was fetched from, day added, the curator's fields)
LINKS: list[tuple[str, str, int, dict[str, str]]] = [
    (
        "techmonitor.html",
        "https://techmonitor.ai/technology/ai-and-automation/us-ai-safety-institute-consortium",
        9,
        {
            "note": "= Enfin une table de concertation sur la sécurité de l’IA #IA",
            "quote": "“The U.S. government has a significant role to play in setting the "
            "standards and developing the tools we need to mitigate the risks and harness "
            "the immense potential of artificial intelligence”",
        },
    ),
    (
        "venture-beat.html",
        "https://venturebeat.com/commerce/forter-raises-32-million-to-automate-retailers-"
        "battle-against-online-fraud/",
        10,
        {"lead": "À surveiller pour le commerce en ligne:"},
    ),
    (
        "marketing-land.html",
        "http://marketingland.com/an-inside-look-at-the-upcoming-martech-conference-165927",
        12,
        {"note": "= Le paysage martech ne cesse de grossir"},
    ),
    (
        "engadget.html",
        "https://www.engadget.com/2019/01/07/all-github-users-keep-code-private",
        13,
        {"note": "= Une bonne nouvelle pour les petites équipes"},
    ),
    (
        "npr.html",
        "https://www.npr.org/2020/12/23/949764249/fork-the-government",
        14,
        {"section": "À écouter", "note": "= Taïwan, laboratoire de la démocratie numérique"},
    ),
]


def build(out: Path) -> list[Path]:
    """Write the example review into `out` as Markdown and HTML; return their paths."""
    written: list[Path] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(Path(tmp) / "example.db")
        try:
            for name, address, day, curator in LINKS:
                moment = dt.datetime(START.year, START.month, day, 14, 0, tzinfo=dt.UTC)
                (outcome,) = store_links(store, [address], now=moment, curator=curator)
                saved = FetchResult(
                    url=address,
                    final_url=address,
                    status=200,
                    content_type="text/html",
                    body=(PAGES / name).read_bytes(),
                )
                record_result(store, outcome.item.id, saved, now=moment)
            cfg = Config(hashtags=["Analyweb"], sections=["Mes entrevues"], reviews_dir=str(out))
            composed_at = dt.datetime(END.year, END.month, END.day, 17, 0, tzinfo=dt.UTC)
            for fmt in ("md", "html"):
                opts = ComposeOptions(start=START, end=END, fmt=fmt, force=True)
                result = compose(store, cfg, opts, now=composed_at)
                assert result.path is not None
                written.append(result.path)
        finally:
            store.close()
    (out / "feed.xml").unlink(missing_ok=True)  # the feed names temporary database ids
    return written


def main() -> None:
    for path in build(REVIEWS):
        print(path.relative_to(HERE.parent))
    chromium = find_chromium()
    if chromium is None:
        print(f"no chromium here: {SCREENSHOT.relative_to(HERE.parent)} left as it was")
        return
    screenshot(chromium, REVIEWS / f"{STEM}.html", SCREENSHOT)
    print(SCREENSHOT.relative_to(HERE.parent))


if __name__ == "__main__":
    main()
