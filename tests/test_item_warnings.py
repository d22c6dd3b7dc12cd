"""What revue marks and warns about an item, through the real CLI: paywalled, stale (first
published long ago, whatever its last update), already in a review."""

from pathlib import Path

from clihelp import run, run_json
from loopback import LoopbackServer

PAYWALLED = """<html lang="fr"><head><title>Enquête exclusive | Le Devoir</title>
<meta property="og:title" content="Enquête exclusive">
<script type="application/ld+json">{"@type":"NewsArticle","headline":"Enquête exclusive",
"isAccessibleForFree":false,"datePublished":"2020-01-15"}</script></head><body></body></html>"""


def test_paywalled_and_stale_items_are_marked(server: LoopbackServer, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'paywall_marker = "(abonnés)"\nstale_days = 30\n', encoding="utf-8"
    )
    run("add", server.route("/enquete", PAYWALLED))
    [item] = run_json("list")
    assert item["paywalled"] is True and item["published"].startswith("2020-01-15")
    listed = run("list").stdout
    assert "stale" in listed and "paywall" in listed
    md = run("compose", "--out", "-").stdout
    assert "(abonnés)" in md
    preview = run("compose", "--preview")
    assert "stale" in preview.stderr
    dated = run("compose", "--out", "-", "--show-dates").stdout
    assert "2020" in dated


def test_published_before_warns_and_compose_never_repeats(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/story", "--title", "Histoire")
    run("compose")
    again = run("add", "--no-fetch", "https://a.example/story?utm_source=newsletter")
    assert "already in the review of" in again.stderr and "(#1)" in again.stderr
    later = run("compose", "--from", "2000-01-01", "--out", "-").stdout
    assert "Histoire" not in later


def backup_with(tmp_path: Path, **fields: object) -> Path:
    """A revue JSON backup holding one fetched item (what `export --format json` writes)."""
    import json

    item = {
        "id": 1,
        "url": "https://www.lapresse.ca/affaires/2015-03-02/vieille.php",
        "title": "Une vieille nouvelle",
        "status": "ok",
        "added_at": "2024-03-18T14:03:00+00:00",
        "tags": [],
        "hashtags": [],
        **fields,
    }
    path = tmp_path / "backup.json"
    backup = {"format": "revue-export", "version": 1, "items": [item], "reviews": [], "feeds": []}
    path.write_text(json.dumps(backup), encoding="utf-8")
    return path


def test_an_updated_page_first_published_long_ago_is_stale(tmp_path: Path) -> None:
    # Updated the day before it was added, first published nine years before.
    dump = backup_with(
        tmp_path, published="2024-03-17T09:00:00+00:00", first_published="2015-03-02"
    )
    run("import", str(dump), "--no-fetch")
    [item] = run_json("list")
    assert item["first_published"] == "2015-03-02"
    assert item["published"] == "2024-03-17T09:00:00+00:00"
    assert "\tok (stale)\t" in run("list").stdout
    shown = run("show", "1").stdout
    assert "first published" in shown and "2015-03-02" in shown
    assert "stale" in shown
    preview = run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--preview")
    assert "#1 is stale: first published 2015-03-02, added 2024-03-18" in preview.stderr


def test_a_fresh_story_is_not_stale_and_show_says_its_date_once(tmp_path: Path) -> None:
    dump = backup_with(tmp_path, published="2024-03-17", first_published="2024-03-17")
    run("import", str(dump), "--no-fetch")
    assert "\tok\t" in run("list").stdout
    shown = run("show", "1").stdout
    assert "first published" not in shown and "stale" not in shown
    preview = run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--preview")
    assert "stale" not in preview.stderr


def updated_page(modified: str) -> str:
    return f"""<html lang="fr"><head><title>Vieille nouvelle</title>
<meta property="og:title" content="Vieille nouvelle">
<meta property="article:published_time" content="2015-03-02T08:00:00+00:00">
<meta property="article:modified_time" content="{modified}">
</head><body><p>Texte.</p></body></html>"""


def test_a_page_updated_today_but_first_published_in_2015_is_stale(
    server: LoopbackServer,
) -> None:
    # Modified today rather than in 2021: then only the first publication can make it stale,
    # whichever date the extractor puts in `published`.
    import datetime as dt

    today = dt.datetime.now(dt.UTC).date().isoformat()
    run("add", server.route("/vieille", updated_page(f"{today}T06:00:00+00:00")))
    [item] = run_json("list")
    assert (item["first_published"] or item["published"]).startswith("2015-03-02")
    assert "stale" in run("list").stdout
    assert "is stale: first published 2015-03-02" in run("compose", "--preview").stderr


def test_a_fetched_page_keeps_its_update_and_its_first_publication(
    server: LoopbackServer,
) -> None:
    run("add", server.route("/vieille", updated_page("2021-05-04T10:00:00+00:00")))
    [item] = run_json("list")
    assert item["published"].startswith("2021-05-04")
    assert item["first_published"].startswith("2015-03-02")
    shown = run("show", str(item["id"])).stdout
    assert "first published" in shown
