"""revue.web.extract: small HTML strings for each rule, and accuracy floors on the corpus of real pages."""

from __future__ import annotations

import datetime as dt
import functools
import importlib.util
import io
import json
import sys
from pathlib import Path
from typing import Any

import pytest

from revue.models import PageMeta
from revue.web.extract import decode_html, extract, extract_document

CORPUS = Path(__file__).parent / "fixtures" / "corpus"
URL = "https://www.example.com/2023/11/08/un-article"


def page(head: str = "", body: str = "", lang: str = "") -> bytes:
    attr = f' lang="{lang}"' if lang else ""
    return f"<!doctype html><html{attr}><head>{head}</head><body>{body}</body></html>".encode()


def og(prop: str, value: str) -> str:
    return f'<meta property="{prop}" content="{value}">'


def meta(name: str, value: str) -> str:
    return f'<meta name="{name}" content="{value}">'


ARTICLE_TEXT = "<p>" + "Un paragraphe d'article réel avec assez de mots pour compter. " * 6 + "</p>"


# --------------------------------------------------------------------------- robustness


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"\x00\x01\x02\xff\xfe binary junk \x00" * 100,
        b'{"title": "not html"}',
        b"just some plain text",
        b"<html><head><title>unclosed",
        b"<" * 10_000,
        b'<script type="application/ld+json">{broken</script>',
        b"<html>" + b"<div>" * 5000 + b"deep" + b"</div>" * 5000,
    ],
)
def test_never_raises(body: bytes) -> None:
    assert isinstance(extract(body, URL, {}), PageMeta)
    assert isinstance(extract(body, "", None), PageMeta)
    assert isinstance(extract(body, "not a url", {"content-type": "text/html; charset=bogus"}),
                      PageMeta)  # fmt: skip


def test_large_page_is_handled() -> None:
    body = page(og("og:title", "Big"), "<p>word </p>" * 1_000_000)
    assert len(body) > 10_000_000
    assert extract(body, URL).title == "Big"


# --------------------------------------------------------------------------- decoding


def test_windows_1252_declared_in_meta() -> None:
    body = '<html><head><meta charset="windows-1252"><title>Été à Québec</title></head></html>'
    assert extract(body.encode("cp1252"), URL).title == "Été à Québec"


def test_latin1_label_means_windows_1252() -> None:
    # 0x92 is a right single quote in windows-1252, a control character in real latin-1.
    body = b"<html><head><title>L\x92\xe9t\xe9</title></head></html>"
    text = decode_html(body, {"content-type": "text/html; charset=ISO-8859-1"})
    assert "L’été" in text


def test_http_equiv_content_type() -> None:
    body = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
        "<title>Français</title></head></html>"
    ).encode("cp1252")
    assert extract(body, URL).title == "Français"


def test_utf8_bom() -> None:
    body = b"\xef\xbb\xbf" + "<html><head><title>Noël</title></head></html>".encode()
    assert extract(body, URL).title == "Noël"


def test_utf16_bom() -> None:
    body = "<html><head><title>Noël</title></head></html>".encode("utf-16")
    assert extract(body, URL).title == "Noël"


def test_undeclared_windows_1252_is_guessed() -> None:
    body = "<html><head><title>Déjà vu à Montréal, été</title></head></html>".encode("cp1252")
    assert "Déjà vu à Montréal, été" in decode_html(body)


def test_valid_utf8_wins_over_a_stale_legacy_declaration() -> None:
    body = '<html><head><meta charset="windows-1251"><title>Пикабу</title></head></html>'
    assert extract(body.encode("utf-8"), URL).title == "Пикабу"


# --------------------------------------------------------------------------- title


def test_og_title_preferred_and_kept_whole_with_section_pipe() -> None:
    title = "Première conférence annuelle | OpenAI promet des « superpouvoirs » pour tous"
    body = page(og("og:title", title) + og("og:site_name", "La Presse")
                + f"<title>{title} | La Presse</title>")  # fmt: skip
    assert extract(body, "https://www.lapresse.ca/affaires/techno/2023-11-06/x.php").title == title


def test_title_site_suffix_removed_using_site_name() -> None:
    body = page(og("og:site_name", "La Presse") + "<title>Titre de l'article | La Presse</title>")
    got = extract(body, "https://www.lapresse.ca/x")
    assert got.title == "Titre de l'article"
    assert got.site_name == "La Presse"


def test_title_site_suffix_removed_using_domain() -> None:
    body = page("<title>Un titre - Radio-Canada.ca</title>")
    got = extract(body, "https://ici.radio-canada.ca/nouvelle/123/x")
    assert got.title == "Un titre"
    assert got.site_name == "Radio-Canada.ca"  # the title's site part, before the domain


def test_title_site_prefix_removed() -> None:
    body = page("<title>Le Devoir » Un titre : avec deux-points</title>")
    assert extract(body, "https://www.ledevoir.com/x").title == "Un titre : avec deux-points"


def test_title_without_site_part_kept_whole() -> None:
    body = page("<title>Section | Un titre qui reste entier</title>")
    assert extract(body, "https://www.example.org/x").title == "Section | Un titre qui reste entier"


def test_og_title_stripped_only_when_it_ends_with_the_site_name() -> None:
    body = page(og("og:title", "Un titre | Le Soleil") + og("og:site_name", "Le Soleil"))
    assert extract(body, URL).title == "Un titre"


def test_title_entities_and_whitespace_normalised() -> None:
    body = page("<title>  Tom &amp;amp; Jerry\n\t&eacute;t&eacute;  </title>")
    assert extract(body, URL).title == "Tom & Jerry été"


def test_hostile_title_is_plain_text() -> None:
    body = page(og("og:title", "&lt;script&gt;alert(1)&lt;/script&gt;Titre](javascript:alert(1))"))
    # Decoded entities are text, kept whole; escaping it is each output's job (markup.py).
    assert extract(body, URL).title == "<script>alert(1)</script>Titre](javascript:alert(1))"


def test_absurdly_long_title_is_cut_at_a_word() -> None:
    body = page(og("og:title", "mot " * 200))
    got = extract(body, URL).title
    assert got is not None and len(got) <= 301 and got.endswith("mot…")


def test_title_falls_back_to_json_ld_then_h1() -> None:
    ld = '<script type="application/ld+json">{"@type":"NewsArticle","headline":"LD"}</script>'
    assert extract(page(ld), URL).title == "LD"
    assert extract(page("", "<h1>Heading</h1>"), URL).title == "Heading"


