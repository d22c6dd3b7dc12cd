"""Walls instead of content: challenge, captcha, consent and login pages, decided by
the page's shape (tiny text, challenge scripts and forms, captcha frames, noindex + tiny text,
consent forms) and the response headers, never by a phrase alone."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from lxml import etree

from revue.web.extract.decoding import header
from revue.web.extract.head import Facts
from revue.web.extract.text import cut_words, host_of

_CHALLENGE_TITLES = re.compile(
    r"^(?:just a moment|attention required|are you a robot|access denied|access to this page "
    r"has been denied|please verify you are a human|verify you are human|security check|"
    r"checking your browser|ddos-guard|pardon our interruption|robot or human|"
    r"one more step|captcha|you have been blocked|request rejected|bot verification|"
    r"human verification|403 forbidden|forbidden|error 1020|vérification|un instant)",
    re.IGNORECASE,
)
_CHALLENGE_MARKERS = (
    ("cf-chl", "Cloudflare challenge"),
    ("challenge-platform", "Cloudflare challenge"),
    ("cf_chl_opt", "Cloudflare challenge"),
    ("cf-browser-verification", "Cloudflare challenge"),
    ("captcha-delivery.com", "captcha (DataDome)"),
    ("px-captcha", "captcha (PerimeterX)"),
    ("_incapsula_resource", "bot wall (Incapsula)"),
    ("g-recaptcha", "captcha"),
    ("h-captcha", "captcha"),
    ("hcaptcha.com", "captcha"),
    ("recaptcha/api", "captcha"),
    ("challenges.cloudflare.com", "Cloudflare challenge"),
    ("/cdn-cgi/challenge", "Cloudflare challenge"),
    ("sec-if-cpt", "bot wall (Akamai)"),
    ("ddos-guard", "bot wall (DDoS-Guard)"),
)
_CONSENT_RE = re.compile(
    r"cookie|consent|gdpr|privacy|confidentialit|témoins|before you continue|avant de "
    r"continuer|accept all|tout accepter",
    re.IGNORECASE,
)
_LOGIN_TITLE_RE = re.compile(
    r"\b(?:log ?in|sign ?in|connexion|se connecter|anmelden|iniciar sesi[oó]n)\b", re.I
)


# Walls are small pages: markers are only looked for in pages under this size.
_SMALL_PAGE = 200_000


def suspicious(
    text: str, url: str, title: str | None, facts: Facts, headers: Mapping[str, str] | None
) -> bool:
    """Cheap pre-check: could this be a wall? (The real decision parses the body.)"""
    if "challenge" in (header(headers, "cf-mitigated") or "").lower():
        return True
    if host_of(url).startswith(("consent.", "consentement.", "privacy.", "cmp.")):
        return True
    if title and (_CHALLENGE_TITLES.match(title) or _LOGIN_TITLE_RE.search(title)):
        return True
    if len(text) > _SMALL_PAGE:
        return False
    if "noindex" in (facts.meta.get("robots") or "").lower():
        return True
    if "<form" in text and ("consent" in text or (title and _CONSENT_RE.search(title))):
        return True
    return any(key in text for key, _ in _CHALLENGE_MARKERS)


def _visible_text_len(root: Any) -> int:
    body = root.find("body")
    scope = body if body is not None else root
    total = 0
    for text in scope.itertext(tag=etree.Element):
        total += len(text.strip())
    # itertext includes script/style contents; remove them.
    for el in scope.iter("script", "style", "noscript", "template"):
        for text in el.itertext():
            total -= len(text.strip())
    return max(total, 0)


def detect_block(
    text: str,
    url: str,
    title: str | None,
    facts: Facts,
    headers: Mapping[str, str] | None,
    full_root: Any,
    has_article_meta: bool,
) -> str | None:
    """A short reason when the page is a wall rather than the content, else None."""
    mitigated = (header(headers, "cf-mitigated") or "").lower()
    if "challenge" in mitigated:
        return "Cloudflare challenge"
    lower_head = text[:_SMALL_PAGE].lower()
    marker = next((reason for key, reason in _CHALLENGE_MARKERS if key in lower_head), None)
    host = host_of(url)
    consent_host = host.startswith(("consent.", "consentement.", "privacy.", "cmp."))
    title_hit = bool(title and _CHALLENGE_TITLES.match(title.strip()))
    robots = (facts.meta.get("robots") or "").lower()
    noindex = "noindex" in robots
    login_hint = bool(title and _LOGIN_TITLE_RE.search(title)) and 'type="password"' in (lower_head)
    if full_root is None:
        return None
    visible = _visible_text_len(full_root)
    server = (header(headers, "server") or "").lower()
    tiny = visible < 1500 and not has_article_meta
    if marker and (tiny or (visible < 3000 and "cloudflare" in server and title_hit)):
        return marker
    if title_hit and visible < 2500 and not has_article_meta:
        return f"bot wall: {cut_words(title or '', 60)}"
    forms = full_root.findall(".//form")
    if consent_host and (forms or visible < 3000):
        return "cookie-consent interstitial"
    if forms and visible < 2500 and not has_article_meta:
        form_text = " ".join(
            (f.get("action") or "") + " " + f.text_content()[:2000] for f in forms[:5]
        )
        if _CONSENT_RE.search(form_text) or _CONSENT_RE.search(title or ""):
            return "cookie-consent interstitial"
    if login_hint and visible < 2500 and not has_article_meta:
        return "login wall"
    if noindex and visible < 300 and not has_article_meta and not facts.meta.get("refresh"):
        return "tiny noindex page (likely a bot wall)"
    return None
