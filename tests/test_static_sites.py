"""publish --to hugo|jekyll|pelican: the review written as a page of a static site, then the
site built by the real generator (Debian's hugo and jekyll, Pelican from PyPI) and its HTML
read back: the title, every link, the date, the tags. Offline: the sites are the skeletons
of tests/fixtures/sites/, copied.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from bs4 import BeautifulSoup

from revue.errors import ExitCode
from revue.publish import hugo, jekyll
from revue.publish import pelican as pelican_site
from revue.publish.base import PostRecord, Publication
from revue.publish.static import Page, StaticSite, slugify
from revue.review.markup import one_line

from clihelp import run, run_json

SITES = Path(__file__).parent / "fixtures" / "sites"
BUILD_TIMEOUT = 180  # seconds: a generator's first start on a loaded machine

PREFIX = 'Revue "spéciale" : <b>x</b> {{< param a >}} {{% b %}} --- +++ #1 [l](u) & co'
HOSTILE_ITEM = (
    "Tom & Jerry <script>alert(1)</script> {{< param x >}} {{% y %}} {% raw %} "
    "{::nomarkdown}<i>z</i>{:/} *a* `b`"
)
LINKS = {"https://a.example/un?x=1&y=2", "https://b.example/deux"}
TAGS = ["yes", "Été, 2024", "IA"]  # the config's hashtags (classic style), then the note's


def need(tool: str) -> None:
    """Skip without the generator on a developer's machine; in CI it must be there."""
    if tool == "pelican":
        try:
            import pelican as _  # noqa: F401
        except ImportError:
            missing = True
        else:
            missing = False
    else:
        missing = shutil.which(tool) is None
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing (.ci/run installs it)")
        pytest.skip(f"{tool} is not installed")


def build(name: str, site: Path, out: Path, *, drafts: bool = False) -> None:
    need(name)
    if name == "hugo":
        cmd = ["hugo", "--source", str(site), "--destination", str(out), "--quiet"]
        cmd += ["--buildDrafts"] if drafts else []
    elif name == "jekyll":
        cmd = ["jekyll", "build", "--source", str(site), "--destination", str(out), "--quiet"]
        cmd += ["--disable-disk-cache"] + (["--unpublished"] if drafts else [])
    else:
        cmd = [sys.executable, "-m", "pelican", str(site / "content")]
        cmd += ["-s", str(site / "pelicanconf.py"), "-o", str(out), "-q"]
    env = {**os.environ, "HOME": str(site.parent), "HUGO_CACHEDIR": str(site.parent / "cache")}
    done = subprocess.run(
        cmd, cwd=site, capture_output=True, text=True, timeout=BUILD_TIMEOUT, env=env
    )
    assert done.returncode == 0, f"{cmd}: {done.stdout}\n{done.stderr}"


def built_page(name: str, out: Path, slug: str) -> Path | None:
    """The HTML page of the post `slug` in the built site (Hugo: posts/SLUG/index.html,
    Jekyll: YYYY/MM/DD/SLUG.html, Pelican: SLUG.html), None when it was not built."""
    pattern = {"hugo": f"posts/{slug}/index.html", "jekyll": f"*/*/*/{slug}.html"}.get(
        name, f"{slug}.html"
    )
    found = list(out.glob(pattern))
    assert len(found) <= 1, found
    return found[0] if found else None


