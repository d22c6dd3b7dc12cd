"""compose: the file, its name, what it published, re-composing, hand edits, the feed."""

import json
import sqlite3
from pathlib import Path

import html5lib
import pytest
from markdown_it import MarkdownIt
from pages import CLOUDFLARE

from revue.errors import ExitCode

from clihelp import run, run_json
from loopback import LoopbackServer


@pytest.fixture
def reviews_dir(tmp_path: Path) -> Path:
    return tmp_path / "reviews"  # REVUE_REVIEWS_DIR (conftest)


def add(url: str, *args: str, code: int = ExitCode.OK) -> None:
    run("add", "--no-fetch", url, *args, code=code)


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
    result = run("compose", code=ExitCode.PARTIAL)
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


def test_bad_compose_input_exits_2(tmp_path: Path, empty_db: Path) -> None:
    run("compose", "--from", "2024-03-19", "--to", "2024-03-12", code=ExitCode.BAD_INPUT)
    run("compose", "--format", "pdf", code=ExitCode.BAD_INPUT)
    run("compose", "--lang", "de", code=ExitCode.BAD_INPUT)
    run("compose", "--to", "19/03/2024", code=ExitCode.BAD_INPUT)
    run("compose", "--template", str(tmp_path / "missing.j2"), code=ExitCode.BAD_INPUT)


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
    run("move", "3", code=ExitCode.BAD_INPUT)
    run("move", "3", "--before", "99", code=ExitCode.BAD_INPUT)


