from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import html5lib
import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token

from revue.errors import BadInput
from revue.models import Item, ReviewDoc
from revue.review.render import FORMATS, STYLES, render, template_context
from revue.templates import user_templates

COMMONMARK = MarkdownIt("commonmark")
LAPRESSE = (
    "https://www.lapresse.ca/affaires/techno/2023-11-06/premiere-conference-annuelle/"
    "openai-promet-des-superpouvoirs-pour-tous.php"
)
HOSTILE_TITLES = [
    "[x](http://evil) click",
    "<https://evil> autolink",
    "bare https://evil.example/path and www.evil.example",
    "`code` ``span``",
    "# leading hash",
    "| a | b |",
    "<script>alert(1)</script>",
    "*star* _under_ **b** __u__",
    "1. listy",
    "> quoted",
    "- dash",
    "AT&amp;T &lt;b&gt;",
    "![img](https://evil/i.png)",
    "[ref]: https://evil",
    "trailing \\",
    "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous",
]


def make_doc(items: list[Item], **kwargs: Any) -> ReviewDoc:
    fields: dict[str, Any] = {
        "title": "Revue de presse marketing/techno du 7 et 8 novembre",
        "start": dt.date(2023, 11, 7),
        "end": dt.date(2023, 11, 8),
        "lang": "fr",
        "items": items,
        "default_hashtags": ["Analyweb"],
    }
    fields.update(kwargs)
    return ReviewDoc(**fields)


def link(id: int, url: str | None = LAPRESSE, **kwargs: Any) -> Item:
    return Item(id=id, url=url, **kwargs)


# -- Markdown token helpers -------------------------------------------------------------


def paragraphs(markdown: str) -> list[list[Token]]:
    """Inline children of every paragraph that is not inside a block quote."""
    out: list[list[Token]] = []
    depth = 0
    tokens = COMMONMARK.parse(markdown)
    for i, token in enumerate(tokens):
        if token.type == "blockquote_open":
            depth += 1
        elif token.type == "blockquote_close":
            depth -= 1
        elif token.type == "inline" and depth == 0 and tokens[i - 1].type == "paragraph_open":
            out.append(token.children or [])
    return out


def links(children: list[Token]) -> list[str]:
    return [t.attrGet("href") or "" for t in children if t.type == "link_open"]


def all_links(markdown: str) -> list[str]:
    found: list[str] = []
    for token in COMMONMARK.parse(markdown):
        if token.type == "inline":
            found.extend(links(token.children or []))
    return found


def text_of(children: list[Token]) -> str:
    return "".join(t.content for t in children if t.type in ("text", "code_inline"))


def link_text(children: list[Token]) -> str:
    start = next(i for i, t in enumerate(children) if t.type == "link_open")
    end = next(i for i, t in enumerate(children) if t.type == "link_close")
    return text_of(children[start + 1 : end])


def item_paragraph(markdown: str) -> list[Token]:
    """The one paragraph holding a link (the item's own paragraph)."""
    found = [p for p in paragraphs(markdown) if links(p)]
    assert len(found) == 1, markdown
    return found[0]


# -- HTML helpers -----------------------------------------------------------------------


def parse_page(html: str) -> ET.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(html)  # raises on any parse error


def parse_fragment(html: str) -> ET.Element:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parseFragment(html)


def hrefs(tree: ET.Element) -> list[str]:
    return [a.get("href") or "" for a in tree.iter("a")]


# -- escaping: hostile titles come out as text -------------------------------------------


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_classic_markdown_hostile_title_is_text_and_one_link(title: str) -> None:
    out = render(make_doc([link(1, title=title, via="@lp_lapresse")]), "md", "classic")
    assert all_links(out) == [LAPRESSE]
    children = item_paragraph(out)
    before_link = children[: next(i for i, t in enumerate(children) if t.type == "link_open")]
    assert all(t.type == "text" for t in before_link), before_link
    assert text_of(before_link) == title + " "
    assert link_text(children) == LAPRESSE


@pytest.mark.parametrize("title", HOSTILE_TITLES)
def test_linked_markdown_hostile_title_is_the_link_text(title: str) -> None:
    out = render(make_doc([link(1, title=title, via="@lp_lapresse")]), "md", "linked")
    assert all_links(out) == [LAPRESSE]
    children = item_paragraph(out)
    assert children[0].type == "link_open"
    close = next(i for i, t in enumerate(children) if t.type == "link_close")
    assert all(t.type == "text" for t in children[1:close]), children[1:close]
    assert link_text(children) == title


