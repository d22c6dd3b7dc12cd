"""Render a ReviewDoc as Markdown, HTML (a page or a fragment to paste) or JSON.

No clock, no network, no files: the curator's templates come through a Jinja loader an adapter
builds (`files.user_templates`); the built-ins are the package's own. Same doc, same options
-> same bytes.

Invariants:

- Page fields (title, summary, site name, via, author) are untrusted. Templates receive them
  raw and pre-escaped: `item.title_md` etc. for Markdown, and HTML templates autoescape.
  The curator's own text (note, lead, intro, outro) is Markdown, and may come from an import
  or a feed: through `md_safe` in Markdown output (a note on one line inside its item's
  paragraph), through `markdown_to_html` in HTML; in both, raw HTML shows as text and links
  go only to http(s) or mailto.
- The only hrefs are `item.url_safe` (from `markup.safe_url`): absolute http(s), or None, in
  which case the item's title is shown as text, without a link.
- Output ends with exactly one newline.

Template lookup: with `templates.name` (--template), that file (it may `{% extends %}` or
`{% include %}` built-ins); otherwise `review.md.j2`, `review.html.j2` or
`review.fragment.html.j2`, looked up first through `templates.loader` (a user's file
overrides a built-in of the same name), then in the package. Undefined variables fail loudly (StrictUndefined); None prints as "".
"""

from __future__ import annotations

import datetime as dt
import json
import re
import traceback
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from babel.core import UnknownLocaleError
from babel.dates import format_date
from markupsafe import Markup

from revue.clock import local_day
from revue.errors import BadInput
from revue.models import Item, ReviewDoc, note_body, only_hashtags, page_day
from revue.review.datephrase import date_phrase
from revue.review.markup import (
    html_text,
    markdown_to_html,
    md_autolink,
    md_escape,
    md_link,
    md_safe,
    one_line,
    safe_url,
)
from revue.review.outputs import FORMATS, OUTPUT_FORMATS
from revue.urls import domain, social_post

__all__ = ["FORMATS", "STYLES", "TEMPLATE_NAMES", "Templates", "render", "template_context"]

STYLES = ("classic", "linked")


TEMPLATE_NAMES = {f.name: f.template for f in OUTPUT_FORMATS.values() if f.template}
# Defaults of the template options a caller may override with `render(options=...)`.
# The real posts show no summary: it is shown only when asked (compose --summaries).
DEFAULT_OPTIONS: Mapping[str, Any] = {"show_summary": False}

_NOT_TAG = re.compile(r"\W+")
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n){2,}")
_WRITTEN_TAG = re.compile(r"(?<![\w&/])#(\w+)")
_HANDLE = re.compile(r"[A-Za-z0-9_]{1,50}")
# Wikipedia's footnote and maintenance marks, which its descriptions leak: "[2]", "[a]",
# "[note 3]", "[citation needed]", "[réf. nécessaire]", ... with the space before them.
_FOOTNOTE = re.compile(
    r"\s*\[(?:\d{1,4}|[a-z]|(?:note|nb|n|lower-alpha|upper-alpha|lower-roman)\s*\d{1,4}"
    r"|citation needed|clarification needed|better source needed|failed verification"
    r"|dubious(?: [–-] discuss)?|when\?|who\?|which\?|according to whom\?|by whom\?"
    r"|page needed|vague|verification needed|original research\?"
    r"|réf\.\s?(?:nécessaire|souhaitée)|référence nécessaire|source insuffisante"
    r"|source secondaire nécessaire|information douteuse|information à confirmer"
    r"|précision nécessaire|non neutre|(?:quand|qui|lequel|laquelle)\s?\?)\]",
    re.IGNORECASE,
)
# A lead-in is followed by a colon unless it already ends with a punctuation mark.
_LEAD_END = tuple(":.!?…—–-;,»”)")


# -- the context ------------------------------------------------------------------------


