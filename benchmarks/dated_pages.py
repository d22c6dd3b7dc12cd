"""A dated set of reconstructed pages: generated, deterministic, for the dates benchmark.

Usage (from the repository root):

    python benchmarks/dated_pages.py [--write DIR] [--count 480]

`build()` returns the pages (id, URL, language, kind, template, HTML, true publication date or
a checked null); `--write DIR` also writes them to DIR with an `expected.jsonl` in the shared
corpus's format. `benchmarks/extraction.py --dates` and tests/test_extract.py build them in
memory, so nothing generated is committed.

These are hand reconstructions of the markup real CMSs and sites write (WordPress, Drupal 7
and 9, TYPO3 tt_news / news, Joomla 1.5-4, phpBB 3.0-3.3, Ghost's Casper, a Medium-like
page, press-release pages, German/French/English news templates, Blogger and Hugo blogs,
magazines), written from the patterns issue 24 lists BEFORE revue's rules were touched: the
date as `03.08.2015`, `3.8.2015`, `3. August 2015`, English month forms, `03/08/2015` and
`2015/08/03` (the page's language deciding the order), ISO dates in attributes, inline
scripts and `<time>` in an article's header, besides the metadata many pages declare. The
traps are the ones real pages hold: a related box, comments, a "most read" sidebar placed
before the article, the header's "today" (phpBB's "Aktuelle Zeit"), a footer's copyright
and "last reviewed" line, an event date in the text, listing pages, a car listing's
`productionDate`, a GitHub repository's last commit. Texts, names and domains are invented
(every domain under `.example`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

SEED = 24
# The day the pages' headers show as "today" (later than every page's date).
TODAY = dt.date(2024, 11, 19)

MONTHS = {
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
           "septembre", "octobre", "novembre", "décembre"],
    "en": ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"],
}  # fmt: skip
ABBR = {
    "de": ["Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez"],
    "fr": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
           "nov.", "déc."],
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
}  # fmt: skip
WEEKDAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
}
WD_ABBR = {
    "de": ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"],
    "fr": ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
}

WORDS = {
    "de": [
        "Stadtrat",
        "Haushalt",
        "Radweg",
        "Schule",
        "Bahnhof",
        "Feuerwehr",
        "Bibliothek",
        "Sportverein",
        "Kita",
        "Wochenmarkt",
        "Museum",
        "Baustelle",
        "Klinik",
        "Hochwasser",
        "Solarpark",
        "Brücke",
        "Gemeinde",
        "Landkreis",
        "Verein",
        "Festival",
    ],
    "fr": [
        "conseil",
        "budget",
        "piste",
        "école",
        "gare",
        "pompiers",
        "bibliothèque",
        "club",
        "crèche",
        "marché",
        "musée",
        "chantier",
        "hôpital",
        "crue",
        "centrale",
        "pont",
        "commune",
        "département",
        "association",
        "festival",
    ],
    "en": [
        "council",
        "budget",
        "cycleway",
        "school",
        "station",
        "firefighters",
        "library",
        "club",
        "nursery",
        "market",
        "museum",
        "roadworks",
        "clinic",
        "flood",
        "solar",
        "bridge",
        "parish",
        "county",
        "charity",
        "festival",
    ],
}
TITLES = {
    "de": ["{a} und {b}: Was sich jetzt ändert", "Neuer Streit um {a} in der {b}-Frage",
           "{a}: Entscheidung über {b} vertagt", "Warum der {a} mehr Geld für {b} braucht",
           "So geht es mit {a} und {b} weiter"],
    "fr": ["{a} et {b} : ce qui change", "Nouvelle polémique autour de {a} et {b}",
           "{a} : la décision sur {b} reportée", "Pourquoi {a} réclame plus pour {b}",
           "{a}, {b} : la suite du dossier"],
    "en": ["{a} and {b}: what changes now", "New row over the {a} and the {b}",
           "{a} decision on {b} postponed", "Why the {a} needs more money for the {b}",
           "What comes next for the {a} and the {b}"],
}  # fmt: skip
SENTENCES = {
    "de": ["Die Verwaltung legte am Abend einen überarbeiteten Entwurf vor.",
           "Mehrere Anwohner meldeten sich in der Fragestunde zu Wort.",
           "Die Kosten sollen sich auf mehrere Haushaltsjahre verteilen.",
           "Ein Gutachten hatte zuvor auf erhebliche Mängel hingewiesen.",
           "Die Fraktionen zeigten sich in der Sache weitgehend einig.",
           "Über die Details will der Ausschuss im kommenden Monat beraten."],
    "fr": ["L'administration a présenté un projet révisé en fin de soirée.",
           "Plusieurs riverains ont pris la parole pendant la séance.",
           "Le coût sera étalé sur plusieurs exercices budgétaires.",
           "Une expertise avait auparavant relevé de sérieux défauts.",
           "Les groupes se sont montrés largement d'accord sur le fond.",
           "La commission doit examiner les détails le mois prochain."],
    "en": ["The council's officers presented a revised draft late in the evening.",
           "Several residents spoke during the public questions session.",
           "The cost is to be spread over several budget years.",
           "An earlier survey had pointed to serious defects.",
           "The groups were broadly in agreement on the substance.",
           "The committee will look at the details next month."],
}  # fmt: skip
NAMES = {
    "de": ["Anna Müller", "Jonas Becker", "Lea Schröder", "Tobias Wagner", "Miriam Koch"],
    "fr": ["Camille Roux", "Julien Morel", "Léa Fontaine", "Hugo Lambert", "Inès Garnier"],
    "en": ["Hannah Whitcomb", "Oliver Grant", "Priya Shah", "Daniel Moore", "Ruth Ellison"],
}
SITES = {
    "de": ["Kreisbote", "Nordstadt Rundschau", "Talblick Online", "Rheinufer Zeitung"],
    "fr": ["Le Courrier du Val", "La Gazette des Rives", "Ouest Plateau", "L'Écho du Canal"],
    "en": ["The Valley Courier", "Riverside Gazette", "Northfield Post", "The Harbour Times"],
}
# Phrases that, on real pages, stand before the date in the article's header.
LEADS = {
    "de": ["", "", "Stand: ", "Erstellt: ", "Veröffentlicht am ", "Datum: "],
    "fr": ["", "", "Publié le ", "Mis en ligne le ", "le ", "Date : "],
    "en": ["", "", "Published ", "Posted on ", "Updated ", "Date: "],
}


@dataclass
class Ctx:
    rng: random.Random
    lang: str  # "de", "fr", "en-US", "en-GB"
    date: dt.date
    time: tuple[int, int]
    title: str
    author: str
    site: str
    domain: str
    slug: str
    paragraphs: list[str]
    traps: list[str] = field(default_factory=list)

    @property
    def base(self) -> str:
        return self.lang[:2]

    @property
    def iso(self) -> str:
        h, m = self.time
        offset = (
            "+01:00"
            if self.base in ("de", "fr")
            else ("+00:00" if self.lang == "en-GB" else "-05:00")
        )
        return f"{self.date.isoformat()}T{h:02d}:{m:02d}:00{offset}"


def month_first(lang: str) -> bool:
    return lang == "en-US"


def show(day: dt.date, lang: str, style: str, time: tuple[int, int] = (9, 30)) -> str:
    """How a page in `lang` writes `day` in `style`."""
    base = lang[:2]
    d, m, y = day.day, day.month, day.year
    month, abbr, wd = MONTHS[base][m - 1], ABBR[base][m - 1], WEEKDAYS[base][day.weekday()]
    h, mi = time
    if style == "dots":
        return f"{d:02d}.{m:02d}.{y}"
    if style == "dots-short":
        return f"{d}.{m}.{y}"
    if style == "dots-time":
        return {"de": f"{d:02d}.{m:02d}.{y}, {h:02d}:{mi:02d} Uhr",
                "fr": f"{d:02d}.{m:02d}.{y} à {h:02d}h{mi:02d}"}.get(base, f"{d:02d}.{m:02d}.{y} {h:02d}:{mi:02d}")  # fmt: skip
    if style == "slash":
        return f"{m:02d}/{d:02d}/{y}" if month_first(lang) else f"{d:02d}/{m:02d}/{y}"
    if style == "slash-time":
        pair = f"{m:02d}/{d:02d}/{y}" if month_first(lang) else f"{d:02d}/{m:02d}/{y}"
        return pair + (f" à {h:02d}h{mi:02d}" if base == "fr" else f" - {h:02d}:{mi:02d}")
    if style == "ymd-slash":
        return f"{y}/{m:02d}/{d:02d}"
    if style == "iso":
        return day.isoformat()
    if style == "words":
        if base == "de":
            return f"{d}. {month} {y}"
        if base == "fr":
            return f"{'1er' if d == 1 else d} {month} {y}"
        return f"{month} {d}, {y}" if month_first(lang) else f"{d} {month} {y}"
    if style == "weekday-words":
        if base == "de":
            return f"{wd}, {d}. {month} {y}"
        if base == "fr":
            return f"{wd} {d} {month} {y}"
        return f"{wd}, {month} {d}, {y}" if month_first(lang) else f"{wd} {d} {month} {y}"
    if style == "abbr":
        if base == "de":
            return f"{d}. {abbr} {y}"
        if base == "fr":
            return f"{d} {abbr} {y}"
        return f"{abbr} {d}, {y}" if month_first(lang) else f"{d} {abbr} {y}"
    raise ValueError(style)


NUMERIC = ("dots", "dots", "dots-short", "dots-time", "slash", "slash-time", "ymd-slash")
WORDY = ("words", "words", "weekday-words", "abbr")


def text_style(ctx: Ctx) -> str:
    """A way of writing the date as pages in the context's language do."""
    r = ctx.rng
    if ctx.base == "de":
        return r.choice(("dots", "dots", "dots", "dots-short", "dots-time", "words", "words",
                         "weekday-words", "abbr", "ymd-slash"))  # fmt: skip
    if ctx.base == "fr":
        return r.choice(("slash", "slash", "slash-time", "words", "words", "weekday-words",
                         "abbr", "dots", "ymd-slash"))  # fmt: skip
    return r.choice(("words", "words", "abbr", "weekday-words", "slash", "slash", "ymd-slash",
                     "iso"))  # fmt: skip