@pytest.mark.parametrize("style", STYLES)
def test_hostile_fields_in_html_are_escaped(style: str) -> None:
    items = [
        link(
            i,
            f"https://example.com/{i}",
            title=title,
            summary="<script>alert('s')</script> <img src=x onerror=alert(1)>",
            via="@x<script>",
            quote="</blockquote><script>alert(2)</script>",
        )
        for i, title in enumerate(HOSTILE_TITLES, 1)
    ]
    doc = make_doc(items, sections=["<script>"], paywall_marker="<b>(abonnés)</b>")
    for item in doc.items:
        item.paywalled = True
    page = render(doc, "html", style)
    tree = parse_page(page)
    assert list(tree.iter("script")) == []
    assert list(tree.iter("img")) == []
    assert list(tree.iter("b")) == []
    assert hrefs(tree) == [f"https://example.com/{i}" for i in range(1, len(items) + 1)]
    texts = ["".join(p.itertext()) for p in tree.iter("p") if p.get("class") == "item"]
    for title, text in zip(HOSTILE_TITLES, texts, strict=True):
        assert title in text
    fragment = parse_fragment(render(doc, "html-fragment", style))
    assert list(fragment.iter("script")) == []
    assert len(hrefs(fragment)) == len(items)


def test_html_page_is_valid_and_declares_its_basics() -> None:
    doc = make_doc([link(1, title="Titre")], title="Revue <du> 7 & 8")
    page = render(doc, "html")
    assert page.startswith("<!DOCTYPE html>\n")
    tree = parse_page(page)
    assert tree.get("lang") == "fr"
    title = tree.find("./head/title")
    assert title is not None and title.text == "Revue <du> 7 & 8"
    metas = [m.attrib for m in tree.iter("meta")]
    assert {"charset": "utf-8"} in metas
    assert {"name": "generator", "content": "revue"} in metas
    assert tree.find("./head/style") is not None
    en = parse_page(render(make_doc([], lang="en"), "html"))
    assert en.get("lang") == "en"


def test_fragment_has_no_page_structure() -> None:
    out = render(make_doc([link(1, title="Titre")]), "html-fragment")
    assert "<html" not in out and "<head" not in out and "<!DOCTYPE" not in out
    tree = parse_fragment(out)
    assert hrefs(tree) == [LAPRESSE]


@pytest.mark.parametrize("fmt", ["md", "html", "html-fragment"])
@pytest.mark.parametrize("style", STYLES)
def test_unsafe_urls_are_never_links(fmt: str, style: str) -> None:
    bad = [
        "javascript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "data:text/html;base64,PHNjcmlwdD4=",
        "vbscript:msgbox",
        "file:///etc/passwd",
        "//evil.example/x",
        "https://evil.example/\nx",
    ]
    items = [link(i, url, title=f"Titre {i}") for i, url in enumerate(bad, 1)]
    out = render(make_doc(items), fmt, style)
    if fmt == "md":
        assert all_links(out) == []
        texts = [text_of(p) for p in paragraphs(out)]
        for i in range(1, len(bad) + 1):
            assert any(text.startswith(f"Titre {i}") for text in texts)
    else:
        tree = parse_page(out) if fmt == "html" else parse_fragment(out)
        assert hrefs(tree) == []
    assert "javascript:" not in out.lower()
    assert "data:" not in out


def test_control_characters_never_break_html() -> None:
    item = link(1, title="a\x00b\x1bc\ud800d\ufffe", summary="s\x07", via="@v\x0b")
    for fmt in ("html", "html-fragment"):
        out = render(make_doc([item]), fmt)
        tree = parse_page(out) if fmt == "html" else parse_fragment(out)
        assert "abcd" in "".join(tree.itertext())
    out = render(make_doc([item]), "md")
    out.encode("utf-8")  # no lone surrogate left


# -- the item anatomy, both styles --------------------------------------------------------


def test_classic_item_matches_the_2023_posts() -> None:
    item = link(
        1,
        title="« Jeu de la virgule » | « Cette pratique peut causer des dommages sérieux »",
        via="@lp_lapresse",
        note="Encore une autre connerie dangereuse venant de Tiktok",
    )
    out = render(make_doc([item]), "md", "classic")
    assert out == (
        "# Revue de presse marketing/techno du 7 et 8 novembre\n\n"
        "« Jeu de la virgule » \\| « Cette pratique peut causer des dommages sérieux » "
        f"<{LAPRESSE}> via @lp_lapresse = Encore une autre connerie dangereuse venant de Tiktok"
        " #Analyweb\n"
    )