def _hashtags(tags: Iterable[str]) -> list[str]:
    """Tag tokens without '#': word characters only, each once (case-insensitively), in order."""
    seen: set[str] = set()
    out: list[str] = []
    for tag in tags:
        token = _NOT_TAG.sub("", tag or "")
        if token and token.casefold() not in seen:
            seen.add(token.casefold())
            out.append(token)
    return out


def _via(via: str | None) -> str:
    """A via as shown: '@handle' when it is a bare handle, else the text on one line."""
    text = one_line(via)
    return "@" + text if _HANDLE.fullmatch(text) else text


def _added_day(item: Item, doc: ReviewDoc) -> str | None:
    """The curator's day the item was added on (added_at is a UTC instant)."""
    day = local_day(item.added_at, doc.zone)
    return day.isoformat() if day else None


def _format_date(day: dt.date, lang: str) -> str:
    """`day` in the review's language ("6 novembre 2023"); ISO if Babel knows no such locale."""
    # An empty locale would make Babel read the process's environment: not deterministic.
    locale = lang.strip().replace("-", "_") or "fr"
    try:
        return str(format_date(day, format="long", locale=locale))
    except (ValueError, UnknownLocaleError):
        return day.isoformat()


def _quote_paragraphs(quote: str | None) -> list[str]:
    """The quote's paragraphs (split on blank lines), each on one line."""
    if not quote:
        return []
    return [p for p in (one_line(chunk) for chunk in re.split(r"\n\s*\n", quote)) if p]


def _post_lines(text: str | None) -> list[list[str]]:
    """A social post's text as paragraphs of lines (the post's own line breaks kept)."""
    if not text:
        return []
    paragraphs = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n").replace("\r", "\n")):
        lines = [line for line in (one_line(raw) for raw in chunk.split("\n")) if line]
        if lines:
            paragraphs.append(lines)
    return paragraphs


def strip_footnotes(text: str | None) -> str:
    """`text` on one line without Wikipedia's footnote marks ("[2]", "[citation needed]")."""
    return one_line(_FOOTNOTE.sub("", text or ""))


def _lead(lead: str | None) -> str:
    """The lead-in on one line, ending with a colon unless it ends with punctuation already
    (a past review's importer keeps "Intéressante analyse…" without the colon it had)."""
    text = one_line(lead)
    return text + ":" if text and not text.endswith(_LEAD_END) else text


def stand_in_title(item: Item) -> str | None:
    """What a link shows in place of the title its page did not give (a blocked, timed-out
    or untitled page): its site and its address's words; None when it has a title, or shows
    none (a text block). A social post shows its text as a quote: with no text to quote (not
    fetched yet, or blocked) it stands as its `via RT@handle` line alone."""
    if item.kind == "text":
        return None
    handle = social_post(item.url)
    if handle is not None:
        if one_line(item.quote) or one_line(item.summary) or one_line(item.title):
            return None
        return f"via RT{handle}" if handle else f"via RT {domain(item.url or '')}"
    if one_line(item.title):
        return None
    return one_line(item.display_title()) or safe_url(item.url) or one_line(item.url)