# --------------------------------------------------------------------------- JSON-LD


def test_json_ld_graph_with_author_and_publisher_references() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "#site", "name": "Le Site"},
            {"@type": "Organization", "@id": "#org", "name": "Éditions X"},
            {"@type": "Person", "@id": "#p1", "name": "Marie Tremblay"},
            {"@type": ["NewsArticle"], "headline": "Un titre", "author": {"@id": "#p1"},
             "publisher": {"@id": "#org"}, "datePublished": "2023-11-06T10:00:00-05:00",
             "image": [{"@type": "ImageObject", "url": "/img/a.jpg"}],
             "description": "Résumé LD.", "inLanguage": "fr-CA"},
        ],
    }  # fmt: skip
    body = page(f'<script type="application/ld+json">{json.dumps(data)}</script>')
    got = extract(body, "https://www.example.com/a/b")
    assert got.title == "Un titre"
    assert got.author == "Marie Tremblay"
    assert got.site_name == "Éditions X"
    assert got.published == "2023-11-06T10:00:00-05:00"
    assert got.image == "https://www.example.com/img/a.jpg"
    assert got.summary == "Résumé LD."
    assert got.lang == "fr-CA"


def test_json_ld_array_several_authors_and_body_placement() -> None:
    data = [{"@type": "BreadcrumbList"},
            {"@type": "BlogPosting", "author": [{"name": "A. Un"}, "B. Deux"],
             "datePublished": "2024-03-19"}]  # fmt: skip
    body = page("", f'<script type="application/ld+json">{json.dumps(data)}</script>')
    got = extract(body, URL)
    assert got.author == "A. Un, B. Deux"
    assert got.published == "2024-03-19"


def test_broken_json_ld_is_tolerated() -> None:
    raw = '<script type="application/ld+json">{"@type": "Article", "headline": "Ok",}</script>'
    assert extract(page(raw), URL).title == "Ok"
    raw = '<script type="application/ld+json">{"@type": "Article", "headl</script>'
    assert extract(page(raw + "<title>T</title>"), URL).title == "T"


# --------------------------------------------------------------------------- other fields


def test_twitter_card_fallbacks_and_via_spellings() -> None:
    head = (meta("twitter:title", "TT") + meta("twitter:description", "TD")
            + meta("twitter:image", "/i.png") + meta("twitter:site", "lp_lapresse"))  # fmt: skip
    got = extract(page(head), URL)
    assert (got.title, got.summary, got.image) == ("TT", "TD", "https://www.example.com/i.png")
    assert got.via == "@lp_lapresse"
    for spelling in (
        "@lp_lapresse",
        "https://twitter.com/lp_lapresse",
        "https://x.com/lp_lapresse",
    ):
        assert extract(page(meta("twitter:site", spelling)), URL).via == "@lp_lapresse"
    assert extract(page(), URL).via is None


def test_description_spellings() -> None:
    for name in ("description", "Description", "DC.description", "sailthru.description"):
        assert extract(page(meta(name, "Desc")), URL).summary == "Desc"


def test_summary_falls_back_to_first_real_paragraph() -> None:
    body = (
        '<div class="cookie-banner"><p>' + "Nous utilisons des témoins cookies pour. " * 5
        + "</p></div><nav><p>" + "Menu " * 40 + "</p></nav><article>"
        + "<figure><figcaption>" + "Une légende de photo assez longue. " * 5
        + "</figcaption></figure><p>Court.</p>" + ARTICLE_TEXT + "</article>"
    )  # fmt: skip
    got = extract(page("", body), URL).summary
    assert got is not None and got.startswith("Un paragraphe d'article réel")
    assert len(got) <= 400


def test_author_spellings() -> None:
    assert extract(page(meta("author", "Jean Untel")), URL).author == "Jean Untel"
    assert extract(page(meta("byl", "By Jane Doe")), URL).author == "Jane Doe"
    assert extract(page(meta("parsely-author", "P. A.")), URL).author == "P. A."
    assert extract(page(og("article:author", "https://facebook.com/x")), URL).author is None
    body = '<span itemprop="author" itemscope><span itemprop="name">Ann Micro</span></span>'
    assert extract(page("", body), URL).author == "Ann Micro"
    body = '<a rel="author" href="/a/b">Par Luc Byline</a>'
    assert extract(page("", body), URL).author == "Luc Byline"


def test_dates() -> None:
    head = og("article:published_time", "2023-11-06T10:00:00-05:00")
    assert extract(page(head), URL).published == "2023-11-06T10:00:00-05:00"
    head = meta("parsely-pub-date", "2023-11-06T15:00:00Z")
    assert extract(page(head), URL).published == "2023-11-06T15:00:00+00:00"
    body = '<article><time datetime="2022-01-02">2 janv.</time></article>'
    assert extract(page("", body), "https://x.org/a").published == "2022-01-02"
    assert extract(page(), "https://x.org/2023/11/08/a").published == "2023-11-08"
    assert extract(page(), "https://x.org/news/2023-11-08/a").published == "2023-11-08"
    assert extract(page(meta("date", "Mon, 06 Nov 2023 10:00:00 GMT")), "https://x.org/a"
                   ).published == "2023-11-06T10:00:00+00:00"  # fmt: skip
    assert extract(page(meta("date", "6 novembre 2023")), "https://x.org/a").published == (
        "2023-11-06"
    )


def test_custom_time_elements_are_not_the_article_date() -> None:
    body = '<time-ago datetime="2021-07-02T08:29:09Z">x</time-ago>'
    assert extract(page("", body), "https://x.org/a").published is None


def test_author_trailing_separator_removed() -> None:
    assert extract(page(meta("author", "Fabio Marcomin -")), URL).author == "Fabio Marcomin"


def test_author_from_class_byline_and_author_link() -> None:
    body = '<div class="post-byline">By Paz Segura</div>'
    assert extract(page("", body), URL).author == "Paz Segura"
    body = '<a class="x" href="https://e.com/blog/author/paz-segura">Paz Segura - Manager</a>'
    assert extract(page("", body), URL).author == "Paz Segura - Manager"


def test_date_from_a_timestamp_class() -> None:
    body = '<span class="post-timestamp">2016-04-08T20:30:39+00:00</span>'
    assert extract(page("", body), "https://x.org/a").published == "2016-04-08T20:30:39+00:00"


