"""The field table: each field of a page, its sources in order, and its finisher.

A field takes the first source that gives a usable value, then its finisher. Fields are
resolved in the table's order; a source may read the fields resolved before its own (the
title's sources need the page's `url`, the site name reads the title's site part). A new
metadata source is one `Source` row here; `precedence()` renders the list below from the
table, and tests/test_extract.py checks that the two agree.

Where each field comes from, first source that gives a usable value wins:

<!-- precedence: generated from FIELDS -->
- url: `<link rel=canonical>`, `og:url`, the fetched URL. Relative values are made absolute
  against `<base href>` / the fetched URL. Ignored: non-http(s) values, a canonical pointing
  to a home page (another site's, or this site's when the fetched URL is not itself a home
  page: a common CMS bug), and one on another registrable domain than the fetched URL's (a
  syndicated copy naming its original: kept as `canonical`; a page fetched from an IP
  address or localhost is the site it names). Tracking parameters are NOT removed here.
- canonical: `<link rel=canonical>`, `og:url`. Only when on another registrable domain than
  the fetched URL: the original of a syndicated copy (shown as "syndicated from").
- title: `og:title` (without the site name only when it clearly ends with `og:site_name`),
  `twitter:title`, JSON-LD `headline`/`name` of the main entity, microdata `headline`,
  `dc.title`, `dcterms.title`, `<title>` (a short last part such as " - Le Blogue" is taken
  for the site name), the first `<h1>`. A title-like value loses its site-name prefix/suffix
  (separators `| - – — · : » « • ~ ›`, recognised by the site's declared names, the domain
  and the Twitter handle), a tag cut in half and separators at its ends. Cut at a word
  boundary with "…" past 300 characters.
- site_name: JSON-LD `publisher.name` when `og:site_name` is a hosting platform (Medium,
  Substack...), `og:site_name`, `application-name`, `apple-mobile-web-app-title`, JSON-LD
  `publisher.name`, the name of a JSON-LD `WebSite` node, the site part of the title, what
  `<title>` says around `og:title` ("Blog: Post"), `publisher`, `dc.publisher`,
  `dcterms.publisher` metas (a name, not a URL nor a sentence), the page's logo (an `<img>`
  alt or a logo link's text) when it names the domain's site, the end of `<title>` after its
  last " - " or " | " when short enough to be a name. A name, not markup, a byline or a
  widget's label; "X (formerly Twitter)" -> "X", "GlobeNewswire News Room" ->
  "GlobeNewswire". No name is made up from the domain: it only decides whether a logo's text
  is a name.
- summary: meta descriptions (`og:description`, `twitter:description`, `description`,
  `dc.description`, `dcterms.description`, `dc.description.abstract`,
  `sailthru.description`, `parsely-description`, `abstract`, `summary`), JSON-LD
  `description`, microdata `description`, the first real paragraph of the body (inside
  `<article>`/`<main>` when present, else from the first `<h1>`; a `<div>` of text counts;
  nav, cookie banners, captions, newsletter boxes skipped, not the article's own header),
  the first paragraph of a page without a body. Cut at a sentence near 300 characters (a
  declared description near 1000).
- via: `twitter:site`, `twitter:creator-site`, `twitter:site:username` (the first present).
  Normalised to "@handle" (accepts "handle", "@handle", twitter.com / x.com URLs).
- lang: `<html lang>`, the `Content-Language` header, `<meta http-equiv=content-language>`,
  `og:locale`, `dc.language`/`dcterms.language`, JSON-LD `inLanguage`. Normalised to BCP 47
  ("fr_CA" -> "fr-CA").
- author: JSON-LD `author`/`creator` of the main entity, author metas (`author`,
  `article:author`, `parsely-author`, `sailthru.author`, `byl`, `dc.creator`,
  `dcterms.creator`, `citation_author`, `cxenseparse:author`, `og:article:author`,
  `book:author`; not a URL; repeated: several), microdata `author`, `rel=author` link text,
  a byline element (class containing "byline", "author", "auteur", "signature"), an author
  link's text (`/author/`, `/auteur/`...), the `twitter:creator` handle without its "@"
  (last: it is often the site's own account). Names, not markup, bylines ("By", "Par",
  "Von", dashes) or a widget's label; several joined the way the page's language joins them
  ("A and B", "A et B", "A und B"). The site's own name only when no later source names a
  person.
- first_published: JSON-LD `datePublished` (of the article, else of the page holding it),
  date metas (`article:published_time`, `og:article:published_time`, `parsely-pub-date`,
  `sailthru.date`, `dc.date.issued`, `dc.date`, `dcterms.created`, `dcterms.issued`,
  `dcterms.date`, `citation_publication_date`, `citation_date`, `date`, `pubdate`,
  `publish-date`, `publish_date`, `publishdate`, `article.published`, `datepublished`,
  `article_date_original`, `cxenseparse:recs:publishtime`, `og:published_time`,
  `release_date`, `video:release_date`), JSON-LD `dateCreated`/`uploadDate`, microdata
  `datePublished`/`dateCreated`, an ISO date given as the publication date in an inline
  script or a `data-` attribute (`"publishDate": "2015-08-03"`, `data-published`), the first
  `<time>` (in `<article>` when present; its `datetime`, else its text), an element classed
  as a publication date (`timestamp`, `published`, `pubdate`, `post-date`, `entry-date`...),
  an element classed as a date or time whose text is a date, a date after "Publié le",
  "Veröffentlicht am", "Published on"... in the text, a date in the URL's path
  (`/2023/11/08/`, `/2023-11-08`), a date written near the headline (where the title is
  written in the body, else the first `<h1>`): the first in the few lines after it (the
  byline, the meta line, a press release's dateline), else the nearest in a line just above
  it; not in a sentence (an event's date) nor after a clock's label ("Aktuelle Zeit", "It is
  currently"). Dates in words are read in 21 languages (month names from Babel, see
  monthnames.py); `03/08/2015` is read in the page's language's order (month first in US
  English and when no language is said, else day first; `03.08.2015` is always day first).
  Body dates (from `<time>` on) are never read in comments, sidebars, related or most-read
  boxes, navigation, the site's header or footer; the article's part of the page is read
  first.
- modified: JSON-LD `dateModified`, update metas (`article:modified_time`,
  `og:modified_time`, `datemodified`, `dcterms.modified`, `dc.date.modified`), microdata
  `dateModified` (when the body was scanned for another field). Not `og:updated_time` nor
  `last-modified`: those are cache times, not updates. Internal: read by `published`.
- published: the declared update (`modified`) when it is not earlier than `first_published`,
  else `first_published`. This is what readers see as the article's date; ISO 8601, the
  timezone kept when given.
- image: `og:image:secure_url`, `og:image`, `og:image:url`, `twitter:image`,
  `twitter:image:src`, JSON-LD `image`/`thumbnailUrl`, `<link rel=image_src>`, microdata
  `image`/`thumbnailUrl`, the first `<img>` that is not an icon, a pixel or a video (in
  `<article>` first), a `<video poster>`. Absolute, never `data:` (a lazy image's real
  address is read instead), never a logo (by its file name, class or alt, or a link to the
  home page around it), a 1x1 or placeholder image; every URL is given one spelling of its
  escapes (`urls.normalize_escapes`).
- paywalled: JSON-LD `isAccessibleForFree` false (also in `hasPart`), `article:content_tier`
  locked/metered/premium, `cXenseParse:pageclass` paywall.
- oembed_url: `<link rel=alternate type=application/json+oembed>`. Read by fetch, which asks
  the provider for the post.
- refresh_url: `<meta http-equiv=refresh>` (not in `<noscript>`), the same in the first 64
  KB of the body. Only with an address and a delay under a minute; read by fetch, which
  follows it once.
<!-- end of precedence -->
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from revue.urls import site_owner
from revue.web.extract.bodyscan import script_date
from revue.web.extract.dates import date_from_url, norm_date, page_date
from revue.web.extract.decoding import header
from revue.web.extract.head import (
    AUTHOR_KEYS,
    DATE_KEYS,
    DESCRIPTION_KEYS,
    MODIFIED_KEYS,
    author_from_meta,
    body_refresh,
    handle_from,
    oembed_link,
    refresh_target,
)
from revue.web.extract.lang import norm_lang
from revue.web.extract.page import Page
from revue.web.extract.paragraphs import first_paragraph, first_paragraph_in
from revue.web.extract.sites import logo_name
from revue.web.extract.text import (
    DESCRIPTION_MAX,
    abs_url,
    clean,
    cut_sentence,
    domain_label,
    norm_key,
)
from revue.web.extract.titles import finish_title, title_tail
from revue.web.extract.values import is_platform, join_names, name, plain, site_name


@dataclass(frozen=True, slots=True)
class Source:
    """One place a field's value may come from: how the docs name it, how to read it."""

    label: str
    read: Callable[[Page], Any]