def _item_context(item: Item, doc: ReviewDoc) -> dict[str, Any]:
    is_text = item.kind == "text"
    url_safe = None if is_text else safe_url(item.url)
    title = one_line(item.title)
    via = _via(item.via)
    # A post on X, Bluesky or Mastodon shows as the real posts do: "via RT@handle", then
    # the post's text as a quote (not as a title).
    handle = None if is_text else social_post(item.url)
    is_social = handle is not None
    if is_social:
        handle = handle or (via if via.startswith("@") else "")
        label = f"via RT{handle}" if handle else "via RT " + (title or domain(item.url or ""))
    else:
        # What a link shows when the page gave no title: the site and its address's words.
        label = title or stand_in_title(item) or ""
    note = (item.note or "").strip()
    if not is_text:
        # The classic style writes "= comment"; a curator who typed the "=" gets it once.
        note = note_body(note)
    lead = _lead(item.lead)
    # A hashtag the curator already wrote in the comment is not repeated after it.
    written = {tag.casefold() for tag in _WRITTEN_TAG.findall(note)}

    def unwritten(tags: Iterable[str]) -> list[str]:
        return [] if is_text else [t for t in _hashtags(tags) if t.casefold() not in written]

    hashtags = unwritten([*doc.default_hashtags, *item.hashtags])
    own_hashtags = unwritten(item.hashtags)
    published = page_day(item.published, doc.zone)
    published_text = _format_date(published, doc.lang) if published else ""
    if item.quote:
        quote_lines = [[p] for p in _quote_paragraphs(item.quote)]
    elif is_social:
        quote_lines = _post_lines(item.summary or item.title)
    else:
        quote_lines = []
    quote = [" ".join(lines) for lines in quote_lines]
    marker = one_line(doc.paywall_marker) if item.paywalled else ""
    # A social post's summary is its text, already shown as the quote.
    summary = "" if is_social else strip_footnotes(item.summary)
    return {
        # Raw values, as stored.
        "id": item.id,
        "kind": "text" if is_text else "link",
        "is_text": is_text,
        "url": item.url,
        "original_url": item.original_url,
        "title": item.title,
        "summary": item.summary,
        "site_name": item.site_name,
        "via": item.via,
        "author": item.author,
        "published": item.published,
        "first_published": item.first_published,
        "lang": item.lang,
        "image": item.image,
        "note": item.note,
        "lead": item.lead,
        "quote": item.quote,
        "section": item.section,
        "tags": list(item.tags),
        "paywalled": item.paywalled,
        "added_at": item.added_at,
        # Derived, format-neutral.
        "is_social": is_social,
        "url_safe": url_safe,
        "image_safe": safe_url(item.image),
        "label": label,
        "title_text": title,
        "summary_text": summary,
        "via_text": via,
        "hashtags": hashtags,
        "own_hashtags": own_hashtags,
        "published_date": published.isoformat() if published else None,
        "added_date": _added_day(item, doc),
        "published_text": published_text,
        "stale": item.is_stale(doc.stale_days, doc.zone),
        "paywall_marker": marker,
        "quote_paragraphs": quote,
        "quote_lines": quote_lines,
        # Plain text, ready to insert (the text format: nothing escaped).
        "lead_text": lead,
        # "= " before a comment; a note of hashtags only is shown as tags, without it.
        "note_sep": "" if is_text or only_hashtags(note) else "= ",
        "note_text": one_line(note),
        "hashtags_text": " ".join("#" + tag for tag in hashtags),
        "own_hashtags_text": " ".join("#" + tag for tag in own_hashtags),
        "quote_text": "\n\n".join("\n".join(lines) for lines in quote_lines),
        "text_text": note if note else title,  # a text block, as a paragraph
        # Markdown, ready to insert.
        "title_md": md_escape(title),
        "label_md": md_escape(label),
        "summary_md": md_escape(summary),
        "site_name_md": md_escape(item.site_name),
        "author_md": md_escape(item.author),
        "via_md": md_escape(via),
        "url_md": md_autolink(url_safe),
        "link_md": md_link(label, url_safe),
        "hashtags_md": " ".join("#" + md_escape(tag) for tag in hashtags),
        "own_hashtags_md": " ".join("#" + md_escape(tag) for tag in own_hashtags),
        "published_md": md_escape(published_text),
        "paywall_marker_md": md_escape(marker),
        # A line break inside a paragraph of the quote is a hard break ("\\" at its end).
        "quote_md": "\n>\n".join(
            "> " + "\\\n> ".join(md_escape(line) for line in lines) for lines in quote_lines
        ),
        # The curator's Markdown (which may come from an import or a feed): no raw HTML and
        # no link but to http(s) or mailto, as in the HTML output.
        "note_md": md_safe(note, inline=True),  # on one line
        "lead_md": md_safe(lead, inline=True),
        "text_md": md_safe(note) if note else md_escape(title),  # a text block's paragraph
        # HTML, ready to insert (Markup: not escaped again).
        "note_html": markdown_to_html(note, inline=True),
        "lead_html": markdown_to_html(lead, inline=True),
        "text_html": (
            markdown_to_html(note) if note else Markup("<p>%s</p>\n") % title if title else ""
        ),
    }