def test_image_falls_back_to_first_real_img_not_pixels_or_videos() -> None:
    body = ('<img src="/pixel.gif" width="1" height="1"><img src="/media/v.mp4">'
            '<video poster="/p.gif"></video><img src="/photo.jpg" alt="">')  # fmt: skip
    assert extract(page("", body), "https://x.org/a/b").image == "https://x.org/photo.jpg"
    assert extract(page("", '<video poster="/p.gif"></video>'), "https://x.org/a").image == (
        "https://x.org/p.gif"
    )


def test_language_sources() -> None:
    assert extract(page(lang="fr-ca"), URL).lang == "fr-CA"
    assert extract(page(og("og:locale", "fr_CA")), URL).lang == "fr-CA"
    assert extract(page(), URL, {"content-language": "fr"}).lang == "fr"
    head = '<meta http-equiv="content-language" content="en-GB">'
    assert extract(page(head), URL).lang == "en-GB"
    assert extract(page(meta("dc.language", "it")), URL).lang == "it"
    assert extract(page(lang="not a tag!"), URL).lang is None


def test_relative_canonical_and_image_made_absolute() -> None:
    head = '<link rel="canonical" href="/nouvelles/a?id=1">' + og("og:image", "img/x.jpg")
    got = extract(page(head), "https://www.example.com/m/nouvelles/a?id=1&utm_source=x")
    assert got.url == "https://www.example.com/nouvelles/a?id=1"
    assert got.image == "https://www.example.com/m/nouvelles/img/x.jpg"


def test_canonical_keeps_tracking_params_for_the_caller() -> None:
    head = '<link rel="canonical" href="https://e.com/a?utm_source=x">'
    assert extract(page(head), "https://e.com/a").url == "https://e.com/a?utm_source=x"


def test_canonical_to_a_home_page_or_non_http_is_ignored() -> None:
    for href in ("https://other.com/", "https://www.example.com", "javascript:alert(1)"):
        head = f'<link rel="canonical" href="{href}">'
        assert extract(page(head), URL).url == URL
    home = "https://www.example.com/"
    assert extract(page('<link rel="canonical" href="https://example.com/">'), home).url == (
        "https://example.com/"
    )


def test_site_name_fallbacks() -> None:
    assert extract(page(meta("application-name", "AppName")), URL).site_name == "AppName"
    # Nothing on the page names the site: null, not a name made up from the domain.
    assert extract(page(), "https://www.lapresse.ca/x").site_name is None


def test_paywall_markers() -> None:
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","isAccessibleForFree":'
          '"False"}</script>')  # fmt: skip
    assert extract(page(ld), URL).paywalled
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","hasPart":{"@type":'
          '"WebPageElement","isAccessibleForFree":false}}</script>')  # fmt: skip
    assert extract(page(ld), URL).paywalled
    assert extract(page(meta("article:content_tier", "locked")), URL).paywalled
    assert extract(page(og("article:content_tier", "metered")), URL).paywalled
    assert not extract(page(og("article:content_tier", "free")), URL).paywalled


def test_the_docs_list_the_field_table() -> None:
    """The precedence in fields.py's docstring is the table's, rendered (paste
    `fields.precedence()` between the markers)."""
    from revue.web.extract import fields

    doc = fields.__doc__ or ""
    start = doc.index("<!-- precedence: generated from FIELDS -->\n") + len(
        "<!-- precedence: generated from FIELDS -->\n"
    )
    assert doc[start : doc.index("<!-- end of precedence -->")].rstrip("\n") == fields.precedence()
    table = {field.name for field in fields.FIELDS}
    assert set(PageMeta.__dataclass_fields__) - table == {"blocked", "content_type"}
    assert table - set(PageMeta.__dataclass_fields__) == {"modified"}


def test_a_new_source_is_one_row() -> None:
    from dataclasses import replace

    from revue.web.extract import fields
    from revue.web.extract.page import Page

    row = fields.Source("`x:summary`", lambda p: p.facts.first("x:summary"))
    field = replace(fields.BY_NAME["summary"], sources=(row, *fields.BY_NAME["summary"].sources))
    text = page(meta("x:summary", "From the new row") + meta("description", "Old")).decode()
    assert fields.first_value(Page(text, URL, None), field) == "From the new row"


def test_meta_refresh_rules_are_the_fetchers() -> None:
    assert (
        extract(page('<meta http-equiv="refresh" content="600; url=/x">'), URL).refresh_url is None
    )
    assert extract(page('<meta http-equiv="refresh" content="30">'), URL).refresh_url is None
    nojs = '<noscript><meta http-equiv="refresh" content="0;url=/nojs"></noscript>'
    assert extract(page(nojs), URL).refresh_url is None
    in_body = page("<title>T</title>", '<meta http-equiv="refresh" content="0;url=/moved">')
    assert extract(in_body, URL).refresh_url == "https://www.example.com/moved"


def test_meta_refresh_and_oembed() -> None:
    head = ('<meta http-equiv="refresh" content="0; URL=\'/ailleurs\'">'
            '<link rel="alternate" type="application/json+oembed" href="/oembed?u=1">')  # fmt: skip
    got = extract(page(head), URL)
    assert got.refresh_url == "https://www.example.com/ailleurs"
    assert got.oembed_url == "https://www.example.com/oembed?u=1"


# --------------------------------------------------------------------------- blocked pages

CF_CHALLENGE = (
    '<html><head><title>Just a moment...</title></head><body><div id="challenge-running">'
    'Checking your browser</div><script src="/cdn-cgi/challenge-platform/h/b/orchestrate/'
    'jsch/v1"></script><form id="challenge-form" action="/?__cf_chl_f_tk=x"></form>'
    "</body></html>"
)


def test_cloudflare_challenge_by_shape() -> None:
    got = extract(CF_CHALLENGE.encode(), URL, {"server": "cloudflare"})
    assert got.blocked and "Cloudflare" in got.blocked


def test_challenge_by_header_alone() -> None:
    assert extract(page("<title>x</title>"), URL, {"cf-mitigated": "challenge"}).blocked


def test_cloudflare_attention_required() -> None:
    body = page(
        "<title>Attention Required! | Cloudflare</title>",
        "<h1>Sorry, you have been blocked</h1><p>You are unable to access example.com</p>",
    )
    assert extract(body, URL).blocked


def test_captcha_page() -> None:
    body = page(
        "<title>example.com</title>",
        '<iframe src="https://geo.captcha-delivery.com/captcha/?initialCid=x"></iframe>',
    )
    assert extract(body, URL).blocked == "captcha (DataDome)"