def test_classic_without_via_or_note() -> None:
    item = link(2, "https://ici.radio-canada.ca/nouvelle/2023473/x", title="Est-ce que?")
    out = render(make_doc([item]), "md")
    assert out.endswith(
        "\n\nEst-ce que? <https://ici.radio-canada.ca/nouvelle/2023473/x> #Analyweb\n"
    )
    assert " via " not in out and " = " not in out


def test_linked_item_matches_the_2024_style() -> None:
    """The 2024 post: the title is the link, then "= comment" (the 2023 separator), via
    @handle where the page has one; the config's hashtags belong to the 2023 style."""
    item = link(1, title="Titre", via="lp_lapresse", note="Mon *avis*", hashtags=["IA"])
    out = render(make_doc([item]), "md", "linked")
    assert out.endswith(f"\n\n[Titre](<{LAPRESSE}>) via @lp_lapresse = Mon *avis* #IA\n")
    children = item_paragraph(out)
    assert any(t.type == "em_open" for t in children)  # the curator's Markdown is kept
    html = render(make_doc([item]), "html-fragment", "linked")
    assert f'<a href="{LAPRESSE}">Titre</a> via @lp_lapresse = Mon <em>avis</em>' in html
    assert "Analyweb" not in html and " — " not in html
    # As the real post reads: "IBM is slashing jobs in marketing and communications = une
    # autre innovation de l’IA…"
    ibm = link(2, title="IBM is slashing jobs in marketing and communications")
    ibm.note = "une autre innovation de l’IA…"
    text = render(make_doc([ibm]), "text", "linked")
    assert text.splitlines()[2] == (
        "IBM is slashing jobs in marketing and communications = une autre innovation de l’IA…"
    )


@pytest.mark.parametrize("style", STYLES)
def test_lead_in_comes_first_and_quote_is_a_block_quote(style: str) -> None:
    item = link(
        1,
        "http://refsicom.org/1197",
        title="La fin du journaliste et du journalisme?",
        lead="Intéressante analyse à propos de la crise des médias:",
        quote="“Au final, on veut limiter le lecteur *à un simple rôle*…”\n\nSecond § <b>",
    )
    out = render(make_doc([item]), "md", style)
    children = item_paragraph(out)
    assert text_of(children).startswith("Intéressante analyse à propos de la crise des médias: ")
    tokens = COMMONMARK.parse(out)
    types = [t.type for t in tokens]
    assert types.count("blockquote_open") == 1
    inside = tokens[types.index("blockquote_open") : types.index("blockquote_close")]
    quoted = [text_of(t.children or []) for t in inside if t.type == "inline"]
    assert quoted == ["“Au final, on veut limiter le lecteur *à un simple rôle*…”", "Second § <b>"]
    html = parse_fragment(render(make_doc([item]), "html-fragment", style))
    block = html.find(".//blockquote")
    assert block is not None
    assert [p.text for p in block.iter("p")] == [quoted[0], quoted[1]]


def test_summary_is_shown_only_when_asked_and_without_footnote_marks() -> None:
    """The 2023 posts are one line an item: the summary is opt-in (compose --summaries);
    shown, it loses Wikipedia's footnote marks; a template still gets the raw summary."""
    summary = "Un *résumé*[2]\nsur deux lignes [citation needed] et [réf. nécessaire][12]."
    item = link(1, title="Titre", summary=summary)
    for fmt in ("md", "text", "html"):
        assert "résumé" not in render(make_doc([item]), fmt)
    on = {"show_summary": True}
    out = render(make_doc([item]), "md", options=on)
    assert [text_of(p) for p in paragraphs(out)][-1] == "Un *résumé* sur deux lignes et."
    text = render(make_doc([item]), "text", options=on)
    assert text.endswith("\n\nUn *résumé* sur deux lignes et.\n")
    html = render(make_doc([item]), "html", options=on)
    assert '<p class="summary">Un *résumé* sur deux lignes et.</p>' in html
    context = template_context(make_doc([item]))["items"][0]
    assert context["summary"] == summary
    assert context["summary_text"] == "Un *résumé* sur deux lignes et."