def esc(text: str) -> str:
    return html.escape(text, quote=True)


# --------------------------------------------------------------------------- shared parts


def head(ctx: Ctx, metas: bool, jsonld: bool = False, extra: str = "") -> str:
    url = f"https://{ctx.domain}/{ctx.slug}"
    parts = [f'<meta charset="utf-8"><title>{esc(ctx.title)} | {esc(ctx.site)}</title>',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             f'<link rel="canonical" href="{url}">',
             f'<meta property="og:title" content="{esc(ctx.title)}">',
             f'<meta property="og:site_name" content="{esc(ctx.site)}">']  # fmt: skip
    if metas:
        parts.append(f'<meta property="article:published_time" content="{ctx.iso}">')
    if jsonld:
        data = {"@context": "https://schema.org", "@type": "NewsArticle",
                "headline": ctx.title, "datePublished": ctx.iso,
                "author": {"@type": "Person", "name": ctx.author}}  # fmt: skip
        parts.append(f'<script type="application/ld+json">{json.dumps(data)}</script>')
    parts.append('<link rel="stylesheet" href="/assets/site.css?v=4.2.1">')
    parts.append(extra)
    return "\n".join(parts)


def page(ctx: Ctx, head_html: str, body: str, body_class: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="{ctx.lang}">\n<head>\n{head_html}\n</head>\n'
            f'<body class="{body_class}">\n{body}\n</body>\n</html>\n')  # fmt: skip