def test_robot_check_title_on_tiny_page() -> None:
    body = page("<title>Are you a robot?</title>", "<p>Please confirm.</p>")
    assert extract(body, URL).blocked


def test_consent_interstitial() -> None:
    body = page("<title>Before you continue</title>",
                '<form action="https://consent.google.com/save" method="post">'
                "<button>Accept all</button></form>")  # fmt: skip
    assert extract(body, "https://consent.google.com/ml?continue=x").blocked
    assert extract(body, "https://www.example.com/a").blocked == "cookie-consent interstitial"


def test_login_wall() -> None:
    body = page(
        "<title>Log in | Example</title>",
        '<form><input name="u"><input type="password" name="p"></form>',
    )
    assert extract(body, URL).blocked == "login wall"


def test_noindex_tiny_page() -> None:
    body = page(meta("robots", "noindex, nofollow"), "<div id='x'></div>")
    assert extract(body, URL).blocked


def test_article_mentioning_access_denied_is_not_blocked() -> None:
    body = page(
        og("og:title", "Quand l'accès est refusé") + og("og:description", "Une analyse.")
        + "<title>Quand l'accès est refusé</title>",
        "<article><p>The server said Access denied. Just a moment... Are you a robot?</p>"
        + ARTICLE_TEXT * 5 + '<div class="g-recaptcha"></div></article>',
    )  # fmt: skip
    assert extract(body, URL, {"server": "cloudflare"}).blocked is None


def test_article_titled_access_denied_with_real_text_is_not_blocked() -> None:
    body = page("<title>Access Denied: the story of a broken web</title>", ARTICLE_TEXT * 10)
    assert extract(body, URL).blocked is None


# --------------------------------------------------------------------------- documents


def _tiny_pdf(title: str | None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    if title is not None:
        writer.add_metadata({"/Title": title, "/Author": "Ville de Québec"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_pdf_title_from_metadata() -> None:
    got = extract_document(_tiny_pdf("Rapport annuel 2023"), "https://e.com/r.pdf",
                           "application/pdf")  # fmt: skip
    assert got.title == "Rapport annuel 2023"
    assert got.author == "Ville de Québec"
    assert got.content_type == "application/pdf"


def test_pdf_without_title_uses_file_name() -> None:
    got = extract_document(_tiny_pdf(None), "https://e.com/docs/rapport-annuel-2023.pdf",
                           "application/pdf")  # fmt: skip
    assert got.title == "rapport annuel 2023"


def test_broken_pdf_never_raises() -> None:
    for body in (b"%PDF-1.7\n garbage", b"", b"%PDF" + b"\xff" * 5000):
        got = extract_document(body, "https://e.com/a/Mon%20rapport.pdf", "application/pdf")
        assert got.title == "Mon rapport"


def test_other_documents() -> None:
    got = extract_document(b"\x89PNG....", "https://e.com/img/photo_de-vacances.png",
                           "image/png; charset=binary")  # fmt: skip
    assert (got.title, got.content_type) == ("photo de vacances", "image/png")
    assert extract_document(b"{}", "https://e.com/", "application/json").title is None
    assert extract_document(b"", "", None).title is None
    assert extract_document(b"plain", "https://e.com/notes.txt", "text/plain").title == "notes"


# --------------------------------------------------------------------------- corpus floors

# The targets of the extraction issue, over the pages where the corpus gives a value.
# image: the corpus expects a WordPress emoji (a flag, s.w.org/images/core/emoji) as
# milanocittastato's image; revue gives none rather than an emoji (issue 17).
FLOORS = {"title": 98, "description": 95, "site_name": 95, "author": 85, "date": 95,
          "lang": 95, "image": 93, "url": 95}  # fmt: skip


def test_corpus_accuracy_floors() -> None:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "extraction.py"
    spec = importlib.util.spec_from_file_location("extraction_benchmark", path)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    cases = [
        json.loads(x) for x in (CORPUS / "expected.jsonl").read_text("utf-8").splitlines() if x
    ]
    right = dict.fromkeys(FLOORS, 0)
    scored = dict.fromkeys(FLOORS, 0)
    for case in cases:
        got = bench.revue_fields((CORPUS / case["file"]).read_bytes(), case["url"])
        for name, ok in bench.score(got, case["expected"]).items():
            if ok is not None:
                scored[name] += 1
                right[name] += ok
    accuracy = {name: 100 * right[name] / scored[name] for name in FLOORS}
    below = {name: acc for name, acc in accuracy.items() if acc < FLOORS[name]}
    assert not below, f"accuracy below the floors: {below} (all: {accuracy})"


def test_title_suffix_that_is_a_host_name_is_removed_on_any_address() -> None:
    from revue.web.extract import extract

    html = b"<html><head><title>Les applis de Meta - Radio-Canada.ca</title></head></html>"
    assert extract(html, "http://127.0.0.1:8000/n/1").title == "Les applis de Meta"
    html = b"<html><head><title>Le point sur .NET - Blogue</title></head></html>"
    assert extract(html, "http://127.0.0.1:8000/n/2").title == "Le point sur .NET - Blogue"


def test_bare_title_loses_a_short_site_suffix_on_any_address() -> None:
    from revue.web.extract import extract

    html = "<html><head><title>Fausses nécrologies : des pièges à clics qui exploitent la mort | La Presse</title></head></html>"
    meta = extract(html.encode(), "http://127.0.0.1:9/a")
    assert meta.title == "Fausses nécrologies : des pièges à clics qui exploitent la mort"
    assert meta.site_name == "La Presse"


def test_bare_title_with_a_section_first_or_a_long_last_part_stays_whole() -> None:
    from revue.web.extract import extract

    for title in (
        "Jeu de la virgule | Cette pratique peut causer des dommages sérieux",
        "Victoria’s Secret | Autopsie d’un changement d’image manqué",
        "Sport | Le match",
    ):
        html = f"<html><head><title>{title}</title></head></html>".encode()
        assert extract(html, "http://127.0.0.1:9/a").title == title


def test_twitter_handle_names_the_site_in_the_title() -> None:
    from revue.web.extract import extract

    html = (
        "<html><head><title>Victoria’s Secret | Autopsie | La Presse</title>"
        '<meta name="twitter:site" content="@lp_lapresse"></head></html>'
    ).encode()
    assert extract(html, "http://127.0.0.1:9/a").title == "Victoria’s Secret | Autopsie"


# --------------------------------------------------------------------------- the page's date

LD_DATES = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "H",'
    ' "datePublished": "2015-10-05T20:52:17Z", "dateModified": "2021-04-24T09:18:20Z"}</script>'
)


def test_a_declared_update_is_the_page_date_and_the_publication_is_kept() -> None:
    got = extract(page(LD_DATES), "https://x.org/a")
    assert (got.published, got.first_published) == (
        "2021-04-24T09:18:20+00:00",
        "2015-10-05T20:52:17+00:00",
    )
    head = og("article:published_time", "2023-11-06") + og("article:modified_time", "2023-11-09")
    got = extract(page(head), "https://x.org/a")
    assert (got.published, got.first_published) == ("2023-11-09", "2023-11-06")
    body = '<meta itemprop="dateModified" content="2020-01-02"><time datetime="2019-05-06"></time>'
    got = extract(page("", body), "https://x.org/a")
    assert (got.published, got.first_published) == ("2020-01-02", "2019-05-06")


def test_an_update_alone_is_the_page_date() -> None:
    got = extract(page(og("article:modified_time", "2023-11-09T08:00:00Z")), "https://x.org/a")
    assert (got.published, got.first_published) == ("2023-11-09T08:00:00+00:00", None)


def test_an_update_before_the_publication_is_ignored() -> None:
    head = og("article:published_time", "2023-11-06") + og("article:modified_time", "2001-01-01")
    assert extract(page(head), "https://x.org/a").published == "2023-11-06"


def test_cache_times_are_not_updates() -> None:
    head = (
        og("article:published_time", "2023-11-06")
        + og("og:updated_time", "2026-01-01T00:00:00Z")
        + '<meta http-equiv="last-modified" content="2026-01-01">'
    )
    assert extract(page(head), "https://x.org/a").published == "2023-11-06"


def test_a_date_written_in_an_element_classed_date_or_time() -> None:
    body = '<div class="time">\n  <h2> July 05, 2017 </h2>\n</div><p>text</p>'
    got = extract(page("", body), "https://x.org/a")
    assert (got.published, got.first_published) == ("2017-07-05", "2017-07-05")
    body = '<time class="entry">5 juillet 2017</time>'
    assert extract(page("", body), "https://x.org/a").published == "2017-07-05"


def test_dates_that_are_not_the_articles_are_left_alone() -> None:
    body = (
        '<span class="reference-accessdate">Retrieved October 13, 2016</span>'
        '<span class="reading-time">5 min</span><div class="timeline">May 4, 2010</div>'
    )
    assert extract(page("", body), "https://x.org/a").published is None


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("July 05, 2017", "2017-07-05"),
        ("Wednesday, July 5, 2017 4:30 PM", "2017-07-05"),  # not 04:30
        ("Sept. 5, 2017", "2017-09-05"),
        ("5th September 2017", "2017-09-05"),
        ("1er novembre 2023", "2023-11-01"),
        ("Publié le 12 févr. 2024", "2024-02-12"),
        ("5. Juli 2017", "2017-07-05"),
        ("5 de julio de 2017", "2017-07-05"),
        ("5 luglio 2017", "2017-07-05"),
        ("5 de março de 2017", "2017-03-05"),
        ("5 января 2017", "2017-01-05"),
        ("5 stycznia 2017", "2017-01-05"),
        ("2017年7月5日", "2017-07-05"),
        ("2017년 7월 5일", "2017-07-05"),
        ("05.07.2017", "2017-07-05"),  # day first with dots
        ("7/5/2017", "2017-07-05"),  # month first with slashes, as in the US
        ("25/12/2017", "2017-12-25"),  # unless the first number cannot be a month
        ("13/13/2017", None),
    ],
)
def test_dates_in_words_in_many_languages(text: str, want: str | None) -> None:
    body = f'<span class="post-date">{text}</span>'
    assert extract(page("", body), "https://x.org/a").published == want