def read_page(name: str, page: Path) -> dict[str, Any]:
    """What the built page shows: title, date, tags, the links of the review and its text."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html5lib")
    article = soup.find("article")
    assert article is not None
    title = article.select_one("h1.title")
    date = article.select_one("time")
    tags = article.select("li.tag")
    content = article.select_one("div.content")
    assert title is not None and date is not None and content is not None
    return {
        "title": title.get_text(),
        "date": date.get_text().strip(),
        "tags": [t.get_text() for t in tags],
        "links": {str(a["href"]) for a in content.find_all("a")},
        "text": content.get_text(" "),
        "scripts": soup.find_all("script"),
    }


@pytest.fixture
def review(tmp_path: Path) -> dict[str, Any]:
    config = tmp_path / "config.toml"
    config.write_text(
        f'timezone = "UTC"\ntitle_prefix = {json.dumps(PREFIX)}\nhashtags = ["yes", "Été, 2024"]\n',
        encoding="utf-8",
    )
    run("add", "--no-fetch", "https://a.example/un?x=1&y=2", "--title", HOSTILE_ITEM,
        "--note", "= Bien #IA")  # fmt: skip
    run("add", "--no-fetch", "https://b.example/deux", "--title", "Deux")
    run("compose")
    row: dict[str, Any] = run_json("reviews")[0]
    return row


def a_site(tmp_path: Path, name: str) -> Path:
    site = tmp_path / f"site-{name}"
    shutil.copytree(SITES, tmp_path / "skeletons", dirs_exist_ok=True)
    shutil.copytree(tmp_path / "skeletons" / name, site)
    return site


def page_path(name: str, site: Path, slug: str, day: dt.date) -> Path:
    return {
        "hugo": site / "content" / "posts" / f"{slug}.md",
        "jekyll": site / "_posts" / f"{day.isoformat()}-{slug}.md",
        "pelican": site / "content" / f"{slug}.md",
    }[name]


def the_day(review: dict[str, Any]) -> dt.date:
    # The review's last day, or today (the curator's: UTC here) when that is still to come.
    return min(dt.date.fromisoformat(review["end"]), dt.datetime.now(dt.UTC).date())


@pytest.mark.parametrize("name", ["hugo", "jekyll", "pelican"])
def test_the_built_site_shows_the_review(tmp_path: Path, review: dict[str, Any], name: str) -> None:
    site = a_site(tmp_path, name)
    data = run_json("publish", "--to", name, "--site", str(site), "--status", "publish")
    slug = slugify(review["title"])
    day = the_day(review)
    path = page_path(name, site, slug, day)
    assert data["action"] == "created" and data["path"] == str(path.resolve())
    assert data["site"] == f"{name}:{site.resolve()}" and data["status"] == "publish"
    build(name, site, tmp_path / "out")
    page = built_page(name, tmp_path / "out", slug)
    assert page is not None
    shown = read_page(name, page)
    assert shown["title"] == review["title"]  # quotes, '<b>', '{{<', '---' and all
    assert shown["date"] == day.isoformat()
    assert shown["tags"] == TAGS  # "Été, 2024" stays one tag
    assert shown["links"] == LINKS
    assert one_line(HOSTILE_ITEM) in " ".join(shown["text"].split())
    assert shown["scripts"] == []
    # Recorded per review and target: `reviews` lists the page.
    posts = run_json("reviews")[0]["posts"]
    assert [(p["site"], p["link"], p["status"]) for p in posts] == [
        (f"{name}:{site.resolve()}", str(path.resolve()), "publish")
    ]


@pytest.mark.parametrize("name", ["hugo", "jekyll", "pelican"])
def test_a_draft_is_left_out_of_the_build_until_published(
    tmp_path: Path, review: dict[str, Any], name: str
) -> None:
    site = a_site(tmp_path, name)
    first = run_json("publish", "--to", name, "--site", str(site))
    assert first["status"] == "draft"  # a new page's default
    slug = slugify(review["title"])
    build(name, site, tmp_path / "out")
    if name == "pelican":  # Pelican builds drafts apart
        assert built_page(name, tmp_path / "out", slug) is None
        assert (tmp_path / "out" / "drafts" / f"{slug}.html").is_file()
    else:
        assert built_page(name, tmp_path / "out", slug) is None
        build(name, site, tmp_path / "out-drafts", drafts=True)
        assert built_page(name, tmp_path / "out-drafts", slug) is not None
    # Published: the same page, updated in place; one file in the posts' folder.
    again = run_json("publish", "--to", name, "--site", str(site), "--status", "publish")
    assert again["action"] == "updated" and again["path"] == first["path"]
    assert len(list(Path(first["path"]).parent.glob("*.md"))) == 1
    # Published again, nothing changed: the page is left as it was, and stays published.
    third = run_json("publish", "--to", name, "--site", str(site))
    assert third["action"] == "unchanged" and third["status"] == "publish"
    build(name, site, tmp_path / "out-published")
    assert built_page(name, tmp_path / "out-published", slug) is not None
    assert len(run_json("reviews")[0]["posts"]) == 1


def test_hugo_reads_yaml_front_matter_too(tmp_path: Path, review: dict[str, Any]) -> None:
    site = a_site(tmp_path, "hugo")
    config = tmp_path / "config.toml"
    config.write_text(
        config.read_text() + f'[publish.hugo]\nsite = "{site}"\nfront_matter = "yaml"\n'
        "draft = false\n",
        encoding="utf-8",
    )
    data = run_json("publish", "--to", "hugo")
    assert Path(data["path"]).read_text(encoding="utf-8").startswith("---\ntitle: ")
    assert data["status"] == "publish"
    build("hugo", site, tmp_path / "out")
    page = built_page("hugo", tmp_path / "out", slugify(review["title"]))
    assert page is not None
    shown = read_page("hugo", page)
    assert shown["title"] == review["title"] and shown["tags"] == TAGS
    assert shown["links"] == LINKS and shown["date"] == the_day(review).isoformat()


@pytest.mark.parametrize("name", ["hugo", "jekyll", "pelican"])
def test_a_page_edited_by_hand_is_kept_without_force(
    tmp_path: Path, review: dict[str, Any], name: str
) -> None:
    site = a_site(tmp_path, name)
    path = Path(run_json("publish", "--to", name, "--site", str(site))["path"])
    path.write_text(path.read_text(encoding="utf-8") + "\nMy own words.\n", encoding="utf-8")
    err = run(
        "publish", "--to", name, "--site", str(site), "--status", "publish", code=ExitCode.PARTIAL
    )
    assert "edited since revue wrote it" in err.stderr and "--force" in err.stderr
    assert path.read_text(encoding="utf-8").endswith("My own words.\n")
    assert run_json("reviews")[0]["posts"][0]["status"] == "draft"
    forced = run_json("publish", "--to", name, "--site", str(site), "--force")
    assert forced["action"] == "updated" and forced["path"] == str(path)
    assert "My own words." not in path.read_text(encoding="utf-8")
    # A page that revue did not write is not overwritten either.
    other = a_site(tmp_path / "other", name)
    stranger = page_path(name, other, slugify(review["title"]), the_day(review))
    stranger.parent.mkdir(parents=True, exist_ok=True)
    stranger.write_text("mine\n", encoding="utf-8")
    assert (
        "--force"
        in run("publish", "--to", name, "--site", str(other), code=ExitCode.PARTIAL).stderr
    )
    assert stranger.read_text(encoding="utf-8") == "mine\n"


def test_dry_run_shows_the_page_and_writes_nothing(tmp_path: Path, review: dict[str, Any]) -> None:
    site = a_site(tmp_path, "jekyll")
    out = run("publish", "--to", "jekyll", "--site", str(site), "--dry-run").stdout
    path = page_path("jekyll", site.resolve(), slugify(review["title"]), the_day(review))
    assert out.startswith(f"write {path}\n\n---\nlayout: post\n")
    assert "https://b.example/deux" in out
    assert not (site / "_posts").exists()
    assert run_json("reviews")[0]["posts"] == []


def test_several_targets_at_once(tmp_path: Path, review: dict[str, Any]) -> None:
    sites = {name: a_site(tmp_path, name) for name in ("hugo", "pelican", "jekyll")}
    config = tmp_path / "config.toml"
    config.write_text(
        config.read_text() + "".join(f'[publish.{n}]\nsite = "{s}"\n' for n, s in sites.items()),
        encoding="utf-8",
    )
    data = run_json("publish", "--to", "hugo,pelican", "--to", "jekyll", "--to", "hugo")
    assert [d["site"].split(":")[0] for d in data] == ["hugo", "pelican", "jekyll"]
    assert all(Path(d["path"]).is_file() for d in data)
    assert len(run_json("reviews")[0]["posts"]) == 3


def test_bad_targets_and_sites_are_named(tmp_path: Path, review: dict[str, Any]) -> None:
    err = run("publish", "--to", "hugo,blogger", code=ExitCode.BAD_INPUT).stderr
    assert "'blogger'" in err and "wordpress, email, buttondown, hugo, jekyll, pelican" in err
    err = run("publish", "--to", "hugo", code=ExitCode.STORE).stderr
    assert "--site" in err and "[publish.hugo]" in err
    err = run(
        "publish", "--to", "pelican", "--site", str(tmp_path / "nowhere"), code=ExitCode.BAD_INPUT
    ).stderr
    assert "nowhere: no such folder" in err
    site = str(a_site(tmp_path, "hugo"))
    assert (
        "one at a time"
        in run("publish", "--to", "hugo,jekyll", "--site", site, code=ExitCode.BAD_INPUT).stderr
    )
    err = run(
        "publish", "--to", "hugo", "--site", site, "--status", "private", code=ExitCode.BAD_INPUT
    ).stderr
    assert "draft or publish" in err
    assert not (Path(site) / "content" / "posts").exists()
    config = tmp_path / "config.toml"
    for table, words in [
        ('[publish.hugo]\nfront_matter = "json"\n', 'publish.hugo.front_matter = "json"'),
        ('[publish.hugo]\nsit = "x"\n', "did you mean 'site'"),
        ('[publish.blogger]\nsite = "x"\n', "unknown key 'publish.blogger'"),
    ]:
        config.write_text(table, encoding="utf-8")
        assert words in run("publish", "--to", "hugo", code=ExitCode.STORE).stderr


def test_a_title_changed_since_keeps_the_page_where_it_was(tmp_path: Path) -> None:
    site = a_site(tmp_path, "hugo")
    target = StaticSite(hugo.generator(), site, lock=tmp_path / "lock", status="publish")
    review = Publication(review_id=1, title="Revue du 1er", markdown="# Revue\n\nUn\n")
    first = target.publish(review)
    assert first.path is not None and first.path.endswith("/revue-du-1er.md")
    previous = PostRecord(
        post_id=0, link=first.link, status=first.status, content_sha256=first.content_sha256
    )
    renamed = Publication(
        review_id=1, title="Autre titre", markdown="# Autre\n\nDeux\n", previous=previous
    )
    again = StaticSite(hugo.generator(), site, lock=tmp_path / "lock").publish(renamed)
    assert again.action == "updated" and again.path == first.path
    text = Path(first.path).read_text(encoding="utf-8")
    assert 'title = "Autre titre"' in text and 'slug = "revue-du-1er"' in text
    assert text.endswith("\nDeux\n")


HOSTILE_TITLES = [
    "He said \"hi\" and 'bye'",
    "Key: value: more",
    "---",
    "+++",
    "line one\nline two\r\nthree",
    "# not a comment",
    "[a, list]",
    "{a: map}",
    "yes",
    "null",
    "~",
    "2024-03-20",
    "0x10",
    "&anchor *alias !tag |bar >fold %percent @at `tick`",
    "back\\slash \\n \\u0041",
    "tab\there",
    " leading and trailing ",
    "Été — « citation » 日本語 🎉",
    "<b>bold</b> &amp; {{< shortcode >}}",
    'title = "injected"\ndraft = false',
    "x\n---\ndraft: false",
    "a\u2028b\u0085c",
]


def _split(text: str, fence: str) -> tuple[str, str]:
    assert text.startswith(fence + "\n")
    head, sep, rest = text[len(fence) + 1 :].partition(f"\n{fence}\n")
    assert sep, text
    return head, rest


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_every_front_matter_value_is_escaped(tmp_path: Path, title: str) -> None:
    tags = (title, "a, b", "c; d", "yes")
    review = Publication(
        review_id=1,
        title=title,
        tags=tags,
        day=dt.date(2024, 3, 20),
        markdown="# T\n\nbody\n",
        html="<p>body</p>",
    )
    page = Page(title=title, slug="s", draft=True)
    want = one_line(title)
    text = hugo.generator("toml").render(review, page)
    head, body = _split(text, "+++")
    one_line_tags = [one_line(t) for t in tags if one_line(t)]
    assert tomllib.loads(head) == {
        "title": want,
        "date": dt.date(2024, 3, 20),
        "slug": "s",
        "draft": True,
        "tags": one_line_tags,
    }
    assert body == "\nbody\n"
    for generator, fence in ((hugo.generator("yaml"), "---"), (jekyll.generator(), "---")):
        head, body = _split(generator.render(review, page), fence)
        meta = yaml.safe_load(head)
        assert meta["title"] == want and meta["date"] == dt.date(2024, 3, 20)
        assert meta["tags"] == one_line_tags and meta["slug"] == "s"
        assert meta.get("draft", not meta.get("published", True)) is True
    # Pelican's own Markdown reader reads the header back; its titles are HTML.
    need("pelican")
    from pelican.readers import MarkdownReader
    from pelican.settings import DEFAULT_CONFIG

    source = tmp_path / "page.md"
    source.write_text(pelican_site.generator().render(review, page), encoding="utf-8")
    _, meta = MarkdownReader(dict(DEFAULT_CONFIG)).read(str(source))
    assert html.unescape(meta["title"]) == want
    assert meta["date"].date() == dt.date(2024, 3, 20)
    # Each tag once (Pelican's reader drops a repeated one), a comma kept within its tag.
    want_tags = dict.fromkeys(t for t in (one_line(t.replace(";", " ")) for t in tags) if t)
    assert [str(t) for t in meta["tags"]] == list(want_tags)
    assert meta["slug"] == "s" and meta["status"] == "draft"


def test_a_jekyll_post_keeps_its_day_when_published_again_later(tmp_path: Path) -> None:
    site = a_site(tmp_path, "jekyll")
    review = Publication(review_id=1, title="Revue", html="<p>Un</p>", day=dt.date(2024, 3, 18))
    first = StaticSite(jekyll.generator(), site, lock=tmp_path / "lock").publish(review)
    assert first.path is not None and first.path.endswith("/_posts/2024-03-18-revue.md")
    previous = PostRecord(
        post_id=0, link=first.link, status=first.status, content_sha256=first.content_sha256
    )
    # Two days later (the review's week was not over): the post's name and date stay.
    later = Publication(
        review_id=1, title="Revue", html="<p>Deux</p>", day=dt.date(2024, 3, 20), previous=previous
    )
    again = StaticSite(jekyll.generator(), site, lock=tmp_path / "lock").publish(later)
    assert again.action == "updated" and again.path == first.path
    head, _ = _split(Path(first.path).read_text(encoding="utf-8"), "---")
    assert yaml.safe_load(head)["date"] == dt.date(2024, 3, 18)


def test_a_page_that_cannot_be_recorded_is_put_back(
    tmp_path: Path, review: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unrecorded, the new page would pass for a hand edit on the next publish."""
    from revue.errors import StoreError
    from revue.store.db import Store

    site = a_site(tmp_path, "hugo")
    path = Path(run_json("publish", "--to", "hugo", "--site", str(site))["path"])
    before = path.read_bytes()

    def disk_full(self: Store, record: dict[str, Any]) -> None:
        raise StoreError("database or disk is full")

    with monkeypatch.context() as patch:
        patch.setattr(Store, "record_post", disk_full)
        run(
            "publish",
            "--to",
            "hugo",
            "--site",
            str(site),
            "--status",
            "publish",
            code=ExitCode.STORE,
        )
    assert path.read_bytes() == before
    again = run_json("publish", "--to", "hugo", "--site", str(site), "--status", "publish")
    assert again["action"] == "updated" and again["status"] == "publish"
