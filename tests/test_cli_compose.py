"""compose: the file, its name, what it published, re-composing, hand edits, the feed."""

import json
import sqlite3
from pathlib import Path

import html5lib
import pytest
from markdown_it import MarkdownIt

from clihelp import run, run_json


@pytest.fixture
def reviews_dir(tmp_path: Path) -> Path:
    return tmp_path / "reviews"  # REVUE_REVIEWS_DIR (conftest)


def add(url: str, *args: str) -> None:
    run("add", "--no-fetch", url, *args)


def set_added(db: Path, item_id: int, when: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE items SET added_at = ? WHERE id = ?", [when, item_id])
    conn.commit()
    conn.close()


def test_compose_writes_dated_file_and_records_publication(
    tmp_path: Path, reviews_dir: Path
) -> None:
    add("https://a.example/1", "--title", "Premier", "--note", "Bien")
    add("https://a.example/2", "--title", "Second")
    db = tmp_path / "revue.db"
    set_added(db, 1, "2024-03-12T10:00:00+00:00")
    set_added(db, 2, "2024-03-19T10:00:00+00:00")
    result = run("compose", "--from", "2024-03-12", "--to", "2024-03-19")
    path = reviews_dir / "2024-03-19-revue-de-presse.md"
    assert result.stdout.strip() == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Revue de presse marketing/techno du 12 mars au 19 mars\n")
    tokens = MarkdownIt("commonmark").parse(text)
    hrefs = [
        child.attrs["href"]
        for tok in tokens
        if tok.type == "inline"
        for child in tok.children or []
        if child.type == "link_open"
    ]
    assert hrefs == ["https://a.example/1", "https://a.example/2"]
    assert [i["review"] for i in run_json("list")] == [1, 1]
    # Same range again: same file, nothing lost to "already published".
    before = path.read_bytes()
    run("compose", "--from", "2024-03-12", "--to", "2024-03-19")
    assert path.read_bytes() == before
    # The HTML of the same range publishes the same items.
    run("compose", "--from", "2024-03-12", "--to", "2024-03-19", "--format", "html")
    page = (reviews_dir / "2024-03-19-revue-de-presse.html").read_text(encoding="utf-8")
    html5lib.HTMLParser(strict=True).parse(page)
    assert "Premier" in page and "Second" in page
    # Next week's review leaves them out unless asked.
    add("https://a.example/3", "--title", "Troisième")
    set_added(db, 3, "2024-03-20T10:00:00+00:00")
    out = run("compose", "--from", "2024-03-13", "--to", "2024-03-20", "--out", "-").stdout
    assert "Troisième" in out and "Second" not in out
    out = run(
        "compose", "--from", "2024-03-13", "--to", "2024-03-20", "--out", "-", "--include-published"
    ).stdout
    assert "Second" in out


def test_hand_edited_review_is_not_overwritten_without_force(reviews_dir: Path) -> None:
    add("https://a.example/1", "--title", "Premier")
    run("compose")
    [path] = reviews_dir.glob("*.md")
    path.write_text(path.read_text(encoding="utf-8") + "\nMon ajout\n", encoding="utf-8")
    result = run("compose", code=1)
    assert "--force" in result.stderr
    assert "Mon ajout" in path.read_text(encoding="utf-8")
    run("compose", "--force")
    assert "Mon ajout" not in path.read_text(encoding="utf-8")


def test_dry_run_and_stdout_write_and_record_nothing(reviews_dir: Path) -> None:
    add("https://a.example/1", "--title", "Premier")
    out = run("compose", "--dry-run").stdout
    assert "Premier" in out
    run("compose", "--out", "-", "--lang", "en")
    assert not reviews_dir.exists()
    assert run_json("reviews") == []
    assert run_json("list")[0]["review"] is None


def test_feed_of_reviews_is_valid_atom(reviews_dir: Path) -> None:
    import xml.etree.ElementTree as ET

    add("https://a.example/1", "--title", "Premier <script>")
    run("compose")
    root = ET.parse(reviews_dir / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = root.findall("a:entry", ns)
    assert len(entries) == 1
    assert entries[0].find("a:title", ns).text.startswith("Revue de presse")  # type: ignore[union-attr]


def test_bad_compose_input_exits_2(tmp_path: Path) -> None:
    run("compose", "--from", "2024-03-19", "--to", "2024-03-12", code=2)
    run("compose", "--format", "pdf", code=2)
    run("compose", "--lang", "de", code=2)
    run("compose", "--to", "19/03/2024", code=2)
    run("compose", "--template", str(tmp_path / "missing.j2"), code=2)


def test_config_prefix_hashtags_and_sections(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'title_prefix = "Ma revue"\nhashtags = ["#Analyweb"]\nsections = ["Mes entrevues"]\n',
        encoding="utf-8",
    )
    add("https://a.example/1", "--title", "Entrevue", "--section", "Mes entrevues")
    add("https://a.example/2", "--title", "Article")
    out = run("compose", "--out", "-").stdout
    assert out.splitlines()[0].startswith("# Ma revue du ")
    assert out.index("Article") < out.index("## Mes entrevues") < out.index("Entrevue")
    assert "#Analyweb" in out


def test_json_format_and_move(tmp_path: Path) -> None:
    for n in (1, 2, 3):
        add(f"https://a.example/{n}", "--title", f"T{n}")
    run("move", "3", "--before", "1")
    data = json.loads(run("compose", "--format", "json", "--out", "-").stdout)
    assert [i["title"] for i in data["items"]] == ["T3", "T1", "T2"]
    run("move", "3", "--after", "2")
    data = json.loads(run("compose", "--format", "json", "--out", "-").stdout)
    assert [i["title"] for i in data["items"]] == ["T1", "T2", "T3"]
    run("move", "3", code=2)
    run("move", "3", "--before", "99", code=2)


def test_compose_is_handed_its_clock(tmp_path: Path) -> None:
    """The library composes at the time it is given: the review and the feed say so."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    from revue.compose import ComposeOptions, compose
    from revue.config import Config
    from revue.db import Store

    store = Store.open(tmp_path / "lib.db")
    store.add_text("Un mot", now="2024-03-18T09:00:00+00:00", section=None, tags=[])
    when = dt.datetime(2024, 3, 19, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    out = tmp_path / "out"
    opts = ComposeOptions(start=dt.date(2024, 3, 13), end=dt.date(2024, 3, 19), out=str(out))
    compose(store, Config(), opts, now=when)
    [review] = store.reviews()
    assert review["composed_at"] == "2024-03-19T15:30:00+00:00"
    updated = ET.parse(out / "feed.xml").getroot().find("{http://www.w3.org/2005/Atom}updated")
    assert updated is not None and updated.text == "2024-03-19T15:30:00+00:00"
    store.close()