@dataclass(frozen=True, slots=True)
class Field:
    """A field: its sources in order of precedence, then a finisher for the value found."""

    name: str
    sources: tuple[Source, ...]
    finish: Callable[[Page, Any], Any] = lambda page, value: value
    note: str = ""  # what the finisher and the sources' rules do, for the docs
    empty: Any = None  # the value when no source gives one
    # A value that will do if no later source gives a better one (an author that is the
    # site's own name, when a byline may still name a person).
    weak: Callable[[Page, Any], bool] | None = None


def _keys(keys: tuple[str, ...]) -> str:
    return ", ".join(f"`{key}`" for key in keys)


def _first_date(page: Page, keys: tuple[str, ...]) -> str | None:
    return next((d for d in (norm_date(page.facts.meta.get(k)) for k in keys) if d), None)


def _image_link(page: Page) -> str | None:
    links = page.facts.links.get("image_src", [])
    return abs_url(links[0][0], page.base) if links else None


def _microdata_modified(page: Page) -> str | None:
    scanned = page.microdata_scanned()
    return scanned.date("dateModified") if scanned else None


def _script_date(page: Page) -> str | None:
    return script_date(page.head_text) or (page.scan.script_date() if page.rest else None)


def _url_date(page: Page) -> str | None:
    base, url = page.base_url, page.page_url
    if not url:
        return None
    return date_from_url(url) or (date_from_url(base) if base != url else None)