def test_compose_is_handed_its_clock(tmp_path: Path) -> None:
    """The library composes at the time it is given: the review and the feed say so."""
    import datetime as dt
    import xml.etree.ElementTree as ET

    from revue.app.compose import ComposeOptions, compose
    from revue.config import Config
    from revue.store.db import Store

    store = Store.open(tmp_path / "lib.db")
    store.add_text("Un mot", now="2024-03-18T09:00:00+00:00", section=None, tags=[])
    when = dt.datetime(2024, 3, 19, 11, 30, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    out = tmp_path / "out"
    opts = ComposeOptions(start=dt.date(2024, 3, 13), end=dt.date(2024, 3, 19), out=str(out))
    compose(store, Config(), opts, now=when)
    [review] = store.reviews()
    assert review.composed_at == "2024-03-19T15:30:00+00:00"
    updated = ET.parse(out / "feed.xml").getroot().find("{http://www.w3.org/2005/Atom}updated")
    assert updated is not None and updated.text == "2024-03-19T15:30:00+00:00"
    store.close()


# -- the weekly review, publishable as is ------------------------------------------------


def test_summaries_are_opt_in_by_option_or_config(tmp_path: Path) -> None:
    add("https://a.example/1", "--title", "Titre")
    run("edit", "1", "--summary", "ChatGPT est un agent conversationnel[2] [citation needed].")
    plain = run("compose", "--out", "-").stdout
    assert plain.split("\n\n")[1:] == ["Titre <https://a.example/1>\n"]
    shown = run("compose", "--out", "-", "--summaries", "--format", "text").stdout
    assert shown.endswith("\n\nChatGPT est un agent conversationnel.\n")
    (tmp_path / "config.toml").write_text("summaries = true\n", encoding="utf-8")
    assert "agent conversationnel." in run("compose", "--out", "-").stdout
    assert "agent" not in run("compose", "--out", "-", "--no-summaries").stdout
    (tmp_path / "config.toml").write_text('summaries = "yes"\n', encoding="utf-8")
    assert 'summaries = "yes"' in run("compose", "--out", "-", code=ExitCode.STORE).stderr


def test_dead_links_are_left_out_and_said_so(server: LoopbackServer, tmp_path: Path) -> None:
    """404, 410, an unknown host and a refused connection are gone for good; a bot wall, a
    5xx or a timeout is not."""
    import socket

    server.route("/ok", "<html><head><title>Vivant</title></head></html>")
    server.route("/gone", "<html></html>", status=410)
    server.route("/wall", CLOUDFLARE, status=403)
    server.route("/busy", "<html></html>", status=503, headers={"Retry-After": "0"})
    with socket.socket() as probe:  # a port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        closed = f"http://127.0.0.1:{probe.getsockname()[1]}/x"
    links = [server.url(p) for p in ("/ok", "/missing", "/gone", "/wall", "/busy")]
    run("add", *links, closed, code=ExitCode.PARTIAL)
    # No name lookup leaves the machine in a test: the store gets what fetch records then.
    from revue.store.db import Store

    add("https://nowhere.invalid/article")
    store = Store.open(tmp_path / "revue.db")
    [unknown] = [i for i in store.list_items() if "nowhere" in (i.url or "")]
    store.record_fetch(
        unknown.id, status="failed", error="DNS lookup failed", now="2024-03-19T10:00:00+00:00"
    )
    store.close()
    out = run("compose", "--format", "text", "--out", "-")
    assert "Vivant" in out.stdout and "/wall" in out.stdout and "/busy" in out.stdout
    for gone in (server.url("/missing"), server.url("/gone"), "nowhere.invalid", closed):
        assert gone not in out.stdout
    left = [line for line in out.stderr.splitlines() if "left out" in line]
    assert len(left) == 4, out.stderr
    assert any("HTTP 404" in line and "/missing" in line for line in left)
    assert any("HTTP 410" in line and "/gone" in line for line in left)
    assert any("DNS lookup failed" in line for line in left)
    assert any("connection refused" in line for line in left)
    kept = run("compose", "--format", "text", "--out", "-", "--include-failed")
    assert "nowhere.invalid" in kept.stdout and "left out" not in kept.stderr
    # Written, the review records only what it published.
    run("compose")
    assert {i["url"]: i["review"] for i in run_json("list")}[server.url("/missing")] is None


def test_an_empty_range_writes_nothing(reviews_dir: Path, empty_db: Path) -> None:
    result = run("compose", "--from", "2020-01-01", "--to", "2020-01-07")
    assert result.stdout == ""
    assert "nothing to publish from 2020-01-01 to 2020-01-07: no link was added" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not reviews_dir.exists() and run_json("reviews") == []
    assert run("compose", "--from", "2020-01-01", "--to", "2020-01-07", "--out", "-").stdout == ""
    # Empty or not, a broken template is said at once.
    broken = reviews_dir.parent / "broken.md.j2"
    broken.write_text("{{ nope }}", encoding="utf-8")
    empty = ["--from", "2020-01-01", "--to", "2020-01-07"]
    assert (
        "nope" in run("compose", *empty, "--template", str(broken), code=ExitCode.BAD_INPUT).stderr
    )
    run("compose", "--from", "2020-01-01", "--to", "2020-01-07", "--allow-empty")
    path = reviews_dir / "2020-01-07-revue-de-presse.md"
    assert (
        path.read_text(encoding="utf-8")
        == "# Revue de presse marketing/techno du 1er janvier au 7 janvier\n"
    )


def test_english_review_has_the_english_suffix_and_prefix(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text(
        'suffix = "et mes entrevues"\ntitle_prefix = "Ma revue"\n'
        '[compose.en]\ntitle_prefix = "My review"\nsuffix = "and my interviews"\n',
        encoding="utf-8",
    )
    add("https://a.example/1", "--title", "Un")
    text = ["--format", "text", "--out", "-", "--from", "2024-03-12", "--to", "2024-03-19"]
    db = tmp_path / "revue.db"
    set_added(db, 1, "2024-03-14T10:00:00+00:00")
    fr = run("compose", *text).stdout.splitlines()[0]
    assert fr == "Ma revue du 12 mars au 19 mars et mes entrevues"
    en = run("compose", *text, "--lang", "en").stdout.splitlines()[0]
    assert en == "My review, March 12 to March 19 and my interviews"
    # Without an [compose.en] table, an English review has the English default, no suffix.
    (tmp_path / "config.toml").write_text('suffix = "et mes entrevues"\n', encoding="utf-8")
    en = run("compose", *text, "--lang", "en").stdout.splitlines()[0]
    assert en == "Marketing/tech press review, March 12 to March 19"
    (tmp_path / "config.toml").write_text('[compose.de]\nsuffix = "x"\n', encoding="utf-8")
    assert "compose" in run("compose", *text, code=ExitCode.STORE).stderr
    (tmp_path / "config.toml").write_text('[compose.en]\nsufix = "x"\n', encoding="utf-8")
    assert "unknown key 'compose.en.sufix'" in run("compose", *text, code=ExitCode.STORE).stderr


def test_text_format_writes_a_txt_file_without_escapes(reviews_dir: Path, tmp_path: Path) -> None:
    add("https://a.example/x?a=1&b=2", "--title", "AT&T | 127.0.0.1 *vite* <b>", "--note", "Oui")
    add("javascript:alert(1)", code=ExitCode.BAD_INPUT)
    run("compose", "--format", "text")
    [path] = reviews_dir.glob("*.txt")
    assert path.name.endswith("-revue-de-presse.txt")
    body = path.read_text(encoding="utf-8").split("\n\n")[1]
    assert body == "AT&T | 127.0.0.1 *vite* <b> https://a.example/x?a=1&b=2 = Oui\n"
    md = run("compose", "--out", "-").stdout
    assert "AT&amp;T \\| 127.0.0.1 \\*vite\\* &lt;b&gt;" in md


def test_week_since_last_and_review_ranges(tmp_path: Path, reviews_dir: Path) -> None:
    db = tmp_path / "revue.db"
    for n, day in enumerate(("2024-03-10", "2024-03-11", "2024-03-17", "2024-03-18"), 1):
        add(f"https://a.example/{n}", "--title", f"T{n}")
        set_added(db, n, f"{day}T10:00:00+00:00")
    week = run("compose", "--week", "2024-W11", "--format", "text", "--out", "-").stdout
    assert week.splitlines()[0].endswith("du 11 mars au 17 mars")
    assert "T2" in week and "T3" in week and "T1" not in week and "T4" not in week
    run("compose", "--week", "2024-w11", "--style", "linked")  # written: review #1
    [first] = run_json("reviews")
    assert (first["start"], first["end"]) == ("2024-03-11", "2024-03-17")
    # --since-last: from the day after the last review's end to today.
    since = run("compose", "--since-last", "--format", "text", "--out", "-").stdout
    assert "T4" in since and "T2" not in since and "T3" not in since
    assert " du 18 mars " in since.splitlines()[0]
    # --review N: its range, its items (published), its style.
    again = run("compose", "--review", "1", "--format", "text", "--out", "-").stdout
    assert again == "Revue de presse marketing/techno du 11 mars au 17 mars\n\nT2\n\nT3\n"
    for bad, named in (
        (["--week", "2024-W54"], "2024-W54"),
        (["--week", "2024-11"], "2024-11"),
        (["--week", "9999-W52"], "9999-W52"),  # its Sunday is in year 10000
        (["--review", "9"], "--review 9"),
        (["--review", "x"], "'x'"),
        (["--week", "2024-W11", "--from", "2024-03-01"], "--week 2024-W11"),
        (["--since-last", "--review", "1"], "--since-last"),
    ):
        assert named in run("compose", *bad, code=ExitCode.BAD_INPUT).stderr, bad
    # The range options are shared: list and export read them the same way.
    listed = run("list", "--week", "2024-W11").stdout
    assert "T2" in listed and "T3" in listed and "T1" not in listed
    assert [i["title"] for i in run_json("list", "--review", "1")] == ["T3", "T2"]
    exported = json.loads(run("export", "--review", "1").stdout)
    assert sorted(i["title"] for i in exported["items"]) == ["T2", "T3"]
    assert "2024-W99" in run("list", "--week", "2024-W99", code=ExitCode.BAD_INPUT).stderr
    assert "9999-W52" in run("list", "--week", "9999-W52", code=ExitCode.BAD_INPUT).stderr


def test_since_last_when_the_last_review_reaches_today(reviews_dir: Path) -> None:
    add("https://a.example/1", "--title", "Un")
    run("compose")
    result = run("compose", "--since-last")
    assert "nothing to compose" in result.stderr and result.stdout == ""
    assert len(run_json("reviews")) == 1


def test_every_compose_names_the_links_shown_with_a_stand_in_title(
    server: LoopbackServer, reviews_dir: Path
) -> None:
    """A blocked, failed or untitled page shows as `site: words`: every compose (not only
    --preview) says which, with the command that fixes it; --strict exits 1 for cron."""
    server.route("/ok", "<html><head><title>Vivant</title></head></html>")
    server.route("/wall/l%27%C3%A9t%C3%A9-qu%C3%A9b%C3%A9cois", CLOUDFLARE, status=403)
    server.route("/untitled/une-page-sans-titre", "<html><body><p>x</p></body></html>")
    run(
        "add",
        server.url("/ok"),
        server.url("/wall/l%27%C3%A9t%C3%A9-qu%C3%A9b%C3%A9cois"),
        code=ExitCode.PARTIAL,
    )
    run("add", server.url("/untitled/une-page-sans-titre"))
    add("https://social.example/pas-encore-lu", "--note", "À lire")
    add("https://titre.example/donne", "--title", "Un titre donné")
    # A post on X not fetched yet has no text to quote: its line would be "via RT@u URL" alone.
    add("https://x.com/u/status/7", "--note", "Un fil")
    for args in ([], ["--dry-run"], ["--out", "-"], ["--preview"]):
        out = run("compose", "--format", "text", *args)
        lines = [line for line in out.stderr.splitlines() if "shown as" in line]
        assert len(lines) == 4, out.stderr
        assert any(
            '#6 shown as "via RT@u" (not fetched yet): revue edit 6 --quote "…"' in line
            for line in lines
        ), lines
        assert any(
            '#2 shown as "127.0.0.1: l\'été québécois" (blocked): revue edit 2 --title "…"' in line
            for line in lines
        ), lines
        assert any("#3 shown as" in line and "une page sans titre" in line for line in lines)
        assert any("#4 shown as" in line and "(not fetched yet)" in line for line in lines)
        assert "Vivant" not in "".join(lines) and "#5" not in "".join(lines)
    strict = run("compose", "--strict", code=ExitCode.PARTIAL)
    assert strict.stderr.count("error: #") == 4
    run("edit", "6", "--quote", "Le texte du fil")
    run("edit", "2", "--title", "L'été")
    run("edit", "3", "--title", "Une page")
    run("edit", "4", "--title", "Pas encore lu")
    assert "shown as" not in run("compose", "--strict").stderr


def test_an_empty_since_last_or_published_week_says_why_and_which_option(
    reviews_dir: Path,
) -> None:
    """Right after a compose, --since-last has nothing (its range starts tomorrow); a week
    whose items another review published has nothing new: each says so, and the option."""
    add("https://a.example/1", "--title", "Un")
    add("https://a.example/2", "--title", "Deux")
    run("compose")
    since = run("compose", "--since-last").stderr
    assert "the last review (#1), which already reaches" in since and "--review 1" in since
    listed = run("list", "--since-last").stderr
    assert "--since-last starts the day after the last review (#1)" in listed
    assert "--review 1 lists its items" in listed
    [review] = run_json("reviews")
    # A range that overlaps review #1 (its last day): its items went out there.
    end = review["end"]
    other = run("compose", "--from", end, "--to", end).stderr
    assert "2 item(s) of it already published by review #1" in other
    assert "--include-published takes them again" in other and "--review 1" in other
    assert run_json("reviews") == [review]
    again = run("compose", "--from", end, "--to", end, "--include-published")
    assert "2 item(s)" in again.stderr and len(run_json("reviews")) == 2


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
    run("compose", "--intro", str(tmp_path / "missing.md"), code=ExitCode.BAD_INPUT)


def test_text_block_is_placed_like_an_item() -> None:
    run("add", "--no-fetch", "https://a.example/1", "--title", "Premier")
    run("add", "--text", "Un mot entre deux liens.")
    run("add", "--no-fetch", "https://a.example/3", "--title", "Troisième")
    md = run("compose", "--out", "-").stdout
    assert md.index("Premier") < md.index("Un mot entre deux liens.") < md.index("Troisième")
    run("move", "2", "--after", "3")
    md = run("compose", "--out", "-").stdout
    assert md.index("Troisième") < md.index("Un mot entre deux liens.")