def test_month_names_are_babels() -> None:
    """src/revue/monthnames.py is what scripts/gen_monthnames.py writes from Babel today."""
    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location(
        "gen_monthnames", root / "scripts" / "gen_monthnames.py"
    )
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    table = gen.build_table()
    assert table["juillet"] == table["july"] == table["julio"] == 7
    assert (root / "src" / "revue" / "monthnames.py").read_text("utf-8") == gen.render(table)


# --------------------------------------------------------------------------- site name, URLs


def test_site_name_from_a_publisher_meta() -> None:
    head = "<title>HackerRank Report</title>" + meta("Publisher", "PR Newswire")
    assert extract(page(head), "https://www.prnewswire.com/news/x.html").site_name == "PR Newswire"
    head = "<title>T</title>" + meta("publisher", "https://www.facebook.com/prnewswire")
    assert extract(page(head), "https://www.prnewswire.com/news/x.html").site_name is None


@pytest.mark.parametrize(
    ("logo", "want"),
    [
        ('<img src="/a/audiense_logotype_black.png" alt="audiense_logotype_black">', "Audiense"),
        (
            '<a class="navbar-logo" href="/"><img src="/l.png" alt="Audiense: audience '
            'intelligence"></a>',
            "Audiense",
        ),
        ('<div id="logo"><a href="/">Audiense</a></div>', "Audiense"),
        ('<img class="logo" src="/l.png" alt="Accueil">', None),  # names no site
        ('<img class="logo" src="/l.png" alt="Brandwatch">', None),  # another site's
        ('<img src="/photo.jpg" alt="Audiense team">', None),  # not a logo
        ('<a class="logo" href="/"><img alt="Photo of author Ann Audiense"></a>', None),
    ],
)
def test_site_name_from_the_logo_when_the_page_names_no_site(logo: str, want: str | None) -> None:
    html = page("<title>Twin Peaks 2017: using the data</title>", logo + ARTICLE_TEXT)
    assert extract(html, "https://audiense.com/twin-peaks").site_name == want


def test_a_declared_site_name_beats_the_logo() -> None:
    html = page(og("og:site_name", "Audiense Blog"), '<img class="logo" alt="Audiense">')
    assert extract(html, "https://audiense.com/a").site_name == "Audiense Blog"


