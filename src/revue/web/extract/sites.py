"""Site names from a page's logo: an `<img>` alt or a logo link's text, when it names the
domain's site (taglines and file-name words such as "logotype_black" removed)."""

from __future__ import annotations

import re

from revue.web.extract.tags import element_text, finds, tag_at, tag_attrs
from revue.web.extract.text import clean, domain_label, norm_key

# Words of a logo's file name or alt text that are not the site's name.
_LOGO_WORDS = frozenset(
    [
        "logo",
        "logos",
        "logotype",
        "logotipo",
        "logotyp",
        "home",
        "homepage",
        "accueil",
        "inicio",
        "black",
        "white",
        "dark",
        "light",
        "color",
        "colour",
        "colored",
        "mono",
        "header",
        "footer",
        "main",
        "site",
        "default",
        "retina",
        "small",
        "large",
        "big",
        "mobile",
        "desktop",
        "svg",
        "png",
        "jpg",
        "image",
        "img",
        "icon",
        "brand",
        "new",
        "primary",
        "secondary",
        "horizontal",
        "vertical",
        "full",
    ]
)
_LEADING_LINKS = ("de", "du", "of", "d'")  # "Logo de La Presse" -> "La Presse"
_TAGLINE_RE = re.compile(r"\s+[|:–—-]\s+|:\s+|,\s+")


def site_from_logo(text: str | None, url: str) -> str | None:
    """The site's name from a logo's alt text ("PR Newswire: news distribution...",
    "audiense_logotype_black", "Logo Le Monde"), when it names the site of `url`.

    The domain decides whether the text is a name at all (a logo alt may say "Accueil" or
    "Menu"), never what the name is."""
    text = clean(text)
    if not text:
        return None
    text = _TAGLINE_RE.split(text, maxsplit=1)[0]
    words = []
    for word in re.split(r"[\s_]+", text):
        # "lemonde-logo-white.svg" is a file name to take apart; "Radio-Canada" is a name.
        parts = re.split(r"(?<=\w)[-.](?=\w)", word)
        words += parts if any(p.lower() in _LOGO_WORDS for p in parts) else [word]
    kept = [w for w in words if w.lower() not in _LOGO_WORDS and not w.isdigit()]
    while kept and kept[0].lower() in _LEADING_LINKS:
        kept.pop(0)
    if not kept or len(kept) > 5:
        return None
    name = " ".join(kept)
    if name.islower():  # a file name's spelling, not the site's
        name = name.title()
    key, label = norm_key(name), norm_key(domain_label(url))
    if min(len(key), len(label)) < 3 or len(name) > 40:
        return None
    # "PR Newswire" ~ prnewswire, "BBC News" ~ bbc; not "Photo of author Anisse Astier" ~ astier.
    if key.startswith(label) or label.startswith(key):
        return name
    return name if label in key and len(key) <= len(label) + 6 else None


def logo_name(rest: str, url: str) -> str | None:
    """A site name from the page's logo: the alt of an `<img>` that is a logo (by its class,
    id, file name or alt) or sits in an element that is one, or a logo link's text."""
    text = rest[:200_000]
    positions = sorted(i for key in ("logo", "Logo", "LOGO") for i in finds(text, key, 20))
    last_end = -1
    for pos in positions[:40]:
        if pos < last_end:
            continue
        tag = tag_at(text, pos)
        if tag is None:
            continue
        name, attr_text, end = tag
        last_end = end
        attrs = tag_attrs(attr_text)
        if name == "img":
            candidate = attrs.get("alt") or attrs.get("title")
        elif "logo" in f"{attrs.get('class', '')} {attrs.get('id', '')}".lower():
            img = text.find("<img", end, end + 600)
            inner = tag_at(text, img + 1) if img >= 0 else None
            candidate = tag_attrs(inner[1]).get("alt") if inner else None
            if not candidate and name in ("a", "span", "div", "h1", "p", "strong"):
                candidate = element_text(text, name, end)
        else:
            continue
        site = site_from_logo(candidate, url)
        if site:
            return site
    return None