def _ordered_sections(doc: ReviewDoc) -> list[tuple[str | None, list[Item]]]:
    return section_groups(doc.items, doc.sections)


def section_groups(
    items: Iterable[Item], sections: Sequence[str]
) -> list[tuple[str | None, list[Item]]]:
    """Items grouped as a review shows them: no section first, then `sections`' order (the
    config's), then the other sections A-Z; inside a group, the order given."""
    groups: dict[str | None, list[Item]] = {}
    for item in items:
        groups.setdefault(one_line(item.section) or None, []).append(item)
    configured = [one_line(name) for name in sections]
    known = [name for name in dict.fromkeys(configured) if name in groups]
    others = sorted(
        (name for name in groups if name is not None and name not in known),
        key=lambda name: (name.casefold(), name),
    )
    order: list[str | None] = [None, *known, *others]
    return [(name, groups[name]) for name in order if name in groups]


def template_context(doc: ReviewDoc) -> dict[str, Any]:
    """Everything a template sees; JSON-serializable (dates as ISO strings).

    Keys: title, title_md, lang, start, end, date_phrase, generator, intro, intro_md,
    intro_html, outro, outro_md, outro_html, default_hashtags, paywall_marker, show_dates,
    stale_days, sections, items, link_count.

    `sections` is a list of {"name", "name_md", "items"} in display order (no section first,
    then doc.sections' order, then other sections alphabetically); in a template write
    `section["items"]` (`section.items` is the dict method). `items` is the same item dicts,
    flat, in display order. An item dict holds the Item's raw fields plus: url_safe,
    image_safe, label, title_text, summary_text, via_text, hashtags (default + item's, each
    once), published_date, published_text, stale, paywall_marker, quote_paragraphs, and the
    Markdown-ready *_md and HTML-ready *_html variants.
    """
    sections = []
    flat: list[dict[str, Any]] = []
    for name, items in _ordered_sections(doc):
        entries = [_item_context(item, doc) for item in items]
        flat.extend(entries)
        sections.append({"name": name, "name_md": md_escape(name), "items": entries})
    try:
        phrase = date_phrase(doc.start, doc.end, doc.lang)
    except ValueError:
        phrase = None
    intro = (doc.intro or "").strip()
    outro = (doc.outro or "").strip()
    return {
        "title": one_line(doc.title),
        "title_md": md_escape(doc.title),
        "lang": one_line(doc.lang).replace("_", "-") or "fr",  # BCP 47, for <html lang>
        "start": doc.start.isoformat(),
        "end": doc.end.isoformat(),
        "date_phrase": phrase,
        "generator": one_line(doc.generator),
        "intro": doc.intro,
        "intro_md": md_safe(intro),
        "intro_html": markdown_to_html(intro),
        "outro": doc.outro,
        "outro_md": md_safe(outro),
        "outro_html": markdown_to_html(outro),
        "default_hashtags": _hashtags(doc.default_hashtags),
        "paywall_marker": one_line(doc.paywall_marker),
        "show_dates": doc.show_dates,
        "stale_days": doc.stale_days,
        "sections": sections,
        "items": flat,
        "link_count": sum(1 for entry in flat if not entry["is_text"]),
    }


# -- templates --------------------------------------------------------------------------


def _finalize(value: Any) -> Any:
    # None prints as nothing: an absent via or note must not print "None".
    return "" if value is None else value


def _autoescape_for(
    forced: Mapping[str, bool],
) -> Callable[[str | None], bool]:
    def autoescape(name: str | None) -> bool:
        if name is None:
            return False
        if name in forced:
            return forced[name]
        stem = name[: -len(".j2")] if name.endswith(".j2") else name
        return stem.endswith((".html", ".htm", ".xml"))

    return autoescape


