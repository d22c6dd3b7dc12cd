"""Values a curator would have typed: the finishers' rules for names and titles.

A value is text: no markup (a tag cut in half, `Mike Isaac <span class="affiliation`), no
byline decoration ("By", "Par", "Von", a leading dash), no separator left at either end
(`| Le Plateau`), and not the label of a widget that sat where a name was expected
("Connect Directly", "Suivre", "Profil ansehen"). Several authors are one list joined the
way the page's language joins them ("David K. Li and Doha Madani", "A et B", "A und B").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from revue.web.extract.text import norm_key

# What sits at the ends of a value when it was cut out of a longer title or byline.
SEPARATORS = "|-–—:·"
_ENDS = " \t" + SEPARATORS

# "By", "Par", "Por", "Von" and their longer spellings; the dash of "—Dawson Whitfield".
BYLINE_PREFIX_RE = re.compile(
    r"^(?:[-–—]+\s*"
    r"|(?:(?:written|posted|published|reported|words|story|text|reporting)\s+)?by\b"
    r"|(?:(?:écrit|publié|soumis|rédigé|proposé|mis\s+en\s+ligne)\s+)?par\b"
    r"|(?:(?:escrito|publicado|redactado)\s+)?por\b"
    r"|(?:(?:geschrieben|verfasst|veröffentlicht)\s+)?von\b|ein\s+beitrag\s+von\b"
    r"|(?:scritto\s+)?da\b(?=\s+[A-ZÀ-Ý])|door\b"
    r"|(?:author|auteur|autor|autorin|autore|auteure)\s*:|(?:author|auteur|autor)\b(?=\s+[A-ZÀ-Ý])"
    r")\s*[:\-–—]?\s*",
    re.IGNORECASE,
)
# Words a byline starts with, for the benchmark's rule (a value must not start with one).
BYLINE_WORDS = ("by", "par", "por", "von")

# Labels of the links and buttons found where a name was looked for (author boxes, share
# bars, profile cards): never a person's or a site's name. Compared without case or accents.
WIDGET_LABELS = frozenset(
    norm_key(label)
    for label in (
        # English
        "Connect Directly", "View the Website", "View Website", "Visit Website", "Website",
        "Follow", "Follow me", "Following", "Share", "Share this", "Subscribe", "Read more",
        "More", "Contact", "Contact me", "Email", "E-mail", "Profile", "View profile",
        "View all posts", "All posts", "More articles", "More from this author",
        "About the author", "Author", "Home", "Menu", "Search", "Sign in", "Log in", "admin", "Administrator",
        "Anonymous", "Unknown", "Guest",
        # French
        "Suivre", "Partager", "S'abonner", "Abonnez-vous", "Lire la suite", "Voir le profil",
        "Voir tous les articles", "Tous les articles", "Contacter", "Auteur", "Accueil",
        "Se connecter", "Anonyme",
        # German
        "Folgen", "Teilen", "Mehr lesen", "Weiterlesen", "Profil", "Profil ansehen",
        "Alle Artikel", "Alle Beiträge", "Kontakt", "Autor", "Abonnieren", "Startseite",
        "Anmelden",
        # Spanish, Italian, Portuguese
        "Seguir", "Compartir", "Leer más", "Ver perfil", "Contacto", "Segui", "Condividi",
        "Leggi tutto", "Compartilhar", "Ler mais",
    )
)  # fmt: skip

# Networks a share bar or an author box links to: a label where a person is expected, the
# right name on the network's own pages.
SOCIAL_LABELS = frozenset(
    norm_key(label) for label in ("Twitter", "X", "LinkedIn", "Facebook", "Instagram",
                                  "Mastodon", "Bluesky", "Threads", "YouTube", "TikTok")
)  # fmt: skip

# "X (formerly Twitter)": what the product was called is not the site's name.
_FORMERLY_RE = re.compile(
    r"\s*\((?:formerly|previously|anciennement|ex|ehemals|früher|antes|antiguo)\b[^)]*\)", re.I
)
# Hosting platforms: a publication hosted there is the site, not the platform.
PLATFORMS = frozenset(
    ["medium", "substack", "wordpresscom", "wordpress", "blogger", "blogspot", "tumblr",
     "hashnode", "ghost", "devcommunity", "linkedin", "wix", "squarespace", "overblog"]
)  # fmt: skip
# "GlobeNewswire News Room": the product's name after the site's.
_PRODUCT_SUFFIX_RE = re.compile(r"\s+(?:news\s*room|press\s*room|media\s*room)$", re.I)

# How a language joins the last two names of a list.
_AND = {"en": "and", "fr": "et", "de": "und", "es": "y", "it": "e", "pt": "e", "nl": "en",
        "ca": "i", "sv": "och", "da": "og", "no": "og", "nb": "og", "pl": "i", "ro": "și",
        "cs": "a", "fi": "ja"}  # fmt: skip
_MARKUP_RE = re.compile(r"<[a-zA-Z/!][^<>]*$")
_HTML_TAG_RE = re.compile(
    r"</?(?:a|b|i|u|em|strong|span|div|p|br|img|font|small|sup|sub|abbr|time|cite)\b[^<>]*>", re.I
)


def plain(value: str | None) -> str | None:
    """A one-line text value without a tag cut in half at its end, nor separators at its
    ends. None when nothing is left."""
    if not value:
        return None
    text = _MARKUP_RE.sub("", value).strip(_ENDS)
    return text or None


def name(value: str | None, *, person: bool = False) -> str | None:
    """A person's or a site's name: no markup at all (a name has no `<`), no byline words,
    no separators at the ends, not a widget's label (for a `person`, not a network's)."""
    if not value:
        return None
    # Markup is a tag cut in half or an HTML element's tag; "Jean <Pseudo> Tremblay" (what
    # entities decoded to) is text.
    text = _HTML_TAG_RE.sub(" ", _MARKUP_RE.sub("", value))
    for _ in range(3):
        stripped = BYLINE_PREFIX_RE.sub("", text.strip(_ENDS), count=1)
        if stripped == text:
            break
        text = stripped
    text = " ".join(text.split()).strip(_ENDS)
    key = norm_key(text)
    if not text or key in WIDGET_LABELS or (person and key in SOCIAL_LABELS):
        return None
    return text


def site_name(value: str | None, url_label: str) -> str | None:
    """A site's name: "X (formerly Twitter)" -> "X"; "GlobeNewswire News Room" ->
    "GlobeNewswire" when the rest is still the domain's name."""
    text = name(value)
    if not text:
        return None
    text = _FORMERLY_RE.sub("", text).strip() or text
    short = _PRODUCT_SUFFIX_RE.sub("", text)
    if short != text and url_label and norm_key(short).startswith(norm_key(url_label)[:6]):
        text = short
    return text


def is_platform(value: str | None) -> bool:
    return bool(value) and norm_key(value or "") in PLATFORMS


def join_names(names: Sequence[str], lang: str | None) -> str | None:
    """Names as one list, the last two joined by the page's word for "and" (else ", ")."""
    names = [n for n in names if n]
    if not names:
        return None
    if len(names) == 1:
        return names[0]
    word = _AND.get((lang or "").split("-")[0].lower())
    if word is None:
        return ", ".join(names)
    return f"{', '.join(names[:-1])} {word} {names[-1]}"