def test_hashtags_default_then_item_each_once() -> None:
    item = link(1, title="T", hashtags=["IA", "analyweb", "Intelligence artificielle", "#IA", "!!"])
    doc = make_doc([item], default_hashtags=["Analyweb", "Marketing/techno"])
    out = render(doc, "md")
    assert out.endswith(" #Analyweb #Marketingtechno #IA #Intelligenceartificielle\n")
    assert template_context(doc)["items"][0]["hashtags"] == [
        "Analyweb",
        "Marketingtechno",
        "IA",
        "Intelligenceartificielle",
    ]
    html = parse_fragment(render(doc, "html-fragment"))
    tags = next(s for s in html.iter("span") if s.get("class") == "tags")
    assert tags.text == "#Analyweb #Marketingtechno #IA #Intelligenceartificielle"


def test_text_block_renders_the_note_as_a_paragraph() -> None:
    items = [
        link(1, title="Avant"),
        Item(
            id=2,
            url=None,
            kind="text",
            note="Un bloc **libre** avec [un lien](https://a.example/).",
        ),
        link(3, "https://example.com/3", title="Après"),
    ]
    out = render(make_doc(items), "md")
    texts = [text_of(p) for p in paragraphs(out)]
    assert texts[1] == "Un bloc libre avec un lien."
    assert "Un bloc **libre** avec [un lien](https://a.example/)." in out
    assert "#Analyweb" not in out.split("\n\n")[2]  # no hashtags on a text block
    html = parse_fragment(render(make_doc(items), "html-fragment"))
    assert [a.get("href") for a in html.iter("a")] == [
        LAPRESSE,
        "https://a.example/",
        "https://example.com/3",
    ]
    assert any(s.text == "libre" for s in html.iter("strong"))


def test_sections_order() -> None:
    items = [
        link(1, "https://e.com/1", title="Entrevue 1", section="Mes entrevues"),
        link(2, "https://e.com/2", title="Zeta 1", section="Zeta"),
        link(3, "https://e.com/3", title="Libre 1"),
        link(4, "https://e.com/4", title="Alpha 1", section="alpha"),
        link(5, "https://e.com/5", title="Outils 1", section="Outils"),
        link(6, "https://e.com/6", title="Libre 2"),
        link(7, "https://e.com/7", title="Entrevue 2", section="Mes entrevues"),
    ]
    doc = make_doc(items, sections=["Outils", "Absent", "Mes entrevues"])
    out = render(doc, "md")
    order = [
        line
        for line in out.splitlines()
        if line.startswith(("## ", "Libre", "Entrevue", "Zeta", "Alpha", "Outils"))
    ]
    assert [line.split(" <")[0] for line in order] == [
        "Libre 1",
        "Libre 2",
        "## Outils",
        "Outils 1",
        "## Mes entrevues",
        "Entrevue 1",
        "Entrevue 2",
        "## alpha",
        "Alpha 1",
        "## Zeta",
        "Zeta 1",
    ]
    context = template_context(doc)
    assert [s["name"] for s in context["sections"]] == [
        None,
        "Outils",
        "Mes entrevues",
        "alpha",
        "Zeta",
    ]
    assert [i["id"] for i in context["items"]] == [3, 6, 5, 1, 7, 4, 2]
    html = parse_fragment(render(doc, "html-fragment"))
    assert [h.text for h in html.iter("h2")] == ["Outils", "Mes entrevues", "alpha", "Zeta"]


def test_intro_and_outro() -> None:
    doc = make_doc(
        [link(1, title="T")],
        intro="Bonjour, *chers lecteurs*.\n\n<script>alert(1)</script>",
        outro="Bonne semaine! [Mon site](https://example.org/)",
    )
    out = render(doc, "md")
    blocks = out.split("\n\n")
    assert blocks[1] == "Bonjour, *chers lecteurs*."
    assert blocks[-1] == "Bonne semaine! [Mon site](https://example.org/)\n"
    tree = parse_page(render(doc, "html"))
    assert list(tree.iter("script")) == []
    intro = next(d for d in tree.iter("div") if d.get("class") == "intro")
    assert intro.find(".//em") is not None
    assert "<script>alert(1)</script>" in "".join(intro.itertext())
    assert hrefs(tree) == [LAPRESSE, "https://example.org/"]