def _tier(page: Page) -> bool | None:
    tier = (page.facts.meta.get("article:content_tier") or "").strip().lower()
    return True if tier in ("locked", "metered", "premium") else None


def _creator(page: Page) -> str | None:
    creator = handle_from(page.facts.first("twitter:creator"))
    return creator[1:] if creator else None


def _own(page: Page, url: str | None) -> str | None:
    """A declared address on the fetched URL's registrable domain (or when it has none)."""
    if not url:
        return None
    here = site_owner(page.base_url)
    return url if not here or site_owner(url) == here else None


def _elsewhere(page: Page, url: str | None) -> str | None:
    if not url or _own(page, url):
        return None
    return url


def _summary(text: str) -> str | None:
    value = plain(text)
    return cut_sentence(value, DESCRIPTION_MAX) if value else None


def _authors(page: Page, value: str | list[str]) -> str | None:
    values = [value] if isinstance(value, str) else value
    names = [n for n in (name(v, person=True) for v in values) if n]
    return join_names(names, page.values.get("lang"))


def _same_name(value: str, site: str | None) -> bool:
    return bool(site) and norm_key(value) == norm_key(site or "")


# "1x1": a pixel's file or folder, not a size ("21x19.jpg") nor a square crop
# ("photo-1x1-1200.jpg").
_IMAGE_JUNK_RE = re.compile(
    r"logo|placeholder|blank\.(?:gif|png)|spacer|pixel\.(?:gif|png)"
    r"|(?<![\w])1x1(?:\.(?:gif|png)|/|$)|transparent\.(?:gif|png)"
    r"|/emoji/|default[-_]?(?:og|share|image|thumb)|grey\.gif|gray\.gif",
    re.IGNORECASE,
)


