"""The Templates page's example template renders a real review, as --template and from
templates_dir; every key the page names exists."""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from pathlib import Path

import pytest

from revue.models import Item, ReviewDoc
from revue.review.render import template_context

from clihelp import run
from loopback import LoopbackServer

PAGE_MD = Path(__file__).resolve().parents[1] / "docs" / "howto" / "templates.md"

PAGE = """<html lang="fr"><head>
<title>OpenAI promet des superpouvoirs</title>
<meta property="og:title" content="OpenAI promet des superpouvoirs">
<meta name="twitter:site" content="@lp_lapresse">
<meta name="description" content="Première conférence annuelle.">
</head><body><p>Texte.</p></body></html>"""


def templates_section() -> str:
    """The docs' Templates page (the README's "Templates" section moved there)."""
    return PAGE_MD.read_text(encoding="utf-8")


def example_template() -> str:
    [block] = re.findall(r"```jinja\n(.*?)```", templates_section(), flags=re.S)
    return block


def set_added(db: Path, when: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE items SET added_at = ?", [when])
    conn.commit()
    conn.close()


EXPECTED = """\
# Revue de presse marketing/techno du 12 mars au 19 mars

Bonne lecture!

- À lire: [OpenAI promet des superpouvoirs](<{base}/openai>) via @lp_lapresse — Encore une #IA #Analyweb (ajouté le 2024-03-12)
- Un mot sur la semaine

## Mes entrevues

- [À la radio](<https://radio.example/show>) #Analyweb (ajouté le 2024-03-12)

2 liens du 2024-03-12 au 2024-03-19.
"""


@pytest.fixture
def review(server: LoopbackServer, tmp_path: Path) -> str:
    """A review with a fetched page, a note with a hashtag, a lead, a text block, a section."""
    (tmp_path / "config.toml").write_text(
        'hashtags = ["Analyweb"]\nintro = "Bonne lecture!"\n', encoding="utf-8"
    )
    server.route("/openai", PAGE)
    run("add", server.url("/openai"), "--note", "= Encore une #IA", "--lead", "À lire:")
    run("add", "--text", "Un mot sur la semaine")
    run("add", "--no-fetch", "https://radio.example/show", "--title", "À la radio")
    run("edit", "3", "--section", "Mes entrevues")
    set_added(tmp_path / "revue.db", "2024-03-12T10:00:00+00:00")
    return EXPECTED.format(base=server.base)


def test_docs_example_template_renders_a_review(review: str, tmp_path: Path) -> None:
    template = tmp_path / "bullets.md.j2"
    template.write_text(example_template(), encoding="utf-8")
    out = run(
        "compose",
        "--from",
        "2024-03-12",
        "--to",
        "2024-03-19",
        "--template",
        str(template),
        "--out",
        "-",
    ).stdout
    assert out == review


def test_templates_dir_file_named_like_a_builtin_replaces_it(review: str, tmp_path: Path) -> None:
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "review.md.j2").write_text(example_template(), encoding="utf-8")
    config = tmp_path / "config.toml"
    config.write_text(
        config.read_text(encoding="utf-8") + f'templates_dir = "{folder}"\n', encoding="utf-8"
    )
    out = run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--out", "-").stdout
    assert out == review
    # The other formats still use the built-ins.
    html = run(
        "compose", "--from", "2024-03-12", "--to", "2024-03-19", "--format", "html", "--out", "-"
    ).stdout
    assert html.lstrip().lower().startswith("<!doctype html")


def test_context_keys_in_the_docs_exist() -> None:
    """Every key the Templates page names is in the context of a real review."""
    doc = ReviewDoc(
        title="T",
        start=dt.date(2024, 3, 12),
        end=dt.date(2024, 3, 19),
        lang="fr",
        items=[Item(id=1, url="https://a.example/", added_at="2024-03-12T10:00:00+00:00")],
    )
    context = template_context(doc)
    known = {*context, *context["items"][0], *context["sections"][0]}
    known |= {"style", "format", "show_summary"}  # added by render() to every template
    # Backquoted words that are not keys: filters, values, config keys, HTML.
    not_keys = {"md", "md_link", "safe_url", "one_line", "html_text", "markdown", "revue"}
    not_keys |= {"link", "text", "fr", "en", "md", "html", "classic", "linked", "true"}
    not_keys |= {"templates_dir", "href"}
    named = set(re.findall(r"`([a-z][a-z_]*)`", templates_section())) - not_keys
    assert named - known == set()
    assert {"title", "items", "sections", "url_safe", "link_md", "note_html"} <= named


PAYWALLED = """<html lang="fr"><head><title>Une enquête</title>
<meta property="og:title" content="Une enquête">
<meta property="article:published_time" content="2023-01-05T08:00:00+00:00">
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Une enquête",
 "datePublished": "2023-01-05", "isAccessibleForFree": false}
</script></head><body><p>Réservé aux abonnés.</p></body></html>"""


def test_docs_curating_options_end_to_end(server: LoopbackServer, tmp_path: Path) -> None:
    """paywall_marker, stale_days, show_dates, --intro/--outro, a title typed by hand."""
    (tmp_path / "config.toml").write_text(
        'paywall_marker = "(abonnés)"\nshow_dates = true\nstale_days = 30\n', encoding="utf-8"
    )
    server.route("/enquete", PAYWALLED)
    server.route("/autre", PAYWALLED)
    run("add", server.url("/enquete"))
    run("add", server.url("/autre"), "--title", "Mon titre à moi")
    run("fetch", "--all")
    set_added(tmp_path / "revue.db", "2024-03-12T10:00:00+00:00")
    listed = run("list").stdout
    assert "ok (stale, paywall)" in listed
    assert "Mon titre à moi" in listed  # the page's title did not replace it
    (tmp_path / "intro.md").write_text("Bonjour *tout le monde*", encoding="utf-8")
    (tmp_path / "outro.md").write_text("À la semaine prochaine", encoding="utf-8")
    out = run(
        "compose",
        "--from",
        "2024-03-12",
        "--to",
        "2024-03-19",
        "--out",
        "-",
        "--intro",
        str(tmp_path / "intro.md"),
        "--outro",
        str(tmp_path / "outro.md"),
    ).stdout
    first = f"Une enquête <{server.url('/enquete')}> (5 janvier 2023) (abonnés)"
    assert first in out
    assert f"Mon titre à moi <{server.url('/autre')}>" in out
    assert out.index("Bonjour *tout le monde*") < out.index(first) < out.index("À la semaine")