def test_image_and_canonical_urls_have_one_spelling() -> None:
    double = (
        "https://www.ft.com/__origami/service/image/v2/images/raw/https%3A%2F%2Fs3.aws.com"
        "%2Fimg%253Fsource%253Dnext?source=next-opengraph&fit=scale-down"
    )
    head = og("og:image", double) + '<link rel="canonical" href="/société/café été">'
    got = extract(page(head), "https://www.ft.com/content/x")
    assert got.image == (
        "https://www.ft.com/__origami/service/image/v2/images/raw/https%3A%2F%2Fs3.aws.com"
        "%2Fimg%3Fsource%3Dnext?source=next-opengraph&fit=scale-down"
    )
    assert got.url == "https://www.ft.com/soci%C3%A9t%C3%A9/caf%C3%A9%20%C3%A9t%C3%A9"


def test_author_falls_back_on_the_twitter_creator_handle() -> None:
    head = meta("twitter:creator", "@BeckerFriedman") + meta("twitter:site", "@BeckerFriedman")
    assert extract(page(head), URL).author == "BeckerFriedman"
    head += meta("author", "Jane Doe")
    assert extract(page(head), URL).author == "Jane Doe"
    assert extract(page(meta("twitter:creator", "not, a handle")), URL).author is None


def test_dates_of_the_page_node_when_the_article_node_has_none() -> None:
    graph = (
        '<script type="application/ld+json">{"@graph": ['
        '{"@type": "WebPage", "@id": "#p", "datePublished": "2020-01-01",'
        ' "dateModified": "2020-02-02"},'
        '{"@type": "Article", "headline": "H", "isPartOf": {"@id": "#p"}}]}</script>'
    )
    got = extract(page(graph), "https://x.org/a")
    assert (got.published, got.first_published) == ("2020-02-02", "2020-01-01")


def test_site_name_last_guess_is_the_end_of_the_title() -> None:
    html = page("<title>Linux Engineer's random thoughts - awk driven IoT</title>")
    got = extract(html, "https://anisse.astier.eu/awk-driven-iot.html")
    assert got.site_name == "awk driven IoT"
    assert got.title == "Linux Engineer's random thoughts - awk driven IoT"  # left whole
    for title in ("Is it over? - What we know now, and what we will never know about it",
                  "No separator at all", "Question | Really?"):  # fmt: skip
        assert extract(page(f"<title>{title}</title>"), URL).site_name is None
    html = page(og("og:site_name", "Blog") + "<title>A - B</title>")
    assert extract(html, URL).site_name == "Blog"


# --------------------------------------------------------------------------- precision (issue 17)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "reconstructed"


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location(
        "bench_extraction", Path(__file__).resolve().parents[1] / "benchmarks" / "extraction.py"
    )
    assert spec and spec.loader
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    return bench


def test_reconstructed_pages_every_field_right_and_no_broken_rule() -> None:
    bench = _bench()
    cases = [json.loads(line) for line in (FIXTURES / "expected.jsonl").read_text().splitlines()]
    wrong = []
    for case in cases:
        got = bench.revue_fields((FIXTURES / case["file"]).read_bytes(), case["url"])
        for name, ok in bench.score(got, case["expected"]).items():
            rule = bench.broken_rule(name, got.get(name), case["url"])
            if ok is False or rule or (case["expected"].get(name) is None and got.get(name)):
                wrong.append((case["id"], name, got.get(name), rule))
    assert not wrong


def test_benchmark_counts_a_value_where_a_checked_null_says_none_as_wrong() -> None:
    bench = _bench()
    expected = dict.fromkeys(bench.FIELDS) | {"title": "T", "url": "https://a.example/x"}
    case = {"id": "p", "url": "https://a.example/x", "expected": expected}

    def dated(body: bytes, url: str) -> dict[str, Any]:
        return {"title": "T", "url": url, "date": "2019-02-14"}

    def precision_of_date(case: dict[str, Any]) -> tuple[int, int]:
        acc, _times = bench.evaluate("t", dated, [case], {"p": b""}, 1, False)
        _pct, _right, _scored, extra, given, wrong = acc["date"]
        assert extra == 1
        return given, wrong

    assert precision_of_date(case) == (1, 0)
    assert precision_of_date(case | {"checked_nulls": True}) == (1, 1)


@pytest.mark.parametrize(
    "page_id",
    ["date-text-fr", "date-ordinal-en", "date-time-nodatetime-de", "date-traps-only-en",
     "nordkurier-de", "hatom-blog-de", "blogger-fr", "wp-bakery-en", "url-date-only-en",
     "comments-only-de"],
)  # fmt: skip
def test_date_in_text_cms_markup_or_url_and_never_from_comments_sidebars_footers(
    page_id: str,
) -> None:
    # Pages that declare no date in their metadata: the date is the article's own, written
    # in its text, CMS classes, a <time> without datetime or the URL; the dated comments,
    # sidebar widgets, related boxes, header "today" and copyright footers are never taken.
    cases = {
        c["id"]: c for c in map(json.loads, (FIXTURES / "expected.jsonl").read_text().splitlines())
    }
    case = cases[page_id]
    got = extract((FIXTURES / case["file"]).read_bytes(), case["url"], {}).published
    want = case["expected"]["date"]
    assert (got or "")[:10] == (want or "")[:10]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ('Mike Isaac <span class="affiliation | col', "Mike Isaac"),
        ("By Will Smale", "Will Smale"),
        ("—Dawson Whitfield", "Dawson Whitfield"),
        ("Par Claire Martin", "Claire Martin"),
        ("Von Anna Müller", "Anna Müller"),
        ("Por Juan Pérez", "Juan Pérez"),
        ("Autor: Peter Schmidt", "Peter Schmidt"),
        ("| Le Plateau", "Le Plateau"),
        ("Le Plateau -", "Le Plateau"),
        ("Connect Directly", None),
        ("View the Website", None),
        ("Voir le profil", None),
        ("Profil ansehen", None),
        ("Leer más", None),
        ("Byron Allen", "Byron Allen"),  # a name that starts like "By"
        ("Paz Segura - Marketing Manager", "Paz Segura - Marketing Manager"),
    ],
)
def test_names_are_text_a_curator_would_type(raw: str, want: str | None) -> None:
    from revue.web.extract.values import name

    assert name(raw, person=True) == want


def test_several_authors_joined_in_the_pages_language() -> None:
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","author":[{"name":"David K. '
          'Li"},{"name":"Doha Madani"}]}</script>')  # fmt: skip
    assert extract(page(ld, lang="en"), URL).author == "David K. Li and Doha Madani"
    assert extract(page(ld, lang="fr"), URL).author == "David K. Li et Doha Madani"
    three = meta("author", "A. Un") + meta("author", "B. Deux") + meta("author", "C. Drei")
    assert extract(page(three, lang="de"), URL).author == "A. Un, B. Deux und C. Drei"


