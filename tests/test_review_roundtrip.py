"""Past reviews round-trip: the real posts of the seed blog, imported as review text, then
composed back over their own dates, give the posts back line for line.

The posts are tests/fixtures/reviews/seed-000-first-three-posts.txt (the first three posts of
the seed blog). Their pages are served on 127.0.0.1, each naming its real address as its
canonical link, with a title of its own that differs from the one the curator published.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import urlsplit

from clihelp import run, run_json
from loopback import LoopbackServer

POSTS = Path(__file__).parent / "fixtures" / "reviews" / "seed-000-first-three-posts.txt"
URL = re.compile(r"https?://[^\s<>]+")
MARCH, NOVEMBER, SEPTEMBER = 0, 1, 2


def posts() -> list[tuple[str, list[str]]]:
    """(title, linked lines) of each post, whitespace normalised, read without revue."""
    out: list[tuple[str, list[str]]] = []
    for raw in POSTS.read_text(encoding="utf-8").splitlines():
        line = " ".join(raw.split())
        if line.startswith("Revue de presse"):
            out.append((line, []))
        elif URL.search(line):
            out[-1][1].append(line)
    return out


def unmarkdown(line: str) -> str:
    """A line of revue's Markdown as the text it renders to: `<url>` bare, escapes dropped."""
    line = re.sub(r"<(https?://[^\s<>]+)>", r"\1", line)
    return " ".join(re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", line).split())


def linked_lines(text: str) -> list[str]:
    return [unmarkdown(line) for line in text.splitlines() if URL.search(line)]


def title_of(markdown: str) -> str:
    first = markdown.splitlines()[0]
    assert first.startswith("# "), markdown
    return unmarkdown(first[2:])


def page(title: str, real_url: str, via: str | None) -> str:
    """The page of an item as its site serves it: its own title, its real canonical address."""
    meta_via = f'<meta name="twitter:site" content="{via}">' if via else ""
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8">
<title>{html.escape(title)} - Le site</title>
<meta property="og:title" content="Sur le site : {html.escape(title)}">
<meta property="og:description" content="Ce que la page dit d'elle-même.">
{meta_via}
<link rel="canonical" href="{html.escape(real_url)}">
</head><body><p>Texte</p></body></html>"""


def served_posts(server: LoopbackServer, tmp_path: Path) -> Path:
    """The posts with every link pointing at `server`, which serves a page for each."""
    text = POSTS.read_text(encoding="utf-8")
    for raw in text.splitlines():
        match = URL.search(raw)
        if not match:
            continue
        real = match.group(0)
        path = urlsplit(real).path
        title = raw[: match.start()].strip()
        # Radio-Canada's pages name a handle the posts never showed: it must not appear.
        via = "@lp_lapresse" if "lapresse" in real else "@radiocanadainfo"
        server.route(path, page(title, real, via))
    local = URL.sub(lambda m: server.base + urlsplit(m.group(0)).path, text)
    target = tmp_path / "posts.txt"
    target.write_text(local, encoding="utf-8")
    return target


def compose_range(start: str, end: str, *extra: str) -> str:
    args = ["compose", "--from", start, "--to", end, "--include-published", "--out", "-"]
    return str(run(*args, *extra).stdout)


def test_posts_compose_back_line_for_line_from_served_pages(
    server: LoopbackServer, tmp_path: Path
) -> None:
    result = run("import", str(served_posts(server, tmp_path)), "--year", "2024")
    assert "3 past review(s) recorded" in result.stderr
    items = run_json("list")
    # Each page named its real address: the items are the real links, fetched.
    assert {i["status"] for i in items} == {"ok"}
    assert not any("127.0.0.1" in i["url"] for i in items)
    expected = posts()
    for which, (start, end, suffix) in {
        NOVEMBER: ("2023-11-07", "2023-11-08", ""),
        SEPTEMBER: ("2023-09-08", "2023-09-08", ""),
        MARCH: ("2024-03-12", "2024-03-19", expected[MARCH][0].split("19 mars ", 1)[1]),
    }.items():
        title, lines = expected[which]
        composed = compose_range(start, end, "--suffix", suffix)
        assert title_of(composed) == title
        if which == MARCH:
            continue  # its titles lost their links when the post was saved: one link is left
        # The post's lines, the La Presse line it printed twice once.
        assert linked_lines(composed) == list(dict.fromkeys(lines))


def test_imported_items_are_dated_inside_their_review() -> None:
    run("import", str(POSTS), "--no-fetch")
    reviews = {r["id"]: r for r in run_json("reviews")}
    for item in run_json("list"):
        review = reviews[item["review"]]
        if review["end"] is None:
            continue  # the March post's year is not written anywhere: its date is unknown
        assert review["start"] <= item["added_at"][:10] <= review["end"], item
    november = compose_range("2023-11-07", "2023-11-08")
    assert len(linked_lines(november)) == 9
    # A link dated inside the range keeps its day; one dated before it gets the last day.
    virgule = next(i for i in run_json("list") if "jeu-de-la-virgule" in i["url"])
    openai = next(i for i in run_json("list") if "superpouvoirs" in i["url"])
    assert virgule["added_at"].startswith("2023-11-08")
    assert openai["added_at"].startswith("2023-11-08")
    assert compose_range("2023-11-07", "2023-11-07").count("http") == 0


def test_year_option_is_only_a_fallback() -> None:
    run("import", str(POSTS), "--no-fetch", "--year", "2024")
    reviews = run_json("reviews")
    # What `compose --review N` recomposes them with: the posts' language and style.
    assert {(r["lang"], r["style"]) for r in reviews} == {("fr", "classic")}
    ranges = sorted((r["start"], r["end"]) for r in reviews)
    # The 2023 posts' links carry their dates (/2023-11-06/): --year 2024 leaves them alone.
    assert ranges == [
        ("2023-09-08", "2023-09-08"),
        ("2023-11-07", "2023-11-08"),
        ("2024-03-12", "2024-03-19"),
    ]


def test_a_past_review_s_titles_and_vias_are_kept_on_refetch(
    server: LoopbackServer, tmp_path: Path
) -> None:
    server.route("/a", page("Titre de la page A", f"{server.base}/a", "@page_a"))
    server.route("/b", page("Titre de la page B", f"{server.base}/b", "@page_b"))
    server.route("/c", page("Titre de la page C", f"{server.base}/c", "@page_c"))
    review = tmp_path / "review.txt"
    review.write_text(
        "Revue de presse marketing/techno du 8 septembre 2023\n\n"
        f"Mon titre A {server.base}/a via @curateur = Mon mot #Analyweb\n\n"
        f"Mon titre B {server.base}/b #Analyweb\n\n"
        f"{server.base}/c\n",
        encoding="utf-8",
    )
    run("import", str(review))
    run("fetch", "--all")
    a, b, c = sorted(run_json("list"), key=lambda i: i["url"])
    assert (a["title"], a["via"], a["note"]) == ("Mon titre A", "@curateur", "Mon mot")
    assert (b["title"], b["via"]) == ("Mon titre B", None)  # the post showed no via
    assert set(a["user_fields"]) == set(b["user_fields"]) == {"title", "via"}
    # The page fills what the post did not say.
    assert a["summary"] == "Ce que la page dit d'elle-même."
    # A bare link in the post had no title: the page's is taken, and may change later.
    assert (c["title"], c["via"], c["user_fields"]) == (
        "Sur le site : Titre de la page C",
        "@page_c",
        [],
    )
    shown = run("show", str(a["id"])).stdout
    assert "title (yours)" in shown


def test_posts_compose_back_exactly_as_text_by_review_number() -> None:
    run("import", str(POSTS), "--no-fetch", "--year", "2024")
    by_start = {r["start"]: r["id"] for r in run_json("reviews")}
    expected = posts()
    for which, start in ((NOVEMBER, "2023-11-07"), (SEPTEMBER, "2023-09-08")):
        args = ["compose", "--review", str(by_start[start]), "--format", "text", "--out", "-"]
        text = str(run(*args).stdout)
        lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
        title, linked = expected[which]
        assert lines[0] == title
        assert [line for line in lines if URL.search(line)] == list(dict.fromkeys(linked))
