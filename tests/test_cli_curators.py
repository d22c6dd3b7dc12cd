"""What curators of other tools keep asking for (issue 8), through the real CLI."""

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


def test_intro_and_outro_files(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/1", "--title", "Un article")
    intro = tmp_path / "intro.md"
    intro.write_text(
        "Bonjour *lecteurs*, voici [ma revue](https://blog.example/).\n", encoding="utf-8"
    )
    outro = tmp_path / "outro.md"
    outro.write_text("À la semaine prochaine!\n", encoding="utf-8")
    md = run("compose", "--out", "-", "--intro", str(intro), "--outro", str(outro)).stdout
    assert md.index("Bonjour *lecteurs*") < md.index("Un article") < md.index("À la semaine")
    html = run("compose", "--out", "-", "--format", "html-fragment", "--intro", str(intro)).stdout
    assert "<em>lecteurs</em>" in html and 'href="https://blog.example/"' in html
    run("compose", "--intro", str(tmp_path / "missing.md"), code=2)


def test_text_block_is_placed_like_an_item() -> None:
    run("add", "--no-fetch", "https://a.example/1", "--title", "Premier")
    run("add", "--text", "Un mot entre deux liens.")
    run("add", "--no-fetch", "https://a.example/3", "--title", "Troisième")
    md = run("compose", "--out", "-").stdout
    assert md.index("Premier") < md.index("Un mot entre deux liens.") < md.index("Troisième")
    run("move", "2", "--after", "3")
    md = run("compose", "--out", "-").stdout
    assert md.index("Troisième") < md.index("Un mot entre deux liens.")


def test_hashtags_in_the_comment_become_tags_and_stay_in_the_comment() -> None:
    run(
        "add",
        "--no-fetch",
        "https://a.example/1",
        "--title",
        "T",
        "--note",
        "Encore une connerie #TikTok",
    )
    [item] = run_json("list")
    assert item["tags"] == ["TikTok"] and item["note"] == "Encore une connerie #TikTok"
    assert [i["id"] for i in run_json("list", "--tag", "TikTok")] == [1]
    md = run("compose", "--out", "-").stdout
    assert md.count("#TikTok") == 1


def test_published_before_warns_and_compose_never_repeats(tmp_path: Path) -> None:
    run("add", "--no-fetch", "https://a.example/story", "--title", "Histoire")
    run("compose")
    again = run("add", "--no-fetch", "https://a.example/story?utm_source=newsletter")
    assert "already in the review of" in again.stderr and "(#1)" in again.stderr
    later = run("compose", "--from", "2000-01-01", "--out", "-").stdout
    assert "Histoire" not in later