def test_site_name_is_the_publisher_not_the_platform() -> None:
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","publisher":{"@type":'
          '"Organization","name":"Towards Data Science"}}</script>')  # fmt: skip
    assert extract(page(og("og:site_name", "Medium") + ld), URL).site_name == "Towards Data Science"
    assert extract(page(og("og:site_name", "X (formerly Twitter)")), "https://x.com/a/status/1"
                   ).site_name == "X"  # fmt: skip
    wire = "https://www.globenewswire.com/news-release/2023/10/24/1/0/en/x.html"
    assert extract(page(og("og:site_name", "GlobeNewswire News Room")), wire).site_name == (
        "GlobeNewswire"
    )
    assert extract(page(og("og:site_name", "Instagram")), "https://www.instagram.com/p/x/"
                   ).site_name == "Instagram"  # fmt: skip


def test_a_canonical_on_another_site_is_kept_apart() -> None:
    head = '<link rel="canonical" href="https://www.original.com/2024/06/29/story">'
    got = extract(page(head), "https://www.copy.org/news/story")
    assert got.url == "https://www.copy.org/news/story"
    assert got.canonical == "https://www.original.com/2024/06/29/story"
    same = extract(page(head), "https://amp.original.com/story")
    assert same.url == "https://www.original.com/2024/06/29/story" and same.canonical is None
    alias = '<link rel="canonical" href="https://twitter.com/a/status/1">'
    assert extract(page(alias), "https://x.com/a/status/1").url == "https://twitter.com/a/status/1"


def test_a_page_served_from_an_ip_address_or_localhost_is_the_site_it_names() -> None:
    head = '<link rel="canonical" href="https://x.com/pika_labs/status/1767573414223565051">'
    for base in ("http://127.0.0.1:8080/tweet/pika_labs", "http://localhost/t", "http://[::1]/t"):
        got = extract(page(head), base)
        assert got.url == "https://x.com/pika_labs/status/1767573414223565051", base
        assert got.canonical is None, base


def test_images_skip_logos_placeholders_and_data_uris() -> None:
    logo = og("og:image", "https://x.org/static/site-logo.png")
    body = ('<a href="/" rel="home"><img src="https://x.org/brand.png" width="300"></a>'
            '<article><img src="data:image/gif;base64,R0lGOD" data-src="/photo.jpg">'
            '<img src="/1x1.gif"></article>')  # fmt: skip
    assert extract(page(logo, body), "https://x.org/a/b").image == "https://x.org/photo.jpg"
    assert extract(page(og("og:image", "data:image/svg+xml,<svg/>")), URL).image is None


@pytest.mark.parametrize(
    ("body", "want"),
    [
        ("<h1>T</h1><p>Publié le 12 mars 2021 à 10 h 15</p>", "2021-03-12"),
        ("<h1>T</h1><p>Veröffentlicht am 12. März 2021</p>", "2021-03-12"),
        ("<h1>T</h1><p>Posted on March 12th, 2021</p>", "2021-03-12"),
        (
            '<h1>T</h1><abbr class="published" title="2020-11-05T09:30:00+01:00">5 nov.</abbr>',
            "2020-11-05T09:30:00+01:00",
        ),
        (
            '<article><h1>T</h1><time class="entry-date">March 12, 2021</time></article>',
            "2021-03-12",
        ),
        # Never from comments, sidebars, related boxes or the footer:
        ('<h1>T</h1><div id="comments"><time>March 20, 2021</time></div>', None),
        ('<h1>T</h1><aside><span class="post-date">December 1, 2022</span></aside>', None),
        ('<h1>T</h1><section class="related-posts"><time>May 2, 2020</time></section>', None),
        ('<h1>T</h1><footer><p class="date">© 2019 – 5 May 2020</p></footer>', None),
        (
            '<div class="comment"><span class="comment-date">Veröffentlicht am 5. April 2021'
            "</span></div>",
            None,
        ),
    ],
)
def test_dates_on_pages_that_declare_none(body: str, want: str | None) -> None:
    assert extract(page("", body), "https://x.org/a").published == want


# --------------------------------------------------------------------------- the dated set (issue 24)