@pytest.mark.parametrize("style", STYLES)
def test_paywall_marker_and_dates(style: str) -> None:
    items = [
        link(1, title="Payant", paywalled=True, published="2023-11-06T08:00:00-05:00"),
        link(2, "https://e.com/2", title="Gratuit", published="pas une date"),
    ]
    doc = make_doc(items, paywall_marker="(abonnés)", show_dates=True)
    out = render(doc, "md", style)
    first, second = (text_of(p) for p in paragraphs(out))
    assert "(6 novembre 2023) (abonnés)" in first
    assert "abonnés" not in second and "(" not in second
    html = render(doc, "html-fragment", style)
    assert '<time datetime="2023-11-06">(6 novembre 2023)</time> (abonnés)' in html
    no_dates = render(make_doc(items, paywall_marker="(abonnés)"), "md", style)
    assert "novembre 2023" not in no_dates
    english = render(make_doc(items, lang="en", show_dates=True), "md", style)
    assert "(November 6, 2023)" in english


def test_stale_flag() -> None:
    items = [
        link(1, title="Vieux", published="2023-09-01", added_at="2023-11-08T14:03:00+00:00"),
        link(2, title="Frais", published="2023-11-06", added_at="2023-11-08T14:03:00+00:00"),
        link(3, title="Sans date", added_at="2023-11-08T14:03:00+00:00"),
    ]
    context = template_context(make_doc(items, stale_days=30))
    assert [i["stale"] for i in context["items"]] == [True, False, False]


def test_item_without_title_says_its_site_and_address_words_in_every_style() -> None:
    url = "https://www.lapresse.ca/affaires/techno/2023-11-06/openai-promet-des-superpouvoirs.php"
    item = link(1, url, title=None, via="@lp_lapresse")
    words = "lapresse.ca: openai promet des superpouvoirs"
    classic = render(make_doc([item]), "md", "classic")
    assert classic.endswith(f"\n\n{words} <{url}> via @lp_lapresse #Analyweb\n")
    linked = render(make_doc([item]), "md", "linked")
    assert link_text(item_paragraph(linked)) == words
    assert render(make_doc([item]), "text", "classic").splitlines()[2] == (
        f"{words} {url} via @lp_lapresse #Analyweb"
    )
    assert render(make_doc([item]), "text", "linked").splitlines()[2] == (
        f"{words} via @lp_lapresse"
    )
    for style in STYLES:
        html = parse_fragment(render(make_doc([item]), "html-fragment", style))
        assert "".join(html.itertext()).strip().startswith(words)


# -- formats, templates, determinism ------------------------------------------------------


def test_json_format_is_the_context() -> None:
    doc = make_doc([link(1, title="Titre <b>", published="2023-11-06")], intro="*x*")
    out = render(doc, "json")
    data = json.loads(out)
    assert data == json.loads(json.dumps(template_context(doc)))
    assert data["start"] == "2023-11-07" and data["title"] == doc.title
    assert data["items"][0]["title"] == "Titre <b>"
    assert data["items"][0]["url_safe"] == LAPRESSE
    assert out.endswith("}\n")


def test_user_template_dir_overrides_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "review.md.j2").write_text(
        "MINE {{ title_md }}\n{% for item in items %}* {{ item.title | md }}\n{% endfor %}",
        encoding="utf-8",
    )
    doc = make_doc([link(1, title="*Titre*")])
    assert render(doc, "md", templates=user_templates(dirs=[tmp_path])) == (
        "MINE Revue de presse marketing/techno du 7 et 8 novembre\n* \\*Titre\\*\n"
    )
    # Formats the folder does not override keep the built-in.
    assert render(doc, "html", templates=user_templates(dirs=[tmp_path])).startswith(
        "<!DOCTYPE html>"
    )


def test_user_fragment_override_is_used_by_the_page(tmp_path: Path) -> None:
    (tmp_path / "review.fragment.html.j2").write_text(
        "<p>{{ items[0].title }}</p>\n", encoding="utf-8"
    )
    out = render(
        make_doc([link(1, title="<i>x</i>")]), "html", templates=user_templates(dirs=[tmp_path])
    )
    assert "<p>&lt;i&gt;x&lt;/i&gt;</p>" in out
    parse_page(out)


