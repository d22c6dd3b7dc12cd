"""Titles and the site part of a title: "Titre | La Presse" -> ("Titre", "La Presse"),
recognised by the site's names, its domain and its Twitter handle."""

from __future__ import annotations

import re
from collections.abc import Iterable

from revue.web.extract.text import TITLE_MAX, cut_words, domain_label, host_of, norm_key

# "Post « Blog" (WordPress's wp_title), "Post • Blog", "Post ~ Blog", "Blog › Post" too.
_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " : ", " » ", " :: ", " || ", " / ", " « ",
               " • ", " ~ ", " › ", " ‹ ")  # fmt: skip
_SEP_SPLIT_RE = re.compile(r"\s+(?:\|\||::|[|\-–—·:»«•~›‹/])\s+")


def site_keys(site_names: Iterable[str | None], url: str) -> list[str]:
    keys = []
    for name in site_names:
        if name:
            key = norm_key(name)
            if len(key) >= 2:
                keys.append(key)
    label = norm_key(domain_label(url))
    if len(label) >= 3:
        keys.append(label)
    host = norm_key(host_of(url))
    if host:
        keys.append(host)
    return keys


# A title part that is itself a host name ("Radio-Canada.ca", "LeMonde.fr") names the site,
# whatever address the page was fetched from (a mirror, a proxy, a saved copy).
_DOMAIN_PART_RE = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}$", re.IGNORECASE)


def _is_site_part(part: str, keys: list[str]) -> bool:
    key = norm_key(part)
    if not key:
        return False
    if _DOMAIN_PART_RE.match(part.strip()):
        return True
    for site in keys:
        if key == site or (len(key) >= 3 and (site.startswith(key) or key.startswith(site))):
            return True
        # "Radio-Canada.ca" vs domain label "radiocanada"; "Le Monde.fr" vs "lemonde".
        if len(site) >= 4 and site in key and len(key) <= len(site) + 12:
            return True
    return False


def split_title(title: str, keys: list[str]) -> tuple[str, str | None]:
    """(title without its site part, the site part) for a `<title>`-like string."""
    parts = _SEP_SPLIT_RE.split(title)
    if len(parts) < 2:
        return title, None
    seps = _SEP_SPLIT_RE.findall(title)
    # Site at the end: "Titre | La Presse", "Titre - Section - Site".
    if _is_site_part(parts[-1], keys):
        rest = title[: title.rfind(seps[-1])].strip()
        if rest:
            return rest, parts[-1].strip()
    if _is_site_part(parts[0], keys):
        rest = title[title.find(seps[0]) + len(seps[0]) :].strip()
        if rest:
            return rest, parts[0].strip()
    return title, None


def handle_keys(handle: str | None) -> list[str]:
    """Site keys from a Twitter handle: "@lp_lapresse" also names "La Presse"."""
    if not handle:
        return []
    name = handle.lstrip("@")
    parts = [p for p in re.split(r"[_\d]+", name) if len(p) >= 4]
    return [norm_key(p) for p in [name, *parts] if norm_key(p)]


def split_short_suffix(title: str) -> tuple[str, str | None]:
    """A bare `<title>` names its site last, in a few words: "Un long titre d'article - Le Blogue".

    Only when the last part is short (at most 4 words, 30 characters) and the rest is much
    longer, so that "Section | Un titre" and real titles with a separator stay whole."""
    parts = _SEP_SPLIT_RE.split(title)
    if len(parts) < 2:
        return title, None
    last = parts[-1].strip()
    rest = title[: title.rfind(_SEP_SPLIT_RE.findall(title)[-1])].strip()
    if (
        last
        and len(last) <= 30
        and len(last.split()) <= 4
        and len(rest) >= 3 * len(last)
        and len(rest.split()) >= 4
        and not last.endswith(("?", "!", "."))
    ):
        return rest, last
    return title, None


def split_around(title: str, headline: str | None) -> tuple[str, str | None]:
    """(the page's headline, the rest) when `<title>` is the headline plus a site part
    before or after it: "Why our bread rests - Rise & Crumb" with `<h1>` "Why our bread rests"."""
    if not headline or len(headline) < 8:
        return title, None
    parts = _SEP_SPLIT_RE.split(title)
    seps = _SEP_SPLIT_RE.findall(title)
    if len(parts) < 2:
        return title, None
    key = norm_key(headline)
    if norm_key(title[: title.rfind(seps[-1])]) == key:
        return title[: title.rfind(seps[-1])].strip(), parts[-1].strip()
    if norm_key(title[title.find(seps[0]) + len(seps[0]) :]) == key:
        return title[title.find(seps[0]) + len(seps[0]) :].strip(), parts[0].strip()
    return title, None


_TAIL_SEP_RE = re.compile(r"\s+[|\-–—]\s+")


def title_tail(title: str | None) -> str | None:
    """A last guess at the site's name when nothing else gives it: the end of a `<title>`
    after its last " - " or " | " ("Notes on awk - Jane's blog"), the place most sites put
    their name, when it is short enough to be a name. The title itself is left whole: this
    is a guess, not a recognised site name."""
    if not title:
        return None
    parts = _TAIL_SEP_RE.split(title)
    if len(parts) < 2 or not parts[0].strip():
        return None
    tail = parts[-1].strip()
    if not tail or len(tail) > 40 or len(tail.split()) > 5 or tail.endswith(("?", "!", ".")):
        return None
    return tail


def finish_title(title: str | None) -> str | None:
    if not title:
        return None
    return cut_words(title, TITLE_MAX)