@functools.cache
def _dated_module() -> Any:
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "dated_pages.py"
    spec = importlib.util.spec_from_file_location("dated_pages", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["dated_pages"] = module  # its dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@functools.cache
def _dated_set() -> tuple[dict[str, Any], ...]:
    return tuple(_dated_module().build())


def _published_day(case: dict[str, Any]) -> str | None:
    value = extract(str(case["html"]).encode(), str(case["url"]), {}).published
    return value[:10] if value else None


def _known_miss(case: dict[str, Any]) -> bool:
    # A related box of a class revue does not know ("more-stories"), after the text of a page
    # with no <article> to end it: its first <time> is taken (htmldate takes it too).
    return "<article" not in case["html"] and bool({"related", "most-read"} & set(case["traps"]))


@pytest.mark.parametrize(
    ("style", "lang"),
    [("dots", "de"), ("dots-short", "de"), ("words", "de"), ("abbr", "de"),
     ("weekday-words", "de"), ("words", "fr"), ("slash", "fr"), ("slash", "en-GB"),
     ("slash", "en-US"), ("words", "en-US"), ("words", "en-GB"), ("abbr", "en-US"),
     ("ymd-slash", "de")],
)  # fmt: skip
def test_a_date_only_in_the_text_near_the_headline_in_the_pages_order(
    style: str, lang: str
) -> None:
    # Pages of the dated set whose date is written only as `style` (no ISO date anywhere,
    # none in the URL): the byline or meta line after the headline, a press release's
    # dateline, a date line above the title; 03/08/2015 read in the page's language's order.
    module = _dated_module()
    found = []
    for case in _dated_set():
        if not case["date"] or case["lang"] != lang or _known_miss(case):
            continue
        day = dt.date.fromisoformat(case["date"])
        written = module.show(day, lang, style)
        if (
            written in case["html"]
            and case["date"] not in case["html"]
            and (f"{day.year}/{day.month:02d}/{day.day:02d}" not in case["url"])
        ):
            found.append((case["id"], _published_day(case), case["date"]))
    assert found
    assert [f for f in found if f[1] != f[2]] == []


def test_numeric_dates_read_in_the_pages_language_order() -> None:
    from revue.web.extract.dates import norm_date, writes_month_first

    assert norm_date("03/08/2015", month_first=False) == "2015-08-03"
    assert norm_date("03/08/2015") == "2015-03-08"
    assert norm_date("13/08/2015") == "2015-08-13"
    assert norm_date("Veröffentlicht am 3.8.2015.") == "2015-08-03"
    assert writes_month_first("en-US") and writes_month_first(None)
    assert not writes_month_first("en-GB") and not writes_month_first("fr")
    body = '<h1>Une histoire</h1><p class="meta">Camille Roux, 03/08/2015</p>' + ARTICLE_TEXT
    url = "https://a.example/une-histoire"
    assert extract(page(body=body, lang="fr"), url).published == "2015-08-03"
    assert extract(page(body=body, lang="en-US"), url).published == "2015-03-08"


def test_an_iso_date_in_an_inline_script_or_a_data_attribute() -> None:
    cases = [c for c in _dated_set() if ('"publishDate"' in c["html"]
             or "data-published=" in c["html"]) and "article:published_time" not in c["html"]
             and "ld+json" not in c["html"]]  # fmt: skip
    assert len(cases) >= 5
    assert [(c["id"], _published_day(c)) for c in cases if _published_day(c) != c["date"]] == []
    # Not a JSON-LD block's: its own sources read it (a car's productionDate is no date).
    car = ('<script type="application/ld+json">{"@type":"Car","productionDate":"2015-08-03",'
           '"publishedDate":"2015-08-03"}</script>')  # fmt: skip
    assert extract(page(body=car + "<h1>Kombi</h1>"), "https://a.example/car").published is None


def test_a_time_in_the_articles_own_bare_header() -> None:
    body = (
        '<header><a href="/">Site</a></header><article><header><h1>Title</h1>'
        '<time datetime="2015-08-03T10:00:00+02:00">3. August 2015</time></header>'
        f"{ARTICLE_TEXT}</article><footer><time datetime='2024-11-19'>x</time></footer>"
    )
    assert extract(page(body=body), "https://a.example/t").published == "2015-08-03T10:00:00+02:00"


@pytest.mark.parametrize(
    "trap",
    ["today", "related", "comments", "sidebar", "footer", "event", "later posts"],
)
def test_dated_set_traps_never_give_the_date(trap: str) -> None:
    # The header's today (phpBB's "Aktuelle Zeit", a top bar's current date), related boxes,
    # comments, recent-posts widgets, a footer's copyright and "last reviewed",
    # an event's date in a sentence, a forum's later posts.
    cases = [c for c in _dated_set() if trap in c["traps"] and c["date"] and not _known_miss(c)]
    assert len(cases) >= 10
    assert [(c["id"], _published_day(c)) for c in cases if _published_day(c) != c["date"]] == []


def test_dated_set_github_last_commit_and_a_cars_production_date_are_no_date() -> None:
    cases = [c for c in _dated_set() if c["template"] in ("github", "car")]
    assert len(cases) >= 5
    assert [(c["id"], _published_day(c)) for c in cases if _published_day(c)] == []


def test_dated_set_floor() -> None:
    # benchmarks/extraction.py --dates gives the figures beside htmldate; this keeps them.
    cases = _dated_set()
    right = sum(_published_day(c) == c["date"] for c in cases)
    assert right >= 455, f"{right}/{len(cases)}"


_LEDE = ("Die Stadt will den Radweg entlang des Flusses bis zum Sommer fertigstellen, doch die "
         "Kosten sind inzwischen um ein Drittel gestiegen.")  # fmt: skip


@pytest.mark.parametrize(
    ("body", "found"),
    [
        # Class names that hold a skipped word inside a longer one ("ad-", "meta", "nav").
        (f'<article><h1>T</h1><p class="lead-text">{_LEDE}</p></article>', True),
        (f'<div class="thread-body"><h1>T</h1><p>{_LEDE}</p></div>', True),
        (f'<article class="metadata-x"><h1>T</h1><p>{_LEDE}</p></article>', True),
        (f'<div class="gh-canvas"><p>{_LEDE}</p></div>', True),
        # The article's own header holds the standfirst.
        (f'<article><header><h1>T</h1><p class="standfirst">{_LEDE}</p></header></article>', True),
        (f'<main><div class="article-header"><h1>T</h1><p>{_LEDE}</p></div></main>', True),
        # A paragraph written without <p>; a standfirst in a hero above the <article>.
        (f'<article><h1>T</h1><div class="intro">{_LEDE}</div><p>Kurz.</p></article>', True),
        (f'<div class="hero"><h1>T</h1><p>{_LEDE}</p></div><article><p>Kurz.</p></article>', True),
        # The site's header, a header outside the article, a meta line: never.
        (f'<header class="site-header"><p>{_LEDE}</p></header><article>x</article>', False),
        (f"<header><p>{_LEDE}</p></header><article>x</article>", False),
        (f'<article><div class="entry-meta"><p>{_LEDE}</p></div></article>', False),
    ],
)
def test_a_lede_only_in_the_body_is_the_summary(body: str, found: bool) -> None:
    got = extract(page("<title>T</title>", body), "https://a.example/x").summary
    assert got == (_LEDE if found else None)


@pytest.mark.parametrize("sep", ["«", "•", "~", "›"])
def test_the_site_part_of_a_title_after_other_separators(sep: str) -> None:
    got = extract(page(f"<title>Un titolo lungo {sep} Il Post</title>"), "https://www.ilpost.it/x")
    assert (got.site_name, got.title) == ("Il Post", "Un titolo lungo")


def test_one_person_node_naming_several_authors() -> None:
    ld = ('<script type="application/ld+json">{"@type":"NewsArticle","author":{"@type":'
          '"Person","name":["Darian Woods","Sarah Gonzalez"]}}</script>')  # fmt: skip
    assert extract(page(ld, lang="en"), URL).author == "Darian Woods and Sarah Gonzalez"


@pytest.mark.parametrize(
    ("path", "kept"),
    [("/img/21x19.jpg", True), ("/images/2023/05/photo-1x1-1200.jpg", True),
     ("/pixel/1x1.gif", False), ("/t/1x1", False), ("/static/logo.png", False)],
)  # fmt: skip
def test_an_image_is_refused_for_a_pixel_not_for_numbers_in_its_name(path: str, kept: bool) -> None:
    got = extract(page(og("og:image", "https://cdn.example.com" + path)), URL).image
    assert (got == "https://cdn.example.com" + path) is kept