def test_template_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.j2"
    path.write_text("{{ title }} ({{ style }}) {{ items | length }}\n", encoding="utf-8")
    doc = make_doc([link(1, title="T")], title="A & B")
    assert render(doc, "md", "linked", templates=user_templates(path)) == "A & B (linked) 1\n"
    # An HTML format autoescapes the user's file.
    assert render(doc, "html", templates=user_templates(path)) == "A &amp; B (classic) 1\n"
    # It may extend a built-in.
    child = tmp_path / "child.md.j2"
    child.write_text('{% extends "review.md.j2" %}', encoding="utf-8")
    assert render(doc, "md", templates=user_templates(child)) == render(doc, "md")


def test_template_errors_are_bad_input(tmp_path: Path) -> None:
    doc = make_doc([link(1, title="T")])
    typo = tmp_path / "typo.j2"
    typo.write_text("{{ titel }}", encoding="utf-8")
    with pytest.raises(BadInput, match="titel"):
        render(doc, "md", templates=user_templates(typo))
    broken = tmp_path / "broken.j2"
    broken.write_text("{% for %}", encoding="utf-8")
    with pytest.raises(BadInput, match="line 1"):
        render(doc, "md", templates=user_templates(broken))
    with pytest.raises(BadInput, match="not found"):
        render(doc, "md", templates=user_templates(tmp_path / "missing.j2"))
    latin1 = tmp_path / "latin1.j2"
    latin1.write_bytes("{{ title }} été".encode("latin-1"))
    with pytest.raises(BadInput, match="UTF-8"):
        render(doc, "md", templates=user_templates(latin1))
    with pytest.raises(BadInput, match="format"):
        render(doc, "pdf")
    with pytest.raises(BadInput, match="style"):
        render(doc, "md", "fancy")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("style", STYLES)
def test_deterministic_and_one_final_newline(fmt: str, style: str) -> None:
    def build() -> ReviewDoc:
        return make_doc(
            [
                link(1, title="Un", quote="q", section="S", note="n", lead="l"),
                Item(id=2, url=None, kind="text", note="Texte\n\n\n\n"),
                link(3, "https://e.com/3", title="Trois", summary="s", section="R"),
            ],
            intro="\n\nIntro\n\n\n",
            outro="Outro\n\n",
        )

    first = render(build(), fmt, style)
    assert first == render(build(), fmt, style)
    assert first.endswith("\n") and not first.endswith("\n\n")
    if fmt == "md":
        assert "\n\n\n" not in first


def test_empty_review_renders() -> None:
    for fmt in FORMATS:
        out = render(make_doc([]), fmt)
        assert out.endswith("\n")
    parse_page(render(make_doc([]), "html"))


def test_hashtag_written_in_the_comment_is_not_repeated() -> None:
    import datetime as dt

    from revue.models import Item, ReviewDoc
    from revue.review.render import render

    item = Item(
        id=1,
        url="https://example.com/a",
        title="Titre",
        note="Encore une connerie #TikTok",
        hashtags=["TikTok"],
        added_at="2024-03-19T10:00:00+00:00",
    )
    doc = ReviewDoc(
        title="Revue",
        start=dt.date(2024, 3, 19),
        end=dt.date(2024, 3, 19),
        lang="fr",
        items=[item],
        default_hashtags=["Analyweb"],
    )
    text = render(doc, "md", "classic")
    assert "= Encore une connerie #TikTok #Analyweb" in text
    assert text.count("#TikTok") == 1


def test_comment_typed_with_its_equals_sign_gets_one() -> None:
    import datetime as dt

    from revue.models import Item, ReviewDoc
    from revue.review.render import render

    item = Item(
        id=1, url="https://example.com/a", title="T", note="= Encore", added_at="2024-03-19"
    )
    doc = ReviewDoc(
        title="R", start=dt.date(2024, 3, 19), end=dt.date(2024, 3, 19), lang="fr", items=[item]
    )
    assert "<https://example.com/a> = Encore\n" in render(doc, "md", "classic")


def test_stale_looks_at_the_first_publication_not_the_last_update() -> None:
    added = "2023-11-08T14:03:00+00:00"
    items = [
        # Updated last week, first published years ago: still old news.
        link(1, published="2023-11-01", first_published="2015-03-02", added_at=added),
        # A date that does not parse falls back on the page's date.
        link(2, published="2023-11-01", first_published="mars 2015", added_at=added),
        link(3, published="2023-11-01", first_published="2023-10-30", added_at=added),
    ]
    context = template_context(make_doc(items, stale_days=30))
    assert [i["stale"] for i in context["items"]] == [True, False, False]
    assert context["items"][0]["first_published"] == "2015-03-02"
    assert context["items"][0]["published_date"] == "2023-11-01"