def other_day(ctx: Ctx, lo: int, hi: int) -> dt.date:
    day = ctx.date + dt.timedelta(days=ctx.rng.randint(lo, hi))
    return min(day, TODAY - dt.timedelta(days=1))


def today_bar(ctx: Ctx) -> str:
    ctx.traps.append("today")
    text = show(TODAY, ctx.lang, ctx.rng.choice(("weekday-words", "words", "dots")))
    return ctx.rng.choice((
        f'<header id="masthead" class="site-header"><div class="top-bar"><span>{text}</span>'
        f'</div><a class="logo" href="/">{esc(ctx.site)}</a></header>',
        f'<div class="header-top"><span class="current-date">{text}</span> '
        f'<a href="/abo">Abo</a></div>',
        f'<header class="page-header"><p class="today">{text}</p><a href="/">'
        f"{esc(ctx.site)}</a></header>",
    ))  # fmt: skip


def site_header(ctx: Ctx) -> str:
    if ctx.rng.random() < 0.35:
        return today_bar(ctx)
    return (f'<header id="masthead" class="site-header"><a href="/" class="logo">'
            f'{esc(ctx.site)}</a><nav class="main-nav"><a href="/politik">Politik</a>'
            f'<a href="/kultur">Kultur</a></nav></header>')  # fmt: skip


def related(ctx: Ctx) -> str:
    ctx.traps.append("related")
    label = {"de": "Mehr zum Thema", "fr": "À lire aussi", "en": "Related stories"}[ctx.base]
    items = []
    for _ in range(3):
        day = other_day(ctx, -400, 300)
        style = text_style(ctx)
        items.append(ctx.rng.choice((
            f'<li><a href="/a/{ctx.rng.randint(1000, 9999)}">{esc(title(ctx))}</a> '
            f'<span class="date">{show(day, ctx.lang, style)}</span></li>',
            f'<li><time datetime="{day.isoformat()}">{show(day, ctx.lang, style)}</time> '
            f'<a href="/a/{ctx.rng.randint(1000, 9999)}">{esc(title(ctx))}</a></li>',
        )))  # fmt: skip
    cls = ctx.rng.choice(("related-posts", "related", "similar-articles", "more-stories"))
    return f'<section class="{cls}"><h2>{label}</h2><ul>{"".join(items)}</ul></section>'


def comments(ctx: Ctx) -> str:
    ctx.traps.append("comments")
    label = {"de": "Kommentare", "fr": "Commentaires", "en": "Comments"}[ctx.base]
    out = []
    for i in range(ctx.rng.randint(1, 3)):
        day = other_day(ctx, 1, 40)
        out.append(
            f'<li class="comment" id="comment-{i}"><div class="comment-meta"><b>'
            f"{esc(ctx.rng.choice(NAMES[ctx.base]).split()[0])}</b> "
            f'<time datetime="{day.isoformat()}T18:02:00">{show(day, ctx.lang, text_style(ctx))}'
            f"</time></div><p>{esc(ctx.rng.choice(SENTENCES[ctx.base]))}</p></li>"
        )
    return (f'<div id="comments" class="comments-area"><h2>{label}</h2>'
            f'<ol class="comment-list">{"".join(out)}</ol></div>')  # fmt: skip


def most_read(ctx: Ctx) -> str:
    ctx.traps.append("most-read")
    label = {"de": "Meistgelesen", "fr": "Les plus lus", "en": "Most read"}[ctx.base]
    items = "".join(
        f'<li><a href="/m/{i}">{esc(title(ctx))}</a> <small>'
        f"{show(other_day(ctx, -20, 200), ctx.lang, text_style(ctx))}</small></li>"
        for i in range(3)
    )
    return f'<aside class="sidebar most-read"><h3>{label}</h3><ol>{items}</ol></aside>'


def footer(ctx: Ctx) -> str:
    ctx.traps.append("footer")
    reviewed = {"de": "Zuletzt geprüft", "fr": "Dernière vérification", "en": "Last reviewed"}
    line = ""
    if ctx.rng.random() < 0.3:
        line = (
            f"<p>{reviewed[ctx.base]}: {show(TODAY - dt.timedelta(days=30), ctx.lang, 'dots')}</p>"
        )
    return (f'<footer id="colophon" class="site-footer"><p>© {TODAY.year} {esc(ctx.site)}. '
            f"</p>{line}</footer>")  # fmt: skip


def event_line(ctx: Ctx) -> str:
    """A sentence naming another day (an event's): never the page's date."""
    ctx.traps.append("event")
    day = ctx.date + dt.timedelta(days=ctx.rng.randint(10, 60))
    text = show(day, ctx.lang, ctx.rng.choice(("words", "dots", "weekday-words")))
    return {"de": f"<p>Die nächste Sitzung ist für den {text} angesetzt.</p>",
            "fr": f"<p>La prochaine séance est prévue le {text}.</p>",
            "en": f"<p>The next meeting is scheduled for {text}.</p>"}[ctx.base]  # fmt: skip


def body_text(ctx: Ctx) -> str:
    paras = [f"<p>{esc(p)}</p>" for p in ctx.paragraphs]
    if ctx.rng.random() < 0.3:
        paras.insert(ctx.rng.randint(1, len(paras)), event_line(ctx))
    return "\n".join(paras)


def title(ctx: Ctx) -> str:
    a, b = ctx.rng.sample(WORDS[ctx.base], 2)
    text = ctx.rng.choice(TITLES[ctx.base]).format(a=a.capitalize(), b=b)
    return text[0].upper() + text[1:]