def image_ok(url: str) -> bool:
    """Not a logo, a placeholder or a pixel, by its address (its file name and folders)."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    return not _IMAGE_JUNK_RE.search(path)


_OG_IMAGE_KEYS = ("og:image:secure_url", "og:image", "og:image:url", "twitter:image",
                  "twitter:image:src")  # fmt: skip


def _meta_image(key: str) -> Source:
    return Source(f"`{key}`", lambda p: abs_url(p.facts.meta.get(key), p.base))


FIELDS: tuple[Field, ...] = (
    Field(
        "url",
        (
            Source("`<link rel=canonical>`", lambda p: _own(p, p.canonical_link)),
            Source("`og:url`", lambda p: _own(p, p.og_url)),
            Source("the fetched URL", lambda p: p.base_url if abs_url(p.base_url, "") else None),
        ),
        note="Relative values are made absolute against `<base href>` / the fetched URL. "
        "Ignored: non-http(s) values, a canonical pointing to a home page (another "
        "site's, or this site's when the fetched URL is not itself a home page: a common CMS "
        "bug), and one on another registrable domain than the fetched URL's (a syndicated "
        "copy naming its original: kept as `canonical`; a page fetched from an IP address or "
        "localhost is the site it names). Tracking parameters are NOT "
        "removed here.",
    ),
    Field(
        "canonical",
        (
            Source("`<link rel=canonical>`", lambda p: _elsewhere(p, p.canonical_link)),
            Source("`og:url`", lambda p: _elsewhere(p, p.og_url)),
        ),
        note="Only when on another registrable domain than the fetched URL: the original "
        "of a syndicated copy (shown as \"syndicated from\").",
    ),
    Field(
        "title",
        (
            Source("`og:title` (without the site name only when it clearly ends with "
                   "`og:site_name`)", Page.og_title_value),
            Source("`twitter:title`", lambda p: p.titled(p.facts.first("twitter:title"))),
            Source("JSON-LD `headline`/`name` of the main entity",
                   lambda p: p.titled(clean(p.ld.get("headline", "name"), markup=True))),
            Source("microdata `headline`, `dc.title`, `dcterms.title`",
                   lambda p: p.titled(p.facts.first("headline", "dc.title", "dcterms.title"))),
            Source('`<title>` (a short last part such as " - Le Blogue" is taken for the site '
                   "name)", lambda p: p.titled(p.raw_title, bare=True)),
            Source("the first `<h1>`", Page.h1),
        ),
        finish=lambda p, title: finish_title(plain(title)),
        note="A title-like value loses its site-name prefix/suffix (separators "
        "`| - – — · : » « • ~ ›`, recognised by the site's declared names, the domain and the Twitter "
        'handle), a tag cut in half and separators at its ends. Cut at a word boundary with '
        '"…" past 300 characters.',
    ),
    Field(
        "site_name",
        (
            Source("JSON-LD `publisher.name` when `og:site_name` is a hosting platform "
                   "(Medium, Substack...)", lambda p: p.publisher if is_platform(p.og_site) else None),
            Source("`og:site_name`", lambda p: p.og_site),
            Source("`application-name`, `apple-mobile-web-app-title`", lambda p: p.app_name),
            Source("JSON-LD `publisher.name`", lambda p: p.publisher),
            Source("the name of a JSON-LD `WebSite` node", lambda p: p.website_name),
            Source("the site part of the title", lambda p: p.title_site or p.chosen_title_site),
            Source("what `<title>` says around `og:title` (\"Blog: Post\")", Page.title_around),
            Source("`publisher`, `dc.publisher`, `dcterms.publisher` metas (a name, not a URL "
                   "nor a sentence)", lambda p: p.meta_publisher),
            Source("the page's logo (an `<img>` alt or a logo link's text) when it names the "
                   "domain's site", lambda p: logo_name(p.rest, p.page_url) if p.rest else None),
            Source('the end of `<title>` after its last " - " or " | " when short enough to be '
                   "a name", lambda p: title_tail(p.raw_title)),
        ),
        finish=lambda p, value: site_name(value, domain_label(p.page_url)),
        note="A name, not markup, a byline or a widget's label; \"X (formerly Twitter)\" -> "
        "\"X\", \"GlobeNewswire News Room\" -> \"GlobeNewswire\". No name is made up from "
        "the domain: it only decides whether a logo's text is a name.",
    ),
    Field(
        "summary",
        (
            Source(f"meta descriptions ({_keys(DESCRIPTION_KEYS)})",
                   lambda p: p.facts.first(*DESCRIPTION_KEYS)),
            Source("JSON-LD `description`", lambda p: clean(p.ld.get("description"), markup=True)),
            Source("microdata `description`",
                   lambda p: clean(p.microdata.props.get("description")) if p.rest else None),
            Source("the first real paragraph of the body (inside `<article>`/`<main>` when "
                   "present, else from the first `<h1>`; a `<div>` of text counts; nav, cookie "
                   "banners, captions, newsletter boxes skipped, not the article's own header)",
                   lambda p: first_paragraph_in(p.rest, p.parsed_body()) if p.rest else None),
            Source("the first paragraph of a page without a body",
                   lambda p: first_paragraph(p.head_root)
                   if not p.rest and p.head_root is not None else None),
        ),
        finish=lambda p, text: _summary(text),
        note="Cut at a sentence near 300 characters (a declared description near 1000).",
    ),
    Field(
        "via",
        (
            Source("`twitter:site`, `twitter:creator-site`, `twitter:site:username` (the first "
                   "present)", lambda p: p.handle),
        ),
        note='Normalised to "@handle" (accepts "handle", "@handle", twitter.com / x.com URLs).',
    ),
    Field(
        "lang",
        (
            Source("`<html lang>`", lambda p: norm_lang(p.facts.lang)),
            Source("the `Content-Language` header",
                   lambda p: norm_lang(header(p.headers, "content-language"))),
            Source("`<meta http-equiv=content-language>`",
                   lambda p: norm_lang(p.facts.meta.get("content-language"))),
            Source("`og:locale`", lambda p: norm_lang(p.facts.meta.get("og:locale"))),
            Source("`dc.language`/`dcterms.language`",
                   lambda p: norm_lang(p.facts.meta.get("dc.language")
                                       or p.facts.meta.get("dcterms.language"))),
            Source("JSON-LD `inLanguage`", lambda p: norm_lang(p.ld.get("inLanguage"))),
        ),
        note='Normalised to BCP 47 ("fr_CA" -> "fr-CA").',
    ),
    Field(
        "author",
        (
            Source("JSON-LD `author`/`creator` of the main entity",
                   lambda p: p.ld.name_list(p.ld.get("author", "creator"))),
            Source(f"author metas ({_keys(AUTHOR_KEYS)}; not a URL; repeated: several)",
                   lambda p: author_from_meta(p.facts)),
            Source("microdata `author`", lambda p: p.microdata.author_name if p.rest else None),
            Source("`rel=author` link text", lambda p: p.scan.rel_author() if p.rest else None),
            Source('a byline element (class containing "byline", "author", "auteur", '
                   '"signature")', lambda p: p.scan.byline() if p.rest else None),
            Source("an author link's text (`/author/`, `/auteur/`...)",
                   lambda p: p.scan.author_link() if p.rest else None),
            Source('the `twitter:creator` handle without its "@" (last: it is often the site\'s '
                   "own account)", _creator),
        ),
        finish=_authors,
        weak=lambda p, value: _same_name(value, p.values.get("site_name")),
        note="Names, not markup, bylines (\"By\", \"Par\", \"Von\", dashes) or a widget's "
        "label; several joined the way the page's language joins them (\"A and B\", \"A et "
        "B\", \"A und B\"). The site's own name only when no later source names a person.",
    ),
    Field(
        "first_published",
        (
            Source("JSON-LD `datePublished` (of the article, else of the page holding it)",
                   lambda p: p.ld.date("datePublished")),
            Source(f"date metas ({_keys(DATE_KEYS)})", lambda p: _first_date(p, DATE_KEYS)),
            Source("JSON-LD `dateCreated`/`uploadDate`",
                   lambda p: norm_date(p.ld.get("dateCreated", "uploadDate"))),
            Source("microdata `datePublished`/`dateCreated`",
                   lambda p: p.microdata.date("datePublished", "dateCreated") if p.rest else None),
            Source("an ISO date given as the publication date in an inline script or a `data-` "
                   'attribute (`"publishDate": "2015-08-03"`, `data-published`)', _script_date),
            Source("the first `<time>` (in `<article>` when present; its `datetime`, else its "
                   "text)", lambda p: p.scan.time_date(p.month_first) if p.rest else None),
            Source("an element classed as a publication date (`timestamp`, `published`, "
                   "`pubdate`, `post-date`, `entry-date`...)",
                   lambda p: p.scan.class_date(p.month_first) if p.rest else None),
            Source("an element classed as a date or time whose text is a date",
                   lambda p: p.scan.dated_element(p.month_first) if p.rest else None),
            Source('a date after "Publié le", "Veröffentlicht am", "Published on"... in the text',
                   lambda p: p.scan.phrase_date(p.month_first) if p.rest else None),
            Source("a date in the URL's path (`/2023/11/08/`, `/2023-11-08`)", _url_date),
            Source("a date written near the headline (where the title is written in the body, "
                   "else the first `<h1>`): the first in the few lines after it (the byline, "
                   "the meta line, a press release's dateline), else the nearest in a line "
                   "just above it; not in a sentence (an event's date) nor after a clock's "
                   'label ("Aktuelle Zeit", "It is currently")',
                   lambda p: p.scan.headline_date(p.values.get("title"), p.month_first)
                   if p.rest else None),
        ),
        note="Dates in words are read in 21 languages (month names from Babel, see "
        "monthnames.py); `03/08/2015` is read in the page's language's order (month first "
        "in US English and when no language is said, else day first; `03.08.2015` is always "
        "day first). Body dates (from `<time>` on) are never read in comments, sidebars, "
        "related or most-read boxes, navigation, the site's header or footer; the article's "
        "part of the page is read first.",
    ),
    Field(
        "modified",
        (
            Source("JSON-LD `dateModified`", lambda p: p.ld.date("dateModified")),
            Source(f"update metas ({_keys(MODIFIED_KEYS)})",
                   lambda p: _first_date(p, MODIFIED_KEYS)),
            Source("microdata `dateModified` (when the body was scanned for another field)",
                   _microdata_modified),
        ),
        note="Not `og:updated_time` nor `last-modified`: those are cache times, not updates. "
        "Internal: read by `published`.",
    ),
    Field(
        "published",
        (
            Source("the declared update (`modified`) when it is not earlier than "
                   "`first_published`, else `first_published`",
                   lambda p: page_date(p.values["first_published"], p.values["modified"])),
        ),
        note="This is what readers see as the article's date; ISO 8601, the timezone kept "
        "when given.",
    ),
    Field(
        "image",
        (
            *(_meta_image(key) for key in _OG_IMAGE_KEYS),
            Source("JSON-LD `image`/`thumbnailUrl`", lambda p: p.ld.image(p.base)),
            Source("`<link rel=image_src>`", _image_link),
            Source("microdata `image`/`thumbnailUrl`",
                   lambda p: p.microdata.image(p.base) if p.rest else None),
            Source("the first `<img>` that is not an icon, a pixel or a video (in `<article>` "
                   "first)", lambda p: p.scan.image(p.base) if p.rest else None),
            Source("a `<video poster>`", lambda p: p.scan.video_poster(p.base) if p.rest else None),
        ),
        finish=lambda p, url: url if image_ok(url) else None,
        note="Absolute, never `data:` (a lazy image's real address is read instead), never a "
        "logo (by its file name, class or alt, or a link to the home page around it), a "
        "1x1 or placeholder image; every URL is given one spelling of its escapes "
        "(`urls.normalize_escapes`).",
    ),
    Field(
        "paywalled",
        (
            Source("JSON-LD `isAccessibleForFree` false (also in `hasPart`)",
                   lambda p: p.ld.paywalled() or None),
            Source("`article:content_tier` locked/metered/premium", _tier),
            Source("`cXenseParse:pageclass` paywall",
                   lambda p: (p.facts.meta.get("cxenseparse:pageclass") or "").lower()
                   == "paywall" or None),
        ),
        empty=False,
    ),
    Field(
        "oembed_url",
        (
            Source("`<link rel=alternate type=application/json+oembed>`",
                   lambda p: oembed_link(p.facts)),
        ),
        finish=lambda p, href: abs_url(href, p.base),
        note="Read by fetch, which asks the provider for the post.",
    ),
    Field(
        "refresh_url",
        (
            Source("`<meta http-equiv=refresh>` (not in `<noscript>`)",
                   lambda p: refresh_target(p.facts.meta.get("refresh"))),
            Source("the same in the first 64 KB of the body",
                   lambda p: refresh_target(body_refresh(p.rest))),
        ),
        finish=lambda p, target: abs_url(target, p.base),
        note="Only with an address and a delay under a minute; read by fetch, which follows it "
        "once.",
    ),
)  # fmt: skip


def _given(value: Any) -> bool:
    return value is not None and value != "" and value != []


def first_value(page: Page, field: Field) -> Any:
    """The value of the first of `field`'s sources that gives one, unfinished; else None."""
    for source in field.sources:
        value = source.read(page)
        if _given(value):
            return value
    return None


def resolve_field(page: Page, field: Field) -> Any:
    """The first source's value that its finisher keeps (a finisher may refuse one: a
    widget's label for an author, a logo for an image); a weak one only if nothing better
    comes after it. `field.empty` when none."""
    fallback = None
    for source in field.sources:
        value = source.read(page)
        if not _given(value):
            continue
        value = field.finish(page, value)
        if not _given(value):
            continue
        if field.weak is not None and field.weak(page, value):
            fallback = fallback if fallback is not None else value
            continue
        return value
    return fallback if fallback is not None else field.empty


def resolve(page: Page) -> dict[str, Any]:
    """Every field's value for `page`, in table order."""
    for field in FIELDS:
        page.values[field.name] = resolve_field(page, field)
    return page.values


BY_NAME = {field.name: field for field in FIELDS}


def precedence() -> str:
    """The docs' list of fields and their sources, rendered from `FIELDS`."""
    lines = []
    for field in FIELDS:
        text = f"{field.name}: " + ", ".join(s.label for s in field.sources) + "."
        if field.note:
            text += " " + field.note
        lines += textwrap.wrap(text, 92, initial_indent="- ", subsequent_indent="  ",
                               break_on_hyphens=False)  # fmt: skip
    return "\n".join(lines)