@pytest.mark.parametrize(
    ("url", "label"),
    [
        ("https://x.com/Figure_robot/status/1767913661253984474", "via RT@Figure_robot"),
        ("https://twitter.com/pika_labs/status/1767573414223565051?s=20", "via RT@pika_labs"),
        ("https://bsky.app/profile/alice.bsky.social/post/3kabc", "via RT@alice.bsky.social"),
        ("https://mastodon.social/@gargron/109876543210", "via RT@gargron@mastodon.social"),
    ],
)
def test_social_post_is_via_rt_handle_then_its_text_as_a_quote(url: str, label: str) -> None:
    """As in the March 2024 post: `via RT@handle`, then the post's text as a block quote
    (its own line breaks kept), not as a title."""
    text = "With OpenAI, Figure 01 can now talk\n-OpenAI models <b>see</b>\n\n*Second* paragraph"
    item = link(1, url, title=" ".join(text.split()), summary=text, via="@X", note="Wow")
    out = render(make_doc([item]), "md", "classic")
    children = item_paragraph(out)
    assert text_of(children).startswith(f"{label} {url}")
    assert " via @X" not in out and "With OpenAI" not in text_of(children)
    tokens = COMMONMARK.parse(out)
    inside = [t for t in tokens if t.type == "inline"][2:]
    assert [text_of(t.children or []) for t in inside] == [
        "With OpenAI, Figure 01 can now talk-OpenAI models <b>see</b>",
        "*Second* paragraph",
    ]
    assert any(c.type == "hardbreak" for c in inside[0].children or [])
    linked = render(make_doc([item]), "md", "linked")
    assert link_text(item_paragraph(linked)) == label
    html = parse_fragment(render(make_doc([item]), "html-fragment", "linked"))
    assert [a.text for a in html.iter("a")] == [label]
    quote = html.find(".//blockquote")
    assert quote is not None and len(list(quote.iter("br"))) == 1
    assert list(html.iter("b")) == []  # the post's text is text
    # Linked, the curator's comment follows the post's text, as in the March 2024 post.
    plain = render(make_doc([item]), "text", "linked")
    assert plain.split("\n\n", 1)[1] == (
        f"{label}\n\n"
        "With OpenAI, Figure 01 can now talk\n-OpenAI models <b>see</b>\n\n*Second* paragraph"
        "\n\nWow\n"
    )
    assert item_paragraph(linked) and linked.rstrip().endswith("\n\nWow")
    children = [(el.tag, el.get("class")) for el in html.iter() if el.tag in ("blockquote", "p")]
    assert children.index(("p", "comment")) > children.index(("blockquote", None))


def test_not_social_posts() -> None:
    from revue.urls import social_post

    assert social_post("https://x.com/pika_labs") is None
    assert social_post("https://x.com/i/status/1767") == ""
    assert social_post("https://bsky.app/profile/did:plc:abc/post/3k") == ""
    assert social_post("https://www.lapresse.ca/affaires/2023-11-06/x.php") is None
    assert social_post("https://medium.com/@author/some-story-1a2b") is None
    assert social_post(None) is None
    # A post whose address names no author takes the page's handle.
    item = link(1, "https://x.com/i/status/1767", title="Texte", via="@pika_labs")
    assert (
        render(make_doc([item]), "text")
        .split("\n\n")[1]
        .startswith("via RT@pika_labs https://x.com/i/status/1767")
    )


@pytest.mark.parametrize("fmt", ["text", "md", "html-fragment"])
def test_a_note_of_hashtags_only_has_no_equals_and_old_equals_notes_show_one(fmt: str) -> None:
    """A note that is only hashtags reads as tags ("Titre URL #IA #Analyweb"); notes stored
    by older versions ("= À suivre #IA" re-added as "= Les superpouvoirs") show one "=""."""
    tags_only = link(1, title="Titre", note="#IA #TikTok")
    out = render(make_doc([tags_only]), fmt, "classic")
    assert " = " not in out and "= #IA" not in out and "#IA" in out
    old = link(2, title="Titre", note="= À suivre #IA\n\n= Les superpouvoirs")
    out = render(make_doc([old]), fmt, "classic")
    assert out.count("=") - out.count('="') == 1, out  # one separator (not HTML attributes)
    assert "À suivre #IA Les superpouvoirs" in out.replace("<strong>", "")