@dataclass(frozen=True)
class Templates:
    """The curator's templates: a loader over their folders (built by an adapter, which
    reads the files) and, for --template, the name of the one file to render."""

    loader: jinja2.BaseLoader
    name: str | None = None


def _environment(
    user: jinja2.BaseLoader | None, forced: Mapping[str, bool] | None = None
) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = [user] if user is not None else []
    loaders.append(jinja2.PackageLoader("revue.review", "templates"))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=_autoescape_for(forced or {}),
        undefined=jinja2.StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["md_link"] = md_link
    env.filters["safe_url"] = safe_url
    env.filters["one_line"] = one_line
    env.filters["html_text"] = html_text
    env.filters["markdown"] = markdown_to_html
    return env


@lru_cache(maxsize=1)
def _builtin_environment() -> jinja2.Environment:
    # Compiling the built-ins once per process keeps repeated renders cheap.
    return _environment(None)


def _finish(text: str, fmt: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if fmt in ("md", "text"):
        # Optional parts leave blank lines behind; one is enough between blocks.
        text = _BLANK_LINES.sub("\n\n", text)
    return text.strip("\n") + "\n"


def render(
    doc: ReviewDoc,
    fmt: str = "md",
    style: str = "classic",
    *,
    templates: Templates | None = None,
    options: Mapping[str, Any] | None = None,
) -> str:
    """The review as text in `fmt` ("md", "html", "html-fragment" or "json") and `style`
    ("classic" or "linked"), ending with one newline.

    `options` overrides template options (DEFAULT_OPTIONS: show_summary). Raises BadInput for
    an unknown format or style, or a user template that is missing or fails to render.
    """
    if fmt not in FORMATS:
        raise BadInput(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    if style not in STYLES:
        raise BadInput(f"unknown style {style!r} (choose from {', '.join(STYLES)})")
    context = template_context(doc)
    if fmt == "json":
        return json.dumps(context, ensure_ascii=False, indent=2) + "\n"
    variables = {**context, **DEFAULT_OPTIONS, **(options or {}), "style": style, "format": fmt}
    if templates is not None and templates.name is not None:
        name = templates.name
        env = _environment(templates.loader, {name: OUTPUT_FORMATS[fmt].html})
    elif templates is not None:
        name = TEMPLATE_NAMES[fmt]
        env = _environment(templates.loader)
    else:
        name = TEMPLATE_NAMES[fmt]
        env = _builtin_environment()
    try:
        text = env.get_template(name).render(variables)
    except jinja2.TemplateNotFound as exc:
        raise BadInput(f"template not found: {exc.name}") from None
    except jinja2.TemplateSyntaxError as exc:
        where = exc.filename or exc.name or name
        raise BadInput(f"template {where}, line {exc.lineno}: {exc.message}") from None
    except jinja2.TemplateError as exc:
        raise BadInput(f"template {name}: {exc}") from None
    except UnicodeDecodeError:
        raise BadInput(f"template {name}: not UTF-8 text") from None
    except OSError as exc:
        raise BadInput(f"template {name}: {exc.strerror or exc}") from None
    except RecursionError:
        raise BadInput(f"template {name}: extends or includes itself (or nests too deep)") from None
    except Exception as exc:
        if env is _builtin_environment():
            raise  # a bug in revue's own templates, not the curator's doing
        # `{{ 1/0 }}`, a method called wrong: the curator's template, said with its line.
        where = _template_line(exc) or name
        raise BadInput(f"template {where}: {type(exc).__name__}: {exc}") from None
    return _finish(text, fmt)


def _template_line(exc: BaseException) -> str | None:
    """`file, line N` of the template frame where `exc` was raised (Jinja rewrites its
    tracebacks so that template frames carry the template's file and line)."""
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if not frame.filename.endswith(".py") and not frame.filename.startswith("<"):
            return f"{Path(frame.filename).name}, line {frame.lineno}"
    return None