def traps_after(ctx: Ctx, p_related: float = 0.5, p_comments: float = 0.4) -> str:
    out = []
    if ctx.rng.random() < p_related:
        out.append(related(ctx))
    if ctx.rng.random() < p_comments:
        out.append(comments(ctx))
    return "\n".join(out)


def dated(ctx: Ctx, style: str | None = None) -> str:
    return show(ctx.date, ctx.lang, style or text_style(ctx), ctx.time)


def time_tag(ctx: Ctx, cls: str = "", text: str | None = None) -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<time{klass} datetime="{ctx.iso}">{esc(text or dated(ctx))}</time>'


def by(ctx: Ctx) -> str:
    return {"de": "Von", "fr": "Par", "en": "By"}[ctx.base]


# --------------------------------------------------------------------------- templates


def wordpress(ctx: Ctx) -> str:
    r = ctx.rng
    metas = r.random() < 0.35
    variant = r.randrange(4)
    if variant == 0:
        meta = (f'<span class="posted-on">{LEADS[ctx.base][3] if ctx.base != "de" else ""}'
                f'<a href="/{ctx.slug}" rel="bookmark">{time_tag(ctx, "entry-date published")}'
                f'</a></span>')  # fmt: skip
    elif variant == 1:
        meta = f'<span class="meta-date">{dated(ctx)}</span>'
    elif variant == 2:
        meta = (f'<span class="byline">{by(ctx)} <span class="author vcard"><a class="url fn n" '
                f'href="/author/{ctx.author.split()[0].lower()}/">{esc(ctx.author)}</a></span>'
                f"</span> · <span>{dated(ctx)}</span>")  # fmt: skip
    else:
        meta = f'<p class="post-meta">{dated(ctx)} | {esc(ctx.author)}</p>'
    sidebar = ""
    if r.random() < 0.4:
        recent = "".join(
            f'<li><a href="/p/{i}">{esc(title(ctx))}</a> <span class="post-date">'
            f"{show(other_day(ctx, 1, 200), ctx.lang, text_style(ctx))}</span></li>"
            for i in range(3)
        )
        sidebar = (f'<aside id="secondary" class="widget-area"><section class="widget '
                   f'widget_recent_entries"><ul>{recent}</ul></section></aside>')  # fmt: skip
        ctx.traps.append("sidebar")
    body = (f'{site_header(ctx)}<div id="content" class="site-content"><main id="main" '
            f'class="site-main"><article id="post-{r.randint(10, 9999)}" class="post type-post '
            f'status-publish hentry"><header class="entry-header"><h1 class="entry-title">'
            f'{esc(ctx.title)}</h1><div class="entry-meta">{meta}</div></header>'
            f'<div class="entry-content">{body_text(ctx)}</div></article>'
            f"{traps_after(ctx)}</main>{sidebar}</div>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, metas), body, "post-template-default single single-post")


def drupal(ctx: Ctx) -> str:
    r = ctx.rng
    metas = r.random() < 0.3
    if r.random() < 0.5:  # Drupal 7: "Submitted by X on D, m/d/Y - H:i"
        h, mi = ctx.time
        wd = WD_ABBR[ctx.base][ctx.date.weekday()]
        day = show(ctx.date, ctx.lang, "slash" if ctx.base != "de" else "dots")
        words = {"de": ("Eingereicht von", "am"), "fr": ("Soumis par", "le"),
                 "en": ("Submitted by", "on")}[ctx.base]  # fmt: skip
        meta = (f'<div class="submitted">{words[0]} <span class="username">{esc(ctx.author)}'
                f"</span> {words[1]} {wd}, {day} - {h:02d}:{mi:02d}</div>")  # fmt: skip
        wrapper = f'<div id="node-{r.randint(10, 999)}" class="node node-article clearfix">'
        body = (f'{site_header(ctx)}<div id="main"><h1 class="title" id="page-title">'
                f"{esc(ctx.title)}</h1>{wrapper}{meta}<div class=\"content\"><div "
                f'class="field field-name-body">{body_text(ctx)}</div></div></div>'
                f"{traps_after(ctx)}</div>{footer(ctx)}")  # fmt: skip
    else:  # Drupal 9/10, Olivero
        created = time_tag(ctx) if r.random() < 0.5 else dated(ctx)
        meta = (f'<div class="node__meta"><span class="field field--name-uid">'
                f'{esc(ctx.author)}</span> <span class="field field--name-created">{created}'
                f"</span></div>")  # fmt: skip
        body = (f'{site_header(ctx)}<main role="main"><article class="node node--type-article '
                f'node--view-mode-full"><header><h1 class="page-title"><span>{esc(ctx.title)}'
                f"</span></h1>{meta}</header><div class=\"node__content\"><div class=\"text-"
                f'content field--name-body">{body_text(ctx)}</div></div></article>'
                f"{traps_after(ctx)}</main>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, metas), body, "path-node page-node-type-article")


def typo3(ctx: Ctx) -> str:
    r = ctx.rng
    variant = r.randrange(3)
    if variant == 0:  # tt_news
        h, mi = ctx.time
        meta = (f'<div class="news-single-rightbox">{show(ctx.date, ctx.lang, "dots")} '
                f"{h:02d}:{mi:02d}</div>")  # fmt: skip
    elif variant == 1:  # news (georgringer), no itemprop
        meta = (
            f'<div class="extra"><span class="news-list-date">'
            f"{time_tag(ctx, text=show(ctx.date, ctx.lang, 'dots'))}</span></div>"
        )
    else:  # a site template writing the date in a plain paragraph under the title
        meta = f'<p class="info">{dated(ctx)}</p>'
    box = ""
    if r.random() < 0.5:
        items = "".join(
            f'<div class="news-list-item"><span class="news-list-date">'
            f"{show(other_day(ctx, -100, 100), ctx.lang, 'dots')}</span> "
            f'<a href="/n/{i}">{esc(title(ctx))}</a></div>'
            for i in range(3)
        )
        box = f'<div class="news-related-wrap news-related"><h4>Weitere Meldungen</h4>{items}</div>'
        ctx.traps.append("related")
    body = (f'{site_header(ctx)}<div id="content"><div class="news news-single"><div '
            f'class="article" itemscope="itemscope" itemtype="http://schema.org/Article">'
            f'<div class="header"><h3 itemprop="headline">{esc(ctx.title)}</h3></div>{meta}'
            f'<div class="news-text-wrap" itemprop="articleBody">{body_text(ctx)}</div>{box}'
            f"</div></div></div>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, r.random() < 0.2), body)


def joomla(ctx: Ctx) -> str:
    r = ctx.rng
    variant = r.randrange(3)
    words = {"de": ("Geschrieben von", "Veröffentlicht: ", "Erstellt am "),
             "fr": ("Écrit par", "Publication : ", "Création : "),
             "en": ("Written by", "Published: ", "Created: ")}[ctx.base]  # fmt: skip
    if variant == 0:  # Joomla 3/4
        meta = (f'<dl class="article-info muted"><dt class="article-info-term">Details</dt>'
                f'<dd class="createdby">{words[0]} <span>{esc(ctx.author)}</span></dd>'
                f'<dd class="published"><span class="icon-calendar"></span> '
                f'{time_tag(ctx, text=words[1] + dated(ctx, "words"))}</dd>'
                f'<dd class="hits">Zugriffe: {r.randint(10, 9000)}</dd></dl>')  # fmt: skip
    elif variant == 1:  # Joomla 1.5 / 2.5
        h, mi = ctx.time
        meta = (
            f'<dd class="create">{words[2]}{dated(ctx, "weekday-words")} {h:02d}:{mi:02d}'
            f'</dd><dd class="createdby">{words[0]} {esc(ctx.author)}</dd>'
        )
    else:
        meta = (f'<table class="contentpaneopen"><tr><td class="createdate">'
                f"{dated(ctx, 'weekday-words')}</td></tr></table>")  # fmt: skip
    body = (f'{site_header(ctx)}<div id="system-message-container"></div><div class="item-page"'
            f' itemscope itemtype="https://schema.org/Article"><div class="page-header"><h2 '
            f'itemprop="headline">{esc(ctx.title)}</h2></div>{meta}<div itemprop="articleBody">'
            f"{body_text(ctx)}</div>{traps_after(ctx, 0.4, 0.2)}</div>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, False), body, "site com_content view-article")


def phpbb(ctx: Ctx) -> str:
    r = ctx.rng
    ctx.traps.append("later posts")
    modern = r.random() < 0.5
    now_label = {"de": "Aktuelle Zeit", "fr": "Nous sommes le", "en": "It is currently"}
    by_word = {"de": "von", "fr": "par", "en": "by"}[ctx.base]

    def stamp(day: dt.date, hm: tuple[int, int]) -> str:
        wd = WD_ABBR[ctx.base][day.weekday()]
        ab = ABBR[ctx.base][day.month - 1]
        if ctx.base == "en":
            return f"{wd} {ab} {day.day:02d}, {day.year} {hm[0] % 12 or 12}:{hm[1]:02d} {'am' if hm[0] < 12 else 'pm'}"
        if ctx.base == "de":
            return f"{wd} {day.day}. {ab} {day.year}, {hm[0]:02d}:{hm[1]:02d}"
        return f"{wd} {day.day} {ab} {day.year} {hm[0]:02d}:{hm[1]:02d}"

    posts = []
    days = [ctx.date, *sorted(other_day(ctx, 0, 30) for _ in range(r.randint(1, 4)))]
    for i, day in enumerate(days):
        hm = ctx.time if i == 0 else (r.randint(0, 23), r.randint(0, 59))
        text = stamp(day, hm)
        when = (f'<time datetime="{day.isoformat()}T{hm[0]:02d}:{hm[1]:02d}:00+00:00">{text}'
                f"</time>" if modern else text)  # fmt: skip
        user = r.choice(NAMES[ctx.base]).split()[0].lower() + str(r.randint(1, 99))
        head_title = ("" if i == 0 else "Re: ") + esc(ctx.title)
        first = ' class="first"' if i == 0 else ""
        posts.append(
            f'<div id="p{1000 + i}" class="post has-profile bg{2 - i % 2}"><div class="inner">'
            f'<div class="postbody"><h3{first}><a href="#p{1000 + i}">'
            f'{head_title}</a></h3><p class="author"><a href="./viewtopic.php?p={1000 + i}#p{1000 + i}">'
            f'<span class="imageset icon_post_target"></span></a>{by_word} <strong><a '
            f'href="./memberlist.php?mode=viewprofile&amp;u={i + 2}" class="username">{user}</a>'
            f'</strong> » {when}</p><div class="content">{esc(r.choice(SENTENCES[ctx.base]))} '
            f"{esc(r.choice(SENTENCES[ctx.base]))}</div></div></div></div>"
        )
    clock = (
        f"{now_label[ctx.base]}: {stamp(TODAY, (10, 4))}"
        if ctx.base != "fr"
        else f"{now_label['fr']} {stamp(TODAY, (10, 4))}"
    )
    ctx.traps.append("today")
    body = (f'<div id="wrap" class="wrap"><div id="page-header"><div class="headerbar">'
            f'<a href="./index.php" id="logo">{esc(ctx.site)}</a></div><div class="navbar">'
            f'<ul class="linklist"><li class="rightside"><p class="right responsive-center time">'
            f'{clock}</p></li></ul></div></div><div id="page-body" class="page-body">'
            f'<h2 class="topic-title"><a href="./viewtopic.php?t={r.randint(100, 9999)}">'
            f'{esc(ctx.title)}</a></h2>{"".join(posts)}</div><div id="page-footer" '
            f'class="page-footer"><div class="copyright">Powered by phpBB® Forum Software © '
            f"phpBB Limited</div></div></div>")  # fmt: skip
    return page(ctx, head(ctx, False), body, "section-viewtopic ltr")


def ghost(ctx: Ctx) -> str:
    r = ctx.rng
    metas = r.random() < 0.6
    if r.random() < 0.5:  # Casper 3
        meta = (
            f'<section class="post-full-meta">{time_tag(ctx, "post-full-meta-date", dated(ctx, "words"))}'
            f'<span class="date-divider">/</span> <a href="/tag/news/">News</a></section>'
        )
        body_html = (
            f'<article class="post-full post"><header class="post-full-header">{meta}'
            f'<h1 class="post-full-title">{esc(ctx.title)}</h1></header>'
        )
    else:  # Casper 4/5
        meta = (f'<div class="article-byline-meta"><h4 class="author-name"><a href="/author/x/">'
                f'{esc(ctx.author)}</a></h4><div class="byline-meta-content">'
                f'{time_tag(ctx, "byline-meta-date", dated(ctx, "abbr"))}<span class="byline-reading-time">'
                f"<span class=\"bull\">•</span> 4 min read</span></div></div>")  # fmt: skip
        body_html = (f'<article class="article post"><header class="article-header gh-canvas">'
                     f'<h1 class="article-title">{esc(ctx.title)}</h1><div class="article-byline">'
                     f"{meta}</div></header>")  # fmt: skip
    body = (f'{site_header(ctx)}<main id="site-main" class="site-main">{body_html}<section '
            f'class="gh-content gh-canvas">{body_text(ctx)}</section></article>'
            f'{traps_after(ctx, 0.6, 0.2)}</main>{footer(ctx)}')  # fmt: skip
    return page(ctx, head(ctx, metas), body, "post-template")


def medium(ctx: Ctx) -> str:
    r = ctx.rng
    jsonld = r.random() < 0.5
    day = dated(ctx, "abbr" if ctx.base == "en" else "words")
    body = (f'<div id="root"><div class="a b c"><nav class="n o"><a href="/">{esc(ctx.site)}</a>'
            f'</nav><article><div class="l"><div class="ab"><h1 id="a1b2" class="pw-post-title">'
            f'{esc(ctx.title)}</h1><div class="ac"><div class="ae"><a href="/@writer" '
            f'class="pw-author">{esc(ctx.author)}</a></div><div class="af"><span '
            f'data-testid="storyReadTime">6 min read</span><span class="ag">·</span><span '
            f'data-testid="storyPublishDate">{day}</span></div></div></div>'
            f'<section class="pw-post-body">{body_text(ctx)}</section></div></article>'
            f'{traps_after(ctx, 0.6, 0.3)}</div></div>')  # fmt: skip
    return page(ctx, head(ctx, False, jsonld), body)


def press(ctx: Ctx) -> str:
    r = ctx.rng
    city = {"de": r.choice(("BERLIN", "München", "Köln")),
            "fr": r.choice(("PARIS", "Lyon", "Nantes")),
            "en": r.choice(("NEW YORK", "LONDON", "Chicago"))}[ctx.base]  # fmt: skip
    if ctx.base == "en" and month_first(ctx.lang):
        d = ctx.date
        line = f"{city}, {ABBR['en'][d.month - 1]}. {d.day}, {d.year} /PRNewswire/ --"
    elif ctx.base == "fr":
        line = f"{city}, le {dated(ctx, 'words')} –"
    else:
        line = f"{city}, {dated(ctx, r.choice(('words', 'dots')))} –"
    variant = r.randrange(3)
    if variant == 0:  # dateline only
        top, lede = "", f"<p><strong>{line}</strong> {esc(ctx.paragraphs[0])}</p>"
    elif variant == 1:  # a date line above the title
        top = f'<p class="press-date">{dated(ctx, "dots" if ctx.base != "en" else "words")}</p>'
        lede = f"<p>{esc(ctx.paragraphs[0])}</p>"
    else:  # "Pressemitteilung vom 03.08.2015"
        label = {"de": "Pressemitteilung vom", "fr": "Communiqué du", "en": "Press release,"}[
            ctx.base
        ]
        top = f'<div class="pm-meta"><span>{label} {dated(ctx, "dots" if ctx.base == "de" else "slash")}</span></div>'
        lede = f"<p>{esc(ctx.paragraphs[0])}</p>"
    others = "".join(
        f"<li><span>{show(other_day(ctx, -200, 200), ctx.lang, 'dots' if ctx.base == 'de' else 'words')}"
        f'</span> <a href="/presse/{i}">{esc(title(ctx))}</a></li>'
        for i in range(4)
    )
    ctx.traps.append("related")
    label = {"de": "Weitere Pressemitteilungen", "fr": "Autres communiqués",
             "en": "More press releases"}[ctx.base]  # fmt: skip
    rest = "".join(f"<p>{esc(p)}</p>" for p in ctx.paragraphs[1:])
    body = (
        f'{site_header(ctx)}<div class="container"><div class="col-main press-release">'
        f'{top}<h1>{esc(ctx.title)}</h1>{lede}{rest}<div class="contact"><h3>Kontakt</h3>'
        f'<p>{esc(ctx.author)}</p></div></div><div class="col-side"><div class="box '
        f'related-releases"><h3>{label}</h3><ul>{others}</ul></div></div></div>{footer(ctx)}'
    )
    return page(ctx, head(ctx, False), body)


def news(ctx: Ctx) -> str:
    r = ctx.rng
    metas = r.random() < 0.45
    jsonld = r.random() < 0.3
    lead = r.choice(LEADS[ctx.base])
    if ctx.base == "en" and lead == "Updated ":
        lead = ""
    variant = r.randrange(6)
    extra_head = ""
    article_attrs = ""
    if variant == 0:
        meta = f'<p class="article-meta">{by(ctx)} {esc(ctx.author)} · {lead}{dated(ctx)}</p>'
    elif variant == 1:
        meta = f'<div class="meta"><span class="author">{esc(ctx.author)}</span> <span>{lead}{dated(ctx)}</span></div>'
    elif variant == 2:  # <time> in the article's header, no <article> element
        meta = f'<div class="byline-wrap">{by(ctx)} {esc(ctx.author)} {time_tag(ctx)}</div>'
    elif variant == 3:  # ISO in an inline script only (the visible date is drawn by JS)
        extra_head = (
            f"<script>window.dataLayer = window.dataLayer || []; dataLayer.push({{"
            f'"pageType": "article", "articleId": "{r.randint(10000, 99999)}", '
            f'"publishDate": "{ctx.iso}", "section": "lokales"}});</script>'
        )
        meta = f'<div class="meta"><span class="author">{esc(ctx.author)}</span> <span class="js-date"></span></div>'
    elif variant == 4:  # ISO in an attribute
        article_attrs = f' data-article-id="{r.randint(10000, 99999)}" data-published="{ctx.iso}"'
        meta = f'<div class="meta"><span>{esc(ctx.author)}</span></div>'
    else:
        meta = f'<div class="article-info"><span class="info-time">{lead}{dated(ctx)}</span></div>'
    before = most_read(ctx) if r.random() < 0.3 else ""
    body = (f'{site_header(ctx)}<div class="page">{before}<div class="article-container"'
            f'{article_attrs}><div class="article-header"><span class="kicker">'
            f'{esc(r.choice(WORDS[ctx.base]).capitalize())}</span><h1 class="headline">'
            f'{esc(ctx.title)}</h1>{meta}</div><div class="article-body">{body_text(ctx)}</div>'
            f"{traps_after(ctx, 0.6, 0.3)}</div></div>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, metas, jsonld, extra_head), body, "article-page")


def magazine(ctx: Ctx) -> str:
    r = ctx.rng
    metas = r.random() < 0.4
    variant = r.randrange(3)
    if variant == 0:
        sig = {"de": f"{esc(ctx.author)}, {dated(ctx, 'words')}",
               "fr": f"{esc(ctx.author)}, le {dated(ctx, 'words')}",
               "en": f"{esc(ctx.author)}, {dated(ctx, 'words')}"}[ctx.base]  # fmt: skip
        meta = f'<div class="signature">{sig}</div>'
    elif variant == 1:
        lead = LEADS[ctx.base][2]
        meta = (
            f'<div class="article__infos"><span class="article__author">{by(ctx)} '
            f'{esc(ctx.author)}</span><span class="article__pub">{lead}{dated(ctx)}</span></div>'
        )
    else:
        meta = (f'<header class="entry-header"><div class="issue">Heft {r.randint(1, 12)}/'
                f"{ctx.date.year}</div>{time_tag(ctx)}</header>")  # fmt: skip
    body = (
        f'{site_header(ctx)}<main class="main"><div class="article-wrapper"><h1 '
        f'class="article__title">{esc(ctx.title)}</h1><p class="chapo">'
        f'{esc(ctx.paragraphs[0])}</p>{meta}<div class="article__content">'
        f"{body_text(ctx)}</div></div>{traps_after(ctx, 0.5, 0.2)}</main>{footer(ctx)}"
    )
    return page(ctx, head(ctx, metas), body)


def blog(ctx: Ctx) -> str:
    r = ctx.rng
    variant = r.randrange(3)
    if variant == 0:  # Blogger
        body_html = (
            f'<div class="date-outer"><h2 class="date-header"><span>'
            f'{dated(ctx, "weekday-words")}</span></h2><div class="date-posts"><div '
            f'class="post hentry"><h3 class="post-title entry-title">{esc(ctx.title)}</h3>'
            f'<div class="post-body entry-content">{body_text(ctx)}</div></div></div></div>'
        )
    elif variant == 1:  # Hugo
        body_html = (f'<article class="post"><header class="post-header"><h1 class="post-title">'
                     f'{esc(ctx.title)}</h1><div class="post-meta"><span>{dated(ctx)}</span>'
                     f" · {r.randint(2, 9)} min</div></header><div class=\"post-content\">"
                     f"{body_text(ctx)}</div></article>")  # fmt: skip
    else:  # hand-made
        body_html = (f'<div class="content"><h1>{esc(ctx.title)}</h1><p><small>{dated(ctx)}'
                     f"</small></p>{body_text(ctx)}</div>")  # fmt: skip
    body = (f'{site_header(ctx)}<div class="wrapper">{body_html}{traps_after(ctx, 0.3, 0.5)}'
            f"</div>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, r.random() < 0.2), body)


# --------------------------------------------------------------------------- null pages


def listing(ctx: Ctx) -> str:
    r = ctx.rng
    cls = r.choice(("teaser", "card", "post-item", "news-item"))
    items = "".join(
        f'<div class="{cls}"><h2><a href="/a/{i}">{esc(title(ctx))}</a></h2>'
        f'<time datetime="{other_day(ctx, -30, 0).isoformat()}">'
        f"{show(other_day(ctx, -30, 0), ctx.lang, text_style(ctx))}</time><p>"
        f"{esc(r.choice(SENTENCES[ctx.base]))}</p></div>"
        for i in range(6)
    )
    section = r.choice(WORDS[ctx.base]).capitalize()
    body = (f'{site_header(ctx)}<main class="section-front"><h1>{esc(section)}</h1>{items}'
            f"</main>{footer(ctx)}")  # fmt: skip
    return page(ctx, head(ctx, False).replace(esc(ctx.title), esc(section)), body, "archive")


def car(ctx: Ctx) -> str:
    data = {"@context": "https://schema.org", "@type": "Car", "name": "Kombi 1.6 TDI",
            "productionDate": ctx.date.isoformat(), "vehicleIdentificationNumber": "WVWZZZ",
            "offers": {"@type": "Offer", "price": "8900", "priceCurrency": "EUR"}}  # fmt: skip
    label = {"de": "Erstzulassung", "fr": "Mise en circulation", "en": "First registered"}[ctx.base]
    body = (f"{site_header(ctx)}<main><h1>Kombi 1.6 TDI</h1><ul class=\"specs\"><li>{label}: "
            f"{ctx.date.month:02d}/{ctx.date.year}</li><li>120.000 km</li></ul></main>"
            f"{footer(ctx)}")  # fmt: skip
    ld = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return page(ctx, head(ctx, False, extra=ld), body)


def github(ctx: Ctx) -> str:
    commit = other_day(ctx, 0, 100)
    body = (f'<header class="AppHeader"><a href="/">GitHub</a></header><main><div '
            f'class="repository-content"><h1><a href="/{ctx.author.split()[0].lower()}">'
            f'{ctx.author.split()[0].lower()}</a> / <strong><a href="/x/{ctx.slug}">{ctx.slug}'
            f'</a></strong></h1><div class="Box"><div class="Box-header"><a class="commit-author" '
            f'href="/x">{ctx.author.split()[0].lower()}</a> Fix build <relative-time '
            f'datetime="{commit.isoformat()}T10:00:00Z" class="no-wrap">{show(commit, "en-US", "abbr")}'
            f'</relative-time></div></div><article class="markdown-body entry-content"><h1>'
            f"{ctx.slug}</h1><p>{esc(ctx.paragraphs[0])}</p></article></div></main>")  # fmt: skip
    head_html = (
        f'<meta charset="utf-8"><title>GitHub - x/{ctx.slug}</title>'
        f'<meta property="og:site_name" content="GitHub">'
    )
    return page(ctx, head_html, body)


Template = Callable[[Ctx], str]
# name: (render, kind, weight, languages)
TEMPLATES: dict[str, tuple[Template, str, int]] = {
    "wordpress": (wordpress, "blog", 8),
    "drupal": (drupal, "news", 5),
    "typo3": (typo3, "press", 5),
    "joomla": (joomla, "blog", 5),
    "phpbb": (phpbb, "forum", 4),
    "ghost": (ghost, "blog", 4),
    "medium": (medium, "blog", 3),
    "press": (press, "press", 5),
    "news": (news, "news", 12),
    "magazine": (magazine, "magazine", 5),
    "blog": (blog, "blog", 4),
    "listing": (listing, "listing", 2),
    "car": (car, "listing", 1),
    "github": (github, "repository", 1),
}
NULL_KINDS = ("listing", "car", "github")


def build(count: int = 480, seed: int = SEED) -> list[dict[str, object]]:
    """The set: `count` pages, the same every time for the same seed."""
    rng = random.Random(seed)
    names = list(TEMPLATES)
    weights = [TEMPLATES[n][2] for n in names]
    cases: list[dict[str, object]] = []
    for i in range(count):
        name = rng.choices(names, weights)[0]
        render, kind, _w = TEMPLATES[name]
        lang = rng.choice(("de", "de", "de", "fr", "fr", "en-US", "en-GB"))
        base = lang[:2]
        day = dt.date(2009, 1, 1) + dt.timedelta(days=rng.randint(0, 5600))
        site = rng.choice(SITES[base])
        domain = site.lower().replace("'", "").replace("é", "e").replace(" ", "-") + ".example"
        ctx = Ctx(rng=rng, lang=lang, date=day, time=(rng.randint(6, 22), rng.randint(0, 59)),
                  title="", author=rng.choice(NAMES[base]), site=site, domain=domain, slug="",
                  paragraphs=rng.sample(SENTENCES[base], 4))  # fmt: skip
        ctx.title = title(ctx)
        words = "-".join(w.lower() for w in ctx.title.split()[:4] if w.isalpha())
        ctx.slug = f"{words or 'artikel'}-{i}"
        # Some CMSs put the date in the address: those pages are found by it anyway.
        if name in ("wordpress", "blog") and rng.random() < 0.15:
            ctx.slug = f"{day.year}/{day.month:02d}/{day.day:02d}/{ctx.slug}"
        markup = render(ctx)
        null = name in NULL_KINDS
        cases.append({
            "id": f"{i:03d}-{name}-{lang}", "url": f"https://{domain}/{ctx.slug}",
            "lang": lang, "kind": kind, "template": name, "traps": sorted(set(ctx.traps)),
            "date": None if null else day.isoformat(), "html": markup,
        })  # fmt: skip
    return cases


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="write the pages and expected.jsonl here")
    parser.add_argument("--count", type=int, default=480)
    args = parser.parse_args()
    cases = build(args.count)
    kinds: dict[str, int] = {}
    for case in cases:
        key = f"{case['kind']}/{str(case['lang'])[:2]}"
        kinds[key] = kinds.get(key, 0) + 1
    print(f"{len(cases)} pages: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
    if args.write:
        args.write.mkdir(parents=True, exist_ok=True)
        lines = []
        for case in cases:
            (args.write / f"{case['id']}.html").write_text(str(case["html"]), "utf-8")
            lines.append(json.dumps({
                "id": case["id"], "url": case["url"], "file": f"{case['id']}.html",
                "checked_nulls": True, "expected": {"date": case["date"], "lang": case["lang"]},
            }))  # fmt: skip
        (args.write / "expected.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
